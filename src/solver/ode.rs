//! The ODE solver: Dormand–Prince 5(4) from `ode_solvers`, restarted for every interval
//! between events or outputs (Dormand & Prince, J Comput Appl Math 1980;6:19).
//!
//! It exists as an independent check of [`super::exact`] and for future models that are
//! not linear. The derivative is written in place (`dy = u; dy += A y`).

use super::{Solver, SolverConfig, SolverStats};
use crate::error::SolverError;
use nalgebra::{DMatrix, DVector};
use ode_solvers::dop_shared::{IntegrationError, OutputType, System};
use ode_solvers::Dopri5;

/// Dopri5 step control, shared by this engine and the grid engine (`super::dense`):
/// safety factor, PI-controller β and the step-size change limits are ode_solvers'
/// defaults (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4).
pub(crate) const SAFETY: f64 = 0.9;
/// PI-controller β.
pub(crate) const BETA: f64 = 0.04;
/// Smallest step-size factor between steps.
pub(crate) const FAC_MIN: f64 = 0.2;
/// Largest step-size factor between steps.
pub(crate) const FAC_MAX: f64 = 10.0;
/// Stiffness detection off: these systems are mildly stiff at most, and accuracy, not
/// stability, sets the step at the tolerances used.
pub(crate) const NO_STIFFNESS_TEST: u32 = u32::MAX;

/// `dx/dt = A x + u` for Dopri5.
struct Rhs<'a> {
    a: &'a DMatrix<f64>,
    u: &'a DVector<f64>,
}

impl System<f64, DVector<f64>> for Rhs<'_> {
    fn system(&self, _t: f64, y: &DVector<f64>, dy: &mut DVector<f64>) {
        dy.copy_from(self.u);
        dy.gemv(1.0, self.a, y, 1.0);
    }
}

/// The solver error for a Dopri5 failure over an interval of `h` hours.
pub(super) fn integration_error(e: IntegrationError, h: f64, max_steps: u32) -> SolverError {
    match e {
        IntegrationError::MaxNumStepReached { x, .. } => {
            SolverError::StepLimit { t_h: x, max_steps }
        }
        other => SolverError::Failed {
            t_h: h,
            message: other.to_string(),
        },
    }
}

/// The Dopri5 solver.
pub struct Ode {
    a: DMatrix<f64>,
    u: DVector<f64>,
    config: SolverConfig,
    stats: SolverStats,
}

impl Ode {
    /// A solver for `dx/dt = a x + u` with the tolerances of `config`.
    pub fn new(a: &DMatrix<f64>, config: &SolverConfig) -> Ode {
        Ode {
            a: a.clone(),
            u: DVector::zeros(a.nrows()),
            config: *config,
            stats: SolverStats::default(),
        }
    }
}

impl Solver for Ode {
    fn set_input(&mut self, u: &[f64]) {
        self.u.copy_from_slice(u);
    }

    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError> {
        let rhs = Rhs {
            a: &self.a,
            u: &self.u,
        };
        let y0 = DVector::from_column_slice(x);
        let c = &self.config;
        let mut dopri = Dopri5::from_param(
            rhs,
            0.0,
            h,
            h,
            y0,
            c.rtol,
            c.atol,
            SAFETY,
            BETA,
            FAC_MIN,
            FAC_MAX,
            h,
            0.0,
            c.max_steps,
            NO_STIFFNESS_TEST,
            OutputType::Sparse,
        );
        let stats = dopri
            .integrate()
            .map_err(|e| integration_error(e, h, c.max_steps))?;
        self.stats.evaluations += u64::from(stats.num_eval);
        self.stats.accepted_steps += u64::from(stats.accepted_steps);
        self.stats.rejected_steps += u64::from(stats.rejected_steps);
        let y = dopri
            .y_out()
            .last()
            .expect("Dopri5 records the final state");
        x.copy_from_slice(y.as_slice());
        Ok(())
    }

    fn stats(&self) -> SolverStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn decays_like_the_exponential() {
        let mut s = Ode::new(&DMatrix::from_element(1, 1, -0.5), &SolverConfig::default());
        let mut x = [2.0];
        s.advance(&mut x, 3.0).unwrap();
        // rtol 1e-10 per step; a few dozen steps keep the global error below 1e-8.
        assert_relative_eq!(x[0], 2.0 * (-1.5f64).exp(), max_relative = 1e-8);
        assert!(s.stats().accepted_steps > 0);
    }

    #[test]
    fn step_limit_is_an_error_not_a_panic() {
        let config = SolverConfig {
            max_steps: 3,
            ..Default::default()
        };
        let mut s = Ode::new(&DMatrix::from_element(1, 1, -50.0), &config);
        let err = s.advance(&mut [1.0], 10.0).unwrap_err();
        assert!(matches!(err, SolverError::StepLimit { max_steps: 3, .. }));
    }
}
