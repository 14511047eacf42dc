//! Quantities with units: `"0.5 mg/kg"`, `"40 min"`, `"1.3 L/min"` → typed values.
//!
//! This is the only module that knows unit spellings. Everything it returns is in the
//! internal units: amount mg, volume L, time h, clearance L/h, rate
//! constants 1/h, concentration ng/mL. Per-kilogram quantities stay per kilogram until a
//! patient weight resolves them (see [`Amount::resolve_mg`]).

use std::fmt;

/// Hours, the internal time unit.
pub type Hours = f64;
/// Milligrams, the internal amount unit.
pub type Mg = f64;
/// Litres, the internal volume unit.
pub type Litres = f64;
/// Nanograms per millilitre (= µg/L), the unit of every reported concentration.
pub type NgPerMl = f64;

/// mg/L → ng/mL. 1 mg/L = 1 µg/mL = 1000 ng/mL.
pub const NG_PER_ML_PER_MG_PER_L: f64 = 1000.0;

/// A quantity string that could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{problem} in {what} {found:?}; expected {expected}")]
pub struct UnitError {
    /// What was being read ("amount", "duration", ...).
    pub what: &'static str,
    /// The text as written.
    pub found: String,
    /// What went wrong ("unknown unit \"mgs\"", "missing unit", ...).
    pub problem: String,
    /// The accepted forms, in words.
    pub expected: &'static str,
}

impl UnitError {
    /// What was found, in words: `unknown unit "mgs" in amount "5 mgs"`.
    pub fn found_text(&self) -> String {
        format!("{} in {} {:?}", self.problem, self.what, self.found)
    }
}

/// A dose amount, absolute or per kilogram of body weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount {
    /// Milligrams.
    Mg(Mg),
    /// Milligrams per kilogram of body weight.
    MgPerKg(f64),
}

impl Amount {
    /// The amount in mg for a patient of `weight_kg`.
    pub fn resolve_mg(self, weight_kg: f64) -> Mg {
        match self {
            Amount::Mg(mg) => mg,
            Amount::MgPerKg(v) => v * weight_kg,
        }
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Amount::Mg(v) => write!(f, "{} mg", fmt_num(*v)),
            Amount::MgPerKg(v) => write!(f, "{} mg/kg", fmt_num(*v)),
        }
    }
}

/// An infusion rate, absolute or per kilogram of body weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum DoseRate {
    /// Milligrams per hour.
    MgPerH(f64),
    /// Milligrams per kilogram per hour.
    MgPerKgPerH(f64),
}

impl DoseRate {
    /// The rate in mg/h for a patient of `weight_kg`.
    pub fn resolve_mg_per_h(self, weight_kg: f64) -> f64 {
        match self {
            DoseRate::MgPerH(v) => v,
            DoseRate::MgPerKgPerH(v) => v * weight_kg,
        }
    }
}

/// A clearance, absolute (L/h) or per kilogram (L/h/kg).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Clearance {
    /// Litres per hour.
    LPerH(f64),
    /// Litres per hour per kilogram.
    LPerHPerKg(f64),
}

/// A volume, absolute (L) or per kilogram (L/kg).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Volume {
    /// Litres.
    L(Litres),
    /// Litres per kilogram.
    LPerKg(f64),
}

const MASS: &str = "mg, mg/kg, µg, µg/kg (ug and mcg also read as µg), g";
const TIME: &str = "a number and a time unit (e.g. \"40 min\"): s, sec, secs, second, seconds; min, mins, minute, minutes; h, hr, hrs, hour, hours; d, day, days; wk, wks, week, weeks";
const RATE: &str = "mass per time, optionally per kg: mg/h, mg/kg/h, µg/kg/min, mg/min, ...";
const CLEARANCE: &str = "L/h, L/min, mL/min, optionally per kg (L/h/kg, mL/kg/min)";
const VOLUME: &str = "L, mL, L/kg or mL/kg";
const RATE_CONSTANT: &str = "a first-order rate constant: /h, /min, 1/h or h-1";
const WEIGHT: &str = "kg or g";
const CONCENTRATION: &str = "ng/mL, µg/L, µg/mL or mg/L";
const PERCENT: &str = "a percentage such as \"38%\"";

