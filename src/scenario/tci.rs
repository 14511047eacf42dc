//! `targets` and `pump` of a schedule → [`Tci`]: concentrations, times and pump limits
//! read with their units and checked, each error at the offending value.

use super::checked::{duration, read, time_point};
use super::schema::{PumpTable, TargetTable, Text};
use crate::error::{Locator, Result};
use crate::model::ModelSpec;
use crate::targets::{Pump, Site, Target, Tci};
use crate::units::{self, fmt_num};
use toml::Spanned;

/// Highest target accepted (mg/L): 100 µg/mL is some 50 times an anaesthetic ketamine
/// concentration, so more is a unit slip (ng/mL written as µg/mL).
const MAX_TARGET_MG_L: f64 = 100.0;
/// Update intervals accepted (h): 1 s to 10 min.
const UPDATE_RANGE_H: (f64, f64) = (1.0 / 3600.0, 10.0 / 60.0);
/// Most update intervals per schedule (a 10 s pump over 11 days).
const MAX_UPDATES: f64 = 100_000.0;

/// Read `targets` and `pump` for a schedule on `model` at `weight_kg`, simulated for
/// `duration_h`.
pub(super) fn read_tci(
    at: &Locator,
    targets: &Spanned<Vec<Spanned<TargetTable>>>,
    pump: Option<&Spanned<PumpTable>>,
    model: &ModelSpec,
    weight_kg: f64,
    duration_h: f64,
) -> Result<Tci> {
    if targets.get_ref().is_empty() {
        return Err(at.expected(
            targets.span().start,
            "an empty list of targets",
            "at least one { at = \"0 min\", plasma = \"1 µg/mL\" }",
        ));
    }
    let has_effect = model.individual(weight_kg).network().effect.is_some();
    let mut out: Vec<Target> = Vec::new();
    for t in targets.get_ref() {
        let target = read_target(at, t, has_effect)?;
        if target.at_h >= duration_h {
            return Err(at.expected(
                t.get_ref().at.span().start,
                format!("a target at {:?}", t.get_ref().at.get_ref()),
                "a time within the simulated window",
            ));
        }
        if let Some(last) = out.last() {
            if target.at_h <= last.at_h {
                return Err(at.expected(
                    t.get_ref().at.span().start,
                    format!(
                        "a target at {:?}, not after the one before",
                        t.get_ref().at.get_ref()
                    ),
                    "targets in increasing time order",
                ));
            }
        }
        out.push(target);
    }
    let pump = match pump {
        Some(p) => read_pump(at, p)?,
        None => Pump::default(),
    };
    let updates = (duration_h - out[0].at_h) / pump.update_every_h;
    if updates > MAX_UPDATES {
        return Err(at.expected(
            targets.span().start,
            format!(
                "{} pump updates in the simulated window",
                fmt_num(updates.ceil())
            ),
            format!(
                "at most {} (a longer update_every or a shorter window)",
                fmt_num(MAX_UPDATES)
            ),
        ));
    }
    Ok(Tci { targets: out, pump })
}

fn read_target(at: &Locator, t: &Spanned<TargetTable>, has_effect: bool) -> Result<Target> {
    let table = t.get_ref();
    let at_h = time_point(at, &table.at, "target time")?;
    let (site, text) = match (&table.plasma, &table.effect) {
        (Some(p), None) => (Site::Plasma, p),
        (None, Some(e)) => (Site::Effect, e),
        _ => {
            return Err(at.expected(
                t.span().start,
                "a target with neither or both of plasma and effect",
                "exactly one: plasma = \"1 µg/mL\" or effect = \"1 µg/mL\"",
            ))
        }
    };
    if site == Site::Effect && !has_effect {
        return Err(at.expected(
            text.span().start,
            "an effect-site target on a model without an effect site",
            "plasma targets, or a model with a ke0",
        ));
    }
    let mg_l = read(at, text, units::parse_concentration_ng_ml)? / 1000.0;
    if mg_l > MAX_TARGET_MG_L {
        return Err(at.expected(
            text.span().start,
            format!("target {:?}", text.get_ref()),
            format!("at most {} µg/mL", fmt_num(MAX_TARGET_MG_L)),
        ));
    }
    Ok(Target { at_h, site, mg_l })
}

fn read_pump(at: &Locator, p: &Spanned<PumpTable>) -> Result<Pump> {
    let table = p.get_ref();
    let mut pump = Pump::default();
    if let Some(s) = &table.syringe {
        pump.syringe_mg_ml = per_unit(
            at,
            s,
            &[("mg/mL", 1.0), ("mg/ml", 1.0)],
            "syringe concentration in mg/mL, e.g. \"10 mg/mL\"",
        )?;
    }
    let max_ml_h = match &table.max_rate {
        Some(s) => per_unit(
            at,
            s,
            &[
                ("mL/h", 1.0),
                ("ml/h", 1.0),
                ("mL/min", 60.0),
                ("ml/min", 60.0),
            ],
            "a pump rate in mL/h or mL/min, e.g. \"1200 mL/h\"",
        )?,
        None => Pump::default().max_rate_mg_h / Pump::default().syringe_mg_ml,
    };
    pump.max_rate_mg_h = max_ml_h * pump.syringe_mg_ml;
    if let Some(s) = &table.update_every {
        let h = duration(at, s, "update_every")?;
        if h < UPDATE_RANGE_H.0 || h > UPDATE_RANGE_H.1 {
            return Err(at.expected(
                s.span().start,
                format!("update_every {:?}", s.get_ref()),
                "from 1 s to 10 min",
            ));
        }
        pump.update_every_h = h;
    }
    Ok(pump)
}

/// A positive number followed by one of `units` (with its factor).
fn per_unit(at: &Locator, s: &Text, units: &[(&str, f64)], expected: &str) -> Result<f64> {
    let text = s.get_ref().trim();
    let found = units.iter().find_map(|(u, f)| {
        let num = text.strip_suffix(u)?.trim();
        num.parse::<f64>().ok().map(|v| v * f)
    });
    match found {
        Some(v) if v.is_finite() && v > 0.0 && v < 1e6 => Ok(v),
        _ => Err(at.expected(s.span().start, format!("{:?}", s.get_ref()), expected)),
    }
}
