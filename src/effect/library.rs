//! Built-in PK-PD endpoints: published ketamine concentration–effect relations with
//! their citation, confidence tag and the PK model they were estimated with. Numbers the
//! source does not give are listed as assumptions, and every output that uses the
//! endpoint repeats them. Sources and tags: docs/sources.md §Pharmacodynamics.

use super::{Endpoint, PdVariability, Provenance, Response, Scale, Term};
use std::f64::consts::LN_2;

/// Minutes per hour, for half-times published in minutes.
const MIN_PER_H: f64 = 60.0;

/// The built-in ids, in the order `ketasim models` lists them.
pub const IDS: [&str; 4] = ["herd-2008", "olofsen-2012", "olofsen-2022", "dahan-2011"];

/// ke0 (1/h) of an equilibration half-time given in hours.
fn ke0_of_half_time_h(t_half_h: f64) -> f64 {
    LN_2 / t_half_h
}

/// The built-in endpoint `id`.
pub fn get(id: &str) -> Option<Endpoint> {
    match id {
        "herd-2008" => Some(herd_2008()),
        "olofsen-2012" => Some(olofsen_2012()),
        "olofsen-2022" => Some(olofsen_2022()),
        "dahan-2011" => Some(dahan_2011()),
        _ => None,
    }
}

/// Every built-in endpoint.
pub fn all() -> Vec<Endpoint> {
    IDS.iter().filter_map(|id| get(id)).collect()
}

/// Herd 2008: sedation score in children (0 unresponsive – 5 spontaneously awake), a
/// fractional sigmoid Emax on the effect site of Herd & Anderson 2007's PK. The one
/// complete published ketamine PK-PD set.
fn herd_2008() -> Endpoint {
    Endpoint {
        name: "sedation".into(),
        unit: "score 0–5".into(),
        response: Response {
            baseline: 5.0,
            scale: Scale::FractionOfBaseline,
            parent: Term::Emax {
                emax: -0.939,
                ec50_ng_ml: 560.0,
                hill: 3.71,
            },
            metabolite: None,
        },
        // t½keo 11 s (95% CI 0.07–20 s).
        ke0_per_h: ke0_of_half_time_h(11.0 / 3600.0),
        threshold: None,
        variability: Some(PdVariability {
            emax_cv: 0.24,
            ec50_cv: 1.36,
        }),
        provenance: Provenance {
            id: Some("herd-2008".into()),
            citation: "Herd DW, Anderson BJ, Keene NA, Holford NHG. Investigating the pharmacodynamics of ketamine in children. Paediatr Anaesth 2008;18:36-42 (PMID 18095964)".into(),
            confidence: "A: E0 5, fractional Emax 0.939 (BSV CV 24%), EC50 0.56 mg/L (BSV CV 136%), Hill 3.71, t½keo 11 s read in the abstract".into(),
            estimated_with: Some("herd-2007".into()),
            pk_note: "Herd & Anderson 2007 two-compartment PK (children 1–14 y), built in as herd-2007".into(),
            assumptions: Vec::new(),
        },
    }
}

/// Olofsen 2012: change in pain intensity (VAS, cm) from S-ketamine and S-norketamine,
/// a linear additive model in which the metabolite works against the parent.
fn olofsen_2012() -> Endpoint {
    Endpoint {
        name: "pain intensity".into(),
        unit: "cm VAS change".into(),
        response: Response {
            baseline: 0.0,
            scale: Scale::Absolute,
            // −3.8 cm at Ce(S-ketamine) 100 ng/mL, +1.5 cm at Ce(S-norketamine) 50 ng/mL.
            parent: Term::Linear {
                slope_per_ng_ml: -3.8 / 100.0,
            },
            metabolite: Some(Term::Linear {
                slope_per_ng_ml: 1.5 / 50.0,
            }),
        },
        ke0_per_h: ke0_of_half_time_h(11.8 / MIN_PER_H),
        threshold: None,
        variability: None,
        provenance: Provenance {
            id: Some("olofsen-2012".into()),
            citation: "Olofsen E, Noppers I, Niesters M, Kharasch E, Aarts L, Sarton E, Dahan A. Estimation of the contribution of norketamine to ketamine-induced acute pain relief and neurocognitive impairment in healthy volunteers. Anesthesiology 2012;117:353-64".into(),
            confidence: "A for −3.8 cm at 100 ng/mL, +1.5 cm at 50 ng/mL and t½ke0 11.8 min (abstract); C for the slopes derived from them".into(),
            estimated_with: None,
            pk_note: "the study's own S-ketamine + S-norketamine PK (arterial; not built in): run it on an S-ketamine model with a metabolite, e.g. fanta-2015".into(),
            assumptions: vec![
                "slopes −0.038 cm and +0.030 cm per ng/mL assume each contribution is proportional to its effect-site concentration (derived from the two published points)".into(),
                "one t½ke0 (11.8 min, pain intensity) for both the S-ketamine and the S-norketamine effect site".into(),
                "baseline 0: the effect is the change from the pre-drug pain score".into(),
            ],
        },
    }
}

