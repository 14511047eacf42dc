//! The `[model]` table of scenario and model files: a built-in id with overrides, or a
//! custom model given by its parameters (README, "Scenario files").
//!
//! ```toml
//! [model]
//! pk = "kamp-2020"            # a built-in id, optionally with overrides below
//! # or a custom model:
//! compartments = 2
//! clearance = "1.3 L/min"
//! central_volume = "25 L"
//! intercompartmental_clearance = ["2.7 L/min"]
//! peripheral_volume = ["56 L"]
//! ka = "1.5 /h"               # a depot of the model's own (NONMEM CMT 1)
//! ke0 = "0.084 /min"          # an effect site
//! ```
//!
//! Absolute values (L, L/h) given here are used at every weight; per-kg values (L/kg,
//! L/h/kg) scale linearly with weight.

use super::network::{Kind, Network, Transfer};
use super::network_table::{
    network, CompartmentTable, EliminationTable, FlowTable, NetworkTables, ObserveTable,
};
use super::{library, Disposition, Drug, ModelSpec, Peripheral, Scaled};
use crate::error::{Locator, Result};
use crate::limits::{self, at_most_text, range_text, within};
use crate::units::{
    parse_clearance, parse_rate_constant_per_h, parse_volume, Clearance, UnitError, Volume,
};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// The `[model]` table as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelTable {
    /// A built-in model id.
    pub pk: Option<Spanned<String>>,
    /// Number of compartments, 1–3 (custom models).
    pub compartments: Option<Spanned<i64>>,
    /// CL, e.g. "1.3 L/min".
    pub clearance: Option<Spanned<String>>,
    /// V1, e.g. "25 L".
    pub central_volume: Option<Spanned<String>>,
    /// Q2 (, Q3).
    pub intercompartmental_clearance: Option<Spanned<Vec<Spanned<String>>>>,
    /// V2 (, V3).
    pub peripheral_volume: Option<Spanned<Vec<Spanned<String>>>>,
    /// Absorption rate of the model's own depot, e.g. "1.5 /h".
    pub ka: Option<Spanned<String>>,
    /// Effect-site equilibration rate, e.g. "0.084 /min".
    pub ke0: Option<Spanned<String>>,
    /// A title for people (networks).
    pub title: Option<Spanned<String>>,
    /// `[[model.node]]`: a network's compartments.
    pub node: Option<Vec<Spanned<CompartmentTable>>>,
    /// `[[model.flow]]`.
    pub flow: Option<Vec<Spanned<FlowTable>>>,
    /// `[[model.elimination]]`.
    pub elimination: Option<Vec<Spanned<EliminationTable>>>,
    /// `[model.observe]`.
    pub observe: Option<Spanned<ObserveTable>>,
    /// `[model.routes]`: the compartment each route doses into.
    pub routes: Option<Spanned<BTreeMap<Spanned<String>, Spanned<String>>>>,
}

fn unit_error(at: &Locator, s: &Spanned<String>, e: UnitError) -> crate::Error {
    at.expected(s.span().start, e.found_text(), e.expected)
}

/// `value` (per kg when `per_kg`) within `fixed` or `per_kg_range`, else an error at `s`.
fn bounded(
    at: &Locator,
    s: &Spanned<String>,
    what: &str,
    (value, per_kg): (f64, bool),
    (fixed, per_kg_range): ((f64, f64), (f64, f64)),
    (unit, unit_per_kg): (&str, &str),
) -> Result<Scaled> {
    let (range, unit) = if per_kg {
        (per_kg_range, unit_per_kg)
    } else {
        (fixed, unit)
    };
    if !within(value, range) {
        return Err(at.expected(
            s.span().start,
            format!("{what} {:?}", s.get_ref()),
            range_text(range, unit),
        ));
    }
    Ok(if per_kg {
        Scaled::per_kg(value)
    } else {
        Scaled::fixed(value)
    })
}

fn clearance(at: &Locator, s: &Spanned<String>) -> Result<Scaled> {
    let v = match parse_clearance(s.get_ref()).map_err(|e| unit_error(at, s, e))? {
        Clearance::LPerH(v) => (v, false),
        Clearance::LPerHPerKg(v) => (v, true),
    };
    let limits = (
        (0.0, limits::MAX_CLEARANCE_L_H),
        (0.0, limits::MAX_CLEARANCE_L_H_KG),
    );
    bounded(at, s, "clearance", v, limits, ("L/h", "L/h/kg"))
}

