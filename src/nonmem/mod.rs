//! NONMEM-style event datasets: read one, simulate every individual in it, write the
//! concentration at every record (README, "NONMEM-style datasets").
//!
//! [`Dataset::parse`] reads and checks the CSV ([`reader`]; [`reader::Reader`] one record
//! at a time); [`Individuals`] groups the records of each individual; [`predict_individual`]
//! turns them into a [`crate::dosing::Timeline`] ([`events`]) on the model their
//! covariates make ([`covariates`]) and simulates it; [`output::Output`] writes every input
//! column and the concentrations. What does not belong here: unit strings (the dataset is
//! in mg, h and L by convention), the command line (`cli/events.rs`).
//!
//! # Data items
//!
//! Columns are matched case-insensitively: `ID`, `TIME` (required), `EVID`, `AMT`, `CMT`,
//! `RATE`, `II`, `ADDL`, `SS`, and per dose `F` (bioavailability), `LAG` (h) and `DUR`
//! (h), and the covariate `WT` (kg). A missing column or a blank or `.` cell is 0 (F: 1;
//! WT, when its column is there, must be on every record); other columns are carried
//! through to the output as written.
//! Without an EVID column a record with AMT > 0 is a dose, as NM-TRAN supplies it. Lines
//! starting with `#` are comments (NM-TRAN's default `IGNORE=#`).
//!
//! # Semantics
//!
//! NONMEM Users Guide VI (PREDPP), chapter V, and the NONMEM help entries for EVID,
//! ADDL and "SS dose event record":
//!
//! - EVID 0 observation, 1 dose, 2 other (an output row and nothing else), 3 reset (every
//!   compartment emptied, infusions stopped), 4 reset then dose.
//! - Compartments follow ADVAN order: with a depot (`ka` in the model) CMT 1 is the depot
//!   and 2 the central compartment, then peripherals; without one, 1 is central. CP is
//!   always the central plasma concentration, whatever CMT an observation names.
//! - A dose is AMT × F. RATE > 0 is an infusion at RATE (F changes its duration), RATE −2
//!   an infusion over DUR (F changes its rate); see [`crate::dosing`].
//! - LAG delays the dose and each of its ADDL additional doses, given every II after it.
//! - SS 1 puts the system at the steady state of the dose repeated every II (replacing
//!   what was there), SS 2 adds that steady state to it; the record's own dose follows,
//!   then its ADDL doses. SS 1 with II 0, RATE > 0 and AMT 0 puts the system at the
//!   steady state of an infusion at RATE that has run forever. Steady state is computed
//!   from the linear system ([`crate::simulate::steady_state`]).
//! - Every record gives one output row, after everything earlier in the file has
//!   happened: an observation written after a dose at the same time sees the dose, and a
//!   steady-state dose record reports the steady-state value at its time (as NONMEM does).
//!
//! # Choices where NONMEM's documents leave room
//!
//! - **A reset cancels what earlier records still had to deliver**: lagged doses not yet
//!   released, additional doses not yet given, infusions still running. A steady-state
//!   dose with SS 1 does the same (it replaces the state). Why: NONMEM's reset
//!   "re-initializes the kinetic system" and lets TIME start again from an earlier value,
//!   which would make doses promised by the earlier occasion meaningless. No scenario of
//!   the conformance suite has a dose pending at a reset (the ADDL doses of IDs 20, 26 and
//!   27 all end before theirs), so check.py cannot decide this; it passes either way.
//! - **Time may go back only at a reset** (EVID 3 or 4). Such a record starts a new,
//!   independent simulation of the same individual.
//! - **Additional and lagged doses due at a record's time are given before that record**:
//!   an observation at the moment a lagged dose is released sees it. Decided by IDs 15
//!   and 16 (bolus doses into the central compartment with lag 4 and 5 h, observed at the
//!   hour they are released).
//! - **A steady-state infusion (SS 1, II 0) stops at its record.** Its own dose is AMT 0
//!   at RATE, an infusion of length 0; the steady state it sets is that of RATE held
//!   forever, and after the record the system evolves without it. Decided by ID 29:
//!   NONMEM's CP is 90909 ng/mL (= RATE / CL) at the record and decays after it. F does
//!   not change that steady state (for an infusion given by rate F changes only the
//!   duration).
//! - A dose record's CMT must name a compartment (≥ 1): NONMEM's default dose compartment
//!   is not assumed. Items a record does not use (RATE on an observation) must be numbers
//!   and are otherwise ignored; AMT must be ≥ 0 on every record.

