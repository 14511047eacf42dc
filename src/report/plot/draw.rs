//! Drawing a [`PlotSpec`] with plotters: layout, axes, bands, curves, dose markers and
//! the legend.

use super::{Band, DoseMarker, Panel, PlotError, PlotSpec, Series, TargetLine, BAND_OPACITY};
use plotters::coord::combinators::BindKeyPoints;
use plotters::coord::ranged1d::{AsRangedCoord, ValueFormatter};
use plotters::coord::{types::RangedCoordf64, Shift};
use plotters::element::{DashedPathElement, Drawable, PointCollection};
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use std::{ops::Range, sync::OnceLock};

/// Okabe–Ito palette (Okabe M, Ito K. Color Universal Design, 2008; jfly.uni-koeln.de),
/// ordered so that yellow, nearly invisible on white, comes last.
const PALETTE: [u32; 8] = [
    0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000, 0xF0E442,
];
/// Line patterns (dash, gap) in pixels at 1200×800, cycled by series; `None` is solid.
/// The first four Okabe–Ito colours have almost the same lightness, so in greyscale
/// print only the pattern tells curves apart: every series within a cycle of four gets
/// its own pattern, and series i and i+4 differ in lightness.
const PATTERNS: [Option<(f64, f64)>; 4] =
    [None, Some((14.0, 7.0)), Some((2.5, 5.0)), Some((26.0, 6.0))];
/// Target lines: thin (px at 1200×800) and finely dashed (dash, gap), so a curve holding
/// its target covers the line and one missing it shows the gap.
const TARGET_WIDTH: f64 = 1.5;
const TARGET_PATTERN: (f64, f64) = (8.0, 5.0);
const DARK: RGBColor = RGBColor(50, 50, 50);
const GREY: RGBColor = RGBColor(110, 110, 110);
const FAMILY: &str = "sans-serif";
const RIBBON_NOTE: &str = "shaded: 5th–95th percentile";

pub(super) type Res<T> = Result<T, PlotError>;
pub(super) type Area<DB> = DrawingArea<DB, Shift>;
/// Pixel rectangle `(x0, y0, x1, y1)`.
pub(super) type Rect = (i32, i32, i32, i32);
pub(super) type Chart<'a, DB, Y> = ChartContext<'a, DB, Cartesian2d<RangedCoordf64, Y>>;
/// A y coordinate (linear or logarithmic) over f64.
pub(super) trait YAxis: Ranged<ValueType = f64> {}
impl<T: Ranged<ValueType = f64>> YAxis for T {}

pub(super) fn colour(i: usize) -> RGBColor {
    let c = PALETTE[i % PALETTE.len()];
    RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8)
}

pub(super) fn de<E: std::fmt::Display>(e: E) -> PlotError {
    PlotError::Draw(e.to_string())
}

pub(super) fn font(size: f64) -> TextStyle<'static> {
    TextStyle::from((FAMILY, size).into_font())
}

pub(super) fn prepare(spec: &PlotSpec) -> Res<(u32, u32)> {
    if spec.width_px < 200 || spec.height_px < 150 {
        return Err(PlotError::Draw("image must be at least 200×150 px".into()));
    }
    if spec.series.iter().flat_map(finite_points).next().is_none() {
        return Err(PlotError::NoData);
    }
    register_fonts()?;
    Ok((spec.width_px, spec.height_px))
}

/// Register the embedded DejaVu Sans with plotters as "sans-serif", once per process.
pub(crate) fn register_fonts() -> Res<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = REGISTERED.get_or_init(|| {
        let reg = |st, font| plotters::style::register_font(FAMILY, st, font).is_ok();
        reg(FontStyle::Normal, dejavu::sans::regular())
            && reg(FontStyle::Bold, dejavu::sans::bold())
    });
    ok.then_some(()).ok_or(PlotError::Font)
}

/// Compact number label: "0", "2.5", "160", "0.01" (at most 6 decimals).
fn fmt_num(v: f64) -> String {
    format!("{}", (v * 1e6).round() / 1e6 + 0.0)
}

/// Layout scale relative to a 1200×800 figure.
#[derive(Clone, Copy)]
pub(super) struct Geom(f64);

impl Geom {
    pub(super) fn px(self, v: f64) -> f64 {
        v * self.0
    }
    pub(super) fn i(self, v: f64) -> i32 {
        (v * self.0).round() as i32
    }
}

/// What one panel draws.
#[derive(Clone)]
pub(super) struct View<'a> {
    y_label: &'a str,
    x_label: &'a str,
    series: &'a [Series],
    targets: &'a [TargetLine],
    bands: &'a [Band],
    pub(super) doses: &'a [DoseMarker],
    pub(super) x: Range<f64>,
    pub(super) y: (f64, f64),
    /// The lowest value the data needs; below it (down to `y.0`) is the dose strip.
    floor: f64,
    log: bool,
    x_desc: bool,
    pub(super) g: Geom,
}

