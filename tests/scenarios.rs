//! Every scenario in `scenarios/` (lessons included) loads, simulates and gives sane curves.

mod common;

use common::{files_below, root};
use ketasim::scenario;
use ketasim::solver::SolverKind;

#[test]
fn every_scenario_runs() {
    let files: Vec<_> = files_below(&root().join("scenarios"))
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "toml"))
        .collect();
    assert!(files.len() >= 9, "expected the example scenarios");
    for f in files {
        let s = scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
        let results = s.simulate(SolverKind::Exact).unwrap();
        assert_eq!(results.len(), s.schedules.len());
        for r in &results {
            let c = &r.trajectory.plasma_ng_ml;
            assert!(
                c.iter().all(|v| v.is_finite() && *v > -1e-9),
                "{}: {}",
                f.display(),
                r.name
            );
            assert!(
                r.summary.cmax_ng_ml > 0.0,
                "{}: {} never rises",
                f.display(),
                r.name
            );
            assert!(r.summary.auc_ng_h_ml > 0.0);
        }
    }
}

/// The published regimens land where docs/sources.md §Model sanity check says (D): the
/// depression infusion peaks at 253 ng/mL on kamp-2020 (an independent RK4 simulation).
#[test]
fn depression_infusion_peaks_where_the_reference_simulation_does() {
    let s = scenario::load(&root().join("scenarios/depression-infusion.toml")).unwrap();
    let r = s.simulate(SolverKind::Exact).unwrap();
    // The sanity-check value is rounded to 3 digits.
    approx::assert_relative_eq!(r[0].summary.cmax_ng_ml, 253.0, max_relative = 0.005);
    approx::assert_relative_eq!(r[0].summary.tmax_h, 40.0 / 60.0, max_relative = 1e-9);
}

/// Repeating a dose with steady_state = true starts where many repeats end up.
#[test]
fn steady_state_start_equals_the_limit_of_repeated_doses() {
    let s = scenario::load(&root().join("scenarios/oral-pain.toml")).unwrap();
    let r = s.simulate(SolverKind::Exact).unwrap();
    let (first, steady) = (&r[0].trajectory.plasma_ng_ml, &r[1].trajectory.plasma_ng_ml);
    let last = first.len() - 1;
    // After 72 h (≈ 17 half-lives of the slowest phase) the repeated course is at steady state.
    approx::assert_relative_eq!(first[last], steady[last], max_relative = 1e-6);
    assert!(
        steady[0] > 1.0,
        "the steady-state course starts with drug on board"
    );
}
