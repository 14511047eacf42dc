//! The model section: CL, V1, Vss, the phases, the effect site, the metabolite, and how
//! the numbers change with body weight.

use super::numbers::{fmt_hours, fmt_num, ml_min_kg, pct};
use crate::report::document::Block;
use crate::report::table::Align;
use crate::teaching::{Body, Explanation, Phase};

/// The model's blocks.
pub(super) fn model(e: &Explanation) -> Vec<Block> {
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
        out.extend(
            b.phases
                .iter()
                .enumerate()
                .map(|(i, p)| phase_bullet(i, p, n)),
        );
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
