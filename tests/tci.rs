//! Target-controlled infusion: the closed forms of a 1-compartment pump, the hold of every
//! built-in model within 1% of each target, effect-site targeting without overshoot, the
//! exact and ODE engines agreeing, and a falling target stopping the pump for exactly the
//! free decay time. See: issue 13.

mod common;

use ketasim::control::PumpPlan;
use ketasim::model::library;
use ketasim::scenario;
use ketasim::solver::SolverKind;
use ketasim::study::ScheduleResult;
use std::path::Path;

/// Closed forms agree to rounding of a few exponentials.
const CLOSED_FORM: f64 = 1e-9;
/// The issue's hold band: within 1% of the target once reached.
const HOLD: f64 = 0.01;
/// Exact and ODE agree to this, relative to the largest value.
const ENGINES_AGREE: f64 = 1e-6;
/// Effect-site mode: the effect site's peak equals the target and never exceeds it by more
/// than this (relative; the issue asks for 1%, 2e-15 is measured; the 10 s grid search
/// before the golden-section refinement overshot by 1.2e-6).
const EFFECT_PEAK: f64 = 1e-9;
/// The effect-site search finds the peak time to 1 ms, so one loading interval brings the
/// effect-site peak to its target to this (relative; 1e-9 measured on the 0.1 s output
/// grid): the 10 s search grid alone overshot by 1.2e-6 on kamp-2020.
const PEAK_SEARCH: f64 = 1e-7;
/// The fall to a lower target takes the free decay time, to this (h): 1 s.
const FALL_TIME_H: f64 = 1.0 / 3600.0;

fn run(text: &str, solver: SolverKind) -> Vec<ScheduleResult> {
    let s = scenario::parse(Path::new("tci-test.toml"), text).expect("scenario is valid");
    s.simulate(solver).expect("simulation runs")
}

fn pump(r: &ScheduleResult) -> &PumpPlan {
    &r.tci.as_ref().expect("a TCI schedule has a pump").plan
}

/// A scenario on `model` (TOML lines) with one schedule of `targets`.
fn scenario_text(model: &str, targets: &str, pump: &str, duration: &str, every: &str) -> String {
    format!(
        r#"name = "TCI test"
[patient]
weight = "70 kg"
{model}
[simulation]
duration = "{duration}"
output_every = "{every}"
[[schedule]]
name = "TCI"
targets = [{targets}]
pump = {{ {pump} }}
"#
    )
}

#[test]
fn one_compartment_loads_target_times_v_and_maintains_target_times_cl() {
    let (cl_l_h, v_l, target_mg_l, dt_h): (f64, f64, f64, f64) = (10.0, 20.0, 1.0, 10.0 / 3600.0);
    let model = "[model]\ncompartments = 1\nclearance = \"10 L/h\"\ncentral_volume = \"20 L\"";
    let text = scenario_text(
        model,
        r#"{ at = "0 min", plasma = "1 µg/mL" }"#,
        r#"update_every = "10 s", max_rate = "100000 mL/h""#,
        "10 min",
        "10 s",
    );
    let r = &run(&text, SolverKind::Exact)[0];
    let p = pump(r);
    let k = cl_l_h / v_l;
    // The first interval puts target × V in the body at its end, plus what was eliminated
    // meanwhile: r0 = target·CL / (1 − e^(−kΔ)).
    let loading = target_mg_l * cl_l_h / (1.0 - (-k * dt_h).exp());
    assert!((p.changes[0].mg_h - loading).abs() <= CLOSED_FORM * loading);
    let in_body = r.trajectory.plasma_ng_ml[1] / 1000.0 * v_l;
    assert!((in_body - target_mg_l * v_l).abs() <= CLOSED_FORM * target_mg_l * v_l);
    // Then target × CL replaces what is eliminated.
    let maintenance = target_mg_l * cl_l_h;
    let rates = &p.changes[1..p.changes.len() - 1];
    assert!(!rates.is_empty());
    for c in rates {
        assert!(
            (c.mg_h - maintenance).abs() <= CLOSED_FORM * maintenance,
            "{} mg/h at {} h",
            c.mg_h,
            c.time_h
        );
    }
}

