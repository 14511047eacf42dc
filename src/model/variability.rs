//! Between-subject variability (BSV) of model parameters, log-normal as in NONMEM's
//! exponential model: `P_i = P_typical · exp(η_i)`, `η ~ N(0, Ω)`.
//!
//! Papers report the spread of `η` either as `ω` (its standard deviation), as `ω²`
//! (NONMEM's `$OMEGA`) or as a coefficient of variation (CV) of `P`. For a log-normal
//! variable the CV and `ω` are tied exactly by `CV² = exp(ω²) − 1`, that is
//! `ω² = ln(1 + CV²)` ([`omega_from_cv`]). Many pharmacometric papers (the Holford and
//! Anderson group's among them) instead print `ω` itself as a "%" ("apparent CV"); the
//! two readings differ little below 40% (38% → ω 0.367 rather than 0.380) and more above.
//! ketasim reads a "%" as a true CV; write `{ omega = 0.38 }` to give `ω` directly.
//!
//! This module only describes variability; `crate::population` draws subjects from it.

use std::fmt;

/// A parameter that may vary between subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Parameter {
    /// Elimination clearance CL.
    Clearance,
    /// Central volume V1.
    CentralVolume,
    /// Intercompartmental clearances Q2, Q3 (each compartment its own η).
    IntercompartmentalClearance,
    /// Peripheral volumes V2, V3 (each compartment its own η).
    PeripheralVolume,
    /// First-order absorption rate of every absorbed route (one η per subject).
    Ka,
}

impl Parameter {
    /// Every parameter, in the order they are listed and drawn.
    pub const ALL: [Parameter; 5] = [
        Parameter::Clearance,
        Parameter::CentralVolume,
        Parameter::IntercompartmentalClearance,
        Parameter::PeripheralVolume,
        Parameter::Ka,
    ];

    /// The key in a scenario's `[population.variability]` table (the `[model]` key names).
    pub fn id(self) -> &'static str {
        match self {
            Parameter::Clearance => "clearance",
            Parameter::CentralVolume => "central_volume",
            Parameter::IntercompartmentalClearance => "intercompartmental_clearance",
            Parameter::PeripheralVolume => "peripheral_volume",
            Parameter::Ka => "ka",
        }
    }

    /// The usual symbol: CL, V1, Q, Vp, ka.
    pub fn symbol(self) -> &'static str {
        match self {
            Parameter::Clearance => "CL",
            Parameter::CentralVolume => "V1",
            Parameter::IntercompartmentalClearance => "Q",
            Parameter::PeripheralVolume => "Vp",
            Parameter::Ka => "ka",
        }
    }

    /// Whether one η serves the parameter (CL, V1, ka) or each peripheral compartment
    /// has its own (Q, Vp).
    pub fn per_compartment(self) -> bool {
        matches!(
            self,
            Parameter::IntercompartmentalClearance | Parameter::PeripheralVolume
        )
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// `ω` of a log-normal parameter with coefficient of variation `cv` (a fraction):
/// `ω = √ln(1 + CV²)`.
///
/// ## Reference
/// For `ln P ~ N(μ, ω²)`, `Var P = (exp(ω²) − 1) · exp(2μ + ω²)` and `E P = exp(μ + ω²/2)`,
/// so `CV² = exp(ω²) − 1`: Johnson NL, Kotz S, Balakrishnan N. *Continuous Univariate
/// Distributions*, vol. 1, 2nd ed. Wiley, 1994, ch. 14 (lognormal distributions).
pub fn omega_from_cv(cv: f64) -> f64 {
    (cv * cv).ln_1p().sqrt()
}

/// The coefficient of variation (a fraction) of a log-normal parameter with standard
/// deviation `omega` of `ln P`: `CV = √(exp(ω²) − 1)`, the inverse of [`omega_from_cv`].
pub fn cv_from_omega(omega: f64) -> f64 {
    (omega * omega).exp_m1().sqrt()
}

/// A correlation between the η of two single-η parameters (CL, V1, ka).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Correlation {
    /// The two parameters.
    pub between: (Parameter, Parameter),
    /// Correlation coefficient r = cov / (ω₁ ω₂), in (−1, 1).
    pub r: f64,
}

