//! The effect section of `ketasim explain`: each endpoint's EC50, Hill, Emax and t½ke0,
//! the concentrations giving 20, 50 and 80% of Emax, what doubling the concentration
//! does, each schedule's peak effect, and why the effect-against-plasma curve opens into
//! a loop.

use super::numbers::{fmt_hours, fmt_num};
use crate::effect::{Endpoint, Scale, Term};
use crate::report::document::Block;
use crate::teaching::EffectFacts;

/// The fractions of Emax whose concentrations are listed.
const FRACTIONS: [f64; 3] = [0.2, 0.5, 0.8];

fn term_words(t: &Term, scale: Scale, baseline: f64) -> String {
    match *t {
        Term::Emax {
            emax,
            ec50_ng_ml,
            hill,
        } => {
            let emax = match scale {
                Scale::Absolute => fmt_num(emax),
                Scale::FractionOfBaseline => format!(
                    "{} × baseline = {}",
                    fmt_num(emax),
                    fmt_num(emax * baseline)
                ),
            };
            format!(
                "sigmoid Emax: Emax {emax}, EC50 {} ng/mL, Hill {}",
                fmt_num(ec50_ng_ml),
                fmt_num(hill)
            )
        }
        Term::Linear { slope_per_ng_ml } => {
            format!("linear: {} per ng/mL", fmt_num(slope_per_ng_ml))
        }
    }
}

fn parameters(e: &Endpoint) -> Vec<String> {
    let r = &e.response;
    let mut items = vec![format!(
        "Baseline E0 {} ({}); parent {}; t½ke0 {} (ke0 {} /h), its own effect compartment.",
        fmt_num(r.baseline),
        e.unit,
        term_words(&r.parent, r.scale, r.baseline),
        e.t_half_ke0_text(),
        fmt_num(e.ke0_per_h)
    )];
    if let Some(m) = &r.metabolite {
        items.push(format!(
            "Metabolite term, added to the parent's (Olofsen 2012: it may work the other way): {}; its own effect site with the same t½ke0.",
            term_words(m, r.scale, r.baseline)
        ));
    }
    if let Term::Emax { ec50_ng_ml, .. } = r.parent {
        let cs: Vec<String> = FRACTIONS
            .iter()
            .filter_map(|f| r.parent.concentration_for(*f))
            .map(fmt_num)
            .collect();
        items.push(format!(
            "At steady state (effect site = plasma) 20%, 50% and 80% of Emax need {} ng/mL.",
            cs.join(", ")
        ));
        let half = r.parent.at(ec50_ng_ml);
        let double = r.parent.at(2.0 * ec50_ng_ml);
        if half != 0.0 {
            items.push(format!(
                "Doubling the concentration from EC50 takes the effect from 50% to {}% of Emax, not to 100%: the curve flattens as it nears Emax.",
                fmt_num(100.0 * double / (2.0 * half))
            ));
        }
    }
    items
}

fn loop_words(e: &Endpoint, plasma_peaks_h: f64) -> String {
    format!(
        "Why the effect-against-plasma curve opens into a loop: the effect follows its effect site, which trails the plasma with t½ke0 {}. While the plasma rises faster than that, a given plasma concentration has less effect than at equilibrium; on the way down it has more. Rising and falling limbs part: the loop turns anticlockwise for an effect that rises, clockwise for one that falls. It is wide when the plasma changes within a few t½ke0 (here the plasma peaks at {}), and it closes when the plasma changes slowly compared with t½ke0.",
        e.t_half_ke0_text(),
        fmt_hours(plasma_peaks_h)
    )
}

/// One section per endpoint.
pub(super) fn blocks(facts: &[EffectFacts]) -> Vec<Block> {
    let mut out = Vec::new();
    for f in facts {
        let e = &f.endpoint;
        let id = e
            .provenance
            .id
            .as_deref()
            .unwrap_or("written in the scenario");
        let mut items = parameters(e);
        for (name, tmax_h, s) in &f.schedules {
            let mut line = format!(
                "{name}: peak effect {} at {}",
                fmt_num(s.peak),
                fmt_hours(s.time_of_peak_h)
            );
            if let (Some(t), Some(h)) = (e.threshold, s.hours_past_threshold) {
                line += &format!("; {} h {}", fmt_num(h), t.describe());
            }
            line += &match s.time_of_peak_h - tmax_h {
                lag if lag > 0.0 => format!(", {} after the plasma peak.", fmt_hours(lag)),
                _ => ".".into(),
            };
            items.push(line);
        }
        if let Some((_, tmax_h, _)) = f.schedules.first() {
            items.push(loop_words(e, *tmax_h));
        }
        if e.provenance.id.is_some() {
            items.push(format!(
                "Source: {} Confidence {}.",
                e.provenance.citation, e.provenance.confidence
            ));
        }
        items.extend(
            e.provenance
                .assumptions
                .iter()
                .map(|a| format!("ASSUMED: {a}.")),
        );
        out.push(Block::Heading(format!("Effect: {} ({id})", e.name)));
        out.push(Block::Bullets(items));
    }
    out
}
