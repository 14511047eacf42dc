//! Calibration sweep: Tmax and Cmax by route, dose, F and ka on a built-in model.
//! `cargo run --example calibrate -- MODEL WEIGHT_KG ROUTE DOSE_MG F KA...`
use ketasim::dosing::{depots, grid, Dose, Timeline};
use ketasim::model::{library, system::LinearSystem};
use ketasim::route::{Route, RouteOverride};
use ketasim::simulate::simulate;
use ketasim::solver::SolverConfig;

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let spec = library::get(&a[0]).expect("model id");
    let weight: f64 = a[1].parse().expect("weight");
    let route = Route::parse(&a[2]).expect("route");
    let dose_mg: f64 = a[3].parse().expect("dose");
    let f: f64 = a[4].parse().expect("F");
    for ka in &a[5..] {
        let ka: f64 = ka.parse().expect("ka");
        let o = RouteOverride {
            bioavailability: Some(f),
            ka_per_h: Some(ka),
            ..Default::default()
        };
        let dose = Dose::new(&spec, route, dose_mg, &[&o]);
        let system = LinearSystem::new(&spec.individual(weight), &depots(&[dose]));
        let t = simulate(
            &system,
            Timeline::of_doses(&[dose], &system, &grid(24.0, 1.0 / 120.0)),
            &SolverConfig::default(),
        )
        .unwrap();
        let (i, c) = t
            .plasma_ng_ml
            .iter()
            .enumerate()
            .fold((0, 0.0), |m, (i, &c)| if c > m.1 { (i, c) } else { m });
        eprintln!(
            "ka {ka:5.2}  Tmax {:6.1} min  Cmax {c:8.2} ng/mL  AUC24 {:7.1}",
            t.time_h[i] * 60.0,
            t.auc_ng_h_ml[t.auc_ng_h_ml.len() - 1]
        );
    }
}
