//! `[population]` as written → [`Population`]: sizes and seeds checked, spreads read as
//! CV, ω or ω², the model's published variability merged with the scenario's, the weight
//! distribution checked. Every error names the file, line and column.
//!
//! ```toml
//! [population]
//! size = 1000
//! seed = 2007
//!
//! [population.variability]        # merged over the model's published BSV, if any
//! clearance = "38%"               # a CV, ω² = ln(1 + CV²)
//! central_volume = { omega = 0.6 }
//! ka = { variance = 0.25 }        # ω², as NONMEM's $OMEGA
//! peripheral_volume = "0%"        # switch a published one off
//!
//! [population.weight]
//! distribution = "normal"         # or "uniform" (min and max only)
//! mean = "20 kg"
//! sd = "6 kg"
//! min = "10 kg"
//! max = "45 kg"
//! ```

use super::checked::{read, weight_kg};
use super::schema::{DoseTable, PopulationTable, ScenarioFile, Spread, Text, WeightTable};
use crate::dosing::PerKg;
use crate::error::{Locator, Result};
use crate::model::library;
use crate::model::variability::{omega_from_cv, Parameter, Variability};
use crate::model::ModelSpec;
use crate::population::covariates::WeightDistribution;
use crate::population::subject::Sampler;
use crate::population::Population;
use crate::units::{self, fmt_num};
use toml::Spanned;

/// Most subjects in one population.
const MAX_SUBJECTS: i64 = 1_000_000;
/// Largest ω accepted. A subject 1 SD from typical then differs e² = 7.4-fold; more is
/// almost certainly a slip (38 written for 38%).
const MAX_OMEGA: f64 = 2.0;
/// Seed when none is given.
const DEFAULT_SEED: u64 = 1;

/// The population of `file`, if it has one. Its memory does not grow with subjects ×
/// output points ([`crate::population::MAX_KEPT_VALUES`]), so only the size is bounded.
pub(super) fn from_file(
    at: &Locator,
    file: &ScenarioFile,
    model: &ModelSpec,
) -> Result<Option<Population>> {
    let Some(table) = &file.population else {
        return Ok(None);
    };
    let t: &PopulationTable = table.get_ref();
    let n = *t.size.get_ref();
    if !(1..=MAX_SUBJECTS).contains(&n) {
        return Err(at.expected(
            t.size.span().start,
            format!("population size {n}"),
            format!("1 to {MAX_SUBJECTS} subjects"),
        ));
    }
    let seed = match &t.seed {
        None => DEFAULT_SEED,
        Some(s) => u64::try_from(*s.get_ref()).map_err(|_| {
            at.expected(
                s.span().start,
                format!("seed {}", s.get_ref()),
                "a whole number ≥ 0",
            )
        })?,
    };
    let weight = t
        .weight
        .as_ref()
        .map(|w| weight_distribution(at, w))
        .transpose()?;
    if let (Some(_), Some(w)) = (
        &weight,
        file.schedule
            .iter()
            .find_map(|s| s.get_ref().weight.as_ref()),
    ) {
        return Err(at.expected(
            w.span().start,
            "a schedule weight beside [population.weight]",
            "one of the two (both set the weight)",
        ));
    }
    let variability = variability(at, t, model)?;
    // Checked here, not when subjects are drawn, so the error has a place in the file.
    Sampler::new(&variability).map_err(|_| {
        let place = t.variability.as_ref().map_or(table.span(), |v| v.span());
        at.expected(
            place.start,
            format!("variability {}", variability.describe()),
            "ω and correlations that form a valid covariance matrix (Ω positive definite)",
        )
    })?;
    Ok(Some(Population {
        size: n as usize,
        first: 0,
        total: n as usize,
        seed,
        variability,
        weight,
    }))
}

/// The model's published variability with the scenario's entries on top.
fn variability(at: &Locator, t: &PopulationTable, model: &ModelSpec) -> Result<Variability> {
    let mut v = library::published_variability(&model.id).unwrap_or_else(|| Variability {
        source: format!("{} publishes no between-subject variability", model.id),
        ..Variability::none()
    });
    let Some(table) = &t.variability else {
        return Ok(v);
    };
    let table = table.get_ref();
    let entries = [
        (Parameter::Clearance, &table.clearance),
        (Parameter::CentralVolume, &table.central_volume),
        (
            Parameter::IntercompartmentalClearance,
            &table.intercompartmental_clearance,
        ),
        (Parameter::PeripheralVolume, &table.peripheral_volume),
        (Parameter::Ka, &table.ka),
    ];
    let mut changed = false;
    for (p, entry) in entries {
        let Some(spread) = entry else { continue };
        if p.per_compartment() && model.compartments() == 1 {
            return Err(at.expected(
                spread.span().start,
                format!(
                    "{}, which varies a peripheral compartment, for model {} with one compartment",
                    p.id(),
                    model.id
                ),
                "variability of parameters the model has",
            ));
        }
        v.set(p, omega(at, spread)?);
        changed = true;
    }
    if changed {
        v.source = format!("{}; changed by the scenario", v.source);
    }
    Ok(v)
}

