//! The exact propagator: `x(t+h) = Φ(h) x(t) + Γ(h) u`, with Φ and Γ from
//! [`super::phi_gamma`].
//!
//! Γ is the integral of `exp(A s)` itself, not of `exp(A s) u` (the augmented matrix
//! `[[A, u], [0, 0]]` would tie it to one rate): that makes the propagator independent of the input, so one cached pair (Φ, Γ)
//! per step length serves every infusion rate.
//!
//! States are fixed-size arrays of `R` entries, so the step loop neither allocates nor
//! checks bounds. A system of `n < R` states is padded: the extra states have `A = 0`, no
//! input and start empty, so they stay zero (see [`super::new_propagator`] for the sizes).
//!
//! **The uniform grid.** With `u` constant, `x_{k+1} = Φ x_k + g` with `g = Γ u`. Over a
//! block of `B` grid steps from `x_k`,
//!
//! ```text
//! x_{k+j} = Φʲ x_k + G_j,   G_1 = g,  G_{j+1} = Φ G_j + g      (j = 1 … B)
//! ```
//!
//! so the output at the `B` points of a block is `ρ_j · x_k + σ_j`, with the rows
//! `ρ_j = f e_oᵀ Φʲ` cached once per system and `σ_j = f e_oᵀ G_j` once per constant-input
//! stretch (`f` turns the observed amount into ng/mL). Only the block's last state is
//! carried forward (`x_{k+B} = Φᴮ x_k + G_B`), so the chain of dependent products is `B`
//! times shorter than stepping point by point, and the `B` dot products of a block are
//! independent work a CPU overlaps.

use super::phi_gamma::{phi_gamma, phi_gamma_into};
use super::{Grid, GridOutput, Propagator, SolverStats};
use crate::error::SolverError;
use nalgebra::DMatrix;

/// Grid points per state update (a power of 2: Φᴮ is built by squaring). Each point costs
/// `R` products and the block's state update `R²`, so 16 (against 8) cuts the cost per
/// point of a 5-state system by a fifth; a block's 16 outputs hold 8 of x86-64's 16 SSE
/// registers.
pub const BLOCK: usize = 16;

/// Largest system whose Φ and Γ are computed at its own fixed size, on the stack (above
/// it, systems are padded and the exponential runs on heap buffers of the true size).
const FIXED: usize = 8;

/// Cached propagators stop growing here; past it the cache is cleared (irregular datasets).
const CACHE_LIMIT: usize = 64;

/// A row-major `R × R` matrix.
type Mat<const R: usize> = [[f64; R]; R];

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

/// Φ(h), Γ(h) of the `n × n` row-major `a`, padded to `R × R` (Φ = I on the padding).
fn padded<const R: usize>(a: &[f64], n: usize, h: f64) -> Result<(Mat<R>, Mat<R>), SolverError> {
    let (mut phi, mut gamma) = ([[0.0; R]; R], [[0.0; R]; R]);
    if n == R && R <= FIXED {
        // No padding: computed in place on the stack, in loops of constant length.
        let mut work = [[[0.0; R]; R]; 2];
        let out = (phi.as_flattened_mut(), gamma.as_flattened_mut());
        phi_gamma_into(a, R, h, out, work.as_flattened_mut().as_flattened_mut())?;
        return Ok((phi, gamma));
    }
    let (p, g) = phi_gamma(a, n, h)?;
    for i in 0..R {
        for j in 0..R {
            if i < n && j < n {
                phi[i][j] = p[i * n + j];
                gamma[i][j] = g[i * n + j];
            } else if i == j {
                phi[i][j] = 1.0;
            }
        }
    }
    Ok((phi, gamma))
}

/// One cached step length: Φ, Γ and `Γ u` for the current input.
struct Step<const R: usize> {
    h_bits: u64,
    phi: Mat<R>,
    gamma: Mat<R>,
    gamma_u: [f64; R],
    gamma_u_current: bool,
}

