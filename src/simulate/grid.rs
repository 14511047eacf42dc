//! The uniform-grid sink of the one walk (`simulate/walk.rs`): one observed output at every
//! grid point, when only the plasma curve and its exact AUC are needed (a population's
//! subjects, benches).
//!
//! It walks the same [`Timeline`] events as [`super::run`], with the same walk (events at
//! a grid time come before that time's output; infusion stops and lagged inputs split
//! time). Two things make it fast:
//!
//! - **No sample events.** Output times come from a [`UniformGrid`]: between two changes
//!   of input, all grid points in the stretch are produced by one
//!   [`Propagator::sample`] call, which for `exact` is a cached block propagator
//!   ([`crate::solver::exact`]).
//! - **Only the states the plasma curve needs** ([`Reduced`]): the effect site, the
//!   metabolite and its AUC never feed back into the parent, so they are dropped. For a
//!   3-compartment model with an oral depot that leaves 5 states (3 compartments, depot,
//!   AUC accumulator) instead of 6.
//!
//! **Windows.** The curve can also be had one time window after another
//! ([`GridSampler::plasma_window`]): the walk pauses at the window's end and a
//! [`Checkpoint`] of a few numbers carries it into the next, where it goes on as if it had
//! never stopped, bit for bit with the exact engine. A [`Propagator::sample`] call carries
//! the state from block to block of [`BLOCK`] points counted from the call's start, so a
//! call that crosses the window's end is split at the first block boundary at or after
//! it (the points of that block past the end are kept for the next window): the two
//! calls do the arithmetic of the one. (The ODE engine's call is one integration, which a
//! split restarts: its windows agree with its whole curve to its tolerance, not bit for
//! bit.)

use super::walk::{tolerance, Progress, Sink, Walk, WalkState};
use crate::dosing::{Event, Timeline};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::solver::exact::BLOCK;
use crate::solver::{new_propagator, Grid, GridOutput, Propagator, SolverConfig, SolverStats};
use crate::units::NG_PER_ML_PER_MG_PER_L;
use nalgebra::DMatrix;
use std::ops::Range;

/// Output times `0, h, 2h, …` up to `end_h`, which is always the last point even when it
/// is not a multiple of `h`: the grid of [`crate::dosing::grid`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UniformGrid {
    /// Step between points (h).
    pub step_h: f64,
    /// Number of whole steps: points `0 ..= steps` are `k × step_h`.
    pub steps: usize,
    /// The last time (h).
    pub end_h: f64,
}

impl UniformGrid {
    /// The grid from 0 to `duration_h` every `step_h`, both ends included.
    pub fn new(duration_h: f64, step_h: f64) -> UniformGrid {
        UniformGrid {
            step_h,
            steps: (duration_h / step_h * (1.0 + 1e-12)).floor() as usize,
            end_h: duration_h,
        }
    }

    fn has_tail(&self) -> bool {
        self.end_h - self.steps as f64 * self.step_h > 1e-9 * self.step_h
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.steps + 1 + usize::from(self.has_tail())
    }

    /// Always false: a grid has at least the point 0.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Time of point `k` (h).
    pub fn time_h(&self, k: usize) -> f64 {
        if k <= self.steps {
            k as f64 * self.step_h
        } else {
            self.end_h
        }
    }

    /// Every time (h).
    pub fn times_h(&self) -> Vec<f64> {
        (0..self.len()).map(|k| self.time_h(k)).collect()
    }

    /// The first point at or after `t` (a point within [`super::SAME_TIME`] of `t` counts as at it).
    fn first_from(&self, t: f64) -> usize {
        let limit = t - tolerance(t);
        let guess = (limit / self.step_h).ceil().max(0.0);
        let mut k = (guess.min((self.steps + 1) as f64)) as usize;
        while k > 0 && self.time_h(k - 1) >= limit {
            k -= 1;
        }
        while k < self.len() && self.time_h(k) < limit {
            k += 1;
        }
        k
    }

    /// The point at `t`, if `t` is one.
    fn point_at(&self, t: f64) -> Option<usize> {
        let k = self.first_from(t);
        (k < self.len() && self.time_h(k) <= t + tolerance(t)).then_some(k)
    }
}

