//! Pharmacodynamics: what a concentration does.
//!
//! An [`Endpoint`] is one measured effect (a sedation score, a pain score, relief of
//! CRPS pain) as a function of the concentration at its own effect site. Each endpoint
//! has its own effect compartment, `dCe/dt = ke0 · (Cp − Ce)` (Sheiner et al., Clin
//! Pharmacol Ther 1979;25:358), and its own response:
//!
//! - sigmoid Emax, `E = E0 + Emax · Ceᵞ / (EC50ᵞ + Ceᵞ)` (Holford & Sheiner, Clin
//!   Pharmacokinet 1981;6:429), absolute or as a fraction of the baseline
//!   (`E = E0 · (1 + Emax · Ceᵞ / (EC50ᵞ + Ceᵞ))`, Herd 2008's form with Emax < 0);
//! - linear, `E = E0 + slope · Ce`;
//! - additive parent + metabolite (Olofsen 2012): `E = E0 + f(Ce,parent) + g(Ce,metabolite)`,
//!   each term linear or Emax, and of either sign.
//!
//! Slow "effect" processes are a ke0 like any other: Dahan 2011's CRPS relief comes and
//! goes with a half-time of 10.9 days.
//!
//! The effect sites are carried by the engine, not computed afterwards: each endpoint's
//! site is a state of a linear system ([`site`]), so the exact solver propagates it
//! exactly and the ODE solver integrates it like every other state. The response is then
//! a pointwise function of the effect-site concentrations ([`course`]).

pub mod course;
pub mod library;
pub mod site;

use crate::units::NgPerMl;

/// What an endpoint's drug term does with its effect-site concentration.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Term {
    /// `emax · Ceᵞ / (EC50ᵞ + Ceᵞ)`.
    Emax {
        /// Maximal effect (effect units; a fraction of the baseline when the endpoint is
        /// fractional). Negative for an effect that falls.
        emax: f64,
        /// Concentration giving half of `emax` (ng/mL).
        ec50_ng_ml: NgPerMl,
        /// Hill coefficient γ (steepness).
        hill: f64,
    },
    /// `slope · Ce`.
    Linear {
        /// Effect units per ng/mL.
        slope_per_ng_ml: f64,
    },
}

impl Term {
    /// The term at effect-site concentration `ce` (ng/mL). A concentration at or below
    /// zero (rounding after a long washout) gives no effect; the Emax fraction is written
    /// as `1 / (1 + (EC50/Ce)ᵞ)` so a large γ cannot overflow into ∞/∞.
    pub fn at(&self, ce: NgPerMl) -> f64 {
        match *self {
            Term::Emax {
                emax,
                ec50_ng_ml,
                hill,
            } => {
                if ce <= 0.0 {
                    0.0
                } else {
                    emax / (1.0 + (ec50_ng_ml / ce).powf(hill))
                }
            }
            Term::Linear { slope_per_ng_ml } => slope_per_ng_ml * ce.max(0.0),
        }
    }

    /// The concentration (ng/mL) giving `fraction` (0–1) of Emax:
    /// `EC50 · (f / (1 − f))^(1/γ)`; `None` for a linear term, which has no maximum.
    pub fn concentration_for(&self, fraction: f64) -> Option<NgPerMl> {
        match *self {
            Term::Emax {
                ec50_ng_ml, hill, ..
            } => Some(ec50_ng_ml * (fraction / (1.0 - fraction)).powf(1.0 / hill)),
            Term::Linear { .. } => None,
        }
    }
}

/// Whether the drug terms add to the baseline or scale it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// `E = E0 + terms`.
    Absolute,
    /// `E = E0 · (1 + terms)`: Emax is a fraction of the baseline (Herd 2008).
    FractionOfBaseline,
}

/// Which concentration an effect site follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyte {
    /// The parent drug's plasma concentration.
    Parent,
    /// The metabolite's (norketamine's) plasma concentration.
    Metabolite,
}

/// A concentration–effect relation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Response {
    /// Effect with no drug, E0 (effect units).
    pub baseline: f64,
    /// How the terms combine with the baseline.
    pub scale: Scale,
    /// The parent drug's term.
    pub parent: Term,
    /// The metabolite's term, for an additive parent + metabolite endpoint.
    pub metabolite: Option<Term>,
}

impl Response {
    /// The effect at effect-site concentrations `ce_parent` and `ce_metabolite` (ng/mL).
    pub fn at(&self, ce_parent: NgPerMl, ce_metabolite: NgPerMl) -> f64 {
        let drug = self.parent.at(ce_parent) + self.metabolite.map_or(0.0, |m| m.at(ce_metabolite));
        match self.scale {
            Scale::Absolute => self.baseline + drug,
            Scale::FractionOfBaseline => self.baseline * (1.0 + drug),
        }
    }

