//! Mutation fuzzing, in process (issue 10 item 5). Each case mutates a shipped scenario
//! (`scenarios/**/*.toml`) or one individual of the NONMEM conformance dataset
//! (`tests/fuzz/corpus/conformance-dataset.csv`, a copy of mrgsolve/nmtests' dataset) and
//! runs it through the command line's own entry (`ketasim::cli::run_to`) inside
//! `catch_unwind`: `check` then `run` for scenarios, `events` for datasets. Every case
//! must end without a panic, with exit code 0, 1 or 2, with no NaN or inf in any written
//! file, and with nothing written unless the exit code is 0.
//!
//! Seeded and deterministic. In debug builds the tests are ignored (too slow); `.ci/run`
//! runs them with `cargo test --release --test fuzz`. Counts and seed come from the
//! environment: `FUZZ_CASES` (default 10,000 of each kind) and `FUZZ_SEED` (default 1).
//! The long mode before a release is `FUZZ_CASES=1000000 cargo test --release --test fuzz`.
//! A failing case is saved under the cargo target's tmp folder (`fuzz-failures/`) and
//! must become a fixture under `tests/fixtures/`.

mod common;

use clap::Parser;
use common::{files_below, root};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Cases of each kind per run unless `FUZZ_CASES` says otherwise.
const DEFAULT_CASES: usize = 10_000;
/// Seed unless `FUZZ_SEED` says otherwise.
const DEFAULT_SEED: u64 = 1;
/// A case slower than this is reported as a failure (a hang in the making).
const SLOW_CASE: Duration = Duration::from_secs(10);
/// A valid mutant is run only when it asks for at most this many values (output points
/// × schedules × subjects); a bigger one is legitimate but slow (65,536 h at 2 min is 6
/// million) and is only checked, so that the run stays within CI's budget.
const MAX_RUN_VALUES: f64 = 1e6;
/// The values a number is replaced with: the extremes that broke earlier versions.
const EXTREMES: [&str; 22] = [
    "0",
    "-0",
    "1e-308",
    "1e308",
    "1e41",
    "1e65",
    "1e-300",
    "NaN",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "18446744073709551616",
    "4294967295",
    "1000000000",
    "-1",
    "1e22",
    "0.5",
    "65536",
    "1e9",
    "2.5e-7",
    "\u{7f}",
];

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A random replacement: an extreme, a very long string, or bytes that are not UTF-8.
fn replacement(rng: &mut ChaCha8Rng) -> Vec<u8> {
    match rng.gen_range(0..12) {
        0 => vec![b'x'; 70_000],
        1 => vec![0xff, 0xfe],
        _ => EXTREMES.choose(rng).expect("not empty").as_bytes().to_vec(),
    }
}

/// Byte ranges of tokens: runs of letters, digits and `_.-+`.
fn tokens(text: &[u8], numbers_only: bool) -> Vec<(usize, usize)> {
    let is_token = |b: u8| b.is_ascii_alphanumeric() || b"_.-+".contains(&b);
    let mut out = Vec::new();
    let mut i = 0;
    while i < text.len() {
        if is_token(text[i]) {
            let start = i;
            while i < text.len() && is_token(text[i]) {
                i += 1;
            }
            let t = &text[start..i];
            let number = t.iter().any(u8::is_ascii_digit)
                && t.iter().all(|b| b.is_ascii_digit() || b"-+.eE".contains(b));
            if !numbers_only || number {
                out.push((start, i));
            }
        } else {
            i += 1;
        }
    }
    out
}

