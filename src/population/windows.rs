//! The windowed pass, for a population whose curves do not fit in memory but whose
//! subjects are few enough to keep each one's walk paused (a long grid): every subject
//! is simulated one time window after another, each window's curves kept as the kept
//! path keeps whole curves and their percentiles selected before the next window.
//!
//! Each subject's walk pauses at the window's end into a [`Checkpoint`] and goes on from
//! it in the next window, giving the bits the unpaused walk gives with the exact engine
//! (the only one this path takes); its summaries accumulate window by window
//! ([`Summarizer::feed`], the same bits however the curve is split). The percentiles at a
//! time are selected among the same keys, kept in tiles as the kept path keeps them
//! ([`tiles`]), so the curves and summaries are those of keeping every curve, bit for
//! bit, in the memory of one window's keys and one checkpoint per subject. Varvel scores
//! need a subject's whole curve at once, so a run with TCI targets does not take this
//! path.
//!
//! Each subject's system and sorted timeline ([`Prepared`]) are kept between windows
//! while they fit in a budget ([`PREPARED_BYTES`] in production). Past that, and for the
//! propagator always, they are built again from the subject's draw (deterministic, so
//! the same numbers), which costs as much as some hundreds of points: the windows are as
//! long as the budget allows.

use super::percentile::{curves_from, distinct_ranks, Reading};
use super::runner::{Prepared, SubjectRunner};
use super::subject::Subject;
use super::summary::{Summarizer, Tally};
use super::tiles::{self, keys_of_tiles};
use super::Run;
use crate::error::Result;
use crate::simulate::grid::Checkpoint;
use rayon::prelude::*;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Most bytes of subjects' systems and timelines kept between windows (128 MB, as much
/// as one window's curves): 10,000 subjects with 90 doses each take about 65 MB by
/// [`Prepared::bytes`] (the 30-day run's peak RSS went from 276 to 374 MB). Building them
/// again for each of 13 windows was a fifth of that run.
pub(super) const PREPARED_BYTES: usize = 1 << 27;

/// Fewest points a window may have: each window costs every subject a set-up (system,
/// timeline, propagator: some 9 µs against 5 ns a point on the 30-day grid), which
/// windows this short already take as long as the radix passes' simulations.
const MIN_WINDOW: usize = 256;

/// Points per window for `n` subjects when `budget` values may be kept: the most that
/// fit; `None` when fewer than [`MIN_WINDOW`] do (which also bounds the checkpoints
/// kept: at most `budget / MIN_WINDOW` subjects, 131,072 in production).
pub(super) fn window(n: usize, budget: usize) -> Option<usize> {
    let window = budget / n.max(1);
    (window >= MIN_WINDOW).then_some(window)
}

/// One subject between windows: where its walk paused and its summaries so far.
struct Paused {
    checkpoint: Option<Checkpoint>,
    tally: Tally,
    prepared: Option<Prepared>,
}

/// The percentile curves of subjects `0..n` (subject `i` drawn by `draw(i)`) over windows
/// of `window` points, keeping at most `keep` bytes of [`Prepared`] subjects between
/// windows, every subject's summaries written into its row of `metrics` (`width` numbers
/// each).
pub(super) fn windowed(
    n: usize,
    (window, keep): (usize, usize),
    run: &Run,
    summarizer: &Summarizer,
    draw: &(dyn Fn(usize) -> Subject + Sync),
    (metrics, width): (&mut [f64], usize),
) -> Result<[Vec<f64>; 3]> {
    let points = run.grid.len();
    let levels = Reading::levels(n);
    let ranks = distinct_ranks(&levels);
    let mut subjects: Vec<Paused> = (0..n)
        .map(|_| Paused {
            checkpoint: None,
            tally: summarizer.tally(),
            prepared: None,
        })
        .collect();
    let mut kept = vec![0u32; n * window.min(points)];
    let mut keys = Vec::with_capacity(points * ranks.len());
    let share = super::share(n);
    let kept_bytes = AtomicUsize::new(0);
    for start in (0..points).step_by(window.max(1)) {
        let span = start..points.min(start + window);
        let wide = span.len();
        let window_keys = &mut kept[..n * wide];
        (window_keys.par_chunks_mut(share * wide))
            .zip(subjects.par_chunks_mut(share))
            .zip(metrics[..n * width].par_chunks_mut(share * width))
            .enumerate()
            .try_for_each(|(c, ((keys, subjects), metrics))| {
                let mut runner = SubjectRunner::new(run);
                tiles::fill(keys, wide, |k, scratch| {
                    let subject = &mut subjects[k];
                    let (prepared, kept) = match subject.prepared.take() {
                        Some(p) => (p, true),
                        None => (runner.prepare(&draw(c * share + k)), false),
                    };
                    let checkpoint = &mut subject.checkpoint;
                    let course = runner.window(&prepared, span.clone(), scratch, checkpoint)?;
                    // Kept from the first window on, by the subjects that fit the budget.
                    let fits = || {
                        let bytes = prepared.bytes();
                        kept_bytes.fetch_add(bytes, Ordering::Relaxed) + bytes <= keep
                    };
                    if course.is_none() && (kept || (start == 0 && fits())) {
                        subject.prepared = Some(prepared);
                    }
                    summarizer.feed(&mut subject.tally, scratch);
                    if let Some(course) = course {
                        let m = &mut metrics[k * width..(k + 1) * width];
                        summarizer.finish(&subject.tally, course.auc_ng_h_ml, m);
                    }
                    Ok(())
                })
            })?;
        keys.extend(keys_of_tiles(window_keys, share, wide, &ranks));
    }
    Ok(curves_from(&levels, &ranks, &keys))
}
