//! The population section of `ketasim explain`: percentiles, band shares, and the
//! concentrations at the times the lesson names, with the share of subjects below,
//! inside and above each band there (counted subject by subject).

use super::numbers::{fmt_hours, fmt_num};
use crate::population::percentile::Percentiles;
use crate::population::BandShare;
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

/// "12.3% of subjects below, 80% inside, 7.7% above".
fn shares(s: &BandShare) -> String {
    format!(
        "{}% of subjects below, {}% inside, {}% above",
        fmt_num(100.0 * s.below),
        fmt_num(100.0 * s.inside),
        fmt_num(100.0 * s.above)
    )
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
        for at in &f.at_times {
            let (p05, p50, p95) = at.percentiles_ng_ml;
            let mut line = format!(
                "At {}: {} ng/mL (5th–95th {}–{}).",
                fmt_hours(at.time_h),
                fmt_num(p50),
                fmt_num(p05),
                fmt_num(p95)
            );
            for (b, s) in c.bands.iter().zip(&at.shares) {
                line += &format!(
                    " {} ({}–{} ng/mL): {}.",
                    b.band.id,
                    fmt_num(b.band.low_ng_ml),
                    fmt_num(b.band.high_ng_ml),
                    shares(s)
                );
            }
            items.push(line);
        }
        out.push(Block::Heading(format!(
            "Population: {} ({})",
            f.schedule,
            crate::units::count(c.subjects, "virtual subject")
        )));
        out.push(Block::Bullets(items));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_print_as_percentages_of_subjects() {
        let s = BandShare {
            below: 0.123,
            inside: 0.8,
            above: 0.077,
        };
        assert_eq!(
            shares(&s),
            "12.3% of subjects below, 80% inside, 7.7% above"
        );
    }
}
