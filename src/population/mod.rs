//! Virtual populations: many subjects whose parameters vary log-normally around the
//! model's typical values (and whose weights may vary), simulated in parallel and reduced
//! to percentile curves and percentile summaries.
//!
//! One subject is one [`subject::Subject`]: `P_i = P_typical(W_i) · exp(η_i)` with
//! `η ~ N(0, Ω)` ([`crate::model::variability`]), its doses resolved at its own weight
//! (mg/kg doses scale), simulated on the output grid by the fast path
//! ([`crate::simulate::grid`]). Each subject's curve is kept as the order-preserving
//! keys of its values' `f32` (7 significant digits, half the memory of `f64`), in tiles
//! of subjects turned time-major in cache (`tiles.rs`); the percentiles at each time are
//! then selected across subjects, one part of the column per tile (`column.rs`).
//! Beyond [`MAX_KEPT_VALUES`] the curves are not kept: the same percentiles come from
//! brackets over passes ([`bracket`]); when those cannot hold them (long grids), from
//! time windows of every subject's curve (`windows.rs`); and otherwise (windows too short
//! for the subjects, the ODE engine, TCI targets) from a radix select over passes
//! ([`radix`]). Summary numbers (Cmax, Tmax,
//! AUC, end concentration, hours in each band) are computed per subject in `f64` and
//! reported as percentiles, with the fraction of subjects whose curve enters each band.
//!
//! Subjects run in the current rayon pool (`ThreadPool::install` picks another); the
//! numbers do not depend on the number of threads (see [`subject`] on seeding).

pub mod bracket;
mod column;
pub mod covariates;
pub mod effect_site;
mod passes;
pub mod percentile;
pub mod radix;
pub mod runner;
pub mod subject;
mod summary;
mod tiles;
pub mod varvel;
mod windows;

use crate::bands::Band;
use crate::dosing::Regimen;
use crate::error::Result;
use crate::model::variability::Variability;
use crate::model::ModelSpec;
use crate::simulate::grid::UniformGrid;
use crate::solver::{SolverConfig, SolverKind};
use covariates::WeightDistribution;
use passes::{bracketed, counted, Rows};
use percentile::Percentiles;
use rayon::prelude::*;
use runner::SubjectRunner;
use subject::Sampler;
use summary::Summarizer;

/// A validated `[population]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Number of subjects simulated: subjects `first .. first + size` of `total`.
    pub size: usize,
    /// Index of the first subject simulated: 0 unless this run is one shard of a larger
    /// population ([`Population::shard`]).
    pub first: usize,
    /// Subjects in the whole population (`size` unless sharded).
    pub total: usize,
    /// Seed of every subject's random stream.
    pub seed: u64,
    /// Between-subject variability (the model's published one, with the scenario's changes).
    pub variability: Variability,
    /// How body weight is spread; `None`: every subject has the schedule's weight.
    pub weight: Option<WeightDistribution>,
}

impl Population {
    /// Shard `k` of `n` (1-based): subjects `⌊(k − 1) S / n⌋ .. ⌊k S / n⌋` of the `S`
    /// subjects, each with the seed it has in the whole population, so the shards of a
    /// population together are exactly its subjects. `None` when `k` is not in `1..=n`
    /// or there are fewer subjects than shards.
    pub fn shard(&self, k: usize, n: usize) -> Option<Population> {
        if k == 0 || k > n || n > self.size {
            return None;
        }
        let edge = |i: usize| (i as u128 * self.size as u128 / n as u128) as usize;
        Some(Population {
            first: self.first + edge(k - 1),
            size: edge(k) - edge(k - 1),
            ..self.clone()
        })
    }

