//! A study: a validated scenario run for every schedule, the typical patient and, when the
//! scenario has one, its virtual population. It sits above the input ([`crate::scenario`])
//! and the engine ([`crate::simulate`], [`crate::population`]); reports read its results.

mod effects;

use crate::control::{effect_target_on, outcomes, plan, Site, TciResult};
use crate::dosing::{grid, schedule_depots, Dose, Timeline};
use crate::effect::course::EffectCourse;
use crate::error::Result;
use crate::metrics::{summarize, Summary};
use crate::model::system::LinearSystem;
use crate::population::effect_site::{simulate_effect_site, SiteTargets};
use crate::population::{check_kept, PopulationCourse, Run};
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
    /// Each `[[effect]]` endpoint's course, in the order the scenario gives them.
    pub effects: Vec<EffectCourse>,
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
                let effects = effects::courses(
                    &self.effects,
                    &effects::Given {
                        model: &model,
                        doses: &given,
                        steady: &steady,
                        times_h: &times,
                        config: &config,
                    },
                )?;
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
                let plasma_target = s
                    .tci
                    .as_ref()
                    .map(|t| crate::control::plasma_target_on(t, &grid.times_h()));
                // Effect-site targets need each subject's effect site, which the fast
                // path drops: those schedules are scored on a second pass.
                let effect_target = match (&s.tci, &tci) {
                    (Some(t), Some(r)) if t.targets.iter().any(|x| x.site == Site::Effect) => {
                        Some(effect_target_on(t, &r.targets, &grid.times_h()))
                    }
                    _ => None,
                };
                let run = Run {
                    target_ng_ml: match effect_target {
                        Some(_) => None,
                        None => plasma_target.as_deref(),
                    },
                    spec: &s.model,
                    weight_kg: s.weight_kg,
                    regimen: &regimen,
                    grid,
                    bands: &self.bands,
                    config,
                    probes_h,
                };
                // The effect passes keep every subject's curve: refuse before any pass
                // what they cannot hold.
                if let Some(p) = &self.population {
                    let kept = |what| check_kept(p, grid.len(), what);
                    if !self.effects.is_empty() {
                        kept("effect endpoints")?;
                    }
                    if effect_target.is_some() {
                        kept("effect-site targets")?;
                    }
                }
                let mut population = self
                    .population
                    .as_ref()
                    .map(|p| crate::population::simulate(p, &run))
                    .transpose()?;
                if let (Some(p), Some(course), Some(effect), Some(plasma)) = (
                    &self.population,
                    population.as_mut(),
                    &effect_target,
                    &plasma_target,
                ) {
                    let targets = SiteTargets {
                        plasma_ng_ml: plasma,
                        effect_ng_ml: effect,
                    };
                    let (band, performance) = simulate_effect_site(p, &run, targets)?;
                    course.effect_site = Some(band);
                    course.tci = performance;
                }
                let mut effects = effects;
                if let Some(p) = &self.population {
                    let cohort = effects::Cohort {
                        population: p,
                        spec: &s.model,
                        weight_kg: s.weight_kg,
                        regimen: &regimen,
                    };
                    let spread = effects::percentiles(&self.effects, &cohort, &times, &config)?;
                    for (c, p) in effects.iter_mut().zip(spread) {
                        c.population = Some(p);
                    }
                }
                Ok(ScheduleResult {
                    name: self.label(s),
                    trajectory,
                    summary,
                    population,
                    tci,
                    effects,
                })
            })
            .collect()
    }
}
