//! `ketasim explain`: its numbers against closed forms, and the command on every lesson.
//!
//! Closed forms for one compartment, `k = CL/V` (Gibaldi & Perrier, *Pharmacokinetics*,
//! 2nd ed., 1982, ch. 1 and 3): half-life `ln 2 / k`; an infusion reaches
//! `1 − e^{−kt}` of its steady state, so 90% at `ln 10 / k`; after it stops the
//! concentration falls with the half-life whatever the infusion's length; a bolus every τ
//! accumulates by `1/(1 − e^{−kτ})`, with steady-state peak `D/V / (1 − e^{−kτ})` and
//! trough `D/V · e^{−kτ} / (1 − e^{−kτ})`; with first-order absorption the exposure of the
//! first interval is `F·D/CL · (1 − (ka e^{−kτ} − k e^{−ka τ})/(ka − k))`.

mod common;

use common::{files_below, ketasim, root};
use ketasim::scenario::parse;
use ketasim::teaching::{explain, Explanation};
use std::f64::consts::{LN_10, LN_2};
use std::path::Path;

/// Roots are bisected to 1e-12 relative (`teaching::kinetics::ROOT_RELATIVE_TOLERANCE`) and
/// states propagated by the matrix exponential (~1e-14): 1e-9 leaves room for both.
const ROOT: f64 = 1e-9;
/// Eigenvalues and closed forms of exponentials: rounding only.
const EXACT: f64 = 1e-11;
/// Peaks and troughs are read on the output grid, which here contains the dose times
/// exactly: only propagation rounding remains.
const ON_GRID: f64 = 1e-9;

const CL_L_H: f64 = 79.0;
const V_L: f64 = 252.0;

fn one_cpt(doses: &str, duration: &str) -> Explanation {
    let text = format!(
        "name = \"closed form\"\n[model]\ncompartments = 1\nclearance = \"{CL_L_H} L/h\"\ncentral_volume = \"{V_L} L\"\n[simulation]\nduration = \"{duration}\"\noutput_every = \"6 min\"\n[[schedule]]\nname = \"a\"\ndoses = [{doses}]\n"
    );
    explain(&parse(Path::new("closed.toml"), &text).expect("valid")).expect("explains")
}

fn relative_error(measured: f64, expected: f64) -> f64 {
    ((measured - expected) / expected).abs()
}

/// Asserts, and prints the measured error for the record (`cargo test -- --nocapture`).
fn check(what: &str, measured: f64, expected: f64, tolerance: f64) {
    let e = relative_error(measured, expected);
    eprintln!(
        "{what}: measured {measured:.12}, closed form {expected:.12}, relative error {e:.1e}"
    );
    assert!(
        e <= tolerance,
        "{what}: {measured} vs {expected} (error {e:e})"
    );
}

#[test]
fn one_compartment_half_life_is_ln2_v_over_cl() {
    let e = one_cpt("{ route = \"iv\", amount = \"35 mg\" }", "12 h");
    let body = &e.bodies[0];
    assert_eq!(body.phases.len(), 1);
    check("t½", body.phases[0].half_life_h, LN_2 * V_L / CL_L_H, EXACT);
    check("Vss", body.vss_l, V_L, EXACT);
}

#[test]
fn one_compartment_context_sensitive_half_time_is_the_half_life_for_any_length() {
    let t_half = LN_2 * V_L / CL_L_H;
    for hours in ["15 min", "1 h", "4 h", "24 h", "100 h"] {
        let e = one_cpt(
            &format!("{{ route = \"iv\", rate = \"10 mg/h\", over = \"{hours}\" }}"),
            "5 d",
        );
        let i = &e.schedules[0].infusions[0];
        check(
            &format!("CSHT after {hours}"),
            i.half_time_h.expect("falls by half"),
            t_half,
            ROOT,
        );
    }
}

#[test]
fn one_compartment_infusion_reaches_90_percent_at_ln10_v_over_cl() {
    let e = one_cpt(
        "{ route = \"iv\", rate = \"10.5 mg/h\", over = \"5 h\" }",
        "24 h",
    );
    let i = &e.schedules[0].infusions[0];
    check(
        "t90 of an infusion",
        i.time_to_90_h.expect("reached"),
        LN_10 * V_L / CL_L_H,
        ROOT,
    );
    check("Css", i.steady_state_ng_ml, 10.5 / CL_L_H * 1000.0, EXACT);
    let k = CL_L_H / V_L;
    check(
        "fraction reached after 5 h",
        i.fraction_reached,
        1.0 - (-k * 5.0).exp(),
        ROOT,
    );
}

#[test]
fn one_compartment_bolus_every_tau_accumulates_by_one_over_one_minus_e_minus_k_tau() {
    let k = CL_L_H / V_L;
    for tau in [2.0, 6.0, 24.0] {
        let e = one_cpt(
            &format!("{{ route = \"iv\", amount = \"35 mg\", every = \"{tau} h\" }}"),
            "4 d",
        );
        let r = &e.schedules[0].repeats[0];
        let expected = 1.0 / (1.0 - (-k * tau).exp());
        check(
            &format!("R, τ = {tau} h"),
            r.accumulation_ratio.expect("ratio"),
            expected,
            ROOT,
        );
        check(
            &format!("t90 of repeated doses, τ = {tau} h"),
            r.time_to_90_h.expect("reached"),
            LN_10 / k,
            ROOT,
        );
        let c0 = 35.0 / V_L * 1000.0;
        check(
            &format!("peak at steady state, τ = {tau} h"),
            r.steady_peak_ng_ml,
            c0 * expected,
            ON_GRID,
        );
        check(
            &format!("trough at steady state, τ = {tau} h"),
            r.steady_trough_ng_ml,
            c0 * (-k * tau).exp() * expected,
            ON_GRID,
        );
    }
}

