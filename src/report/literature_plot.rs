//! `ketasim validate`'s figure: one small panel per simulated setup, the predicted plasma
//! curve with the published observations on top — a point (with its SD or range as error
//! bars) where time and concentration are both known, a dashed line for a Cmax alone, a
//! shaded band for a range. A panel with a study a route default was fitted to says
//! "fitted" in its title, one with a study held out of that fit "held out".

use super::figure::dose_label;
use super::plot::raster::{self, SUPERSAMPLE};
use super::plot::{register_fonts, PlotError};
use crate::literature::{Calibration, Observed, Outcome, Quantity, Target};
use plotters::prelude::*;

const WIDTH_PX: u32 = 1600;
const PANEL_HEIGHT_PX: u32 = 300;
const COLUMNS: usize = 4;
const CURVE: RGBColor = RGBColor(0x00, 0x72, 0xB2);
const OBSERVED: RGBColor = RGBColor(0, 0, 0);
const MISS: RGBColor = RGBColor(0xD5, 0x5E, 0x00);

/// One panel: a simulated setup and the targets it answers.
struct Panel<'a> {
    title: String,
    curve: &'a (Vec<f64>, Vec<f64>),
    targets: Vec<(&'a Target, &'a Outcome)>,
}

fn same_setup(a: &Target, b: &Target) -> bool {
    a.model.id == b.model.id && a.doses == b.doses && (a.weight_kg - b.weight_kg).abs() < 1e-9
}

fn panels(results: &[(Target, Outcome)]) -> Vec<Panel<'_>> {
    let mut out: Vec<Panel> = Vec::new();
    for (t, o) in results.iter().filter(|(t, _)| !t.doses.is_empty()) {
        match out.iter_mut().find(|p| same_setup(p.targets[0].0, t)) {
            Some(p) => p.targets.push((t, o)),
            None => {
                let n = t.doses.len();
                let dose = dose_label(&t.doses[0])
                    + &if n > 1 {
                        format!(" ×{n}")
                    } else {
                        String::new()
                    };
                let title = format!(
                    "{dose} · {} · {} kg",
                    t.model.id,
                    crate::units::fmt_num(t.weight_kg)
                );
                out.push(Panel {
                    title,
                    curve: &o.curve,
                    targets: vec![(t, o)],
                });
            }
        }
    }
    for p in &mut out {
        p.title += calibration(&p.targets);
    }
    out
}

/// Whether a route default was fitted to the studies of a panel or they were held out of
/// that fit (a panel gathers every study of one setup, so it may hold both, or neither).
fn calibration(targets: &[(&Target, &Outcome)]) -> &'static str {
    let has = |c: Calibration| targets.iter().any(|(t, _)| t.calibration == Some(c));
    match (has(Calibration::Fit), has(Calibration::HeldOut)) {
        (true, true) => " · fitted and held out",
        (true, false) => " · fitted",
        (false, true) => " · held out",
        (false, false) => "",
    }
}

/// A value with its error bar: (low, centre, high).
type Spread = (f64, f64, f64);

/// The observed time and concentration a panel can place as a point, if any.
fn point(p: &Panel) -> Option<(Spread, Spread)> {
    let mut x = None;
    let mut y = None;
    let spread = |o: &Observed| match *o {
        Observed::Value { value, sd } => {
            (value - sd.unwrap_or(0.0), value, value + sd.unwrap_or(0.0))
        }
        Observed::Range { low, high } => (low, (low + high) / 2.0, high),
    };
    for (t, _) in &p.targets {
        match t.quantity {
            Quantity::Tmax => x = Some(spread(&t.observed)),
            Quantity::Cmax => y = Some(spread(&t.observed)),
            Quantity::ConcentrationAt(h) => {
                x = Some((h, h, h));
                y = Some(spread(&t.observed));
            }
            _ => {}
        }
    }
    Some((x?, y?))
}

