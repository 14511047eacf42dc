//! Plan the pump: the rate of every update interval, computed exactly with the engine's
//! propagator (either kind: the same code serves the exact and the ODE solver).
//!
//! Linearity does the work. The state at the end of an interval is what the hand-given
//! doses alone leave there, plus what the pump's earlier rates leave with the pump off,
//! plus the rate times the state one unit rate (1 mg/h) leaves over the interval. So:
//!
//! - **plasma** (Jacobs 1990; Shafer & Gregg 1992): the rate that lands the plasma
//!   concentration on the target at the end of the interval,
//!   `r = (target − C_off) / C_unit`.
//! - **effect site** (Shafer & Gregg 1992): the largest rate for which the effect site,
//!   with the pump off after the interval, never rises above the target: the smallest
//!   loading whose effect-site peak equals the target, and then the rate holding it,
//!   `r = min over future times t of (target − Ce_off(t)) / Ce_unit(t)`. A grid of
//!   future times brackets the minimum; a golden-section search on the exact curve then
//!   finds its time to [`PEAK_TIME_TOLERANCE_H`].
//!
//! Both are clamped to `[0, max_rate]`: a falling target stops the pump until the
//! concentration has fallen to it. The controller sees the hand-given doses given so far
//! (their effect up to the end of each interval); it does not foresee later ones.

use super::{Site, Tci};
use crate::dosing::{inputs, Dose, SteadyStart, Timeline};
use crate::error::{Error, InputError, Result, Span};
use crate::model::system::LinearSystem;
use crate::model::ModelSpec;
use crate::route::Route;
use crate::simulate::simulate;
use crate::solver::{new_propagator, Propagator, SolverConfig};

/// How far ahead the effect-site mode looks for the peak of a loading (h). The effect
/// site of every built-in model peaks within minutes of a short infusion (t_peak of
/// ketamine 1–3 min; Shafer & Gregg 1992 search until the peak); an hour covers slow ke0s.
const EFFECT_HORIZON_H: f64 = 1.0;

/// The effect-site peak is bracketed on steps of the update interval, but no finer than
/// this (h): a 1 s pump would otherwise look 3,600 steps ahead at every update. The
/// bracket is then refined (see [`PEAK_TIME_TOLERANCE_H`]), so this sets speed only.
const EFFECT_SEARCH_STEP_H: f64 = 5.0 / 3600.0;

/// The golden-section search stops when the peak time is known to this (h): 1 ms, far
/// below the 1 s shortest update interval. Near the peak the curve is flat, so the
/// rate's error is second order in it: the effect site then peaks at the target to
/// rounding (`tests/tci.rs`).
pub const PEAK_TIME_TOLERANCE_H: f64 = 1e-3 / 3600.0;

/// Unit-response values below this (mg/L per mg/h) are "no response": the peak search
/// skips them (a time before the drug reaches the effect site).
const NO_RESPONSE: f64 = 1e-300;

/// One rate change of the pump, as a pump log lists it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateChange {
    /// When (h).
    pub time_h: f64,
    /// The new rate (mg/h).
    pub mg_h: f64,
}

/// What the pump does: its rate changes, and the same as IV infusions for the engine.
#[derive(Debug, Clone, PartialEq)]
pub struct PumpPlan {
    /// Every update, time order (the rate holds until the next).
    pub changes: Vec<RateChange>,
    /// One IV infusion per interval with a positive rate.
    pub doses: Vec<Dose>,
    /// Syringe concentration (mg/mL), for mL/h.
    pub syringe_mg_ml: f64,
    /// Time between updates (h).
    pub update_every_h: f64,
}

impl PumpPlan {
    /// The rate in force at `t_h` (mg/h): the last change at or before it.
    pub fn rate_at(&self, t_h: f64) -> f64 {
        let i = self
            .changes
            .partition_point(|c| c.time_h <= t_h + 1e-12 * t_h.abs().max(1.0));
        if i == 0 {
            0.0
        } else {
            self.changes[i - 1].mg_h
        }
    }

    /// Total drug the pump gives (mg).
    pub fn total_mg(&self) -> f64 {
        self.doses.iter().map(|d| d.amount_mg).sum()
    }
}

/// One update interval: `[start_h, start_h + h_h)` chasing `target` of `site`.
struct Interval {
    start_h: f64,
    h_h: f64,
    site: Site,
    mg_l: f64,
}