impl<'a> View<'a> {
    /// The main panel (`lower == None`) or the lower panel of `spec`.
    fn new(spec: &'a PlotSpec, g: Geom, lower: Option<&'a Panel>) -> Self {
        let main = lower.is_none();
        let (y_label, series) = match lower {
            Some(p) => (p.y_label.as_str(), &p.series[..]),
            None => (spec.y_label.as_str(), &spec.series[..]),
        };
        let bands = if main { &spec.bands[..] } else { &[] };
        let doses = if main { &spec.doses[..] } else { &[] };
        let targets = if main { &spec.targets[..] } else { &[] };
        let lines = series.iter().chain(targets.iter().map(|t| &t.line));
        let (x, y) = (x_range(spec), y_range(lines, spec.log_y));
        let x_desc = !main || spec.lower_panel.is_none();
        let log = spec.log_y;
        let x_label = if spec.time_in_days {
            "Time (d)"
        } else {
            "Time (h)"
        };
        View {
            y_label,
            x_label,
            series,
            targets,
            bands,
            doses,
            x,
            y,
            floor: y.0,
            log,
            x_desc,
            g,
        }
    }
}

pub(super) fn draw_figure<DB: DrawingBackend>(root: &Area<DB>, spec: &PlotSpec) -> Res<()> {
    let converted;
    let spec = if spec.time_in_days {
        converted = spec.in_days();
        &converted
    } else {
        spec
    };
    let (w, h) = (f64::from(spec.width_px), f64::from(spec.height_px));
    let g = Geom((w / 1200.0).min(h / 800.0).clamp(0.7, 4.0));
    root.fill(&WHITE).map_err(de)?;
    let (top, rest) = root.split_vertically(g.i(54.0));
    let body_h = rest.dim_in_pixel().1 as i32 - g.i(32.0);
    let (body, foot) = rest.split_vertically(body_h);
    centred_text(&top, &spec.title, (g.px(30.0), FontStyle::Bold), &BLACK)?;
    centred_text(&foot, &spec.footer, (g.px(15.0), FontStyle::Normal), &GREY)?;
    let main = View::new(spec, g, None);
    match &spec.lower_panel {
        None => panel(&body, &main)?,
        Some(p) => {
            let (a, b) = body.split_vertically(body_h * 7 / 10);
            panel(&a, &main)?;
            panel(&b, &View::new(spec, g, Some(p)))?;
        }
    }
    root.present().map_err(de)
}

/// Centred single-line text, shrunk to fit the area width.
pub(super) fn centred_text<DB: DrawingBackend>(
    area: &Area<DB>,
    text: &str,
    (size, style): (f64, FontStyle),
    col: &RGBColor,
) -> Res<()> {
    let (w, h) = area.dim_in_pixel();
    let st = TextStyle::from((FAMILY, size, style).into_font());
    let tw = f64::from(area.estimate_text_size(text, &st).map_err(de)?.0.max(1));
    let size = (size * (f64::from(w) * 0.96 / tw).min(1.0)).max(8.0);
    let st = TextStyle::from((FAMILY, size, style).into_font()).color(col);
    let at = (w as i32 / 2, h as i32 / 2);
    text_at(area, text, at, st.pos(Pos::new(HPos::Center, VPos::Center)))
}

pub(super) fn text_at<DB: DrawingBackend>(
    a: &Area<DB>,
    t: &str,
    at: (i32, i32),
    st: TextStyle,
) -> Res<()> {
    a.draw(&Text::new(t, at, st)).map_err(de)
}

pub(super) fn fill_rect<DB: DrawingBackend>(a: &Area<DB>, r: Rect, col: RGBAColor) -> Res<()> {
    a.draw(&Rectangle::new([(r.0, r.1), (r.2, r.3)], col.filled()))
        .map_err(de)
}

fn finite_points(s: &Series) -> impl Iterator<Item = (f64, f64)> + '_ {
    let pts = s.time_h.iter().zip(&s.conc_ng_ml).map(|(&t, &c)| (t, c));
    pts.filter(|(t, c)| t.is_finite() && c.is_finite())
}

fn x_range(spec: &PlotSpec) -> Range<f64> {
    let lower = spec.lower_panel.iter().flat_map(|p| &p.series);
    let all = spec.series.iter().chain(lower);
    let times = all.flat_map(|s| finite_points(s).map(|p| p.0));
    let (lo, hi) = times.fold((f64::MAX, f64::MIN), |(a, b), t| (a.min(t), b.max(t)));
    match hi - lo {
        d if d > 0.0 => lo..hi,
        _ => lo - 0.5..lo + 0.5,
    }
}

/// Linear: 0..max×1.1. Log: decade floor of max(min positive, max/1e4) .. max×1.5.
pub(super) fn y_range<'a, I>(series: I, log: bool) -> (f64, f64)
where
    I: IntoIterator<Item = &'a Series> + Clone,
{
    let ribbons = series.clone().into_iter().filter_map(|s| s.ribbon.as_ref());
    let ribbons = ribbons.flat_map(|(l, u)| l.iter().chain(u).copied());
    let vals = series
        .into_iter()
        .flat_map(|s| finite_points(s).map(|p| p.1));
    let (mut min, mut max, mut min_pos) = (0.0f64, f64::MIN, f64::MAX);
    for v in vals.chain(ribbons.filter(|v| v.is_finite())) {
        (min, max) = (min.min(v), max.max(v));
        min_pos = if v > 0.0 { min_pos.min(v) } else { min_pos };
    }
    let top = if max > 0.0 { max } else { 1.0 / 1.1 };
    match log {
        true => {
            let floor = min_pos.min(top).max(top / 1e4);
            (10f64.powf(floor.log10().floor()), top * 1.5)
        }
        false => (min * 1.1, top * 1.1),
    }
}