/// Check that `c` (ng/mL on `times`) holds `target` (ng/mL) on `[from, to)`: never above
/// it by more than [`HOLD`], and within [`HOLD`] from one update after it is reached.
fn holds(id: &str, times: &[f64], c: &[f64], target: f64, (from, to): (f64, f64), dt: f64) {
    let window: Vec<(f64, f64)> = times
        .iter()
        .zip(c)
        .filter(|(t, _)| **t >= from - 1e-9 && **t < to - 1e-9)
        .map(|(t, c)| (*t, *c))
        .collect();
    for &(t, v) in &window {
        assert!(
            v <= target * (1.0 + HOLD),
            "{id}: {v} ng/mL at {t} h over target {target}"
        );
    }
    let reached = window
        .iter()
        .find(|(_, v)| (v - target).abs() <= HOLD * target)
        .unwrap_or_else(|| panic!("{id}: target {target} never reached"))
        .0;
    for &(t, v) in window.iter().filter(|(t, _)| *t >= reached + dt - 1e-9) {
        assert!(
            (v - target).abs() <= HOLD * target,
            "{id}: {v} ng/mL at {t} h, target {target}"
        );
    }
}

#[test]
fn plasma_tci_holds_within_one_percent_on_every_built_in_model() {
    let dt = 10.0 / 3600.0;
    for spec in library::all() {
        let text = scenario_text(
            &format!("[model]\npk = \"{}\"", spec.id),
            r#"{ at = "0 min", plasma = "1 µg/mL" }, { at = "30 min", plasma = "2 µg/mL" }"#,
            r#"update_every = "10 s""#,
            "1 h",
            "10 s",
        );
        let r = &run(&text, SolverKind::Exact)[0];
        let t = r.trajectory.time_h.as_slice().expect("contiguous");
        let c = r.trajectory.plasma_ng_ml.as_slice().expect("contiguous");
        holds(&spec.id, t, c, 1000.0, (0.0, 0.5), dt);
        holds(&spec.id, t, c, 2000.0, (0.5, 1.0 + dt), dt);
    }
}

#[test]
fn effect_site_tci_peaks_at_the_target_without_overshoot() {
    let dt = 10.0 / 3600.0;
    let mut checked = 0;
    for spec in library::all().into_iter().filter(|s| s.ke0_per_h.is_some()) {
        let text = scenario_text(
            &format!("[model]\npk = \"{}\"", spec.id),
            r#"{ at = "0 min", effect = "1 µg/mL" }"#,
            r#"update_every = "10 s""#,
            "1 h",
            "10 s",
        );
        let r = &run(&text, SolverKind::Exact)[0];
        let t = r.trajectory.time_h.as_slice().expect("contiguous");
        let ce = r.trajectory.effect_ng_ml.as_ref().expect("effect site");
        let ce = ce.as_slice().expect("contiguous");
        // The peak is the target and nothing is above it (the issue asks for 1%).
        let peak = ce.iter().cloned().fold(0.0, f64::max);
        assert!(
            (peak - 1000.0).abs() <= EFFECT_PEAK * 1000.0,
            "{}: peak {peak}",
            spec.id
        );
        holds(&spec.id, t, ce, 1000.0, (0.0, 1.0 + dt), dt);
        // The plasma overshoots the target to drive the effect site there quickly.
        let cp_peak = r
            .trajectory
            .plasma_ng_ml
            .iter()
            .cloned()
            .fold(0.0, f64::max);
        assert!(
            cp_peak > 1000.0 * (1.0 + HOLD),
            "{}: plasma peak {cp_peak}",
            spec.id
        );
        checked += 1;
    }
    assert!(checked > 0, "no built-in model has a ke0");
}

