//! The uniform-grid fast path (`simulate::grid`) gives the general walk's plasma curve
//! and AUC on every built-in model × route, with lags, infusions, repeats, a steady-state
//! start and off-grid events, for both engines.

mod common;

use ketasim::dosing::{depots, grid, Dose, SteadyStart, Timeline};
use ketasim::model::library;
use ketasim::model::system::LinearSystem;
use ketasim::route::{Route, RouteOverride};
use ketasim::simulate::grid::{GridSampler, Reduced, UniformGrid};
use ketasim::simulate::simulate;
use ketasim::solver::{SolverConfig, SolverKind};

/// Same engine, same arithmetic up to the order of a few sums: rounding only.
const SAME_ENGINE: f64 = 1e-11;
/// Dopri5 at rtol 1e-10 through its order-4 dense output, against the exact propagator
/// (the engines' agreement, 1e-6, with room to spare).
const DENSE_VS_EXACT: f64 = 1e-7;

/// A dose with a 15 min lag at 0, a dose at 6 h 20 min 7 s (off the 10 min grid; an
/// infusion at a rate for IV), and a dose repeated every 8 h from 12 h.
fn schedule(spec: &ketasim::model::ModelSpec, route: Route) -> (Vec<Dose>, Vec<SteadyStart>) {
    let lag = RouteOverride {
        lag_h: Some(0.25),
        ..Default::default()
    };
    let mut doses = vec![Dose::new(spec, route, 35.0, &[&lag])];
    let off_grid = Dose::new(spec, route, 20.0, &[]).at(6.0 + 20.0 / 60.0 + 7.0 / 3600.0);
    doses.push(if route == Route::Iv {
        off_grid.at_rate(40.0)
    } else {
        off_grid
    });
    let repeated = Dose::new(spec, route, 10.0, &[]).at(12.0);
    doses.extend((0..2).map(|k| repeated.at(12.0 + 8.0 * f64::from(k))));
    (
        doses,
        vec![SteadyStart {
            dose: repeated,
            interval_h: 8.0,
        }],
    )
}

fn worst(a: &[f64], b: &[f64]) -> f64 {
    let peak = a.iter().chain(b).fold(0.0f64, |m, v| m.max(v.abs()));
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs() / peak)
        .fold(0.0, f64::max)
}

#[test]
fn fast_path_equals_the_general_walk() {
    let (duration, step) = (30.0, 1.0 / 6.0);
    let g = UniformGrid::new(duration, step);
    assert_eq!(g.times_h(), grid(duration, step));
    for spec in library::all() {
        for route in Route::ALL {
            let (doses, steady) = schedule(&spec, route);
            let all: Vec<Dose> = doses
                .iter()
                .chain(steady.iter().map(|s| &s.dose))
                .copied()
                .collect();
            let system = LinearSystem::new(&spec.individual(70.0), &depots(&all));
            let timeline = || Timeline::of_schedule(&doses, &steady, &system, &[]);
            let sampled = Timeline::of_schedule(&doses, &steady, &system, &g.times_h());
            let general = simulate(&system, sampled, &SolverConfig::default()).unwrap();
            let auc = &general.auc_ng_h_ml;
            let general_auc = auc[auc.len() - 1] - auc[0];
            for kind in [SolverKind::Exact, SolverKind::Ode] {
                let mut fast = vec![0.0; g.len()];
                let course = GridSampler {
                    grid: g,
                    config: SolverConfig::of(kind),
                }
                .plasma(&system, timeline(), &mut fast)
                .unwrap();
                let tol = if kind == SolverKind::Exact {
                    SAME_ENGINE
                } else {
                    DENSE_VS_EXACT
                };
                let w = worst(&fast, general.plasma_ng_ml.as_slice().unwrap());
                assert!(
                    w <= tol,
                    "{} {route} {kind:?}: curves differ by {w:.1e}",
                    spec.id
                );
                let da = (course.auc_ng_h_ml - general_auc).abs() / general_auc;
                assert!(
                    da <= tol,
                    "{} {route} {kind:?}: AUC differs by {da:.1e}",
                    spec.id
                );
            }
        }
    }
}

#[test]
fn a_short_last_step_and_a_coarse_grid_work() {
    let spec = library::get("kamp-2020").unwrap();
    let doses = vec![Dose::new(&spec, Route::Oral, 50.0, &[]).at(0.5)];
    let system = LinearSystem::new(&spec.individual(70.0), &depots(&doses));
    let g = UniformGrid::new(10.0, 0.75);
    assert_eq!(g.times_h(), grid(10.0, 0.75));
    let mut fast = vec![0.0; g.len()];
    let timeline = Timeline::of_doses(&doses, &system, &[]);
    GridSampler {
        grid: g,
        config: SolverConfig::default(),
    }
    .plasma(&system, timeline, &mut fast)
    .unwrap();
    let sampled = Timeline::of_doses(&doses, &system, &g.times_h());
    let general = simulate(&system, sampled, &SolverConfig::default()).unwrap();
    assert!(worst(&fast, general.plasma_ng_ml.as_slice().unwrap()) <= SAME_ENGINE);
}

#[test]
fn the_reduced_system_drops_what_plasma_does_not_need() {
    // Fanta 2015 with oral dosing: 3 parent + 2 metabolite + 2 depots + effect + 2 AUCs.
    let spec = library::get("fanta-2015").unwrap();
    let doses = vec![Dose::new(&spec, Route::Oral, 50.0, &[])];
    let system = LinearSystem::new(&spec.individual(70.0), &depots(&doses));
    assert_eq!(system.n(), 10);
    let r = Reduced::of(&system);
    // 3 parent compartments, the parent depot, the parent AUC.
    assert_eq!(r.states, vec![0, 1, 2, 5, 8]);
}

/// Work counts of the grid engines on the bench subject (kamp-2020, oral 35 mg every 8 h,
/// 24 h on a 1-min grid): a change that makes an engine work harder fails here.
#[test]
fn grid_engine_work_is_pinned() {
    let spec = library::get("kamp-2020").unwrap();
    let dose = Dose::new(&spec, Route::Oral, 35.0, &[]);
    let doses: Vec<Dose> = (0..3).map(|k| dose.at(8.0 * f64::from(k))).collect();
    let system = LinearSystem::new(&spec.individual(70.0), &depots(&doses));
    let g = UniformGrid::new(24.0, 1.0 / 60.0);
    let mut out = vec![0.0; g.len()];
    let run = |config: SolverConfig, out: &mut [f64]| {
        let timeline = Timeline::of_doses(&doses, &system, &[]);
        GridSampler { grid: g, config }
            .plasma(&system, timeline, out)
            .unwrap()
            .stats
    };
    let exact = run(SolverConfig::default(), &mut out);
    insta::assert_debug_snapshot!(exact, @r"
    SolverStats {
        evaluations: 0,
        accepted_steps: 0,
        rejected_steps: 0,
        exponentials: 1,
    }
    ");
    let ode = SolverConfig {
        rtol: 1e-8,
        ..SolverConfig::of(SolverKind::Ode)
    };
    insta::assert_debug_snapshot!(run(ode, &mut out), @r"
    SolverStats {
        evaluations: 2301,
        accepted_steps: 381,
        rejected_steps: 0,
        exponentials: 0,
    }
    ");
}