/// Runs of drawable points; a non-finite or (log axis) below-floor value breaks the line.
fn segments(s: &Series, floor: Option<f64>) -> Vec<Vec<(f64, f64)>> {
    let mut out = vec![Vec::new()];
    for (&t, &c) in s.time_h.iter().zip(&s.conc_ng_ml) {
        if t.is_finite() && c.is_finite() && floor.is_none_or(|f| c >= f) {
            out.last_mut().into_iter().for_each(|seg| seg.push((t, c)));
        } else if out.last().is_some_and(|seg| !seg.is_empty()) {
            out.push(Vec::new());
        }
    }
    out.retain(|seg| !seg.is_empty());
    out
}

/// The fill of series `i`'s percentile ribbon.
fn ribbon_fill(i: usize) -> RGBAColor {
    colour(i).mix(0.2)
}

/// Ribbon outline (upper forwards, lower backwards), clamped to the y range, with the
/// points of each pixel column of `chart` merged into its first and last time at the
/// column's lowest low and highest high (see [`thin_to_columns`]).
fn ribbon_polygon<DB: DrawingBackend, Y: YAxis>(
    chart: &Chart<DB, Y>,
    s: &Series,
    (lo, hi): (f64, f64),
) -> Option<Vec<(f64, f64)>> {
    let (low, high) = s.ribbon.as_ref()?;
    let pts: Vec<(f64, f64, f64)> = (s.time_h.iter().zip(low).zip(high))
        .map(|((&t, &l), &u)| (t, l.clamp(lo, hi), u.clamp(lo, hi)))
        .filter(|(t, l, u)| t.is_finite() && l.is_finite() && u.is_finite())
        .collect();
    let column = |t: f64| chart.backend_coord(&(t, lo)).0;
    let mut thin = Vec::with_capacity(pts.len());
    for run in pts.chunk_by(|a, b| column(a.0) == column(b.0)) {
        let (first, last) = (run[0], run[run.len() - 1]);
        if run.len() <= 2 {
            thin.extend_from_slice(run);
            continue;
        }
        let l = run.iter().map(|p| p.1).fold(f64::INFINITY, f64::min);
        let u = run.iter().map(|p| p.2).fold(f64::NEG_INFINITY, f64::max);
        thin.extend([(first.0, l, u), (last.0, l, u)]);
    }
    let upper = thin.iter().map(|&(t, _, u)| (t, u));
    let outline = upper.chain(thin.iter().rev().map(|&(t, l, _)| (t, l)));
    (thin.len() > 1).then(|| outline.collect())
}

/// `seg` with the points of each pixel column of `chart` cut to at most four: the first,
/// the lowest, the highest and the last, in time order.
///
/// Why: a 30-day course at 1 min has 43,201 points for some 3,000 columns; every point
/// became a polygon vertex (and a step of the simplification and the legend search),
/// while within a column the line only ever covers the span from its lowest to its
/// highest point, entering at the first and leaving at the last. Courses with fewer
/// points than columns are unchanged.
fn thin_to_columns<DB: DrawingBackend, Y: YAxis>(
    chart: &Chart<DB, Y>,
    seg: Vec<(f64, f64)>,
) -> Vec<(f64, f64)> {
    let column = |p: &(f64, f64)| chart.backend_coord(p).0;
    let mut out = Vec::with_capacity(seg.len());
    for run in seg.chunk_by(|a, b| column(a) == column(b)) {
        if run.len() <= 4 {
            out.extend_from_slice(run);
            continue;
        }
        let by_y = |a: &(usize, &(f64, f64)), b: &(usize, &(f64, f64))| a.1 .1.total_cmp(&b.1 .1);
        let lowest = run.iter().enumerate().min_by(by_y).map_or(0, |p| p.0);
        let highest = run.iter().enumerate().max_by(by_y).map_or(0, |p| p.0);
        let mut keep = [0, lowest, highest, run.len() - 1];
        keep.sort_unstable();
        let mut last = None;
        for i in keep {
            if last != Some(i) {
                out.push(run[i]);
                last = Some(i);
            }
        }
    }
    out
}

fn panel<DB: DrawingBackend>(area: &Area<DB>, v: &View) -> Res<()> {
    let v = fit(area, v)?;
    match v.log {
        true => {
            let (major, minor) = log_ticks(v.floor, v.y.1);
            let ys = (v.y.0..v.y.1).log_scale().with_key_points(major);
            panel_with(area, &v, ys.with_light_points(minor))
        }
        false => panel_with(area, &v, v.y.0..v.y.1),
    }
}

/// Labelled and minor ticks of a log axis from `lo` to `hi`: every decade, plus 2 and 5
/// times each decade when the axis spans at most two decades (so a curve between 0.1
/// and 0.2 still has a label beside it), and minor lines at 2…9 times each decade.
fn log_ticks(lo: f64, hi: f64) -> (Vec<f64>, Vec<f64>) {
    let (first, last) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
    let few_decades = hi / lo <= 100.0 * (1.0 + 1e-9);
    let inside = |v: &f64| *v >= lo * (1.0 - 1e-9) && *v <= hi * (1.0 + 1e-9);
    let mut major = Vec::new();
    let mut minor = Vec::new();
    for e in first..=last {
        let decade = 10f64.powi(e);
        major.push(decade);
        for m in 2..=9 {
            let v = f64::from(m) * decade;
            match few_decades && (m == 2 || m == 5) {
                true => major.push(v),
                false => minor.push(v),
            }
        }
    }
    major.retain(inside);
    minor.retain(inside);
    (major, minor)
}

