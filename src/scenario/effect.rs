//! `[[effect]]` tables → [`Endpoint`]s: a built-in (`pd = "herd-2008"`) or one written
//! out (Emax, linear, or parent + metabolite). Every number is held to [`crate::limits`]
//! and every error names file, line and column. A built-in used with a PK model other
//! than the one it was estimated with gives a warning, not an error.

use super::checked::read;
use super::schema::{EffectTable, Text};
use super::Schedule;
use crate::effect::{library, Endpoint, Provenance, Response, Scale, Term, Threshold};
use crate::error::{Locator, Result};
use crate::limits::{self, number_text, range_text, within};
use crate::units;
use toml::Spanned;

/// The endpoints of `tables`, checked against the schedules' models, with the warnings
/// they give.
pub fn endpoints(
    at: &Locator,
    tables: &[Spanned<EffectTable>],
    schedules: &[Schedule],
) -> Result<(Vec<Endpoint>, Vec<String>)> {
    if let Some(t) = tables.get(limits::MAX_EFFECTS) {
        return Err(at.expected(
            t.span().start,
            format!("{} [[effect]] tables", tables.len()),
            format!("at most {}", limits::MAX_EFFECTS),
        ));
    }
    let mut out: Vec<Endpoint> = Vec::new();
    let mut warnings = Vec::new();
    for t in tables {
        let table = t.get_ref();
        let e = endpoint(at, table)?;
        if out.iter().any(|o| o.column_id() == e.column_id()) {
            return Err(at.expected(
                table.name.span().start,
                format!("two effects named {:?}", table.name.get_ref()),
                "a different name for each [[effect]] (names are CSV columns)",
            ));
        }
        if e.response.metabolite.is_some() {
            if let Some(s) = schedules
                .iter()
                .find(|s| s.model.metabolite.is_none() && !has_network_metabolite(s))
            {
                let place = table.pd.as_ref().map_or(t.span().start, |p| p.span().start);
                return Err(at.expected(
                    place,
                    format!(
                        "effect {:?} has a metabolite term but schedule {:?} runs on {}, which forms no metabolite",
                        e.name, s.name, s.model.id
                    ),
                    "a model with a metabolite, e.g. fanta-2015",
                ));
            }
        }
        warnings.extend(pk_warnings(&e, schedules));
        out.push(e);
    }
    Ok((out, warnings))
}

fn has_network_metabolite(s: &Schedule) -> bool {
    s.model
        .network
        .as_ref()
        .is_some_and(|n| n.metabolite.is_some())
}

/// "effect X (herd-2008) was estimated with herd-2007, not kamp-2020 (schedule Y)".
fn pk_warnings(e: &Endpoint, schedules: &[Schedule]) -> Vec<String> {
    let Some(id) = &e.provenance.id else {
        return Vec::new();
    };
    let mut models: Vec<&str> = schedules.iter().map(|s| s.model.id.as_str()).collect();
    models.dedup();
    models
        .into_iter()
        .filter(|m| e.provenance.estimated_with.as_deref() != Some(*m))
        .map(|m| {
            format!(
                "effect {:?} ({id}) was estimated with {}, and here runs on {m}",
                e.name, e.provenance.pk_note
            )
        })
        .collect()
}

fn endpoint(at: &Locator, t: &EffectTable) -> Result<Endpoint> {
    let name = t.name.get_ref().trim();
    if name.is_empty() || name.chars().count() > limits::MAX_NAME_CHARS {
        return Err(at.expected(
            t.name.span().start,
            format!("effect name {:?}", t.name.get_ref()),
            format!("a name of 1 to {} characters", limits::MAX_NAME_CHARS),
        ));
    }
    if !name.chars().any(char::is_alphanumeric) {
        return Err(at.expected(
            t.name.span().start,
            format!("effect name {name:?}"),
            "a name with a letter or digit (it becomes a CSV column)",
        ));
    }
    let threshold = t.threshold.as_ref().map(|s| threshold(at, s)).transpose()?;
    let mut e = match &t.pd {
        Some(id) => built_in(at, id, t)?,
        None => written(at, t)?,
    };
    e.name = name.to_string();
    e.threshold = threshold;
    Ok(e)
}

