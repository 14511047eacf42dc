//! `ketasim events` on bad input: one fixture per rule under `tests/fixtures/nonmem/`.
//! Each must exit 1 with a message naming the file, line and column, and write nothing.
// See: issue 3.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/nonmem")
}

/// Run `ketasim events` in the fixture folder; return (exit code, stderr, whether --out
/// exists, files left in the output folder).
fn events(dataset: &str, model: &str) -> (Option<i32>, String, bool, usize) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let output = Command::cargo_bin("ketasim")
        .unwrap()
        .current_dir(fixtures())
        .args(["events", dataset, "--model", model, "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let left = std::fs::read_dir(dir.path()).unwrap().count();
    (
        output.status.code(),
        String::from_utf8(output.stderr)
            .unwrap()
            .trim_end()
            .to_string(),
        out.exists(),
        left,
    )
}

/// The error message of a dataset that must be refused: checks exit code 1 and that
/// nothing was written.
fn refused(dataset: &str) -> String {
    refused_with(dataset, "model.toml")
}

fn refused_with(dataset: &str, model: &str) -> String {
    let (code, stderr, written, left) = events(dataset, model);
    assert_eq!(code, Some(1), "{dataset}: {stderr}");
    assert!(!written && left == 0, "{dataset}: output written");
    stderr
}

#[test]
fn a_valid_dataset_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    Command::cargo_bin("ketasim")
        .unwrap()
        .current_dir(fixtures())
        .args([
            "events",
            "ok.csv",
            "--model",
            "model.toml",
            "--solver",
            "ode",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let text = std::fs::read_to_string(&out).unwrap();
    let rows: Vec<&str> = text.lines().collect();
    assert_eq!(rows.len(), 3, "{text}");
    // The dataset's columns as written, then CP (issue 14).
    assert_eq!(rows[0], "ID,TIME,EVID,AMT,CMT,DV,CP");
    // The dose goes to the depot: nothing in plasma at the dose record.
    assert_eq!(rows[1], "1,0,1,100,1,.,0");
    assert!(rows[2].starts_with("1,1,0,.,2,3.2,3754.4"), "{text}");
    let left = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(left, 1, "no temporary file is left behind");
}

#[test]
fn missing_id_column() {
    insta::assert_snapshot!(refused("missing_id.csv"), @"error: missing_id.csv:1: no ID column among SUBJ,TIME,EVID,AMT,CMT; expected ID and TIME among the columns");
}

#[test]
fn missing_time_column() {
    insta::assert_snapshot!(refused("missing_time.csv"), @"error: missing_time.csv:1: no TIME column among ID,TAD,EVID,AMT,CMT; expected ID and TIME among the columns");
}

#[test]
fn duplicate_column() {
    insta::assert_snapshot!(refused("duplicate_column.csv"), @"error: duplicate_column.csv:1:17: column AMT twice (columns 3 and 5); expected each data item once");
}

#[test]
fn unknown_evid() {
    insta::assert_snapshot!(refused("unknown_evid.csv"), @"error: unknown_evid.csv:3:5: column EVID \"5\"; expected 0 (observation), 1 (dose), 2 (other), 3 (reset) or 4 (reset and dose)");
}

#[test]
fn negative_amount() {
    insta::assert_snapshot!(refused("negative_amt.csv"), @"error: negative_amt.csv:2:7: column AMT \"-100\"; expected an amount (mg) ≥ 0");
}

#[test]
fn compartment_beyond_the_model() {
    insta::assert_snapshot!(refused("cmt_beyond_model.csv"), @"error: cmt_beyond_model.csv:3:9: column CMT \"3\"; expected a compartment of the model: 1 (depot), 2 (central)");
}

#[test]
fn dose_into_compartment_zero() {
    insta::assert_snapshot!(refused("cmt_zero_on_dose.csv"), @"error: cmt_zero_on_dose.csv:2:11: column CMT \"0\"; expected the compartment receiving the dose: 1 (depot), 2 (central)");
}

#[test]
fn non_numeric_cell() {
    insta::assert_snapshot!(refused("non_numeric.csv"), @"error: non_numeric.csv:3:3: column TIME \"2h\"; expected a number");
}

#[test]
fn time_going_backwards() {
    insta::assert_snapshot!(refused("time_backwards.csv"), @"error: time_backwards.csv:4:3: column TIME \"5\"; expected a time ≥ 10 (line 3 of ID 1): time may go back only at a reset (EVID 3 or 4)");
}

#[test]
fn rate_minus_2_without_duration() {
    insta::assert_snapshot!(refused("rate_minus2_without_dur.csv"), @"error: rate_minus2_without_dur.csv:2:16: column DUR \"0\"; expected a duration > 0 (h) because RATE is -2");
}

#[test]
fn modelled_rate() {
    insta::assert_snapshot!(refused("rate_modelled.csv"), @"error: rate_modelled.csv:2:13: column RATE \"-1\"; expected 0 (bolus), a rate > 0 (mg/h) or -2 (duration from DUR); a modelled rate (-1) needs $PK, which ketasim does not read");
}

#[test]
fn steady_state_without_interval() {
    insta::assert_snapshot!(refused("ss_without_ii.csv"), @"error: ss_without_ii.csv:2:15: column II \"0\"; expected an interval > 0 (h) because SS is 1 (only SS 1 with RATE > 0 and AMT 0, a steady-state infusion, may have II 0)");
}

#[test]
fn steady_state_infusion_with_an_amount() {
    insta::assert_snapshot!(refused("ss_infusion_with_amount.csv"), @"error: ss_infusion_with_amount.csv:2:7: column AMT \"100\"; expected 0 for a steady-state infusion (SS 1, II 0, RATE > 0), whose steady state is that of RATE alone");
}

#[test]
fn unknown_steady_state_flag() {
    insta::assert_snapshot!(refused("unknown_ss.csv"), @"error: unknown_ss.csv:2:13: column SS \"3\"; expected 0, 1 (reset to steady state) or 2 (add steady state)");
}

#[test]
fn additional_doses_without_interval() {
    insta::assert_snapshot!(refused("addl_without_ii.csv"), @"error: addl_without_ii.csv:2:15: column II \"0\"; expected an interval > 0 (h) because ADDL is 3");
}

#[test]
fn negative_lag() {
    insta::assert_snapshot!(refused("negative_lag.csv"), @"error: negative_lag.csv:2:13: column LAG \"-1\"; expected a lag time (h) ≥ 0");
}

#[test]
fn ragged_row() {
    insta::assert_snapshot!(refused("ragged_row.csv"), @"error: ragged_row.csv:3: 3 cells; expected 5 (one per header column)");
}

#[test]
fn invalid_model_file() {
    insta::assert_snapshot!(refused_with("ok.csv", "bad_model.toml"), @"error: bad_model.toml:5:6: no number in rate constant \"fast\"; expected a first-order rate constant: /h, /min, 1/h or h-1");
}

// Adversarial inputs (issue 10 item 3): each refused at load time with its place.

#[test]
fn amount_beyond_the_limit() {
    insta::assert_snapshot!(refused("amt_huge.csv"), @"error: amt_huge.csv:2:7: column AMT \"1e308\"; expected an amount at most 100000 mg");
}

#[test]
fn interval_beyond_the_limit() {
    insta::assert_snapshot!(refused("ss_interval_huge.csv"), @"error: ss_interval_huge.csv:2:15: column II \"1e300\"; expected an interval at most 87660 h (10 years)");
}

#[test]
fn time_beyond_the_limit() {
    insta::assert_snapshot!(refused("time_huge.csv"), @"error: time_huge.csv:3:3: column TIME \"1e300\"; expected a time (h) from -87660 to 87660 (10 years)");
}

#[test]
fn additional_doses_beyond_the_limit() {
    insta::assert_snapshot!(refused("addl_huge.csv"), @"error: addl_huge.csv:2:15: column ADDL \"4294967295\"; expected 0 to 100000 additional doses");
}

#[test]
fn steady_state_infusion_of_1e22_mg() {
    insta::assert_snapshot!(refused("ss_infusion_amount_1e22.csv"), @"error: ss_infusion_amount_1e22.csv:2:7: column AMT \"1e22\"; expected an amount at most 100000 mg");
}

#[test]
fn steady_state_infusion_at_a_tiny_rate() {
    insta::assert_snapshot!(refused("ss_infusion_tiny_rate.csv"), @"error: ss_infusion_tiny_rate.csv:2:18: column RATE \"1e-10\"; expected a rate giving AMT × F in at most 87660 h (10 years); this one takes 1.000e12 h");
}

#[test]
fn steady_state_infusion_outlasting_2000_intervals() {
    insta::assert_snapshot!(refused("ss_infusion_2000_intervals.csv"), @"error: ss_infusion_2000_intervals.csv:2:15: column II \"0.05\"; expected an interval of at least 1/1000 of the dose's lag and infusion (100 h) for a steady state");
}

#[test]
fn dataset_not_utf8() {
    insta::assert_snapshot!(refused("not_utf8.csv"), @"error: not_utf8.csv:3:3: byte 0xFF, which is not UTF-8 text; expected a UTF-8 text file");
}

#[test]
fn model_with_a_tiny_volume() {
    insta::assert_snapshot!(refused_with("steady_state.csv", "model_tiny_volume.toml"), @"error: model_tiny_volume.toml:4:18: volume \"1e-308 L\"; expected 0.001 L to 100000 L");
}

#[test]
fn steady_state_without_elimination() {
    insta::assert_snapshot!(refused_with("steady_state.csv", "model_no_elimination.toml"), @"error: steady_state.csv:2:13: a steady-state dose (column SS) with a model whose clearance is 0; expected a model that eliminates the drug (clearance > 0): without elimination no steady state exists");
}

#[test]
fn model_not_utf8() {
    insta::assert_snapshot!(refused_with("steady_state.csv", "model_not_utf8.toml"), @"error: model_not_utf8.toml:4:22: byte 0xFF, which is not UTF-8 text; expected a UTF-8 text file");
}

#[test]
fn a_steady_state_dose_with_elimination_runs() {
    let (code, stderr, written, _) = events("steady_state.csv", "model.toml");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(written);
}

#[test]
fn additional_doses_at_the_limit_run() {
    let (code, stderr, written, _) = events("addl_at_the_limit.csv", "model.toml");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(written);
}
