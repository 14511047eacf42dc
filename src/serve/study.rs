//! The one place the server touches the engine: scenario text → validated scenario →
//! results → the files `ketasim run` would write. The calls are the CLI's
//! (`scenario::parse`, `Scenario::simulate`, `report::csv`, `report::figure`), so a
//! download from the page is byte for byte what `ketasim run` writes for the same TOML.

use crate::report;
use crate::report::plot::{render_png, render_svg, PlotSpec};
use crate::scenario::{self, Scenario};
use crate::study::ScheduleResult;
use std::path::Path;

/// A simulated scenario.
#[derive(Debug)]
pub struct Study {
    /// The validated scenario.
    pub scenario: Scenario,
    /// One result per schedule, with the scenario's own solver.
    pub results: Vec<ScheduleResult>,
}

/// Why a study could not be made or rendered.
#[derive(Debug, thiserror::Error)]
pub enum StudyError {
    /// The scenario is invalid or could not be simulated (the user's input).
    #[error(transparent)]
    Engine(#[from] crate::Error),
    /// A report writer failed (the program, not the input).
    #[error("{0}")]
    Render(String),
}

impl Study {
    /// Validate `text` (errors name `label`, line and column) and simulate it.
    pub fn run(label: &Path, text: &str) -> Result<Study, StudyError> {
        let scenario = scenario::parse(label, text)?;
        let results = scenario.simulate(scenario.solver)?;
        Ok(Study { scenario, results })
    }

    /// The plot, exactly as `ketasim run` draws it.
    pub fn plot(&self) -> PlotSpec {
        report::figure::spec(&self.scenario, &self.results)
    }

    /// The PNG `ketasim run` writes.
    pub fn png(&self) -> Result<Vec<u8>, StudyError> {
        render_png(&self.plot()).map_err(|e| StudyError::Render(e.to_string()))
    }

    /// The SVG `ketasim run --svg` writes.
    pub fn svg(&self) -> Result<Vec<u8>, StudyError> {
        render_svg(&self.plot())
            .map(String::into_bytes)
            .map_err(|e| StudyError::Render(e.to_string()))
    }

    /// The time-course CSV `ketasim run` writes.
    pub fn time_course_csv(&self) -> Result<Vec<u8>, StudyError> {
        let mut out = Vec::new();
        report::csv::time_course(&self.results, &mut out)
            .map_err(|e| StudyError::Render(e.to_string()))?;
        Ok(out)
    }

    /// The summary CSV `ketasim run` writes.
    pub fn summary_csv(&self) -> Result<Vec<u8>, StudyError> {
        let mut out = Vec::new();
        report::csv::summary(&self.results, &mut out)
            .map_err(|e| StudyError::Render(e.to_string()))?;
        Ok(out)
    }

    /// The summary `ketasim run` prints.
    pub fn summary_text(&self) -> String {
        report::summary::render(&self.scenario, &self.results, self.scenario.solver)
    }
}