    /// The largest change from the baseline the parent term can make (effect units);
    /// `None` for a linear parent term.
    pub fn emax_change(&self) -> Option<f64> {
        match self.parent {
            Term::Emax { emax, .. } => Some(match self.scale {
                Scale::Absolute => emax,
                Scale::FractionOfBaseline => emax * self.baseline,
            }),
            Term::Linear { .. } => None,
        }
    }

    /// +1 when the drug raises the effect, −1 when it lowers it (the parent's sign).
    pub fn direction(&self) -> f64 {
        let sign = match self.parent {
            Term::Emax { emax, .. } => emax.signum(),
            Term::Linear { slope_per_ng_ml } => slope_per_ng_ml.signum(),
        };
        match self.scale {
            Scale::FractionOfBaseline if self.baseline < 0.0 => -sign,
            _ => sign,
        }
    }
}

/// A threshold on an effect, for "hours past it" in the summary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// Hours with the effect above the value.
    Above(f64),
    /// Hours with the effect below the value.
    Below(f64),
}

impl Threshold {
    /// "above 0.5", "below 2".
    pub fn describe(&self) -> String {
        match *self {
            Threshold::Above(v) => format!("above {}", crate::units::fmt_num(v)),
            Threshold::Below(v) => format!("below {}", crate::units::fmt_num(v)),
        }
    }
}

/// Where an endpoint's numbers come from.
#[derive(Debug, Clone, PartialEq)]
pub struct Provenance {
    /// The built-in id (`herd-2008`), or `None` for a scenario's own endpoint.
    pub id: Option<String>,
    /// Authors, year, journal and DOI.
    pub citation: String,
    /// Confidence tag (docs/sources.md §Confidence tags) and why.
    pub confidence: String,
    /// The built-in PK model the endpoint was estimated with, when ketasim has it.
    pub estimated_with: Option<String>,
    /// What PK the endpoint was estimated with, for people.
    pub pk_note: String,
    /// Numbers the source does not give, each marked as an assumption.
    pub assumptions: Vec<String>,
}

/// Between-subject variability of an endpoint: log-normal CVs on Emax and EC50 of the
/// parent term (Herd 2008 publishes both).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PdVariability {
    /// CV of Emax (0.24 for 24%).
    pub emax_cv: f64,
    /// CV of EC50.
    pub ec50_cv: f64,
}

impl PdVariability {
    /// `response` for a subject whose η on Emax and EC50 are `eta_emax`, `eta_ec50`
    /// (standard normal draws): `P · exp(ω·z)` with `ω² = ln(1 + CV²)`. A fractional Emax
    /// is capped at 1 in size, so a score cannot cross zero (ketasim's assumption: how
    /// Herd 2008 bounded it was not read).
    pub fn apply(&self, response: Response, eta_emax: f64, eta_ec50: f64) -> Response {
        let omega = |cv: f64| (1.0 + cv * cv).ln().sqrt();
        let mut r = response;
        if let Term::Emax {
            emax,
            ec50_ng_ml,
            hill,
        } = r.parent
        {
            let mut e = emax * (omega(self.emax_cv) * eta_emax).exp();
            if r.scale == Scale::FractionOfBaseline {
                e = e.clamp(-1.0, 1.0);
            }
            r.parent = Term::Emax {
                emax: e,
                ec50_ng_ml: ec50_ng_ml * (omega(self.ec50_cv) * eta_ec50).exp(),
                hill,
            };
        }
        r
    }
}

/// One pharmacodynamic endpoint with its own effect compartment.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    /// Its name in tables, CSV headers and legends, e.g. "sedation".
    pub name: String,
    /// What the effect is measured in, e.g. "score 0–5".
    pub unit: String,
    /// Concentration → effect.
    pub response: Response,
    /// Equilibration rate of its effect compartment (1/h).
    pub ke0_per_h: f64,
    /// The threshold the scenario names, if any.
    pub threshold: Option<Threshold>,
    /// Published between-subject variability, used by a `[population]`.
    pub variability: Option<PdVariability>,
    /// Citation, confidence and assumptions.
    pub provenance: Provenance,
}

impl Endpoint {
    /// The effect-site equilibration half-time, ln 2 / ke0 (h).
    pub fn t_half_ke0_h(&self) -> f64 {
        std::f64::consts::LN_2 / self.ke0_per_h
    }

    /// t½ke0 for people: seconds below a minute ("11 s"), else [`crate::units::fmt_hours`].
    pub fn t_half_ke0_text(&self) -> String {
        let h = self.t_half_ke0_h();
        if h < 1.0 / 60.0 {
            format!("{} s", crate::units::fmt_num(h * 3600.0))
        } else {
            crate::units::fmt_hours(h)
        }
    }

    /// The effect sites it needs: the parent's, and the metabolite's when it has a
    /// metabolite term.
    pub fn analytes(&self) -> Vec<Analyte> {
        let mut a = vec![Analyte::Parent];
        if self.response.metabolite.is_some() {
            a.push(Analyte::Metabolite);
        }
        a
    }

