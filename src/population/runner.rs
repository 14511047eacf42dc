//! One subject's plasma curve on the output grid, by a runner that each worker thread
//! keeps across its subjects.
//!
//! What depends on the subject is computed per subject: its model, its doses at its
//! weight with its bioavailability and lag, its system's rates, and the propagator's
//! matrix exponential and block rows. What does not (the reduction to the states the
//! plasma curve needs, the propagator's buffers) is kept in the runner's
//! [`GridScratch`] and refilled; the numbers are the same bits as a fresh start. So is
//! the `Tally` its subjects' summaries are counted in.

use super::subject::Subject;
use super::summary::Tally;
use super::Run;
use crate::dosing::{schedule_depots, Event, Timeline};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::simulate::grid::{Checkpoint, GridCourse, GridSampler, GridScratch};
use std::ops::Range;

/// What a subject's walk needs besides its state: its system and its timeline's events
/// in time order. A windowed pass keeps it between windows (`windows.rs`).
pub struct Prepared {
    system: LinearSystem,
    events: Vec<(f64, Event)>,
}

impl Prepared {
    /// About how many bytes it holds (its events and state matrix; the rest of the system
    /// is counted as a kilobyte).
    pub fn bytes(&self) -> usize {
        let n = self.system.n();
        self.events.capacity() * std::mem::size_of::<(f64, Event)>() + 16 * n * n + 1024
    }
}

/// Simulates subjects of one [`Run`], one at a time, reusing its scratch.
pub struct SubjectRunner<'a> {
    run: Run<'a>,
    scratch: GridScratch,
    /// The summaries' running counts, made by the first subject that needs them.
    pub(super) tally: Option<Tally>,
}

impl<'a> SubjectRunner<'a> {
    /// A runner for the subjects of `run` (make one per worker).
    pub fn new(run: &Run<'a>) -> SubjectRunner<'a> {
        SubjectRunner {
            run: *run,
            scratch: GridScratch::default(),
            tally: None,
        }
    }

    /// Subject `s`'s plasma curve (ng/mL) at every grid point, written into `out`
    /// (length `run.grid.len()`).
    pub fn course(&mut self, s: &Subject, out: &mut [f64]) -> Result<GridCourse> {
        let points = 0..self.run.grid.len();
        let course = self.window(&self.prepare(s), points, out, &mut None)?;
        Ok(course.expect("the last window finishes the walk"))
    }

    /// Subject `s`'s system and sorted timeline: its model, its doses at its weight with
    /// its bioavailability and lag.
    pub fn prepare(&self, s: &Subject) -> Prepared {
        let run = &self.run;
        let model = s.model(run.spec);
        let regimen = run.regimen.at_weight(s.weight_kg / run.weight_kg);
        let (mut doses, mut steady) = (regimen.doses(), regimen.steady());
        s.absorbed(&mut doses, &mut steady);
        let system = LinearSystem::new(&model, &schedule_depots(&doses, &steady));
        let events = Timeline::of_schedule(&doses, &steady, &system, &[]).sorted();
        Prepared { system, events }
    }

    /// The grid points `points` of a subject's plasma curve (ng/mL) into `out`, its walk
    /// going on from `checkpoint`: the course once the last point is written, else the
    /// walk paused into `checkpoint` ([`GridSampler::plasma_window`]).
    pub fn window(
        &mut self,
        subject: &Prepared,
        points: Range<usize>,
        out: &mut [f64],
        checkpoint: &mut Option<Checkpoint>,
    ) -> Result<Option<GridCourse>> {
        let sampler = GridSampler {
            grid: self.run.grid,
            config: self.run.config,
        };
        sampler.plasma_window(
            &subject.system,
            &subject.events,
            points,
            out,
            &mut self.scratch,
            checkpoint,
        )
    }
}
