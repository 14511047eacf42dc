//! Issue 14: what a new user and a teacher hit at the command line: messages, exit codes,
//! CSV digits, output clashes, skipped folders, plot formats.

mod common;

use common::{files_below, ketasim, root};
use std::path::Path;

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A one-compartment course whose trough falls to a few thousandths of a ng/mL.
const LOW_TROUGH: &str = r#"name = "low trough"
[model]
compartments = 1
clearance = "79 L/h"
central_volume = "252 L"
[simulation]
duration = "24 h"
output_every = "1 h"
[[schedule]]
name = "one bolus"
doses = [{ route = "iv", amount = "1 mg" }]
[plot]
bands = ["analgesia"]
"#;

#[test]
fn a_missing_file_is_reported_once() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ketasim(tmp.path())
        .args(["run", "nothere.toml"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
    assert!(
        err.starts_with("error: nothere.toml: No such file"),
        "{err}"
    );
}

#[test]
fn usage_errors_exit_1_as_the_readme_says_and_help_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = ketasim(tmp.path())
        .args(["run", "--bogus"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    let missing = ketasim(tmp.path()).args(["run"]).output().unwrap();
    assert_eq!(missing.status.code(), Some(1));
    let help = ketasim(tmp.path()).args(["--help"]).output().unwrap();
    assert_eq!(help.status.code(), Some(0));
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    assert!(readme.contains("1 invalid input (a bad command line too)"));
}

#[test]
fn every_csv_number_has_six_significant_digits() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "low.toml", LOW_TROUGH);
    let out = ketasim(tmp.path())
        .args(["run", "low.toml", "--out-dir", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let csv = std::fs::read_to_string(tmp.path().join("out/low.csv")).unwrap();
    // C(24 h) = 1 mg / 252 L · exp(−79/252 · 24) = 0.00214… ng/mL.
    let last = csv.lines().last().unwrap();
    let c: Vec<&str> = last.split(',').collect();
    let expected = 1000.0 / 252.0 * (-79.0f64 / 252.0 * 24.0).exp();
    let digits = c[2].trim_start_matches(['0', '.']).len();
    assert_eq!(digits, 6, "{last}");
    let written: f64 = c[2].parse().unwrap();
    assert!(
        (written / expected - 1.0).abs() < 5e-6,
        "{written} vs {expected}"
    );
}

#[test]
fn the_summary_csv_has_hours_below_in_and_above_each_band() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "low.toml", LOW_TROUGH);
    ketasim(tmp.path())
        .args(["run", "low.toml", "--out-dir", "out"])
        .assert()
        .success();
    let csv = std::fs::read_to_string(tmp.path().join("out/low-summary.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let row: Vec<f64> = lines
        .next()
        .unwrap()
        .split(',')
        .skip(1)
        .map(|v| v.parse().unwrap())
        .collect();
    let col = |name: &str| row[header.iter().position(|h| *h == name).unwrap() - 1];
    // 1 mg in 252 L starts at 3.97 ng/mL, far below 70: the whole day is below.
    const EXACT: f64 = 1e-12; // the course never nears the band: whole window below
    assert!((col("hours_below_analgesia") - 24.0).abs() < EXACT);
    assert!(col("hours_in_analgesia") + col("hours_above_analgesia") < EXACT);
}

#[test]
fn two_scenarios_writing_the_same_file_are_refused_before_writing() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a/same.toml", LOW_TROUGH);
    write(tmp.path(), "b/same.toml", LOW_TROUGH);
    let out = ketasim(tmp.path())
        .args(["run", "a/same.toml", "b/same.toml", "--out-dir", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("a/same.toml and b/same.toml would both write out/same.csv"),
        "{err}"
    );
    assert!(files_below(&tmp.path().join("out")).is_empty());
}

#[test]
fn a_directory_run_says_which_sub_folders_it_skipped() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "s/top.toml", LOW_TROUGH);
    write(tmp.path(), "s/lessons/inner.toml", LOW_TROUGH);
    let out = ketasim(tmp.path()).args(["check", "s"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("not looking inside s/lessons/"), "{err}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("(1 schedule, model custom)"), "{stdout}");
}

#[test]
fn the_plot_file_extension_decides_the_format() {
    let tmp = tempfile::tempdir().unwrap();
    let svg = LOW_TROUGH.replace("[plot]\n", "[plot]\nfile = \"figs/mine.svg\"\n");
    write(tmp.path(), "svg.toml", &svg);
    ketasim(tmp.path())
        .args(["run", "svg.toml"])
        .assert()
        .success();
    let bytes = std::fs::read(tmp.path().join("figs/mine.svg")).unwrap();
    assert!(bytes.starts_with(b"<svg"), "{:?}", &bytes[..8]);
    let jpg = LOW_TROUGH.replace("[plot]\n", "[plot]\nfile = \"figs/mine.jpg\"\n");
    write(tmp.path(), "jpg.toml", &jpg);
    let out = ketasim(tmp.path())
        .args(["run", "jpg.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("jpg.toml:13:8: plot file \"figs/mine.jpg\""),
        "{err}"
    );
}

#[test]
fn routes_lists_every_alias() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ketasim(tmp.path()).arg("routes").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    for route in ketasim::route::Route::ALL {
        for alias in route.aliases() {
            let row = text.lines().find(|l| l.starts_with(route.id())).unwrap();
            assert!(row.contains(alias), "{alias} missing from {row}");
        }
    }
}

#[test]
fn a_duration_is_labelled_as_written() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = LOW_TROUGH.replace(
        "amount = \"1 mg\" }",
        "amount = \"35 mg\", over = \"100 min\" }",
    );
    write(tmp.path(), "over.toml", &scenario);
    let out = ketasim(tmp.path())
        .args(["explain", "over.toml"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("IV 35 mg over 100 min"), "{text}");
    assert!(!text.contains("1.667 h"), "{text}");
}

#[test]
fn explain_answers_a_population_lesson_at_the_time_it_names() {
    let tmp = tempfile::tempdir().unwrap();
    let lesson = root().join("scenarios/population-children.toml");
    let out = ketasim(tmp.path())
        .args(["explain", &lesson.display().to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("Population: 1.5 mg/kg IV over 1 min (1,000 virtual subjects)"),
        "{text}"
    );
    // The lesson asks how many children are above the emergence band at 30 min.
    let at_30 = text
        .split("At 30 min:")
        .nth(1)
        .expect("the named time is answered");
    // Counted, not bracketed by the percentiles (the old "between 5% and half").
    let flowed = at_30.split_whitespace().collect::<Vec<_>>().join(" ");
    let emergence = flowed
        .split("emergence (640–750 ng/mL): ")
        .nth(1)
        .expect("a share for the emergence band");
    let words: Vec<&str> = emergence.split_whitespace().take(8).collect();
    assert_eq!(
        (words[3], words[5], words[7]),
        ("below,", "inside,", "above."),
        "{text}"
    );
    assert!(
        !text.contains("between half") && !text.contains("between 5%"),
        "{text}"
    );
    assert!(
        text.contains("of subjects reach emergence (640–750 ng/mL)"),
        "{text}"
    );
}
