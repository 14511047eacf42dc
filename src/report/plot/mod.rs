//! Concentration–time plots for ketasim (teaching and research use only).
//!
//! [`render_png`] and [`render_svg`] turn a [`PlotSpec`] into PNG bytes or an SVG
//! document. Text is laid out with the embedded DejaVu Sans font, which is
//! registered with plotters on first use, so no system font library is needed.

mod draw;
pub mod hysteresis;
mod markers;
pub(crate) mod raster;

pub(crate) use draw::register_fonts;
use draw::{draw_figure, prepare};
use plotters::prelude::*;

/// One concentration curve.
#[derive(Debug, Clone, Default)]
pub struct Series {
    /// Legend name (an empty name leaves the curve out of the legend).
    pub name: String,
    /// Sample times in hours.
    pub time_h: Vec<f64>,
    /// Concentrations in ng/mL, one per entry of `time_h`.
    pub conc_ng_ml: Vec<f64>,
    /// Optional 5th–95th percentile ribbon `(low, high)` (same length as `time_h`).
    pub ribbon: Option<(Vec<f64>, Vec<f64>)>,
}

/// A target the curves are meant to reach and hold (TCI): a step line drawn thin and
/// dashed under the curves, in the colour of the main-panel curve it is for, and listed
/// in the legend by `line.name`.
#[derive(Debug, Clone, Default)]
pub struct TargetLine {
    /// The target over time (NaN where none is set: the line breaks).
    pub line: Series,
    /// Index into [`PlotSpec::series`] whose colour the line takes.
    pub colour_of: usize,
}

/// A shaded horizontal concentration band, e.g. "analgesia" 70–160 ng/mL, listed in the
/// legend with a swatch of its own fill.
#[derive(Debug, Clone, Default)]
pub struct Band {
    /// Name, written in the legend with the range ("analgesia 70–160 ng/mL").
    pub name: String,
    /// Lower edge in ng/mL.
    pub low_ng_ml: f64,
    /// Upper edge in ng/mL.
    pub high_ng_ml: f64,
    /// Fill colour (drawn at [`BAND_OPACITY`]); one fixed colour per band in every plot.
    pub rgb: [u8; 3],
    /// A caveat appended to the legend entry, e.g. "racemic-ketamine levels".
    pub note: String,
}

/// Opacity of band fills, and of their legend swatches.
pub const BAND_OPACITY: f64 = 0.2;

/// A dose marker drawn at the bottom of the plot: small triangle at `time_h` in the
/// colour of series `series`, with a short label like "IV 35 mg". The same label at the
/// same time in several series is drawn once.
#[derive(Debug, Clone, Default)]
pub struct DoseMarker {
    /// Dose time in hours.
    pub time_h: f64,
    /// Index into [`PlotSpec::series`] that picks the marker colour.
    pub series: usize,
    /// Short label; labels are drawn only when there are at most 12 distinct (time,
    /// label) pairs, else the markers form a compact rug without labels.
    pub label: String,
}

/// A second, smaller panel below the main one (e.g. norketamine or effect site);
/// same x axis. Colours follow the series index within the panel.
#[derive(Debug, Clone, Default)]
pub struct Panel {
    /// Y axis label of the panel.
    pub y_label: String,
    /// Curves of the panel.
    pub series: Vec<Series>,
}

/// Everything needed to draw one figure; see [`PlotSpec::default`] for defaults.
#[derive(Debug, Clone)]
pub struct PlotSpec {
    /// Title at the top (scenario name).
    pub title: String,
    /// Small grey line at the bottom (model name, disclaimer).
    pub footer: String,
    /// Y axis label of the main panel (default "Plasma ketamine (ng/mL)").
    pub y_label: String,
    /// Main-panel curves; at least one finite point is required.
    pub series: Vec<Series>,
    /// Target lines of the main panel, listed in the legend after the curves.
    pub targets: Vec<TargetLine>,
    /// Bands of the main panel; clipped to the data-driven y range. A band outside it
    /// stays in the legend, which says "above this range" (or below).
    pub bands: Vec<Band>,
    /// Dose markers along the bottom of the main panel.
    pub doses: Vec<DoseMarker>,
    /// Logarithmic y axis (both panels).
    pub log_y: bool,
    /// Draw the time axis in days ("Time (d)"); the times in the spec stay in hours.
    pub time_in_days: bool,
    /// Optional lower panel taking ~30 % of the plot height.
    pub lower_panel: Option<Panel>,
    /// Image width in pixels (at least 200; default 1200).
    pub width_px: u32,
    /// Image height in pixels (at least 150; default 800).
    pub height_px: u32,
}

