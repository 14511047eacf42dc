//! Models as networks (issue 11): the hand-written 11-compartment network runs the same
//! on both engines, systems above 8 states match a closed form on every path, mass is
//! conserved through formations with molar-mass ratios, and a scenario comparing two
//! models names each one.

mod common;

use approx::assert_relative_eq;
use common::root;
use ketasim::dosing::{Event, Input, InputKind, Timeline};
use ketasim::model::network::{Compartment, Elimination, Flow, Kind, Network, Transfer};
use ketasim::model::system::LinearSystem;
use ketasim::model::Model;
use ketasim::report;
use ketasim::scenario;
use ketasim::simulate::grid::{GridSampler, UniformGrid};
use ketasim::simulate::simulate;
use ketasim::solver::{SolverConfig, SolverKind};

/// Exact and ODE (rtol 1e-10) on the same network: the agreement criterion.
const ENGINES_AGREE: f64 = 1e-6;
/// Points below this fraction of a curve's peak are left out of the relative comparison.
const ABOVE_PEAK: f64 = 1e-6;
/// The Bateman sum has 10 terms of alternating sign, each up to ~1e3 times the result:
/// it carries ~1e-13 of cancellation; the engines carry their own rounding.
const CLOSED_FORM: f64 = 1e-9;
/// Dopri5 at rtol 1e-10 against the closed form, through a 10-stage chain.
const ODE_CLOSED_FORM: f64 = 1e-7;
/// Mass balance is a sum of a few exact terms: rounding only.
const MASS_BALANCE: f64 = 1e-9;

fn agree(what: &str, exact: &[f64], ode: &[f64]) {
    let peak = exact.iter().cloned().fold(0.0, f64::max);
    assert!(peak > 0.0, "{what}: no curve");
    for (i, (a, b)) in exact.iter().zip(ode).enumerate() {
        if *a > ABOVE_PEAK * peak {
            assert!(
                (a - b).abs() <= ENGINES_AGREE * a.abs(),
                "{what} point {i}: exact {a} vs ode {b}"
            );
        }
    }
}

#[test]
fn custom_network_runs_the_same_on_both_engines() {
    let s = scenario::load(&root().join("scenarios/custom-network.toml")).unwrap();
    let net = s.model.network.as_ref().expect("a written network");
    assert!(net.compartments.len() >= 10);
    let exact = s.simulate(SolverKind::Exact).unwrap();
    let ode = s.simulate(SolverKind::Ode).unwrap();
    for (e, o) in exact.iter().zip(&ode) {
        let (te, to) = (&e.trajectory, &o.trajectory);
        let slice = |a: &ndarray::Array1<f64>| a.to_vec();
        agree(&e.name, &slice(&te.plasma_ng_ml), &slice(&to.plasma_ng_ml));
        let (me, mo) = (te.metabolite_ng_ml.as_ref(), to.metabolite_ng_ml.as_ref());
        agree(&e.name, &slice(me.unwrap()), &slice(mo.unwrap()));
        let (fe, fo) = (te.effect_ng_ml.as_ref(), to.effect_ng_ml.as_ref());
        agree(&e.name, &slice(fe.unwrap()), &slice(fo.unwrap()));
    }
}

/// A chain of 9 depots emptying into one another and then into a central volume: 10
/// compartments plus the AUC, above the 8 states of the fixed-size engines.
fn chain() -> (Model, Vec<f64>, f64) {
    let rates: Vec<f64> = (0..10).map(|i| 0.4 + 0.37 * f64::from(i)).collect();
    let v_l = 12.0;
    let mut compartments: Vec<Compartment<f64>> = (0..9)
        .map(|i| Compartment {
            name: format!("depot-{i}").into(),
            kind: Kind::Amount,
        })
        .collect();
    compartments.push(Compartment {
        name: "central".into(),
        kind: Kind::Volume(v_l),
    });
    let network = Network {
        compartments,
        flows: (0..9)
            .map(|i| Flow {
                from: i,
                to: i + 1,
                transfer: Transfer::RateConstant(rates[i]),
                both_ways: false,
            })
            .collect(),
        eliminations: vec![Elimination {
            from: 9,
            transfer: Transfer::RateConstant(rates[9]),
            forms: None,
        }],
        plasma: 9,
        metabolite: None,
        effect: None,
        routes: Vec::new(),
        split_routes: Vec::new(),
    };
    let mut model = common::one_cpt(1.0, v_l);
    model.network = Some(network);
    (model, rates, v_l)
}

