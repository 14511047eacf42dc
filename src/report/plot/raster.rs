//! The PNG drawing surface: plotters' drawing steps recorded at a multiple of the output
//! size, with text laid out by ab_glyph directly, then played back on plotters' bitmap
//! backend one band of rows at a time, each band averaged down as it is done.
//!
//! Why not plotters' own bitmap text: plotters 0.3.7 places each glyph at the pen without
//! its left side bearing and rounds the pen per glyph, so PNG text read "m g/kg" and
//! "onl y" where the SVG read "mg/kg" and "only". Why supersample: plotters draws lines
//! without anti-aliasing; drawing at [`SUPERSAMPLE`]× and averaging each block of pixels
//! gives smooth lines and text (the issue-14 remedy). Why bands: the supersampled canvas
//! of a 1200×800 figure is 26 MB, and faulting it in, clearing it and reading it back
//! cost more CPU than drawing on it; a band of [`BAND_ROWS`] output rows stays in cache.
//! Every step is one plotters' bitmap backend would have received on the whole canvas
//! (lines, polygons and circles are broken into spans and pixels against the full-size
//! canvas while recording), and those land on the same pixels in any band, so the image
//! is the same as drawn whole.

use super::PlotError;
use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, VPos};
use plotters_backend::{
    rasterizer, BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
    FontStyle,
};
use std::sync::OnceLock;

/// Each output pixel is the mean of a `SUPERSAMPLE × SUPERSAMPLE` block of drawn pixels.
pub(crate) const SUPERSAMPLE: u32 = 3;
/// The largest supersampling [`png`] honours (its block means are specialised for each).
const MAX_SUPERSAMPLE: u32 = 4;
/// Output rows per band: at 3× and 1200 px wide, a 1 MB band.
const BAND_ROWS: u32 = 32;

/// Canvas rows a run of [`Dot`]s keeps within (aligned): a band is a multiple of them at
/// every supersampling, so each run is drawn in one band.
const DOT_ROWS: i32 = 32;

/// One step of plotters' bitmap backend, at canvas coordinates.
#[derive(Clone)]
pub(super) enum Step {
    /// A 1-px horizontal or vertical line, both ends drawn.
    Line(BackendCoord, BackendCoord, BackendColor),
    /// A filled rectangle: upper left, bottom right (excluded).
    Rect(BackendCoord, BackendCoord, BackendColor),
    /// Pixels one after another, all in one aligned stretch of [`DOT_ROWS`] rows.
    Dots(Vec<Dot>),
}

/// One pixel as plotters' bitmap backend draws it: opaque when its alpha is at least
/// `1 − 1/256`, else blended by `floor(256·alpha)`/256 (`PixelFormat::draw_pixel`). So
/// the level is all of the alpha that counts: 12 bytes a pixel instead of the 40 of a
/// step with its `f64` alpha. Text is drawn pixel by pixel, some 200,000 of them a
/// figure; as steps, growing their list was half of a small run's CPU (fresh memory).
#[derive(Clone, Copy)]
pub(super) struct Dot {
    at: BackendCoord,
    rgb: [u8; 3],
    /// `floor(256·alpha)`, 255 meaning opaque.
    level: u8,
}

impl Dot {
    /// The pixel at `at` in `color`; `None` when drawing it changes nothing (an alpha
    /// below 1/256, or not a number).
    fn of(at: BackendCoord, color: BackendColor) -> Option<Dot> {
        let level = match color.alpha {
            a if a >= 1.0 - 1.0 / 256.0 => 255,
            a if a > 0.0 => (a * 256.0).floor() as u8,
            _ => 0,
        };
        let (r, g, b) = color.rgb;
        (level > 0).then_some(Dot {
            at,
            rgb: [r, g, b],
            level,
        })
    }

    /// The colour that draws it as recorded (`level / 256` is exact, and its floor
    /// after scaling by 256 is the level again): what plotters would be given.
    #[cfg(test)]
    fn color(&self) -> BackendColor {
        let [r, g, b] = self.rgb;
        BackendColor {
            alpha: match self.level {
                255 => 1.0,
                level => f64::from(level) / 256.0,
            },
            rgb: (r, g, b),
        }
    }
}