    /// A name for CSV headers: lower case, runs of anything but letters and digits as
    /// one `_` ("teaching Emax" → `teaching_emax`).
    pub fn column_id(&self) -> String {
        let mut out = String::new();
        for ch in self.name.trim().chars() {
            if ch.is_alphanumeric() {
                out.extend(ch.to_lowercase());
            } else if !out.ends_with('_') {
                out.push('_');
            }
        }
        out.trim_matches('_').to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    /// The closed forms are a few flops: only rounding remains.
    const ROUNDING: f64 = 1e-12;

    fn emax(emax: f64, ec50: f64, hill: f64) -> Term {
        Term::Emax {
            emax,
            ec50_ng_ml: ec50,
            hill,
        }
    }

    #[test]
    fn emax_is_half_at_ec50_and_matches_the_textbook_form() {
        let t = emax(2.0, 120.0, 2.5);
        assert_relative_eq!(t.at(120.0), 1.0, max_relative = ROUNDING);
        let c: f64 = 300.0;
        let textbook = 2.0 * c.powf(2.5) / (120f64.powf(2.5) + c.powf(2.5));
        assert_relative_eq!(t.at(c), textbook, max_relative = ROUNDING);
        approx::assert_abs_diff_eq!(t.at(0.0), 0.0, epsilon = 1e-15);
        approx::assert_abs_diff_eq!(t.at(-1e-18), 0.0, epsilon = 1e-15);
    }

    #[test]
    fn a_steep_hill_neither_overflows_nor_gives_nan() {
        let t = emax(1.0, 1e-6, 100.0);
        approx::assert_abs_diff_eq!(t.at(1e7), 1.0, epsilon = 1e-15);
        let t = emax(1.0, 1e7, 100.0);
        approx::assert_abs_diff_eq!(t.at(1e-6), 0.0, epsilon = 1e-15);
    }

    #[test]
    fn concentration_for_a_fraction_inverts_the_curve() {
        let t = emax(-0.939, 560.0, 3.71);
        for f in [0.2, 0.5, 0.8] {
            let c = t.concentration_for(f).unwrap();
            assert_relative_eq!(t.at(c), -0.939 * f, max_relative = 1e-12);
        }
        assert!(Term::Linear {
            slope_per_ng_ml: 1.0
        }
        .concentration_for(0.5)
        .is_none());
    }

    #[test]
    fn fractional_emax_scales_the_baseline() {
        // Herd 2008: E0 5, fractional Emax 0.939 (falling): at EC50 the score is 5·(1 − 0.4695).
        let r = Response {
            baseline: 5.0,
            scale: Scale::FractionOfBaseline,
            parent: emax(-0.939, 560.0, 3.71),
            metabolite: None,
        };
        assert_relative_eq!(
            r.at(560.0, 0.0),
            5.0 * (1.0 - 0.4695),
            max_relative = ROUNDING
        );
        assert_relative_eq!(r.emax_change().unwrap(), -4.695, max_relative = ROUNDING);
        approx::assert_abs_diff_eq!(r.direction(), -1.0, epsilon = 1e-15);
    }

    #[test]
    fn parent_and_metabolite_terms_add_with_their_signs() {
        // Olofsen 2012: −3.8 cm at Ce(S-K) 100 ng/mL and +1.5 cm at Ce(S-NK) 50 ng/mL: −2.3 cm.
        let r = Response {
            baseline: 0.0,
            scale: Scale::Absolute,
            parent: Term::Linear {
                slope_per_ng_ml: -0.038,
            },
            metabolite: Some(Term::Linear {
                slope_per_ng_ml: 0.030,
            }),
        };
        assert_relative_eq!(r.at(100.0, 50.0), -2.3, max_relative = ROUNDING);
    }

    #[test]
    fn pd_variability_scales_emax_and_ec50_log_normally() {
        let herd = library::get("herd-2008").unwrap();
        let v = herd.variability.unwrap();
        assert_eq!(v.apply(herd.response, 0.0, 0.0), herd.response);
        let r = v.apply(herd.response, 0.0, 1.0);
        let Term::Emax { ec50_ng_ml, .. } = r.parent else {
            panic!("Emax")
        };
        // One SD of η: EC50 · exp(√ln(1 + 1.36²)).
        assert_relative_eq!(
            ec50_ng_ml,
            560.0 * (1.0 + 1.36f64 * 1.36).ln().sqrt().exp(),
            max_relative = ROUNDING
        );
        let big = v.apply(herd.response, 5.0, 0.0);
        let Term::Emax { emax, .. } = big.parent else {
            panic!("Emax")
        };
        approx::assert_abs_diff_eq!(emax, -1.0, epsilon = 1e-15);
    }

    #[test]
    fn column_ids_are_plain() {
        let mut e = library::get("herd-2008").unwrap();
        e.name = "Teaching Emax (score)".into();
        assert_eq!(e.column_id(), "teaching_emax_score");
    }
}
