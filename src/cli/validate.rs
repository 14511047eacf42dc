//! `ketasim validate`: predictions against published observations.

use super::output_set::OutputSet;
use crate::report;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ketasim validate`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Where to write the figure (predicted curves with the published points).
    #[arg(long, value_name = "FILE", default_value = "outputs/validation.png")]
    png: PathBuf,
    /// Also write a Markdown report (e.g. VALIDATION.md) that shows the figure.
    #[arg(long, value_name = "FILE")]
    markdown: Option<PathBuf>,
}

pub(super) fn run(args: &Args) -> Result<ExitCode> {
    let results = crate::literature::run_all()?;
    let effects = crate::literature::effects::run_all()?;
    let png = report::literature_plot::png(&results).context("drawing the validation figure")?;
    let text = report::literature::text(&results) + &report::literature_effects::text(&effects);
    let mut set = OutputSet::new();
    if let Some(bytes) = &png {
        set.stage(&args.png, bytes)?;
    }
    if let Some(md) = &args.markdown {
        let figure = png.as_ref().map(|_| relative(&args.png, md));
        set.stage(
            md,
            (report::literature::markdown(&results, figure.as_deref())
                + &report::literature_effects::markdown(&effects))
                .as_bytes(),
        )?;
    }
    set.commit()?;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    writeln!(
        out,
        "wrote {}{}",
        args.png.display(),
        args.markdown
            .as_ref()
            .map_or(String::new(), |m| format!(", {}", m.display()))
    )?;
    let unexplained = results
        .iter()
        .any(|(t, o)| !o.pass && t.known_miss.is_none())
        || effects
            .iter()
            .any(|(t, o)| !o.pass && t.known_miss.is_none());
    Ok(if unexplained {
        ExitCode::from(super::EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    })
}

/// `png` as a link from the directory of `markdown`.
fn relative(png: &std::path::Path, markdown: &std::path::Path) -> String {
    let base = markdown.parent().unwrap_or(std::path::Path::new(""));
    png.strip_prefix(base).unwrap_or(png).display().to_string()
}
