//! `[patient] age` and `ancestry`: covariates a built-in model was published with.
//! Only perez-ruixo-2021 has them (Perez-Ruixo 2021, Clin Pharmacokinet 60:501, Table 3):
//! hepatic flow falls 2.19 L/h per year of age above 60; Asian ancestry multiplies kel by
//! 0.36 and noresketamine CLn/F by 0.81. Without them the model is Table 4's reference
//! patient (non-Asian, 18–60 years).

use super::schema::ScenarioFile;
use crate::error::{Locator, Result};
use crate::model::library::{self, EsketamineCovariates};
use crate::model::ModelSpec;

/// The model that reads these covariates.
pub const MODEL: &str = "perez-ruixo-2021";

/// Ages read, in years (the study enrolled 18–86).
const AGE_YEARS: (f64, f64) = (0.0, 120.0);

/// The covariates written in `[patient]` and the offset of the first one, if any is.
pub(super) fn read(
    at: &Locator,
    file: &ScenarioFile,
) -> Result<Option<(EsketamineCovariates, usize)>> {
    let Some(p) = file.patient.as_ref().map(|p| p.get_ref()) else {
        return Ok(None);
    };
    let mut c = EsketamineCovariates::default();
    let mut first = None;
    if let Some(a) = &p.age {
        first = Some(a.span().start);
        c.age_years = age_years(a.get_ref()).ok_or_else(|| {
            at.expected(
                a.span().start,
                format!("age {:?}", a.get_ref()),
                format!(
                    "a number of years from {} to {}, e.g. \"72 years\"",
                    AGE_YEARS.0, AGE_YEARS.1
                ),
            )
        })?;
    }
    if let Some(a) = &p.ancestry {
        first = first.or(Some(a.span().start));
        c.asian = match a.get_ref().to_ascii_lowercase().as_str() {
            "asian" => true,
            "non-asian" => false,
            _ => {
                return Err(at.expected(
                    a.span().start,
                    format!("ancestry {:?}", a.get_ref()),
                    "\"asian\" or \"non-asian\" (the covariate Perez-Ruixo 2021 retained)",
                ))
            }
        };
    }
    Ok(first.map(|o| (c, o)))
}

/// "72 years", "72 y", "72 yr": years within [`AGE_YEARS`].
fn age_years(s: &str) -> Option<f64> {
    let s = s.trim();
    let split = s.find(|ch: char| !(ch.is_ascii_digit() || ch == '.'))?;
    let (number, unit) = s.split_at(split);
    let years: f64 = number.parse().ok()?;
    let unit_ok = ["y", "yr", "yrs", "year", "years"].contains(&unit.trim());
    (unit_ok && years >= AGE_YEARS.0 && years <= AGE_YEARS.1).then_some(years)
}

/// `spec` for a patient with covariates `c`: perez-ruixo-2021 rebuilt for them, any
/// other model unchanged.
pub(super) fn apply(mut spec: ModelSpec, c: Option<&EsketamineCovariates>) -> ModelSpec {
    if let (MODEL, Some(c)) = (spec.id.as_str(), c) {
        let m = library::perez_ruixo_2021(c);
        spec.network = m.network;
        spec.disposition = m.disposition;
        spec.metabolite = m.metabolite;
    }
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_need_a_unit_and_a_human_range() {
        assert_eq!(age_years("72 years"), Some(72.0));
        assert_eq!(age_years("45y"), Some(45.0));
        assert_eq!(age_years("72"), None);
        assert_eq!(age_years("72 kg"), None);
        assert_eq!(age_years("200 years"), None);
    }
}
