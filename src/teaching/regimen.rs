//! Which of a schedule's dose lines form a repeated regimen.
//!
//! Read from the regimen as written: a line with `every` that gives at least two doses
//! within the simulated window is a repeated dose; repeated lines sharing an interval and
//! starting within one interval of each other (two nasal-spray devices 5 min apart, twice
//! a week) are one repeated *unit*. Single doses are not a regimen with a steady state and
//! are left out.

use crate::dosing::{Dose, Prescription, Regimen};

/// Two intervals are the same when they differ by less than this fraction: intervals
/// written in different units ("84 h", "3.5 d") differ only by rounding.
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
    /// How many times the unit is given (the largest count of its lines).
    pub times: usize,
    /// Whether one of its lines was prescribed at steady state.
    pub starts_at_steady_state: bool,
}

fn same(a: f64, b: f64) -> bool {
    (a - b).abs() <= SAME_INTERVAL * a.abs().max(b.abs())
}

/// The repeated units of `regimen`, in order of their first dose.
pub fn repeats(regimen: &Regimen) -> Vec<Repeat> {
    let mut repeated: Vec<(&Prescription, f64)> = regimen
        .lines
        .iter()
        .filter(|l| l.times >= 2)
        .filter_map(|l| Some((l, l.every_h?)))
        .collect();
    // Stable: lines starting together keep the written order.
    repeated.sort_by(|a, b| a.0.dose.time_h.total_cmp(&b.0.dose.time_h));
    let mut out: Vec<Repeat> = Vec::new();
    for (line, tau) in repeated {
        let first = line.dose.time_h;
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
                    starts_at_steady_state: false,
                });
                out.last_mut().expect("just pushed")
            }
        };
        r.unit.push(Dose {
            time_h: first - r.start_h,
            ..line.dose
        });
        r.times = r.times.max(line.times);
        r.starts_at_steady_state |= line.steady_state;
    }
    for r in &mut out {
        r.unit.sort_by(|a, b| a.time_h.total_cmp(&b.time_h));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dosing::PerKg;
    use crate::model::library;
    use crate::route::Route;

    fn line(route: Route, mg: f64, t: f64, every_h: Option<f64>, times: usize) -> Prescription {
        let spec = library::get("fanta-2015").expect("built in");
        Prescription {
            dose: Dose::new(&spec, route, mg, &[]).at(t),
            per_kg: PerKg::default(),
            every_h,
            times,
            steady_state: false,
        }
    }

    fn regimen(lines: Vec<Prescription>) -> Regimen {
        Regimen { lines }
    }

    #[test]
    fn two_devices_twice_a_week_are_one_unit() {
        let r = repeats(&regimen(vec![
            line(Route::Intranasal, 28.0, 0.0, Some(84.0), 8),
            line(Route::Intranasal, 28.0, 5.0 / 60.0, Some(84.0), 8),
        ]));
        assert_eq!(r.len(), 1);
        assert!((r[0].interval_h - 84.0).abs() < 1e-12);
        assert_eq!((r[0].unit.len(), r[0].times), (2, 8));
        assert!((r[0].unit[1].time_h - 5.0 / 60.0).abs() < 1e-12);
    }

    #[test]
    fn different_doses_at_one_interval_join_one_unit() {
        let r = repeats(&regimen(vec![
            line(Route::Intranasal, 28.0, 0.0, Some(24.0), 4),
            line(Route::Oral, 20.0, 12.0, Some(24.0), 4),
        ]));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].unit.len(), 2);
        assert!((r[0].unit[1].time_h - 12.0).abs() < 1e-12);
    }

    #[test]
    fn single_doses_are_not_a_regimen() {
        let r = repeats(&regimen(vec![
            line(Route::Iv, 35.0, 0.0, None, 1),
            line(Route::Iv, 35.0, 2.0, None, 1),
            line(Route::Iv, 35.0, 4.0, Some(8.0), 1),
        ]));
        assert!(r.is_empty());
    }

    #[test]
    fn a_loading_dose_is_not_part_of_the_repeat() {
        let mut oral = line(Route::Oral, 10.0, 0.0, Some(8.0), 3);
        oral.steady_state = true;
        let r = repeats(&regimen(vec![line(Route::Iv, 35.0, 0.0, None, 1), oral]));
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].unit[0].route, Route::Oral);
        assert!((r[0].interval_h - 8.0).abs() < 1e-12);
        assert!(r[0].starts_at_steady_state);
    }
}
