//! Routes of administration and their defaults: bioavailability F, absorption, lag time
//! and presystemic (first-pass) metabolite formation.
//!
//! Defaults, citations and confidence tags are listed in docs/sources.md §Routes.
//! Absorption rate constants are tag D: chosen so that the default adult model
//! (`kamp-2020`) puts Tmax near the published value for the route; in the Kamp 3-cmt
//! model ka of 0.5 / 1 / 1.5 / 2 / 3 /h gives Tmax of 65 / 30 / 19 / 14 / 11 min. Every default can be overridden per model, per scenario and per dose.

use std::fmt;

/// A route of administration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Route {
    /// Intravenous bolus or infusion.
    Iv,
    /// Intramuscular injection.
    Intramuscular,
    /// Nasal spray.
    Intranasal,
    /// Under the tongue (wafer, tablet, thin film).
    Sublingual,
    /// Swallowed (tablet, solution).
    Oral,
    /// Suppository.
    Rectal,
    /// Cream, gel or patch on the skin.
    Topical,
}

impl Route {
    /// Every route, in the order they are listed to people.
    pub const ALL: [Route; 7] = [
        Route::Iv,
        Route::Intramuscular,
        Route::Intranasal,
        Route::Sublingual,
        Route::Oral,
        Route::Rectal,
        Route::Topical,
    ];

    /// The route's name as written in scenario files.
    pub fn id(self) -> &'static str {
        match self {
            Route::Iv => "iv",
            Route::Intramuscular => "intramuscular",
            Route::Intranasal => "intranasal",
            Route::Sublingual => "sublingual",
            Route::Oral => "oral",
            Route::Rectal => "rectal",
            Route::Topical => "topical",
        }
    }

    /// Other spellings read as this route (the usual abbreviations), listed by
    /// `ketasim routes`. Case does not matter.
    pub fn aliases(self) -> &'static [&'static str] {
        match self {
            Route::Iv => &["intravenous"],
            Route::Intramuscular => &["im"],
            Route::Intranasal => &["in", "nasal"],
            Route::Sublingual => &["sl"],
            Route::Oral => &["po"],
            Route::Rectal => &["pr"],
            Route::Topical => &["transdermal"],
        }
    }

    /// Read a route name: an id above or one of its [`Route::aliases`].
    pub fn parse(s: &str) -> Option<Route> {
        let s = s.to_ascii_lowercase();
        Route::ALL
            .into_iter()
            .find(|r| r.id() == s || r.aliases().contains(&s.as_str()))
    }

    /// The published defaults for this route.
    pub fn defaults(self) -> RouteDefaults {
        defaults(self)
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How a dose reaches the central compartment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Absorption {
    /// Straight into the central compartment (IV).
    Direct,
    /// Through a depot emptying at rate ka (1/h).
    FirstOrder {
        /// Absorption rate constant (1/h); absorption half-life is ln 2 / ka.
        ka_per_h: f64,
    },
    /// Zero-order input over a fixed time (a patch or cream worn for `duration_h`).
    ZeroOrder {
        /// Wear time (h).
        duration_h: f64,
    },
}

/// The settings a dose by a route is given with.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RouteSettings {
    /// Systemic bioavailability F (fraction of the dose reaching the circulation as parent drug).
    pub bioavailability: f64,
    /// How the absorbed drug enters.
    pub absorption: Absorption,
    /// Lag time before absorption starts (h).
    pub lag_h: f64,
    /// Fraction of the dose converted to metabolite before reaching the circulation
    /// (first-pass formation); used only by models with a metabolite.
    pub presystemic_fraction: f64,
    /// The share of the dose that is swallowed and absorbed as an oral dose (a nasal
    /// spray's run-off), if any. F above then covers only the rest (the nasal mucosa).
    pub swallowed: Option<Swallowed>,
}

