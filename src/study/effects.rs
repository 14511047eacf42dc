//! The effect courses of one schedule: each endpoint's effect sites run through the
//! engine ([`crate::effect::site`]) on the schedule's doses and output grid, then its
//! response turns them into effects.

use crate::dosing::{schedule_depots, Dose, SteadyStart, Timeline};
use crate::effect::course::EffectCourse;
use crate::effect::site::with_effect_site;
use crate::effect::{Analyte, Endpoint};
use crate::error::{Error, Result};
use crate::model::system::LinearSystem;
use crate::model::Model;
use crate::simulate::simulate;
use crate::solver::SolverConfig;

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