pub mod covariates;
pub mod events;
pub mod output;
pub mod reader;

use crate::dosing::{Delivery, SteadyStateMode};
use crate::error::{Locator, Result};
use crate::model::custom::ModelTable;
use crate::model::{Model, ModelSpec, REFERENCE_WEIGHT_KG};
use crate::simulate::simulate;
use crate::solver::SolverConfig;
use covariates::Covariates;
use csv::StringRecord;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// What a record is (the EVID data item).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evid {
    /// 0: an observation.
    Observation,
    /// 1: a dose.
    Dose,
    /// 2: another event; only an output row here.
    Other,
    /// 3: reset the system.
    Reset,
    /// 4: reset the system, then dose.
    ResetAndDose,
}

/// The dose items of a dose record (EVID 1 or 4), checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DoseItems {
    /// AMT (mg), ≥ 0.
    pub amount_mg: f64,
    /// Bolus (RATE 0), rate (RATE > 0) or duration (RATE −2, from DUR).
    pub delivery: Delivery,
    /// F, ≥ 0.
    pub bioavailability: f64,
    /// LAG (h), ≥ 0.
    pub lag_h: f64,
    /// II (h): > 0 with ADDL or SS, except for a steady-state infusion, where it is 0.
    pub interval_h: f64,
    /// ADDL: doses like this one given every II after it.
    pub additional: u32,
    /// SS: `None` for an ordinary dose.
    pub steady_state: Option<SteadyStateMode>,
}

/// One record of the dataset, checked on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// 1-based line in the file (the header is line 1).
    pub line: usize,
    /// ID as written (echoed in the output).
    pub id: String,
    /// TIME as written (echoed in the output).
    pub time_text: String,
    /// TIME (h).
    pub time_h: f64,
    /// What the record is.
    pub evid: Evid,
    /// CMT as written, 0 when missing; checked against the model by [`predict`].
    pub cmt: i64,
    /// 1-based column of each data item's cell ([`reader::ITEMS`] order), 0 when the
    /// record has none: for errors found after reading.
    pub columns: [usize; reader::ITEMS.len()],
    /// The dose, for EVID 1 and 4.
    pub dose: Option<DoseItems>,
    /// The covariates (the same on every record of an individual).
    pub covariates: Covariates,
    /// Every cell as written, echoed in the output.
    pub cells: StringRecord,
}

impl Record {
    /// The 1-based column of data item `name` (as spelled in [`reader::ITEMS`]), 0 if absent.
    pub fn column(&self, name: &str) -> usize {
        reader::ITEMS
            .iter()
            .position(|n| *n == name)
            .map_or(0, |k| self.columns[k])
    }
}

/// A checked dataset.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// The file, as named to the user (for errors).
    pub path: PathBuf,
    /// The header's column names, as written.
    pub columns: StringRecord,
    /// The records, in file order.
    pub records: Vec<Record>,
}

impl Dataset {
    /// Read and check the CSV `text` of the file `path`. Errors name the line and column.
    ///
    /// ```
    /// use ketasim::nonmem::{Dataset, Evid};
    /// let text = "ID,TIME,EVID,AMT,CMT,DV\n1,0,1,100,1,.\n1,2,0,.,2,3.1\n";
    /// let d = Dataset::parse("d.csv".as_ref(), text).unwrap();
    /// assert_eq!(d.records[1].evid, Evid::Observation);
    /// let bad = Dataset::parse("d.csv".as_ref(), "ID,TIME,AMT\n1,0,-5\n").unwrap_err();
    /// assert!(bad.to_string().starts_with("d.csv:2:5: column AMT \"-5\"; expected"));
    /// ```
    pub fn parse(path: &Path, text: &str) -> Result<Dataset> {
        reader::parse(path, text)
    }
}

/// A model file: a `[model]` table and nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModelFile {
    model: Spanned<ModelTable>,
}

