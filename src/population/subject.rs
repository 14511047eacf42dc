//! One virtual subject: its random draws, and the model and doses they give.
//!
//! **Reproducibility.** Subject `i` draws from its own ChaCha8 stream: the generator is
//! seeded from the population's seed and its stream number set to `i`
//! (`ChaCha8Rng::set_stream`), so a subject's numbers depend only on `(seed, i)`, never
//! on the thread that simulates it or on how many threads there are. ChaCha's output is
//! the same on every platform (Bernstein 2008, "ChaCha, a variant of Salsa20"; rand_chacha
//! documents it as portable). The same subject receives every schedule of a scenario.
//!
//! Each subject draws, in this order: one standard normal per varied η slot (below),
//! turned into correlated η by the Cholesky factor of Ω; then its weight, when the
//! population has a weight distribution.

use super::Population;
use crate::dosing::{Dose, SteadyStart};
use crate::error::{Error, Result};
use crate::model::variability::{Parameter, Variability};
use crate::model::{Model, ModelSpec};
use crate::route::Absorption;
use nalgebra::DMatrix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};

/// The η slots, in drawing order: CL, V1, Q2, V2, Q3, V3, ka.
const SLOTS: [(Parameter, usize); 7] = [
    (Parameter::Clearance, 0),
    (Parameter::CentralVolume, 0),
    (Parameter::IntercompartmentalClearance, 0),
    (Parameter::PeripheralVolume, 0),
    (Parameter::IntercompartmentalClearance, 1),
    (Parameter::PeripheralVolume, 1),
    (Parameter::Ka, 0),
];

/// A virtual subject: weight and the factor `exp(η)` on each parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Subject {
    /// Body weight (kg).
    pub weight_kg: f64,
    /// `exp(η)` per slot, in the order CL, V1, Q2, V2, Q3, V3, ka.
    pub factors: [f64; 7],
}

impl Subject {
    fn factor(&self, p: Parameter, compartment: usize) -> f64 {
        SLOTS
            .iter()
            .position(|&s| s == (p, compartment))
            .map_or(1.0, |i| self.factors[i])
    }

    /// The subject's model: `spec` at the subject's weight, each parameter times `exp(η)`.
    pub fn model(&self, spec: &ModelSpec) -> Model {
        let mut m = spec.individual(self.weight_kg);
        m.disposition.cl_l_h *= self.factor(Parameter::Clearance, 0);
        m.disposition.v1_l *= self.factor(Parameter::CentralVolume, 0);
        for (i, p) in m.disposition.peripherals.iter_mut().enumerate() {
            p.q_l_h *= self.factor(Parameter::IntercompartmentalClearance, i);
            p.v_l *= self.factor(Parameter::PeripheralVolume, i);
        }
        if let Some(ka) = &mut m.depot_ka_per_h {
            *ka *= self.factor(Parameter::Ka, 0);
        }
        m
    }

    /// `doses` and `steady` with every first-order absorption rate times the ka factor.
    pub fn absorbed(&self, doses: &mut [Dose], steady: &mut [SteadyStart]) {
        let f = self.factor(Parameter::Ka, 0);
        let all = doses
            .iter_mut()
            .chain(steady.iter_mut().map(|s| &mut s.dose));
        for d in all {
            if let Absorption::FirstOrder { ka_per_h } = &mut d.settings.absorption {
                *ka_per_h *= f;
            }
        }
    }
}

/// Draws subjects of one population.
#[derive(Debug, Clone)]
pub struct Sampler {
    /// Slots that vary.
    active: Vec<usize>,
    /// Lower Cholesky factor of Ω over the active slots, row-major.
    chol: Vec<f64>,
}

impl Sampler {
    /// A sampler for `v`; an error when its correlations make Ω not positive definite.
    pub fn new(v: &Variability) -> Result<Sampler> {
        let active: Vec<usize> = (0..SLOTS.len())
            .filter(|&i| v.omega(SLOTS[i].0) > 0.0)
            .collect();
        let k = active.len();
        let omega = DMatrix::from_fn(k, k, |r, c| {
            let (a, b) = (SLOTS[active[r]], SLOTS[active[c]]);
            let (wa, wb) = (v.omega(a.0), v.omega(b.0));
            if r == c {
                wa * wa
            } else if a.0.per_compartment() || b.0.per_compartment() {
                0.0
            } else {
                v.correlation(a.0, b.0) * wa * wb
            }
        });
        let l = omega.cholesky().ok_or_else(|| {
            Error::invalid(
                format!("variability {}", v.describe()),
                "ω and correlations that form a valid covariance matrix (Ω positive definite)",
            )
        })?;
        let l = l.l();
        let chol = (0..k)
            .flat_map(|r| (0..k).map(move |c| (r, c)))
            .map(|(r, c)| l[(r, c)])
            .collect();
        Ok(Sampler { active, chol })
    }

    /// Subject `index` of `population`; `weight_kg` is used when it has no weight distribution.
    pub fn draw(&self, population: &Population, index: usize, weight_kg: f64) -> Subject {
        let mut rng = ChaCha8Rng::seed_from_u64(population.seed);
        rng.set_stream(index as u64);
        let k = self.active.len();
        let mut z = [0.0; 7];
        for zi in z.iter_mut().take(k) {
            *zi = StandardNormal.sample(&mut rng);
        }
        let mut factors = [1.0; 7];
        for (r, &slot) in self.active.iter().enumerate() {
            let eta: f64 = (0..=r).map(|c| self.chol[r * k + c] * z[c]).sum();
            factors[slot] = eta.exp();
        }
        let weight_kg = population.weight.map_or(weight_kg, |w| w.sample(&mut rng));
        Subject { weight_kg, factors }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::library;

    fn population(seed: u64) -> Population {
        Population {
            size: 1,
            first: 0,
            total: 1,
            seed,
            variability: library::published_variability("fanta-2015").unwrap(),
            weight: None,
        }
    }

    #[test]
    fn a_subject_depends_only_on_seed_and_index() {
        let p = population(7);
        let s = Sampler::new(&p.variability).unwrap();
        assert_eq!(s.draw(&p, 12, 70.0), s.draw(&p, 12, 70.0));
        assert_ne!(s.draw(&p, 12, 70.0), s.draw(&p, 13, 70.0));
        assert_ne!(s.draw(&p, 12, 70.0), s.draw(&population(8), 12, 70.0));
    }

    #[test]
    fn draws_have_the_published_spread_and_correlation() {
        let p = population(2015);
        let s = Sampler::new(&p.variability).unwrap();
        let n = 20_000;
        let etas: Vec<(f64, f64)> = (0..n)
            .map(|i| {
                let f = s.draw(&p, i, 70.0).factors;
                (f[0].ln(), f[1].ln())
            })
            .collect();
        let var = |g: &dyn Fn(&(f64, f64)) -> f64| {
            etas.iter().map(|e| g(e).powi(2)).sum::<f64>() / n as f64
        };
        let cov = etas.iter().map(|e| e.0 * e.1).sum::<f64>() / n as f64;
        // ω² CL 0.026, V1 0.084, cov 0.023 (Otto 2021); 20 000 draws estimate a variance
        // to about 1% (SE √(2/n) relative) and this covariance to about ±0.0006.
        assert!((var(&|e| e.0) / 0.026 - 1.0).abs() < 0.04);
        assert!((var(&|e| e.1) / 0.084 - 1.0).abs() < 0.04);
        assert!((cov - 0.023).abs() < 0.002, "cov {cov}");
    }
}
