//! The ODE solver's fast path on a uniform output grid: one Dopri5 integration per
//! constant-input stretch, read at the grid points through Dopri5's dense output, on
//! fixed-size nalgebra vectors.
//!
//! [`super::ode`] restarts Dopri5 at every output time, which keeps it simple and
//! general (any sample times) but pays an initial-step estimate and heap-allocated
//! vectors per output point. Output times are not discontinuities, so nothing requires
//! stopping there: integrating a whole stretch and interpolating is the textbook use of
//! the method's continuous extension (order 4; Hairer, Nørsett & Wanner, *Solving
//! Ordinary Differential Equations I*, 2nd ed., Springer 1993, §II.6 "Dense output").
//! Steps still end exactly at every dose, infusion start and stop.

use super::ode::integration_error;
use super::{GridEngine, GridOutput, SolverConfig, SolverStats};
use crate::error::SolverError;
use nalgebra::{DMatrix, SMatrix, SVector};
use ode_solvers::dop_shared::{OutputType, System};
use ode_solvers::Dopri5;

/// A dense run goes this fraction of a grid step past its last grid point (see
/// [`DenseOde::sample`]); far above ode_solvers' 1e-9 end tolerance for any step over
/// [`MIN_DENSE_STEP_H`], far below a step.
const OVERSHOOT: f64 = 1e-3;
/// Below this grid step (h; 3.6 ms) the overshoot would come within 1e-9 of a grid point:
/// such grids are stepped point by point instead.
const MIN_DENSE_STEP_H: f64 = 1e-6;

/// `dx/dt = A x + u` on fixed-size vectors.
#[derive(Clone, Copy)]
struct Rhs<const R: usize> {
    a: SMatrix<f64, R, R>,
    u: SVector<f64, R>,
}

impl<const R: usize> System<f64, SVector<f64, R>> for Rhs<R> {
    fn system(&self, _t: f64, y: &SVector<f64, R>, dy: &mut SVector<f64, R>) {
        dy.copy_from(&self.u);
        dy.gemv(1.0, &self.a, y, 1.0);
    }
}

/// Dopri5 over stretches, sampled on the grid.
pub struct DenseOde<const R: usize> {
    rhs: Rhs<R>,
    step_h: f64,
    out: GridOutput,
    config: SolverConfig,
    stats: SolverStats,
}

impl<const R: usize> DenseOde<R> {
    /// The integrator of `dx/dt = a x + u` (`a` is `R × R`) on a grid of `step_h` hours.
    pub fn new(a: &DMatrix<f64>, step_h: f64, out: GridOutput, config: &SolverConfig) -> Self {
        DenseOde {
            rhs: Rhs {
                a: SMatrix::from_fn(|i, j| a[(i, j)]),
                u: SVector::zeros(),
            },
            step_h,
            out,
            config: *config,
            stats: SolverStats::default(),
        }
    }

    /// Integrate from `x` over `span_h`. `Sparse`: every accepted step, the last being the
    /// state at `span_h`; `Dense`: the states at `0, step_h, 2 step_h, …`.
    fn integrate(
        &mut self,
        x: &[f64],
        span_h: f64,
        output: OutputType,
    ) -> Result<Vec<SVector<f64, R>>, SolverError> {
        let c = &self.config;
        // The same step control as `super::ode`, with the whole stretch as the largest step.
        let mut dopri = Dopri5::from_param(
            self.rhs,
            0.0,
            span_h,
            self.step_h,
            SVector::from_column_slice(x),
            c.rtol,
            c.atol,
            super::ode::SAFETY,
            super::ode::BETA,
            super::ode::FAC_MIN,
            super::ode::FAC_MAX,
            span_h,
            0.0,
            c.max_steps,
            super::ode::NO_STIFFNESS_TEST,
            output,
        );
        let stats = dopri
            .integrate()
            .map_err(|e| integration_error(e, span_h, c.max_steps))?;
        self.stats.evaluations += u64::from(stats.num_eval);
        self.stats.accepted_steps += u64::from(stats.accepted_steps);
        self.stats.rejected_steps += u64::from(stats.rejected_steps);
        Ok(dopri.y_out().clone())
    }
}