/// The last member of a first-order chain after a unit dose into the first:
/// `x_n(t) = (Π_{i<n} k_i) Σ_j e^{−k_j t} / Π_{i≠j} (k_i − k_j)` (Bateman H, Proc Camb
/// Philos Soc 1910;15:423).
fn bateman(rates: &[f64], t: f64) -> f64 {
    let n = rates.len();
    let product: f64 = rates[..n - 1].iter().product();
    let sum: f64 = (0..n)
        .map(|j| {
            let denominator: f64 = (0..n)
                .filter(|&i| i != j)
                .map(|i| rates[i] - rates[j])
                .product();
            (-rates[j] * t).exp() / denominator
        })
        .sum();
    product * sum
}

#[test]
fn a_system_above_eight_states_matches_the_closed_form_on_every_path() {
    let (model, rates, v_l) = chain();
    let system = LinearSystem::new(&model, &[]);
    assert_eq!(system.n(), 11);
    let dose_mg = 100.0;
    let bolus = Input {
        state: 0,
        start_h: 0.0,
        kind: InputKind::Bolus { amount_mg: dose_mg },
    };
    let grid = UniformGrid::new(24.0, 1.0 / 60.0);
    let times = grid.times_h();
    let want: Vec<f64> = times
        .iter()
        .map(|&t| dose_mg * bateman(&rates, t) / v_l * 1000.0)
        .collect();
    let peak = want.iter().cloned().fold(0.0, f64::max);
    let check = |what: &str, got: &[f64], tolerance: f64| {
        for (i, (g, w)) in got.iter().zip(&want).enumerate() {
            assert!(
                (g - w).abs() <= tolerance * peak,
                "{what} at {} h: {g} vs {w}",
                times[i]
            );
        }
    };
    for (kind, tolerance) in [
        (SolverKind::Exact, CLOSED_FORM),
        (SolverKind::Ode, ODE_CLOSED_FORM),
    ] {
        let config = SolverConfig::of(kind);
        // Every state at chosen times.
        let mut timeline = Timeline::new();
        timeline.push(0.0, Event::Input(bolus));
        timeline.sample_at(&times);
        let course = simulate(&system, timeline, &config).unwrap();
        check(
            kind.id(),
            course.plasma_ng_ml.as_slice().unwrap(),
            tolerance,
        );
        // The uniform grid.
        let mut timeline = Timeline::new();
        timeline.push(0.0, Event::Input(bolus));
        let mut out = vec![0.0; grid.len()];
        GridSampler { grid, config }
            .plasma(&system, timeline, &mut out)
            .unwrap();
        check(kind.id(), &out, tolerance);
    }
}

#[test]
fn mass_is_conserved_through_formations_with_molar_mass_ratios() {
    let s = scenario::load(&root().join("scenarios/custom-network.toml")).unwrap();
    let results = s.simulate(SolverKind::Exact).unwrap();
    for (sch, r) in s.schedules.iter().zip(&results) {
        let model = sch.model.individual(sch.weight_kg);
        let dosed: f64 = sch.regimen.doses().iter().map(|d| d.amount_mg).sum();
        let system = LinearSystem::new(&model, &[]);
        let states = &r.trajectory.states;
        let last = states.row(states.nrows() - 1);
        let x = last.as_slice().unwrap();
        let total = system.amount_in_body_mg(x) + system.eliminated_mg(x);
        assert_relative_eq!(total, dosed, max_relative = MASS_BALANCE);
    }
}

#[test]
fn a_scenario_comparing_models_names_each_model() {
    let s = scenario::load(&root().join("scenarios/racemic-iv-vs-esketamine-nasal.toml")).unwrap();
    assert_eq!(s.schedules[0].model.id, "kamp-2020");
    assert_eq!(s.schedules[1].model.id, "fanta-2015");
    let results = s.simulate(SolverKind::Exact).unwrap();
    let summary = report::summary::render(&s, &results, SolverKind::Exact);
    let mut csv = Vec::new();
    report::csv::time_course(&results, &mut csv).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    let plot = report::figure::spec(&s, &results);
    for id in ["kamp-2020", "fanta-2015"] {
        assert!(summary.contains(&format!("({id})")), "{summary}");
        assert!(csv.contains(&format!("({id})")));
        assert!(plot
            .series
            .iter()
            .any(|p| p.name.ends_with(&format!("({id})"))));
        assert!(plot.footer.contains(id));
    }
}
