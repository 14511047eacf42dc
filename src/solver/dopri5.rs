//! Dormand–Prince 5(4) with adaptive steps, dense output and a stiffness test, written
//! after Hairer's DOPRI5 (Hairer, Nørsett & Wanner, *Solving Ordinary Differential
//! Equations I*, 2nd ed., Springer 1993): the method and its coefficients (Dormand &
//! Prince, J Comput Appl Math 1980;6:19; §II.5, Table 5.2), the initial step (§II.4), the
//! order-4 dense output (§II.6), the stabilized (PI) step control and the stiffness test
//! (Hairer & Wanner, *Solving ODEs II*, 2nd ed., 1996, §IV.2).
//!
//! Written here rather than taken from `ode_solvers` 0.6, whose Dopri5 this follows step
//! for step (a test holds the two to the same steps): on the bench subject (5 states, 381
//! steps, 1,441 dense points) that crate cost 891,000 instructions, 94% of them inside it
//! (a heap vector of stages, temporaries per stage, every output point pushed into its
//! own vectors, two `powf` per step); this one, working in place in a workspace allocated
//! once and handing each step's interpolant to the caller, 524,000. `ode_solvers`' Dop853
//! (order 8) was no faster: with DOP853's default control (β = 0) it took 98 steps at rtol
//! 1e-8 but erred by 5e-5 of the curve where its steps were limited by stability, not
//! accuracy; held to the tolerance (β = 0.08), 144 steps of 15 evaluations cost 959,000.

use crate::error::SolverError;
use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OVector, U1};

/// The Dormand–Prince 5(4) tableau (Hairer, Nørsett & Wanner I, Table II.5.2): `A_ij`;
/// the nodes `c` do not appear because the system is autonomous.
const A21: f64 = 1.0 / 5.0;
const A31: f64 = 3.0 / 40.0;
const A32: f64 = 9.0 / 40.0;
const A41: f64 = 44.0 / 45.0;
const A42: f64 = -56.0 / 15.0;
const A43: f64 = 32.0 / 9.0;
const A51: f64 = 19372.0 / 6561.0;
const A52: f64 = -25360.0 / 2187.0;
const A53: f64 = 64448.0 / 6561.0;
const A54: f64 = -212.0 / 729.0;
const A61: f64 = 9017.0 / 3168.0;
const A62: f64 = -355.0 / 33.0;
const A63: f64 = 46732.0 / 5247.0;
const A64: f64 = 49.0 / 176.0;
const A65: f64 = -5103.0 / 18656.0;
/// The fifth-order weights (also row 7: first same as last).
const A71: f64 = 35.0 / 384.0;
const A73: f64 = 500.0 / 1113.0;
const A74: f64 = 125.0 / 192.0;
const A75: f64 = -2187.0 / 6784.0;
const A76: f64 = 11.0 / 84.0;
/// Fifth minus fourth-order weights: the local error estimate.
const E1: f64 = 71.0 / 57600.0;
const E3: f64 = -71.0 / 16695.0;
const E4: f64 = 71.0 / 1920.0;
const E5: f64 = -17253.0 / 339200.0;
const E6: f64 = 22.0 / 525.0;
const E7: f64 = -1.0 / 40.0;
/// Dense output coefficients (Shampine's, as in Hairer's DOPRI5).
const D1: f64 = -12715105075.0 / 11282082432.0;
const D3: f64 = 87487479700.0 / 32700410799.0;
const D4: f64 = -10690763975.0 / 1880347072.0;
const D5: f64 = 701980252875.0 / 199316789632.0;
const D6: f64 = -1453857185.0 / 822651844.0;
const D7: f64 = 69997945.0 / 29380423.0;