/// `pd = "herd-2008"`: the published endpoint as it is; only name and threshold may be added.
fn built_in(at: &Locator, id: &Text, t: &EffectTable) -> Result<Endpoint> {
    let e = library::get(id.get_ref()).ok_or_else(|| {
        at.expected(
            id.span().start,
            format!("unknown pd {:?}", id.get_ref()),
            format!("one of {} (see `ketasim models`)", library::IDS.join(", ")),
        )
    })?;
    let written = [
        t.unit.as_ref().map(|s| s.span().start),
        t.baseline.as_ref().map(|s| s.span().start),
        t.emax.as_ref().map(|s| s.span().start),
        t.fractional.as_ref().map(|s| s.span().start),
        t.ec50.as_ref().map(|s| s.span().start),
        t.hill.as_ref().map(|s| s.span().start),
        t.slope_per_ng_ml.as_ref().map(|s| s.span().start),
        t.metabolite_emax.as_ref().map(|s| s.span().start),
        t.metabolite_ec50.as_ref().map(|s| s.span().start),
        t.metabolite_hill.as_ref().map(|s| s.span().start),
        t.metabolite_slope_per_ng_ml
            .as_ref()
            .map(|s| s.span().start),
        t.t_half_ke0.as_ref().map(|s| s.span().start),
        t.ke0.as_ref().map(|s| s.span().start),
    ];
    if let Some(place) = written.into_iter().flatten().min() {
        return Err(at.expected(
            place,
            format!("a parameter beside pd = {:?}", id.get_ref()),
            "a built-in endpoint as published (only name and threshold), or no pd and every parameter written out",
        ));
    }
    Ok(e)
}

/// An endpoint written out in the scenario.
fn written(at: &Locator, t: &EffectTable) -> Result<Endpoint> {
    let baseline = t
        .baseline
        .as_ref()
        .map(|b| magnitude(at, b, "baseline"))
        .transpose()?
        .unwrap_or(0.0);
    let parent = term(
        at,
        t,
        Keys {
            emax: &t.emax,
            ec50: &t.ec50,
            hill: &t.hill,
            slope: &t.slope_per_ng_ml,
            prefix: "",
        },
    )?
    .ok_or_else(|| {
        at.expected(
            t.name.span().start,
            format!("effect {:?} without emax and ec50, or slope_per_ng_ml", t.name.get_ref()),
            "pd = \"<built-in>\", or emax + ec50 (+ hill) for a sigmoid Emax, or slope_per_ng_ml for a linear effect",
        )
    })?;
    let metabolite = term(
        at,
        t,
        Keys {
            emax: &t.metabolite_emax,
            ec50: &t.metabolite_ec50,
            hill: &t.metabolite_hill,
            slope: &t.metabolite_slope_per_ng_ml,
            prefix: "metabolite_",
        },
    )?;
    let fractional = t.fractional.as_ref().is_some_and(|f| *f.get_ref());
    if let Some(f) = t.fractional.as_ref().filter(|_| fractional) {
        if !matches!(parent, Term::Emax { .. }) || baseline == 0.0 {
            return Err(at.expected(
                f.span().start,
                "fractional = true without emax or with baseline 0",
                "a fractional Emax needs emax, ec50 and a baseline it is a fraction of",
            ));
        }
    }
    let ke0_per_h = ke0(at, t)?;
    Ok(Endpoint {
        name: String::new(),
        unit: t.unit.as_ref().map_or_else(
            || "effect units".to_string(),
            |u| u.get_ref().trim().to_string(),
        ),
        response: Response {
            baseline,
            scale: match fractional {
                true => Scale::FractionOfBaseline,
                false => Scale::Absolute,
            },
            parent,
            metabolite,
        },
        ke0_per_h,
        threshold: None,
        variability: None,
        provenance: Provenance {
            id: None,
            citation: "written in the scenario".into(),
            confidence: "the scenario's own numbers".into(),
            estimated_with: None,
            pk_note: "the scenario's model".into(),
            assumptions: Vec::new(),
        },
    })
}

/// The keys of one drug term.
struct Keys<'a> {
    emax: &'a Option<Spanned<f64>>,
    ec50: &'a Option<Text>,
    hill: &'a Option<Spanned<f64>>,
    slope: &'a Option<Spanned<f64>>,
    prefix: &'a str,
}

