//! Order statistics of consecutive columns of keys (a population's concentrations at one
//! time after another), each column's answer looked for next to the previous column's.
//!
//! A population's percentile moves smoothly from one grid time to the next, so each
//! group of ranks has a guess for this column: the last column's answer moved as it
//! moved last time, with a reach learnt from how wrong that guess was. One pass counts
//! the keys at or below each bracket and keeps those inside, and the wanted ranks are
//! read among the few kept. A group whose ranks fall outside has its reach multiplied
//! by [`WIDEN`] and is counted again; after [`RETRIES`] passes what is still missing is
//! selected from the whole column (`select_nth_unstable`). Either way the answer is the
//! order statistic itself, bit for bit: the bracket only decides how much work finding
//! it takes.

use super::percentile::select_ranks;
use wide::{i32x8, CmpGt};

/// Passes before what is still missing is selected from the whole column.
const RETRIES: usize = 6;

/// How much a missed bracket widens.
const WIDEN: i64 = 4;

/// Ranks on either side of a group's answers whose keys widen the next reach: the room
/// the ranks need when subjects overtake one another.
const MARGIN: usize = 8;

/// The reach of a first guess, and the least reach after a miss (keys: a relative
/// change of about 5e-4 for a positive `f32`).
const FIRST_REACH: i64 = 1 << 12;

/// Ranks read together: one bracket holds `first ..= last`.
#[derive(Debug, Clone)]
struct Group {
    /// Indices into the ranks of the first and last rank of the group.
    index: (usize, usize),
    /// The first and last rank.
    ranks: (usize, usize),
    /// The last column's keys at them, and how far they moved from the column before.
    last: Option<(i64, i64, i64)>,
    /// How far (in keys) beyond the guess this column's bracket reaches.
    reach: i64,
}

impl Group {
    /// This column's bracket `(lo, hi]` (keys), from the last answers moved as they
    /// moved last time.
    fn bracket(&self) -> (u32, u32) {
        let (a, b, moved) = self.last.unwrap_or_default();
        let key = |k: i64| k.clamp(0, i64::from(u32::MAX)) as u32;
        (key(a + moved - self.reach - 1), key(b + moved + self.reach))
    }

    /// Learn from this column's answers `a ..= b`, with `outer` the keys [`MARGIN`]
    /// ranks out on either side (as far as the bracket saw).
    fn learn(&mut self, (a, b): (u32, u32), outer: (u32, u32)) {
        let (a, b) = (i64::from(a), i64::from(b));
        let (moved, error) = match self.last {
            Some((was_a, _, guess)) => (a - was_a, (a - was_a - guess).abs()),
            None => (0, FIRST_REACH),
        };
        let spread = (a - i64::from(outer.0)).max(i64::from(outer.1) - b);
        // Last time's error once, not twice: 18% fewer keys kept and 3% more passes at
        // 10,000 subjects, and 0.137 → 0.128 s CPU for the run (medians of 15 in turn),
        // each key kept costing far more than its share of a pass.
        self.reach = error + spread + 1;
        self.last = Some((a, b, moved));
    }
}

/// The order statistics at fixed ranks of one column after another.
pub(super) struct Tracker {
    ranks: Vec<usize>,
    groups: Vec<Group>,
    /// Per group, the keys kept in the last pass.
    kept: Vec<Vec<u32>>,
    /// A whole column, for the selection that ends the retries.
    whole: Vec<u32>,
}

/// `key` as an `i32` in the same order (vector compares are signed).
fn signed(key: u32) -> i32 {
    (key ^ 0x8000_0000) as i32
}

