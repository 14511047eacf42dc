//! The model's numbers for one body weight: CL, V1, Vss, the exponential phases of the
//! plasma curve after an IV bolus (α, β, γ half-lives and how much each carries), the
//! effect site and the metabolite.

use crate::model::system::disposition_entry;
use crate::model::{Disposition, ModelSpec};
use nalgebra::{DMatrix, SymmetricEigen};
use std::f64::consts::LN_2;

/// The names of the phases, fastest first, by number of compartments.
const SYMBOLS: [&str; 3] = ["α", "β", "γ"];

/// One exponential phase of the plasma curve after an IV bolus, `C(t) = Σ Cᵢ e^{−λᵢ t}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    /// α, β or γ, fastest first.
    pub symbol: &'static str,
    /// Half-life ln 2 / λ (h).
    pub half_life_h: f64,
    /// `Cᵢ / ΣC`: the share of the concentration just after a bolus that falls away with
    /// this phase (the shares add up to 1).
    pub share_of_c0: f64,
    /// `(Cᵢ/λᵢ) / Σ(C/λ)`: the share of the bolus's total exposure (AUC) under this phase.
    pub share_of_auc: f64,
}

/// The effect site: how fast the brain follows the plasma.
#[derive(Debug, Clone, PartialEq)]
pub struct EffectSite {
    /// Equilibration rate ke0 (1/h).
    pub ke0_per_h: f64,
    /// Equilibration half-life ln 2 / ke0 (h).
    pub half_life_h: f64,
    /// Where ke0 comes from (and whether it is borrowed).
    pub source: String,
}

/// The metabolite's own disposition.
#[derive(Debug, Clone, PartialEq)]
pub struct MetaboliteBody {
    /// Its name, e.g. "S-norketamine".
    pub name: String,
    /// Fraction of the parent's clearance that forms it.
    pub fraction_formed: f64,
    /// Its clearance (L/h).
    pub cl_l_h: f64,
    /// Its volume at steady state (L).
    pub vss_l: f64,
    /// Its phases after an IV bolus of the metabolite itself.
    pub phases: Vec<Phase>,
}

/// The model's numbers at one body weight.
#[derive(Debug, Clone, PartialEq)]
pub struct Body {
    /// Body weight (kg).
    pub weight_kg: f64,
    /// Clearance CL (L/h).
    pub cl_l_h: f64,
    /// Central volume V1 (L).
    pub v1_l: f64,
    /// Volume at steady state V1 + V2 + V3 (L).
    pub vss_l: f64,
    /// The exponential phases, fastest first; the last is terminal elimination.
    pub phases: Vec<Phase>,
    /// The effect site, when the model has one.
    pub effect_site: Option<EffectSite>,
    /// The metabolite, when the model has one.
    pub metabolite: Option<MetaboliteBody>,
}

impl Body {
    /// The model `spec` at `weight_kg`.
    pub fn of(spec: &ModelSpec, weight_kg: f64) -> Body {
        let m = spec.individual(weight_kg);
        let d = &m.disposition;
        Body {
            weight_kg,
            cl_l_h: d.cl_l_h,
            v1_l: d.v1_l,
            vss_l: d.vss_l(),
            phases: phases(d),
            effect_site: m.ke0_per_h.map(|ke0| EffectSite {
                ke0_per_h: ke0,
                half_life_h: LN_2 / ke0,
                source: spec.ke0_source.clone(),
            }),
            metabolite: m.metabolite.as_ref().map(|met| MetaboliteBody {
                name: met.name.clone(),
                fraction_formed: met.fraction_formed,
                cl_l_h: met.disposition.cl_l_h,
                vss_l: met.disposition.vss_l(),
                phases: phases(&met.disposition),
            }),
        }
    }

    /// The terminal (slowest) half-life (h).
    pub fn terminal_half_life_h(&self) -> f64 {
        self.phases.last().map_or(f64::INFINITY, |p| p.half_life_h)
    }
}

