//! A scenario's results as a [`PlotSpec`]: one curve per schedule, the scenario's bands,
//! dose markers labelled with route and amount, norketamine or the effect site in a lower
//! panel (`[plot] lower_panel`), and a footer naming the model and the intended use.

use super::plot::hysteresis::{Loop, LoopSpec};
use super::plot::{
    render_png, render_svg, Band, DoseMarker, Panel, PlotError, PlotSpec, Series, TargetLine,
};
use crate::dosing::{Delivery, Dose};
use crate::scenario::{LowerPanel, Scenario};
use crate::study::ScheduleResult;
use crate::targets::Site;
use crate::units::{fmt_num, grouped};
use std::path::{Path, PathBuf};

/// Plot size in pixels: legible when projected, sharp in print.
const WIDTH_PX: u32 = 1200;
const HEIGHT_PX: u32 = 800;

/// The plot at `plot` in the format its extension names (`.svg` is SVG, anything else
/// PNG: scenario files can only name those two), and with `svg_too` an SVG beside a PNG,
/// as bytes to write.
pub fn files(
    s: &Scenario,
    results: &[ScheduleResult],
    plot: &Path,
    svg_too: bool,
) -> Result<Vec<(PathBuf, Vec<u8>)>, PlotError> {
    let spec = spec(s, results);
    let is_svg = plot
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("svg"));
    let svg = || Ok::<_, PlotError>(render_svg(&spec)?.into_bytes());
    let mut files = Vec::new();
    if let Some(h) = hysteresis(s, results) {
        files.push((
            hysteresis_path(plot),
            super::plot::hysteresis::render_png(&h)?,
        ));
    }
    if is_svg {
        files.push((plot.to_path_buf(), svg()?));
    } else {
        files.push((plot.to_path_buf(), render_png(&spec)?));
        if svg_too {
            files.push((plot.with_extension("svg"), svg()?));
        }
    }
    Ok(files)
}

/// `<plot stem>-hysteresis.png` beside the plot.
pub fn hysteresis_path(plot: &Path) -> PathBuf {
    let stem = plot
        .file_stem()
        .map_or_else(|| "ketasim".into(), |s| s.to_string_lossy().into_owned());
    plot.with_file_name(format!("{stem}-hysteresis.png"))
}

/// With `[plot] hysteresis = true`: the first `[[effect]]` against the plasma
/// concentration, one loop per schedule.
fn hysteresis(s: &Scenario, results: &[ScheduleResult]) -> Option<LoopSpec> {
    if !s.hysteresis {
        return None;
    }
    let e = &results.first()?.effects.first()?.endpoint;
    let loops = results
        .iter()
        .filter_map(|r| {
            Some(Loop {
                name: r.name.clone(),
                plasma_ng_ml: r.trajectory.plasma_ng_ml.to_vec(),
                effect: r.effects.first()?.effect.clone(),
            })
        })
        .collect();
    let drug = drug_name(s);
    Some(LoopSpec {
        title: format!("{}: {} against plasma {drug}", s.name, e.name),
        footer: format!(
            "Arrows: direction of time. {} t½ke0 {}; {}",
            e.name,
            e.t_half_ke0_text(),
            footer(s)
        ),
        y_label: format!("{} ({})", e.name, e.unit),
        x_label: format!("Plasma {drug} (ng/mL)"),
        loops,
    })
}

/// Windows longer than this (h) get a time axis in days: 0–28 d reads better than 0–672 h.
const DAYS_FROM_H: f64 = 72.0;

/// Infusions at least this long (h) are labelled by rate: "22 mg/h for 4 d" says more than
/// "2112 mg over 96 h".
const LABEL_BY_RATE_FROM_H: f64 = 2.0;

/// "IV 35 mg over 40 min", "IV 22 mg/h for 4 d", "intranasal 28 mg".
pub fn dose_label(d: &Dose) -> String {
    let route = match d.route {
        crate::route::Route::Iv => "IV".to_string(),
        r => r.id().to_string(),
    };
    let mg = fmt_num(d.amount_mg);
    match d.delivery {
        Delivery::Bolus => format!("{route} {mg} mg"),
        Delivery::Duration { h } if h >= LABEL_BY_RATE_FROM_H => {
            format!(
                "{route} {} mg/h for {}",
                fmt_num(d.amount_mg / h),
                crate::units::fmt_hours(h)
            )
        }
        Delivery::Duration { h } => format!("{route} {mg} mg over {}", crate::units::fmt_hours(h)),
        Delivery::Rate { mg_per_h } => format!("{route} {mg} mg at {} mg/h", fmt_num(mg_per_h)),
    }
}

