//! Scenario files: load a TOML file into a validated [`Scenario`] ([`crate::study`] runs
//! it).
//!
//! `schema` holds the file as written (strings with spans), `checked` turns it into the
//! domain types below, with errors that name file, line and column. Nothing downstream
//! sees a unit string or re-checks input.

pub mod checked;
mod covariates;
mod effect;
pub mod plot;
mod population;
mod routes;
pub mod schema;
mod tci;

use crate::bands::Band;
use crate::dosing::Regimen;
use crate::error::{Locator, Result};
use crate::model::ModelSpec;
use crate::population::Population;
use crate::solver::SolverKind;
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
    /// Effect-site curves drawn with the plasma curves, on the same axes.
    pub effect_on_plasma_axes: bool,
    /// Where results go.
    pub outputs: Outputs,
    /// A virtual population simulated beside the typical patient.
    pub population: Option<Population>,
    /// Pharmacodynamic endpoints (`[[effect]]`), each with its own effect site.
    pub effects: Vec<crate::effect::Endpoint>,
    /// `[plot] hysteresis = true`: also draw the first effect against plasma concentration.
    pub hysteresis: bool,
    /// What the reader should know before trusting the output (an endpoint on a PK model
    /// it was not estimated with).
    pub warnings: Vec<String>,
}

/// One named schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Legend label.
    pub name: String,
    /// Body weight (kg) this schedule is simulated at.
    pub weight_kg: f64,
    /// The model this schedule is simulated on (the scenario's, unless it names another).
    pub model: ModelSpec,
    /// The doses as prescribed: repeats, per-kg amounts and steady states as written.
    pub regimen: Regimen,
    /// Target-controlled infusion, when the schedule sets targets.
    pub tci: Option<crate::targets::Tci>,
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

/// Read and validate the scenario file at `path`.
pub fn load(path: &Path) -> Result<Scenario> {
    let text = crate::text_file::read(path)?;
    parse(path, &text)
}

/// Validate scenario `text`, reporting errors against `path`.
pub fn parse(path: &Path, text: &str) -> Result<Scenario> {
    let at = Locator { path, text };
    let file: schema::ScenarioFile = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
    checked::scenario(file, &at)
}

impl Scenario {
    /// Whether the schedules run on more than one model.
    pub fn compares_models(&self) -> bool {
        self.schedules
            .iter()
            .any(|s| s.model.id != self.schedules[0].model.id)
    }

    /// A schedule's name for tables, CSV and legends: with the model's id when the
    /// scenario compares models, e.g. "IV infusion (kamp-2020)".
    pub fn label(&self, s: &Schedule) -> String {
        if self.compares_models() {
            format!("{} ({})", s.name, s.model.id)
        } else {
            s.name.clone()
        }
    }

    /// The models for people: "kamp-2020 (racemic ketamine)", or each schedule's model
    /// ("kamp-2020 (racemic ketamine) / fanta-2015 (S-ketamine (esketamine))").
    pub fn model_text(&self) -> String {
        let mut m: Vec<String> = self
            .schedules
            .iter()
            .map(|s| format!("{} ({})", s.model.id, s.model.drug.name()))
            .collect();
        m.dedup();
        m.join(" / ")
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
