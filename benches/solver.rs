//! Solver benches on the 3-compartment model with an oral depot: `kamp-2020`, 70 kg,
//! oral 35 mg (0.5 mg/kg) every 8 h from 0, three doses; `ode` at rtol 1e-8.
//!
//! Bench IDs (`cargo bench --bench solver -- ID` runs one):
//!
//! | ID | what one iteration does |
//! |---|---|
//! | `exact/step_1min` | one propagation step of the full system (`Propagator::advance`, 1 min, cached Φ/Γ) from the same state every iteration (a copy of 6 values included) |
//! | `ode/step_1min` | the same step with the `Ode` propagator (one Dopri5 run over 1 min) |
//! | `exact/interval_8h` | one 8-h dosing interval on the 1-min grid (480 points) with `Propagator::sample`, propagators cached: the hot loop |
//! | `ode/interval_8h` | the same interval with the Dopri5 propagator |
//! | `exact/subject_24h` | one subject over 24 h on the 1-min grid (1441 points) by the fast path, propagators computed: `simulate::grid::GridSampler::plasma` |
//! | `ode/subject_24h` | the same with the Dopri5 propagator |
//! | `exact/general_24h` | the same subject through the walk's every-state sink (`simulate::simulate`, every state of every sample) |
//! | `ode/general_24h` | the same with `Ode` |
//! | `exact/network_24h` | `scenarios/custom-network.toml` (11 compartments), oral 50 mg, 24 h on the 1-min grid by the grid sink (plasma needs 8 of its states) |
//! | `exact/network_general_24h` | the same through the every-state sink: 15 states, the padded 16-state propagator |
//! | `ode/network_24h`, `ode/network_general_24h` | the same with `Ode` (fixed-size vectors, then heap vectors) |
//!
//! Groups report throughput in points (elements): criterion prints points per second;
//! ns per point = 1e9 / that figure. The README quotes the figures measured.

#![allow(missing_docs)] // criterion's macros generate undocumented public functions

mod cases;

/// The allocator the `ketasim` binary runs with (`src/main.rs`), so that the set-up's
/// allocations cost here what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cases::{config, network, subject, STEP_H};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use ketasim::dosing::{Dose, Timeline};
use ketasim::model::system::LinearSystem;
use ketasim::simulate::grid::{GridSampler, Reduced, UniformGrid};
use ketasim::simulate::simulate;
use ketasim::solver::{new_propagator, Grid, GridOutput, SolverKind};

fn step(c: &mut Criterion) {
    let (system, _) = subject();
    for kind in [SolverKind::Exact, SolverKind::Ode] {
        let mut solver = new_propagator(&system.a, None, &config(kind)).expect("6 states fit");
        let mut start = vec![0.0; system.n()];
        start[0] = 10.0;
        start[3] = 20.0;
        let mut x = start.clone();
        let mut group = c.benchmark_group(kind.id());
        // The state is reset every iteration: stepped on, it would decay to subnormal
        // numbers, whose arithmetic is many times slower, and the figure would mean nothing.
        group.bench_function("step_1min", |b| {
            b.iter(|| {
                x.copy_from_slice(&start);
                solver.advance(black_box(&mut x), black_box(STEP_H))
            })
        });
        group.finish();
    }
}

fn interval(c: &mut Criterion) {
    let (system, _) = subject();
    let reduced = Reduced::of(&system);
    let out = GridOutput {
        state: 0,
        factor: 1000.0 / system.model.disposition.v1_l,
    };
    for kind in [SolverKind::Exact, SolverKind::Ode] {
        let grid = Grid {
            step_h: STEP_H,
            output: out,
        };
        let mut engine =
            new_propagator(&reduced.a, Some(grid), &config(kind)).expect("5 states fit");
        let mut points = vec![0.0; 480];
        let mut group = c.benchmark_group(kind.id());
        group.throughput(Throughput::Elements(points.len() as u64));
        group.bench_function("interval_8h", |b| {
            b.iter(|| {
                let mut x = [10.0, 5.0, 2.0, 35.0, 0.0];
                engine.sample(black_box(&mut x), &mut points)
            })
        });
        group.finish();
    }
}

fn subject_24h(c: &mut Criterion) {
    let (system, doses) = subject();
    grid_and_general(c, &system, &doses, "subject_24h", "general_24h");
}

/// `grid_id`: the uniform-grid sink over 24 h at 1 min; `general_id`: the every-state
/// sink at the same times; each on both engines.
fn grid_and_general(
    c: &mut Criterion,
    system: &LinearSystem,
    doses: &[Dose],
    grid_id: &str,
    general_id: &str,
) {
    let grid = UniformGrid::new(24.0, STEP_H);
    let mut out = vec![0.0; grid.len()];
    for kind in [SolverKind::Exact, SolverKind::Ode] {
        let config = config(kind);
        let sampler = GridSampler { grid, config };
        let mut group = c.benchmark_group(kind.id());
        group.throughput(Throughput::Elements(grid.len() as u64));
        group.bench_function(grid_id, |b| {
            b.iter(|| {
                let timeline = Timeline::of_doses(doses, system, &[]);
                sampler.plasma(black_box(system), timeline, &mut out)
            })
        });
        group.bench_function(general_id, |b| {
            b.iter(|| {
                let timeline = Timeline::of_doses(doses, system, &grid.times_h());
                simulate(black_box(system), timeline, &config)
            })
        });
        group.finish();
    }
}

fn network_24h(c: &mut Criterion) {
    let (system, doses) = network();
    grid_and_general(c, &system, &doses, "network_24h", "network_general_24h");
}

criterion_group!(benches, step, interval, subject_24h, network_24h);
criterion_main!(benches);
