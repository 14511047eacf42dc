//! The population part of `ketasim explain`: for a scenario with `[population]`, each
//! schedule's percentiles of Cmax, Tmax and AUC, the share of subjects reaching each
//! band, and the 5th/50th/95th percentile concentrations at every time the lesson text
//! names ("at 30 min") with the share of subjects below, inside and above each band
//! there, counted subject by subject during the run, so a lesson's question about the
//! population gets an answer.

use crate::error::Result;
use crate::population::{interpolate, BandShare, PopulationCourse};
use crate::scenario::Scenario;
use crate::solver::SolverKind;
use crate::study::ScheduleResult;
use crate::units::{parse_duration_h, Hours};

/// One schedule's population facts.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationFacts {
    /// The schedule's name.
    pub schedule: String,
    /// The simulated course (percentiles and band shares).
    pub course: PopulationCourse,
    /// The population at each time the lesson names.
    pub at_times: Vec<AtTime>,
}

/// The population at one time a lesson names.
#[derive(Debug, Clone, PartialEq)]
pub struct AtTime {
    /// The time (h).
    pub time_h: Hours,
    /// 5th, 50th and 95th percentile concentration (ng/mL).
    pub percentiles_ng_ml: (f64, f64, f64),
    /// Share of subjects below, inside and above each band of the course, in its order.
    pub shares: Vec<BandShare>,
}

/// Simulate `s` with `solver`, its population counted against the bands at every time
/// its lesson text names (what [`facts`] reads).
pub fn simulate(s: &Scenario, solver: SolverKind) -> Result<Vec<ScheduleResult>> {
    s.simulate_probing(solver, &times_named(&s.description))
}

/// Times written as `at NUMBER UNIT` in `text` ("at 30 min", "at 2 h,"), in order,
/// without repeats.
pub fn times_named(text: &str) -> Vec<Hours> {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out: Vec<Hours> = Vec::new();
    for w in words.windows(3).filter(|w| w[0].eq_ignore_ascii_case("at")) {
        let unit = w[2].trim_end_matches(|c: char| !c.is_alphanumeric());
        if let Ok(h) = parse_duration_h(&format!("{} {unit}", w[1])) {
            if !out.iter().any(|t| (t - h).abs() < 1e-12) {
                out.push(h);
            }
        }
    }
    out
}

/// The facts of every schedule with a population, at the times `lesson` names.
pub fn facts(results: &[ScheduleResult], lesson: &str) -> Vec<PopulationFacts> {
    let times = times_named(lesson);
    let one = |r: &ScheduleResult| {
        let p = r.population.as_ref()?;
        let t = r.trajectory.time_h.as_slice()?;
        let at_times = (times.iter())
            .filter_map(|&h| {
                let pct = |v: &[f64]| interpolate(t, v, h);
                let probe = p
                    .probes
                    .iter()
                    .find(|q| q.time_h.to_bits() == h.to_bits())?;
                Some(AtTime {
                    time_h: h,
                    percentiles_ng_ml: (pct(&p.p05_ng_ml)?, pct(&p.p50_ng_ml)?, pct(&p.p95_ng_ml)?),
                    shares: probe.shares.clone(),
                })
            })
            .collect();
        Some(PopulationFacts {
            schedule: r.name.clone(),
            course: p.clone(),
            at_times,
        })
    };
    results.iter().filter_map(one).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_named_in_a_lesson_are_found() {
        let text = "how many children are still above the emergence band at 30 min. And at 2 h, at 30 min again; at dawn";
        assert_eq!(times_named(text), vec![0.5, 2.0]);
    }
}