/// One panel, every size in pixels times `k`.
fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    p: &Panel,
    k: u32,
) -> Result<(), PlotError> {
    let e = |e: DrawingAreaErrorKind<DB::ErrorType>| PlotError::Draw(e.to_string());
    let (time, conc) = p.curve;
    let obs_max = p
        .targets
        .iter()
        .filter_map(|(t, _)| match (t.quantity, t.observed) {
            (Quantity::Cmax | Quantity::ConcentrationAt(_), Observed::Value { value, sd }) => {
                Some(value + sd.unwrap_or(0.0))
            }
            (Quantity::Cmax | Quantity::ConcentrationAt(_), Observed::Range { high, .. }) => {
                Some(high)
            }
            _ => None,
        });
    let y_max = conc.iter().copied().chain(obs_max).fold(0.0, f64::max) * 1.15;
    // Show the part of the course that matters: up to 4× the predicted Tmax, at least 1 h.
    let peak_t = time[conc
        .iter()
        .enumerate()
        .fold(0, |b, (i, &c)| if c > conc[b] { i } else { b })];
    let x_max = (peak_t * 4.0).max(1.0).min(*time.last().unwrap_or(&1.0));
    let missed = p.targets.iter().any(|(_, o)| !o.pass);
    let colour = if missed { MISS } else { OBSERVED };
    let mut chart = ChartBuilder::on(area)
        .caption(&p.title, ("sans-serif", 15 * k).into_font().color(&colour))
        .margin(8 * k)
        .x_label_area_size(40 * k)
        .y_label_area_size(48 * k)
        .build_cartesian_2d(0.0..x_max, 0.0..y_max.max(1e-9))
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("time (h)")
        .y_desc("ng/mL")
        .label_style(("sans-serif", 12 * k))
        .axis_desc_style(("sans-serif", 12 * k))
        .bold_line_style(BLACK.mix(0.1).stroke_width(k))
        .axis_style(BLACK.stroke_width(k))
        .set_all_tick_mark_size(5 * k)
        .x_label_formatter(&|v| crate::units::fmt_num(*v))
        .y_label_formatter(&|v| crate::units::fmt_num(*v))
        .light_line_style(WHITE)
        .draw()
        .map_err(e)?;
    let curve = time
        .iter()
        .zip(conc)
        .filter(|(t, _)| **t <= x_max)
        .map(|(t, c)| (*t, *c));
    chart
        .draw_series(LineSeries::new(curve, CURVE.stroke_width(2 * k)))
        .map_err(e)?;
    for (t, _) in &p.targets {
        match (t.quantity, t.observed) {
            (Quantity::Cmax, Observed::Range { low, high })
            | (Quantity::ConcentrationAt(_), Observed::Range { low, high })
                if point(p).is_none() =>
            {
                chart
                    .draw_series([Rectangle::new(
                        [(0.0, low), (x_max, high)],
                        BLACK.mix(0.12).filled(),
                    )])
                    .map_err(e)?;
            }
            (Quantity::Tmax, Observed::Range { low, high }) if point(p).is_none() => {
                chart
                    .draw_series([Rectangle::new(
                        [(low, 0.0), (high, y_max)],
                        BLACK.mix(0.12).filled(),
                    )])
                    .map_err(e)?;
            }
            (Quantity::Cmax, Observed::Value { value, .. }) if point(p).is_none() => {
                let dashes = (0..20).map(|k| k as f64 * x_max / 20.0);
                chart
                    .draw_series(dashes.map(|x| {
                        PathElement::new(
                            [(x, value), (x + x_max / 40.0, value)],
                            colour.stroke_width(2 * k),
                        )
                    }))
                    .map_err(e)?;
            }
            _ => {}
        }
    }
    if let Some(((x0, x, x1), (y0, y, y1))) = point(p) {
        let bars = [
            PathElement::new([(x0, y), (x1, y)], colour.stroke_width(2 * k)),
            PathElement::new([(x, y0), (x, y1)], colour.stroke_width(2 * k)),
        ];
        chart.draw_series(bars).map_err(e)?;
        chart
            .draw_series([Circle::new((x, y), 5 * k, colour.filled())])
            .map_err(e)?;
    }
    Ok(())
}

/// The figure as PNG bytes; `None` when no target has a time course.
pub fn png(results: &[(Target, Outcome)]) -> Result<Option<Vec<u8>>, PlotError> {
    let panels = panels(results);
    if panels.is_empty() {
        return Ok(None);
    }
    register_fonts()?;
    let rows = panels.len().div_ceil(COLUMNS);
    let (w, h) = (WIDTH_PX, PANEL_HEIGHT_PX * rows as u32 + 50);
    // Drawn at SUPERSAMPLE× (every size below times k) for smooth lines and text.
    let k = SUPERSAMPLE;
    raster::png(w, h, k, |root| {
        let e = |e: DrawingAreaErrorKind<_>| PlotError::Draw(format!("{e:?}"));
        root.fill(&WHITE).map_err(e)?;
        let body = root
            .margin(12 * k, 0, 0, 0)
            .titled("ketasim predictions (blue) against published observations (black; orange: a stated miss; fitted / held out: used in, or kept out of, the intranasal fit)", ("sans-serif", 22 * k))
            .map_err(e)?;
        for (area, p) in body.split_evenly((rows, COLUMNS)).iter().zip(&panels) {
            draw_panel(area, p, k)?;
        }
        Ok(())
    })
    .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A panel holding a study a route default was fitted to says "fitted", one holding a
    /// study held out of that fit "held out", and any other neither.
    #[test]
    fn panels_say_whether_their_study_was_fitted_or_held_out() {
        let results = crate::literature::run_all().expect("the literature targets run");
        let panels = panels(&results);
        let mut seen = (0, 0);
        for p in &panels {
            let has = |c| p.targets.iter().any(|(t, _)| t.calibration == Some(c));
            let (fit, held_out) = (has(Calibration::Fit), has(Calibration::HeldOut));
            let said = (p.title.contains("fitted"), p.title.contains("held out"));
            assert_eq!(said, (fit, held_out), "{}", p.title);
            seen.0 += usize::from(fit);
            seen.1 += usize::from(held_out);
        }
        assert!(
            seen.0 > 0 && seen.1 > 0,
            "fitted and held-out panels: {seen:?}"
        );
        // A fitted study may share its panel with one that was not: the title still says
        // so (Huge 2010's 0.4 mg/kg arm beside Fanta's 28 mg targets).
        let mixed = panels.iter().any(|p| {
            let fitted = p.title.ends_with(" · fitted");
            fitted && p.targets.iter().any(|(t, _)| t.calibration.is_none())
        });
        assert!(mixed, "the shared panel is marked");
    }
}
