//! Effects in the outputs: CSV columns per `[[effect]]` endpoint, the terminal table of
//! peak effect, time of peak and hours past the threshold, and the lines naming what an
//! endpoint assumes.

use super::table::{Align, Table};
use crate::effect::course::EffectCourse;
use crate::effect::Endpoint;
use crate::study::ScheduleResult;
use crate::units::{fmt_csv, fmt_num};

/// The endpoints of `results` (every schedule has the same ones).
fn endpoints(results: &[ScheduleResult]) -> Vec<&Endpoint> {
    results
        .first()
        .map(|r| r.effects.iter().map(|c| &c.endpoint).collect())
        .unwrap_or_default()
}

/// Whether the results carry population percentiles of the effects.
fn with_population(results: &[ScheduleResult]) -> bool {
    results
        .iter()
        .any(|r| r.effects.iter().any(|c| c.population.is_some()))
}

/// The percentile suffixes of population columns.
const PERCENTILES: [&str; 3] = ["p05", "p50", "p95"];

/// `<id>_ce_ng_ml,<id>_effect` per endpoint (then `<id>_effect_p05,_p50,_p95` with a
/// population), for the time-course CSV.
pub fn course_header(results: &[ScheduleResult]) -> Vec<String> {
    let population = with_population(results);
    let mut h = Vec::new();
    for e in endpoints(results) {
        let id = e.column_id();
        h.extend([format!("{id}_ce_ng_ml"), format!("{id}_effect")]);
        if population {
            h.extend(PERCENTILES.map(|p| format!("{id}_effect_{p}")));
        }
    }
    h
}

/// Row `i` of the time-course CSV, in [`course_header`]'s order.
pub fn course_cells(r: &ScheduleResult, i: usize, population: bool) -> Vec<String> {
    let mut row = Vec::new();
    for c in &r.effects {
        row.extend([fmt_csv(c.ce_ng_ml[i]), fmt_csv(c.effect[i])]);
        if population {
            match &c.population {
                Some(p) => row.extend(p.curves.iter().map(|v| fmt_csv(v[i]))),
                None => row.extend([String::new(), String::new(), String::new()]),
            }
        }
    }
    row
}

/// `<id>_peak,<id>_time_of_peak_h[,<id>_hours_above_<v>]` per endpoint.
pub fn summary_header(results: &[ScheduleResult]) -> Vec<String> {
    let mut h = Vec::new();
    for e in endpoints(results) {
        let id = e.column_id();
        h.extend([format!("{id}_peak"), format!("{id}_time_of_peak_h")]);
        let past = e
            .threshold
            .map(|t| format!("{id}_hours_{}", t.describe().replace(' ', "_")));
        h.extend(past.clone());
        if with_population(results) {
            for what in [Some(format!("{id}_peak")), past].into_iter().flatten() {
                h.extend(PERCENTILES.map(|p| format!("{what}_{p}")));
            }
        }
    }
    h
}

/// One schedule's summary cells, in [`summary_header`]'s order.
pub fn summary_cells(r: &ScheduleResult) -> Vec<String> {
    let mut row = Vec::new();
    for c in &r.effects {
        row.extend([fmt_csv(c.summary.peak), fmt_csv(c.summary.time_of_peak_h)]);
        if let Some(h) = c.summary.hours_past_threshold {
            row.push(fmt_csv(h));
        }
        if let Some(p) = &c.population {
            for q in std::iter::once(&p.peak).chain(&p.hours_past_threshold) {
                row.extend([q.p05, q.p50, q.p95].map(fmt_csv));
            }
        }
    }
    row
}

fn fixed(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}

/// The terminal table: one row per schedule × endpoint; then, per built-in endpoint,
/// its source and what it assumes. Empty without endpoints.
pub fn table(results: &[ScheduleResult]) -> String {
    let list = endpoints(results);
    if list.is_empty() {
        return String::new();
    }
    let mut t = Table::new(&[
        ("schedule", Align::Left),
        ("effect", Align::Left),
        ("peak", Align::Right),
        ("at h", Align::Right),
        ("h past threshold", Align::Right),
        ("population peak 5th–50th–95th", Align::Right),
    ]);
    for r in results {
        for c in &r.effects {
            t.row(row(&r.name, c));
        }
    }
    let mut out = format!("\nEffects\n{}", t.render());
    for e in list {
        out += &provenance_lines(e);
    }
    out
}

fn row(schedule: &str, c: &EffectCourse) -> Vec<String> {
    let e = &c.endpoint;
    let s = &c.summary;
    vec![
        schedule.to_string(),
        format!("{} ({})", e.name, e.unit),
        fmt_num(s.peak),
        fixed(s.time_of_peak_h, 2),
        match (e.threshold, s.hours_past_threshold) {
            (Some(t), Some(h)) => format!("{} ({})", fixed(h, 2), t.describe()),
            _ => "-".into(),
        },
        c.population.as_ref().map_or("-".into(), |p| {
            format!(
                "{}–{}–{}",
                fmt_num(p.peak.p05),
                fmt_num(p.peak.p50),
                fmt_num(p.peak.p95)
            )
        }),
    ]
}

/// "  sedation: herd-2008, Herd 2008 …; confidence …", then one "ASSUMED:" line per
/// number the source does not give.
pub fn provenance_lines(e: &Endpoint) -> String {
    let Some(id) = &e.provenance.id else {
        return String::new();
    };
    let mut out = format!(
        "  {}: {id} — {} (confidence {})\n",
        e.name, e.provenance.citation, e.provenance.confidence
    );
    for a in &e.provenance.assumptions {
        out += &format!("    ASSUMED: {a}\n");
    }
    out
}
