//! `ketasim run FILE|DIR ...`: simulate scenarios, print a summary per scenario, write the
//! time-course CSV, summary CSV and plot of each.
//!
//! Every scenario is validated before anything is simulated or written: one invalid file
//! means nothing is written at all. Scenarios run in parallel; each one's files are
//! rendered and staged in temporary files as it finishes, so memory holds one scenario per
//! thread however many a directory has. Only when every scenario has succeeded are all
//! the files put in place, as one set ([`OutputSet`]): a failure anywhere writes nothing.

use super::files::{load_scenarios, scenario_files};
use super::output_set::OutputSet;
use crate::report;
use crate::scenario::{Outputs, Scenario};
use crate::solver::SolverKind;
use anyhow::{Context, Result};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// Arguments of `ketasim run`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
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
    /// Simulate only shard K of N of each population (subjects ⌊(K−1)S/N⌋ up to
    /// ⌊KS/N⌋ of S, each with its own seed as in the whole run); see the README on
    /// merging shards.
    #[arg(long, value_name = "K/N", value_parser = parse_shard)]
    shard: Option<(usize, usize)>,
}

/// `"K/N"` with `1 ≤ K ≤ N`.
fn parse_shard(text: &str) -> std::result::Result<(usize, usize), String> {
    let expected = || format!("{text:?}: expected K/N with 1 ≤ K ≤ N, e.g. 2/8");
    let (k, n) = text.split_once('/').ok_or_else(expected)?;
    let (k, n): (usize, usize) = (
        k.trim().parse().map_err(|_| expected())?,
        n.trim().parse().map_err(|_| expected())?,
    );
    if k == 0 || k > n {
        return Err(expected());
    }
    Ok((k, n))
}

/// `s` with only shard `k` of `n` of its population; the message when it has fewer
/// subjects than shards.
fn sharded(mut s: Scenario, (k, n): (usize, usize)) -> std::result::Result<Scenario, String> {
    if let Some(p) = &s.population {
        let shard = p.shard(k, n).ok_or_else(|| {
            format!(
                "{}: --shard {k}/{n} of a population of {}: expected at most {} shards",
                s.path.display(),
                p.size,
                p.size
            )
        })?;
        s.population = Some(shard);
    }
    Ok(s)
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

/// One scenario's outputs: its summary for the terminal and its files, staged.
struct Rendered {
    summary_text: String,
    files: OutputSet,
}

pub(super) fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode> {
    if let Some(n) = args.threads {
        rayon::ThreadPoolBuilder::new()
            .num_threads(n.max(1))
            .build_global()
            .context("starting worker threads")?;
    }
    let files = scenario_files(&args.paths)?;
    let (mut scenarios, invalid) = load_scenarios(&files)?;
    if invalid > 0 {
        eprintln!(
            "{invalid} of {} invalid; nothing was written",
            crate::units::count(files.len(), "scenario file")
        );
        return Ok(ExitCode::from(super::EXIT_INVALID));
    }
    if let Some(shard) = args.shard {
        match (scenarios.into_iter()).map(|s| sharded(s, shard)).collect() {
            Ok(all) => scenarios = all,
            Err(message) => {
                eprintln!("error: {message}; nothing was written");
                return Ok(ExitCode::from(super::EXIT_INVALID));
            }
        }
    }
    if let Some(clash) = output_clash(&scenarios, args) {
        eprintln!("error: {clash}; nothing was written");
        return Ok(ExitCode::from(super::EXIT_INVALID));
    }
    let progress = Progress::new(scenarios.len());
    let rendered: Vec<Result<Rendered>> = scenarios
        .par_iter()
        .map(|s| {
            let r = render(s, args);
            progress.done_one();
            r
        })
        .collect();
    progress.bar.finish_and_clear();
    // Stop at the first failure in file order; dropping the staged sets removes them.
    let rendered = rendered.into_iter().collect::<Result<Vec<_>>>()?;
    let mut set = OutputSet::new();
    let mut report = String::new();
    for r in rendered {
        let names: Vec<String> = r
            .files
            .paths()
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        report += &format!("{}\n  wrote {}\n\n", r.summary_text, names.join(", "));
        set.absorb(r.files);
    }
    set.commit()?;
    write!(out, "{report}")?;
    writeln!(out, "{}", crate::DISCLAIMER)?;
    Ok(ExitCode::SUCCESS)
}

/// Work shorter than this shows no progress bar: a bar that flashes for milliseconds is noise.
const SHOW_PROGRESS_AFTER: Duration = Duration::from_millis(500);

/// A progress bar over scenarios that stays hidden until the run has taken
/// [`SHOW_PROGRESS_AFTER`] (a population, a big directory), then draws on stderr.
struct Progress {
    bar: ProgressBar,
    shown: AtomicBool,
}

impl Progress {
    fn new(n: usize) -> Progress {
        let bar = ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::hidden());
        if let Ok(style) = ProgressStyle::with_template("{bar:30} {pos}/{len} scenarios") {
            bar.set_style(style);
        }
        let shown = AtomicBool::new(n < 2); // one scenario: nothing to count
        Progress { bar, shown }
    }

    fn done_one(&self) {
        self.bar.inc(1);
        if should_show(self.bar.elapsed()) && !self.shown.swap(true, Ordering::Relaxed) {
            self.bar.set_draw_target(ProgressDrawTarget::stderr());
        }
    }
}

