//! The command line: clap definitions and one file per subcommand. Only this module and
//! `report::table` print; the library below never sees CLI types.

mod bands;
mod check;
mod events;
mod explain;
mod files;
mod models;
mod output_set;
mod routes;
mod run;
mod serve;
mod validate;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Exit code for invalid input (a scenario, model file or dataset that fails validation).
pub const EXIT_INVALID: u8 = 1;
/// Exit code for I/O and internal errors.
pub const EXIT_ERROR: u8 = 2;

/// ketasim: a pharmacokinetic simulator for ketamine.
#[derive(Debug, Parser)]
#[command(
    name = "ketasim",
    version,
    about = "Ketamine pharmacokinetics: plasma, effect-site and norketamine concentrations for any dosing schedule.",
    long_about = None,
    after_help = "ketasim is for teaching and research only. It is not a dosing calculator: never use it to dose a patient."
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate scenario files: print a summary, write CSV and PNG for each.
    Run(run::Args),
    /// Validate scenario files without simulating or writing anything.
    Check(check::Args),
    /// List the built-in models, or show one with its derived quantities.
    Models(models::Args),
    /// List the routes with their default bioavailability, absorption, lag and source.
    Routes(routes::Args),
    /// List the concentration bands a scenario may shade, with their sources.
    Bands(bands::Args),
    /// Compare predictions with published observations: table, figure, Markdown report.
    Validate(validate::Args),
    /// Simulate a NONMEM-style event dataset: CP at every record, as ID,TIME,CP.
    Events(events::Args),
    /// Explain scenarios for teaching: half-lives, steady state, accumulation, routes.
    Explain(explain::Args),
    /// Serve the classroom page: edit scenarios in a browser, curves redrawn live.
    Serve(serve::Args),
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    run_to(cli, &mut std::io::stdout())
}

/// Run the parsed command line with what `run`, `check` and `events` print going to
/// `out`: the entry the in-process fuzz harness (`tests/fuzz.rs`) calls.
pub fn run_to(cli: Cli, out: &mut dyn std::io::Write) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Run(args) => run::run(&args, out),
        Command::Check(args) => check::run(&args, out),
        Command::Models(args) => models::run(&args),
        Command::Bands(args) => bands::run(&args),
        Command::Validate(args) => validate::run(&args),
        Command::Routes(args) => routes::run(&args),
        Command::Events(args) => events::run(&args, out),
        Command::Explain(args) => explain::run(&args),
        Command::Serve(args) => serve::run(&args),
    }
}

/// True when the error is a closed stdout (e.g. `ketasim models | head`): exit quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|e| e.downcast_ref::<std::io::Error>())
        .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
}

/// The exit code of a finished command: what `run`/`run_to` returned, as a number (0, 1
/// or 2), with errors mapped by [`exit_code`] and a closed stdout counted as success.
pub fn code_of(result: &anyhow::Result<ExitCode>) -> u8 {
    match result {
        Ok(code) if *code == ExitCode::SUCCESS => 0,
        Ok(code) if *code == ExitCode::from(EXIT_INVALID) => EXIT_INVALID,
        Ok(_) => EXIT_ERROR,
        Err(err) if is_broken_pipe(err) => 0,
        Err(err) => exit_code(err),
    }
}

/// 1 for invalid input (an input error, or a scenario whose curves have nothing finite to
/// plot), 2 for everything else.
pub fn exit_code(err: &anyhow::Error) -> u8 {
    let invalid = err.chain().any(|e| {
        e.downcast_ref::<crate::Error>()
            .is_some_and(crate::Error::is_invalid_input)
            || matches!(
                e.downcast_ref::<crate::report::plot::PlotError>(),
                Some(crate::report::plot::PlotError::NoData)
            )
    });
    if invalid {
        EXIT_INVALID
    } else {
        EXIT_ERROR
    }
}