fn volume(at: &Locator, s: &Spanned<String>) -> Result<Scaled> {
    let v = match parse_volume(s.get_ref()).map_err(|e| unit_error(at, s, e))? {
        Volume::L(v) => (v, false),
        Volume::LPerKg(v) => (v, true),
    };
    let limits = (limits::VOLUME_L, limits::VOLUME_L_PER_KG);
    bounded(at, s, "volume", v, limits, ("L", "L/kg"))
}

/// A first-order rate constant (1/h) greater than 0 and at most
/// [`limits::MAX_RATE_CONSTANT_PER_H`]: `what` names the key (ka, ke0).
pub(crate) fn rate_constant(at: &Locator, s: &Spanned<String>, what: &str) -> Result<f64> {
    let k = parse_rate_constant_per_h(s.get_ref()).map_err(|e| unit_error(at, s, e))?;
    if k <= 0.0 || k > limits::MAX_RATE_CONSTANT_PER_H {
        return Err(at.expected(
            s.span().start,
            format!("{what} {:?}", s.get_ref()),
            format!(
                "more than 0 /h and {} (a half-life of 0.25 s)",
                at_most_text(limits::MAX_RATE_CONSTANT_PER_H, "/h")
            ),
        ));
    }
    Ok(k)
}

fn list(
    at: &Locator,
    l: &Option<Spanned<Vec<Spanned<String>>>>,
    f: fn(&Locator, &Spanned<String>) -> Result<Scaled>,
) -> Result<Option<Vec<Scaled>>> {
    l.as_ref()
        .map(|v| v.get_ref().iter().map(|s| f(at, s)).collect())
        .transpose()
}

impl ModelTable {
    /// The model this table describes. `table_offset` locates the `[model]` header for
    /// errors about missing keys.
    pub fn spec(&self, at: &Locator, table_offset: usize) -> Result<ModelSpec> {
        if self.node.is_some() {
            return self.network_spec(at, table_offset);
        }
        if let Some(key) = self.network_key() {
            return Err(at.expected(
                key,
                "a network key without [[model.node]]",
                "the compartments of the network",
            ));
        }
        if let Some(t) = &self.title {
            return Err(at.expected(
                t.span().start,
                "`title`, which names a written network",
                "[[model.node]] with it",
            ));
        }
        let mut spec = match &self.pk {
            Some(id) => library::get(id.get_ref()).ok_or_else(|| {
                at.expected(
                    id.span().start,
                    format!("unknown model {:?}", id.get_ref()),
                    format!("one of {} (see `ketasim models`)", library::IDS.join(", ")),
                )
            })?,
            None => self.custom(at, table_offset)?,
        };
        if let Some(cl) = &self.clearance {
            spec.disposition.cl_l_h = clearance(at, cl)?;
        }
        if let Some(v1) = &self.central_volume {
            spec.disposition.v1_l = volume(at, v1)?;
        }
        let qs = list(at, &self.intercompartmental_clearance, clearance)?;
        let vs = list(at, &self.peripheral_volume, volume)?;
        for (key, values, n) in [
            (
                "intercompartmental_clearance",
                &self.intercompartmental_clearance,
                qs.as_ref().map(Vec::len),
            ),
            (
                "peripheral_volume",
                &self.peripheral_volume,
                vs.as_ref().map(Vec::len),
            ),
        ] {
            if let (Some(v), Some(n)) = (values, n) {
                if n != spec.disposition.peripherals.len() {
                    let want = spec.disposition.peripherals.len();
                    return Err(at.expected(
                        v.span().start,
                        format!("{key} with {n} values"),
                        format!("{want}, one per peripheral compartment of the model"),
                    ));
                }
            }
        }
        for (i, p) in spec.disposition.peripherals.iter_mut().enumerate() {
            p.q_l_h = qs.as_ref().map_or(p.q_l_h, |q| q[i]);
            p.v_l = vs.as_ref().map_or(p.v_l, |v| v[i]);
        }
        if let Some(ka) = &self.ka {
            spec.depot_ka_per_h = Some(rate_constant(at, ka, "ka")?);
        }
        if let Some(ke0) = &self.ke0 {
            spec.ke0_per_h = Some(rate_constant(at, ke0, "ke0")?);
            spec.ke0_source = "given in the scenario".into();
        }
        Ok(spec)
    }