    /// True when this run simulates only part of the population.
    pub fn is_shard(&self) -> bool {
        self.size != self.total
    }
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
    /// With TCI targets: Varvel 1992 performance across subjects.
    pub tci: Option<TciPerformance>,
    /// With effect-site targets: the effect site across subjects ([`effect_site`]).
    pub effect_site: Option<effect_site::EffectSiteCourse>,
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

/// Most concentrations kept in memory (as 4-byte keys, 128 MB): a larger population's
/// percentile curves come from [`bracket`] or [`radix`] select over passes, in memory
/// that does not grow with it.
pub const MAX_KEPT_VALUES: usize = 1 << 25;

/// Refuse to keep every subject's curve of `what` when that is more than [`MAX_KEPT_VALUES`]
/// (the passes that keep plasma percentiles in bounded memory do not cover it yet).
pub fn check_kept(population: &Population, points: usize, what: &str) -> Result<()> {
    let values = population.size.saturating_mul(points);
    if values <= MAX_KEPT_VALUES {
        return Ok(());
    }
    Err(crate::error::Error::invalid(
        format!(
            "{what} for {} subjects × {points} output points ({values} values)",
            population.size
        ),
        format!(
            "at most {MAX_KEPT_VALUES} subject-points: fewer subjects, a coarser output_every, \
             or `ketasim run --shard K/N`"
        ),
    ))
}

/// Subjects per share of a parallel pass, four shares per worker: each share makes one
/// runner and scratch curve for all its subjects (rayon's `*_init` makes them again at
/// every split of the work, fresh memory each time).
pub(super) fn share(n: usize) -> usize {
    n.div_ceil(4 * rayon::current_num_threads().max(1)).max(1)
}

/// Most subjects in a bracket plan's first pass (whose curves are kept): `6 n^(2/3)`. The
/// sample's cost (its simulations again and its selection) grows with it and the kept
/// keys of the last pass shrink as its square root, which makes the best size about
/// proportional to `n^(2/3)`. At 100,000 subjects a first pass of 12,900 instead of all
/// that fit (23,285) takes 150 MB instead of 201 MB; its CPU was 1.25 against 1.41 s in
/// one series of runs and the same within noise (1.37 against 1.39 s) in another.
fn first_sample(n: usize) -> usize {
    (6.0 * (n as f64).powf(2.0 / 3.0)).ceil() as usize
}

/// How many values the percentile selection may hold.
#[derive(Debug, Clone, Copy)]
struct Budget {
    /// Concentrations (`f32`) kept: every subject's curve when they fit, else the first
    /// pass's subjects' curves ([`bracket`]).
    curves: usize,
    /// Keys a filtering pass of [`bracket`] plans to keep.
    keys: usize,
    /// Bytes of subjects' systems and timelines a windowed pass keeps between windows.
    prepared: usize,
}

/// Simulate `population` on one schedule.
pub fn simulate(population: &Population, run: &Run) -> Result<PopulationCourse> {
    let budget = Budget {
        curves: MAX_KEPT_VALUES,
        keys: bracket::PLANNED_KEPT,
        prepared: windows::PREPARED_BYTES,
    };
    simulate_within(population, run, budget).map(|(course, _)| course)
}

/// How the percentile curves were selected.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Selection {
    /// Every curve kept.
    Kept,
    /// Brackets over passes ([`bracket`]).
    Bracketed,
    /// Radix select over passes ([`radix`]).
    Counted,
    /// Every subject one time window after another ([`windows`]).
    Windowed,
}

