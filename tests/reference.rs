//! The exact solver against closed-form answers (`ketasim::solver::reference`).

mod common;

use approx::assert_relative_eq;
use common::{course, one_cpt, two_cpt};
use ketasim::dosing::Dose;
use ketasim::model::library;
use ketasim::route::{Absorption, Route, RouteOverride};
use ketasim::solver::reference::*;
use ketasim::solver::SolverKind;

/// The matrix exponential is accurate to ~1e-14 of the state norm; over these courses
/// concentrations stay within 1e-3 of their peak, so 1e-9 relative is far from rounding.
const CLOSED_FORM: f64 = 1e-9;

fn iv(amount_mg: f64) -> Dose {
    Dose::new(
        &library::get("kamp-2020").unwrap(),
        Route::Iv,
        amount_mg,
        &[],
    )
}

#[test]
fn one_compartment_bolus() {
    let (cl, v) = (1.1, 20.0);
    let (_, t) = course(&one_cpt(cl, v), &[iv(100.0)], 48.0, 0.5, SolverKind::Exact);
    for (time, c) in t.time_h.iter().zip(&t.plasma_ng_ml) {
        assert_relative_eq!(
            *c,
            one_cpt_bolus(100.0, v, cl, *time) * 1000.0,
            max_relative = CLOSED_FORM
        );
    }
}

#[test]
fn one_compartment_infusion_during_and_after() {
    let (cl, v) = (5.0, 40.0);
    let dose = iv(60.0).over(3.0);
    let (_, t) = course(&one_cpt(cl, v), &[dose], 24.0, 0.25, SolverKind::Exact);
    for (time, c) in t.time_h.iter().zip(&t.plasma_ng_ml).skip(1) {
        let want = one_cpt_infusion(20.0, 3.0, v, cl, *time) * 1000.0;
        assert_relative_eq!(*c, want, max_relative = CLOSED_FORM);
    }
}

#[test]
fn one_compartment_first_order_absorption() {
    let (cl, v, ka, f) = (1.1, 20.0, 1.5, 0.4);
    let o = RouteOverride {
        bioavailability: Some(f),
        ka_per_h: Some(ka),
        ..Default::default()
    };
    let dose = Dose::new(
        &library::get("kamp-2020").unwrap(),
        Route::Oral,
        100.0,
        &[&o],
    );
    assert_eq!(
        dose.settings.absorption,
        Absorption::FirstOrder { ka_per_h: ka }
    );
    let (_, t) = course(&one_cpt(cl, v), &[dose], 48.0, 0.5, SolverKind::Exact);
    for (time, c) in t.time_h.iter().zip(&t.plasma_ng_ml).skip(1) {
        assert_relative_eq!(
            *c,
            one_cpt_first_order(f, 100.0, ka, v, cl, *time) * 1000.0,
            max_relative = CLOSED_FORM
        );
    }
}

#[test]
fn two_compartment_bolus() {
    // Herd 2007 at 70 kg: CL 90, V1 38.7, Q 215, V2 102.
    let model = two_cpt(90.0, 38.7, 215.0, 102.0);
    let k = model.disposition.micro();
    let (_, t) = course(&model, &[iv(100.0)], 12.0, 1.0 / 12.0, SolverKind::Exact);
    for (time, c) in t.time_h.iter().zip(&t.plasma_ng_ml) {
        let want = two_cpt_bolus(100.0, 38.7, k.k10, k.k12, k.k21, *time) * 1000.0;
        assert_relative_eq!(*c, want, max_relative = CLOSED_FORM);
    }
}
