//! CSV writers: the long ("tidy") time course and the one-row-per-schedule summary.
//! Times are written to 1e-6 h, so the points of a years-long course on a 1-min grid stay
//! distinct; every other number has [`CSV_DIGITS`] significant digits ([`fmt_csv`], the
//! formatter of every CSV ketasim writes).
//! With a population, its percentile columns follow the typical patient's
//! ([`super::population`]).

use super::population;
use crate::study::ScheduleResult;
use crate::units::fmt_csv;
#[cfg(doc)]
use crate::units::CSV_DIGITS;
use std::io::Write;

/// `schedule,time_h,plasma_ng_ml[,effect_ng_ml][,norketamine_ng_ml]`, then
/// `infusion_mg_h,infusion_ml_h` (the TCI pump's rate in force) when a schedule sets
/// targets, then `p05_ng_ml,p50_ng_ml,p95_ng_ml` with a population (and
/// `effect_p05_ng_ml,effect_p50_ng_ml,effect_p95_ng_ml` when it has effect-site targets),
/// then `<effect>_ce_ng_ml,<effect>_effect` per `[[effect]]`; one row per schedule × time.
pub fn time_course<W: Write>(results: &[ScheduleResult], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    // A column any schedule has (schedules may run on different models); empty cells
    // for the schedules without it.
    let effect = results.iter().any(|r| r.trajectory.effect_ng_ml.is_some());
    let metabolite = results
        .iter()
        .any(|r| r.trajectory.metabolite_ng_ml.is_some());
    let mut header = vec!["schedule", "time_h", "plasma_ng_ml"];
    if effect {
        header.push("effect_ng_ml");
    }
    if metabolite {
        header.push("norketamine_ng_ml");
    }
    let pump = super::tci::any(results);
    if pump {
        header.extend(["infusion_mg_h", "infusion_ml_h"]);
    }
    let population = results.iter().any(|r| r.population.is_some());
    if population {
        header.extend(population::CURVE_HEADER);
    }
    let effect_site = population::has_effect_site(results);
    if effect_site {
        header.extend(population::EFFECT_SITE_HEADER);
    }
    let effects = super::effect::course_header(results);
    let effect_population = results
        .iter()
        .any(|r| r.effects.iter().any(|c| c.population.is_some()));
    let mut header: Vec<String> = header.into_iter().map(String::from).collect();
    header.extend(effects);
    w.write_record(&header)?;
    for r in results {
        let t = &r.trajectory;
        for i in 0..t.time_h.len() {
            let mut row = vec![
                r.name.clone(),
                format!("{:.6}", t.time_h[i]),
                fmt_csv(t.plasma_ng_ml[i]),
            ];
            let cell = |c: &Option<ndarray::Array1<f64>>| {
                c.as_ref().map_or(String::new(), |c| fmt_csv(c[i]))
            };
            if effect {
                row.push(cell(&t.effect_ng_ml));
            }
            if metabolite {
                row.push(cell(&t.metabolite_ng_ml));
            }
            if pump {
                let (mg_h, syringe) = r.tci.as_ref().map_or((0.0, 1.0), |p| {
                    (p.plan.rate_at(t.time_h[i]), p.plan.syringe_mg_ml)
                });
                row.extend([fmt_csv(mg_h), fmt_csv(mg_h / syringe)]);
            }
            if let Some(p) = r.population.as_ref().filter(|_| population) {
                row.extend(population::curve_cells(p, i));
            }
            if effect_site {
                row.extend(population::effect_site_cells(r, i));
            }
            row.extend(super::effect::course_cells(r, i, effect_population));
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

/// `schedule,cmax_ng_ml,tmax_h,auc_ng_h_ml,c_end_ng_ml`, then `hours_below_<band>`,
/// `hours_in_<band>`, `hours_above_<band>` per band (they add up to the window), then
/// `cmax_norketamine_ng_ml` and `cmax_effect_ng_ml` where the model has them, then the
/// population's percentiles ([`population::summary_header`]), then per `[[effect]]` its
/// peak, time of peak and hours past its threshold ([`super::effect::summary_header`]).
pub fn summary<W: Write>(results: &[ScheduleResult], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let Some(first) = results.first() else {
        return Ok(());
    };
    let mut header: Vec<String> = [
        "schedule",
        "cmax_ng_ml",
        "tmax_h",
        "auc_ng_h_ml",
        "c_end_ng_ml",
    ]
    .map(String::from)
    .to_vec();
    for b in &first.summary.band_hours {
        let id = b.band.id;
        header.extend([
            format!("hours_below_{id}"),
            format!("hours_in_{id}"),
            format!("hours_above_{id}"),
        ]);
    }
    let metabolite = (results.iter()).any(|r| r.summary.cmax_metabolite_ng_ml.is_some());
    let effect = (results.iter()).any(|r| r.summary.cmax_effect_ng_ml.is_some());
    if metabolite {
        header.push("cmax_norketamine_ng_ml".into());
    }
    if effect {
        header.push("cmax_effect_ng_ml".into());
    }
    // TCI: the total dose, then per target (numbered in time order) when it was reached
    // within 5% (h after it was set; empty if never) and the plasma peak while it held.
    let pump = super::tci::any(results);
    let targets = results
        .iter()
        .filter_map(|r| r.tci.as_ref().map(|t| t.targets.len()))
        .max()
        .unwrap_or(0);
    if pump {
        header.push("total_dose_mg".into());
        for k in 1..=targets {
            header.extend([
                format!("target_{k}_reached_after_h"),
                format!("target_{k}_plasma_peak_ng_ml"),
            ]);
        }
    }
    if let Some(p) = &first.population {
        header.extend(population::summary_header(p));
    }
    header.extend(super::effect::summary_header(results));
    w.write_record(&header)?;
    for r in results {
        let s = &r.summary;
        let mut row = vec![
            r.name.clone(),
            fmt_csv(s.cmax_ng_ml),
            fmt_csv(s.tmax_h),
            fmt_csv(s.auc_ng_h_ml),
            fmt_csv(s.c_end_ng_ml),
        ];
        for b in &s.band_hours {
            row.extend([b.below_h, b.in_h, b.above_h].map(fmt_csv));
        }
        if metabolite {
            row.push(s.cmax_metabolite_ng_ml.map_or(String::new(), fmt_csv));
        }
        if effect {
            row.push(s.cmax_effect_ng_ml.map_or(String::new(), fmt_csv));
        }
        if pump {
            let tci = r.tci.as_ref();
            row.push(tci.map_or(String::new(), |t| fmt_csv(t.total_dose_mg)));
            for k in 0..targets {
                match tci.and_then(|t| t.targets.get(k)) {
                    Some(o) => row.extend([
                        o.reached_after_h.map_or(String::new(), fmt_csv),
                        fmt_csv(o.plasma_peak_ng_ml),
                    ]),
                    None => row.extend([String::new(), String::new()]),
                }
            }
        }
        if let Some(p) = &r.population {
            row.extend(population::summary_cells(p));
        }
        row.extend(super::effect::summary_cells(r));
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::solver::SolverKind;
    use std::path::Path;

    /// Schedules on different models, in either order: a column any of them has is
    /// written for all, empty where a schedule's model has none (a racemic model without
    /// a metabolite beside esketamine with S-norketamine). With the esketamine second,
    /// its S-norketamine was written nowhere; with it first, the racemic rows came out
    /// one field short and the run failed.
    #[test]
    fn a_column_of_one_schedules_model_is_written_for_every_schedule() {
        let schedule = |name: &str, model: &str| {
            format!("[[schedule]]\nname = \"{name}\"\nmodel = \"{model}\"\ndoses = [{{ route = \"iv\", amount = \"10 mg\" }}]\n")
        };
        let (s_ket, racemic) = (schedule("s", "fanta-2015"), schedule("r", "kamp-2020"));
        for order in [[&s_ket, &racemic], [&racemic, &s_ket]] {
            let text = format!(
                "name = \"t\"\n[model]\npk = \"kamp-2020\"\n[simulation]\nduration = \"1 h\"\n{}{}",
                order[0], order[1]
            );
            let scenario = crate::scenario::parse(Path::new("t.toml"), &text).expect("valid");
            let results = scenario.simulate(SolverKind::Exact).expect("runs");
            let (mut course, mut table) = (Vec::new(), Vec::new());
            time_course(&results, &mut course).expect("written");
            summary(&results, &mut table).expect("written");
            for (bytes, column) in [
                (&course, "norketamine_ng_ml"),
                (&table, "cmax_norketamine_ng_ml"),
            ] {
                let mut csv = csv::Reader::from_reader(&bytes[..]);
                let header = csv.headers().expect("header").clone();
                let at = header.iter().position(|h| h == column).expect(column);
                let mut seen = (0, 0);
                for row in csv
                    .records()
                    .map(|r| r.expect("a row of the header's length"))
                {
                    let racemic = row[0].starts_with("r (");
                    assert_eq!(row[at].is_empty(), racemic, "{column}: {row:?}");
                    seen = (
                        seen.0 + usize::from(racemic),
                        seen.1 + usize::from(!racemic),
                    );
                }
                assert!(seen.0 > 0 && seen.1 > 0, "{column}: both schedules");
            }
        }
    }
}