/// Shafer & Gregg's loading: a pump that runs one interval and then stops (a target of
/// 0) brings the effect site's peak exactly to the target, on every model with a ke0.
#[test]
fn one_effect_site_loading_peaks_exactly_at_the_target() {
    let mut checked = 0;
    for spec in library::all().into_iter().filter(|s| s.ke0_per_h.is_some()) {
        let text = scenario_text(
            &format!("[model]\npk = \"{}\"", spec.id),
            r#"{ at = "0 min", effect = "1 µg/mL" }, { at = "10 s", effect = "0 µg/mL" }"#,
            r#"update_every = "10 s", max_rate = "100000 mL/h""#,
            "1 h",
            "0.1 s",
        );
        let r = &run(&text, SolverKind::Exact)[0];
        assert!(
            pump(r).changes[0].mg_h < 1e6,
            "{}: not limited by max_rate",
            spec.id
        );
        let ce = r.trajectory.effect_ng_ml.as_ref().expect("effect site");
        let (k, peak) = ce
            .iter()
            .enumerate()
            .fold((0, 0.0), |b, (k, &c)| if c > b.1 { (k, c) } else { b });
        assert!(
            (peak - 1000.0).abs() <= PEAK_SEARCH * 1000.0,
            "{}: peak {peak} ng/mL at {} s",
            spec.id,
            r.trajectory.time_h[k] * 3600.0
        );
        assert!(
            k + 1 < ce.len(),
            "{}: the peak is inside the window",
            spec.id
        );
        checked += 1;
    }
    assert!(checked > 0, "no built-in model has a ke0");
}

fn max_abs(a: &[f64]) -> f64 {
    a.iter().map(|v| v.abs()).fold(0.0, f64::max)
}

#[test]
fn exact_and_ode_plan_the_same_pump() {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/tci-kamp.toml"),
    )
    .expect("tci-kamp.toml");
    let exact = run(&text, SolverKind::Exact);
    let ode = run(&text, SolverKind::Ode);
    for (e, o) in exact.iter().zip(&ode) {
        let (pe, po) = (pump(e), pump(o));
        assert_eq!(pe.changes.len(), po.changes.len());
        let scale = pe.changes.iter().map(|c| c.mg_h).fold(0.0, f64::max);
        for (a, b) in pe.changes.iter().zip(&po.changes) {
            assert!(
                (a.mg_h - b.mg_h).abs() <= ENGINES_AGREE * scale,
                "{} vs {}",
                a.mg_h,
                b.mg_h
            );
        }
        let (ce, co) = (&e.trajectory.plasma_ng_ml, &o.trajectory.plasma_ng_ml);
        let scale = max_abs(ce.as_slice().expect("contiguous"));
        for (a, b) in ce.iter().zip(co) {
            assert!((a - b).abs() <= ENGINES_AGREE * scale, "{a} vs {b}");
        }
    }
}

/// First time (h) at or after `from` with `c` at or below `level`.
fn first_at_or_below(times: &[f64], c: &[f64], from: f64, level: f64) -> f64 {
    times
        .iter()
        .zip(c)
        .find(|(t, v)| **t >= from && **v <= level * (1.0 + 1e-9))
        .map(|(t, _)| *t)
        .expect("falls to the level")
}

