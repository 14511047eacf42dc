//! Scenario files as written: serde structs of raw strings with their spans. Unknown
//! keys are errors (`deny_unknown_fields`). Nothing here interprets units; that is
//! [`super::checked`]'s job.

use crate::model::custom::ModelTable;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

/// A text value with its place in the file.
pub type Text = Spanned<String>;

/// The whole file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Title of the scenario (plot title, table heading).
    pub name: Text,
    /// What to look at; lessons put their lesson text here.
    pub description: Option<String>,
    /// The patient.
    pub patient: Option<Spanned<PatientTable>>,
    /// The model: a built-in id with overrides, a custom model, or a written network.
    pub model: Option<Spanned<ModelTable>>,
    /// `[models.NAME]`: more models, for schedules that name one (`model = "NAME"`).
    #[serde(default)]
    pub models: BTreeMap<Text, Spanned<ModelTable>>,
    /// Time window, output step and solver.
    pub simulation: Spanned<SimulationTable>,
    /// The schedules compared, each a list of doses.
    #[serde(default)]
    pub schedule: Vec<Spanned<ScheduleTable>>,
    /// Per-scenario route overrides, keyed by route name.
    #[serde(default)]
    pub routes: BTreeMap<Text, Spanned<RouteTable>>,
    /// The plot.
    pub plot: Option<Spanned<PlotTable>>,
    /// Where the CSV files go.
    pub output: Option<Spanned<OutputTable>>,
    /// A virtual population simulated beside the typical patient.
    pub population: Option<Spanned<PopulationTable>>,
    /// `[[effect]]`: pharmacodynamic endpoints, each with its own effect compartment.
    #[serde(default)]
    pub effect: Vec<Spanned<EffectTable>>,
}

/// One `[[effect]]`: a built-in endpoint (`pd = "herd-2008"`) or one written out.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EffectTable {
    /// Name in tables, CSV headers and legends.
    pub name: Text,
    /// A built-in endpoint (`ketasim models`).
    pub pd: Option<Text>,
    /// What the effect is measured in, e.g. "score 0–5".
    pub unit: Option<Text>,
    /// E0, the effect without drug (default 0).
    pub baseline: Option<Spanned<f64>>,
    /// Emax: the largest change (negative for an effect that falls).
    pub emax: Option<Spanned<f64>>,
    /// Emax is a fraction of the baseline: E = E0 · (1 + Emax · Cᵞ/(EC50ᵞ + Cᵞ)).
    pub fractional: Option<Spanned<bool>>,
    /// EC50, e.g. "120 ng/mL".
    pub ec50: Option<Text>,
    /// Hill coefficient γ (default 1).
    pub hill: Option<Spanned<f64>>,
    /// A linear effect: effect units per ng/mL.
    pub slope_per_ng_ml: Option<Spanned<f64>>,
    /// The metabolite's Emax (an additive parent + metabolite endpoint).
    pub metabolite_emax: Option<Spanned<f64>>,
    /// The metabolite's EC50.
    pub metabolite_ec50: Option<Text>,
    /// The metabolite's Hill coefficient (default 1).
    pub metabolite_hill: Option<Spanned<f64>>,
    /// The metabolite's slope, effect units per ng/mL.
    pub metabolite_slope_per_ng_ml: Option<Spanned<f64>>,
    /// Effect-site equilibration half-time, e.g. "8.3 min".
    pub t_half_ke0: Option<Text>,
    /// Effect-site equilibration rate, e.g. "0.084 /min" (alternative to t_half_ke0).
    pub ke0: Option<Text>,
    /// "above 0.5" or "below 2": the summary gives the hours past it.
    pub threshold: Option<Text>,
}

/// `[patient]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientTable {
    /// Body weight, e.g. "70 kg".
    pub weight: Option<Text>,
    /// Age, e.g. "72 years": used by models with an age effect (perez-ruixo-2021).
    pub age: Option<Text>,
    /// "asian" or "non-asian": used by models with an ancestry effect (perez-ruixo-2021).
    pub ancestry: Option<Text>,
}

