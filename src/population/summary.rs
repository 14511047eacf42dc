//! One subject's summary numbers (Cmax, Tmax, AUC, end concentration, hours in each band,
//! the concentration at each probe time), accumulated over its curve as the points come:
//! the whole curve at once, or one time window after another. Either way the numbers are
//! the same bits.
//!
//! Why not a fold over the curve: a fold that carries one maximum or one sum is a chain
//! of dependent additions (four cycles each), which was 16% of a million-subject run.
//! Here each piece's maximum is taken over [`LANES`] running maxima (a maximum does not
//! depend on the order it is taken in), and each band's hours over [`LANES`] running sums, segment
//! `k` always going to sum `k mod LANES`, so that how the curve is split into windows
//! does not change a bit. The segments that cross a band's edge (a few per crossing) take
//! the general formula of [`crate::metrics::fraction_inside`].

use super::FIXED_METRICS;
use crate::bands::Band;
use crate::metrics::fraction_inside;
use wide::{f64x4, CmpEq};

/// Running maxima and running sums per band.
const LANES: usize = 8;

/// What each subject's summaries are read against.
pub(super) struct Summarizer<'a> {
    /// Grid times (h).
    times_h: &'a [f64],
    /// From each grid time to the next (h).
    steps_h: Vec<f64>,
    /// Bands whose hours are counted.
    bands: &'a [Band],
    /// Probe times (h), each within the grid.
    probes_h: &'a [f64],
}

/// One subject's summaries so far.
#[derive(Debug, Clone)]
pub(super) struct Tally {
    /// Points fed so far.
    fed: usize,
    /// The concentration at point `fed − 1` (ng/mL).
    last: f64,
    /// The highest concentration fed (ng/mL) and the first point at it.
    cmax: f64,
    peak: usize,
    /// Per band: running sums of hours, segment `k` (points `k` to `k + 1`) in lane
    /// `k mod LANES`.
    hours: Vec<[f64; LANES]>,
    /// The concentration at each probe, once its points were fed (NaN before).
    probes: Vec<f64>,
    /// The least and greatest point of each block of the piece being fed ([`bounds`]).
    bounds: Vec<(f64, f64)>,
}

impl<'a> Summarizer<'a> {
    /// Summaries on the grid `times_h` of hours in `bands` and values at `probes_h`.
    pub fn new(times_h: &'a [f64], bands: &'a [Band], probes_h: &'a [f64]) -> Self {
        let steps_h = times_h.windows(2).map(|t| t[1] - t[0]).collect();
        Summarizer {
            times_h,
            steps_h,
            bands,
            probes_h,
        }
    }

    /// An empty tally for one subject.
    pub fn tally(&self) -> Tally {
        Tally {
            fed: 0,
            last: f64::NAN,
            cmax: f64::NEG_INFINITY,
            peak: 0,
            hours: vec![[0.0; LANES]; self.bands.len()],
            probes: vec![f64::NAN; self.probes_h.len()],
            bounds: Vec::new(),
        }
    }

    /// Start `tally` again for another subject.
    pub fn restart(&self, tally: &mut Tally) {
        tally.fed = 0;
        tally.last = f64::NAN;
        (tally.cmax, tally.peak) = (f64::NEG_INFINITY, 0);
        tally.hours.iter_mut().for_each(|h| *h = [0.0; LANES]);
        tally.probes.fill(f64::NAN);
    }