/// The model of a model file (TOML with a `[model]` table, see [`crate::model::custom`]).
/// Per-kg parameters are read at the 70 kg reference weight ([`REFERENCE_WEIGHT_KG`]);
/// absolute ones, as NONMEM's are, do not depend on it.
pub fn read_model(path: &Path, text: &str) -> Result<Model> {
    Ok(read_model_spec(path, text)?.individual(REFERENCE_WEIGHT_KG))
}

/// The model of a model file before a weight is chosen: a dataset's `WT` picks it per
/// individual ([`Covariates::model`]).
pub fn read_model_spec(path: &Path, text: &str) -> Result<ModelSpec> {
    let at = Locator { path, text };
    let file: ModelFile = toml::from_str(text).map_err(|e| at.toml_error(&e))?;
    file.model.get_ref().spec(&at, file.model.span().start)
}

/// Concentrations at one record (ng/mL).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Predicted {
    /// Parent plasma concentration.
    pub plasma_ng_ml: f64,
    /// Effect-site concentration, when the model has an effect site.
    pub effect_ng_ml: Option<f64>,
    /// Metabolite concentration (parent-mass equivalents), when the model has one.
    pub metabolite_ng_ml: Option<f64>,
}

/// The concentrations at every record of one individual, in record order, on `model`.
/// Every record is checked against the model before anything is simulated.
pub fn predict_individual(
    path: &Path,
    records: &[Record],
    model: &Model,
    config: &SolverConfig,
) -> Result<Vec<Predicted>> {
    no_steady_state_without_elimination(path, records, model)?;
    let (system, compartments) = events::system(model);
    let timelines = events::segments(records)
        .map(|segment| events::timeline(path, segment, &compartments))
        .collect::<Result<Vec<_>>>()?;
    let mut out = Vec::with_capacity(records.len());
    for timeline in timelines {
        let t = simulate(&system, timeline, config)?;
        for (i, &plasma_ng_ml) in t.plasma_ng_ml.iter().enumerate() {
            out.push(Predicted {
                plasma_ng_ml,
                effect_ng_ml: t.effect_ng_ml.as_ref().map(|e| e[i]),
                metabolite_ng_ml: t.metabolite_ng_ml.as_ref().map(|m| m[i]),
            });
        }
    }
    Ok(out)
}

/// The plasma concentration (ng/mL) at every record of `dataset`, in record order, on
/// `model` (covariates in the dataset are not applied: the model is already individual).
pub fn predict(dataset: &Dataset, model: &Model, config: &SolverConfig) -> Result<Vec<f64>> {
    let mut cp = Vec::with_capacity(dataset.records.len());
    let records = dataset.records.iter().cloned().map(Ok);
    for individual in Individuals::new(&dataset.path, records) {
        let predicted = predict_individual(&dataset.path, &individual?, model, config)?;
        cp.extend(predicted.iter().map(|p| p.plasma_ng_ml));
    }
    Ok(cp)
}

/// Consecutive records with the same ID, one group at a time, their covariates checked to
/// be the same on every record.
pub struct Individuals<'a, I: Iterator<Item = Result<Record>>> {
    path: &'a Path,
    records: std::iter::Peekable<I>,
}

impl<'a, I: Iterator<Item = Result<Record>>> Individuals<'a, I> {
    /// Group `records` of the file `path`.
    pub fn new(path: &'a Path, records: I) -> Self {
        Individuals {
            path,
            records: records.peekable(),
        }
    }
}

impl<I: Iterator<Item = Result<Record>>> Iterator for Individuals<'_, I> {
    type Item = Result<Vec<Record>>;

    fn next(&mut self) -> Option<Result<Vec<Record>>> {
        let first = match self.records.next()? {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        let mut group = vec![first];
        while let Some(Ok(r)) = self.records.peek() {
            if r.id != group[0].id {
                break;
            }
            if !r.covariates.same_as(&group[0].covariates) {
                return Some(Err(reader::invalid(
                    self.path,
                    (r.line, r.column(covariates::WEIGHT_COLUMN)),
                    format!(
                        "column WT: {} kg, not the weight of ID {} on its first record (line {})",
                        r.covariates.weight_kg.unwrap_or_default(),
                        r.id,
                        group[0].line
                    ),
                    format!(
                        "{} kg: covariates may not change within an individual",
                        group[0].covariates.weight_kg.unwrap_or_default()
                    ),
                )));
            }
            if let Some(Ok(r)) = self.records.next() {
                group.push(r);
            }
        }
        Some(Ok(group))
    }
}

