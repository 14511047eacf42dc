//! Published pharmacodynamic observations, predicted by the built-in endpoints on the
//! PK models they run with (`ketasim validate`, second table). Each target is a small
//! scenario run through the same study code as `ketasim run`, so what is validated is
//! what users get.

use crate::error::Result;
use crate::scenario;
use crate::solver::SolverKind;
use std::path::Path;

/// What a PD target compares.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PdQuantity {
    /// Hours the first endpoint spends past its threshold (h).
    HoursPastThreshold,
    /// Hours from `from_h` until the first endpoint last leaves its threshold (h).
    LastPastThresholdAfter(f64),
}

/// One published PD observation and how to reproduce it.
#[derive(Debug, Clone)]
pub struct PdTarget {
    /// Short id.
    pub id: &'static str,
    /// What was observed, in words.
    pub observation: &'static str,
    /// Source and confidence tag (docs/sources.md §Pharmacodynamics).
    pub source: &'static str,
    /// The scenario simulated (one schedule, one `[[effect]]` with a threshold).
    pub scenario: &'static str,
    /// What is compared.
    pub quantity: PdQuantity,
    /// The published value (h).
    pub observed_h: f64,
    /// Predicted/observed must lie within `1/factor ..= factor`.
    pub factor: f64,
    /// Why that tolerance.
    pub tolerance_why: &'static str,
    /// Why the prediction misses, when it does.
    pub known_miss: Option<&'static str>,
}

/// A PD target's prediction and verdict.
#[derive(Debug, Clone, Copy)]
pub struct PdOutcome {
    /// Predicted value (h).
    pub predicted_h: f64,
    /// Predicted / observed.
    pub ratio: f64,
    /// Within tolerance.
    pub pass: bool,
}

/// The targets.
pub fn targets() -> Vec<PdTarget> {
    vec![
        PdTarget {
            id: "herd2008-sedation-15min",
            observation: "1.5 mg/kg IV bolus, adult: sedation score below 2 for 15 min (Herd 2007/2008 PK-PD)",
            source: "Dallimore D, Herd DW, Short T, Anderson BJ. Pediatr Emerg Care 2008;24:529-33 (doi:10.1097/PEC.0b013e318180fdb5), a simulation with the published Herd PK-PD; abstract read (B)",
            scenario: HERD_ADULT_BOLUS,
            quantity: PdQuantity::HoursPastThreshold,
            observed_h: 15.0 / 60.0,
            factor: 1.25,
            tolerance_why: "the same published parameters: only the adult's weight (taken as 70 kg) and the output step differ",
            known_miss: None,
        },
        PdTarget {
            id: "herd2008-score4-70min",
            observation: "1.5 mg/kg IV bolus, adult: sedation score back to 4 only after 70 min",
            source: "Dallimore 2008 (as above), abstract read (B)",
            scenario: HERD_ADULT_SCORE_4,
            quantity: PdQuantity::LastPastThresholdAfter(0.0),
            observed_h: 70.0 / 60.0,
            factor: 1.25,
            tolerance_why: "as above",
            known_miss: Some("ketasim's typical child-model adult is back to 4 after about 30 min. Dallimore's settings for this number (weight, any between-subject variability, what 'reached' means) were not read: unexplained, kept visible"),
        },
        PdTarget {
            id: "dahan2011-relief-50d",
            observation: "S-ketamine 100 h IV in CRPS-1: analgesia outlasts the infusion by 50 days",
            source: "Dahan A et al. Eur J Pain 2011;15:258-67 (doi:10.1016/j.ejpain.2010.06.016), abstract (A); 20 mg/h per 70 kg for 100 h stands for the titrated 5→20 mg/h; 'analgesia' read by ketasim as relief ≥ 20% of maximum (the paper's criterion was not read, C)",
            scenario: DAHAN_100_H,
            quantity: PdQuantity::LastPastThresholdAfter(100.0),
            observed_h: 50.0 * 24.0,
            factor: 1.5,
            tolerance_why: "the onset/offset half-time's 95% CI is 5.3–20.5 days",
            known_miss: None,
        },
    ]
}

const HERD_ADULT_BOLUS: &str = r#"name = "Herd 2008, adult bolus"
[patient]
weight = "70 kg"
[model]
pk = "herd-2007"
[simulation]
duration = "3 h"
output_every = "15 s"
[[schedule]]
name = "1.5 mg/kg"
doses = [{ route = "iv", amount = "1.5 mg/kg" }]
[[effect]]
name = "sedation"
pd = "herd-2008"
threshold = "below 2"
"#;

const HERD_ADULT_SCORE_4: &str = r#"name = "Herd 2008, adult bolus, back to 4"
[patient]
weight = "70 kg"
[model]
pk = "herd-2007"
[simulation]
duration = "3 h"
output_every = "15 s"
[[schedule]]
name = "1.5 mg/kg"
doses = [{ route = "iv", amount = "1.5 mg/kg" }]
[[effect]]
name = "sedation"
pd = "herd-2008"
threshold = "below 4"
"#;

const DAHAN_100_H: &str = r#"name = "Dahan 2011, 100 h infusion"
[patient]
weight = "70 kg"
[model]
pk = "fanta-2015"
[simulation]
duration = "120 d"
output_every = "1 h"
[[schedule]]
name = "20 mg/h for 100 h"
doses = [{ route = "iv", rate = "20 mg/h", over = "100 h" }]
[[effect]]
name = "CRPS relief"
pd = "dahan-2011"
threshold = "above 0.2"
"#;

impl PdTarget {
    /// Simulate and compare.
    pub fn evaluate(&self) -> Result<PdOutcome> {
        let s = scenario::parse(Path::new(self.id), self.scenario)?;
        let r = s.simulate(SolverKind::Exact)?;
        let c = r
            .first()
            .and_then(|r| r.effects.first().map(|c| (r, c)))
            .ok_or_else(|| crate::Error::invalid("a PD target without an effect", "one"))?;
        let (result, course) = c;
        let predicted_h = match self.quantity {
            PdQuantity::HoursPastThreshold => course.summary.hours_past_threshold.unwrap_or(0.0),
            PdQuantity::LastPastThresholdAfter(from_h) => {
                let past = |e: f64| match course.endpoint.threshold {
                    Some(crate::effect::Threshold::Above(v)) => e > v,
                    Some(crate::effect::Threshold::Below(v)) => e < v,
                    None => false,
                };
                let times = &result.trajectory.time_h;
                let last = course.effect.iter().rposition(|e| past(*e));
                last.map_or(0.0, |i| times[i] - from_h)
            }
        };
        let ratio = predicted_h / self.observed_h;
        Ok(PdOutcome {
            predicted_h,
            ratio,
            pass: ratio >= 1.0 / self.factor && ratio <= self.factor,
        })
    }
}

/// Every PD target with its outcome.
pub fn run_all() -> Result<Vec<(PdTarget, PdOutcome)>> {
    targets()
        .into_iter()
        .map(|t| {
            let o = t.evaluate()?;
            Ok((t, o))
        })
        .collect()
}
