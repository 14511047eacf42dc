//! The TCI controller: planning the pump of `scenarios/tci-kamp.toml` (`kamp-2020`, 70 kg,
//! 1 h, a rate every 10 s: 360 updates, target 1 then 0.5 µg/mL at 30 min).
//!
//! Bench IDs (`cargo bench --bench tci -- ID` runs one):
//!
//! | ID | what one iteration does |
//! |---|---|
//! | `tci/plasma_kamp_1h` | `control::plan` for the plasma targets: 360 rates, the hand-given doses' course (none here) and the unit responses included; the model and its system built outside |
//! | `tci/effect_kamp_1h` | the same for the effect-site targets: also the rows bracketing the effect-site peak and the golden-section search of each update |
//! | `tci/scenario_kamp_1h` | `Scenario::simulate` of the whole file: both pumps planned, then both schedules simulated on the 10-s grid (361 points) with their 360 infusions |

#![allow(missing_docs)] // criterion's macros generate undocumented public functions

/// The allocator the `ketasim` binary runs with (`src/main.rs`), so that the set-up's
/// allocations cost here what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use ketasim::control::plan;
use ketasim::dosing::schedule_depots;
use ketasim::model::system::LinearSystem;
use ketasim::scenario::{self, Scenario};
use ketasim::solver::{SolverConfig, SolverKind};
use std::hint::black_box;
use std::path::Path;

fn scenario() -> Scenario {
    let rel = "scenarios/tci-kamp.toml";
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(rel))
        .expect("scenario file");
    scenario::parse(Path::new(rel), &text).expect("valid scenario")
}

fn tci(c: &mut Criterion) {
    let s = scenario();
    let config = SolverConfig::of(SolverKind::Exact);
    let mut group = c.benchmark_group("tci");
    for (id, schedule) in ["plasma_kamp_1h", "effect_kamp_1h"]
        .iter()
        .zip(&s.schedules)
    {
        let (doses, steady) = (schedule.regimen.doses(), schedule.regimen.steady());
        let model = schedule.model.individual(schedule.weight_kg);
        let system = LinearSystem::new(&model, &schedule_depots(&doses, &steady));
        let targets = schedule.tci.as_ref().expect("a TCI schedule");
        group.bench_function(*id, |b| {
            b.iter(|| {
                plan(
                    &schedule.model,
                    &system,
                    &doses,
                    &steady,
                    black_box(targets),
                    s.duration_h,
                    &config,
                )
                .expect("plans")
            })
        });
    }
    group.bench_function("scenario_kamp_1h", |b| {
        b.iter(|| black_box(&s).simulate(SolverKind::Exact).expect("runs"))
    });
    group.finish();
}

criterion_group!(benches, tci);
criterion_main!(benches);
