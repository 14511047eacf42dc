//! Virtual populations: many subjects whose parameters vary log-normally around the
//! model's typical values (and whose weights may vary), simulated in parallel and reduced
//! to percentile curves and percentile summaries.
//!
//! One subject is one [`subject::Subject`]: `P_i = P_typical(W_i) · exp(η_i)` with
//! `η ~ N(0, Ω)` ([`crate::model::variability`]), its doses resolved at its own weight
//! (mg/kg doses scale), simulated on the output grid by the fast path
//! ([`crate::simulate::grid`]). Each subject's curve is kept as `f32` (7 significant
//! digits, half the memory of `f64`); the percentiles at each time are then selected
//! across subjects ([`percentile`]). Summary numbers (Cmax, Tmax, AUC, end
//! concentration, hours in each band) are computed per subject in `f64` and reported as
//! percentiles, with the fraction of subjects whose curve enters each band.
//!
//! Subjects run in the current rayon pool (`ThreadPool::install` picks another); the
//! numbers do not depend on the number of threads (see [`subject`] on seeding).

pub mod covariates;
pub mod percentile;
pub mod subject;
pub mod varvel;

use crate::bands::Band;
use crate::dosing::{schedule_depots, Regimen, Timeline};
use crate::error::Result;
use crate::metrics::hours_between;
use crate::model::system::LinearSystem;
use crate::model::variability::Variability;
use crate::model::ModelSpec;
use crate::simulate::grid::{GridCourse, GridSampler, UniformGrid};
use crate::solver::SolverConfig;
use covariates::WeightDistribution;
use percentile::Percentiles;
use rayon::prelude::*;
use subject::{Sampler, Subject};

/// A validated `[population]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Number of subjects.
    pub size: usize,
    /// Seed of every subject's random stream.
    pub seed: u64,
    /// Between-subject variability (the model's published one, with the scenario's changes).
    pub variability: Variability,
    /// How body weight is spread; `None`: every subject has the schedule's weight.
    pub weight: Option<WeightDistribution>,
}

/// What one schedule is simulated with.
#[derive(Clone, Copy)]
pub struct Run<'a> {
    /// The model's typical values.
    pub spec: &'a ModelSpec,
    /// The schedule's weight (kg): subjects without a weight distribution have it.
    pub weight_kg: f64,
    /// The schedule's regimen at `weight_kg` (what was prescribed per kg follows a
    /// subject's weight).
    pub regimen: &'a Regimen,
    /// Output times.
    pub grid: UniformGrid,
    /// Bands to summarise.
    pub bands: &'a [Band],
    /// Engine and tolerances.
    pub config: SolverConfig,
    /// The TCI plasma target on the grid (ng/mL; NaN where none is set), to score
    /// each subject's pump performance ([`varvel`]).
    pub target_ng_ml: Option<&'a [f64]>,
    /// Times (h) at which to count the subjects below, inside and above each band
    /// ([`Probe`]); those outside the grid are skipped.
    pub probes_h: &'a [f64],
}

/// One band across the population.
#[derive(Debug, Clone, PartialEq)]
pub struct BandOutcome {
    /// The band.
    pub band: Band,
    /// Hours inside it, as percentiles over subjects.
    pub hours: Percentiles,
    /// Fraction of subjects whose curve enters it (spends any time in it).
    pub fraction_reaching: f64,
}

/// The share of subjects below, inside and above one band at one time: each subject's
/// concentration there is its grid curve interpolated linearly (as the percentile
/// curves are read between grid points), inside meaning `low ≤ c ≤ high` as for the
/// hours in a band ([`crate::metrics::hours_between`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BandShare {
    /// Fraction of subjects below the band's lower edge.
    pub below: f64,
    /// Fraction inside the band, edges included.
    pub inside: f64,
    /// Fraction above the upper edge.
    pub above: f64,
}

/// The band shares at one of [`Run::probes_h`].
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// The time (h).
    pub time_h: f64,
    /// Per band, in the order of [`PopulationCourse::bands`].
    pub shares: Vec<BandShare>,
}