    /// The offset of the first network key given, if any.
    fn network_key(&self) -> Option<usize> {
        self.flow
            .as_ref()
            .and_then(|v| v.first().map(|x| x.span().start))
            .or(self
                .elimination
                .as_ref()
                .and_then(|v| v.first().map(|x| x.span().start)))
            .or(self.observe.as_ref().map(|o| o.span().start))
            .or(self.routes.as_ref().map(|o| o.span().start))
    }

    /// A written network: no shorthand keys beside it.
    fn network_spec(&self, at: &Locator, table_offset: usize) -> Result<ModelSpec> {
        let shorthand = [
            self.pk.as_ref().map(|s| s.span().start),
            self.compartments.as_ref().map(|s| s.span().start),
            self.clearance.as_ref().map(|s| s.span().start),
            self.central_volume.as_ref().map(|s| s.span().start),
            self.intercompartmental_clearance
                .as_ref()
                .map(|s| s.span().start),
            self.peripheral_volume.as_ref().map(|s| s.span().start),
            self.ka.as_ref().map(|s| s.span().start),
            self.ke0.as_ref().map(|s| s.span().start),
        ];
        if let Some(offset) = shorthand.into_iter().flatten().min() {
            return Err(at.expected(
                offset,
                "a mammillary key beside [[model.node]]",
                "either a network or the shorthand (pk, compartments, clearance, …), not both",
            ));
        }
        let tables = NetworkTables {
            compartments: self.node.as_deref().unwrap_or_default(),
            flows: self.flow.as_deref().unwrap_or_default(),
            eliminations: self.elimination.as_deref().unwrap_or_default(),
            observe: self.observe.as_ref(),
            routes: self.routes.as_ref(),
        };
        let net = network(at, &tables, table_offset)?;
        Ok(summary(
            net,
            self.title.as_ref().map(|t| t.get_ref().clone()),
        ))
    }

    /// A model from parameters alone (no `pk` id).
    fn custom(&self, at: &Locator, table_offset: usize) -> Result<ModelSpec> {
        let missing = |key: &str| {
            at.expected(
                table_offset,
                format!("[model] without `pk` or `{key}`"),
                format!("`pk` (a built-in id) or `{key}` for a custom model"),
            )
        };
        let n = self
            .compartments
            .as_ref()
            .ok_or_else(|| missing("compartments"))?;
        if !(1..=3).contains(n.get_ref()) {
            return Err(at.expected(
                n.span().start,
                format!("compartments = {}", n.get_ref()),
                "1, 2 or 3",
            ));
        }
        let cl = clearance(
            at,
            self.clearance
                .as_ref()
                .ok_or_else(|| missing("clearance"))?,
        )?;
        let v1 = volume(
            at,
            self.central_volume
                .as_ref()
                .ok_or_else(|| missing("central_volume"))?,
        )?;
        let peripherals = *n.get_ref() as usize - 1;
        let filler = Peripheral {
            q_l_h: Scaled::fixed(0.0),
            v_l: Scaled::fixed(1.0),
        };
        if peripherals > 0
            && (self.intercompartmental_clearance.is_none() || self.peripheral_volume.is_none())
        {
            return Err(missing(
                "intercompartmental_clearance` and `peripheral_volume",
            ));
        }
        Ok(ModelSpec {
            id: "custom".into(),
            title: format!("custom {}-compartment model", n.get_ref()),
            citation: "given in the scenario file".into(),
            confidence: "user-supplied".into(),
            population: "as given".into(),
            drug: Drug::Racemic,
            disposition: Disposition {
                cl_l_h: cl,
                v1_l: v1,
                peripherals: vec![filler; peripherals],
            },
            ke0_per_h: None,
            ke0_source: "none".into(),
            metabolite: None,
            depot_ka_per_h: None,
            route_overrides: Vec::new(),
            notes: Vec::new(),
            network: None,
        })
    }
}