/// The term the keys describe: Emax (emax + ec50, hill), linear (slope), or none.
fn term(at: &Locator, t: &EffectTable, k: Keys) -> Result<Option<Term>> {
    let p = k.prefix;
    match (k.emax, k.ec50, k.slope) {
        (None, None, None) => {
            if let Some(h) = k.hill {
                return Err(at.expected(
                    h.span().start,
                    format!("{p}hill without {p}emax and {p}ec50"),
                    format!("{p}emax and {p}ec50 beside {p}hill"),
                ));
            }
            Ok(None)
        }
        (_, _, Some(s)) if k.emax.is_some() || k.ec50.is_some() || k.hill.is_some() => Err(at
            .expected(
                s.span().start,
                format!("{p}slope_per_ng_ml beside {p}emax/{p}ec50/{p}hill"),
                "one kind per term: a sigmoid Emax (emax, ec50, hill) or a linear slope",
            )),
        (None, None, Some(s)) => Ok(Some(Term::Linear {
            slope_per_ng_ml: magnitude(at, s, &format!("{p}slope_per_ng_ml"))?,
        })),
        (Some(emax), Some(ec50), None) => {
            let emax = magnitude(at, emax, &format!("{p}emax"))?;
            let ec50_ng_ml = read(at, ec50, units::parse_concentration_ng_ml)?;
            if !within(ec50_ng_ml, limits::EC50_NG_ML) {
                return Err(at.expected(
                    ec50.span().start,
                    format!("{p}ec50 {:?}", ec50.get_ref()),
                    range_text(limits::EC50_NG_ML, "ng/mL"),
                ));
            }
            let hill = match k.hill {
                None => 1.0,
                Some(h) => {
                    let v = *h.get_ref();
                    if !within(v, limits::HILL) {
                        return Err(at.expected(
                            h.span().start,
                            format!("{p}hill {}", number_text(v)),
                            format!(
                                "a Hill coefficient from {} to {}",
                                number_text(limits::HILL.0),
                                number_text(limits::HILL.1)
                            ),
                        ));
                    }
                    v
                }
            };
            Ok(Some(Term::Emax {
                emax,
                ec50_ng_ml,
                hill,
            }))
        }
        (Some(e), None, None) => Err(at.expected(
            e.span().start,
            format!("{p}emax without {p}ec50"),
            format!("{p}ec50 beside {p}emax, e.g. {p}ec50 = \"120 ng/mL\""),
        )),
        (None, Some(c), None) => Err(at.expected(
            c.span().start,
            format!("{p}ec50 without {p}emax"),
            format!("{p}emax beside {p}ec50, e.g. {p}emax = 1"),
        )),
        _ => Err(at.expected(
            t.name.span().start,
            "an incomplete effect term",
            "emax + ec50, or slope_per_ng_ml",
        )),
    }
}

/// A finite number of size at most [`limits::MAX_EFFECT_MAGNITUDE`].
fn magnitude(at: &Locator, v: &Spanned<f64>, what: &str) -> Result<f64> {
    let x = *v.get_ref();
    if !x.is_finite() || x.abs() > limits::MAX_EFFECT_MAGNITUDE {
        return Err(at.expected(
            v.span().start,
            format!("{what} {}", number_text(x)),
            format!(
                "a number from -{m} to {m}",
                m = number_text(limits::MAX_EFFECT_MAGNITUDE)
            ),
        ));
    }
    Ok(x)
}

/// ke0 from `t_half_ke0` or `ke0` (exactly one).
fn ke0(at: &Locator, t: &EffectTable) -> Result<f64> {
    let shortest_h = std::f64::consts::LN_2 / limits::MAX_RATE_CONSTANT_PER_H;
    let expected = format!(
        "{} ({} to 10 years)",
        range_text((shortest_h, limits::MAX_T_HALF_KE0_H), "h"),
        "0.25 s"
    );
    match (&t.t_half_ke0, &t.ke0) {
        (Some(h), None) => {
            let v = read(at, h, units::parse_duration_h)?;
            if !within(v, (shortest_h * (1.0 - 1e-9), limits::MAX_T_HALF_KE0_H)) {
                return Err(at.expected(
                    h.span().start,
                    format!("t_half_ke0 {:?}", h.get_ref()),
                    expected,
                ));
            }
            Ok(std::f64::consts::LN_2 / v)
        }
        (None, Some(k)) => {
            let v = read(at, k, units::parse_rate_constant_per_h)?;
            let lowest = std::f64::consts::LN_2 / limits::MAX_T_HALF_KE0_H;
            if !within(v, (lowest, limits::MAX_RATE_CONSTANT_PER_H)) {
                return Err(at.expected(
                    k.span().start,
                    format!("ke0 {:?}", k.get_ref()),
                    range_text((lowest, limits::MAX_RATE_CONSTANT_PER_H), "/h"),
                ));
            }
            Ok(v)
        }
        (Some(_), Some(k)) => Err(at.expected(
            k.span().start,
            "both t_half_ke0 and ke0",
            "one of them: ke0 = ln 2 / t_half_ke0",
        )),
        (None, None) => Err(at.expected(
            t.name.span().start,
            format!("effect {:?} without t_half_ke0 or ke0", t.name.get_ref()),
            "its effect-site equilibration, e.g. t_half_ke0 = \"8.3 min\" (each effect has its own)",
        )),
    }
}

/// "above 0.5" or "below 2".
fn threshold(at: &Locator, s: &Text) -> Result<Threshold> {
    let text = s.get_ref().trim();
    let bad = || {
        at.expected(
            s.span().start,
            format!("threshold {text:?}"),
            "\"above <number>\" or \"below <number>\", e.g. \"below 2\"",
        )
    };
    let (word, value) = text.split_once(char::is_whitespace).ok_or_else(bad)?;
    let v: f64 = value.trim().parse().map_err(|_| bad())?;
    if !v.is_finite() || v.abs() > limits::MAX_EFFECT_MAGNITUDE {
        return Err(bad());
    }
    match word.to_ascii_lowercase().as_str() {
        "above" => Ok(Threshold::Above(v)),
        "below" => Ok(Threshold::Below(v)),
        _ => Err(bad()),
    }
}