#[test]
fn one_compartment_oral_accumulation_follows_the_bateman_function() {
    let (k, ka, tau) = (CL_L_H / V_L, 0.55, 8.0);
    let e = one_cpt(
        "{ route = \"oral\", amount = \"35 mg\", every = \"8 h\", ka = \"0.55 /h\" }",
        "3 d",
    );
    let r = &e.schedules[0].repeats[0];
    let first = 1.0 - (ka * (-k * tau).exp() - k * (-ka * tau).exp()) / (ka - k);
    check(
        "R, oral every 8 h",
        r.accumulation_ratio.expect("ratio"),
        1.0 / first,
        ROOT,
    );
}

#[test]
fn two_compartment_context_sensitive_half_time_grows_with_infusion_length() {
    let mut previous = 0.0;
    let mut alpha_beta = (0.0, 0.0);
    for hours in ["10 min", "1 h", "4 h", "24 h", "100 h"] {
        let text = format!(
            "name = \"2 cpt\"\n[model]\ncompartments = 2\nclearance = \"79 L/h\"\ncentral_volume = \"25 L\"\nintercompartmental_clearance = [\"150 L/h\"]\nperipheral_volume = [\"227 L\"]\n[simulation]\nduration = \"5 d\"\noutput_every = \"10 min\"\n[[schedule]]\nname = \"a\"\ndoses = [{{ route = \"iv\", rate = \"10 mg/h\", over = \"{hours}\" }}]\n"
        );
        let e = explain(&parse(Path::new("two.toml"), &text).unwrap()).unwrap();
        let csht = e.schedules[0].infusions[0].half_time_h.unwrap();
        eprintln!("2-compartment CSHT after {hours}: {csht:.4} h");
        assert!(
            csht > previous,
            "CSHT after {hours} ({csht} h) is not longer than before"
        );
        previous = csht;
        alpha_beta = (
            e.bodies[0].phases[0].half_life_h,
            e.bodies[0].phases[1].half_life_h,
        );
    }
    // Bounded by the phases: never faster than distribution, never slower than elimination.
    assert!(previous > alpha_beta.0 && previous < alpha_beta.1);
}

fn lessons() -> Vec<std::path::PathBuf> {
    let files = files_below(&root().join("scenarios/lessons"));
    assert!(files.len() >= 9, "the lessons are missing");
    files
}

#[test]
fn every_lesson_is_numbered_has_a_lesson_text_and_explains() {
    for f in lessons() {
        let name = f.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            name.as_bytes()[..2].iter().all(u8::is_ascii_digit) && name.as_bytes()[2] == b'-',
            "{name} is not numbered"
        );
        let s = ketasim::scenario::load(&f).unwrap();
        assert!(
            s.description.len() > 200,
            "{name}: the lesson text is missing"
        );
        let e = explain(&s).unwrap_or_else(|err| panic!("{name}: {err}"));
        let text = ketasim::report::explain::text(&e);
        assert!(
            text.contains(&s.description.lines().next().unwrap()[..20]),
            "{name}"
        );
        assert!(text.contains("teaching and research use only"), "{name}");
    }
}

#[test]
fn explain_runs_on_the_lessons_directory() {
    let out = ketasim(&root())
        .args(["explain", "scenarios/lessons/"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.matches("The model\n").count(), lessons().len());
}

#[test]
fn markdown_handout_goes_beside_the_png() {
    let tmp = tempfile::tempdir().unwrap();
    let lesson = root().join("scenarios/lessons/06-context-sensitive-half-time.toml");
    let out = ketasim(tmp.path())
        .args(["explain", lesson.to_str().unwrap(), "--markdown"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = tmp.path().join("outputs");
    let names: Vec<String> = files_below(&dir)
        .iter()
        .map(|f| f.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        [
            "06-context-sensitive-half-time.md",
            "06-context-sensitive-half-time.png"
        ]
    );
    let md = std::fs::read_to_string(dir.join("06-context-sensitive-half-time.md")).unwrap();
    assert!(md.starts_with("# Lesson 6: context-sensitive half-time"));
    assert!(md.contains("![Lesson 6: context-sensitive half-time: 1 h, 4 h and 24 h of infusion](06-context-sensitive-half-time.png)"));
    assert!(md.contains("context-sensitive half-time 12.4 min"));
}

#[test]
fn explain_of_an_invalid_scenario_is_invalid_input() {
    let dir = root().join("tests/fixtures/invalid");
    let out = ketasim(&dir)
        .args(["explain", "unknown-lower-panel.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn lesson_6_explained() {
    let out = ketasim(&root())
        .args([
            "explain",
            "scenarios/lessons/06-context-sensitive-half-time.toml",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!(String::from_utf8(out.stdout).unwrap());
}