/// The states the parent plasma concentration and its AUC depend on, with their own
/// state matrix: the closure of the AUC accumulator under "is fed by".
#[derive(Debug, Clone, PartialEq)]
pub struct Reduced {
    /// Full-system index of each kept state, in the full system's order.
    pub states: Vec<usize>,
    /// Reduced index of each full-system state, `None` when dropped.
    pub index: Vec<Option<usize>>,
    /// The kept rows and columns of the state matrix.
    pub a: DMatrix<f64>,
}

impl Reduced {
    /// The reduction of `system`.
    pub fn of(system: &LinearSystem) -> Reduced {
        let n = system.n();
        let mut needed = vec![false; n];
        let mut stack = vec![system.layout.auc_parent];
        while let Some(i) = stack.pop() {
            if !needed[i] {
                needed[i] = true;
                stack.extend((0..n).filter(|&j| !needed[j] && system.a[(i, j)] != 0.0));
            }
        }
        let states: Vec<usize> = (0..n).filter(|&i| needed[i]).collect();
        let mut index = vec![None; n];
        for (r, &i) in states.iter().enumerate() {
            index[i] = Some(r);
        }
        let a = DMatrix::from_fn(states.len(), states.len(), |r, c| {
            system.a[(states[r], states[c])]
        });
        Reduced { states, index, a }
    }

    /// Whether `system` reduces to the same states: its state matrix has the nonzero
    /// pattern `pattern` (column-major) and its AUC is state `auc`, which is all
    /// [`Reduced::of`] reads besides the values.
    fn fits(system: &LinearSystem, pattern: &[bool], auc: usize) -> bool {
        system.layout.auc_parent == auc
            && pattern.len() == system.a.len()
            && (system.a.iter().map(|&v| v != 0.0)).eq(pattern.iter().copied())
    }

    /// Take the kept entries of `system`'s state matrix, the states being the same.
    fn refill(&mut self, system: &LinearSystem) {
        for (c, &j) in self.states.iter().enumerate() {
            for (r, &i) in self.states.iter().enumerate() {
                self.a[(r, c)] = system.a[(i, j)];
            }
        }
    }
}

/// What one [`GridSampler::plasma_reusing`] leaves for the next call. A population's
/// subjects share their system's structure and differ in its rates, so the reduction's
/// states and the propagator's buffers carry over and only the numbers are recomputed
/// (Φ, Γ and the block rows: the same operations on the same values, so the same bits
/// as a fresh start).
#[derive(Default)]
pub struct GridScratch {
    /// The last reduction, with the nonzero pattern (column-major) and AUC state of the
    /// full system it was made from.
    reduced: Option<(Reduced, Vec<bool>, usize)>,
    /// The last propagator and the configuration it was built with.
    propagator: Option<(Box<dyn Propagator>, SolverConfig)>,
}

impl GridScratch {
    /// The reduction of `system`: the last one refilled when the structure is the same.
    fn reduction<'s>(
        slot: &'s mut Option<(Reduced, Vec<bool>, usize)>,
        system: &LinearSystem,
    ) -> &'s Reduced {
        let auc = system.layout.auc_parent;
        match slot {
            Some((reduced, pattern, was)) if Reduced::fits(system, pattern, *was) => {
                reduced.refill(system);
            }
            _ => {
                let pattern = system.a.iter().map(|&v| v != 0.0).collect();
                *slot = Some((Reduced::of(system), pattern, auc));
            }
        }
        &slot.as_ref().expect("set above").0
    }

    /// What [`new_propagator`] builds for `a`, `grid` and `config`: the last propagator
    /// rebuilt in place when it can be.
    fn propagator<'s>(
        slot: &'s mut Option<(Box<dyn Propagator>, SolverConfig)>,
        a: &DMatrix<f64>,
        grid: Grid,
        config: &SolverConfig,
    ) -> Result<&'s mut dyn Propagator> {
        let rebuilt = match slot {
            Some((p, built_with)) if built_with == config => p.rebuild(a, Some(grid))?,
            _ => false,
        };
        if !rebuilt {
            *slot = Some((new_propagator(a, Some(grid), config)?, *config));
        }
        Ok(slot.as_mut().expect("set above").0.as_mut())
    }
}

/// What the fast path returns besides the curve.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridCourse {
    /// Exact parent AUC from the first to the last grid point (ng·h/mL).
    pub auc_ng_h_ml: f64,
    /// Work the engine did.
    pub stats: SolverStats,
}

