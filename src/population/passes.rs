//! The passes over a population too large to keep every curve of: one pass over its
//! first subjects ([`sweep`]), each subject simulated by its worker's [`SubjectRunner`]
//! into a scratch curve and added to the worker's accumulator, and the two selections
//! built on it: brackets ([`super::bracket`]) and, when those cannot hold, the radix
//! select ([`super::radix`]).

use super::bracket::{self, Brackets};
use super::radix;
use super::runner::SubjectRunner;
use super::tiles;
use super::Run;
use crate::error::Result;
use rayon::prelude::*;
use std::sync::{Mutex, PoisonError};

/// Every subject's summary rows: `width` numbers and the 4 Varvel measures each.
pub(super) struct Rows<'a> {
    pub metrics: &'a mut [f64],
    pub width: usize,
    pub scores: &'a mut [f64],
}

/// Subject `i`'s plasma curve into a scratch curve.
pub(super) type CurveOf<'a> =
    dyn Fn(&mut SubjectRunner, usize, &mut [f64]) -> Result<()> + Sync + 'a;

/// Subject `i`'s curve into a scratch curve and its summaries into its rows.
pub(super) type Summarized<'a> =
    dyn Fn(&mut SubjectRunner, usize, &mut [f64], &mut [f64], &mut [f64]) -> Result<()> + Sync + 'a;

/// One pass over subjects `0..m`, in parallel chunks: each subject is simulated into a
/// scratch curve (with its summary rows when `rows` is given) and added by `add` to its
/// chunk's own accumulator (`start(subjects in the chunk)`), which `merge` then adds to
/// `total`. At most one accumulator per worker plus the total are in memory.
#[allow(clippy::too_many_arguments)]
fn sweep<A, T: Send>(
    m: usize,
    run: &Run,
    rows: Option<Rows>,
    (curve, one): (&CurveOf, &Summarized),
    start: impl Fn(usize) -> A + Sync,
    add: impl Fn(&mut A, &[f64]) + Sync,
    merge: impl Fn(&mut T, A) + Sync,
    total: T,
) -> Result<T> {
    let (chunk, points) = (super::share(m), run.grid.len());
    let total = Mutex::new(total);
    let width = rows.as_ref().map_or(0, |r| r.width);
    let run_chunk = |c: usize, mut rows: Option<(&mut [f64], &mut [f64])>| -> Result<()> {
        let (first, end) = (c * chunk, m.min((c + 1) * chunk));
        let (mut acc, mut scratch) = (start(end - first), vec![0.0; points]);
        let mut runner = SubjectRunner::new(run);
        for (k, i) in (first..end).enumerate() {
            match &mut rows {
                Some((metrics, scores)) => one(
                    &mut runner,
                    i,
                    &mut scratch,
                    &mut metrics[k * width..(k + 1) * width],
                    &mut scores[k * 4..(k + 1) * 4],
                )?,
                None => curve(&mut runner, i, &mut scratch)?,
            }
            add(&mut acc, &scratch);
        }
        merge(
            &mut total.lock().unwrap_or_else(PoisonError::into_inner),
            acc,
        );
        Ok(())
    };
    match rows {
        Some(r) => (r.metrics[..m * width].par_chunks_mut(chunk * width))
            .zip(r.scores[..m * 4].par_chunks_mut(chunk * 4))
            .enumerate()
            .try_for_each(|(c, (metrics, scores))| run_chunk(c, Some((metrics, scores))))?,
        None => (0..m.div_ceil(chunk))
            .into_par_iter()
            .try_for_each(|c| run_chunk(c, None))?,
    }
    Ok(total.into_inner().unwrap_or_else(PoisonError::into_inner))
}

/// The percentile curves by brackets ([`bracket`]) over passes of `sizes` subjects, the
/// last (all of them) also writing every subject's summaries; `None` when a pass kept
/// too much or an order statistic fell outside its bracket.
pub(super) fn bracketed(
    sizes: &[usize],
    run: &Run,
    most_keys: usize,
    rows: Rows,
    (curve, one): (&CurveOf, &Summarized),
) -> Result<Option<[Vec<f64>; 3]>> {
    let points = run.grid.len();
    let first = sizes.first().copied().unwrap_or(0);
    // The sample's keys, in tiles ([`tiles`]).
    let mut keys = vec![0u32; first * points];
    let share = super::share(first);
    (keys.par_chunks_mut((share * points).max(1)))
        .enumerate()
        .try_for_each(|(c, keys)| {
            let mut runner = SubjectRunner::new(run);
            tiles::fill(keys, points, |k, scratch| {
                curve(&mut runner, c * share + k, scratch)
            })
        })?;
    let mut brackets = Brackets::from_order_statistics(first, points, most_keys, |ranks| {
        tiles::keys_of_tiles(&keys, share, points, ranks)
    });
    drop(keys);
    let mut rows = Some(rows);
    for (k, &m) in sizes.iter().enumerate().skip(1) {
        let last = k + 1 == sizes.len();
        let filter = sweep(
            m,
            run,
            if last { rows.take() } else { None },
            (curve, one),
            |share| brackets.filter(share, m),
            |f, c| brackets.add(f, c),
            |total: &mut bracket::Filter, f| brackets.merge(total, f),
            // The total keeps no keys of its own: the shares' are merged by reference.
            brackets.filter(0, m),
        )?;
        if last {
            return Ok(brackets.percentiles(&filter, m));
        }
        match brackets.narrowed(&filter, m) {
            Some(b) => brackets = b,
            None => return Ok(None),
        }
    }
    Ok(None)
}

/// The percentile curves by radix select over [`radix::PASSES`] passes over all `n`
/// subjects, the first also writing every subject's summaries.
pub(super) fn counted(
    n: usize,
    run: &Run,
    rows: Rows,
    (curve, one): (&CurveOf, &Summarized),
) -> Result<[Vec<f64>; 3]> {
    let mut select = radix::Select::new(n, run.grid.len());
    let mut rows = Some(rows);
    while !select.done() {
        let counts = sweep(
            n,
            run,
            rows.take(),
            (curve, one),
            |_| select.tally(),
            |tally, c| select.add(tally, c),
            |total: &mut Vec<u32>, tally| {
                for (x, y) in total.iter_mut().zip(select.finish(tally)) {
                    *x += y;
                }
            },
            select.counts(),
        )?;
        select.advance(&counts);
    }
    Ok(select.percentiles())
}
