//! Named plasma-concentration bands for plots and time-in-band metrics.
//!
//! The bands overlap and are mostly venous plasma concentrations of racemic ketamine.
//! Ranges, citations and tags are listed in docs/sources.md §Bands. There is no band for
//! the antidepressant effect: no plasma threshold exists, and the benefit outlasts the
//! drug by days (docs/sources.md §Bands and §Gaps).

use crate::model::Drug;
use crate::units::NgPerMl;

/// A named concentration range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// Id used in scenario files and CSV columns.
    pub id: &'static str,
    /// Lower edge (ng/mL).
    pub low_ng_ml: NgPerMl,
    /// Upper edge (ng/mL).
    pub high_ng_ml: NgPerMl,
    /// What it means, for people.
    pub meaning: &'static str,
    /// Where the range comes from, with its confidence tag.
    pub source: &'static str,
    /// The substance whose plasma concentrations the range was measured in: an
    /// S-ketamine curve against a racemic band is labelled as such on plots.
    pub substance: Drug,
}

/// Every band, lowest first.
pub const BANDS: [Band; 4] = [
    Band {
        id: "analgesia",
        low_ng_ml: 70.0,
        high_ng_ml: 160.0,
        meaning: "sub-dissociative analgesia",
        source: "Zanos et al., Pharmacol Rev 2018;70:621, Table 1 (several studies); \"≥0.1 mg/L associated with analgesia\" (Herd 2007) — A",
        substance: Drug::Racemic,
    },
    Band {
        id: "dissociation",
        low_ng_ml: 100.0,
        high_ng_ml: 250.0,
        meaning: "psychedelic / dissociative effects, as after the 0.5 mg/kg depression infusion",
        source: "Krystal 1994 via Zanos 2018 Table 1; effects rise from 50 to 200 ng/mL (Bowdle 1998, Anesthesiology 88:82) — A",
        substance: Drug::Racemic,
    },
    Band {
        id: "emergence",
        low_ng_ml: 640.0,
        high_ng_ml: 750.0,
        meaning: "emergence / awakening from ketamine anaesthesia",
        source: "0.64 µg/mL recovery (Idvall 1979); 0.75 µg/mL awakening in adults (Herd 2007) — A",
        substance: Drug::Racemic,
    },
    Band {
        id: "anaesthesia",
        low_ng_ml: 1200.0,
        high_ng_ml: 2400.0,
        meaning: "surgical anaesthesia after a 1–2 mg/kg bolus",
        source: "Zanos 2018 Table 1; Idvall 1979; EEG IC50 2.0 ± 0.5 µg/mL (Schüttler 1987, doi:10.1007/BF01066320) — A",
        substance: Drug::Racemic,
    },
];

/// The band with this id; US spellings ("anesthesia") are accepted.
pub fn find(id: &str) -> Option<Band> {
    let id = id.to_ascii_lowercase();
    let id = match id.as_str() {
        "anesthesia" => "anaesthesia",
        "dissociative" | "psychedelic" => "dissociation",
        other => other,
    };
    BANDS.iter().find(|b| b.id == id).copied()
}

/// Ids of every band, for error messages.
pub fn ids() -> String {
    BANDS.iter().map(|b| b.id).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn us_spelling_is_accepted() {
        assert_eq!(find("anesthesia").map(|b| b.id), Some("anaesthesia"));
        assert_eq!(find("Analgesia").map(|b| b.id), Some("analgesia"));
        assert!(find("euphoria").is_none());
    }
}
