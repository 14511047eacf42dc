//! The `ketasim` command: parse arguments, run, map errors to exit codes.

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = ketasim::cli::Cli::parse();
    match ketasim::cli::run(cli) {
        Ok(code) => code,
        Err(err) if ketasim::cli::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(ketasim::cli::exit_code(&err))
        }
    }
}
