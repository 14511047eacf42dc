//! `ketasim explain FILE|DIR ... [--markdown]`: the teaching view of each scenario.
//!
//! Text goes to stdout. With `--markdown`, each scenario's handout is written instead as
//! `<stem>.md` beside its PNG (`outputs/<stem>.png`, the `[plot] file`, or `--out-dir`),
//! together with that PNG, so the handout's picture is there. Every scenario is validated
//! and explained in memory before anything is written; files are written atomically.

use super::files::{load_scenarios, scenario_files};
use super::output_set::OutputSet;
use crate::report;
use crate::scenario::{Outputs, Scenario};
use crate::teaching::{explain, explain_results};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ketasim explain`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Scenario files, or directories (every *.toml in them).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Write a Markdown handout <stem>.md (and the plot <stem>.png) beside the scenario's PNG path.
    #[arg(long)]
    markdown: bool,
    /// With --markdown: write into this directory instead of the paths in the files.
    #[arg(long, value_name = "DIR", requires = "markdown")]
    out_dir: Option<PathBuf>,
}

pub(super) fn run(args: &Args) -> Result<ExitCode> {
    let (scenarios, invalid) = load_scenarios(&scenario_files(&args.paths)?)?;
    if invalid > 0 {
        eprintln!(
            "{invalid} of {} invalid; nothing was explained",
            crate::units::count(scenarios.len() + invalid, "scenario file")
        );
        return Ok(ExitCode::from(super::EXIT_INVALID));
    }
    let mut out = std::io::stdout().lock();
    if !args.markdown {
        for s in &scenarios {
            let e = explain(s).with_context(|| format!("explaining {}", s.path.display()))?;
            writeln!(out, "{}", report::explain::text(&e))?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    let mut set = OutputSet::new();
    for s in &scenarios {
        for (path, bytes) in handout(s, args)? {
            set.stage(&path, &bytes)?;
        }
    }
    let paths = set.paths();
    set.commit()?;
    for path in paths {
        writeln!(out, "wrote {}", path.display())?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The Markdown handout and its plot, as bytes to write.
fn handout(s: &Scenario, args: &Args) -> Result<Vec<(PathBuf, Vec<u8>)>> {
    let png = match &args.out_dir {
        Some(dir) => Outputs::in_dir(dir, &s.stem()).plot,
        None => s.outputs.plot.clone(),
    };
    let results = crate::teaching::population::simulate(s, s.solver)
        .with_context(|| format!("simulating {}", s.path.display()))?;
    let e =
        explain_results(s, &results).with_context(|| format!("explaining {}", s.path.display()))?;
    let name = png
        .file_name()
        .map_or_else(|| "plot.png".into(), |n| n.to_string_lossy().into_owned());
    let md = report::explain::markdown(&e, &name);
    let mut files = vec![(png.with_extension("md"), md.into_bytes())];
    files.extend(
        report::figure::files(s, &results, &png, false)
            .with_context(|| format!("plotting {}", s.path.display()))?,
    );
    Ok(files)
}
