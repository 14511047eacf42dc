//! A network written in a `[model]` (or `[models.NAME]`) table, checked at load time:
//!
//! ```toml
//! [[model.node]]
//! name = "central"
//! volume = "25 L"                 # or "0.36 L/kg"; no volume: an amount-only depot
//! [[model.node]]
//! name = "effect"
//! effect_of = "central"           # an effect site, with its ke0
//! ke0 = "0.084 /min"
//! [[model.flow]]
//! from = "central"
//! to = "shallow"
//! clearance = "161 L/h"           # or rate = "1.5 /h"
//! exchange = true                 # the same clearance flows back (needs two volumes)
//! [[model.elimination]]
//! from = "central"
//! clearance = "84 L/h"            # or rate = "0.2 /h"
//! forms = "nk-central"            # optional: metabolite formation
//! fraction = 0.8
//! molar_mass_ratio = 0.941
//! [model.observe]
//! plasma = "central"              # metabolite = "…", effect = "…" optional
//! [model.routes]
//! oral = "gut"                    # the compartment each route doses into; iv: plasma
//! ```
//!
//! Every error names file, line and column. The checks: names are unique and known,
//! what needs a volume has one (an exchange, a clearance flow or elimination, an
//! observed plasma or metabolite, the compartment an effect site follows), fractions lie
//! in (0, 1], and every compartment is reached from a dosed compartment.

use super::network::{Compartment, Elimination, Flow, Formation, Kind, Network, Transfer};
use super::Scaled;
use crate::error::{Error, Locator, Result};
use crate::limits::{self, at_most_text, range_text, within};
use crate::route::Route;
use crate::units::{parse_clearance, parse_rate_constant_per_h, parse_volume, Clearance, Volume};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

type Text = Spanned<String>;

/// `[[model.node]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompartmentTable {
    /// Name used by flows, eliminations, `observe` and `routes`.
    pub name: Text,
    /// Volume, e.g. "25 L" or "0.36 L/kg"; none for an amount-only depot.
    pub volume: Option<Text>,
    /// Makes this an effect site of the named compartment.
    pub effect_of: Option<Text>,
    /// Effect-site equilibration rate, e.g. "0.084 /min".
    pub ke0: Option<Text>,
}

/// `[[model.flow]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowTable {
    /// Where it leaves.
    pub from: Text,
    /// Where it goes.
    pub to: Text,
    /// A clearance, e.g. "161 L/h".
    pub clearance: Option<Text>,
    /// A rate constant, e.g. "1.5 /h".
    pub rate: Option<Text>,
    /// The same clearance carries drug back.
    pub exchange: Option<Spanned<bool>>,
}

/// `[[model.elimination]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EliminationTable {
    /// The compartment emptied.
    pub from: Text,
    /// A clearance, e.g. "84 L/h".
    pub clearance: Option<Text>,
    /// A rate constant, e.g. "0.2 /h".
    pub rate: Option<Text>,
    /// The compartment a metabolite forms in.
    pub forms: Option<Text>,
    /// Fraction forming the metabolite (default 1 with `forms`).
    pub fraction: Option<Spanned<f64>>,
    /// Metabolite molar mass over parent molar mass (default 1).
    pub molar_mass_ratio: Option<Spanned<f64>>,
}

/// `[model.observe]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObserveTable {
    /// The plasma compartment.
    pub plasma: Text,
    /// The metabolite compartment.
    pub metabolite: Option<Text>,
    /// The effect site.
    pub effect: Option<Text>,
}

/// The network keys of a model table.
#[derive(Debug, Clone, Default)]
pub struct NetworkTables<'a> {
    /// Compartments.
    pub compartments: &'a [Spanned<CompartmentTable>],
    /// Flows.
    pub flows: &'a [Spanned<FlowTable>],
    /// Eliminations.
    pub eliminations: &'a [Spanned<EliminationTable>],
    /// What is observed.
    pub observe: Option<&'a Spanned<ObserveTable>>,
    /// Route → compartment.
    pub routes: Option<&'a Spanned<BTreeMap<Text, Text>>>,
}

/// The one place a network error is built: found `found` at byte `offset`, expected
/// `expected`.
fn network_error(
    at: &Locator,
    offset: usize,
    found: impl Into<String>,
    expected: impl Into<String>,
) -> Error {
    at.expected(offset, found, expected)
}

