//! Scenario as written → [`Scenario`]: units read, ranges checked, repeats expanded.
//! Every error names the file, line and column of the offending value, what was found
//! and what was expected; every number is held to the limits of [`crate::limits`].

use super::routes::{route_tables, AbsorptionKeys};
use super::schema::{DoseTable, ScenarioFile, ScheduleTable, Text};
use super::{Outputs, Scenario, Schedule};
use crate::dosing::{route_settings, Delivery, Dose, Prescription, Regimen};
use crate::error::{Locator, Result};
use crate::limits::{self, at_most_text, range_text, within, MAX_TIME_H};
use crate::model::{library, ModelSpec};
use crate::route::{Absorption, Route, RouteOverride};
use crate::solver::SolverKind;
use crate::units::{self, fmt_num, Amount, DoseRate, UnitError};
use std::collections::BTreeMap;
use std::path::PathBuf;
use toml::Spanned;

/// More output points than this per schedule is almost certainly a unit slip.
const MAX_POINTS: f64 = 2_000_000.0;
/// Relative tolerance for a repeat falling exactly at the end of the simulation: the
/// output grid's ([`crate::dosing::grid`]), so a dose on the last grid point is kept.
const END_TOLERANCE: f64 = 1e-12;

/// Read a quantity, turning a unit error into a located error.
pub(super) fn read<T>(
    at: &Locator,
    s: &Text,
    parse: fn(&str) -> std::result::Result<T, UnitError>,
) -> Result<T> {
    parse(s.get_ref()).map_err(|e| at.expected(s.span().start, e.found_text(), e.expected))
}

/// Read a duration (h) that must be greater than zero and at most [`MAX_TIME_H`].
pub(super) fn duration(at: &Locator, s: &Text, what: &str) -> Result<f64> {
    let v = read(at, s, units::parse_duration_h)?;
    if v <= 0.0 || v > MAX_TIME_H {
        return Err(at.expected(
            s.span().start,
            format!("{what} {:?}", s.get_ref()),
            format!(
                "more than 0 h and {} (10 years)",
                at_most_text(MAX_TIME_H, "h")
            ),
        ));
    }
    Ok(v)
}

/// Read a time point (h) from 0 to [`MAX_TIME_H`].
pub(super) fn time_point(at: &Locator, s: &Text, what: &str) -> Result<f64> {
    let v = read(at, s, units::parse_duration_h)?;
    if v > MAX_TIME_H {
        return Err(at.expected(
            s.span().start,
            format!("{what} {:?}", s.get_ref()),
            format!("{} (10 years)", range_text((0.0, MAX_TIME_H), "h")),
        ));
    }
    Ok(v)
}

/// A name of at most [`limits::MAX_NAME_CHARS`] characters.
fn name_length(at: &Locator, name: &Text) -> Result<()> {
    let n = name.get_ref().trim().chars().count();
    if n > limits::MAX_NAME_CHARS {
        return Err(at.expected(
            name.span().start,
            format!("a name of {n} characters"),
            format!("at most {} characters", limits::MAX_NAME_CHARS),
        ));
    }
    Ok(())
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
        return Err(at.expected(
            f.span().start,
            format!("{what} is {v}"),
            format!("a fraction {range}"),
        ));
    }
    Ok(v)
}

