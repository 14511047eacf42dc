//! The `ketasim` command: parse arguments, run, map errors to exit codes.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = match ketasim::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(usage) => return usage_exit(&usage),
    };
    match ketasim::cli::run(cli) {
        Ok(code) => code,
        Err(err) if ketasim::cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(ketasim::cli::exit_code(&err))
        }
    }
}

/// `--help` and `--version` exit 0; a bad command line is invalid input and exits 1, as
/// the README says (clap's own default, 2, is reserved for I/O and internal errors).
fn usage_exit(usage: &clap::Error) -> ExitCode {
    // Printing can only fail on a closed stream, and then there is no one to tell.
    let _ = usage.print();
    match usage.use_stderr() {
        true => ExitCode::from(ketasim::cli::EXIT_INVALID),
        false => ExitCode::SUCCESS,
    }
}