#[test]
fn a_falling_target_stops_the_pump_for_the_free_decay_time() {
    let model = "[model]\npk = \"kamp-2020\"";
    let tci = |second: &str| {
        let text = scenario_text(
            model,
            &format!(
                r#"{{ at = "0 min", plasma = "1 µg/mL" }}, {{ at = "30 min", plasma = "{second}" }}"#
            ),
            r#"update_every = "1 s""#,
            "1 h",
            "1 s",
        );
        run(&text, SolverKind::Exact).remove(0)
    };
    let lower = tci("0.5 µg/mL");
    let free = tci("0 µg/mL");
    let p = pump(&lower);
    assert!(
        p.rate_at(0.5) <= 0.0,
        "the pump stops when the target falls"
    );
    let t = lower.trajectory.time_h.as_slice().expect("contiguous");
    let fall = first_at_or_below(
        t,
        lower.trajectory.plasma_ng_ml.as_slice().expect("c"),
        0.5,
        500.0,
    );
    let decay = first_at_or_below(
        t,
        free.trajectory.plasma_ng_ml.as_slice().expect("c"),
        0.5,
        500.0,
    );
    assert!(
        fall > 0.5 + 60.0 / 3600.0,
        "it takes minutes to fall: {fall} h"
    );
    assert!(
        (fall - decay).abs() <= FALL_TIME_H,
        "fall {fall} h, free decay {decay} h"
    );
    // The pump restarts once there, and the rates are zero until then.
    assert!(p
        .changes
        .iter()
        .filter(|c| c.time_h >= 0.5 && c.time_h < fall - FALL_TIME_H)
        .all(|c| c.mg_h <= 0.0));
    assert!(p.rate_at(fall + 2.0 / 3600.0) > 0.0);
}

#[test]
fn tci_runs_on_a_written_network() {
    let full = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/custom-network.toml"),
    )
    .expect("custom-network.toml");
    let head = &full[..full.find("[simulation]").expect("a simulation table")];
    let text = format!(
        r#"{head}
[simulation]
duration = "1 h"
output_every = "10 s"
[[schedule]]
name = "TCI"
targets = [{{ at = "0 min", plasma = "1 µg/mL" }}, {{ at = "20 min", effect = "1.5 µg/mL" }}]
"#
    );
    let r = &run(&text, SolverKind::Exact)[0];
    let t = r.trajectory.time_h.as_slice().expect("contiguous");
    let dt = 10.0 / 3600.0;
    holds(
        "network plasma",
        t,
        r.trajectory.plasma_ng_ml.as_slice().expect("c"),
        1000.0,
        (0.0, 20.0 / 60.0),
        dt,
    );
    let ce = r.trajectory.effect_ng_ml.as_ref().expect("effect site");
    holds(
        "network effect",
        t,
        ce.as_slice().expect("c"),
        1500.0,
        (20.0 / 60.0, 1.0 + dt),
        dt,
    );
}

#[test]
fn a_population_receives_the_typical_pump_and_is_scored_by_varvel() {
    let base = scenario_text(
        "[model]\npk = \"kamp-2020\"",
        r#"{ at = "0 min", plasma = "1 µg/mL" }"#,
        r#"update_every = "10 s""#,
        "30 min",
        "10 s",
    );
    // Without variability every subject is the typical patient: the pump holds each.
    let same = run(
        &format!("{base}[population]\nsize = 20\n"),
        SolverKind::Exact,
    );
    let v = same[0]
        .population
        .as_ref()
        .and_then(|p| p.tci.as_ref())
        .expect("scored");
    assert!(v.mdape.p95 <= 100.0 * HOLD, "MDAPE {:?}", v.mdape);
    assert!(v.wobble.p95 <= 100.0 * HOLD, "wobble {:?}", v.wobble);
    // With variability the same pump misses: the spread of MDPE is wide.
    let varied = run(
        &format!("{base}[population]\nsize = 200\n[population.variability]\nclearance = \"38%\"\ncentral_volume = \"64%\"\n"),
        SolverKind::Exact,
    );
    let v = varied[0]
        .population
        .as_ref()
        .and_then(|p| p.tci.as_ref())
        .expect("scored");
    assert!(v.mdpe.p05 < -10.0 && v.mdpe.p95 > 10.0, "MDPE {:?}", v.mdpe);
    assert!(v.mdape.p50 > 100.0 * HOLD, "MDAPE {:?}", v.mdape);
}

/// Percentile curves are stored as f32 per subject: 7 significant digits.
const F32_CURVE: f64 = 1e-6;

