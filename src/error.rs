//! The library's error type. Variants carry the numbers and places a person needs.

use std::path::PathBuf;

/// Anything that can go wrong in the library.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    // `reason` is deliberately not a `source`: the message already says it, and
    // `{:#}` would print the operating system's words twice.
    #[error("{}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        reason: std::io::Error,
    },
    /// The solver could not advance.
    #[error(transparent)]
    Solver(#[from] SolverError),
    /// Input (a scenario, a model file, a dataset) is invalid: says where and why.
    #[error("{}{message}", location(path, *line, *col))]
    Invalid {
        /// The file, when the input came from one.
        path: Option<PathBuf>,
        /// 1-based line, 0 when unknown.
        line: usize,
        /// 1-based column, 0 when unknown.
        col: usize,
        /// What was found and what was expected.
        message: String,
    },
}

fn location(path: &Option<PathBuf>, line: usize, col: usize) -> String {
    match (path, line, col) {
        (Some(p), 0, _) => format!("{}: ", p.display()),
        (Some(p), l, 0) => format!("{}:{l}: ", p.display()),
        (Some(p), l, c) => format!("{}:{l}:{c}: ", p.display()),
        (None, 0, _) => String::new(),
        (None, l, c) => format!("line {l}, column {c}: "),
    }
}

impl Error {
    /// An invalid-input error with no location yet.
    pub fn invalid(message: impl Into<String>) -> Error {
        Error::Invalid {
            path: None,
            line: 0,
            col: 0,
            message: message.into(),
        }
    }

    /// True when the error is the user's input rather than the program (exit code 1, not 2).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            Error::Invalid { .. }
                | Error::Solver(SolverError::Stiff { .. } | SolverError::TooManyStates { .. })
        )
    }
}

/// Why a solver could not advance.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// Dopri5 hit its step limit.
    #[error("the ODE solver needed more than {max_steps} steps near t = {t_h} h; raise max_steps or loosen rtol")]
    StepLimit {
        /// Time reached (h).
        t_h: f64,
        /// The limit.
        max_steps: u32,
    },
    /// Dopri5 failed otherwise (step size underflow, stiffness).
    #[error("the ODE solver failed near t = {t_h} h: {message}")]
    Failed {
        /// Time reached (h).
        t_h: f64,
        /// The solver's own words.
        message: String,
    },
    /// Dopri5 found the model too stiff for an explicit method (or its step underflowed).
    #[error("the ODE solver gave up near t = {t_h} h: the model is too stiff for Dopri5 (a rate constant far faster than the output step); use --solver exact")]
    Stiff {
        /// Time reached within the stretch (h).
        t_h: f64,
    },
    /// More states than the exact propagator is compiled for.
    #[error("the model has {states} states; the exact propagator handles at most {max}")]
    TooManyStates {
        /// States of the system.
        states: usize,
        /// The largest size compiled.
        max: usize,
    },
    /// Steady state needs a model that eliminates the drug.
    #[error("no steady state exists: the model does not eliminate the drug (clearance is 0)")]
    NoSteadyState,
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

/// Where in a text file an error is: turns byte spans (as `toml` reports them) into
/// 1-based line and column, so errors read `file.toml:12:18: ...`.
#[derive(Debug, Clone, Copy)]
pub struct Locator<'a> {
    /// The file, as named to the user.
    pub path: &'a std::path::Path,
    /// Its text.
    pub text: &'a str,
}

impl Locator<'_> {
    /// An invalid-input error at byte `offset` of the file.
    pub fn error(&self, offset: usize, message: impl Into<String>) -> Error {
        let before = &self.text[..offset.min(self.text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Error::Invalid {
            path: Some(self.path.to_path_buf()),
            line,
            col,
            message: message.into(),
        }
    }

    /// An invalid-input error about the whole file (no position).
    pub fn file_error(&self, message: impl Into<String>) -> Error {
        Error::Invalid {
            path: Some(self.path.to_path_buf()),
            line: 0,
            col: 0,
            message: message.into(),
        }
    }

    /// A TOML syntax or schema error from the `toml` crate, located by its span.
    pub fn toml_error(&self, e: &toml::de::Error) -> Error {
        // toml puts "expected ..." on a second line; keep the error on one.
        let message = e.message().trim_end().replace('\n', "; ");
        match e.span() {
            Some(span) => self.error(span.start, message),
            None => self.file_error(message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_become_line_and_column() {
        let text = "a = 1\nname = \"x\"\n  bad = 3\n";
        let l = Locator {
            path: std::path::Path::new("s.toml"),
            text,
        };
        let e = l.error(text.find("bad").unwrap(), "unknown key");
        assert_eq!(e.to_string(), "s.toml:3:3: unknown key");
    }
}
