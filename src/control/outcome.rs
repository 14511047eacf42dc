//! How a TCI schedule went, target by target: when the concentration came within 5% of
//! the target, and the plasma peak while the target was in force.

use super::plan::PumpPlan;
use crate::simulate::Trajectory;
use crate::targets::{Site, Target, Tci};

/// "Reached" means within this fraction of the target (issue 13: within 5%).
pub const REACHED_WITHIN: f64 = 0.05;

/// One target's outcome.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetOutcome {
    /// The target.
    pub target: Target,
    /// Time from the target's start until the targeted concentration is within
    /// [`REACHED_WITHIN`] of it (h); `None` if it never is while the target holds.
    pub reached_after_h: Option<f64>,
    /// Highest plasma concentration while the target is in force (ng/mL).
    pub plasma_peak_ng_ml: f64,
}

/// The pump and what it achieved.
#[derive(Debug, Clone, PartialEq)]
pub struct TciResult {
    /// The pump's rates.
    pub plan: PumpPlan,
    /// Each target's outcome, in time order.
    pub targets: Vec<TargetOutcome>,
    /// Everything given: the pump and the doses by hand (mg).
    pub total_dose_mg: f64,
}

/// The outcome of each target of `tci` on `course` (the typical patient).
pub fn outcomes(tci: &Tci, course: &Trajectory) -> Vec<TargetOutcome> {
    let times = &course.time_h;
    tci.targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let until = tci.targets.get(i + 1).map_or(f64::INFINITY, |n| n.at_h);
            let in_force = (0..times.len()).filter(|&k| times[k] >= t.at_h && times[k] < until);
            let site = match t.site {
                Site::Plasma => Some(&course.plasma_ng_ml),
                Site::Effect => course.effect_ng_ml.as_ref(),
            };
            let target_ng_ml = t.mg_l * 1000.0;
            let reached_after_h = site.and_then(|c| {
                in_force
                    .clone()
                    .find(|&k| (c[k] - target_ng_ml).abs() <= REACHED_WITHIN * target_ng_ml)
                    .map(|k| times[k] - t.at_h)
            });
            let plasma_peak_ng_ml = in_force.map(|k| course.plasma_ng_ml[k]).fold(0.0, f64::max);
            TargetOutcome {
                target: *t,
                reached_after_h,
                plasma_peak_ng_ml,
            }
        })
        .collect()
}

/// The plasma target in force at each of `times_h` (ng/mL), NaN where none is (before the
/// first target, under an effect-site target, or in a target's first update interval,
/// which no pump can land before its end): what a population is scored against.
pub fn plasma_target_on(tci: &Tci, times_h: &[f64]) -> Vec<f64> {
    let first_update = tci.pump.update_every_h * (1.0 - 1e-9);
    times_h
        .iter()
        .map(|&t| {
            let i = tci.targets.partition_point(|x| x.at_h <= t);
            match i.checked_sub(1).map(|k| tci.targets[k]) {
                Some(x) if x.site == Site::Plasma && t >= x.at_h + first_update => x.mg_l * 1000.0,
                _ => f64::NAN,
            }
        })
        .collect()
}

/// The effect-site target in force at each of `times_h` (ng/mL), NaN where none is:
/// before the first target, under a plasma target, and before the typical patient's
/// effect site has come within [`REACHED_WITHIN`] of it (`outcomes`, from [`outcomes`]),
/// since the effect site lags the pump by minutes by design (Shafer & Gregg 1992). A
/// target the typical patient never reaches is not scored.
pub fn effect_target_on(tci: &Tci, outcomes: &[TargetOutcome], times_h: &[f64]) -> Vec<f64> {
    times_h
        .iter()
        .map(|&t| {
            let i = tci.targets.partition_point(|x| x.at_h <= t);
            let Some(k) = i.checked_sub(1) else {
                return f64::NAN;
            };
            let (x, reached) = (
                tci.targets[k],
                outcomes.get(k).and_then(|o| o.reached_after_h),
            );
            match reached {
                Some(after) if x.site == Site::Effect && t >= x.at_h + after => x.mg_l * 1000.0,
                _ => f64::NAN,
            }
        })
        .collect()
}