/// Olofsen 2022: S-ketamine antinociception (pain pressure threshold); C50 and t½ke0
/// published, the shape of the curve not read.
fn olofsen_2022() -> Endpoint {
    Endpoint {
        name: "antinociception".into(),
        unit: "0–1 of maximum".into(),
        response: Response {
            baseline: 0.0,
            scale: Scale::Absolute,
            // C50 0.51 nmol/mL × 237.7 g/mol = 121 ng/mL.
            parent: Term::Emax {
                emax: 1.0,
                ec50_ng_ml: 0.51 * 237.7,
                hill: 1.0,
            },
            metabolite: None,
        },
        ke0_per_h: ke0_of_half_time_h(8.3 / MIN_PER_H),
        threshold: None,
        variability: None,
        provenance: Provenance {
            id: Some("olofsen-2022".into()),
            citation: "Olofsen E, Kamp J, Henthorn TK, et al. Ketamine psychedelic and antinociceptive effects are connected. Anesthesiology 2022;136:792-801 (doi:10.1097/ALN.0000000000004176)".into(),
            confidence: "A for C50 0.51 nmol/mL and t½ke0 8.3 min (abstract); B for the conversion to 121 ng/mL (237.7 g/mol)".into(),
            estimated_with: None,
            pk_note: "the study's own stereoselective PK (not built in); fanta-2015 or kamp-2020 are the nearest built-in models".into(),
            assumptions: vec![
                "Emax 1 on a 0–1 scale (fraction of maximal antinociception): not read".into(),
                "Hill coefficient 1: not read".into(),
                "baseline 0: not read".into(),
            ],
        },
    }
}

/// Dahan 2011: relief of CRPS-1 pain during and after a 100-h S-ketamine infusion, with
/// an onset/offset half-time of days, modelled as a slow effect compartment.
fn dahan_2011() -> Endpoint {
    Endpoint {
        name: "CRPS relief".into(),
        unit: "0–1 of maximum".into(),
        response: Response {
            baseline: 0.0,
            scale: Scale::Absolute,
            parent: Term::Emax {
                emax: 1.0,
                ec50_ng_ml: 10.5,
                hill: 1.0,
            },
            metabolite: None,
        },
        // t½ for onset/offset 10.9 ± 4.0 days.
        ke0_per_h: ke0_of_half_time_h(10.9 * 24.0),
        threshold: None,
        variability: None,
        provenance: Provenance {
            id: Some("dahan-2011".into()),
            citation: "Dahan A, Olofsen E, Sigtermans M, et al. Population pharmacokinetic-pharmacodynamic modeling of ketamine-induced pain relief of chronic pain. Eur J Pain 2011;15:258-67 (doi:10.1016/j.ejpain.2010.06.016)".into(),
            confidence: "A for C50 10.5 ng/mL and the onset/offset t½ 10.9 days (abstract); the model's structure beyond them was not read".into(),
            estimated_with: None,
            pk_note: "the study's own S-ketamine PK in CRPS-1 patients (not built in); fanta-2015 is the nearest built-in S-ketamine model".into(),
            assumptions: vec![
                "Emax 1 on a 0–1 scale (fraction of the responders' maximal relief; 67% of patients responded): not read".into(),
                "Hill coefficient 1: not read".into(),
                "the onset/offset half-time as the t½ke0 of an effect compartment driven by plasma S-ketamine".into(),
            ],
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn every_id_resolves_and_names_its_source() {
        for id in IDS {
            let e = get(id).unwrap();
            assert_eq!(e.provenance.id.as_deref(), Some(id));
            assert!(
                e.provenance.citation.contains(&id[id.len() - 4..]),
                "{id}: the year"
            );
        }
        assert!(get("nope").is_none());
    }

    #[test]
    fn half_times_are_the_published_ones() {
        assert_relative_eq!(
            get("herd-2008").unwrap().t_half_ke0_h() * 3600.0,
            11.0,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            get("olofsen-2022").unwrap().t_half_ke0_h() * 60.0,
            8.3,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            get("dahan-2011").unwrap().t_half_ke0_h() / 24.0,
            10.9,
            max_relative = 1e-12
        );
    }

    #[test]
    fn only_herd_2008_is_complete() {
        for e in all() {
            let complete = e.provenance.assumptions.is_empty();
            assert_eq!(complete, e.provenance.id.as_deref() == Some("herd-2008"));
        }
    }
}
