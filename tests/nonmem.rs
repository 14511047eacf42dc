//! The NONMEM dosing conformance suite (`tests/conformance/nonmem-dosing/`): 29
//! scenarios run through NONMEM 7, compared with ketasim's output by check.py's rule,
//! for both solvers. Any disagreement fails `cargo test`.
// See: issue 3.

use ketasim::nonmem::{predict, read_model, Dataset};
use ketasim::solver::{SolverConfig, SolverKind};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// check.py's absolute tolerance (ng/mL): NONMEM printed 5 significant digits, and values
/// near zero (before a lagged dose) are printed as 0.
const ATOL_NG_ML: f64 = 0.01;
/// check.py's relative tolerance: 5 significant digits are good to ±5e-5; 1e-4 leaves
/// room for NONMEM's own integration error.
const RTOL: f64 = 1e-4;
/// The two solvers on the same records: Dopri5 runs at rtol 1e-10, and the project asks
/// for agreement to 1e-6 relative.
const AGREEMENT: f64 = 1e-6;
/// Below this (ng/mL) both solvers hold "nothing yet" and relative error means nothing.
const AGREEMENT_FLOOR_NG_ML: f64 = 1e-9;
/// NONMEM printed CP to 5 significant digits.
const PRINTED_DIGITS: i32 = 5;
/// How far (in units of the last printed digit) ketasim may be from a printed value:
/// half a unit is rounding, and 1% of a unit allows for ~1e-7 relative differences in
/// NONMEM's own arithmetic (measured worst: 0.4998 units, ID 9 at 125 h, a rounding tie).
const PRINTED_UNITS: f64 = 0.505;
/// Steady state against 400 explicit doses: after 400 intervals of ≥ 8 h with k ≥ 0.055/h
/// what the first dose leaves is below e^-176; the rest is the engines' rounding.
const SS_LIMIT: f64 = 1e-9;

/// The conformance suite's directory, relative to the crate (the one place it is named).
const SUITE_DIR: &str = "tests/conformance/nonmem-dosing";

fn suite() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(SUITE_DIR)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
}

/// NONMEM's (ID, TIME, CP) rows.
fn reference() -> Vec<(String, f64, f64)> {
    let mut r = csv::Reader::from_path(suite().join("nonmem-output.csv")).unwrap();
    r.records()
        .map(|row| {
            let row = row.unwrap();
            (
                row[0].to_string(),
                row[1].parse().unwrap(),
                row[2].parse().unwrap(),
            )
        })
        .collect()
}

fn run(kind: SolverKind) -> (Dataset, Vec<f64>) {
    let dataset_path = suite().join("dataset.csv");
    let model_path = suite().join("model.toml");
    let dataset = Dataset::parse(&dataset_path, &read(&dataset_path)).unwrap();
    let model = read_model(&model_path, &read(&model_path)).unwrap();
    let cp = predict(&dataset, &model, &SolverConfig::of(kind)).unwrap();
    (dataset, cp)
}

/// Compare with NONMEM row by row; print the worst relative error per scenario and
/// return every miss.
fn compare(kind: SolverKind) -> Vec<String> {
    let (dataset, cp) = run(kind);
    let want = reference();
    assert_eq!(cp.len(), want.len(), "one row per record");
    let mut worst: BTreeMap<u32, f64> = BTreeMap::new();
    let mut misses = Vec::new();
    for ((record, got), (id, time, nonmem)) in dataset.records.iter().zip(&cp).zip(&want) {
        assert_eq!(&record.id, id);
        assert!((record.time_h - time).abs() < 1e-9);
        let err = (got - nonmem).abs();
        let rel = if nonmem.abs() > 0.0 {
            err / nonmem.abs()
        } else {
            err
        };
        let w = worst.entry(id.parse().unwrap()).or_default();
        *w = w.max(rel);
        if err > ATOL_NG_ML + RTOL * nonmem.abs() {
            misses.push(format!(
                "{} ID {id} t={time}: nonmem {nonmem} got {got}",
                kind.id()
            ));
        }
    }
    assert_eq!(worst.len(), 29, "the suite has 29 scenarios");
    for (id, rel) in worst {
        eprintln!("{} ID {id:>2}: max rel err {rel:.1e}", kind.id());
    }
    misses
}

