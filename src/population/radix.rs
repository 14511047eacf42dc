//! Exact percentile curves of a population too large to keep: radix select over passes.
//!
//! Keeping every subject's curve costs 4 bytes × subjects × points (5.8 GB for a million
//! subjects on a 1-minute day). Instead the population is simulated [`PASSES`] times (each
//! subject from its own seed, so every pass sees the same numbers) and each pass counts,
//! at every time, one more byte of the order-preserving key of each subject's `f32`
//! concentration ([`super::percentile`]) among the subjects whose higher bytes match
//! those already found for an order statistic. After four passes all 32 bits of each
//! order statistic are known: it is the value the in-memory selection picks, so the
//! percentiles are the same numbers bit for bit (Hyndman & Fan definition 7 from the same
//! two order statistics).
//!
//! Memory is 256 counts per time and distinct prefix per worker (at most six prefixes:
//! two order statistics for each of three levels), whatever the number of subjects.
//! Counts are integers, so the answer does not depend on how subjects are split among
//! workers.

use super::percentile::{curves_from, distinct_ranks, key_f32, Reading};

/// Passes over the population: one byte of the 32-bit key each.
pub const PASSES: usize = 4;

/// Counts per prefix: one byte.
const DIGITS: usize = 256;

/// Times counted together across a batch of subjects: their rows of counts (1 KB per
/// prefix) stay in the L1/L2 cache while the batch is read.
pub const TIMES_AT_ONCE: usize = 16;

/// Subjects whose keys are counted together (`f32`-sized keys: 64 × 1,441 × 4 bytes =
/// 369 KB on a 1-minute day).
pub const BATCH: usize = 64;

/// Where the search for one order statistic at one time stands.
#[derive(Debug, Clone, Copy)]
struct Search {
    /// The key bytes found so far (the high `8 × pass` bits).
    prefix: u32,
    /// Its rank among the values that share `prefix` (0-based).
    rank: usize,
}

/// The radix select of the [`super::percentile::LEVELS`] percentiles at every time of a population.
#[derive(Debug, Clone)]
pub struct Select {
    points: usize,
    /// Where each level is read among the subjects.
    levels: [Reading; 3],
    /// The distinct order statistics needed (0-based ranks, ascending).
    ranks: Vec<usize>,
    /// `points × ranks.len()` searches, time-major.
    searches: Vec<Search>,
    /// Passes done.
    pass: usize,
    /// The distinct prefixes at each time: time `j` counts into groups
    /// `group_start[j]..group_start[j + 1]`, whose prefixes are `group_prefix`.
    group_start: Vec<usize>,
    group_prefix: Vec<u32>,
}

/// One worker's counts in a pass, its subjects' keys gathered [`BATCH`] at a time.
pub struct Tally {
    counts: Vec<u32>,
    keys: Vec<u32>,
}

impl Select {
    /// The search for `subjects` values at each of `points` times.
    pub fn new(subjects: usize, points: usize) -> Select {
        let levels = Reading::levels(subjects);
        let ranks = distinct_ranks(&levels);
        let searches = (0..points)
            .flat_map(|_| ranks.iter().map(|&rank| Search { prefix: 0, rank }))
            .collect();
        let mut s = Select {
            points,
            levels,
            ranks,
            searches,
            pass: 0,
            group_start: Vec::new(),
            group_prefix: Vec::new(),
        };
        s.group();
        s
    }

    /// True when every pass is done.
    pub fn done(&self) -> bool {
        self.pass == PASSES
    }

    /// A zeroed table of counts for one pass.
    pub fn counts(&self) -> Vec<u32> {
        vec![0; self.group_prefix.len() * DIGITS]
    }

    /// The order-preserving key of each of `curve`'s values (ng/mL, one per time),
    /// appended to `keys`: [`Select::count`] reads a batch of subjects' keys.
    pub fn keys_of(curve: &[f64], keys: &mut Vec<u32>) {
        keys.extend(curve.iter().map(|&c| key_f32(c as f32)));
    }

    /// An empty [`Tally`] for one worker in this pass.
    pub fn tally(&self) -> Tally {
        Tally {
            counts: self.counts(),
            keys: Vec::with_capacity(BATCH * self.points),
        }
    }

    /// Add one subject's curve (ng/mL, one per time) to `tally`, counting each full batch.
    pub fn add(&self, tally: &mut Tally, curve: &[f64]) {
        Select::keys_of(curve, &mut tally.keys);
        if tally.keys.len() == BATCH * self.points {
            self.count(&mut tally.counts, &tally.keys);
            tally.keys.clear();
        }
    }

    /// The counts of every subject added to `tally`.
    pub fn finish(&self, mut tally: Tally) -> Vec<u32> {
        self.count(&mut tally.counts, &tally.keys);
        tally.counts
    }

