//! Helpers shared by the integration tests.
#![allow(dead_code)]

use ketasim::dosing::{depots, grid, Dose, Timeline};
use ketasim::model::system::LinearSystem;
use ketasim::model::{Disposition, Model, Peripheral};
use ketasim::simulate::{simulate, Trajectory};
use ketasim::solver::{SolverConfig, SolverKind};

/// Simulate `doses` on `model` over `duration_h`, sampling every `step_h`.
pub fn course(
    model: &Model,
    doses: &[Dose],
    duration_h: f64,
    step_h: f64,
    kind: SolverKind,
) -> (LinearSystem, Trajectory) {
    course_at(model, doses, &grid(duration_h, step_h), kind)
}

/// Simulate `doses` on `model`, sampling at `times_h`.
pub fn course_at(
    model: &Model,
    doses: &[Dose],
    times_h: &[f64],
    kind: SolverKind,
) -> (LinearSystem, Trajectory) {
    let system = LinearSystem::new(model, &depots(doses));
    let timeline = Timeline::of_doses(doses, &system, times_h);
    let t = simulate(&system, timeline, &SolverConfig::of(kind)).expect("simulation runs");
    (system, t)
}

/// A one-compartment model (no effect site, no metabolite).
pub fn one_cpt(cl_l_h: f64, v_l: f64) -> Model {
    Model {
        disposition: Disposition {
            cl_l_h,
            v1_l: v_l,
            peripherals: vec![],
        },
        ke0_per_h: None,
        metabolite: None,
        depot_ka_per_h: None,
        network: None,
    }
}

/// A two-compartment model.
pub fn two_cpt(cl_l_h: f64, v1_l: f64, q_l_h: f64, v2_l: f64) -> Model {
    let mut m = one_cpt(cl_l_h, v1_l);
    m.disposition
        .peripherals
        .push(Peripheral { q_l_h, v_l: v2_l });
    m
}

/// The `ketasim` binary, run in `dir`.
pub fn ketasim(dir: &std::path::Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ketasim").expect("the binary is built");
    cmd.current_dir(dir);
    cmd
}

/// The repository root.
pub fn root() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file below `dir` (recursively), sorted.
pub fn files_below(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files_below(&p));
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}