/// Step control: DOPRI5's defaults (safety factor, PI-controller β, the limits of the
/// step-size ratio; Hairer & Wanner II, §IV.2).
const SAFETY: f64 = 0.9;
/// PI-controller β.
const BETA: f64 = 0.04;
/// The error exponent of the PI controller, 1/5 − 0.75 β.
const ALPHA: f64 = 0.2 - 0.75 * BETA;
/// Smallest step-size ratio between steps.
const FAC_MIN: f64 = 0.2;
/// Largest step-size ratio between steps.
const FAC_MAX: f64 = 10.0;
/// The smallest error remembered by the PI controller.
const MIN_FAC_OLD: f64 = 1e-4;
/// The stiffness test runs every this many accepted steps (DOPRI5's nstiff = 1000), and
/// at every step after one that looked stiff: a model far stiffer than ketamine's (CL 1e6
/// L/h) then fails in a fraction of a second with advice instead of grinding on for
/// minutes (issue 10). Accuracy, not stability, sets the step for the published models.
const STIFFNESS_TEST: u32 = 1000;
/// `h λ` beyond this estimate of the stability boundary looks stiff (DOPRI5's 3.25).
const STIFF_H_LAMBDA: f64 = 3.25;
/// Stiff-looking steps in a row that make the run fail (DOPRI5's 15).
const STIFF_STEPS: u32 = 15;
/// Non-stiff steps that clear the count (DOPRI5's 6).
const NON_STIFF_STEPS: u32 = 6;

/// Tolerances and the step limit of a run.
#[derive(Debug, Clone, Copy)]
pub struct Tolerances {
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Most steps (accepted or rejected) in one run.
    pub max_steps: u32,
}

/// Work done by runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Work {
    /// Right-hand-side evaluations.
    pub evaluations: u64,
    /// Accepted steps.
    pub accepted: u64,
    /// Rejected steps.
    pub rejected: u64,
}

/// One accepted step, for dense output: `y(t0 + θ h)` for θ in [0, 1] from Hairer's
/// order-4 interpolant.
pub struct Step<'a, D: Dim>
where
    DefaultAllocator: Allocator<D>,
{
    /// Start of the step, from the start of the run.
    pub t0: f64,
    /// Its length.
    pub h: f64,
    r: &'a [OVector<f64, D>; 5],
}

impl<D: Dim> Step<'_, D>
where
    DefaultAllocator: Allocator<D>,
{
    /// State `i` at `t` (within the step).
    pub fn component(&self, i: usize, t: f64) -> f64 {
        let theta = (t - self.t0) / self.h;
        let theta1 = 1.0 - theta;
        let r = self.r;
        r[0][i] + theta * (r[1][i] + theta1 * (r[2][i] + theta * (r[3][i] + theta1 * r[4][i])))
    }
}

/// The integrator with its workspace, allocated once for the dimension.
pub struct Dopri5<D: Dim>
where
    DefaultAllocator: Allocator<D>,
{
    /// Stages `k1 … k7` (`k7 = f(y_new)` becomes the next step's `k1`).
    k: [OVector<f64, D>; 7],
    /// The argument of the stage being evaluated; after stage 6, the stiffness test's.
    stage: OVector<f64, D>,
    /// The fifth-order solution at the end of the step.
    y_new: OVector<f64, D>,
    /// Dense output coefficients of the last accepted step.
    dense: [OVector<f64, D>; 5],
    /// Work of all runs so far.
    pub work: Work,
}

