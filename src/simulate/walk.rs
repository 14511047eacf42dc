//! The one event walk: apply each event at its time and let a propagator carry the state
//! between events, never across one. Infusion stops and delayed starts are events too.
//!
//! What is recorded is the [`Sink`]'s business: every state at each `Sample` event
//! ([`super::run`]), or one output at every point of a uniform grid ([`super::grid`]).
//! The walk itself does not know which.
//!
//! A sink may also pause the walk in the middle of a stretch (the grid sink at the end of
//! a time window). The walk then returns [`Progress::Paused`] without applying what was
//! due, its state can be taken out ([`Walk::pause`]) and put back into another walk
//! ([`Walk::resume`]), and the event it was applying is applied again: the stretch goes
//! on from where the sink stopped, as if it had never paused.
//!
//! Inputs that start later (lag times, ADDL doses, steady-state tails) wait in a binary
//! heap, so each costs O(log n) however many wait (issue 10: 100,000 ADDL doses were
//! quadratic). A running infusion may stand for `count` equal infusions ending one
//! every `every_h` (the earlier doses of a steady-state infusion longer than its
//! interval), so those take constant memory however many overlap.

use super::steady_state::steady_state;
use super::SAME_TIME;
use crate::dosing::{Event, Input, InputKind, SteadyStateMode};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::solver::Propagator;
use std::cmp::Ordering;
use std::collections::BinaryHeap;

/// Two times within this of each other are the same moment.
pub(crate) fn tolerance(t: f64) -> f64 {
    SAME_TIME * t.abs().max(1.0)
}

/// What a walk records.
pub(crate) trait Sink {
    /// Carry `x` from `from` to `to` with the input constant, recording whatever falls
    /// before `to`. Returns the time reached: `to`, or a point of the sink's own within
    /// [`SAME_TIME`] of it.
    fn carry(&mut self, p: &mut dyn Propagator, x: &mut [f64], from: f64, to: f64) -> Result<f64>;
    /// A `Sample` event at `t`.
    fn sample(&mut self, t: f64, x: &[f64]);
    /// Record what is left after the last change of input, from `from`.
    fn finish(&mut self, p: &mut dyn Propagator, x: &mut [f64], from: f64) -> Result<()>;
    /// True when the last `carry` or `finish` stopped before its end, the state standing
    /// at the time it returned.
    fn paused(&self) -> bool {
        false
    }
}

/// Whether a walk got as far as it was asked, or its sink paused it on the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Progress {
    /// Everything asked was done.
    Done,
    /// The sink paused the walk: nothing due at the pause was applied. Resume by asking
    /// the same again.
    Paused,
}

/// A paused walk's state, to resume it in another walk on the same system
/// ([`Walk::resume`]).
#[derive(Debug, Clone)]
pub(crate) struct WalkState {
    t: f64,
    x: Vec<f64>,
    u: Vec<f64>,
    running: Vec<Running>,
    pending: BinaryHeap<Pending>,
    queued: u64,
}

/// An infusion running now: `count` equal infusions of `rate_mg_h`, the first ending at
/// `end_h` and the others one every `every_h` after it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Running {
    /// Walk state receiving the drug.
    pub state: usize,
    /// Rate of each (mg/h).
    pub rate_mg_h: f64,
    /// When the next one ends (h).
    pub end_h: f64,
    /// How many run (a whole number; f64 because a steady state may overlap 1e20).
    pub count: f64,
    /// Between ends (h).
    pub every_h: f64,
}

/// An input waiting for its start, ordered earliest first, then first queued.
#[derive(Debug, Clone)]
struct Pending {
    input: Input,
    seq: u64,
}

impl PartialEq for Pending {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Pending {}
impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Pending {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest.
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .input
            .start_h
            .total_cmp(&self.input.start_h)
            .then(other.seq.cmp(&self.seq))
    }
}

/// The walk's state: time, amounts, inputs running and waiting.
pub(crate) struct Walk<'a, S: Sink> {
    system: &'a LinearSystem,
    /// Walk state of each system state; `None` for states the walk drops.
    index: &'a [Option<usize>],
    propagator: &'a mut dyn Propagator,
    /// What is recorded.
    pub sink: S,
    t: f64,
    /// The amounts, in walk states.
    pub x: Vec<f64>,
    u: Vec<f64>,
    running: Vec<Running>,
    pending: BinaryHeap<Pending>,
    queued: u64,
}

impl<'a, S: Sink> Walk<'a, S> {
    /// A walk of `system` from time `t0`, empty, in the states `index` keeps.
    pub(super) fn new(
        system: &'a LinearSystem,
        index: &'a [Option<usize>],
        propagator: &'a mut dyn Propagator,
        sink: S,
        t0: f64,
    ) -> Self {
        let n = index.iter().flatten().count();
        let empty = WalkState {
            t: t0,
            x: vec![0.0; n],
            u: vec![0.0; n],
            running: Vec::new(),
            pending: BinaryHeap::new(),
            queued: 0,
        };
        Walk::resume(system, index, propagator, sink, empty)
    }

    /// The walk paused in `state`, on the same system and states, with `propagator` built
    /// as the paused walk's was.
    pub(super) fn resume(
        system: &'a LinearSystem,
        index: &'a [Option<usize>],
        propagator: &'a mut dyn Propagator,
        sink: S,
        state: WalkState,
    ) -> Self {
        propagator.set_input(&state.u);
        let WalkState {
            t,
            x,
            u,
            running,
            pending,
            queued,
        } = state;
        Walk {
            system,
            index,
            propagator,
            sink,
            t,
            x,
            u,
            running,
            pending,
            queued,
        }
    }

