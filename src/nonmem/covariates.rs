//! Covariates a dataset gives per record, and the individual model they make.
//!
//! Today that is body weight (`WT`, kg), which scales every built-in model and the per-kg
//! parameters of a custom one. A covariate a model needs later (age for a model such as
//! Perez-Ruixo 2021) becomes another field here: its column is read beside `WT` in
//! [`super::reader`], checked as [`Covariates::weight`] checks weight, and applied in
//! [`Covariates::model`].
//!
//! A covariate must be the same on every record of an individual (time-varying
//! covariates would change the model mid-simulation, which ketasim does not do); a change
//! is an error naming both lines.

use crate::model::{Model, ModelSpec, REFERENCE_WEIGHT_KG};

/// The column that holds body weight (kg), matched case-insensitively.
pub const WEIGHT_COLUMN: &str = "WT";
/// Lightest weight accepted (kg): below a premature newborn's, a typo.
pub const MIN_WEIGHT_KG: f64 = 0.1;
/// Heaviest weight accepted (kg), as in scenario files.
pub const MAX_WEIGHT_KG: f64 = 500.0;

/// The covariates of one record.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Covariates {
    /// WT (kg), when the dataset has the column; the 70 kg reference weight otherwise.
    pub weight_kg: Option<f64>,
}

impl Covariates {
    /// The model of an individual with these covariates.
    pub fn model(&self, spec: &ModelSpec) -> Model {
        spec.individual(self.weight_kg.unwrap_or(REFERENCE_WEIGHT_KG))
    }

    /// Check a weight read from the dataset: `Err` holds what was expected.
    pub fn weight(kg: f64) -> Result<f64, String> {
        if (MIN_WEIGHT_KG..=MAX_WEIGHT_KG).contains(&kg) {
            Ok(kg)
        } else {
            Err(format!(
                "a body weight from {MIN_WEIGHT_KG} to {MAX_WEIGHT_KG} kg"
            ))
        }
    }

    /// True when `other` holds the same values (bit for bit: both were read from text).
    pub fn same_as(&self, other: &Covariates) -> bool {
        self.weight_kg.map(f64::to_bits) == other.weight_kg.map(f64::to_bits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::library;
    use approx::assert_relative_eq;

    /// Both sides are one multiplication and one division of exact inputs.
    const ROUNDING: f64 = 1e-12;

    #[test]
    fn weight_scales_a_built_in_model_and_defaults_to_the_reference() {
        let spec = library::get("kamp-2020").unwrap();
        let child = Covariates {
            weight_kg: Some(20.0),
        }
        .model(&spec);
        let adult = Covariates::default().model(&spec);
        // Volumes are linear in weight for kamp-2020 (docs/sources.md §kamp-2020).
        let ratio = child.disposition.v1_l / adult.disposition.v1_l;
        assert_relative_eq!(ratio, 20.0 / 70.0, max_relative = ROUNDING);
    }

    #[test]
    fn weights_outside_the_range_are_refused() {
        assert!(Covariates::weight(0.0).is_err());
        assert!(Covariates::weight(1e-30).is_err());
        assert!(Covariates::weight(501.0).is_err());
        assert_eq!(Covariates::weight(70.0), Ok(70.0));
    }
}
