//! `ketasim models [ID]`: the built-in models, or one in detail.

use crate::effect::library as effect_library;
use crate::effect::{Endpoint, Scale, Term};
use crate::limits::{range_text, within, WEIGHT_KG};
use crate::model::{library, Disposition, ModelSpec, Scaled, Scaling};
use crate::report::table::{Align, Table};
use crate::units::{fmt_hours as fmt_time, fmt_num, parse_weight_kg};
use anyhow::{bail, Result};
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `ketasim models`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Show this model in detail (e.g. kamp-2020).
    id: Option<String>,
    /// Body weight the parameters are shown for.
    #[arg(long, default_value = "70 kg")]
    weight: String,
}

pub(super) fn run(args: &Args) -> Result<ExitCode> {
    let weight = parse_weight_kg(&args.weight)
        .map_err(|e| crate::Error::invalid(format!("--weight: {}", e.found_text()), e.expected))?;
    if !within(weight, WEIGHT_KG) {
        bail!(crate::Error::invalid(
            format!("--weight {:?}", args.weight),
            range_text(WEIGHT_KG, "kg")
        ));
    }
    let text = match &args.id {
        None => list(weight),
        Some(id) => match (library::get(id), effect_library::get(id)) {
            (Some(spec), _) => detail(&spec, weight),
            (None, Some(e)) => endpoint_detail(&e),
            (None, None) => bail!(crate::Error::invalid(
                format!("unknown model {id:?}"),
                format!(
                    "one of {}, or a PD endpoint: {}",
                    library::IDS.join(", "),
                    effect_library::IDS.join(", ")
                )
            )),
        },
    };
    std::io::stdout().lock().write_all(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn structure(spec: &ModelSpec) -> String {
    let mut s = format!("{}-cmt", spec.compartments());
    if spec.ke0_per_h.is_some() {
        s += " + effect";
    }
    if spec.metabolite.is_some() {
        s += " + metabolite";
    }
    s
}

fn half_lives(d: &Disposition<f64>) -> String {
    d.half_lives_h()
        .into_iter()
        .map(fmt_time)
        .collect::<Vec<_>>()
        .join(", ")
}

fn list(weight: f64) -> String {
    let mut t = Table::new(&[
        ("id", Align::Left),
        ("drug", Align::Left),
        ("structure", Align::Left),
        ("CL (L/h)", Align::Right),
        ("Vss (L)", Align::Right),
        ("half-lives", Align::Left),
        ("population", Align::Left),
    ]);
    let specs = library::all();
    for spec in &specs {
        let d = spec.individual(weight).disposition;
        t.row(vec![
            spec.id.clone(),
            if spec.drug == crate::model::Drug::Racemic {
                "racemic".into()
            } else {
                "S-ketamine".into()
            },
            structure(spec),
            fmt_num(d.cl_l_h),
            fmt_num(d.vss_l()),
            half_lives(&d),
            spec.population.split(" (").next().unwrap_or("").to_string(),
        ]);
    }
    let mut out = format!(
        "Built-in models at {} kg (`ketasim models ID` for details):\n\n{}\n",
        fmt_num(weight),
        t.render()
    );
    for spec in &specs {
        let _ = writeln!(out, "{:14} {}", spec.id, spec.citation);
    }
    out + &endpoint_list()
        + &format!(
            "\nDefault: {}. {}\n",
            library::DEFAULT_MODEL,
            crate::DISCLAIMER
        )
}

/// "Emax −0.939 × E0, EC50 560 ng/mL, Hill 3.71" or "slope −0.038 per ng/mL".
fn term_text(t: &Term, scale: Scale) -> String {
    match *t {
        Term::Emax {
            emax,
            ec50_ng_ml,
            hill,
        } => format!(
            "Emax {}{}, EC50 {} ng/mL, Hill {}",
            fmt_num(emax),
            if scale == Scale::FractionOfBaseline {
                " × E0"
            } else {
                ""
            },
            fmt_num(ec50_ng_ml),
            fmt_num(hill)
        ),
        Term::Linear { slope_per_ng_ml } => format!("slope {} per ng/mL", fmt_num(slope_per_ng_ml)),
    }
}

/// The built-in PD endpoints, each beside the PK it was estimated with.
fn endpoint_list() -> String {
    let mut t = Table::new(&[
        ("pd", Align::Left),
        ("endpoint", Align::Left),
        ("t½ke0", Align::Right),
        ("estimated with", Align::Left),
        ("complete", Align::Left),
    ]);
    for e in effect_library::all() {
        t.row(vec![
            e.provenance.id.clone().unwrap_or_default(),
            format!("{} ({})", e.name, e.unit),
            e.t_half_ke0_text(),
            e.provenance
                .estimated_with
                .clone()
                .unwrap_or_else(|| "own PK, not built in".into()),
            match e.provenance.assumptions.len() {
                0 => "yes".into(),
                n => format!("no: {n} assumed"),
            },
        ]);
    }
    format!(
        "\nBuilt-in PD endpoints (`[[effect]] pd = ID`; `ketasim models ID` for details):\n\n{}",
        t.render()
    )
}

/// One PD endpoint in detail.
fn endpoint_detail(e: &Endpoint) -> String {
    let id = e.provenance.id.clone().unwrap_or_default();
    let r = &e.response;
    let mut out = format!("{id} — {} ({})\n\n", e.name, e.unit);
    let _ = writeln!(out, "Source:      {}", e.provenance.citation);
    let _ = writeln!(out, "Confidence:  {}", e.provenance.confidence);
    let _ = writeln!(out, "PK:          {}", e.provenance.pk_note);
    let _ = writeln!(out, "Baseline E0: {}", fmt_num(r.baseline));
    let _ = writeln!(out, "Parent:      {}", term_text(&r.parent, r.scale));
    if let Some(m) = &r.metabolite {
        let _ = writeln!(
            out,
            "Metabolite:  {} (added to the parent's)",
            term_text(m, r.scale)
        );
    }
    let _ = writeln!(
        out,
        "Effect site: t½ke0 {} (ke0 {} /h)",
        e.t_half_ke0_text(),
        fmt_num(e.ke0_per_h)
    );
    for a in &e.provenance.assumptions {
        let _ = writeln!(out, "ASSUMED:     {a}");
    }
    out + &format!("\n{}\n", crate::DISCLAIMER)
}

fn scaling(s: &Scaled) -> String {
    match s.scaling {
        Scaling::Fixed => "not weight-scaled".into(),
        Scaling::Allometric(e) if (e - 1.0).abs() < 1e-12 => "∝ weight".into(),
        Scaling::Allometric(e) => format!("∝ weight^{}", fmt_num(e)),
    }
}

fn parameters(out: &mut String, label: &str, spec: &Disposition<Scaled>, d: &Disposition<f64>) {
    let mut t = Table::new(&[
        ("parameter", Align::Left),
        ("value", Align::Right),
        ("unit", Align::Left),
        ("scaling", Align::Left),
    ]);
    t.row(vec![
        "CL".into(),
        fmt_num(d.cl_l_h),
        "L/h".into(),
        scaling(&spec.cl_l_h),
    ]);
    t.row(vec![
        "V1".into(),
        fmt_num(d.v1_l),
        "L".into(),
        scaling(&spec.v1_l),
    ]);
    for (i, (p, s)) in d.peripherals.iter().zip(&spec.peripherals).enumerate() {
        t.row(vec![
            format!("Q{}", i + 2),
            fmt_num(p.q_l_h),
            "L/h".into(),
            scaling(&s.q_l_h),
        ]);
        t.row(vec![
            format!("V{}", i + 2),
            fmt_num(p.v_l),
            "L".into(),
            scaling(&s.v_l),
        ]);
    }
    let k = d.micro();
    let mut micro = format!("k10 {}", fmt_num(k.k10));
    for (i, p) in d.peripherals.iter().enumerate() {
        let _ = write!(
            micro,
            ", k1{j} {}, k{j}1 {}",
            fmt_num(p.q_l_h / d.v1_l),
            fmt_num(p.q_l_h / p.v_l),
            j = i + 2
        );
    }
    let _ = write!(
        out,
        "\n{label}\n{}\nMicro-constants (1/h): {micro}\nVss {} L; half-lives {}\n",
        t.render(),
        fmt_num(d.vss_l()),
        half_lives(d)
    );
}

fn detail(spec: &ModelSpec, weight: f64) -> String {
    let m = spec.individual(weight);
    let mut out = format!("{} — {}\n\n", spec.id, spec.title);
    let _ = writeln!(out, "Drug:        {}", spec.drug.name());
    let _ = writeln!(out, "Population:  {}", spec.population);
    let _ = writeln!(out, "Source:      {}", spec.citation);
    let _ = writeln!(out, "Confidence:  {}", spec.confidence);
    parameters(
        &mut out,
        &format!("Parameters at {} kg:", fmt_num(weight)),
        &spec.disposition,
        &m.disposition,
    );
    match m.ke0_per_h {
        Some(ke0) => {
            let t_half = fmt_time(std::f64::consts::LN_2 / ke0);
            let _ = writeln!(
                out,
                "\nEffect site: ke0 {} /h (t½ke0 {t_half}). {}",
                fmt_num(ke0),
                spec.ke0_source
            );
        }
        None => out += "\nEffect site: none (no published ke0).\n",
    }
    let bsv = match crate::model::library::published_variability(&spec.id) {
        Some(v) => format!("{}; source: {}", v.describe(), v.source),
        None => {
            "none published; a [population] varies only what [population.variability] gives".into()
        }
    };
    let _ = writeln!(out, "Between-subject variability (log-normal CV): {bsv}");
    if let (Some(ms), Some(mm)) = (&spec.metabolite, &m.metabolite) {
        let label = format!(
            "Metabolite {} (fraction of parent clearance forming it: {}):",
            mm.name,
            fmt_num(mm.fraction_formed)
        );
        parameters(&mut out, &label, &ms.disposition, &mm.disposition);
    }
    for (route, o) in &spec.route_overrides {
        let mut parts = Vec::new();
        if let Some(f) = o.bioavailability {
            parts.push(format!("F {}", fmt_num(f)));
        }
        if let Some(p) = o.presystemic_fraction {
            parts.push(format!("first-pass metabolite fraction {}", fmt_num(p)));
        }
        let _ = writeln!(
            out,
            "Route setting published with this model: {route}: {}",
            parts.join(", ")
        );
    }
    for note in &spec.notes {
        let _ = writeln!(out, "Note: {note}");
    }
    for e in effect_library::all() {
        if e.provenance.estimated_with.as_deref() == Some(spec.id.as_str()) {
            let _ = writeln!(
                out,
                "PD endpoint estimated with this model: {} — {} ({}), confidence {}",
                e.provenance.id.clone().unwrap_or_default(),
                e.name,
                e.unit,
                e.provenance.confidence
            );
        }
    }
    out + &format!("\n{}\n", crate::DISCLAIMER)
}
