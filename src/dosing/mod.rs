//! Doses and the event timeline the simulation walks through.
//!
//! A [`Dose`] is what a person prescribes: an amount by a route at a time, as a bolus or
//! an infusion, with the route's settings. [`inputs`] turns it into [`Input`]s, the
//! deliveries into single states of a [`LinearSystem`] (bioavailability and lag applied),
//! and [`Timeline`] orders those inputs with resets, steady states and output samples.
//!
//! **Bioavailability and infusions.** F scales the amount that reaches the system. For an
//! infusion given by rate, F shortens the infusion and keeps the rate; for an infusion
//! given by duration, F lowers the rate and keeps the duration. This is NONMEM's rule
//! (NONMEM Users Guide VI, "Bioavailability"), and mrgsolve's.

pub mod regimen;

pub use regimen::{PerKg, Prescription, Regimen};

use crate::model::network::SESSION_GAP_H;
use crate::model::system::{Analyte, Depot, LinearSystem};
use crate::model::ModelSpec;
use crate::route::{Absorption, Route, RouteOverride, RouteSettings, Swallowed};

/// How a dose is given over time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delivery {
    /// All at once (or, for a zero-order route such as a patch, over the route's wear time).
    Bolus,
    /// A constant-rate infusion at this rate (mg/h).
    Rate {
        /// Infusion rate (mg/h).
        mg_per_h: f64,
    },
    /// A constant-rate infusion over this time (h).
    Duration {
        /// Infusion time (h).
        h: f64,
    },
}

/// One dose as prescribed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Dose {
    /// When it is given (h from the start).
    pub time_h: f64,
    /// How much (mg).
    pub amount_mg: f64,
    /// By which route (for labels; the settings say what happens).
    pub route: Route,
    /// Bolus or infusion.
    pub delivery: Delivery,
    /// F, absorption, lag and first-pass fraction for this dose.
    pub settings: RouteSettings,
}

impl Dose {
    /// A dose by `route` with that route's settings for `model` (its defaults, then the
    /// model's published overrides, then `overrides` in order).
    pub fn new(
        model: &ModelSpec,
        route: Route,
        amount_mg: f64,
        overrides: &[&RouteOverride],
    ) -> Dose {
        Dose {
            time_h: 0.0,
            amount_mg,
            route,
            delivery: Delivery::Bolus,
            settings: route_settings(model, route, overrides),
        }
    }

    /// The same dose at `time_h`.
    pub fn at(mut self, time_h: f64) -> Dose {
        self.time_h = time_h;
        self
    }

    /// The same dose as an infusion over `h` hours.
    pub fn over(mut self, h: f64) -> Dose {
        self.delivery = Delivery::Duration { h };
        self
    }

    /// The same dose as an infusion at `mg_per_h`.
    pub fn at_rate(mut self, mg_per_h: f64) -> Dose {
        self.delivery = Delivery::Rate { mg_per_h };
        self
    }

    /// The swallowed share of this dose as an oral dose of its own (a nasal spray's
    /// run-off), if any: same time and delivery, the oral route's settings.
    pub fn swallowed_part(&self) -> Option<Dose> {
        let sw = self.settings.swallowed.filter(|sw| sw.fraction > 0.0)?;
        Some(Dose {
            amount_mg: self.amount_mg * sw.fraction,
            route: Route::Oral,
            settings: sw.settings(),
            ..*self
        })
    }

    /// The absorption depots this dose needs in the system (its swallowed share's too).
    pub fn depots(&self) -> Vec<Depot> {
        self.each_depot().collect()
    }

    /// [`Dose::depots`] without collecting them (a population asks once per subject).
    fn each_depot(&self) -> impl Iterator<Item = Depot> + use<> {
        let swallowed = self.swallowed_part();
        (self.own_depots()).chain(swallowed.into_iter().flat_map(|s| s.own_depots()))
    }