/// The swallowed part of a dose: its share of the dose and the oral route's settings
/// for the model it is given on (F, ka and first-pass metabolite of a swallowed dose).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Swallowed {
    /// Fraction of the dose swallowed.
    pub fraction: f64,
    /// Oral bioavailability of the swallowed share.
    pub bioavailability: f64,
    /// How the swallowed share is absorbed (the oral route's absorption).
    pub absorption: Absorption,
    /// Share of the swallowed amount that reaches the circulation as metabolite.
    pub presystemic_fraction: f64,
}

impl Swallowed {
    /// The swallowed `fraction` of a dose, absorbed with `oral` settings.
    pub fn with_oral(fraction: f64, oral: &RouteSettings) -> Swallowed {
        Swallowed {
            fraction,
            bioavailability: oral.bioavailability,
            absorption: oral.absorption,
            presystemic_fraction: oral.presystemic_fraction,
        }
    }

    /// The settings the swallowed share is given with (an oral dose's).
    pub fn settings(&self) -> RouteSettings {
        RouteSettings {
            bioavailability: self.bioavailability,
            absorption: self.absorption,
            lag_h: 0.0,
            presystemic_fraction: self.presystemic_fraction,
            swallowed: None,
        }
    }
}

/// Optional replacements for a route's settings, from a model, a scenario or a dose.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct RouteOverride {
    /// Bioavailability F.
    pub bioavailability: Option<f64>,
    /// First-order absorption rate (1/h).
    pub ka_per_h: Option<f64>,
    /// Lag time (h).
    pub lag_h: Option<f64>,
    /// Presystemic metabolite fraction.
    pub presystemic_fraction: Option<f64>,
    /// Zero-order input time (h), for topical wear time.
    pub duration_h: Option<f64>,
    /// Swallowed fraction of the dose (intranasal only; other routes swallow nothing).
    /// Without it, a bioavailability given for intranasal leaves the rest swallowed.
    pub swallowed_fraction: Option<f64>,
}

impl RouteSettings {
    /// These settings with `o`'s values where it has them. A ka replaces first-order
    /// absorption; a duration replaces zero-order absorption; neither turns IV into an
    /// absorbed route (scenario validation rejects that combination before it gets here).
    pub fn with(mut self, o: &RouteOverride) -> RouteSettings {
        self.bioavailability = o.bioavailability.unwrap_or(self.bioavailability);
        self.lag_h = o.lag_h.unwrap_or(self.lag_h);
        self.presystemic_fraction = o.presystemic_fraction.unwrap_or(self.presystemic_fraction);
        if let Some(sw) = &mut self.swallowed {
            // A nasal F given without a swallowed share: the rest of the dose is swallowed.
            let rest = o.bioavailability.map(|f| 1.0 - f);
            sw.fraction = o.swallowed_fraction.or(rest).unwrap_or(sw.fraction);
        }
        match (&mut self.absorption, o.ka_per_h, o.duration_h) {
            (Absorption::FirstOrder { ka_per_h }, Some(ka), _) => *ka_per_h = ka,
            (Absorption::ZeroOrder { duration_h }, _, Some(d)) => *duration_h = d,
            _ => {}
        }
        self
    }
}

/// A route's default settings with their sources.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RouteDefaults {
    /// The route.
    pub route: Route,
    /// The default settings.
    pub settings: RouteSettings,
    /// Where F comes from, with its confidence tag.
    pub f_source: &'static str,
    /// Where the absorption rate and lag come from, with the Tmax they aim at.
    pub absorption_source: &'static str,
    /// True when the numbers are an assumption rather than a measurement (topical).
    pub assumption: bool,
}

const fn first_order(
    bioavailability: f64,
    ka_per_h: f64,
    presystemic_fraction: f64,
) -> RouteSettings {
    RouteSettings {
        bioavailability,
        absorption: Absorption::FirstOrder { ka_per_h },
        lag_h: 0.0,
        presystemic_fraction,
        swallowed: None,
    }
}