#[test]
fn exact_solver_agrees_with_nonmem_on_all_29_scenarios() {
    let misses = compare(SolverKind::Exact);
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn ode_solver_agrees_with_nonmem_on_all_29_scenarios() {
    let misses = compare(SolverKind::Ode);
    assert!(misses.is_empty(), "{}", misses.join("\n"));
}

#[test]
fn both_solvers_round_to_nonmems_printed_digits() {
    let want = reference();
    for kind in [SolverKind::Exact, SolverKind::Ode] {
        let (dataset, cp) = run(kind);
        for ((r, got), (_, _, nonmem)) in dataset.records.iter().zip(&cp).zip(&want) {
            let unit = if nonmem.abs() > 0.0 {
                10f64.powi(nonmem.abs().log10().floor() as i32 - (PRINTED_DIGITS - 1))
            } else {
                ATOL_NG_ML
            };
            let units = (got - nonmem).abs() / unit;
            assert!(
                units <= PRINTED_UNITS,
                "{} line {}: nonmem {nonmem} got {got} ({units:.3} units off)",
                kind.id(),
                r.line
            );
        }
    }
}

#[test]
fn the_two_solvers_agree_on_the_suite() {
    let (dataset, exact) = run(SolverKind::Exact);
    let (_, ode) = run(SolverKind::Ode);
    for ((r, a), b) in dataset.records.iter().zip(&exact).zip(&ode) {
        let scale = a.abs().max(b.abs());
        if scale > AGREEMENT_FLOOR_NG_ML {
            let rel = (a - b).abs() / scale;
            assert!(rel < AGREEMENT, "line {}: exact {a} ode {b}", r.line);
        }
    }
}

/// CP at every record of `text` on the conformance model.
fn predict_text(text: &str, kind: SolverKind) -> Vec<f64> {
    let model_path = suite().join("model.toml");
    let model = read_model(&model_path, &read(&model_path)).unwrap();
    let dataset = Dataset::parse(Path::new("generated.csv"), text).unwrap();
    predict(&dataset, &model, &SolverConfig::of(kind)).unwrap()
}

/// Observations at 100, 101, ... 148 h after the header and the dose records.
fn with_observations(doses: &str) -> String {
    let mut text = format!("ID,TIME,EVID,AMT,CMT,RATE,II,ADDL,SS,LAG,F,DUR\n{doses}");
    for t in 100..=148 {
        text += &format!("1,{t},0,0,2,0,0,0,0,0,1,0\n");
    }
    text
}

#[test]
fn steady_state_is_the_limit_of_many_doses() {
    const N: u32 = 400;
    // AMT,CMT,RATE,II,LAG,F,DUR: bolus into the depot; bolus with lag longer than two
    // intervals; infusion longer than its interval, with lag and F; duration-given
    // infusion into the depot; infusion exactly as long as its interval.
    let doses = [
        "100,1,0,12,0,1,0",
        "100,2,0,12,30,1,0",
        "100,2,5,12,3,0.7,0",
        "80,1,-2,8,0,1,30",
        "120,2,10,12,0,1,0",
    ];
    for kind in [SolverKind::Exact, SolverKind::Ode] {
        for d in doses {
            let c: Vec<&str> = d.split(',').collect();
            let (amt, cmt, rate, ii, lag, f, dur) = (c[0], c[1], c[2], c[3], c[4], c[5], c[6]);
            let ii_h: f64 = ii.parse().unwrap();
            let ss = with_observations(&format!(
                "1,100,1,{amt},{cmt},{rate},{ii},0,1,{lag},{f},{dur}\n"
            ));
            let first = 100.0 - f64::from(N) * ii_h;
            let many = with_observations(&format!(
                "1,{first},1,{amt},{cmt},{rate},{ii},{N},0,{lag},{f},{dur}\n"
            ));
            let (a, b) = (predict_text(&ss, kind), predict_text(&many, kind));
            for (x, y) in a[1..].iter().zip(&b[1..]) {
                let rel = (x - y).abs() / y.abs();
                assert!(
                    rel < SS_LIMIT,
                    "{} {d}: SS {x} vs many doses {y}",
                    kind.id()
                );
            }
        }
    }
}