/// A schedule's population results.
#[derive(Debug, Clone, PartialEq)]
pub struct PopulationCourse {
    /// Number of subjects.
    pub subjects: usize,
    /// 5th percentile of plasma concentration at each output time (ng/mL).
    pub p05_ng_ml: Vec<f64>,
    /// Median plasma concentration at each output time (ng/mL).
    pub p50_ng_ml: Vec<f64>,
    /// 95th percentile of plasma concentration at each output time (ng/mL).
    pub p95_ng_ml: Vec<f64>,
    /// Peak concentration (ng/mL).
    pub cmax_ng_ml: Percentiles,
    /// Time of the peak (h).
    pub tmax_h: Percentiles,
    /// Exact AUC over the window (ng·h/mL).
    pub auc_ng_h_ml: Percentiles,
    /// Concentration at the end of the window (ng/mL).
    pub c_end_ng_ml: Percentiles,
    /// Per band, in the order given.
    pub bands: Vec<BandOutcome>,
    /// With TCI plasma targets: Varvel 1992 performance across subjects.
    pub tci: Option<TciPerformance>,
    /// Band shares at each probe time within the grid, in the order given.
    pub probes: Vec<Probe>,
}

/// Summary numbers per subject: Cmax, Tmax, AUC, end, then hours in each band.
const FIXED_METRICS: usize = 4;

/// Varvel 1992 measures of the typical patient's pump in every subject, as percentiles
/// over subjects.
#[derive(Debug, Clone, PartialEq)]
pub struct TciPerformance {
    /// Median performance error (%).
    pub mdpe: Percentiles,
    /// Median absolute performance error (%).
    pub mdape: Percentiles,
    /// Divergence (%/h).
    pub divergence: Percentiles,
    /// Wobble (%).
    pub wobble: Percentiles,
}

/// Simulate `population` on one schedule.
pub fn simulate(population: &Population, run: &Run) -> Result<PopulationCourse> {
    let sampler = Sampler::new(&population.variability)?;
    let (n, points) = (population.size, run.grid.len());
    let times = run.grid.times_h();
    let probes_h: Vec<f64> = (run.probes_h.iter())
        .copied()
        .filter(|&t| interpolate(&times, &times, t).is_some())
        .collect();
    let summarizer = Summarizer {
        times_h: &times,
        bands: run.bands,
        probes_h: &probes_h,
    };
    let width = FIXED_METRICS + run.bands.len() + probes_h.len();
    let mut curves = vec![0f32; n * points];
    let mut metrics = vec![0f64; n * width];
    let mut scores = vec![f64::NAN; n * 4];
    curves
        .par_chunks_mut(points)
        .zip(metrics.par_chunks_mut(width))
        .zip(scores.par_chunks_mut(4))
        .enumerate()
        .with_min_len(8)
        .try_for_each_init(
            || vec![0.0; points],
            |scratch, (i, ((curve, m), score))| {
                let s = sampler.draw(population, i, run.weight_kg);
                let course = subject_course(run, &s, scratch)?;
                for (c, v) in curve.iter_mut().zip(scratch.iter()) {
                    *c = *v as f32;
                }
                summarizer.fill(scratch, &course, m);
                let performance = run
                    .target_ng_ml
                    .and_then(|t| varvel::performance(&times, scratch, t));
                if let Some(p) = performance {
                    score.copy_from_slice(&[p.mdpe, p.mdape, p.divergence, p.wobble]);
                }
                Ok::<(), crate::Error>(())
            },
        )?;
    let [p05_ng_ml, p50_ng_ml, p95_ng_ml] = percentile::of_curves(&curves, n, points);
    drop(curves);
    let column = |j: usize| -> Vec<f64> { metrics.chunks_exact(width).map(|m| m[j]).collect() };
    let bands = run
        .bands
        .iter()
        .enumerate()
        .map(|(b, band)| {
            let hours = column(FIXED_METRICS + b);
            let reaching = hours.iter().filter(|&&h| h > 0.0).count();
            BandOutcome {
                band: *band,
                hours: percentile::of_values(&hours),
                fraction_reaching: reaching as f64 / n as f64,
            }
        })
        .collect();
    Ok(PopulationCourse {
        subjects: n,
        p05_ng_ml,
        p50_ng_ml,
        p95_ng_ml,
        cmax_ng_ml: percentile::of_values(&column(0)),
        tmax_h: percentile::of_values(&column(1)),
        auc_ng_h_ml: percentile::of_values(&column(2)),
        c_end_ng_ml: percentile::of_values(&column(3)),
        bands,
        tci: tci_performance(&scores),
        probes: probes(&probes_h, run.bands, |k| {
            column(FIXED_METRICS + run.bands.len() + k)
        }),
    })
}

