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
//! is `x_ss = (I − Φ)⁻¹ · (response to one interval)` of DESIGN.md, made exact when a dose
//! outlasts its interval (NONMEM's II < DUR case).
//!
//! For a constant infusion (interval 0), `x_ss = −A⁻¹ u`.
//!
//! Only the dynamic block of the system is used: the exposure accumulators have no
//! steady state and are left at zero.

use crate::dosing::{Event, Input, InputKind, Timeline};
use crate::error::{Result, SolverError};
use crate::model::system::LinearSystem;
use crate::simulate::run;
use crate::solver::exact::{propagator, Exact};
use nalgebra::{DMatrix, DVector};

/// The steady state just before a dose, and what earlier doses still deliver after it.
#[derive(Debug, Clone, PartialEq)]
pub struct SteadyState {
    /// The state (accumulators zero).
    pub x: Vec<f64>,
    /// Inputs of earlier doses still running or not yet released, start times relative to
    /// the dose time (≥ 0).
    pub tails: Vec<Input>,
}

/// Steady state of `inputs` (start times relative to the dose) repeated every `interval_h`.
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
    let states = run(system, one.sorted(), &mut Exact::new(&system.a))?;

    let mut x = DVector::zeros(nd);
    for k in 0..first_tail - 1 {
        x += DVector::from_column_slice(&states.row(k)[..nd]);
    }
    let r_end = DVector::from_column_slice(&states.row(first_tail - 1)[..nd]);
    let (phi_tau, _) = propagator(&a_dyn, interval_h);
    let lu = (DMatrix::identity(nd, nd) - phi_tau).lu();
    let sum = lu.solve(&r_end).ok_or(SolverError::NoSteadyState)?;
    let (phi_gap, _) = propagator(&a_dyn, first_tail as f64 * interval_h - end);
    x += phi_gap * sum;

    let mut full = vec![0.0; system.n()];
    full[..nd].copy_from_slice(x.as_slice());
    Ok(SteadyState {
        x: full,
        tails: tails(inputs, interval_h, first_tail),
    })
}

/// What the doses at −kτ (k = 1 … K−1) still deliver after time 0.
fn tails(inputs: &[Input], interval_h: f64, first_tail: usize) -> Vec<Input> {
    let mut out = Vec::new();
    for k in 1..first_tail {
        for i in inputs {
            let start = i.start_h - k as f64 * interval_h;
            let end = i.end_h() - k as f64 * interval_h;
            match i.kind {
                InputKind::Bolus { .. } if start > 0.0 => out.push(Input {
                    start_h: start,
                    ..*i
                }),
                InputKind::Infusion { rate_mg_h, .. } if end > 0.0 => out.push(Input {
                    state: i.state,
                    start_h: start.max(0.0),
                    kind: InputKind::Infusion {
                        rate_mg_h,
                        duration_h: end - start.max(0.0),
                    },
                }),
                _ => {}
            }
        }
    }
    out
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
    Ok(SteadyState { x: full, tails })
}
