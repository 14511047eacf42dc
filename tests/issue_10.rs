//! Regressions of issue 10 that live in the engine: many ADDL doses, steady-state
//! infusions far longer than their interval, a matrix exponential that spun, and a stiff
//! model that ground on under `--solver ode`.

mod common;

use approx::assert_relative_eq;
use common::one_cpt;
use ketasim::dosing::{Event, Input, InputKind, SteadyStateMode, Timeline};
use ketasim::model::system::LinearSystem;
use ketasim::nonmem::{self, Dataset};
use ketasim::simulate::simulate;
use ketasim::solver::{SolverConfig, SolverKind};
use std::path::Path;

/// Steady state from the closed form against the same regimen given explicitly: the
/// engines' rounding over a few hundred doses.
const EXPLICIT_DOSES_AGREE: f64 = 1e-9;
/// A constant rate held for ever: the closed form `R / CL` to rounding.
const CONSTANT_RATE: f64 = 1e-9;

const MODEL: &str =
    "[model]\ncompartments = 1\nclearance = \"1.1 L/h\"\ncentral_volume = \"20 L\"\n";

fn predict(dataset: &str, kind: SolverKind) -> ketasim::Result<Vec<f64>> {
    let data = Dataset::parse(Path::new("d.csv"), dataset)?;
    let model = nonmem::read_model(Path::new("m.toml"), MODEL)?;
    nonmem::predict(&data, &model, &SolverConfig::of(kind))
}

/// See: issue 10 (`ketasim events` with ADDL 100000 took 11–42 s: every due dose
/// rescanned every waiting one).
#[test]
fn issue_10_addl_100000_runs() {
    let cp = predict(
        // Every half hour for 5.7 years: within the 10-year limit on times.
        "ID,TIME,EVID,AMT,CMT,II,ADDL\n1,0,1,10,1,0.5,100000\n1,50000.25,0,0,1,0,0\n",
        SolverKind::Exact,
    )
    .unwrap();
    // Half an interval after the last dose, at steady state: C = D/V e^{−k t}/(1 − e^{−k τ}).
    let k: f64 = 1.1 / 20.0;
    let want = 10.0 / 20.0 * (-k * 0.25).exp() / (1.0 - (-k * 0.5).exp()) * 1000.0;
    assert_relative_eq!(cp[1], want, max_relative = EXPLICIT_DOSES_AGREE);
}

/// See: issue 10 (`SS=1, II=10, RATE=10, AMT=1e22` allocated one tail per overlapped
/// interval: 1e20 of them). AMT 1e22 is now refused at load time (`tests/fixtures/nonmem/`);
/// the largest overlap the limits allow (1,000 intervals) runs in closed form.
#[test]
fn issue_10_a_steady_state_infusion_far_longer_than_its_interval() {
    for kind in [SolverKind::Exact, SolverKind::Ode] {
        let cp = predict(
            "ID,TIME,EVID,AMT,CMT,SS,II,RATE\n1,0,1,1e5,1,1,10,10\n1,5,0,0,1,0,0,0\n",
            kind,
        )
        .unwrap();
        // 1,000 infusions of 10 mg/h overlap: 1e4 mg/h held for ever, C = R / CL.
        assert_relative_eq!(cp[1], 1e4 / 1.1 * 1000.0, max_relative = CONSTANT_RATE);
    }
}

/// An infusion of 2.5 intervals repeated (2 whole overlaps and a partial one): the
/// closed form against 300 explicit doses, through and after the dose time.
#[test]
fn overlapping_steady_state_infusion_matches_explicit_doses() {
    let system = LinearSystem::new(&one_cpt(8.0, 30.0), &[]);
    let (tau, rate, duration) = (4.0, 12.0, 10.0);
    let infusion = |start_h: f64| Input {
        state: 0,
        start_h,
        kind: InputKind::Infusion {
            rate_mg_h: rate,
            duration_h: duration,
        },
    };
    let times: Vec<f64> = (0..=60).map(|i| f64::from(i) * 0.25).collect();
    let mut closed = Timeline::new();
    closed.push(
        0.0,
        Event::SteadyState {
            interval_h: tau,
            inputs: vec![infusion(0.0)],
            mode: SteadyStateMode::Reset,
        },
    );
    closed.sample_at(&times);
    let mut explicit = Timeline::new();
    for k in 1..=300 {
        let start = -f64::from(k) * tau;
        explicit.push(start, Event::Input(infusion(start)));
    }
    explicit.sample_at(&times);
    let config = SolverConfig::default();
    let a = simulate(&system, closed, &config).unwrap();
    let b = simulate(&system, explicit, &config).unwrap();
    for (x, y) in a.plasma_ng_ml.iter().zip(b.plasma_ng_ml.iter()) {
        assert_relative_eq!(x, y, max_relative = EXPLICIT_DOSES_AGREE);
    }
}

/// See: issue 10 (CL 1e6 L/h under `--solver ode` took 69 s on the 29-scenario suite).
/// CL 1e6 L/h is now refused at load time; the stiffest model the limits allow
/// (k = CL / V = 1e7 /h) must still fail fast under ode.
#[test]
fn issue_10_a_very_stiff_model_fails_fast_under_ode_and_runs_exact() {
    let stiff = "[model]\ncompartments = 1\nclearance = \"1e5 L/h\"\ncentral_volume = \"0.01 L\"\nka = \"1.5 /h\"\n";
    let data = Dataset::parse(
        Path::new("d.csv"),
        "ID,TIME,EVID,AMT,CMT\n1,0,1,100,1\n1,24,0,0,2\n",
    )
    .unwrap();
    let model = nonmem::read_model(Path::new("m.toml"), stiff).unwrap();
    let err = nonmem::predict(&data, &model, &SolverConfig::of(SolverKind::Ode)).unwrap_err();
    assert!(err.to_string().contains("--solver exact"), "{err}");
    assert!(err.is_invalid_input());
    assert!(nonmem::predict(&data, &model, &SolverConfig::default()).is_ok());
}

/// See: issue 10 (a scenario's steady-state infusion longer than its interval panicked).
/// `over = "1e20 h"` and `rate = "1e-300 mg/h"` are now refused at load time; 1,000
/// overlapping intervals, the most the limits allow, run in closed form.
#[test]
fn issue_10_scenario_steady_state_infusions_longer_than_the_interval_run() {
    for dose in [
        r#"{ route = "iv", amount = "1 mg", over = "1000 h", every = "1 h", steady_state = true }"#,
        r#"{ route = "iv", amount = "1 mg", rate = "0.001 mg/h", every = "1 h", steady_state = true }"#,
    ] {
        let text = format!(
            "name = \"overlap\"\n[simulation]\nduration = \"4 h\"\n[[schedule]]\nname = \"a\"\ndoses = [{dose}]\n"
        );
        let scenario = ketasim::scenario::parse(Path::new("s.toml"), &text).unwrap();
        let results = scenario.simulate(SolverKind::Exact).unwrap();
        let c = &results[0].trajectory.plasma_ng_ml;
        // 1 mg per interval held for ever is 1 mg/h: C = 1 mg/h / CL, CL 84 L/h (kamp-2020, 70 kg).
        assert_relative_eq!(c[0], 1.0 / 84.0 * 1000.0, max_relative = CONSTANT_RATE);
        assert!(c.iter().all(|v| v.is_finite()));
    }
}
