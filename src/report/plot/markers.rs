//! Dose markers along the bottom of the main panel: a triangle in the colour of the
//! schedule at each dose time.
//!
//! The markers live in a strip below the data (the y axis is extended downwards for
//! it, see [`strip_px`]), so neither triangles nor labels hide a curve. The same dose at
//! the same moment in several schedules shares one label, its triangles stacked upwards
//! at the dose time; a label is written only the first time it occurs. Up to
//! [`MAX_LABELLED`] moments are labelled; past that (repeated dosing over weeks) the
//! markers become a compact rug: one thin row per schedule, no labels.

use super::draw::{
    colour, de, fill_rect, font, overlaps, text_at, Area, Chart, Rect, Res, View, YAxis,
};
use super::DoseMarker;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// More label groups than this turn the markers into a rug.
pub(super) const MAX_LABELLED: usize = 12;
/// Two marker times closer than this fraction of the time axis are the same moment.
const SAME_MOMENT: f64 = 1e-9;

/// The markers of one moment: their schedules, and one label for all their doses.
struct Group {
    time: f64,
    label: String,
    series: Vec<usize>,
}

/// More schedules than this dosed at one moment get one neutral triangle there, not a
/// tall stack (lesson 7: seven routes at 0 h); the legend tells the schedules apart.
const MAX_STACK: usize = 3;

/// The colours one group's stack shows, lowest first: each schedule's, or one neutral.
/// One label for the different doses of one moment: "IV, oral, rectal 25 mg" when only
/// the route differs, else the labels joined with "; ".
fn joint_label(labels: &[&str]) -> String {
    let split = |l: &str| {
        l.split_once(' ')
            .map_or((l.to_string(), String::new()), |(a, b)| {
                (a.into(), b.into())
            })
    };
    let parts: Vec<(String, String)> = labels.iter().map(|l| split(l)).collect();
    match parts.iter().all(|p| p.1 == parts[0].1 && !p.1.is_empty()) {
        true => {
            let routes: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
            format!("{} {}", routes.join(", "), parts[0].1)
        }
        false => labels.join("; "),
    }
}

fn stack_of(g: &Group) -> Vec<Option<usize>> {
    match g.series.len() > MAX_STACK {
        true => vec![None],
        false => g.series.iter().map(|&s| Some(s)).collect(),
    }
}

/// Doses → one group per moment, in time order, in O(n log n): a dose every minute for
/// years must not cost a search per dose (issue 10).
fn groups(doses: &[&DoseMarker], span: f64) -> Vec<Group> {
    let mut sorted: Vec<&DoseMarker> = doses.to_vec();
    sorted.sort_by(|a, b| a.time_h.total_cmp(&b.time_h));
    let mut out: Vec<Group> = Vec::new();
    let mut i = 0;
    while i < sorted.len() {
        let time = sorted[i].time_h;
        let same = |d: &&&DoseMarker| (d.time_h - time).abs() <= SAME_MOMENT * span;
        let n = sorted[i..].iter().take_while(same).count();
        let moment = &sorted[i..i + n];
        let mut labels: Vec<&str> = Vec::new();
        let mut series: Vec<usize> = Vec::new();
        for d in moment {
            if !labels.contains(&d.label.as_str()) {
                labels.push(&d.label);
            }
            if !series.contains(&d.series) {
                series.push(d.series);
            }
        }
        out.push(Group {
            time,
            label: joint_label(&labels),
            series,
        });
        i += n;
    }
    out
}

