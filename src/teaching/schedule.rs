//! One schedule's teaching numbers: its peak, the routes it uses, its repeated doses
//! (time to 90% of steady state, accumulation, steady-state peak and trough) and its
//! infusions (steady state of the rate, how close the infusion gets, context-sensitive
//! half-time at the stop).

use super::kinetics::{
    auc_to_mg_h_l, auc_total_mg_h_l, decrement_time_h, infusion_css_mg_l,
    time_to_exposure_fraction_h,
};
use super::regimen::{repeats, Repeat};
use crate::dosing::{
    grid, inputs, schedule_depots, Delivery, Dose, Event, Input, InputKind, SteadyStart,
    SteadyStateMode, Timeline,
};
use crate::error::Result;
use crate::model::system::LinearSystem;
use crate::model::ModelSpec;
use crate::route::{Absorption, Route};
use crate::scenario::Schedule;
use crate::simulate::{exact_states, simulate, Trajectory};
use crate::solver::SolverConfig;
use crate::study::ScheduleResult;
use crate::units::NG_PER_ML_PER_MG_PER_L;

/// The fraction of steady state whose time is reported: the "90% of plateau" of the
/// textbooks (Rowland & Tozer, 4th ed., constant-rate input).
pub const STEADY_STATE_FRACTION: f64 = 0.9;
/// The fall whose time is reported after an infusion: by half, the context-sensitive
/// half-time (Hughes, Glass & Jacobs 1992).
pub const DECREMENT_FRACTION: f64 = 0.5;
/// Infusions shorter than this (h) are slow injections, boluses for teaching: a "steady
/// state" of a 1-minute injection's rate would be a meaningless number.
pub const MIN_INFUSION_H: f64 = 10.0 / 60.0;
/// Steady-state peaks and troughs are read on at least this many points per interval.
const POINTS_PER_INTERVAL: f64 = 400.0;

/// A concentration peak and when it happens.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Peak {
    /// Concentration (ng/mL).
    pub c_ng_ml: f64,
    /// Time (h).
    pub t_h: f64,
}

/// How a route delivers, as used by a schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteUse {
    /// The route.
    pub route: Route,
    /// How many doses use it.
    pub doses: usize,
    /// Amount of the first such dose (mg).
    pub amount_mg: f64,
    /// Bioavailability F.
    pub bioavailability: f64,
    /// Direct, first-order (ka) or zero-order (wear time).
    pub absorption: Absorption,
    /// Lag time (h).
    pub lag_h: f64,
    /// Fraction of the dose turned into metabolite on the first pass, when the model
    /// forms a metabolite and the route has first-pass formation.
    pub first_pass_metabolite: Option<f64>,
    /// True when the route's numbers are an assumption, not a measurement (topical).
    pub assumption: bool,
    /// The swallowed share of the dose (a nasal spray's run-off) and the oral settings it
    /// meets; its first-pass metabolite counts only where the model forms one.
    pub swallowed: Option<crate::route::Swallowed>,
}

impl RouteUse {
    /// Absorption half-life ln 2 / ka (h), for first-order routes.
    pub fn absorption_half_life_h(&self) -> Option<f64> {
        match self.absorption {
            Absorption::FirstOrder { ka_per_h } => Some(std::f64::consts::LN_2 / ka_per_h),
            _ => None,
        }
    }
}

/// A repeated dose (or unit of doses) and where it leads.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatFacts {
    /// Interval τ (h).
    pub interval_h: f64,
    /// The doses of one interval, times relative to its start.
    pub unit: Vec<Dose>,
    /// How many times the unit is given.
    pub times: usize,
    /// True when the schedule starts at this regimen's steady state.
    pub starts_at_steady_state: bool,
    /// Time from the first dose to 90% of steady state (h): `∫₀ᵗ C₁ = 0.9 ∫₀^∞ C₁`
    /// (see [`super::kinetics`]).
    pub time_to_90_h: Option<f64>,
    /// `AUC_τ` at steady state / `AUC(0, τ)` of the first interval, computed exactly from
    /// the linear system (for 1 compartment and a bolus: `1/(1 − e^{−kτ})`).
    pub accumulation_ratio: Option<f64>,
    /// Peak plasma concentration in the first interval (ng/mL).
    pub first_peak_ng_ml: f64,
    /// Peak plasma concentration in an interval at steady state (ng/mL).
    pub steady_peak_ng_ml: f64,
    /// Lowest plasma concentration in an interval at steady state (ng/mL).
    pub steady_trough_ng_ml: f64,
}

