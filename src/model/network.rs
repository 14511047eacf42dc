//! A model as a network: named compartments, first-order flows between them,
//! eliminations (some forming a metabolite), an effect site, and which compartments are
//! observed. Every model the solvers run is one: the mammillary shorthand
//! ([`super::Disposition`] + metabolite + ke0) is turned into a network by
//! [`Network::mammillary`], and a scenario may write a network of its own
//! (`[[model.compartment]]`, see the README).
//!
//! Amounts are mg. Formation multiplies what it moves by the molar-mass ratio, so a
//! metabolite's amounts are in its own mass (ratio 1 keeps parent-mass equivalents, as
//! the built-in models are published).

use super::{Model, Scaled};
use crate::route::Route;
use std::borrow::Cow;

/// What a compartment holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind<T> {
    /// Drug in a volume (L): it has a concentration.
    Volume(T),
    /// Drug as an amount only (a depot: gut, nose, injection site).
    Amount,
    /// An effect site of a volume compartment: holds a concentration (mg/L) that follows
    /// that compartment's with rate `ke0` and takes no mass (Sheiner et al., Clin
    /// Pharmacol Ther 1979;25:358).
    Effect {
        /// The compartment it follows.
        of: usize,
        /// Equilibration rate (1/h).
        ke0_per_h: f64,
    },
}

/// A named compartment.
#[derive(Debug, Clone, PartialEq)]
pub struct Compartment<T> {
    /// Its name, as written in the scenario (a built-in model's names are not allocated:
    /// a population builds each subject's network).
    pub name: Cow<'static, str>,
    /// What it holds.
    pub kind: Kind<T>,
}

/// How fast a first-order transfer goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Transfer<T> {
    /// A clearance (L/h): rate constant = CL / volume of the compartment it leaves.
    Clearance(T),
    /// A rate constant (1/h).
    RateConstant(f64),
}

/// A first-order flow between two compartments.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Flow<T> {
    /// Where it leaves.
    pub from: usize,
    /// Where it goes.
    pub to: usize,
    /// How fast.
    pub transfer: Transfer<T>,
    /// An exchange: the same clearance carries drug back from `to` to `from`
    /// (intercompartmental clearance Q between two volumes).
    pub both_ways: bool,
}

/// Part of an elimination that forms a metabolite.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Formation {
    /// The compartment the metabolite appears in.
    pub into: usize,
    /// Fraction of the eliminated amount that forms it (fm).
    pub fraction: f64,
    /// Metabolite molar mass over parent molar mass (1: parent-mass equivalents).
    pub molar_mass_ratio: f64,
}

/// A first-order elimination from a compartment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Elimination<T> {
    /// The compartment it empties.
    pub from: usize,
    /// How fast.
    pub transfer: Transfer<T>,
    /// What of it forms a metabolite.
    pub forms: Option<Formation>,
}

/// A compartment network with its observed outputs and dosing routes.
#[derive(Debug, Clone, PartialEq)]
pub struct Network<T> {
    /// Every compartment.
    pub compartments: Vec<Compartment<T>>,
    /// Flows between them.
    pub flows: Vec<Flow<T>>,
    /// Eliminations.
    pub eliminations: Vec<Elimination<T>>,
    /// The compartment whose concentration is "plasma" (a volume).
    pub plasma: usize,
    /// The compartment whose concentration is "metabolite" (a volume), if any.
    pub metabolite: Option<usize>,
    /// The effect site, if any.
    pub effect: Option<usize>,
    /// Routes and the compartment each doses into; IV doses into `plasma` unless listed.
    pub routes: Vec<(Route, usize)>,
    /// Routes whose dose is split between compartments (a nasal spray: part absorbed by
    /// the mucosa, part swallowed); a route listed here is not also in `routes`.
    pub split_routes: Vec<RoutePart>,
}

/// One share of a dose by a split route.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RoutePart {
    /// The route.
    pub route: Route,
    /// The compartment this share goes into.
    pub into: usize,
    /// Fraction of the dose in this share, for the first dose of a session.
    pub fraction_first: f64,
    /// Fraction for each later dose of the same session (a later nasal device).
    pub fraction_later: f64,
    /// Zero-order delivery over this time (h); 0 for all at once.
    pub over_h: f64,
}

/// Doses of one route closer than this to the previous one belong to the same session
/// (Spravato devices are used 5 min apart, label; sessions are days apart). Tag D.
pub const SESSION_GAP_H: f64 = 0.5;

impl<T: Copy> Network<T> {
    /// The compartment `route` doses into, when the network names one.
    pub fn route_target(&self, route: Route) -> Option<usize> {
        self.routes
            .iter()
            .find(|(r, _)| *r == route)
            .map(|&(_, c)| c)
            .or_else(|| self.parts(route).next().map(|p| p.into))
    }

    /// The shares of a dose by `route`, if the network splits it.
    pub fn parts(&self, route: Route) -> impl Iterator<Item = &RoutePart> {
        self.split_routes.iter().filter(move |p| p.route == route)
    }

    /// Whether some route doses into compartment `c`.
    pub fn route_target_of(&self, c: usize) -> bool {
        self.routes.iter().any(|&(_, t)| t == c) || self.split_routes.iter().any(|p| p.into == c)
    }

    /// The compartment named `name`.
    pub fn find(&self, name: &str) -> Option<usize> {
        self.compartments.iter().position(|c| c.name == name)
    }