impl Default for PlotSpec {
    fn default() -> Self {
        Self {
            title: String::new(),
            footer: String::new(),
            y_label: "Plasma ketamine (ng/mL)".to_string(),
            series: Vec::new(),
            targets: Vec::new(),
            bands: Vec::new(),
            doses: Vec::new(),
            log_y: false,
            time_in_days: false,
            lower_panel: None,
            width_px: 1200,
            height_px: 800,
        }
    }
}

impl PlotSpec {
    /// This spec with every time divided by 24, for a time axis in days.
    fn in_days(&self) -> PlotSpec {
        let days = |s: &Series| Series {
            time_h: s.time_h.iter().map(|t| t / 24.0).collect(),
            ..s.clone()
        };
        PlotSpec {
            series: self.series.iter().map(days).collect(),
            targets: (self.targets.iter())
                .map(|t| TargetLine {
                    line: days(&t.line),
                    ..t.clone()
                })
                .collect(),
            doses: (self.doses.iter())
                .map(|d| DoseMarker {
                    time_h: d.time_h / 24.0,
                    ..d.clone()
                })
                .collect(),
            lower_panel: self.lower_panel.as_ref().map(|p| Panel {
                series: p.series.iter().map(days).collect(),
                ..p.clone()
            }),
            ..self.clone()
        }
    }
}

/// Errors from rendering.
#[derive(Debug, thiserror::Error)]
pub enum PlotError {
    /// A plotters drawing call failed, or the requested size is too small.
    #[error("drawing failed: {0}")]
    Draw(String),
    /// PNG encoding failed.
    #[error("PNG encoding failed: {0}")]
    Encode(String),
    /// The embedded DejaVu Sans font could not be registered.
    #[error("embedded font could not be registered")]
    Font,
    /// No main-panel series has a finite point.
    #[error("nothing to plot: no finite data points")]
    NoData,
}

/// Render `spec` as PNG file bytes (8-bit RGB).
pub fn render_png(spec: &PlotSpec) -> Result<Vec<u8>, PlotError> {
    let (w, h) = prepare(spec)?;
    let s = raster::SUPERSAMPLE;
    // Every size in the drawing scales with the image, so the big canvas is the same
    // figure at s× resolution.
    let big = PlotSpec {
        width_px: w * s,
        height_px: h * s,
        ..spec.clone()
    };
    raster::png(w, h, s, |root| draw_figure(root, &big))
}

/// PNG file bytes of an 8-bit RGB buffer of `w × h` pixels.
pub(crate) fn encode_png(rgb: &[u8], w: u32, h: u32) -> Result<Vec<u8>, PlotError> {
    let enc_err = |e: png::EncodingError| PlotError::Encode(e.to_string());
    let mut out = Vec::new();
    let mut enc = png::Encoder::new(&mut out, w, h);
    enc.set_color(png::ColorType::Rgb);
    let mut writer = enc.write_header().map_err(enc_err)?;
    writer.write_image_data(rgb).map_err(enc_err)?;
    writer.finish().map_err(enc_err)?;
    Ok(out)
}