impl Tracker {
    /// A tracker of `ranks` (ascending, distinct); ranks at most `2 · MARGIN` apart share
    /// a bracket.
    pub fn new(ranks: &[usize]) -> Tracker {
        let mut groups: Vec<Group> = Vec::new();
        for (i, &r) in ranks.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if r - g.ranks.1 <= 2 * MARGIN => {
                    g.index.1 = i;
                    g.ranks.1 = r;
                }
                _ => groups.push(Group {
                    index: (i, i),
                    ranks: (r, r),
                    last: None,
                    reach: FIRST_REACH,
                }),
            }
        }
        Tracker {
            ranks: ranks.to_vec(),
            kept: vec![Vec::new(); groups.len()],
            groups,
            whole: Vec::new(),
        }
    }

    /// The keys at the ranks in the column made of `parts` (its keys in any order), into
    /// `out` (one per rank).
    pub fn select(&mut self, parts: &[&[u32]], out: &mut [u32]) {
        let mut missing: Vec<usize> = (0..self.groups.len()).collect();
        if self.groups.iter().all(|g| g.last.is_some()) {
            for _ in 0..RETRIES {
                missing = self.bracketed(parts, &missing, out);
                if missing.is_empty() {
                    return;
                }
            }
        }
        let ranks: Vec<usize> = (missing.iter())
            .flat_map(|&g| self.groups[g].index.0..=self.groups[g].index.1)
            .map(|i| self.ranks[i])
            .collect();
        self.whole.clear();
        parts
            .iter()
            .for_each(|part| self.whole.extend_from_slice(part));
        let keys = select_ranks(&mut self.whole, &ranks);
        let mut keys = keys.iter();
        for &g in &missing {
            let group = &mut self.groups[g];
            for slot in &mut out[group.index.0..=group.index.1] {
                *slot = keys.next().copied().unwrap_or_default();
            }
            let (a, b) = (out[group.index.0], out[group.index.1]);
            group.learn((a, b), (a, b));
            group.reach = group.reach.max(FIRST_REACH);
        }
    }

    /// [`Tracker::select`] of each column of `columns` in turn (`subjects` keys each, in
    /// time order), into `out` (one row of keys per column).
    pub fn select_each(&mut self, columns: &[u32], subjects: usize, out: &mut [u32]) {
        let rows = out.chunks_exact_mut(self.ranks.len().max(1));
        for (column, out) in columns.chunks_exact(subjects.max(1)).zip(rows) {
            self.select(&[column], out);
        }
    }

    /// One counting pass with the brackets of the groups `missing`; the groups whose
    /// ranks fell outside (their reach widened) are returned.
    fn bracketed(&mut self, parts: &[&[u32]], missing: &[usize], out: &mut [u32]) -> Vec<usize> {
        let edges: Vec<(u32, u32)> = missing.iter().map(|&g| self.groups[g].bracket()).collect();
        let below = self.count(parts, &edges);
        let mut still = Vec::new();
        for (k, &g) in missing.iter().enumerate() {
            let (group, kept) = (&mut self.groups[g], &mut self.kept[k]);
            let (first, last) = group.ranks;
            if first < below[k] || last >= below[k] + kept.len() {
                group.reach = (group.reach * WIDEN).max(FIRST_REACH);
                still.push(g);
                continue;
            }
            kept.sort_unstable();
            let at = |r: usize| kept[r - below[k]];
            let (slots, ranks) = (group.index.0..=group.index.1, &self.ranks);
            for (slot, &r) in out[slots.clone()].iter_mut().zip(&ranks[slots]) {
                *slot = at(r);
            }
            let outer = (
                kept[(first - below[k]).saturating_sub(MARGIN)],
                kept[(last - below[k] + MARGIN).min(kept.len() - 1)],
            );
            group.learn((at(first), at(last)), outer);
        }
        still
    }

    /// Per bracket `edges[k]`, the keys of the column `parts` at or below its low edge;
    /// the keys inside it (`lo < key ≤ hi`) into `kept[k]`.
    fn count(&mut self, parts: &[&[u32]], edges: &[(u32, u32)]) -> Vec<usize> {
        self.kept.iter_mut().for_each(Vec::clear);
        if self.kept.len() < edges.len() {
            self.kept.resize(edges.len(), Vec::new());
        }
        let mut below = Vec::with_capacity(edges.len());
        for (edges, kept) in edges.chunks(BATCH).zip(self.kept.chunks_mut(BATCH)) {
            match edges.len() {
                1 => below.extend(count_batch::<1>(parts, edges, kept)),
                2 => below.extend(count_batch::<2>(parts, edges, kept)),
                3 => below.extend(count_batch::<3>(parts, edges, kept)),
                _ => below.extend(count_batch::<BATCH>(parts, edges, kept)),
            }
        }
        below
    }
}