/// What the grid step adds: block rows and the block propagator.
struct Block<const R: usize> {
    out: GridOutput,
    /// Φᴮ column by column: `phi_block[i][r]` = (Φᴮ)ᵣᵢ, so the update vectorises over rows.
    phi_block: Mat<R>,
    /// `rho[i][j]` = f (Φʲ⁺¹)ₒᵢ: output row of point j + 1 of a block, by state.
    rho: [[f64; BLOCK]; R],
    g_block: [f64; R],
    sigma: [f64; BLOCK],
}

/// The exact propagator for systems of up to `R` states.
pub struct Exact<const R: usize> {
    n: usize,
    /// The state matrix, `n × n` row-major (1/h).
    a: Vec<f64>,
    u: [f64; R],
    /// The grid step is `steps[0]` when there is a grid.
    steps: Vec<Step<R>>,
    grid: Option<(f64, Block<R>)>,
    last: usize,
    exponentials: u64,
}

impl<const R: usize> Exact<R> {
    /// The propagator of `dx/dt = a x + u` (`a` is `n × n`, `n ≤ R`), with the block
    /// propagator of `grid` when given.
    pub fn new(a: &DMatrix<f64>, grid: Option<Grid>) -> Result<Self, SolverError> {
        let n = a.nrows();
        assert!(n <= R, "{n} states do not fit a propagator of {R}");
        let mut s = Exact {
            n,
            a: Vec::with_capacity(n * n),
            u: [0.0; R],
            steps: Vec::new(),
            grid: None,
            last: 0,
            exponentials: 0,
        };
        s.reset(a, grid)?;
        Ok(s)
    }

    /// Start afresh on `a` (`n × n`) and `grid`, keeping the buffers.
    fn reset(&mut self, a: &DMatrix<f64>, grid: Option<Grid>) -> Result<(), SolverError> {
        self.a.clear();
        for i in 0..self.n {
            self.a.extend(a.row(i).iter());
        }
        self.u = [0.0; R];
        self.steps.clear();
        self.grid = None;
        self.last = 0;
        self.exponentials = 0;
        if let Some(g) = grid {
            let i = self.step_index(g.step_h)?;
            let phi = self.steps[i].phi;
            self.grid = Some((g.step_h, Block::new(&phi, g.output)));
        }
        // The input is zero: `Γ u`, `σ` and `G_B` are the zeros they start as.
        Ok(())
    }

    /// The cache slot of step length `h`, computing Φ(h) and Γ(h) when new.
    fn step_index(&mut self, h: f64) -> Result<usize, SolverError> {
        let bits = h.to_bits();
        if self.steps.get(self.last).is_some_and(|s| s.h_bits == bits) {
            return Ok(self.last);
        }
        if let Some(i) = self.steps.iter().position(|s| s.h_bits == bits) {
            self.last = i;
            return Ok(i);
        }
        if self.steps.len() >= CACHE_LIMIT {
            // Keep the grid step, which the block rows were built from.
            self.steps.truncate(usize::from(self.grid.is_some()));
        }
        let (phi, gamma) = padded::<R>(&self.a, self.n, h)?;
        self.exponentials += 1;
        let gamma_u = mat_vec(&gamma, &self.u);
        self.steps.push(Step {
            h_bits: bits,
            phi,
            gamma,
            gamma_u,
            gamma_u_current: true,
        });
        self.last = self.steps.len() - 1;
        Ok(self.last)
    }

    fn load(&self, x: &[f64]) -> [f64; R] {
        let mut s = [0.0; R];
        s[..self.n].copy_from_slice(x);
        s
    }
}