impl Step {
    /// The canvas rows the step may touch (first, last).
    fn rows(&self) -> (i32, i32) {
        match self {
            Step::Line(a, b, _) => (a.1.min(b.1), a.1.max(b.1)),
            Step::Rect(a, b, _) => (a.1.min(b.1), a.1.max(b.1) - 1),
            Step::Dots(dots) => dots.iter().fold((i32::MAX, i32::MIN), |(lo, hi), d| {
                (lo.min(d.at.1), hi.max(d.at.1))
            }),
        }
    }

    /// True when the step paints every pixel of canvas rows `top..bottom` (`width` wide)
    /// opaquely, whatever was there.
    fn paints(&self, (width, top, bottom): (i32, i32, i32)) -> bool {
        match *self {
            Step::Rect(a, b, color) => {
                let (x0, x1, y0, y1) = (a.0.min(b.0), a.0.max(b.0), a.1.min(b.1), a.1.max(b.1));
                color.alpha >= 1.0 && x0 <= 0 && x1 >= width && y0 <= top && y1 >= bottom
            }
            _ => false,
        }
    }

    /// The ends and colour of a translucent 1-px vertical line, which [`blend_column`]
    /// draws; `None` for every other step.
    fn column(&self) -> Option<(BackendCoord, BackendCoord, BackendColor)> {
        match self {
            Step::Line(a, b, color) if a.0 == b.0 && color.alpha < 1.0 => Some((*a, *b, *color)),
            _ => None,
        }
    }

    /// True for the steps [`draw_steps`] draws itself: dots and translucent columns.
    fn is_direct(&self) -> bool {
        matches!(self, Step::Dots(_)) || self.column().is_some()
    }

    /// Draw the step on `band`, whose first row is canvas row `top` (the steps that are
    /// not [`Step::is_direct`]).
    fn draw(&self, band: &mut BitMapBackend, top: i32) -> Result<(), PlotError> {
        let at = |p: BackendCoord| (p.0, p.1 - top);
        let done = match self {
            Step::Line(a, b, color) => band.draw_line(at(*a), at(*b), color),
            Step::Rect(a, b, color) => band.draw_rect(at(*a), at(*b), color, true),
            // Drawn by `draw_steps` itself ([`draw_dots`]).
            Step::Dots(_) => Ok(()),
        };
        done.map_err(|e| PlotError::Draw(e.to_string()))
    }
}

/// Draw `steps` in order on `band`, the RGB pixels of canvas rows from `top` on, `width`
/// wide: translucent vertical lines ([`blend_column`]) and dots ([`draw_dots`]) directly,
/// runs of other steps by plotters' bitmap backend.
fn draw_steps<'a>(
    steps: impl IntoIterator<Item = &'a Step>,
    band: &mut [u8],
    (width, top): (u32, i32),
) -> Result<(), PlotError> {
    let height = (band.len() / (width as usize * 3)) as u32;
    let steps: Vec<&Step> = steps.into_iter().collect();
    for run in steps.chunk_by(|a, b| a.is_direct() == b.is_direct()) {
        if !run[0].is_direct() {
            let mut bitmap = BitMapBackend::with_buffer(band, (width, height));
            for step in run {
                step.draw(&mut bitmap, top)?;
            }
            continue;
        }
        for step in run {
            if let Some((a, b, color)) = step.column() {
                let (a, b) = ((a.0, a.1 - top), (b.0, b.1 - top));
                blend_column(band, (width, height), (a, b), color);
            } else if let Step::Dots(dots) = step {
                draw_dots(band, (width, height), top, dots);
            }
        }
    }
    Ok(())
}

/// `ink` over one RGB pixel as plotters' bitmap backend blends it (`blend` in
/// `plotters-bitmap`'s pixel formats), `a` being `floor(256·alpha)`: each channel moves
/// toward the ink by `a / 256` of the way, rounded toward its old value.
fn blend(pixel: &mut [u8], ink: [u8; 3], a: u64) {
    for (old, new) in pixel.iter_mut().zip(ink) {
        *old = match new > *old {
            true => *old + (u64::from(new - *old) * a / 256) as u8,
            false => *old - (u64::from(*old - new) * a / 256) as u8,
        };
    }
}