/// An infusion and what happens when it stops.
#[derive(Debug, Clone, PartialEq)]
pub struct InfusionFacts {
    /// The infusion as prescribed.
    pub dose: Dose,
    /// When it stops (h), lag and bioavailability included.
    pub end_h: f64,
    /// Steady state this rate would reach if it ran for ever: rate × F / CL (ng/mL).
    pub steady_state_ng_ml: f64,
    /// Time from its start to 90% of that steady state (h).
    pub time_to_90_h: Option<f64>,
    /// The fraction of that steady state the infusion alone has reached when it stops.
    pub fraction_reached: f64,
    /// Plasma concentration of the whole schedule when it stops (ng/mL).
    pub c_end_ng_ml: f64,
    /// Context-sensitive half-time: time from the stop until the plasma concentration has
    /// fallen by half, no more drug given (h).
    pub half_time_h: Option<f64>,
}

/// One schedule's teaching numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduleFacts {
    /// The schedule's name.
    pub name: String,
    /// Body weight it is simulated at (kg).
    pub weight_kg: f64,
    /// Plasma peak in the simulated window.
    pub plasma_peak: Peak,
    /// Exposure over the simulated window (ng·h/mL).
    pub auc_ng_h_ml: f64,
    /// Effect-site peak, when the model has an effect site.
    pub effect_peak: Option<Peak>,
    /// Metabolite peak, when the model has a metabolite.
    pub metabolite_peak: Option<Peak>,
    /// Every dose, in time order.
    pub doses: Vec<Dose>,
    /// The routes it uses, in order of first use.
    pub routes: Vec<RouteUse>,
    /// Its repeated doses.
    pub repeats: Vec<RepeatFacts>,
    /// Its infusions of at least [`MIN_INFUSION_H`], in time order.
    pub infusions: Vec<InfusionFacts>,
    /// The TCI pump and what it achieved, when the schedule sets targets.
    pub tci: Option<crate::control::TciResult>,
}

fn peak(t: &Trajectory, c: Option<&ndarray::Array1<f64>>) -> Option<Peak> {
    let c = c?;
    let (i, v) =
        c.iter().enumerate().fold(
            (0, f64::NEG_INFINITY),
            |m, (i, &v)| if v > m.1 { (i, v) } else { m },
        );
    Some(Peak {
        c_ng_ml: v,
        t_h: t.time_h[i],
    })
}

/// The facts of `schedule` on `spec`, given its simulated `result` on a grid of `step_h`.
pub fn facts(
    spec: &ModelSpec,
    schedule: &Schedule,
    result: &ScheduleResult,
    step_h: f64,
) -> Result<ScheduleFacts> {
    let (doses, steady) = (schedule.regimen.doses(), schedule.regimen.steady());
    let system = LinearSystem::new(
        &spec.individual(schedule.weight_kg),
        &schedule_depots(&doses, &steady),
    );
    let t = &result.trajectory;
    let repeats = repeats(&schedule.regimen)
        .iter()
        .map(|r| repeat_facts(&system, r, step_h))
        .collect::<Result<Vec<_>>>()?;
    Ok(ScheduleFacts {
        name: result.name.clone(),
        weight_kg: schedule.weight_kg,
        plasma_peak: peak(t, Some(&t.plasma_ng_ml)).expect("a plasma column"),
        auc_ng_h_ml: result.summary.auc_ng_h_ml,
        effect_peak: peak(t, t.effect_ng_ml.as_ref()),
        metabolite_peak: peak(t, t.metabolite_ng_ml.as_ref()),
        routes: routes(&system, &doses),
        infusions: infusions(&system, &doses, &steady)?,
        doses,
        repeats,
        tci: result.tci.clone(),
    })
}

fn routes(system: &LinearSystem, doses: &[Dose]) -> Vec<RouteUse> {
    let mut out: Vec<RouteUse> = Vec::new();
    let forms_metabolite = system.layout.metabolite_central.is_some();
    for d in doses {
        let s = &d.settings;
        if let Some(u) = out.iter_mut().find(|u| {
            u.route == d.route
                && u.bioavailability.to_bits() == s.bioavailability.to_bits()
                && u.absorption == s.absorption
        }) {
            u.doses += 1;
            continue;
        }
        out.push(RouteUse {
            route: d.route,
            doses: 1,
            amount_mg: d.amount_mg,
            bioavailability: s.bioavailability,
            absorption: s.absorption,
            lag_h: s.lag_h,
            first_pass_metabolite: (forms_metabolite && s.presystemic_fraction > 0.0)
                .then_some(s.presystemic_fraction),
            assumption: d.route.defaults().assumption,
            swallowed: s.swallowed.filter(|sw| sw.fraction > 0.0).map(|sw| {
                let mut sw = sw;
                if !forms_metabolite {
                    sw.presystemic_fraction = 0.0;
                }
                sw
            }),
        });
    }
    out
}

/// Peak and trough of plasma in `t`.
fn extremes(t: &Trajectory) -> (f64, f64) {
    t.plasma_ng_ml
        .iter()
        .fold((f64::NEG_INFINITY, f64::INFINITY), |(hi, lo), &c| {
            (hi.max(c), lo.min(c))
        })
}