/// `[simulation]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationTable {
    /// Simulated window from time 0, e.g. "8 h".
    pub duration: Text,
    /// Output step, default "1 min".
    pub output_every: Option<Text>,
    /// "exact" (default) or "ode".
    pub solver: Option<Text>,
}

/// One `[[schedule]]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleTable {
    /// Legend label.
    pub name: Text,
    /// Body weight for this schedule, overriding `[patient] weight` (compare a child and an adult).
    pub weight: Option<Text>,
    /// The model for this schedule, overriding `[model]`: a built-in id or a `[models.NAME]`.
    pub model: Option<Text>,
    /// The doses given by hand.
    #[serde(default)]
    pub doses: Option<Spanned<Vec<Spanned<DoseTable>>>>,
    /// Target-controlled infusion: targets in time order.
    pub targets: Option<Spanned<Vec<Spanned<TargetTable>>>>,
    /// The TCI pump's limits (defaults: 10 mg/mL, 1200 mL/h, every 10 s).
    pub pump: Option<Spanned<PumpTable>>,
}

/// One TCI target: `{ at = "0 min", plasma = "1 µg/mL" }` (or `effect = ...`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetTable {
    /// When it takes effect.
    pub at: Text,
    /// Plasma target concentration.
    pub plasma: Option<Text>,
    /// Effect-site target concentration.
    pub effect: Option<Text>,
}

/// `pump = { syringe = "10 mg/mL", max_rate = "1200 mL/h", update_every = "10 s" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PumpTable {
    /// Syringe concentration, "mg/mL".
    pub syringe: Option<Text>,
    /// Fastest rate, "mL/h" or "mL/min".
    pub max_rate: Option<Text>,
    /// Time between rate updates.
    pub update_every: Option<Text>,
}

/// One dose: `{ route = "iv", amount = "0.5 mg/kg", over = "40 min" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DoseTable {
    /// Route name (`ketasim routes`).
    pub route: Text,
    /// Amount, e.g. "56 mg" or "0.5 mg/kg".
    pub amount: Option<Text>,
    /// Infusion rate, e.g. "0.5 mg/kg/h".
    pub rate: Option<Text>,
    /// Start time, default "0 h".
    pub at: Option<Text>,
    /// Infusion duration, e.g. "40 min".
    pub over: Option<Text>,
    /// Repeat interval, e.g. "8 h".
    pub every: Option<Text>,
    /// Number of doses when repeating (default: until the end of the window).
    pub times: Option<Spanned<i64>>,
    /// Start at the steady state of this repeated dose (needs `every`).
    pub steady_state: Option<Spanned<bool>>,
    /// Bioavailability F for this dose.
    pub bioavailability: Option<Spanned<f64>>,
    /// Absorption rate for this dose, e.g. "1.5 /h".
    pub ka: Option<Text>,
    /// Absorption half-life for this dose, e.g. "20 min" (alternative to ka).
    pub absorption_half_life: Option<Text>,
    /// Lag time for this dose.
    pub lag: Option<Text>,
    /// Swallowed fraction of this nasal dose.
    pub swallowed: Option<Spanned<f64>>,
}

/// `[routes.NAME]`: overrides of a route's defaults for the whole scenario.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouteTable {
    /// Bioavailability F.
    pub bioavailability: Option<Spanned<f64>>,
    /// Absorption rate, e.g. "1.5 /h".
    pub ka: Option<Text>,
    /// Absorption half-life (alternative to ka).
    pub absorption_half_life: Option<Text>,
    /// Lag time.
    pub lag: Option<Text>,
    /// Swallowed fraction of a nasal dose (absorbed as an oral dose, first pass included).
    pub swallowed: Option<Spanned<f64>>,
    /// Fraction of the dose turned into metabolite before reaching the circulation.
    pub first_pass_metabolite: Option<Spanned<f64>>,
    /// Zero-order input time (topical wear time).
    pub wear_time: Option<Text>,
}