/// `dots` on an RGB image of `(w, h)` whose first row is canvas row `top`, as plotters'
/// bitmap backend draws each pixel (`PixelFormat::draw_pixel`): set when opaque, else
/// blended by its level; pixels off the image are left alone.
///
/// Why not through the backend: text is some 200,000 dots a figure, and the backend's
/// call per pixel (colour conversion, bounds, its own blend) cost twice the blending.
fn draw_dots(pixels: &mut [u8], (w, h): (u32, u32), top: i32, dots: &[Dot]) {
    let stride = w as usize * 3;
    for dot in dots {
        let (x, y) = (dot.at.0, dot.at.1 - top);
        if x < 0 || y < 0 || x >= w as i32 || y >= h as i32 {
            continue;
        }
        let at = y as usize * stride + x as usize * 3;
        let pixel = &mut pixels[at..at + 3];
        match dot.level {
            255 => pixel.copy_from_slice(&dot.rgb),
            level => blend(pixel, dot.rgb, u64::from(level)),
        }
    }
}

/// A translucent 1-px vertical line from `from` to `to` on an RGB image of `(w, h)`, as
/// plotters' bitmap backend blends it (`blend_rect_fast` on a one-pixel-wide rectangle
/// from `from` to `to` + (1, 1)): each channel moves toward the colour by
/// `floor(256·alpha) / 256` of the way, rounded toward its old value.
///
/// Why: a wide percentile ribbon is filled column by column, as thousands of such
/// lines, and plotters' per-call set-up cost as much as the blending.
fn blend_column(
    pixels: &mut [u8],
    (w, h): (u32, u32),
    (from, to): (BackendCoord, BackendCoord),
    color: BackendColor,
) {
    let alpha = color.alpha.clamp(0.0, 1.0);
    let x = from.0;
    let (y0, y1) = (
        from.1.min(to.1 + 1).max(0),
        from.1.max(to.1 + 1).min(h as i32),
    );
    if alpha == 0.0 || x < 0 || x >= w as i32 || y0 >= y1 {
        return;
    }
    let a = (256.0 * alpha).floor() as u64;
    let ink = [color.rgb.0, color.rgb.1, color.rgb.2];
    let stride = w as usize * 3;
    for y in y0 as usize..y1 as usize {
        let at = y * stride + x as usize * 3;
        let Some(pixel) = pixels.get_mut(at..at + 3) else {
            return;
        };
        blend(pixel, ink, a);
    }
}

/// The drawing surface plotters draws on: it records the steps of plotters' bitmap
/// backend on a canvas of `size`, with correct text placement and one-rectangle wide
/// straight lines.
pub(crate) struct Raster<'a> {
    size: (u32, u32),
    steps: &'a mut Vec<Step>,
}

/// A drawing area on a [`Raster`].
pub(crate) type RasterArea<'a> = DrawingArea<Raster<'a>, Shift>;

/// Draw with `draw` on a canvas of `w·s × h·s` pixels and return the PNG of `w × h`,
/// each pixel the mean of its `s × s` block (`s` = `supersample`).
pub(crate) fn png<F>(w: u32, h: u32, supersample: u32, draw: F) -> Result<Vec<u8>, PlotError>
where
    F: FnOnce(&RasterArea) -> Result<(), PlotError>,
{
    let s = supersample.clamp(1, MAX_SUPERSAMPLE);
    let steps = record((w * s, h * s), draw)?;
    let rgb = play_in_bands(&steps, (w, h), s, BAND_ROWS)?;
    super::encode_png(&rgb, w, h)
}

/// The steps `draw` makes on a canvas of `size`.
pub(super) fn record<F>(size: (u32, u32), draw: F) -> Result<Vec<Step>, PlotError>
where
    F: FnOnce(&RasterArea) -> Result<(), PlotError>,
{
    let mut steps = Vec::new();
    let root = Raster {
        size,
        steps: &mut steps,
    }
    .into_drawing_area();
    draw(&root)?;
    root.present().map_err(|e| PlotError::Draw(e.to_string()))?;
    drop(root);
    Ok(steps)
}