/// [`simulate`], keeping every curve when subjects × points is at most `budget.curves`.
fn simulate_within(
    population: &Population,
    run: &Run,
    budget: Budget,
) -> Result<(PopulationCourse, Selection)> {
    let sampler = Sampler::new(&population.variability)?;
    let (n, points) = (population.size, run.grid.len());
    let times = run.grid.times_h();
    let probes_h: Vec<f64> = (run.probes_h.iter())
        .copied()
        .filter(|&t| interpolate(&times, &times, t).is_some())
        .collect();
    let summarizer = Summarizer::new(&times, run.bands, &probes_h);
    let width = FIXED_METRICS + run.bands.len() + probes_h.len();
    let mut metrics = vec![0f64; n * width];
    let mut scores = vec![f64::NAN; n * 4];
    // Subject `i` of this run (its index in the whole population draws it).
    let draw = |i: usize| sampler.draw(population, population.first + i, run.weight_kg);
    // Subject `i`'s curve into `scratch`, its summaries into `m` and `score`.
    let one = |runner: &mut SubjectRunner,
               i: usize,
               scratch: &mut [f64],
               m: &mut [f64],
               score: &mut [f64]| {
        let course = runner.course(&draw(i), scratch)?;
        let tally = runner.tally.get_or_insert_with(|| summarizer.tally());
        summarizer.fill(tally, scratch, course.auc_ng_h_ml, m);
        let performance = run
            .target_ng_ml
            .and_then(|t| varvel::performance(&times, scratch, t));
        if let Some(p) = performance {
            score.copy_from_slice(&[p.mdpe, p.mdape, p.divergence, p.wobble]);
        }
        Ok::<(), crate::Error>(())
    };
    let (selection, [p05_ng_ml, p50_ng_ml, p95_ng_ml]) =
        if n.saturating_mul(points) <= budget.curves {
            // Each subject's keys written as it comes, in tiles ([`tiles`]): no
            // subject-major copy of the curves, and no gather.
            let mut keys = vec![0u32; n * points];
            let share = share(n);
            (keys.par_chunks_mut((share * points).max(1)))
                .zip(metrics.par_chunks_mut(share * width))
                .zip(scores.par_chunks_mut(share * 4))
                .enumerate()
                .try_for_each(|(c, ((keys, metrics), scores))| {
                    let mut runner = SubjectRunner::new(run);
                    tiles::fill(keys, points, |i, curve| {
                        let m = &mut metrics[i * width..(i + 1) * width];
                        let score = &mut scores[i * 4..(i + 1) * 4];
                        one(&mut runner, c * share + i, curve, m, score)
                    })
                })?;
            let levels = percentile::Reading::levels(n);
            let ranks = percentile::distinct_ranks(&levels);
            let keys = tiles::keys_of_tiles(&keys, share, points, &ranks);
            (
                Selection::Kept,
                percentile::curves_from(&levels, &ranks, &keys),
            )
        } else {
            let curve = |runner: &mut SubjectRunner, i: usize, scratch: &mut [f64]| {
                runner.course(&draw(i), scratch).map(|_| ())
            };
            let rows = Rows {
                metrics: &mut metrics,
                width,
                scores: &mut scores,
            };
            let first = (budget.curves / points.max(1)).min(first_sample(n));
            let bracketed = match bracket::plan(n, points, first, budget.keys) {
                Some(sizes) => bracketed(&sizes, run, 2 * budget.keys, rows, (&curve, &one))?,
                None => None,
            };
            // Windows pause the exact engine without changing a bit, not the ODE's.
            let windowed = run.target_ng_ml.is_none() && run.config.kind == SolverKind::Exact;
            let window = windows::window(n, budget.curves).filter(|_| windowed);
            match (bracketed, window) {
                (Some(p), _) => (Selection::Bracketed, p),
                (None, Some(window)) => {
                    let rows = (&mut metrics[..], width);
                    let keep = budget.prepared;
                    let p = windows::windowed(n, (window, keep), run, &summarizer, &draw, rows)?;
                    (Selection::Windowed, p)
                }
                (None, None) => {
                    let rows = Rows {
                        metrics: &mut metrics,
                        width,
                        scores: &mut scores,
                    };
                    (Selection::Counted, counted(n, run, rows, (&curve, &one))?)
                }
            }
        };
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
    let course = PopulationCourse {
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
        effect_site: None,
        probes: probes(&probes_h, run.bands, |k| {
            column(FIXED_METRICS + run.bands.len() + k)
        }),
    };
    Ok((course, selection))
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    /// 257 children, weights spread, three bands, probes on and off the grid.
    const CHILDREN: &str = r#"name = "Children"
[model]
pk = "herd-2007"
[simulation]
duration = "3 h"
output_every = "1 min"
[[schedule]]
name = "IV then oral"
doses = [{ route = "iv", amount = "1.5 mg/kg", over = "1 min" },
         { route = "oral", amount = "0.5 mg/kg", at = "1 h" }]
[population]
size = 257
seed = 11
[population.weight]
distribution = "normal"
mean = "25 kg"
sd = "10 kg"
min = "10 kg"
max = "50 kg"
[plot]
bands = ["analgesia", "emergence", "anaesthesia"]
"#;

    /// The first schedule of `s`, its bands counted at `probes_h`.
    fn first_schedule<'a>(s: &'a crate::scenario::Scenario, probes_h: &'a [f64]) -> Run<'a> {
        let sch = &s.schedules[0];
        Run {
            spec: &sch.model,
            weight_kg: sch.weight_kg,
            regimen: &sch.regimen,
            grid: UniformGrid::new(s.duration_h, s.output_every_h),
            bands: &s.bands,
            config: SolverConfig::default(),
            target_ng_ml: None,
            probes_h,
        }
    }

    #[test]
    fn bracketing_and_counting_over_passes_give_what_keeping_every_curve_gives() {
        let s = crate::scenario::parse(Path::new("children.toml"), CHILDREN).unwrap();
        let run = first_schedule(&s, &[0.5, 1.01]);
        let population = s.population.as_ref().unwrap();
        let points = run.grid.len();
        let within = |curves: usize, keys: usize, how: Selection| {
            let (course, selection) = simulate_within(
                population,
                &run,
                Budget {
                    curves,
                    keys,
                    prepared: 0,
                },
            )
            .unwrap();
            assert_eq!(selection, how);
            course
        };
        let kept = within(usize::MAX, 0, Selection::Kept);
        // Brackets from the first 60 subjects, then one pass over all 257.
        assert_eq!(
            bracket::plan(257, points, 60, bracket::PLANNED_KEPT),
            Some(vec![60, 257])
        );
        let bracketed = within(60 * points, bracket::PLANNED_KEPT, Selection::Bracketed);
        // 20 subjects, then a pass over more of them, then all: the keys allowed keep
        // one bracketing pass from reaching 257.
        let sizes = bracket::plan(257, points, 20, 60_000).unwrap();
        assert!(
            sizes.len() == 3 && sizes[1] > 20 && sizes[1] < 257,
            "{sizes:?}"
        );
        let narrowed = within(20 * points, 60_000, Selection::Bracketed);
        // No budget for a first pass: radix select over four passes.
        let counted = within(0, 0, Selection::Counted);
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        for other in [&bracketed, &narrowed, &counted] {
            assert_eq!(&kept, other);
            for (a, b) in [
                (&kept.p05_ng_ml, &other.p05_ng_ml),
                (&kept.p50_ng_ml, &other.p50_ng_ml),
                (&kept.p95_ng_ml, &other.p95_ng_ml),
            ] {
                assert_eq!(bits(a), bits(b));
            }
        }
        // Not a trivial curve: the spread is wide at 30 min.
        assert!(kept.p95_ng_ml[30] > 1.5 * kept.p05_ng_ml[30]);
    }

    /// 40 adults over 24 h on a 1-minute grid, windows of 513 points (8.55 h) ending
    /// inside infusions (at 17.1 h, which windows of 1026 points end at too) and between a
    /// lagged dose and its start, a bolus at a window's end (8.55 h), infusions stopping
    /// between grid points, repeated doses, probes and bands; and windows of 300 points.
    const EVENTFUL: &str = r#"name = "Events across windows"
[model]
pk = "kamp-2020"
[simulation]
duration = "24 h"
output_every = "1 min"
[[schedule]]
name = "Mixed"
doses = [{ route = "iv", amount = "0.5 mg/kg", over = "37 min", at = "8.2 h" },
         { route = "iv", amount = "10 mg", at = "8.55 h" },
         { route = "iv", amount = "0.3 mg/kg", over = "1 h", at = "16.9 h" },
         { route = "iv", amount = "5 mg", over = "0.013 h", at = "17.3 h" },
         { route = "oral", amount = "0.5 mg/kg", at = "0.5 h", every = "4 h", times = 6, lag = "23 min" }]
[population]
size = 40
seed = 3
[population.variability]
clearance = "30%"
central_volume = "40%"
ka = "50%"
[population.weight]
distribution = "normal"
mean = "75 kg"
sd = "15 kg"
min = "45 kg"
max = "120 kg"
[plot]
bands = ["analgesia", "dissociation"]
"#;

    /// Windows give what keeping every curve gives, bit for bit (with the exact engine:
    /// the ODE engine takes the radix select).
    #[test]
    fn windows_give_what_keeping_every_curve_gives() {
        let s = crate::scenario::parse(Path::new("eventful.toml"), EVENTFUL).unwrap();
        let population = s.population.as_ref().unwrap();
        let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        let summaries = |c: &PopulationCourse| {
            let mut v = Vec::new();
            for p in [c.cmax_ng_ml, c.tmax_h, c.auc_ng_h_ml, c.c_end_ng_ml] {
                v.extend([p.p05, p.p50, p.p95]);
            }
            for b in &c.bands {
                v.extend([b.hours.p05, b.hours.p50, b.hours.p95, b.fraction_reaching]);
            }
            for p in &c.probes {
                v.extend(p.shares.iter().flat_map(|s| [s.below, s.inside, s.above]));
            }
            bits(&v)
        };
        for kind in [SolverKind::Exact] {
            let run = Run {
                config: SolverConfig::of(kind),
                ..first_schedule(&s, &[4.0, 8.56, 12.3, 17.11])
            };
            assert_eq!(run.grid.len(), 1441);
            let within = |curves: usize, prepared: usize, how: Selection| {
                let budget = Budget {
                    curves,
                    keys: 0,
                    prepared,
                };
                let (course, selection) = simulate_within(population, &run, budget).unwrap();
                assert_eq!(selection, how, "{kind:?}");
                course
            };
            let kept = within(usize::MAX, 0, Selection::Kept);
            // Windows of 300, 513 and 1026 points: five, three and two of them; every
            // subject's system and timeline kept between windows, some of them, or none.
            let cases = [300, 513, 1026]
                .into_iter()
                .flat_map(|w| [(w, 1 << 30), (w, 1 << 16), (w, 0)]);
            for (window, prepared) in cases {
                let windowed = within(window * 40, prepared, Selection::Windowed);
                for (a, b) in [
                    (&kept.p05_ng_ml, &windowed.p05_ng_ml),
                    (&kept.p50_ng_ml, &windowed.p50_ng_ml),
                    (&kept.p95_ng_ml, &windowed.p95_ng_ml),
                ] {
                    let differs = (bits(a).iter().zip(bits(b))).position(|(x, y)| *x != y);
                    assert_eq!(differs, None, "{kind:?}, windows of {window}: point");
                }
                assert!(
                    summaries(&kept) == summaries(&windowed),
                    "{kind:?}, {window}"
                );
                assert!(kept == windowed, "{kind:?}, windows of {window}");
            }
            // Not a trivial case: subjects spread, some of them in each band.
            assert!(kept.p95_ng_ml[600] > 1.5 * kept.p05_ng_ml[600]);
            assert!(kept.bands.iter().all(|b| b.fraction_reaching > 0.0));
        }
        // Windows too short, or the ODE engine: radix select instead.
        let run = first_schedule(&s, &[]);
        let budget = |curves| Budget {
            curves,
            keys: 0,
            prepared: 0,
        };
        let (_, selection) = simulate_within(population, &run, budget(40 * 255)).unwrap();
        assert_eq!(selection, Selection::Counted);
        let ode = Run {
            config: SolverConfig::of(SolverKind::Ode),
            ..run
        };
        let (_, selection) = simulate_within(population, &ode, budget(40 * 513)).unwrap();
        assert_eq!(selection, Selection::Counted);
    }

    #[test]
    fn shards_are_the_subjects_of_the_whole_population_and_counts_merge() {
        let s = crate::scenario::parse(Path::new("children.toml"), CHILDREN).unwrap();
        let whole = s.population.clone().unwrap();
        let parts: Vec<Population> = (1..=3).map(|k| whole.shard(k, 3).unwrap()).collect();
        let ranges: Vec<(usize, usize)> = parts.iter().map(|p| (p.first, p.size)).collect();
        assert_eq!(ranges, [(0, 85), (85, 86), (171, 86)]);
        assert!(parts.iter().all(|p| p.total == 257 && p.is_shard()));
        assert!(whole.shard(0, 3).is_none() && whole.shard(4, 3).is_none());
        assert!(whole.shard(1, 258).is_none());
        // Subject counts (share × subjects) of the shards add up to the whole run's.
        let run = first_schedule(&s, &[0.5]);
        let count = |p: &Population| {
            let c = simulate(p, &run).unwrap();
            let n = c.subjects as f64;
            let mut counts: Vec<usize> = (c.bands.iter())
                .map(|b| (b.fraction_reaching * n).round() as usize)
                .collect();
            for share in &c.probes[0].shares {
                counts.extend(
                    [share.below, share.inside, share.above].map(|f| (f * n).round() as usize),
                );
            }
            counts
        };
        let summed = parts.iter().map(count).fold(vec![0; 12], |a, b| {
            a.iter().zip(&b).map(|(x, y)| x + y).collect()
        });
        let all = count(&whole);
        assert_eq!(summed, all);
        assert!(all.iter().any(|&c| c > 0 && c < 257), "{all:?}");
    }

    #[test]
    fn values_between_samples_are_interpolated() {
        const EXACT: f64 = 1e-12;
        let (t, v) = ([0.0, 1.0, 2.0], [0.0, 10.0, 30.0]);
        assert!((interpolate(&t, &v, 1.5).unwrap() - 20.0).abs() < EXACT);
        assert!((interpolate(&t, &v, 1.0).unwrap() - 10.0).abs() < EXACT);
        assert_eq!(interpolate(&t, &v, 3.0), None);
    }
}