/// Largest metabolite / parent molar-mass ratio a network may give.
const MAX_MOLAR_MASS_RATIO: f64 = 100.0;

fn transfer(
    at: &Locator,
    clearance: &Option<Text>,
    rate: &Option<Text>,
    offset: usize,
) -> Result<Transfer<Scaled>> {
    match (clearance, rate) {
        (Some(c), None) => {
            let value = parse_clearance(c.get_ref())
                .map_err(|e| network_error(at, c.span().start, e.found_text(), e.expected))?;
            // The limits of every other clearance: beyond them concentrations overflow.
            let (scaled, max, unit) = match value {
                Clearance::LPerH(v) => (Scaled::fixed(v), limits::MAX_CLEARANCE_L_H, "L/h"),
                Clearance::LPerHPerKg(v) => {
                    (Scaled::per_kg(v), limits::MAX_CLEARANCE_L_H_KG, "L/h/kg")
                }
            };
            if !(scaled.value > 0.0 && scaled.value <= max) {
                return Err(network_error(
                    at,
                    c.span().start,
                    format!("clearance {:?}", c.get_ref()),
                    format!("more than 0 {unit} and {}", at_most_text(max, unit)),
                ));
            }
            Ok(Transfer::Clearance(scaled))
        }
        (None, Some(r)) => Ok(Transfer::RateConstant(positive_rate(at, r)?)),
        _ => Err(network_error(
            at,
            offset,
            "found both or neither of `clearance` and `rate`",
            "exactly one",
        )),
    }
}

fn positive_rate(at: &Locator, r: &Text) -> Result<f64> {
    let k = parse_rate_constant_per_h(r.get_ref())
        .map_err(|e| network_error(at, r.span().start, e.found_text(), e.expected))?;
    if !(k > 0.0 && k <= limits::MAX_RATE_CONSTANT_PER_H) {
        return Err(network_error(
            at,
            r.span().start,
            format!("rate {:?}", r.get_ref()),
            format!(
                "more than 0 /h and {}",
                at_most_text(limits::MAX_RATE_CONSTANT_PER_H, "/h")
            ),
        ));
    }
    Ok(k)
}