/// The `w × h` RGB image of `steps` drawn on a zeroed canvas of `w·s × h·s` (the figure
/// paints its own background), played `band_rows` output rows at a time and averaged
/// down per band.
pub(super) fn play_in_bands(
    steps: &[Step],
    (w, h): (u32, u32),
    s: u32,
    band_rows: u32,
) -> Result<Vec<u8>, PlotError> {
    let (big_w, big_h, rows) = (w * s, h * s, band_rows.max(1) * s);
    // Each band's steps, in drawing order.
    let mut by_band = vec![Vec::new(); big_h.div_ceil(rows) as usize];
    for (i, step) in steps.iter().enumerate() {
        let (first, last) = step.rows();
        let (first, last) = (first.max(0), last.min(big_h as i32 - 1));
        for band in (first / rows as i32)..=(last / rows as i32) {
            if let Some(list) = by_band.get_mut(band as usize).filter(|_| first <= last) {
                list.push(i);
            }
        }
    }
    let mut canvas = vec![0u8; (big_w * rows) as usize * 3];
    let mut out = Vec::with_capacity((w * h) as usize * 3);
    for (band, list) in by_band.iter().enumerate() {
        let top = band as u32 * rows;
        let height = rows.min(big_h - top);
        let pixels = &mut canvas[..(big_w * height) as usize * 3];
        // A fresh canvas is zeroed, unless the band's first step paints all of it.
        let band = (big_w as i32, top as i32, (top + height) as i32);
        if !list.first().is_some_and(|&i| steps[i].paints(band)) {
            pixels.fill(0);
        }
        draw_steps(list.iter().map(|&i| &steps[i]), pixels, (big_w, top as i32))?;
        downsample(pixels, (w, height / s), s, &mut out);
    }
    Ok(out)
}

/// The `w × h` RGB image whose pixels are the means of `s × s` blocks of `big`, rounded
/// to the nearest (halves up), appended to `out`; `s` from 1 to [`MAX_SUPERSAMPLE`].
fn downsample(big: &[u8], size: (u32, u32), s: u32, out: &mut Vec<u8>) {
    match s {
        2 => block_means::<2>(big, size, out),
        3 => block_means::<3>(big, size, out),
        4 => block_means::<4>(big, size, out),
        _ => out.extend_from_slice(big),
    }
}

/// [`downsample`] for `S × S` blocks.
///
/// Why whole rows and a constant `S`: a figure is some 9 million drawn pixels, so the
/// per-pixel loop with its index arithmetic and bounds checks was a third of a small
/// run's CPU. Each band of `S` rows is summed column-wise into one row of `u16` (a loop
/// the compiler vectorises; a block sum is at most 255 × 4² and fits), then each
/// `S`-pixel stretch of that row is summed, unrolled, and divided through a table.
fn block_means<const S: usize>(big: &[u8], (w, h): (u32, u32), out: &mut Vec<u8>) {
    let (w, h) = (w as usize, h as usize);
    let row_bytes = w * S * 3;
    let n = (S * S) as u32;
    // The rounded mean of every possible block sum: `(sum + n / 2) / n`.
    let mean: Vec<u8> = (0..=255 * n).map(|sum| ((sum + n / 2) / n) as u8).collect();
    let mut column_sums = vec![0u16; row_bytes];
    let start = out.len();
    out.resize(start + w * h * 3, 0);
    let bands = big.chunks_exact(row_bytes * S);
    for (band, out_row) in bands.zip(out[start..].chunks_exact_mut(w * 3)) {
        let (first, others) = band.split_at(row_bytes);
        for (acc, &v) in column_sums.iter_mut().zip(first) {
            *acc = u16::from(v);
        }
        for row in others.chunks_exact(row_bytes) {
            for (acc, &v) in column_sums.iter_mut().zip(row) {
                *acc += u16::from(v);
            }
        }
        let blocks = column_sums.chunks_exact(S * 3);
        for (block, pixel) in blocks.zip(out_row.chunks_exact_mut(3)) {
            for (c, o) in pixel.iter_mut().enumerate() {
                let sum: u16 = (0..S).map(|k| block[k * 3 + c]).sum();
                *o = mean.get(usize::from(sum)).copied().unwrap_or(u8::MAX);
            }
        }
    }
}

/// The embedded DejaVu Sans face for `style` (bold, or regular for everything else).
fn face(style: FontStyle) -> Option<&'static FontRef<'static>> {
    static REGULAR: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    static BOLD: OnceLock<Option<FontRef<'static>>> = OnceLock::new();
    let (cell, bytes) = match style {
        FontStyle::Bold => (&BOLD, dejavu::sans::bold()),
        _ => (&REGULAR, dejavu::sans::regular()),
    };
    cell.get_or_init(|| FontRef::try_from_slice(bytes).ok())
        .as_ref()
}

