//! A [`Model`] as the linear system `dx/dt = A x + u(t)` the solvers integrate, built from
//! the model's [`Network`].
//!
//! State layout, in order: the network's compartments (for the mammillary shorthand:
//! parent compartments, central first, then the metabolite's), absorption depots, the
//! effect site, then exposure accumulators: ∫C dt of plasma and of the metabolite, and
//! ∫x dt of any other compartment that eliminates. Amounts are mg; the effect site holds
//! a concentration (mg/L), since it takes no mass (Sheiner et al., Clin Pharmacol Ther
//! 1979;25:358). The accumulators make AUC exact rather than a trapezoid on the output
//! grid; they feed nothing back, so the states before them (the "dynamic" block) form a
//! system of their own.

use super::network::{Kind, Network};
use super::Model;
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
    /// Number of network compartments that hold amounts (the mammillary shorthand: parent
    /// then metabolite compartments); they are states `0..n_compartments`.
    pub n_compartments: usize,
    /// Number of parent compartments of the mammillary shorthand (NONMEM numbering);
    /// for a written network, every amount compartment.
    pub n_parent: usize,
    /// The observed plasma compartment.
    pub plasma: usize,
    /// The observed metabolite compartment.
    pub metabolite_central: Option<usize>,
    /// Depots in the order they were requested, with their state index.
    pub depots: Vec<(Depot, usize)>,
    /// Effect-site concentration (mg/L).
    pub effect: Option<usize>,
    /// ∫ parent plasma concentration dt (mg·h/L).
    pub auc_parent: usize,
    /// ∫ metabolite concentration dt (mg·h/L).
    pub auc_metabolite: Option<usize>,
    /// The state of each network compartment.
    pub compartments: Vec<usize>,
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
    /// The network it was built from.
    pub network: Network<f64>,
    /// Plasma volume (L).
    pub plasma_v_l: f64,
    /// Metabolite volume (L).
    pub metabolite_v_l: Option<f64>,
    /// Eliminated mg per unit of each accumulator (state, factor).
    eliminated: Vec<(usize, f64)>,
    /// Parent-mass equivalents per unit of each amount state (0 for the others).
    mass: Vec<f64>,
}

/// Entry (i, j) of the mammillary compartment matrix of `d` (1/h): compartment 0 is
/// central, 1.. are peripherals.
pub fn disposition_entry(d: &super::Disposition<f64>, i: usize, j: usize) -> f64 {
    let v1 = d.v1_l;
    match (i, j) {
        (0, 0) => -(d.cl_l_h + d.peripherals.iter().map(|p| p.q_l_h).sum::<f64>()) / v1,
        (0, j) => d.peripherals[j - 1].q_l_h / d.peripherals[j - 1].v_l,
        (i, 0) => d.peripherals[i - 1].q_l_h / v1,
        (i, j) if i == j => -d.peripherals[i - 1].q_l_h / d.peripherals[i - 1].v_l,
        _ => 0.0,
    }
}