    /// Add a batch of subjects' keys (subject-major, one per time each; [`Select::keys_of`])
    /// to `counts`. Times are taken [`TIMES_AT_ONCE`] at a time across the batch, so the
    /// rows of counts being added to stay in cache.
    pub fn count(&self, counts: &mut [u32], keys: &[u32]) {
        let shift = self.shift();
        let points = self.points;
        for t0 in (0..points).step_by(TIMES_AT_ONCE) {
            let t1 = (t0 + TIMES_AT_ONCE).min(points);
            for subject in keys.chunks_exact(points) {
                for (j, &key) in subject.iter().enumerate().take(t1).skip(t0) {
                    let high = high_bits(key, self.pass);
                    let (g0, g1) = (self.group_start[j], self.group_start[j + 1]);
                    if let Some(g) = (g0..g1).find(|&g| self.group_prefix[g] == high) {
                        counts[g * DIGITS + ((key >> shift) as usize & (DIGITS - 1))] += 1;
                    }
                }
            }
        }
    }

    /// Fix one more byte of every order statistic from the summed `counts` of a pass.
    pub fn advance(&mut self, counts: &[u32]) {
        let k = self.ranks.len();
        for j in 0..self.points {
            for s in &mut self.searches[j * k..(j + 1) * k] {
                let groups = self.group_start[j]..self.group_start[j + 1];
                let Some(g) = groups
                    .into_iter()
                    .find(|&g| self.group_prefix[g] == s.prefix)
                else {
                    continue; // cannot happen: every search's prefix has a group
                };
                let mut below = 0usize;
                for (digit, &c) in counts[g * DIGITS..(g + 1) * DIGITS].iter().enumerate() {
                    if below + c as usize > s.rank {
                        s.prefix = (s.prefix << 8) | digit as u32;
                        s.rank -= below;
                        break;
                    }
                    below += c as usize;
                }
            }
        }
        self.pass += 1;
        self.group();
    }

    /// The 5th, 50th and 95th percentile curves (after the last pass).
    pub fn percentiles(&self) -> [Vec<f64>; 3] {
        let keys: Vec<u32> = self.searches.iter().map(|s| s.prefix).collect();
        curves_from(&self.levels, &self.ranks, &keys)
    }

    /// The bit position of this pass's byte.
    fn shift(&self) -> u32 {
        (8 * (PASSES - 1 - self.pass.min(PASSES - 1))) as u32
    }

    /// One group per distinct prefix at each time.
    fn group(&mut self) {
        let k = self.ranks.len();
        self.group_start.clear();
        self.group_prefix.clear();
        for j in 0..self.points {
            self.group_start.push(self.group_prefix.len());
            let start = self.group_prefix.len();
            for s in &self.searches[j * k..(j + 1) * k] {
                if !self.group_prefix[start..].contains(&s.prefix) {
                    self.group_prefix.push(s.prefix);
                }
            }
        }
        self.group_start.push(self.group_prefix.len());
    }
}

/// The high `8 × bytes` bits of `key` (0 for none).
fn high_bits(key: u32, bytes: usize) -> u32 {
    if bytes == 0 {
        0
    } else {
        key >> (32 - 8 * bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::super::percentile::of_curves;
    use super::*;

    /// The radix select of `curves` (subject-major), every pass over the same values.
    fn select(curves: &[f32], subjects: usize, points: usize) -> [Vec<f64>; 3] {
        let mut s = Select::new(subjects, points);
        while !s.done() {
            let mut counts = s.counts();
            for batch in curves.chunks(3 * points) {
                let mut keys = Vec::new();
                for c in batch.chunks_exact(points) {
                    let c64: Vec<f64> = c.iter().map(|&v| f64::from(v)).collect();
                    Select::keys_of(&c64, &mut keys);
                }
                s.count(&mut counts, &keys);
            }
            s.advance(&counts);
        }
        s.percentiles()
    }

    #[test]
    fn radix_select_gives_the_in_memory_percentiles_bit_for_bit() {
        // Spread values, ties, zeros and a negative rounding residue, several sizes (h
        // whole and fractional).
        for subjects in [1, 2, 7, 20, 101, 333] {
            let points = 9;
            let curves: Vec<f32> = (0..subjects)
                .flat_map(|s| {
                    (0..points).map(move |j| {
                        let x = ((s * 7919 + j * 104_729) % 1009) as f32;
                        match j {
                            0 => 0.0,
                            1 => (s % 3) as f32,
                            2 => -1e-20 * x,
                            _ => x.powf(1.7) / 13.0 + j as f32,
                        }
                    })
                })
                .collect();
            let want = of_curves(&curves, subjects, points);
            let got = select(&curves, subjects, points);
            for (w, g) in want.iter().zip(&got) {
                let (w, g): (Vec<u64>, Vec<u64>) = (
                    w.iter().map(|v| v.to_bits()).collect(),
                    g.iter().map(|v| v.to_bits()).collect(),
                );
                assert_eq!(w, g, "{subjects} subjects");
            }
        }
    }
}