/// `(lo, hi)` widened by `below` and `above` fractions of its span (in log space on a
/// log axis).
fn widen((lo, hi): (f64, f64), log: bool, below: f64, above: f64) -> (f64, f64) {
    match log {
        true => {
            let (a, b) = (lo.ln(), hi.ln());
            ((a - (b - a) * below).exp(), (b + (b - a) * above).exp())
        }
        false => (lo - (hi - lo) * below, hi + (hi - lo) * above),
    }
}

/// `v` with its y range grown so nothing hides data: a strip below for the dose markers,
/// and room at the top for the legend when every spot beside the curves would cover one.
fn fit<'a, DB: DrawingBackend>(area: &Area<DB>, v: &View<'a>) -> Res<View<'a>> {
    let mut v = v.clone();
    let g = v.g;
    let axis = g.i(8.0 + 6.0) + g.i(if v.x_desc { 62.0 } else { 36.0 });
    let ph = (area.dim_in_pixel().1 as i32 - axis).max(1);
    let strip = super::markers::strip_px(&v, (v.x.start, v.x.end));
    if strip > 0 && ph > 3 * strip {
        v.y = widen(v.y, v.log, f64::from(strip) / f64::from(ph - strip), 0.0);
    }
    let (w, h) = legend_size(area, &v)?;
    let collides = match v.log {
        true => legend_collides(area, &v, (v.y.0..v.y.1).log_scale(), (w, h))?,
        false => legend_collides(area, &v, v.y.0..v.y.1, (w, h))?,
    };
    let room = h + 2 * g.i(10.0);
    if collides && ph > 3 * room {
        v.y = widen(v.y, v.log, 0.0, f64::from(room) / f64::from(ph - room));
    }
    Ok(v)
}

fn build<'a, DB, YS>(area: &'a Area<DB>, v: &View, ys: YS) -> Res<Chart<'a, DB, YS::CoordDescType>>
where
    DB: DrawingBackend,
    YS: AsRangedCoord<Value = f64>,
{
    let g = v.g;
    ChartBuilder::on(area)
        .margin_top(g.i(8.0))
        .margin_right(g.i(28.0))
        .margin_left(g.i(10.0))
        .margin_bottom(g.i(6.0))
        .x_label_area_size(g.i(if v.x_desc { 62.0 } else { 36.0 }))
        .y_label_area_size(g.i(105.0))
        .build_cartesian_2d(v.x.clone(), ys)
        .map_err(de)
}

/// True when the best legend spot on a chart of `v` covers some curve.
fn legend_collides<DB, YS>(area: &Area<DB>, v: &View, ys: YS, (w, h): (i32, i32)) -> Res<bool>
where
    DB: DrawingBackend,
    YS: AsRangedCoord<Value = f64>,
{
    if w == 0 {
        return Ok(false);
    }
    let chart = build(area, v, ys)?;
    Ok(legend_spot(&chart, v, &[], w, h).2 > 0)
}

fn panel_with<DB, YS>(area: &Area<DB>, v: &View, ys: YS) -> Res<()>
where
    DB: DrawingBackend,
    YS: AsRangedCoord<Value = f64>,
    YS::CoordDescType: ValueFormatter<f64>,
{
    let g = v.g;
    let n_y = (f64::from(area.dim_in_pixel().1) / g.px(50.0)).clamp(3.0, 10.0) as usize;
    let mut chart = build(area, v, ys)?;
    // No tick labels in the dose strip: its values are not concentrations.
    let below = v.floor - (v.y.1 - v.floor).abs() * 1e-9;
    let fmt = |x: &f64| fmt_num(*x);
    let y_fmt = |y: &f64| match *y < below {
        true => String::new(),
        false => fmt_num(*y),
    };
    let line = |c: RGBAColor| c.stroke_width(g.i(1.0).max(1) as u32);
    let mut mesh = chart.configure_mesh();
    mesh.bold_line_style(line(BLACK.mix(0.1)))
        .light_line_style(line(BLACK.mix(0.035)))
        .max_light_lines(2)
        .axis_style(DARK.stroke_width(g.i(1.2).max(1) as u32))
        .set_all_tick_mark_size(g.i(5.0))
        .x_labels(12)
        .y_labels(if v.log { 40 } else { n_y })
        .x_label_formatter(&fmt)
        .y_label_formatter(&y_fmt)
        .label_style(font(g.px(18.0)).color(&DARK))
        .axis_desc_style(font(g.px(20.0)))
        .y_desc(v.y_label);
    if v.x_desc {
        mesh.x_desc(v.x_label);
    }
    mesh.draw().map_err(de)?;
    if v.y.0 < below {
        // The data's floor (zero on a linear axis), above the dose strip.
        let edge = [(v.x.start, v.floor), (v.x.end, v.floor)];
        let st = DARK.mix(0.5).stroke_width(g.i(1.0).max(1) as u32);
        chart
            .draw_series([PathElement::new(edge, st)])
            .map_err(de)?;
    }
    draw_bands(&chart, v)?;
    draw_curves(&mut chart, v)?;
    let avoid = super::markers::draw_doses(&chart, area, v)?;
    draw_legend(&mut chart, v, &avoid)
}

