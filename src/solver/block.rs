//! The exact solver's fast path on a uniform output grid: fixed-size propagators and a
//! block of output rows per state update.
//!
//! With the input `u` constant, `x(t + h) = Φ x(t) + g` where `Φ = exp(A h)` and
//! `g = Γ(h) u` ([`super::exact`]). Over a block of `B` grid steps from `x_k`,
//!
//! ```text
//! x_{k+j} = Φʲ x_k + G_j,   G_1 = g,  G_{j+1} = Φ G_j + g      (j = 1 … B)
//! ```
//!
//! so the plasma concentration at the `B` points of a block is `ρ_j · x_k + σ_j`, with the
//! rows `ρ_j = f e₀ᵀ Φʲ` cached once per subject and `σ_j = f e₀ᵀ G_j` once per constant-
//! input stretch (`f` turns the central amount into ng/mL). Only the block's last state is
//! carried forward (`x_{k+B} = Φᴮ x_k + G_B`), so the chain of dependent products is `B`
//! times shorter than stepping point by point, and the `B` dot products of a block are
//! independent work a CPU overlaps. Everything is a fixed-size array: no allocation, no
//! cache lookup, no dynamic dispatch inside a stretch.
//!
//! Φ and Γ come from [`phi_gamma`], a Taylor series with scaling and squaring on the
//! fixed-size matrix; tests check it against the Padé exponential of [`super::exact`].

use super::{GridEngine, GridOutput, SolverStats};
use crate::error::SolverError;
use nalgebra::DMatrix;

/// Grid points per state update (a power of 2: Φᴮ is built by squaring). 8 rows of `ρ`
/// are 64 bytes per state: a cache line.
pub const BLOCK: usize = 8;

/// A row-major `R × R` matrix.
pub type Mat<const R: usize> = [[f64; R]; R];

/// After scaling, `‖A h‖₁ ≤ 0.5`: the Taylor terms then shrink at least 2× per order.
const SCALE_NORM: f64 = 0.5;
/// Taylor terms are added until the last is below this fraction of the sum (about ½ ulp).
const TERM_TOLERANCE: f64 = 1e-17;
/// More Taylor terms than this cannot be needed at `‖A h‖₁ ≤ 0.5` (0.5³⁰/30! ≈ 4e-42).
const MAX_TERMS: usize = 30;
/// Cached propagators for off-grid steps (lag times, the short last step).
const PARTIAL_CACHE: usize = 16;

fn identity<const R: usize>() -> Mat<R> {
    let mut m = [[0.0; R]; R];
    for (i, row) in m.iter_mut().enumerate() {
        row[i] = 1.0;
    }
    m
}

fn mul<const R: usize>(a: &Mat<R>, b: &Mat<R>) -> Mat<R> {
    let mut c = [[0.0; R]; R];
    for (ci, ai) in c.iter_mut().zip(a) {
        for (aik, bk) in ai.iter().zip(b) {
            for (cij, bkj) in ci.iter_mut().zip(bk) {
                *cij += aik * bkj;
            }
        }
    }
    c
}

fn mat_vec<const R: usize>(a: &Mat<R>, x: &[f64; R]) -> [f64; R] {
    let mut y = [0.0; R];
    for (yi, row) in y.iter_mut().zip(a) {
        *yi = row.iter().zip(x).map(|(p, q)| p * q).sum();
    }
    y
}

fn max_abs<const R: usize>(a: &Mat<R>) -> f64 {
    a.iter().flatten().fold(0.0, |m, v| m.max(v.abs()))
}

