//! Every subject's keys ([`key_f32`]) at every time, kept in tiles: the subjects of a
//! tile `s0..s1` hold theirs time-major in `keys[s0·points .. s1·points]` (time `j` of
//! subject `s` at `s0·points + j·(s1 − s0) + (s − s0)`), so each time's column is one
//! part per tile, and the percentiles at each time are selected across the parts
//! ([`keys_of_tiles`]).
//!
//! Why tiles: the keys come one subject's curve at a time and are read one time's column
//! at a time. A subject's keys go into its tile subject-major, and the tile is turned
//! time-major into its block while both are in a core's L2 ([`KEY_TILE`]). Written into
//! one matrix of whole columns instead, each write landed 40 KB from the last and the
//! transposition cost more than the simulation; gathered later from subject-major
//! curves, the same.

use super::column::Tracker;
use super::percentile::key_f32;
use crate::error::Result;
use rayon::prelude::*;
use std::ops::Range;

/// Subjects per tile: 256 × 1,441 × 4 bytes = 1.5 MB for the tile and as much for its
/// block on the timing grid, both within a core's L2. 10,000 subjects × 1,441 points took
/// 0.116 s CPU in tiles of 256 against 0.125, 0.119, 0.122 and 0.133 s in tiles of 64,
/// 128, 512 and 1,024 (medians of 11 runs in turn), and 0.123 s written into whole
/// columns.
pub(super) const KEY_TILE: usize = 256;

/// The tiles of `n` subjects whose keys were written by [`fill`] in shares of `share`
/// subjects (the last share may be shorter): each share cut into [`KEY_TILE`]s.
fn tiles(n: usize, share: usize) -> Vec<Range<usize>> {
    let shares = (0..n).step_by(share.max(1)).map(|s0| s0..n.min(s0 + share));
    let tiles = shares
        .flat_map(|s| (s.clone().step_by(KEY_TILE)).map(move |t0| t0..s.end.min(t0 + KEY_TILE)));
    tiles.collect()
}

/// The keys of one share's subjects (`keys.len() / points` of them) at `points` times
/// into `keys`, in tiles: subject `i` of the share is simulated by `curve(i, scratch)`,
/// in order.
pub(super) fn fill(
    keys: &mut [u32],
    points: usize,
    mut curve: impl FnMut(usize, &mut [f64]) -> Result<()>,
) -> Result<()> {
    let subjects = keys.len() / points.max(1);
    let mut scratch = vec![0.0; points];
    let mut tile = vec![0u32; KEY_TILE.min(subjects) * points];
    for (t, block) in keys.chunks_mut((KEY_TILE * points).max(1)).enumerate() {
        let size = block.len() / points;
        for (k, keys) in tile.chunks_exact_mut(points).take(size).enumerate() {
            curve(t * KEY_TILE + k, &mut scratch)?;
            for (key, v) in keys.iter_mut().zip(&scratch) {
                *key = key_f32(*v as f32);
            }
        }
        // Subject-major to time-major, both in cache.
        for (j, time) in block.chunks_exact_mut(size).enumerate() {
            for (k, key) in time.iter_mut().enumerate() {
                *key = tile[k * points + j];
            }
        }
    }
    Ok(())
}

/// The keys of the order statistics `ranks` (ascending, distinct) at each of `points`
/// times of the subjects whose keys [`fill`] wrote into `keys`, `share` subjects at a
/// time: `points × ranks.len()` keys, time-major. Each worker takes a run of consecutive
/// times with one tracker (`column.rs`). Runs in the current rayon pool; the answer does
/// not depend on how the work is split, nor on the tiles.
pub(super) fn keys_of_tiles(
    keys: &[u32],
    share: usize,
    points: usize,
    ranks: &[usize],
) -> Vec<u32> {
    let subjects = keys.len() / points.max(1);
    assert_eq!(keys.len(), subjects * points, "subjects × points keys");
    if subjects == 0 || ranks.is_empty() {
        return vec![0; points * ranks.len()];
    }
    let tiles = tiles(subjects, share);
    let runs = (2 * rayon::current_num_threads()).clamp(1, points.max(1));
    let per_run = points.div_ceil(runs);
    let picked: Vec<Vec<u32>> = (0..points.div_ceil(per_run))
        .into_par_iter()
        .map(|r| {
            let times = r * per_run..points.min((r + 1) * per_run);
            let mut tracker = Tracker::new(ranks);
            let mut picked = vec![0u32; times.len() * ranks.len()];
            let mut parts: Vec<&[u32]> = Vec::with_capacity(tiles.len());
            for (j, out) in times.zip(picked.chunks_exact_mut(ranks.len())) {
                parts.clear();
                parts.extend(tiles.iter().map(|t| {
                    let at = t.start * points + j * t.len();
                    &keys[at..at + t.len()]
                }));
                tracker.select(&parts, out);
            }
            picked
        })
        .collect();
    picked.concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::population::percentile::{distinct_ranks, keys_at, Reading};

    /// Curves filled into tiles from shares of any size give, time by time, the order
    /// statistics that selecting from the whole curves gives.
    #[test]
    fn tiled_keys_select_what_whole_curves_select() {
        let (n, points) = (KEY_TILE * 2 + 37, 29);
        let value = |s: usize, j: usize| ((s * 7919 + j * 104_729) % 1000) as f64 * 0.37 - 20.0;
        let curves: Vec<f32> = (0..n * points)
            .map(|i| value(i / points, i % points) as f32)
            .collect();
        let ranks = distinct_ranks(&Reading::levels(n));
        let want = keys_at(&curves, n, points, &ranks);
        for share in [1, 5, KEY_TILE - 1, KEY_TILE + 3, n] {
            let mut keys = vec![0u32; n * points];
            for (c, part) in keys.chunks_mut(share * points).enumerate() {
                let fill_one = |i: usize, out: &mut [f64]| {
                    (0..points).for_each(|j| out[j] = value(c * share + i, j));
                    Ok(())
                };
                fill(part, points, fill_one).unwrap();
            }
            let got = keys_of_tiles(&keys, share, points, &ranks);
            assert_eq!(got, want, "shares of {share}");
        }
    }
}