/// Pixel position of a data point relative to the plotting area.
fn to_local<DB: DrawingBackend, Y: YAxis>(chart: &Chart<DB, Y>, p: (f64, f64)) -> (i32, i32) {
    let (bx, by) = chart.plotting_area().get_base_pixel();
    let (x, y) = chart.backend_coord(&p);
    (x - bx, y - by)
}

pub(super) fn overlaps(a: Rect, b: Rect) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

/// A band's fill: its fixed colour at [`BAND_OPACITY`], the same in the legend swatch.
pub(super) fn band_fill(b: &Band) -> RGBAColor {
    RGBColor(b.rgb[0], b.rgb[1], b.rgb[2]).mix(BAND_OPACITY)
}

/// Shaded bands, clipped to the y range (named in the legend, not on the plot, so no
/// label covers a curve).
fn draw_bands<DB: DrawingBackend, Y: YAxis>(chart: &Chart<DB, Y>, v: &View) -> Res<()> {
    for b in v.bands {
        let (bl, bh) = (b.low_ng_ml.min(b.high_ng_ml), b.low_ng_ml.max(b.high_ng_ml));
        let (lo, hi) = (bl.max(v.y.0), bh.min(v.y.1));
        if !(lo.is_finite() && hi.is_finite() && lo < hi) {
            continue;
        }
        let rect = Rectangle::new([(v.x.start, lo), (v.x.end, hi)], band_fill(b).filled());
        chart.plotting_area().draw(&rect).map_err(de)?;
    }
    Ok(())
}

/// "analgesia 70–160 ng/mL", with the band's note and, when it is not wholly inside the
/// y range `(y0, y1)`, where it lies: a band above the curves is otherwise invisible.
pub(super) fn band_label(b: &Band, (y0, y1): (f64, f64)) -> String {
    let (bl, bh) = (b.low_ng_ml.min(b.high_ng_ml), b.low_ng_ml.max(b.high_ng_ml));
    let place = match () {
        _ if bl >= y1 => "above this range",
        _ if bh <= y0 => "below this range",
        _ if bh > y1 => "continues above",
        _ if bl < y0 => "continues below",
        _ => "",
    };
    let notes: Vec<&str> = [b.note.as_str(), place]
        .into_iter()
        .filter(|n| !n.is_empty())
        .collect();
    let range = format!("{} {}–{} ng/mL", b.name, fmt_num(bl), fmt_num(bh));
    match notes.is_empty() {
        true => range,
        false => format!("{range} ({})", notes.join("; ")),
    }
}

