//! The command line end to end: `run`, `check`, `models`, `routes`, `bands`, in a tempdir.

mod common;

use common::{files_below, ketasim, root};

fn scenario(name: &str) -> String {
    root().join("scenarios").join(name).display().to_string()
}

#[test]
fn run_writes_csv_summary_and_png_into_out_dir() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ketasim(tmp.path())
        .args([
            "run",
            &scenario("depression-infusion.toml"),
            "--out-dir",
            "out",
            "--svg",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    insta::assert_snapshot!("run_depression_infusion_stdout", stdout);

    let dir = tmp.path().join("out");
    let names: Vec<String> = files_below(&dir)
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "depression-infusion-summary.csv",
            "depression-infusion.csv",
            "depression-infusion.png",
            "depression-infusion.svg"
        ]
    );

    let csv = std::fs::read_to_string(dir.join("depression-infusion.csv")).unwrap();
    let head: Vec<&str> = csv.lines().take(4).collect();
    insta::assert_snapshot!("time_course_csv_head", head.join("\n"));
    // 2 schedules × (6 h / 1 min + 1) rows, plus the header.
    assert_eq!(csv.lines().count(), 1 + 2 * 361);

    let summary = std::fs::read_to_string(dir.join("depression-infusion-summary.csv")).unwrap();
    insta::assert_snapshot!("summary_csv", summary);

    let png = std::fs::read(dir.join("depression-infusion.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let svg = std::fs::read_to_string(dir.join("depression-infusion.svg")).unwrap();
    assert!(
        svg.contains("0.5 mg/kg over 40 min") && svg.contains("teaching and research use only")
    );
}

#[test]
fn metabolite_and_effect_columns_appear_with_a_model_that_has_them() {
    let tmp = tempfile::tempdir().unwrap();
    ketasim(tmp.path())
        .args([
            "run",
            &scenario("esketamine-intranasal.toml"),
            "--out-dir",
            ".",
        ])
        .assert()
        .success();
    let csv = std::fs::read_to_string(tmp.path().join("esketamine-intranasal.csv")).unwrap();
    assert_eq!(
        csv.lines().next(),
        Some("schedule,time_h,plasma_ng_ml,effect_ng_ml,norketamine_ng_ml")
    );
    let summary =
        std::fs::read_to_string(tmp.path().join("esketamine-intranasal-summary.csv")).unwrap();
    insta::assert_snapshot!("esketamine_summary_header", summary.lines().next().unwrap());
}

#[test]
fn ode_solver_gives_the_same_summary() {
    let tmp = tempfile::tempdir().unwrap();
    for solver in ["exact", "ode"] {
        ketasim(tmp.path())
            .args([
                "run",
                &scenario("acute-pain.toml"),
                "--out-dir",
                solver,
                "--solver",
                solver,
            ])
            .assert()
            .success();
    }
    let read = |s: &str| {
        std::fs::read_to_string(tmp.path().join(s).join("acute-pain-summary.csv")).unwrap()
    };
    // Written at 1e-4 ng/mL: the engines agree far below that (tests/agreement.rs).
    assert_eq!(read("exact"), read("ode"));
}

#[test]
fn check_accepts_every_example() {
    let out = ketasim(&root())
        .args(["check", "scenarios"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.lines().count() >= 9 && stdout.lines().all(|l| l.starts_with("ok: ")));
}

#[test]
fn listings_work_and_unknown_ids_are_invalid_input() {
    let tmp = tempfile::tempdir().unwrap();
    for args in [
        vec!["models"],
        vec!["models", "herd-2007", "--weight", "20 kg"],
        vec!["routes"],
        vec!["bands"],
    ] {
        let out = ketasim(tmp.path()).args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(
            String::from_utf8(out.stdout)
                .unwrap()
                .contains("teaching and research use only"),
            "{args:?}"
        );
    }
    let out = ketasim(tmp.path())
        .args(["models", "kamp-2021"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = ketasim(tmp.path())
        .args(["run", "missing.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "a missing file is an I/O error");
}

#[test]
fn help_says_what_it_is_for() {
    let out = ketasim(&root()).arg("--help").output().unwrap();
    insta::assert_snapshot!("help", String::from_utf8(out.stdout).unwrap());
}

#[test]
fn validate_writes_figure_and_report_and_explains_every_miss() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ketasim(tmp.path())
        .args(["validate", "--png", "v.png", "--markdown", "V.md"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "a target misses without a stated reason"
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("miss (stated)") && !stdout.contains("FAIL"));
    assert_eq!(
        &std::fs::read(tmp.path().join("v.png")).unwrap()[..4],
        b"\x89PNG"
    );
    let md = std::fs::read_to_string(tmp.path().join("V.md")).unwrap();
    assert!(md.contains("![Predicted curves with the published observations](v.png)"));
}