/// Split `"0.5 mg/kg"` into a finite, non-negative number and its unit text.
fn split<'a>(
    s: &'a str,
    what: &'static str,
    expected: &'static str,
) -> Result<(f64, &'a str), UnitError> {
    let err = |problem: String| UnitError {
        what,
        found: s.to_string(),
        problem,
        expected,
    };
    let t = s.trim();
    let end = t
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || c == '+'
                || c == '-'
                || ((c == 'e' || c == 'E')
                    && t[..i].chars().any(|d| d.is_ascii_digit())
                    && t[i + 1..]
                        .starts_with(|n: char| n.is_ascii_digit() || n == '-' || n == '+')))
        })
        .map_or(t.len(), |(i, _)| i);
    let (num, unit) = t.split_at(end);
    if num.is_empty() {
        return Err(err("no number".into()));
    }
    let value: f64 = num
        .parse()
        .map_err(|_| err(format!("{num:?} is not a number")))?;
    if !value.is_finite() {
        return Err(err("the number is not finite".into()));
    }
    if value < 0.0 {
        return Err(err("the number is negative".into()));
    }
    let unit = unit.trim();
    if unit.is_empty() {
        return Err(err("missing unit".into()));
    }
    Ok((value, unit))
}

fn unknown(s: &str, unit: &str, what: &'static str, expected: &'static str) -> UnitError {
    UnitError {
        what,
        found: s.to_string(),
        problem: format!("unknown unit {unit:?}"),
        expected,
    }
}

/// Milligrams in one unit of mass.
fn mass_mg(unit: &str) -> Option<f64> {
    match unit {
        "mg" => Some(1.0),
        "µg" | "μg" | "ug" | "mcg" => Some(1e-3),
        "g" => Some(1e3),
        _ => None,
    }
}

/// Hours in one unit of time. Every spelling here is listed in `TIME`, and only those:
/// the error message must name exactly what is accepted.
fn time_h(unit: &str) -> Option<f64> {
    match unit {
        "s" | "sec" | "secs" | "second" | "seconds" => Some(1.0 / 3600.0),
        "min" | "mins" | "minute" | "minutes" => Some(1.0 / 60.0),
        "h" | "hr" | "hrs" | "hour" | "hours" => Some(1.0),
        "d" | "day" | "days" => Some(24.0),
        "wk" | "wks" | "week" | "weeks" => Some(168.0),
        _ => None,
    }
}

/// Litres in one unit of volume.
fn volume_l(unit: &str) -> Option<f64> {
    match unit {
        "L" | "l" => Some(1.0),
        "mL" | "ml" => Some(1e-3),
        _ => None,
    }
}

/// Read an amount: `"56 mg"`, `"0.5 mg/kg"`, `"250 µg/kg"`.
pub fn parse_amount(s: &str) -> Result<Amount, UnitError> {
    let (v, unit) = split(s, "amount", MASS)?;
    let parts: Vec<&str> = unit.split('/').map(str::trim).collect();
    let err = || unknown(s, unit, "amount", MASS);
    match parts.as_slice() {
        [m] => Ok(Amount::Mg(v * mass_mg(m).ok_or_else(err)?)),
        [m, "kg"] => Ok(Amount::MgPerKg(v * mass_mg(m).ok_or_else(err)?)),
        _ => Err(err()),
    }
}

/// Read a duration or time point in hours: `"40 min"`, `"4 h"`, `"2 d"`.
pub fn parse_duration_h(s: &str) -> Result<Hours, UnitError> {
    let (v, unit) = split(s, "duration", TIME)?;
    Ok(v * time_h(unit).ok_or_else(|| unknown(s, unit, "duration", TIME))?)
}

