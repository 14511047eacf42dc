//! The exact solver: `x(t+h) = Φ(h) x(t) + Γ(h) u`, with `Φ(h) = exp(A h)` and
//! `Γ(h) = ∫₀ʰ exp(A s) ds`.
//!
//! Both come from one exponential of the block matrix `[[A, I], [0, 0]] · h`, whose
//! top-right block is Γ (Van Loan, IEEE Trans Autom Control 1978;23:395,
//! doi:10.1109/TAC.1978.1101743). DESIGN.md augments with the input vector `u` instead
//! of `I`; using `I` makes the propagator independent of the input, so one cached pair
//! (Φ, Γ) per step length serves every infusion rate. The exponential itself is
//! nalgebra's Padé scaling-and-squaring (Higham, SIAM J Matrix Anal Appl 2005;26:1179).
//!
//! The step loop is a row-major n×n matrix–vector product plus the cached `Γ u`: no
//! allocation, no exponential, once a step length has been seen.

use super::{Solver, SolverStats};
use crate::error::SolverError;
use nalgebra::DMatrix;

/// Cached propagators stop growing here; past it the cache is cleared (irregular datasets).
const CACHE_LIMIT: usize = 64;

/// Φ(h) and Γ(h) of `a`.
pub fn propagator(a: &DMatrix<f64>, h: f64) -> (DMatrix<f64>, DMatrix<f64>) {
    let n = a.nrows();
    let mut m = DMatrix::zeros(2 * n, 2 * n);
    m.view_mut((0, 0), (n, n)).copy_from(&(a * h));
    m.view_mut((0, n), (n, n)).fill_diagonal(h);
    let e = m.exp();
    (
        e.view((0, 0), (n, n)).into_owned(),
        e.view((0, n), (n, n)).into_owned(),
    )
}

/// Φ and Γ for one step length, flattened row-major, with `Γ u` for the current input.
struct Step {
    h_bits: u64,
    phi: Vec<f64>,
    gamma: Vec<f64>,
    gamma_u: Vec<f64>,
    gamma_u_current: bool,
}

/// The matrix-exponential solver.
pub struct Exact {
    a: DMatrix<f64>,
    n: usize,
    steps: Vec<Step>,
    last: usize,
    u: Vec<f64>,
    next: Vec<f64>,
    exponentials: u64,
}

fn row_major(m: &DMatrix<f64>) -> Vec<f64> {
    m.transpose().as_slice().to_vec()
}

impl Exact {
    /// A solver for `dx/dt = a x + u`.
    pub fn new(a: &DMatrix<f64>) -> Exact {
        let n = a.nrows();
        Exact {
            a: a.clone(),
            n,
            steps: Vec::new(),
            last: 0,
            u: vec![0.0; n],
            next: vec![0.0; n],
            exponentials: 0,
        }
    }

    fn step_index(&mut self, h: f64) -> usize {
        let bits = h.to_bits();
        if self.steps.get(self.last).is_some_and(|s| s.h_bits == bits) {
            return self.last;
        }
        if let Some(i) = self.steps.iter().position(|s| s.h_bits == bits) {
            self.last = i;
            return i;
        }
        if self.steps.len() >= CACHE_LIMIT {
            self.steps.clear();
        }
        let (phi, gamma) = propagator(&self.a, h);
        self.exponentials += 1;
        self.steps.push(Step {
            h_bits: bits,
            phi: row_major(&phi),
            gamma: row_major(&gamma),
            gamma_u: vec![0.0; self.n],
            gamma_u_current: false,
        });
        self.last = self.steps.len() - 1;
        self.last
    }
}

fn mat_vec(m: &[f64], v: &[f64], out: &mut [f64]) {
    let n = v.len();
    for (o, row) in out.iter_mut().zip(m.chunks_exact(n)) {
        *o = row.iter().zip(v).map(|(a, b)| a * b).sum();
    }
}

impl Solver for Exact {
    fn set_input(&mut self, u: &[f64]) {
        self.u.copy_from_slice(u);
        for s in &mut self.steps {
            s.gamma_u_current = false;
        }
    }

    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError> {
        let i = self.step_index(h);
        let step = &mut self.steps[i];
        if !step.gamma_u_current {
            mat_vec(&step.gamma, &self.u, &mut step.gamma_u);
            step.gamma_u_current = true;
        }
        mat_vec(&step.phi, x, &mut self.next);
        for ((xi, next), gu) in x.iter_mut().zip(&self.next).zip(&step.gamma_u) {
            *xi = next + gu;
        }
        Ok(())
    }

    fn stats(&self) -> SolverStats {
        SolverStats {
            exponentials: self.exponentials,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// exp of a 2×2 matrix is accurate to a few ulps of its norm.
    const EXP_ACCURACY: f64 = 1e-13;

    #[test]
    fn scalar_propagator_is_the_closed_form() {
        // dx/dt = −k x + u: Φ = e^{−kh}, Γ = (1 − e^{−kh}) / k.
        let (k, h) = (0.3, 2.5);
        let (phi, gamma) = propagator(&DMatrix::from_element(1, 1, -k), h);
        assert_relative_eq!(phi[(0, 0)], (-k * h).exp(), max_relative = EXP_ACCURACY);
        assert_relative_eq!(
            gamma[(0, 0)],
            (1.0 - (-k * h).exp()) / k,
            max_relative = EXP_ACCURACY
        );
    }

    #[test]
    fn propagators_are_cached_per_step_length() {
        let mut s = Exact::new(&DMatrix::from_element(1, 1, -1.0));
        let mut x = [1.0];
        for _ in 0..10 {
            s.advance(&mut x, 0.1).unwrap();
        }
        s.advance(&mut x, 0.2).unwrap();
        assert_eq!(s.stats().exponentials, 2);
        assert_relative_eq!(x[0], (-1.2f64).exp(), max_relative = 1e-13);
    }
}