/// The validated scenario of `file`.
pub fn scenario(file: ScenarioFile, at: &Locator) -> Result<Scenario> {
    if file.name.get_ref().trim().is_empty() {
        return Err(at.expected(
            file.name.span().start,
            "name is empty",
            "a title for the scenario",
        ));
    }
    name_length(at, &file.name)?;
    let patient_weight_kg = weight(at, &file)?;
    let covariates = super::covariates::read(at, &file)?;
    let cov = covariates.as_ref().map(|c| &c.0);
    let model = match &file.model {
        Some(m) => m.get_ref().spec(at, m.span().start)?,
        None => library::get(library::DEFAULT_MODEL).expect("the default model is built in"),
    };
    let model = super::covariates::apply(model, cov);
    let sim = file.simulation.get_ref();
    let duration_h = duration(at, &sim.duration, "duration")?;
    let output_every_h = match &sim.output_every {
        Some(s) => duration(at, s, "output_every")?,
        None => 1.0 / 60.0,
    };
    if duration_h / output_every_h > MAX_POINTS {
        let s = sim.output_every.as_ref().unwrap_or(&sim.duration);
        return Err(at.expected(
            s.span().start,
            format!(
                "{} output points per schedule",
                limits::number_text(duration_h / output_every_h)
            ),
            format!("at most {MAX_POINTS}: use a longer output_every"),
        ));
    }
    let solver = match &sim.solver {
        Some(s) => SolverKind::parse(s.get_ref()).ok_or_else(|| {
            at.expected(
                s.span().start,
                format!("unknown solver {:?}", s.get_ref()),
                "exact or ode",
            )
        })?,
        None => SolverKind::Exact,
    };
    let mut models = BTreeMap::new();
    for (name, table) in &file.models {
        if library::get(name.get_ref()).is_some() {
            return Err(at.expected(
                name.span().start,
                format!("[models.{}], the id of a built-in model", name.get_ref()),
                "a name of its own",
            ));
        }
        let mut spec = super::covariates::apply(table.get_ref().spec(at, table.span().start)?, cov);
        if spec.network.is_some() || spec.id == "custom" {
            spec.id = name.get_ref().clone();
        }
        models.insert(name.get_ref().clone(), spec);
    }
    let population = super::population::from_file(at, &file, &model)?;
    let weight_kg = super::population::typical_weight_kg(&file, &population, patient_weight_kg);
    let routes = route_tables(at, &file.routes)?;
    let context = Context {
        at,
        model: &model,
        models: &models,
        routes: &routes,
        weight_kg,
        duration_h,
        covariates: cov,
    };
    if file.schedule.is_empty() {
        return Err(at.file_expected("no [[schedule]]", "at least one schedule with doses"));
    }
    let mut schedules: Vec<Schedule> = Vec::new();
    for s in &file.schedule {
        let schedule = context.schedule(s.get_ref())?;
        if schedules.iter().any(|o| o.name == schedule.name) {
            return Err(at.expected(
                s.get_ref().name.span().start,
                format!("two schedules named {:?}", schedule.name),
                "a different name for each schedule",
            ));
        }
        schedules.push(schedule);
    }
    if let (Some((_, offset)), false) = (
        &covariates,
        schedules
            .iter()
            .any(|s| s.model.id == super::covariates::MODEL),
    ) {
        return Err(at.expected(
            *offset,
            "[patient] age or ancestry, which no model of this scenario uses",
            format!(
                "a schedule on {} (the model with these covariates), or no age and ancestry",
                super::covariates::MODEL
            ),
        ));
    }
    if let (Some(p), Some(s)) = (
        &file.population,
        schedules.iter().find(|s| s.model.network.is_some()),
    ) {
        return Err(at.expected(
            p.span().start,
            format!(
                "[population] with schedule {:?} on a written network ({})",
                s.name, s.model.id
            ),
            "built-in or shorthand models: a [population] varies the mammillary parameters",
        ));
    }
    let (effects, warnings) = super::effect::endpoints(at, &file.effect, &schedules)?;
    let path = at.path.to_path_buf();
    let stem = path
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    let schedule_models: Vec<&ModelSpec> = schedules.iter().map(|s| &s.model).collect();
    let plot = super::plot::settings(at, &file, &model, &schedule_models)?;
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
        hysteresis: plot.hysteresis,
        outputs,
        population,
        effects,
        warnings,
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
    if !within(kg, limits::WEIGHT_KG) {
        return Err(at.expected(
            w.span().start,
            format!("weight {:?}", w.get_ref()),
            range_text(limits::WEIGHT_KG, "kg"),
        ));
    }
    Ok(kg)
}