    /// The depot of a first-order absorption, then the one into the metabolite when part
    /// of the dose is formed before reaching the circulation.
    fn own_depots(&self) -> impl Iterator<Item = Depot> + use<> {
        let ka = match self.settings.absorption {
            Absorption::FirstOrder { ka_per_h } => Some(ka_per_h),
            Absorption::Direct | Absorption::ZeroOrder { .. } => None,
        };
        let formed = self.settings.presystemic_fraction > 0.0;
        ka.into_iter().flat_map(move |ka_per_h| {
            let parent = Depot {
                ka_per_h,
                into: Analyte::Parent,
            };
            let metabolite = formed.then_some(Depot {
                ka_per_h,
                into: Analyte::Metabolite,
            });
            std::iter::once(parent).chain(metabolite)
        })
    }
}

/// A route's settings for `model`: the route default, then the model's published override,
/// then each of `overrides` in turn (scenario, then dose).
pub fn route_settings(
    model: &ModelSpec,
    route: Route,
    overrides: &[&RouteOverride],
) -> RouteSettings {
    let written = model.network.as_ref().and_then(|n| n.route_target(route));
    let mut s = match written {
        // A written network carries absorption and first pass in its own compartments.
        Some(_) => RouteSettings {
            bioavailability: 1.0,
            absorption: Absorption::Direct,
            lag_h: 0.0,
            presystemic_fraction: 0.0,
            swallowed: None,
        },
        None => route.defaults().settings,
    };
    if let Some(o) = model.route_override(route) {
        s = s.with(o);
    }
    for o in overrides {
        s = s.with(o);
    }
    // The swallowed share meets this model's oral route, first pass included.
    if let Some(sw) = s.swallowed {
        s.swallowed = Some(Swallowed::with_oral(
            sw.fraction,
            &route_settings(model, Route::Oral, &[]),
        ));
    }
    s
}

/// Every depot a list of doses needs, each once, in order of first use.
pub fn depots(doses: &[Dose]) -> Vec<Depot> {
    unique_depots(doses.iter())
}

/// The depots of a schedule's doses and of the doses its steady states repeat.
pub fn schedule_depots(doses: &[Dose], steady: &[SteadyStart]) -> Vec<Depot> {
    unique_depots(doses.iter().chain(steady.iter().map(|s| &s.dose)))
}

fn unique_depots<'a>(doses: impl Iterator<Item = &'a Dose>) -> Vec<Depot> {
    let mut all: Vec<Depot> = Vec::new();
    for d in doses.flat_map(Dose::each_depot) {
        if !all.contains(&d) {
            all.push(d);
        }
    }
    all
}

/// What an input delivers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum InputKind {
    /// An instantaneous amount (mg).
    Bolus {
        /// Amount (mg).
        amount_mg: f64,
    },
    /// A constant rate for a time; the duration may be infinite (a steady-state infusion).
    Infusion {
        /// Rate (mg/h).
        rate_mg_h: f64,
        /// Duration (h).
        duration_h: f64,
    },
}

/// A delivery into one state of the system, at an absolute start time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Input {
    /// State index receiving the drug.
    pub state: usize,
    /// When delivery starts (h), lag included.
    pub start_h: f64,
    /// What is delivered.
    pub kind: InputKind,
}

impl Input {
    /// When delivery ends (h).
    pub fn end_h(&self) -> f64 {
        match self.kind {
            InputKind::Bolus { .. } => self.start_h,
            InputKind::Infusion { duration_h, .. } => self.start_h + duration_h,
        }
    }

