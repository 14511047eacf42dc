//! The population parts of the reports: percentile columns for the CSV files and the
//! population table under the terminal summary. Pure: strings in, strings out.
//!
//! Layout: every existing column stays the typical patient's (`plasma_ng_ml`, `cmax_ng_ml`,
//! …: the model's typical values at the schedule's weight, η = 0); the population's
//! columns come after them, with the percentile in the name (`p05_ng_ml`,
//! `cmax_p50_ng_ml`, `hours_in_analgesia_p95`) and `fraction_reaching_<band>`, the share
//! of subjects whose curve enters the band.

use super::table::{Align, Table};
use crate::population::percentile::Percentiles;
use crate::population::PopulationCourse;
use crate::scenario::Scenario;
use crate::study::ScheduleResult;
use crate::units::fmt_csv;

/// Time-course columns, after the typical patient's.
pub const CURVE_HEADER: [&str; 3] = ["p05_ng_ml", "p50_ng_ml", "p95_ng_ml"];

/// The percentile cells of row `i` of the time course ([`fmt_csv`]).
pub fn curve_cells(p: &PopulationCourse, i: usize) -> [String; 3] {
    [p.p05_ng_ml[i], p.p50_ng_ml[i], p.p95_ng_ml[i]].map(fmt_csv)
}

/// Time-course columns of the effect site's percentiles across subjects, written when a
/// schedule's population has them (TCI with effect-site targets,
/// [`crate::population::effect_site`]).
pub const EFFECT_SITE_HEADER: [&str; 3] =
    ["effect_p05_ng_ml", "effect_p50_ng_ml", "effect_p95_ng_ml"];

/// True when some schedule's population has effect-site percentiles.
pub fn has_effect_site(results: &[ScheduleResult]) -> bool {
    (results.iter()).any(|r| {
        r.population
            .as_ref()
            .is_some_and(|p| p.effect_site.is_some())
    })
}

/// The effect-site percentile cells of row `i` of `r`'s time course: empty for a schedule
/// whose population has none.
pub fn effect_site_cells(r: &ScheduleResult, i: usize) -> [String; 3] {
    match r.population.as_ref().and_then(|p| p.effect_site.as_ref()) {
        Some(e) => [e.p05_ng_ml[i], e.p50_ng_ml[i], e.p95_ng_ml[i]].map(fmt_csv),
        None => Default::default(),
    }
}

fn percentile_names(stem: &str, unit: &str) -> [String; 3] {
    ["p05", "p50", "p95"].map(|p| format!("{stem}_{p}{unit}"))
}

/// Summary columns, after the typical patient's.
pub fn summary_header(p: &PopulationCourse) -> Vec<String> {
    let mut h = vec!["subjects".to_string()];
    h.extend(percentile_names("cmax", "_ng_ml"));
    h.extend(percentile_names("tmax", "_h"));
    h.extend(percentile_names("auc", "_ng_h_ml"));
    h.extend(percentile_names("c_end", "_ng_ml"));
    for b in &p.bands {
        h.extend(percentile_names(&format!("hours_in_{}", b.band.id), ""));
        h.push(format!("fraction_reaching_{}", b.band.id));
    }
    h
}

fn cells(p: &Percentiles) -> [String; 3] {
    [p.p05, p.p50, p.p95].map(fmt_csv)
}

/// Summary cells, in the order of [`summary_header`].
pub fn summary_cells(p: &PopulationCourse) -> Vec<String> {
    let mut c = vec![p.subjects.to_string()];
    for q in [&p.cmax_ng_ml, &p.tmax_h, &p.auc_ng_h_ml, &p.c_end_ng_ml] {
        c.extend(cells(q));
    }
    for b in &p.bands {
        c.extend(cells(&b.hours));
        c.push(fmt_csv(b.fraction_reaching));
    }
    c
}

/// "253 (180–340)": median and 5th–95th percentile at `decimals`.
fn interval(p: &Percentiles, decimals: usize) -> String {
    format!("{:.d$} ({:.d$}–{:.d$})", p.p50, p.p05, p.p95, d = decimals)
}

/// "1,000 subjects", or for a shard "subjects 250,000–499,999 (250,000) of 1,000,000".
fn subjects(pop: &crate::population::Population) -> String {
    use crate::units::grouped;
    if pop.is_shard() {
        format!(
            "subjects {}–{} ({}) of {}",
            grouped(pop.first),
            grouped(pop.first + pop.size - 1),
            grouped(pop.size),
            grouped(pop.total)
        )
    } else {
        crate::units::count(pop.size, "subject")
    }
}

/// The population table printed under the typical patient's, or "" without a population.
pub fn table(scenario: &Scenario, results: &[ScheduleResult]) -> String {
    let (Some(pop), Some(first)) = (
        &scenario.population,
        results.iter().find_map(|r| r.population.as_ref()),
    ) else {
        return String::new();
    };
    let weight = pop
        .weight
        .map_or_else(|| scenario.weight_text(), |w| w.describe());
    let heading = format!(
        "Population: {}, seed {}, weight {weight}\n  between-subject variability (log-normal CV): {}; source: {}\n  median (5th–95th percentile); \"reaching\": share of subjects whose curve enters the band\n",
        subjects(pop),
        pop.seed,
        pop.variability.describe(),
        pop.variability.source
    );
    let mut columns: Vec<(String, Align)> = vec![
        ("schedule".into(), Align::Left),
        ("Cmax ng/mL".into(), Align::Right),
        ("Tmax h".into(), Align::Right),
        ("AUC ng·h/mL".into(), Align::Right),
        ("end ng/mL".into(), Align::Right),
    ];
    columns.extend(
        first
            .bands
            .iter()
            .map(|b| (format!("reaching {}", b.band.id), Align::Right)),
    );
    let refs: Vec<(&str, Align)> = columns.iter().map(|(h, a)| (h.as_str(), *a)).collect();
    let mut t = Table::new(&refs);
    for r in results {
        let Some(p) = &r.population else { continue };
        let mut row = vec![
            r.name.clone(),
            interval(&p.cmax_ng_ml, 0),
            interval(&p.tmax_h, 2),
            interval(&p.auc_ng_h_ml, 0),
            interval(&p.c_end_ng_ml, 1),
        ];
        row.extend(
            p.bands
                .iter()
                .map(|b| format!("{:.0}%", 100.0 * b.fraction_reaching)),
        );
        t.row(row);
    }
    format!("\n{heading}\n{}{}", t.render(), tci_table(results))
}

/// Varvel 1992 measures of the TCI pump across subjects; empty without targets.
fn tci_table(results: &[ScheduleResult]) -> String {
    let mut t = Table::new(&[
        ("schedule", Align::Left),
        ("MDPE %", Align::Right),
        ("MDAPE %", Align::Right),
        ("divergence %/h", Align::Right),
        ("wobble %", Align::Right),
    ]);
    let mut any = false;
    for r in results {
        let Some(v) = r.population.as_ref().and_then(|p| p.tci.as_ref()) else {
            continue;
        };
        any = true;
        t.row(vec![
            r.name.clone(),
            interval(&v.mdpe, 1),
            interval(&v.mdape, 1),
            interval(&v.divergence, 1),
            interval(&v.wobble, 1),
        ]);
    }
    if !any {
        return String::new();
    }
    format!(
        "\nTCI performance across subjects (Varvel 1992; the typical patient's pump in each, scored against the target in force; effect-site targets from when the typical patient reaches them)\n{}",
        t.render()
    )
}
