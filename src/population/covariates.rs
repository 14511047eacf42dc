//! Covariate distributions of a virtual population. Body weight is the only covariate
//! the built-in models use (allometric scaling, and mg/kg doses); none of them has an
//! age effect, so an age distribution would change nothing and is not offered.

use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

/// Draws from a truncated normal are repeated at most this often. With the mean inside the
/// range and the SD at most the range's width (checked when a scenario is read), a draw
/// is accepted with probability ≥ Φ(1) − Φ(0) = 0.34, so 200 failures in a row happen
/// with probability 0.66²⁰⁰ ≈ 1e-36; the last draw is then clamped into the range.
const MAX_TRIES: usize = 200;

/// How body weight is spread in a population.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum WeightDistribution {
    /// A normal distribution cut to `[min_kg, max_kg]` (draws outside are redrawn).
    Normal {
        /// Mean (kg).
        mean_kg: f64,
        /// Standard deviation (kg).
        sd_kg: f64,
        /// Lightest weight drawn (kg).
        min_kg: f64,
        /// Heaviest weight drawn (kg).
        max_kg: f64,
    },
    /// Every weight in `[min_kg, max_kg]` equally likely.
    Uniform {
        /// Lightest (kg).
        min_kg: f64,
        /// Heaviest (kg).
        max_kg: f64,
    },
}

impl WeightDistribution {
    /// One weight (kg).
    pub fn sample<R: Rng>(&self, rng: &mut R) -> f64 {
        match *self {
            WeightDistribution::Normal {
                mean_kg,
                sd_kg,
                min_kg,
                max_kg,
            } => {
                let mut w = mean_kg;
                for _ in 0..MAX_TRIES {
                    let z: f64 = StandardNormal.sample(rng);
                    w = mean_kg + sd_kg * z;
                    if (min_kg..=max_kg).contains(&w) {
                        return w;
                    }
                }
                w.clamp(min_kg, max_kg)
            }
            WeightDistribution::Uniform { min_kg, max_kg } => rng.gen_range(min_kg..=max_kg),
        }
    }

    /// The typical weight (kg): the mean of a normal, the middle of a uniform.
    pub fn centre_kg(&self) -> f64 {
        match *self {
            WeightDistribution::Normal { mean_kg, .. } => mean_kg,
            WeightDistribution::Uniform { min_kg, max_kg } => 0.5 * (min_kg + max_kg),
        }
    }

    /// "normal 20 ± 6 kg in 10–45 kg", "uniform 10–45 kg".
    pub fn describe(&self) -> String {
        use crate::units::fmt_num;
        match *self {
            WeightDistribution::Normal {
                mean_kg,
                sd_kg,
                min_kg,
                max_kg,
            } => format!(
                "normal {} ± {} kg in {}–{} kg",
                fmt_num(mean_kg),
                fmt_num(sd_kg),
                fmt_num(min_kg),
                fmt_num(max_kg)
            ),
            WeightDistribution::Uniform { min_kg, max_kg } => {
                format!("uniform {}–{} kg", fmt_num(min_kg), fmt_num(max_kg))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn draws_stay_in_range_and_centre_on_the_mean() {
        let d = WeightDistribution::Normal {
            mean_kg: 20.0,
            sd_kg: 6.0,
            min_kg: 10.0,
            max_kg: 45.0,
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let w: Vec<f64> = (0..20_000).map(|_| d.sample(&mut rng)).collect();
        assert!(w.iter().all(|x| (10.0..=45.0).contains(x)));
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        // Cutting at 10 kg (1.67 SD below) lifts the mean by ≈ 0.1 SD; 20 000 draws have
        // a standard error of 0.04 kg.
        assert!((mean - 20.6).abs() < 0.3, "mean {mean}");
        let u = WeightDistribution::Uniform {
            min_kg: 10.0,
            max_kg: 45.0,
        };
        assert!((0..1000).all(|_| (10.0..=45.0).contains(&u.sample(&mut rng))));
        assert_eq!(d.describe(), "normal 20 ± 6 kg in 10–45 kg");
    }
}
