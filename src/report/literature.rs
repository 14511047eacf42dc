//! `ketasim validate`'s table, as terminal text and as Markdown.

use super::observation_rows::{self, Row};
use crate::literature::{Calibration, Outcome, Target};
use std::fmt::Write as _;

fn rows(results: &[(Target, Outcome)]) -> Vec<Row> {
    (results.iter())
        .map(|(t, o)| Row {
            id: t.id,
            observation: t.observation,
            observed: t.observed_text(),
            predicted: t.predicted_text(o.predicted),
            ratio: o.ratio,
            tolerance: t.tolerance_text(),
            tolerance_why: t.tolerance_why,
            source: t.source,
            pass: o.pass,
            known_miss: t.known_miss,
        })
        .collect()
}

/// The terminal table, then sources and stated reasons by id.
pub fn text(results: &[(Target, Outcome)]) -> String {
    let (table, notes) = observation_rows::text(&rows(results));
    let passed = results.iter().filter(|(_, o)| o.pass).count();
    format!(
        "Validation against published observations ({passed} of {} within tolerance):\n\n{}\n{}\nSources:\n{notes}\n{}\n",
        results.len(),
        table,
        calibration_summary(results),
        crate::DISCLAIMER
    )
}

/// The fitted and the held-out intranasal studies counted apart: only the held-out
/// ones test the default on data it was not chosen for.
pub fn calibration_summary(results: &[(Target, Outcome)]) -> String {
    let count = |c: Calibration| {
        let group: Vec<_> = results
            .iter()
            .filter(|(t, _)| t.calibration == Some(c))
            .collect();
        let passed = group.iter().filter(|(_, o)| o.pass).count();
        (passed, group.len())
    };
    let (fit_pass, fit_n) = count(Calibration::Fit);
    let (held_pass, held_n) = count(Calibration::HeldOut);
    format!(
        "Intranasal default: the studies it was fitted to (\"(fit)\"): {fit_pass} of {fit_n} within tolerance; \
         held out of the fit (\"(held out)\"): {held_pass} of {held_n} within tolerance.\n"
    )
}

/// A Markdown report: the table with sources and reasons, and the figure.
pub fn markdown(results: &[(Target, Outcome)], figure: Option<&str>) -> String {
    let mut out = String::from(
        "# Validation\n\nketasim's predictions against published observations. Regenerate this file and the \
         figure with\n\n```sh\ncargo run --release -- validate --markdown VALIDATION.md --png docs/validation.png\n```\n\n\
         Each row is also a test in `tests/literature.rs`. A row that misses carries the reason the model cannot \
         reproduce it, and its test checks that it still misses. Every source, with its confidence tag, is \
         listed in [docs/sources.md](docs/sources.md#validation-targets).\n\n",
    );
    if let Some(f) = figure {
        let _ = writeln!(
            out,
            "![Predicted curves with the published observations]({f})\n"
        );
    }
    out += &observation_rows::markdown(&rows(results));
    out + &format!(
        "\n{}\nEvery value carries its unit; ratio = predicted ÷ observed. {}.\n",
        calibration_summary(results),
        crate::DISCLAIMER
    )
}
