//! Teaching numbers read off the linear system by exact propagation and root finding.
//!
//! **Approach to steady state.** Let `C₁(t)` be the plasma curve after one dose (or one
//! dosing interval's doses) given to an empty body. Given every τ hours, the mean
//! concentration over the n-th interval is `(1/τ) ∫₀^{nτ} C₁ dt`, and at steady state it is
//! `(1/τ) ∫₀^∞ C₁ dt`; a constant-rate infusion is the limit τ → 0 of the same sum. So the
//! fraction of steady state reached at time `t` is `f(t) = AUC₁(0, t) / AUC₁(0, ∞)` for
//! infusions and repeated doses alike, and the time to 90% of steady state is the `t` with
//! `f(t) = 0.9`. For one compartment `f(t) = 1 − e^{−k t}`, so `t₉₀ = ln 10 / k ≈ 3.3`
//! half-lives. The accumulation ratio follows from the same function:
//! `R = AUC_τ,ss / AUC₁(0, τ) = 1 / f(τ)`, which for one compartment is `1 / (1 − e^{−k τ})`.
//!
//! ## Reference
//! Gibaldi M, Perrier D. *Pharmacokinetics*, 2nd ed. Marcel Dekker, 1982, ch. 3 (multiple
//! dosing: fraction of steady state `1 − e^{−k n τ}`, accumulation `1 / (1 − e^{−k τ})`);
//! Rowland M, Tozer TN. *Clinical Pharmacokinetics and Pharmacodynamics*, 4th ed.
//! Lippincott Williams & Wilkins, 2011 (constant-rate input and multiple-dose regimens:
//! approach to plateau, the "3.3 half-lives to 90%" rule). The superposition argument
//! above holds for any linear model (ibid.), so the same definition serves 2 and 3
//! compartments, absorption depots and lag times.
//!
//! **Wash-out.** The context-sensitive half-time (Hughes MA, Glass PSA, Jacobs JR.
//! Anesthesiology 1992;76:334–341, doi:10.1097/00000542-199203000-00003) is the time for
//! the plasma concentration to fall by half after an infusion stops. It is found here from
//! the model state at the moment of stopping, `C(t) = [e^{A t} x]₀ / V1`, as the first
//! crossing of half the starting value.
//!
//! Every root is bracketed by scanning forward in growing steps, then narrowed by
//! bisection to [`ROOT_RELATIVE_TOLERANCE`].

use crate::dosing::{Event, Input, InputKind, Timeline};
use crate::error::Result;
use crate::model::system::{Analyte, LinearSystem};
use crate::simulate::exact_states;
use nalgebra::{DMatrix, DVector};

/// Bisection stops when the bracket is narrower than this fraction of the time found:
/// far below the 4 significant digits shown, and well above the ~1e-16 rounding of f64.
pub const ROOT_RELATIVE_TOLERANCE: f64 = 1e-12;
/// The forward scan that brackets a root grows its step by this factor: small enough that
/// a curve cannot cross and cross back between two looks in these linear models, whose
/// fastest change is set by their fastest rate constant (the scan starts well below it).
const SCAN_GROWTH: f64 = 1.25;
/// The scan starts at this fraction of the system's fastest half-life.
const SCAN_START_FRACTION: f64 = 1.0 / 64.0;
/// The scan gives up after this many of the system's slowest half-lives (2^-200 of the
/// drug is left by then: a crossing not found is one that never happens).
const SCAN_LIMIT_HALF_LIVES: f64 = 200.0;

/// The fastest and slowest rates (1/h) of the system's dynamic block: the real parts of
/// its eigenvalues, negated. `None` when a rate is not positive (no elimination).
fn rate_range_per_h(system: &LinearSystem) -> Option<(f64, f64)> {
    let nd = system.layout.n_dynamic;
    let a = system.a.view((0, 0), (nd, nd)).into_owned();
    let rates: Vec<f64> = a.complex_eigenvalues().iter().map(|l| -l.re).collect();
    let slowest = rates.iter().copied().fold(f64::INFINITY, f64::min);
    let fastest = rates.iter().copied().fold(0.0, f64::max);
    (slowest > 0.0 && slowest.is_finite()).then_some((fastest, slowest))
}

/// True when state `i` drains into the parent's central compartment: a parent
/// compartment, or an absorption depot of the parent.
fn feeds_parent(system: &LinearSystem, i: usize) -> bool {
    i < system.layout.n_parent
        || system
            .layout
            .depots
            .iter()
            .any(|(d, s)| *s == i && d.into == Analyte::Parent)
}

/// The amount (mg) `input` delivers in total.
pub fn input_amount_mg(input: &Input) -> f64 {
    match input.kind {
        InputKind::Bolus { amount_mg } => amount_mg,
        InputKind::Infusion {
            rate_mg_h,
            duration_h,
        } => rate_mg_h * duration_h,
    }
}

