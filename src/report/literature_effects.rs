//! `ketasim validate`'s second table: published pharmacodynamic observations against
//! the built-in endpoints' predictions, as terminal text and as Markdown.

use super::table::{Align, Table};
use crate::literature::effects::{PdOutcome, PdTarget};
use crate::units::fmt_hours;
use std::fmt::Write as _;

fn verdict(t: &PdTarget, o: &PdOutcome) -> &'static str {
    match (o.pass, t.known_miss.is_some()) {
        (true, _) => "pass",
        (false, true) => "miss (stated)",
        (false, false) => "FAIL",
    }
}

fn tolerance(t: &PdTarget) -> String {
    format!("×/÷ {}", crate::units::fmt_num(t.factor))
}

/// The terminal table with sources and stated misses.
pub fn text(results: &[(PdTarget, PdOutcome)]) -> String {
    let mut t = Table::new(&[
        ("id", Align::Left),
        ("observation", Align::Left),
        ("observed", Align::Right),
        ("predicted", Align::Right),
        ("pred/obs", Align::Right),
        ("tolerance", Align::Left),
        ("result", Align::Left),
    ]);
    let mut notes = String::new();
    for (target, o) in results {
        t.row(vec![
            target.id.into(),
            target.observation.into(),
            fmt_hours(target.observed_h),
            fmt_hours(o.predicted_h),
            format!("{:.2}", o.ratio),
            tolerance(target),
            verdict(target, o).into(),
        ]);
        let _ = writeln!(
            notes,
            "{}: {}; tolerance: {}",
            target.id, target.source, target.tolerance_why
        );
        if let Some(reason) = target.known_miss.filter(|_| !o.pass) {
            let _ = writeln!(
                notes,
                "{}   why it misses: {reason}",
                " ".repeat(target.id.len())
            );
        }
    }
    let passed = results.iter().filter(|(_, o)| o.pass).count();
    format!(
        "\nPharmacodynamic observations ({passed} of {} within tolerance):\n\n{}\nSources:\n{notes}",
        results.len(),
        t.render()
    )
}

/// The Markdown section.
pub fn markdown(results: &[(PdTarget, PdOutcome)]) -> String {
    let mut out = String::from(
        "\n## Pharmacodynamic observations\n\nThe built-in `[[effect]]` endpoints on the PK models they run with (`tests/effect.rs` checks the verdicts).\n\n| id | observation | observed | predicted | ratio | tolerance | result | source |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (t, o) in results {
        let result = match t.known_miss {
            Some(reason) if !o.pass => format!("miss: {reason}"),
            _ => verdict(t, o).to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.2} | {} ({}) | {} | {} |",
            t.id,
            t.observation,
            fmt_hours(t.observed_h),
            fmt_hours(o.predicted_h),
            o.ratio,
            tolerance(t),
            t.tolerance_why,
            result,
            t.source
        );
    }
    out
}