/// Read an infusion rate: `"0.5 mg/kg/h"`, `"2 µg/kg/min"`, `"22 mg/h"`.
pub fn parse_rate(s: &str) -> Result<DoseRate, UnitError> {
    let (v, unit) = split(s, "rate", RATE)?;
    let parts: Vec<&str> = unit.split('/').map(str::trim).collect();
    let err = || unknown(s, unit, "rate", RATE);
    let per = |m: &str, t: &str| -> Result<f64, UnitError> {
        Ok(v * mass_mg(m).ok_or_else(err)? / time_h(t).ok_or_else(err)?)
    };
    match parts.as_slice() {
        [m, t] => Ok(DoseRate::MgPerH(per(m, t)?)),
        [m, "kg", t] => Ok(DoseRate::MgPerKgPerH(per(m, t)?)),
        _ => Err(err()),
    }
}

/// Read a clearance: `"1.3 L/min"`, `"84 L/h"`, `"18.8 mL/kg/min"`, `"1.2 L/h/kg"`.
pub fn parse_clearance(s: &str) -> Result<Clearance, UnitError> {
    let (v, unit) = split(s, "clearance", CLEARANCE)?;
    let parts: Vec<&str> = unit.split('/').map(str::trim).collect();
    let err = || unknown(s, unit, "clearance", CLEARANCE);
    let per = |vol: &str, t: &str| -> Result<f64, UnitError> {
        Ok(v * volume_l(vol).ok_or_else(err)? / time_h(t).ok_or_else(err)?)
    };
    match parts.as_slice() {
        [vol, t] => Ok(Clearance::LPerH(per(vol, t)?)),
        [vol, "kg", t] | [vol, t, "kg"] => Ok(Clearance::LPerHPerKg(per(vol, t)?)),
        _ => Err(err()),
    }
}

/// Read a volume: `"25 L"`, `"0.063 L/kg"`.
pub fn parse_volume(s: &str) -> Result<Volume, UnitError> {
    let (v, unit) = split(s, "volume", VOLUME)?;
    let parts: Vec<&str> = unit.split('/').map(str::trim).collect();
    let err = || unknown(s, unit, "volume", VOLUME);
    match parts.as_slice() {
        [vol] => Ok(Volume::L(v * volume_l(vol).ok_or_else(err)?)),
        [vol, "kg"] => Ok(Volume::LPerKg(v * volume_l(vol).ok_or_else(err)?)),
        _ => Err(err()),
    }
}

/// Read a first-order rate constant in 1/h: `"1.5 /h"`, `"0.084 /min"`, `"2 1/h"`, `"2 h-1"`.
pub fn parse_rate_constant_per_h(s: &str) -> Result<f64, UnitError> {
    let (v, unit) = split(s, "rate constant", RATE_CONSTANT)?;
    let t = unit
        .strip_prefix("1/")
        .or_else(|| unit.strip_prefix('/'))
        .or_else(|| unit.strip_suffix("-1"))
        .or_else(|| unit.strip_suffix("⁻¹"))
        .map(str::trim);
    let per_h = t
        .and_then(time_h)
        .ok_or_else(|| unknown(s, unit, "rate constant", RATE_CONSTANT))?;
    Ok(v / per_h)
}

/// Read a body weight in kg: `"70 kg"`.
pub fn parse_weight_kg(s: &str) -> Result<f64, UnitError> {
    let (v, unit) = split(s, "weight", WEIGHT)?;
    match unit {
        "kg" => Ok(v),
        "g" => Ok(v / 1000.0),
        _ => Err(unknown(s, unit, "weight", WEIGHT)),
    }
}

/// Read a concentration in ng/mL: `"100 ng/mL"`, `"0.75 µg/mL"`.
pub fn parse_concentration_ng_ml(s: &str) -> Result<NgPerMl, UnitError> {
    let (v, unit) = split(s, "concentration", CONCENTRATION)?;
    let factor = match unit {
        "ng/mL" | "ng/ml" | "µg/L" | "μg/L" | "ug/L" | "mcg/L" => 1.0,
        "µg/mL" | "μg/mL" | "ug/mL" | "mcg/mL" | "mg/L" => 1000.0,
        _ => return Err(unknown(s, unit, "concentration", CONCENTRATION)),
    };
    Ok(v * factor)
}

