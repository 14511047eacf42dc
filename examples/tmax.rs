//! Prints Tmax and Cmax of 70 mg by each route on kamp-2020 (70 kg): checks the route docs.
use ketasim::dosing::{depots, grid, Dose, Timeline};
use ketasim::model::{library, system::LinearSystem};
use ketasim::route::Route;
use ketasim::simulate::simulate;
use ketasim::solver::SolverConfig;

fn main() {
    let spec = library::get("kamp-2020").unwrap();
    for route in Route::ALL {
        let dose = Dose::new(&spec, route, 70.0, &[]);
        let system = LinearSystem::new(&spec.individual(70.0), &depots(&[dose]));
        let t = simulate(
            &system,
            Timeline::of_doses(&[dose], &system, &grid(30.0, 1.0 / 60.0)),
            &SolverConfig::default(),
        )
        .unwrap();
        let (i, c) = t
            .plasma_ng_ml
            .iter()
            .enumerate()
            .fold((0, 0.0), |m, (i, &c)| if c > m.1 { (i, c) } else { m });
        eprintln!(
            "{route:14} Tmax {:6.1} min  Cmax {c:8.2} ng/mL",
            t.time_h[i] * 60.0
        );
    }
}
