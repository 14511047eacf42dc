//! `ketasim explain` for people: an [`Explanation`] in plain words and numbers, as
//! terminal text or as a Markdown handout (the same content; see [`super::document`]).

use super::document::{self, Block};
use super::figure::dose_label;
use super::table::Align;
use crate::explain::{
    Body, Explanation, InfusionFacts, Phase, RepeatFacts, RouteUse, ScheduleFacts,
};
use crate::route::{Absorption, Route};

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

/// Significant digits shown: a teaching handout needs the shape of a number, and three
/// digits keep the arithmetic in the text checkable by hand (0.693 × 252 / 79 = 2.21).
const DIGITS: i32 = 3;

/// A number to [`DIGITS`] significant digits, without trailing zeros ("2.21", "1400", "0.0123").
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (DIGITS - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A time for people: minutes below 1 h, hours below 3 days, days beyond (as `units::fmt_hours`).
pub fn fmt_hours(h: f64) -> String {
    if h < 1.0 {
        format!("{} min", fmt_num(h * 60.0))
    } else if h < 72.0 {
        format!("{} h", fmt_num(h))
    } else {
        format!("{} d", fmt_num(h / 24.0))
    }
}

/// mg/h or L/h per kg → per-minute per-kg in mL: L/h/kg × 1000 mL/L ÷ 60 min/h.
fn ml_min_kg(l_h: f64, kg: f64) -> f64 {
    l_h * 1000.0 / 60.0 / kg
}

fn pct(fraction: f64) -> String {
    format!("{}%", fmt_num(100.0 * fraction))
}

fn route_name(r: Route) -> &'static str {
    match r {
        Route::Iv => "IV",
        Route::Intramuscular => "Intramuscular",
        Route::Intranasal => "Intranasal",
        Route::Sublingual => "Sublingual",
        Route::Oral => "Oral",
        Route::Rectal => "Rectal",
        Route::Topical => "Topical",
    }
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
    b.push(Block::Paragraph(format!(
        "ketasim {} · {}",
        env!("CARGO_PKG_VERSION"),
        crate::DISCLAIMER
    )));
    b
}

fn model(e: &Explanation) -> Vec<Block> {
    let m = &e.model;
    let mut b = vec![
        Block::Heading("The model".into()),
        Block::Bullets(vec![
            format!(
                "Model: {} — {}, {} ({}).",
                m.id,
                m.title,
                m.drug.name(),
                m.population
            ),
            format!("Source: {}", m.citation),
            format!("Confidence: {}", m.confidence),
        ]),
    ];
    match e.bodies.as_slice() {
        [body] => b.push(Block::Bullets(body_bullets(body))),
        bodies => {
            b.push(weights_table(bodies));
            b.push(Block::Bullets(per_kg_bullets(bodies)));
        }
    }
    b
}

/// How weight changes the numbers, lightest against heaviest body.
fn per_kg_bullets(bodies: &[Body]) -> Vec<String> {
    let (Some(light), Some(heavy)) = (bodies.first(), bodies.last()) else {
        return Vec::new();
    };
    let kg = |b: &Body| fmt_num(b.weight_kg);
    let mut out = vec![
        format!(
            "Per kilogram, clearance is {} mL/min/kg at {} kg and {} mL/min/kg at {} kg, and the volume at steady state is {} and {} L/kg.",
            fmt_num(ml_min_kg(light.cl_l_h, light.weight_kg)),
            kg(light),
            fmt_num(ml_min_kg(heavy.cl_l_h, heavy.weight_kg)),
            kg(heavy),
            fmt_num(light.vss_l / light.weight_kg),
            fmt_num(heavy.vss_l / heavy.weight_kg),
        ),
        format!(
            "Terminal half-life: {} at {} kg, {} at {} kg. The same mg/kg dose gives about the same starting concentration when the volume per kg is the same; the body that clears more per kg loses it sooner.",
            fmt_hours(light.terminal_half_life_h()),
            kg(light),
            fmt_hours(heavy.terminal_half_life_h()),
            kg(heavy),
        ),
    ];
    out.extend(extras(heavy));
    out
}

fn half_lives(phases: &[Phase]) -> String {
    let t: Vec<String> = phases.iter().map(|p| fmt_hours(p.half_life_h)).collect();
    t.join(", ")
}

