//! A study: a validated scenario run for every schedule, the typical patient and, when the
//! scenario has one, its virtual population. It sits above the input ([`crate::scenario`])
//! and the engine ([`crate::simulate`], [`crate::population`]); reports read its results.

use crate::control::{outcomes, plan, TciResult};
use crate::dosing::{grid, schedule_depots, Dose, Timeline};
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
    /// The TCI pump and what it achieved, when the schedule sets targets.
    pub tci: Option<TciResult>,
}

impl Scenario {
    /// Simulate every schedule with `solver`: the typical patient, and the population
    /// when the scenario has one (in the current rayon pool).
    pub fn simulate(&self, solver: SolverKind) -> Result<Vec<ScheduleResult>> {
        self.simulate_probing(solver, &[])
    }

    /// [`Scenario::simulate`], the population's band shares also counted at each of
    /// `probes_h` (h; [`crate::population::Probe`]).
    pub fn simulate_probing(
        &self,
        solver: SolverKind,
        probes_h: &[f64],
    ) -> Result<Vec<ScheduleResult>> {
        let times = grid(self.duration_h, self.output_every_h);
        let config = SolverConfig::of(solver);
        self.schedules
            .iter()
            .map(|s| {
                let model = s.model.individual(s.weight_kg);
                // The one expansion of the regimen on the way to the engine.
                let (doses, steady) = (s.regimen.doses(), s.regimen.steady());
                let system = LinearSystem::new(&model, &schedule_depots(&doses, &steady));
                // The pump is planned on the typical patient, as a real pump runs on its
                // model; every subject of a population then receives the same infusion.
                let pump = s
                    .tci
                    .as_ref()
                    .map(|t| {
                        plan(
                            &s.model,
                            &system,
                            &doses,
                            &steady,
                            t,
                            self.duration_h,
                            &config,
                        )
                    })
                    .transpose()?;
                let pumped = pump.as_ref().map_or(&[][..], |p| &p.doses[..]);
                let given: Vec<Dose> = doses.iter().chain(pumped).copied().collect();
                let timeline = Timeline::of_schedule(&given, &steady, &system, &times);
                let trajectory = simulate(&system, timeline, &config)?;
                let summary = summarize(&trajectory, &self.bands);
                let tci = match (&s.tci, &pump) {
                    (Some(t), Some(p)) => Some(TciResult {
                        plan: p.clone(),
                        targets: outcomes(t, &trajectory),
                        total_dose_mg: given.iter().map(|d| d.amount_mg).sum(),
                    }),
                    _ => None,
                };
                // Its rates join each subject's regimen as fixed doses (not per kg).
                let regimen = s.regimen.with_fixed(pumped);
                let grid = UniformGrid::new(self.duration_h, self.output_every_h);
                let target = s
                    .tci
                    .as_ref()
                    .map(|t| crate::control::plasma_target_on(t, &grid.times_h()));
                let run = Run {
                    target_ng_ml: target.as_deref(),
                    spec: &s.model,
                    weight_kg: s.weight_kg,
                    regimen: &regimen,
                    grid,
                    bands: &self.bands,
                    config,
                    probes_h,
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
                    tci,
                })
            })
            .collect()
    }
}
