//! Closed-form concentrations of simple models, with sources: the reference answers
//! every engine is tested against (and that `explain` can quote).
//!
//! All functions take amounts in mg, volumes in L, clearances in L/h, rates in 1/h or
//! mg/h, times in h, and return concentrations in mg/L.
//!
//! ## Reference
//! Gibaldi M, Perrier D. *Pharmacokinetics*, 2nd ed. Marcel Dekker, 1982: ch. 1
//! (one-compartment bolus, eq. 1.9), ch. 2 (two-compartment bolus, eq. 2.13), ch. 1
//! (first-order absorption, the Bateman function, eq. 1.53) and ch. 3 (constant-rate
//! infusion, eq. 3.4 and 3.9).

/// One compartment, IV bolus: `C = D/V · e^{−k t}`, `k = CL/V`.
pub fn one_cpt_bolus(dose_mg: f64, v_l: f64, cl_l_h: f64, t_h: f64) -> f64 {
    dose_mg / v_l * (-cl_l_h / v_l * t_h).exp()
}

/// One compartment, constant-rate infusion `rate` for `duration_h`:
/// `C = R/CL · (1 − e^{−k t})` during, then decaying from the end value.
pub fn one_cpt_infusion(rate_mg_h: f64, duration_h: f64, v_l: f64, cl_l_h: f64, t_h: f64) -> f64 {
    let k = cl_l_h / v_l;
    let during = |t: f64| rate_mg_h / cl_l_h * (1.0 - (-k * t).exp());
    if t_h <= duration_h {
        during(t_h)
    } else {
        during(duration_h) * (-k * (t_h - duration_h)).exp()
    }
}

/// One compartment, first-order absorption (Bateman):
/// `C = F D ka / (V (ka − k)) · (e^{−k t} − e^{−ka t})`, `ka ≠ k`.
pub fn one_cpt_first_order(
    f: f64,
    dose_mg: f64,
    ka_per_h: f64,
    v_l: f64,
    cl_l_h: f64,
    t_h: f64,
) -> f64 {
    let k = cl_l_h / v_l;
    f * dose_mg * ka_per_h / (v_l * (ka_per_h - k)) * ((-k * t_h).exp() - (-ka_per_h * t_h).exp())
}

/// Two compartments, IV bolus: `C = A e^{−α t} + B e^{−β t}` with
/// `A = D/V1 · (α − k21)/(α − β)`, `B = D/V1 · (k21 − β)/(α − β)`, and α, β the roots of
/// `λ² − (k10 + k12 + k21) λ + k10 k21 = 0`.
pub fn two_cpt_bolus(dose_mg: f64, v1_l: f64, k10: f64, k12: f64, k21: f64, t_h: f64) -> f64 {
    let s = k10 + k12 + k21;
    let root = (s * s - 4.0 * k10 * k21).sqrt();
    let (alpha, beta) = ((s + root) / 2.0, (s - root) / 2.0);
    let c0 = dose_mg / v1_l;
    c0 * ((alpha - k21) * (-alpha * t_h).exp() + (k21 - beta) * (-beta * t_h).exp())
        / (alpha - beta)
}
