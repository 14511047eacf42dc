//! # ketasim
//!
//! A pharmacokinetic simulator for ketamine: plasma, effect-site and norketamine
//! concentrations under IV, intramuscular, intranasal, sublingual, oral, rectal and
//! topical dosing, from published compartment models.
//!
//! **Teaching and research use only — never a dosing calculator for a real patient.**
//!
//! Data flows one way:
//!
//! ```text
//! units ─▶ model (ModelSpec → Model → LinearSystem) ──┐
//! route ─▶ dosing (Regimen → Dose → Input → Timeline) ┼─▶ simulate (solver: exact | ode) ─▶ Trajectory
//! nonmem (dataset.csv → Record → Timeline) ───────────┘
//! population (Ω, weights → subjects) ─▶ simulate::grid (fast path) ─▶ percentiles
//! effect (endpoints: an effect site per endpoint in the engine) ─▶ effect courses
//! ```

pub mod bands;
pub mod cli;
pub mod control;
pub mod dosing;
pub mod effect;
pub mod error;
pub mod limits;
pub mod literature;
pub mod metrics;
pub mod model;
pub mod nonmem;
pub mod population;
pub mod report;
pub mod route;
pub mod scenario;
pub mod serve;
pub mod simulate;
pub mod solver;
pub mod study;
pub mod targets;
pub mod teaching;
pub mod text_file;
pub mod units;

pub use error::{Error, Result};

/// One line that every output a person reads carries.
pub const DISCLAIMER: &str = "teaching and research use only — not for dosing patients";
