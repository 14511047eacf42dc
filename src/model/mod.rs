//! Compartment models: published parameter sets, weight scaling, and the individual
//! model a simulation runs.
//!
//! A [`ModelSpec`] is a typical-value parameter set as published (values at a 70 kg
//! reference, each with its weight-scaling rule), plus its citation. A [`Model`] is the
//! same set resolved for one patient: plain litres and litres per hour. [`system`] turns a
//! `Model` into the linear ODE system `dx/dt = A x + u` that the solvers integrate.

pub mod custom;
pub mod library;
pub mod network;
pub mod network_table;
pub mod system;
pub mod variability;

use crate::route::{Route, RouteOverride};
use network::Network;

/// Weight of the reference adult that typical values are given for.
pub const REFERENCE_WEIGHT_KG: f64 = 70.0;

/// How a parameter changes with body weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Scaling {
    /// The same at every weight.
    Fixed,
    /// `value × (W / 70 kg)^exponent`. Exponent 1 is linear per kg; 0.75 is the usual
    /// allometric exponent for clearances (Anderson & Holford 2008, doi:10.1146/annurev.pharmtox.47.120505.105349).
    Allometric(f64),
}

/// A parameter at the 70 kg reference weight with its scaling rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scaled {
    /// Value at 70 kg (L or L/h).
    pub value: f64,
    /// How it scales with weight.
    pub scaling: Scaling,
}

impl Scaled {
    /// A parameter proportional to weight, given per kg.
    pub const fn per_kg(value_per_kg: f64) -> Self {
        Scaled {
            value: value_per_kg * REFERENCE_WEIGHT_KG,
            scaling: Scaling::Allometric(1.0),
        }
    }
    /// A parameter given at 70 kg, scaled by `(W/70)^exponent`.
    pub const fn allometric(value: f64, exponent: f64) -> Self {
        Scaled {
            value,
            scaling: Scaling::Allometric(exponent),
        }
    }
    /// A parameter independent of weight.
    pub const fn fixed(value: f64) -> Self {
        Scaled {
            value,
            scaling: Scaling::Fixed,
        }
    }
    /// The value for a patient of `weight_kg`.
    pub fn at(&self, weight_kg: f64) -> f64 {
        match self.scaling {
            Scaling::Fixed => self.value,
            Scaling::Allometric(e) => self.value * (weight_kg / REFERENCE_WEIGHT_KG).powf(e),
        }
    }
}

/// One peripheral compartment: intercompartmental clearance and volume.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peripheral<T> {
    /// Intercompartmental clearance Q (L/h).
    pub q_l_h: T,
    /// Volume (L).
    pub v_l: T,
}

/// A mammillary disposition model: a central compartment with elimination, and 0–2
/// peripheral compartments exchanging with it.
#[derive(Debug, Clone, PartialEq)]
pub struct Disposition<T> {
    /// Elimination clearance CL (L/h).
    pub cl_l_h: T,
    /// Central volume V1 (L).
    pub v1_l: T,
    /// Peripheral compartments (Q2, V2), (Q3, V3).
    pub peripherals: Vec<Peripheral<T>>,
}

/// First-order micro-constants (1/h) of a disposition model.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct MicroConstants {
    /// Elimination CL/V1.
    pub k10: f64,
    /// Central → first peripheral Q2/V1.
    pub k12: f64,
    /// First peripheral → central Q2/V2.
    pub k21: f64,
    /// Central → second peripheral Q3/V1.
    pub k13: f64,
    /// Second peripheral → central Q3/V3.
    pub k31: f64,
}

impl Disposition<f64> {
    /// The micro-constants k10 = CL/V1, k1j = Qj/V1, kj1 = Qj/Vj.
    pub fn micro(&self) -> MicroConstants {
        let v1 = self.v1_l;
        let pair = |i: usize| {
            self.peripherals
                .get(i)
                .map_or((0.0, 0.0), |p| (p.q_l_h / v1, p.q_l_h / p.v_l))
        };
        let ((k12, k21), (k13, k31)) = (pair(0), pair(1));
        MicroConstants {
            k10: self.cl_l_h / v1,
            k12,
            k21,
            k13,
            k31,
        }
    }

    /// The clearance form of a model given as V1 and micro-constants (as opentiva and
    /// STANPUMP store Domino, Clements and Hijazi). `compartments` is 1, 2 or 3.
    pub fn from_micro(v1_l: f64, k: MicroConstants, compartments: usize) -> Self {
        let mut peripherals = Vec::new();
        for (kout, kin) in [(k.k12, k.k21), (k.k13, k.k31)]
            .into_iter()
            .take(compartments.saturating_sub(1))
        {
            peripherals.push(Peripheral {
                q_l_h: kout * v1_l,
                v_l: kout * v1_l / kin,
            });
        }
        Disposition {
            cl_l_h: k.k10 * v1_l,
            v1_l,
            peripherals,
        }
    }

