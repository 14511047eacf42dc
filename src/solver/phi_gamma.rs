//! The one matrix exponential: `Φ(h) = exp(A h)` and `Γ(h) = ∫₀ʰ exp(A s) ds` of a
//! square matrix, used by the exact propagator of every size and by steady state.
//!
//! Scale `h` by `2⁻ˢ` until `‖A h‖₁ ≤ 0.5`, sum the Taylor series of
//! `S = Σ (Ah)ᵏ/(k+1)!` by Horner's rule (`S = I + B/2 (I + B/3 (I + …))`, `B = A h`),
//! then `Γ = h S` and `Φ = I + B S` (since `A ∫₀ʰ e^{As} ds = e^{Ah} − I`): one series
//! for both, `m + 1` matrix products. The number of terms `m` is fixed before summing,
//! from the bound `‖B‖₁^(k+1)/(k+2)!` on what the terms after the `k`-th add. Then square
//! back: `Φ(2h) = Φ(h)²`, `Γ(2h) = Γ(h) + Φ(h) Γ(h)` (since `∫₀²ʰ = ∫₀ʰ + e^{Ah} ∫₀ʰ`).
//! Γ is the top-right block of `exp([[A, I], [0, 0]] h)` (Van Loan, IEEE Trans Autom
//! Control 1978;23:395, doi:10.1109/TAC.1978.1101743), computed here without forming the
//! block matrix.
//!
//! The number of squarings is `⌈log₂(‖A h‖₁ / 0.5)⌉`, at most about 1,030 for any finite
//! `‖A h‖₁`; a non-finite norm is an error. So the computation ends for any input (the
//! Padé exponential it replaces spun for ka between ~1e41 and 1e65 /h, issue 10).
//!
//! ## Reference
//! Moler C, Van Loan C. Nineteen dubious ways to compute the exponential of a matrix,
//! twenty-five years later. SIAM Rev 2003;45:3–49, doi:10.1137/S00361445024180
//! (method 3, Taylor series with scaling and squaring). For compartment matrices (real
//! eigenvalues ≤ 0, `‖A h‖₁ ≤ 0.5` after scaling) it is as accurate as Padé.

use crate::error::SolverError;
use nalgebra::DMatrix;

/// After scaling, `‖A h‖₁ ≤ 0.5`: the Taylor terms then shrink at least 2× per order.
const SCALE_NORM: f64 = 0.5;
/// Taylor terms are added until what the rest can add is below this (about ½ ulp of 1).
const TERM_TOLERANCE: f64 = 1e-17;
/// More Taylor terms than this cannot be needed at `‖A h‖₁ ≤ 0.5` (0.5³⁰/30! ≈ 4e-42).
const MAX_TERMS: usize = 30;

/// `c = a b` for row-major `n × n` matrices (inlined, so that a caller passing a
/// constant `n` gets loops of a fixed length).
#[inline(always)]
fn mul(a: &[f64], b: &[f64], n: usize, c: &mut [f64]) {
    c[..n * n].fill(0.0);
    for (ci, ai) in c.chunks_exact_mut(n).zip(a.chunks_exact(n)).take(n) {
        for (aik, bk) in ai.iter().zip(b.chunks_exact(n)) {
            for (cij, bkj) in ci.iter_mut().zip(bk) {
                *cij += aik * bkj;
            }
        }
    }
}

/// `m` ← `s m + I` (`s` a scalar) for a row-major `n × n` matrix.
#[inline(always)]
fn scale_add_identity(m: &mut [f64], s: f64, n: usize) {
    m[..n * n].iter_mut().for_each(|v| *v *= s);
    for i in 0..n {
        m[i * n + i] += 1.0;
    }
}

/// Taylor terms `m` of `S` for `‖B‖₁ = norm ≤ 0.5`: the first term left out is at most
/// `norm^(m+1)/(m+2)! ≤ TERM_TOLERANCE`, and all the others add less than it again.
fn terms(norm: f64) -> usize {
    let mut m = 0;
    let mut rest = norm / 2.0;
    while rest > TERM_TOLERANCE && m < MAX_TERMS {
        m += 1;
        rest *= norm / (m + 2) as f64;
    }
    m
}

/// Φ(h) and Γ(h) of the row-major `n × n` matrix `a`, row-major. An error when `‖A h‖`
/// is not finite.
pub fn phi_gamma(a: &[f64], n: usize, h: f64) -> Result<(Vec<f64>, Vec<f64>), SolverError> {
    let (mut phi, mut gamma) = (vec![0.0; n * n], vec![0.0; n * n]);
    let mut work = vec![0.0; 2 * n * n];
    phi_gamma_into(a, n, h, (&mut phi, &mut gamma), &mut work)?;
    Ok((phi, gamma))
}

