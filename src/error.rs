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
    /// Input (a scenario, a model file, a dataset) is invalid: says where, what was found
    /// and what was expected.
    #[error(transparent)]
    Invalid(#[from] InputError),
}

/// Where in an input file something is: 1-based line and column, 0 when unknown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Span {
    /// The file, when the input came from one.
    pub path: Option<PathBuf>,
    /// 1-based line, 0 when unknown.
    pub line: usize,
    /// 1-based column (characters), 0 when unknown.
    pub col: usize,
}

impl Span {
    /// `line` and `col` of `path`.
    pub fn at(path: &std::path::Path, line: usize, col: usize) -> Span {
        Span {
            path: Some(path.to_path_buf()),
            line,
            col,
        }
    }
}

impl std::fmt::Display for Span {
    /// `file:line:col: `, shortened when parts are unknown (empty when nothing is known).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (&self.path, self.line, self.col) {
            (Some(p), 0, _) => write!(f, "{}: ", p.display()),
            (Some(p), l, 0) => write!(f, "{}:{l}: ", p.display()),
            (Some(p), l, c) => write!(f, "{}:{l}:{c}: ", p.display()),
            (None, 0, _) => Ok(()),
            (None, l, 0) => write!(f, "line {l}: "),
            (None, l, c) => write!(f, "line {l}, column {c}: "),
        }
    }
}

/// One problem with the input: where, what was found, what was expected. Every input
/// error of the crate is one of these, so messages read alike:
/// `file.toml:12:18: weight "0 kg"; expected 0.1 kg to 500 kg`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{span}{found}; expected {expected}")]
pub struct InputError {
    /// Where.
    pub span: Span,
    /// What was found, as the user wrote it where that helps (`weight "0 kg"`).
    pub found: String,
    /// What would have been accepted, with the limits (`0.1 kg to 500 kg`).
    pub expected: String,
}

impl InputError {
    /// "Found `found` at `span`, expected `expected`": the one constructor of input errors,
    /// for any reader of input (scenario, model file, dataset, a future network loader).
    ///
    /// ```
    /// use ketasim::error::{InputError, Span};
    /// let e = InputError::new(Span::at("net.toml".as_ref(), 3, 7), "volume \"-1 L\"", "a volume > 0");
    /// assert_eq!(e.to_string(), "net.toml:3:7: volume \"-1 L\"; expected a volume > 0");
    /// ```
    pub fn new(span: Span, found: impl Into<String>, expected: impl Into<String>) -> InputError {
        InputError {
            span,
            found: found.into(),
            expected: expected.into(),
        }
    }
}

impl Error {
    /// An invalid-input error with no location (a command-line value, say).
    pub fn invalid(found: impl Into<String>, expected: impl Into<String>) -> Error {
        InputError::new(Span::default(), found, expected).into()
    }

    /// True when the error is the user's input rather than the program (exit code 1, not 2).
    /// A model the ODE solver cannot integrate counts as input: `--solver exact` runs it.
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            Error::Invalid(_)
                | Error::Solver(
                    SolverError::Stiff { .. }
                        | SolverError::StepLimit { .. }
                        | SolverError::Failed { .. }
                        | SolverError::TooManyStates { .. }
                        | SolverError::NoSteadyState
                )
        )
    }
}

/// Why a solver could not advance.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SolverError {
    /// Dopri5 hit its step limit.
    #[error("the ODE solver needed more than {max_steps} steps near t = {t_h} h: the model is too stiff or too long for Dopri5; use --solver exact")]
    StepLimit {
        /// Time reached (h).
        t_h: f64,
        /// The limit.
        max_steps: u32,
    },
    /// Dopri5 failed otherwise (step size underflow, stiffness).
    #[error("the ODE solver failed near t = {t_h} h: {message}; use --solver exact")]
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
    /// The span of byte `offset` of the file.
    pub fn span(&self, offset: usize) -> Span {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &self.text[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        Span::at(self.path, line, col)
    }

    /// Found `found` at byte `offset`, expected `expected`.
    pub fn expected(
        &self,
        offset: usize,
        found: impl Into<String>,
        expected: impl Into<String>,
    ) -> Error {
        InputError::new(self.span(offset), found, expected).into()
    }

    /// An error about the whole file (no position).
    pub fn file_expected(&self, found: impl Into<String>, expected: impl Into<String>) -> Error {
        InputError::new(Span::at(self.path, 0, 0), found, expected).into()
    }

    /// A TOML syntax or schema error from the `toml` crate, located by its span.
    pub fn toml_error(&self, e: &toml::de::Error) -> Error {
        // toml puts "expected ..." on a second line; keep the error on one.
        let message = e.message().trim_end().replace('\n', "; ");
        let (found, expected) = toml_found_expected(&message);
        match e.span() {
            Some(span) => self.expected(span.start, found, expected),
            None => self.file_expected(found, expected),
        }
    }
}

/// The `toml` crate's message split into what was found and what was expected:
/// "unknown field `dose`, expected one of ...", "missing field `simulation`".
fn toml_found_expected(message: &str) -> (String, String) {
    let split = [", expected ", "; expected "]
        .iter()
        .filter_map(|sep| message.split_once(sep))
        .min_by_key(|(found, _)| found.len());
    if let Some((found, expected)) = split {
        return (found.to_string(), expected.to_string());
    }
    if let Some(key) = message.strip_prefix("missing field ") {
        return (
            message.to_string(),
            format!("{key} (a required key or table)"),
        );
    }
    (
        message.to_string(),
        "TOML as the README describes".to_string(),
    )
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
        let e = l.expected(text.find("bad").unwrap(), "unknown key `bad`", "name");
        assert_eq!(
            e.to_string(),
            "s.toml:3:3: unknown key `bad`; expected name"
        );
    }
}