/// The spec of a written network. Its mammillary fields summarise the plasma compartment
/// for tables (volume, clearance out of it, ke0); the network is what runs.
fn summary(net: Network<Scaled>, title: Option<String>) -> ModelSpec {
    let v1 = match net.compartments[net.plasma].kind {
        Kind::Volume(v) => v,
        _ => Scaled::fixed(1.0),
    };
    let cl = net
        .eliminations
        .iter()
        .filter(|e| e.from == net.plasma)
        .find_map(|e| match e.transfer {
            Transfer::Clearance(c) => Some(c),
            Transfer::RateConstant(_) => None,
        })
        .unwrap_or(Scaled::fixed(0.0));
    let ke0 = net.effect.and_then(|c| match net.compartments[c].kind {
        Kind::Effect { ke0_per_h, .. } => Some(ke0_per_h),
        _ => None,
    });
    let metabolite = net.metabolite.map(|c| super::Metabolite {
        name: net.compartments[c].name.to_string(),
        fraction_formed: 1.0,
        disposition: Disposition {
            cl_l_h: Scaled::fixed(0.0),
            v1_l: match net.compartments[c].kind {
                Kind::Volume(v) => v,
                _ => Scaled::fixed(1.0),
            },
            peripherals: Vec::new(),
        },
    });
    let n = net.compartments.len();
    ModelSpec {
        id: "network".into(),
        title: title.unwrap_or_else(|| format!("network of {n} compartments")),
        citation: "given in the scenario file".into(),
        confidence: "user-supplied".into(),
        population: "as given".into(),
        drug: Drug::Racemic,
        disposition: Disposition {
            cl_l_h: cl,
            v1_l: v1,
            peripherals: Vec::new(),
        },
        ke0_per_h: ke0,
        ke0_source: "given in the scenario".into(),
        metabolite,
        depot_ka_per_h: None,
        route_overrides: Vec::new(),
        notes: Vec::new(),
        network: Some(net),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[derive(Deserialize)]
    struct File {
        model: Spanned<ModelTable>,
    }

    fn spec(text: &str) -> Result<ModelSpec> {
        let at = Locator {
            path: Path::new("m.toml"),
            text,
        };
        let f: File = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
        f.model.get_ref().spec(&at, f.model.span().start)
    }

    #[test]
    fn nonmem_conformance_model() {
        let s = spec("[model]\ncompartments = 1\nclearance = \"1.1 L/h\"\ncentral_volume = \"20 L\"\nka = \"1.5 /h\"\n").unwrap();
        let m = s.individual(70.0);
        assert_eq!(
            (m.disposition.cl_l_h, m.disposition.v1_l, m.depot_ka_per_h),
            (1.1, 20.0, Some(1.5))
        );
    }

    #[test]
    fn library_model_with_an_override() {
        let s = spec("[model]\npk = \"kamp-2020\"\nclearance = \"1.3 L/min\"\n").unwrap();
        let m = s.individual(50.0);
        assert!((m.disposition.cl_l_h - 78.0).abs() < 1e-9);
        assert_eq!(m.disposition.peripherals.len(), 2);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = spec("[model]\npk = \"kamp-2021\"\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("m.toml:2:6: unknown model \"kamp-2021\""),
            "{e}"
        );
        let e = spec("[model]\ncompartments = 2\nclearance = \"1 L/h\"\ncentral_volume = \"3 L\"\nintercompartmental_clearance = [\"1 L/h\", \"2 L/h\"]\nperipheral_volume = [\"4 L\"]\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("m.toml:5:32: intercompartmental_clearance with 2 values"),
            "{e}"
        );
        let e = spec(
            "[model]\ncompartments = 1\nclearance = \"1 L/hr/day\"\ncentral_volume = \"3 L\"\n",
        )
        .unwrap_err();
        assert!(
            e.to_string().starts_with("m.toml:3:13: unknown unit"),
            "{e}"
        );
        let e = spec("[model]\ncompartment = 1\n").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("m.toml:2:1: unknown field `compartment`"),
            "{e}"
        );
    }
}
