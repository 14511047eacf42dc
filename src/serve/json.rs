//! A study as the page's JSON: the [`PlotSpec`] the PNG is drawn from (so the page draws
//! the same curves, bands, dose labels and panels), the summary CSV as a table, the
//! terminal summary and the lesson text.
//!
//! Long curves are thinned for drawing: each of `MAX_BUCKETS` time buckets keeps its
//! lowest and highest point, so peaks and troughs are drawn exactly (what a screen of
//! ~1,500 pixels can show anyway); the CSV download always has every point.

use super::study::{Study, StudyError};
use crate::report::plot::{PlotSpec, Series, BAND_OPACITY};
use serde_json::{json, Value};

/// Buckets per curve when thinning; two points per bucket.
const MAX_BUCKETS: usize = 1500;

/// Everything the page shows for one study.
pub fn study(s: &Study) -> Result<Value, StudyError> {
    let summary = s.summary_csv()?;
    Ok(json!({
        "name": s.scenario.name,
        "lesson": s.scenario.description,
        "solver": s.scenario.solver.id(),
        "plot": plot(&s.plot()),
        "summary_table": table(&summary)?,
        "summary_text": s.summary_text(),
        "disclaimer": crate::DISCLAIMER,
    }))
}

fn plot(p: &PlotSpec) -> Value {
    json!({
        "title": p.title,
        "footer": p.footer,
        "y_label": p.y_label,
        "log_y": p.log_y,
        "time_in_days": p.time_in_days,
        "series": p.series.iter().map(series).collect::<Vec<_>>(),
        // A few steps each (NaN, sent as null, breaks the line).
        "targets": p.targets.iter().map(|t| json!({
            "name": t.line.name, "time_h": t.line.time_h, "conc_ng_ml": t.line.conc_ng_ml,
            "colour_of": t.colour_of,
        })).collect::<Vec<_>>(),
        "bands": p.bands.iter().map(|b| json!({
            "name": b.name, "low_ng_ml": b.low_ng_ml, "high_ng_ml": b.high_ng_ml,
            "note": b.note,
            // The PNG's fill: the band's one colour at the PNG's opacity.
            "fill": format!("rgba({},{},{},{})", b.rgb[0], b.rgb[1], b.rgb[2], BAND_OPACITY),
        })).collect::<Vec<_>>(),
        "doses": p.doses.iter().map(|d| json!({
            "time_h": d.time_h, "series": d.series, "label": d.label,
        })).collect::<Vec<_>>(),
        "lower_panel": p.lower_panel.as_ref().map(|l| json!({
            "y_label": l.y_label,
            "series": l.series.iter().map(series).collect::<Vec<_>>(),
        })),
    })
}

fn series(s: &Series) -> Value {
    let keep = thin(&s.conc_ng_ml);
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    json!({
        "name": s.name,
        "time_h": pick(&s.time_h),
        "conc_ng_ml": pick(&s.conc_ng_ml),
        "ribbon": s.ribbon.as_ref().map(|(lo, hi)| json!([pick(lo), pick(hi)])),
    })
}

/// Indices of the points to draw: all of them for a short curve, else the first, the
/// last, and each bucket's lowest and highest, in time order.
fn thin(conc: &[f64]) -> Vec<usize> {
    let n = conc.len();
    if n <= 2 * MAX_BUCKETS {
        return (0..n).collect();
    }
    let mut keep = vec![0];
    for b in 0..MAX_BUCKETS {
        let (lo, hi) = (b * n / MAX_BUCKETS, (b + 1) * n / MAX_BUCKETS);
        let by = |a: &usize, b: &usize| conc[*a].total_cmp(&conc[*b]);
        let (Some(min), Some(max)) = ((lo..hi).min_by(by), (lo..hi).max_by(by)) else {
            continue;
        };
        keep.extend([min.min(max), min.max(max)]);
    }
    keep.push(n - 1);
    keep.dedup();
    keep
}

/// A CSV as `{ "header": [...], "rows": [[...]] }`.
fn table(csv_bytes: &[u8]) -> Result<Value, StudyError> {
    let mut r = csv::Reader::from_reader(csv_bytes);
    let header: Vec<String> = r
        .headers()
        .map_err(|e| StudyError::Render(e.to_string()))?
        .iter()
        .map(String::from)
        .collect();
    let rows = r
        .records()
        .map(|rec| rec.map(|rec| rec.iter().map(String::from).collect::<Vec<_>>()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| StudyError::Render(e.to_string()))?;
    Ok(json!({ "header": header, "rows": rows }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thinning_keeps_the_peak_and_both_ends() {
        let conc: Vec<f64> = (0..100_000).map(|i| f64::from(i % 977) * 0.5).collect();
        let keep = thin(&conc);
        assert!(keep.len() <= 2 * MAX_BUCKETS + 2);
        assert_eq!(keep.first(), Some(&0));
        assert_eq!(keep.last(), Some(&99_999));
        assert!(keep.windows(2).all(|w| w[0] < w[1]), "time order");
        let peak = |ix: &mut dyn Iterator<Item = f64>| ix.fold(f64::MIN, f64::max);
        let drawn = peak(&mut keep.iter().map(|&i| conc[i]));
        let all = peak(&mut conc.iter().copied());
        assert!((drawn - all).abs() <= f64::EPSILON * all, "peak kept");
    }

    #[test]
    fn short_curves_are_drawn_whole() {
        assert_eq!(thin(&[1.0, 3.0, 2.0]), vec![0, 1, 2]);
    }
}
