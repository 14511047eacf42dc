//! Route overrides in scenario files: the `[routes.NAME]` tables and the same keys on a
//! single dose (`bioavailability`, `ka` or `absorption_half_life`, `lag`).

use super::schema::{RouteTable, Text};
use super::validate::{fraction, positive, read, route_name};
use crate::error::{Locator, Result};
use crate::route::{Absorption, Route, RouteOverride};
use crate::units;
use std::collections::BTreeMap;
use toml::Spanned;

/// The override keys a route table and a dose share, as written.
pub(super) struct AbsorptionKeys<'a> {
    pub bioavailability: &'a Option<Spanned<f64>>,
    pub ka: &'a Option<Text>,
    pub absorption_half_life: &'a Option<Text>,
    pub lag: &'a Option<Text>,
}

impl AbsorptionKeys<'_> {
    /// The override these keys give `route`; a ka on a route without first-order
    /// absorption is an error.
    pub fn read(&self, at: &Locator, route: Route) -> Result<RouteOverride> {
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
            let message = format!("route {route} has no absorption rate; ka applies to intramuscular, intranasal, sublingual, oral and rectal");
            return Err(at.error(key.span().start, message));
        }
        Ok(RouteOverride {
            bioavailability: self
                .bioavailability
                .as_ref()
                .map(|f| fraction(at, f, "bioavailability", false))
                .transpose()?,
            ka_per_h,
            lag_h: self
                .lag
                .as_ref()
                .map(|l| read(at, l, units::parse_duration_h))
                .transpose()?,
            ..Default::default()
        })
    }

    /// Absorption rate from `ka`, or from `absorption_half_life` as ka = ln 2 / t½.
    fn ka_per_h(&self, at: &Locator) -> Result<Option<f64>> {
        match (self.ka, self.absorption_half_life) {
            (Some(k), Some(_)) => {
                Err(at.error(k.span().start, "give ka or absorption_half_life, not both"))
            }
            (Some(k), None) => Ok(Some(positive(
                at,
                k,
                "ka",
                units::parse_rate_constant_per_h,
            )?)),
            (None, Some(h)) => Ok(Some(
                std::f64::consts::LN_2
                    / positive(at, h, "absorption_half_life", units::parse_duration_h)?,
            )),
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
        };
        let mut o = keys.read(at, route)?;
        o.presystemic_fraction = t
            .first_pass_metabolite
            .as_ref()
            .map(|f| fraction(at, f, "first_pass_metabolite", true))
            .transpose()?;
        if let Some(w) = &t.wear_time {
            if route != Route::Topical {
                return Err(at.error(
                    w.span().start,
                    format!("wear_time applies to topical only, not {route}"),
                ));
            }
            o.duration_h = Some(positive(at, w, "wear_time", units::parse_duration_h)?);
        }
        out.insert(route, o);
    }
    Ok(out)
}
