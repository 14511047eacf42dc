//! `ketasim explain` for people: an [`Explanation`] in plain words and numbers, as
//! terminal text or as a Markdown handout (the same content; see [`super::document`]).

mod effect;
mod model;
pub mod numbers;
mod population;
mod tci;

use super::document::{self, Block};
use super::figure::dose_label;
use super::table::Align;
use crate::route::{Absorption, Route};
use crate::teaching::{Body, Explanation, InfusionFacts, RepeatFacts, RouteUse, ScheduleFacts};
use model::model;
use numbers::{fmt_hours, fmt_num, pct, route_name};

/// Lists of infusions longer than this are shortened to the first and last few.
const MAX_INFUSIONS_LISTED: usize = 6;

/// The explanation as terminal text.
pub fn text(e: &Explanation) -> String {
    document::text(&blocks(e, None))
}

/// The explanation as a Markdown handout; `plot` is the PNG's path relative to it.
pub fn markdown(e: &Explanation, plot: &str) -> String {
    document::markdown(&blocks(e, Some(plot)))
}

/// The document's blocks; `plot` adds the image (Markdown).
pub fn blocks(e: &Explanation, plot: Option<&str>) -> Vec<Block> {
    let mut b = vec![Block::Title(e.name.clone())];
    if !e.lesson.is_empty() {
        b.push(Block::Paragraph(e.lesson.clone()));
    }
    if let Some(p) = plot {
        b.push(Block::Image {
            alt: e.name.clone(),
            path: p.to_string(),
        });
    }
    b.extend(model(e));
    let several_weights = e.bodies.len() > 1;
    for s in &e.schedules {
        b.extend(schedule(e, s, several_weights));
    }
    b.extend(routes_compared(e));
    b.extend(population::blocks(&e.population));
    b.extend(effect::blocks(&e.effects));
    b.push(Block::Paragraph(format!(
        "ketasim {} · {}",
        env!("CARGO_PKG_VERSION"),
        crate::DISCLAIMER
    )));
    b
}

fn schedule(e: &Explanation, s: &ScheduleFacts, several_weights: bool) -> Vec<Block> {
    let title = format!("Schedule: {}", s.name);
    let terminal = e
        .body(s.weight_kg)
        .map_or(f64::NAN, Body::terminal_half_life_h);
    let mut items = Vec::new();
    if several_weights {
        items.push(format!("Body weight {} kg.", fmt_num(s.weight_kg)));
    }
    if !s.doses.is_empty() {
        items.push(doses(s));
    }
    if let Some(t) = &s.tci {
        items.extend(tci::bullets(t));
    }
    items.push(peaks(e, s));
    let only_iv = e
        .schedules
        .iter()
        .flat_map(|s| &s.routes)
        .all(|r| r.route == Route::Iv);
    if !only_iv {
        items.extend(s.routes.iter().map(route_bullet));
    }
    items.extend(s.repeats.iter().map(|r| repeat_bullet(r, terminal)));
    items.extend(infusion_bullets(&s.infusions, terminal));
    vec![Block::Heading(title), Block::Bullets(items)]
}

/// "Doses: IV 35 mg, then IV 10.5 mg/h for 12 h", with repeats counted.
fn doses(s: &ScheduleFacts) -> String {
    let mut labels: Vec<(String, usize)> = Vec::new();
    for d in &s.doses {
        let l = dose_label(d);
        match labels.iter_mut().find(|(x, _)| *x == l) {
            Some((_, n)) => *n += 1,
            None => labels.push((l, 1)),
        }
    }
    let parts: Vec<String> = labels
        .into_iter()
        .map(|(l, n)| if n > 1 { format!("{l} ×{n}") } else { l })
        .collect();
    format!("Doses: {}.", parts.join(", then "))
}

fn peaks(e: &Explanation, s: &ScheduleFacts) -> String {
    let p = s.plasma_peak;
    let mut out = format!(
        "Plasma peak {} ng/mL at {}; exposure AUC {} ng·h/mL over the {} shown.",
        fmt_num(p.c_ng_ml),
        fmt_hours(p.t_h),
        fmt_num(s.auc_ng_h_ml),
        fmt_hours(e.duration_h)
    );
    if let Some(ef) = s.effect_peak {
        out += &format!(
            " The effect site peaks at {} ng/mL at {}",
            fmt_num(ef.c_ng_ml),
            fmt_hours(ef.t_h)
        );
        out += &match ef.t_h - p.t_h {
            lag if lag > 0.0 => format!(", {} after the plasma.", fmt_hours(lag)),
            _ => ".".into(),
        };
    }
    if let (Some(m), Some(name)) = (
        s.metabolite_peak,
        e.bodies.first().and_then(|b| b.metabolite.as_ref()),
    ) {
        out += &format!(
            " {} peaks at {} ng/mL at {}.",
            name.name,
            fmt_num(m.c_ng_ml),
            fmt_hours(m.t_h)
        );
    }
    out
}

