//! Numbers and names as the explanation writes them.

use crate::route::Route;

/// Significant digits shown: a teaching handout needs the shape of a number, and three
/// digits keep the arithmetic in the text checkable by hand (0.693 × 252 / 79 = 2.21).
const DIGITS: i32 = 3;

/// A number to three significant digits, without trailing zeros ("2.21", "1400", "0.0123").
pub fn fmt_num(v: f64) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (DIGITS - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A time for people: minutes below 1 h, hours below 3 days, days beyond (as `units::fmt_hours`).
pub fn fmt_hours(h: f64) -> String {
    if h < 1.0 {
        format!("{} min", fmt_num(h * 60.0))
    } else if h < 72.0 {
        format!("{} h", fmt_num(h))
    } else {
        format!("{} d", fmt_num(h / 24.0))
    }
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
