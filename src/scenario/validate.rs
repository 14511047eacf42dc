//! Scenario as written → [`Scenario`]: units read, ranges checked, repeats expanded.
//! Every error names the file, line and column of the offending value.

use super::routes::{route_tables, AbsorptionKeys};
use super::schema::{DoseTable, ScenarioFile, ScheduleTable, Text};
use super::{Outputs, PerKg, Scenario, Schedule};
use crate::dosing::{route_settings, Delivery, Dose, SteadyStart};
use crate::error::{Locator, Result};
use crate::model::{library, ModelSpec};
use crate::route::{Route, RouteOverride};
use crate::solver::SolverKind;
use crate::units::{self, fmt_num, UnitError};
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

/// More output points than this per schedule is almost certainly a unit slip.
const MAX_POINTS: f64 = 2_000_000.0;
/// Heaviest plausible patient (kg); beyond it the weight is a typo.
const MAX_WEIGHT_KG: f64 = 500.0;

/// Read a quantity, turning a unit error into a located error.
pub(super) fn read<T>(
    at: &Locator,
    s: &Text,
    parse: fn(&str) -> std::result::Result<T, UnitError>,
) -> Result<T> {
    parse(s.get_ref()).map_err(|e| at.error(s.span().start, e.to_string()))
}

/// Read a quantity that must be greater than zero.
pub(super) fn positive(
    at: &Locator,
    s: &Text,
    what: &str,
    parse: fn(&str) -> std::result::Result<f64, UnitError>,
) -> Result<f64> {
    let v = read(at, s, parse)?;
    if v <= 0.0 {
        return Err(at.error(
            s.span().start,
            format!("{what} {:?} must be greater than zero", s.get_ref()),
        ));
    }
    Ok(v)
}

pub(super) fn fraction(
    at: &Locator,
    f: &Spanned<f64>,
    what: &str,
    allow_zero: bool,
) -> Result<f64> {
    let v = *f.get_ref();
    let ok = v.is_finite() && v <= 1.0 && (v > 0.0 || (allow_zero && v == 0.0));
    if !ok {
        let range = if allow_zero {
            "from 0 to 1"
        } else {
            "greater than 0 and at most 1"
        };
        return Err(at.error(
            f.span().start,
            format!("{what} is {v}; expected a fraction {range}"),
        ));
    }
    Ok(v)
}

