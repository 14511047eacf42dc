//! The ODE propagator: Dormand–Prince 5(4) with adaptive steps ([`super::dopri5`]), an
//! independent check of [`super::exact`]. The derivative is written in place
//! (`dy = u; dy += A y`).
//!
//! `advance` integrates one stretch and keeps its end state. On a uniform grid, `sample`
//! integrates a whole constant-input stretch once and reads the grid points through the
//! dense output (order 4; Hairer, Nørsett & Wanner, *Solving Ordinary Differential
//! Equations I*, 2nd ed., Springer 1993, §II.6 "Dense output"): output times are not
//! discontinuities, so nothing requires stopping there. Steps still end exactly at every
//! dose, infusion start and stop, which the walk never crosses.
//!
//! Generic over the dimension: fixed-size vectors up to 8 states, heap vectors above,
//! one code path (nalgebra's `Const<R>` and `Dyn`).

use super::dopri5::{Dopri5, Tolerances};
use super::{Grid, Propagator, SolverConfig, SolverStats};
use crate::error::SolverError;
use nalgebra::allocator::Allocator;
use nalgebra::{DMatrix, DefaultAllocator, Dim, OMatrix, OVector, U1};

/// `dx/dt = A x + u`, written in place: `dy = u; dy += A y`.
fn linear<'a, D: Dim>(
    a: &'a OMatrix<f64, D, D>,
    u: &'a OVector<f64, D>,
) -> impl Fn(&OVector<f64, D>, &mut OVector<f64, D>) + 'a
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    |y, dy| {
        dy.copy_from(u);
        dy.gemv(1.0, a, y, 1.0);
    }
}

/// The Dopri5 propagator in dimension `D`.
pub struct Ode<D: Dim>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    a: OMatrix<f64, D, D>,
    u: OVector<f64, D>,
    /// The state being integrated (a workspace: no allocation per run).
    y: OVector<f64, D>,
    grid: Option<Grid>,
    tolerances: Tolerances,
    dopri5: Dopri5<D>,
}

impl<D: Dim> Ode<D>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    /// The integrator of `dx/dt = a x + u` in dimension `dim` (the size of `a`), reading
    /// `grid`'s output when given.
    pub fn new(dim: D, a: &DMatrix<f64>, grid: Option<Grid>, config: &SolverConfig) -> Self {
        Ode {
            a: OMatrix::from_fn_generic(dim, dim, |i, j| a[(i, j)]),
            u: OVector::zeros_generic(dim, U1),
            y: OVector::zeros_generic(dim, U1),
            grid,
            tolerances: Tolerances {
                rtol: config.rtol,
                atol: config.atol,
                max_steps: config.max_steps,
            },
            dopri5: Dopri5::new(dim),
        }
    }
}

