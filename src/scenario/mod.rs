//! Scenario files: load a TOML file into a validated [`Scenario`], and simulate it.
//!
//! `schema` holds the file as written (strings with spans), `validate` turns it into the
//! domain types below, with errors that name file, line and column. Nothing downstream
//! sees a unit string or re-checks input.

pub mod plot;
pub mod schema;
pub mod validate;

use crate::bands::Band;
use crate::dosing::{depots, grid, Dose, SteadyStart, Timeline};
use crate::error::{Locator, Result};
use crate::metrics::{summarize, Summary};
use crate::model::system::LinearSystem;
use crate::model::ModelSpec;
use crate::simulate::{simulate, Trajectory};
use crate::solver::{SolverConfig, SolverKind};
pub use plot::LowerPanel;
use std::path::{Path, PathBuf};

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The file it came from.
    pub path: PathBuf,
    /// Title.
    pub name: String,
    /// Description or lesson text.
    pub description: String,
    /// Patient body weight (kg).
    pub weight_kg: f64,
    /// The model.
    pub model: ModelSpec,
    /// Simulated window from 0 (h).
    pub duration_h: f64,
    /// Output step (h).
    pub output_every_h: f64,
    /// Solver named in the file.
    pub solver: SolverKind,
    /// The schedules compared.
    pub schedules: Vec<Schedule>,
    /// Bands shaded and summarised.
    pub bands: Vec<Band>,
    /// Logarithmic concentration axis.
    pub log_y: bool,
    /// What the plot's lower panel shows.
    pub lower_panel: LowerPanel,
    /// Where results go.
    pub outputs: Outputs,
}

/// One named schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Legend label.
    pub name: String,
    /// Body weight (kg) this schedule is simulated at.
    pub weight_kg: f64,
    /// Every dose, repeats expanded, in time order.
    pub doses: Vec<Dose>,
    /// Regimens already at steady state when they start.
    pub steady: Vec<SteadyStart>,
}

/// Output file paths.
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs {
    /// Time-course CSV.
    pub csv: PathBuf,
    /// Summary CSV.
    pub summary: PathBuf,
    /// PNG plot (an SVG goes beside it with `--svg`).
    pub plot: PathBuf,
}

impl Outputs {
    /// `<stem>.csv`, `<stem>-summary.csv` and `<stem>.png` in `dir`.
    pub fn in_dir(dir: &Path, stem: &str) -> Outputs {
        Outputs {
            csv: dir.join(format!("{stem}.csv")),
            summary: dir.join(format!("{stem}-summary.csv")),
            plot: dir.join(format!("{stem}.png")),
        }
    }
}

/// One schedule's simulated course and its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleResult {
    /// The schedule's name.
    pub name: String,
    /// The course on the output grid.
    pub trajectory: Trajectory,
    /// Its summary.
    pub summary: Summary,
}

/// Read and validate the scenario file at `path`.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = std::fs::read_to_string(path).map_err(|e| crate::Error::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    parse(path, &text)
}

/// Validate scenario `text`, reporting errors against `path`.
pub fn parse(path: &Path, text: &str) -> Result<Scenario> {
    let at = Locator { path, text };
    let file: schema::ScenarioFile = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
    validate::scenario(file, &at)
}

impl Scenario {
    /// Simulate every schedule with `solver`.
    pub fn simulate(&self, solver: SolverKind) -> Result<Vec<ScheduleResult>> {
        let times = grid(self.duration_h, self.output_every_h);
        let config = SolverConfig::of(solver);
        self.schedules
            .iter()
            .map(|s| {
                let model = self.model.individual(s.weight_kg);
                let all: Vec<Dose> = s
                    .doses
                    .iter()
                    .chain(s.steady.iter().map(|st| &st.dose))
                    .copied()
                    .collect();
                let system = LinearSystem::new(&model, &depots(&all));
                let timeline = Timeline::of_schedule(&s.doses, &s.steady, &system, &times);
                let trajectory = simulate(&system, timeline, &config)?;
                let summary = summarize(&trajectory, &self.bands);
                Ok(ScheduleResult {
                    name: s.name.clone(),
                    trajectory,
                    summary,
                })
            })
            .collect()
    }

    /// The patient weight for people: "70 kg", or "20 kg / 70 kg" when schedules differ.
    pub fn weight_text(&self) -> String {
        let mut w: Vec<String> = self
            .schedules
            .iter()
            .map(|s| format!("{} kg", crate::units::fmt_num(s.weight_kg)))
            .collect();
        w.dedup();
        w.join(" / ")
    }

    /// The file name without extension, used for default output names.
    pub fn stem(&self) -> String {
        self.path
            .file_stem()
            .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
    }
}
