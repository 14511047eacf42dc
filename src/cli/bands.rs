//! `ketasim bands`: the concentration bands a scenario may shade.

use crate::bands::BANDS;
use crate::report::table::{Align, Table};
use crate::units::fmt_num;
use anyhow::Result;
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `ketasim bands`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {}

pub(super) fn run(_args: &Args) -> Result<ExitCode> {
    let mut t = Table::new(&[
        ("band", Align::Left),
        ("ng/mL", Align::Right),
        ("measured in", Align::Left),
        ("meaning", Align::Left),
    ]);
    let mut sources = String::new();
    for b in BANDS {
        t.row(vec![
            b.id.into(),
            format!("{}–{}", fmt_num(b.low_ng_ml), fmt_num(b.high_ng_ml)),
            b.substance.name().into(),
            b.meaning.into(),
        ]);
        let _ = writeln!(sources, "{}: {}", b.id, b.source);
    }
    let text = format!(
        "Concentration bands (plasma; they overlap). Use them in [plot] bands = [...]; a plot of another substance labels them \"measured for ...\".\n\n{}\nSources:\n{sources}\n\
         No band marks the antidepressant effect: no plasma threshold is known, and the benefit lasts days after the drug is gone.\n{}\n",
        t.render(),
        crate::DISCLAIMER
    );
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}