fn series(name: &str, time_h: &ndarray::Array1<f64>, conc: &ndarray::Array1<f64>) -> Series {
    Series {
        name: name.to_string(),
        time_h: time_h.to_vec(),
        conc_ng_ml: conc.to_vec(),
        ribbon: None,
    }
}

/// Picks one concentration column of a schedule's course.
type Column = fn(&ScheduleResult) -> Option<&ndarray::Array1<f64>>;

/// The lower panel the scenario asks for. Its curves have no legend entries: they share
/// the colours of the plasma curves above, whose legend names them, so every schedule
/// keeps its slot (an empty curve when its model has no such column: a racemic model
/// without a metabolite beside esketamine with S-norketamine).
fn lower_panel(s: &Scenario, results: &[ScheduleResult], drug: &str) -> Option<Panel> {
    let (y_label, pick): (String, Column) = match s.lower_panel {
        LowerPanel::None => return None,
        LowerPanel::Norketamine => {
            // Every metabolite drawn, as the plasma axis names every drug.
            let mut names: Vec<&str> = Vec::new();
            for m in s
                .schedules
                .iter()
                .filter_map(|sch| sch.model.metabolite.as_ref())
            {
                if !names.contains(&m.name.as_str()) {
                    names.push(&m.name);
                }
            }
            let name = match names.is_empty() {
                true => "Norketamine".to_string(),
                false => names.join(" or "),
            };
            (format!("{name} (ng/mL)"), |r| {
                r.trajectory.metabolite_ng_ml.as_ref()
            })
        }
        LowerPanel::Effect => (format!("Effect-site {drug} (ng/mL)"), |r| {
            r.trajectory.effect_ng_ml.as_ref()
        }),
        LowerPanel::Pump => return pump_panel(results),
        LowerPanel::Pd => return pd_panel(results),
    };
    let series: Vec<Series> = (results.iter())
        .map(|r| pick(r).map_or_else(Series::default, |c| series("", &r.trajectory.time_h, c)))
        .collect();
    let drawn = series.iter().any(|s| !s.time_h.is_empty());
    drawn.then_some(Panel { y_label, series })
}

/// The first `[[effect]]` endpoint of each schedule, in its own units (the CSV has every
/// endpoint). Colours follow the schedules above.
fn pd_panel(results: &[ScheduleResult]) -> Option<Panel> {
    let first = results.first()?.effects.first()?;
    let e = &first.endpoint;
    let series = results
        .iter()
        .map(|r| {
            let Some(c) = r.effects.first() else {
                // No endpoint: an empty curve keeps the schedule's colour slot.
                return Series::default();
            };
            // With a population: the median with its 5th–95th percentile ribbon, as above.
            let (line, ribbon) = match &c.population {
                Some(p) => (
                    p.curves[1].clone(),
                    Some((p.curves[0].clone(), p.curves[2].clone())),
                ),
                None => (c.effect.clone(), None),
            };
            Series {
                name: String::new(),
                time_h: r.trajectory.time_h.to_vec(),
                conc_ng_ml: line,
                ribbon,
            }
        })
        .collect();
    Some(Panel {
        y_label: format!("{} ({})", e.name, e.unit),
        series,
    })
}

/// The TCI pump's rate of each schedule with targets, as a step line (mg/h): the rate
/// holds from one change to the next. Schedules without a pump draw nothing, keeping
/// their colour slot so the colours match the curves above.
fn pump_panel(results: &[ScheduleResult]) -> Option<Panel> {
    let series: Vec<Series> = results
        .iter()
        .map(|r| {
            let mut time_h = Vec::new();
            let mut rate = Vec::new();
            let changes = r.tci.as_ref().map_or(&[][..], |t| &t.plan.changes[..]);
            let mut last = 0.0;
            for c in changes {
                time_h.extend([c.time_h, c.time_h]);
                rate.extend([last, c.mg_h]);
                last = c.mg_h;
            }
            Series {
                name: String::new(),
                time_h,
                conc_ng_ml: rate,
                ribbon: None,
            }
        })
        .collect();
    series.iter().any(|s| !s.time_h.is_empty()).then(|| Panel {
        y_label: "Pump rate (mg/h)".into(),
        series,
    })
}

