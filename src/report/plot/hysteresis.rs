//! The hysteresis figure: an effect against the plasma concentration, one loop per
//! schedule, with arrowheads along each loop for the direction of time.
//!
//! With no effect-site delay the points of the rising and the falling limb lie on one
//! curve (the concentration–effect curve). An effect site that lags opens the curve into
//! a loop: on the way up the effect is lower than the plasma would give at equilibrium,
//! on the way down higher, so the loop turns anticlockwise (Sheiner et al., Clin
//! Pharmacol Ther 1979;25:358).

use super::draw::{centred_text, colour, register_fonts};
use super::raster::{self, SUPERSAMPLE};
use super::PlotError;
use plotters::prelude::*;

const WIDTH_PX: u32 = 1200;
const HEIGHT_PX: u32 = 800;
/// Arrowheads drawn along each loop, spaced evenly by length on the page.
const ARROWS_PER_LOOP: usize = 7;

/// One schedule's loop.
#[derive(Debug, Clone, Default)]
pub struct Loop {
    /// Legend name (the schedule).
    pub name: String,
    /// Plasma concentration at each output time (ng/mL).
    pub plasma_ng_ml: Vec<f64>,
    /// The effect at the same times.
    pub effect: Vec<f64>,
}

/// Everything the hysteresis figure draws.
#[derive(Debug, Clone, Default)]
pub struct LoopSpec {
    /// Title at the top.
    pub title: String,
    /// Small grey line at the bottom (endpoint, model, disclaimer).
    pub footer: String,
    /// Y axis label, e.g. "sedation (score 0–5)".
    pub y_label: String,
    /// X axis label, e.g. "Plasma ketamine (ng/mL)".
    pub x_label: String,
    /// One loop per schedule.
    pub loops: Vec<Loop>,
}

fn finite(l: &Loop) -> impl Iterator<Item = (f64, f64)> + '_ {
    l.plasma_ng_ml
        .iter()
        .zip(&l.effect)
        .map(|(x, y)| (*x, *y))
        .filter(|(x, y)| x.is_finite() && y.is_finite())
}

/// The ranges of every loop, padded 5% (a flat effect gets a unit-high range).
fn ranges(spec: &LoopSpec) -> Option<((f64, f64), (f64, f64))> {
    let pts: Vec<(f64, f64)> = spec.loops.iter().flat_map(finite).collect();
    let first = pts.first()?;
    let (mut x, mut y) = ((0.0f64, first.0), (first.1, first.1));
    for &(a, b) in &pts {
        x = (x.0.min(a), x.1.max(a));
        y = (y.0.min(b), y.1.max(b));
    }
    let pad = |(lo, hi): (f64, f64)| {
        let span = if hi > lo { hi - lo } else { 1.0 };
        (lo - 0.05 * span, hi + 0.05 * span)
    };
    Some((pad(x), pad(y)))
}

/// Indices along `px` (pixel points) at equal fractions of its length, with the
/// direction of travel there (unit vector, pixels).
fn arrow_spots(px: &[(f64, f64)], n: usize) -> Vec<(usize, (f64, f64))> {
    let seg: Vec<f64> = px
        .windows(2)
        .map(|w| ((w[1].0 - w[0].0).powi(2) + (w[1].1 - w[0].1).powi(2)).sqrt())
        .collect();
    let total: f64 = seg.iter().sum();
    if total <= 0.0 {
        return Vec::new();
    }
    let mut spots = Vec::new();
    let mut walked = 0.0;
    let mut next = 1;
    for (i, s) in seg.iter().enumerate() {
        walked += s;
        while next <= n && walked >= total * next as f64 / (n + 1) as f64 {
            if *s > 0.0 {
                let d = ((px[i + 1].0 - px[i].0) / s, (px[i + 1].1 - px[i].1) / s);
                spots.push((i + 1, d));
            }
            next += 1;
        }
    }
    spots
}

/// The figure as PNG bytes.
pub fn render_png(spec: &LoopSpec) -> Result<Vec<u8>, PlotError> {
    let ((x0, x1), (y0, y1)) = ranges(spec).ok_or(PlotError::NoData)?;
    register_fonts()?;
    let k = SUPERSAMPLE;
    raster::png(WIDTH_PX, HEIGHT_PX, k, |root| {
        let e = |e: DrawingAreaErrorKind<_>| PlotError::Draw(format!("{e:?}"));
        root.fill(&WHITE).map_err(e)?;
        // Title and footer as on the time-course figures: bold and centred, grey footer.
        let (top, rest) = root.split_vertically(54 * k);
        let (body, foot) = rest.split_vertically(HEIGHT_PX * k - (54 + 32) * k);
        let kf = f64::from(k);
        centred_text(&top, &spec.title, (30.0 * kf, FontStyle::Bold), &BLACK)?;
        let grey = RGBColor(110, 110, 110);
        centred_text(&foot, &spec.footer, (15.0 * kf, FontStyle::Normal), &grey)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(16 * k)
            .x_label_area_size(56 * k)
            .y_label_area_size(80 * k)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(e)?;
        chart
            .configure_mesh()
            .x_desc(spec.x_label.as_str())
            .y_desc(spec.y_label.as_str())
            .label_style(("sans-serif", 16 * k))
            .axis_desc_style(("sans-serif", 18 * k))
            .bold_line_style(BLACK.mix(0.08).stroke_width(k))
            .light_line_style(WHITE)
            .axis_style(BLACK.stroke_width(k))
            .set_all_tick_mark_size(6 * k)
            .x_label_formatter(&|v| crate::units::fmt_num(*v))
            .y_label_formatter(&|v| crate::units::fmt_num(*v))
            .draw()
            .map_err(e)?;
        for (i, l) in spec.loops.iter().enumerate() {
            let c = colour(i);
            chart
                .draw_series(LineSeries::new(finite(l), c.stroke_width(3 * k)))
                .map_err(e)?
                .label(l.name.clone())
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 30 * k as i32, y)], c.stroke_width(3 * k))
                });
            let px: Vec<(f64, f64)> = finite(l)
                .map(|p| {
                    let (a, b) = chart.backend_coord(&p);
                    (a as f64, b as f64)
                })
                .collect();
            let size = 11.0 * k as f64;
            for (j, (dx, dy)) in arrow_spots(&px, ARROWS_PER_LOOP) {
                let (tx, ty) = px[j];
                let (bx, by) = (tx - dx * size * 1.6, ty - dy * size * 1.6);
                let (nx, ny) = (-dy * size * 0.7, dx * size * 0.7);
                let tri = vec![
                    (tx as i32, ty as i32),
                    ((bx + nx) as i32, (by + ny) as i32),
                    ((bx - nx) as i32, (by - ny) as i32),
                ];
                root.draw(&Polygon::new(tri, c.filled())).map_err(e)?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 16 * k))
            .margin(10 * k)
            .legend_area_size(36 * k)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.3))
            .draw()
            .map_err(e)?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrows_point_along_the_curve() {
        let px: Vec<(f64, f64)> = (0..=100).map(|i| (i as f64, 0.0)).collect();
        let spots = arrow_spots(&px, 4);
        assert_eq!(spots.len(), 4);
        assert!(spots.iter().all(|(_, d)| *d == (1.0, 0.0)));
        assert!(arrow_spots(&[(1.0, 1.0), (1.0, 1.0)], 3).is_empty());
    }

    #[test]
    fn an_empty_figure_is_refused() {
        assert!(matches!(
            render_png(&LoopSpec::default()),
            Err(PlotError::NoData)
        ));
    }
}