/// `Φ(h) = exp(A h)` and `Γ(h) = ∫₀ʰ exp(A s) ds` of a fixed-size `a`.
///
/// Scale `h` by `2⁻ˢ` until `‖A h‖₁ ≤ 0.5`, sum the Taylor series
/// `Φ = Σ (Ah)ᵏ/k!` and `Γ = h Σ (Ah)ᵏ/(k+1)!` until a term is negligible, then square
/// back: `Φ(2h) = Φ(h)²`, `Γ(2h) = Γ(h) + Φ(h) Γ(h)` (since `∫₀²ʰ = ∫₀ʰ + e^{Ah} ∫₀ʰ`).
///
/// ## Reference
/// Moler C, Van Loan C. Nineteen dubious ways to compute the exponential of a matrix,
/// twenty-five years later. SIAM Rev 2003;45:3–49, doi:10.1137/S00361445024180
/// (method 3, Taylor series with scaling and squaring). For the compartment matrices
/// here (real eigenvalues ≤ 0, `‖A h‖₁` small after scaling) it is as accurate as Padé.
pub fn phi_gamma<const R: usize>(a: &Mat<R>, h: f64) -> (Mat<R>, Mat<R>) {
    let norm = (0..R)
        .map(|j| a.iter().map(|row| row[j].abs()).sum::<f64>())
        .fold(0.0, f64::max)
        * h;
    let squarings = if norm > SCALE_NORM {
        (norm / SCALE_NORM).log2().ceil() as i32
    } else {
        0
    };
    let hs = h / 2f64.powi(squarings);
    let mut b = *a;
    b.iter_mut().flatten().for_each(|v| *v *= hs);
    let (mut term, mut phi, mut gamma) = (identity::<R>(), identity::<R>(), identity::<R>());
    for k in 1..=MAX_TERMS {
        term = mul(&term, &b);
        term.iter_mut().flatten().for_each(|v| *v /= k as f64);
        for ((p, g), t) in phi
            .iter_mut()
            .flatten()
            .zip(gamma.iter_mut().flatten())
            .zip(term.iter().flatten())
        {
            *p += t;
            *g += t / (k + 1) as f64;
        }
        if max_abs(&term) <= TERM_TOLERANCE * max_abs(&phi) {
            break;
        }
    }
    gamma.iter_mut().flatten().for_each(|v| *v *= hs);
    for _ in 0..squarings {
        let pg = mul(&phi, &gamma);
        gamma
            .iter_mut()
            .flatten()
            .zip(pg.iter().flatten())
            .for_each(|(g, p)| *g += p);
        phi = mul(&phi, &phi);
    }
    (phi, gamma)
}

/// The block propagator of a system with `R` states.
pub struct BlockExact<const R: usize> {
    a: Mat<R>,
    step_h: f64,
    out: GridOutput,
    phi: Mat<R>,
    gamma: Mat<R>,
    /// Φᴮ column by column: `phi_block[i][r]` = (Φᴮ)ᵣᵢ, so the update vectorises over rows.
    phi_block: Mat<R>,
    /// `rho[i][j]` = f (Φʲ⁺¹)ₒᵢ: output row of point j + 1 of a block, by state.
    rho: [[f64; BLOCK]; R],
    u: [f64; R],
    g: [f64; R],
    g_block: [f64; R],
    sigma: [f64; BLOCK],
    partial: Vec<(u64, Mat<R>, Mat<R>)>,
    exponentials: u64,
}

impl<const R: usize> BlockExact<R> {
    /// The propagator of `dx/dt = a x + u` (`a` is `R × R`) on a grid of `step_h` hours.
    pub fn new(a: &DMatrix<f64>, step_h: f64, out: GridOutput) -> Self {
        let mut m = [[0.0; R]; R];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = a[(i, j)];
            }
        }
        let (phi, gamma) = phi_gamma(&m, step_h);
        // Output rows of Φʲ by row-vector products (R² each), Φᴮ by squaring (B = 2³).
        let mut rho = [[0.0; BLOCK]; R];
        let mut row = phi[out.state];
        for j in 0..BLOCK {
            if j > 0 {
                let mut next = [0.0; R];
                for (r, p) in row.iter().zip(&phi) {
                    for (n, q) in next.iter_mut().zip(p) {
                        *n += r * q;
                    }
                }
                row = next;
            }
            for (i, r) in rho.iter_mut().enumerate() {
                r[j] = out.factor * row[i];
            }
        }
        let mut power = phi;
        for _ in 0..BLOCK.trailing_zeros() {
            power = mul(&power, &power);
        }
        let mut phi_block = [[0.0; R]; R];
        for (i, col) in phi_block.iter_mut().enumerate() {
            for (r, v) in col.iter_mut().enumerate() {
                *v = power[r][i];
            }
        }
        let mut s = BlockExact {
            a: m,
            step_h,
            out,
            phi,
            gamma,
            phi_block,
            rho,
            u: [0.0; R],
            g: [0.0; R],
            g_block: [0.0; R],
            sigma: [0.0; BLOCK],
            partial: Vec::new(),
            exponentials: 1,
        };
        s.set_input(&[0.0; R]);
        s
    }

    fn step(&self, x: &mut [f64; R]) {
        let next = mat_vec(&self.phi, x);
        for ((xi, n), g) in x.iter_mut().zip(next).zip(self.g) {
            *xi = n + g;
        }
    }
}