fn repeat_facts(system: &LinearSystem, r: &Repeat, step_h: f64) -> Result<RepeatFacts> {
    let tau = r.interval_h;
    let unit: Vec<Input> = r.unit.iter().flat_map(|d| inputs(d, system)).collect();
    let total = auc_total_mg_h_l(system, &unit);
    let first = auc_to_mg_h_l(system, &unit, tau)?;
    let times = grid(tau, step_h.min(tau / POINTS_PER_INTERVAL));
    let course = |steady: bool| -> Result<Trajectory> {
        let mut timeline = Timeline::new();
        if steady {
            let event = Event::SteadyState {
                interval_h: tau,
                inputs: unit.clone(),
                mode: SteadyStateMode::Add,
            };
            timeline.push(0.0, event);
        }
        for i in &unit {
            timeline.push(i.start_h, Event::Input(*i));
        }
        timeline.sample_at(&times);
        simulate(system, timeline, &SolverConfig::default())
    };
    let (steady_peak, steady_trough) = extremes(&course(true)?);
    Ok(RepeatFacts {
        interval_h: tau,
        unit: r.unit.clone(),
        times: r.times,
        starts_at_steady_state: r.starts_at_steady_state,
        time_to_90_h: time_to_exposure_fraction_h(system, &unit, STEADY_STATE_FRACTION)?,
        accumulation_ratio: (first > 0.0 && total.is_finite()).then(|| total / first),
        first_peak_ng_ml: extremes(&course(false)?).0,
        steady_peak_ng_ml: steady_peak,
        steady_trough_ng_ml: steady_trough,
    })
}

/// The state of the whole schedule (`doses` and `steady`) at each of `times_h` (any order).
fn states_at(
    system: &LinearSystem,
    (doses, steady): (&[Dose], &[SteadyStart]),
    times_h: &[f64],
) -> Result<Vec<Vec<f64>>> {
    let mut order: Vec<usize> = (0..times_h.len()).collect();
    order.sort_by(|a, b| times_h[*a].total_cmp(&times_h[*b]));
    let sorted: Vec<f64> = order.iter().map(|&i| times_h[i]).collect();
    let timeline = Timeline::of_schedule(doses, steady, system, &sorted);
    let samples = exact_states(system, timeline.sorted())?;
    let mut out = vec![Vec::new(); times_h.len()];
    for (k, &i) in order.iter().enumerate() {
        out[i] = samples.row(k).to_vec();
    }
    Ok(out)
}

/// When the inputs of dose `d` end (h): lag, and F's effect on an infusion by rate, included.
fn end_h(system: &LinearSystem, d: &Dose) -> f64 {
    inputs(d, system)
        .iter()
        .map(Input::end_h)
        .fold(d.time_h, f64::max)
}

fn infusions(
    system: &LinearSystem,
    all: &[Dose],
    steady: &[SteadyStart],
) -> Result<Vec<InfusionFacts>> {
    let doses: Vec<&Dose> = all
        .iter()
        .filter(|d| {
            let infusion = matches!(
                d.delivery,
                Delivery::Rate { .. } | Delivery::Duration { .. }
            );
            infusion && end_h(system, d) - d.time_h >= MIN_INFUSION_H
        })
        .collect();
    let ends: Vec<f64> = doses.iter().map(|d| end_h(system, d)).collect();
    let states = states_at(system, (all, steady), &ends)?;
    doses
        .iter()
        .zip(ends)
        .zip(states)
        .map(|((d, end), x)| infusion_facts(system, d, end, &x))
        .collect()
}

/// The facts of infusion `d`, which stops at `end_h` with the schedule in state `x`.
fn infusion_facts(system: &LinearSystem, d: &Dose, end_h: f64, x: &[f64]) -> Result<InfusionFacts> {
    let running = inputs(d, system);
    // The response to a unit impulse at the infusion's start: its exposure fraction is
    // the fraction of steady state the infusion has reached (module docs of `kinetics`).
    let impulses: Vec<Input> = running
        .iter()
        .map(|i| Input {
            start_h: i.start_h - d.time_h,
            kind: InputKind::Bolus {
                amount_mg: super::kinetics::input_amount_mg(i),
            },
            ..*i
        })
        .collect();
    let reached =
        auc_to_mg_h_l(system, &impulses, end_h - d.time_h)? / auc_total_mg_h_l(system, &impulses);
    Ok(InfusionFacts {
        dose: *d,
        end_h,
        steady_state_ng_ml: infusion_css_mg_l(system, &running) * NG_PER_ML_PER_MG_PER_L,
        time_to_90_h: time_to_exposure_fraction_h(system, &impulses, STEADY_STATE_FRACTION)?,
        fraction_reached: reached,
        c_end_ng_ml: system.plasma_mg_l(x) * NG_PER_ML_PER_MG_PER_L,
        half_time_h: decrement_time_h(system, x, DECREMENT_FRACTION),
    })
}