impl<const R: usize> GridEngine for DenseOde<R> {
    fn set_input(&mut self, u: &[f64]) {
        self.rhs.u = SVector::from_column_slice(u);
    }

    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError> {
        let y = self.integrate(x, h, OutputType::Sparse)?;
        let last = y.last().expect("Dopri5 records the final state");
        x.copy_from_slice(last.as_slice());
        Ok(())
    }

    /// One Dopri5 run over the stretch, read through its dense output. ode_solvers 0.6.2
    /// adds an extrapolated dense point as soon as the next output time is within 1e-9 of
    /// the end of the integration, before the last step is taken. The run therefore goes
    /// a thousandth of a step (`OVERSHOOT`) past the last grid point, so that point is interpolated
    /// within the last step like every other (at θ ≈ 1, where the interpolant meets the
    /// step's own end value) and carried on as the state. The overshoot uses the stretch's
    /// input beyond its end, but no value past the last grid point is kept.
    fn sample(&mut self, x: &mut [f64], out: &mut [f64]) -> Result<(), SolverError> {
        let n = out.len();
        if n == 0 {
            return Ok(());
        }
        if self.step_h < MIN_DENSE_STEP_H {
            for o in out.iter_mut() {
                self.advance(x, self.step_h)?;
                *o = self.out.factor * x[self.out.state];
            }
            return Ok(());
        }
        let span = (n as f64 + OVERSHOOT) * self.step_h;
        let y = self.integrate(x, span, OutputType::Dense)?;
        if y.len() != n + 1 {
            return Err(SolverError::Failed {
                t_h: span,
                message: format!("dense output gave {} points, expected {}", y.len(), n + 1),
            });
        }
        for (o, yk) in out.iter_mut().zip(&y[1..]) {
            *o = self.out.factor * yk[self.out.state];
        }
        x.copy_from_slice(y[n].as_slice());
        Ok(())
    }

    fn stats(&self) -> SolverStats {
        self.stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::block::BlockExact;

    /// Dense output at rtol 1e-10: within 1e-8 of the exact propagator (order-4
    /// interpolant between steps whose local error is held at 1e-10).
    const DENSE_ACCURACY: f64 = 1e-8;

    #[test]
    fn dense_samples_follow_the_exact_solution() {
        // Two compartments and a depot: CL 84, V1 25, Q 161, V2 56, ka 1.5.
        let (k10, k12, k21, ka) = (84.0 / 25.0, 161.0 / 25.0, 161.0 / 56.0, 1.5);
        let a = DMatrix::from_row_slice(
            3,
            3,
            &[-(k10 + k12), k21, ka, k12, -k21, 0.0, 0.0, 0.0, -ka],
        );
        let out = GridOutput {
            state: 0,
            factor: 1000.0 / 25.0,
        };
        let step = 1.0 / 60.0;
        let mut ode = DenseOde::<3>::new(&a, step, out, &SolverConfig::default());
        let mut exact = BlockExact::<3>::new(&a, step, out);
        let (mut xo, mut xe) = ([0.0, 0.0, 100.0], [0.0, 0.0, 100.0]);
        let (mut co, mut ce) = (vec![0.0; 600], vec![0.0; 600]);
        ode.sample(&mut xo, &mut co).unwrap();
        exact.sample(&mut xe, &mut ce).unwrap();
        let peak = ce.iter().cloned().fold(0.0, f64::max);
        for (a, b) in co.iter().zip(&ce) {
            assert!((a - b).abs() <= DENSE_ACCURACY * peak, "{a} vs {b}");
        }
        assert!(ode.stats().accepted_steps > 0);
    }
}
