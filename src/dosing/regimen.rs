//! A schedule's regimen as prescribed: each dose line keeps its `every`, its number of
//! doses, what was written per kg and whether it starts at steady state. [`Regimen::doses`]
//! is the one place repeats become single doses, on the way to the engine; populations
//! ([`Regimen::at_weight`]) and the teaching facts read the regimen itself.

use super::{Delivery, Dose, SteadyStart};

/// Which parts of a dose were prescribed per kilogram of body weight ("0.5 mg/kg",
/// "0.15 mg/kg/h"): those follow a population subject's weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PerKg {
    /// The amount.
    pub amount: bool,
    /// The infusion rate.
    pub rate: bool,
}

impl PerKg {
    /// `d` for a patient `ratio` times as heavy as the one it was resolved for.
    pub fn scale(self, mut d: Dose, ratio: f64) -> Dose {
        if self.amount {
            d.amount_mg *= ratio;
        }
        if let (Delivery::Rate { mg_per_h }, true) = (&mut d.delivery, self.rate) {
            *mg_per_h *= ratio;
        }
        d
    }
}

/// One dose line as written: a dose, possibly repeated at a fixed interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Prescription {
    /// The first dose (mg and mg/h resolved at the schedule's weight).
    pub dose: Dose,
    /// Which of its parts were written per kg.
    pub per_kg: PerKg,
    /// The interval between repeats (h), when the line has `every`.
    pub every_h: Option<f64>,
    /// How many doses are given: `times` as written (unbounded without it), cut at the
    /// end of the simulated window, since later repeats change nothing. 1 without `every`.
    pub times: usize,
    /// Whether the regimen is already at steady state when it starts (needs `every`).
    pub steady_state: bool,
}

impl Prescription {
    /// The line's doses in time order.
    fn doses(&self) -> impl Iterator<Item = Dose> + '_ {
        let every = self.every_h.unwrap_or(0.0);
        (0..self.times).map(move |k| Dose {
            time_h: self.dose.time_h + k as f64 * every,
            ..self.dose
        })
    }

    /// The steady state it starts at, when it was prescribed at steady state.
    fn steady_start(&self) -> Option<SteadyStart> {
        match (self.steady_state, self.every_h) {
            (true, Some(interval_h)) => Some(SteadyStart {
                dose: self.dose,
                interval_h,
            }),
            _ => None,
        }
    }
}

/// A schedule's dose lines, in the order written.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Regimen {
    /// The dose lines.
    pub lines: Vec<Prescription>,
}

impl Regimen {
    /// Every dose, repeats expanded, in time order (lines written earlier first at a tie).
    pub fn doses(&self) -> Vec<Dose> {
        let mut out: Vec<Dose> = self.lines.iter().flat_map(Prescription::doses).collect();
        // Stable: doses at the same time keep the written order.
        out.sort_by(|a, b| a.time_h.total_cmp(&b.time_h));
        out
    }

    /// How many doses [`Regimen::doses`] gives, without expanding them.
    pub fn dose_count(&self) -> usize {
        self.lines.iter().map(|l| l.times).sum()
    }

    /// The regimens already at steady state when they start.
    pub fn steady(&self) -> Vec<SteadyStart> {
        self.lines
            .iter()
            .filter_map(Prescription::steady_start)
            .collect()
    }

    /// This regimen with `doses` added as single doses fixed in mg and mg/h (a TCI pump's
    /// infusions, the same for every patient).
    pub fn with_fixed(&self, doses: &[Dose]) -> Regimen {
        let fixed = doses.iter().map(|&dose| Prescription {
            dose,
            per_kg: PerKg::default(),
            every_h: None,
            times: 1,
            steady_state: false,
        });
        Regimen {
            lines: self.lines.iter().copied().chain(fixed).collect(),
        }
    }

    /// The same regimen for a patient `ratio` times as heavy: what was prescribed per kg
    /// follows the weight, fixed amounts and rates do not.
    pub fn at_weight(&self, ratio: f64) -> Regimen {
        Regimen {
            lines: self
                .lines
                .iter()
                .map(|l| Prescription {
                    dose: l.per_kg.scale(l.dose, ratio),
                    ..*l
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::library;
    use crate::route::Route;

    fn line(mg: f64, start_h: f64, every_h: Option<f64>, times: usize) -> Prescription {
        let spec = library::get("kamp-2020").expect("built in");
        Prescription {
            dose: Dose::new(&spec, Route::Iv, mg, &[]).at(start_h),
            per_kg: PerKg {
                amount: true,
                rate: false,
            },
            every_h,
            times,
            steady_state: false,
        }
    }

    #[test]
    fn repeats_expand_in_time_order_with_ties_in_written_order() {
        let r = Regimen {
            lines: vec![line(10.0, 1.0, Some(2.0), 3), line(20.0, 0.0, Some(3.0), 2)],
        };
        let got: Vec<(f64, f64)> = r.doses().iter().map(|d| (d.time_h, d.amount_mg)).collect();
        let want = [
            (0.0, 20.0),
            (1.0, 10.0),
            (3.0, 10.0),
            (3.0, 20.0),
            (5.0, 10.0),
        ];
        assert_eq!(got, want);
        assert_eq!(r.dose_count(), want.len());
    }

    #[test]
    fn only_what_was_prescribed_per_kg_follows_the_weight() {
        let mut fixed = line(5.0, 0.0, None, 1);
        fixed.per_kg = PerKg::default();
        let r = Regimen {
            lines: vec![line(10.0, 0.0, None, 1), fixed],
        }
        .at_weight(1.5);
        let mg: Vec<f64> = r.lines.iter().map(|l| l.dose.amount_mg).collect();
        assert_eq!(mg, [15.0, 5.0]);
    }
}