/// Line ranges, newline included.
fn lines(text: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.iter().enumerate() {
        if *b == b'\n' {
            out.push((start, i + 1));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

fn splice(text: &[u8], (a, b): (usize, usize), with: &[u8]) -> Vec<u8> {
    [&text[..a], with, &text[b..]].concat()
}

/// One mutation: a byte flip, a token swap, a number from [`EXTREMES`], a line (key,
/// record) deleted or duplicated.
fn mutate_once(text: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    if text.is_empty() {
        return replacement(rng);
    }
    match rng.gen_range(0..6) {
        0 => {
            let mut t = text.to_vec();
            let i = rng.gen_range(0..t.len());
            t[i] = rng.gen();
            t
        }
        1 => {
            let toks = tokens(text, false);
            if toks.len() < 2 {
                return text.to_vec();
            }
            let (mut x, mut y) = (
                *toks.choose(rng).expect("two"),
                *toks.choose(rng).expect("two"),
            );
            if x.0 > y.0 {
                std::mem::swap(&mut x, &mut y);
            }
            if x == y || x.1 > y.0 {
                return text.to_vec();
            }
            [
                &text[..x.0],
                &text[y.0..y.1],
                &text[x.1..y.0],
                &text[x.0..x.1],
                &text[y.1..],
            ]
            .concat()
        }
        2 | 3 => match tokens(text, true).choose(rng) {
            Some(&range) => splice(text, range, &replacement(rng)),
            None => text.to_vec(),
        },
        4 => match lines(text).choose(rng) {
            Some(&range) => splice(text, range, b""),
            None => text.to_vec(),
        },
        _ => {
            let ls = lines(text);
            let Some(&(a, b)) = ls.choose(rng) else {
                return text.to_vec();
            };
            let at = ls.choose(rng).expect("not empty").1;
            let line = text[a..b].to_vec();
            splice(text, (at, at), &line)
        }
    }
}

/// One to three mutations of `text`.
fn mutate(text: &[u8], rng: &mut ChaCha8Rng) -> Vec<u8> {
    let mut t = text.to_vec();
    for _ in 0..rng.gen_range(1..=3) {
        t = mutate_once(&t, rng);
    }
    t
}

/// What went wrong with one case.
#[derive(Debug)]
struct Failure {
    case: usize,
    what: String,
    saved: PathBuf,
}

/// Run `args` in process; the exit code, or the panic message.
fn run_cli(args: &[OsString]) -> Result<u8, String> {
    let cli = ketasim::cli::Cli::try_parse_from(args).map_err(|e| format!("usage: {e}"))?;
    let mut sink = std::io::sink();
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        ketasim::cli::code_of(&ketasim::cli::run_to(cli, &mut sink))
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".into())
    })
}

/// The problems with the files under `out` after a run that exited with `code`.
fn written_problems(out: &Path, code: u8) -> Option<String> {
    let written = files_below(out);
    if code != 0 {
        return (!written.is_empty()).then(|| format!("exit {code} but wrote {written:?}"));
    }
    written
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "csv"))
        .find_map(|f| non_finite_cell(f))
}

/// The first cell of CSV file `f` that reads as NaN or ±inf, outside the columns that
/// hold names (`schedule`, `ID`: a schedule may be called "inf").
fn non_finite_cell(f: &Path) -> Option<String> {
    let mut reader = csv::Reader::from_path(f).ok()?;
    let header = reader.headers().ok()?.clone();
    for (row, record) in reader.records().enumerate() {
        let Ok(record) = record else {
            return Some(format!("{}: not CSV", f.display()));
        };
        for (cell, name) in record.iter().zip(&header) {
            let numeric = !matches!(name, "schedule" | "ID");
            if numeric && cell.trim().parse::<f64>().is_ok_and(|v| !v.is_finite()) {
                let line = row + 2;
                return Some(format!("{} line {line}: {name} = {cell}", f.display()));
            }
        }
    }
    None
}

/// Run `cases` mutants of `corpus`; `run_case` gets the mutant's bytes and a fresh
/// folder and returns a problem, if any.
fn fuzz(
    kind: &str,
    corpus: &[Vec<u8>],
    seed: u64,
    run_case: impl Fn(&[u8], &Path) -> Option<String>,
) -> Vec<Failure> {
    let cases = env_or("FUZZ_CASES", DEFAULT_CASES);
    let saved_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fuzz-failures");
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut failures = Vec::new();
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for case in 0..cases {
        let mutant = mutate(corpus.choose(&mut rng).expect("a corpus"), &mut rng);
        let dir = tempfile::tempdir().expect("a temporary folder");
        let started = Instant::now();
        let mut problem = run_case(&mutant, dir.path());
        if problem.is_none() && started.elapsed() > SLOW_CASE {
            problem = Some(format!("took {:?}", started.elapsed()));
        }
        if let Some(what) = problem {
            std::fs::create_dir_all(&saved_dir).expect("a folder for failures");
            let saved = saved_dir.join(format!("{kind}-seed{seed}-case{case}"));
            std::fs::write(&saved, &mutant).expect("saving the failing case");
            failures.push(Failure { case, what, saved });
        }
    }
    std::panic::set_hook(quiet);
    failures
}