/// A marker triangle in the colour of `series`, or dark grey for several.
fn triangle<DB: DrawingBackend>(
    area: &Area<DB>,
    (x, y): (i32, i32),
    half: i32,
    series: Option<usize>,
) -> Res<()> {
    let pts = vec![(x, y - half), (x - half, y + half), (x + half, y + half)];
    let fill = series.map_or(RGBColor(70, 70, 70), colour);
    area.draw(&Polygon::new(pts, fill.filled())).map_err(de)
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
    let in_view = |d: &&DoseMarker| d.time_h >= v.x.start && d.time_h <= v.x.end;
    let mut doses: Vec<&DoseMarker> = v.doses.iter().filter(in_view).collect();
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

/// Labelled markers: the triangles of one group stacked upwards at the dose time (so
/// each apex sits exactly at its dose), the label beside them, or one row higher when
/// that would cover an earlier label, or left out when both would (the same label
/// appears at an earlier marker, or the doses are seconds apart).
fn labelled<DB: DrawingBackend>(
    area: &Area<DB>,
    v: &View,
    groups: &[Group],
    bottom: i32,
    px: &dyn Fn(f64) -> i32,
) -> Res<Vec<Rect>> {
    let st = font(v.g.px(15.0)).color(&RGBColor(50, 50, 50));
    let st = st.pos(Pos::new(HPos::Left, VPos::Center));
    let (half, row_h, gap, step) = sizes(v);
    let mut used: Vec<Rect> = Vec::new();
    let mut labels: Vec<Rect> = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    let groups: &[Group] = groups;
    let base = bottom - gap - half; // centre of the lowest triangle
                                    // Every triangle first, so that no label covers a later one.
    for g in groups {
        let x = px(g.time);
        let colours = stack_of(g);
        let stack = step * (colours.len() as i32 - 1);
        for (k, &s) in colours.iter().enumerate() {
            triangle(area, (x, base - step * k as i32), half, s)?;
        }
        used.push((x - half, base - half - stack, x + half, base + half));
    }
    for g in groups {
        let x = px(g.time);
        let stack = step * (stack_of(g).len() as i32 - 1);
        if seen.contains(&g.label.as_str()) {
            continue;
        }
        seen.push(&g.label);
        let (tw, th) = area.estimate_text_size(&g.label, &st).map_err(de)?;
        let (tw, th) = (tw as i32, th as i32 / 2 + 2);
        let beside = base - stack / 2;
        let hit = |set: &[Rect], r: Rect| set.iter().find(|u| overlaps(**u, r)).copied();
        // Beside the triangles, moved right past a cluster of doses minutes apart (never
        // past a distant dose, whose triangle it would then seem to name); else one row
        // up; else not at all.
        let mut spot = None;
        for ty in [beside, beside - row_h] {
            let at = |x0: i32| (x0, ty - th, x0 + tw + gap, ty + th);
            let mut x0 = x + half + gap;
            while let Some(u) = hit(&used, at(x0)).filter(|u| u.0 <= x0 + step) {
                x0 = x0.max(u.2 + gap);
            }
            if hit(&used, at(x0)).is_none() && hit(&labels, at(x0)).is_none() {
                spot = Some((x0, ty));
                break;
            }
        }
        let Some((x0, ty)) = spot else {
            continue;
        };
        let at = |ty: i32| (x0, ty - th, x0 + tw + gap, ty + th);
        fill_rect(area, at(ty), WHITE.mix(0.75))?;
        text_at(area, &g.label, (x0 + gap / 2, ty), st.clone())?;
        labels.push(at(ty));
    }
    used.extend(labels);
    Ok(used)
}

/// Triangle half-size, label row height, gap and stacking step in pixels.
fn sizes(v: &View) -> (i32, i32, i32, i32) {
    let (half, row_h, gap) = (v.g.i(6.5), v.g.i(20.0), v.g.i(4.0));
    (half, row_h, gap, 2 * half + v.g.i(2.0))
}

/// Height in pixels of the strip below the data that the markers of `doses` need in a
/// plot of `v`'s scale (0 without doses in view).
pub(super) fn strip_px(v: &View, span: (f64, f64)) -> i32 {
    let in_view: Vec<&DoseMarker> = (v.doses.iter())
        .filter(|d| d.time_h >= span.0 && d.time_h <= span.1)
        .collect();
    if in_view.is_empty() {
        return 0;
    }
    let groups = groups(&in_view, span.1 - span.0);
    if groups.len() > MAX_LABELLED {
        let mut rows: Vec<usize> = in_view.iter().map(|d| d.series).collect();
        rows.sort_unstable();
        rows.dedup();
        let (half, row_h, gap) = (v.g.i(4.5), v.g.i(11.0), v.g.i(3.0));
        return 4 * gap + 2 * half + row_h * (rows.len() as i32 - 1);
    }
    let (half, row_h, gap, step) = sizes(v);
    let tallest = groups.iter().map(|g| stack_of(g).len()).max().unwrap_or(1) as i32;
    let stack = 2 * half + step * (tallest - 1);
    gap + stack.max(row_h) + row_h + gap
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
        // Markers closer than a triangle's half-width merge into one: thousands of doses
        // draw at most one triangle per few pixels of axis.
        let mut xs: Vec<i32> = Vec::new();
        for d in doses.iter().filter(|d| d.series == *series) {
            let x = px(d.time_h);
            if xs.last().is_none_or(|&last| x - last >= half) {
                xs.push(x);
            }
        }
        for &x in &xs {
            triangle(area, (x, cy), half, Some(*series))?;
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
    use crate::report::plot::{PlotSpec, Series};

    fn marker(time_h: f64, series: usize, label: &str) -> DoseMarker {
        DoseMarker {
            time_h,
            series,
            label: label.into(),
        }
    }

    /// x-axis tick labels of an SVG: (value, x pixel) of numeric, centred text on the
    /// row where most of them sit.
    fn x_ticks(svg: &str) -> Vec<(f64, f64)> {
        let mut ticks: Vec<(f64, f64, i64)> = Vec::new();
        for piece in svg.split("<text ").skip(1) {
            let attr = |name: &str| {
                let start = piece
                    .find(&format!("{name}=\""))
                    .map(|i| i + name.len() + 2)?;
                let end = piece[start..].find('"')? + start;
                Some(piece[start..end].to_string())
            };
            let body = piece
                .split('>')
                .nth(1)
                .unwrap_or("")
                .split('<')
                .next()
                .unwrap_or("");
            let (Some(x), Some(y), Some(anchor)) = (attr("x"), attr("y"), attr("text-anchor"))
            else {
                continue;
            };
            if let (Ok(v), "middle") = (body.trim().parse::<f64>(), anchor.as_str()) {
                ticks.push((v, x.parse().unwrap(), y.parse().unwrap()));
            }
        }
        let row = ticks.iter().map(|t| t.2).max().unwrap();
        ticks
            .iter()
            .filter(|t| t.2 == row)
            .map(|t| (t.0, t.1))
            .collect()
    }

    /// Apex x of every filled triangle (a 3-point polygon) in the SVG.
    fn apexes(svg: &str) -> Vec<f64> {
        let mut out = Vec::new();
        for piece in svg.split("<polygon ").skip(1) {
            let Some(start) = piece.find("points=\"") else {
                continue;
            };
            let pts: Vec<&str> = piece[start + 8..]
                .split('"')
                .next()
                .unwrap()
                .split_whitespace()
                .collect();
            if pts.len() == 3 {
                out.push(pts[0].split(',').next().unwrap().parse().unwrap());
            }
        }
        out
    }

    fn spec_with_doses(doses: Vec<DoseMarker>) -> PlotSpec {
        let t: Vec<f64> = (0..=240).map(|i| f64::from(i) * 0.1).collect();
        let curve = |name: &str| Series {
            name: name.into(),
            conc_ng_ml: t.iter().map(|x| 10.0 + (x * 0.8).sin()).collect(),
            time_h: t.clone(),
            ribbon: None,
        };
        PlotSpec {
            series: vec![curve("a"), curve("b")],
            doses,
            ..Default::default()
        }
    }

    /// Issue 14: two schedules dosed at 0, 8 and 16 h had their markers drawn side by
    /// side, the second near 1, 9 and 17 h. Every apex must sit at its dose time.
    #[test]
    fn every_marker_is_drawn_at_its_dose_time() {
        const HALF_PIXEL: f64 = 0.5 + 1e-9; // plotters rounds to whole pixels
        let doses: Vec<DoseMarker> = [0.0, 8.0, 16.0]
            .into_iter()
            .flat_map(|t| [marker(t, 0, "oral 35 mg"), marker(t, 1, "oral 35 mg")])
            .collect();
        let svg = crate::report::plot::render_svg(&spec_with_doses(doses)).unwrap();
        let ticks = x_ticks(&svg);
        let ((t0, x0), (t1, x1)) = (ticks[0], ticks[ticks.len() - 1]);
        let px = |t: f64| x0 + (x1 - x0) * (t - t0) / (t1 - t0);
        let apex = apexes(&svg);
        assert_eq!(apex.len(), 6, "one triangle per schedule and dose");
        for (k, t) in [0.0, 0.0, 8.0, 8.0, 16.0, 16.0].into_iter().enumerate() {
            assert!(
                (apex[k] - px(t)).abs() <= HALF_PIXEL + 1.0,
                "dose at {t} h drawn at x {} not {}",
                apex[k],
                px(t)
            );
        }
    }

    /// Issue 10: a dose every minute for 8 weeks (80,640 markers) was grouped by a linear
    /// search per dose; now grouping sorts once, and the rug merges markers closer than
    /// a triangle, so what is drawn is bounded by the axis length.
    #[test]
    fn thousands_of_doses_draw_a_bounded_rug() {
        let doses: Vec<DoseMarker> = (0..80_640)
            .map(|i| marker(f64::from(i) / 60.0 * (24.0 / 1344.0), 0, "IV 1 mg"))
            .collect();
        let refs: Vec<&DoseMarker> = doses.iter().collect();
        assert_eq!(groups(&refs, 24.0).len(), 80_640);
        let svg = crate::report::plot::render_svg(&spec_with_doses(doses)).unwrap();
        let n = apexes(&svg).len();
        assert!(n > 50 && n < 1200 / 3, "{n} triangles");
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
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].series, [0, 1, 2]);
        assert_eq!(g[0].label, "IV 10 mg/h for 12 h; IV 33.5 mg");
        assert_eq!(g[1].label, "IV 10 mg/h for 12 h");
        let routes = [marker(0.0, 0, "IV 25 mg"), marker(0.0, 1, "oral 25 mg")];
        let refs: Vec<&DoseMarker> = routes.iter().collect();
        assert_eq!(groups(&refs, 1.0)[0].label, "IV, oral 25 mg");
    }
}
