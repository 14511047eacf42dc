//! Solvers: advance the state of a [`LinearSystem`] over a stretch of time in which the
//! input rates are constant. Events (doses, infusion starts and stops, resets) are
//! handled by [`crate::simulate`], which never asks a solver to step across one.
//!
//! Two engines sit behind one trait: [`exact::Exact`] (the default) uses the matrix
//! exponential, [`ode::Ode`] integrates with Dopri5. They answer the same question
//! independently, which is what the agreement tests check.

pub mod exact;
pub mod ode;
pub mod reference;

use crate::error::SolverError;
use crate::model::system::LinearSystem;

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
