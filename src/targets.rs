//! TCI targets and pump limits as a scenario states them: plain data, read by
//! [`crate::scenario`] and acted on by [`crate::control`].

/// Which concentration a target is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Site {
    /// Parent plasma concentration (Jacobs 1990).
    Plasma,
    /// Effect-site concentration (Shafer & Gregg 1992); needs a ke0.
    Effect,
}

impl Site {
    /// The word used in files and tables.
    pub fn id(self) -> &'static str {
        match self {
            Site::Plasma => "plasma",
            Site::Effect => "effect",
        }
    }
}

/// One target: from `at_h` on, hold `site` at `mg_l` (0 stops the pump).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// When it takes effect (h).
    pub at_h: f64,
    /// Plasma or effect site.
    pub site: Site,
    /// The concentration (mg/L = µg/mL).
    pub mg_l: f64,
}

/// The pump's limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pump {
    /// Syringe concentration (mg/mL), to turn mg/h into mL/h.
    pub syringe_mg_ml: f64,
    /// Fastest rate (mg/h).
    pub max_rate_mg_h: f64,
    /// Time between rate updates (h).
    pub update_every_h: f64,
}

impl Default for Pump {
    /// 10 mg/mL, 1200 mL/h, every 10 s (issue 13; common syringe-driver limits).
    fn default() -> Self {
        Pump {
            syringe_mg_ml: 10.0,
            max_rate_mg_h: 1200.0 * 10.0,
            update_every_h: 10.0 / 3600.0,
        }
    }
}

/// Targets in time order and the pump that chases them.
#[derive(Debug, Clone, PartialEq)]
pub struct Tci {
    /// The targets, by time.
    pub targets: Vec<Target>,
    /// The pump.
    pub pump: Pump,
}