    /// Add the next points of the curve (ng/mL, the points after those fed so far).
    pub fn feed(&self, tally: &mut Tally, piece: &[f64]) {
        let Some(&piece_last) = piece.last() else {
            return;
        };
        let k0 = tally.fed;
        let head = ((LANES - k0 % LANES) % LANES).min(piece.len() - 1);
        bounds(&piece[head..], &mut tally.bounds);
        let cmax = maximum(piece, head, &tally.bounds);
        if cmax > tally.cmax {
            (tally.cmax, tally.peak) = (cmax, k0 + first_at(piece, cmax, head, &tally.bounds));
        }
        // Segments ending in this piece: the first one starts at the last point fed.
        for (b, sums) in self.bands.iter().zip(&mut tally.hours) {
            if k0 > 0 {
                let across = [tally.last, piece[0]];
                band_hours(sums, k0 - 1, &self.steps_h[k0 - 1..], &across, b, &[]);
            }
            band_hours(sums, k0, &self.steps_h[k0..], piece, b, &tally.bounds);
        }
        for (slot, &t) in tally.probes.iter_mut().zip(self.probes_h) {
            // The first point at or after `t`, and the one before it, if both are fed now.
            let j = self.times_h.partition_point(|&x| x < t);
            if j < k0 || j >= k0 + piece.len() {
                continue;
            }
            let at = |k: usize| if k >= k0 { piece[k - k0] } else { tally.last };
            *slot = if self.times_h[j] <= t || j == 0 {
                at(j)
            } else {
                let (x0, x1, v0, v1) = (self.times_h[j - 1], self.times_h[j], at(j - 1), at(j));
                v0 + (v1 - v0) * (t - x0) / (x1 - x0)
            };
        }
        tally.fed += piece.len();
        tally.last = piece_last;
    }

    /// The subject's summaries into `m` (the order of [`FIXED_METRICS`], then the bands,
    /// then the probes), its exact AUC being `auc_ng_h_ml`. Tmax is the first time at
    /// Cmax on the grid.
    pub fn finish(&self, tally: &Tally, auc_ng_h_ml: f64, m: &mut [f64]) {
        m[0] = tally.cmax;
        m[1] = self.times_h[tally.peak];
        m[2] = auc_ng_h_ml;
        m[3] = tally.last;
        for (slot, sums) in m[FIXED_METRICS..].iter_mut().zip(&tally.hours) {
            *slot = sums.iter().sum();
        }
        m[FIXED_METRICS + self.bands.len()..].copy_from_slice(&tally.probes);
    }

    /// Every summary of one whole curve into `m` ([`Summarizer::finish`]).
    pub fn fill(&self, tally: &mut Tally, curve: &[f64], auc_ng_h_ml: f64, m: &mut [f64]) {
        self.restart(tally);
        self.feed(tally, curve);
        self.finish(tally, auc_ng_h_ml, m);
    }
}

/// The first index of `piece` whose value is `v`, bit for bit (0 when none is), `v` being
/// its [`maximum`]: only the blocks (of [`bounds`], after the first `head` points) whose
/// greatest point is not below `v`, or that hold a NaN, are searched.
fn first_at(piece: &[f64], v: f64, head: usize, bounds: &[(f64, f64)]) -> usize {
    let same = |x: &f64| x.to_bits() == v.to_bits();
    let from = |start: usize, run: &[f64]| run.iter().position(same).map(|i| start + i);
    let mut candidates = (bounds.iter().enumerate())
        .filter(|(_, &(_, hi))| hi >= v || hi.is_nan())
        .map(|(j, _)| head + j * LANES);
    let rest = (head + bounds.len() * LANES).min(piece.len());
    from(0, &piece[..head])
        .or_else(|| candidates.find_map(|s| from(s, &piece[s..=s + LANES])))
        .or_else(|| from(rest, &piece[rest..]))
        .unwrap_or(0)
}

/// The least and greatest of each run of `LANES + 1` points of `points` starting at a
/// multiple of `LANES` (the points of `LANES` segments), into `out`; `(NaN, NaN)` for a
/// run holding a NaN.
fn bounds(points: &[f64], out: &mut Vec<(f64, f64)>) {
    out.clear();
    let half = |x: &[f64]| f64x4::from([x[0], x[1], x[2], x[3]]);
    let mut start = 0;
    while let Some(run) = points.get(start..start + LANES + 1) {
        let (a, b, last) = (half(&run[..4]), half(&run[4..8]), run[LANES]);
        let sum = a + b + f64x4::splat(last);
        let numbers = sum.cmp_eq(sum).all();
        // Plain compares: a NaN is already accounted for by `numbers`.
        let lo =
            (a.fast_min(b).to_array().into_iter()).fold(last, |m, x| if x < m { x } else { m });
        let hi =
            (a.fast_max(b).to_array().into_iter()).fold(last, |m, x| if x > m { x } else { m });
        out.push(if numbers {
            (lo, hi)
        } else {
            (f64::NAN, f64::NAN)
        });
        start += LANES;
    }
}

