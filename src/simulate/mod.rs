//! Walk a [`Timeline`]: one event walk with two sinks.
//!
//! [`simulate`] and [`run`] record every state at each `Sample` event (any times:
//! datasets, the typical patient). [`grid`] records one observed output on a uniform
//! grid, for populations and benches. Steady state ([`steady_state`]) is computed here,
//! from the same walk and propagator.
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

use crate::dosing::{Event, Timeline};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::solver::{new_propagator, Propagator, SolverConfig, SolverStats};
use crate::units::NG_PER_ML_PER_MG_PER_L;
use ndarray::{Array1, Array2};
use walk::{Sink, Walk};

pub mod grid;
pub mod steady_state;
mod walk;

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
    let propagator = new_propagator(&system.a, None, config)?;
    let (samples, stats) = run(system, timeline.sorted(), propagator)?;
    Ok(trajectory(system, samples, stats))
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

/// Every state at each `Sample` of `events` (sorted by time), by the exact propagator:
/// the building block of steady state and `explain`.
pub fn exact_states(system: &LinearSystem, events: Vec<(f64, Event)>) -> Result<Samples> {
    let exact = new_propagator(&system.a, None, &SolverConfig::default())?;
    Ok(run(system, events, exact)?.0)
}

/// Records every state at each `Sample` event.
struct EveryState {
    samples: Samples,
}

impl Sink for EveryState {
    fn carry(&mut self, p: &mut dyn Propagator, x: &mut [f64], from: f64, to: f64) -> Result<f64> {
        p.advance(x, to - from)?;
        Ok(to)
    }

    fn sample(&mut self, t: f64, x: &[f64]) {
        self.samples.times_h.push(t);
        self.samples.data.extend_from_slice(x);
    }

    fn finish(&mut self, _: &mut dyn Propagator, _: &mut [f64], _: f64) -> Result<()> {
        Ok(())
    }
}

/// Walk `events` (sorted by time) with `propagator`, returning the state at every
/// `Sample` and the propagator's work.
pub fn run(
    system: &LinearSystem,
    events: Vec<(f64, Event)>,
    mut propagator: Box<dyn Propagator>,
) -> Result<(Samples, SolverStats)> {
    let n = system.n();
    let t0 = events.first().map_or(0.0, |e| e.0);
    let samples = events
        .iter()
        .filter(|e| matches!(e.1, Event::Sample))
        .count();
    let sink = EveryState {
        samples: Samples {
            n,
            times_h: Vec::with_capacity(samples),
            data: Vec::with_capacity(samples * n),
        },
    };
    let every: Vec<Option<usize>> = (0..n).map(Some).collect();
    let mut walk = Walk::new(system, &every, propagator.as_mut(), sink, t0);
    for (time, event) in events {
        walk.apply(time, &event)?;
    }
    let stats = walk.propagator().stats();
    Ok((walk.sink.samples, stats))
}
