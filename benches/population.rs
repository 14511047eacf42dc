//! Population benches: the scenario `benches/scenarios/population-10k.toml` (kamp-2020 with
//! an oral depot, oral 0.5 mg/kg every 8 h, 24 h on a 1-minute grid, CL/V1/Vp/ka varied,
//! normal weights) cut to 1,000 subjects (the curves fit in L3 and are kept) and at
//! 100,000 (144 million subject-points: 576 MB as `f32`, so the percentiles come from
//! brackets over passes, `population/bracket.rs`), simulated as `ketasim run` does
//! (typical patient, every subject, percentile curves and summaries), in the global rayon
//! pool (all cores).
//!
//! Bench IDs (`cargo bench --bench population -- ID` runs one):
//!
//! | ID | what one iteration does |
//! |---|---|
//! | `population/1000_subjects_24h` | `Scenario::simulate` of the scenario with 1,000 subjects (1,441 points each) |
//! | `population/1000_subjects_24h_files` | the same, plus the time-course CSV, summary CSV and PNG rendered in memory |
//! | `population/100000_subjects_24h_files` | the 100,000-subject scenario, CSVs and PNG rendered in memory |
//!
//! Throughput is in subject-points (subjects × 1,441). The 10,000-subject wall time and
//! peak memory quoted in the README are of the CLI (`/usr/bin/time -v`, hyperfine), not of
//! these benches.

#![allow(missing_docs)] // criterion's macros generate undocumented public functions

/// The allocator the `ketasim` binary runs with (`src/main.rs`), so that the set-up's
/// allocations cost here what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ketasim::report;
use ketasim::scenario;
use ketasim::solver::SolverKind;
use std::path::Path;

const SUBJECTS: usize = 1000;
/// Beyond L3 and beyond what is kept in memory.
const LARGE: usize = 100_000;

fn scenario(subjects: usize) -> scenario::Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/scenarios/population-10k.toml");
    let mut s = scenario::load(&path).expect("the bench scenario is valid");
    s.population.as_mut().expect("it has a population").size = subjects;
    s
}

/// Everything `ketasim run` computes and renders for `s`, in memory.
fn with_files(s: &scenario::Scenario) -> (usize, usize, usize) {
    let results = s.simulate(SolverKind::Exact).expect("simulates");
    let (mut csv, mut summary) = (Vec::new(), Vec::new());
    report::csv::time_course(&results, &mut csv).expect("in memory");
    report::csv::summary(&results, &mut summary).expect("in memory");
    let png = report::figure::files(s, &results, &s.outputs.plot, false).expect("renders");
    (csv.len(), summary.len(), png.len())
}

fn population(c: &mut Criterion) {
    let s = scenario(SUBJECTS);
    let points = ketasim::dosing::grid(s.duration_h, s.output_every_h).len();
    let mut group = c.benchmark_group("population");
    group.sample_size(20);
    group.throughput(Throughput::Elements((SUBJECTS * points) as u64));
    group.bench_function("1000_subjects_24h", |b| {
        b.iter(|| s.simulate(SolverKind::Exact).expect("simulates"))
    });
    group.bench_function("1000_subjects_24h_files", |b| b.iter(|| with_files(&s)));
    let large = scenario(LARGE);
    group.sample_size(10);
    group.throughput(Throughput::Elements((LARGE * points) as u64));
    group.bench_function("100000_subjects_24h_files", |b| {
        b.iter(|| with_files(&large))
    });
    group.finish();
}

criterion_group!(benches, population);
criterion_main!(benches);