/// Parent-mass equivalents per unit amount of each compartment: 1, divided by the
/// molar-mass ratio along each formation and carried along flows.
fn mass_factors(net: &Network<f64>) -> Vec<f64> {
    let m = net.compartments.len();
    let mut factor: Vec<Option<f64>> = vec![None; m];
    for (c, f) in factor.iter_mut().enumerate() {
        if c == net.plasma || net.route_target_of(c) {
            *f = Some(1.0);
        }
    }
    // Propagate until nothing changes: at most one pass per compartment.
    for _ in 0..m {
        let mut changed = false;
        for fl in &net.flows {
            for (a, b) in [(fl.from, fl.to), (fl.to, fl.from)] {
                if factor[b].is_none() && (b == fl.to || fl.both_ways) {
                    if let Some(fa) = factor[a] {
                        factor[b] = Some(fa);
                        changed = true;
                    }
                }
            }
        }
        for e in &net.eliminations {
            if let (Some(f), Some(fa)) = (e.forms, factor[e.from]) {
                if factor[f.into].is_none() {
                    factor[f.into] = Some(fa / f.molar_mass_ratio);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    factor.into_iter().map(|f| f.unwrap_or(1.0)).collect()
}

impl LinearSystem {
    /// The system of `model` with the given absorption depots. Depots into the metabolite
    /// are dropped when the model has none (there is nothing to form).
    pub fn new(model: &Model, depots: &[Depot]) -> LinearSystem {
        let net = model.network();
        let is_amount = |c: usize| !matches!(net.compartments[c].kind, Kind::Effect { .. });
        let amounts: Vec<usize> = (0..net.compartments.len())
            .filter(|&c| is_amount(c))
            .collect();
        let mut compartments = vec![0; net.compartments.len()];
        for (state, &c) in amounts.iter().enumerate() {
            compartments[c] = state;
        }
        let plasma = compartments[net.plasma];
        let metabolite_central = net.metabolite.map(|c| compartments[c]);
        let mut kept: Vec<Depot> = Vec::new();
        for d in depots {
            if !kept.contains(d) && (d.into == Analyte::Parent || metabolite_central.is_some()) {
                kept.push(*d);
            }
        }
        let first_depot = amounts.len();
        let effect = net.effect.map(|_| first_depot + kept.len());
        if let (Some(c), Some(e)) = (net.effect, effect) {
            compartments[c] = e;
        }
        let n_dynamic = first_depot + kept.len() + usize::from(effect.is_some());
        let auc_parent = n_dynamic;
        let auc_metabolite = metabolite_central.map(|_| n_dynamic + 1);
        let mut n = n_dynamic + 1 + usize::from(auc_metabolite.is_some());
        // ∫x dt of every other eliminating compartment, once each.
        let mut integrals: Vec<(usize, usize)> = Vec::new();
        for e in &net.eliminations {
            let observed = e.from == net.plasma || Some(e.from) == net.metabolite;
            if !observed && !integrals.iter().any(|&(c, _)| c == e.from) {
                integrals.push((e.from, n));
                n += 1;
            }
        }
        let n_parent = match &model.network {
            Some(_) => amounts.len(),
            None => 1 + model.disposition.peripherals.len(),
        };
        let layout = Layout {
            n,
            n_dynamic,
            n_compartments: amounts.len(),
            n_parent,
            plasma,
            metabolite_central,
            depots: kept
                .iter()
                .enumerate()
                .map(|(k, d)| (*d, first_depot + k))
                .collect(),
            effect,
            auc_parent,
            auc_metabolite,
            compartments,
        };
        let plasma_v_l = net.volume_l(net.plasma).unwrap_or(1.0);
        let metabolite_v_l = net.metabolite.and_then(|c| net.volume_l(c));

        let mut a = DMatrix::zeros(n, n);
        let state = |c: usize| layout.compartments[c];
        // Outflows of each compartment, summed as clearances (L/h) and rate constants
        // (1/h) before dividing, so the diagonal is −(CL + ΣQ)/V as the shorthand writes it.
        let m = net.compartments.len();
        let (mut out_cl, mut out_k) = (vec![0.0; m], vec![0.0; m]);
        let mut exits: Vec<(usize, super::network::Transfer<f64>)> = net
            .eliminations
            .iter()
            .map(|e| (e.from, e.transfer))
            .collect();
        for fl in &net.flows {
            exits.push((fl.from, fl.transfer));
            if fl.both_ways {
                exits.push((fl.to, fl.transfer));
            }
        }
        for (c, t) in exits {
            match t {
                super::network::Transfer::Clearance(cl) => out_cl[c] += cl,
                super::network::Transfer::RateConstant(k) => out_k[c] += k,
            }
        }
        for c in amounts.iter().copied() {
            let v = net.volume_l(c).unwrap_or(1.0);
            a[(state(c), state(c))] = -out_cl[c] / v - out_k[c];
        }
        for fl in &net.flows {
            let (from, to) = (state(fl.from), state(fl.to));
            a[(to, from)] += net.rate_constant(fl.from, fl.transfer);
            if fl.both_ways {
                a[(from, to)] += net.rate_constant(fl.to, fl.transfer);
            }
        }
        let mut eliminated = Vec::new();
        let fm = |e: &super::network::Elimination<f64>| e.forms.map_or(0.0, |f| f.fraction);
        for e in &net.eliminations {
            if let Some(f) = e.forms {
                let k = match e.transfer {
                    super::network::Transfer::Clearance(cl) => {
                        f.fraction * f.molar_mass_ratio * cl / net.volume_l(e.from).unwrap_or(1.0)
                    }
                    super::network::Transfer::RateConstant(k) => {
                        f.fraction * f.molar_mass_ratio * k
                    }
                };
                a[(state(f.into), state(e.from))] += k;
            }
        }
        a[(auc_parent, plasma)] = 1.0 / plasma_v_l;
        if let (Some(mc), Some(am), Some(v)) = (metabolite_central, auc_metabolite, metabolite_v_l)
        {
            a[(am, mc)] = 1.0 / v;
        }
        for &(c, acc) in &integrals {
            a[(acc, state(c))] = 1.0;
        }
        let mass_in = mass_factors(&net);
        for e in &net.eliminations {
            let (acc, per_unit) = if e.from == net.plasma {
                (auc_parent, plasma_v_l)
            } else if Some(e.from) == net.metabolite {
                (
                    auc_metabolite.expect("an observed metabolite has an AUC"),
                    metabolite_v_l.unwrap_or(1.0),
                )
            } else {
                let acc = integrals
                    .iter()
                    .find(|&&(c, _)| c == e.from)
                    .map(|&(_, s)| s);
                (
                    acc.expect("every eliminating compartment has an integral"),
                    1.0,
                )
            };
            let k = net.rate_constant(e.from, e.transfer);
            eliminated.push((acc, (1.0 - fm(e)) * k * per_unit * mass_in[e.from]));
        }
        for &(d, i) in &layout.depots {
            let target = match d.into {
                Analyte::Parent => plasma,
                Analyte::Metabolite => {
                    metabolite_central.expect("metabolite depots are kept only with a metabolite")
                }
            };
            a[(i, i)] = -d.ka_per_h;
            a[(target, i)] = d.ka_per_h;
        }
        if let (Some(c), Some(e)) = (net.effect, effect) {
            if let Kind::Effect { of, ke0_per_h } = net.compartments[c].kind {
                a[(e, state(of))] = ke0_per_h / net.volume_l(of).unwrap_or(1.0);
                a[(e, e)] = -ke0_per_h;
            }
        }
        let mut mass = vec![0.0; n];
        for &c in &amounts {
            mass[state(c)] = mass_in[c];
        }
        for &(_, i) in &layout.depots {
            // The shorthand's depots hold parent mass, including the first-pass depot
            // (its metabolite is counted in parent-mass equivalents).
            mass[i] = 1.0;
        }
        LinearSystem {
            a,
            layout,
            model: model.clone(),
            network: net,
            plasma_v_l,
            metabolite_v_l,
            eliminated,
            mass,
        }
    }

    /// Number of states.
    pub fn n(&self) -> usize {
        self.layout.n
    }

    /// Parent plasma concentration (mg/L) in state `x`.
    pub fn plasma_mg_l(&self, x: &[f64]) -> f64 {
        x[self.layout.plasma] / self.plasma_v_l
    }

    /// Effect-site concentration (mg/L), if the model has an effect site.
    pub fn effect_mg_l(&self, x: &[f64]) -> Option<f64> {
        self.layout.effect.map(|e| x[e])
    }

    /// Metabolite plasma concentration (mg/L), if modelled.
    pub fn metabolite_mg_l(&self, x: &[f64]) -> Option<f64> {
        let v = self.metabolite_v_l?;
        self.layout.metabolite_central.map(|i| x[i] / v)
    }

    /// Drug still in the body or in a depot (mg, parent-mass equivalents): every amount
    /// state.
    pub fn amount_in_body_mg(&self, x: &[f64]) -> f64 {
        self.mass.iter().zip(x).map(|(m, v)| m * v).sum()
    }

    /// Drug eliminated so far (mg, parent-mass equivalents): each elimination's rate
    /// constant times the integral of what it empties, less what formed a metabolite.
    pub fn eliminated_mg(&self, x: &[f64]) -> f64 {
        self.eliminated.iter().map(|&(i, f)| f * x[i]).sum()
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
