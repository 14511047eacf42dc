//! Issue 17: effect endpoints against closed forms, and exact against ODE with effects on.

use ketasim::effect::{library, Response};
use ketasim::scenario::{self, Scenario};
use ketasim::solver::SolverKind;
use std::path::Path;

/// Steady state and the lag after a step are closed forms the exact solver reaches to
/// rounding; 1e-9 leaves room for the matrix exponential's error on long windows.
const CLOSED_FORM: f64 = 1e-9;
/// Exact and ODE (Dormand–Prince, rtol 1e-10) agree to this, relative (issue 11's bar).
const AGREEMENT: f64 = 1e-6;
/// Below this share of an effect's range, compare absolutely: relative error of a
/// number crossing zero means nothing.
const AGREEMENT_FLOOR: f64 = 1e-9;

fn parse(text: &str) -> Scenario {
    scenario::parse(Path::new("effect-test.toml"), text).expect("valid scenario")
}

fn relative_close(a: f64, b: f64, tol: f64, what: &str) {
    let scale = a.abs().max(b.abs()).max(1e-300);
    assert!((a - b).abs() <= tol * scale, "{what}: {a} vs {b}");
}

/// Every kind: Emax (absolute, fractional, falling), linear, parent + metabolite.
const KINDS: &str = r#"
[[effect]]
name = "emax"
emax = 1
ec50 = "120 ng/mL"
hill = 2
t_half_ke0 = "8.3 min"
[[effect]]
name = "fractional falling"
baseline = 5
fractional = true
emax = -0.939
ec50 = "0.56 mg/L"
hill = 3.71
ke0 = "3.78 /min"
[[effect]]
name = "linear"
baseline = 2
slope_per_ng_ml = 0.01
t_half_ke0 = "1 h"
[[effect]]
name = "parent and metabolite"
baseline = 6
emax = -4
ec50 = "150 ng/mL"
hill = 1.5
metabolite_emax = 1.5
metabolite_ec50 = "80 ng/mL"
t_half_ke0 = "11.8 min"
[[effect]]
name = "crps"
pd = "dahan-2011"
"#;

/// Every kind equals E0 + Emax·Cᵞ/(EC50ᵞ + Cᵞ) (and its relatives) at steady state: an
/// infusion running through every interval, started at its steady state, holds plasma
/// at R/CL and the metabolite at fm·R/CLm, and every effect site at its plasma.
#[test]
fn at_steady_state_every_kind_is_its_closed_form() {
    let s = parse(&format!(
        r#"name = "ss"
[model]
pk = "fanta-2015"
[simulation]
duration = "6 h"
output_every = "30 min"
[[schedule]]
name = "constant"
doses = [{{ route = "iv", rate = "20 mg/h", over = "1 h", every = "1 h", steady_state = true }}]
{KINDS}"#
    ));
    let model = s.schedules[0].model.individual(s.weight_kg);
    let rate_mg_h = 20.0;
    let c_ng_ml = rate_mg_h / model.disposition.cl_l_h * 1000.0;
    let m = model
        .metabolite
        .as_ref()
        .expect("fanta-2015 forms S-norketamine");
    let cm_ng_ml = m.fraction_formed * rate_mg_h / m.disposition.cl_l_h * 1000.0;
    let r = &s.simulate(SolverKind::Exact).unwrap()[0];
    for c in &r.effects {
        let resp: Response = c.endpoint.response;
        let expected = closed_form(&resp, c_ng_ml, cm_ng_ml);
        for (i, e) in c.effect.iter().enumerate() {
            relative_close(
                *e,
                expected,
                CLOSED_FORM,
                &format!("{} at row {i}", c.endpoint.name),
            );
        }
    }
}

/// The closed forms written out, independently of `Term::at`.
fn closed_form(r: &Response, c: f64, cm: f64) -> f64 {
    use ketasim::effect::{Scale, Term};
    let term = |t: &Term, c: f64| match *t {
        Term::Emax {
            emax,
            ec50_ng_ml,
            hill,
        } => emax * c.powf(hill) / (ec50_ng_ml.powf(hill) + c.powf(hill)),
        Term::Linear { slope_per_ng_ml } => slope_per_ng_ml * c,
    };
    let drug = term(&r.parent, c) + r.metabolite.as_ref().map_or(0.0, |m| term(m, cm));
    match r.scale {
        Scale::Absolute => r.baseline + drug,
        Scale::FractionOfBaseline => r.baseline * (1.0 + drug),
    }
}