fn report(kind: &str, failures: &[Failure]) {
    assert!(
        failures.is_empty(),
        "{} {kind} cases failed (each saved; make it a fixture):\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .map(|f| format!("  case {}: {} ({})", f.case, f.what, f.saved.display()))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn os(args: &[&dyn AsRef<std::ffi::OsStr>]) -> Vec<OsString> {
    args.iter().map(|a| a.as_ref().to_os_string()).collect()
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in debug: .ci/run runs it with --release"
)]
fn scenario_mutants_end_cleanly() {
    let corpus: Vec<Vec<u8>> = files_below(&root().join("scenarios"))
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "toml"))
        .map(|f| std::fs::read(f).expect("a shipped scenario"))
        .collect();
    assert!(corpus.len() >= 20, "the shipped scenarios are missing");
    let seed = env_or("FUZZ_SEED", DEFAULT_SEED);
    let failures = fuzz("scenario", &corpus, seed, |mutant, dir| {
        let file = dir.join("mutant.toml");
        std::fs::write(&file, mutant).expect("writing the mutant");
        let out = dir.join("out");
        let check = match run_cli(&os(&[&"ketasim", &"check", &file])) {
            Ok(code) if code <= 2 => code,
            Ok(code) => return Some(format!("check exited {code}")),
            Err(panic) => return Some(format!("check panicked: {panic}")),
        };
        if check == 0 && values(&file) > MAX_RUN_VALUES {
            return None;
        }
        let run = match run_cli(&os(&[&"ketasim", &"run", &file, &"--out-dir", &out])) {
            Ok(code) if code <= 2 => code,
            Ok(code) => return Some(format!("run exited {code}")),
            Err(panic) => return Some(format!("run panicked: {panic}")),
        };
        if check != 0 && run == 0 {
            return Some(format!("check exited {check} but run succeeded"));
        }
        written_problems(&out, run)
    });
    report("scenario", &failures);
}

/// How many values `run` would compute for the valid scenario `file`.
fn values(file: &Path) -> f64 {
    let s = ketasim::scenario::load(file).expect("check found it valid");
    let subjects = 1 + s.population.map_or(0, |p| p.size);
    (s.duration_h / s.output_every_h + 1.0) * s.schedules.len() as f64 * subjects as f64
}

/// The conformance dataset cut into its individuals, each with the header.
fn individuals() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(root().join("tests/fuzz/corpus/conformance-dataset.csv"))
        .expect("the conformance dataset");
    let mut lines = text.lines();
    let header = lines.next().expect("a header");
    let mut by_id: Vec<(String, String)> = Vec::new();
    for l in lines {
        let id = l.split(',').next().unwrap_or_default().to_string();
        match by_id.last_mut() {
            Some((last, rows)) if *last == id => {
                rows.push_str(l);
                rows.push('\n');
            }
            _ => by_id.push((id, format!("{header}\n{l}\n"))),
        }
    }
    by_id
        .into_iter()
        .map(|(_, rows)| rows.into_bytes())
        .collect()
}

#[test]
#[cfg_attr(
    debug_assertions,
    ignore = "slow in debug: .ci/run runs it with --release"
)]
fn dataset_mutants_end_cleanly() {
    let corpus = individuals();
    assert_eq!(
        corpus.len(),
        29,
        "the 29 individuals of the conformance dataset"
    );
    let model = std::fs::read(root().join("tests/fixtures/nonmem/model.toml")).expect("the model");
    let seed = env_or("FUZZ_SEED", DEFAULT_SEED);
    let failures = fuzz("dataset", &corpus, seed, |mutant, dir| {
        let dataset = dir.join("mutant.csv");
        std::fs::write(&dataset, mutant).expect("writing the mutant");
        let model_file = dir.join("model.toml");
        std::fs::write(&model_file, &model).expect("writing the model");
        let out = dir.join("out");
        let args = os(&[
            &"ketasim",
            &"events",
            &dataset,
            &"--model",
            &model_file,
            &"--out",
            &out.join("cp.csv"),
        ]);
        match run_cli(&args) {
            Ok(code) if code <= 2 => written_problems(&out, code),
            Ok(code) => Some(format!("events exited {code}")),
            Err(panic) => Some(format!("events panicked: {panic}")),
        }
    });
    report("dataset", &failures);
}

#[test]
fn mutations_are_deterministic_and_change_the_text() {
    let text = b"name = \"A\"\nduration = \"8 h\"\ndoses = [{ amount = \"1 mg\" }]\n";
    let draw = |seed| {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        (0..50).map(|_| mutate(text, &mut rng)).collect::<Vec<_>>()
    };
    assert_eq!(draw(7), draw(7));
    let changed = draw(7).iter().filter(|m| m.as_slice() != text).count();
    assert!(changed >= 40, "only {changed} of 50 mutants differ");
}
