//! Steady state of a periodic regimen, computed from the linear system rather than by
//! simulating many doses.
//!
//! Let `R(s)` be the state `s` hours after one dose given to an empty body (all of that
//! dose's inputs, lag and infusion included), and `T` the time its last input ends. The
//! state just before a dose at steady state is the sum of every earlier dose's response,
//! `x_ss = Σ_{k≥1} R(k τ)`. For `k τ ≥ T`, `R(k τ) = Φ(k τ − T) R(T)`, so with `K` the first
//! such `k` the infinite tail sums to `Φ(K τ − T) (I − Φ(τ))⁻¹ R(T)`; the few terms before
//! `K` (infusions longer than the interval, lags longer than it) are added one by one, and
//! what those earlier doses still deliver after the dose time is returned as `tails`. This
//! is `x_ss = (I − Φ)⁻¹ · (response to one interval)`, made exact when a dose
//! outlasts its interval (NONMEM's II < DUR case).
//!
//! **Infusions longer than the interval.** An infusion of rate `r` and duration
//! `D = nτ + d` (`0 ≤ d < τ`) repeated every `τ` delivers `r` times the number of doses
//! running, which is `n` at every moment plus one during the first `d` of each interval.
//! So it is a constant infusion `n r` (steady state `−A⁻¹ n r`) plus the same regimen
//! with duration `d`, which never overlaps itself: the sum above then has few terms
//! whatever `D` is. The earlier doses still running at the dose time all have rate `r`
//! and end one every `τ`: they are handed to the walk as one running entry with a
//! count, not one entry each (issue 10: `over = "1e20 h"` every hour allocated one tail
//! per overlapped interval).
//!
//! For a constant infusion (interval 0), `x_ss = −A⁻¹ u`.
//!
//! Only the dynamic block of the system is used: the exposure accumulators have no
//! steady state and are left at zero.

use super::exact_states;
use super::walk::Running;
use crate::dosing::{Event, Input, InputKind, Timeline};
use crate::error::{Error, Result, SolverError};
use crate::model::system::LinearSystem;
use crate::solver::phi_gamma::propagator;
use nalgebra::{DMatrix, DVector};

/// A lag spanning more dosing intervals than this is refused: each of those earlier doses
/// would wait in the walk on its own.
const MAX_WAITING_DOSES: f64 = 100_000.0;
/// A duration within this fraction of an interval of a whole number of intervals is that
/// whole number (durations and intervals are read from decimal text).
const WHOLE_INTERVALS: f64 = 1e-12;

/// The steady state just before a dose, and what earlier doses still deliver after it.
#[derive(Debug, Clone, PartialEq)]
pub struct SteadyState {
    /// The state (accumulators zero).
    pub x: Vec<f64>,
    /// Inputs of earlier doses not yet started (lag longer than the interval), start
    /// times relative to the dose time (> 0).
    pub tails: Vec<Input>,
    /// Infusions of earlier doses running at the dose time, ends relative to it.
    pub(crate) running: Vec<Running>,
}

/// `D = n τ + d` with `0 ≤ d < τ`, whole multiples recognised through rounding.
fn whole_intervals(duration_h: f64, interval_h: f64) -> (f64, f64) {
    let mut d = duration_h.rem_euclid(interval_h);
    if d > interval_h * (1.0 - WHOLE_INTERVALS) || d < interval_h * WHOLE_INTERVALS {
        d = 0.0;
    }
    let n = ((duration_h - d) / interval_h).round();
    (n, d)
}

/// Steady state of `inputs` (start times relative to the dose, ≥ 0) repeated every
/// `interval_h`.
pub fn steady_state(
    system: &LinearSystem,
    interval_h: f64,
    inputs: &[Input],
) -> Result<SteadyState> {
    if interval_h <= 0.0 {
        return constant_infusion(system, inputs);
    }
    let nd = system.layout.n_dynamic;
    let a_dyn = system.a.view((0, 0), (nd, nd)).into_owned();
    let lag = inputs.iter().map(|i| i.start_h).fold(0.0, f64::max);
    if lag / interval_h > MAX_WAITING_DOSES {
        return Err(Error::invalid(
            format!("a steady state whose lag ({lag} h) spans more than {MAX_WAITING_DOSES} dosing intervals ({interval_h} h)"),
            "a lag shorter than that",
        ));
    }

    // Split each infusion into whole intervals (a constant rate) and the rest.
    let mut constant = DVector::zeros(nd);
    let mut reduced = Vec::new();
    for i in inputs {
        match i.kind {
            InputKind::Infusion {
                rate_mg_h,
                duration_h,
            } => {
                let (n, d) = whole_intervals(duration_h, interval_h);
                constant[i.state] += n * rate_mg_h;
                if d > 0.0 {
                    reduced.push(Input {
                        kind: InputKind::Infusion {
                            rate_mg_h,
                            duration_h: d,
                        },
                        ..*i
                    });
                }
            }
            InputKind::Bolus { .. } => reduced.push(*i),
        }
    }
    let mut x = DVector::zeros(nd);
    if constant.iter().any(|&u| u != 0.0) {
        x += a_dyn
            .clone()
            .lu()
            .solve(&(-constant))
            .ok_or(SolverError::NoSteadyState)?;
    }
    if !reduced.is_empty() {
        x += periodic(system, &a_dyn, interval_h, &reduced)?;
    }
    let mut full = vec![0.0; system.n()];
    full[..nd].copy_from_slice(x.as_slice());
    let (tails, running) = earlier_doses(inputs, interval_h);
    Ok(SteadyState {
        x: full,
        tails,
        running,
    })
}