/// Douglas–Peucker simplification in pixel space (0.5 px tolerance): plotters draws wide
/// lines as polygons, whose joints get blobby when points are only 1–2 px apart.
fn simplify<DB: DrawingBackend, Y: YAxis>(
    c: &Chart<DB, Y>,
    seg: Vec<(f64, f64)>,
) -> Vec<(f64, f64)> {
    let px: Vec<(i32, i32)> = seg.iter().map(|p| c.backend_coord(p)).collect();
    let px: Vec<(f64, f64)> = px.into_iter().map(|(x, y)| (x.into(), y.into())).collect();
    let mut keep = vec![false; seg.len()];
    let mut todo = vec![(0, seg.len().saturating_sub(1))];
    while let Some((a, b)) = todo.pop() {
        (keep[a], keep[b]) = (true, true);
        let ((x0, y0), (dx, dy)) = (px[a], (px[b].0 - px[a].0, px[b].1 - px[a].1));
        let len = dx.hypot(dy);
        let dist = |(x, y): (f64, f64)| match len < 0.5 {
            true => (x - x0).hypot(y - y0),
            false => ((x - x0) * dy - (y - y0) * dx).abs() / len,
        };
        let far = (a + 1..b)
            .map(|k| (k, dist(px[k])))
            .max_by(|p, q| p.1.total_cmp(&q.1));
        if let Some((k, _)) = far.filter(|f| f.1 > 0.5) {
            todo.extend([(a, k), (k, b)]);
        }
    }
    seg.into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

/// The cosine of the turn beyond which a wide line is broken and its join drawn round:
/// plotters joins wide segments by mitre, and where a curve turns back on itself (a
/// peak squeezed into one pixel column of a 30-day course) the mitre's point runs far
/// past the peak, a spike into the title. −0.8 is a turn of 143°, a mitre at most three
/// line widths long.
const SHARP_TURN: f64 = -0.8;

/// A polyline's points (data coordinates).
type Points = Vec<(f64, f64)>;

/// `points` cut where the line turns back more sharply than [`SHARP_TURN`] (by its
/// direction on the backend's pixels), and the points where it was cut.
fn cut_at_sharp_turns<DB: DrawingBackend, Y: YAxis>(
    c: &Chart<DB, Y>,
    points: Vec<(f64, f64)>,
) -> (Vec<Points>, Points) {
    let px: Vec<(f64, f64)> = (points.iter())
        .map(|p| c.backend_coord(p))
        .map(|(x, y)| (x.into(), y.into()))
        .collect();
    let sharp = |k: usize| {
        let (u, v) = (
            (px[k].0 - px[k - 1].0, px[k].1 - px[k - 1].1),
            (px[k + 1].0 - px[k].0, px[k + 1].1 - px[k].1),
        );
        let lengths = u.0.hypot(u.1) * v.0.hypot(v.1);
        lengths > 0.0 && (u.0 * v.0 + u.1 * v.1) / lengths < SHARP_TURN
    };
    let (mut pieces, mut cuts, mut start) = (Vec::new(), Vec::new(), 0);
    for k in 1..points.len().saturating_sub(1) {
        if sharp(k) {
            pieces.push(points[start..=k].to_vec());
            cuts.push(points[k]);
            start = k;
        }
    }
    pieces.push(points[start..].to_vec());
    (pieces, cuts)
}

/// A wide polyline, dashed `d` on and `gap` off (pixels) in style `st`, its sharp turns
/// joined round when it is solid.
fn polyline<DB: DrawingBackend, Y: YAxis>(
    chart: &mut Chart<DB, Y>,
    points: Vec<(f64, f64)>,
    (d, gap): (i32, i32),
    st: ShapeStyle,
) -> Res<()> {
    let (pieces, cuts) = cut_at_sharp_turns(chart, points);
    for piece in pieces {
        chart
            .draw_series(DashedLineSeries::new(piece, d, gap, st))
            .map_err(de)?;
    }
    // Solid lines are dashes longer than anything drawn (a round join would show as a dot
    // in a dashed line's gap).
    if d >= i32::MAX / 8 {
        let radius = (st.stroke_width / 2).max(1);
        let round = cuts
            .into_iter()
            .map(|p| Circle::new(p, radius, st.filled()));
        chart.draw_series(round).map_err(de)?;
    }
    Ok(())
}

/// Ribbons first, then target lines, then curves (each with its colour and pattern), each
/// added to the legend: the curves, then the targets.
fn draw_curves<'a, DB, Y>(chart: &mut Chart<'a, DB, Y>, v: &View) -> Res<()>
where
    DB: DrawingBackend + 'a,
    Y: YAxis,
{
    for (i, s) in v.series.iter().enumerate() {
        if let Some(poly) = ribbon_polygon(chart, s, (v.floor, v.y.1)) {
            let fill = ribbon_fill(i).filled();
            chart.draw_series([Polygon::new(poly, fill)]).map_err(de)?;
        }
    }
    let sw = v.g.i(34.0);
    let target_style = |t: &TargetLine| {
        let st = colour(t.colour_of).stroke_width(v.g.i(TARGET_WIDTH).max(1) as u32);
        let (d, gap) = TARGET_PATTERN;
        (st, v.g.i(d).max(1), v.g.i(gap).max(1))
    };
    for t in v.targets {
        let (st, d, gap) = target_style(t);
        for seg in segments(&t.line, v.log.then_some(v.floor)) {
            let points = simplify(chart, thin_to_columns(chart, seg));
            polyline(chart, points, (d, gap), st)?;
        }
    }
    for (i, s) in v.series.iter().enumerate() {
        let st = colour(i).stroke_width(v.g.i(2.5).max(2) as u32);
        // Solid lines are dashes longer than anything drawn.
        let (d, gap) = PATTERNS[i % PATTERNS.len()].map_or((i32::MAX / 4, 1), |(d, gap)| {
            (v.g.i(d).max(1), v.g.i(gap).max(1))
        });
        for seg in segments(s, v.log.then_some(v.floor)) {
            let points = simplify(chart, thin_to_columns(chart, seg));
            polyline(chart, points, (d, gap), st)?;
        }
        if !s.name.is_empty() {
            let none = chart.draw_series(std::iter::empty::<PathElement<(f64, f64)>>());
            let mark = move |(x, y)| DashedPathElement::new([(x, y), (x + sw, y)], d, gap, st);
            none.map_err(de)?.label(&s.name).legend(mark);
        }
    }
    for t in v.targets.iter().filter(|t| !t.line.name.is_empty()) {
        let (st, d, gap) = target_style(t);
        let none = chart.draw_series(std::iter::empty::<PathElement<(f64, f64)>>());
        let mark = move |(x, y)| DashedPathElement::new([(x, y), (x + sw, y)], d, gap, st);
        none.map_err(de)?.label(&t.line.name).legend(mark);
    }
    Ok(())
}

/// Pixel samples (at most ~4 px apart) along every curve and ribbon outline.
fn curve_pixels<DB: DrawingBackend, Y: YAxis>(chart: &Chart<DB, Y>, v: &View) -> Vec<(i32, i32)> {
    let floor = v.log.then_some(v.floor);
    let targets = v.targets.iter().map(|t| &t.line);
    let all = v.series.iter().chain(targets);
    let segs = all.flat_map(|s| segments(s, floor));
    let mut lines: Vec<_> = segs.map(|seg| thin_to_columns(chart, seg)).collect();
    lines.extend(
        v.series
            .iter()
            .filter_map(|s| ribbon_polygon(chart, s, (v.floor, v.y.1))),
    );
    let mut out = Vec::new();
    for line in lines {
        let px: Vec<(i32, i32)> = line.iter().map(|&p| to_local(chart, p)).collect();
        out.extend(px.first().copied());
        for w in px.windows(2) {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            let n = ((x1 - x0).abs().max((y1 - y0).abs()) / 4).max(1);
            out.extend((1..=n).map(|k| (x0 + (x1 - x0) * k / n, y0 + (y1 - y0) * k / n)));
        }
    }
    out
}

