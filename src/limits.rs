//! The limits every input number is held to before it reaches the engine.
//!
//! Each keeps what the engine computes finite and the work bounded: a weight of 1e-25 kg
//! or a volume of 1e-300 L makes concentrations overflow, a ka of 1e50 /h makes the
//! matrix exponential square for ever, `times = 1000000000` asks for 80 GB. Every limit is
//! far outside anything a patient or a published model needs; the README lists them
//! ("Limits") and every error that cites one gives the number.

use crate::units::fmt_num;

/// Lightest and heaviest patient (kg): a preterm neonate is about 0.5 kg.
pub const WEIGHT_KG: (f64, f64) = (0.1, 500.0);
/// Longest time anywhere in the input (h): 10 years of 365.25 days. Durations, start
/// times, intervals, infusion times, lags, dataset TIME, II and DUR.
pub const MAX_TIME_H: f64 = 87_660.0;
/// Largest single dose (mg): 100 g, some thousand times an anaesthetic dose.
pub const MAX_AMOUNT_MG: f64 = 1e5;
/// Largest dose per kg (mg/kg).
pub const MAX_AMOUNT_MG_PER_KG: f64 = 1e3;
/// Fastest infusion (mg/h).
pub const MAX_RATE_MG_H: f64 = 1e5;
/// Fastest infusion per kg (mg/kg/h).
pub const MAX_RATE_MG_KG_H: f64 = 1e3;
/// Smallest and largest compartment volume (L).
pub const VOLUME_L: (f64, f64) = (1e-3, 1e5);
/// Smallest and largest compartment volume per kg (L/kg).
pub const VOLUME_L_PER_KG: (f64, f64) = (1e-2, 1e3);
/// Largest clearance (L/h): some thousand times hepatic blood flow.
pub const MAX_CLEARANCE_L_H: f64 = 1e5;
/// Largest clearance per kg (L/h/kg).
pub const MAX_CLEARANCE_L_H_KG: f64 = 1e3;
/// Fastest first-order rate constant (ka, ke0; 1/h): a half-life of 0.25 s.
pub const MAX_RATE_CONSTANT_PER_H: f64 = 1e4;
/// Most doses one schedule or one dataset record expands to (repeats, ADDL): a dose every
/// minute for 69 days. The event walk keeps waiting doses in a heap and plot markers are
/// grouped after one sort, so the cost grows as n log n: ADDL 100,000 runs in 0.09 s.
pub const MAX_DOSES: usize = 100_000;
/// Most intervals a steady-state dose may outlast (an infusion or lag longer than its
/// interval): the steady state carries one tail per overlapped interval.
pub const MAX_STEADY_STATE_OVERLAP: f64 = 1_000.0;
/// Longest scenario or schedule name (characters): names are table cells and legend
/// labels.
pub const MAX_NAME_CHARS: usize = 200;
/// Largest bioavailability F in a dataset (NONMEM allows F > 1 as a relative factor).
pub const MAX_DATASET_F: f64 = 100.0;

/// Most `[[effect]]` endpoints in one scenario: each runs its own effect-site pass.
pub const MAX_EFFECTS: usize = 16;
/// Smallest and largest EC50 (ng/mL): a femtogram per mL to 10 g/L.
pub const EC50_NG_ML: (f64, f64) = (1e-6, 1e7);
/// Smallest and largest Hill coefficient: beyond 100 the curve is a step.
pub const HILL: (f64, f64) = (0.01, 100.0);
/// Largest size of an effect number (baseline, Emax, slope per ng/mL): effects are
/// scores, percentages and fractions, so 1e6 is far beyond any scale.
pub const MAX_EFFECT_MAGNITUDE: f64 = 1e6;
/// Longest effect-site half-time (h): the input time limit, [`MAX_TIME_H`]. The
/// shortest is ln 2 / [`MAX_RATE_CONSTANT_PER_H`].
pub const MAX_T_HALF_KE0_H: f64 = MAX_TIME_H;

/// True when `v` lies in `[lo, hi]` (false for NaN).
pub fn within(v: f64, (lo, hi): (f64, f64)) -> bool {
    v >= lo && v <= hi
}

/// `"lo to hi unit"`, for error messages.
pub fn range_text((lo, hi): (f64, f64), unit: &str) -> String {
    format!("{} {unit} to {} {unit}", fmt_num(lo), fmt_num(hi))
}

/// `"at most hi unit"`, for error messages.
pub fn at_most_text(hi: f64, unit: &str) -> String {
    format!("at most {} {unit}", fmt_num(hi))
        .trim_end()
        .to_string()
}

/// A computed number for an error message: plain up to a million, else `1.23e9`, so a
/// runaway value does not print 300 digits.
pub fn number_text(v: f64) -> String {
    if v.abs() >= 1e7 || (v != 0.0 && v.abs() < 1e-4) {
        format!("{v:.3e}")
    } else {
        fmt_num(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn within_is_inclusive_and_refuses_nan() {
        assert!(within(0.1, WEIGHT_KG) && within(500.0, WEIGHT_KG));
        assert!(!within(0.0999, WEIGHT_KG) && !within(f64::NAN, WEIGHT_KG));
        assert_eq!(range_text(WEIGHT_KG, "kg"), "0.1 kg to 500 kg");
        assert_eq!(number_text(1e300), "1.000e300");
        assert_eq!(number_text(2000.0), "2000");
    }
}
