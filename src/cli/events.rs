//! `ketasim events DATASET.csv --model MODEL.toml --out OUT.csv`: simulate a NONMEM-style
//! event dataset and write `ID,TIME,CP` for every record (see [`crate::nonmem`]).

use super::files::write_atomic;
use super::run::SolverArg;
use crate::nonmem::{self, Dataset};
use crate::solver::SolverConfig;
use anyhow::Result;
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
    /// Solver.
    #[arg(long, value_enum, default_value = "exact")]
    solver: SolverArg,
}

fn read(path: &Path) -> Result<String> {
    // The error names the file (an I/O error, or where the text is not UTF-8).
    Ok(crate::text_file::read(path)?)
}

pub fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode> {
    let dataset = Dataset::parse(&args.dataset, &read(&args.dataset)?)?;
    let model = nonmem::read_model(&args.model, &read(&args.model)?)?;
    let cp = nonmem::predict(&dataset, &model, &SolverConfig::of(args.solver.into()))?;
    let mut bytes = Vec::new();
    nonmem::write_csv(&mut bytes, &dataset, &cp)?;
    write_atomic(&args.out, &bytes)?;
    writeln!(
        out,
        "{} rows written to {} ({})",
        cp.len(),
        args.out.display(),
        crate::DISCLAIMER
    )?;
    Ok(ExitCode::SUCCESS)
}