/// The fast path's settings: the output grid and the engine.
///
/// ```
/// use ketasim::dosing::{depots, Dose, Timeline};
/// use ketasim::model::{library, system::LinearSystem};
/// use ketasim::route::Route;
/// use ketasim::simulate::grid::{GridSampler, UniformGrid};
/// use ketasim::solver::SolverConfig;
///
/// // Oral 35 mg to a 70 kg adult on the default model, 24 h every minute.
/// let spec = library::get("kamp-2020").unwrap();
/// let doses = [Dose::new(&spec, Route::Oral, 35.0, &[])];
/// let system = LinearSystem::new(&spec.individual(70.0), &depots(&doses));
/// let sampler = GridSampler { grid: UniformGrid::new(24.0, 1.0 / 60.0), config: SolverConfig::default() };
/// let mut plasma_ng_ml = vec![0.0; sampler.grid.len()];
/// let course = sampler.plasma(&system, Timeline::of_doses(&doses, &system, &[]), &mut plasma_ng_ml).unwrap();
/// assert!(course.auc_ng_h_ml > 0.0 && plasma_ng_ml[60] > 5.0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GridSampler {
    /// Output times.
    pub grid: UniformGrid,
    /// Engine and tolerances.
    pub config: SolverConfig,
}

impl GridSampler {
    /// The parent plasma concentration (ng/mL) of `timeline` on `system` at every grid
    /// point, written into `out_ng_ml` (length `grid.len()`). `Sample` events in the
    /// timeline are ignored: the grid is the output.
    pub fn plasma(
        &self,
        system: &LinearSystem,
        timeline: Timeline,
        out_ng_ml: &mut [f64],
    ) -> Result<GridCourse> {
        self.plasma_reusing(system, timeline, out_ng_ml, &mut GridScratch::default())
    }

    /// [`GridSampler::plasma`], reusing what `scratch` kept from the last call (one
    /// scratch per thread: a population's worker keeps one across its subjects). The
    /// numbers are those of [`GridSampler::plasma`], bit for bit.
    pub fn plasma_reusing(
        &self,
        system: &LinearSystem,
        timeline: Timeline,
        out_ng_ml: &mut [f64],
        scratch: &mut GridScratch,
    ) -> Result<GridCourse> {
        let points = 0..self.grid.len();
        let events = timeline.sorted();
        let course = self.plasma_window(system, &events, points, out_ng_ml, scratch, &mut None)?;
        Ok(course.expect("the last window finishes the walk"))
    }

