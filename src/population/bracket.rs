//! Exact percentile curves of a population too large to keep, from one pass over every
//! subject and shorter passes over the first ones: sample, bracket, count and keep (the
//! selection of Floyd RW, Rivest RL. Expected time bounds for selection. Commun ACM
//! 1975;18:165–172, doi:10.1145/360680.360691).
//!
//! Subjects are independent draws, so the first `m` of them are a random sample of the
//! population. At every time and level the sample's order statistics a margin of `Z`
//! standard errors either side of the wanted rank set a bracket `lo < key ≤ hi` on the
//! order-preserving `f32` key (`percentile::key_f32`). The next pass, over more
//! subjects and finally over all, counts the keys below and at `lo` and keeps only those
//! inside. When the wanted rank falls inside, selecting among the kept keys gives the
//! order statistic the in-memory selection picks, bit for bit. When it does not (a chance
//! of about 3e-7 per time, level and side for `Z` = 5) or the kept keys outgrow twice
//! [`PLANNED_KEPT`], [`Brackets::percentiles`] says so and the caller falls back on
//! [`super::radix`], which is exact whatever the data.
//!
//! Memory: the first pass keeps its subjects' curves (at most the caller's budget), each
//! later pass about [`PLANNED_KEPT`] keys, whatever the number of subjects. Counts are
//! integers and selection does not depend on order, so the answer does not depend on how
//! subjects are split among workers.

use super::percentile::{key_f32, value_f32, Reading, LEVELS};
use rayon::prelude::*;
use wide::{i32x8, CmpGt, CmpLt};

/// Standard errors of margin either side of a bracket.
const Z: f64 = 5.0;

/// Keys a filtering pass plans to keep (160 MB, each with the lane of its time); it gives
/// up at twice as many.
pub const PLANNED_KEPT: usize = 1 << 25;

/// Most passes a plan may have.
const MOST_PASSES: usize = 6;

/// The bracket ranks of one level among `m` sample values: `Z` standard errors of the
/// sample quantile (`√(m p (1 − p))` ranks) and two ranks more either side, so that
/// both order statistics the next pass reads are inside.
fn bracket_ranks(m: usize, p: f64) -> (Option<usize>, Option<usize>) {
    let centre = (m.max(1) - 1) as f64 * p;
    let margin = Z * (m as f64 * p * (1.0 - p)).sqrt() + 2.0;
    let lo = (centre - margin).floor();
    let hi = (centre + margin).ceil();
    (
        (lo >= 0.0).then_some(lo as usize),
        (hi < m as f64).then_some(hi as usize),
    )
}

/// Keys a pass over `next` subjects is expected to keep at each time, with brackets from
/// `m` subjects: each level's bracket holds a share of about `(hi − lo) / m` of them.
fn expected_per_time(m: usize, next: usize) -> f64 {
    LEVELS
        .iter()
        .map(|&p| {
            let (lo, hi) = bracket_ranks(m, p);
            let width = hi.unwrap_or(m) as f64 - lo.map_or(-1.0, |r| r as f64);
            next as f64 * width / m as f64
        })
        .sum()
}

/// Subjects in each pass: the first keeps its curves (`first`), each later one is
/// bracketed by the one before and expected to keep at most `planned` keys (in
/// production [`PLANNED_KEPT`]); the last is all `n`. `None` when no plan of at most
/// `MOST_PASSES` passes reaches `n` (a grid so long that the brackets stay wide: use
/// [`super::radix`]).
pub fn plan(n: usize, points: usize, first: usize, planned: usize) -> Option<Vec<usize>> {
    if first == 0 {
        return None;
    }
    let fits = |m: usize, next: usize| expected_per_time(m, next) * points as f64 <= planned as f64;
    // The most subjects a pass bracketed by `m` subjects can take.
    let reach = |m: usize| {
        let (mut lo, mut hi) = (m, n);
        while lo < hi {
            let mid = hi - (hi - lo) / 2;
            if fits(m, mid) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    };
    let mut sizes = vec![first.min(n)];
    while sizes.len() < MOST_PASSES {
        let m = *sizes.last()?;
        if m == n {
            return Some(sizes);
        }
        // The fewest subjects that can bracket all n, if this pass can reach them.
        let (mut lo, mut hi) = (m, n);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if fits(mid, n) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let next = if lo == m || fits(m, n) {
            n
        } else if reach(m) >= lo {
            lo
        } else {
            reach(m)
        };
        if next <= m {
            return None;
        }
        sizes.push(next);
    }
    (sizes.last() == Some(&n)).then_some(sizes)
}

/// Every level's bracket at one time: keys `lo[l] < key ≤ hi[l]` are kept.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Edges {
    lo: [u32; 3],
    hi: [u32; 3],
}