/// Top-left corner for a `w`×`h` legend: the first candidate (right, left, then centre
/// column, each top to bottom) covering the fewest curve pixels and no label.
fn legend_spot<DB, Y>(
    chart: &Chart<DB, Y>,
    v: &View,
    avoid: &[Rect],
    w: i32,
    h: i32,
) -> (i32, i32, usize)
where
    DB: DrawingBackend,
    Y: YAxis,
{
    let (pw, ph) = chart.plotting_area().dim_in_pixel();
    let (pw, ph, m) = (pw as i32, ph as i32, v.g.i(10.0));
    let pixels = curve_pixels(chart, v);
    let floor_px = to_local(chart, (v.x.start, v.floor)).1.min(ph);
    let ys: Vec<i32> = (m..=(floor_px - h - m).max(m))
        .step_by(v.g.i(12.0).max(1) as usize)
        .collect();
    // A candidate's score: the curve pixels within 4 px of it, plus 10,000 per label it
    // covers. Why per column: the candidates of one column share their x range, so the
    // pixels near it are picked once and counted by binary search for each y.
    let mut best: Option<(i32, i32, usize)> = None;
    for x in [pw - w - m, m, (pw - w) / 2] {
        let mut near: Vec<i32> = (pixels.iter())
            .filter(|p| x - 4 < p.0 && p.0 < x + w + 4)
            .map(|p| p.1)
            .collect();
        near.sort_unstable();
        for &y in &ys {
            let r = (x, y, x + w, y + h);
            let below = near.partition_point(|&py| py <= y - 4);
            let within = near.partition_point(|&py| py < y + h + 4) - below;
            let labels = avoid.iter().filter(|a| overlaps(**a, r)).count();
            let score = within + 10_000 * labels;
            if best.is_none_or(|b| score < b.2) {
                best = Some((x, y, score));
            }
        }
    }
    best.unwrap_or((m, m, 0))
}

/// Every legend line of `v`: named curves, the ribbon note, the bands.
fn legend_names(v: &View) -> Vec<String> {
    let named = v.series.iter().filter(|s| !s.name.is_empty());
    let mut names: Vec<String> = named.clone().map(|s| s.name.clone()).collect();
    names.extend(target_names(v));
    if named.clone().any(|s| s.ribbon.is_some()) {
        names.push(RIBBON_NOTE.into());
    }
    names.extend(v.bands.iter().map(|b| band_label(b, v.y)));
    names
}

/// The legend names of `v`'s target lines.
fn target_names<'a>(v: &View<'a>) -> impl Iterator<Item = String> + 'a {
    let named = v.targets.iter().filter(|t| !t.line.name.is_empty());
    named.map(|t| t.line.name.clone())
}

/// Width and height in pixels of a legend box listing `names`.
fn box_size<DB: DrawingBackend, C>(
    area: &DrawingArea<DB, C>,
    names: &[String],
    g: Geom,
) -> Res<(i32, i32)>
where
    C: plotters::coord::CoordTranslate,
{
    let st = font(g.px(17.0));
    let mut text_w = 0;
    for n in names {
        text_w = text_w.max(area.estimate_text_size(n, &st).map_err(de)?.0);
    }
    let (margin, swatch) = (g.i(10.0), g.i(44.0));
    let w = text_w as i32 + swatch + 2 * margin;
    let h = (names.len() as f64 * g.px(17.0) * 1.25) as i32 + 2 * margin;
    Ok((w, h))
}

/// The size of `v`'s legend, (0, 0) without one.
fn legend_size<DB: DrawingBackend>(area: &Area<DB>, v: &View) -> Res<(i32, i32)> {
    let names = legend_names(v);
    match names.is_empty() {
        true => Ok((0, 0)),
        false => box_size(area, &names, v.g),
    }
}

/// A legend swatch filled in one stripe per colour, side by side (left to right, the
/// curves' order): the ribbon note's swatch when several curves have ribbons. With one
/// colour it is the filled rectangle plotters' `Rectangle` draws.
struct Stripes {
    corners: [(i32, i32); 2],
    fills: Vec<RGBAColor>,
}

impl<'a> PointCollection<'a, (i32, i32)> for &'a Stripes {
    type Point = &'a (i32, i32);
    type IntoIter = &'a [(i32, i32)];
    fn point_iter(self) -> &'a [(i32, i32)] {
        &self.corners
    }
}

