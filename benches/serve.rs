//! What `ketasim serve` does per redraw: the scenario text validated, simulated and turned
//! into the page's JSON (`POST /api/simulate` without the HTTP), and per control change
//! the edit of the text (`POST /api/edit`). The HTTP round trip on loopback and the 30-
//! client latency are measured by `tests/serve.rs` (printed, not asserted).
//!
//! Bench IDs (`cargo bench --bench serve -- ID` runs one):
//!
//! | ID | what one iteration does |
//! |---|---|
//! | `serve/page_lesson_05` | lesson 5 (3 schedules, 1-cmt, 12 h every 2 min): text → `Study` → JSON, serialised |
//! | `serve/page_lesson_11` | lesson 11 (2 schedules, kamp-2020 with effect site, 2 h every 15 s) |
//! | `serve/page_population_children` | `scenarios/population-children.toml`: 1,000 children × 241 points, percentiles |
//! | `serve/edit_dose` | one dose amount changed in lesson 5's text (`serve::edit::apply`) |

#![allow(missing_docs)] // criterion's macros generate undocumented public functions

/// The allocator the `ketasim` binary runs with (`src/main.rs`), so that the set-up's
/// allocations cost here what they cost there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use criterion::{criterion_group, criterion_main, Criterion};
use ketasim::serve::{edit, json, study::Study};
use std::hint::black_box;
use std::path::{Path, PathBuf};

fn file(rel: &str) -> (PathBuf, String) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    let text = std::fs::read_to_string(&path).expect("scenario file");
    (PathBuf::from(rel), text)
}

fn page(label: &Path, text: &str) -> usize {
    let study = Study::run(label, text).expect("valid scenario");
    let page = json::study(&study).expect("renders");
    serde_json::to_vec(&page).expect("serialises").len()
}

fn serve(c: &mut Criterion) {
    let mut group = c.benchmark_group("serve");
    group.sample_size(20);
    for (id, rel) in [
        ("page_lesson_05", "scenarios/lessons/05-loading-dose.toml"),
        ("page_lesson_11", "scenarios/lessons/11-effect-site.toml"),
        (
            "page_population_children",
            "scenarios/population-children.toml",
        ),
    ] {
        let (label, text) = file(rel);
        group.bench_function(id, |b| b.iter(|| page(black_box(&label), black_box(&text))));
    }
    let (_, text) = file("scenarios/lessons/05-loading-dose.toml");
    let change: Vec<edit::Edit> = serde_json::from_str(
        r#"[{ "at": ["schedule", 1, "doses", 0, "amount"], "value": "40 mg" }]"#,
    )
    .expect("edit JSON");
    group.bench_function("edit_dose", |b| {
        b.iter(|| edit::apply(black_box(&text), black_box(&change)).expect("applies"))
    });
    group.finish();
}

criterion_group!(benches, serve);
criterion_main!(benches);
