//! `ketasim check FILE ...`: validate scenarios, write nothing.

use super::files::scenario_files;
use crate::scenario;
use anyhow::Result;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ketasim check`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Scenario files or directories of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
}

pub(super) fn run(args: &Args, out: &mut dyn Write) -> Result<ExitCode> {
    let mut invalid = 0;
    for file in scenario_files(&args.paths)? {
        match scenario::load(&file) {
            Ok(s) => writeln!(
                out,
                "ok: {}: {} ({}, model {})",
                file.display(),
                s.name,
                crate::units::count(s.schedules.len(), "schedule"),
                s.model.id
            )?,
            Err(e) if e.is_invalid_input() => {
                eprintln!("error: {e}");
                invalid += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(if invalid > 0 {
        ExitCode::from(super::EXIT_INVALID)
    } else {
        ExitCode::SUCCESS
    })
}
