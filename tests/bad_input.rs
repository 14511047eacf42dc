//! One fixture per bad-input rule (`tests/fixtures/invalid/*.toml`). Each fixture's first
//! line is `# expect: MESSAGE`: `ketasim check` and `ketasim run` must print exactly
//! `error: MESSAGE`, exit with code 1, and `run` must write nothing.

mod common;

use common::{files_below, ketasim, root};

fn fixtures() -> Vec<(String, String)> {
    let dir = root().join("tests/fixtures/invalid");
    let files = files_below(&dir);
    assert!(files.len() >= 50, "the fixtures are missing");
    files
        .iter()
        .map(|f| {
            // Lossy: one fixture is not UTF-8 after its first line.
            let text = String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned();
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

#[test]
fn models_refuse_a_weight_outside_the_limits() {
    // Issue 10: `--weight "0 kg"` hung kamp-2020 and fanta-2015 and printed k10 NaN.
    for id in ["kamp-2020", "fanta-2015", "clements-1981", ""] {
        for weight in ["0 kg", "1e-30 kg", "501 kg"] {
            let mut cmd = ketasim(&root());
            cmd.arg("models");
            if !id.is_empty() {
                cmd.arg(id);
            }
            let out = cmd.args(["--weight", weight]).output().unwrap();
            assert_eq!(out.status.code(), Some(1), "{id} {weight}");
            assert_eq!(
                String::from_utf8(out.stderr).unwrap(),
                format!("error: --weight {weight:?}; expected 0.1 kg to 500 kg\n")
            );
        }
    }
}
