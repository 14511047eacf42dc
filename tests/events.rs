//! `ketasim events` end to end: weight per individual, every input column carried
//! through, effect-site and metabolite columns, nothing written on failure.
// See: issue 14 (events), issue 10 item 6 (streamed output).

mod common;

use approx::assert_relative_eq;
use common::ketasim;
use std::fs;
use std::path::Path;

/// C = dose / V1 right after a bolus: one division, so rounding is all that differs.
const CLOSED_FORM: f64 = 1e-12;

/// Run `ketasim events` in `dir` on `dataset` and `model` (file contents); return the
/// exit code, stderr and the output file's text if it was written.
fn events(dir: &Path, dataset: &str, model: &str) -> (Option<i32>, String, Option<String>) {
    fs::write(dir.join("d.csv"), dataset).unwrap();
    fs::write(dir.join("m.toml"), model).unwrap();
    let out = ketasim(dir)
        .args(["events", "d.csv", "--model", "m.toml", "--out", "out.csv"])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        fs::read_to_string(dir.join("out.csv")).ok(),
    )
}

/// Column `name` of every row of `csv`.
fn column(csv: &str, name: &str) -> Vec<f64> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let at = header.iter().position(|h| *h == name).unwrap();
    lines
        .map(|l| l.split(',').nth(at).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn weight_scales_a_built_in_model_per_individual() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stderr, out) = events(
        tmp.path(),
        "ID,TIME,AMT,CMT,WT\n1,0,10,1,35\n2,0,10,1,70\n",
        "[model]\npk = \"kamp-2020\"\n",
    );
    assert_eq!(code, Some(0), "{stderr}");
    let cp = column(&out.unwrap(), "CP");
    // kamp-2020: V1 = 25 L × WT/70 (docs/sources.md §kamp-2020); 10 mg → ng/mL.
    assert_relative_eq!(
        cp[0],
        10.0 / (25.0 * 35.0 / 70.0) * 1000.0,
        max_relative = CLOSED_FORM
    );
    assert_relative_eq!(cp[1], 10.0 / 25.0 * 1000.0, max_relative = CLOSED_FORM);
}

#[test]
fn without_a_weight_column_the_reference_adult_is_simulated() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, _, out) = events(
        tmp.path(),
        "ID,TIME,AMT,CMT\n1,0,10,1\n",
        "[model]\npk = \"kamp-2020\"\n",
    );
    assert_eq!(code, Some(0));
    assert_relative_eq!(
        column(&out.unwrap(), "CP")[0],
        400.0,
        max_relative = CLOSED_FORM
    );
}

#[test]
fn a_weight_that_changes_within_an_individual_is_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stderr, out) = events(
        tmp.path(),
        "ID,TIME,AMT,CMT,WT\n1,0,10,1,70\n1,1,0,1,70\n2,0,10,1,60\n2,1,0,1,61\n",
        "[model]\npk = \"kamp-2020\"\n",
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("d.csv:5:9: column WT: 61 kg, not the weight of ID 2 on its first record (line 4); expected 60 kg"),
        "{stderr}"
    );
    assert!(out.is_none());
    assert_eq!(
        fs::read_dir(tmp.path()).unwrap().count(),
        2,
        "no temporary file left"
    );
}

#[test]
fn a_weight_out_of_range_names_its_line_and_the_range() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stderr, out) = events(
        tmp.path(),
        "ID,TIME,AMT,CMT,WT\n1,0,10,1,0\n",
        "[model]\npk = \"kamp-2020\"\n",
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("d.csv:2:10: column WT \"0\"; expected a body weight from 0.1 to 500 kg"),
        "{stderr}"
    );
    assert!(out.is_none());
}

#[test]
fn input_columns_come_through_and_the_model_decides_the_added_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, stderr, out) = events(
        tmp.path(),
        "ID,TIME,AMT,CMT,DV,arm\n1,0,10,1,.,A\n1,2,0,1,41.5,A\n",
        "[model]\npk = \"fanta-2015\"\n",
    );
    assert_eq!(code, Some(0), "{stderr}");
    let out = out.unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines[0], "ID,TIME,AMT,CMT,DV,arm,CP,CE,CMET");
    assert!(lines[2].starts_with("1,2,0,1,41.5,A,"), "{}", lines[2]);
    for name in ["CP", "CE", "CMET"] {
        assert!(column(&out, name)[1] > 0.0, "{name}");
    }
}

#[test]
fn a_late_failure_in_a_long_dataset_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(tmp.path().join("out.csv"), "earlier run").unwrap();
    let mut dataset = String::from("ID,TIME,AMT,CMT\n");
    for id in 1..=2000 {
        dataset += &format!("{id},0,10,1\n{id},1,0,1\n");
    }
    dataset += "2001,0,-1,1\n";
    let (code, stderr, out) = events(tmp.path(), &dataset, "[model]\npk = \"kamp-2020\"\n");
    assert_eq!(code, Some(1));
    assert!(stderr.contains("d.csv:4002:8: column AMT"), "{stderr}");
    assert_eq!(out.as_deref(), Some("earlier run"));
}