/// The update intervals: each target restarts the pump's clock, the last runs to `end_h`.
fn intervals(tci: &Tci, end_h: f64) -> Vec<Interval> {
    let mut out = Vec::new();
    for (i, t) in tci.targets.iter().enumerate() {
        let until = tci.targets.get(i + 1).map_or(end_h, |n| n.at_h).min(end_h);
        let mut k = 0.0;
        loop {
            let start_h = t.at_h + k * tci.pump.update_every_h;
            let stop = (start_h + tci.pump.update_every_h).min(until);
            if stop - start_h <= 1e-12 * until.abs().max(1.0) {
                break;
            }
            out.push(Interval {
                start_h,
                h_h: stop - start_h,
                site: t.site,
                mg_l: t.mg_l,
            });
            k += 1.0;
        }
    }
    out
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// The state `h` hours after `x` with the input set on `p`.
fn after(p: &mut dyn Propagator, x: &[f64], h: f64) -> Result<Vec<f64>> {
    let mut y = x.to_vec();
    p.advance(&mut y, h)?;
    Ok(y)
}

/// Plan the pump for `tci` on `system` (built with the depots of `hand`), with the
/// hand-given `hand` doses and `steady` starts, until `end_h`.
pub fn plan(
    spec: &ModelSpec,
    system: &LinearSystem,
    hand: &[Dose],
    steady: &[SteadyStart],
    tci: &Tci,
    end_h: f64,
    config: &SolverConfig,
) -> Result<PumpPlan> {
    let n = system.layout.n;
    let steps = intervals(tci, end_h);
    let ends: Vec<f64> = steps.iter().map(|s| s.start_h + s.h_h).collect();
    // What the hand-given doses alone leave at each interval's end.
    let by_hand = simulate(
        system,
        Timeline::of_schedule(hand, steady, system, &ends),
        config,
    )?
    .states;
    // The pump's entry state: where an IV infusion goes on this model.
    let unit_dose = Dose::new(spec, Route::Iv, 1.0, &[]);
    let entry = inputs(&unit_dose, system)
        .first()
        .map(|i| i.state)
        .unwrap_or(system.layout.plasma);
    let mut unit = vec![0.0; n];
    unit[entry] = 1.0;
    let zero = vec![0.0; n];
    let mut off = new_propagator(&system.a, None, config)?;
    off.set_input(&zero);
    let mut on = new_propagator(&system.a, None, config)?;
    on.set_input(&unit);
    let plasma: Vec<f64> = {
        let mut row = vec![0.0; n];
        row[system.layout.plasma] = 1.0 / system.plasma_v_l;
        row
    };
    let wants_effect = steps.iter().any(|s| s.site == Site::Effect);
    let mut peak_search = match wants_effect {
        true => Some(PeakSearch::new(
            system,
            tci.pump.update_every_h.max(EFFECT_SEARCH_STEP_H),
            config,
        )?),
        false => None,
    };
    let mut pump_state = vec![0.0; n];
    let mut changes = Vec::with_capacity(steps.len());
    let mut doses = Vec::new();
    let mut unit_cache: Option<(f64, Vec<f64>)> = None;
    for (k, s) in steps.iter().enumerate() {
        let pump_off = after(off.as_mut(), &pump_state, s.h_h)?;
        let unit_response = match &unit_cache {
            // Bit-equal lengths: the cached response is exactly this one.
            Some((h, g)) if h.to_bits() == s.h_h.to_bits() => g.clone(),
            _ => {
                let g = after(on.as_mut(), &zero, s.h_h)?;
                unit_cache = Some((s.h_h, g.clone()));
                g
            }
        };
        let free: Vec<f64> = by_hand
            .row(k)
            .iter()
            .zip(&pump_off)
            .map(|(a, b)| a + b)
            .collect();
        let wanted = if s.mg_l <= 0.0 {
            0.0
        } else {
            match s.site {
                Site::Plasma => (s.mg_l - dot(&plasma, &free)) / dot(&plasma, &unit_response),
                Site::Effect => match peak_search.as_mut() {
                    Some(search) => search.rate(&free, &unit_response, s.mg_l)?,
                    None => f64::INFINITY,
                },
            }
        };
        let rate = if wanted.is_finite() {
            wanted.clamp(0.0, tci.pump.max_rate_mg_h)
        } else {
            0.0
        };
        pump_state = pump_off
            .iter()
            .zip(&unit_response)
            .map(|(a, g)| a + rate * g)
            .collect();
        changes.push(super::RateChange {
            time_h: s.start_h,
            mg_h: rate,
        });
        if rate > 0.0 {
            doses.push(
                Dose::new(spec, Route::Iv, rate * s.h_h, &[])
                    .at(s.start_h)
                    .at_rate(rate),
            );
        }
    }
    if let Some(last) = steps.last() {
        changes.push(RateChange {
            time_h: last.start_h + last.h_h,
            mg_h: 0.0,
        });
    }
    Ok(PumpPlan {
        changes,
        doses,
        syringe_mg_ml: tci.pump.syringe_mg_ml,
        update_every_h: tci.pump.update_every_h,
    })
}

/// The effect-site mode's search for `min over t ≥ 0 of (target − Ce_off(t)) / Ce_unit(t)`,
/// `t` from the end of the interval: rows of the effect site on a grid of future times
/// bracket it, then golden-section search on the exact curve (the propagator run from
/// the interval's end to `t`) finds it.
struct PeakSearch {
    /// `rows[m] · x`: the effect site (mg/L) `m` steps of `step_h` after state `x`, pump off.
    rows: Vec<Vec<f64>>,
    step_h: f64,
    /// Index of the effect-site state.
    effect: usize,
    /// Pump off, advancing to arbitrary times (its own, so as not to crowd the cache of
    /// the update interval's step).
    probe: Box<dyn Propagator>,
}

impl PeakSearch {
    fn new(system: &LinearSystem, step_h: f64, config: &SolverConfig) -> Result<PeakSearch> {
        let Some(effect) = system.layout.effect else {
            return Err(Error::Invalid(InputError::new(
                Span::default(),
                "an effect-site target on a model without an effect site",
                "a model with a ke0, or plasma targets",
            )));
        };
        let mut probe = new_propagator(&system.a, None, config)?;
        probe.set_input(&vec![0.0; system.layout.n]);
        let rows = effect_rows(system, effect, probe.as_mut(), step_h)?;
        Ok(PeakSearch {
            rows,
            step_h,
            effect,
            probe,
        })
    }

    /// `(target − Ce_off(t)) / Ce_unit(t)` at `t` hours after the interval's end, from
    /// the pump-off state `free` and the unit-rate state `unit` there; infinite where the
    /// unit rate has not yet reached the effect site.
    fn ratio(&mut self, free: &[f64], unit: &[f64], target: f64, t: f64) -> Result<f64> {
        let mut ce = |x: &[f64]| -> Result<f64> {
            let mut y = x.to_vec();
            if t > 0.0 {
                self.probe.advance(&mut y, t)?;
            }
            Ok(y[self.effect])
        };
        let (off, per_rate) = (ce(free)?, ce(unit)?);
        Ok(match per_rate > NO_RESPONSE {
            true => (target - off) / per_rate,
            false => f64::INFINITY,
        })
    }

    /// The largest rate whose effect-site curve, pump off after the interval, peaks at
    /// `target` (mg/L); infinite when no future time responds.
    fn rate(&mut self, free: &[f64], unit: &[f64], target: f64) -> Result<f64> {
        let on_grid = self.rows.iter().map(|row| {
            let per_rate = dot(row, unit);
            match per_rate > NO_RESPONSE {
                true => (target - dot(row, free)) / per_rate,
                false => f64::INFINITY,
            }
        });
        let (k, best) =
            on_grid.enumerate().fold(
                (0, f64::INFINITY),
                |b, (m, g)| if g < b.1 { (m, g) } else { b },
            );
        if !best.is_finite() {
            return Ok(best);
        }
        // The minimum lies between the grid points either side of the grid's lowest.
        let last = self.rows.len() - 1;
        let mut a = k.saturating_sub(1) as f64 * self.step_h;
        let mut b = (k + 1).min(last) as f64 * self.step_h;
        let shrink = (5f64.sqrt() - 1.0) / 2.0;
        let mut c = b - shrink * (b - a);
        let mut d = a + shrink * (b - a);
        let mut gc = self.ratio(free, unit, target, c)?;
        let mut gd = self.ratio(free, unit, target, d)?;
        while b - a > PEAK_TIME_TOLERANCE_H {
            if gc < gd {
                (b, d, gd) = (d, c, gc);
                c = b - shrink * (b - a);
                gc = self.ratio(free, unit, target, c)?;
            } else {
                (a, c, gc) = (c, d, gd);
                d = a + shrink * (b - a);
                gd = self.ratio(free, unit, target, d)?;
            }
        }
        Ok(best.min(gc).min(gd))
    }
}

/// Rows `R_m` with `R_m · x` the effect-site concentration (mg/L) `m` steps of `step_h`
/// after state `x`, the pump off, for `m` up to [`EFFECT_HORIZON_H`].
fn effect_rows(
    system: &LinearSystem,
    e: usize,
    off: &mut dyn Propagator,
    step_h: f64,
) -> Result<Vec<Vec<f64>>> {
    let n = system.layout.n;
    let m = (EFFECT_HORIZON_H / step_h).ceil().max(1.0) as usize;
    let mut rows = vec![vec![0.0; n]; m + 1];
    for j in 0..n {
        let mut x = vec![0.0; n];
        x[j] = 1.0;
        rows[0][j] = x[e];
        for row in rows.iter_mut().skip(1) {
            off.advance(&mut x, step_h)?;
            row[j] = x[e];
        }
    }
    Ok(rows)
}
