//! Reading a NONMEM-style dataset: the header, every cell, and the rules a record must
//! obey on its own. Rules that need the model (compartment numbers) live in
//! [`super::events`].
//!
//! Every error is an [`InputError`] naming the file, the 1-based line (the header is
//! line 1) and column of the cell, what was found and what was expected. Every number is
//! held to the limits of [`crate::limits`].

use super::covariates::{Covariates, WEIGHT_COLUMN};
use super::{Dataset, DoseItems, Evid, Record};
use crate::dosing::{Delivery, SteadyStateMode};
use crate::error::{Error, InputError, Result, Span};
use crate::limits::{self, at_most_text, MAX_TIME_H};
use crate::units::fmt_num;
use csv::StringRecord;
use std::path::Path;

/// The data items ketasim reads, as spelled in the header (case-insensitive), with the
/// covariates of [`super::covariates`]. Every other column (DV, MDV, ...) is carried
/// through to the output as written, and otherwise ignored.
pub const ITEMS: [&str; 13] = [
    "ID",
    "TIME",
    "EVID",
    "AMT",
    "CMT",
    "RATE",
    "II",
    "ADDL",
    "SS",
    "F",
    "LAG",
    "DUR",
    WEIGHT_COLUMN,
];

/// NONMEM's RATE = −2: the infusion duration comes from the duration item (here `DUR`;
/// NONMEM Users Guide VI, V.E "The Dose Rate (RATE) Data Item").
const RATE_FROM_DURATION: i64 = -2;
/// NONMEM's RATE = −1: the rate is modelled in $PK, which a dataset alone cannot say.
const RATE_MODELLED: i64 = -1;

/// Found `found` at `line`:`col` of `path` (col 0 when unknown), expected `expected`.
pub(crate) fn invalid(
    path: &Path,
    (line, col): (usize, usize),
    found: impl Into<String>,
    expected: impl Into<String>,
) -> Error {
    InputError::new(Span::at(path, line, col), found, expected).into()
}

/// The 1-based character column of field `field` (0-based) of the raw CSV line `raw`, 0
/// when the line has fewer fields. Reads commas naively: dataset cells are numbers.
fn column(raw: &str, field: usize) -> usize {
    let mut col = 1;
    for (i, f) in raw.split(',').enumerate() {
        if i == field {
            return col + f.chars().take_while(|c| c.is_whitespace()).count();
        }
        col += f.chars().count() + 1;
    }
    0
}

/// Where each data item sits in a row: `at[k]` is the index of `ITEMS[k]`.
struct Header {
    at: [Option<usize>; ITEMS.len()],
}

impl Header {
    /// Read the header row, at `line` of the file (1 unless comments come first).
    fn read(path: &Path, line: usize, raw: &str, header: &StringRecord) -> Result<Header> {
        let mut at = [None; ITEMS.len()];
        for (i, name) in header.iter().enumerate() {
            let Some(k) = ITEMS.iter().position(|n| n.eq_ignore_ascii_case(name)) else {
                continue;
            };
            if let Some(first) = at[k] {
                return Err(invalid(
                    path,
                    (line, column(raw, i)),
                    format!(
                        "column {} twice (columns {} and {})",
                        ITEMS[k],
                        first + 1,
                        i + 1
                    ),
                    "each data item once",
                ));
            }
            at[k] = Some(i);
        }
        for required in ["ID", "TIME"] {
            if at[item(required)].is_none() {
                let found: Vec<&str> = header.iter().collect();
                return Err(invalid(
                    path,
                    (line, 0),
                    format!("no {required} column among {}", found.join(",")),
                    "ID and TIME among the columns",
                ));
            }
        }
        Ok(Header { at })
    }

    fn has(&self, name: &str) -> bool {
        self.at[item(name)].is_some()
    }
}

fn item(name: &str) -> usize {
    ITEMS
        .iter()
        .position(|n| *n == name)
        .expect("item names are spelled as in ITEMS")
}

