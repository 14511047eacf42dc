//! Route overrides in scenario files: the `[routes.NAME]` tables and the same keys on a
//! single dose (`bioavailability`, `ka` or `absorption_half_life`, `lag`, and for a
//! nasal spray `swallowed`).

use super::checked::{duration, fraction, route_name, time_point};
use super::schema::{RouteTable, Text};
use crate::error::{Locator, Result};
use crate::limits::MAX_RATE_CONSTANT_PER_H;
use crate::model::custom::rate_constant;
use crate::route::{Absorption, Route, RouteOverride};
use crate::units::fmt_num;
use std::collections::BTreeMap;
use toml::Spanned;

/// The override keys a route table and a dose share, as written.
pub(super) struct AbsorptionKeys<'a> {
    pub bioavailability: &'a Option<Spanned<f64>>,
    pub ka: &'a Option<Text>,
    pub absorption_half_life: &'a Option<Text>,
    pub lag: &'a Option<Text>,
    pub swallowed: &'a Option<Spanned<f64>>,
}

impl AbsorptionKeys<'_> {
    /// The override these keys give `route`; a ka on a route without first-order
    /// absorption is an error.
    pub(super) fn read(&self, at: &Locator, route: Route) -> Result<RouteOverride> {
        let ka_per_h = self.ka_per_h(at)?;
        if ka_per_h.is_some()
            && !matches!(
                route.defaults().settings.absorption,
                Absorption::FirstOrder { .. }
            )
        {
            let key = self
                .ka
                .as_ref()
                .or(self.absorption_half_life.as_ref())
                .expect("one of them gave the ka");
            return Err(at.expected(
                key.span().start,
                format!("an absorption rate for route {route}, which has none"),
                "ka only on intramuscular, intranasal, sublingual, oral and rectal",
            ));
        }
        if let (Some(s), false) = (self.swallowed, route == Route::Intranasal) {
            return Err(at.expected(
                s.span().start,
                format!("a swallowed fraction for route {route}"),
                "swallowed only on intranasal (a nasal spray's run-off)",
            ));
        }
        Ok(RouteOverride {
            swallowed_fraction: self
                .swallowed
                .as_ref()
                .map(|f| fraction(at, f, "swallowed", true))
                .transpose()?,
            bioavailability: self
                .bioavailability
                .as_ref()
                .map(|f| fraction(at, f, "bioavailability", false))
                .transpose()?,
            ka_per_h,
            lag_h: self
                .lag
                .as_ref()
                .map(|l| time_point(at, l, "lag"))
                .transpose()?,
            ..Default::default()
        })
    }

    /// Absorption rate from `ka`, or from `absorption_half_life` as ka = ln 2 / t½.
    fn ka_per_h(&self, at: &Locator) -> Result<Option<f64>> {
        match (self.ka, self.absorption_half_life) {
            (Some(k), Some(_)) => Err(at.expected(
                k.span().start,
                "both ka and absorption_half_life",
                "one of ka and absorption_half_life",
            )),
            (Some(k), None) => Ok(Some(rate_constant(at, k, "ka")?)),
            (None, Some(h)) => {
                let ka = std::f64::consts::LN_2 / duration(at, h, "absorption_half_life")?;
                if ka > MAX_RATE_CONSTANT_PER_H {
                    return Err(at.expected(
                        h.span().start,
                        format!("absorption_half_life {:?}", h.get_ref()),
                        format!(
                            "at least {} s (ka at most {} /h)",
                            fmt_num(3600.0 * std::f64::consts::LN_2 / MAX_RATE_CONSTANT_PER_H),
                            fmt_num(MAX_RATE_CONSTANT_PER_H)
                        ),
                    ));
                }
                Ok(Some(ka))
            }
            (None, None) => Ok(None),
        }
    }
}

/// The `[routes.NAME]` tables, read.
pub(super) fn route_tables(
    at: &Locator,
    tables: &BTreeMap<Text, Spanned<RouteTable>>,
) -> Result<BTreeMap<Route, RouteOverride>> {
    let mut out = BTreeMap::new();
    for (name, table) in tables {
        let route = route_name(at, name)?;
        let t = table.get_ref();
        let keys = AbsorptionKeys {
            bioavailability: &t.bioavailability,
            ka: &t.ka,
            absorption_half_life: &t.absorption_half_life,
            lag: &t.lag,
            swallowed: &t.swallowed,
        };
        let mut o = keys.read(at, route)?;
        o.presystemic_fraction = t
            .first_pass_metabolite
            .as_ref()
            .map(|f| fraction(at, f, "first_pass_metabolite", true))
            .transpose()?;
        if let Some(w) = &t.wear_time {
            if route != Route::Topical {
                return Err(at.expected(
                    w.span().start,
                    format!("wear_time on route {route}"),
                    "wear_time on topical only",
                ));
            }
            o.duration_h = Some(duration(at, w, "wear_time")?);
        }
        out.insert(route, o);
    }
    Ok(out)
}