#[test]
fn a_population_with_effect_site_targets_is_scored_at_each_subjects_effect_site() {
    let base = scenario_text(
        "[model]\npk = \"kamp-2020\"",
        r#"{ at = "0 min", effect = "1 µg/mL" }"#,
        r#"update_every = "10 s""#,
        "30 min",
        "10 s",
    );
    // Without variability every subject is the typical patient: the effect-site band is
    // the typical effect-site curve (not the plasma one), and the pump holds each.
    let same = run(
        &format!("{base}[population]\nsize = 20\n"),
        SolverKind::Exact,
    );
    let p = same[0].population.as_ref().expect("a population");
    let band = p.effect_site.as_ref().expect("an effect-site band");
    let typical = same[0].trajectory.effect_ng_ml.as_ref().expect("effect");
    for (k, &ce) in typical.iter().enumerate() {
        for v in [band.p05_ng_ml[k], band.p50_ng_ml[k], band.p95_ng_ml[k]] {
            assert!((v - ce).abs() <= F32_CURVE * ce.max(1.0), "{v} vs {ce}");
        }
    }
    let plasma = &same[0].trajectory.plasma_ng_ml;
    assert!(plasma.iter().zip(typical).any(|(cp, ce)| cp > &(ce * 1.5)));
    // The time-course CSV carries the band, beside the plasma percentiles.
    let mut text = Vec::new();
    ketasim::report::csv::time_course(&same, &mut text).expect("a CSV");
    let mut csv = csv::Reader::from_reader(&text[..]);
    let header: Vec<String> = csv
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let rows: Vec<csv::StringRecord> = csv.records().map(|r| r.expect("a row")).collect();
    assert_eq!(rows.len(), band.p50_ng_ml.len());
    for (k, row) in rows.iter().enumerate() {
        for (name, curve) in [
            ("effect_p05_ng_ml", &band.p05_ng_ml),
            ("effect_p50_ng_ml", &band.p50_ng_ml),
            ("effect_p95_ng_ml", &band.p95_ng_ml),
            ("p50_ng_ml", &p.p50_ng_ml),
        ] {
            let cell: f64 = row[col(name)].parse().expect(name);
            assert!(
                close(cell, curve[k]),
                "{name} at row {k}: {cell} vs {}",
                curve[k]
            );
        }
    }
    let v = p.tci.as_ref().expect("scored");
    assert!(v.mdape.p95 <= 100.0 * HOLD, "MDAPE {:?}", v.mdape);
    assert!(v.wobble.p95 <= 100.0 * HOLD, "wobble {:?}", v.wobble);
    // With variability the same pump misses each subject's effect site.
    let varied = run(
        &format!("{base}[population]\nsize = 200\n[population.variability]\nclearance = \"38%\"\ncentral_volume = \"64%\"\n"),
        SolverKind::Exact,
    );
    let p = varied[0].population.as_ref().expect("a population");
    let v = p.tci.as_ref().expect("scored");
    assert!(v.mdpe.p05 < -10.0 && v.mdpe.p95 > 10.0, "MDPE {:?}", v.mdpe);
    assert!(v.mdape.p50 > 100.0 * HOLD, "MDAPE {:?}", v.mdape);
    let band = p.effect_site.as_ref().expect("an effect-site band");
    let end = band.p50_ng_ml.len() - 1;
    assert!(band.p95_ng_ml[end] > 1.2 * band.p05_ng_ml[end], "{band:?}");
}

/// The CSVs carry 6 significant digits.
const CSV_DIGITS: f64 = 1e-5;

/// `path` as a header and rows of fields.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).expect("a CSV");
    let header = r
        .headers()
        .expect("header")
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("a row").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= CSV_DIGITS * a.abs().max(b.abs()).max(1e-9)
}

