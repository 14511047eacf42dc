//! An endpoint's effect over a simulated course, and its summary: the peak effect (the
//! largest change from the baseline, in the direction the drug moves it), its time, and
//! the hours past the scenario's threshold.
//!
//! Like Cmax and Tmax ([`crate::metrics`]), the peak is read on the output grid; hours past
//! the threshold interpolate linearly where the effect crosses it between grid points.

use super::{Endpoint, Threshold};
use crate::metrics::hours_between;
use crate::population::percentile::Percentiles;

/// One endpoint's effect on the output grid.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectCourse {
    /// The endpoint.
    pub endpoint: Endpoint,
    /// Parent effect-site concentration at each output time (ng/mL).
    pub ce_ng_ml: Vec<f64>,
    /// The effect at each output time (the endpoint's units).
    pub effect: Vec<f64>,
    /// Its summary.
    pub summary: EffectSummary,
    /// With a `[population]`: the effect's percentiles over subjects.
    pub population: Option<EffectPercentiles>,
}

/// An effect across a virtual population: percentile curves and summary percentiles.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectPercentiles {
    /// 5th, 50th and 95th percentile of the effect at each output time.
    pub curves: [Vec<f64>; 3],
    /// Peak effect.
    pub peak: Percentiles,
    /// Time of the peak (h).
    pub time_of_peak_h: Percentiles,
    /// Hours past the threshold, when the endpoint has one.
    pub hours_past_threshold: Option<Percentiles>,
}

/// Summary numbers of one effect course.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EffectSummary {
    /// The effect at its peak (effect units).
    pub peak: f64,
    /// Time of the peak (h).
    pub time_of_peak_h: f64,
    /// Hours past the threshold, when the scenario names one.
    pub hours_past_threshold: Option<f64>,
}

impl EffectCourse {
    /// The course of `endpoint` from its effect-site concentrations (ng/mL) at `times_h`:
    /// the parent's, and the metabolite's for an additive endpoint.
    pub fn new(
        endpoint: &Endpoint,
        times_h: &[f64],
        ce_parent: Vec<f64>,
        ce_metabolite: Option<&[f64]>,
    ) -> EffectCourse {
        let r = endpoint.response;
        let effect: Vec<f64> = ce_parent
            .iter()
            .enumerate()
            .map(|(i, &c)| r.at(c, ce_metabolite.map_or(0.0, |m| m[i])))
            .collect();
        let summary = summarize(endpoint, times_h, &effect);
        EffectCourse {
            endpoint: endpoint.clone(),
            ce_ng_ml: ce_parent,
            effect,
            summary,
            population: None,
        }
    }
}

/// The peak (the extreme in the drug's direction), its time, and hours past the threshold.
pub fn summarize(endpoint: &Endpoint, times_h: &[f64], effect: &[f64]) -> EffectSummary {
    let direction = endpoint.response.direction();
    let (mut best, mut at) = (f64::NEG_INFINITY, 0);
    for (i, e) in effect.iter().enumerate() {
        if e * direction > best {
            (best, at) = (e * direction, i);
        }
    }
    let hours_past_threshold = endpoint.threshold.map(|t| match t {
        Threshold::Above(v) => hours_between(times_h, effect, v, f64::INFINITY),
        Threshold::Below(v) => hours_between(times_h, effect, f64::NEG_INFINITY, v),
    });
    EffectSummary {
        peak: effect.get(at).copied().unwrap_or(f64::NAN),
        time_of_peak_h: times_h.get(at).copied().unwrap_or(f64::NAN),
        hours_past_threshold,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::effect::library;
    use approx::assert_relative_eq;

    #[test]
    fn a_falling_effect_peaks_at_its_lowest() {
        let mut e = library::get("herd-2008").unwrap();
        e.threshold = Some(Threshold::Below(2.0));
        let times = [0.0, 1.0, 2.0, 3.0];
        let c = EffectCourse::new(&e, &times, vec![0.0, 2000.0, 300.0, 0.0], None);
        approx::assert_abs_diff_eq!(c.summary.time_of_peak_h, 1.0, epsilon = 1e-15);
        assert!(c.summary.peak < 1.0);
        let h = c.summary.hours_past_threshold.unwrap();
        assert!(h > 0.0 && h < 2.0, "{h}");
        assert_relative_eq!(c.effect[0], 5.0, max_relative = 1e-15);
    }
}