/// The band shares at each of `probes_h`, from each probe's column of subject values.
fn probes(probes_h: &[f64], bands: &[Band], column: impl Fn(usize) -> Vec<f64>) -> Vec<Probe> {
    let (mut out, share) = (Vec::new(), |k: usize, n: usize| k as f64 / n.max(1) as f64);
    for (k, &time_h) in probes_h.iter().enumerate() {
        let values = column(k);
        let n = values.len();
        let shares = (bands.iter())
            .map(|b| {
                let below = values.iter().filter(|&&c| c < b.low_ng_ml).count();
                let above = values.iter().filter(|&&c| c > b.high_ng_ml).count();
                BandShare {
                    below: share(below, n),
                    inside: share(n - below - above, n),
                    above: share(above, n),
                }
            })
            .collect();
        out.push(Probe { time_h, shares });
    }
    out
}

/// Linear interpolation of `values` (sampled at `times_h`) at `t`; `None` outside the
/// samples.
pub fn interpolate(times_h: &[f64], values: &[f64], t: f64) -> Option<f64> {
    let i = times_h.partition_point(|&x| x < t); // the first sample at or after t
    let x1 = *times_h.get(i)?;
    let Some(j) = i.checked_sub(1) else {
        // t is at or before the first sample: only "at" counts.
        return (x1 <= t).then(|| values.first().copied()).flatten();
    };
    let (x0, v0, v1) = (times_h[j], *values.get(j)?, *values.get(i)?);
    Some(v0 + (v1 - v0) * (t - x0) / (x1 - x0))
}

/// Subject `s`'s plasma curve on the grid, written into `out`.
/// Percentiles over subjects of the four Varvel measures; `None` without targets.
fn tci_performance(scores: &[f64]) -> Option<TciPerformance> {
    if scores.iter().any(|v| v.is_nan()) {
        return None;
    }
    let of = |j: usize| {
        let v: Vec<f64> = scores.chunks_exact(4).map(|s| s[j]).collect();
        percentile::of_values(&v)
    };
    Some(TciPerformance {
        mdpe: of(0),
        mdape: of(1),
        divergence: of(2),
        wobble: of(3),
    })
}

fn subject_course(run: &Run, s: &Subject, out: &mut [f64]) -> Result<GridCourse> {
    let model = s.model(run.spec);
    let regimen = run.regimen.at_weight(s.weight_kg / run.weight_kg);
    let (mut doses, mut steady) = (regimen.doses(), regimen.steady());
    s.absorbed(&mut doses, &mut steady);
    let system = LinearSystem::new(&model, &schedule_depots(&doses, &steady));
    let timeline = Timeline::of_schedule(&doses, &steady, &system, &[]);
    let sampler = GridSampler {
        grid: run.grid,
        config: run.config,
    };
    sampler.plasma(&system, timeline, out)
}

/// What each subject's summary numbers are read against.
struct Summarizer<'a> {
    times_h: &'a [f64],
    bands: &'a [Band],
    probes_h: &'a [f64],
}

impl Summarizer<'_> {
    /// Cmax and Tmax (first peak on the grid), AUC, end concentration and hours in each
    /// band of one subject, into `m` (the order of [`FIXED_METRICS`], then the bands),
    /// then its concentration at each probe time.
    fn fill(&self, curve: &[f64], course: &GridCourse, m: &mut [f64]) {
        let (peak, cmax) =
            curve
                .iter()
                .enumerate()
                .fold((0, f64::NEG_INFINITY), |best, (i, &c)| {
                    if c > best.1 {
                        (i, c)
                    } else {
                        best
                    }
                });
        m[0] = cmax;
        m[1] = self.times_h[peak];
        m[2] = course.auc_ng_h_ml;
        m[3] = curve[curve.len() - 1];
        for (slot, b) in m[FIXED_METRICS..].iter_mut().zip(self.bands) {
            *slot = hours_between(self.times_h, curve, b.low_ng_ml, b.high_ng_ml);
        }
        let at_probes = &mut m[FIXED_METRICS + self.bands.len()..];
        for (slot, &t) in at_probes.iter_mut().zip(self.probes_h) {
            *slot = interpolate(self.times_h, curve, t).unwrap_or(f64::NAN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_between_samples_are_interpolated() {
        const EXACT: f64 = 1e-12;
        let (t, v) = ([0.0, 1.0, 2.0], [0.0, 10.0, 30.0]);
        assert!((interpolate(&t, &v, 1.5).unwrap() - 20.0).abs() < EXACT);
        assert!((interpolate(&t, &v, 1.0).unwrap() - 10.0).abs() < EXACT);
        assert_eq!(interpolate(&t, &v, 3.0), None);
    }
}
