//! A [`Model`] as the linear system `dx/dt = A x + u(t)` the solvers integrate.
//!
//! State layout, in order: parent compartments (central first), metabolite compartments
//! (central first), absorption depots, the effect site, then two exposure accumulators
//! (∫C dt of parent and metabolite). Amounts are mg (metabolite in parent-mass
//! equivalents); the effect site holds a concentration (mg/L), since it takes no mass
//! (Sheiner et al., Clin Pharmacol Ther 1979;25:358). The accumulators make AUC exact
//! rather than a trapezoid on the output grid; they feed nothing back, so the states
//! before them (the "dynamic" block) form a system of their own.

use super::{Disposition, Model};
use nalgebra::DMatrix;

/// Which analyte a depot empties into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyte {
    /// The parent drug (ketamine).
    Parent,
    /// The metabolite (norketamine), formed before reaching the circulation.
    Metabolite,
}

/// A first-order absorption depot.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Depot {
    /// Absorption rate constant (1/h).
    pub ka_per_h: f64,
    /// Where it empties.
    pub into: Analyte,
}

/// Where each quantity sits in the state vector.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// Number of states.
    pub n: usize,
    /// States before the accumulators; steady state is computed over these.
    pub n_dynamic: usize,
    /// Number of parent compartments; parent central is state 0.
    pub n_parent: usize,
    /// Metabolite central compartment.
    pub metabolite_central: Option<usize>,
    /// Depots in the order they were requested, with their state index.
    pub depots: Vec<(Depot, usize)>,
    /// Effect-site concentration (mg/L).
    pub effect: Option<usize>,
    /// ∫ parent plasma concentration dt (mg·h/L).
    pub auc_parent: usize,
    /// ∫ metabolite concentration dt (mg·h/L).
    pub auc_metabolite: Option<usize>,
}

impl Layout {
    /// The state index of `depot`, if the system has it.
    pub fn depot_state(&self, depot: Depot) -> Option<usize> {
        self.depots
            .iter()
            .find(|(d, _)| *d == depot)
            .map(|&(_, i)| i)
    }
}

/// `dx/dt = A x + u`: the state matrix and what the states mean.
#[derive(Debug, Clone, PartialEq)]
pub struct LinearSystem {
    /// The state matrix (1/h).
    pub a: DMatrix<f64>,
    /// What each state is.
    pub layout: Layout,
    /// The model it was built from.
    pub model: Model,
}

/// Entry (i, j) of the mammillary compartment matrix of `d` (1/h): compartment 0 is
/// central, 1.. are peripherals.
pub fn disposition_entry(d: &Disposition<f64>, i: usize, j: usize) -> f64 {
    let v1 = d.v1_l;
    match (i, j) {
        (0, 0) => -(d.cl_l_h + d.peripherals.iter().map(|p| p.q_l_h).sum::<f64>()) / v1,
        (0, j) => d.peripherals[j - 1].q_l_h / d.peripherals[j - 1].v_l,
        (i, 0) => d.peripherals[i - 1].q_l_h / v1,
        (i, j) if i == j => -d.peripherals[i - 1].q_l_h / d.peripherals[i - 1].v_l,
        _ => 0.0,
    }
}

fn put_disposition(a: &mut DMatrix<f64>, d: &Disposition<f64>, offset: usize) {
    let n = 1 + d.peripherals.len();
    for i in 0..n {
        for j in 0..n {
            a[(offset + i, offset + j)] = disposition_entry(d, i, j);
        }
    }
}

impl LinearSystem {
    /// The system of `model` with the given absorption depots. Depots into the metabolite
    /// are dropped when the model has none (there is nothing to form).
    pub fn new(model: &Model, depots: &[Depot]) -> LinearSystem {
        let n_parent = 1 + model.disposition.peripherals.len();
        let n_met = model
            .metabolite
            .as_ref()
            .map_or(0, |m| 1 + m.disposition.peripherals.len());
        let metabolite_central = (n_met > 0).then_some(n_parent);
        let mut kept: Vec<Depot> = Vec::new();
        for d in depots {
            if !kept.contains(d) && (d.into == Analyte::Parent || metabolite_central.is_some()) {
                kept.push(*d);
            }
        }
        let first_depot = n_parent + n_met;
        let effect = model.ke0_per_h.map(|_| first_depot + kept.len());
        let n_dynamic = first_depot + kept.len() + usize::from(effect.is_some());
        let auc_parent = n_dynamic;
        let auc_metabolite = metabolite_central.map(|_| n_dynamic + 1);
        let n = n_dynamic + 1 + usize::from(auc_metabolite.is_some());
        let layout = Layout {
            n,
            n_dynamic,
            n_parent,
            metabolite_central,
            depots: kept
                .iter()
                .enumerate()
                .map(|(k, d)| (*d, first_depot + k))
                .collect(),
            effect,
            auc_parent,
            auc_metabolite,
        };

        let mut a = DMatrix::zeros(n, n);
        let parent = &model.disposition;
        put_disposition(&mut a, parent, 0);
        a[(auc_parent, 0)] = 1.0 / parent.v1_l;
        if let (Some(m), Some(mc), Some(am)) =
            (&model.metabolite, metabolite_central, auc_metabolite)
        {
            put_disposition(&mut a, &m.disposition, mc);
            a[(mc, 0)] = m.fraction_formed * parent.cl_l_h / parent.v1_l;
            a[(am, mc)] = 1.0 / m.disposition.v1_l;
        }
        for &(d, i) in &layout.depots {
            let target = match d.into {
                Analyte::Parent => 0,
                Analyte::Metabolite => {
                    metabolite_central.expect("metabolite depots are kept only with a metabolite")
                }
            };
            a[(i, i)] = -d.ka_per_h;
            a[(target, i)] = d.ka_per_h;
        }
        if let (Some(ke0), Some(e)) = (model.ke0_per_h, effect) {
            a[(e, 0)] = ke0 / parent.v1_l;
            a[(e, e)] = -ke0;
        }
        LinearSystem {
            a,
            layout,
            model: model.clone(),
        }
    }