    /// Volume of distribution at steady state, V1 + ΣVj (L).
    pub fn vss_l(&self) -> f64 {
        self.v1_l + self.peripherals.iter().map(|p| p.v_l).sum::<f64>()
    }

    /// The disposition half-lives (h), fastest first: ln 2 / λ for each eigenvalue −λ of the
    /// compartment matrix (α, β, γ phases).
    pub fn half_lives_h(&self) -> Vec<f64> {
        let n = 1 + self.peripherals.len();
        let a = nalgebra::DMatrix::from_fn(n, n, |i, j| system::disposition_entry(self, i, j));
        let mut rates: Vec<f64> = a.complex_eigenvalues().iter().map(|l| -l.re).collect();
        rates.sort_by(|x, y| y.total_cmp(x));
        rates
            .into_iter()
            .map(|l| std::f64::consts::LN_2 / l)
            .collect()
    }
}

impl Disposition<Scaled> {
    /// The parameters for a patient of `weight_kg`.
    pub fn at(&self, weight_kg: f64) -> Disposition<f64> {
        Disposition {
            cl_l_h: self.cl_l_h.at(weight_kg),
            v1_l: self.v1_l.at(weight_kg),
            peripherals: self
                .peripherals
                .iter()
                .map(|p| Peripheral {
                    q_l_h: p.q_l_h.at(weight_kg),
                    v_l: p.v_l.at(weight_kg),
                })
                .collect(),
        }
    }
}

/// A metabolite (norketamine) formed from the parent's clearance.
#[derive(Debug, Clone, PartialEq)]
pub struct Metabolite<T> {
    /// Name used in outputs, e.g. "S-norketamine".
    pub name: String,
    /// Fraction of parent clearance that forms the metabolite (fm).
    pub fraction_formed: f64,
    /// The metabolite's own disposition, amounts in parent-mass equivalents.
    pub disposition: Disposition<T>,
}

/// Which drug a parameter set describes: S-ketamine models describe S-ketamine only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Drug {
    /// Racemic ketamine (Ketalar).
    Racemic,
    /// S-ketamine (esketamine).
    SKetamine,
}

impl Drug {
    /// The drug's name for people.
    pub fn name(self) -> &'static str {
        match self {
            Drug::Racemic => "racemic ketamine",
            Drug::SKetamine => "S-ketamine (esketamine)",
        }
    }
}

/// A parameter set as published: typical values at 70 kg with scaling rules and sources.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelSpec {
    /// Lower-case `author-year` id, e.g. `kamp-2020`; `custom` for user models.
    pub id: String,
    /// One line for people, e.g. "Kamp 2020, 3-compartment (adults)".
    pub title: String,
    /// Authors, year, journal and DOI.
    pub citation: String,
    /// Confidence tag of the numbers (A, B, B+, C, D: docs/sources.md §Confidence tags) and why.
    pub confidence: String,
    /// Who the model was built from, e.g. "adults" or "children 1–14 y".
    pub population: String,
    /// Racemic or S-ketamine.
    pub drug: Drug,
    /// Parent disposition.
    pub disposition: Disposition<Scaled>,
    /// Effect-site equilibration rate ke0 (1/h), when the model has an effect site.
    pub ke0_per_h: Option<f64>,
    /// Where ke0 comes from, and whether it is borrowed.
    pub ke0_source: String,
    /// The metabolite, when the model has one.
    pub metabolite: Option<Metabolite<Scaled>>,
    /// An absorption depot of the model's own (custom models for `ketasim events`): ka in 1/h.
    pub depot_ka_per_h: Option<f64>,
    /// Route settings this model was published with (e.g. Fanta 2015's oral F of 8%).
    pub route_overrides: Vec<(Route, RouteOverride)>,
    /// Caveats shown by `ketasim models ID`.
    pub notes: Vec<String>,
    /// A network written in the scenario; the fields above then describe only its
    /// plasma compartment and total elimination (for tables), and the network is what runs.
    pub network: Option<Network<Scaled>>,
}

