//! Walk a [`Timeline`]: apply each event at its time and let a solver carry the state
//! between events, never across one. Infusion stops are events too.
//!
//! [`simulate`] and [`run`] are the general walk: any sample times, every state recorded.
//! [`grid`] is the fast path for a uniform output grid when only the plasma curve and its
//! AUC are needed (populations, benches).
//!
//! ```
//! use ketasim::{dosing::{Dose, Timeline, grid}, model::{library, system::LinearSystem}};
//! use ketasim::route::Route;
//! use ketasim::simulate::simulate;
//! use ketasim::solver::SolverConfig;
//!
//! // 0.5 mg/kg over 40 min to a 70 kg adult on the default model.
//! let spec = library::get("kamp-2020").unwrap();
//! let dose = Dose::new(&spec, Route::Iv, 35.0, &[]).over(40.0 / 60.0);
//! let system = LinearSystem::new(&spec.individual(70.0), &[]);
//! let timeline = Timeline::of_doses(&[dose], &system, &grid(4.0, 1.0 / 60.0));
//! let course = simulate(&system, timeline, &SolverConfig::default()).unwrap();
//! let peak = course.plasma_ng_ml.iter().cloned().fold(0.0, f64::max);
//! assert!(peak > 150.0 && peak < 300.0);
//! ```

use steady_state::steady_state;
use crate::dosing::{Event, Input, InputKind, SteadyStateMode, Timeline};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::solver::{new_solver, Solver, SolverConfig, SolverStats};
use crate::units::NG_PER_ML_PER_MG_PER_L;
use ndarray::{Array1, Array2};

pub mod grid;
pub mod steady_state;

/// Two times closer than this (h, relative to the time) are the same moment: an infusion
/// ending at 2.0000000000000004 h ends at the 2 h sample, not a rounding error after it.
pub(crate) const SAME_TIME: f64 = 1e-12;

/// The states recorded at each sample, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Samples {
    /// Number of states per row.
    pub n: usize,
    /// Sample times (h).
    pub times_h: Vec<f64>,
    /// `times_h.len() × n` states.
    pub data: Vec<f64>,
}

impl Samples {
    /// The state at sample `i`.
    pub fn row(&self, i: usize) -> &[f64] {
        &self.data[i * self.n..(i + 1) * self.n]
    }
}

/// A simulated course: outputs on the sampled times.
#[derive(Debug, Clone, PartialEq)]
pub struct Trajectory {
    /// Sample times (h).
    pub time_h: Array1<f64>,
    /// Parent plasma concentration (ng/mL).
    pub plasma_ng_ml: Array1<f64>,
    /// Effect-site concentration (ng/mL), when the model has an effect site.
    pub effect_ng_ml: Option<Array1<f64>>,
    /// Metabolite plasma concentration (ng/mL, parent-mass equivalents), when modelled.
    pub metabolite_ng_ml: Option<Array1<f64>>,
    /// Cumulative parent AUC from the first event (ng·h/mL), exact.
    pub auc_ng_h_ml: Array1<f64>,
    /// Every state at every sample: amounts (mg), effect site (mg/L), accumulators (mg·h/L).
    pub states: Array2<f64>,
    /// Work the solver did.
    pub stats: SolverStats,
}

/// Simulate `timeline` on `system` with the configured solver.
pub fn simulate(
    system: &LinearSystem,
    timeline: Timeline,
    config: &SolverConfig,
) -> Result<Trajectory> {
    let mut solver = new_solver(system, config);
    let samples = run(system, timeline.sorted(), solver.as_mut())?;
    Ok(trajectory(system, samples, solver.stats()))
}

fn trajectory(system: &LinearSystem, s: Samples, stats: SolverStats) -> Trajectory {
    let rows = s.times_h.len();
    let column = |f: &dyn Fn(&[f64]) -> f64| {
        Array1::from_iter((0..rows).map(|i| f(s.row(i)) * NG_PER_ML_PER_MG_PER_L))
    };
    let auc = system.layout.auc_parent;
    Trajectory {
        plasma_ng_ml: column(&|x| system.plasma_mg_l(x)),
        effect_ng_ml: system
            .layout
            .effect
            .map(|_| column(&|x| system.effect_mg_l(x).unwrap_or(0.0))),
        metabolite_ng_ml: system
            .layout
            .metabolite_central
            .map(|_| column(&|x| system.metabolite_mg_l(x).unwrap_or(0.0))),
        auc_ng_h_ml: column(&|x| x[auc]),
        states: Array2::from_shape_vec((rows, s.n), s.data).expect("rows × n states"),
        time_h: Array1::from(s.times_h),
        stats,
    }
}