pub(super) fn route_name(at: &Locator, s: &Text) -> Result<Route> {
    Route::parse(s.get_ref()).ok_or_else(|| {
        let ids: Vec<&str> = Route::ALL.iter().map(|r| r.id()).collect();
        at.expected(
            s.span().start,
            format!("unknown route {:?}", s.get_ref()),
            format!("one of {} (see `ketasim routes`)", ids.join(", ")),
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
    covariates: Option<&'a library::EsketamineCovariates>,
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
            return Err(at.expected(
                s.name.span().start,
                "schedule name is empty",
                "a label for the legend",
            ));
        }
        name_length(at, &s.name)?;
        let tci = s
            .targets
            .as_ref()
            .map(|t| {
                super::tci::read_tci(at, t, s.pump.as_ref(), &model, weight_kg, self.duration_h)
            })
            .transpose()?;
        if let (None, Some(p)) = (&tci, &s.pump) {
            return Err(at.expected(
                p.span().start,
                "a pump without targets",
                "targets = [{ at = \"0 min\", plasma = \"1 µg/mL\" }] beside it",
            ));
        }
        let written: &[Spanned<DoseTable>] = s.doses.as_ref().map_or(&[], |d| d.get_ref());
        if written.is_empty() && tci.is_none() {
            return Err(at.expected(
                s.doses
                    .as_ref()
                    .map_or(s.name.span().start, |d| d.span().start),
                format!("schedule {:?} has no doses", s.name.get_ref()),
                "at least one dose, or targets",
            ));
        }
        let lines = written
            .iter()
            .map(|d| this.dose(d.get_ref()))
            .collect::<Result<Vec<_>>>()?;
        let regimen = Regimen { lines };
        if regimen.dose_count() > limits::MAX_DOSES {
            return Err(at.expected(
                s.name.span().start,
                format!(
                    "schedule {:?} gives {} doses within the simulated window",
                    s.name.get_ref(),
                    regimen.dose_count()
                ),
                format!("at most {} doses per schedule", limits::MAX_DOSES),
            ));
        }
        Ok(Schedule {
            name: s.name.get_ref().trim().to_string(),
            weight_kg,
            model,
            regimen,
            tci,
        })
    }

    /// The model a schedule names: a `[models.NAME]` of this file, or a built-in id.
    fn named_model(&self, name: &Text) -> Result<ModelSpec> {
        if let Some(m) = self.models.get(name.get_ref()) {
            return Ok(m.clone());
        }
        let builtin = library::get(name.get_ref());
        let builtin = builtin.map(|m| super::covariates::apply(m, self.covariates));
        builtin.ok_or_else(|| {
            let mut known: Vec<&str> = self.models.keys().map(String::as_str).collect();
            known.extend(library::IDS);
            self.at.expected(
                name.span().start,
                format!("unknown model {:?}", name.get_ref()),
                format!(
                    "a [models.NAME] of this file or a built-in id: {}",
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
            return Err(self.at.expected(
                d.route.span().start,
                format!(
                    "model {} doses {} into no compartment",
                    self.model.id,
                    route.id()
                ),
                format!(
                    "a route its [model.routes] names (iv{}{})",
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
            return Err(self.at.expected(
                d.route.span().start,
                format!("ka or absorption_half_life in [routes.{}] on model {}, a network whose flows set absorption", route.id(), self.model.id),
                format!("no ka or absorption_half_life in [routes.{}]", route.id()),
            ));
        }
        if let Some(k) = d.ka.as_ref().or(d.absorption_half_life.as_ref()) {
            return Err(self.at.expected(
                k.span().start,
                format!(
                    "ka or absorption_half_life on model {}, a network whose flows set absorption",
                    self.model.id
                ),
                "no ka or absorption_half_life here",
            ));
        }
        Ok(())
    }

    fn amount_mg(&self, s: &Text) -> Result<f64> {
        let amount = read(self.at, s, units::parse_amount)?;
        let (v, limit, unit) = match amount {
            Amount::Mg(v) => (v, limits::MAX_AMOUNT_MG, "mg"),
            Amount::MgPerKg(v) => (v, limits::MAX_AMOUNT_MG_PER_KG, "mg/kg"),
        };
        if v <= 0.0 || v > limit {
            return Err(self.at.expected(
                s.span().start,
                format!("amount {:?}", s.get_ref()),
                format!("more than 0 {unit} and {}", at_most_text(limit, unit)),
            ));
        }
        Ok(amount.resolve_mg(self.weight_kg))
    }

    fn rate_mg_h(&self, s: &Text) -> Result<f64> {
        let rate = read(self.at, s, units::parse_rate)?;
        let (v, limit, unit) = match rate {
            DoseRate::MgPerH(v) => (v, limits::MAX_RATE_MG_H, "mg/h"),
            DoseRate::MgPerKgPerH(v) => (v, limits::MAX_RATE_MG_KG_H, "mg/kg/h"),
        };
        if v <= 0.0 || v > limit {
            return Err(self.at.expected(
                s.span().start,
                format!("rate {:?}", s.get_ref()),
                format!("more than 0 {unit} and {}", at_most_text(limit, unit)),
            ));
        }
        Ok(rate.resolve_mg_per_h(self.weight_kg))
    }

    /// Amount and delivery from `amount`, `rate` and `over`.
    fn delivery(&self, d: &DoseTable) -> Result<(f64, Delivery)> {
        let at = self.at;
        let over = d
            .over
            .as_ref()
            .map(|o| duration(at, o, "over"))
            .transpose()?;
        match (&d.amount, &d.rate, over) {
            (Some(a), None, None) => Ok((self.amount_mg(a)?, Delivery::Bolus)),
            (Some(a), None, Some(h)) => Ok((self.amount_mg(a)?, Delivery::Duration { h })),
            (Some(a), Some(r), None) => {
                let (amount_mg, mg_per_h) = (self.amount_mg(a)?, self.rate_mg_h(r)?);
                if amount_mg / mg_per_h > MAX_TIME_H {
                    return Err(at.expected(
                        r.span().start,
                        format!(
                            "rate {:?} for amount {:?}, an infusion of {} h",
                            r.get_ref(),
                            a.get_ref(),
                            limits::number_text(amount_mg / mg_per_h)
                        ),
                        format!(
                            "an infusion of {} (10 years)",
                            at_most_text(MAX_TIME_H, "h")
                        ),
                    ));
                }
                Ok((amount_mg, Delivery::Rate { mg_per_h }))
            }
            (None, Some(r), Some(h)) => {
                let rate = self.rate_mg_h(r)?;
                Ok((rate * h, Delivery::Duration { h }))
            }
            (Some(_), Some(r), Some(_)) => Err(at.expected(
                r.span().start,
                "amount, rate and over all given",
                "two of amount, rate and over",
            )),
            (None, Some(r), None) => Err(at.expected(
                r.span().start,
                "a rate alone",
                "`over` (how long) or `amount` (how much) beside the rate",
            )),
            (None, None, _) => Err(at.expected(
                d.route.span().start,
                "a dose with no amount",
                "`amount`, or `rate` with `over`",
            )),
        }
    }

    /// The prescription one dose table stands for, its repeats counted within the
    /// simulated window (not expanded: [`Regimen::doses`] does that).
    fn dose(&self, d: &DoseTable) -> Result<Prescription> {
        let at = self.at;
        let route = route_name(at, &d.route)?;
        self.network_route(d, route)?;
        let (amount_mg, delivery) = self.delivery(d)?;
        let start =
            d.at.as_ref()
                .map(|s| time_point(at, s, "at"))
                .transpose()?
                .unwrap_or(0.0);
        if start > self.duration_h {
            let s = d.at.as_ref().expect("a start after 0 was given");
            return Err(at.expected(
                s.span().start,
                format!(
                    "dose at {} h is after the end of the simulation ({} h)",
                    fmt_num(start),
                    fmt_num(self.duration_h)
                ),
                "a time within the duration",
            ));
        }
        let keys = AbsorptionKeys {
            bioavailability: &d.bioavailability,
            ka: &d.ka,
            absorption_half_life: &d.absorption_half_life,
            lag: &d.lag,
            swallowed: &d.swallowed,
        };
        let o = keys.read(at, route)?;
        let scenario_override = self.routes.get(&route).copied().unwrap_or_default();
        let settings = route_settings(self.model, route, &[&scenario_override, &o]);
        if let Some(sw) = settings.swallowed {
            // The nasal and the swallowed share cannot add up to more than the dose.
            if settings.bioavailability + sw.fraction > 1.0 + 1e-9 {
                return Err(at.expected(
                    d.route.span().start,
                    format!(
                        "a nasal dose with bioavailability {} and swallowed {} (more than the whole dose)",
                        fmt_num(settings.bioavailability),
                        fmt_num(sw.fraction)
                    ),
                    "bioavailability + swallowed at most 1 (set both in [routes.intranasal] or on the dose)",
                ));
            }
        }
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
            .map(|e| duration(at, e, "every"))
            .transpose()?;
        // Repeats after the end of the simulation change nothing: only those within the
        // window are expanded, counted with the output grid's tolerance.
        let within_window =
            |e: f64| ((self.duration_h - start) / e * (1.0 + END_TOLERANCE)).floor() + 1.0;
        let times = match (&d.times, every) {
            (Some(n), _) if *n.get_ref() < 1 => {
                return Err(at.expected(
                    n.span().start,
                    format!("times = {}", n.get_ref()),
                    "1 or more",
                ))
            }
            (Some(n), None) => {
                return Err(at.expected(
                    n.span().start,
                    "`times` without `every`",
                    "`every` (the interval between doses) beside `times`",
                ))
            }
            (Some(n), Some(e)) => (*n.get_ref() as f64).min(within_window(e)),
            (None, Some(e)) => within_window(e),
            (None, None) => 1.0,
        };
        if times > limits::MAX_DOSES as f64 {
            let e = d.every.as_ref().expect("more than one dose needs every");
            return Err(at.expected(
                e.span().start,
                format!(
                    "every {:?}: {} doses within the simulated window",
                    e.get_ref(),
                    limits::number_text(times)
                ),
                format!(
                    "at most {} doses per schedule: a longer interval or a shorter duration",
                    limits::MAX_DOSES
                ),
            ));
        }
        let steady_state = match (&d.steady_state, every) {
            (Some(ss), None) if *ss.get_ref() => {
                return Err(at.expected(
                    ss.span().start,
                    "steady_state without `every`",
                    "`every` (the dosing interval) beside steady_state",
                ))
            }
            (Some(ss), Some(interval_h)) if *ss.get_ref() => {
                self.steady_state_exists(ss, &dose, interval_h)?;
                true
            }
            _ => false,
        };
        Ok(Prescription {
            dose,
            per_kg: super::population::per_kg(d),
            every_h: every,
            times: times as usize,
            steady_state,
        })
    }

    /// A steady state needs a model that eliminates the drug, and a dose that outlasts
    /// at most [`limits::MAX_STEADY_STATE_OVERLAP`] intervals (lag and infusion).
    fn steady_state_exists(&self, ss: &Spanned<bool>, dose: &Dose, interval_h: f64) -> Result<()> {
        let at = self.at;
        if self.model.disposition.cl_l_h.value <= 0.0 {
            return Err(at.expected(
                ss.span().start,
                format!("steady_state with model {} whose clearance is 0", self.model.id),
                "a model that eliminates the drug (clearance > 0): without elimination no steady state exists",
            ));
        }
        let infusion_h = match (dose.delivery, dose.settings.absorption) {
            (Delivery::Duration { h }, _) => h,
            (Delivery::Rate { mg_per_h }, _) => dose.amount_mg / mg_per_h,
            (Delivery::Bolus, Absorption::ZeroOrder { duration_h }) => duration_h,
            (Delivery::Bolus, _) => 0.0,
        };
        let lasts_h = dose.settings.lag_h + infusion_h;
        if lasts_h / interval_h > limits::MAX_STEADY_STATE_OVERLAP {
            return Err(at.expected(
                ss.span().start,
                format!(
                    "a steady-state dose lasting {} h (lag and infusion) every {} h",
                    limits::number_text(lasts_h),
                    fmt_num(interval_h)
                ),
                format!(
                    "a dose that outlasts at most {} intervals",
                    limits::MAX_STEADY_STATE_OVERLAP
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::scenario::parse;
    use std::path::Path;

    fn doses(duration: &str, dose: &str) -> usize {
        let text = format!("name = \"t\"\n[simulation]\nduration = \"{duration}\"\n[[schedule]]\nname = \"a\"\ndoses = [{dose}]\n");
        parse(Path::new("t.toml"), &text).unwrap().schedules[0]
            .regimen
            .doses()
            .len()
    }

    #[test]
    fn a_repeat_exactly_at_the_end_is_kept_whatever_the_rounding() {
        // 18/6 and 24/6 in hours round differently in binary (0.3/0.1 < 3).
        let every = "{ route = \"iv\", amount = \"1 mg\", every = \"6 min\" }";
        assert_eq!(doses("18 min", every), 4);
        assert_eq!(doses("24 min", every), 5);
        assert_eq!(
            doses(
                "1 h",
                "{ route = \"iv\", amount = \"1 mg\", every = \"0.1 h\" }"
            ),
            11
        );
    }

    #[test]
    fn the_regimen_is_kept_as_written() {
        let text = "name = \"t\"\n[patient]\nweight = \"80 kg\"\n[simulation]\nduration = \"2 d\"\n[[schedule]]\nname = \"a\"\ndoses = [{ route = \"iv\", amount = \"0.5 mg/kg\", over = \"40 min\", at = \"1 h\", every = \"12 h\", times = 3, steady_state = true }, { route = \"iv\", amount = \"5 mg\" }]\n";
        let s = parse(Path::new("t.toml"), text).unwrap();
        let lines = &s.schedules[0].regimen.lines;
        assert_eq!(lines.len(), 2, "one line per dose table, not per dose");
        let (repeated, single) = (&lines[0], &lines[1]);
        assert_eq!((repeated.every_h, repeated.times), (Some(12.0), 3));
        assert!(repeated.steady_state && repeated.per_kg.amount && !repeated.per_kg.rate);
        assert_eq!((repeated.dose.time_h, repeated.dose.amount_mg), (1.0, 40.0));
        assert_eq!((single.every_h, single.times), (None, 1));
        assert!(!single.steady_state && !single.per_kg.amount);
    }

    #[test]
    fn repeats_beyond_the_window_are_not_expanded() {
        let many =
            "{ route = \"iv\", amount = \"1 mg\", every = \"1 h\", times = 9223372036854775807 }";
        assert_eq!(doses("8 h", many), 9);
        let few = "{ route = \"iv\", amount = \"1 mg\", every = \"1 h\", times = 3 }";
        assert_eq!(doses("8 h", few), 3);
    }
}