fn weights_table(bodies: &[Body]) -> Block {
    let columns = [
        ("weight", Align::Right),
        ("CL L/h", Align::Right),
        ("CL mL/min/kg", Align::Right),
        ("V1 L", Align::Right),
        ("Vss L", Align::Right),
        ("Vss L/kg", Align::Right),
        ("half-lives", Align::Left),
    ];
    Block::Table {
        columns: columns.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
        rows: bodies
            .iter()
            .map(|b| {
                vec![
                    format!("{} kg", fmt_num(b.weight_kg)),
                    fmt_num(b.cl_l_h),
                    fmt_num(ml_min_kg(b.cl_l_h, b.weight_kg)),
                    fmt_num(b.v1_l),
                    fmt_num(b.vss_l),
                    fmt_num(b.vss_l / b.weight_kg),
                    half_lives(&b.phases),
                ]
            })
            .collect(),
    }
}

fn phase_meaning(i: usize, n: usize) -> &'static str {
    match (i, n) {
        (_, 1) => "elimination",
        (0, 2) => "distribution into the tissues",
        (0, _) => "fast distribution",
        (1, 3) => "slow distribution",
        _ => "terminal elimination",
    }
}

fn phase_bullet(i: usize, p: &Phase, n: usize) -> String {
    format!(
        "{} half-life {} ({}): {} of the concentration just after an IV bolus falls away this fast; {} of the exposure (AUC) lies under this phase.",
        p.symbol,
        fmt_hours(p.half_life_h),
        phase_meaning(i, n),
        pct(p.share_of_c0),
        pct(p.share_of_auc)
    )
}

fn body_bullets(b: &Body) -> Vec<String> {
    let mut out = vec![
        format!(
            "Clearance CL = {} L/h ({} mL/min/kg): the volume of plasma cleared of drug every hour.",
            fmt_num(b.cl_l_h),
            fmt_num(ml_min_kg(b.cl_l_h, b.weight_kg))
        ),
        format!(
            "Central volume V1 = {} L; volume at steady state Vss = {} L ({} L/kg).",
            fmt_num(b.v1_l),
            fmt_num(b.vss_l),
            fmt_num(b.vss_l / b.weight_kg)
        ),
    ];
    if let [p] = b.phases.as_slice() {
        out.push(format!(
            "Half-life t½ = ln 2 × V / CL = 0.693 × {} L / {} L/h = {}: after a bolus the concentration halves every {}.",
            fmt_num(b.v1_l),
            fmt_num(b.cl_l_h),
            fmt_hours(p.half_life_h),
            fmt_hours(p.half_life_h)
        ));
    } else {
        let n = b.phases.len();
        out.extend(b.phases.iter().enumerate().map(|(i, p)| phase_bullet(i, p, n)));
    }
    out.extend(extras(b));
    out
}

/// The effect site and the metabolite of `b`, when the model has them.
fn extras(b: &Body) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(es) = &b.effect_site {
        out.push(format!(
            "Effect site: ke0 = {} /h, t½ke0 = {}: the concentration at the site of action follows the plasma with this half-time, so the effect peaks after the plasma does. ke0: {}.",
            fmt_num(es.ke0_per_h),
            fmt_hours(es.half_life_h),
            es.source
        ));
    }
    if let Some(m) = &b.metabolite {
        out.push(format!(
            "{}: formed from {} of the clearance; its own CL = {} L/h, Vss = {} L, half-lives {}.",
            m.name,
            pct(m.fraction_formed),
            fmt_num(m.cl_l_h),
            fmt_num(m.vss_l),
            half_lives(&m.phases)
        ));
    }
    out
}

fn schedule(e: &Explanation, s: &ScheduleFacts, several_weights: bool) -> Vec<Block> {
    let title = format!("Schedule: {}", s.name);
    let terminal = e.body(s.weight_kg).map_or(f64::NAN, Body::terminal_half_life_h);
    let mut items = Vec::new();
    if several_weights {
        items.push(format!("Body weight {} kg.", fmt_num(s.weight_kg)));
    }
    items.push(doses(s));
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
        "; by the stop the infusion has reached {} of it.",
        pct(i.fraction_reached)
    );
    out += &format!(" At the stop: {} ng/mL", fmt_num(i.c_end_ng_ml));
    match i.half_time_h {
        Some(h) => out + &format!(
            "; context-sensitive half-time {} (time for the plasma concentration to fall by half).",
            fmt_hours(h)
        ),
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
