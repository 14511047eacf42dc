//! The `[plot]` table → plot settings: shaded bands, log axis, what the lower panel shows,
//! and where the PNG goes. Errors name the file, line and column of the offending value.

use super::schema::{PlotTable, ScenarioFile, Text};
use crate::bands::{self, Band};
use crate::error::{Locator, Result};
use crate::model::{library, ModelSpec};
use std::path::PathBuf;

/// What the plot's lower panel shows, below the plasma curves and on the same time axis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LowerPanel {
    /// No lower panel: the plasma panel takes the whole height.
    None,
    /// The metabolite (norketamine) concentration of each schedule; needs a model with one.
    Norketamine,
    /// The effect-site concentration of each schedule; needs a model with ke0.
    Effect,
}

impl LowerPanel {
    /// The default for `model`: norketamine when the model forms it, else no panel.
    pub fn default_for(model: &ModelSpec) -> LowerPanel {
        if model.metabolite.is_some() {
            LowerPanel::Norketamine
        } else {
            LowerPanel::None
        }
    }

    /// The value as written in scenario files.
    pub fn id(self) -> &'static str {
        match self {
            LowerPanel::None => "none",
            LowerPanel::Norketamine => "norketamine",
            LowerPanel::Effect => "effect",
        }
    }
}

/// The validated `[plot]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotSettings {
    /// Bands to shade and summarise.
    pub bands: Vec<Band>,
    /// Logarithmic concentration axis.
    pub log_y: bool,
    /// The PNG path, when the file gives one.
    pub file: Option<PathBuf>,
    /// What the lower panel shows.
    pub lower_panel: LowerPanel,
}

/// The plot settings of `file`, whose model is `model`.
pub fn settings(at: &Locator, file: &ScenarioFile, model: &ModelSpec) -> Result<PlotSettings> {
    let Some(p) = &file.plot else {
        return Ok(PlotSettings {
            bands: bands::BANDS.to_vec(),
            log_y: false,
            file: None,
            lower_panel: LowerPanel::default_for(model),
        });
    };
    let p: &PlotTable = p.get_ref();
    let bands = match &p.bands {
        None => bands::BANDS.to_vec(),
        Some(list) => list
            .get_ref()
            .iter()
            .map(|b| band(at, b))
            .collect::<Result<Vec<Band>>>()?,
    };
    let lower_panel = match &p.lower_panel {
        None => LowerPanel::default_for(model),
        Some(s) => lower_panel(at, s, model)?,
    };
    Ok(PlotSettings {
        bands,
        log_y: p.log_y.unwrap_or(false),
        file: p.file.as_ref().map(|f| PathBuf::from(f.get_ref())),
        lower_panel,
    })
}

fn band(at: &Locator, b: &Text) -> Result<Band> {
    bands::find(b.get_ref()).ok_or_else(|| {
        at.expected(
            b.span().start,
            format!("unknown band {:?}", b.get_ref()),
            format!("one of {} (see `ketasim bands`)", bands::ids()),
        )
    })
}

/// Built-in models that have what `has` asks for, for error messages.
fn models_with(has: fn(&ModelSpec) -> bool) -> String {
    let ids: Vec<String> = library::all()
        .into_iter()
        .filter(has)
        .map(|m| m.id)
        .collect();
    ids.join(", ")
}

fn lower_panel(at: &Locator, s: &Text, model: &ModelSpec) -> Result<LowerPanel> {
    let place = s.span().start;
    let panel = match s.get_ref().to_ascii_lowercase().as_str() {
        "none" => LowerPanel::None,
        "norketamine" | "metabolite" => LowerPanel::Norketamine,
        "effect" | "effect-site" | "effect_site" => LowerPanel::Effect,
        other => {
            return Err(at.expected(
                place,
                format!("unknown lower_panel {other:?}"),
                "norketamine, effect or none",
            ))
        }
    };
    if panel == LowerPanel::Norketamine && model.metabolite.is_none() {
        return Err(at.expected(
            place,
            format!(
                "lower_panel = \"norketamine\" with model {}, which forms no metabolite",
                model.id
            ),
            format!(
                "a model with a metabolite ({})",
                models_with(|m| m.metabolite.is_some())
            ),
        ));
    }
    if panel == LowerPanel::Effect && model.ke0_per_h.is_none() {
        return Err(at.expected(
            place,
            format!(
                "lower_panel = \"effect\" with model {}, which has no effect site",
                model.id
            ),
            format!(
                "a model with an effect site ({}, or ke0 in [model])",
                models_with(|m| m.ke0_per_h.is_some())
            ),
        ));
    }
    Ok(panel)
}

#[cfg(test)]
mod tests {
    use crate::scenario::{parse, LowerPanel};
    use std::path::Path;

    fn scenario(model: &str, plot: &str) -> crate::Result<crate::scenario::Scenario> {
        let text = format!(
            "name = \"t\"\n[model]\n{model}\n[simulation]\nduration = \"1 h\"\n[[schedule]]\nname = \"a\"\ndoses = [{{ route = \"iv\", amount = \"1 mg\" }}]\n[plot]\n{plot}\n"
        );
        parse(Path::new("p.toml"), &text)
    }

    #[test]
    fn the_default_lower_panel_follows_the_model() {
        let s = scenario("pk = \"fanta-2015\"", "").unwrap();
        assert_eq!(s.lower_panel, LowerPanel::Norketamine);
        let s = scenario("pk = \"kamp-2020\"", "").unwrap();
        assert_eq!(s.lower_panel, LowerPanel::None);
        let s = scenario("pk = \"kamp-2020\"", "lower_panel = \"effect\"").unwrap();
        assert_eq!(s.lower_panel, LowerPanel::Effect);
        let s = scenario("pk = \"fanta-2015\"", "lower_panel = \"none\"").unwrap();
        assert_eq!(s.lower_panel, LowerPanel::None);
    }

    #[test]
    fn a_custom_model_needs_ke0_for_an_effect_panel() {
        let custom = "compartments = 1\nclearance = \"79 L/h\"\ncentral_volume = \"252 L\"";
        let e = scenario(custom, "lower_panel = \"effect\"").unwrap_err();
        assert!(
            e.to_string().starts_with(
                "p.toml:12:15: lower_panel = \"effect\" with model custom, which has no effect site"
            ),
            "{e}"
        );
        let with_ke0 = format!("{custom}\nke0 = \"0.1 /min\"");
        assert!(scenario(&with_ke0, "lower_panel = \"effect\"").is_ok());
    }
}
