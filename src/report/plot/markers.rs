//! Dose markers along the bottom of the main panel: a triangle in the colour of the
//! schedule at each dose time.
//!
//! The same dose at the same moment in several schedules shares one label, its
//! triangles side by side; a dose repeated later is labelled only the first time. Up to [`MAX_LABELLED`] labels are drawn, stacked upwards where
//! they would collide. Past that (repeated dosing over weeks) labels would bury the
//! curves, so the markers become a compact rug instead: one thin row per schedule, no
//! labels, nothing stacked.

use super::draw::{
    colour, de, fill_rect, font, overlaps, text_at, Area, Chart, Rect, Res, View, YAxis,
};
use super::DoseMarker;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// More label groups than this turn the markers into a rug.
pub const MAX_LABELLED: usize = 12;
/// Two marker times closer than this fraction of the time axis are the same moment.
const SAME_MOMENT: f64 = 1e-9;

/// Markers sharing a time and a label.
struct Group<'a> {
    time: f64,
    label: &'a str,
    series: Vec<usize>,
}

fn groups<'a>(doses: &[&'a DoseMarker], span: f64) -> Vec<Group<'a>> {
    let mut out: Vec<Group<'a>> = Vec::new();
    for d in doses {
        let same =
            |g: &&mut Group| (g.time - d.time_h).abs() <= SAME_MOMENT * span && g.label == d.label;
        match out.iter_mut().find(|g| same(g)) {
            Some(g) if !g.series.contains(&d.series) => g.series.push(d.series),
            Some(_) => {}
            None => out.push(Group {
                time: d.time_h,
                label: &d.label,
                series: vec![d.series],
            }),
        }
    }
    out
}

fn triangle<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    half: i32,
    series: usize,
) -> Res<()> {
    let pts = vec![(x, y - half), (x - half, y + half), (x + half, y + half)];
    area.draw(&Polygon::new(pts, colour(series).filled()))
        .map_err(de)
}

/// Draws the markers of `v`; returns the occupied rectangles relative to the plotting area.
pub(super) fn draw_doses<DB, Y>(chart: &Chart<DB, Y>, area: &Area<DB>, v: &View) -> Res<Vec<Rect>>
where
    DB: DrawingBackend,
    Y: YAxis,
{
    let ((ax, ay), (bx, by)) = (
        area.get_base_pixel(),
        chart.plotting_area().get_base_pixel(),
    );
    let bottom = chart.backend_coord(&(v.x.start, v.y.0)).1 - ay;
    let mut doses: Vec<&DoseMarker> = v.doses.iter().filter(|d| v.x.contains(&d.time_h)).collect();
    doses.sort_by(|a, b| a.time_h.total_cmp(&b.time_h));
    let groups = groups(&doses, v.x.end - v.x.start);
    let px = |t: f64| chart.backend_coord(&(t, v.y.0)).0 - ax;
    let used = if groups.len() <= MAX_LABELLED {
        labelled(area, v, &groups, bottom, &px)?
    } else {
        rug(area, v, &doses, bottom, &px)?
    };
    let (dx, dy) = (ax - bx, ay - by);
    Ok(used
        .into_iter()
        .map(|r| (r.0 + dx, r.1 + dy, r.2 + dx, r.3 + dy))
        .collect())
}

/// Labelled markers, stacked where they would collide.
fn labelled<DB: DrawingBackend>(
    area: &Area<DB>,
    v: &View,
    groups: &[Group],
    bottom: i32,
    px: &dyn Fn(f64) -> i32,
) -> Res<Vec<Rect>> {
    let st = font(v.g.px(15.0)).color(&RGBColor(50, 50, 50));
    let st = st.pos(Pos::new(HPos::Left, VPos::Center));
    let (half, row_h, gap) = (v.g.i(6.5), v.g.i(20.0), v.g.i(4.0));
    let step = 2 * half + v.g.i(2.0);
    let mut used: Vec<Rect> = Vec::new();
    let mut seen: Vec<(&str, &[usize])> = Vec::new();
    for g in groups {
        let x = px(g.time);
        let last = x + step * (g.series.len() as i32 - 1);
        // A dose repeated later is labelled once, at its first marker.
        let repeat = seen.contains(&(g.label, g.series.as_slice()));
        seen.push((g.label, &g.series));
        let text = if repeat { "" } else { g.label };
        let (tw, th) = area.estimate_text_size(text, &st).map_err(de)?;
        let (tw, th, x0) = (tw as i32, th as i32 / 2 + 2, last + half + gap);
        let span = |cy: i32| (x - half, cy - row_h / 2, x0 + tw + gap, cy + row_h / 2);
        let mut cy = bottom - gap - row_h / 2;
        while used.iter().any(|u| overlaps(*u, span(cy))) {
            cy -= row_h;
        }
        used.push(span(cy));
        for (k, &s) in g.series.iter().enumerate() {
            triangle(area, (x + step * k as i32, cy), half, s)?;
        }
        if !text.is_empty() {
            fill_rect(area, (x0, cy - th, x0 + tw + gap, cy + th), WHITE.mix(0.75))?;
            text_at(area, text, (x0 + gap / 2, cy), st.clone())?;
        }
    }
    Ok(used)
}

/// A compact row of small markers per series, no labels.
fn rug<DB: DrawingBackend>(
    area: &Area<DB>,
    v: &View,
    doses: &[&DoseMarker],
    bottom: i32,
    px: &dyn Fn(f64) -> i32,
) -> Res<Vec<Rect>> {
    let (half, row_h, gap) = (v.g.i(4.5), v.g.i(11.0), v.g.i(3.0));
    let mut rows: Vec<usize> = doses.iter().map(|d| d.series).collect();
    rows.sort_unstable();
    rows.dedup();
    let mut used = Vec::new();
    for (r, series) in rows.iter().enumerate() {
        let cy = bottom - gap - half - row_h * r as i32;
        let xs: Vec<i32> = (doses.iter())
            .filter(|d| d.series == *series)
            .map(|d| px(d.time_h))
            .collect();
        for &x in &xs {
            triangle(area, (x, cy), half, *series)?;
        }
        if let (Some(first), Some(last)) = (xs.first(), xs.last()) {
            used.push((first - half, cy - half, last + half, cy + half));
        }
    }
    Ok(used)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn marker(time_h: f64, series: usize, label: &str) -> DoseMarker {
        DoseMarker {
            time_h,
            series,
            label: label.into(),
        }
    }

    #[test]
    fn the_same_dose_at_the_same_time_shares_a_label() {
        let m = [
            marker(0.0, 0, "IV 10 mg/h for 12 h"),
            marker(0.0, 1, "IV 33.5 mg"),
            marker(0.0, 1, "IV 10 mg/h for 12 h"),
            marker(0.0, 2, "IV 10 mg/h for 12 h"),
            marker(6.0, 2, "IV 10 mg/h for 12 h"),
        ];
        let refs: Vec<&DoseMarker> = m.iter().collect();
        let g = groups(&refs, 12.0);
        assert_eq!(g.len(), 3);
        assert_eq!(g[0].series, [0, 1, 2]);
        assert_eq!(g[1].label, "IV 33.5 mg");
    }
}