/// A schedule's curve: the typical patient, or with a population its median with the
/// 5th–95th percentile ribbon.
fn main_series(r: &ScheduleResult) -> Series {
    let t = &r.trajectory;
    match &r.population {
        None => series(&r.name, &t.time_h, &t.plasma_ng_ml),
        Some(p) => Series {
            name: format!("{} (median of {})", r.name, grouped(p.subjects)),
            time_h: t.time_h.to_vec(),
            conc_ng_ml: p.p50_ng_ml.clone(),
            ribbon: Some((p.p05_ng_ml.clone(), p.p95_ng_ml.clone())),
        },
    }
}

/// The main panel's curves: one per schedule, then with `effect = "same-axes"` each
/// schedule's effect-site curve, so the lag behind the plasma shows on one panel.
fn plasma_panel(s: &Scenario, results: &[ScheduleResult]) -> Vec<Series> {
    let mut out: Vec<Series> = results.iter().map(main_series).collect();
    if s.effect_on_plasma_axes {
        out.extend(results.iter().filter_map(|r| {
            let e = r.trajectory.effect_ng_ml.as_ref()?;
            let name = format!("{}: effect site", r.name);
            // With effect-site targets a population's effect site is known: its band.
            Some(
                match r.population.as_ref().and_then(|p| p.effect_site.as_ref()) {
                    Some(band) => Series {
                        name: format!("{name} (median)"),
                        time_h: r.trajectory.time_h.to_vec(),
                        conc_ng_ml: band.p50_ng_ml.clone(),
                        ribbon: Some((band.p05_ng_ml.clone(), band.p95_ng_ml.clone())),
                    },
                    None => series(&name, &r.trajectory.time_h, e),
                },
            )
        }));
    }
    out
}

/// Each TCI schedule's targets as step lines, one per site it targets, in the colour of
/// the curve the target is for: the schedule's plasma curve, or its effect-site curve
/// (drawn only when that shares the plasma axes: a target beside no curve of its site
/// would read as a plasma target). Each line breaks (NaN) where the other site is
/// targeted.
fn target_lines(s: &Scenario, results: &[ScheduleResult]) -> Vec<TargetLine> {
    let mut effect_curves = results.len();
    let mut out = Vec::new();
    for (i, r) in results.iter().enumerate() {
        let effect_colour = match r.trajectory.effect_ng_ml.is_some() && s.effect_on_plasma_axes {
            true => {
                effect_curves += 1;
                Some(effect_curves - 1)
            }
            false => None,
        };
        let Some(tci) = &r.tci else { continue };
        let end_h = r.trajectory.time_h.last().copied().unwrap_or(0.0);
        for (site, colour_of, word) in [
            (Site::Plasma, Some(i), "plasma"),
            (Site::Effect, effect_colour, "effect-site"),
        ] {
            let targets = &tci.targets;
            let Some(colour_of) = colour_of else { continue };
            if targets.iter().all(|o| o.target.site != site) {
                continue;
            }
            let mut line = Series {
                name: format!("{}: {word} target", r.name),
                ..Series::default()
            };
            for (k, o) in targets.iter().enumerate() {
                let until = targets.get(k + 1).map_or(end_h, |n| n.target.at_h);
                let ng_ml = match o.target.site == site {
                    true => o.target.mg_l * 1000.0,
                    false => f64::NAN,
                };
                line.time_h.extend([o.target.at_h, until]);
                line.conc_ng_ml.extend([ng_ml, ng_ml]);
            }
            out.push(TargetLine { line, colour_of });
        }
    }
    out
}

/// "Model: id — title; weight[; N virtual subjects, BSV …] · disclaimer" (titles carry
/// parentheses of their own, so the id is set off by a dash).
fn footer(s: &Scenario) -> String {
    let population = s.population.as_ref().map_or_else(String::new, |p| {
        format!(
            "; {}, BSV {}",
            crate::units::count(p.size, "virtual subject"),
            p.variability.describe()
        )
    });
    let models = if s.compares_models() {
        let mut m: Vec<String> = s
            .schedules
            .iter()
            .map(|sch| format!("{} — {}", sch.model.id, sch.model.title))
            .collect();
        m.dedup();
        format!("Models: {}", m.join(" / "))
    } else {
        let m = s.schedules.first().map_or(&s.model, |sch| &sch.model);
        format!("Model: {} — {}", m.id, m.title)
    };
    format!(
        "{models}; {}{population} · {}",
        s.weight_text(),
        crate::DISCLAIMER
    )
}