/// The phases of the plasma curve after an IV bolus into the central compartment.
///
/// The amount matrix `A` of a mammillary model is `M · diag(V)⁻¹` with `M` symmetric
/// (the flow Qⱼ between compartments 1 and j appears at (1, j) and (j, 1)), so
/// `S = diag(V)^{−½} A diag(V)^{½}` is symmetric with the eigenvalues −λᵢ of `A` and
/// orthonormal eigenvectors `q⁽ⁱ⁾`. Then `e^{A t} = diag(V)^{½} Q e^{−Λ t} Qᵀ diag(V)^{−½}`,
/// and a bolus D into compartment 1 gives `C₁(t) = D/V1 · Σᵢ (q₁⁽ⁱ⁾)² e^{−λᵢ t}`: the
/// coefficient shares are the squared first components, which add up to 1.
///
/// ## Reference
/// The symmetrization is derived above (it holds because each intercompartmental
/// clearance Q acts in both directions). For 2 compartments it reduces to the macro-constant
/// `A = D/V1 · (α − k21)/(α − β)` of Gibaldi M, Perrier D. *Pharmacokinetics*, 2nd ed.
/// Marcel Dekker, 1982, ch. 2, which the tests check.
pub fn phases(d: &Disposition<f64>) -> Vec<Phase> {
    let n = 1 + d.peripherals.len();
    let volume = |i: usize| {
        if i == 0 {
            d.v1_l
        } else {
            d.peripherals[i - 1].v_l
        }
    };
    let s = DMatrix::from_fn(n, n, |i, j| {
        disposition_entry(d, i, j) * (volume(j) / volume(i)).sqrt()
    });
    let eigen = SymmetricEigen::new(s);
    let mut terms: Vec<(f64, f64)> = (0..n)
        .map(|i| (-eigen.eigenvalues[i], eigen.eigenvectors[(0, i)].powi(2)))
        .collect();
    terms.sort_by(|a, b| b.0.total_cmp(&a.0));
    let c0: f64 = terms.iter().map(|t| t.1).sum();
    let auc: f64 = terms.iter().map(|t| t.1 / t.0).sum();
    terms
        .iter()
        .zip(SYMBOLS)
        .map(|(&(rate, share), symbol)| Phase {
            symbol,
            half_life_h: LN_2 / rate,
            share_of_c0: share / c0,
            share_of_auc: share / rate / auc,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Peripheral;
    use approx::assert_relative_eq;

    /// Eigen-decomposition of a 2×2 or 3×3 matrix: rounding only.
    const EIGEN: f64 = 1e-10;

    #[test]
    fn two_compartment_shares_match_the_macro_constants() {
        let d = Disposition {
            cl_l_h: 90.0,
            v1_l: 38.7,
            peripherals: vec![Peripheral {
                q_l_h: 215.0,
                v_l: 102.0,
            }],
        };
        let k = d.micro();
        let s = k.k10 + k.k12 + k.k21;
        let root = (s * s - 4.0 * k.k10 * k.k21).sqrt();
        let (alpha, beta) = ((s + root) / 2.0, (s - root) / 2.0);
        let share_a = (alpha - k.k21) / (alpha - beta);
        let p = phases(&d);
        assert_relative_eq!(p[0].half_life_h, LN_2 / alpha, max_relative = EIGEN);
        assert_relative_eq!(p[1].half_life_h, LN_2 / beta, max_relative = EIGEN);
        assert_relative_eq!(p[0].share_of_c0, share_a, max_relative = EIGEN);
        let auc_a = share_a / alpha;
        let auc_b = (1.0 - share_a) / beta;
        assert_relative_eq!(
            p[0].share_of_auc,
            auc_a / (auc_a + auc_b),
            max_relative = EIGEN
        );
    }

    #[test]
    fn half_lives_agree_with_the_model_module() {
        let spec = crate::model::library::get("kamp-2020").expect("built in");
        let d = spec.individual(70.0).disposition;
        for (p, t) in phases(&d).iter().zip(d.half_lives_h()) {
            assert_relative_eq!(p.half_life_h, t, max_relative = EIGEN);
        }
        let total: f64 = phases(&d).iter().map(|p| p.share_of_c0).sum();
        assert_relative_eq!(total, 1.0, max_relative = EIGEN);
    }
}