/// [`phi_gamma`] into the first `n²` entries of `phi` and `gamma`, with `work` (at least
/// `2 n²` entries) as scratch: no allocation, so fixed-size callers pay for none.
#[inline(always)]
pub fn phi_gamma_into(
    a: &[f64],
    n: usize,
    h: f64,
    (phi, gamma): (&mut [f64], &mut [f64]),
    work: &mut [f64],
) -> Result<(), SolverError> {
    let nn = n * n;
    let mut norm = 0.0f64;
    for j in 0..n {
        norm = norm.max((0..n).map(|i| a[i * n + j].abs()).sum::<f64>());
    }
    norm *= h.abs();
    if !norm.is_finite() {
        return Err(SolverError::Failed {
            t_h: h,
            message: format!(
                "the matrix exponential over {h} h is not finite (‖A h‖ = {norm}); a rate constant or step is out of range"
            ),
        });
    }
    // ≤ 1,030 for any finite norm: the loop below always ends.
    let squarings = if norm > SCALE_NORM {
        (norm / SCALE_NORM).log2().ceil() as i32
    } else {
        0
    };
    let scale = 2f64.powi(squarings);
    let hs = h / scale;
    let (b, scratch) = work.split_at_mut(nn);
    let scratch = &mut scratch[..nn];
    for (bi, ai) in b.iter_mut().zip(&a[..nn]) {
        *bi = ai * hs;
    }
    // Horner: T ← I + B T / (k + 1) for k = m … 1, from T = I; then S = T.
    let (phi, gamma) = (&mut phi[..nn], &mut gamma[..nn]);
    gamma.fill(0.0);
    scale_add_identity(gamma, 1.0, n);
    for k in (1..=terms(norm / scale)).rev() {
        mul(b, gamma, n, scratch);
        gamma.copy_from_slice(scratch);
        scale_add_identity(gamma, 1.0 / (k + 1) as f64, n);
    }
    mul(b, gamma, n, phi);
    scale_add_identity(phi, 1.0, n);
    gamma.iter_mut().for_each(|v| *v *= hs);
    for _ in 0..squarings {
        mul(phi, gamma, n, scratch);
        gamma.iter_mut().zip(&*scratch).for_each(|(g, p)| *g += p);
        mul(phi, phi, n, scratch);
        phi.copy_from_slice(scratch);
    }
    Ok(())
}

/// Φ(h) and Γ(h) of `a` as nalgebra matrices (steady state, tests).
pub fn propagator(a: &DMatrix<f64>, h: f64) -> Result<(DMatrix<f64>, DMatrix<f64>), SolverError> {
    let n = a.nrows();
    let row_major: Vec<f64> = a.transpose().as_slice().to_vec();
    let (phi, gamma) = phi_gamma(&row_major, n, h)?;
    Ok((
        DMatrix::from_row_slice(n, n, &phi),
        DMatrix::from_row_slice(n, n, &gamma),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// exp of a small matrix is accurate to a few ulps of its norm.
    const EXP_ACCURACY: f64 = 1e-13;

    #[test]
    fn scalar_propagator_is_the_closed_form() {
        // dx/dt = −k x + u: Φ = e^{−kh}, Γ = (1 − e^{−kh}) / k.
        for (k, h) in [(0.3, 2.5), (84.0 / 25.0, 24.0), (1e-3, 1.0 / 60.0)] {
            let (phi, gamma) = phi_gamma(&[-k], 1, h).unwrap();
            assert_relative_eq!(phi[0], (-k * h).exp(), max_relative = EXP_ACCURACY);
            assert_relative_eq!(
                gamma[0],
                -(-k * h).exp_m1() / k,
                max_relative = EXP_ACCURACY
            );
        }
    }

    #[test]
    fn agrees_with_nalgebras_pade_exponential() {
        // Kamp 2020 (3 compartments) with an oral depot, every step a walk uses.
        let (k10, k12, k21, k13, k31, ka) = (3.36, 6.44, 2.875, 3.16, 0.503, 1.5);
        let a = DMatrix::from_row_slice(
            4,
            4,
            &[
                -(k10 + k12 + k13),
                k21,
                k31,
                ka,
                k12,
                -k21,
                0.0,
                0.0,
                k13,
                0.0,
                -k31,
                0.0,
                0.0,
                0.0,
                0.0,
                -ka,
            ],
        );
        let norm = a.column_iter().map(|c| c.lp_norm(1)).fold(0.0, f64::max);
        for h in [1.0 / 3600.0, 1.0 / 60.0, 0.25, 1.0, 24.0] {
            let (phi, _) = propagator(&a, h).unwrap();
            let pade = (&a * h).exp();
            // Rounding in scaling and squaring grows with ‖A h‖ in both methods
            // (Higham, SIAM J Matrix Anal Appl 2005;26:1179).
            let scale = pade.amax() * (1.0 + norm * h);
            for (p, q) in phi.iter().zip(pade.iter()) {
                assert!((p - q).abs() <= EXP_ACCURACY * scale, "h = {h}: {p} vs {q}");
            }
        }
    }

    /// See: issue 10 (the Padé exponential hung for ka between ~1e41 and 1e65 /h).
    #[test]
    fn issue_10_huge_rate_constants_end() {
        for ka in [1e41, 1e50, 1e65, 1e300] {
            let (phi, gamma) = phi_gamma(&[-ka, 0.0, ka, -1.0], 2, 1.0).unwrap();
            assert!(phi.iter().chain(&gamma).all(|v| v.is_finite()), "ka {ka}");
            // Everything in the depot has moved on: Φ₀₀ = e^{−ka} = 0.
            assert!(phi[0].abs() < 1e-300);
        }
        assert!(phi_gamma(&[-f64::MAX, 0.0, 0.0, -1.0], 2, 10.0).is_err());
    }
}