/// `[plot]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlotTable {
    /// Plot path, default `outputs/<stem>.png`; `.svg` for an SVG.
    pub file: Option<Text>,
    /// Bands to shade (`ketasim bands`); default all.
    pub bands: Option<Spanned<Vec<Text>>>,
    /// Logarithmic concentration axis.
    pub log_y: Option<bool>,
    /// What the lower panel shows: "norketamine", "effect" or "none".
    pub lower_panel: Option<Text>,
    /// "same-axes": effect-site curves beside the plasma curves on the main panel.
    pub effect: Option<Text>,
    /// Also write `<stem>-hysteresis.png`: the first `[[effect]]` against plasma concentration.
    pub hysteresis: Option<Spanned<bool>>,
}

/// `[output]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OutputTable {
    /// Time-course CSV, default `outputs/<stem>.csv`.
    pub csv: Option<Text>,
    /// Summary CSV, default `outputs/<stem>-summary.csv`.
    pub summary: Option<Text>,
}

/// `[population]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationTable {
    /// Number of subjects.
    pub size: Spanned<i64>,
    /// Seed of the random draws (default 1).
    pub seed: Option<Spanned<i64>>,
    /// `[population.variability]`: between-subject variability per parameter.
    pub variability: Option<Spanned<VariabilityTable>>,
    /// `[population.weight]`: how body weight is spread.
    pub weight: Option<Spanned<WeightTable>>,
}

/// `[population.variability]`: keys are the `[model]` parameter names.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VariabilityTable {
    /// CL.
    pub clearance: Option<Spanned<Spread>>,
    /// V1.
    pub central_volume: Option<Spanned<Spread>>,
    /// Q2 and Q3, each with its own η.
    pub intercompartmental_clearance: Option<Spanned<Spread>>,
    /// V2 and V3, each with its own η.
    pub peripheral_volume: Option<Spanned<Spread>>,
    /// Absorption rate of every absorbed route.
    pub ka: Option<Spanned<Spread>>,
}

/// A spread as written: `"38%"` (a CV), or `{ cv = "38%" }`, `{ omega = 0.3 }` (SD of
/// η) or `{ variance = 0.09 }` (ω², NONMEM's `$OMEGA`).
#[derive(Debug)]
pub enum Spread {
    /// A coefficient of variation, e.g. "38%".
    Cv(String),
    /// The table form.
    Table(SpreadTable),
}

/// `{ cv = "38%" }`, `{ omega = 0.3 }` or `{ variance = 0.09 }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpreadTable {
    /// Coefficient of variation, e.g. "38%".
    pub cv: Option<Text>,
    /// Standard deviation of η.
    pub omega: Option<Spanned<f64>>,
    /// Variance of η (ω²).
    pub variance: Option<Spanned<f64>>,
}

impl<'de> Deserialize<'de> for Spread {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Spread, D::Error> {
        struct SpreadVisitor;
        impl<'de> Visitor<'de> for SpreadVisitor {
            type Value = Spread;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a CV such as \"38%\", or { cv = \"38%\" }, { omega = 0.3 } or { variance = 0.09 }")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Spread, E> {
                Ok(Spread::Cv(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Spread, A::Error> {
                SpreadTable::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(Spread::Table)
            }
        }
        d.deserialize_any(SpreadVisitor)
    }
}

/// `[population.weight]`: `distribution = "normal"` with `mean`, `sd`, `min`, `max`, or
/// `distribution = "uniform"` with `min`, `max`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightTable {
    /// "normal" or "uniform".
    pub distribution: Text,
    /// Mean (normal), e.g. "20 kg".
    pub mean: Option<Text>,
    /// Standard deviation (normal), e.g. "6 kg".
    pub sd: Option<Text>,
    /// Lightest weight drawn.
    pub min: Option<Text>,
    /// Heaviest weight drawn.
    pub max: Option<Text>,
}