/// The network the tables describe, checked. `table_offset` locates the model table.
pub fn network(at: &Locator, t: &NetworkTables, table_offset: usize) -> Result<Network<Scaled>> {
    let mut compartments: Vec<Compartment<Scaled>> = Vec::new();
    for c in t.compartments {
        let c = c.get_ref();
        let name = c.name.get_ref().trim().to_string();
        if name.is_empty() || compartments.iter().any(|o| o.name == name) {
            return Err(network_error(
                at,
                c.name.span().start,
                format!("compartment name {name:?} is empty or used twice"),
                "a new name",
            ));
        }
        let kind = match (&c.volume, &c.effect_of, &c.ke0) {
            (Some(v), None, None) => {
                let value = parse_volume(v.get_ref())
                    .map_err(|e| network_error(at, v.span().start, e.found_text(), e.expected))?;
                let (scaled, range, unit) = match value {
                    Volume::L(x) => (Scaled::fixed(x), limits::VOLUME_L, "L"),
                    Volume::LPerKg(x) => (Scaled::per_kg(x), limits::VOLUME_L_PER_KG, "L/kg"),
                };
                if !within(scaled.value, range) {
                    return Err(network_error(
                        at,
                        v.span().start,
                        format!("volume {:?}", v.get_ref()),
                        range_text(range, unit),
                    ));
                }
                Kind::Volume(scaled)
            }
            (None, None, None) => Kind::Amount,
            // Resolved below, once every name is known.
            (None, Some(_), Some(k)) => Kind::Effect {
                of: usize::MAX,
                ke0_per_h: positive_rate(at, k)?,
            },
            _ => {
                return Err(network_error(at, c.name.span().start, format!("compartment {name:?}"), "`volume`, both `effect_of` and `ke0` (an effect site), or neither (an amount-only depot)"))
            }
        };
        compartments.push(Compartment {
            name: name.into(),
            kind,
        });
    }
    let names: Vec<String> = compartments.iter().map(|c| c.name.to_string()).collect();
    let volumes: Vec<bool> = compartments
        .iter()
        .map(|c| matches!(c.kind, Kind::Volume(_)))
        .collect();
    let effect_sites: Vec<bool> = compartments
        .iter()
        .map(|c| matches!(c.kind, Kind::Effect { .. }))
        .collect();
    let find = |s: &Text| -> Result<usize> {
        names
            .iter()
            .position(|c| c == s.get_ref().trim())
            .ok_or_else(|| {
                network_error(
                    at,
                    s.span().start,
                    format!("no compartment named {:?}", s.get_ref()),
                    format!("one of {}", names.join(", ")),
                )
            })
    };
    let has_volume = |c: usize| volumes[c];
    let needs_volume = |c: usize, s: &Text, why: &str| -> Result<()> {
        if has_volume(c) {
            Ok(())
        } else {
            Err(network_error(
                at,
                s.span().start,
                format!("compartment {:?} without a volume", s.get_ref()),
                format!("a compartment with a volume: {why} needs one"),
            ))
        }
    };
    let mut effects = Vec::new();
    for (i, c) in t.compartments.iter().enumerate() {
        if let Some(of) = &c.get_ref().effect_of {
            let target = find(of)?;
            needs_volume(target, of, "an effect site's compartment")?;
            if let Kind::Effect { of, .. } = &mut compartments[i].kind {
                *of = target;
            }
            effects.push(i);
        }
    }
    let mut flows = Vec::new();
    for f in t.flows {
        let f = f.get_ref();
        let (from, to) = (find(&f.from)?, find(&f.to)?);
        let both_ways = f.exchange.as_ref().is_some_and(|e| *e.get_ref());
        let transfer = transfer(at, &f.clearance, &f.rate, f.from.span().start)?;
        for (c, s) in [(from, &f.from), (to, &f.to)] {
            if effect_sites[c] {
                return Err(network_error(
                    at,
                    s.span().start,
                    format!("{:?} is an effect site, which takes no mass", s.get_ref()),
                    "a compartment with a volume or an amount",
                ));
            }
        }
        if matches!(transfer, Transfer::Clearance(_)) {
            needs_volume(from, &f.from, "a flow given as a clearance")?;
        }
        if both_ways {
            needs_volume(from, &f.from, "an exchange")?;
            needs_volume(to, &f.to, "an exchange")?;
            if !matches!(transfer, Transfer::Clearance(_)) {
                return Err(network_error(
                    at,
                    f.from.span().start,
                    "`rate` on an exchange",
                    "`clearance` (an exchange flows both ways at CL/V of each side)",
                ));
            }
        }
        flows.push(Flow {
            from,
            to,
            transfer,
            both_ways,
        });
    }
    let mut eliminations = Vec::new();
    for e in t.eliminations {
        let e = e.get_ref();
        let from = find(&e.from)?;
        let transfer = transfer(at, &e.clearance, &e.rate, e.from.span().start)?;
        if matches!(transfer, Transfer::Clearance(_)) {
            needs_volume(from, &e.from, "an elimination given as a clearance")?;
        }
        let forms = match &e.forms {
            Some(into) => {
                let fraction = e.fraction.as_ref().map_or(Ok(1.0), |f| {
                    let v = *f.get_ref();
                    if v > 0.0 && v <= 1.0 {
                        Ok(v)
                    } else {
                        Err(network_error(
                            at,
                            f.span().start,
                            format!("fraction {v}"),
                            "more than 0 and at most 1",
                        ))
                    }
                })?;
                let ratio = e.molar_mass_ratio.as_ref().map_or(Ok(1.0), |r| {
                    let v = *r.get_ref();
                    // Metabolites of ketamine weigh within a few percent of it; 100 keeps
                    // concentrations finite for any teaching network.
                    if v > 0.0 && v <= MAX_MOLAR_MASS_RATIO {
                        Ok(v)
                    } else {
                        Err(network_error(
                            at,
                            r.span().start,
                            format!("molar_mass_ratio {v}"),
                            format!("more than 0 and at most {MAX_MOLAR_MASS_RATIO}"),
                        ))
                    }
                })?;
                Some(Formation {
                    into: find(into)?,
                    fraction,
                    molar_mass_ratio: ratio,
                })
            }
            None => {
                if let Some(f) = e.fraction.as_ref().or(e.molar_mass_ratio.as_ref()) {
                    return Err(network_error(
                        at,
                        f.span().start,
                        "`fraction` and `molar_mass_ratio` describe a formation",
                        "`forms` (the compartment the metabolite appears in)",
                    ));
                }
                None
            }
        };
        eliminations.push(Elimination {
            from,
            transfer,
            forms,
        });
    }
    let Some(observe) = t.observe else {
        return Err(network_error(
            at,
            table_offset,
            "a network without [model.observe] `plasma`",
            "[model.observe] with `plasma` (the compartment whose concentration is plasma)",
        ));
    };
    let o = observe.get_ref();
    let plasma = find(&o.plasma)?;
    needs_volume(plasma, &o.plasma, "the observed plasma")?;
    let metabolite = match &o.metabolite {
        Some(m) => {
            let c = find(m)?;
            needs_volume(c, m, "the observed metabolite")?;
            Some(c)
        }
        None => None,
    };
    let effect = match &o.effect {
        Some(e) => {
            let c = find(e)?;
            if !effect_sites[c] {
                return Err(network_error(
                    at,
                    e.span().start,
                    format!("{:?} is not an effect site", e.get_ref()),
                    "a compartment with `effect_of` and `ke0`",
                ));
            }
            Some(c)
        }
        None => None,
    };
    if let Some(&extra) = effects.iter().find(|&&c| Some(c) != effect) {
        let s = &t.compartments[extra].get_ref().name;
        return Err(network_error(
            at,
            s.span().start,
            format!("effect site {:?} is not observed", s.get_ref()),
            "it named by [model.observe] effect (one effect site per model)",
        ));
    }
    let mut routes = Vec::new();
    if let Some(r) = t.routes {
        for (route, into) in r.get_ref() {
            let rt = Route::parse(route.get_ref()).ok_or_else(|| {
                let ids: Vec<&str> = Route::ALL.iter().map(|r| r.id()).collect();
                network_error(
                    at,
                    route.span().start,
                    format!("unknown route {:?}", route.get_ref()),
                    format!("one of {}", ids.join(", ")),
                )
            })?;
            let c = find(into)?;
            if effect_sites[c] {
                return Err(network_error(
                    at,
                    into.span().start,
                    format!(
                        "{:?} is an effect site, which takes no dose",
                        into.get_ref()
                    ),
                    "a compartment with a volume or an amount",
                ));
            }
            routes.push((rt, c));
        }
    }
    let net = Network {
        compartments,
        flows,
        eliminations,
        plasma,
        metabolite,
        effect,
        routes,
        split_routes: Vec::new(),
    };
    connected(at, &net, t)?;
    Ok(net)
}