    /// The points `points` of [`GridSampler::plasma`]'s curve, written into `out_ng_ml`
    /// (one per point), for the timeline whose events are `events` ([`Timeline::sorted`]),
    /// the walk going on from `checkpoint` (`None`: from the start, and then `points`
    /// starts at 0). Unless `points` reaches the grid's end (which finishes the walk and
    /// returns the course), the walk pauses at `points.end` into `checkpoint` and `None`
    /// is returned; the next call takes the points from there, with the same `system`
    /// and `events`, and a window of at least [`BLOCK`] points. With the exact engine,
    /// windows change no bit of the curve or the AUC. The course's work counts are those
    /// of the last window only.
    pub fn plasma_window(
        &self,
        system: &LinearSystem,
        events: &[(f64, Event)],
        points: Range<usize>,
        out_ng_ml: &mut [f64],
        scratch: &mut GridScratch,
        checkpoint: &mut Option<Checkpoint>,
    ) -> Result<Option<GridCourse>> {
        let grid = &self.grid;
        assert_eq!(out_ng_ml.len(), points.len(), "one output per window point");
        assert!(points.end <= grid.len(), "a window within the grid");
        let reduced = GridScratch::reduction(&mut scratch.reduced, system);
        let output = GridOutput {
            state: reduced.index[system.layout.plasma].expect("plasma feeds its AUC"),
            factor: NG_PER_ML_PER_MG_PER_L / system.plasma_v_l,
        };
        let propagator = GridScratch::propagator(
            &mut scratch.propagator,
            &reduced.a,
            Grid {
                step_h: grid.step_h,
                output,
            },
            &self.config,
        )?;
        let auc = reduced.index[system.layout.auc_parent].expect("the AUC is the closure's root");
        let mut sink = OnGrid {
            grid,
            out: out_ng_ml,
            output,
            first: points.start,
            stop: points.end,
            paused: false,
            mid_call: false,
            spill: [0.0; BLOCK],
            t: 0.0,
            at: Some(0),
            next: 0,
            auc_state: auc,
            auc_start: 0.0,
        };
        let (mut walk, mut applied) = match checkpoint.take() {
            Some(c) => {
                assert_eq!(
                    c.stop, points.start,
                    "a window starts where the last paused"
                );
                // The points of the last window's last block that fell in this one.
                let spilled = c.next - c.stop;
                assert!(
                    spilled <= sink.out.len(),
                    "a window of at least {BLOCK} points"
                );
                sink.out[..spilled].copy_from_slice(&c.spill[..spilled]);
                (sink.t, sink.at, sink.next) = (c.t, c.at, c.next);
                (sink.auc_start, sink.mid_call) = (c.auc_start, c.mid_call);
                let walk = Walk::resume(system, &reduced.index, propagator, sink, c.walk);
                (walk, c.applied)
            }
            None => {
                assert_eq!(points.start, 0, "a walk starts at the first point");
                (Walk::new(system, &reduced.index, propagator, sink, 0.0), 0)
            }
        };
        let end = grid.end_h;
        let mut progress = Progress::Done;
        for &(time, ref event) in events.iter().skip(applied) {
            if time > end + tolerance(end) {
                break;
            }
            progress = walk.apply(time, event)?;
            if progress == Progress::Paused {
                break;
            }
            applied += 1;
        }
        if progress == Progress::Done {
            progress = walk.finish(end)?;
        }
        let stats = walk.propagator().stats();
        // A walk that ends in the last block of a window before the last (the grid's last
        // points spilled) pauses too: the next window takes them.
        if progress == Progress::Paused || points.end < grid.len() {
            let (state, sink) = walk.pause();
            *checkpoint = Some(Checkpoint {
                walk: state,
                t: sink.t,
                at: sink.at,
                next: sink.next,
                stop: sink.stop,
                spill: sink.spill,
                mid_call: sink.mid_call,
                auc_start: sink.auc_start,
                applied,
            });
            return Ok(None);
        }
        let (x, sink) = (&walk.x, &walk.sink);
        Ok(Some(GridCourse {
            auc_ng_h_ml: (x[auc] - sink.auc_start) * NG_PER_ML_PER_MG_PER_L,
            stats,
        }))
    }
}

/// Where one subject's walk on the grid paused at the end of a window
/// ([`GridSampler::plasma_window`]): the walk's state, where the grid sink stood (with
/// the points it wrote past the window's end), and how many of the timeline's events were
/// applied. A few hundred bytes.
#[derive(Debug, Clone)]
pub struct Checkpoint {
    walk: WalkState,
    t: f64,
    at: Option<usize>,
    next: usize,
    /// The window's end: points `stop .. next` are in `spill`.
    stop: usize,
    spill: [f64; BLOCK],
    mid_call: bool,
    auc_start: f64,
    applied: usize,
}

/// Records one output at every grid point.
struct OnGrid<'a> {
    grid: &'a UniformGrid,
    /// The outputs of points `first ..`.
    out: &'a mut [f64],
    output: GridOutput,
    first: usize,
    /// The window's end: the walk pauses when the next point to write is past it.
    stop: usize,
    /// True once the walk paused.
    paused: bool,
    /// True when a `sample` call was split at a block boundary and goes on from `next`.
    mid_call: bool,
    /// The points `stop .. next` (fewer than [`BLOCK`]), written by the block that crossed
    /// `stop`.
    spill: [f64; BLOCK],
    /// Time of `x` (h).
    t: f64,
    /// The grid point `x` stands on, if any.
    at: Option<usize>,
    /// First grid point not yet written.
    next: usize,
    auc_state: usize,
    auc_start: f64,
}

impl Sink for OnGrid<'_> {
    fn carry(&mut self, p: &mut dyn Propagator, x: &mut [f64], from: f64, to: f64) -> Result<f64> {
        self.t = from;
        self.write_until(self.grid.first_from(to), p, x)?;
        if !self.paused {
            self.move_to(to, p, x)?;
        }
        Ok(self.t)
    }

    fn sample(&mut self, _t: f64, _x: &[f64]) {}

    fn finish(&mut self, p: &mut dyn Propagator, x: &mut [f64], from: f64) -> Result<()> {
        self.t = from;
        self.write_until(self.grid.len(), p, x)
    }

    fn paused(&self) -> bool {
        self.paused
    }
}