/// Intranasal: the fraction of a spray absorbed through the nasal mucosa (tag D, fitted:
/// docs/sources.md §Intranasal; `cargo run --release --example fit_intranasal` prints the
/// fit: 7 arms of 3 studies on kamp-2020, herd-2007 and fanta-2015, Tmax held within the
/// published 8.5–23 min). The rest of the spray is swallowed. With the oral F of 0.23 the
/// total F is 0.28 + 0.72 × 0.23 = 0.45, Yanagihara 2003's measured value (A).
pub const NASAL_FRACTION: f64 = 0.28;
/// Intranasal: mucosal absorption rate constant (1/h), fitted with [`NASAL_FRACTION`].
pub const NASAL_KA_PER_H: f64 = 4.5;

/// The default settings of `route`.
///
/// ## Reference
/// docs/sources.md §Routes: route data, chosen F and calibrated ka.
pub fn defaults(route: Route) -> RouteDefaults {
    let (settings, f_source, absorption_source, assumption) = match route {
        Route::Iv => (
            RouteSettings { bioavailability: 1.0, absorption: Absorption::Direct, lag_h: 0.0, presystemic_fraction: 0.0, swallowed: None },
            "F = 1 by definition",
            "given straight into the central compartment",
            false,
        ),
        Route::Intramuscular => (
            first_order(0.93, 2.0, 0.0),
            "F 0.93: Clements, Nimmo & Grant, J Pharm Sci 1982;71:539, doi:10.1002/jps.2600710516 (B: seen in secondary pages only)",
            "ka 2.0 /h (D): Tmax ≈ 14 min on kamp-2020, within the published 5–20 min (secondary summaries, B)",
            false,
        ),
        Route::Intranasal => (
            RouteSettings {
                swallowed: Some(Swallowed::with_oral(
                    1.0 - NASAL_FRACTION,
                    &defaults(Route::Oral).settings,
                )),
                ..first_order(NASAL_FRACTION, NASAL_KA_PER_H, 0.0)
            },
            "two pathways: nasal fraction 0.28 absorbed by the mucosa, swallowed fraction 0.72 given as an oral dose of the model (its F and first pass). Fitted (D) to 7 arms of Pharmacotherapy 2022, Malinovsky 1996 and Huge 2010 on kamp-2020, herd-2007 and fanta-2015; Weber 2004 and Nielsen 2014 held out (docs/sources.md §Intranasal). Total F on kamp-2020 0.45 = Yanagihara 2003 (A)",
            "nasal ka 4.5 /h (D, fitted with the fraction): Tmax 9.5 min on kamp-2020, 11.5 on herd-2007 (20 kg), 22.5 on fanta-2015; published 8.5–23 min",
            false,
        ),
        Route::Sublingual => (
            first_order(0.30, 0.9, 0.0),
            "F 0.30: Rolan et al., Br J Clin Pharmacol 2014;77:1011, doi:10.1111/bcp.12264 (A, 0.29) and Yanagihara 2003 (A, ~0.30); Chong 2006 0.32 ± 0.17",
            "ka 0.9 /h (D): calibrated on kamp-2020 to Chong 2006 (25 mg: Cmax 28.6 ng/mL at 0.76 h, A) — gives 21.4 ng/mL at 35 min (ratios 0.75 and 0.77)",
            false,
        ),
        Route::Oral => (
            first_order(0.23, 0.9, 0.36),
            "F 0.23: Chong et al., Pain Med 2006;7:469 (A, 0.23 ± 0.09; published range 0.08–0.23, 0.20 in Yanagihara 2003) — chosen because Chong is also the Cmax/Tmax calibration target. First-pass norketamine 0.36 of the dose (D: 0.59 parent + metabolite in Chong 2006, minus F)",
            "ka 0.9 /h (D): calibrated on kamp-2020 to Chong 2006 (25 mg: Cmax 22.8 ± 12.8 ng/mL at 0.96 ± 0.8 h, A) — gives 16.4 ng/mL at 35 min (ratios 0.72 and 0.61); no ka reproduces both with an AUC-based F",
            false,
        ),
        Route::Rectal => (
            first_order(0.30, 1.1, 0.0),
            "F 0.30: Yanagihara 2003 (A, 50 mg suppository); 0.25 in children (Malinovsky 1996, doi:10.1093/bja/77.2.203, A)",
            "ka 1.1 /h (D): calibrated on herd-2007 (20 kg) to Malinovsky 1996 (9 mg/kg in children: Cmax 632 ng/mL at ~42 min, A) — gives 528 ng/mL at 42 min; Tmax ≈ 28 min on kamp-2020",
            false,
        ),
        Route::Topical => (
            RouteSettings {
                bioavailability: 0.02,
                absorption: Absorption::ZeroOrder { duration_h: 24.0 },
                lag_h: 0.0,
                presystemic_fraction: 0.0,
                swallowed: None,
            },
            "ASSUMPTION: F 0.02. No human systemic PK is published: a 10% cream gave plasma levels below detection (Finch 2009, doi:10.1016/j.pain.2009.05.017)",
            "ASSUMPTION: zero-order input over 24 h, the wear time of the 25 mg/24 h patch of Azevedo 2000 (Anesth Analg 91:1479)",
            true,
        ),
    };
    RouteDefaults {
        route,
        settings,
        f_source,
        absorption_source,
        assumption,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_parses_from_its_id() {
        for r in Route::ALL {
            assert_eq!(Route::parse(r.id()), Some(r));
        }
        assert_eq!(Route::parse("PO"), Some(Route::Oral));
        assert_eq!(Route::parse("nose"), None);
    }

    #[test]
    fn every_alias_parses_to_its_route_and_no_two_routes_share_one() {
        for r in Route::ALL {
            for a in r.aliases() {
                assert_eq!(Route::parse(a), Some(r), "{a}");
            }
        }
        let all: Vec<&str> = Route::ALL
            .iter()
            .flat_map(|r| r.aliases())
            .copied()
            .collect();
        let mut unique = all.clone();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
    }

    #[test]
    fn defaults_are_physical() {
        for r in Route::ALL {
            let s = defaults(r).settings;
            assert!(s.bioavailability > 0.0 && s.bioavailability <= 1.0, "{r}");
            assert!(s.bioavailability + s.presystemic_fraction <= 1.0, "{r}");
            let swallowed = s.swallowed.map_or(0.0, |sw| sw.fraction);
            assert!(s.bioavailability + swallowed <= 1.0 + 1e-12, "{r}");
        }
        assert!(defaults(Route::Topical).assumption);
        assert!(defaults(Route::Intranasal).settings.swallowed.is_some());
    }

    #[test]
    fn a_nasal_f_without_a_swallowed_share_swallows_the_rest() {
        let nasal = defaults(Route::Intranasal).settings;
        let given = |o: RouteOverride| nasal.with(&o).swallowed.map(|sw| sw.fraction);
        let f = RouteOverride {
            bioavailability: Some(0.4),
            ..Default::default()
        };
        assert_eq!(given(f), Some(1.0 - 0.4));
        let both = RouteOverride {
            swallowed_fraction: Some(0.0),
            ..f
        };
        assert_eq!(given(both), Some(0.0));
    }

    #[test]
    fn overrides_replace_only_what_they_name() {
        let s = defaults(Route::Oral).settings.with(&RouteOverride {
            ka_per_h: Some(2.0),
            ..Default::default()
        });
        assert_eq!(s.absorption, Absorption::FirstOrder { ka_per_h: 2.0 });
        assert_eq!(
            s.bioavailability.to_bits(),
            defaults(Route::Oral).settings.bioavailability.to_bits()
        );
        let iv = defaults(Route::Iv).settings.with(&RouteOverride {
            ka_per_h: Some(2.0),
            ..Default::default()
        });
        assert_eq!(iv.absorption, Absorption::Direct);
    }
}
