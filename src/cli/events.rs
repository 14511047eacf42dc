//! `ketasim events DATASET.csv --model MODEL.toml --out OUT.csv`: simulate a NONMEM-style
//! event dataset and write `ID,TIME,CP` for every record (see [`crate::nonmem`]).

use crate::nonmem::{self, Dataset};
use crate::solver::{SolverConfig, SolverKind};
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `ketasim events`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The dataset: CSV with ID, TIME and any of EVID, AMT (mg), CMT, RATE (mg/h), II (h),
    /// ADDL, SS, F, LAG (h), DUR (h); other columns are ignored.
    dataset: PathBuf,
    /// The model: TOML with a [model] table (a built-in `pk` id or a custom model; `ka`
    /// adds a depot, which is then CMT 1).
    #[arg(long)]
    model: PathBuf,
    /// Where to write ID,TIME,CP (CP in ng/mL), one row per dataset record. Written only
    /// when the dataset and model are valid.
    #[arg(long)]
    out: PathBuf,
    /// exact (matrix exponential) or ode (Dormand–Prince 5(4)).
    #[arg(long, default_value = "exact", value_parser = ["exact", "ode"])]
    solver: String,
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))
}

pub fn run(args: &Args) -> Result<ExitCode> {
    let kind = SolverKind::parse(&args.solver).context("--solver takes exact or ode")?;
    let dataset = Dataset::parse(&args.dataset, &read(&args.dataset)?)?;
    let model = nonmem::read_model(&args.model, &read(&args.model)?)?;
    let cp = nonmem::predict(&dataset, &model, &SolverConfig::of(kind))?;
    let mut bytes = Vec::new();
    nonmem::write_csv(&mut bytes, &dataset, &cp)?;
    write_atomically(&args.out, &bytes)?;
    let mut stdout = std::io::stdout().lock();
    writeln!(
        stdout,
        "{} rows written to {} ({})",
        cp.len(),
        args.out.display(),
        crate::DISCLAIMER
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Write `bytes` to a temporary file beside `path`, then rename it over `path`: a reader
/// of `path` sees the old file or the whole new one, never a part.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("--out {} names no file", path.display()))?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, path));
    if written.is_err() {
        // Best effort: the temporary file may not exist; the write error is what matters.
        let _ = std::fs::remove_file(&tmp);
    }
    written.with_context(|| format!("writing {}", path.display()))
}
