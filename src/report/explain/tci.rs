//! `explain` for a TCI schedule: the pump, then per target the loading, the maintenance
//! rates and why they fall, or how long the pump stops when the target falls.

use super::numbers::{fmt_hours, fmt_num};
use crate::control::TciResult;
use crate::targets::Site;

/// The bullets of one TCI schedule.
pub fn bullets(t: &TciResult) -> Vec<String> {
    let p = &t.plan;
    let mut out = vec![format!(
        "Target-controlled infusion: the pump resets its rate every {} ({} mg/mL syringe), \
         computed on the model of the typical patient. Total given: {} mg.",
        fmt_hours(p.update_every_h),
        fmt_num(p.syringe_mg_ml),
        fmt_num(t.total_dose_mg)
    )];
    for (i, o) in t.targets.iter().enumerate() {
        let from = o.target.at_h;
        let until = t
            .targets
            .get(i + 1)
            .map_or(f64::INFINITY, |n| n.target.at_h);
        let rates: Vec<_> = p
            .changes
            .iter()
            .filter(|c| c.time_h >= from - 1e-12 && c.time_h < until - 1e-12)
            .collect();
        let (site, how) = match o.target.site {
            Site::Plasma => ("plasma", "lands the plasma on the target at the end of each update (Jacobs 1990)"),
            Site::Effect => ("effect-site", "gives the smallest loading whose effect-site peak is the target, without overshoot (Shafer & Gregg 1992); the plasma overshoots to drive it"),
        };
        let mut text = format!(
            "From {}: {site} target {} µg/mL. The pump {how}.",
            fmt_hours(from),
            fmt_num(o.target.mg_l)
        );
        let stopped = rates.iter().take_while(|c| c.mg_h <= 0.0).count();
        let Some(first_on) = rates.get(stopped) else {
            text += " The pump stays stopped.";
            out.push(text);
            continue;
        };
        if stopped > 0 {
            text += &format!(
                " The target is below the concentration, so the pump stops for {} while the \
                 body clears the excess.",
                fmt_hours(first_on.time_h - from)
            );
        }
        // The loading: the first rate and every update at that same rate (the pump's
        // maximum, when the loading needs more than it gives in one update).
        let loading = rates[stopped..]
            .iter()
            .take_while(|c| c.mg_h.to_bits() == first_on.mg_h.to_bits())
            .count();
        if stopped == 0 {
            text += &format!(
                " Loading: {} mg/h ({} mL/h) for {}.",
                fmt_num(first_on.mg_h),
                fmt_num(first_on.mg_h / p.syringe_mg_ml),
                fmt_hours(loading as f64 * p.update_every_h)
            );
        }
        let after: Vec<f64> = rates[stopped + loading..]
            .iter()
            .map(|c| c.mg_h)
            .filter(|r| *r > 0.0)
            .collect();
        if let (Some(a), Some(b)) = (after.first(), after.last()) {
            let why = if b < a {
                "falling: the peripheral compartments fill, so less drug leaves the plasma \
                 for them and the rate tends to target × CL"
            } else {
                "rising: the peripheral compartments, fuller than the new target needs, give \
                 back less and less drug, and the rate tends to target × CL"
            };
            text += &format!(
                " Then {} mg/h, {why}, {} mg/h at the end.",
                fmt_num(*a),
                fmt_num(*b)
            );
        }
        text += &match o.reached_after_h {
            Some(h) => format!(" Within 5% of the target after {}.", fmt_hours(h)),
            None => " Not within 5% of the target while it is set.".into(),
        };
        out.push(text);
    }
    out
}