/// Brackets counted in one pass over a column, their counts in a fixed-size array.
const BATCH: usize = 4;

/// [`Tracker::count`] of `N` brackets `edges` (exactly `N`) at once, into `kept`.
fn count_batch<const N: usize>(
    parts: &[&[u32]],
    edges: &[(u32, u32)],
    kept: &mut [Vec<u32>],
) -> [usize; N] {
    let lanes: [(i32x8, i32x8); N] = std::array::from_fn(|g| {
        let (lo, hi) = edges[g];
        (i32x8::splat(signed(lo)), i32x8::splat(signed(hi)))
    });
    let mut at_or_below = [i32x8::ZERO; N];
    let mut below = [0usize; N];
    for part in parts {
        let mut chunks = part.chunks_exact(8);
        for chunk in &mut chunks {
            let block: [i32; 8] = std::array::from_fn(|i| signed(chunk[i]));
            let key = i32x8::from(block);
            let mut inside = i32x8::ZERO;
            for ((lo, hi), n) in lanes.iter().zip(&mut at_or_below) {
                let above_lo = key.cmp_gt(*lo);
                *n += !above_lo; // −1 for each key at or below
                inside |= above_lo & !key.cmp_gt(*hi);
            }
            let mut rare = inside.move_mask() as u32;
            while rare != 0 {
                let i = rare.trailing_zeros() as usize;
                rare &= rare - 1;
                keep(chunk[i], edges, kept);
            }
        }
        for &k in chunks.remainder() {
            for (b, &(lo, _)) in below.iter_mut().zip(edges) {
                *b += usize::from(k <= lo);
            }
            keep(k, edges, kept);
        }
    }
    for (b, n) in below.iter_mut().zip(at_or_below) {
        *b += n
            .to_array()
            .iter()
            .map(|c| c.unsigned_abs() as usize)
            .sum::<usize>();
    }
    below
}

/// `key` into the kept keys of every bracket that holds it.
fn keep(key: u32, edges: &[(u32, u32)], kept: &mut [Vec<u32>]) {
    for (kept, &(lo, hi)) in kept.iter_mut().zip(edges) {
        if lo < key && key <= hi {
            kept.push(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Columns that drift, jump, tie and collapse to one value, each given whole or in
    /// parts of any length (empty ones too): every answer is the order statistic a whole
    /// selection gives.
    #[test]
    fn tracked_answers_are_the_order_statistics() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let n = 1001;
        let ranks = [50, 51, 500, 949, 950];
        let mut tracker = Tracker::new(&ranks);
        let base: Vec<u32> = (0..n).map(|_| (next() >> 40) as u32 + (1 << 30)).collect();
        for t in 0..200u32 {
            let column: Vec<u32> = match t {
                // All equal, then three values.
                50..=52 => vec![7; n],
                53 => (0..n as u32).map(|i| 1 + i % 3).collect(),
                // A jump far from the previous column.
                120 => base.iter().map(|k| k / 3).collect(),
                _ => (base.iter())
                    .map(|&k| k + t * 1000 + (next() % 5000) as u32)
                    .collect(),
            };
            let mut want = column.clone();
            let want = select_ranks(&mut want, &ranks);
            let mut parts: Vec<&[u32]> = Vec::new();
            let mut rest = &column[..];
            while t % 3 != 0 && !rest.is_empty() {
                let (part, after) = rest.split_at((next() % 300) as usize % (rest.len() + 1));
                parts.push(part);
                rest = after;
            }
            parts.push(rest);
            let mut got = vec![0; ranks.len()];
            tracker.select(&parts, &mut got);
            assert_eq!(got, want, "column {t} in {} parts", parts.len());
        }
    }
}
