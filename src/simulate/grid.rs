//! The fast path for a uniform output grid, when only the plasma curve and its exact AUC
//! are needed (a population's subjects, benches).
//!
//! It walks the same [`Timeline`] events as [`super::run`], with the same rules (events
//! at a grid time come before that time's output; infusion stops and lagged inputs split
//! time), but differs in three ways that make it fast:
//!
//! - **No sample events.** Output times come from a [`UniformGrid`]: between two changes
//!   of input, all grid points in the stretch are produced by one
//!   [`GridEngine::sample`] call, which for `exact` is a cached block propagator
//!   ([`crate::solver::block`]).
//! - **Only the states the plasma curve needs** ([`Reduced`]): the effect site, the
//!   metabolite and its AUC never feed back into the parent, so they are dropped. For a
//!   3-compartment model with an oral depot that leaves 5 states (3 compartments, depot,
//!   AUC accumulator) instead of 6.
//! - **Fixed-size states**, compiled for 1 to [`crate::solver::MAX_GRID_STATES`] states; a larger
//!   system falls back to the general walk, so every model still works.

use super::{run, SAME_TIME};
use super::steady_state::steady_state;
use crate::dosing::{Event, Input, InputKind, SteadyStateMode, Timeline};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::solver::{
    new_grid_engine, new_solver, GridEngine, GridOutput, SolverConfig, SolverStats,
};
use crate::units::NG_PER_ML_PER_MG_PER_L;
use nalgebra::DMatrix;

fn tolerance(t: f64) -> f64 {
    SAME_TIME * t.abs().max(1.0)
}

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

    /// The first point at or after `t` (a point within [`SAME_TIME`] of `t` counts as at it).
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
        let (grid, config) = (&self.grid, &self.config);
        assert_eq!(out_ng_ml.len(), grid.len(), "one output per grid point");
        let reduced = Reduced::of(system);
        let output = GridOutput {
            state: reduced.index[0].expect("the central compartment feeds the AUC"),
            factor: NG_PER_ML_PER_MG_PER_L / system.model.disposition.v1_l,
        };
        let Some(engine) = new_grid_engine(&reduced.a, grid.step_h, output, config) else {
            return self.general(system, timeline, out_ng_ml);
        };
        let auc = reduced.index[system.layout.auc_parent].expect("the AUC is the closure's root");
        let mut walk = GridWalk {
            system,
            reduced: &reduced,
            grid,
            engine,
            output,
            t: 0.0,
            at: Some(0),
            next: 0,
            x: vec![0.0; reduced.states.len()],
            u: vec![0.0; reduced.states.len()],
            running: Vec::new(),
            pending: Vec::new(),
            auc_state: auc,
            auc_start: 0.0,
        };
        for (time, event) in timeline.sorted() {
            if time > grid.end_h + tolerance(grid.end_h) {
                break;
            }
            walk.advance_to(time, out_ng_ml)?;
            walk.apply(time, event)?;
        }
        walk.finish(out_ng_ml)?;
        Ok(GridCourse {
            auc_ng_h_ml: (walk.x[auc] - walk.auc_start) * NG_PER_ML_PER_MG_PER_L,
            stats: walk.engine.stats(),
        })
    }

    /// The general walk on the grid's times: for systems too large for a grid engine.
    fn general(
        &self,
        system: &LinearSystem,
        timeline: Timeline,
        out_ng_ml: &mut [f64],
    ) -> Result<GridCourse> {
        let mut events: Vec<(f64, Event)> = timeline
            .sorted()
            .into_iter()
            .filter(|e| !matches!(e.1, Event::Sample))
            .collect();
        events.extend(self.grid.times_h().into_iter().map(|t| (t, Event::Sample)));
        events.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut solver = new_solver(system, &self.config);
        let samples = run(system, events, solver.as_mut())?;
        for (i, o) in out_ng_ml.iter_mut().enumerate() {
            *o = system.plasma_mg_l(samples.row(i)) * NG_PER_ML_PER_MG_PER_L;
        }
        let auc = system.layout.auc_parent;
        let last = samples.times_h.len() - 1;
        Ok(GridCourse {
            auc_ng_h_ml: (samples.row(last)[auc] - samples.row(0)[auc]) * NG_PER_ML_PER_MG_PER_L,
            stats: solver.stats(),
        })
    }
}

/// The walk's state: time, the grid point it stands on, running inputs.
struct GridWalk<'a> {
    system: &'a LinearSystem,
    reduced: &'a Reduced,
    grid: &'a UniformGrid,
    engine: Box<dyn GridEngine>,
    output: GridOutput,
    /// Time of `x` (h).
    t: f64,
    /// The grid point `x` stands on, if any.
    at: Option<usize>,
    /// First grid point not yet written.
    next: usize,
    x: Vec<f64>,
    u: Vec<f64>,
    /// Running infusions: reduced state, rate (mg/h), end (h).
    running: Vec<(usize, f64, f64)>,
    /// Inputs released later (lag times, steady-state tails), absolute times.
    pending: Vec<Input>,
    auc_state: usize,
    auc_start: f64,
}