/// One row of the file with its line, for reading cells and reporting errors.
struct Row<'a> {
    path: &'a Path,
    line: usize,
    /// The line as written, for columns.
    raw: &'a str,
    header: &'a Header,
    cells: &'a StringRecord,
}

impl Row<'_> {
    /// The cell of `name`, or `None` when the column is absent or the cell is blank or
    /// NONMEM's missing-value dot.
    fn text(&self, name: &str) -> Option<&str> {
        let cell = self.cells.get(self.header.at[item(name)]?)?;
        (!cell.is_empty() && cell != ".").then_some(cell)
    }

    /// The 1-based column of item `name` on this line, 0 when it has none.
    fn col(&self, name: &str) -> usize {
        self.header.at[item(name)].map_or(0, |i| column(self.raw, i))
    }

    fn error(&self, name: &str, expected: &str) -> Error {
        let found = self.text(name).unwrap_or("");
        invalid(
            self.path,
            (self.line, self.col(name)),
            format!("column {name} {found:?}"),
            expected,
        )
    }

    /// The number in `name` (`default` when missing), at most `max`.
    fn at_most(&self, name: &str, default: f64, max: f64, what: &str) -> Result<f64> {
        let v = self.number(name, default)?;
        if v > max {
            return Err(self.error(name, &format!("{what} {}", at_most_text(max, ""))));
        }
        Ok(v)
    }

    /// The number in `name`, or `default` when it is missing.
    fn number(&self, name: &str, default: f64) -> Result<f64> {
        match self.text(name) {
            None => Ok(default),
            Some(t) => match t.parse::<f64>() {
                Ok(v) if v.is_finite() => Ok(v),
                _ => Err(self.error(name, "a number")),
            },
        }
    }

    /// The whole number in `name`, or `default` when it is missing.
    fn integer(&self, name: &str, default: i64) -> Result<i64> {
        let v = self.number(name, default as f64)?;
        if v.fract().abs() > 0.0 || v.abs() > i64::MAX as f64 {
            return Err(self.error(name, "a whole number"));
        }
        Ok(v as i64)
    }

    /// A number that must be present.
    fn required(&self, name: &str) -> Result<f64> {
        match self.text(name) {
            None => Err(self.error(name, "a number (the column is required)")),
            Some(_) => self.number(name, 0.0),
        }
    }

    /// A number ≥ 0, `default` when missing.
    fn non_negative(&self, name: &str, default: f64, what: &str) -> Result<f64> {
        let v = self.number(name, default)?;
        if v < 0.0 {
            return Err(self.error(name, &format!("{what} ≥ 0")));
        }
        Ok(v)
    }

    fn record(&self) -> Result<Record> {
        self.required("ID")?;
        let time_h = self.required("TIME")?;
        if time_h.abs() > MAX_TIME_H {
            return Err(self.error(
                "TIME",
                &format!(
                    "a time (h) from -{0} to {0} (10 years)",
                    fmt_num(MAX_TIME_H)
                ),
            ));
        }
        // Every known cell must be a number, whatever the record is, and no amount is
        // negative (without EVID, AMT decides whether a record is a dose).
        for name in ["RATE", "II", "ADDL", "SS", "F", "LAG", "DUR"] {
            self.number(name, 0.0)?;
        }
        self.non_negative("AMT", 0.0, "an amount (mg)")?;
        let evid = self.evid()?;
        let dose = match evid {
            Evid::Dose | Evid::ResetAndDose => Some(self.dose()?),
            Evid::Observation | Evid::Other | Evid::Reset => None,
        };
        Ok(Record {
            line: self.line,
            id: self.text("ID").unwrap_or_default().to_string(),
            time_text: self.text("TIME").unwrap_or_default().to_string(),
            time_h,
            evid,
            cmt: self.integer("CMT", 0)?,
            columns: std::array::from_fn(|k| self.col(ITEMS[k])),
            dose,
            covariates: self.covariates()?,
            cells: self.cells.clone(),
        })
    }

    /// The covariates, when their columns are there; every record must then have them.
    fn covariates(&self) -> Result<Covariates> {
        if !self.header.has(WEIGHT_COLUMN) {
            return Ok(Covariates::default());
        }
        let kg = match self.text(WEIGHT_COLUMN) {
            None => Err("a body weight in kg (the WT column is given)".to_string()),
            Some(_) => Covariates::weight(self.number(WEIGHT_COLUMN, 0.0)?),
        };
        let weight_kg = kg.map_err(|expected| self.error(WEIGHT_COLUMN, &expected))?;
        Ok(Covariates {
            weight_kg: Some(weight_kg),
        })
    }

    /// EVID, or without an EVID column NM-TRAN's rule: a record with AMT > 0 is a dose.
    fn evid(&self) -> Result<Evid> {
        if !self.header.has("EVID") {
            let dose = self.number("AMT", 0.0)? > 0.0;
            return Ok(if dose { Evid::Dose } else { Evid::Observation });
        }
        let expected = "0 (observation), 1 (dose), 2 (other), 3 (reset) or 4 (reset and dose)";
        match self.integer("EVID", 0) {
            Ok(0) => Ok(Evid::Observation),
            Ok(1) => Ok(Evid::Dose),
            Ok(2) => Ok(Evid::Other),
            Ok(3) => Ok(Evid::Reset),
            Ok(4) => Ok(Evid::ResetAndDose),
            _ => Err(self.error("EVID", expected)),
        }
    }

    fn delivery(&self) -> Result<Delivery> {
        let rate = self.number("RATE", 0.0)?;
        if rate > limits::MAX_RATE_MG_H {
            return Err(self.error(
                "RATE",
                &format!("a rate {}", at_most_text(limits::MAX_RATE_MG_H, "mg/h")),
            ));
        }
        if rate > 0.0 {
            return Ok(Delivery::Rate { mg_per_h: rate });
        }
        if rate.abs() <= 0.0 {
            return Ok(Delivery::Bolus);
        }
        match self.integer("RATE", 0) {
            Ok(RATE_FROM_DURATION) => {
                let h = self.at_most("DUR", 0.0, MAX_TIME_H, "a duration (h)")?;
                if h <= 0.0 {
                    return Err(self.error("DUR", "a duration > 0 (h) because RATE is -2"));
                }
                Ok(Delivery::Duration { h })
            }
            Ok(RATE_MODELLED) => Err(self.error(
                "RATE",
                "0 (bolus), a rate > 0 (mg/h) or -2 (duration from DUR); a modelled rate (-1) needs $PK, which ketasim does not read",
            )),
            _ => Err(self.error(
                "RATE",
                "0 (bolus), a rate > 0 (mg/h) or -2 (duration from DUR)",
            )),
        }
    }

    fn steady_state(&self) -> Result<Option<SteadyStateMode>> {
        match self.integer("SS", 0) {
            Ok(0) => Ok(None),
            Ok(1) => Ok(Some(SteadyStateMode::Reset)),
            Ok(2) => Ok(Some(SteadyStateMode::Add)),
            _ => Err(self.error("SS", "0, 1 (reset to steady state) or 2 (add steady state)")),
        }
    }

    fn dose(&self) -> Result<DoseItems> {
        let amount_mg = self.non_negative("AMT", 0.0, "an amount (mg)")?;
        if amount_mg > limits::MAX_AMOUNT_MG {
            return Err(self.error(
                "AMT",
                &format!("an amount {}", at_most_text(limits::MAX_AMOUNT_MG, "mg")),
            ));
        }
        let delivery = self.delivery()?;
        let interval_h = self.non_negative("II", 0.0, "an interval (h)")?;
        if interval_h > MAX_TIME_H {
            return Err(self.error(
                "II",
                &format!("an interval {} (10 years)", at_most_text(MAX_TIME_H, "h")),
            ));
        }
        let additional = self.integer("ADDL", 0)?;
        if !(0..=limits::MAX_DOSES as i64).contains(&additional) {
            return Err(self.error(
                "ADDL",
                &format!("0 to {} additional doses", limits::MAX_DOSES),
            ));
        }
        let steady_state = self.steady_state()?;
        let dose = DoseItems {
            amount_mg,
            delivery,
            bioavailability: self.non_negative("F", 1.0, "a bioavailability")?,
            lag_h: self.non_negative("LAG", 0.0, "a lag time (h)")?,
            interval_h,
            additional: u32::try_from(additional).expect("ADDL was checked against MAX_DOSES"),
            steady_state,
        };
        self.at_most("F", 1.0, limits::MAX_DATASET_F, "a bioavailability")?;
        self.at_most("LAG", 0.0, MAX_TIME_H, "a lag time (h)")?;
        self.check_interval(&dose)?;
        self.check_duration(&dose)?;
        Ok(dose)
    }

    /// An infusion given by RATE lasts AMT × F / RATE: at most [`MAX_TIME_H`]; a
    /// steady-state dose outlasts at most [`limits::MAX_STEADY_STATE_OVERLAP`] intervals.
    fn check_duration(&self, dose: &DoseItems) -> Result<()> {
        let infusion_h = match dose.delivery {
            Delivery::Rate { mg_per_h } => dose.amount_mg * dose.bioavailability / mg_per_h,
            Delivery::Duration { h } => h,
            Delivery::Bolus => 0.0,
        };
        if infusion_h > MAX_TIME_H {
            return Err(self.error(
                "RATE",
                &format!(
                    "a rate giving AMT × F in {} (10 years); this one takes {} h",
                    at_most_text(MAX_TIME_H, "h"),
                    limits::number_text(infusion_h)
                ),
            ));
        }
        let lasts_h = dose.lag_h + infusion_h;
        let overlap = dose.steady_state.is_some()
            && dose.interval_h > 0.0
            && lasts_h / dose.interval_h > limits::MAX_STEADY_STATE_OVERLAP;
        if overlap {
            return Err(self.error(
                "II",
                &format!(
                    "an interval of at least 1/{} of the dose's lag and infusion ({} h) for a steady state",
                    limits::MAX_STEADY_STATE_OVERLAP,
                    limits::number_text(lasts_h)
                ),
            ));
        }
        Ok(())
    }

    /// II must be > 0 for additional doses and steady state, except for a steady-state
    /// infusion (SS 1, II 0, RATE > 0), which takes AMT 0 (NONMEM help, "SS dose event
    /// record": AMT 0, RATE > 0, II 0 is "steady-state with constant infusion").
    fn check_interval(&self, dose: &DoseItems) -> Result<()> {
        if dose.interval_h > 0.0 {
            return Ok(());
        }
        if dose.additional > 0 {
            let because = format!("an interval > 0 (h) because ADDL is {}", dose.additional);
            return Err(self.error("II", &because));
        }
        let by_rate = matches!(dose.delivery, Delivery::Rate { .. });
        let ss = match dose.steady_state {
            None => return Ok(()),
            Some(SteadyStateMode::Reset) => 1,
            Some(SteadyStateMode::Add) => 2,
        };
        if ss == 1 && by_rate && dose.amount_mg > 0.0 {
            return Err(self.error(
                "AMT",
                "0 for a steady-state infusion (SS 1, II 0, RATE > 0), whose steady state is that of RATE alone",
            ));
        }
        if ss == 1 && by_rate {
            return Ok(());
        }
        Err(self.error(
            "II",
            &format!("an interval > 0 (h) because SS is {ss} (only SS 1 with RATE > 0 and AMT 0, a steady-state infusion, may have II 0)"),
        ))
    }
}