    /// Number of states.
    pub fn n(&self) -> usize {
        self.layout.n
    }

    /// Parent plasma concentration (mg/L) in state `x`.
    pub fn plasma_mg_l(&self, x: &[f64]) -> f64 {
        x[0] / self.model.disposition.v1_l
    }

    /// Effect-site concentration (mg/L), if the model has an effect site.
    pub fn effect_mg_l(&self, x: &[f64]) -> Option<f64> {
        self.layout.effect.map(|e| x[e])
    }

    /// Metabolite plasma concentration (mg/L, parent-mass equivalents), if modelled.
    pub fn metabolite_mg_l(&self, x: &[f64]) -> Option<f64> {
        let m = self.model.metabolite.as_ref()?;
        self.layout
            .metabolite_central
            .map(|i| x[i] / m.disposition.v1_l)
    }

    /// Drug still in the body or in a depot (mg): every amount state.
    pub fn amount_in_body_mg(&self, x: &[f64]) -> f64 {
        let effect = self.layout.effect;
        (0..self.layout.n_dynamic)
            .filter(|&i| Some(i) != effect)
            .map(|i| x[i])
            .sum()
    }

    /// Drug eliminated so far (mg): parent clearance not forming metabolite, plus
    /// metabolite clearance, each as CL × ∫C dt.
    pub fn eliminated_mg(&self, x: &[f64]) -> f64 {
        let m = &self.model;
        let fm = m.metabolite.as_ref().map_or(0.0, |met| met.fraction_formed);
        let parent = (1.0 - fm) * m.disposition.cl_l_h * x[self.layout.auc_parent];
        let met = match (&m.metabolite, self.layout.auc_metabolite) {
            (Some(met), Some(i)) => met.disposition.cl_l_h * x[i],
            _ => 0.0,
        };
        parent + met
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::library;

    #[test]
    fn layout_of_a_model_with_everything() {
        let model = library::get("fanta-2015").unwrap().individual(70.0);
        let oral = Depot {
            ka_per_h: 0.55,
            into: Analyte::Parent,
        };
        let first_pass = Depot {
            ka_per_h: 0.55,
            into: Analyte::Metabolite,
        };
        let s = LinearSystem::new(&model, &[oral, first_pass, oral]);
        // 3 parent + 2 metabolite + 2 depots + effect + 2 accumulators
        assert_eq!(s.n(), 10);
        assert_eq!(s.layout.n_dynamic, 8);
        assert_eq!(s.layout.metabolite_central, Some(3));
        assert_eq!(s.layout.depot_state(first_pass), Some(6));
        assert_eq!(s.layout.effect, Some(7));
    }

    #[test]
    fn metabolite_depots_are_dropped_without_a_metabolite() {
        let model = library::get("kamp-2020").unwrap().individual(70.0);
        let s = LinearSystem::new(
            &model,
            &[Depot {
                ka_per_h: 1.0,
                into: Analyte::Metabolite,
            }],
        );
        assert!(s.layout.depots.is_empty());
    }

    #[test]
    fn columns_conserve_mass() {
        // Without elimination every amount column of A sums to zero: what leaves one
        // compartment enters another.
        let mut model = library::get("fanta-2015").unwrap().individual(70.0);
        model.disposition.cl_l_h = 0.0;
        model.metabolite.as_mut().unwrap().disposition.cl_l_h = 0.0;
        let s = LinearSystem::new(
            &model,
            &[Depot {
                ka_per_h: 2.0,
                into: Analyte::Parent,
            }],
        );
        for j in 0..s.layout.n_dynamic {
            if Some(j) == s.layout.effect {
                continue;
            }
            let sum: f64 = (0..s.layout.n_dynamic)
                .filter(|&i| Some(i) != s.layout.effect)
                .map(|i| s.a[(i, j)])
                .sum();
            assert!(sum.abs() < 1e-12, "column {j} sums to {sum}");
        }
    }
}