impl GridWalk<'_> {
    /// Write the output at the current point (which must be point `next`).
    fn record(&mut self, out: &mut [f64]) {
        if self.next == 0 {
            self.auc_start = self.x[self.auc_state];
        }
        out[self.next] = self.output.factor * self.x[self.output.state];
        self.next += 1;
    }

    /// Write every point before `k_end`, leaving `x` at the last one written.
    fn record_until(&mut self, k_end: usize, out: &mut [f64]) -> Result<()> {
        if self.next >= k_end {
            return Ok(());
        }
        self.move_to_point(self.next)?;
        self.record(out);
        let regular_end = k_end.min(self.grid.steps + 1);
        if self.next < regular_end {
            self.engine
                .sample(&mut self.x, &mut out[self.next..regular_end])?;
            self.next = regular_end;
            self.at = Some(regular_end - 1);
            self.t = self.grid.time_h(regular_end - 1);
        }
        if self.next < k_end {
            self.move_to_point(self.next)?;
            self.record(out);
        }
        Ok(())
    }

    /// Carry `x` to grid point `k`: one cached step from the point before, else a piece.
    fn move_to_point(&mut self, k: usize) -> Result<()> {
        if self.at == Some(k) {
            return Ok(());
        }
        if k > 0 && k <= self.grid.steps && self.at == Some(k - 1) {
            self.engine.sample(&mut self.x, &mut [0.0])?;
        } else {
            let h = self.grid.time_h(k) - self.t;
            if h > 0.0 {
                self.engine.advance(&mut self.x, h)?;
            }
        }
        self.t = self.grid.time_h(k);
        self.at = Some(k);
        Ok(())
    }

    /// Carry `x` to `time`, snapping to a grid point within [`SAME_TIME`] of it.
    fn move_to(&mut self, time: f64) -> Result<()> {
        if let Some(k) = self.grid.point_at(time) {
            return self.move_to_point(k);
        }
        let h = time - self.t;
        if h > 0.0 {
            self.engine.advance(&mut self.x, h)?;
            self.t = time;
            self.at = None;
        }
        Ok(())
    }

    /// Write the points before `target` and stand at `target`, stopping at every
    /// infusion stop and lagged start on the way.
    fn advance_to(&mut self, target: f64, out: &mut [f64]) -> Result<()> {
        while let Some(change) = self.next_change(target) {
            self.record_until(self.grid.first_from(change), out)?;
            self.move_to(change)?;
            self.apply_changes_due();
        }
        self.record_until(self.grid.first_from(target), out)?;
        self.move_to(target)?;
        self.apply_changes_due();
        Ok(())
    }

    /// Write the remaining points.
    fn finish(&mut self, out: &mut [f64]) -> Result<()> {
        let end = self.grid.end_h;
        while let Some(change) = self.next_change(end) {
            self.record_until(self.grid.first_from(change), out)?;
            self.move_to(change)?;
            self.apply_changes_due();
        }
        self.record_until(self.grid.len(), out)
    }

    /// The next infusion stop or lagged start before `target`, if any.
    fn next_change(&self, target: f64) -> Option<f64> {
        let stops = self.running.iter().map(|r| r.2);
        let starts = self.pending.iter().map(|p| p.start_h);
        let next = stops.chain(starts).fold(f64::INFINITY, f64::min);
        (next < target - tolerance(target)).then_some(next)
    }

    fn apply(&mut self, time: f64, event: Event) -> Result<()> {
        match event {
            Event::Input(i) => self.start(i),
            Event::Reset => self.reset(),
            Event::SteadyState {
                interval_h,
                inputs,
                mode,
            } => {
                let ss = steady_state(self.system, interval_h, &inputs)?;
                if mode == SteadyStateMode::Reset {
                    self.reset();
                }
                for (&full, x) in self.reduced.states.iter().zip(&mut self.x) {
                    *x += ss.x[full];
                }
                for tail in ss.tails {
                    self.start(Input {
                        start_h: time + tail.start_h,
                        ..tail
                    });
                }
            }
            Event::Sample => {}
        }
        Ok(())
    }

    /// Start `input` now, or queue it if it starts later. Inputs into states the plasma
    /// curve does not depend on (the metabolite's first pass) are dropped.
    fn start(&mut self, input: Input) {
        if input.start_h > self.t + tolerance(self.t) {
            self.pending.push(input);
            return;
        }
        let Some(state) = self.reduced.index[input.state] else {
            return;
        };
        match input.kind {
            InputKind::Bolus { amount_mg } => self.x[state] += amount_mg,
            InputKind::Infusion {
                rate_mg_h,
                duration_h,
            } if duration_h > 0.0 => {
                self.running.push((state, rate_mg_h, self.t + duration_h));
                self.set_rates();
            }
            InputKind::Infusion { .. } => {}
        }
    }

    fn reset(&mut self) {
        self.x.fill(0.0);
        self.running.clear();
        self.pending.clear();
        self.set_rates();
    }

    fn set_rates(&mut self) {
        self.u.fill(0.0);
        for &(state, rate, _) in &self.running {
            self.u[state] += rate;
        }
        self.engine.set_input(&self.u);
    }

    /// Stop infusions that end now and start queued inputs that are due.
    fn apply_changes_due(&mut self) {
        let now = self.t + tolerance(self.t);
        let before = self.running.len();
        self.running.retain(|r| r.2 > now);
        if self.running.len() != before {
            self.set_rates();
        }
        if self.pending.iter().any(|p| p.start_h <= now) {
            let (due, later): (Vec<Input>, Vec<Input>) =
                self.pending.iter().partition(|p| p.start_h <= now);
            self.pending = later;
            for input in due {
                self.start(Input {
                    start_h: self.t,
                    ..input
                });
            }
        }
    }
}