/// A steady-state dose (SS 1 or 2) needs a model that eliminates the drug: refused here,
/// with the record's place, rather than when the steady state is solved.
fn no_steady_state_without_elimination(
    path: &Path,
    records: &[Record],
    model: &Model,
) -> Result<()> {
    if model.disposition.cl_l_h > 0.0 {
        return Ok(());
    }
    let steady = records
        .iter()
        .find(|r| r.dose.is_some_and(|d| d.steady_state.is_some()));
    match steady {
        None => Ok(()),
        Some(r) => Err(reader::invalid(
            path,
            (r.line, r.column("SS")),
            "a steady-state dose (column SS) with a model whose clearance is 0",
            "a model that eliminates the drug (clearance > 0): without elimination no steady state exists",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// Closed forms below are evaluated in f64; 1e-9 relative is far above rounding.
    const CLOSED_FORM: f64 = 1e-9;

    fn one_cpt_model(ka: Option<&str>) -> Model {
        let ka = ka.map_or(String::new(), |k| format!("ka = \"{k}\"\n"));
        let text = format!(
            "[model]\ncompartments = 1\nclearance = \"1.1 L/h\"\ncentral_volume = \"20 L\"\n{ka}"
        );
        read_model(Path::new("m.toml"), &text).unwrap()
    }

    fn run(text: &str, model: &Model) -> Vec<f64> {
        let d = Dataset::parse(Path::new("d.csv"), text).unwrap();
        predict(&d, model, &SolverConfig::default()).unwrap()
    }

    #[test]
    fn bolus_into_central_without_a_depot() {
        let cp = run(
            "id,time,evid,amt,cmt\n1,0,1,100,1\n1,0,0,0,1\n1,10,0,0,1\n",
            &one_cpt_model(None),
        );
        // C = D/V e^(−CL/V t): 5000 ng/mL at 0 (the dose record sees its own bolus).
        assert_relative_eq!(cp[0], 5000.0, max_relative = CLOSED_FORM);
        assert_relative_eq!(cp[1], 5000.0, max_relative = CLOSED_FORM);
        let want = 5000.0 * (-1.1 / 20.0 * 10.0f64).exp();
        assert_relative_eq!(cp[2], want, max_relative = CLOSED_FORM);
    }

    #[test]
    fn a_steady_state_infusion_sets_rate_over_clearance_then_stops() {
        let cp = run(
            "ID,TIME,EVID,AMT,CMT,RATE,SS,II,F\n1,0,1,0,1,100,1,0,0.5\n1,10,0,0,1,0,0,0,1\n",
            &one_cpt_model(None),
        );
        // Css = R / CL = 100 / 1.1 mg/L at the record, whatever F; then a bolus-like decay.
        let css = 100.0 / 1.1 * 1000.0;
        assert_relative_eq!(cp[0], css, max_relative = CLOSED_FORM);
        let decayed = css * (-1.1 / 20.0 * 10.0f64).exp();
        assert_relative_eq!(cp[1], decayed, max_relative = CLOSED_FORM);
    }

    #[test]
    fn a_reset_cancels_pending_additional_doses() {
        let cp = run(
            "ID,TIME,EVID,AMT,CMT,II,ADDL\n1,0,1,100,1,12,5\n1,13,3,0,0,0,0\n1,30,0,0,1,0,0\n",
            &one_cpt_model(None),
        );
        assert!(cp[0] > 0.0);
        assert!(cp[1].abs() < 1e-12 && cp[2].abs() < 1e-12, "{cp:?}");
    }

    #[test]
    fn time_may_go_back_at_a_reset() {
        let cp = run(
            "ID,TIME,EVID,AMT,CMT\n1,0,1,100,1\n1,5,0,0,1\n1,0,4,100,1\n1,5,0,0,1\n",
            &one_cpt_model(None),
        );
        assert_relative_eq!(cp[1], cp[3], max_relative = CLOSED_FORM);
    }
}
