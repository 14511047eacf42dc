//! Propagators: advance the state of `dx/dt = A x + u` over a stretch of time in which
//! the input rates `u` are constant. Events (doses, infusion starts and stops, resets)
//! are handled by [`crate::simulate`], which never asks a propagator to step across one.
//!
//! Two engines sit behind one trait, [`Propagator`]: [`exact::Exact`] (the default) uses
//! the matrix exponential ([`phi_gamma`], the only one), [`ode::Ode`] integrates with
//! Dopri5. They answer the same question independently, which is what the agreement
//! tests check. Either can also fill a uniform output grid ([`Propagator::sample`]), many
//! points per call: that is the fast path of populations and benches.

pub mod dopri5;
pub mod exact;
pub mod ode;
pub mod phi_gamma;
pub mod reference;

use crate::error::SolverError;
use nalgebra::{Const, DMatrix, Dyn};

/// One way of advancing `dx/dt = A x + u` with `u` constant.
pub trait Propagator: Send {
    /// Set the input rates `u` (mg/h into each state) for what follows.
    fn set_input(&mut self, u: &[f64]);
    /// Advance `x` by `h` hours in place.
    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError>;
    /// Advance `x` by `out.len()` steps of the grid the propagator was built with,
    /// writing the grid's output after each step. An error without a grid.
    fn sample(&mut self, x: &mut [f64], out: &mut [f64]) -> Result<(), SolverError>;
    /// Work done so far (Dopri5 counts; exponentials for `exact`).
    fn stats(&self) -> SolverStats;
    /// Become, in place, what [`new_propagator`] builds for `a` and `grid` with this
    /// propagator's configuration: the same numbers, without new buffers (a population's
    /// subjects differ only in their rates). `false`, changing nothing, when `a` is not
    /// of this propagator's size or the engine does not rebuild (then build a new one).
    fn rebuild(&mut self, _a: &DMatrix<f64>, _grid: Option<Grid>) -> Result<bool, SolverError> {
        Ok(false)
    }
}

/// Work counts, pinned in snapshot tests so that a change making a solver work harder shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SolverStats {
    /// Right-hand-side evaluations.
    pub evaluations: u64,
    /// Accepted steps.
    pub accepted_steps: u64,
    /// Rejected steps.
    pub rejected_steps: u64,
    /// Matrix exponentials computed (propagators not found in the cache).
    pub exponentials: u64,
}

/// Which engine to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SolverKind {
    /// Matrix exponential of the augmented system (default).
    #[default]
    Exact,
    /// Dormand–Prince 5(4) with adaptive steps.
    Ode,
}

impl SolverKind {
    /// Read `exact` or `ode`.
    pub fn parse(s: &str) -> Option<SolverKind> {
        match s {
            "exact" => Some(SolverKind::Exact),
            "ode" => Some(SolverKind::Ode),
            _ => None,
        }
    }

    /// The name used in files and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            SolverKind::Exact => "exact",
            SolverKind::Ode => "ode",
        }
    }
}

/// Solver choice and tolerances.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SolverConfig {
    /// Which engine.
    pub kind: SolverKind,
    /// Dopri5 relative tolerance.
    pub rtol: f64,
    /// Dopri5 absolute tolerance (mg, or mg/L for the effect site).
    pub atol: f64,
    /// Dopri5 step limit per interval between events or outputs.
    pub max_steps: u32,
}

impl Default for SolverConfig {
    /// `exact`; for `ode`, rtol 1e-10 and atol 1e-12 (tight, so that the two engines agree to 1e-6), 100 000 steps.
    fn default() -> Self {
        SolverConfig {
            kind: SolverKind::Exact,
            rtol: 1e-10,
            atol: 1e-12,
            max_steps: 100_000,
        }
    }
}

impl SolverConfig {
    /// The default configuration for `kind`.
    pub fn of(kind: SolverKind) -> SolverConfig {
        SolverConfig {
            kind,
            ..Default::default()
        }
    }
}

/// Which state a grid reports, and the factor to ng/mL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridOutput {
    /// The state read (an observed compartment).
    pub state: usize,
    /// Output per unit of that state (ng/mL per mg: 1000 / V).
    pub factor: f64,
}

/// A uniform output grid's step and what is read at each point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Grid {
    /// Step between points (h).
    pub step_h: f64,
    /// The output read.
    pub output: GridOutput,
}

/// Largest system the exact propagator takes (64 states: a network of some 60
/// compartments).
pub const MAX_STATES: usize = 64;

fn exact<const R: usize>(
    a: &DMatrix<f64>,
    grid: Option<Grid>,
) -> Result<Box<dyn Propagator>, SolverError> {
    Ok(Box::new(exact::Exact::<R>::new(a, grid)?))
}

fn ode<const R: usize>(
    a: &DMatrix<f64>,
    grid: Option<Grid>,
    c: &SolverConfig,
) -> Box<dyn Propagator> {
    Box::new(ode::Ode::new(Const::<R>, a, grid, c))
}

/// A propagator of the configured kind for the square matrix `a`, sampling `grid` when
/// given. Fixed-size states up to 8; above that the exact engine pads to 16, 32 or 64
/// states (the padding stays zero) and the ODE engine uses heap vectors.
pub fn new_propagator(
    a: &DMatrix<f64>,
    grid: Option<Grid>,
    config: &SolverConfig,
) -> Result<Box<dyn Propagator>, SolverError> {
    let n = a.nrows();
    match config.kind {
        SolverKind::Exact => match n {
            0 | 1 => exact::<1>(a, grid),
            2 => exact::<2>(a, grid),
            3 => exact::<3>(a, grid),
            4 => exact::<4>(a, grid),
            5 => exact::<5>(a, grid),
            6 => exact::<6>(a, grid),
            7 => exact::<7>(a, grid),
            8 => exact::<8>(a, grid),
            9..=16 => exact::<16>(a, grid),
            17..=32 => exact::<32>(a, grid),
            33..=MAX_STATES => exact::<MAX_STATES>(a, grid),
            _ => Err(SolverError::TooManyStates {
                states: n,
                max: MAX_STATES,
            }),
        },
        SolverKind::Ode => Ok(match n {
            1 => ode::<1>(a, grid, config),
            2 => ode::<2>(a, grid, config),
            3 => ode::<3>(a, grid, config),
            4 => ode::<4>(a, grid, config),
            5 => ode::<5>(a, grid, config),
            6 => ode::<6>(a, grid, config),
            7 => ode::<7>(a, grid, config),
            8 => ode::<8>(a, grid, config),
            _ => Box::new(ode::Ode::new(Dyn(n), a, grid, config)),
        }),
    }
}
