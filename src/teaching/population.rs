//! The population part of `ketasim explain`: for a scenario with `[population]`, each
//! schedule's percentiles of Cmax, Tmax and AUC, the share of subjects reaching each
//! band, and the 5th/50th/95th percentile concentrations at every time the lesson text
//! names ("at 30 min"), so a lesson's question about the population gets an answer.

use crate::population::PopulationCourse;
use crate::study::ScheduleResult;
use crate::units::{parse_duration_h, Hours};

/// One schedule's population facts.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationFacts {
    /// The schedule's name.
    pub schedule: String,
    /// The simulated course (percentiles and band shares).
    pub course: PopulationCourse,
    /// `(time, p05, p50, p95)` in h and ng/mL at each time the lesson names.
    pub at_times: Vec<(Hours, f64, f64, f64)>,
}

/// Times written as `at NUMBER UNIT` in `text` ("at 30 min", "at 2 h,"), in order,
/// without repeats.
fn times_named(text: &str) -> Vec<Hours> {
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

/// Linear interpolation of `values` (sampled at `times_h`) at `t`; `None` outside.
fn at(times_h: &[f64], values: &[f64], t: f64) -> Option<f64> {
    let i = times_h.partition_point(|&x| x < t); // the first sample at or after t
    let x1 = *times_h.get(i)?;
    let Some(j) = i.checked_sub(1) else {
        // t is at or before the first sample: only "at" counts.
        return (x1 <= t).then(|| values.first().copied()).flatten();
    };
    let (x0, v0, v1) = (times_h[j], *values.get(j)?, *values.get(i)?);
    Some(v0 + (v1 - v0) * (t - x0) / (x1 - x0))
}

/// The facts of every schedule with a population, at the times `lesson` names.
pub fn facts(results: &[ScheduleResult], lesson: &str) -> Vec<PopulationFacts> {
    let times = times_named(lesson);
    let one = |r: &ScheduleResult| {
        let p = r.population.as_ref()?;
        let t = r.trajectory.time_h.as_slice()?;
        let at_times = (times.iter())
            .filter_map(|&h| {
                let pct = |v: &[f64]| at(t, v, h);
                Some((
                    h,
                    pct(&p.p05_ng_ml)?,
                    pct(&p.p50_ng_ml)?,
                    pct(&p.p95_ng_ml)?,
                ))
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

    #[test]
    fn values_between_samples_are_interpolated() {
        const EXACT: f64 = 1e-12;
        let (t, v) = ([0.0, 1.0, 2.0], [0.0, 10.0, 30.0]);
        assert!((at(&t, &v, 1.5).unwrap() - 20.0).abs() < EXACT);
        assert!((at(&t, &v, 1.0).unwrap() - 10.0).abs() < EXACT);
        assert_eq!(at(&t, &v, 3.0), None);
    }
}