/// Every compartment must be reached from a dosed compartment (a route's, or plasma for
/// IV) along flows, exchanges, formations and effect sites.
fn connected(at: &Locator, net: &Network<Scaled>, t: &NetworkTables) -> Result<()> {
    let m = net.compartments.len();
    let mut reached = vec![false; m];
    let mut stack: Vec<usize> = net.routes.iter().map(|&(_, c)| c).collect();
    stack.push(net.plasma);
    while let Some(c) = stack.pop() {
        if reached[c] {
            continue;
        }
        reached[c] = true;
        for f in &net.flows {
            if f.from == c {
                stack.push(f.to);
            }
            if f.both_ways && f.to == c {
                stack.push(f.from);
            }
        }
        for e in &net.eliminations {
            if let (true, Some(f)) = (e.from == c, e.forms) {
                stack.push(f.into);
            }
        }
        for (i, comp) in net.compartments.iter().enumerate() {
            if matches!(comp.kind, Kind::Effect { of, .. } if of == c) {
                stack.push(i);
            }
        }
    }
    match reached.iter().position(|r| !r) {
        None => Ok(()),
        Some(c) => {
            let s = &t.compartments[c].get_ref().name;
            Err(network_error(at, s.span().start, format!("compartment {:?} is not connected: no flow, exchange or formation reaches it from a dosed compartment ({})", s.get_ref(), dosed_names(net)), "a path from one"))
        }
    }
}

fn dosed_names<T: Copy>(net: &Network<T>) -> String {
    let mut names = vec![format!("iv → {}", net.compartments[net.plasma].name)];
    for &(r, c) in &net.routes {
        names.push(format!("{} → {}", r.id(), net.compartments[c].name));
    }
    names.join(", ")
}