/// The validated scenario of `file`.
pub fn scenario(file: ScenarioFile, at: &Locator) -> Result<Scenario> {
    if file.name.get_ref().trim().is_empty() {
        return Err(at.error(
            file.name.span().start,
            "name is empty; expected a title for the scenario",
        ));
    }
    let patient_weight_kg = weight(at, &file)?;
    let model = match &file.model {
        Some(m) => m.get_ref().spec(at, m.span().start)?,
        None => library::get(library::DEFAULT_MODEL).expect("the default model is built in"),
    };
    let sim = file.simulation.get_ref();
    let duration_h = positive(at, &sim.duration, "duration", units::parse_duration_h)?;
    let output_every_h = match &sim.output_every {
        Some(s) => positive(at, s, "output_every", units::parse_duration_h)?,
        None => 1.0 / 60.0,
    };
    if duration_h / output_every_h > MAX_POINTS {
        let s = sim.output_every.as_ref().unwrap_or(&sim.duration);
        return Err(at.error(s.span().start, format!("{} output points per schedule; expected at most {MAX_POINTS}: use a longer output_every", fmt_num(duration_h / output_every_h))));
    }
    let solver = match &sim.solver {
        Some(s) => SolverKind::parse(s.get_ref()).ok_or_else(|| {
            at.error(
                s.span().start,
                format!("unknown solver {:?}; expected exact or ode", s.get_ref()),
            )
        })?,
        None => SolverKind::Exact,
    };
    let mut models = BTreeMap::new();
    for (name, table) in &file.models {
        if library::get(name.get_ref()).is_some() {
            return Err(at.error(
                name.span().start,
                format!(
                    "[models.{}] has the id of a built-in model; expected a name of its own",
                    name.get_ref()
                ),
            ));
        }
        let mut spec = table.get_ref().spec(at, table.span().start)?;
        if spec.network.is_some() || spec.id == "custom" {
            spec.id = name.get_ref().clone();
        }
        models.insert(name.get_ref().clone(), spec);
    }
    let population = super::population::from_file(at, &file, &model, duration_h / output_every_h)?;
    let weight_kg = super::population::typical_weight_kg(&file, &population, patient_weight_kg);
    let routes = route_tables(at, &file.routes)?;
    let context = Context {
        at,
        model: &model,
        models: &models,
        routes: &routes,
        weight_kg,
        duration_h,
    };
    if file.schedule.is_empty() {
        return Err(at.file_error("no [[schedule]]; expected at least one schedule with doses"));
    }
    let mut schedules: Vec<Schedule> = Vec::new();
    for s in &file.schedule {
        let schedule = context.schedule(s.get_ref())?;
        if schedules.iter().any(|o| o.name == schedule.name) {
            return Err(at.error(
                s.get_ref().name.span().start,
                format!(
                    "two schedules are named {:?}; names must differ",
                    schedule.name
                ),
            ));
        }
        schedules.push(schedule);
    }
    if let (Some(p), Some(s)) = (
        &file.population,
        schedules.iter().find(|s| s.model.network.is_some()),
    ) {
        return Err(at.error(
            p.span().start,
            format!(
                "schedule {:?} runs on a written network ({}); a [population] varies the mammillary parameters, so it needs built-in or shorthand models",
                s.name, s.model.id
            ),
        ));
    }
    let path = at.path.to_path_buf();
    let stem = path
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    let plot = super::plot::settings(at, &file, &model)?;
    let mut outputs = Outputs::in_dir(std::path::Path::new("outputs"), &stem);
    if let Some(p) = plot.file {
        outputs.plot = p;
    }
    if let Some(o) = &file.output {
        let o = o.get_ref();
        outputs.csv = o
            .csv
            .as_ref()
            .map_or(outputs.csv, |s| PathBuf::from(s.get_ref()));
        outputs.summary = o
            .summary
            .as_ref()
            .map_or(outputs.summary, |s| PathBuf::from(s.get_ref()));
    }
    Ok(Scenario {
        path,
        name: file.name.into_inner(),
        description: file.description.unwrap_or_default().trim().to_string(),
        weight_kg,
        model,
        duration_h,
        output_every_h,
        solver,
        schedules,
        bands: plot.bands,
        log_y: plot.log_y,
        lower_panel: plot.lower_panel,
        effect_on_plasma_axes: plot.effect_on_plasma_axes,
        outputs,
        population,
    })
}

fn weight(at: &Locator, file: &ScenarioFile) -> Result<f64> {
    match file
        .patient
        .as_ref()
        .and_then(|p| p.get_ref().weight.as_ref())
    {
        Some(w) => weight_kg(at, w),
        None => Ok(crate::model::REFERENCE_WEIGHT_KG),
    }
}

pub(super) fn weight_kg(at: &Locator, w: &Text) -> Result<f64> {
    let kg = read(at, w, units::parse_weight_kg)?;
    if kg <= 0.0 || kg > MAX_WEIGHT_KG {
        return Err(at.error(
            w.span().start,
            format!(
                "weight {:?}; expected more than 0 kg and at most {MAX_WEIGHT_KG} kg",
                w.get_ref()
            ),
        ));
    }
    Ok(kg)
}

pub(super) fn route_name(at: &Locator, s: &Text) -> Result<Route> {
    Route::parse(s.get_ref()).ok_or_else(|| {
        let ids: Vec<&str> = Route::ALL.iter().map(|r| r.id()).collect();
        at.error(
            s.span().start,
            format!(
                "unknown route {:?}; expected one of {} (see `ketasim routes`)",
                s.get_ref(),
                ids.join(", ")
            ),
        )
    })
}

/// What every dose needs to be read.
#[derive(Clone, Copy)]
struct Context<'a> {
    at: &'a Locator<'a>,
    model: &'a ModelSpec,
    models: &'a BTreeMap<String, ModelSpec>,
    routes: &'a BTreeMap<Route, RouteOverride>,
    weight_kg: f64,
    duration_h: f64,
}