impl<const R: usize> Block<R> {
    fn new(phi: &Mat<R>, out: GridOutput) -> Self {
        // Output rows of Φʲ by row-vector products (R² each), Φᴮ by squaring (B = 2⁴).
        let mut rho = [[0.0; BLOCK]; R];
        let mut row = phi[out.state];
        for j in 0..BLOCK {
            if j > 0 {
                let mut next = [0.0; R];
                for (r, p) in row.iter().zip(phi) {
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
        let mut power = *phi;
        for _ in 0..BLOCK.trailing_zeros() {
            power = mul(&power, &power);
        }
        let mut phi_block = [[0.0; R]; R];
        for (i, col) in phi_block.iter_mut().enumerate() {
            for (r, v) in col.iter_mut().enumerate() {
                *v = power[r][i];
            }
        }
        Block {
            out,
            phi_block,
            rho,
            g_block: [0.0; R],
            sigma: [0.0; BLOCK],
        }
    }

    /// `σ_j` and `G_B` for the grid step's `Φ` and `g = Γ u`.
    fn set_input(&mut self, phi: &Mat<R>, g: &[f64; R]) {
        if g.iter().all(|&v| v == 0.0) {
            // No input (the walk's start, oral and bolus doses): nothing accumulates.
            self.sigma = [0.0; BLOCK];
            self.g_block = [0.0; R];
            return;
        }
        let mut big_g = *g;
        for j in 0..BLOCK {
            if j > 0 {
                let next = mat_vec(phi, &big_g);
                for ((b, n), gi) in big_g.iter_mut().zip(next).zip(g) {
                    *b = n + gi;
                }
            }
            self.sigma[j] = self.out.factor * big_g[self.out.state];
        }
        self.g_block = big_g;
    }
}

fn step<const R: usize>(s: &Step<R>, x: &mut [f64; R]) {
    let next = mat_vec(&s.phi, x);
    for ((xi, n), g) in x.iter_mut().zip(next).zip(s.gamma_u) {
        *xi = n + g;
    }
}

impl<const R: usize> Propagator for Exact<R> {
    fn set_input(&mut self, u: &[f64]) {
        self.u[..self.n].copy_from_slice(u);
        for s in &mut self.steps {
            s.gamma_u_current = false;
        }
        if let Some((_, block)) = &mut self.grid {
            let s = &mut self.steps[0];
            s.gamma_u = mat_vec(&s.gamma, &self.u);
            s.gamma_u_current = true;
            block.set_input(&s.phi, &s.gamma_u);
        }
    }

    fn advance(&mut self, x: &mut [f64], h: f64) -> Result<(), SolverError> {
        let i = self.step_index(h)?;
        let s = &mut self.steps[i];
        if !s.gamma_u_current {
            s.gamma_u = mat_vec(&s.gamma, &self.u);
            s.gamma_u_current = true;
        }
        let mut state = [0.0; R];
        state[..self.n].copy_from_slice(x);
        step(s, &mut state);
        x.copy_from_slice(&state[..self.n]);
        Ok(())
    }

    fn sample(&mut self, x: &mut [f64], out: &mut [f64]) -> Result<(), SolverError> {
        let Some((_, block)) = &self.grid else {
            return Err(SolverError::Failed {
                t_h: 0.0,
                message: "sampling a propagator built without a grid".into(),
            });
        };
        let grid_step = &self.steps[0];
        let mut s = self.load(x);
        let mut blocks = out.chunks_exact_mut(BLOCK);
        for chunk in &mut blocks {
            let mut c = block.sigma;
            for (rho, xi) in block.rho.iter().zip(s) {
                for (cj, r) in c.iter_mut().zip(rho) {
                    *cj += r * xi;
                }
            }
            chunk.copy_from_slice(&c);
            let mut next = block.g_block;
            for (col, xi) in block.phi_block.iter().zip(s) {
                for (n, p) in next.iter_mut().zip(col) {
                    *n += p * xi;
                }
            }
            s = next;
        }
        for o in blocks.into_remainder() {
            step(grid_step, &mut s);
            *o = block.out.factor * s[block.out.state];
        }
        x.copy_from_slice(&s[..self.n]);
        Ok(())
    }

    fn stats(&self) -> SolverStats {
        SolverStats {
            exponentials: self.exponentials,
            ..Default::default()
        }
    }

    fn rebuild(&mut self, a: &DMatrix<f64>, grid: Option<Grid>) -> Result<bool, SolverError> {
        if a.nrows() != self.n || a.ncols() != self.n {
            return Ok(false);
        }
        self.reset(a, grid)?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    fn one_compartment_with_depot() -> DMatrix<f64> {
        // CL 84 L/h, V 25 L, ka 1.5 /h.
        DMatrix::from_row_slice(2, 2, &[-84.0 / 25.0, 1.5, 0.0, -1.5])
    }

    #[test]
    fn propagators_are_cached_per_step_length() {
        let mut s = Exact::<1>::new(&DMatrix::from_element(1, 1, -1.0), None).unwrap();
        let mut x = [1.0];
        for _ in 0..10 {
            s.advance(&mut x, 0.1).unwrap();
        }
        s.advance(&mut x, 0.2).unwrap();
        assert_eq!(s.stats().exponentials, 2);
        assert_relative_eq!(x[0], (-1.2f64).exp(), max_relative = 1e-13);
    }

    /// A rebuilt propagator gives the numbers of a new one, bit for bit, and refuses a
    /// matrix of another size.
    #[test]
    fn a_rebuilt_propagator_is_a_new_one() {
        let grid = |factor| Grid {
            step_h: 1.0 / 60.0,
            output: GridOutput { state: 0, factor },
        };
        let first = one_compartment_with_depot();
        let second = DMatrix::from_row_slice(2, 2, &[-61.0 / 31.0, 0.7, 0.0, -0.7]);
        let mut reused = Exact::<2>::new(&first, Some(grid(40.0))).unwrap();
        let mut x = [35.0, 10.0];
        reused.set_input(&[0.0, 5.0]);
        reused.sample(&mut x, &mut [0.0; 40]).unwrap();
        reused.advance(&mut x, 0.37).unwrap();
        assert!(reused.rebuild(&second, Some(grid(1000.0 / 31.0))).unwrap());
        let mut new = Exact::<2>::new(&second, Some(grid(1000.0 / 31.0))).unwrap();
        let run = |p: &mut Exact<2>| {
            let (mut x, mut out) = ([35.0, 10.0], vec![0.0; BLOCK * 3 + 5]);
            p.sample(&mut x, &mut out[..BLOCK + 1]).unwrap();
            p.set_input(&[0.0, 20.0]);
            p.advance(&mut x, 0.25).unwrap();
            p.sample(&mut x, &mut out[BLOCK + 1..]).unwrap();
            (x, out, p.stats())
        };
        assert_eq!(run(&mut reused), run(&mut new));
        let three = DMatrix::from_element(3, 3, -1.0);
        assert!(!reused.rebuild(&three, None).unwrap());
    }

    #[test]
    fn blocks_equal_single_steps_and_padding_changes_nothing() {
        let a = one_compartment_with_depot();
        let out = GridOutput {
            state: 0,
            factor: 1000.0 / 25.0,
        };
        let grid = Grid {
            step_h: 1.0 / 60.0,
            output: out,
        };
        let mut tight = Exact::<2>::new(&a, Some(grid)).unwrap();
        let mut padded = Exact::<16>::new(&a, Some(grid)).unwrap();
        for p in [&mut tight as &mut dyn Propagator, &mut padded] {
            p.set_input(&[0.0, 20.0]); // 20 mg/h into the depot
            let mut fast = vec![0.0; BLOCK * 5 + 3];
            let mut xf = [35.0, 0.0];
            p.sample(&mut xf, &mut fast).unwrap();
            let mut xs = [35.0, 0.0];
            for (k, c) in fast.iter().enumerate() {
                p.advance(&mut xs, grid.step_h).unwrap();
                let slow = out.factor * xs[0];
                assert!((c - slow).abs() <= 1e-13 * slow, "point {k}: {c} vs {slow}");
            }
            for (a, b) in xf.iter().zip(&xs) {
                assert!((a - b).abs() <= 1e-13 * b.abs().max(1e-9));
            }
            assert_eq!(p.stats().exponentials, 1);
        }
    }
}