/// Each band's one fill colour, the same in every plot (light Okabe–Ito hues, none of
/// them the grey or the curve blues a reader might take for something else).
fn band_rgb(id: &str) -> [u8; 3] {
    match id {
        "analgesia" => [0x00, 0x9E, 0x73],
        "dissociation" => [0xE6, 0x9F, 0x00],
        "emergence" => [0xCC, 0x79, 0xA7],
        "anaesthesia" => [0x66, 0x66, 0x66],
        _ => [0x99, 0x99, 0x99],
    }
}

/// The substance the curves are, from every schedule's model: a racemic infusion may be
/// drawn beside esketamine spray (`[[schedule]] model = ...`).
fn drug_name(s: &Scenario) -> &'static str {
    use crate::model::Drug;
    let has = |d: Drug| s.schedules.iter().any(|sch| sch.model.drug == d);
    match (has(Drug::Racemic), has(Drug::SKetamine)) {
        (true, true) => "ketamine or S-ketamine",
        (false, true) => "S-ketamine",
        _ => "ketamine",
    }
}

/// A band as drawn over the curves of `s`: labelled with the substance it was measured
/// in when any curve is of another (racemic bands over S-ketamine curves).
fn plot_band(b: &crate::bands::Band, s: &Scenario) -> Band {
    let note = match s.schedules.iter().all(|sch| sch.model.drug == b.substance) {
        true => String::new(),
        false => format!("measured for {}", b.substance.name()),
    };
    Band {
        name: b.id.to_string(),
        low_ng_ml: b.low_ng_ml,
        high_ng_ml: b.high_ng_ml,
        rgb: band_rgb(b.id),
        note,
    }
}