    /// An input delivering `amount_mg` into `state` at `start_h` as `delivery` says, with
    /// bioavailability `f` applied by NONMEM's rule (see the module docs). A zero-length
    /// infusion is a bolus.
    pub fn with_bioavailability(
        state: usize,
        start_h: f64,
        amount_mg: f64,
        f: f64,
        delivery: Delivery,
    ) -> Input {
        let amount = f * amount_mg;
        let kind = match delivery {
            Delivery::Bolus => InputKind::Bolus { amount_mg: amount },
            Delivery::Rate { mg_per_h } => InputKind::Infusion {
                rate_mg_h: mg_per_h,
                duration_h: amount / mg_per_h,
            },
            Delivery::Duration { h } if h > 0.0 => InputKind::Infusion {
                rate_mg_h: amount / h,
                duration_h: h,
            },
            Delivery::Duration { .. } => InputKind::Bolus { amount_mg: amount },
        };
        Input {
            state,
            start_h,
            kind,
        }
    }
}

/// The inputs of `dose` into `system`. The system must have been built with the depots
/// of [`Dose::depots`]. First-pass metabolite goes to the metabolite depot, unchanged by F.
pub fn inputs(dose: &Dose, system: &LinearSystem) -> Vec<Input> {
    inputs_in_session(dose, false, system)
}

/// The inputs of `dose`, a later dose of a session when `later` (a second or third nasal
/// device: see [`crate::model::network::SESSION_GAP_H`]), into `system`.
pub fn inputs_in_session(dose: &Dose, later: bool, system: &LinearSystem) -> Vec<Input> {
    let mut all = own_inputs(dose, later, system);
    if let Some(swallowed) = dose.swallowed_part() {
        all.extend(own_inputs(&swallowed, false, system));
    }
    all
}

/// The inputs of `dose` without its swallowed share.
fn own_inputs(dose: &Dose, later: bool, system: &LinearSystem) -> Vec<Input> {
    let s = &dose.settings;
    let start = dose.time_h + s.lag_h;
    let parts: Vec<_> = system.network.parts(dose.route).collect();
    if !parts.is_empty() {
        return parts
            .iter()
            .map(|p| {
                let fraction = if later {
                    p.fraction_later
                } else {
                    p.fraction_first
                };
                let delivery = match dose.delivery {
                    Delivery::Bolus if p.over_h > 0.0 => Delivery::Duration { h: p.over_h },
                    other => other,
                };
                let state = system.layout.compartments[p.into];
                Input::with_bioavailability(
                    state,
                    start,
                    dose.amount_mg,
                    s.bioavailability * fraction,
                    delivery,
                )
            })
            .collect();
    }
    if let Some(c) = system.network.route_target(dose.route) {
        return vec![Input::with_bioavailability(
            system.layout.compartments[c],
            start,
            dose.amount_mg,
            s.bioavailability,
            dose.delivery,
        )];
    }
    match s.absorption {
        Absorption::Direct => vec![Input::with_bioavailability(
            system.layout.plasma,
            start,
            dose.amount_mg,
            s.bioavailability,
            dose.delivery,
        )],
        Absorption::ZeroOrder { duration_h } => {
            let delivery = match dose.delivery {
                Delivery::Bolus => Delivery::Duration { h: duration_h },
                other => other,
            };
            vec![Input::with_bioavailability(
                system.layout.plasma,
                start,
                dose.amount_mg,
                s.bioavailability,
                delivery,
            )]
        }
        Absorption::FirstOrder { ka_per_h } => {
            let mut out = Vec::new();
            let parent = system.layout.depot_state(Depot {
                ka_per_h,
                into: Analyte::Parent,
            });
            if let Some(state) = parent {
                out.push(Input::with_bioavailability(
                    state,
                    start,
                    dose.amount_mg,
                    s.bioavailability,
                    dose.delivery,
                ));
            }
            let met = system.layout.depot_state(Depot {
                ka_per_h,
                into: Analyte::Metabolite,
            });
            if let (Some(state), true) = (met, s.presystemic_fraction > 0.0) {
                out.push(Input::with_bioavailability(
                    state,
                    start,
                    dose.amount_mg,
                    s.presystemic_fraction,
                    dose.delivery,
                ));
            }
            out
        }
    }
}

/// How a steady-state event combines with what is already in the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SteadyStateMode {
    /// Replace the state (NONMEM SS=1).
    Reset,
    /// Add to the state (NONMEM SS=2; a scenario's `steady_state = true`).
    Add,
}

