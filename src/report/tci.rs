//! TCI reports: the pump log (every rate change, as a syringe driver lists it) and the
//! table of targets (when each was reached, the plasma peak while it held, the total
//! dose).

use super::table::{Align, Table};
use crate::study::ScheduleResult;
use crate::units::{fmt_csv, fmt_hours};
use std::io::Write;

/// `schedule,time_h,infusion_mg_h,infusion_ml_h`: one row per rate change of each TCI
/// schedule (a rate holds until the next row).
pub fn pump_log<W: Write>(results: &[ScheduleResult], out: W) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["schedule", "time_h", "infusion_mg_h", "infusion_ml_h"])?;
    for r in results {
        let Some(tci) = &r.tci else { continue };
        let mut last: Option<f64> = None;
        for c in &tci.plan.changes {
            if last.is_some_and(|l| l.to_bits() == c.mg_h.to_bits()) {
                continue;
            }
            last = Some(c.mg_h);
            w.write_record([
                r.name.clone(),
                format!("{:.6}", c.time_h),
                fmt_csv(c.mg_h),
                fmt_csv(c.mg_h / tci.plan.syringe_mg_ml),
            ])?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Whether any schedule runs a pump.
pub fn any(results: &[ScheduleResult]) -> bool {
    results.iter().any(|r| r.tci.is_some())
}

/// One row per target of each TCI schedule; empty without one.
pub fn table(results: &[ScheduleResult]) -> String {
    if !any(results) {
        return String::new();
    }
    let mut t = Table::new(&[
        ("schedule", Align::Left),
        ("from", Align::Right),
        ("target", Align::Left),
        ("reached (±5%) after", Align::Right),
        ("plasma peak ng/mL", Align::Right),
        ("total dose mg", Align::Right),
    ]);
    for r in results {
        let Some(tci) = &r.tci else { continue };
        for (i, o) in tci.targets.iter().enumerate() {
            t.row(vec![
                if i == 0 {
                    r.name.clone()
                } else {
                    String::new()
                },
                fmt_hours(o.target.at_h),
                format!("{} {} µg/mL", o.target.site.id(), o.target.mg_l),
                o.reached_after_h.map_or("not reached".into(), fmt_hours),
                format!("{:.1}", o.plasma_peak_ng_ml),
                if i == 0 {
                    format!("{:.1}", tci.total_dose_mg)
                } else {
                    String::new()
                },
            ]);
        }
    }
    format!("\nTarget-controlled infusion\n{}", t.render())
}