/// True when `next` may not come before `previous` in time: same individual, no reset.
/// NONMEM lets time go back only at a reset (EVID 3 or 4), which starts afresh.
fn continues(previous: &Record, next: &Record) -> bool {
    previous.id == next.id && !matches!(next.evid, Evid::Reset | Evid::ResetAndDose)
}

/// The records of a dataset, read and checked one at a time, in file order; an error
/// ends the iteration. Memory holds one record, whatever the size of the dataset.
pub struct Reader<'a> {
    path: &'a Path,
    text: &'a str,
    csv: csv::Reader<&'a [u8]>,
    header: Header,
    columns: StringRecord,
    previous: Option<Record>,
    failed: bool,
}

impl<'a> Reader<'a> {
    /// Read the header of the dataset in `text`; `path` names it in errors.
    pub fn new(path: &'a Path, text: &'a str) -> Result<Reader<'a>> {
        let mut csv = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .comment(Some(b'#'))
            .from_reader(text.as_bytes());
        // The csv crate skips comment and blank lines before the header but reports the
        // header at line 1; count them here.
        let header_line = 1 + text
            .trim_start_matches('\u{feff}')
            .lines()
            .take_while(|l| l.trim().is_empty() || l.starts_with('#'))
            .count();
        let header_raw = text
            .trim_start_matches('\u{feff}')
            .lines()
            .nth(header_line - 1)
            .unwrap_or_default();
        let columns = csv.headers().map_err(|e| csv_error(path, e))?.clone();
        let header = Header::read(path, header_line, header_raw, &columns)?;
        Ok(Reader {
            path,
            text,
            csv,
            header,
            columns,
            previous: None,
            failed: false,
        })
    }

    /// The header's column names, as written.
    pub fn columns(&self) -> &StringRecord {
        &self.columns
    }

    /// The file, as named to the user.
    pub fn path(&self) -> &Path {
        self.path
    }

    /// The line that starts at `byte`, as written.
    fn raw_line(&self, byte: usize) -> &'a str {
        let rest = self.text.get(byte..).unwrap_or_default();
        rest.split('\n')
            .next()
            .unwrap_or_default()
            .trim_end_matches('\r')
    }

    fn next_record(&mut self) -> Option<Result<Record>> {
        let mut cells = StringRecord::new();
        match self.csv.read_record(&mut cells) {
            Ok(false) => return None,
            Ok(true) => {}
            Err(e) => return Some(Err(csv_error(self.path, e))),
        }
        let (line, byte) = cells
            .position()
            .map_or((0, 0), |p| (p.line() as usize, p.byte() as usize));
        let row = Row {
            path: self.path,
            line,
            raw: self.raw_line(byte),
            header: &self.header,
            cells: &cells,
        };
        let record = match row.record() {
            Ok(r) => r,
            Err(e) => return Some(Err(e)),
        };
        if let Some(previous) = &self.previous {
            if continues(previous, &record) && record.time_h < previous.time_h {
                return Some(Err(row.error(
                    "TIME",
                    &format!(
                        "a time ≥ {} (line {} of ID {}): time may go back only at a reset (EVID 3 or 4)",
                        previous.time_text, previous.line, previous.id
                    ),
                )));
            }
        }
        self.previous = Some(record.clone());
        Some(Ok(record))
    }
}

