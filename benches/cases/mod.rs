//! The systems the solver benches run, shared by `benches/solver.rs` and
//! `examples/instructions.rs` (which runs the same bodies outside criterion).

use ketasim::dosing::{depots, Dose};
use ketasim::model::library;
use ketasim::model::system::LinearSystem;
use ketasim::route::Route;
use ketasim::solver::{SolverConfig, SolverKind};

/// One grid step and one propagation step: 1 min (h).
pub const STEP_H: f64 = 1.0 / 60.0;

/// The bench subject: `kamp-2020`, 70 kg, oral 35 mg every 8 h from 0 (three doses); its
/// system and its doses.
pub fn subject() -> (LinearSystem, Vec<Dose>) {
    let spec = library::get("kamp-2020").expect("built in");
    let dose = Dose::new(&spec, Route::Oral, 35.0, &[]);
    let doses: Vec<Dose> = (0..3).map(|k| dose.at(8.0 * f64::from(k))).collect();
    let system = LinearSystem::new(&spec.individual(70.0), &depots(&doses));
    (system, doses)
}

/// The custom network of `scenarios/custom-network.toml` and its oral schedule.
pub fn network() -> (LinearSystem, Vec<Dose>) {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/custom-network.toml");
    let s = ketasim::scenario::load(&path).expect("the example scenario loads");
    let oral = s
        .schedules
        .iter()
        .find(|sch| sch.name.starts_with("Oral"))
        .expect("an oral schedule");
    let doses = oral.regimen.doses();
    let system = LinearSystem::new(&oral.model.individual(oral.weight_kg), &depots(&doses));
    (system, doses)
}

/// The engine's configuration: the defaults, and rtol 1e-8 for `ode`.
pub fn config(kind: SolverKind) -> SolverConfig {
    match kind {
        SolverKind::Exact => SolverConfig::of(kind),
        SolverKind::Ode => SolverConfig {
            rtol: 1e-8,
            ..SolverConfig::of(kind)
        },
    }
}