/// The largest value of `piece`, as a fold keeping the first of equals would find it
/// (NaNs never win; −∞ when there is nothing else), from the `bounds` of its blocks
/// after the first `head` points.
fn maximum(piece: &[f64], head: usize, bounds: &[(f64, f64)]) -> f64 {
    let higher = |m: f64, c: f64| if c > m { c } else { m };
    let mut m = piece[..head]
        .iter()
        .fold(f64::NEG_INFINITY, |m, &c| higher(m, c));
    for (j, &(_, hi)) in bounds.iter().enumerate() {
        m = if hi.is_nan() {
            let run = &piece[head + j * LANES..=head + (j + 1) * LANES];
            run.iter().fold(m, |m, &c| higher(m, c))
        } else {
            higher(m, hi)
        };
    }
    let rest = &piece[(head + bounds.len() * LANES).min(piece.len())..];
    rest.iter().fold(m, |m, &c| higher(m, c))
}

/// The hours in `band` of the segments between consecutive points of `conc`, whose
/// lengths (h) are `steps_h`, the first being segment `k0`, added to running sum
/// `k mod LANES`. Segments wholly inside add their length, wholly outside nothing, and
/// the rest their [`fraction_inside`] of it. `bounds` are those of [`bounds`] for the
/// segments after the first that starts at a multiple of `LANES` (none: every segment
/// one at a time).
fn band_hours(
    sums: &mut [f64; LANES],
    k0: usize,
    steps_h: &[f64],
    conc: &[f64],
    band: &Band,
    bounds: &[(f64, f64)],
) {
    let (low, high) = (band.low_ng_ml, band.high_ng_ml);
    let segments = conc.len().saturating_sub(1);
    let one = |sums: &mut [f64; LANES], i: usize| {
        let f = fraction_inside(conc[i], conc[i + 1], low, high);
        sums[(k0 + i) % LANES] += steps_h[i] * f;
    };
    let head = ((LANES - k0 % LANES) % LANES).min(segments);
    for i in 0..head {
        one(sums, i);
    }
    let half =
        |x: &[f64], h: usize| f64x4::from([x[4 * h], x[4 * h + 1], x[4 * h + 2], x[4 * h + 3]]);
    // The running sums in vector registers while whole blocks are added.
    let mut acc = [half(sums, 0), half(sums, 1)];
    let mut i = head;
    for &(lo, hi) in bounds {
        // A block of segments whose points all lie inside the band adds every length,
        // one whose points all lie below or all above adds nothing (the common cases).
        // In any other block (one that crosses an edge, or holds a NaN) each segment
        // takes the general formula.
        let step = &steps_h[i..i + LANES];
        if lo >= low && hi <= high {
            acc[0] += half(step, 0);
            acc[1] += half(step, 1);
        } else if !(hi < low || lo > high) {
            let f: [f64; LANES] = std::array::from_fn(|j| {
                step[j] * fraction_inside(conc[i + j], conc[i + j + 1], low, high)
            });
            acc[0] += half(&f, 0);
            acc[1] += half(&f, 1);
        }
        i += LANES;
    }
    let acc = [acc[0].to_array(), acc[1].to_array()];
    sums.copy_from_slice(acc.as_flattened());
    for i in i..segments {
        one(sums, i);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::hours_between;

    /// A curve with plateaus, crossings of both edges, a repeated maximum and a segment
    /// across the whole band, on a grid with a short last step.
    fn curve() -> (Vec<f64>, Vec<f64>) {
        let times: Vec<f64> = (0..=100).map(|k| k as f64 * 0.1).chain([10.04]).collect();
        let conc = (0..times.len())
            .map(|k| match k {
                0..=9 => 20.0 * k as f64,
                10..=30 => 180.0,
                31 => 10.0,
                32..=60 => 100.0 + (k as f64).sin() * 50.0,
                61 => 180.0,
                _ => 300.0 / (k as f64 - 55.0),
            })
            .collect();
        (times, conc)
    }

    fn bands() -> Vec<Band> {
        [(70.0, 160.0), (0.0, 50.0), (150.0, 1e9)]
            .map(|(low_ng_ml, high_ng_ml)| Band {
                low_ng_ml,
                high_ng_ml,
                ..crate::bands::BANDS[0]
            })
            .to_vec()
    }

    /// The summaries of the whole curve are those of the plain definitions (the hours to
    /// rounding, being summed in another order), and feeding it in windows of any size
    /// gives the same bits.
    #[test]
    fn summaries_match_the_definitions_and_do_not_depend_on_windows() {
        const SUM_ORDER: f64 = 1e-13; // h: the same terms, summed in another order
        let (times, conc) = curve();
        let bands = bands();
        let probes = [0.0, 0.55, 3.0, 10.02, 10.04];
        let s = Summarizer::new(&times, &bands, &probes);
        let width = FIXED_METRICS + bands.len() + probes.len();
        let mut whole = vec![0.0; width];
        s.fill(&mut s.tally(), &conc, 7.5, &mut whole);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        // Cmax 180 first reached at point 9 (20 × 9), then AUC as given and the last point.
        assert_eq!(bits(&whole[..4]), bits(&[180.0, times[9], 7.5, conc[101]]));
        for (b, band) in bands.iter().enumerate() {
            let h = hours_between(&times, &conc, band.low_ng_ml, band.high_ng_ml);
            assert!((whole[FIXED_METRICS + b] - h).abs() < SUM_ORDER, "band {b}");
        }
        for (p, &t) in probes.iter().enumerate() {
            let v = super::super::interpolate(&times, &conc, t).unwrap();
            let probe = whole[FIXED_METRICS + bands.len() + p];
            assert_eq!(probe.to_bits(), v.to_bits(), "probe at {t} h");
        }
        for window in [1, 2, 3, 7, 8, 9, 16, 33, 100] {
            let mut tally = s.tally();
            for piece in conc.chunks(window) {
                s.feed(&mut tally, piece);
            }
            let mut windowed = vec![0.0; width];
            s.finish(&tally, 7.5, &mut windowed);
            assert_eq!(bits(&windowed), bits(&whole), "windows of {window}");
        }
    }

    /// The peak found through the blocks is the first point at the maximum, bit for bit,
    /// wherever it lies (before the first block, in one, after the last) and whatever
    /// NaNs, repeats and signed zeros come before it.
    #[test]
    fn the_peak_is_the_first_point_at_the_maximum() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % m
        };
        for case in 0..2000 {
            let len = 1 + next(60) as usize;
            let mut piece: Vec<f64> = (0..len).map(|_| next(7) as f64).collect();
            for _ in 0..next(3) {
                piece[next(len as u64) as usize] = [f64::NAN, -0.0, 0.0][case % 3];
            }
            let head = ((LANES - case % LANES) % LANES).min(len - 1);
            let mut blocks = Vec::new();
            bounds(&piece[head..], &mut blocks);
            let v = maximum(&piece, head, &blocks);
            let want = piece.iter().position(|x| x.to_bits() == v.to_bits());
            assert_eq!(
                first_at(&piece, v, head, &blocks),
                want.unwrap_or(0),
                "{piece:?}"
            );
        }
    }

    /// A NaN in a curve is never counted as inside a band by the fast path: its
    /// segments take the general formula, as `hours_between` does.
    #[test]
    fn a_nan_takes_the_general_formula() {
        const SUM_ORDER: f64 = 1e-13;
        let times: Vec<f64> = (0..40).map(|k| k as f64 * 0.25).collect();
        let mut conc = vec![100.0; 40];
        conc[20] = f64::NAN;
        conc[30] = 10.0;
        let bands = bands();
        let s = Summarizer::new(&times, &bands, &[]);
        let mut m = vec![0.0; FIXED_METRICS + bands.len()];
        s.fill(&mut s.tally(), &conc, 0.0, &mut m);
        for (b, band) in bands.iter().enumerate() {
            let h = hours_between(&times, &conc, band.low_ng_ml, band.high_ng_ml);
            assert!(
                (m[FIXED_METRICS + b] - h).abs() < SUM_ORDER,
                "band {b}: {h}"
            );
        }
    }
}
