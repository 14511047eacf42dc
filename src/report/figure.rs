//! A scenario's results as a [`PlotSpec`]: one curve per schedule, the scenario's bands,
//! dose markers labelled with route and amount, norketamine in a lower panel when the
//! model has it, and a footer naming the model and the intended use.

use super::plot::{render_png, render_svg, Band, DoseMarker, Panel, PlotError, PlotSpec, Series};
use crate::dosing::{Delivery, Dose};
use crate::scenario::{Scenario, ScheduleResult};
use crate::units::fmt_num;
use std::path::{Path, PathBuf};

/// Plot size in pixels: legible when projected, sharp in print.
const WIDTH_PX: u32 = 1200;
const HEIGHT_PX: u32 = 800;

/// The PNG at `png`, and with `svg` an SVG beside it, as bytes to write.
pub fn files(
    s: &Scenario,
    results: &[ScheduleResult],
    png: &Path,
    svg: bool,
) -> Result<Vec<(PathBuf, Vec<u8>)>, PlotError> {
    let spec = spec(s, results);
    let mut files = vec![(png.to_path_buf(), render_png(&spec)?)];
    if svg {
        files.push((png.with_extension("svg"), render_svg(&spec)?.into_bytes()));
    }
    Ok(files)
}

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

/// A schedule's curve: the typical patient, or with a population its median with the
/// 5th–95th percentile ribbon.
fn main_series(r: &ScheduleResult) -> Series {
    let t = &r.trajectory;
    match &r.population {
        None => series(&r.name, &t.time_h, &t.plasma_ng_ml),
        Some(p) => Series {
            name: format!("{} (median of {})", r.name, p.subjects),
            time_h: t.time_h.to_vec(),
            conc_ng_ml: p.p50_ng_ml.clone(),
            ribbon: Some((p.p05_ng_ml.clone(), p.p95_ng_ml.clone())),
        },
    }
}

/// "Model: id (title), weight[; N virtual subjects, BSV …] · disclaimer".
fn footer(s: &Scenario) -> String {
    let population = s.population.as_ref().map_or_else(String::new, |p| {
        format!(
            "; {} virtual subjects, BSV {}",
            p.size,
            p.variability.describe()
        )
    });
    format!(
        "Model: {} ({}), {}{population} · {}",
        s.model.id,
        s.model.title,
        s.weight_text(),
        crate::DISCLAIMER
    )
}

/// The plot of `results`.
pub fn spec(s: &Scenario, results: &[ScheduleResult]) -> PlotSpec {
    let drug = if s.model.drug == crate::model::Drug::SKetamine {
        "S-ketamine"
    } else {
        "ketamine"
    };
    let doses = s
        .schedules
        .iter()
        .enumerate()
        .flat_map(|(i, sch)| {
            sch.doses.iter().map(move |d| DoseMarker {
                time_h: d.time_h,
                series: i,
                label: dose_label(d),
            })
        })
        .collect();
    let lower_panel = results
        .first()
        .and_then(|r| r.trajectory.metabolite_ng_ml.as_ref())
        .map(|_| Panel {
            y_label: "Norketamine (ng/mL)".into(),
            series: results
                .iter()
                .filter_map(|r| {
                    r.trajectory
                        .metabolite_ng_ml
                        .as_ref()
                        .map(|m| series(&r.name, &r.trajectory.time_h, m))
                })
                .collect(),
        });
    PlotSpec {
        title: s.name.clone(),
        footer: footer(s),
        y_label: format!("Plasma {drug} (ng/mL)"),
        series: results.iter().map(main_series).collect(),
        bands: s
            .bands
            .iter()
            .map(|b| Band {
                name: b.id.to_string(),
                low_ng_ml: b.low_ng_ml,
                high_ng_ml: b.high_ng_ml,
            })
            .collect(),
        doses,
        log_y: s.log_y,
        lower_panel,
        width_px: WIDTH_PX,
        height_px: HEIGHT_PX,
    }
}
