//! The teaching view of a scenario (`ketasim explain`): the numbers behind its curves, as
//! a plain struct that `report::explain` renders as text or Markdown.
//!
//! For the model at each body weight: CL, V1, Vss, the α/β/γ half-lives with the share
//! of a bolus each carries, ke0 and t½ke0, the metabolite ([`body`]). For each schedule:
//! peak and exposure, the routes with F, absorption half-life and first-pass fraction,
//! every repeated dose with its time to 90% of steady state and accumulation ratio, every
//! infusion with its steady state and context-sensitive half-time ([`schedule`]). How
//! those are computed, with sources, is in [`kinetics`].
//!
//! ```
//! use ketasim::{teaching::explain, scenario::parse};
//! let text = r#"
//! name = "One bolus"
//! [model]
//! compartments = 1
//! clearance = "79 L/h"
//! central_volume = "252 L"
//! [simulation]
//! duration = "12 h"
//! [[schedule]]
//! name = "35 mg"
//! doses = [{ route = "iv", amount = "35 mg" }]
//! "#;
//! let e = explain(&parse(std::path::Path::new("one.toml"), text).unwrap()).unwrap();
//! let t_half = e.bodies[0].phases[0].half_life_h;
//! assert!((t_half - std::f64::consts::LN_2 * 252.0 / 79.0).abs() < 1e-9);
//! ```

pub mod body;
pub mod kinetics;
pub mod population;
pub mod regimen;
pub mod schedule;

use crate::error::Result;
use crate::model::Drug;
use crate::scenario::Scenario;
use crate::study::ScheduleResult;
pub use body::{Body, EffectSite, MetaboliteBody, Phase};
pub use schedule::{InfusionFacts, Peak, RepeatFacts, RouteUse, ScheduleFacts};

/// Who and what the model is.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFacts {
    /// Its id, e.g. `kamp-2020` or `custom`.
    pub id: String,
    /// One line for people.
    pub title: String,
    /// Racemic or S-ketamine.
    pub drug: Drug,
    /// Who it was built from.
    pub population: String,
    /// Where it comes from.
    pub citation: String,
    /// How well its numbers are sourced.
    pub confidence: String,
}

/// Everything `ketasim explain` says about a scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Explanation {
    /// The scenario's title.
    pub name: String,
    /// Its description: the lesson text.
    pub lesson: String,
    /// The model.
    pub model: ModelFacts,
    /// The model at each body weight the schedules use, lightest first.
    pub bodies: Vec<Body>,
    /// Each schedule, in file order.
    pub schedules: Vec<ScheduleFacts>,
    /// The simulated window (h).
    pub duration_h: f64,
    /// With `[population]`: each schedule's percentiles and band shares.
    pub population: Vec<population::PopulationFacts>,
    /// Each `[[effect]]` endpoint with every schedule's peak effect.
    pub effects: Vec<EffectFacts>,
}

/// One endpoint in `explain`: its parameters, and each schedule's summary.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectFacts {
    /// The endpoint.
    pub endpoint: crate::effect::Endpoint,
    /// Schedule name, time of its plasma peak (h), and the effect's summary.
    pub schedules: Vec<(String, f64, crate::effect::course::EffectSummary)>,
}

impl Explanation {
    /// The model at `weight_kg`.
    pub fn body(&self, weight_kg: f64) -> Option<&Body> {
        self.bodies
            .iter()
            .find(|b| b.weight_kg.to_bits() == weight_kg.to_bits())
    }
}

/// The teaching numbers of `s`, simulated with its own solver.
pub fn explain(s: &Scenario) -> Result<Explanation> {
    explain_results(s, &population::simulate(s, s.solver)?)
}

/// The teaching numbers of `s`, whose schedules have already been simulated as `results`.
pub fn explain_results(s: &Scenario, results: &[ScheduleResult]) -> Result<Explanation> {
    // The facts below (half-lives, F, first pass) are read off the mammillary parameters;
    // a written network has its own and would be described wrongly.
    if let Some(sch) = s.schedules.iter().find(|x| x.model.network.is_some()) {
        return Err(crate::Error::invalid(
            format!(
                "schedule {:?} on a written network ({})",
                sch.name, sch.model.id
            ),
            "built-in or mammillary models: explain describes only those",
        ));
    }
    let mut weights: Vec<f64> = s.schedules.iter().map(|x| x.weight_kg).collect();
    weights.sort_by(f64::total_cmp);
    weights.dedup_by(|a, b| a.to_bits() == b.to_bits());
    let schedules = s
        .schedules
        .iter()
        .zip(results)
        .map(|(sch, r)| schedule::facts(&sch.model, sch, r, s.output_every_h))
        .collect::<Result<Vec<_>>>()?;
    let m = &s.model;
    Ok(Explanation {
        name: s.name.clone(),
        lesson: s.description.clone(),
        model: ModelFacts {
            id: m.id.clone(),
            title: m.title.clone(),
            drug: m.drug,
            population: m.population.clone(),
            citation: m.citation.clone(),
            confidence: m.confidence.clone(),
        },
        bodies: weights.iter().map(|w| Body::of(m, *w)).collect(),
        schedules,
        duration_h: s.duration_h,
        population: population::facts(results, &s.description),
        effects: s
            .effects
            .iter()
            .enumerate()
            .map(|(k, e)| EffectFacts {
                endpoint: e.clone(),
                schedules: results
                    .iter()
                    .filter_map(|r| {
                        let c = r.effects.get(k)?;
                        Some((r.name.clone(), r.summary.tmax_h, c.summary))
                    })
                    .collect(),
            })
            .collect(),
    })
}
