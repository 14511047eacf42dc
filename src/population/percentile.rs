//! Percentiles: of a population's concentration at every grid time, and of its summary
//! numbers.
//!
//! The p-th quantile of `n` values is Hyndman & Fan's definition 7 (the default of R and
//! NumPy): with the values sorted as `x₀ ≤ … ≤ xₙ₋₁` and `h = (n − 1) p`,
//! `Q(p) = x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋)` (Hyndman RJ, Fan Y. Sample quantiles in
//! statistical packages. Am Stat 1996;50:361–365, doi:10.1080/00031305.1996.10473566).
//! Equal values give exactly that value. Only the two order statistics each quantile
//! needs are selected (`select_nth_unstable`), not a full sort.

use rayon::prelude::*;

/// The quantiles reported: 5th, 50th and 95th percentile.
pub const LEVELS: [f64; 3] = [0.05, 0.50, 0.95];

/// Grid times handled together when gathering a time point across subjects: 16 f32 are
/// one 64-byte cache line of a subject's curve.
const TIME_BLOCK: usize = 16;

/// The 5th, 50th and 95th percentile of something.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Percentiles {
    /// 5th percentile.
    pub p05: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
}

/// An order-preserving key of an f32: non-negative floats keep their bit pattern with the
/// sign bit set, negative ones are bit-inverted, so integer order is numeric order.
pub(super) fn key_f32(v: f32) -> u32 {
    let b = v.to_bits();
    if b >> 31 == 0 {
        b | 0x8000_0000
    } else {
        !b
    }
}

pub(super) fn value_f32(k: u32) -> f64 {
    let b = if k >> 31 == 1 { k & 0x7fff_ffff } else { !k };
    f64::from(f32::from_bits(b))
}

/// The [`LEVELS`] quantiles of `keys` (reordered in place), each key read back by `value`.
fn quantiles<K: Ord + Copy>(keys: &mut [K], value: impl Fn(K) -> f64) -> Percentiles {
    let n = keys.len();
    let mut q = [0.0; 3];
    let mut base = 0;
    for (out, p) in q.iter_mut().zip(LEVELS) {
        let h = (n - 1) as f64 * p;
        let lo = h.floor() as usize;
        let (_, nth, right) = keys[base..].select_nth_unstable(lo - base);
        let a = value(*nth);
        let frac = h - lo as f64;
        *out = match right.iter().min() {
            Some(&b) if frac > 0.0 => a + frac * (value(b) - a),
            _ => a,
        };
        base = lo;
    }
    Percentiles {
        p05: q[0],
        p50: q[1],
        p95: q[2],
    }
}

/// The percentiles of `values` (f64; their order is not kept).
pub fn of_values(values: &[f64]) -> Percentiles {
    if values.is_empty() {
        return Percentiles::default();
    }
    let mut keys: Vec<u64> = values
        .iter()
        .map(|v| {
            let b = v.to_bits();
            if b >> 63 == 0 {
                b | (1 << 63)
            } else {
                !b
            }
        })
        .collect();
    quantiles(&mut keys, |k| {
        f64::from_bits(if k >> 63 == 1 { k & !(1 << 63) } else { !k })
    })
}

/// The percentiles at every time of `curves`, a subject-major `subjects × points` matrix
/// (each subject's curve contiguous), as three curves. Runs in the current rayon pool;
/// the answer does not depend on how the work is split.
pub fn of_curves(curves: &[f32], subjects: usize, points: usize) -> [Vec<f64>; 3] {
    assert_eq!(curves.len(), subjects * points, "subjects × points values");
    let blocks: Vec<Vec<Percentiles>> = (0..points.div_ceil(TIME_BLOCK))
        .into_par_iter()
        .map(|b| {
            let (t0, t1) = (b * TIME_BLOCK, ((b + 1) * TIME_BLOCK).min(points));
            let width = t1 - t0;
            let mut columns = vec![0u32; width * subjects];
            for (s, curve) in curves.chunks_exact(points).enumerate() {
                for (j, v) in curve[t0..t1].iter().enumerate() {
                    columns[j * subjects + s] = key_f32(*v);
                }
            }
            columns
                .chunks_exact_mut(subjects)
                .map(|c| quantiles(c, value_f32))
                .collect()
        })
        .collect();
    let all: Vec<&Percentiles> = blocks.iter().flatten().collect();
    [
        all.iter().map(|p| p.p05).collect(),
        all.iter().map(|p| p.p50).collect(),
        all.iter().map(|p| p.p95).collect(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn definition_7_interpolates_between_order_statistics() {
        // n = 5, sorted 1..5: h = 4p → Q(0.05) = 1.2, Q(0.5) = 3, Q(0.95) = 4.8.
        let p = of_values(&[5.0, 1.0, 4.0, 2.0, 3.0]);
        assert_relative_eq!(p.p05, 1.2, max_relative = 1e-15);
        assert_relative_eq!(p.p50, 3.0, max_relative = 1e-15);
        assert_relative_eq!(p.p95, 4.8, max_relative = 1e-15);
        let one = of_values(&[7.5]);
        assert_relative_eq!(one.p05, 7.5);
        assert_relative_eq!(one.p95, 7.5);
    }

    #[test]
    fn keys_keep_the_order_of_floats() {
        let v = [-2.5f32, -0.0, 0.0, 1e-30, 3.0, f32::MAX];
        for w in v.windows(2) {
            assert!(key_f32(w[0]) <= key_f32(w[1]), "{w:?}");
        }
        for x in v {
            assert_relative_eq!(value_f32(key_f32(x)), f64::from(x));
        }
    }

    #[test]
    fn curves_give_one_percentile_per_time() {
        // 101 subjects whose value at time j is subject + j: percentiles 5 + j, 50 + j, 95 + j.
        let (subjects, points) = (101, 37);
        let curves: Vec<f32> = (0..subjects)
            .flat_map(|s| (0..points).map(move |j| (s + j) as f32))
            .collect();
        let [p05, p50, p95] = of_curves(&curves, subjects, points);
        for j in 0..points {
            assert_relative_eq!(p05[j], 5.0 + j as f64);
            assert_relative_eq!(p50[j], 50.0 + j as f64);
            assert_relative_eq!(p95[j], 95.0 + j as f64);
        }
    }
}