/// Total parent exposure `AUC(0, ∞)` (mg·h/L) of `inputs` given to an empty body:
/// `(amount reaching the parent) / CL`, since every parent depot empties into the central
/// compartment and only CL removes drug from it (Gibaldi & Perrier, ch. 1: AUC = F·D/CL).
pub fn auc_total_mg_h_l(system: &LinearSystem, inputs: &[Input]) -> f64 {
    let amount: f64 = inputs
        .iter()
        .filter(|i| feeds_parent(system, i.state))
        .map(input_amount_mg)
        .sum();
    amount / system.model.disposition.cl_l_h
}

/// The steady-state plasma concentration (mg/L) of infusion rates `inputs` running for
/// ever: the rate reaching the parent divided by CL (Gibaldi & Perrier, ch. 3, eq. 3.5).
pub fn infusion_css_mg_l(system: &LinearSystem, inputs: &[Input]) -> f64 {
    let rate: f64 = inputs
        .iter()
        .filter(|i| feeds_parent(system, i.state))
        .map(|i| match i.kind {
            InputKind::Infusion { rate_mg_h, .. } => rate_mg_h,
            InputKind::Bolus { .. } => 0.0,
        })
        .sum();
    rate / system.model.disposition.cl_l_h
}

/// Parent exposure `AUC(0, t)` (mg·h/L) of `inputs` given to an empty body, exactly (the
/// model's own ∫C dt accumulator, propagated by the matrix exponential).
pub fn auc_to_mg_h_l(system: &LinearSystem, inputs: &[Input], t_h: f64) -> Result<f64> {
    let mut timeline = Timeline::new();
    for i in inputs {
        timeline.push(i.start_h, Event::Input(*i));
    }
    timeline.sample_at(&[t_h]);
    let samples = exact_states(system, timeline.sorted())?;
    Ok(samples.row(0)[system.layout.auc_parent])
}

/// The time (h) at which `inputs`, given once to an empty body, have produced `fraction`
/// of their total exposure; by the module's argument, the time a regimen repeating them
/// takes to reach `fraction` of its steady state. `None` without elimination or exposure.
pub fn time_to_exposure_fraction_h(
    system: &LinearSystem,
    inputs: &[Input],
    fraction: f64,
) -> Result<Option<f64>> {
    let total = auc_total_mg_h_l(system, inputs);
    let Some((fastest, slowest)) = rate_range_per_h(system) else {
        return Ok(None);
    };
    if !(total > 0.0 && total.is_finite()) {
        return Ok(None);
    }
    let last_input_h = inputs.iter().map(Input::end_h).fold(0.0, f64::max);
    let scan = Scan::of(fastest, slowest, last_input_h);
    first_crossing(scan, |t| {
        Ok(auc_to_mg_h_l(system, inputs, t)? - fraction * total)
    })
}

/// The time (h) after which the plasma concentration, starting from state `x` with no
/// further input, first falls to `fraction` of its starting value. `None` when it starts
/// at zero or never gets there.
pub fn decrement_time_h(system: &LinearSystem, x: &[f64], fraction: f64) -> Option<f64> {
    let nd = system.layout.n_dynamic;
    let a = system.a.view((0, 0), (nd, nd)).into_owned();
    let x0 = DVector::from_column_slice(&x[..nd]);
    let c0 = x0[0];
    let (fastest, slowest) = rate_range_per_h(system)?;
    if c0 <= 0.0 {
        return None;
    }
    let plasma = |t: f64| -> f64 { (DMatrix::exp(&(&a * t)).row(0) * &x0)[0] };
    first_crossing(Scan::of(fastest, slowest, 0.0), |t| {
        Ok(fraction * c0 - plasma(t))
    })
    .ok()
    .flatten()
}

/// Where a forward scan starts and gives up (h).
#[derive(Debug, Clone, Copy)]
struct Scan {
    start_h: f64,
    limit_h: f64,
}

impl Scan {
    fn of(fastest_per_h: f64, slowest_per_h: f64, after_h: f64) -> Scan {
        let ln2 = std::f64::consts::LN_2;
        Scan {
            start_h: SCAN_START_FRACTION * ln2 / fastest_per_h.max(slowest_per_h),
            limit_h: after_h + SCAN_LIMIT_HALF_LIVES * ln2 / slowest_per_h,
        }
    }
}

/// The first `t > 0` where `reached(t)` turns non-negative: scanned forward in growing
/// steps, then bisected.
fn first_crossing(scan: Scan, mut reached: impl FnMut(f64) -> Result<f64>) -> Result<Option<f64>> {
    let (mut lo, mut hi) = (0.0, scan.start_h);
    while reached(hi)? < 0.0 {
        if hi > scan.limit_h {
            return Ok(None);
        }
        (lo, hi) = (hi, hi * SCAN_GROWTH);
    }
    while hi - lo > ROOT_RELATIVE_TOLERANCE * hi {
        let mid = 0.5 * (lo + hi);
        if reached(mid)? < 0.0 {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Ok(Some(0.5 * (lo + hi)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bisection_finds_a_known_root() {
        let scan = Scan {
            start_h: 0.01,
            limit_h: 100.0,
        };
        let t = first_crossing(scan, |t| Ok(t * t - 2.0)).unwrap().unwrap();
        assert!((t - 2f64.sqrt()).abs() < 1e-11);
        assert_eq!(first_crossing(scan, |_| Ok(-1.0)).unwrap(), None);
    }
}
