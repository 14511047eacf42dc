//! Published observations the models and route defaults are checked against, and the
//! check itself. `ketasim validate` prints the table; `tests/literature.rs` asserts it.
//!
//! Each [`Target`] says what was measured, where it was published (with the confidence
//! tag of docs/sources.md §Confidence tags), how ketasim simulates it, and how close the
//! prediction must come. A target the models cannot reproduce carries the reason
//! (`known_miss`), and the tests check that it still misses, so the reason cannot go stale.

pub mod effects;
mod intranasal;
mod targets;

pub use intranasal::{arms as intranasal_arms, NasalArm};
pub use targets::targets;

use crate::dosing::{depots, grid, Dose, Timeline};
use crate::error::Result;
use crate::metrics::summarize;
use crate::model::system::LinearSystem;
use crate::model::ModelSpec;
use crate::route::Route;
use crate::simulate::simulate;
use crate::solver::SolverConfig;

/// Output step of validation simulations (h): 15 s resolves a Tmax of a few minutes.
const STEP_H: f64 = 15.0 / 3600.0;

/// What is compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Quantity {
    /// Peak plasma concentration (ng/mL).
    Cmax,
    /// Time of the peak (h).
    Tmax,
    /// Plasma concentration at a time (ng/mL).
    ConcentrationAt(f64),
    /// AUC from 0 to the end of the simulated window (ng·h/mL).
    Auc,
    /// The model's clearance at the patient weight (L/h).
    Clearance,
    /// The model's volume at steady state at the patient weight (L).
    Vss,
    /// Peak metabolite concentration (ng/mL).
    MetaboliteCmax,
    /// Absolute bioavailability: parent AUC over the AUC of the same amount IV as a bolus
    /// at the same times (AUC to the end of the window; use a window of several t½).
    Bioavailability,
}

impl Quantity {
    /// Name and unit for tables.
    pub fn label(&self) -> String {
        match self {
            Quantity::Cmax => "Cmax (ng/mL)".into(),
            Quantity::Tmax => "Tmax (min)".into(),
            Quantity::ConcentrationAt(h) => {
                format!("C at {} min (ng/mL)", crate::units::fmt_num(h * 60.0))
            }
            Quantity::Auc => "AUC (ng·h/mL)".into(),
            Quantity::Clearance => "CL (L/h)".into(),
            Quantity::Vss => "Vss (L)".into(),
            Quantity::MetaboliteCmax => "metabolite Cmax (ng/mL)".into(),
            Quantity::Bioavailability => "F (AUC / IV AUC)".into(),
        }
    }

    /// The unit shown in tables, written after every observed and predicted value.
    pub fn unit(&self) -> &'static str {
        match self {
            Quantity::Cmax | Quantity::ConcentrationAt(_) | Quantity::MetaboliteCmax => "ng/mL",
            Quantity::Tmax => "min",
            Quantity::Auc => "ng·h/mL",
            Quantity::Clearance => "L/h",
            Quantity::Vss => "L",
            Quantity::Bioavailability => "",
        }
    }

    /// The factor from internal units (h, ng/mL, L) to the unit shown in tables.
    fn display_factor(&self) -> f64 {
        if matches!(self, Quantity::Tmax) {
            60.0
        } else {
            1.0
        }
    }
}

/// What was published.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Observed {
    /// A value (internal units: h, ng/mL, L), with its SD when reported.
    Value {
        /// Mean, median or typical value.
        value: f64,
        /// Standard deviation, when reported.
        sd: Option<f64>,
    },
    /// A range (a confidence interval, or a range of study means).
    Range {
        /// Lower edge.
        low: f64,
        /// Upper edge.
        high: f64,
    },
}

/// How close a prediction must come.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Tolerance {
    /// `value / factor ≤ predicted ≤ value × factor`; for a range, the range widened so.
    Factor(f64),
    /// `|predicted − value| ≤ fraction × value`.
    Relative(f64),
}

/// One published observation and how to reproduce it.
#[derive(Debug, Clone)]
pub struct Target {
    /// Short id, used by tests and the plot.
    pub id: &'static str,
    /// What was observed, in words.
    pub observation: &'static str,
    /// Authors, journal, year and confidence tag.
    pub source: &'static str,
    /// The model simulated.
    pub model: ModelSpec,
    /// Patient weight (kg).
    pub weight_kg: f64,
    /// The doses given.
    pub doses: Vec<Dose>,
    /// Simulated window (h).
    pub duration_h: f64,
    /// What is compared.
    pub quantity: Quantity,
    /// The published value or range.
    pub observed: Observed,
    /// How close the prediction must come.
    pub tolerance: Tolerance,
    /// Why that tolerance (the study's spread).
    pub tolerance_why: &'static str,
    /// Why the model cannot reproduce it, when it cannot.
    pub known_miss: Option<&'static str>,
    /// For an observation a route default was fitted to: whether it was used in the fit.
    pub calibration: Option<Calibration>,
}

/// Whether a study took part in fitting a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Calibration {
    /// The default was fitted to it.
    Fit,
    /// Held out of the fit, as a check.
    HeldOut,
}

