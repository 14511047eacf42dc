//! One published observation against its prediction, formatted: the rows that
//! `ketasim validate`'s concentration table ([`super::literature`]) and effect table
//! ([`super::literature_effects`]) share, as terminal text and as Markdown.

use super::table::{Align, Table};
use std::fmt::Write as _;

/// A row, its cells already in their units.
pub struct Row {
    /// Target id.
    pub id: &'static str,
    /// What was observed.
    pub observation: &'static str,
    /// Observed value with its unit.
    pub observed: String,
    /// Predicted value with its unit.
    pub predicted: String,
    /// Predicted ÷ observed.
    pub ratio: f64,
    /// The tolerance.
    pub tolerance: String,
    /// Why that tolerance.
    pub tolerance_why: &'static str,
    /// Citation.
    pub source: &'static str,
    /// Within tolerance.
    pub pass: bool,
    /// The stated reason the model cannot reproduce it, printed beside the sources.
    pub known_miss: Option<&'static str>,
}

impl Row {
    fn verdict(&self) -> &'static str {
        match (self.pass, self.known_miss.is_some()) {
            (true, _) => "pass",
            (false, true) => "miss (stated)",
            (false, false) => "FAIL",
        }
    }
}

/// The terminal table, and the sources and stated reasons by id.
pub fn text(rows: &[Row]) -> (String, String) {
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
    for r in rows {
        t.row(vec![
            r.id.into(),
            r.observation.into(),
            r.observed.clone(),
            r.predicted.clone(),
            format!("{:.2}", r.ratio),
            r.tolerance.clone(),
            r.verdict().into(),
        ]);
        let _ = writeln!(
            notes,
            "{}: {}; tolerance: {}",
            r.id, r.source, r.tolerance_why
        );
        if let Some(reason) = r.known_miss {
            let _ = writeln!(
                notes,
                "{}   why it misses: {reason}",
                " ".repeat(r.id.len())
            );
        }
    }
    (t.render(), notes)
}

/// The Markdown table: header and one line per row.
pub fn markdown(rows: &[Row]) -> String {
    let mut out = String::from(
        "| id | observation | observed | predicted | ratio | tolerance | result | source |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let result = match r.known_miss {
            Some(reason) if !r.pass => format!("miss: {reason}"),
            _ => r.verdict().to_string(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.2} | {} ({}) | {} | {} |",
            r.id,
            r.observation,
            r.observed,
            r.predicted,
            r.ratio,
            r.tolerance,
            r.tolerance_why,
            result,
            r.source
        );
    }
    out
}