impl<D: Dim> Propagator for Ode<D>
where
    D: Send,
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
    OMatrix<f64, D, D>: Send,
    OVector<f64, D>: Send,
{
    fn set_input(&mut self, u: &[f64]) {
        self.u.copy_from_slice(u);
    }

    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError> {
        let Ode {
            a,
            u,
            y,
            tolerances,
            dopri5,
            ..
        } = self;
        y.copy_from_slice(x);
        dopri5.integrate(linear(a, u), y, h, tolerances, |_| {})?;
        x.copy_from_slice(y.as_slice());
        Ok(())
    }

    /// One Dopri5 run over the stretch, ending exactly at its last grid point, which is
    /// the run's end state; the points before it are read from the dense output of the
    /// step that contains them.
    fn sample(&mut self, x: &mut [f64], out: &mut [f64]) -> Result<(), SolverError> {
        let Some(grid) = self.grid else {
            return Err(SolverError::Failed {
                t_h: 0.0,
                message: "sampling a propagator built without a grid".into(),
            });
        };
        let (step_h, read) = (grid.step_h, grid.output);
        let span_h = out.len() as f64 * step_h;
        let Some((last, inner)) = out.split_last_mut() else {
            return Ok(());
        };
        let Ode {
            a,
            u,
            y,
            tolerances,
            dopri5,
            ..
        } = self;
        y.copy_from_slice(x);
        let mut next = 0;
        dopri5.integrate(linear(a, u), y, span_h, tolerances, |step| {
            let end = step.t0 + step.h;
            while let Some(o) = inner.get_mut(next) {
                let t = (next + 1) as f64 * step_h;
                if t > end {
                    break;
                }
                *o = read.factor * step.component(read.state, t);
                next += 1;
            }
        })?;
        if next != inner.len() {
            return Err(SolverError::Failed {
                t_h: span_h,
                message: format!(
                    "dense output gave {} points, expected {}",
                    next + 1,
                    inner.len() + 1
                ),
            });
        }
        *last = read.factor * y[read.state];
        x.copy_from_slice(y.as_slice());
        Ok(())
    }

    fn stats(&self) -> SolverStats {
        let work = self.dopri5.work;
        SolverStats {
            evaluations: work.evaluations,
            accepted_steps: work.accepted,
            rejected_steps: work.rejected,
            exponentials: 0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::exact::Exact;
    use crate::solver::GridOutput;
    use approx::assert_relative_eq;
    use nalgebra::{Const, Dyn};

    /// Dense output at rtol 1e-10: within 1e-8 of the exact propagator (order-4
    /// interpolant between steps whose local error is held at 1e-10).
    const DENSE_ACCURACY: f64 = 1e-8;

    #[test]
    fn decays_like_the_exponential_in_both_dimensions() {
        let a = DMatrix::from_element(1, 1, -0.5);
        let config = SolverConfig::default();
        let mut fixed = Ode::new(Const::<1>, &a, None, &config);
        let mut dynamic = Ode::new(Dyn(1), &a, None, &config);
        for p in [&mut fixed as &mut dyn Propagator, &mut dynamic] {
            let mut x = [2.0];
            p.advance(&mut x, 3.0).unwrap();
            // rtol 1e-10 per step; a few dozen steps keep the global error below 1e-8.
            assert_relative_eq!(x[0], 2.0 * (-1.5f64).exp(), max_relative = 1e-8);
            assert!(p.stats().accepted_steps > 0);
        }
        assert_eq!(fixed.stats(), dynamic.stats());
    }

    #[test]
    fn step_limit_is_an_error_not_a_panic() {
        let config = SolverConfig {
            max_steps: 3,
            ..Default::default()
        };
        let a = DMatrix::from_element(1, 1, -50.0);
        let mut s = Ode::new(Dyn(1), &a, None, &config);
        let err = s.advance(&mut [1.0], 10.0).unwrap_err();
        assert!(matches!(err, SolverError::StepLimit { max_steps: 3, .. }));
    }

    /// See: issue 10 (CL 1e6 L/h with `--solver ode` ground on for a minute).
    #[test]
    fn issue_10_a_very_stiff_model_fails_fast_with_advice() {
        let a = DMatrix::from_row_slice(2, 2, &[-1e6 / 20.0, 1.5, 0.0, -1.5]);
        let mut s = Ode::new(Const::<2>, &a, None, &SolverConfig::default());
        let err = s.advance(&mut [0.0, 100.0], 24.0).unwrap_err();
        assert!(matches!(err, SolverError::Stiff { .. }), "{err}");
        assert!(err.to_string().contains("--solver exact"), "{err}");
    }

    #[test]
    fn dense_samples_follow_the_exact_solution() {
        // Two compartments and a depot: CL 84, V1 25, Q 161, V2 56, ka 1.5.
        let (k10, k12, k21, ka) = (84.0 / 25.0, 161.0 / 25.0, 161.0 / 56.0, 1.5);
        let a = DMatrix::from_row_slice(
            3,
            3,
            &[-(k10 + k12), k21, ka, k12, -k21, 0.0, 0.0, 0.0, -ka],
        );
        let grid = Grid {
            step_h: 1.0 / 60.0,
            output: GridOutput {
                state: 0,
                factor: 1000.0 / 25.0,
            },
        };
        let mut ode = Ode::new(Const::<3>, &a, Some(grid), &SolverConfig::default());
        let mut exact = Exact::<3>::new(&a, Some(grid)).unwrap();
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