/// Read a percentage as a fraction: `"38%"` → 0.38 (a coefficient of variation).
pub fn parse_percent(s: &str) -> Result<f64, UnitError> {
    let (v, unit) = split(s, "percentage", PERCENT)?;
    match unit {
        "%" => Ok(v / 100.0),
        _ => Err(unknown(s, unit, "percentage", PERCENT)),
    }
}

/// Significant digits in numbers for people: 4 keeps table values distinct ("1.235").
const DIGITS: i32 = 4;

/// A time for people, in its most readable unit: a whole number of days, hours or
/// minutes when there is one ("4 d", "100 h", "100 min", not "1.667 h"); otherwise
/// minutes below 1 h, hours below 3 days, else days.
pub fn fmt_hours(h: Hours) -> String {
    fmt_hours_to(h, DIGITS)
}

/// Below this (h), a whole number of minutes is written in minutes: "100 min", "5 h".
const WHOLE_MINUTES_BELOW_H: f64 = 6.0;
/// Below this (h), a whole number of hours is written in hours: "100 h", "14 d".
const WHOLE_HOURS_BELOW_H: f64 = 14.0 * 24.0;

/// [`fmt_hours`] with `digits` significant digits.
pub fn fmt_hours_to(h: Hours, digits: i32) -> String {
    // Whole to within rounding of a decimal entry such as "100 min" = 1.6666… h.
    let whole = |v: f64| v >= 1.0 && (v - v.round()).abs() <= 1e-9 * v;
    let (min, d) = (h * 60.0, h / 24.0);
    if h < 1.0 || (h < WHOLE_MINUTES_BELOW_H && whole(min) && !whole(h)) {
        format!("{} min", fmt_num_to(min, digits))
    } else if h >= 72.0 && whole(d) {
        format!("{} d", fmt_num_to(d, digits))
    } else if h < 72.0 || (h < WHOLE_HOURS_BELOW_H && whole(h)) {
        format!("{} h", fmt_num_to(h, digits))
    } else {
        format!("{} d", fmt_num_to(d, digits))
    }
}

/// "1 schedule", "3 schedules", "10,000 subjects": a count with its noun (regular plurals
/// only), its digits grouped ([`grouped`]).
pub fn count(n: usize, noun: &str) -> String {
    match n {
        1 => format!("1 {noun}"),
        _ => format!("{} {noun}s", grouped(n)),
    }
}

/// `n` with its digits in groups of three from the right, as the README and the
/// literature write counts: "999", "1,000", "1,000,000".
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// A number for people: up to 4 significant digits, no trailing zeros.
pub fn fmt_num(v: f64) -> String {
    fmt_num_to(v, DIGITS)
}

