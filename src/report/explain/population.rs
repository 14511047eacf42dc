//! The population section of `ketasim explain`: percentiles, band shares, and the
//! concentrations at the times the lesson names, with the share of subjects above each
//! band bracketed by the percentiles.

use super::numbers::{fmt_hours, fmt_num};
use crate::population::percentile::Percentiles;
use crate::report::document::Block;
use crate::teaching::population::PopulationFacts;

/// "253 (5th–95th 180–340)".
fn spread(p: &Percentiles) -> String {
    format!(
        "{} (5th–95th {}–{})",
        fmt_num(p.p50),
        fmt_num(p.p05),
        fmt_num(p.p95)
    )
}

/// The share of subjects above `edge` at a time whose percentiles are `(p05, p50, p95)`,
/// as the bracket those percentiles prove: each percentile curve is taken pointwise, so
/// `edge < p05` means at least 95% of subjects are above it.
pub(super) fn share_above(edge: f64, (p05, p50, p95): (f64, f64, f64)) -> &'static str {
    match () {
        _ if edge < p05 => "more than 95%",
        _ if edge < p50 => "between half and 95%",
        _ if edge < p95 => "between 5% and half",
        _ => "fewer than 5%",
    }
}

/// One section per schedule with a population.
pub(super) fn blocks(facts: &[PopulationFacts]) -> Vec<Block> {
    let mut out = Vec::new();
    for f in facts {
        let c = &f.course;
        let mut items = vec![
            format!("Peak concentration {} ng/mL.", spread(&c.cmax_ng_ml)),
            format!(
                "Time of the peak {} (5th–95th {}–{}); exposure AUC {} ng·h/mL.",
                fmt_hours(c.tmax_h.p50),
                fmt_hours(c.tmax_h.p05),
                fmt_hours(c.tmax_h.p95),
                spread(&c.auc_ng_h_ml)
            ),
        ];
        for b in &c.bands {
            items.push(format!(
                "{}% of subjects reach {} ({}–{} ng/mL); hours in it {}.",
                fmt_num(100.0 * b.fraction_reaching),
                b.band.id,
                fmt_num(b.band.low_ng_ml),
                fmt_num(b.band.high_ng_ml),
                spread(&b.hours)
            ));
        }
        for &(t, p05, p50, p95) in &f.at_times {
            let mut line = format!(
                "At {}: {} ng/mL (5th–95th {}–{}).",
                fmt_hours(t),
                fmt_num(p50),
                fmt_num(p05),
                fmt_num(p95)
            );
            for b in &c.bands {
                line += &format!(
                    " Above {} ({} ng/mL): {} of subjects.",
                    b.band.id,
                    fmt_num(b.band.high_ng_ml),
                    share_above(b.band.high_ng_ml, (p05, p50, p95))
                );
            }
            items.push(line);
        }
        out.push(Block::Heading(format!(
            "Population: {} ({} virtual subjects)",
            f.schedule, c.subjects
        )));
        out.push(Block::Bullets(items));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_bracketed_by_the_percentiles() {
        let p = (300.0, 600.0, 1000.0);
        assert_eq!(share_above(750.0, p), "between 5% and half");
        assert_eq!(share_above(200.0, p), "more than 95%");
        assert_eq!(share_above(500.0, p), "between half and 95%");
        assert_eq!(share_above(2400.0, p), "fewer than 5%");
    }
}
