//! TCI with effect-site targets across a population: the typical patient's pump in every
//! subject, read at each subject's own effect site (its own model, with the model's ke0).
//!
//! The fast path ([`crate::simulate::grid`]) keeps only the states the plasma curve needs,
//! so these subjects are simulated again with every state on the output grid (the same
//! subjects: each is drawn from its own seeded stream, [`super::subject`]). Each is scored
//! by Varvel 1992 ([`super::varvel`]) against the target in force at each time, of either
//! site, and the effect-site curves are reduced to percentiles: the band of achieved
//! concentration drawn against the target line.

use super::percentile;
use super::subject::{Sampler, Subject};
use super::{varvel, Population, Run, TciPerformance};
use crate::dosing::{schedule_depots, Timeline};
use crate::error::{Error, InputError, Result, Span};
use crate::model::system::LinearSystem;
use crate::simulate::{simulate, Trajectory};
use rayon::prelude::*;

/// Percentiles of the effect-site concentration across subjects at each output time.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectSiteCourse {
    /// 5th percentile (ng/mL).
    pub p05_ng_ml: Vec<f64>,
    /// Median (ng/mL).
    pub p50_ng_ml: Vec<f64>,
    /// 95th percentile (ng/mL).
    pub p95_ng_ml: Vec<f64>,
}

/// What each subject is scored against, on the run's grid (ng/mL, NaN where no target is
/// set or not yet scored): at most one of the two is a number at any time.
#[derive(Debug, Clone, Copy)]
pub struct SiteTargets<'a> {
    /// The plasma target in force.
    pub plasma_ng_ml: &'a [f64],
    /// The effect-site target in force.
    pub effect_ng_ml: &'a [f64],
}

/// Every subject's effect-site curve as percentiles, and the Varvel measures of the pump
/// in every subject against `targets` (`None` when no time is scored).
pub fn simulate_effect_site(
    population: &Population,
    run: &Run,
    targets: SiteTargets,
) -> Result<(EffectSiteCourse, Option<TciPerformance>)> {
    let sampler = Sampler::new(&population.variability)?;
    let (n, points) = (population.size, run.grid.len());
    let times = run.grid.times_h();
    let mut curves = vec![0f32; n * points];
    let mut scores = vec![f64::NAN; n * 4];
    curves
        .par_chunks_mut(points)
        .zip(scores.par_chunks_mut(4))
        .enumerate()
        .with_min_len(8)
        .try_for_each(|(i, (curve, score))| {
            let s = sampler.draw(population, population.first + i, run.weight_kg);
            let course = every_state(run, &s, &times)?;
            let Some(effect) = &course.effect_ng_ml else {
                return Err(Error::Invalid(InputError::new(
                    Span::default(),
                    "an effect-site target on a model without an effect site",
                    "a model with a ke0, or plasma targets",
                )));
            };
            for (c, v) in curve.iter_mut().zip(effect) {
                *c = *v as f32;
            }
            // At each time, the concentration of the site the target in force is for.
            let (mut measured, mut target) = (vec![0.0; points], vec![f64::NAN; points]);
            for k in 0..points {
                (measured[k], target[k]) = match targets.effect_ng_ml[k].is_finite() {
                    true => (effect[k], targets.effect_ng_ml[k]),
                    false => (course.plasma_ng_ml[k], targets.plasma_ng_ml[k]),
                };
            }
            if let Some(p) = varvel::performance(&times, &measured, &target) {
                score.copy_from_slice(&[p.mdpe, p.mdape, p.divergence, p.wobble]);
            }
            Ok::<(), Error>(())
        })?;
    let [p05_ng_ml, p50_ng_ml, p95_ng_ml] = percentile::of_curves(&curves, n, points);
    let band = EffectSiteCourse {
        p05_ng_ml,
        p50_ng_ml,
        p95_ng_ml,
    };
    Ok((band, super::tci_performance(&scores)))
}

/// Subject `s` with every state at `times_h`: its model and regimen as the fast path
/// sets them up, on the general engine.
fn every_state(run: &Run, s: &Subject, times_h: &[f64]) -> Result<Trajectory> {
    let model = s.model(run.spec);
    let regimen = run.regimen.at_weight(s.weight_kg / run.weight_kg);
    let (mut doses, mut steady) = (regimen.doses(), regimen.steady());
    s.absorbed(&mut doses, &mut steady);
    let system = LinearSystem::new(&model, &schedule_depots(&doses, &steady));
    let timeline = Timeline::of_schedule(&doses, &steady, &system, times_h);
    simulate(&system, timeline, &run.config)
}
