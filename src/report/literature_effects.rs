//! `ketasim validate`'s second table: published pharmacodynamic observations against
//! the built-in endpoints' predictions, as terminal text and as Markdown.

use super::observation_rows::{self, Row};
use crate::literature::effects::{PdOutcome, PdTarget};
use crate::units::fmt_hours;

fn tolerance(t: &PdTarget) -> String {
    format!("×/÷ {}", crate::units::fmt_num(t.factor))
}

fn rows(results: &[(PdTarget, PdOutcome)]) -> Vec<Row> {
    (results.iter())
        .map(|(t, o)| Row {
            id: t.id,
            observation: t.observation,
            observed: fmt_hours(t.observed_h),
            predicted: fmt_hours(o.predicted_h),
            ratio: o.ratio,
            tolerance: tolerance(t),
            tolerance_why: t.tolerance_why,
            source: t.source,
            pass: o.pass,
            // A stated reason is printed only while the row misses.
            known_miss: t.known_miss.filter(|_| !o.pass),
        })
        .collect()
}

/// The terminal table with sources and stated misses.
pub fn text(results: &[(PdTarget, PdOutcome)]) -> String {
    let (table, notes) = observation_rows::text(&rows(results));
    let passed = results.iter().filter(|(_, o)| o.pass).count();
    format!(
        "\nPharmacodynamic observations ({passed} of {} within tolerance):\n\n{}\nSources:\n{notes}",
        results.len(),
        table
    )
}

/// The Markdown section.
pub fn markdown(results: &[(PdTarget, PdOutcome)]) -> String {
    String::from(
        "\n## Pharmacodynamic observations\n\nThe built-in `[[effect]]` endpoints on the PK models they run with (`tests/effect.rs` checks the verdicts).\n\n",
    ) + &observation_rows::markdown(&rows(results))
}