/// Each inked pixel `ink(x, y, coverage)` of `text` set in `font` at `size` px, relative
/// to the anchor point: the pen advances by each glyph's advance plus kerning, in
/// fractions of a pixel, and every glyph keeps its side bearings, as an SVG renderer lays
/// it out. (Handed over one by one, not collected: a title at 3× is some 100,000 pixels,
/// and a growing list of them was fresh memory each time.)
pub(crate) fn glyph_pixels(
    font: &FontRef,
    size: f32,
    text: &str,
    (h_pos, v_pos): (HPos, VPos),
    mut ink: impl FnMut(i32, i32, f32),
) {
    let scaled = font.as_scaled(PxScale::from(size));
    let mut pen = 0.0f32;
    let mut placed = Vec::new();
    let mut prev = None;
    for c in text.chars() {
        let id = scaled.glyph_id(c);
        if let Some(p) = prev {
            pen += scaled.kern(p, id);
        }
        placed.push((id, pen));
        pen += scaled.h_advance(id);
        prev = Some(id);
    }
    let dx = match h_pos {
        HPos::Left => 0.0,
        HPos::Center => -pen / 2.0,
        HPos::Right => -pen,
    };
    let baseline = match v_pos {
        VPos::Top => scaled.ascent(),
        VPos::Center => (scaled.ascent() + scaled.descent()) / 2.0,
        VPos::Bottom => scaled.descent(),
    };
    for (id, x) in placed {
        let glyph = id.with_scale_and_position(size, ab_glyph::point(x + dx, baseline));
        if let Some(outline) = font.outline_glyph(glyph) {
            let b = outline.px_bounds();
            let (x0, y0) = (b.min.x as i32, b.min.y as i32);
            // Only pixels with ink: a glyph's box is mostly blank, and a blank pixel
            // blended at zero opacity changes nothing.
            outline.draw(|x, y, c| {
                if c > 0.0 {
                    ink(x0 + x as i32, y0 + y as i32, c);
                }
            });
        }
    }
}

/// The rectangle `(upper left, bottom right exclusive)` that plotters fills for a
/// horizontal or vertical line `width` > 1 px wide, or `None` for any other line.
///
/// Why: plotters draws a wide line as a polygon, swept one pixel row or column at a
/// time with an allocation and a sort per step; the grid lines of a supersampled figure
/// were a third of a small run's CPU. This reproduces that polygon's pixels exactly
/// (`plotters_backend::rasterizer::draw_line` and `fill_polygon`): the four corners are
/// rounded toward zero, every line of the sweep is filled inclusively, and the sweep's
/// last line is left out when the rectangle is more than one pixel across it.
fn straight_wide_line(
    from: BackendCoord,
    to: BackendCoord,
    width: u32,
) -> Option<(BackendCoord, BackendCoord)> {
    if width <= 1 || (from.0 != to.0 && from.1 != to.1) || from == to {
        return None;
    }
    let v = (f64::from(to.0 - from.0), f64::from(to.1 - from.1));
    let l = v.0.hypot(v.1);
    let (v, r) = ((v.0 / l, v.1 / l), f64::from(width) / 2.0);
    let corner = |p: BackendCoord, sign: f64| {
        let x = f64::from(p.0) + sign * v.1 * r;
        let y = f64::from(p.1) - sign * v.0 * r;
        (x as i32, y as i32)
    };
    let corners = [
        corner(from, 1.0),
        corner(from, -1.0),
        corner(to, 1.0),
        corner(to, -1.0),
    ];
    let (x0, x1) = (
        corners.iter().map(|c| c.0).min()?,
        corners.iter().map(|c| c.0).max()?,
    );
    let (y0, y1) = (
        corners.iter().map(|c| c.1).min()?,
        corners.iter().map(|c| c.1).max()?,
    );
    if x0 == x1 || y0 == y1 {
        return None;
    }
    let (x_last, y_last) = match x1 - x0 > y1 - y0 {
        true if y1 - y0 > 1 => (x1 - 1, y1),
        false if x1 - x0 > 1 => (x1, y1 - 1),
        _ => (x1, y1),
    };
    Some(((x0, y0), (x_last + 1, y_last + 1)))
}

type Err = DrawingErrorKind<std::convert::Infallible>;

