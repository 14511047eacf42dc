//! The output of `ketasim events`: every column of the dataset as written, then the
//! concentrations ketasim adds, one row per record, written one individual at a time.

use super::reader::invalid;
use super::{Predicted, Record};
use crate::error::Result;
use crate::model::ModelSpec;
use crate::units::fmt_csv;
use csv::StringRecord;
use std::io::Write;
use std::path::Path;

/// The columns ketasim adds to a dataset's own: plasma always, effect site and
/// metabolite when the model has them (all ng/mL; the metabolite in parent-mass
/// equivalents).
pub fn added_columns(spec: &ModelSpec) -> Vec<&'static str> {
    let mut columns = vec!["CP"];
    if spec.ke0_per_h.is_some() {
        columns.push("CE");
    }
    if spec.metabolite.is_some() {
        columns.push("CMET");
    }
    columns
}

/// The output header: `columns` (the dataset's, as written), then [`added_columns`]. A
/// dataset column with the name of an added one is an error: a reader could not tell
/// which is which.
pub fn header(path: &Path, columns: &StringRecord, spec: &ModelSpec) -> Result<Vec<String>> {
    let mut header: Vec<String> = columns.iter().map(str::to_string).collect();
    for name in added_columns(spec) {
        if let Some(i) = columns.iter().position(|c| c.eq_ignore_ascii_case(name)) {
            return Err(invalid(
                path,
                (1, 0),
                format!("column {} named {name}, which ketasim writes", i + 1),
                "another name for it",
            ));
        }
        header.push(name.to_string());
    }
    Ok(header)
}

/// A CSV being written, one individual at a time.
pub struct Output<W: Write> {
    csv: csv::Writer<W>,
}

impl<W: Write> Output<W> {
    /// Start the file with `header` (from [`header`]).
    pub fn new(out: W, header: &[String]) -> csv::Result<Output<W>> {
        let mut csv = csv::Writer::from_writer(out);
        csv.write_record(header)?;
        Ok(Output { csv })
    }

    /// One row per record: its cells as written, then its concentrations (ng/mL, at full
    /// precision) in the order of [`added_columns`].
    pub fn individual(&mut self, records: &[Record], predicted: &[Predicted]) -> csv::Result<()> {
        for (r, p) in records.iter().zip(predicted) {
            let mut row: Vec<String> = r.cells.iter().map(str::to_string).collect();
            row.push(fmt_csv(p.plasma_ng_ml));
            row.extend(p.effect_ng_ml.map(fmt_csv));
            row.extend(p.metabolite_ng_ml.map(fmt_csv));
            self.csv.write_record(&row)?;
        }
        Ok(())
    }

    /// Flush what is buffered.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.csv.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::library;
    use crate::nonmem::{predict_individual, read_model_spec, Dataset};
    use crate::solver::SolverConfig;

    fn written(dataset: &str, spec: &ModelSpec) -> String {
        let d = Dataset::parse(Path::new("d.csv"), dataset).unwrap();
        let model = d.records[0].covariates.model(spec);
        let p = predict_individual(&d.path, &d.records, &model, &SolverConfig::default()).unwrap();
        let mut bytes = Vec::new();
        let mut out = Output::new(&mut bytes, &header(&d.path, &d.columns, spec).unwrap()).unwrap();
        out.individual(&d.records, &p).unwrap();
        out.finish().unwrap();
        String::from_utf8(bytes).unwrap()
    }

    #[test]
    fn every_input_column_is_carried_through_as_written() {
        let spec = read_model_spec(
            Path::new("m.toml"),
            "[model]\ncompartments = 1\nclearance = \"1 L/h\"\ncentral_volume = \"10 L\"\n",
        )
        .unwrap();
        let out = written("ID,TIME,AMT,CMT,DV,site\n7,0.50,0,1,.,arm\n", &spec);
        assert_eq!(out, "ID,TIME,AMT,CMT,DV,site,CP\n7,0.50,0,1,.,arm,0\n");
    }

    #[test]
    fn effect_site_and_metabolite_columns_follow_the_model() {
        let spec = library::get("fanta-2015").unwrap();
        let out = written("ID,TIME,AMT,CMT\n1,0,10,1\n1,1,0,1\n", &spec);
        let mut lines = out.lines();
        assert_eq!(lines.next(), Some("ID,TIME,AMT,CMT,CP,CE,CMET"));
        let last: Vec<f64> = lines
            .nth(1)
            .unwrap()
            .split(',')
            .skip(4)
            .map(|c| c.parse().unwrap())
            .collect();
        assert_eq!(last.len(), 3);
        assert!(last.iter().all(|c| *c > 0.0), "{last:?}");
        assert!(library::get("domino-1984").is_some_and(|s| added_columns(&s) == ["CP"]));
    }

    #[test]
    fn a_dataset_column_named_like_an_added_one_is_refused() {
        let spec = library::get("kamp-2020").unwrap();
        let columns = StringRecord::from(vec!["ID", "TIME", "cp"]);
        let e = header(Path::new("d.csv"), &columns, &spec).unwrap_err();
        assert!(
            e.to_string().starts_with("d.csv:1: column 3 named CP"),
            "{e}"
        );
    }
}