/// The plot of `results`.
pub fn spec(s: &Scenario, results: &[ScheduleResult]) -> PlotSpec {
    let drug = drug_name(s);
    let doses = s
        .schedules
        .iter()
        .enumerate()
        .flat_map(|(i, sch)| {
            sch.regimen.doses().into_iter().map(move |d| DoseMarker {
                time_h: d.time_h,
                series: i,
                label: dose_label(&d),
            })
        })
        .collect();
    let lower_panel = lower_panel(s, results, drug);
    PlotSpec {
        title: s.name.clone(),
        footer: footer(s),
        y_label: match s.effect_on_plasma_axes {
            true => format!("Plasma and effect-site {drug} (ng/mL)"),
            false => format!("Plasma {drug} (ng/mL)"),
        },
        series: plasma_panel(s, results),
        targets: target_lines(s, results),
        bands: s.bands.iter().map(|b| plot_band(b, s)).collect(),
        doses,
        log_y: s.log_y,
        time_in_days: s.duration_h > DAYS_FROM_H,
        lower_panel,
        width_px: WIDTH_PX,
        height_px: HEIGHT_PX,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::SolverKind;

    fn plot_of(model: &str, plot: &str) -> PlotSpec {
        let text = format!(
            "name = \"t\"\n[model]\npk = \"{model}\"\n[simulation]\nduration = \"4 d\"\noutput_every = \"1 h\"\n[[schedule]]\nname = \"a\"\ndoses = [{{ route = \"iv\", amount = \"10 mg\" }}]\n[plot]\n{plot}\n"
        );
        let s = crate::scenario::parse(Path::new("t.toml"), &text).expect("valid");
        spec(&s, &s.simulate(SolverKind::Exact).expect("runs"))
    }

    #[test]
    fn the_lower_panel_shows_what_the_scenario_asks_for() {
        let p = plot_of("kamp-2020", "lower_panel = \"effect\"");
        let panel = p.lower_panel.expect("an effect panel");
        assert_eq!(panel.y_label, "Effect-site ketamine (ng/mL)");
        assert!(
            panel.series.iter().all(|s| s.name.is_empty()),
            "no second legend"
        );
        let p = plot_of("fanta-2015", "");
        assert_eq!(
            p.lower_panel.expect("default").y_label,
            "S-norketamine (ng/mL)"
        );
        assert!(plot_of("fanta-2015", "lower_panel = \"none\"")
            .lower_panel
            .is_none());
    }

    /// A schedule whose model forms no metabolite keeps its colour slot in the
    /// norketamine panel (an empty curve), so the next schedule's metabolite is drawn in
    /// that schedule's colour, not in the first one's.
    #[test]
    fn a_lower_panel_curve_keeps_its_schedules_colour() {
        let text = "name = \"t\"\n[model]\npk = \"fanta-2015\"\n[simulation]\nduration = \"4 h\"\n\
            [[schedule]]\nname = \"racemic\"\nmodel = \"kamp-2020\"\ndoses = [{ route = \"iv\", amount = \"10 mg\" }]\n\
            [[schedule]]\nname = \"esketamine\"\ndoses = [{ route = \"iv\", amount = \"10 mg\" }]\n";
        let s = crate::scenario::parse(Path::new("t.toml"), text).expect("valid");
        let p = spec(&s, &s.simulate(SolverKind::Exact).expect("runs"));
        let panel = p.lower_panel.expect("a norketamine panel");
        assert_eq!(panel.y_label, "S-norketamine (ng/mL)");
        let points: Vec<usize> = panel.series.iter().map(|c| c.conc_ng_ml.len()).collect();
        assert_eq!(points.len(), 2, "one slot per schedule");
        assert!(points[0] == 0 && points[1] > 0, "{points:?}");
    }

    /// Issue 14: lesson 11's lag should show on one panel.
    #[test]
    fn effect_site_curves_can_share_the_plasma_axes() {
        let p = plot_of("kamp-2020", "effect = \"same-axes\"");
        let names: Vec<&str> = p.series.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["a", "a: effect site"]);
        assert!(p.lower_panel.is_none());
        assert_eq!(plot_of("kamp-2020", "").series.len(), 1);
    }

    /// Issue 14: racemic bands were shaded over S-ketamine curves with no caveat.
    #[test]
    fn bands_of_another_substance_say_so() {
        let s_ketamine = plot_of("fanta-2015", "bands = [\"analgesia\"]");
        assert_eq!(s_ketamine.bands[0].note, "measured for racemic ketamine");
        let racemic = plot_of("kamp-2020", "bands = [\"analgesia\"]");
        assert_eq!(racemic.bands[0].note, "");
        assert_eq!(
            s_ketamine.bands[0].rgb, racemic.bands[0].rgb,
            "one colour per band"
        );
    }

    /// A racemic infusion beside esketamine spray (`[[schedule]] model`): the bands and the
    /// axis name both substances, not only the scenario's `[model]`.
    #[test]
    fn a_plot_of_racemic_and_s_ketamine_names_both() {
        let text = std::fs::read_to_string("scenarios/spravato-vs-iv.toml").expect("scenario");
        let s = crate::scenario::parse(Path::new("spravato-vs-iv.toml"), &text).expect("valid");
        let p = spec(&s, &s.simulate(SolverKind::Exact).expect("runs"));
        assert_eq!(p.y_label, "Plasma ketamine or S-ketamine (ng/mL)");
        assert!(!p.bands.is_empty());
        for b in &p.bands {
            assert_eq!(b.note, "measured for racemic ketamine", "{}", b.name);
        }
    }

    /// Issue 13: each TCI schedule's target is a step line in the colour of the curve it
    /// is for: the plasma curve, or the effect-site curve sharing the axes.
    #[test]
    fn tci_targets_are_step_lines_in_their_curves_colours() {
        let text = std::fs::read_to_string("scenarios/tci-kamp.toml").expect("scenario");
        let s = crate::scenario::parse(Path::new("tci-kamp.toml"), &text).expect("valid");
        let p = spec(&s, &s.simulate(SolverKind::Exact).expect("runs"));
        let [plasma, effect] = &p.targets[..] else {
            panic!("{} target lines", p.targets.len());
        };
        assert_eq!(
            plasma.line.name,
            "Plasma target 1 then 0.5 µg/mL: plasma target"
        );
        assert_eq!(p.series[plasma.colour_of].name, s.schedules[0].name);
        assert_eq!(plasma.line.time_h, [0.0, 0.5, 0.5, 1.0]);
        assert_eq!(plasma.line.conc_ng_ml, [1000.0, 1000.0, 500.0, 500.0]);
        assert_eq!(
            p.series[effect.colour_of].name,
            "Effect-site target 1 then 0.5 µg/mL: effect site"
        );
        assert!(effect.line.name.ends_with(": effect-site target"));
        let pump = p.lower_panel.expect("lower_panel = \"pump\"");
        assert_eq!(pump.y_label, "Pump rate (mg/h)");
        assert_eq!(pump.series.len(), 2, "one step line per schedule");
    }

    #[test]
    fn long_windows_are_drawn_in_days() {
        assert!(plot_of("kamp-2020", "").time_in_days);
    }
}
