//! The bodies of `benches/solver.rs`, run N times outside criterion, for figures that do
//! not depend on the machine's load:
//!
//! ```text
//! cargo build --profile bench --example instructions
//! valgrind --tool=callgrind target/release/examples/instructions exact/subject_24h 1
//! valgrind --tool=callgrind target/release/examples/instructions exact/subject_24h 21
//! ```
//!
//! Instructions per iteration = (the second count − the first) / 20. Without valgrind it
//! prints the CPU time per iteration (the process's, from `/proc/self/schedstat`).
//! IDs: `exact/` or `ode/` followed by `step_1min`, `interval_8h`, `subject_24h`,
//! `general_24h`, `network_24h`, `network_general_24h` (as in the bench).
use ketasim::dosing::Timeline;
use ketasim::simulate::grid::{GridSampler, Reduced, UniformGrid};
use ketasim::simulate::simulate;
use ketasim::solver::{new_propagator, Grid, GridOutput, SolverKind};
use std::hint::black_box;

#[path = "../benches/cases/mod.rs"]
mod cases;

/// The allocator the `ketasim` binary runs with (`src/main.rs`), so that the set-up's
/// allocations cost here what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cases::{config, network, subject, STEP_H};

/// CPU time of this (single-threaded) process so far, ns (Linux `/proc/self/schedstat`).
fn cpu_ns() -> u64 {
    let s = std::fs::read_to_string("/proc/self/schedstat").unwrap_or_default();
    s.split_whitespace()
        .next()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let t0 = cpu_ns();
    run();
    let n: u64 = std::env::args().nth(2).unwrap().parse().unwrap();
    eprintln!("cpu_ns_per_iter {:.1}", (cpu_ns() - t0) as f64 / n as f64);
}

fn run() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let (kind_s, what) = a[0].split_once('/').expect("KIND/ID");
    let kind = SolverKind::parse(kind_s).expect("kind");
    let n: usize = a[1].parse().expect("N");
    let c = config(kind);
    match what {
        "step_1min" => {
            let (system, _) = subject();
            let mut p = new_propagator(&system.a, None, &c).unwrap();
            for _ in 0..n {
                let mut x = vec![0.0; system.n()];
                x[0] = 10.0;
                x[3] = 20.0;
                p.advance(black_box(&mut x), black_box(STEP_H)).unwrap();
                black_box(&x);
            }
        }
        "interval_8h" => {
            let (system, _) = subject();
            let reduced = Reduced::of(&system);
            let out = GridOutput {
                state: 0,
                factor: 1000.0 / system.model.disposition.v1_l,
            };
            let grid = Grid {
                step_h: STEP_H,
                output: out,
            };
            let mut p = new_propagator(&reduced.a, Some(grid), &c).unwrap();
            let mut points = vec![0.0; 480];
            for _ in 0..n {
                let mut x = [10.0, 5.0, 2.0, 35.0, 0.0];
                p.sample(black_box(&mut x), &mut points).unwrap();
                black_box(&points);
            }
        }
        _ => {
            let (system, doses) = if what.starts_with("network") {
                network()
            } else {
                subject()
            };
            let grid = UniformGrid::new(24.0, STEP_H);
            let mut out = vec![0.0; grid.len()];
            let sampler = GridSampler { grid, config: c };
            let general = what.contains("general");
            for _ in 0..n {
                if general {
                    let timeline = Timeline::of_doses(&doses, &system, &grid.times_h());
                    black_box(simulate(black_box(&system), timeline, &c).unwrap());
                } else {
                    let timeline = Timeline::of_doses(&doses, &system, &[]);
                    black_box(
                        sampler
                            .plasma(black_box(&system), timeline, &mut out)
                            .unwrap(),
                    );
                }
            }
        }
    }
}