/// Something that happens at a moment of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A delivery starts.
    Input(Input),
    /// Every compartment is emptied and running infusions stop (NONMEM EVID 3).
    Reset,
    /// The system is put at the steady state reached when `inputs` (times relative to this
    /// event) have been repeated every `interval_h` forever; with interval 0 the inputs must
    /// be infusions, held at their steady state and left running.
    SteadyState {
        /// Dosing interval (h); 0 for a constant infusion.
        interval_h: f64,
        /// One interval's inputs, start times relative to the event.
        inputs: Vec<Input>,
        /// Replace or add.
        mode: SteadyStateMode,
    },
    /// Record the state as an output row.
    Sample,
}

/// A regimen that has been running for ever when `dose.time_h` comes: at that moment the
/// body holds the steady state of `dose` repeated every `interval_h` (the dose itself, and
/// any repeats, are listed separately as ordinary doses).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SteadyStart {
    /// The repeated dose; its time is when the steady state is reached.
    pub dose: Dose,
    /// Dosing interval (h).
    pub interval_h: f64,
}

/// Events in time order; events at the same time happen in the order they were added.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Timeline {
    events: Vec<(f64, Event)>,
}

impl Timeline {
    /// An empty timeline.
    pub fn new() -> Timeline {
        Timeline::default()
    }

    /// Add `event` at `time_h`.
    pub fn push(&mut self, time_h: f64, event: Event) {
        self.events.push((time_h, event));
    }

    /// Add an output sample at each of `times_h`.
    pub fn sample_at(&mut self, times_h: &[f64]) {
        self.events
            .extend(times_h.iter().map(|&t| (t, Event::Sample)));
    }

    /// The events sorted by time, ties in insertion order.
    pub fn sorted(mut self) -> Vec<(f64, Event)> {
        self.events.sort_by(|a, b| a.0.total_cmp(&b.0));
        self.events
    }

    /// A timeline of `doses` on `system`, sampled at `times_h` (doses at a sample time come first).
    pub fn of_doses(doses: &[Dose], system: &LinearSystem, times_h: &[f64]) -> Timeline {
        Timeline::of_schedule(doses, &[], system, times_h)
    }

    /// A timeline of `doses` and steady-state starts on `system`, sampled at `times_h`.
    /// At one moment, steady states come first, then doses, then the sample.
    pub fn of_schedule(
        doses: &[Dose],
        steady: &[SteadyStart],
        system: &LinearSystem,
        times_h: &[f64],
    ) -> Timeline {
        let mut t = Timeline::new();
        for s in steady {
            let relative = Dose {
                time_h: 0.0,
                ..s.dose
            };
            let event = Event::SteadyState {
                interval_h: s.interval_h,
                inputs: inputs(&relative, system),
                mode: SteadyStateMode::Add,
            };
            t.push(s.dose.time_h, event);
        }
        let later = later_in_session(doses);
        for (d, &later) in doses.iter().zip(&later) {
            for input in inputs_in_session(d, later, system) {
                t.push(input.start_h, Event::Input(input));
            }
        }
        t.sample_at(times_h);
        t
    }
}