impl Iterator for Reader<'_> {
    type Item = Result<Record>;

    fn next(&mut self) -> Option<Result<Record>> {
        if self.failed {
            return None;
        }
        let next = self.next_record();
        self.failed = matches!(next, Some(Err(_)));
        next
    }
}

fn csv_error(path: &Path, e: csv::Error) -> Error {
    let line = e.position().map_or(0, |p| p.line() as usize);
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => invalid(
            path,
            (line, 0),
            format!("{len} cells"),
            format!("{expected_len} (one per header column)"),
        ),
        csv::ErrorKind::Utf8 { .. } => invalid(
            path,
            (line, 0),
            "a row that is not UTF-8 text",
            "a CSV file in UTF-8",
        ),
        _ => invalid(
            path,
            (line, 0),
            format!("not a valid CSV row: {e}"),
            "a CSV row",
        ),
    }
}

/// Read and check the whole dataset in `text`; `path` names it in errors.
pub(crate) fn parse(path: &Path, text: &str) -> Result<Dataset> {
    let reader = Reader::new(path, text)?;
    let columns = reader.columns().clone();
    Ok(Dataset {
        path: path.to_path_buf(),
        columns,
        records: reader.collect::<Result<Vec<_>>>()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(text: &str) -> Vec<Record> {
        parse(Path::new("d.csv"), text).unwrap().records
    }

    #[test]
    fn columns_are_case_insensitive_and_missing_items_default() {
        let r = records("\u{feff}# a comment\nid,Time,Amt,cmt,dv\n1,0,100,1,.\n1,2,.,2,3.5\n");
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].line, r[1].line), (3, 4));
        let d = r[0].dose.expect("AMT > 0 without EVID is a dose");
        assert_eq!(d.delivery, Delivery::Bolus);
        assert_eq!((d.amount_mg, d.bioavailability, d.lag_h), (100.0, 1.0, 0.0));
        assert_eq!((d.additional, d.steady_state), (0, None));
        assert_eq!(
            (r[1].evid, r[1].cmt, r[1].dose),
            (Evid::Observation, 2, None)
        );
    }

    #[test]
    fn dose_items_are_read() {
        let r = records(
            "ID,TIME,EVID,AMT,CMT,RATE,II,ADDL,SS,F,LAG,DUR\n\
             1,0,4,100,2,-2,24,3,2,0.5,1.5,9\n\
             1,1,1,0,2,100,0,0,1,1,0,0\n",
        );
        let d = r[0].dose.unwrap();
        assert_eq!(r[0].evid, Evid::ResetAndDose);
        assert_eq!(d.delivery, Delivery::Duration { h: 9.0 });
        assert_eq!((d.interval_h, d.additional), (24.0, 3));
        assert_eq!((d.bioavailability, d.lag_h), (0.5, 1.5));
        assert_eq!(d.steady_state, Some(SteadyStateMode::Add));
        let infusion = r[1].dose.unwrap();
        assert_eq!(infusion.delivery, Delivery::Rate { mg_per_h: 100.0 });
        assert_eq!(infusion.steady_state, Some(SteadyStateMode::Reset));
    }

    #[test]
    fn time_may_go_back_at_a_reset_or_a_new_id_only() {
        let ok = "ID,TIME,EVID\n1,5,0\n1,0,3\n2,1,0\n";
        assert_eq!(records(ok).len(), 3);
        let e = parse(Path::new("d.csv"), "ID,TIME,EVID\n1,5,0\n1,0,2\n").unwrap_err();
        assert!(e.to_string().starts_with("d.csv:3:3: column TIME"), "{e}");
    }

    #[test]
    fn header_errors_name_the_header_line() {
        let e = parse(Path::new("d.csv"), "# comment\nID,T\n1,0\n").unwrap_err();
        assert!(e.to_string().starts_with("d.csv:2: no TIME column"), "{e}");
    }

    #[test]
    fn whole_numbers_must_be_whole() {
        let e = parse(Path::new("d.csv"), "ID,TIME,EVID\n1,0,1.5\n").unwrap_err();
        assert!(
            e.to_string().contains("d.csv:2:5: column EVID \"1.5\""),
            "{e}"
        );
        let e = parse(Path::new("d.csv"), "ID,TIME,AMT\n1,nan,1\n").unwrap_err();
        assert!(
            e.to_string()
                .contains("column TIME \"nan\"; expected a number"),
            "{e}"
        );
    }
}