/// Render `spec` as an SVG document (text as `<text>` elements in "sans-serif").
pub fn render_svg(spec: &PlotSpec) -> Result<String, PlotError> {
    let (w, h) = prepare(spec)?;
    let mut svg = String::new();
    let root = SVGBackend::with_string(&mut svg, (w, h)).into_drawing_area();
    draw_figure(&root, spec)?;
    drop(root);
    Ok(svg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use draw::y_range;

    fn series(name: &str, k: f64, t: &[f64]) -> Series {
        let conc = t
            .iter()
            .map(|&x| 300.0 * ((-k * x).exp() - (-4.0 * x).exp()))
            .collect();
        Series {
            name: name.into(),
            time_h: t.to_vec(),
            conc_ng_ml: conc,
            ribbon: None,
        }
    }

    fn spec(log_y: bool) -> PlotSpec {
        let t: Vec<f64> = (0..=96).map(|i| f64::from(i) / 12.0).collect();
        let mut iv = series("IV bolus", 0.3, &t);
        let lo = iv.conc_ng_ml.iter().map(|c| c * 0.6).collect();
        iv.ribbon = Some((lo, iv.conc_ng_ml.iter().map(|c| c * 1.5).collect()));
        let band = |name: &str, low_ng_ml, high_ng_ml| Band {
            name: name.into(),
            low_ng_ml,
            high_ng_ml,
            rgb: [0x00, 0x9E, 0x73],
            note: String::new(),
        };
        let dose = DoseMarker {
            time_h: 0.0,
            series: 1,
            label: "Oral 70 mg".into(),
        };
        let lower_panel = Some(Panel {
            y_label: "Norketamine".into(),
            series: vec![series("NK", 0.2, &t)],
        });
        let (title, series) = ("Test scenario".into(), vec![iv, series("Oral", 0.5, &t)]);
        let bands = vec![band("analgesia", 70.0, 160.0), band("hidden", 5e3, 6e3)];
        let (width_px, height_px, doses) = (640, 400, vec![dose]);
        PlotSpec {
            title,
            series,
            bands,
            doses,
            log_y,
            lower_panel,
            width_px,
            height_px,
            ..Default::default()
        }
    }

    #[test]
    fn png_has_signature_and_requested_size() {
        let png = render_png(&spec(false)).unwrap();
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]));
        let reader = png::Decoder::new(&png[..]).read_info().unwrap();
        assert_eq!((reader.info().width, reader.info().height), (640, 400));
    }

    /// Played back in bands of any height, the recorded figure is the figure played back
    /// whole, byte for byte: every step lands on the same pixels in whichever band.
    #[test]
    fn bands_draw_the_figure_drawn_whole() {
        // The fonts `render_png` registers: without them this test depended on another
        // having run first.
        draw::register_fonts().unwrap();
        for spec in [spec(false), spec(true)] {
            let (w, h, s) = (spec.width_px, spec.height_px, raster::SUPERSAMPLE);
            let big = PlotSpec {
                width_px: w * s,
                height_px: h * s,
                ..spec.clone()
            };
            let steps = raster::record((w * s, h * s), |root| draw::draw_figure(root, &big));
            let steps = steps.unwrap();
            let whole = raster::play_in_bands(&steps, (w, h), s, h).unwrap();
            assert!(whole.iter().any(|&v| v < 128), "something dark is drawn");
            for rows in [1, 7, 32] {
                let banded = raster::play_in_bands(&steps, (w, h), s, rows).unwrap();
                assert!(banded == whole, "bands of {rows} rows");
            }
        }
    }

    #[test]
    fn svg_contains_title_and_legend_names() {
        let svg = render_svg(&spec(false)).unwrap();
        for text in [
            "Test scenario",
            "IV bolus",
            "Oral",
            "NK",
            "analgesia 70–160 ng/mL",
            "hidden 5000–6000 ng/mL (above this range)",
        ] {
            assert!(svg.contains(text), "missing {text}");
        }
    }

    /// `(x, y, w, h)` of every `<rect>` with this fill and opacity, in drawing order.
    fn rects(svg: &str, fill: &str, opacity: &str) -> Vec<(u32, u32, u32, u32)> {
        let attr = |piece: &str, name: &str| -> Option<String> {
            let start = piece
                .find(&format!(" {name}=\""))
                .map(|i| i + name.len() + 3)?;
            Some(piece[start..].split('"').next()?.to_string())
        };
        svg.split("<rect")
            .skip(1)
            .filter(|p| {
                attr(p, "fill").as_deref() == Some(fill)
                    && attr(p, "opacity").as_deref() == Some(opacity)
            })
            .filter_map(|p| {
                let n = |k| attr(p, k).and_then(|v| v.parse().ok());
                Some((n("x")?, n("y")?, n("width")?, n("height")?))
            })
            .collect()
    }

    /// The decoded RGB pixels of a PNG, and its width.
    fn decode(png: &[u8]) -> (Vec<u8>, u32) {
        let mut reader = png::Decoder::new(png).read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut buf).unwrap();
        (buf, info.width)
    }

    fn pixel((buf, width): &(Vec<u8>, u32), (x, y): (u32, u32)) -> [u8; 3] {
        let i = ((y * width + x) * 3) as usize;
        [buf[i], buf[i + 1], buf[i + 2]]
    }

    /// Issue 14: lines were aliased (stair steps, thin steep segments). Along a row
    /// crossing a steep line, the edge pixels must be partial blends of the line colour
    /// and white, as an anti-aliased renderer draws them.
    #[test]
    fn lines_are_anti_aliased() {
        let t: Vec<f64> = (0..=10).map(f64::from).collect();
        let steep = Series {
            name: String::new(),
            conc_ng_ml: t.iter().map(|x| x * 7.0).collect(),
            time_h: t,
            ribbon: None,
        };
        let spec = PlotSpec {
            series: vec![steep],
            ..Default::default()
        };
        let png = decode(&render_png(&spec).unwrap());
        let line = [0x00, 0x72, 0xB2].map(f64::from);
        // A blend α·line + (1−α)·white, with the same α in every channel.
        let blend = |p: [u8; 3]| {
            let a: Vec<f64> = (0..3)
                .map(|c| (255.0 - f64::from(p[c])) / (255.0 - line[c]))
                .collect();
            let same = a.iter().all(|x| (x - a[0]).abs() < 0.08);
            same.then_some(a[0])
        };
        let row: Vec<[u8; 3]> = (0..1200).map(|x| pixel(&png, (x, 400))).collect();
        let partial = row
            .iter()
            .filter_map(|&p| blend(p))
            .filter(|a| *a > 0.15 && *a < 0.85);
        assert!(partial.count() >= 2, "no anti-aliased edge on row 400");
    }

    /// A wide line that turns back on itself within a pixel column (a 30-day course of
    /// doses every 8 h) was joined by mitres whose points shot from the peaks up into
    /// the title and down through the axis labels: no pixel of the curve's colour may
    /// lie above the plotting area.
    #[test]
    fn sharp_peaks_draw_no_spikes() {
        let t: Vec<f64> = (0..=43_200).map(|i| f64::from(i) / 60.0).collect();
        let saw = Series {
            name: "every 8 h".into(),
            conc_ng_ml: t.iter().map(|x| 26.0 * (-0.4 * (x % 8.0)).exp()).collect(),
            time_h: t,
            ribbon: None,
        };
        let spec = PlotSpec {
            series: vec![saw],
            ..Default::default()
        };
        let png = decode(&render_png(&spec).unwrap());
        // The title band: above the plotting area's top edge.
        let blue = (0..1200)
            .flat_map(|x| (0..50).map(move |y| (x, y)))
            .filter(|&p| {
                let [r, g, b] = pixel(&png, p);
                i32::from(b) - i32::from(r) > 60 && g < 200
            })
            .count();
        assert_eq!(blue, 0, "pixels of the curve in the title band");
    }

    /// Issue 14: the population swatch was grey while its ribbon was light blue, and
    /// bands were named on the plot only. Every band and the ribbon now have a legend
    /// swatch whose pixels are those of their fill on white.
    #[test]
    fn legend_swatches_have_the_colour_of_their_fills() {
        let t: Vec<f64> = (0..=100).map(f64::from).collect();
        let rising = Series {
            name: "rising".into(),
            conc_ng_ml: t.clone(),
            ribbon: Some((
                t.iter().map(|c| c * 0.9).collect(),
                t.iter().map(|c| c * 1.1).collect(),
            )),
            time_h: t.clone(),
        };
        let spec = PlotSpec {
            series: vec![rising],
            bands: vec![Band {
                name: "low".into(),
                low_ng_ml: 10.0,
                high_ng_ml: 20.0,
                rgb: [0xE6, 0x9F, 0x00],
                note: String::new(),
            }],
            ..Default::default()
        };
        let (svg, png) = (
            render_svg(&spec).unwrap(),
            decode(&render_png(&spec).unwrap()),
        );
        let centre = |r: (u32, u32, u32, u32)| (r.0 + r.2 / 2, r.1 + r.3 / 2);
        let near = |a: [u8; 3], b: [u8; 3]| a.iter().zip(b).all(|(p, q)| p.abs_diff(q) <= 2);
        // Band: drawn across the plot, then its swatch; sampled far right, where the
        // rising curve is far above the band.
        let band = rects(&svg, "#E69F00", "0.2");
        assert_eq!(band.len(), 2, "band and swatch");
        let in_band = (band[0].0 + band[0].2 - 20, band[0].1 + band[0].3 / 2);
        let (fill, swatch) = (pixel(&png, in_band), pixel(&png, centre(band[1])));
        assert!(near(fill, swatch), "band {fill:?} vs swatch {swatch:?}");
        assert!(fill != [255, 255, 255]);
        // Ribbon swatch: the ribbon's own colour on white.
        let ribbon = rects(&svg, "#0072B2", "0.2");
        assert_eq!(ribbon.len(), 1, "the ribbon swatch");
        let expected =
            [0x00, 0x72, 0xB2].map(|c: u8| (0.2 * f64::from(c) + 0.8 * 255.0).round() as u8);
        let swatch = pixel(&png, centre(ribbon[0]));
        assert!(
            near(swatch, expected),
            "ribbon swatch {swatch:?} vs {expected:?}"
        );
    }

    #[test]
    fn log_axis_tolerates_zeros_and_non_finite_values() {
        let mut s = spec(true);
        s.series[1].conc_ng_ml[5] = f64::NAN;
        s.series[1].conc_ng_ml[6] = f64::INFINITY;
        s.series.push(series("all zero", 0.3, &[0.0, 1.0]));
        s.series[2].conc_ng_ml = vec![0.0, 0.0];
        assert!(render_png(&s).is_ok());
        assert!(render_svg(&s).unwrap().contains("all zero"));
        let (lo, hi) = y_range(&s.series[2..], true);
        assert!(lo > 0.0 && lo < hi && hi.is_finite());
    }

    #[test]
    fn empty_or_non_finite_input_is_no_data() {
        assert!(matches!(
            render_png(&PlotSpec::default()),
            Err(PlotError::NoData)
        ));
        let mut s = spec(false);
        s.series = vec![Series {
            time_h: vec![f64::NAN],
            conc_ng_ml: vec![1.0],
            ..Default::default()
        }];
        assert!(matches!(render_svg(&s), Err(PlotError::NoData)));
    }
}
