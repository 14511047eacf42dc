//! A study: a validated scenario run for every schedule, the typical patient and, when the
//! scenario has one, its virtual population. It sits above the input ([`crate::scenario`])
//! and the engine ([`crate::simulate`], [`crate::population`]); reports read its results.

use crate::dosing::{depots, grid, Dose, Timeline};
use crate::error::Result;
use crate::metrics::{summarize, Summary};
use crate::model::system::LinearSystem;
use crate::population::{PopulationCourse, Run};
use crate::scenario::Scenario;
use crate::simulate::grid::UniformGrid;
use crate::simulate::{simulate, Trajectory};
use crate::solver::{SolverConfig, SolverKind};

/// One schedule's simulated course and its summary.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleResult {
    /// The schedule's name.
    pub name: String,
    /// The course on the output grid.
    pub trajectory: Trajectory,
    /// Its summary.
    pub summary: Summary,
    /// Percentile curves and summaries, when the scenario has a population.
    pub population: Option<PopulationCourse>,
}

impl Scenario {
    /// Simulate every schedule with `solver`: the typical patient, and the population
    /// when the scenario has one (in the current rayon pool).
    pub fn simulate(&self, solver: SolverKind) -> Result<Vec<ScheduleResult>> {
        let times = grid(self.duration_h, self.output_every_h);
        let config = SolverConfig::of(solver);
        self.schedules
            .iter()
            .map(|s| {
                let model = s.model.individual(s.weight_kg);
                // The one expansion of the regimen on the way to the engine.
                let (doses, steady) = (s.regimen.doses(), s.regimen.steady());
                let all: Vec<Dose> = doses
                    .iter()
                    .chain(steady.iter().map(|st| &st.dose))
                    .copied()
                    .collect();
                let system = LinearSystem::new(&model, &depots(&all));
                let timeline = Timeline::of_schedule(&doses, &steady, &system, &times);
                let trajectory = simulate(&system, timeline, &config)?;
                let summary = summarize(&trajectory, &self.bands);
                let run = Run {
                    spec: &s.model,
                    weight_kg: s.weight_kg,
                    regimen: &s.regimen,
                    grid: UniformGrid::new(self.duration_h, self.output_every_h),
                    bands: &self.bands,
                    config,
                };
                let population = self
                    .population
                    .as_ref()
                    .map(|p| crate::population::simulate(p, &run))
                    .transpose()?;
                Ok(ScheduleResult {
                    name: self.label(s),
                    trajectory,
                    summary,
                    population,
                })
            })
            .collect()
    }
}
