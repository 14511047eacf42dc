//! One fixture per bad-input rule (`tests/fixtures/invalid/*.toml`). Each fixture's first
//! line is `# expect: MESSAGE`: `ketasim check` and `ketasim run` must print exactly
//! `error: MESSAGE`, exit with code 1, and `run` must write nothing.

mod common;

use common::{files_below, ketasim, root};

fn fixtures() -> Vec<(String, String)> {
    let dir = root().join("tests/fixtures/invalid");
    let files = files_below(&dir);
    assert!(files.len() >= 20, "the fixtures are missing");
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).unwrap();
            let expect = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# expect: "))
                .expect("first line is # expect: ...");
            (
                f.file_name().unwrap().to_string_lossy().into_owned(),
                expect.to_string(),
            )
        })
        .collect()
}

#[test]
fn check_reports_each_rule_with_file_line_and_column() {
    let dir = root().join("tests/fixtures/invalid");
    for (name, expect) in fixtures() {
        let out = ketasim(&dir).args(["check", &name]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(
            stderr.lines().next(),
            Some(format!("error: {expect}").as_str()),
            "{name}"
        );
    }
}

#[test]
fn run_writes_nothing_when_a_scenario_is_invalid() {
    let dir = root().join("tests/fixtures/invalid");
    for (name, expect) in fixtures() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::copy(dir.join(&name), tmp.path().join(&name)).unwrap();
        let out = ketasim(tmp.path())
            .args(["run", &name, "--out-dir", "out"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        assert!(
            String::from_utf8(out.stderr)
                .unwrap()
                .starts_with(&format!("error: {expect}\n")),
            "{name}"
        );
        assert_eq!(files_below(tmp.path()).len(), 1, "{name}: run wrote files");
    }
}

#[test]
fn one_invalid_file_in_a_directory_stops_every_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("scenarios/depression-infusion.toml"),
        tmp.path().join("good.toml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/fixtures/invalid/unknown-route.toml"),
        tmp.path().join("bad.toml"),
    )
    .unwrap();
    let out = ketasim(tmp.path())
        .args(["run", ".", "--out-dir", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!tmp.path().join("out").exists());
}