fn absorption_words(r: &RouteUse) -> String {
    match r.absorption {
        Absorption::Direct => String::new(),
        Absorption::FirstOrder { ka_per_h } => format!(
            "absorbed at ka = {} /h, an absorption half-life of {}: the slower the absorption, the lower and later the peak",
            fmt_num(ka_per_h),
            fmt_hours(std::f64::consts::LN_2 / ka_per_h)
        ),
        Absorption::ZeroOrder { duration_h } => format!(
            "absorbed at a constant rate over {} (the wear time)",
            fmt_hours(duration_h)
        ),
    }
}

/// The two pathways of a nasal spray: the mucosal share (F above) and the swallowed share
/// with its oral first pass.
fn swallowed_words(r: &RouteUse, sw: &crate::route::Swallowed) -> String {
    let reaches = sw.fraction * sw.bioavailability;
    let mut out = format!(
        " Nasal fraction: the F above is the {} absorbed fast through the nasal mucosa. Swallowed fraction: the other {} runs down the throat and is absorbed as an oral dose, with oral F = {}, so {} of the dose arrives later by this path (total F = {}).",
        pct(r.bioavailability),
        pct(sw.fraction),
        fmt_num(sw.bioavailability),
        pct(reaches),
        fmt_num(r.bioavailability + reaches),
    );
    out += &if sw.presystemic_fraction > 0.0 {
        format!(
            " First pass of the swallowed part: {} of the dose becomes metabolite in gut wall and liver before reaching the circulation.",
            pct(sw.fraction * sw.presystemic_fraction)
        )
    } else {
        format!(
            " First pass of the swallowed part: the other {} of the dose is metabolised in gut wall and liver before reaching the circulation.",
            pct(sw.fraction * (1.0 - sw.bioavailability))
        )
    };
    out
}

fn route_bullet(r: &RouteUse) -> String {
    let times = if r.doses > 1 {
        format!(" ({} doses)", r.doses)
    } else {
        String::new()
    };
    let mut out = match r.absorption {
        Absorption::Direct => format!(
            "{} {} mg{times}: F = {}, {} of the dose goes straight into the blood.",
            route_name(r.route),
            fmt_num(r.amount_mg),
            fmt_num(r.bioavailability),
            pct(r.bioavailability),
        ),
        _ => format!(
            "{} {} mg{times}: F = {}, so {} of the dose reaches the blood as the parent drug; {}.",
            route_name(r.route),
            fmt_num(r.amount_mg),
            fmt_num(r.bioavailability),
            pct(r.bioavailability),
            absorption_words(r)
        ),
    };
    if r.lag_h > 0.0 {
        out += &format!(" Absorption starts after a lag of {}.", fmt_hours(r.lag_h));
    }
    match r.first_pass_metabolite {
        Some(f) => out += &format!(
            " First pass: {} of the dose is turned into metabolite in the gut wall and liver before it reaches the circulation.",
            pct(f)
        ),
        None if r.route == Route::Oral => out += &format!(
            " The other {} is lost before reaching the circulation, mostly to first-pass metabolism in gut wall and liver.",
            pct(1.0 - r.bioavailability)
        ),
        None => {}
    }
    if let Some(sw) = r.swallowed {
        out += &swallowed_words(r, &sw);
    }
    if r.assumption {
        out += " ASSUMPTION: no human data give these numbers.";
    }
    out
}

fn unit_label(r: &RepeatFacts) -> String {
    let labels: Vec<String> = r
        .unit
        .iter()
        .map(|d| match d.time_h > 0.0 {
            true => format!("{} at +{}", dose_label(d), fmt_hours(d.time_h)),
            false => dose_label(d),
        })
        .collect();
    labels.join(" + ")
}