impl OnGrid<'_> {
    /// Write the output at the current point (which must be point `next`).
    fn record(&mut self, x: &[f64]) {
        if self.next == 0 {
            self.auc_start = x[self.auc_state];
        }
        self.out[self.next - self.first] = self.output.factor * x[self.output.state];
        self.next += 1;
    }

    /// Write every point before `k_end`, leaving `x` at the last one written, or pause
    /// once the window is written. The first point is reached on its own, the regular
    /// points after it in one [`Propagator::sample`] call (split at the window's end:
    /// [`OnGrid::sample_until`]), the grid's last point, off the regular steps, on its own.
    fn write_until(&mut self, k_end: usize, p: &mut dyn Propagator, x: &mut [f64]) -> Result<()> {
        while self.next < k_end {
            if self.next >= self.stop {
                self.paused = true;
                return Ok(());
            }
            if !std::mem::take(&mut self.mid_call) {
                self.move_to_point(self.next, p, x)?;
                self.record(x);
            }
            let regular_end = k_end.min(self.grid.steps + 1);
            if self.next < regular_end {
                self.sample_until(regular_end, p, x)?;
            }
        }
        Ok(())
    }

    /// Write points `next .. end` by one [`Propagator::sample`] call, or when they go
    /// past the window's end, by the part of it up to the first block boundary (counted
    /// from `next`) at or after the end, the points of that last block past the end going
    /// to `spill`: `x` is then where the whole call carries it, and the call goes on from
    /// there in the next window (`mid_call`).
    fn sample_until(&mut self, end: usize, p: &mut dyn Propagator, x: &mut [f64]) -> Result<()> {
        let (next, stop, first) = (self.next, self.stop, self.first);
        let reached = if end <= stop {
            p.sample(x, &mut self.out[next - first..end - first])?;
            end
        } else {
            let whole = next + (stop - next) / BLOCK * BLOCK;
            p.sample(x, &mut self.out[next - first..whole - first])?;
            let last = end.min(whole + BLOCK);
            if whole < stop {
                let mut block = [0.0; BLOCK];
                p.sample(x, &mut block[..last - whole])?;
                let (inside, past) = block[..last - whole].split_at(stop - whole);
                self.out[whole - first..].copy_from_slice(inside);
                self.spill[..past.len()].copy_from_slice(past);
                last
            } else {
                whole
            }
        };
        self.mid_call = reached < end;
        self.next = reached;
        self.at = Some(reached - 1);
        self.t = self.grid.time_h(reached - 1);
        Ok(())
    }

    /// Carry `x` to grid point `k`: one cached step from the point before, else a piece.
    fn move_to_point(&mut self, k: usize, p: &mut dyn Propagator, x: &mut [f64]) -> Result<()> {
        if self.at == Some(k) {
            return Ok(());
        }
        if k > 0 && k <= self.grid.steps && self.at == Some(k - 1) {
            p.sample(x, &mut [0.0])?;
        } else {
            let h = self.grid.time_h(k) - self.t;
            if h > 0.0 {
                p.advance(x, h)?;
            }
        }
        self.t = self.grid.time_h(k);
        self.at = Some(k);
        Ok(())
    }

    /// Carry `x` to `time`, snapping to a grid point within [`super::SAME_TIME`] of it.
    fn move_to(&mut self, time: f64, p: &mut dyn Propagator, x: &mut [f64]) -> Result<()> {
        if let Some(k) = self.grid.point_at(time) {
            return self.move_to_point(k, p, x);
        }
        let h = time - self.t;
        if h > 0.0 {
            p.advance(x, h)?;
            self.t = time;
            self.at = None;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dosing::{depots, Dose};
    use crate::model::library;
    use crate::route::Route;
    use crate::solver::SolverKind;

    /// A curve taken in windows, the walk paused and resumed on a rebuilt system,
    /// timeline and propagator each time, is the whole curve bit for bit with the exact
    /// engine, and so is its AUC; with the ODE engine (whose integration a window
    /// restarts) within its dense output's accuracy. On 3 days at 1 minute, with an
    /// infusion and a lagged dose across window ends, a dose at one and repeated doses;
    /// windows of one block, of a size that is not a multiple of one, and one short of all.
    #[test]
    fn windows_change_no_bit() {
        const DENSE_ACCURACY: f64 = 1e-8; // of the peak: the ODE engine's dense output
        let spec = library::get("kamp-2020").unwrap();
        let mut lagged = Dose::new(&spec, Route::Oral, 40.0, &[]).at(8.4);
        lagged.settings.lag_h = 0.3; // starts at 8.7 h, after the window end at 8.55 h
        let doses = vec![
            Dose::new(&spec, Route::Iv, 30.0, &[]).at(8.2).over(0.61),
            Dose::new(&spec, Route::Iv, 10.0, &[]).at(16.65),
            Dose::new(&spec, Route::Oral, 35.0, &[]).at(25.0),
            Dose::new(&spec, Route::Oral, 35.0, &[]).at(49.0),
            lagged,
        ];
        let system = LinearSystem::new(&spec.individual(70.0), &depots(&doses));
        for kind in [SolverKind::Exact, SolverKind::Ode] {
            let sampler = GridSampler {
                grid: UniformGrid::new(72.0, 1.0 / 60.0),
                config: SolverConfig::of(kind),
            };
            let points = sampler.grid.len();
            let timeline = || Timeline::of_doses(&doses, &system, &[]);
            let mut whole = vec![0.0; points];
            let course = sampler.plasma(&system, timeline(), &mut whole).unwrap();
            let peak = whole.iter().cloned().fold(0.0, f64::max);
            // 333 points: windows end at 5.55 h, 8.55 h (inside the infusion), 16.65 h (at
            // the bolus), …
            for window in [BLOCK, 333, 1000, points - 1] {
                let (mut windowed, mut checkpoint) = (vec![0.0; points], None);
                let mut last = None;
                for start in (0..points).step_by(window) {
                    let span = start..points.min(start + window);
                    let out = &mut windowed[span.clone()];
                    let mut scratch = GridScratch::default();
                    last = (sampler.plasma_window(
                        &system,
                        &timeline().sorted(),
                        span,
                        out,
                        &mut scratch,
                        &mut checkpoint,
                    ))
                    .unwrap();
                    assert_eq!(last.is_some(), start + window >= points);
                }
                let auc = last.unwrap().auc_ng_h_ml;
                if kind == SolverKind::Exact {
                    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                    assert_eq!(bits(&windowed), bits(&whole), "windows of {window}");
                    assert_eq!(auc.to_bits(), course.auc_ng_h_ml.to_bits());
                } else {
                    for (a, b) in windowed.iter().zip(&whole) {
                        assert!((a - b).abs() <= DENSE_ACCURACY * peak, "{a} vs {b}");
                    }
                    assert!((auc / course.auc_ng_h_ml - 1.0).abs() < DENSE_ACCURACY);
                }
            }
        }
    }

    /// A scratch carried from system to system, of one structure (oral doses) and of
    /// another (an IV infusion: no depot) and back, gives each system the numbers of a
    /// fresh start, bit for bit, with either engine.
    #[test]
    fn reusing_a_scratch_changes_no_bit() {
        let spec = library::get("kamp-2020").unwrap();
        let oral = |mg| vec![Dose::new(&spec, Route::Oral, mg, &[])];
        let iv = |mg| vec![Dose::new(&spec, Route::Iv, mg, &[]).over(0.5)];
        let cases = [
            (70.0, oral(35.0)),
            (52.0, oral(26.0)),
            (90.0, iv(20.0)),
            (61.0, oral(30.0)),
        ];
        for kind in [SolverKind::Exact, SolverKind::Ode] {
            let sampler = GridSampler {
                grid: UniformGrid::new(6.0, 1.0 / 60.0),
                config: SolverConfig::of(kind),
            };
            let mut scratch = GridScratch::default();
            for (weight_kg, doses) in &cases {
                let system = LinearSystem::new(&spec.individual(*weight_kg), &depots(doses));
                let timeline = || Timeline::of_doses(doses, &system, &[]);
                let mut fresh = vec![0.0; sampler.grid.len()];
                let mut reused = fresh.clone();
                let a = sampler.plasma(&system, timeline(), &mut fresh).unwrap();
                let b = (sampler.plasma_reusing(&system, timeline(), &mut reused, &mut scratch))
                    .unwrap();
                assert_eq!(a, b, "{kind:?} at {weight_kg} kg");
                assert!(fresh == reused, "{kind:?} at {weight_kg} kg");
            }
        }
    }
}