/// With no elimination a bolus is a step in plasma, and each effect site follows it as a
/// first-order lag: Ce(t) = C·(1 − e^(−ke0·t)).
#[test]
fn an_effect_site_is_a_first_order_lag_after_a_step() {
    let s = parse(
        r#"name = "step"
[model]
compartments = 1
clearance = "0 L/h"
central_volume = "50 L"
[simulation]
duration = "2 h"
output_every = "1 min"
[[schedule]]
name = "bolus"
doses = [{ route = "iv", amount = "10 mg" }]
[[effect]]
name = "fast"
emax = 1
ec50 = "100 ng/mL"
t_half_ke0 = "11 s"
[[effect]]
name = "slow"
slope_per_ng_ml = 1
t_half_ke0 = "20 min"
"#,
    );
    let r = &s.simulate(SolverKind::Exact).unwrap()[0];
    let c = 10.0 / 50.0 * 1000.0;
    for course in &r.effects {
        let ke0 = course.endpoint.ke0_per_h;
        for (i, t) in r.trajectory.time_h.iter().enumerate() {
            let expected = c * (1.0 - (-ke0 * t).exp());
            let got = course.ce_ng_ml[i];
            assert!(
                (got - expected).abs() <= CLOSED_FORM * c,
                "{} at {t} h: {got} vs {expected}",
                course.endpoint.name
            );
        }
    }
}

/// Exact and ODE carry the same effect sites: every effect agrees to 1e-6.
#[test]
fn exact_and_ode_agree_with_effects_on() {
    for (model, extra) in [
        ("fanta-2015", KINDS),
        (
            "herd-2007",
            "[[effect]]\nname = \"sedation\"\npd = \"herd-2008\"\n",
        ),
        (
            "fanta-2015",
            "[[effect]]\nname = \"pain\"\npd = \"olofsen-2012\"\n",
        ),
    ] {
        let s = parse(&format!(
            r#"name = "agree"
[model]
pk = "{model}"
[simulation]
duration = "6 h"
output_every = "2 min"
[[schedule]]
name = "bolus then infusion"
doses = [{{ route = "iv", amount = "0.5 mg/kg" }}, {{ route = "iv", rate = "0.3 mg/kg/h", over = "2 h", at = "20 min" }}]
[[schedule]]
name = "oral"
doses = [{{ route = "oral", amount = "50 mg" }}]
{extra}"#
        ));
        let exact = s.simulate(SolverKind::Exact).unwrap();
        let ode = s.simulate(SolverKind::Ode).unwrap();
        for (a, b) in exact.iter().zip(&ode) {
            for (ea, eb) in a.effects.iter().zip(&b.effects) {
                let range = ea.effect.iter().fold(0.0f64, |m, v| m.max(v.abs()));
                for (x, y) in ea.effect.iter().zip(&eb.effect) {
                    let scale = x.abs().max(y.abs()).max(AGREEMENT_FLOOR * range);
                    assert!(
                        (x - y).abs() <= AGREEMENT * scale,
                        "{model} {} {}: exact {x} vs ode {y}",
                        a.name,
                        ea.endpoint.name
                    );
                }
            }
        }
    }
}

/// Herd 2008 at EC50: half of the fractional Emax, whatever the route to it.
#[test]
fn herd_2008_is_half_way_at_its_ec50() {
    let e = library::get("herd-2008").unwrap();
    let r = e.response;
    approx::assert_relative_eq!(
        r.at(560.0, 0.0),
        5.0 * (1.0 - 0.939 / 2.0),
        max_relative = 1e-12
    );
}

/// A built-in endpoint on another PK model warns; on its own it does not.
#[test]
fn an_endpoint_on_another_pk_model_warns() {
    let text = |model: &str| {
        format!(
            "name = \"w\"\n[model]\npk = \"{model}\"\n[simulation]\nduration = \"1 h\"\n[[schedule]]\nname = \"a\"\ndoses = [{{ route = \"iv\", amount = \"1 mg/kg\" }}]\n[[effect]]\nname = \"sedation\"\npd = \"herd-2008\"\n"
        )
    };
    assert!(parse(&text("herd-2007")).warnings.is_empty());
    let w = parse(&text("kamp-2020")).warnings;
    assert_eq!(w.len(), 1);
    assert!(
        w[0].contains("kamp-2020") && w[0].contains("herd-2007"),
        "{}",
        w[0]
    );
}

/// `ketasim validate`'s PD rows: the passes pass, and the stated miss still misses (so
/// its reason cannot go stale).
#[test]
fn published_pd_observations_keep_their_verdicts() {
    for (t, o) in ketasim::literature::effects::run_all().unwrap() {
        assert_eq!(
            o.pass,
            t.known_miss.is_none(),
            "{}: predicted {} h",
            t.id,
            o.predicted_h
        );
    }
}
