//! The ODE propagator: Dormand–Prince 5(4) from `ode_solvers` (Dormand & Prince, J Comput
//! Appl Math 1980;6:19), an independent check of [`super::exact`]. The derivative is
//! written in place (`dy = u; dy += A y`).
//!
//! `advance` integrates one stretch and keeps its end state. On a uniform grid, `sample`
//! integrates a whole constant-input stretch once and reads the grid points through
//! Dopri5's dense output (order 4; Hairer, Nørsett & Wanner, *Solving Ordinary
//! Differential Equations I*, 2nd ed., Springer 1993, §II.6 "Dense output"): output
//! times are not discontinuities, so nothing requires stopping there. Steps still end
//! exactly at every dose, infusion start and stop, which the walk never crosses.
//!
//! Generic over the dimension: fixed-size vectors up to 8 states, heap vectors above,
//! one code path (nalgebra's `Const<R>` and `Dyn`).

use super::{Grid, Propagator, SolverConfig, SolverStats};
use crate::error::SolverError;
use nalgebra::allocator::Allocator;
use nalgebra::{DMatrix, DefaultAllocator, Dim, OMatrix, OVector, U1};
use ode_solvers::dop_shared::{IntegrationError, OutputType, System};
use ode_solvers::Dopri5;

/// Dopri5 step control: safety factor, PI-controller β and the step-size change limits
/// are ode_solvers' defaults (Hairer, Nørsett & Wanner, *Solving ODEs I*, §II.4).
const SAFETY: f64 = 0.9;
/// PI-controller β.
const BETA: f64 = 0.04;
/// Smallest step-size factor between steps.
const FAC_MIN: f64 = 0.2;
/// Largest step-size factor between steps.
const FAC_MAX: f64 = 10.0;
/// Stiffness test after this many consecutive stiff-looking steps (ode_solvers' and
/// Hairer's default, nstiff = 1000): a model far stiffer than ketamine's (CL 1e6 L/h)
/// then fails in a fraction of a second with advice, instead of grinding on for minutes
/// (issue 10). Accuracy, not stability, sets the step for the published models.
const STIFFNESS_TEST: u32 = 1000;

/// A dense run goes this fraction of a grid step past its last grid point (see
/// [`Ode::sample`]); far above ode_solvers' 1e-9 end tolerance for any step over
/// [`MIN_DENSE_STEP_H`], far below a step.
const OVERSHOOT: f64 = 1e-3;
/// Below this grid step (h; 3.6 ms) the overshoot would come within 1e-9 of a grid point:
/// such grids are stepped point by point instead.
const MIN_DENSE_STEP_H: f64 = 1e-6;

/// `dx/dt = A x + u`.
struct Rhs<'a, D: Dim>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    a: &'a OMatrix<f64, D, D>,
    u: &'a OVector<f64, D>,
}

impl<D: Dim> System<f64, OVector<f64, D>> for Rhs<'_, D>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    fn system(&self, _t: f64, y: &OVector<f64, D>, dy: &mut OVector<f64, D>) {
        dy.copy_from(self.u);
        dy.gemv(1.0, self.a, y, 1.0);
    }
}

/// The one place a Dopri5 run is configured: from 0 to `span_h`, outputs every
/// `spacing_h` when `output` is dense, steps at most the whole span.
fn dopri<'a, D: Dim>(
    rhs: Rhs<'a, D>,
    y0: OVector<f64, D>,
    span_h: f64,
    spacing_h: f64,
    config: &SolverConfig,
    output: OutputType,
) -> Dopri5<f64, OVector<f64, D>, Rhs<'a, D>>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    Dopri5::from_param(
        rhs,
        0.0,
        span_h,
        spacing_h,
        y0,
        config.rtol,
        config.atol,
        SAFETY,
        BETA,
        FAC_MIN,
        FAC_MAX,
        span_h,
        0.0,
        config.max_steps,
        STIFFNESS_TEST,
        output,
    )
}

/// The solver error for a Dopri5 failure.
fn integration_error(e: IntegrationError, max_steps: u32) -> SolverError {
    match e {
        IntegrationError::MaxNumStepReached { x, .. } => {
            SolverError::StepLimit { t_h: x, max_steps }
        }
        IntegrationError::StiffnessDetected { x } | IntegrationError::StepSizeUnderflow { x } => {
            SolverError::Stiff { t_h: x }
        }
    }
}

/// The Dopri5 propagator in dimension `D`.
pub struct Ode<D: Dim>
where
    DefaultAllocator: Allocator<D, D> + Allocator<D>,
{
    a: OMatrix<f64, D, D>,
    u: OVector<f64, D>,
    dim: D,
    grid: Option<Grid>,
    config: SolverConfig,
    stats: SolverStats,
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
            dim,
            grid,
            config: *config,
            stats: SolverStats::default(),
        }
    }

    /// Integrate from `x` over `span_h`. `Sparse`: every accepted step, the last being the
    /// state at `span_h`; `Dense`: the states at `0, spacing_h, 2 spacing_h, …`.
    fn integrate(
        &mut self,
        x: &[f64],
        span_h: f64,
        spacing_h: f64,
        output: OutputType,
    ) -> Result<Vec<OVector<f64, D>>, SolverError> {
        let rhs = Rhs {
            a: &self.a,
            u: &self.u,
        };
        let y0 = OVector::from_column_slice_generic(self.dim, U1, x);
        let c = &self.config;
        let mut run = dopri(rhs, y0, span_h, spacing_h, c, output);
        let stats = run
            .integrate()
            .map_err(|e| integration_error(e, c.max_steps))?;
        self.stats.evaluations += u64::from(stats.num_eval);
        self.stats.accepted_steps += u64::from(stats.accepted_steps);
        self.stats.rejected_steps += u64::from(stats.rejected_steps);
        Ok(run.y_out().clone())
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
        let y = self.integrate(x, h, h, OutputType::Sparse)?;
        let last = y.last().expect("Dopri5 records the final state");
        x.copy_from_slice(last.as_slice());
        Ok(())
    }

    /// One Dopri5 run over the stretch, read through its dense output. ode_solvers 0.6.2
    /// adds an extrapolated dense point as soon as the next output time is within 1e-9 of
    /// the end of the integration, before the last step is taken. The run therefore goes
    /// a thousandth of a step (`OVERSHOOT`) past the last grid point, so that point is
    /// interpolated within the last step like every other (at θ ≈ 1, where the interpolant
    /// meets the step's own end value) and carried on as the state. The overshoot uses the
    /// stretch's input beyond its end, but no value past the last grid point is kept.
    fn sample(&mut self, x: &mut [f64], out: &mut [f64]) -> Result<(), SolverError> {
        let Some(grid) = self.grid else {
            return Err(SolverError::Failed {
                t_h: 0.0,
                message: "sampling a propagator built without a grid".into(),
            });
        };
        let (step_h, read) = (grid.step_h, grid.output);
        let n = out.len();
        if n == 0 {
            return Ok(());
        }
        if step_h < MIN_DENSE_STEP_H {
            for o in out.iter_mut() {
                self.advance(x, step_h)?;
                *o = read.factor * x[read.state];
            }
            return Ok(());
        }
        let span = (n as f64 + OVERSHOOT) * step_h;
        let y = self.integrate(x, span, step_h, OutputType::Dense)?;
        if y.len() != n + 1 {
            return Err(SolverError::Failed {
                t_h: span,
                message: format!("dense output gave {} points, expected {}", y.len(), n + 1),
            });
        }
        for (o, yk) in out.iter_mut().zip(&y[1..]) {
            *o = read.factor * yk[read.state];
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