impl ModelSpec {
    /// The model for a patient of `weight_kg`.
    pub fn individual(&self, weight_kg: f64) -> Model {
        Model {
            disposition: self.disposition.at(weight_kg),
            ke0_per_h: self.ke0_per_h,
            metabolite: self.metabolite.as_ref().map(|m| Metabolite {
                name: m.name.clone(),
                fraction_formed: m.fraction_formed,
                disposition: m.disposition.at(weight_kg),
            }),
            depot_ka_per_h: self.depot_ka_per_h,
            network: self.network.as_ref().map(|n| n.at(weight_kg)),
        }
    }

    /// The number of parent compartments (1–3).
    pub fn compartments(&self) -> usize {
        1 + self.disposition.peripherals.len()
    }

    /// This model's published setting for `route`, if any.
    pub fn route_override(&self, route: Route) -> Option<&RouteOverride> {
        self.route_overrides
            .iter()
            .find(|(r, _)| *r == route)
            .map(|(_, o)| o)
    }
}

/// A model resolved for one patient: what the solvers run.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Parent disposition.
    pub disposition: Disposition<f64>,
    /// Effect-site equilibration rate ke0 (1/h).
    pub ke0_per_h: Option<f64>,
    /// The metabolite, if modelled.
    pub metabolite: Option<Metabolite<f64>>,
    /// The model's own absorption depot (NONMEM ADVAN2/4/12 style), ka in 1/h.
    pub depot_ka_per_h: Option<f64>,
    /// A written network; `None` for the mammillary shorthand above.
    pub network: Option<Network<f64>>,
}

impl Model {
    /// The network the solvers run: the written one, or the shorthand's.
    pub fn network(&self) -> Network<f64> {
        match &self.network {
            Some(n) => n.clone(),
            None => Network::mammillary(self),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Conversions are a few multiplications: only rounding error remains.
    const ROUNDING: f64 = 1e-12;

    #[test]
    fn micro_constants_round_trip() {
        let d = Disposition {
            cl_l_h: 84.0,
            v1_l: 25.0,
            peripherals: vec![
                Peripheral {
                    q_l_h: 161.0,
                    v_l: 56.0,
                },
                Peripheral {
                    q_l_h: 79.0,
                    v_l: 157.0,
                },
            ],
        };
        let k = d.micro();
        assert_relative_eq!(k.k10, 84.0 / 25.0, max_relative = ROUNDING);
        assert_relative_eq!(k.k31, 79.0 / 157.0, max_relative = ROUNDING);
        let back = Disposition::from_micro(25.0, k, 3);
        assert_relative_eq!(back.cl_l_h, 84.0, max_relative = ROUNDING);
        for (a, b) in back.peripherals.iter().zip(&d.peripherals) {
            assert_relative_eq!(a.q_l_h, b.q_l_h, max_relative = ROUNDING);
            assert_relative_eq!(a.v_l, b.v_l, max_relative = ROUNDING);
        }
    }

    #[test]
    fn one_compartment_half_life_is_ln2_v_over_cl() {
        let d = Disposition {
            cl_l_h: 1.1,
            v1_l: 20.0,
            peripherals: vec![],
        };
        assert_relative_eq!(
            d.half_lives_h()[0],
            std::f64::consts::LN_2 * 20.0 / 1.1,
            max_relative = 1e-12
        );
    }

    #[test]
    fn two_compartment_half_lives_match_the_closed_form() {
        // α, β = ½[(k10+k12+k21) ± √((k10+k12+k21)² − 4 k10 k21)] (Gibaldi & Perrier, Pharmacokinetics, 2nd ed., ch. 2)
        let d = Disposition {
            cl_l_h: 90.0,
            v1_l: 38.7,
            peripherals: vec![Peripheral {
                q_l_h: 215.0,
                v_l: 102.0,
            }],
        };
        let k = d.micro();
        let s = k.k10 + k.k12 + k.k21;
        let root = (s * s - 4.0 * k.k10 * k.k21).sqrt();
        let (alpha, beta) = ((s + root) / 2.0, (s - root) / 2.0);
        let t = d.half_lives_h();
        assert_relative_eq!(t[0], std::f64::consts::LN_2 / alpha, max_relative = 1e-10);
        assert_relative_eq!(t[1], std::f64::consts::LN_2 / beta, max_relative = 1e-10);
    }

    #[test]
    fn allometric_scaling() {
        assert_relative_eq!(
            Scaled::allometric(84.0, 0.75).at(35.0),
            84.0 * 0.5f64.powf(0.75),
            max_relative = ROUNDING
        );
        assert_relative_eq!(
            Scaled::per_kg(0.063).at(80.0),
            0.063 * 80.0,
            max_relative = ROUNDING
        );
        assert_relative_eq!(
            Scaled::fixed(187.0).at(20.0),
            187.0,
            max_relative = ROUNDING
        );
    }
}
