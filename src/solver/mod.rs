//! Solvers: advance the state of a [`LinearSystem`] over a stretch of time in which the
//! input rates are constant. Events (doses, infusion starts and stops, resets) are
//! handled by [`crate::simulate`], which never asks a solver to step across one.
//!
//! Two engines sit behind one trait: [`exact::Exact`] (the default) uses the matrix
//! exponential, [`ode::Ode`] integrates with Dopri5. They answer the same question
//! independently, which is what the agreement tests check.
//!
//! For a uniform output grid each engine also has a fast path behind [`GridEngine`]
//! ([`block::BlockExact`], [`dense::DenseOde`]), used by [`crate::simulate::grid`]:
//! fixed-size states, many grid points per call.

pub mod block;
pub mod dense;
pub mod exact;
pub mod ode;
pub mod reference;

use crate::error::SolverError;
use crate::model::system::LinearSystem;
use nalgebra::DMatrix;

/// One way of advancing `dx/dt = A x + u` with `u` constant.
pub trait Solver {
    /// Set the input rates `u` (mg/h into each state) for the steps that follow.
    fn set_input(&mut self, u: &[f64]);
    /// Advance `x` by `h` hours in place.
    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError>;
    /// Work done so far (Dopri5 counts; zeros for `exact`).
    fn stats(&self) -> SolverStats {
        SolverStats::default()
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
    /// `exact`; for `ode`, rtol 1e-10 and atol 1e-12 (DESIGN.md: "tight tolerances"), 100 000 steps.
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

/// A solver of the configured kind for `system`.
pub fn new_solver(system: &LinearSystem, config: &SolverConfig) -> Box<dyn Solver> {
    match config.kind {
        SolverKind::Exact => Box::new(exact::Exact::new(&system.a)),
        SolverKind::Ode => Box::new(ode::Ode::new(&system.a, config)),
    }
}

/// Which state a grid engine reports, and the factor to ng/mL.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridOutput {
    /// The state read (the central compartment).
    pub state: usize,
    /// Output per unit of that state (ng/mL per mg: 1000 / V1).
    pub factor: f64,
}

/// An engine for a uniform output grid: advances a state of fixed size with the input
/// constant, reading one output at each grid point.
pub trait GridEngine: Send {
    /// Set the input rates `u` (mg/h into each state) for what follows.
    fn set_input(&mut self, u: &[f64]);
    /// Advance `x` by any `h` hours (off-grid pieces: lag times, a short last step).
    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError>;
    /// Advance `x` by `out.len()` grid steps, writing the output after each step.
    fn sample(&mut self, x: &mut [f64], out: &mut [f64]) -> Result<(), SolverError>;
    /// Work done so far.
    fn stats(&self) -> SolverStats;
}

/// Largest state a grid engine is compiled for (3 compartments, 4 depots and the AUC
/// accumulator); larger systems take the general path.
pub const MAX_GRID_STATES: usize = 8;

fn grid_engine<const R: usize>(
    a: &DMatrix<f64>,
    step_h: f64,
    out: GridOutput,
    config: &SolverConfig,
) -> Box<dyn GridEngine> {
    match config.kind {
        SolverKind::Exact => Box::new(block::BlockExact::<R>::new(a, step_h, out)),
        SolverKind::Ode => Box::new(dense::DenseOde::<R>::new(a, step_h, out, config)),
    }
}

/// A grid engine of the configured kind for the square matrix `a`, or `None` when `a` has
/// more than [`MAX_GRID_STATES`] states.
pub fn new_grid_engine(
    a: &DMatrix<f64>,
    step_h: f64,
    out: GridOutput,
    config: &SolverConfig,
) -> Option<Box<dyn GridEngine>> {
    let args = (a, step_h, out, config);
    Some(match a.nrows() {
        1 => grid_engine::<1>(args.0, args.1, args.2, args.3),
        2 => grid_engine::<2>(args.0, args.1, args.2, args.3),
        3 => grid_engine::<3>(args.0, args.1, args.2, args.3),
        4 => grid_engine::<4>(args.0, args.1, args.2, args.3),
        5 => grid_engine::<5>(args.0, args.1, args.2, args.3),
        6 => grid_engine::<6>(args.0, args.1, args.2, args.3),
        7 => grid_engine::<7>(args.0, args.1, args.2, args.3),
        8 => grid_engine::<8>(args.0, args.1, args.2, args.3),
        _ => return None,
    })
}