impl<const R: usize> GridEngine for BlockExact<R> {
    fn set_input(&mut self, u: &[f64]) {
        self.u.copy_from_slice(u);
        self.g = mat_vec(&self.gamma, &self.u);
        let mut big_g = self.g;
        for j in 0..BLOCK {
            if j > 0 {
                let next = mat_vec(&self.phi, &big_g);
                for ((b, n), g) in big_g.iter_mut().zip(next).zip(self.g) {
                    *b = n + g;
                }
            }
            self.sigma[j] = self.out.factor * big_g[self.out.state];
        }
        self.g_block = big_g;
    }

    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError> {
        let mut s: [f64; R] = x.try_into().expect("the state has R entries");
        if h.to_bits() == self.step_h.to_bits() {
            self.step(&mut s);
        } else {
            let bits = h.to_bits();
            let i = match self.partial.iter().position(|p| p.0 == bits) {
                Some(i) => i,
                None => {
                    if self.partial.len() >= PARTIAL_CACHE {
                        self.partial.clear();
                    }
                    let (phi, gamma) = phi_gamma(&self.a, h);
                    self.exponentials += 1;
                    self.partial.push((bits, phi, gamma));
                    self.partial.len() - 1
                }
            };
            let (_, phi, gamma) = &self.partial[i];
            let (next, gu) = (mat_vec(phi, &s), mat_vec(gamma, &self.u));
            for ((si, n), g) in s.iter_mut().zip(next).zip(gu) {
                *si = n + g;
            }
        }
        x.copy_from_slice(&s);
        Ok(())
    }

    fn sample(&mut self, x: &mut [f64], out: &mut [f64]) -> Result<(), SolverError> {
        let mut s: [f64; R] = (&*x).try_into().expect("the state has R entries");
        let mut blocks = out.chunks_exact_mut(BLOCK);
        for block in &mut blocks {
            let mut c = self.sigma;
            for (rho, xi) in self.rho.iter().zip(s) {
                for (cj, r) in c.iter_mut().zip(rho) {
                    *cj += r * xi;
                }
            }
            block.copy_from_slice(&c);
            let mut next = self.g_block;
            for (col, xi) in self.phi_block.iter().zip(s) {
                for (n, p) in next.iter_mut().zip(col) {
                    *n += p * xi;
                }
            }
            s = next;
        }
        for o in blocks.into_remainder() {
            self.step(&mut s);
            *o = self.out.factor * s[self.out.state];
        }
        x.copy_from_slice(&s);
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
    use crate::model::library;
    use crate::model::system::{Analyte, Depot, LinearSystem};
    use crate::solver::exact::propagator;

    /// Taylor and Padé agree to a few ulps of the matrix norm on these small matrices.
    const METHODS_AGREE: f64 = 1e-13;

    fn fixed<const R: usize>(a: &DMatrix<f64>) -> Mat<R> {
        let mut m = [[0.0; R]; R];
        for (i, row) in m.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = a[(i, j)];
            }
        }
        m
    }

    fn kamp_oral() -> LinearSystem {
        let model = library::get("kamp-2020").unwrap().individual(70.0);
        let depot = Depot {
            ka_per_h: 1.5,
            into: Analyte::Parent,
        };
        LinearSystem::new(&model, &[depot])
    }

    #[test]
    fn taylor_propagator_matches_pade() {
        let system = kamp_oral();
        assert_eq!(system.n(), 6);
        let a = fixed::<6>(&system.a);
        for h in [1.0 / 3600.0, 1.0 / 60.0, 0.25, 1.0, 24.0] {
            let (phi, gamma) = phi_gamma(&a, h);
            let (p, g) = propagator(&system.a, h);
            let scale_p = p.amax();
            let scale_g = g.amax();
            for i in 0..6 {
                for j in 0..6 {
                    assert!(
                        (phi[i][j] - p[(i, j)]).abs() <= METHODS_AGREE * scale_p,
                        "Φ h={h}"
                    );
                    assert!(
                        (gamma[i][j] - g[(i, j)]).abs() <= METHODS_AGREE * scale_g,
                        "Γ h={h}"
                    );
                }
            }
        }
    }

    #[test]
    fn blocks_equal_single_steps() {
        let system = kamp_oral();
        let out = GridOutput {
            state: 0,
            factor: 1000.0 / system.model.disposition.v1_l,
        };
        let step = 1.0 / 60.0;
        let mut engine = BlockExact::<6>::new(&system.a, step, out);
        let mut u = [0.0; 6];
        u[3] = 20.0; // 20 mg/h into the depot
        engine.set_input(&u);
        let mut x = [0.0; 6];
        x[0] = 35.0;
        let mut fast = vec![0.0; 8 * 5 + 3];
        let mut xf = x;
        engine.sample(&mut xf, &mut fast).unwrap();
        let mut xs = x;
        for (k, c) in fast.iter().enumerate() {
            engine.advance(&mut xs, step).unwrap();
            let slow = out.factor * xs[0];
            assert!((c - slow).abs() <= 1e-13 * slow, "point {k}: {c} vs {slow}");
        }
        for (a, b) in xf.iter().zip(&xs) {
            assert!((a - b).abs() <= 1e-13 * b.abs().max(1e-9));
        }
        assert_eq!(engine.stats().exponentials, 1);
    }
}