    /// The state, to [`Walk::resume`] later, and the sink.
    pub(super) fn pause(self) -> (WalkState, S) {
        let state = WalkState {
            t: self.t,
            x: self.x,
            u: self.u,
            running: self.running,
            pending: self.pending,
            queued: self.queued,
        };
        (state, self.sink)
    }

    /// The propagator (for its work counts).
    pub(super) fn propagator(&self) -> &dyn Propagator {
        &*self.propagator
    }

    /// Carry the state to `time`, then apply `event` there (unless paused on the way).
    pub(super) fn apply(&mut self, time: f64, event: &Event) -> Result<Progress> {
        if self.advance_to(time)? == Progress::Paused {
            return Ok(Progress::Paused);
        }
        match *event {
            Event::Input(i) => self.start(i),
            Event::Reset => self.reset(),
            Event::SteadyState {
                interval_h,
                ref inputs,
                mode,
            } => {
                let ss = steady_state(self.system, interval_h, inputs)?;
                if mode == SteadyStateMode::Reset {
                    self.reset();
                }
                for (full, x) in ss.x.iter().enumerate() {
                    if let Some(i) = self.index[full] {
                        self.x[i] += x;
                    }
                }
                for tail in ss.tails {
                    self.start(Input {
                        start_h: time + tail.start_h,
                        ..tail
                    });
                }
                for r in ss.running {
                    if let Some(state) = self.index[r.state] {
                        self.running.push(Running {
                            state,
                            end_h: time + r.end_h,
                            ..r
                        });
                    }
                }
                self.set_rates();
            }
            Event::Sample => self.sink.sample(self.t, &self.x),
        }
        Ok(Progress::Done)
    }

    /// Carry the state to `target`, stopping at every infusion stop and queued start.
    pub(super) fn advance_to(&mut self, target: f64) -> Result<Progress> {
        while let Some(next) = self.next_change(target) {
            if self.carry(next)? == Progress::Paused {
                return Ok(Progress::Paused);
            }
            self.apply_changes_due();
        }
        if self.carry(target)? == Progress::Paused {
            return Ok(Progress::Paused);
        }
        self.apply_changes_due();
        Ok(Progress::Done)
    }

    /// Apply the changes of input before `end`, then let the sink record the rest.
    pub(super) fn finish(&mut self, end: f64) -> Result<Progress> {
        while let Some(next) = self.next_change(end) {
            if self.carry(next)? == Progress::Paused {
                return Ok(Progress::Paused);
            }
            self.apply_changes_due();
        }
        self.sink
            .finish(&mut *self.propagator, &mut self.x, self.t)?;
        Ok(self.progress())
    }

    /// Carry the state to `to`, or as far as the sink lets it (its time is then where the
    /// sink paused, so that carrying on starts from there).
    fn carry(&mut self, to: f64) -> Result<Progress> {
        if to > self.t {
            self.t = self
                .sink
                .carry(&mut *self.propagator, &mut self.x, self.t, to)?;
        }
        Ok(self.progress())
    }

    fn progress(&self) -> Progress {
        if self.sink.paused() {
            Progress::Paused
        } else {
            Progress::Done
        }
    }

    /// Start `input` now, or queue it if it starts later. Inputs into states the walk
    /// drops are dropped.
    fn start(&mut self, input: Input) {
        if input.start_h > self.t + tolerance(self.t) {
            self.queued += 1;
            self.pending.push(Pending {
                input,
                seq: self.queued,
            });
            return;
        }
        let Some(state) = self.index[input.state] else {
            return;
        };
        match input.kind {
            InputKind::Bolus { amount_mg } => self.x[state] += amount_mg,
            InputKind::Infusion {
                rate_mg_h,
                duration_h,
            } if duration_h > 0.0 => {
                self.running.push(Running {
                    state,
                    rate_mg_h,
                    end_h: self.t + duration_h,
                    count: 1.0,
                    every_h: 0.0,
                });
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
        for r in &self.running {
            self.u[r.state] += r.rate_mg_h * r.count;
        }
        self.propagator.set_input(&self.u);
    }

    /// The next infusion stop or queued start before `target`, if any.
    fn next_change(&self, target: f64) -> Option<f64> {
        let stop = self
            .running
            .iter()
            .map(|r| r.end_h)
            .fold(f64::INFINITY, f64::min);
        let start = self
            .pending
            .peek()
            .map_or(f64::INFINITY, |p| p.input.start_h);
        let next = stop.min(start);
        (next < target - tolerance(target)).then_some(next)
    }

    /// Stop infusions that end now and start queued inputs that are due.
    fn apply_changes_due(&mut self) {
        let now = self.t + tolerance(self.t);
        let mut changed = false;
        for r in &mut self.running {
            while r.count > 0.5 && r.end_h <= now {
                r.count -= 1.0;
                r.end_h += r.every_h;
                changed = true;
            }
        }
        if changed {
            self.running.retain(|r| r.count > 0.5);
            self.set_rates();
        }
        while self.pending.peek().is_some_and(|p| p.input.start_h <= now) {
            let due = self.pending.pop().expect("peeked").input;
            self.start(Input {
                start_h: self.t,
                ..due
            });
        }
    }
}