/// The walk itself: state, running infusions and delayed inputs.
struct Walk {
    t: f64,
    x: Vec<f64>,
    u: Vec<f64>,
    /// Running infusions: state, rate (mg/h), end (h).
    running: Vec<(usize, f64, f64)>,
    /// Inputs released later (steady-state tails), absolute times.
    pending: Vec<Input>,
}

/// Walk `events` (sorted by time) with `solver`, returning the state at every `Sample`.
pub fn run(
    system: &LinearSystem,
    events: Vec<(f64, Event)>,
    solver: &mut dyn Solver,
) -> Result<Samples> {
    let n = system.n();
    let t0 = events.first().map_or(0.0, |e| e.0);
    let mut w = Walk {
        t: t0,
        x: vec![0.0; n],
        u: vec![0.0; n],
        running: Vec::new(),
        pending: Vec::new(),
    };
    let samples = events
        .iter()
        .filter(|e| matches!(e.1, Event::Sample))
        .count();
    let mut out = Samples {
        n,
        times_h: Vec::with_capacity(samples),
        data: Vec::with_capacity(samples * n),
    };
    solver.set_input(&w.u);
    for (time, event) in events {
        w.advance_to(time, solver)?;
        match event {
            Event::Input(i) => w.start(i, solver),
            Event::Reset => w.reset(solver),
            Event::SteadyState {
                interval_h,
                inputs,
                mode,
            } => {
                let ss = steady_state(system, interval_h, &inputs)?;
                if mode == SteadyStateMode::Reset {
                    w.reset(solver);
                }
                for (x, s) in w.x.iter_mut().zip(&ss.x) {
                    *x += s;
                }
                for tail in ss.tails {
                    w.start(
                        Input {
                            start_h: time + tail.start_h,
                            ..tail
                        },
                        solver,
                    );
                }
            }
            Event::Sample => {
                out.times_h.push(time);
                out.data.extend_from_slice(&w.x);
            }
        }
    }
    Ok(out)
}

impl Walk {
    /// Start `input` now, or queue it if it starts later.
    fn start(&mut self, input: Input, solver: &mut dyn Solver) {
        if input.start_h > self.t + SAME_TIME * self.t.abs().max(1.0) {
            self.pending.push(input);
            return;
        }
        match input.kind {
            InputKind::Bolus { amount_mg } => self.x[input.state] += amount_mg,
            InputKind::Infusion {
                rate_mg_h,
                duration_h,
            } if duration_h > 0.0 => {
                self.running
                    .push((input.state, rate_mg_h, self.t + duration_h));
                self.set_rates(solver);
            }
            InputKind::Infusion { .. } => {}
        }
    }

    fn reset(&mut self, solver: &mut dyn Solver) {
        self.x.fill(0.0);
        self.running.clear();
        self.pending.clear();
        self.set_rates(solver);
    }

    fn set_rates(&mut self, solver: &mut dyn Solver) {
        self.u.fill(0.0);
        for &(state, rate, _) in &self.running {
            self.u[state] += rate;
        }
        solver.set_input(&self.u);
    }

    /// The next infusion stop or queued start before `target`, if any.
    fn next_change(&self, target: f64) -> Option<f64> {
        let stops = self.running.iter().map(|r| r.2);
        let starts = self.pending.iter().map(|p| p.start_h);
        let next = stops.chain(starts).fold(f64::INFINITY, f64::min);
        (next < target - SAME_TIME * target.abs().max(1.0)).then_some(next)
    }

    /// Carry the state to `target`, stopping at every infusion stop and queued start.
    fn advance_to(&mut self, target: f64, solver: &mut dyn Solver) -> Result<()> {
        while let Some(next) = self.next_change(target) {
            self.step(next, solver)?;
            self.apply_changes_due(solver);
        }
        self.step(target, solver)?;
        self.apply_changes_due(solver);
        Ok(())
    }

    fn step(&mut self, to: f64, solver: &mut dyn Solver) -> Result<()> {
        let h = to - self.t;
        if h > 0.0 {
            solver.advance(&mut self.x, h)?;
            self.t = to;
        }
        Ok(())
    }

    /// Stop infusions that end now and start queued inputs that are due.
    fn apply_changes_due(&mut self, solver: &mut dyn Solver) {
        let now = self.t + SAME_TIME * self.t.abs().max(1.0);
        let before = self.running.len();
        self.running.retain(|r| r.2 > now);
        if self.running.len() != before {
            self.set_rates(solver);
        }
        if self.pending.iter().any(|p| p.start_h <= now) {
            let (due, later): (Vec<Input>, Vec<Input>) =
                self.pending.iter().partition(|p| p.start_h <= now);
            self.pending = later;
            for input in due {
                self.start(
                    Input {
                        start_h: self.t,
                        ..input
                    },
                    solver,
                );
            }
        }
    }
}
