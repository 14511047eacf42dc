//! Target-controlled infusion: a pump that reads the patient's state and sets the rate of
//! each update interval so that a plasma or effect-site target is reached and held.
//!
//! The pump is planned ahead on the typical patient's model ([`plan()`]), exactly as a real
//! pump runs on its model's prediction: the result is a list of constant-rate IV
//! infusions, one per update interval, that the ordinary engine then simulates (for the
//! typical patient and, unchanged, for every subject of a population).

pub mod outcome;
pub mod plan;

pub use outcome::{effect_target_on, outcomes, plasma_target_on, TargetOutcome, TciResult};
pub use plan::{plan, PumpPlan, RateChange};

pub use crate::targets::{Pump, Site, Target, Tci};