fn should_show(elapsed: Duration) -> bool {
    elapsed >= SHOW_PROGRESS_AFTER
}

fn outputs(s: &Scenario, args: &Args) -> Outputs {
    match &args.out_dir {
        Some(dir) => Outputs::in_dir(dir, &s.stem()),
        None => s.outputs.clone(),
    }
}

/// Two scenarios that would write the same file (`a/x.toml` and `b/x.toml` with
/// `--out-dir`, or one `[output]` path in two files), said before anything is written:
/// otherwise the second silently replaces the first.
fn output_clash(scenarios: &[Scenario], args: &Args) -> Option<String> {
    let mut owner: HashMap<PathBuf, &Path> = HashMap::new();
    for s in scenarios {
        let o = outputs(s, args);
        let svg = args.svg.then(|| o.plot.with_extension("svg"));
        let hysteresis = s
            .hysteresis
            .then(|| crate::report::figure::hysteresis_path(&o.plot));
        for file in [o.csv, o.summary, o.plot]
            .into_iter()
            .chain(svg)
            .chain(hysteresis)
        {
            match owner.get(&file) {
                Some(first) if *first != s.path.as_path() => {
                    return Some(format!(
                        "{} and {} would both write {}; run them separately, give one its own [output] and [plot] file, or rename one",
                        first.display(),
                        s.path.display(),
                        file.display()
                    ))
                }
                _ => owner.insert(file, &s.path),
            };
        }
    }
    None
}

fn render(s: &Scenario, args: &Args) -> Result<Rendered> {
    let solver = args.solver.map_or(s.solver, SolverKind::from);
    let results = s
        .simulate(solver)
        .with_context(|| format!("simulating {}", s.path.display()))?;
    let outputs = outputs(s, args);
    let mut csv = Vec::new();
    report::csv::time_course(&results, &mut csv)?;
    let mut summary = Vec::new();
    report::csv::summary(&results, &mut summary)?;
    let mut files = OutputSet::new();
    files.stage(&outputs.csv, &csv)?;
    drop(csv);
    files.stage(&outputs.summary, &summary)?;
    if report::tci::any(&results) {
        let mut log = Vec::new();
        report::tci::pump_log(&results, &mut log)?;
        files.stage(
            &outputs.csv.with_file_name(pump_log_name(&outputs.csv)),
            &log,
        )?;
    }
    for (path, bytes) in report::figure::files(s, &results, &outputs.plot, args.svg)
        .with_context(|| format!("plotting {}", s.path.display()))?
    {
        files.stage(&path, &bytes)?;
    }
    Ok(Rendered {
        summary_text: report::summary::render(s, &results, solver),
        files,
    })
}

/// The pump log beside the time-course CSV: `<name>-pump.csv`.
fn pump_log_name(csv: &std::path::Path) -> String {
    let stem = csv
        .file_stem()
        .map_or("ketasim".into(), |s| s.to_string_lossy());
    format!("{stem}-pump.csv")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: a bar over scenarios that take milliseconds is noise.
    #[test]
    fn progress_shows_only_for_work_over_half_a_second() {
        assert!(!should_show(Duration::from_millis(20)));
        assert!(!should_show(Duration::from_millis(499)));
        assert!(should_show(Duration::from_millis(500)));
        let p = Progress::new(3);
        p.done_one();
        assert!(p.bar.is_hidden(), "fast work draws nothing");
    }
}