    /// The same network with every scaled number mapped by `f`.
    pub fn map<U>(&self, f: impl Fn(T) -> U) -> Network<U> {
        let transfer = |t: Transfer<T>| match t {
            Transfer::Clearance(c) => Transfer::Clearance(f(c)),
            Transfer::RateConstant(k) => Transfer::RateConstant(k),
        };
        Network {
            compartments: self
                .compartments
                .iter()
                .map(|c| Compartment {
                    name: c.name.clone(),
                    kind: match &c.kind {
                        Kind::Volume(v) => Kind::Volume(f(*v)),
                        Kind::Amount => Kind::Amount,
                        Kind::Effect { of, ke0_per_h } => Kind::Effect {
                            of: *of,
                            ke0_per_h: *ke0_per_h,
                        },
                    },
                })
                .collect(),
            flows: self
                .flows
                .iter()
                .map(|fl| Flow {
                    from: fl.from,
                    to: fl.to,
                    transfer: transfer(fl.transfer),
                    both_ways: fl.both_ways,
                })
                .collect(),
            eliminations: self
                .eliminations
                .iter()
                .map(|e| Elimination {
                    from: e.from,
                    transfer: transfer(e.transfer),
                    forms: e.forms,
                })
                .collect(),
            plasma: self.plasma,
            metabolite: self.metabolite,
            effect: self.effect,
            routes: self.routes.clone(),
            split_routes: self.split_routes.clone(),
        }
    }
}

impl Network<Scaled> {
    /// The network for a patient of `weight_kg`.
    pub fn at(&self, weight_kg: f64) -> Network<f64> {
        self.map(|s| s.at(weight_kg))
    }
}

impl Network<f64> {
    /// Volume of compartment `c` (L), if it has one.
    pub fn volume_l(&self, c: usize) -> Option<f64> {
        match self.compartments[c].kind {
            Kind::Volume(v) => Some(v),
            _ => None,
        }
    }

    /// The rate constant (1/h) of `transfer` out of compartment `from`. A clearance out of
    /// a compartment without a volume is refused when the network is read.
    pub fn rate_constant(&self, from: usize, transfer: Transfer<f64>) -> f64 {
        match transfer {
            Transfer::RateConstant(k) => k,
            Transfer::Clearance(cl) => cl / self.volume_l(from).unwrap_or(1.0),
        }
    }

    /// The network of a mammillary model: `central` (plasma) and `peripheral-k`
    /// exchanging with it, the metabolite likewise, the effect site of `central`.
    pub fn mammillary(model: &Model) -> Network<f64> {
        let mut n = Network {
            compartments: Vec::new(),
            flows: Vec::new(),
            eliminations: Vec::new(),
            plasma: 0,
            metabolite: None,
            effect: None,
            routes: Vec::new(),
            split_routes: Vec::new(),
        };
        let add = |n: &mut Network<f64>, prefix: &str, d: &super::Disposition<f64>| {
            let central = n.compartments.len();
            n.compartments.push(Compartment {
                name: Cow::Borrowed(if prefix.is_empty() {
                    "central"
                } else {
                    "metabolite-central"
                }),
                kind: Kind::Volume(d.v1_l),
            });
            for (k, p) in d.peripherals.iter().enumerate() {
                let i = n.compartments.len();
                n.compartments.push(Compartment {
                    name: peripheral_name(prefix, k + 1),
                    kind: Kind::Volume(p.v_l),
                });
                n.flows.push(Flow {
                    from: central,
                    to: i,
                    transfer: Transfer::Clearance(p.q_l_h),
                    both_ways: true,
                });
            }
            central
        };
        let central = add(&mut n, "", &model.disposition);
        let met = model
            .metabolite
            .as_ref()
            .map(|m| (add(&mut n, "metabolite-", &m.disposition), m));
        n.eliminations.push(Elimination {
            from: central,
            transfer: Transfer::Clearance(model.disposition.cl_l_h),
            forms: met.map(|(into, m)| Formation {
                into,
                fraction: m.fraction_formed,
                molar_mass_ratio: 1.0,
            }),
        });
        if let Some((mc, m)) = met {
            n.eliminations.push(Elimination {
                from: mc,
                transfer: Transfer::Clearance(m.disposition.cl_l_h),
                forms: None,
            });
            n.metabolite = Some(mc);
        }
        if let Some(ke0) = model.ke0_per_h {
            n.effect = Some(n.compartments.len());
            n.compartments.push(Compartment {
                name: Cow::Borrowed("effect-site"),
                kind: Kind::Effect {
                    of: central,
                    ke0_per_h: ke0,
                },
            });
        }
        n
    }
}
/// `{prefix}peripheral-{k}`, without allocating for the first three of the parent and
/// the metabolite.
fn peripheral_name(prefix: &str, k: usize) -> Cow<'static, str> {
    const PARENT: [&str; 3] = ["peripheral-1", "peripheral-2", "peripheral-3"];
    const METABOLITE: [&str; 3] = [
        "metabolite-peripheral-1",
        "metabolite-peripheral-2",
        "metabolite-peripheral-3",
    ];
    let table = match prefix {
        "" => &PARENT,
        "metabolite-" => &METABOLITE,
        _ => return Cow::Owned(format!("{prefix}peripheral-{k}")),
    };
    match k.checked_sub(1).and_then(|i| table.get(i)) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("{prefix}peripheral-{k}")),
    }
}