/// Times filtered together: the same step for each of them, in vector registers.
const LANES: usize = 8;

/// The edges of [`LANES`] consecutive times, level by level, as [`signed`] keys (vector
/// compares are signed).
#[derive(Debug, Clone, Copy)]
struct Lanes {
    lo: [i32x8; 3],
    hi: [i32x8; 3],
}

/// `key` as an `i32` in the same order.
fn signed(key: u32) -> i32 {
    (key ^ 0x8000_0000) as i32
}

/// The key of a [`signed`] one.
fn unsigned(key: i32) -> u32 {
    key as u32 ^ 0x8000_0000
}

/// The brackets of every level at every time, for a pass over more subjects.
#[derive(Debug, Clone)]
pub struct Brackets {
    /// Per time.
    at: Vec<Edges>,
    /// The same, [`LANES`] times at a time (the last block padded).
    lanes: Vec<Lanes>,
    /// The most keys a pass may keep.
    most: usize,
    /// Keys a subject is expected to leave in the brackets at each time (reserved ahead,
    /// so that the kept keys are not copied as they grow).
    kept_per_subject: f64,
}

/// One worker's share of a filtering pass.
pub struct Filter {
    /// Per time: keys below each level's `lo`, then keys equal to it.
    counts: Vec<[u32; 6]>,
    /// Per [`LANES`] times and level: keys below `lo`, negated (added to `counts` when
    /// the share is merged).
    below: Vec<[i32x8; 3]>,
    /// Per [`LANES`] times: the keys inside any level's bracket.
    kept: Vec<Kept>,
    /// The kept keys of the shares merged into this one, each as it came: they are read
    /// where they lie, not copied (a million-subject pass copied 160 MB per pass).
    merged: Vec<Vec<Kept>>,
    /// Keys kept so far.
    size: usize,
    /// The most keys this worker may keep.
    most: usize,
    /// True once it kept more than that (and stopped keeping).
    overflowed: bool,
}

/// The keys kept at [`LANES`] consecutive times, in the order they came, with the lane
/// (time) of each. Why not one vector per time: a pass keeps about one key per time per
/// batch, so each push to one of thousands of vectors was a cache miss (27% of a
/// million-subject run); eight times share a vector here.
#[derive(Default)]
struct Kept {
    lanes: Vec<u8>,
    keys: Vec<u32>,
}

impl Kept {
    /// The keys of each lane, added to `by_lane`.
    fn split(&self, by_lane: &mut [Vec<u32>; LANES]) {
        for (&lane, &key) in self.lanes.iter().zip(&self.keys) {
            by_lane[usize::from(lane)].push(key);
        }
    }
}

/// Where an order statistic stands after a filtering pass.
enum Found {
    Key(u32),
    Below,
    Above,
}

impl Brackets {
    /// Brackets with these edges at each time.
    fn new(at: Vec<Edges>, most: usize, m: usize) -> Brackets {
        let lanes = (at.chunks(LANES))
            .map(|block| {
                let edge = |l: usize, of: fn(&Edges) -> [u32; 3]| {
                    i32x8::from(std::array::from_fn(|i| {
                        block.get(i).map_or(i32::MAX, |e| signed(of(e)[l]))
                    }))
                };
                Lanes {
                    lo: std::array::from_fn(|l| edge(l, |e| e.lo)),
                    hi: std::array::from_fn(|l| edge(l, |e| e.hi)),
                }
            })
            .collect();
        Brackets {
            at,
            lanes,
            most,
            kept_per_subject: expected_per_time(m, 1),
        }
    }

    /// Brackets for a pass beyond a sample of `m` subjects at `points` times, that may
    /// keep at most `most` keys, from the sample's keys at the order statistics `ranks`
    /// (ascending) at each time: `select(ranks)`, time-major.
    pub fn from_order_statistics(
        m: usize,
        points: usize,
        most: usize,
        select: impl FnOnce(&[usize]) -> Vec<u32>,
    ) -> Brackets {
        let edges = LEVELS.map(|p| bracket_ranks(m, p));
        let mut ranks: Vec<usize> = (edges.iter())
            .flat_map(|&(lo, hi)| lo.into_iter().chain(hi))
            .collect();
        ranks.sort_unstable();
        ranks.dedup();
        let keys = select(&ranks);
        let per_time = ranks.len().max(1);
        let at = (0..points)
            .map(|t| {
                let key = |r: Option<usize>, none: u32| {
                    r.map_or(none, |r| {
                        keys[t * per_time + ranks.partition_point(|&x| x < r)]
                    })
                };
                Edges {
                    lo: edges.map(|(lo, _)| key(lo, 0)),
                    hi: edges.map(|(_, hi)| key(hi, u32::MAX)),
                }
            })
            .collect();
        Brackets::new(at, most, m)
    }

