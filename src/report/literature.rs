//! `ketasim validate`'s table, as terminal text and as Markdown.

use super::table::{Align, Table};
use crate::literature::{Calibration, Outcome, Target};
use std::fmt::Write as _;

fn verdict(t: &Target, o: &Outcome) -> &'static str {
    match (o.pass, t.known_miss.is_some()) {
        (true, _) => "pass",
        (false, true) => "miss (stated)",
        (false, false) => "FAIL",
    }
}

/// The terminal table, then sources and stated reasons by id.
pub fn text(results: &[(Target, Outcome)]) -> String {
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
            target.observed_text(),
            target.predicted_text(o.predicted),
            format!("{:.2}", o.ratio),
            target.tolerance_text(),
            verdict(target, o).into(),
        ]);
        let _ = writeln!(
            notes,
            "{}: {}; tolerance: {}",
            target.id, target.source, target.tolerance_why
        );
        if let Some(reason) = target.known_miss {
            let _ = writeln!(
                notes,
                "{}   why it misses: {reason}",
                " ".repeat(target.id.len())
            );
        }
    }
    let passed = results.iter().filter(|(_, o)| o.pass).count();
    format!(
        "Validation against published observations ({passed} of {} within tolerance):\n\n{}\n{}\nSources:\n{notes}\n{}\n",
        results.len(),
        t.render(),
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
    out += "| id | observation | observed | predicted | ratio | tolerance | result | source |\n|---|---|---|---|---|---|---|---|\n";
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
            t.observed_text(),
            t.predicted_text(o.predicted),
            o.ratio,
            t.tolerance_text(),
            t.tolerance_why,
            result,
            t.source
        );
    }
    out + &format!(
        "\n{}\nEvery value carries its unit; ratio = predicted ÷ observed. {}.\n",
        calibration_summary(results),
        crate::DISCLAIMER
    )
}