/// `scenarios/tci-kamp.toml` through `ketasim run`: the table names every target, the
/// time-course CSV has the rate in force at each time, the summary the total and each
/// target's outcome, the pump log every rate change (adding up to what the pump gave),
/// and the plot is written; the effect-site schedule's effect site peaks at its target
/// while its plasma overshoots.
#[test]
fn tci_kamp_writes_its_table_csv_pump_log_and_plot() {
    let file = common::root().join("scenarios/tci-kamp.toml");
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = common::ketasim(tmp.path())
        .args(["run", &file.display().to_string(), "--out-dir", "out"])
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let table = &stdout[stdout
        .find("Target-controlled infusion\n")
        .expect("a TCI table")..];
    for row in [
        "plasma 1 µg/mL",
        "plasma 0.5 µg/mL",
        "effect 1 µg/mL",
        "effect 0.5 µg/mL",
    ] {
        assert!(table.contains(row), "{row} missing from\n{table}");
    }
    let text = std::fs::read_to_string(&file).expect("scenario");
    let results = run(&text, SolverKind::Exact);
    let dir = tmp.path().join("out");

    let (header, rows) = read_csv(&dir.join("tci-kamp.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (t, mg_h, ml_h) = (col("time_h"), col("infusion_mg_h"), col("infusion_ml_h"));
    for row in &rows {
        let r = results
            .iter()
            .find(|r| r.name == row[0])
            .expect("a schedule");
        let num = |k: usize| row[k].parse::<f64>().expect("a number");
        // The CSV's time has 6 decimals: the output point is the nearest 10 s.
        let rate = pump(r).rate_at((num(t) * 360.0).round() / 360.0);
        assert!(
            close(num(mg_h), rate),
            "{row:?}: the rate in force is {rate}"
        );
        assert!(close(num(ml_h), rate / 10.0), "{row:?}: 10 mg/mL");
    }
    assert_eq!(rows.len(), 2 * 361);

    let (header, rows) = read_csv(&dir.join("tci-kamp-summary.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    for (row, r) in rows.iter().zip(&results) {
        let num = |name: &str| row[col(name)].parse::<f64>().expect(name);
        let tci = r.tci.as_ref().expect("TCI");
        assert!(close(num("total_dose_mg"), tci.total_dose_mg));
        for (k, o) in tci.targets.iter().enumerate() {
            let after = num(&format!("target_{}_reached_after_h", k + 1));
            assert!(close(after, o.reached_after_h.expect("reached")));
            let peak = num(&format!("target_{}_plasma_peak_ng_ml", k + 1));
            assert!(close(peak, o.plasma_peak_ng_ml));
        }
    }
    let effect_row = &rows[1];
    let cmax_effect: f64 = effect_row[col("cmax_effect_ng_ml")]
        .parse()
        .expect("number");
    let plasma_peak: f64 = effect_row[col("target_1_plasma_peak_ng_ml")]
        .parse()
        .expect("number");
    assert!(close(cmax_effect, 1000.0), "effect-site peak {cmax_effect}");
    assert!(plasma_peak > 2000.0, "plasma overshoot {plasma_peak}");

    let (header, rows) = read_csv(&dir.join("tci-kamp-pump.csv"));
    assert_eq!(
        header,
        ["schedule", "time_h", "infusion_mg_h", "infusion_ml_h"]
    );
    for r in &results {
        let log: Vec<(f64, f64)> = rows
            .iter()
            .filter(|row| row[0] == r.name)
            .map(|row| (row[1].parse().expect("t"), row[2].parse().expect("rate")))
            .collect();
        assert!(log
            .windows(2)
            .all(|w| w[0].0 < w[1].0 && w[0].1.to_bits() != w[1].1.to_bits()));
        // The log ends with the pump stopped (at the end, or earlier for good).
        let (end, last_rate) = *log.last().expect("rows");
        assert!(end <= 1.0 && last_rate <= 0.0, "{end} h, {last_rate} mg/h");
        let given: f64 = log.windows(2).map(|w| w[0].1 * (w[1].0 - w[0].0)).sum();
        let total = r.tci.as_ref().expect("TCI").total_dose_mg;
        assert!(
            (given - total).abs() <= 1e-4 * total,
            "{given} vs {total} mg"
        );
    }
    let png = std::fs::read(dir.join("tci-kamp.png")).expect("a plot");
    assert!(png.starts_with(b"\x89PNG"));
}