    /// An empty share of a pass over `share` of the `subjects` (the rest going to other
    /// workers; all of them for the pass's total), allowed its part of the most keys a
    /// pass may keep.
    pub fn filter(&self, share: usize, subjects: usize) -> Filter {
        let expected = (1.1 * share as f64 * self.kept_per_subject) as usize + 16;
        Filter {
            counts: vec![[0; 6]; self.at.len()],
            below: vec![[i32x8::ZERO; 3]; self.lanes.len()],
            kept: (self.lanes.iter())
                .map(|_| {
                    let reserve = (LANES * expected).min(self.most);
                    Kept {
                        lanes: Vec::with_capacity(reserve),
                        keys: Vec::with_capacity(reserve),
                    }
                })
                .collect(),
            merged: Vec::new(),
            size: 0,
            most: (self.most as f64 * share as f64 / subjects.max(1) as f64).ceil() as usize,
            overflowed: false,
        }
    }

    /// Count and keep one subject's curve (ng/mL, one value per time), `LANES` times
    /// at a time: per key and level two compares, below `lo` and above `hi`, the counts
    /// below kept per block of times in vector form; a key in neither (`lo ≤ key ≤ hi`
    /// for some level: a tie with `lo`, or inside) is rare and sorted out one by one.
    ///
    /// Why one subject at a time: its curve was just written and is in the first-level
    /// cache, and so are the edges and counts of a few thousand times. Counting batches
    /// of subjects a block of times at a time (counts in registers) read each subject's
    /// keys from a stride of the whole curve, which cost more than it saved.
    pub fn add(&self, f: &mut Filter, curve: &[f64]) {
        let points = curve.len().min(self.at.len());
        for (b, (e, below)) in self.lanes.iter().zip(&mut f.below).enumerate() {
            let t0 = b * LANES;
            let width = LANES.min(points - t0);
            let block: [i32; LANES] = match curve.get(t0..t0 + LANES) {
                Some(c) => std::array::from_fn(|i| signed(key_f32(c[i] as f32))),
                None => std::array::from_fn(|i| {
                    (curve.get(t0 + i)).map_or(i32::MIN, |&c| signed(key_f32(c as f32)))
                }),
            };
            let key = i32x8::from(block);
            let mut outside = i32x8::splat(-1);
            for ((lo, hi), below) in e.lo.iter().zip(&e.hi).zip(below.iter_mut()) {
                let under = key.cmp_lt(*lo);
                *below += under; // −1 per key below
                outside &= under | key.cmp_gt(*hi);
            }
            let mut rare = !(outside.move_mask() as u32) & ((1u32 << width) - 1);
            while rare != 0 {
                let i = rare.trailing_zeros() as usize;
                rare &= rare - 1;
                let (k, lo, hi) = (
                    block[i],
                    e.lo.map(|v| v.to_array()[i]),
                    e.hi.map(|v| v.to_array()[i]),
                );
                let mut inside = false;
                for l in 0..3 {
                    f.counts[t0 + i][3 + l] += u32::from(k == lo[l]);
                    inside |= lo[l] < k && k <= hi[l];
                }
                if inside && !f.overflowed {
                    f.kept[b].lanes.push(i as u8);
                    f.kept[b].keys.push(unsigned(k));
                    f.size += 1;
                }
            }
        }
        f.overflowed |= f.size > f.most;
    }

    /// Add a worker's share of a pass to the pass's `total`.
    pub fn merge(&self, total: &mut Filter, mut part: Filter) {
        for (b, below) in part.below.iter().enumerate() {
            for (l, n) in below.iter().enumerate() {
                for (i, n) in n.to_array().iter().enumerate() {
                    if let Some(c) = part.counts.get_mut(b * LANES + i) {
                        c[l] += n.unsigned_abs();
                    }
                }
            }
        }
        for (a, b) in total.counts.iter_mut().zip(&part.counts) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        total.merged.push(part.kept);
        total.merged.append(&mut part.merged);
        total.size += part.size;
        total.overflowed |= part.overflowed;
    }

