//! `ketasim events DATASET.csv --model MODEL.toml --out OUT.csv`: simulate a NONMEM-style
//! event dataset and write every record with its concentrations (see [`crate::nonmem`]).
//!
//! The dataset is read, simulated and written one individual at a time, the rows going
//! to a temporary file beside OUT.csv that replaces it only when every individual has
//! succeeded ([`OutputSet`]): memory holds the dataset's text and one individual, however
//! many rows there are, and a failure anywhere writes nothing.

use super::output_set::OutputSet;
use super::run::SolverArg;
use crate::nonmem::{self, output, reader::Reader, Individuals};
use crate::solver::SolverConfig;
use anyhow::{Context, Result};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Arguments of `ketasim events`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// The dataset: CSV with ID, TIME and any of EVID, AMT (mg), CMT, RATE (mg/h), II (h),
    /// ADDL, SS, F, LAG (h), DUR (h), and WT (kg: scales the model per individual; 70 kg
    /// without the column). Other columns (DV, ...) are carried through to the output.
    dataset: PathBuf,
    /// The model: TOML with a [model] table (a built-in `pk` id or a custom model; `ka`
    /// adds a depot, which is then CMT 1).
    #[arg(long)]
    model: PathBuf,
    /// Where to write every dataset column, then CP (plasma), CE (effect site, when the
    /// model has one) and CMET (metabolite, when modelled), all in ng/mL; one row per
    /// record. Written only when the dataset and model are valid.
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

pub(super) fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode> {
    let text = read(&args.dataset)?;
    let spec = nonmem::read_model_spec(&args.model, &read(&args.model)?)?;
    let config = SolverConfig::of(args.solver.into());
    let reader = Reader::new(&args.dataset, &text)?;
    let header = output::header(&args.dataset, reader.columns(), &spec)?;
    let mut set = OutputSet::new();
    let mut staged = set.stream(&args.out)?;
    let mut rows = 0;
    let written = (|| -> Result<()> {
        let mut csv = output::Output::new(staged.writer(), &header)?;
        for individual in Individuals::new(&args.dataset, reader) {
            let records = individual?;
            let model = records[0].covariates.model(&spec);
            let predicted = nonmem::predict_individual(&args.dataset, &records, &model, &config)?;
            csv.individual(&records, &predicted)
                .with_context(|| format!("writing {}", args.out.display()))?;
            rows += records.len();
        }
        csv.finish()
            .with_context(|| format!("writing {}", args.out.display()))
    })();
    set.finish(staged)?;
    written?;
    set.commit()?;
    writeln!(
        out,
        "{} written to {} ({})",
        crate::units::count(rows, "row"),
        args.out.display(),
        crate::DISCLAIMER
    )?;
    Ok(ExitCode::SUCCESS)
}