/// A number with up to `digits` significant digits, no trailing zeros ("2.21", "1400").
pub fn fmt_num_to(v: f64, digits: i32) -> String {
    if v == 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let decimals = (digits - 1 - v.abs().log10().floor() as i32).max(0) as usize;
    let s = fixed_point(v, decimals).unwrap_or_else(|| format!("{v:.decimals$}"));
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// `format!("{v:.decimals$}")` in integer arithmetic, or `None` where that could differ:
/// when `v × 10^decimals` lies within `TIE_MARGIN` (1e-6) of a half (either rounding
/// could be right), or is too large or too small for the margin to hold.
///
/// Why: the standard library prints a fixed number of decimals by expanding the exact
/// binary value, often with big-number arithmetic; a CSV of 43,201 rows spent most of its
/// time there. One multiplication by an exact power of ten is off by at most
/// `x × 2⁻⁵³` < 1.1e-7 for `x` < 1e9, far inside the margin, so rounding it to the
/// nearest integer gives the same digits as the exact expansion.
fn fixed_point(v: f64, decimals: usize) -> Option<String> {
    /// Powers of ten that are exact in f64 (up to 1e22).
    const POW10: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    /// How far from a half the scaled value must be to round the same way exactly.
    const TIE_MARGIN: f64 = 1e-6;
    let x = v.abs() * POW10.get(decimals)?;
    let (whole, frac) = (x.floor(), x - x.floor());
    if !(1.0..1e9).contains(&x) || (frac - 0.5).abs() < TIE_MARGIN {
        return None;
    }
    // The digits of the rounded integer, right-aligned in zeros (at most 10 + 22).
    let mut digits = [b'0'; 32];
    let (mut n, mut start) = (whole as u64 + u64::from(frac > 0.5), digits.len());
    while n > 0 {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let digits = &digits[start.min(digits.len() - decimals - 1)..];
    let (int, dec) = digits.split_at(digits.len() - decimals);
    let mut out = String::with_capacity(digits.len() + 2);
    if v < 0.0 {
        out.push('-');
    }
    out.extend(int.iter().map(|&d| char::from(d)));
    if decimals > 0 {
        out.push('.');
        out.extend(dec.iter().map(|&d| char::from(d)));
    }
    Some(out)
}

/// Significant digits of every number a CSV writer puts in a file: enough for a
/// 0.00309 ng/mL trough and a 1234.56 ng·h/mL AUC alike.
pub const CSV_DIGITS: i32 = 6;

/// A number for a CSV file, with [`CSV_DIGITS`] significant digits: plain decimals from
/// 1e-4 up to 1e6 ("0.00309", "253.142"), scientific notation outside ("1.5e-7").
pub fn fmt_csv(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    if !v.is_finite() {
        return format!("{v}");
    }
    let exponent = v.abs().log10().floor() as i32;
    if (-4..CSV_DIGITS).contains(&exponent) {
        return fmt_num_to(v, CSV_DIGITS);
    }
    let s = format!("{v:.*e}", (CSV_DIGITS - 1) as usize);
    match s.split_once('e') {
        Some((mantissa, exp)) if mantissa.contains('.') => {
            let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
            format!("{mantissa}e{exp}")
        }
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_relative_eq;

    const EXACT: f64 = 1e-12; // unit factors are exact decimal ratios

    #[test]
    fn counts_group_their_digits_in_threes() {
        let cases = [
            (0, "0"),
            (7, "7"),
            (999, "999"),
            (1000, "1,000"),
            (12_345, "12,345"),
        ];
        for (n, text) in cases {
            assert_eq!(grouped(n), text);
        }
        assert_eq!(grouped(1_000_000), "1,000,000");
        assert_eq!(grouped(usize::MAX), "18,446,744,073,709,551,615");
    }

    /// The integer fast path prints what the standard library prints, at every
    /// magnitude and digit count, including values a hair from a rounding tie.
    #[test]
    fn fixed_point_equals_the_standard_library() {
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(15);
        let mut fast = 0;
        for case in 0..400_000 {
            let decimals = rng.gen_range(0..12usize);
            let v: f64 = match case % 3 {
                // Anywhere from 1e-8 to 1e12, either sign.
                0 => 10f64.powf(rng.gen_range(-8.0..12.0)) * [1.0, -1.0][case % 2],
                // A decimal tie (k + ½)·10^-decimals, nudged by a few ulps.
                1 => {
                    let k: u32 = rng.gen_range(1..2_000_000);
                    let tie = (f64::from(k) + 0.5) / 10f64.powi(decimals as i32);
                    let ulps = rng.gen_range(-3i64..=3);
                    f64::from_bits((tie.to_bits() as i64 + ulps) as u64)
                }
                // Six significant digits, as the CSV files write them.
                _ => rng.gen_range(1e-4..1e6),
            };
            let expected = format!("{v:.decimals$}");
            if let Some(got) = fixed_point(v, decimals) {
                assert_eq!(got, expected, "{v:e} to {decimals} decimals");
            }
            assert_eq!(fmt_num_to(v, 6), fmt_num_to_by_std(v, 6), "{v:e}");
            let csv_decimals = (5 - v.abs().log10().floor() as i32).max(0) as usize;
            fast += usize::from(case % 3 == 2 && fixed_point(v, csv_decimals).is_some());
        }
        // Six-digit numbers (a third of the cases) nearly all take the fast path.
        assert!(
            fast > 133_000,
            "the fast path must serve CSV numbers: {fast}"
        );
    }

    /// [`fmt_num_to`] as it was written with the standard library alone.
    fn fmt_num_to_by_std(v: f64, digits: i32) -> String {
        if v == 0.0 || !v.is_finite() {
            return format!("{v}");
        }
        let decimals = (digits - 1 - v.abs().log10().floor() as i32).max(0) as usize;
        let s = format!("{v:.decimals$}");
        if s.contains('.') {
            s.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            s
        }
    }

    #[test]
    fn amounts() {
        assert_eq!(parse_amount("56 mg"), Ok(Amount::Mg(56.0)));
        assert_eq!(parse_amount("0.5 mg/kg"), Ok(Amount::MgPerKg(0.5)));
        let Ok(Amount::MgPerKg(v)) = parse_amount("250 µg/kg") else {
            panic!()
        };
        assert_relative_eq!(v, 0.25, max_relative = EXACT);
        let Ok(Amount::Mg(v)) = parse_amount("250ug") else {
            panic!()
        };
        assert_relative_eq!(v, 0.25, max_relative = EXACT);
    }

    #[test]
    fn rates_in_mg_per_h() {
        let Ok(DoseRate::MgPerKgPerH(v)) = parse_rate("2 µg/kg/min") else {
            panic!()
        };
        assert_relative_eq!(v, 0.12, max_relative = EXACT);
        let Ok(DoseRate::MgPerH(v)) = parse_rate("22 mg/h") else {
            panic!()
        };
        assert_relative_eq!(v, 22.0, max_relative = EXACT);
    }

    #[test]
    fn pharmacokinetic_quantities() {
        assert_eq!(parse_clearance("1.1 L/h"), Ok(Clearance::LPerH(1.1)));
        let Ok(Clearance::LPerH(v)) = parse_clearance("1.3 L/min") else {
            panic!()
        };
        assert_relative_eq!(v, 78.0, max_relative = EXACT);
        let Ok(Clearance::LPerHPerKg(v)) = parse_clearance("18.8 mL/kg/min") else {
            panic!()
        };
        assert_relative_eq!(v, 1.128, max_relative = EXACT);
        assert_eq!(parse_volume("0.063 L/kg"), Ok(Volume::LPerKg(0.063)));
        assert_relative_eq!(
            parse_rate_constant_per_h("0.084 /min").unwrap(),
            5.04,
            max_relative = EXACT
        );
        assert_relative_eq!(
            parse_rate_constant_per_h("1.5 1/h").unwrap(),
            1.5,
            max_relative = EXACT
        );
        assert_relative_eq!(
            parse_duration_h("40 min").unwrap(),
            40.0 / 60.0,
            max_relative = EXACT
        );
        assert_relative_eq!(
            parse_concentration_ng_ml("0.75 µg/mL").unwrap(),
            750.0,
            max_relative = EXACT
        );
    }

    #[test]
    fn errors_say_what_was_found_and_expected() {
        let e = parse_amount("5 mgs").unwrap_err();
        assert_eq!(e.to_string(), "unknown unit \"mgs\" in amount \"5 mgs\"; expected mg, mg/kg, µg, µg/kg (ug and mcg also read as µg), g");
        assert_eq!(parse_duration_h("40").unwrap_err().problem, "missing unit");
        assert_eq!(
            parse_amount("-1 mg").unwrap_err().problem,
            "the number is negative"
        );
        assert_eq!(parse_amount("mg").unwrap_err().problem, "no number");
        assert!(parse_amount("inf mg").is_err());
    }

    /// Issue 14: "40 minutes" and "43200 seconds" were refused while "12 hours" was read,
    /// and the error listed fewer spellings than were accepted.
    #[test]
    fn every_ordinary_time_spelling_is_accepted_and_listed() {
        let spellings = [
            ("s", 1.0 / 3600.0),
            ("sec", 1.0 / 3600.0),
            ("secs", 1.0 / 3600.0),
            ("second", 1.0 / 3600.0),
            ("seconds", 1.0 / 3600.0),
            ("min", 1.0 / 60.0),
            ("mins", 1.0 / 60.0),
            ("minute", 1.0 / 60.0),
            ("minutes", 1.0 / 60.0),
            ("h", 1.0),
            ("hr", 1.0),
            ("hrs", 1.0),
            ("hour", 1.0),
            ("hours", 1.0),
            ("d", 24.0),
            ("day", 24.0),
            ("days", 24.0),
            ("wk", 168.0),
            ("wks", 168.0),
            ("week", 168.0),
            ("weeks", 168.0),
        ];
        let listed = parse_duration_h("3 fortnights").unwrap_err().expected;
        let listed: Vec<&str> = listed.split([',', ';', ':']).map(str::trim).collect();
        for (unit, hours) in spellings {
            let h = parse_duration_h(&format!("2 {unit}")).unwrap();
            assert_relative_eq!(h, 2.0 * hours, max_relative = EXACT);
            assert!(listed.contains(&unit), "{unit} accepted but not listed");
        }
        let mg_per_minute = parse_rate("6 mg/minute").unwrap();
        assert_eq!(mg_per_minute, DoseRate::MgPerH(360.0));
    }

    #[test]
    fn percentages_are_fractions() {
        assert_relative_eq!(parse_percent("38%").unwrap(), 0.38, max_relative = EXACT);
        assert_relative_eq!(parse_percent("0 %").unwrap(), 0.0);
        assert_eq!(parse_percent("38").unwrap_err().problem, "missing unit");
        assert!(parse_percent("38 pc").is_err());
    }

    /// Issue 14: fixed 4 decimals turned a 0.00309 trough into 0.0031; every CSV number
    /// now keeps 6 significant digits and reads back within half a unit of the 6th.
    #[test]
    fn csv_numbers_keep_six_significant_digits() {
        assert_eq!(fmt_csv(0.00309), "0.00309");
        assert_eq!(fmt_csv(0.003091234), "0.00309123");
        assert_eq!(fmt_csv(253.14159), "253.142");
        assert_eq!(fmt_csv(0.0), "0");
        assert_eq!(fmt_csv(1.5e-7), "1.5e-7");
        assert_eq!(fmt_csv(123_456_789.0), "1.23457e8");
        const HALF_UNIT_OF_6TH_DIGIT: f64 = 5e-6;
        for v in [
            1.234_567_8e-9,
            0.000_123_456_78,
            7.654_321,
            98_765.432_1,
            3.3e12,
        ] {
            let back: f64 = fmt_csv(v).parse().unwrap();
            assert_relative_eq!(back, v, max_relative = HALF_UNIT_OF_6TH_DIGIT);
        }
    }

    /// Issue 14: "IV 35 mg over 1.667 h" where the file said 100 min.
    #[test]
    fn durations_are_written_in_their_most_readable_unit() {
        let cases = [
            ("100 min", "100 min"),
            ("40 min", "40 min"),
            ("90 min", "90 min"),
            ("2 h", "2 h"),
            ("120 min", "2 h"),
            ("1.5 h", "90 min"),
            ("96 h", "4 d"),
            ("100 h", "100 h"),
            ("2 weeks", "14 d"),
            ("30 s", "0.5 min"),
        ];
        for (written, shown) in cases {
            assert_eq!(fmt_hours(parse_duration_h(written).unwrap()), shown);
        }
        assert_eq!(fmt_hours(1.17), "1.17 h");
        assert_eq!(fmt_hours(100.5), "4.188 d");
    }

    #[test]
    fn counts_agree_with_their_nouns() {
        assert_eq!(count(1, "schedule"), "1 schedule");
        assert_eq!(count(0, "row"), "0 rows");
        assert_eq!(count(2, "scenario file"), "2 scenario files");
        assert_eq!(count(10_000, "subject"), "10,000 subjects");
    }

    #[test]
    fn numbers_for_people() {
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(35.0), "35");
        assert_eq!(fmt_num(1.23456), "1.235");
        assert_eq!(fmt_num(1234.6), "1235");
    }
}