    /// `each` of every time's counts and kept keys after the whole pass `f`, in time
    /// order (computed in parallel, in the current rayon pool).
    fn by_time<T: Send>(
        f: &Filter,
        each: impl Fn(usize, &[u32; 6], &mut [u32]) -> T + Sync,
    ) -> Vec<T> {
        let blocks: Vec<Vec<T>> = (f.kept.par_iter().enumerate())
            .map_init(<[Vec<u32>; LANES]>::default, |by_lane, (b, kept)| {
                by_lane.iter_mut().for_each(Vec::clear);
                kept.split(by_lane);
                for share in &f.merged {
                    share[b].split(by_lane);
                }
                (by_lane.iter_mut().enumerate())
                    .filter_map(|(i, keys)| {
                        let t = b * LANES + i;
                        f.counts.get(t).map(|counts| each(t, counts, keys))
                    })
                    .collect()
            })
            .collect();
        blocks.into_iter().flatten().collect()
    }

    /// The order statistics `ranks` (ascending) of level `l` at time `t`, from the whole
    /// pass's `counts` and `kept` keys at that time: level `l`'s kept keys are moved to the
    /// front of `kept` once for all of them (in place: a filtered copy per level was 6% of
    /// a 100,000-subject run).
    fn find<const R: usize>(
        &self,
        (t, counts, kept): (usize, &[u32; 6], &mut [u32]),
        l: usize,
        ranks: [usize; R],
    ) -> [Found; R] {
        let e = self.at[t];
        let (below, at_lo) = (counts[l] as usize, counts[3 + l] as usize);
        let mut front = 0;
        for i in 0..kept.len() {
            if kept[i] > e.lo[l] && kept[i] <= e.hi[l] {
                kept.swap(i, front);
                front += 1;
            }
        }
        let inside = &mut kept[..front];
        let mut base = 0; // inside[base − 1] is the last one selected, none after it lower
        ranks.map(|rank| {
            if rank < below {
                return Found::Below;
            }
            if rank < below + at_lo {
                return Found::Key(e.lo[l]);
            }
            let index = rank - below - at_lo;
            if index >= inside.len() {
                return Found::Above;
            }
            if index < base {
                return Found::Key(inside[index]); // the one just selected again
            }
            let key = *inside[base..].select_nth_unstable(index - base).1;
            base = index + 1;
            Found::Key(key)
        })
    }

    /// Brackets for the next pass from this pass over `m` subjects (`None` when it
    /// overflowed): where an edge's rank fell outside this bracket, that side of this
    /// bracket is kept.
    pub fn narrowed(&self, f: &Filter, m: usize) -> Option<Brackets> {
        if f.overflowed {
            return None;
        }
        let edges = LEVELS.map(|p| bracket_ranks(m, p));
        let at = Self::by_time(f, |t, counts, kept| {
            let mut new = self.at[t];
            for (l, &(lo, hi)) in edges.iter().enumerate() {
                // A missing edge is the end of the key range: no rank to find.
                let ranks = [lo.unwrap_or(0), hi.unwrap_or(m)];
                let [lo_found, hi_found] = self.find((t, counts, &mut *kept), l, ranks);
                if let (Some(_), Found::Key(k)) = (lo, lo_found) {
                    new.lo[l] = k;
                }
                if let (Some(_), Found::Key(k)) = (hi, hi_found) {
                    new.hi[l] = k;
                }
            }
            new
        });
        Some(Brackets::new(at, self.most, m))
    }

    /// The percentile curves of the `n` subjects this last pass counted; `None` when an
    /// order statistic fell outside its bracket or the pass overflowed.
    pub fn percentiles(&self, f: &Filter, n: usize) -> Option<[Vec<f64>; 3]> {
        if f.overflowed {
            return None;
        }
        let levels = Reading::levels(n);
        let at_times = Self::by_time(f, |t, counts, kept| {
            let mut at = [0.0; 3];
            for (l, (level, v)) in levels.iter().zip(&mut at).enumerate() {
                // The order statistics the level reads, from the bracket set for it
                // (the same one twice when it is not interpolated).
                let next = level.rank + usize::from(level.frac > 0.0);
                match self.find((t, counts, &mut *kept), l, [level.rank, next]) {
                    [Found::Key(x), Found::Key(y)] => {
                        let key = |r: usize| if r == level.rank { x } else { y };
                        *v = level.read(|r| value_f32(key(r)));
                    }
                    _ => return None,
                }
            }
            Some(at)
        });
        let mut curves = [Vec::new(), Vec::new(), Vec::new()];
        for at in at_times {
            for (curve, v) in curves.iter_mut().zip(at?) {
                curve.push(v);
            }
        }
        Some(curves)
    }
}

