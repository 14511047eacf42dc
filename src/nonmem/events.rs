//! From checked records to a [`Timeline`]: NONMEM compartment numbers, doses, additional
//! doses, steady states and resets. The semantics and the choices behind them are in the
//! [module docs](super).

use super::reader::invalid;
use super::{DoseItems, Evid, Record};
use crate::dosing::{Event, Input, Timeline};
use crate::error::Result;
use crate::model::system::{Analyte, Depot, LinearSystem};
use crate::model::Model;
use std::path::Path;

/// NONMEM's compartment numbers (ADVAN order) as states of the system.
#[derive(Debug, Clone, PartialEq)]
pub struct Compartments {
    /// State of the model's depot, CMT 1 when present.
    depot: Option<usize>,
    /// Parent compartments: central (state 0), then peripherals.
    parent: usize,
}

impl Compartments {
    /// How many compartments a dataset may name.
    pub fn count(&self) -> usize {
        usize::from(self.depot.is_some()) + self.parent
    }

    /// The state of compartment `cmt` (1-based), if the model has it.
    pub fn state(&self, cmt: i64) -> Option<usize> {
        let k = usize::try_from(cmt).ok()?.checked_sub(1)?;
        match self.depot {
            Some(depot) if k == 0 => Some(depot),
            Some(_) => (k - 1 < self.parent).then_some(k - 1),
            None => (k < self.parent).then_some(k),
        }
    }

    /// "1 (depot), 2 (central), 3 (peripheral)": what each number is.
    fn describe(&self) -> String {
        let mut names = Vec::new();
        if self.depot.is_some() {
            names.push("depot");
        }
        names.push("central");
        names.extend(std::iter::repeat_n("peripheral", self.parent - 1));
        let numbered: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{} ({n})", i + 1))
            .collect();
        numbered.join(", ")
    }
}

/// The system of `model` for a dataset: its own depot (if it has `ka`) is the first and
/// only depot, so that CMT 1 maps to it.
pub fn system(model: &Model) -> (LinearSystem, Compartments) {
    let depot = model.depot_ka_per_h.map(|ka_per_h| Depot {
        ka_per_h,
        into: Analyte::Parent,
    });
    let system = LinearSystem::new(model, depot.as_slice());
    let compartments = Compartments {
        depot: depot.and_then(|d| system.layout.depot_state(d)),
        parent: system.layout.n_parent,
    };
    (system, compartments)
}

/// The runs of records simulated on their own: one individual (consecutive records with
/// the same ID, as NONMEM reads them), split where time goes back at a reset.
pub fn segments(records: &[Record]) -> impl Iterator<Item = &[Record]> {
    // The reader has checked that time goes back only at a reset.
    records.chunk_by(|a, b| a.id == b.id && b.time_h >= a.time_h)
}

/// The state a record's CMT names, or an error saying which numbers the model has.
fn state_of(path: &Path, r: &Record, c: &Compartments) -> Result<Option<usize>> {
    let state = c.state(r.cmt);
    let beyond = usize::try_from(r.cmt).is_ok_and(|k| k > c.count());
    if beyond || (r.dose.is_some() && state.is_none()) {
        let what = if r.dose.is_some() {
            "the compartment receiving the dose"
        } else {
            "a compartment of the model"
        };
        return Err(invalid(
            path,
            (r.line, r.column("CMT")),
            format!("column CMT \"{}\"", r.cmt),
            format!("{what}: {}", c.describe()),
        ));
    }
    Ok(state)
}

/// The timeline of one segment: each record's events at its time, then its output sample.
pub fn timeline(path: &Path, records: &[Record], c: &Compartments) -> Result<Timeline> {
    let mut t = Timeline::new();
    for r in records {
        let state = state_of(path, r, c)?;
        if matches!(r.evid, Evid::Reset | Evid::ResetAndDose) {
            t.push(r.time_h, Event::Reset);
        }
        if let (Some(dose), Some(state)) = (&r.dose, state) {
            push_dose(&mut t, r.time_h, dose, state);
        }
        t.push(r.time_h, Event::Sample);
    }
    Ok(t)
}

/// One dose's input into `state`, starting `start_h` (lag included).
fn input(dose: &DoseItems, state: usize, start_h: f64) -> Input {
    Input::with_bioavailability(
        state,
        start_h,
        dose.amount_mg,
        dose.bioavailability,
        dose.delivery,
    )
}

/// A dose record at `time_h`: its steady state, the dose, its additional doses. Inputs
/// that start later (lag, ADDL) are pushed now and wait in the walk, so that a reset
/// cancels them.
///
/// A steady-state infusion (SS 1, II 0, RATE > 0, AMT 0) needs no case of its own: the
/// steady state of interval 0 is that of its rate held forever, and its own dose, AMT 0
/// at RATE, is an infusion of length 0 that ends at once (NONMEM, ID 29 of the
/// conformance suite: the concentration decays from the steady state after the record).
fn push_dose(t: &mut Timeline, time_h: f64, dose: &DoseItems, state: usize) {
    if let Some(mode) = dose.steady_state {
        t.push(
            time_h,
            Event::SteadyState {
                interval_h: dose.interval_h,
                inputs: vec![input(dose, state, dose.lag_h)],
                mode,
            },
        );
    }
    for k in 0..=dose.additional {
        let start = time_h + f64::from(k) * dose.interval_h + dose.lag_h;
        t.push(time_h, Event::Input(input(dose, state, start)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Disposition, Peripheral};

    fn model(ka: Option<f64>, peripherals: usize) -> Model {
        Model {
            disposition: Disposition {
                cl_l_h: 1.0,
                v1_l: 10.0,
                peripherals: vec![
                    Peripheral {
                        q_l_h: 1.0,
                        v_l: 5.0
                    };
                    peripherals
                ],
            },
            ke0_per_h: None,
            metabolite: None,
            depot_ka_per_h: ka,
            network: None,
        }
    }

    #[test]
    fn advan_numbering_with_a_depot() {
        let (s, c) = system(&model(Some(1.5), 1));
        let depot = s.layout.depots[0].1;
        assert_eq!(c.count(), 3);
        assert_eq!(
            (c.state(1), c.state(2), c.state(3), c.state(4), c.state(0)),
            (Some(depot), Some(0), Some(1), None, None)
        );
        assert_eq!(c.describe(), "1 (depot), 2 (central), 3 (peripheral)");
    }

    #[test]
    fn advan_numbering_without_a_depot() {
        let (_, c) = system(&model(None, 2));
        assert_eq!(c.count(), 3);
        assert_eq!(
            (c.state(1), c.state(3), c.state(-1)),
            (Some(0), Some(2), None)
        );
    }
}
