//! Published intranasal studies (docs/sources.md §Intranasal), each simulated on its own
//! population's model: children on `herd-2007`, S-ketamine on `fanta-2015`, racemic
//! adults on `kamp-2020`. The intranasal default ([`crate::route::NASAL_FRACTION`],
//! [`crate::route::NASAL_KA_PER_H`]) was fitted to the [`Calibration::Fit`] arms only
//! (`cargo run --release --example fit_intranasal`); the [`Calibration::HeldOut`] arms
//! check it.

use super::{Calibration, Observed, Quantity, Target, Tolerance};
use crate::dosing::Dose;
use crate::model::library;
use crate::route::{Route, RouteOverride};

/// Tmax within ±50%, Cmax within ×1.5 (the route criterion of docs/sources.md §Routes):
/// these studies report CVs of 30–60% for Cmax and 30–70% for Tmax.
const TMAX: Tolerance = Tolerance::Relative(0.5);
const CMAX: Tolerance = Tolerance::Factor(1.5);
const WHY: &str = "route criterion: Tmax ±50%, Cmax ×1.5; the studies' CVs are 30–70%";

/// One dose arm of one study.
#[derive(Debug, Clone, Copy)]
pub struct NasalArm {
    /// Target ids: Cmax, Tmax.
    pub ids: [&'static str; 2],
    /// What was observed, in words: Cmax, Tmax.
    pub observations: [&'static str; 2],
    /// Citation with confidence tag.
    pub source: &'static str,
    /// The population model it is simulated on.
    pub model: &'static str,
    /// Patient weight (kg): the study's mean, or stated as assumed.
    pub weight_kg: f64,
    /// Dose (mg).
    pub dose_mg: f64,
    /// Cmax (ng/mL), with SD when reported.
    pub cmax_ng_ml: (f64, Option<f64>),
    /// Tmax (min), with SD when reported.
    pub tmax_min: (f64, Option<f64>),
    /// Used to fit the default, or held out of the fit.
    pub calibration: Calibration,
}

const PHARMACOTHERAPY_2022: &str = "Pharmacotherapy 2022;42:298, doi:10.1002/phar.2669, Table 6 (racemic, adults, geometric means; 70 kg assumed) — A";
const MALINOVSKY_1996: &str = "Malinovsky JM et al. Br J Anaesth 1996;77:203, doi:10.1093/bja/77.2.203 (racemic, children 2–9 y, 10–30 kg, under halothane; 20 kg assumed) — A";
const WEBER_2004: &str = "Weber F et al. Paediatr Anaesth 2004;14:983, doi:10.1111/j.1460-9592.2004.01358.x (S-ketamine, children 1–7 y, 11–25 kg; 18 kg assumed) — A";
const HUGE_2010: &str = "Huge V et al. Eur J Pain 2010;14:387, doi:10.1016/j.ejpain.2009.08.002 (S-ketamine, adults with neuropathic pain; 70 kg assumed) — A (abstract)";
const NIELSEN_2014: &str = "Nielsen BN et al. Paediatr Anaesth 2014;24:170, doi:10.1111/pan.12268 (ketamine with sufentanil, children, mean 35.2 kg; racemic assumed, D) — A (abstract)";

/// Every arm, fitted ones first.
pub fn arms() -> Vec<NasalArm> {
    use Calibration::{Fit, HeldOut};
    let arm =
        |ids, observations, source, model, weight_kg, dose_mg, cmax, tmax, calibration| NasalArm {
            ids,
            observations,
            source,
            model,
            weight_kg,
            dose_mg,
            cmax_ng_ml: cmax,
            tmax_min: tmax,
            calibration,
        };
    #[rustfmt::skip]
    let all = vec![
        arm(["in-10mg-cmax", "in-10mg-tmax"], ["intranasal 10 mg, adults: Cmax 22.9 ng/mL (fit)", "intranasal 10 mg, adults: Tmax 23 min (fit)"],
            PHARMACOTHERAPY_2022, "kamp-2020", 70.0, 10.0, (22.9, None), (23.0, None), Fit),
        arm(["in-30mg-cmax", "in-30mg-tmax"], ["intranasal 30 mg, adults: Cmax 60.8 ng/mL (fit)", "intranasal 30 mg, adults: Tmax 14 min (fit)"],
            PHARMACOTHERAPY_2022, "kamp-2020", 70.0, 30.0, (60.8, None), (14.0, None), Fit),
        arm(["in-50mg-cmax", "in-50mg-tmax"], ["intranasal 50 mg, adults: Cmax 77.6 ng/mL (fit)", "intranasal 50 mg, adults: Tmax 16 min (fit)"],
            PHARMACOTHERAPY_2022, "kamp-2020", 70.0, 50.0, (77.6, None), (16.0, None), Fit),
        arm(["in-malinovsky-3-cmax", "in-malinovsky-3-tmax"], ["intranasal 3 mg/kg, children: Cmax 496 ng/mL (fit)", "intranasal 3 mg/kg, children: Tmax ~20 min (fit)"],
            MALINOVSKY_1996, "herd-2007", 20.0, 60.0, (496.0, None), (20.0, None), Fit),
        arm(["in-malinovsky-9-cmax", "in-malinovsky-9-tmax"], ["intranasal 9 mg/kg, children: Cmax 2104 ng/mL (fit)", "intranasal 9 mg/kg, children: Tmax ~21 min (fit)"],
            MALINOVSKY_1996, "herd-2007", 20.0, 180.0, (2104.0, None), (21.0, None), Fit),
        arm(["in-huge-0.2-cmax", "in-huge-0.2-tmax"], ["S-ketamine intranasal 0.2 mg/kg, adults: Cmax 27.7 ± 5.9 ng/mL (fit)", "S-ketamine intranasal 0.2 mg/kg, adults: Tmax 10 ± 6.3 min (fit)"],
            HUGE_2010, "fanta-2015", 70.0, 14.0, (27.7, Some(5.9)), (10.0, Some(6.3)), Fit),
        arm(["in-huge-0.4-cmax", "in-huge-0.4-tmax"], ["S-ketamine intranasal 0.4 mg/kg, adults: Cmax 34.3 ± 22.2 ng/mL (fit)", "S-ketamine intranasal 0.4 mg/kg, adults: Tmax 13.8 ± 4.8 min (fit)"],
            HUGE_2010, "fanta-2015", 70.0, 28.0, (34.3, Some(22.2)), (13.8, Some(4.8)), Fit),
        arm(["in-weber-cmax", "in-weber-tmax"], ["S-ketamine intranasal 2 mg/kg, children: Cmax 355 ± 172 ng/mL (held out)", "S-ketamine intranasal 2 mg/kg, children: Tmax 18 ± 13 min (held out)"],
            WEBER_2004, "fanta-2015", 18.0, 36.0, (355.0, Some(172.0)), (18.0, Some(13.0)), HeldOut),
        arm(["in-nielsen-cmax", "in-nielsen-tmax"], ["intranasal 0.5 mg/kg, children: Cmax 102 ng/mL (held out)", "intranasal 0.5 mg/kg, children: Tmax 8.5 min (held out)"],
            NIELSEN_2014, "herd-2007", 35.2, 17.6, (102.0, None), (8.5, None), HeldOut),
    ];
    all
}

impl NasalArm {
    /// The arm's Cmax and Tmax targets, the dose given with the intranasal default and then
    /// `o` (an empty override for `validate`; trial values when fitting).
    pub fn targets(&self, o: &RouteOverride) -> [Target; 2] {
        let model = library::get(self.model).expect("intranasal studies use built-in models");
        let dose = Dose::new(&model, Route::Intranasal, self.dose_mg, &[o]);
        let value = |(value, sd): (f64, Option<f64>), unit: f64| Observed::Value {
            value: value * unit,
            sd: sd.map(|s| s * unit),
        };
        let cmax = Target {
            id: self.ids[0],
            observation: self.observations[0],
            source: self.source,
            model,
            weight_kg: self.weight_kg,
            doses: vec![dose],
            duration_h: 6.0,
            quantity: Quantity::Cmax,
            observed: value(self.cmax_ng_ml, 1.0),
            tolerance: CMAX,
            tolerance_why: WHY,
            known_miss: known_miss(self.ids[0]),
            calibration: Some(self.calibration),
        };
        let tmax = Target {
            id: self.ids[1],
            observation: self.observations[1],
            quantity: Quantity::Tmax,
            observed: value(self.tmax_min, 1.0 / 60.0),
            tolerance: TMAX,
            known_miss: known_miss(self.ids[1]),
            ..cmax.clone()
        };
        [cmax, tmax]
    }
}

const FANTA_TMAX: &str = "fanta-2015 peaks late after any absorbed dose (a large fast peripheral, Q2 157 L/h, V 98.8 L): the fit holds its Tmax at the top of the published 8.5–23 min range, later than this study's";

/// Why the default cannot reproduce an arm, for the arms it misses (checked by
/// `tests/literature.rs`: a stated miss must still miss).
fn known_miss(id: &str) -> Option<&'static str> {
    Some(match id {
        "in-10mg-tmax" => "this study's 10 mg arm peaks later (23 min) than its 30 and 50 mg arms (14, 16 min); one ka cannot give all three, and the fit holds Tmax within 8.5–23 min on every model",
        "in-50mg-cmax" => "Cmax per mg falls with dose in this study (2.3 → 1.6 ng/mL per mg, AUC-based F 0.17 → 0.11); a linear model gives one Cmax per mg",
        "in-malinovsky-9-cmax" => "Cmax per mg/kg rises from 3 to 9 mg/kg (165 → 234 ng/mL); the authors note the large volume was partly swallowed; a linear model gives one Cmax per mg",
        "in-huge-0.2-cmax" => "Cmax per mg halves from 0.2 to 0.4 mg/kg in this study (n = 8 per arm); a linear model gives one Cmax per mg, and the fit takes the middle",
        "in-huge-0.2-tmax" | "in-huge-0.4-tmax" => FANTA_TMAX,
        "in-weber-cmax" => "fanta-2015's peripheral volumes (187 and 98.8 L) are not weight-scaled in Otto 2021's code, so an 18 kg child is given adult peripherals and the peak is under-predicted about 3×",
        _ => return None,
    })
}

/// Every arm's targets with the intranasal default.
pub fn targets() -> Vec<Target> {
    arms()
        .iter()
        .flat_map(|a| a.targets(&RouteOverride::default()))
        .collect()
}