fn repeat_bullet(r: &RepeatFacts, terminal_half_life_h: f64) -> String {
    let mut out = format!(
        "Repeated: {} every {}, {} times{}.",
        unit_label(r),
        fmt_hours(r.interval_h),
        r.times,
        if r.starts_at_steady_state {
            ", starting at steady state"
        } else {
            ""
        }
    );
    match r.time_to_90_h {
        Some(t90) if t90 <= r.interval_h => {
            out += &format!(
                " Steady state is reached within the first interval (90% after {}): each dose starts from almost nothing.",
                fmt_hours(t90)
            );
        }
        Some(t90) => {
            out += &format!(
                " 90% of steady state is reached {} after the first dose ({} dosing intervals, {} terminal half-lives).",
                fmt_hours(t90),
                fmt_num(t90 / r.interval_h),
                fmt_num(t90 / terminal_half_life_h)
            );
        }
        None => {}
    }
    if let Some(ratio) = r.accumulation_ratio {
        out += &format!(
            " Accumulation ratio R = {} (exposure of one interval at steady state ÷ exposure of the first interval, from the model).",
            fmt_num(ratio)
        );
    }
    out + &format!(
        " First interval: peak {} ng/mL. At steady state: peak {} ng/mL, trough {} ng/mL.",
        fmt_num(r.first_peak_ng_ml),
        fmt_num(r.steady_peak_ng_ml),
        fmt_num(r.steady_trough_ng_ml)
    )
}

fn infusion_bullet(i: &InfusionFacts, terminal_half_life_h: f64) -> String {
    let mut out = format!(
        "Infusion {}, from {} to {}: this rate would settle at {} ng/mL (rate × F / CL); 90% of that takes {}",
        dose_label(&i.dose),
        fmt_hours(i.dose.time_h),
        fmt_hours(i.end_h),
        fmt_num(i.steady_state_ng_ml),
        i.time_to_90_h.map_or("for ever".into(), |t| format!(
            "{} ({} terminal half-lives)",
            fmt_hours(t),
            fmt_num(t / terminal_half_life_h)
        )),
    );
    out += &format!(
        "; by the stop this infusion alone has reached {} of it.",
        pct(i.fraction_reached)
    );
    out += &format!(" At the stop: {} ng/mL", fmt_num(i.c_end_ng_ml));
    match i.half_time_h {
        Some(h) => {
            out + &format!(
            "; context-sensitive half-time {} (time for the plasma concentration to fall by half).",
            fmt_hours(h)
        )
        }
        None => out + "; it does not fall by half once the infusion stops.",
    }
}

fn infusion_bullets(infusions: &[InfusionFacts], terminal_half_life_h: f64) -> Vec<String> {
    let bullet = |i: &InfusionFacts| infusion_bullet(i, terminal_half_life_h);
    let n = infusions.len();
    if n <= MAX_INFUSIONS_LISTED {
        return infusions.iter().map(bullet).collect();
    }
    let (head, tail) = (MAX_INFUSIONS_LISTED / 2, 2);
    let mut out: Vec<String> = infusions[..head].iter().map(bullet).collect();
    out.push(format!("… {} more infusions …", n - head - tail));
    out.extend(infusions[n - tail..].iter().map(bullet));
    out
}

fn routes_compared(e: &Explanation) -> Vec<Block> {
    let rows: Vec<Vec<String>> = e
        .schedules
        .iter()
        .flat_map(|s| s.routes.iter().map(move |r| (s, r)))
        .map(|(s, r)| {
            vec![
                s.name.clone(),
                route_name(r.route).to_string(),
                fmt_num(r.bioavailability),
                r.absorption_half_life_h().map_or("–".into(), fmt_hours),
                r.first_pass_metabolite.map_or("–".into(), pct),
                fmt_num(s.plasma_peak.c_ng_ml),
                fmt_hours(s.plasma_peak.t_h),
                fmt_num(s.auc_ng_h_ml),
            ]
        })
        .collect();
    let mut routes: Vec<&str> = rows.iter().map(|r| r[1].as_str()).collect();
    routes.dedup();
    if routes.len() < 2 {
        return Vec::new();
    }
    let columns = [
        ("schedule", Align::Left),
        ("route", Align::Left),
        ("F", Align::Right),
        ("absorption t½", Align::Right),
        ("first pass → metabolite", Align::Right),
        ("peak ng/mL", Align::Right),
        ("at", Align::Right),
        ("AUC ng·h/mL", Align::Right),
    ];
    vec![
        Block::Heading("Why the peaks differ".into()),
        Block::Table {
            columns: columns.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows,
        },
        Block::Paragraph(
            "Bioavailability F sets how much of the dose reaches the blood, and so the area under the curve (AUC = F × dose / CL). The absorption half-life sets how fast it arrives: the slower the absorption, the lower and later the peak. A swallowed dose passes the gut wall and the liver before the circulation (the first pass): much of it is metabolised there, to norketamine, before it can be measured as ketamine."
                .into(),
        ),
    ]
}