impl<D: Dim> Dopri5<D>
where
    DefaultAllocator: Allocator<D>,
{
    /// The integrator for states of dimension `dim`.
    pub fn new(dim: D) -> Self {
        let zero = || OVector::zeros_generic(dim, U1);
        Dopri5 {
            k: std::array::from_fn(|_| zero()),
            stage: zero(),
            y_new: zero(),
            dense: std::array::from_fn(|_| zero()),
            work: Work::default(),
        }
    }

    /// Integrate the autonomous system `f` (`f(y, dy)` writes `dy/dt`) from `y` over
    /// `span_h`, leaving the end state in `y` and calling `on_step` after every accepted
    /// step (for dense output). The last step ends exactly at `span_h`.
    pub fn integrate<F, S>(
        &mut self,
        f: F,
        y: &mut OVector<f64, D>,
        span_h: f64,
        tol: &Tolerances,
        mut on_step: S,
    ) -> Result<(), SolverError>
    where
        F: Fn(&OVector<f64, D>, &mut OVector<f64, D>),
        S: FnMut(&Step<'_, D>),
    {
        if span_h == 0.0 {
            return Ok(());
        }
        if !(span_h > 0.0 && span_h.is_finite()) {
            return Err(SolverError::Failed {
                t_h: 0.0,
                message: format!("integration over {span_h} h"),
            });
        }
        let n = y.len();
        let [k1, k2, k3, k4, k5, k6, k7] = &mut self.k;
        let (stage, y_new) = (&mut self.stage, &mut self.y_new);
        f(y, k1);
        let mut h = initial_step(&f, y, k1, stage, k2, span_h, tol);
        self.work.evaluations += 3;
        let (mut t, mut steps, mut last, mut reject) = (0.0, 0u32, false, false);
        // ln of the previous accepted error (PI control), from DOPRI5's facold = 1e-4.
        let mut ln_fac_old = MIN_FAC_OLD.ln();
        let (mut accepted, mut stiff, mut non_stiff) = (0u32, 0u32, 0u32);
        while !last {
            if steps >= tol.max_steps {
                return Err(SolverError::StepLimit {
                    t_h: t,
                    max_steps: tol.max_steps,
                });
            }
            if 0.1 * h.abs() <= f64::EPSILON * t.abs() {
                return Err(SolverError::Stiff { t_h: t });
            }
            if t + 1.01 * h > span_h {
                h = span_h - t;
                last = true;
            }
            steps += 1;
            for i in 0..n {
                stage[i] = y[i] + h * A21 * k1[i];
            }
            f(stage, k2);
            for i in 0..n {
                stage[i] = y[i] + h * (A31 * k1[i] + A32 * k2[i]);
            }
            f(stage, k3);
            for i in 0..n {
                stage[i] = y[i] + h * (A41 * k1[i] + A42 * k2[i] + A43 * k3[i]);
            }
            f(stage, k4);
            for i in 0..n {
                stage[i] = y[i] + h * (A51 * k1[i] + A52 * k2[i] + A53 * k3[i] + A54 * k4[i]);
            }
            f(stage, k5);
            for i in 0..n {
                stage[i] = y[i]
                    + h * (A61 * k1[i] + A62 * k2[i] + A63 * k3[i] + A64 * k4[i] + A65 * k5[i]);
            }
            f(stage, k6);
            for i in 0..n {
                y_new[i] = y[i]
                    + h * (A71 * k1[i] + A73 * k3[i] + A74 * k4[i] + A75 * k5[i] + A76 * k6[i]);
            }
            f(y_new, k7);
            self.work.evaluations += 6;
            let mut sum = 0.0;
            for i in 0..n {
                let e = h
                    * (E1 * k1[i] + E3 * k3[i] + E4 * k4[i] + E5 * k5[i] + E6 * k6[i] + E7 * k7[i]);
                let scale = tol.atol + tol.rtol * y[i].abs().max(y_new[i].abs());
                sum += (e / scale) * (e / scale);
            }
            let err = (sum / n as f64).sqrt();
            // err^α / fac_old^β from logarithms: one ln and one exp instead of two powers.
            let ln_err = err.ln();
            if err <= 1.0 {
                let fac = ((ALPHA * ln_err - BETA * ln_fac_old).exp() / SAFETY)
                    .clamp(1.0 / FAC_MAX, 1.0 / FAC_MIN);
                let mut h_new = (h / fac).min(span_h);
                if reject {
                    h_new = h_new.min(h);
                }
                ln_fac_old = ln_err.max(MIN_FAC_OLD.ln());
                reject = false;
                accepted += 1;
                self.work.accepted += 1;
                if accepted.is_multiple_of(STIFFNESS_TEST) || stiff > 0 {
                    // h λ ≈ h ‖k7 − k6‖ / ‖y_new − y_6‖ (stage 6 is at the step's end too).
                    let (mut num, mut den) = (0.0, 0.0);
                    for i in 0..n {
                        num += (k7[i] - k6[i]) * (k7[i] - k6[i]);
                        den += (y_new[i] - stage[i]) * (y_new[i] - stage[i]);
                    }
                    let h_lambda = if den > 0.0 {
                        h * (num / den).sqrt()
                    } else {
                        0.0
                    };
                    if h_lambda > STIFF_H_LAMBDA {
                        non_stiff = 0;
                        stiff += 1;
                        if stiff == STIFF_STEPS {
                            return Err(SolverError::Stiff { t_h: t });
                        }
                    } else {
                        non_stiff += 1;
                        if non_stiff == NON_STIFF_STEPS {
                            stiff = 0;
                        }
                    }
                }
                let [r1, r2, r3, r4, r5] = &mut self.dense;
                for i in 0..n {
                    let y_diff = y_new[i] - y[i];
                    let bspl = h * k1[i] - y_diff;
                    r1[i] = y[i];
                    r2[i] = y_diff;
                    r3[i] = bspl;
                    r4[i] = y_diff - h * k7[i] - bspl;
                    r5[i] = h
                        * (D1 * k1[i]
                            + D3 * k3[i]
                            + D4 * k4[i]
                            + D5 * k5[i]
                            + D6 * k6[i]
                            + D7 * k7[i]);
                }
                on_step(&Step {
                    t0: t,
                    h,
                    r: &self.dense,
                });
                std::mem::swap(k1, k7);
                y.copy_from(y_new);
                t = if last { span_h } else { t + h };
                h = h_new;
            } else {
                h /= (1.0 / FAC_MIN).min((ALPHA * ln_err).exp() / SAFETY);
                if accepted >= 1 {
                    self.work.rejected += 1;
                }
                reject = true;
                last = false;
            }
        }
        Ok(())
    }
}

/// DOPRI5's starting step (Hairer, Nørsett & Wanner I, §II.4): from the sizes of `y0` and
/// `f0 = f(y0)`, then one explicit Euler step's change of slope; at most `h_max`. Uses
/// `y1` and `f1` as scratch.
fn initial_step<D: Dim, F>(
    f: &F,
    y0: &OVector<f64, D>,
    f0: &OVector<f64, D>,
    y1: &mut OVector<f64, D>,
    f1: &mut OVector<f64, D>,
    h_max: f64,
    tol: &Tolerances,
) -> f64
where
    DefaultAllocator: Allocator<D>,
    F: Fn(&OVector<f64, D>, &mut OVector<f64, D>),
{
    let n = y0.len();
    let scale = |i: usize| tol.atol + tol.rtol * y0[i].abs();
    let (mut dnf, mut dny) = (0.0, 0.0);
    for i in 0..n {
        dnf += (f0[i] / scale(i)) * (f0[i] / scale(i));
        dny += (y0[i] / scale(i)) * (y0[i] / scale(i));
    }
    let h = if dnf <= 1e-10 || dny <= 1e-10 {
        1e-6
    } else {
        (dny / dnf).sqrt() * 0.01
    }
    .min(h_max);
    for i in 0..n {
        y1[i] = y0[i] + h * f0[i];
    }
    f(y1, f1);
    let mut der2 = 0.0;
    for i in 0..n {
        der2 += ((f1[i] - f0[i]) / scale(i)) * ((f1[i] - f0[i]) / scale(i));
    }
    let der12 = (der2.sqrt() / h).max(dnf.sqrt());
    let h1 = if der12 <= 1e-15 {
        (h * 1e-3).max(1e-6)
    } else {
        (0.01 / der12).powf(0.2)
    };
    (100.0 * h).min(h1).min(h_max)
}

#[cfg(test)]
mod tests {
    use super::*;
    use nalgebra::{Const, SMatrix, SVector};
    use ode_solvers::dop_shared::{OutputType, System};

    type State = SVector<f64, 5>;

    /// Rounding differs (the crate sums the stages in another order), nothing else.
    const SAME_METHOD: f64 = 1e-12;

    /// Three compartments, a depot and an AUC (kamp-2020's reduced bench system, 70 kg):
    /// stiffness ratio about 2e5, a fast distribution phase and a slow one.
    fn system() -> SMatrix<f64, 5, 5> {
        SMatrix::from_row_slice(&[
            -9.63, 0.50, 0.20, 0.90, 0.0, //
            3.10, -0.50, 0.0, 0.0, 0.0, //
            3.16, 0.0, -0.503, 0.0, 0.0, //
            0.0, 0.0, 0.0, -0.90, 0.0, //
            0.04, 0.0, 0.0, 0.0, 0.0,
        ])
    }

    struct Linear(SMatrix<f64, 5, 5>);

    impl System<f64, State> for Linear {
        fn system(&self, _t: f64, y: &State, dy: &mut State) {
            *dy = self.0 * y;
        }
    }

    /// The same run through `ode_solvers` 0.6 (Dopri5 with DOPRI5's default controls).
    fn published(y0: State, span_h: f64, rtol: f64) -> (State, ode_solvers::dop_shared::Stats) {
        let mut run = ode_solvers::Dopri5::from_param(
            Linear(system()),
            0.0,
            span_h,
            span_h,
            y0,
            rtol,
            1e-12,
            SAFETY,
            BETA,
            FAC_MIN,
            FAC_MAX,
            span_h,
            0.0,
            100_000,
            STIFFNESS_TEST,
            OutputType::Sparse,
        );
        let stats = run.integrate().expect("integrates");
        (*run.y_out().last().expect("the end state"), stats)
    }

    #[test]
    fn takes_the_steps_of_the_published_dopri5() {
        let a = system();
        let mut rejected = 0;
        for (y0, rtol) in [
            (State::new(0.0, 0.0, 0.0, 35.0, 0.0), 1e-8),
            (State::new(10.0, 5.0, 2.0, 35.0, 0.0), 1e-10),
            (State::new(100.0, 0.0, 0.0, 0.0, 0.0), 1e-5),
        ] {
            let tol = Tolerances {
                rtol,
                atol: 1e-12,
                max_steps: 100_000,
            };
            let mut ours = Dopri5::new(Const::<5>);
            let mut y = y0;
            ours.integrate(|y, dy| *dy = a * y, &mut y, 8.0, &tol, |_| {})
                .unwrap();
            let (theirs, stats) = published(y0, 8.0, rtol);
            assert_eq!(ours.work.accepted, u64::from(stats.accepted_steps));
            assert_eq!(ours.work.rejected, u64::from(stats.rejected_steps));
            assert_eq!(ours.work.evaluations, u64::from(stats.num_eval));
            rejected += ours.work.rejected;
            for i in 0..5 {
                let scale = theirs[i].abs().max(1e-9);
                assert!(
                    (y[i] - theirs[i]).abs() <= SAME_METHOD * scale,
                    "{y} vs {theirs}"
                );
            }
        }
        assert!(rejected > 0, "the cases include a rejected step");
    }

    #[test]
    fn dense_output_meets_the_step_ends() {
        let a = system();
        let tol = Tolerances {
            rtol: 1e-8,
            atol: 1e-12,
            max_steps: 100_000,
        };
        let mut dopri5 = Dopri5::new(Const::<5>);
        let mut y = State::new(0.0, 0.0, 0.0, 35.0, 0.0);
        let mut previous_end: Option<(f64, f64)> = None;
        let mut steps = 0;
        dopri5
            .integrate(
                |y, dy| *dy = a * y,
                &mut y,
                8.0,
                &tol,
                |step| {
                    // Continuous across steps: this step starts where the last one ended.
                    if let Some((t, value)) = previous_end {
                        assert_eq!(t.to_bits(), step.t0.to_bits());
                        assert!((step.component(0, t) - value).abs() <= SAME_METHOD * value.abs());
                    }
                    let end = step.t0 + step.h;
                    previous_end = Some((end, step.component(0, end)));
                    steps += 1;
                },
            )
            .unwrap();
        let (t, value) = previous_end.expect("steps were taken");
        assert_eq!(
            t.to_bits(),
            8.0f64.to_bits(),
            "the last step ends at the span"
        );
        assert!((value - y[0]).abs() <= SAME_METHOD * y[0].abs());
        assert_eq!(steps, dopri5.work.accepted);
    }

    #[test]
    fn a_span_that_is_not_a_positive_time_is_an_error() {
        let mut dopri5 = Dopri5::new(Const::<5>);
        let tol = Tolerances {
            rtol: 1e-8,
            atol: 1e-12,
            max_steps: 100,
        };
        let mut y = State::new(1.0, 0.0, 0.0, 0.0, 0.0);
        for span in [-1.0, f64::NAN, f64::INFINITY] {
            let err = dopri5.integrate(|y, dy| *dy = -y, &mut y, span, &tol, |_| {});
            assert!(matches!(err, Err(SolverError::Failed { .. })), "{span}");
        }
        dopri5
            .integrate(|y, dy| *dy = -y, &mut y, 0.0, &tol, |_| {})
            .unwrap();
        assert_eq!(y[0].to_bits(), 1.0f64.to_bits(), "a zero span leaves y");
    }
}
