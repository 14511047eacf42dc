//! Summary numbers of one simulated course: Cmax, Tmax, AUC, concentration at the end,
//! hours spent below, inside and above each band.
//!
//! Cmax and Tmax are read on the output grid (as mrgsolve and NONMEM tables do), AUC is
//! exact (the model's own ∫C dt accumulator, not trapezoids), and time in a band
//! interpolates linearly where the curve crosses an edge between two grid points.

use crate::bands::Band;
use crate::simulate::Trajectory;

/// One course's summary.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Peak plasma concentration on the grid (ng/mL).
    pub cmax_ng_ml: f64,
    /// Time of the peak (h).
    pub tmax_h: f64,
    /// Exact AUC over the simulated window (ng·h/mL).
    pub auc_ng_h_ml: f64,
    /// Concentration at the end of the window (ng/mL).
    pub c_end_ng_ml: f64,
    /// Hours below, inside and above each band, in the order the bands were given.
    pub band_hours: Vec<BandHours>,
    /// Peak metabolite concentration (ng/mL), when modelled.
    pub cmax_metabolite_ng_ml: Option<f64>,
    /// Peak effect-site concentration (ng/mL), when modelled.
    pub cmax_effect_ng_ml: Option<f64>,
}

/// Where a course spends its time relative to one band: `below_h + in_h + above_h` is
/// the simulated window. "In" counts only `low ≤ C ≤ high`, so a course sitting above the
/// band for days shows it in `above_h`, not in `in_h`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandHours {
    /// The band.
    pub band: Band,
    /// Hours with C < low.
    pub below_h: f64,
    /// Hours with low ≤ C ≤ high.
    pub in_h: f64,
    /// Hours with C > high.
    pub above_h: f64,
}

impl BandHours {
    /// The hours of the curve `conc` (sampled at `times_h`) below, in and above `band`.
    pub fn of(band: Band, times_h: &[f64], conc: &[f64]) -> BandHours {
        let (low, high) = (band.low_ng_ml, band.high_ng_ml);
        BandHours {
            band,
            below_h: hours_between(times_h, conc, f64::NEG_INFINITY, low),
            in_h: hours_between(times_h, conc, low, high),
            above_h: hours_between(times_h, conc, high, f64::INFINITY),
        }
    }
}

fn peak(values: impl Iterator<Item = f64>) -> (usize, f64) {
    values
        .enumerate()
        .fold((0, f64::NEG_INFINITY), |best, (i, c)| {
            if c > best.1 {
                (i, c)
            } else {
                best
            }
        })
}

/// The summary of `t` for `bands`.
pub fn summarize(t: &Trajectory, bands: &[Band]) -> Summary {
    let (i, cmax) = peak(t.plasma_ng_ml.iter().copied());
    let last = t.time_h.len().saturating_sub(1);
    let times = t.time_h.as_slice().expect("contiguous");
    let conc = t.plasma_ng_ml.as_slice().expect("contiguous");
    Summary {
        cmax_ng_ml: cmax,
        tmax_h: t.time_h[i],
        auc_ng_h_ml: t.auc_ng_h_ml[last] - t.auc_ng_h_ml[0],
        c_end_ng_ml: t.plasma_ng_ml[last],
        band_hours: bands
            .iter()
            .map(|b| BandHours::of(*b, times, conc))
            .collect(),
        cmax_metabolite_ng_ml: t
            .metabolite_ng_ml
            .as_ref()
            .map(|m| peak(m.iter().copied()).1),
        cmax_effect_ng_ml: t.effect_ng_ml.as_ref().map(|e| peak(e.iter().copied()).1),
    }
}

/// Hours with `low ≤ c ≤ high`, the curve taken as linear between samples.
pub fn hours_between(times_h: &[f64], conc: &[f64], low: f64, high: f64) -> f64 {
    times_h
        .windows(2)
        .zip(conc.windows(2))
        .map(|(t, c)| (t[1] - t[0]) * fraction_inside(c[0], c[1], low, high))
        .sum()
}

/// The fraction of a linear segment from `a` to `b` that lies in `[low, high]`.
pub(crate) fn fraction_inside(a: f64, b: f64, low: f64, high: f64) -> f64 {
    // Wholly outside or wholly inside: the answer of the general case below, without its
    // division (most segments of a curve; populations summarise millions of them).
    let (lo, hi) = (a.min(b), a.max(b));
    if hi < low || lo > high {
        return 0.0;
    }
    if lo >= low && hi <= high {
        return 1.0;
    }
    if (a - b).abs() < f64::EPSILON * a.abs().max(b.abs()).max(1.0) {
        return if a >= low && a <= high { 1.0 } else { 0.0 };
    }
    let overlap = (hi.min(high) - lo.max(low)).max(0.0);
    overlap / (hi - lo)
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    #[test]
    fn time_in_band_interpolates_crossings() {
        // A ramp 0 → 200 over 2 h, then back: inside 70–160 for 0.9 h each way.
        let t = [0.0, 2.0, 4.0];
        let c = [0.0, 200.0, 0.0];
        assert_relative_eq!(
            hours_between(&t, &c, 70.0, 160.0),
            1.8,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            hours_between(&t, &[100.0; 3], 70.0, 160.0),
            4.0,
            max_relative = 1e-12
        );
        assert_relative_eq!(
            hours_between(&t, &[10.0; 3], 70.0, 160.0),
            0.0,
            max_relative = 1e-12
        );
    }

    /// Issue 14: a course above the band for most of the window reported only its hours
    /// inside; below + in + above must now account for the whole window.
    #[test]
    fn hours_below_in_and_above_a_band_add_up_to_the_window() {
        const EXACT: f64 = 1e-12; // piecewise-linear crossings, exact in binary
        let band = crate::bands::Band {
            low_ng_ml: 70.0,
            high_ng_ml: 160.0,
            ..crate::bands::BANDS[0]
        };
        // 0 → 200 over 2 h, 200 for 10 h, back to 0 over 2 h.
        let (t, c) = ([0.0, 2.0, 12.0, 14.0], [0.0, 200.0, 200.0, 0.0]);
        let h = BandHours::of(band, &t, &c);
        assert_relative_eq!(h.below_h, 2.0 * 0.7, max_relative = EXACT);
        assert_relative_eq!(h.in_h, 2.0 * 0.9, max_relative = EXACT);
        assert_relative_eq!(h.above_h, 10.0 + 2.0 * 0.4, max_relative = EXACT);
        assert_relative_eq!(h.below_h + h.in_h + h.above_h, 14.0, max_relative = EXACT);
    }
}
