//! `ketasim run FILE|DIR ...`: simulate scenarios, print a summary per scenario, write the
//! time-course CSV, summary CSV and plot of each.
//!
//! Every scenario is validated before anything is simulated or written: one invalid file
//! means nothing is written at all. Scenarios run in parallel; files are written atomically.

use super::files::{load_scenarios, scenario_files, write_atomic};
use crate::report;
use crate::scenario::{Outputs, Scenario};
use crate::solver::SolverKind;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ketasim run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Scenario files, or directories (every *.toml in them).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Write <stem>.csv, <stem>-summary.csv and <stem>.png here instead of the paths in the files.
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Solver for every scenario, overriding the files.
    #[arg(long, value_enum)]
    solver: Option<SolverArg>,
    /// Also write an SVG beside each PNG.
    #[arg(long)]
    svg: bool,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    threads: Option<usize>,
}

/// `--solver` values.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum SolverArg {
    /// Matrix exponential (default).
    Exact,
    /// Dormand–Prince 5(4), rtol 1e-10.
    Ode,
}

impl From<SolverArg> for SolverKind {
    fn from(s: SolverArg) -> SolverKind {
        match s {
            SolverArg::Exact => SolverKind::Exact,
            SolverArg::Ode => SolverKind::Ode,
        }
    }
}

/// One scenario's outputs, rendered in memory before anything touches the disk.
struct Rendered {
    summary_text: String,
    files: Vec<(PathBuf, Vec<u8>)>,
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("starting worker threads")?;
    }
    let files = scenario_files(&args.paths)?;
    let (scenarios, invalid) = load_scenarios(&files)?;
    if invalid > 0 {
        eprintln!(
            "{invalid} of {} scenario files are invalid; nothing was written",
            files.len()
        );
        return Ok(ExitCode::from(super::EXIT_INVALID));
    }
    let progress = progress_bar(scenarios.len());
    let rendered: Vec<Result<Rendered>> = scenarios
        .par_iter()
        .map(|s| {
            let r = render(s, args);
            progress.inc(1);
            r
        })
        .collect();
    progress.finish_and_clear();
    for r in rendered {
        let r = r?;
        for (path, bytes) in &r.files {
            write_atomic(path, bytes)?;
        }
        let names: Vec<String> = r
            .files
            .iter()
            .map(|(p, _)| p.display().to_string())
            .collect();
        writeln!(out, "{}\n  wrote {}\n", r.summary_text, names.join(", "))?;
    }
    writeln!(out, "{}", crate::DISCLAIMER)?;
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(n: usize) -> ProgressBar {
    if n < 2 {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(n as u64);
    if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios") {
        bar.set_style(style);
    }
    bar
}

fn render(s: &Scenario, args: &Args) -> Result<Rendered> {
    let solver = args.solver.map_or(s.solver, SolverKind::from);
    let results = s
        .simulate(solver)
        .with_context(|| format!("simulating {}", s.path.display()))?;
    let outputs = match &args.out_dir {
        Some(dir) => Outputs::in_dir(dir, &s.stem()),
        None => s.outputs.clone(),
    };
    let mut csv = Vec::new();
    report::csv::time_course(&results, &mut csv)?;
    let mut summary = Vec::new();
    report::csv::summary(&results, &mut summary)?;
    let mut files = vec![(outputs.csv, csv), (outputs.summary, summary)];
    files.extend(
        report::figure::files(s, &results, &outputs.plot, args.svg)
            .with_context(|| format!("plotting {}", s.path.display()))?,
    );
    Ok(Rendered {
        summary_text: report::summary::render(s, &results, solver),
        files,
    })
}