/// For each dose, whether it follows a dose of the same route by more than nothing and
/// less than [`SESSION_GAP_H`] (a later device of one nasal session). One sort: n log n.
fn later_in_session(doses: &[Dose]) -> Vec<bool> {
    let mut order: Vec<usize> = (0..doses.len()).collect();
    order.sort_by(|&a, &b| {
        (doses[a].route, doses[a].time_h)
            .partial_cmp(&(doses[b].route, doses[b].time_h))
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    let mut later = vec![false; doses.len()];
    for w in order.windows(2) {
        let (a, b) = (&doses[w[0]], &doses[w[1]]);
        let gap = b.time_h - a.time_h;
        later[w[1]] = a.route == b.route && gap > 0.0 && gap < SESSION_GAP_H;
    }
    later
}

/// Times from 0 to `duration_h` every `step_h`, both ends included (the last step may be short).
pub fn grid(duration_h: f64, step_h: f64) -> Vec<f64> {
    let n = (duration_h / step_h * (1.0 + 1e-12)).floor() as usize;
    let mut t: Vec<f64> = (0..=n).map(|i| i as f64 * step_h).collect();
    if duration_h - t[n] > 1e-9 * step_h {
        t.push(duration_h);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    /// See: issue 12 (item 4). A nasal spray on a model without a nasal network is a
    /// mucosal share plus the rest swallowed as an oral dose of that model.
    #[test]
    fn issue_12_a_nasal_dose_is_a_mucosal_share_plus_a_swallowed_oral_dose() {
        let spec = crate::model::library::get("fanta-2015").expect("built in");
        let nasal = Dose::new(&spec, Route::Intranasal, 40.0, &[]);
        let oral = Dose::new(
            &spec,
            Route::Oral,
            40.0 * (1.0 - crate::route::NASAL_FRACTION),
            &[],
        );
        assert_eq!(nasal.swallowed_part(), Some(oral));
        assert_eq!(oral.swallowed_part(), None);
        let system = LinearSystem::new(&spec.individual(70.0), &nasal.depots());
        let delivered: f64 = inputs(&nasal, &system)
            .iter()
            .map(|i| match i.kind {
                InputKind::Bolus { amount_mg } => amount_mg,
                InputKind::Infusion { .. } => f64::NAN,
            })
            .sum();
        let sw = nasal.settings.swallowed.expect("swallowed share");
        let want = 40.0
            * (nasal.settings.bioavailability
                + sw.fraction * (sw.bioavailability + sw.presystemic_fraction));
        assert!(
            (delivered - want).abs() < 1e-12 * want,
            "{delivered} vs {want}"
        );
        // A network that splits the route itself keeps its own split.
        let pr = crate::model::library::get("perez-ruixo-2021").expect("built in");
        assert_eq!(
            Dose::new(&pr, Route::Intranasal, 28.0, &[]).swallowed_part(),
            None
        );
    }

    #[test]
    fn bioavailability_shortens_infusions_given_by_rate() {
        let i = Input::with_bioavailability(0, 0.0, 480.0, 0.5, Delivery::Rate { mg_per_h: 10.0 });
        assert_eq!(
            i.kind,
            InputKind::Infusion {
                rate_mg_h: 10.0,
                duration_h: 24.0
            }
        );
    }

    #[test]
    fn bioavailability_lowers_the_rate_of_infusions_given_by_duration() {
        let i = Input::with_bioavailability(0, 0.0, 480.0, 0.5, Delivery::Duration { h: 48.0 });
        assert_eq!(
            i.kind,
            InputKind::Infusion {
                rate_mg_h: 5.0,
                duration_h: 48.0
            }
        );
    }

    #[test]
    fn devices_minutes_apart_are_one_session_and_days_apart_are_not() {
        let spec = crate::model::library::get("perez-ruixo-2021").expect("built in");
        let nasal = |h: f64| Dose::new(&spec, Route::Intranasal, 28.0, &[]).at(h);
        let doses = [
            nasal(0.0),
            nasal(5.0 / 60.0),
            Dose::new(&spec, Route::Oral, 28.0, &[]).at(6.0 / 60.0),
            nasal(10.0 / 60.0),
            nasal(72.0),
        ];
        assert_eq!(
            later_in_session(&doses),
            vec![false, true, false, true, false]
        );
    }

    #[test]
    fn grid_includes_both_ends() {
        assert_eq!(grid(1.0, 0.25), vec![0.0, 0.25, 0.5, 0.75, 1.0]);
        assert_eq!(grid(1.0, 0.4).len(), 4);
        assert_eq!(grid(8.0, 1.0 / 60.0).len(), 481);
    }
}