/// The BSV of a model: `ω` per parameter and correlations between them.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Variability {
    /// `ω` (SD of η) per parameter that varies; parameters not listed do not vary.
    pub omegas: Vec<(Parameter, f64)>,
    /// Correlations; kept as r, so changing an `ω` keeps the published correlation.
    pub correlations: Vec<Correlation>,
    /// Where the numbers come from, with its confidence tag (docs/sources.md §Confidence tags).
    pub source: String,
}

impl Variability {
    /// No variability at all.
    pub fn none() -> Variability {
        Variability::default()
    }

    /// `ω` of `p` (0 when it does not vary).
    pub fn omega(&self, p: Parameter) -> f64 {
        self.omegas
            .iter()
            .find(|(q, _)| *q == p)
            .map_or(0.0, |&(_, w)| w)
    }

    /// Set `ω` of `p`, replacing any earlier value.
    pub fn set(&mut self, p: Parameter, omega: f64) {
        self.omegas.retain(|(q, _)| *q != p);
        self.omegas.push((p, omega));
        self.omegas.sort_by_key(|(q, _)| *q);
    }

    /// The correlation between `a` and `b` (0 when none is given).
    pub fn correlation(&self, a: Parameter, b: Parameter) -> f64 {
        self.correlations
            .iter()
            .find(|c| c.between == (a, b) || c.between == (b, a))
            .map_or(0.0, |c| c.r)
    }

    /// True when no parameter varies.
    pub fn is_none(&self) -> bool {
        self.omegas.iter().all(|&(_, w)| w <= 0.0)
    }

    /// "CL 38%, V1 64%" as CVs (and "r(V1, CL) 0.49" for correlations), for headings;
    /// "none" when nothing varies.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self
            .omegas
            .iter()
            .filter(|(_, w)| *w > 0.0)
            .map(|&(p, w)| format!("{p} {:.0}%", 100.0 * cv_from_omega(w)))
            .collect();
        parts.extend(
            self.correlations
                .iter()
                .filter(|c| self.omega(c.between.0) > 0.0 && self.omega(c.between.1) > 0.0)
                .map(|c| format!("r({}, {}) {:.2}", c.between.0, c.between.1, c.r)),
        );
        if parts.is_empty() {
            "none".into()
        } else {
            parts.join(", ")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The conversions are a log, an exp and square roots: a few ulps.
    const ROUNDING: f64 = 1e-14;

    #[test]
    fn cv_and_omega_convert_both_ways() {
        // ω² = ln(1 + 0.38²) = ln 1.1444 = 0.134880 (Herd 2007's CL CV of 38%).
        assert_relative_eq!(
            omega_from_cv(0.38).powi(2),
            1.1444f64.ln(),
            max_relative = ROUNDING
        );
        assert_relative_eq!(omega_from_cv(0.38), 0.367261, max_relative = 1e-6);
        for cv in [0.0, 0.05, 0.19, 0.38, 0.64, 1.48] {
            assert_relative_eq!(
                cv_from_omega(omega_from_cv(cv)),
                cv,
                max_relative = ROUNDING,
                epsilon = 1e-300
            );
        }
        // Small CVs: ω ≈ CV (first-order expansion of ln(1 + x²)).
        assert_relative_eq!(omega_from_cv(0.01), 0.01, max_relative = 1e-4);
    }

    #[test]
    fn set_replaces_and_keeps_order() {
        let mut v = Variability::none();
        assert!(v.is_none());
        v.set(Parameter::Ka, 0.5);
        v.set(Parameter::Clearance, 0.3);
        v.set(Parameter::Clearance, 0.2);
        assert_eq!(
            v.omegas,
            vec![(Parameter::Clearance, 0.2), (Parameter::Ka, 0.5)]
        );
        assert_eq!(v.describe(), "CL 20%, ka 53%");
    }
}
