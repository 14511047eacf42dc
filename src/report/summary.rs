//! The summary a person reads in the terminal after `ketasim run`.

use super::table::{Align, Table};
use crate::scenario::Scenario;
use crate::solver::SolverKind;
use crate::study::ScheduleResult;

/// A heading naming scenario, model, patient and window, then one aligned row per
/// schedule; with a population, its table below.
pub fn render(scenario: &Scenario, results: &[ScheduleResult], solver: SolverKind) -> String {
    let weight = scenario.weight_text();
    let heading = format!(
        "{}\n  {} {}, {weight}, {} simulated, solver {}\n",
        scenario.name,
        if scenario.compares_models() {
            "models"
        } else {
            "model"
        },
        scenario.model_text(),
        crate::units::fmt_hours(scenario.duration_h),
        solver.id()
    );
    let mut columns: Vec<(String, Align)> = vec![
        ("schedule".into(), Align::Left),
        ("Cmax ng/mL".into(), Align::Right),
        ("Tmax h".into(), Align::Right),
        ("AUC ng·h/mL".into(), Align::Right),
        ("end ng/mL".into(), Align::Right),
    ];
    let first = results.first().map(|r| &r.summary);
    // "h below" is the window minus the other two; the CSV has all three.
    for b in first.iter().flat_map(|s| &s.band_hours) {
        columns.push((format!("h in {}", b.band.id), Align::Right));
        columns.push((format!("h above {}", b.band.id), Align::Right));
    }
    // Schedules may run on different models: the column when any has a metabolite.
    let metabolite = (results.iter()).any(|r| r.summary.cmax_metabolite_ng_ml.is_some());
    if metabolite {
        columns.push(("NK Cmax ng/mL".into(), Align::Right));
    }
    let refs: Vec<(&str, Align)> = columns.iter().map(|(h, a)| (h.as_str(), *a)).collect();
    let mut t = Table::new(&refs);
    for r in results {
        let s = &r.summary;
        let mut row = vec![
            r.name.clone(),
            fixed(s.cmax_ng_ml, 1),
            fixed(s.tmax_h, 2),
            fixed(s.auc_ng_h_ml, 0),
            fixed(s.c_end_ng_ml, 1),
        ];
        for b in &s.band_hours {
            row.extend([fixed(b.in_h, 2), fixed(b.above_h, 2)]);
        }
        if metabolite {
            row.push(s.cmax_metabolite_ng_ml.map_or("—".into(), |m| fixed(m, 1)));
        }
        t.row(row);
    }
    let warnings: String = scenario
        .warnings
        .iter()
        .map(|w| format!("  warning: {w}\n"))
        .collect();
    format!(
        "{heading}{warnings}\n{}{}{}{}",
        t.render(),
        super::tci::table(results),
        super::population::table(scenario, results),
        super::effect::table(results)
    )
}

fn fixed(v: f64, decimals: usize) -> String {
    format!("{v:.decimals$}")
}
