//! Percentiles: of a population's concentration at every grid time, and of its summary
//! numbers.
//!
//! The p-th quantile of `n` values is Hyndman & Fan's definition 7 (the default of R and
//! NumPy): with the values sorted as `x₀ ≤ … ≤ xₙ₋₁` and `h = (n − 1) p`,
//! `Q(p) = x_⌊h⌋ + (h − ⌊h⌋)(x_⌊h⌋+1 − x_⌊h⌋)` (Hyndman RJ, Fan Y. Sample quantiles in
//! statistical packages. Am Stat 1996;50:361–365, doi:10.1080/00031305.1996.10473566).
//! Equal values give exactly that value. Only the two order statistics each quantile
//! needs are selected (`select_nth_unstable`), not a full sort.

use super::column::Tracker;
use rayon::prelude::*;

/// The quantiles reported: 5th, 50th and 95th percentile.
pub const LEVELS: [f64; 3] = [0.05, 0.50, 0.95];

/// Values gathered at a time (16 MB): the times handled together across subjects are as
/// many as fit, at least [`MIN_TIME_BLOCK`] and at most [`MAX_TIME_BLOCK`]. Each subject's
/// curve is a separate page, so each cache line read from it costs a TLB miss: reading 256
/// times of it at once instead of 16 (one line) took the gather of 23,000 subjects × 1,441
/// times from 26 to 9 ns per value (`--threads 1`).
const GATHER_VALUES: usize = 1 << 22;
/// One 64-byte cache line of `f32`.
const MIN_TIME_BLOCK: usize = 16;
/// Beyond this, longer reads gained nothing measurable.
const MAX_TIME_BLOCK: usize = 256;
/// Subjects gathered together: 16 `u32` keys are one 64-byte cache line of a column.
const GATHER_SUBJECTS: usize = 16;

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
/// Written without a branch (the sign bit, spread, picks the mask), so that a loop of
/// them compiles to vector operations.
pub(super) fn key_f32(v: f32) -> u32 {
    let b = v.to_bits();
    let sign = ((b as i32) >> 31) as u32; // all ones for a negative float, else zero
    b ^ (sign | 0x8000_0000)
}

/// The value whose [`key_f32`] is `k`.
pub(super) fn value_f32(k: u32) -> f64 {
    let b = if k >> 31 == 1 { k & 0x7fff_ffff } else { !k };
    f64::from(f32::from_bits(b))
}

/// Where the quantile `p` of `n` values is read (Hyndman & Fan definition 7): the order
/// statistic `x_rank` (0-based, `rank = ⌊h⌋`, `h = (n − 1) p`), and `x_rank+1` with
/// weight `frac = h − ⌊h⌋` when that is not zero.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    /// `⌊h⌋`.
    pub rank: usize,
    /// `h − ⌊h⌋`.
    pub frac: f64,
}

impl Reading {
    /// The reading of each of [`LEVELS`] among `n` values (`n ≥ 1`).
    pub fn levels(n: usize) -> [Reading; 3] {
        LEVELS.map(|p| {
            let h = (n.max(1) - 1) as f64 * p;
            let rank = h.floor() as usize;
            Reading {
                rank,
                frac: h - rank as f64,
            }
        })
    }

    /// The order statistics read: `rank`, and `rank + 1` when interpolated.
    pub fn ranks(&self) -> impl Iterator<Item = usize> {
        let next = (self.frac > 0.0).then_some(self.rank + 1);
        std::iter::once(self.rank).chain(next)
    }

    /// The quantile, reading order statistic `r` as `at(r)` (only those it needs).
    pub fn read(&self, at: impl Fn(usize) -> f64) -> f64 {
        let x = at(self.rank);
        if self.frac > 0.0 {
            x + self.frac * (at(self.rank + 1) - x)
        } else {
            x
        }
    }
}

/// The order statistics at `ranks` (ascending, distinct) of `keys`, which are reordered.
pub(super) fn select_ranks<K: Ord + Copy>(keys: &mut [K], ranks: &[usize]) -> Vec<K> {
    let mut base = 0;
    ranks
        .iter()
        .map(|&r| {
            let (_, nth, _) = keys[base..].select_nth_unstable(r - base);
            base = r + 1;
            *nth
        })
        .collect()
}

