//! The effect courses of one schedule: each endpoint's effect sites run through the
//! engine ([`crate::effect::site`]) on the schedule's doses and output grid, then its
//! response turns them into effects.

use crate::dosing::Regimen;
use crate::dosing::{schedule_depots, Dose, SteadyStart, Timeline};
use crate::effect::course::{summarize, EffectCourse, EffectPercentiles};
use crate::effect::site::with_effect_site;
use crate::effect::{Analyte, Endpoint};
use crate::error::{Error, Result};
use crate::model::system::LinearSystem;
use crate::model::Model;
use crate::model::ModelSpec;
use crate::population::percentile;
use crate::population::subject::Sampler;
use crate::population::Population;
use crate::simulate::simulate;
use crate::solver::SolverConfig;
use rayon::prelude::*;

/// What one schedule was simulated with.
pub(super) struct Given<'a> {
    /// The patient's model.
    pub model: &'a Model,
    /// Every dose, pump doses included.
    pub doses: &'a [Dose],
    /// Steady starts.
    pub steady: &'a [SteadyStart],
    /// Output times (h).
    pub times_h: &'a [f64],
    /// Engine and tolerances.
    pub config: &'a SolverConfig,
}

/// One endpoint's effect at `times_h` for `model` given `doses` and `steady`.
fn effect_of(e: &Endpoint, g: &Given) -> Result<Vec<f64>> {
    let parent = effect_site_ng_ml(g, Analyte::Parent, e.ke0_per_h)?;
    let metabolite = match e.response.metabolite {
        Some(_) => Some(effect_site_ng_ml(g, Analyte::Metabolite, e.ke0_per_h)?),
        None => None,
    };
    Ok(parent
        .iter()
        .enumerate()
        .map(|(i, &c)| e.response.at(c, metabolite.as_ref().map_or(0.0, |m| m[i])))
        .collect())
}

/// What a population run of one schedule needs.
pub(super) struct Cohort<'a> {
    /// The population.
    pub population: &'a Population,
    /// The schedule's model (typical values).
    pub spec: &'a ModelSpec,
    /// The schedule's weight (kg).
    pub weight_kg: f64,
    /// The schedule's regimen, pump doses included.
    pub regimen: &'a Regimen,
}

/// Each endpoint's percentiles across the population's subjects: the same subjects
/// (seeded draws) as the plasma percentiles, each run through the engine with the
/// endpoint's effect sites.
pub(super) fn percentiles(
    endpoints: &[Endpoint],
    cohort: &Cohort,
    times_h: &[f64],
    config: &SolverConfig,
) -> Result<Vec<EffectPercentiles>> {
    let sampler = Sampler::new(&cohort.population.variability)?;
    let (n, points) = (cohort.population.size, times_h.len());
    endpoints
        .iter()
        .map(|e| {
            let per_subject: Vec<Vec<f64>> = (0..n)
                .into_par_iter()
                .with_min_len(8)
                .map(|i| {
                    let index = cohort.population.first + i;
                    let s = sampler.draw(cohort.population, index, cohort.weight_kg);
                    let model = s.model(cohort.spec);
                    let regimen = cohort.regimen.at_weight(s.weight_kg / cohort.weight_kg);
                    let (mut doses, mut steady) = (regimen.doses(), regimen.steady());
                    s.absorbed(&mut doses, &mut steady);
                    let subject_e = subject_endpoint(e, cohort.population.seed, index);
                    effect_of(
                        &subject_e,
                        &Given {
                            model: &model,
                            doses: &doses,
                            steady: &steady,
                            times_h,
                            config,
                        },
                    )
                })
                .collect::<Result<_>>()?;
            let curves: Vec<f32> = per_subject
                .iter()
                .flat_map(|c| c.iter().map(|&v| v as f32))
                .collect();
            let summaries: Vec<_> = per_subject
                .iter()
                .map(|c| summarize(e, times_h, c))
                .collect();
            let of = |f: &dyn Fn(&crate::effect::course::EffectSummary) -> f64| {
                percentile::of_values(&summaries.iter().map(f).collect::<Vec<f64>>())
            };
            Ok(EffectPercentiles {
                curves: percentile::of_curves(&curves, n, points),
                peak: of(&|s| s.peak),
                time_of_peak_h: of(&|s| s.time_of_peak_h),
                hours_past_threshold: e
                    .threshold
                    .map(|_| of(&|s| s.hours_past_threshold.unwrap_or(0.0))),
            })
        })
        .collect()
}

/// Subject `i`'s endpoint: with published PD variability, its own Emax and EC50, drawn
/// from a ChaCha8 stream of its own (seed, stream `i`, offset past the PK draws), so the
/// numbers depend only on `(seed, i)`, as the PK draws do.
fn subject_endpoint(e: &Endpoint, seed: u64, i: usize) -> Endpoint {
    use rand::SeedableRng;
    use rand_distr::{Distribution, StandardNormal};
    let Some(v) = e.variability else {
        return e.clone();
    };
    // A different key from the PK stream's: PK and PD draws stay independent.
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed ^ PD_SEED_KEY);
    rng.set_stream(i as u64);
    let (z1, z2): (f64, f64) = (
        StandardNormal.sample(&mut rng),
        StandardNormal.sample(&mut rng),
    );
    Endpoint {
        response: v.apply(e.response, z1, z2),
        ..e.clone()
    }
}

/// XORed into the population seed for PD draws ("PD" in ASCII, shifted).
const PD_SEED_KEY: u64 = 0x5044 << 48;

/// The effect-site concentration (ng/mL) of a site following `of` with `ke0_per_h`.
pub(super) fn effect_site_ng_ml(g: &Given, of: Analyte, ke0_per_h: f64) -> Result<Vec<f64>> {
    let model = with_effect_site(g.model, of, ke0_per_h).ok_or_else(|| {
        Error::invalid(
            "an endpoint with a metabolite term on a model without a metabolite",
            "a model that forms norketamine",
        )
    })?;
    let system = LinearSystem::new(&model, &schedule_depots(g.doses, g.steady));
    let timeline = Timeline::of_schedule(g.doses, g.steady, &system, g.times_h);
    let course = simulate(&system, timeline, g.config)?;
    Ok(course
        .effect_ng_ml
        .map(|e| e.to_vec())
        .unwrap_or_else(|| vec![0.0; g.times_h.len()]))
}

/// Every endpoint's course on the schedule `g`.
pub(super) fn courses(endpoints: &[Endpoint], g: &Given) -> Result<Vec<EffectCourse>> {
    endpoints
        .iter()
        .map(|e| {
            let parent = effect_site_ng_ml(g, Analyte::Parent, e.ke0_per_h)?;
            let metabolite = match e.response.metabolite {
                Some(_) => Some(effect_site_ng_ml(g, Analyte::Metabolite, e.ke0_per_h)?),
                None => None,
            };
            Ok(EffectCourse::new(
                e,
                g.times_h,
                parent,
                metabolite.as_deref(),
            ))
        })
        .collect()
}