/// `Σ_{k≥1} R(k τ)` for inputs that each end within a lag plus one interval.
fn periodic(
    system: &LinearSystem,
    a_dyn: &DMatrix<f64>,
    interval_h: f64,
    inputs: &[Input],
) -> Result<DVector<f64>> {
    let nd = a_dyn.nrows();
    let end = inputs.iter().map(Input::end_h).fold(0.0, f64::max);
    let first_tail = ((end / interval_h) * (1.0 - 1e-12)).ceil().max(1.0) as usize;

    // R(k τ) for k < K, and R(T), by exact propagation of one dose.
    let mut times: Vec<f64> = (1..first_tail).map(|k| k as f64 * interval_h).collect();
    times.push(end);
    let mut one = Timeline::new();
    for i in inputs {
        one.push(i.start_h, Event::Input(*i));
    }
    one.sample_at(&times);
    let states = exact_states(system, one.sorted())?;

    let mut x = DVector::zeros(nd);
    for k in 0..first_tail - 1 {
        x += DVector::from_column_slice(&states.row(k)[..nd]);
    }
    let r_end = DVector::from_column_slice(&states.row(first_tail - 1)[..nd]);
    let (phi_tau, _) = propagator(a_dyn, interval_h)?;
    let lu = (DMatrix::identity(nd, nd) - phi_tau).lu();
    let sum = lu.solve(&r_end).ok_or(SolverError::NoSteadyState)?;
    let (phi_gap, _) = propagator(a_dyn, first_tail as f64 * interval_h - end)?;
    Ok(x + phi_gap * sum)
}

/// What the doses at −kτ (k ≥ 1) still deliver after time 0: inputs not yet started
/// (each on its own; a lag spans few intervals) and infusions running (grouped).
fn earlier_doses(inputs: &[Input], interval_h: f64) -> (Vec<Input>, Vec<Running>) {
    let (mut waiting, mut running) = (Vec::new(), Vec::new());
    for i in inputs {
        // Doses k = 1, 2, … whose input has not started by time 0.
        let mut k = 1.0;
        while i.start_h - k * interval_h > 0.0 {
            waiting.push(Input {
                start_h: i.start_h - k * interval_h,
                ..*i
            });
            k += 1.0;
        }
        let InputKind::Infusion {
            rate_mg_h,
            duration_h,
        } = i.kind
        else {
            continue;
        };
        // Doses k ≥ k0 started by time 0; those ending after it end one every τ, the
        // first at the remainder of (start + duration) over τ.
        let k0 = k;
        let end = i.start_h + duration_h;
        let (n, d) = whole_intervals(end, interval_h);
        let first_end = if d > 0.0 { d } else { interval_h };
        let last_k = if d > 0.0 { n } else { n - 1.0 };
        let count = last_k - k0 + 1.0;
        if count >= 1.0 {
            running.push(Running {
                state: i.state,
                rate_mg_h,
                end_h: first_end,
                count,
                every_h: interval_h,
            });
        }
    }
    (waiting, running)
}

/// `x_ss = −A⁻¹ u` for infusions that never stop; they keep running from time 0.
fn constant_infusion(system: &LinearSystem, inputs: &[Input]) -> Result<SteadyState> {
    let nd = system.layout.n_dynamic;
    let mut u = DVector::zeros(nd);
    for i in inputs {
        if let InputKind::Infusion { rate_mg_h, .. } = i.kind {
            u[i.state] += rate_mg_h;
        }
    }
    let a_dyn = system.a.view((0, 0), (nd, nd)).into_owned();
    let x = a_dyn.lu().solve(&(-u)).ok_or(SolverError::NoSteadyState)?;
    let mut full = vec![0.0; system.n()];
    full[..nd].copy_from_slice(x.as_slice());
    let tails = inputs
        .iter()
        .filter(|i| matches!(i.kind, InputKind::Infusion { .. }))
        .map(|i| Input { start_h: 0.0, ..*i })
        .collect();
    Ok(SteadyState {
        x: full,
        tails,
        running: Vec::new(),
    })
}
