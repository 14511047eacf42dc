//! Which of a schedule's doses form a repeated regimen.
//!
//! A validated schedule holds its doses expanded (`every` and `times` already turned into
//! one dose per time). Read back: doses that are the same except for their time, given at
//! one regular interval, are a repeated dose; repeated doses sharing an interval and
//! starting within one interval of each other (two nasal-spray devices 5 min apart, twice a
//! week) are one repeated *unit*. Doses at irregular times are not a regimen with a steady
//! state and are left out.

use crate::dosing::Dose;

/// Two intervals are the same when they differ by less than this fraction: repeats are
/// `start + k·every`, so only rounding separates them.
const SAME_INTERVAL: f64 = 1e-9;

/// Doses given together again and again at one interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Repeat {
    /// Interval between repeats τ (h).
    pub interval_h: f64,
    /// When the first repeat starts (h).
    pub start_h: f64,
    /// The doses of one repeat, times relative to `start_h`.
    pub unit: Vec<Dose>,
    /// How many times the unit is given (the largest count of its doses).
    pub times: usize,
}

/// The dose without its time, for grouping.
fn timeless(d: &Dose) -> Dose {
    Dose { time_h: 0.0, ..*d }
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= SAME_INTERVAL * a.abs().max(b.abs())
}

/// Identical doses with their times, in order of first appearance.
fn groups(doses: &[Dose]) -> Vec<(Dose, Vec<f64>)> {
    let mut out: Vec<(Dose, Vec<f64>)> = Vec::new();
    for d in doses {
        let key = timeless(d);
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, times)) => times.push(d.time_h),
            None => out.push((key, vec![d.time_h])),
        }
    }
    for (_, times) in &mut out {
        times.sort_by(f64::total_cmp);
    }
    out
}

/// Whether sorted `times` contain `t` (to within rounding of `tau`).
fn contains(times: &[f64], t: f64, tau: f64) -> bool {
    let tol = SAME_INTERVAL * tau.max(t.abs());
    let i = times.partition_point(|x| *x < t - tol);
    times.get(i).is_some_and(|x| (x - t).abs() <= tol)
}

/// The period of sorted `times`: the smallest τ such that the times are the first
/// period's times shifted by 0, τ, 2τ, … with at least two full periods (the last may be
/// cut short by the end of the schedule). Returns τ and the first period's times.
fn period(times: &[f64]) -> Option<(f64, Vec<f64>)> {
    let (first, last) = (*times.first()?, *times.last()?);
    let mut candidates: Vec<f64> = times
        .iter()
        .map(|t| t - first)
        .filter(|g| *g > 0.0)
        .collect();
    candidates.dedup_by(|a, b| same(*a, *b));
    candidates.into_iter().find_map(|tau| {
        let slack = SAME_INTERVAL * tau;
        let in_first = |t: f64| t < first + tau - slack;
        // The first period repeats in full at least once; later periods repeat earlier
        // ones; only the end of the schedule may cut a period short.
        let fits = times.iter().all(|&t| {
            let back = in_first(t) || contains(times, t - tau, tau);
            let cut = !in_first(t) && t + tau > last + slack;
            back && (cut || contains(times, t + tau, tau))
        });
        let unit: Vec<f64> = times.iter().copied().filter(|t| in_first(*t)).collect();
        (fits && unit.len() < times.len()).then_some((tau, unit))
    })
}

/// The repeated units among `doses`, in order of their first dose.
pub fn repeats(doses: &[Dose]) -> Vec<Repeat> {
    let mut periodic: Vec<(Dose, f64, Vec<f64>, usize)> = groups(doses)
        .into_iter()
        .filter_map(|(d, times)| {
            let (tau, unit) = period(&times)?;
            let span = times[times.len() - 1] - times[0];
            let count = (span / tau * (1.0 + SAME_INTERVAL)).floor() as usize + 1;
            Some((d, tau, unit, count))
        })
        .collect();
    periodic.sort_by(|a, b| a.2[0].total_cmp(&b.2[0]));
    let mut out: Vec<Repeat> = Vec::new();
    for (dose, tau, unit, count) in periodic {
        let first = unit[0];
        let joins = out
            .iter_mut()
            .find(|r| same(r.interval_h, tau) && first - r.start_h < tau);
        let r = match joins {
            Some(r) => r,
            None => {
                out.push(Repeat {
                    interval_h: tau,
                    start_h: first,
                    unit: Vec::new(),
                    times: 0,
                });
                out.last_mut().expect("just pushed")
            }
        };
        let start = r.start_h;
        r.unit.extend(unit.iter().map(|t| Dose {
            time_h: t - start,
            ..dose
        }));
        r.times = r.times.max(count);
    }
    for r in &mut out {
        r.unit.sort_by(|a, b| a.time_h.total_cmp(&b.time_h));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::library;
    use crate::route::Route;

    fn dose(route: Route, mg: f64, t: f64) -> Dose {
        let spec = library::get("fanta-2015").expect("built in");
        Dose::new(&spec, route, mg, &[]).at(t)
    }

    #[test]
    fn two_devices_twice_a_week_are_one_unit() {
        let mut doses = Vec::new();
        for k in 0..8 {
            let t = 84.0 * f64::from(k);
            doses.push(dose(Route::Intranasal, 28.0, t));
            doses.push(dose(Route::Intranasal, 28.0, t + 5.0 / 60.0));
        }
        let r = repeats(&doses);
        assert_eq!(r.len(), 1);
        assert!((r[0].interval_h - 84.0).abs() < 1e-12);
        assert_eq!((r[0].unit.len(), r[0].times), (2, 8));
        assert!((r[0].unit[1].time_h - 5.0 / 60.0).abs() < 1e-12);
    }

    #[test]
    fn different_doses_at_one_interval_join_one_unit() {
        let mut doses: Vec<Dose> = (0..4)
            .map(|k| dose(Route::Intranasal, 28.0, 24.0 * f64::from(k)))
            .collect();
        doses.extend((0..4).map(|k| dose(Route::Oral, 20.0, 24.0 * f64::from(k) + 12.0)));
        let r = repeats(&doses);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].unit.len(), 2);
        assert!((r[0].unit[1].time_h - 12.0).abs() < 1e-12);
    }

    #[test]
    fn irregular_times_are_not_a_regimen() {
        let doses: Vec<Dose> = [0.0, 2.0, 5.0]
            .iter()
            .map(|t| dose(Route::Iv, 35.0, *t))
            .collect();
        assert!(repeats(&doses).is_empty());
    }

    #[test]
    fn a_loading_dose_is_not_part_of_the_repeat() {
        let mut doses = vec![dose(Route::Iv, 35.0, 0.0)];
        doses.extend((0..3).map(|k| dose(Route::Oral, 10.0, 8.0 * f64::from(k))));
        let r = repeats(&doses);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].unit[0].route, Route::Oral);
        assert!((r[0].interval_h - 8.0).abs() < 1e-12);
    }
}