impl Raster<'_> {
    fn push(&mut self, step: Step) -> Result<(), Err> {
        self.steps.push(step);
        Ok(())
    }

    /// A pixel as the bitmap backend draws it, which off the canvas or fully transparent
    /// leaves the canvas unchanged.
    fn pixel(&mut self, point: BackendCoord, color: BackendColor) {
        let (w, h) = self.size;
        let inside = (0..w as i32).contains(&point.0) && (0..h as i32).contains(&point.1);
        if inside && color.alpha > 0.0 {
            self.dot(point, color);
        }
    }

    /// A pixel onto the last run of dots while it stays in the run's rows.
    fn dot(&mut self, at: BackendCoord, color: BackendColor) {
        let Some(dot) = Dot::of(at, color) else {
            return;
        };
        match self.steps.last_mut() {
            Some(Step::Dots(dots)) if dots[0].at.1 / DOT_ROWS == at.1 / DOT_ROWS => {
                dots.push(dot);
            }
            _ => self.steps.push(Step::Dots(vec![dot])),
        }
    }
}

/// Plotters' bitmap backend's drawing, step by step: its fast paths (filled rectangles,
/// 1-px straight lines, pixels) are recorded, everything else is broken down by the same
/// plotters rasterizers against the same canvas size.
impl DrawingBackend for Raster<'_> {
    type ErrorType = std::convert::Infallible;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }
    fn ensure_prepared(&mut self) -> Result<(), Err> {
        Ok(())
    }
    fn present(&mut self) -> Result<(), Err> {
        Ok(())
    }
    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Err> {
        self.pixel(point, color);
        Ok(())
    }
    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), Err> {
        let color = style.color();
        if let Some((upper_left, bottom_right)) = straight_wide_line(from, to, style.stroke_width())
        {
            return self.push(Step::Rect(upper_left, bottom_right, color));
        }
        if (from.0 == to.0 || from.1 == to.1) && style.stroke_width() == 1 {
            return self.push(Step::Line(from, to, color));
        }
        rasterizer::draw_line(self, from, to, style)
    }
    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Err> {
        match fill {
            true => self.push(Step::Rect(upper_left, bottom_right, style.color())),
            false => rasterizer::draw_rect(self, upper_left, bottom_right, style, fill),
        }
    }

    fn draw_text<T: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &T,
        pos: BackendCoord,
    ) -> Result<(), Err> {
        let color = style.color();
        let Some(font) = face(style.style()) else {
            let missing = std::io::Error::other("the embedded DejaVu Sans could not be read");
            return Err(DrawingErrorKind::FontError(Box::new(missing)));
        };
        if color.alpha == 0.0 {
            return Ok(());
        }
        let anchor = style.anchor();
        let turn = style.transform();
        let anchor = (anchor.h_pos, anchor.v_pos);
        glyph_pixels(font, style.size() as f32, text, anchor, |x, y, c| {
            let (x, y) = turn.transform(x, y);
            let alpha = color.alpha * f64::from(c.clamp(0.0, 1.0));
            self.pixel((pos.0 + x, pos.1 + y), BackendColor { alpha, ..color });
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::Rng;

    /// Issue 14: plotters dropped each glyph's left side bearing, so PNG text was spaced
    /// unlike the SVG. The first ink column of "l" must sit at the pen plus the bearing
    /// the font gives (DejaVu Sans "l": 193 of 2048 units), not at the pen.
    #[test]
    fn glyphs_keep_their_side_bearing() {
        const SIZE: f32 = 100.0;
        let font = face(FontStyle::Normal).expect("embedded font");
        let scaled = font.as_scaled(PxScale::from(SIZE));
        let bearing = scaled.h_side_bearing(scaled.glyph_id('l'));
        assert!(bearing > 5.0, "the test needs a visible bearing: {bearing}");
        let mut px = Vec::new();
        glyph_pixels(font, SIZE, "l", (HPos::Left, VPos::Top), |x, y, c| {
            px.push((x, y, c))
        });
        let first_ink = px.iter().filter(|p| p.2 > 0.5).map(|p| p.0).min();
        assert_eq!(first_ink, Some(bearing.round() as i32));
    }

    /// "mg" set in one piece ends where "m" alone ends plus the advance of "m": the pen is
    /// not rounded per glyph, so two glyphs are never pushed apart.
    #[test]
    fn the_pen_advances_by_the_fonts_advance() {
        const SIZE: f32 = 37.3; // fractional advances
        let font = face(FontStyle::Normal).expect("embedded font");
        let scaled = font.as_scaled(PxScale::from(SIZE));
        let advance = scaled.h_advance(scaled.glyph_id('m'))
            + scaled.kern(scaled.glyph_id('m'), scaled.glyph_id('g'));
        let last = |t: &str| {
            let mut px: Vec<(i32, i32, f32)> = Vec::new();
            glyph_pixels(font, SIZE, t, (HPos::Left, VPos::Top), |x, y, c| {
                px.push((x, y, c))
            });
            px
        };
        let g_alone = last("g").iter().map(|p| p.0).max().unwrap_or(0);
        let mg = last("mg").iter().map(|p| p.0).max().unwrap_or(0);
        assert!((mg - g_alone - advance.round() as i32).abs() <= 1);
    }

    /// The fast path for horizontal and vertical wide lines fills exactly the pixels
    /// plotters' own polygon fill does, at every width, direction, opacity and position
    /// (including off the canvas), in the same colours.
    #[test]
    fn straight_wide_lines_match_plotters() {
        use rand::SeedableRng;
        const SIZE: (u32, u32) = (61, 47);
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
        let mut drawn = 0;
        for case in 0..4000 {
            let a = (rng.gen_range(-8..70), rng.gen_range(-8..55));
            let along = rng.gen_range(-40..40);
            let b = match case % 2 {
                0 => (a.0 + along, a.1),
                _ => (a.0, a.1 + along),
            };
            let width = rng.gen_range(1..10);
            let alpha = [1.0, 0.35, 0.1][case % 3];
            let style = Color::stroke_width(&RGBColor(200, 30, 90).mix(alpha), width);
            let mut by_plotters = vec![255u8; (SIZE.0 * SIZE.1 * 3) as usize];
            let mut by_raster = by_plotters.clone();
            BitMapBackend::with_buffer(&mut by_plotters, SIZE)
                .draw_line(a, b, &style)
                .expect("draw");
            let mut steps = Vec::new();
            (Raster {
                size: SIZE,
                steps: &mut steps,
            })
            .draw_line(a, b, &style)
            .expect("record");
            draw_steps(&steps, &mut by_raster, (SIZE.0, 0)).expect("draw");
            // Same pixels; plotters itself blends a wide span and a 1-pixel span with
            // different rounding (floor of the mix, or toward the old value), so a
            // translucent value may differ by one level.
            let touched = |buf: &[u8]| buf.chunks(3).map(|p| p != [255; 3]).collect::<Vec<_>>();
            let close = by_plotters
                .iter()
                .zip(&by_raster)
                .all(|(p, q)| p.abs_diff(*q) <= 1);
            let case = format!("{a:?}–{b:?} width {width} α {alpha}");
            assert!(
                touched(&by_plotters) == touched(&by_raster),
                "pixels: {case}"
            );
            assert!(close, "colours: {case}");
            drawn += usize::from(by_plotters.iter().any(|&v| v != 255));
        }
        assert!(drawn > 2000, "most lines must touch the canvas: {drawn}");
    }

    /// Translucent 1-px vertical lines (a ribbon's columns) are blended as plotters'
    /// bitmap backend blends them, bit for bit, in either direction and partly or wholly
    /// off the canvas, over any background.
    #[test]
    fn columns_blend_as_plotters_blends_them() {
        const SIZE: (u32, u32) = (13, 29);
        on_random_backgrounds(16, SIZE, 3000, |rng, case, background| {
            let x = rng.gen_range(-2..15);
            let (y0, y1) = (rng.gen_range(-5..35), rng.gen_range(-5..35));
            let alpha = [0.2, 0.999, 0.5, 0.0, rng.gen()][case % 5];
            let rgb = (rng.gen(), rng.gen(), rng.gen());
            let color = BackendColor { alpha, rgb };
            let mut by_plotters = background.clone();
            BitMapBackend::with_buffer(&mut by_plotters, SIZE)
                .draw_line((x, y0), (x, y1), &color)
                .expect("draw");
            let mut by_step = background;
            let step = Step::Line((x, y0 + 4), (x, y1 + 4), color);
            draw_steps([&step], &mut by_step, (SIZE.0, 4)).expect("draw");
            assert!(by_plotters == by_step, "x {x}, rows {y0}–{y1}, α {alpha}");
        });
    }

    /// Dots, opaque and translucent, on and off the band, land as plotters' bitmap backend
    /// draws them pixel by pixel, bit for bit, over any background.
    #[test]
    fn dots_draw_as_plotters_draws_them() {
        const SIZE: (u32, u32) = (11, 7);
        on_random_backgrounds(17, SIZE, 2000, |rng, case, background| {
            let dots: Vec<Dot> = (0..rng.gen_range(1..40))
                .filter_map(|_| {
                    let at = (rng.gen_range(-2..14), rng.gen_range(0..12));
                    let alpha = [1.0, 0.999, 0.5, 1.0 / 256.0, rng.gen()][case % 5];
                    Dot::of(
                        at,
                        BackendColor {
                            alpha,
                            rgb: rng.gen(),
                        },
                    )
                })
                .collect();
            let mut by_plotters = background.clone();
            let mut bitmap = BitMapBackend::with_buffer(&mut by_plotters, SIZE);
            for dot in &dots {
                let at = (dot.at.0, dot.at.1 - 3);
                bitmap.draw_pixel(at, dot.color()).expect("draw");
            }
            drop(bitmap);
            let mut by_step = background;
            draw_steps([&Step::Dots(dots)], &mut by_step, (SIZE.0, 3)).expect("draw");
            assert!(by_plotters == by_step, "case {case}");
        });
    }

    /// `check(rng, case, background)` for `cases` random RGB backgrounds of `size`.
    fn on_random_backgrounds(
        seed: u64,
        (w, h): (u32, u32),
        cases: usize,
        mut check: impl FnMut(&mut rand_chacha::ChaCha8Rng, usize, Vec<u8>),
    ) {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        for case in 0..cases {
            let background: Vec<u8> = (0..w * h * 3).map(|_| rng.gen()).collect();
            check(&mut rng, case, background);
        }
    }

    /// A band is a fresh (zeroed) canvas unless its first step paints all of it: a pixel
    /// drawn in one band leaves no trace in the next band, whose first step does not
    /// cover it.
    #[test]
    fn each_band_starts_as_a_fresh_canvas() {
        let red = BackendColor {
            alpha: 1.0,
            rgb: (255, 0, 0),
        };
        let white = BackendColor {
            alpha: 1.0,
            rgb: (255, 255, 255),
        };
        // A white top half, then a red pixel in the first band, in canvas rows.
        let red = Dot::of((0, 0), red).expect("opaque");
        let steps = [Step::Rect((0, 0), (6, 3), white), Step::Dots(vec![red])];
        let image = play_in_bands(&steps, (2, 2), 3, 1).expect("bands");
        // Top-left: (8·255 + 255) / 9 red, 8·255 / 9 green and blue.
        assert_eq!(&image[..3], &[255, 227, 227]);
        assert_eq!(&image[3..6], &[255, 255, 255]);
        assert_eq!(&image[6..], &[0; 6], "the lower band is untouched");
    }

    /// [`downsample`]'s definition, pixel by pixel.
    fn downsample_by_definition(big: &[u8], (w, h): (usize, usize), s: usize) -> Vec<u8> {
        let mut out = vec![0u8; w * h * 3];
        for y in 0..h {
            for x in 0..w {
                for c in 0..3 {
                    let mut sum = 0u32;
                    for dy in 0..s {
                        for dx in 0..s {
                            sum += u32::from(big[((y * s + dy) * w * s + x * s + dx) * 3 + c]);
                        }
                    }
                    let n = (s * s) as u32;
                    out[(y * w + x) * 3 + c] = ((sum + n / 2) / n) as u8;
                }
            }
        }
        out
    }

    /// The row-wise downsampling equals the definition bit for bit on random images of
    /// odd sizes, at the supersampling used and others.
    #[test]
    fn downsampling_equals_the_definition() {
        use rand::SeedableRng;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(14);
        for (w, h, s) in [(37, 23, 3), (5, 7, 2), (1, 1, 4), (16, 9, 3)] {
            let big: Vec<u8> = (0..w * s * h * s * 3).map(|_| rng.gen()).collect();
            let size = (w as u32, h as u32);
            let expected = downsample_by_definition(&big, (w, h), s);
            let mut got = vec![7];
            downsample(&big, size, s as u32, &mut got);
            assert_eq!(got[0], 7, "appended");
            assert_eq!(got[1..], expected, "{w}×{h} at {s}×");
        }
    }

    #[test]
    fn downsampling_averages_blocks() {
        let big = [0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255];
        // 2×2 block: one black, three white → 191.
        let mut out = Vec::new();
        downsample(&big, (1, 1), 2, &mut out);
        assert_eq!(out, vec![191, 191, 191]);
    }
}