/// The [`LEVELS`] quantiles of `keys` (reordered in place), each key read back by `value`.
fn quantiles<K: Ord + Copy>(keys: &mut [K], value: impl Fn(K) -> f64) -> Percentiles {
    let levels = Reading::levels(keys.len());
    let ranks: Vec<usize> = distinct_ranks(&levels);
    let picked = select_ranks(keys, &ranks);
    let at = |r: usize| value(picked[ranks.partition_point(|&x| x < r)]);
    let [p05, p50, p95] = levels.map(|l| l.read(at));
    Percentiles { p05, p50, p95 }
}

/// Every order statistic `levels` read, ascending, once each.
pub(super) fn distinct_ranks(levels: &[Reading]) -> Vec<usize> {
    let mut ranks: Vec<usize> = levels.iter().flat_map(Reading::ranks).collect();
    ranks.sort_unstable();
    ranks.dedup();
    ranks
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

/// The keys (`key_f32`) of the order statistics `ranks` (ascending, distinct) at every
/// time of `curves`, a subject-major `subjects × points` matrix (each subject's curve
/// contiguous): `points × ranks.len()` keys, time-major. Runs in the current rayon pool;
/// the answer does not depend on how the work is split.
///
/// Each block of times is gathered into columns (`gather`), and its columns are selected
/// in time order by a tracker (`column.rs`), which looks for each time's answer next to
/// the last one's.
pub fn keys_at(curves: &[f32], subjects: usize, points: usize, ranks: &[usize]) -> Vec<u32> {
    assert_eq!(curves.len(), subjects * points, "subjects × points values");
    let block = (GATHER_VALUES / subjects.max(1)).clamp(MIN_TIME_BLOCK, MAX_TIME_BLOCK);
    let blocks = points.div_ceil(block);
    // Each worker takes a run of consecutive blocks with one columns buffer: a buffer
    // per block (or per rayon split) was fresh pages each time, a tenth of a 10,000-subject
    // run in page faults and zeroing.
    let runs = (2 * rayon::current_num_threads()).clamp(1, blocks.max(1));
    let parts: Vec<Vec<u32>> = (0..runs)
        .into_par_iter()
        .map(|r| {
            let (b0, b1) = (r * blocks / runs, (r + 1) * blocks / runs);
            let (t0, t1) = (b0 * block, (b1 * block).min(points));
            let mut columns = vec![0u32; block.min(t1 - t0) * subjects];
            let mut picked = vec![0u32; (t1 - t0) * ranks.len()];
            let mut tracker = Tracker::new(ranks);
            for (b, out) in (b0..b1).zip(picked.chunks_mut(block * ranks.len().max(1))) {
                let (t0, t1) = (b * block, ((b + 1) * block).min(points));
                let columns = &mut columns[..(t1 - t0) * subjects];
                gather(curves, points, t0..t1, subjects, columns);
                tracker.select_each(columns, subjects, out);
            }
            picked
        })
        .collect();
    parts.concat()
}

/// The keys of times `span` of every subject's curve (subject-major, `points` each) into
/// `columns`, time-major: `GATHER_SUBJECTS` subjects at a time, so that each write fills
/// whole cache lines.
fn gather(
    curves: &[f32],
    points: usize,
    span: std::ops::Range<usize>,
    subjects: usize,
    columns: &mut [u32],
) {
    let rows: Vec<&[f32]> = (curves.chunks_exact(points))
        .map(|c| &c[span.clone()])
        .collect();
    for (g, group) in rows.chunks(GATHER_SUBJECTS).enumerate() {
        let s0 = g * GATHER_SUBJECTS;
        for j in 0..span.len() {
            let column = &mut columns[j * subjects + s0..][..group.len()];
            for (k, row) in column.iter_mut().zip(group) {
                *k = key_f32(row[j]);
            }
        }
    }
}

/// The percentiles at every time of `curves` (as [`keys_at`]), as three curves.
pub fn of_curves(curves: &[f32], subjects: usize, points: usize) -> [Vec<f64>; 3] {
    let levels = Reading::levels(subjects);
    let ranks = distinct_ranks(&levels);
    let keys = keys_at(curves, subjects, points, &ranks);
    curves_from(&levels, &ranks, &keys)
}

/// The three percentile curves from the keys of the order statistics `ranks` at each time
/// (time-major), read as `levels` say.
pub(super) fn curves_from(levels: &[Reading; 3], ranks: &[usize], keys: &[u32]) -> [Vec<f64>; 3] {
    let per_time = ranks.len().max(1);
    let index = |r: usize| ranks.partition_point(|&x| x < r);
    levels.map(|l| {
        (keys.chunks_exact(per_time))
            .map(|k| l.read(|r| value_f32(k[index(r)])))
            .collect()
    })
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