impl<DB: DrawingBackend> Drawable<DB> for Stripes {
    fn draw<I: Iterator<Item = (i32, i32)>>(
        &self,
        mut corners: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> Result<(), plotters_backend::DrawingErrorKind<DB::ErrorType>> {
        let (Some(a), Some(b)) = (corners.next(), corners.next()) else {
            return Ok(());
        };
        let n = self.fills.len().max(1) as i32;
        for (k, fill) in (0..).zip(&self.fills) {
            let x = |k: i32| a.0 + (b.0 - a.0) * k / n;
            backend.draw_rect((x(k), a.1), (x(k + 1), b.1), &fill.filled(), true)?;
        }
        Ok(())
    }
}

/// Legend (plus a ribbon note when any named series has a ribbon), placed by [`legend_spot`].
fn draw_legend<'a, DB, Y>(chart: &mut Chart<'a, DB, Y>, v: &View, avoid: &[Rect]) -> Res<()>
where
    DB: DrawingBackend + 'a,
    Y: YAxis,
{
    let (g, st) = (v.g, font(v.g.px(17.0)));
    let named: Vec<&Series> = v.series.iter().filter(|s| !s.name.is_empty()).collect();
    let mut names: Vec<String> = named.iter().map(|s| s.name.clone()).collect();
    names.extend(target_names(v));
    let (half, sw) = (g.i(7.0), g.i(34.0));
    let swatch = |fill: RGBAColor| {
        move |(x, y): (i32, i32)| Rectangle::new([(x, y - half), (x + sw, y + half)], fill.filled())
    };
    // The ribbon swatch is the ribbons' own fills, a stripe for each ribboned curve.
    let fills: Vec<RGBAColor> = (v.series.iter().enumerate())
        .filter(|(_, s)| !s.name.is_empty() && s.ribbon.is_some())
        .map(|(i, _)| ribbon_fill(i))
        .collect();
    if !fills.is_empty() {
        let none = std::iter::empty::<Rectangle<(f64, f64)>>();
        let note = chart.draw_series(none).map_err(de)?.label(RIBBON_NOTE);
        note.legend(move |(x, y)| Stripes {
            corners: [(x, y - half), (x + sw, y + half)],
            fills: fills.clone(),
        });
        names.push(RIBBON_NOTE.into());
    }
    for b in v.bands {
        let label = band_label(b, v.y);
        let none = std::iter::empty::<Rectangle<(f64, f64)>>();
        let entry = chart.draw_series(none).map_err(de)?.label(&label);
        entry.legend(swatch(band_fill(b)));
        names.push(label);
    }
    if names.is_empty() {
        return Ok(());
    }
    let (w, h) = box_size(chart.plotting_area(), &names, g)?;
    let (margin, swatch) = (g.i(10.0), g.i(44.0));
    let (x, y, _) = legend_spot(chart, v, avoid, w, h);
    let mut legend = chart.configure_series_labels();
    legend
        .position(SeriesLabelPosition::Coordinate(x, y))
        .legend_area_size(swatch);
    legend.margin(margin).label_font(st).background_style(WHITE);
    legend.border_style(DARK.mix(0.6)).draw().map_err(de)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ribbon note's swatch: with one fill, the rectangle plotters draws, pixel for
    /// pixel; with two, each half in its own fill.
    #[test]
    fn stripes_fill_the_swatch_one_colour_each() {
        const SIZE: (u32, u32) = (40, 10);
        let draw = |e: &dyn Fn(&DrawingArea<BitMapBackend, Shift>)| {
            let mut px = vec![255u8; (SIZE.0 * SIZE.1 * 3) as usize];
            let area = BitMapBackend::with_buffer(&mut px, SIZE).into_drawing_area();
            e(&area);
            drop(area);
            px
        };
        let (a, b) = (ribbon_fill(0), ribbon_fill(1));
        let corners = [(4, 2), (36, 8)];
        let one = draw(&|area| {
            let s = Stripes {
                corners,
                fills: vec![a],
            };
            area.draw(&s).expect("draw");
        });
        let plotters = draw(&|area| {
            area.draw(&Rectangle::new(corners, a.filled()))
                .expect("draw");
        });
        assert!(one == plotters, "one fill is plotters' rectangle");
        let two = draw(&|area| {
            let s = Stripes {
                corners,
                fills: vec![a, b],
            };
            area.draw(&s).expect("draw");
        });
        let at = |x: u32| two[((5 * SIZE.0 + x) * 3) as usize..][..3].to_vec();
        let only = |fill: RGBAColor, x: u32| {
            let s = Stripes {
                corners,
                fills: vec![fill],
            };
            draw(&|area| area.draw(&s).expect("draw"))[((5 * SIZE.0 + x) * 3) as usize..][..3]
                .to_vec()
        };
        assert_eq!(at(10), only(a, 10), "the left half in the first fill");
        assert_eq!(at(30), only(b, 30), "the right half in the second");
        assert_ne!(at(10), at(30));
    }

    /// Issue 14: a curve between 0.1 and 0.22 ng/mL had no label beside it; within two
    /// decades the axis now labels 2 and 5 as well, and always draws minor lines.
    #[test]
    fn log_axes_label_within_a_decade() {
        let (major, minor) = log_ticks(0.1, 0.9);
        assert_eq!(major.len(), 3, "{major:?}"); // 0.1, 0.2, 0.5
        assert!((major[1] - 0.2).abs() < 1e-12 && (major[2] - 0.5).abs() < 1e-12);
        assert_eq!(minor.len(), 6, "{minor:?}"); // 0.3, 0.4, 0.6 … 0.9
        let (major, minor) = log_ticks(0.1, 2000.0);
        assert_eq!(major.len(), 5, "decades only: {major:?}");
        assert!(minor.len() > 30);
    }
}
