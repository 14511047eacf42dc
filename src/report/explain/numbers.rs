//! Numbers and names as the explanation writes them.

use crate::route::Route;

/// Significant digits shown: a teaching handout needs the shape of a number, and three
/// digits keep the arithmetic in the text checkable by hand (0.693 × 252 / 79 = 2.21).
const DIGITS: i32 = 3;

/// A number to three significant digits, without trailing zeros ("2.21", "1400", "0.0123").
pub fn fmt_num(v: f64) -> String {
    crate::units::fmt_num_to(v, DIGITS)
}

/// A time for people to three significant digits: minutes below 1 h, hours below 3 days, days beyond.
pub fn fmt_hours(h: f64) -> String {
    crate::units::fmt_hours_to(h, DIGITS)
}

/// L/h → mL/min per kg of `kg`: L/h/kg × 1000 mL/L ÷ 60 min/h.
pub fn ml_min_kg(l_h: f64, kg: f64) -> f64 {
    l_h * 1000.0 / 60.0 / kg
}

/// A fraction as a percentage.
pub fn pct(fraction: f64) -> String {
    format!("{}%", fmt_num(100.0 * fraction))
}

/// The route's name at the start of a sentence.
pub fn route_name(r: Route) -> &'static str {
    match r {
        Route::Iv => "IV",
        Route::Intramuscular => "Intramuscular",
        Route::Intranasal => "Intranasal",
        Route::Sublingual => "Sublingual",
        Route::Oral => "Oral",
        Route::Rectal => "Rectal",
        Route::Topical => "Topical",
    }
}