/// ω of one spread.
fn omega(at: &Locator, s: &Spanned<Spread>) -> Result<f64> {
    let place = s.span().start;
    let w = match s.get_ref() {
        Spread::Cv(cv) => omega_from_cv(
            units::parse_percent(cv).map_err(|e| at.expected(place, e.found_text(), e.expected))?,
        ),
        Spread::Table(t) => match (&t.cv, &t.omega, &t.variance) {
            (Some(cv), None, None) => omega_from_cv(read(at, cv, units::parse_percent)?),
            (None, Some(w), None) => *w.get_ref(),
            (None, None, Some(v)) if *v.get_ref() >= 0.0 => v.get_ref().sqrt(),
            (None, None, Some(v)) => {
                return Err(at.expected(
                    v.span().start,
                    format!("variance {}", v.get_ref()),
                    "a number ≥ 0",
                ))
            }
            _ => {
                return Err(at.expected(
                    place,
                    "more than one of cv, omega and variance",
                    "one of cv, omega and variance",
                ))
            }
        },
    };
    if !(0.0..=MAX_OMEGA).contains(&w) {
        return Err(at.expected(
            place,
            format!("ω = {}", fmt_num(w)),
            format!("0 to {MAX_OMEGA} (the SD of η; a CV is written \"38%\")"),
        ));
    }
    Ok(w)
}

fn kg(at: &Locator, w: Option<&Text>, what: &str, place: usize) -> Result<f64> {
    match w {
        Some(w) => weight_kg(at, w),
        None => Err(at.expected(
            place,
            format!("a weight distribution without `{what}`"),
            format!("`{what}` in [population.weight]"),
        )),
    }
}

fn weight_distribution(at: &Locator, table: &Spanned<WeightTable>) -> Result<WeightDistribution> {
    let (t, place) = (table.get_ref(), table.span().start);
    let (min_kg, max_kg) = (
        kg(at, t.min.as_ref(), "min", place)?,
        kg(at, t.max.as_ref(), "max", place)?,
    );
    if min_kg >= max_kg {
        let max = t.max.as_ref().expect("max was read");
        return Err(at.expected(
            max.span().start,
            format!("max {} kg", fmt_num(max_kg)),
            format!("a max above min ({} kg)", fmt_num(min_kg)),
        ));
    }
    match t.distribution.get_ref().as_str() {
        "uniform" => match t.mean.as_ref().or(t.sd.as_ref()) {
            Some(extra) => Err(at.expected(
                extra.span().start,
                "mean or sd in a uniform weight distribution",
                "min and max only",
            )),
            None => Ok(WeightDistribution::Uniform { min_kg, max_kg }),
        },
        "normal" => {
            let mean_kg = kg(at, t.mean.as_ref(), "mean", place)?;
            let sd = t.sd.as_ref().ok_or_else(|| {
                at.expected(
                    place,
                    "a weight distribution without `sd`",
                    "`sd` in [population.weight]",
                )
            })?;
            let sd_kg = read(at, sd, units::parse_weight_kg)?;
            if !(min_kg..=max_kg).contains(&mean_kg) {
                let mean = t.mean.as_ref().expect("mean was read");
                return Err(at.expected(
                    mean.span().start,
                    format!("mean {} kg", fmt_num(mean_kg)),
                    format!(
                        "a mean within min–max ({}–{} kg)",
                        fmt_num(min_kg),
                        fmt_num(max_kg)
                    ),
                ));
            }
            if sd_kg <= 0.0 || sd_kg > max_kg - min_kg {
                return Err(at.expected(
                    sd.span().start,
                    format!("sd {} kg", fmt_num(sd_kg)),
                    format!("more than 0 and at most max − min ({} kg): a wider normal cut to the range is nearly flat, use distribution = \"uniform\"", fmt_num(max_kg - min_kg)),
                ));
            }
            Ok(WeightDistribution::Normal {
                mean_kg,
                sd_kg,
                min_kg,
                max_kg,
            })
        }
        other => Err(at.expected(
            t.distribution.span().start,
            format!("unknown weight distribution {other:?}"),
            "normal or uniform",
        )),
    }
}

/// The typical patient's weight: `[patient] weight` when given; otherwise, with a weight
/// distribution, its centre; otherwise `patient_weight_kg` (the 70 kg default).
pub(super) fn typical_weight_kg(
    file: &ScenarioFile,
    population: &Option<Population>,
    patient_weight_kg: f64,
) -> f64 {
    let given = file
        .patient
        .as_ref()
        .is_some_and(|p| p.get_ref().weight.is_some());
    match population.as_ref().and_then(|p| p.weight) {
        Some(w) if !given => w.centre_kg(),
        _ => patient_weight_kg,
    }
}

/// Which of a dose's `amount` and `rate` are per kg of body weight, so follow a subject's
/// weight (a rate with `over` makes the amount, which is then per kg when the rate is).
/// The strings were read when the dose was; here only their kind matters.
pub(super) fn per_kg(d: &DoseTable) -> PerKg {
    let amount = d.amount.as_ref().is_some_and(|t| {
        matches!(
            units::parse_amount(t.get_ref()),
            Ok(units::Amount::MgPerKg(_))
        )
    });
    let rate = d.rate.as_ref().is_some_and(|t| {
        matches!(
            units::parse_rate(t.get_ref()),
            Ok(units::DoseRate::MgPerKgPerH(_))
        )
    });
    PerKg {
        amount: amount || (d.amount.is_none() && rate),
        rate,
    }
}
