//! How well a TCI pump performed in one subject (Varvel, Donoho & Shafer 1992, J
//! Pharmacokinet Biopharm 20:63): with the performance error `PE = (measured − target) /
//! target` at each time a target is set,
//!
//! - **MDPE**, the median PE (bias, %);
//! - **MDAPE**, the median |PE| (inaccuracy, %);
//! - **divergence**, the least-squares slope of |PE| against time (%/h): positive when
//!   the error grows;
//! - **wobble**, the median |PE − MDPE| (variability within the subject, %).

/// One subject's four measures (%, %, %/h, %).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Performance {
    /// Median performance error (%).
    pub mdpe: f64,
    /// Median absolute performance error (%).
    pub mdape: f64,
    /// Slope of |PE| against time (%/h).
    pub divergence: f64,
    /// Median |PE − MDPE| (%).
    pub wobble: f64,
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The measures of `measured` against `target` (same grid `times_h`; target NaN or 0
/// where no target is set, those times skipped). `None` without any target time.
pub fn performance(times_h: &[f64], measured: &[f64], target: &[f64]) -> Option<Performance> {
    let points: Vec<(f64, f64)> = times_h
        .iter()
        .zip(measured.iter().zip(target))
        .filter(|(_, (_, t))| t.is_finite() && **t > 0.0)
        .map(|(time, (m, t))| (*time, 100.0 * (m - t) / t))
        .collect();
    if points.is_empty() {
        return None;
    }
    let mut pe: Vec<f64> = points.iter().map(|p| p.1).collect();
    let mdpe = median(&mut pe.clone());
    let mdape = median(&mut pe.iter().map(|e| e.abs()).collect::<Vec<_>>());
    let wobble = median(&mut pe.iter_mut().map(|e| (*e - mdpe).abs()).collect::<Vec<_>>());
    let n = points.len() as f64;
    let mean_t = points.iter().map(|p| p.0).sum::<f64>() / n;
    let mean_a = points.iter().map(|p| p.1.abs()).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| (p.0 - mean_t).powi(2)).sum();
    let sxy: f64 = points
        .iter()
        .map(|p| (p.0 - mean_t) * (p.1.abs() - mean_a))
        .sum();
    let divergence = if sxx > 0.0 { sxy / sxx } else { 0.0 };
    Some(Performance {
        mdpe,
        mdape,
        divergence,
        wobble,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed forms: a constant +10% error has MDPE = MDAPE = 10, no wobble, no
    /// divergence; an error growing 1%/h has divergence 1 %/h.
    #[test]
    fn closed_forms() {
        let t: Vec<f64> = (0..11).map(f64::from).collect();
        let target = vec![100.0; 11];
        let over: Vec<f64> = vec![110.0; 11];
        let p = performance(&t, &over, &target).expect("targets");
        assert!((p.mdpe - 10.0).abs() < 1e-12 && (p.mdape - 10.0).abs() < 1e-12);
        assert!(p.wobble.abs() < 1e-12 && p.divergence.abs() < 1e-12);
        let growing: Vec<f64> = t.iter().map(|h| 100.0 + h).collect();
        let p = performance(&t, &growing, &target).expect("targets");
        assert!((p.divergence - 1.0).abs() < 1e-12);
        assert!((p.mdpe - 5.0).abs() < 1e-12 && (p.wobble - 3.0).abs() < 1e-12);
        assert!(performance(&t, &over, &[f64::NAN; 11]).is_none());
    }
}
