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
use crate::dosing::{schedule_depots, Timeline};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::simulate::grid::{Checkpoint, GridCourse, GridSampler, GridScratch};
use std::ops::Range;

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
        let course = self.window(s, points, out, &mut None)?;
        Ok(course.expect("the last window finishes the walk"))
    }

    /// The grid points `points` of subject `s`'s plasma curve (ng/mL) into `out`, its walk
    /// going on from `checkpoint`: the course once the last point is written, else the
    /// walk paused into `checkpoint` ([`GridSampler::plasma_window`]).
    pub fn window(
        &mut self,
        s: &Subject,
        points: Range<usize>,
        out: &mut [f64],
        checkpoint: &mut Option<Checkpoint>,
    ) -> Result<Option<GridCourse>> {
        let run = &self.run;
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
        sampler.plasma_window(
            &system,
            timeline,
            points,
            out,
            &mut self.scratch,
            checkpoint,
        )
    }
}