#[cfg(test)]
mod tests {
    use super::super::percentile::{keys_at, of_curves};
    use super::*;

    /// Subject-major curves: a spread of log-normal-looking values, then a column of
    /// zeros, one with three distinct values (ties) and one equal for all.
    fn curves(subjects: usize, points: usize) -> Vec<f32> {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut uniform = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        (0..subjects)
            .flat_map(|s| {
                let spread: Vec<f32> = (0..points)
                    .map(|j| match j {
                        0 => 0.0,
                        1 => (s % 3) as f32,
                        2 => 7.5,
                        _ => (100.0 * (3.0 * (uniform() - 0.5)).exp() / j as f64) as f32,
                    })
                    .collect();
                spread
            })
            .collect()
    }

    /// The passes of a plan, one worker per 7 subjects.
    fn select(
        curves: &[f32],
        n: usize,
        points: usize,
        sizes: &[usize],
        most: usize,
    ) -> Option<[Vec<f64>; 3]> {
        let first = sizes[0];
        let sample = &curves[..first * points];
        let mut b = Brackets::from_order_statistics(first, points, most, |ranks| {
            keys_at(sample, first, points, ranks)
        });
        for (k, &m) in sizes.iter().enumerate().skip(1) {
            let mut total = b.filter(0, m);
            for share in curves[..m * points].chunks(7 * points) {
                let mut f = b.filter(share.len() / points, m);
                for c in share.chunks_exact(points) {
                    let c64: Vec<f64> = c.iter().map(|&v| f64::from(v)).collect();
                    b.add(&mut f, &c64);
                }
                b.merge(&mut total, f);
            }
            if k + 1 == sizes.len() {
                assert_eq!(m, n);
                return b.percentiles(&total, m);
            }
            b = b.narrowed(&total, m)?;
        }
        None
    }

    fn bits(v: &[Vec<f64>; 3]) -> Vec<u64> {
        v.iter().flatten().map(|x| x.to_bits()).collect()
    }

    #[test]
    fn bracketed_passes_give_the_in_memory_percentiles_bit_for_bit() {
        let points = 8;
        for (n, first, planned) in [(2000, 150, 12_000), (2001, 40, 5_000), (333, 100, 1 << 20)] {
            let all = curves(n, points);
            let sizes = plan(n, points, first, planned).unwrap();
            assert_eq!(sizes.first(), Some(&first));
            let got = select(&all, n, points, &sizes, 2 * planned);
            let got =
                got.unwrap_or_else(|| panic!("{n} subjects, passes {sizes:?}: no bracket held"));
            assert_eq!(bits(&got), bits(&of_curves(&all, n, points)), "{sizes:?}");
        }
        // Two bracketing passes were needed at least once.
        assert!(plan(2001, points, 40, 5_000).unwrap().len() >= 3);
    }

    #[test]
    fn a_sample_unlike_the_rest_or_too_many_kept_is_reported_not_guessed() {
        let (n, points) = (1000, 4);
        // The first 100 subjects are ten times lower than the others.
        let mut all = curves(n, points);
        for v in &mut all[..100 * points] {
            *v /= 10.0;
        }
        assert_eq!(select(&all, n, points, &[100, n], 1 << 20), None);
        // Brackets that may keep only 10 keys.
        let fair = curves(n, points);
        assert_eq!(select(&fair, n, points, &[100, n], 10), None);
        assert!(select(&fair, n, points, &[100, n], 1 << 20).is_some());
    }

    #[test]
    fn plans_take_few_passes_and_refuse_grids_too_long_for_the_budget() {
        // A million subjects on a 1-minute day: two bracketing passes, the first small.
        let points = 1441;
        let first = (1 << 25) / points;
        let sizes = plan(1_000_000, points, first, PLANNED_KEPT).unwrap();
        assert_eq!(sizes.len(), 3, "{sizes:?}");
        let simulated: usize = sizes.iter().sum();
        assert!(simulated < 1_200_000, "{sizes:?}");
        assert_eq!(
            plan(100_000, points, first, PLANNED_KEPT),
            Some(vec![first, 100_000])
        );
        // Everyone fits in the first pass: that is the plan.
        assert_eq!(plan(500, points, 600, PLANNED_KEPT), Some(vec![500]));
        // 10,000 subjects over 30 days at 1 minute: the first pass holds 776 of them,
        // too few for brackets narrow enough.
        let points = 43_201;
        assert_eq!(plan(10_000, points, (1 << 25) / points, PLANNED_KEPT), None);
        assert_eq!(plan(10, 5, 0, PLANNED_KEPT), None);
    }
}