impl Context<'_> {
    fn schedule(&self, s: &ScheduleTable) -> Result<Schedule> {
        let at = self.at;
        let weight_kg = s
            .weight
            .as_ref()
            .map(|w| weight_kg(at, w))
            .transpose()?
            .unwrap_or(self.weight_kg);
        let model = match &s.model {
            Some(m) => self.named_model(m)?,
            None => self.model.clone(),
        };
        let this = Context {
            weight_kg,
            model: &model,
            ..*self
        };
        if s.name.get_ref().trim().is_empty() {
            return Err(at.error(
                s.name.span().start,
                "schedule name is empty; expected a label for the legend",
            ));
        }
        if s.doses.get_ref().is_empty() {
            return Err(at.error(
                s.doses.span().start,
                format!(
                    "schedule {:?} has no doses; expected at least one",
                    s.name.get_ref()
                ),
            ));
        }
        let mut doses: Vec<(Dose, PerKg)> = Vec::new();
        let mut steady = Vec::new();
        for d in s.doses.get_ref() {
            let (expanded, start, per_kg) = this.dose(d.get_ref())?;
            doses.extend(expanded.into_iter().map(|x| (x, per_kg)));
            steady.extend(start.map(|x| (x, per_kg)));
        }
        doses.sort_by(|a, b| a.0.time_h.total_cmp(&b.0.time_h));
        Ok(Schedule {
            name: s.name.get_ref().trim().to_string(),
            weight_kg,
            model,
            dose_per_kg: doses.iter().map(|d| d.1).collect(),
            doses: doses.into_iter().map(|d| d.0).collect(),
            steady_per_kg: steady.iter().map(|d| d.1).collect(),
            steady: steady.into_iter().map(|d| d.0).collect(),
        })
    }

    /// The model a schedule names: a `[models.NAME]` of this file, or a built-in id.
    fn named_model(&self, name: &Text) -> Result<ModelSpec> {
        if let Some(m) = self.models.get(name.get_ref()) {
            return Ok(m.clone());
        }
        library::get(name.get_ref()).ok_or_else(|| {
            let mut known: Vec<&str> = self.models.keys().map(String::as_str).collect();
            known.extend(library::IDS);
            self.at.error(
                name.span().start,
                format!(
                    "unknown model {:?}; expected a [models.NAME] of this file or a built-in id: {}",
                    name.get_ref(),
                    known.join(", ")
                ),
            )
        })
    }

    /// A route into a written network must name a compartment (IV: plasma), and takes no
    /// absorption settings: the network's compartments are the absorption.
    fn network_route(&self, d: &DoseTable, route: Route) -> Result<()> {
        let Some(net) = &self.model.network else {
            return Ok(());
        };
        if route != Route::Iv && net.route_target(route).is_none() {
            let listed: Vec<&str> = net.routes.iter().map(|(r, _)| r.id()).collect();
            return Err(self.at.error(
                d.route.span().start,
                format!(
                    "model {} doses {} into no compartment; expected a route its [model.routes] names (iv{}{})",
                    self.model.id,
                    route.id(),
                    if listed.is_empty() { "" } else { ", " },
                    listed.join(", ")
                ),
            ));
        }
        if self
            .routes
            .get(&route)
            .is_some_and(|o| o.ka_per_h.is_some())
        {
            return Err(self.at.error(
                d.route.span().start,
                format!("model {} is a network: its flows set absorption; expected no ka or absorption_half_life in [routes.{}]", self.model.id, route.id()),
            ));
        }
        if let Some(k) = d.ka.as_ref().or(d.absorption_half_life.as_ref()) {
            return Err(self.at.error(
                k.span().start,
                format!("model {} is a network: its flows set absorption; expected no ka or absorption_half_life here", self.model.id),
            ));
        }
        Ok(())
    }

    fn amount_mg(&self, s: &Text) -> Result<f64> {
        let mg = read(self.at, s, units::parse_amount)?.resolve_mg(self.weight_kg);
        if mg <= 0.0 {
            return Err(self.at.error(
                s.span().start,
                format!("amount {:?} must be greater than zero", s.get_ref()),
            ));
        }
        Ok(mg)
    }

    fn rate_mg_h(&self, s: &Text) -> Result<f64> {
        let r = read(self.at, s, units::parse_rate)?.resolve_mg_per_h(self.weight_kg);
        if r <= 0.0 {
            return Err(self.at.error(
                s.span().start,
                format!("rate {:?} must be greater than zero", s.get_ref()),
            ));
        }
        Ok(r)
    }

    /// Amount and delivery from `amount`, `rate` and `over`.
    fn delivery(&self, d: &DoseTable) -> Result<(f64, Delivery)> {
        let at = self.at;
        let over = d
            .over
            .as_ref()
            .map(|o| positive(at, o, "over", units::parse_duration_h))
            .transpose()?;
        match (&d.amount, &d.rate, over) {
            (Some(a), None, None) => Ok((self.amount_mg(a)?, Delivery::Bolus)),
            (Some(a), None, Some(h)) => Ok((self.amount_mg(a)?, Delivery::Duration { h })),
            (Some(a), Some(r), None) => Ok((
                self.amount_mg(a)?,
                Delivery::Rate {
                    mg_per_h: self.rate_mg_h(r)?,
                },
            )),
            (None, Some(r), Some(h)) => {
                let rate = self.rate_mg_h(r)?;
                Ok((rate * h, Delivery::Duration { h }))
            }
            (Some(_), Some(r), Some(_)) => Err(at.error(
                r.span().start,
                "give two of amount, rate and over, not all three",
            )),
            (None, Some(r), None) => Err(at.error(
                r.span().start,
                "a rate needs `over` (how long) or `amount` (how much)",
            )),
            (None, None, _) => Err(at.error(
                d.route.span().start,
                "this dose has no amount; expected `amount`, or `rate` with `over`",
            )),
        }
    }

    /// The doses one dose table stands for (repeats expanded), its steady-state start, and
    /// which of its parts are per kg.
    fn dose(&self, d: &DoseTable) -> Result<(Vec<Dose>, Option<SteadyStart>, PerKg)> {
        let at = self.at;
        let route = route_name(at, &d.route)?;
        self.network_route(d, route)?;
        let (amount_mg, delivery) = self.delivery(d)?;
        let start =
            d.at.as_ref()
                .map(|s| read(at, s, units::parse_duration_h))
                .transpose()?
                .unwrap_or(0.0);
        if start > self.duration_h {
            let s = d.at.as_ref().expect("a start after 0 was given");
            return Err(at.error(s.span().start, format!("dose at {} h is after the end of the simulation ({} h); expected a time within the duration", fmt_num(start), fmt_num(self.duration_h))));
        }
        let keys = AbsorptionKeys {
            bioavailability: &d.bioavailability,
            ka: &d.ka,
            absorption_half_life: &d.absorption_half_life,
            lag: &d.lag,
        };
        let o = keys.read(at, route)?;
        let scenario_override = self.routes.get(&route).copied().unwrap_or_default();
        let settings = route_settings(self.model, route, &[&scenario_override, &o]);
        let dose = Dose {
            time_h: start,
            amount_mg,
            route,
            delivery,
            settings,
        };
        let every = d
            .every
            .as_ref()
            .map(|e| positive(at, e, "every", units::parse_duration_h))
            .transpose()?;
        let times = match (&d.times, every) {
            (Some(n), _) if *n.get_ref() < 1 => {
                return Err(at.error(
                    n.span().start,
                    format!("times = {}; expected 1 or more", n.get_ref()),
                ))
            }
            (Some(n), None) => {
                return Err(at.error(
                    n.span().start,
                    "`times` needs `every` (the interval between doses)",
                ))
            }
            (Some(n), Some(_)) => *n.get_ref() as usize,
            (None, Some(e)) => ((self.duration_h - start) / e).floor() as usize + 1,
            (None, None) => 1,
        };
        let doses = (0..times)
            .map(|k| Dose {
                time_h: start + k as f64 * every.unwrap_or(0.0),
                ..dose
            })
            .collect();
        let steady = match (&d.steady_state, every) {
            (Some(ss), None) if *ss.get_ref() => {
                return Err(at.error(
                    ss.span().start,
                    "steady_state needs `every` (the dosing interval)",
                ))
            }
            (Some(ss), Some(interval_h)) if *ss.get_ref() => Some(SteadyStart { dose, interval_h }),
            _ => None,
        };
        Ok((doses, steady, super::population::per_kg(d)))
    }
}
