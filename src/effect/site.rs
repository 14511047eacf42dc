//! An endpoint's effect compartment as a state of the engine.
//!
//! Why a state and not a convolution after the run: the effect site is linear in the
//! plasma concentration, `dCe/dt = ke0 · (Cp − Ce)`, and takes no mass, so adding it to
//! the model's network adds one row to `A` and changes nothing else. The exact solver then
//! propagates it exactly (the same Φ/Γ as the plasma, to rounding), the ODE solver
//! integrates it like every other state, and steady starts include it. A post-pass over
//! the output grid would have to assume a shape for the plasma between grid points.
//! Each endpoint's site runs in a system of its own, so endpoints never change the
//! plasma course, the state layout other code reads, or the solver.

use super::Analyte;
use crate::model::network::{Compartment, Kind};
use crate::model::Model;

/// `model` with one effect site following `of` at rate `ke0_per_h` (1/h); `None` when
/// `of` is the metabolite and the model has none.
pub fn with_effect_site(model: &Model, of: Analyte, ke0_per_h: f64) -> Option<Model> {
    if of == Analyte::Parent && model.network.is_none() {
        return Some(Model {
            ke0_per_h: Some(ke0_per_h),
            ..model.clone()
        });
    }
    let mut net = model.network();
    let follows = match of {
        Analyte::Parent => net.plasma,
        Analyte::Metabolite => net.metabolite?,
    };
    let kind = Kind::Effect {
        of: follows,
        ke0_per_h,
    };
    match net.effect {
        Some(c) => net.compartments[c].kind = kind,
        None => {
            net.effect = Some(net.compartments.len());
            net.compartments.push(Compartment {
                name: "effect-site".into(),
                kind,
            });
        }
    }
    Some(Model {
        network: Some(net),
        ..model.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::library;
    use crate::model::system::LinearSystem;

    #[test]
    fn a_site_follows_the_compartment_it_names() {
        let model = library::get("fanta-2015").unwrap().individual(70.0);
        let parent = with_effect_site(&model, Analyte::Parent, 3.0).unwrap();
        let s = LinearSystem::new(&parent, &[]);
        let e = s.layout.effect.unwrap();
        approx::assert_abs_diff_eq!(s.a[(e, e)], -3.0, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(
            s.a[(e, s.layout.plasma)],
            3.0 / s.plasma_v_l,
            epsilon = 1e-15
        );
        let met = with_effect_site(&model, Analyte::Metabolite, 2.0).unwrap();
        let s = LinearSystem::new(&met, &[]);
        let e = s.layout.effect.unwrap();
        let mc = s.layout.metabolite_central.unwrap();
        approx::assert_abs_diff_eq!(
            s.a[(e, mc)],
            2.0 / s.metabolite_v_l.unwrap(),
            epsilon = 1e-15
        );
        approx::assert_abs_diff_eq!(s.a[(e, s.layout.plasma)], 0.0, epsilon = 1e-15);
        let no_metabolite = library::get("kamp-2020").unwrap().individual(70.0);
        assert!(with_effect_site(&no_metabolite, Analyte::Metabolite, 1.0).is_none());
    }
}
