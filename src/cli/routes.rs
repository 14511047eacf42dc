//! `ketasim routes`: each route's default F, absorption, lag and source.

use crate::report::table::{Align, Table};
use crate::route::{Absorption, Route};
use crate::units::fmt_num;
use anyhow::Result;
use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `ketasim routes`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {}

pub(super) fn run(_args: &Args) -> Result<ExitCode> {
    std::io::stdout().lock().write_all(render().as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

fn absorption(a: Absorption) -> String {
    match a {
        Absorption::Direct => "direct into plasma".into(),
        Absorption::FirstOrder { ka_per_h } => format!(
            "first-order, ka {} /h (t½abs {} min)",
            fmt_num(ka_per_h),
            fmt_num(std::f64::consts::LN_2 / ka_per_h * 60.0)
        ),
        Absorption::ZeroOrder { duration_h } => {
            format!("zero-order over {} h", fmt_num(duration_h))
        }
    }
}

fn render() -> String {
    let mut t = Table::new(&[
        ("route", Align::Left),
        ("also written", Align::Left),
        ("F", Align::Right),
        ("absorption", Align::Left),
        ("lag", Align::Right),
        ("first-pass NK", Align::Right),
    ]);
    let mut sources = String::new();
    for route in Route::ALL {
        let d = route.defaults();
        let s = d.settings;
        let name = if d.assumption {
            format!("{route} (assumption)")
        } else {
            route.to_string()
        };
        t.row(vec![
            name,
            route.aliases().join(", "),
            match s.swallowed {
                Some(sw) => format!(
                    "{} nasal + {} swallowed",
                    fmt_num(s.bioavailability),
                    fmt_num(sw.fraction)
                ),
                None => fmt_num(s.bioavailability),
            },
            absorption(s.absorption),
            format!("{} min", fmt_num(s.lag_h * 60.0)),
            fmt_num(s.presystemic_fraction),
        ]);
        let _ = writeln!(
            sources,
            "{route}:\n  {}\n  {}",
            d.f_source, d.absorption_source
        );
    }
    format!(
        "Route defaults (override per model, scenario [routes.NAME] or dose):\n\n{}\n\
         A dose's route may be written as the name or any spelling under \"also written\", in any case.\n\nSources:\n{sources}\n\
         First-pass NK: fraction of a dose turned into norketamine before reaching the circulation; used only by models with a metabolite.\n\
         Intranasal has two pathways: the nasal share is absorbed by the mucosa at the ka shown; the swallowed share is given as an oral dose of the model (oral F, ka and first pass).\n{}\n",
        t.render(),
        crate::DISCLAIMER
    )
}