/// A target's prediction and verdict.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Predicted value (internal units).
    pub predicted: f64,
    /// Predicted / observed (for a range: / the nearest edge, 1 inside).
    pub ratio: f64,
    /// Within tolerance.
    pub pass: bool,
    /// The simulated plasma curve, for plots: time (h) and ng/mL.
    pub curve: (Vec<f64>, Vec<f64>),
}

impl Target {
    /// Simulate and compare.
    pub fn evaluate(&self) -> Result<Outcome> {
        let model = self.model.individual(self.weight_kg);
        let system = LinearSystem::new(&model, &depots(&self.doses));
        let times = grid(self.duration_h, STEP_H);
        let t = simulate(
            &system,
            Timeline::of_doses(&self.doses, &system, &times),
            &SolverConfig::default(),
        )?;
        let s = summarize(&t, &[]);
        let predicted = match self.quantity {
            Quantity::Cmax => s.cmax_ng_ml,
            Quantity::Tmax => s.tmax_h,
            Quantity::ConcentrationAt(h) => {
                let i = times
                    .iter()
                    .position(|&x| x >= h - 1e-9)
                    .unwrap_or(times.len() - 1);
                t.plasma_ng_ml[i]
            }
            Quantity::Auc => s.auc_ng_h_ml,
            Quantity::Clearance => model.disposition.cl_l_h,
            Quantity::Vss => model.disposition.vss_l(),
            Quantity::MetaboliteCmax => s.cmax_metabolite_ng_ml.unwrap_or(f64::NAN),
            Quantity::Bioavailability => {
                let iv: Vec<Dose> = self
                    .doses
                    .iter()
                    .map(|d| Dose::new(&self.model, Route::Iv, d.amount_mg, &[]).at(d.time_h))
                    .collect();
                let system = LinearSystem::new(&model, &depots(&iv));
                let t_iv = simulate(
                    &system,
                    Timeline::of_doses(&iv, &system, &times),
                    &SolverConfig::default(),
                )?;
                s.auc_ng_h_ml / summarize(&t_iv, &[]).auc_ng_h_ml
            }
        };
        let (ratio, pass) = self.judge(predicted);
        Ok(Outcome {
            predicted,
            ratio,
            pass,
            curve: (t.time_h.to_vec(), t.plasma_ng_ml.to_vec()),
        })
    }

    fn judge(&self, p: f64) -> (f64, bool) {
        let (low, high, centre) = match self.observed {
            Observed::Value { value, .. } => (value, value, value),
            Observed::Range { low, high } => (low, high, f64::NAN),
        };
        let ratio = if p < low {
            p / low
        } else if p > high {
            p / high
        } else if centre.is_nan() {
            1.0
        } else {
            p / centre
        };
        let pass = match self.tolerance {
            Tolerance::Factor(f) => p >= low / f && p <= high * f,
            Tolerance::Relative(r) => p >= low * (1.0 - r) && p <= high * (1.0 + r),
        };
        (ratio, pass)
    }

    /// The observed value as shown in tables, with its unit ("45.6 min", "70–160 ng/mL").
    pub fn observed_text(&self) -> String {
        let f = self.quantity.display_factor();
        let n = crate::units::fmt_num;
        let value = match self.observed {
            Observed::Value {
                value,
                sd: Some(sd),
            } => format!("{} ± {}", n(value * f), n(sd * f)),
            Observed::Value { value, sd: None } => n(value * f),
            Observed::Range { low, high } => format!("{}–{}", n(low * f), n(high * f)),
        };
        format!("{value} {}", self.quantity.unit())
    }

    /// A predicted value as shown in tables, with its unit.
    pub fn predicted_text(&self, predicted: f64) -> String {
        let value = crate::units::fmt_num(predicted * self.quantity.display_factor());
        format!("{value} {}", self.quantity.unit())
    }

    /// The tolerance in words.
    pub fn tolerance_text(&self) -> String {
        match self.tolerance {
            Tolerance::Factor(f) => format!("within ×{}", crate::units::fmt_num(f)),
            Tolerance::Relative(r) => format!("within ±{}%", crate::units::fmt_num(r * 100.0)),
        }
    }
}

/// Every target with its outcome.
pub fn run_all() -> Result<Vec<(Target, Outcome)>> {
    targets()
        .into_iter()
        .map(|t| t.evaluate().map(|o| (t, o)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 14: "Tmax 0.76 h" was shown beside a bare 45.6 that meant minutes.
    #[test]
    fn observed_and_predicted_cells_carry_their_unit() {
        for t in targets() {
            let unit = format!(" {}", t.quantity.unit());
            assert!(t.observed_text().ends_with(&unit), "{}", t.id);
            assert!(t.predicted_text(0.5).ends_with(&unit), "{}", t.id);
        }
        let sl = targets().into_iter().find(|t| t.id == "sl-25mg-tmax");
        assert_eq!(sl.map(|t| t.observed_text()).as_deref(), Some("45.6 min"));
    }
}
