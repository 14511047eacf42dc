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
    /// The TCI pump's rate (mg/h) of each schedule with targets, as a step line.
    Pump,
    /// The first `[[effect]]` endpoint's effect of each schedule.
    Pd,
}

impl LowerPanel {
    /// The default for `model`: the effects when the file has `[[effect]]`, else
    /// norketamine when the model forms it, else no panel.
    fn default_for(model: &ModelSpec, file: &ScenarioFile) -> LowerPanel {
        if !file.effect.is_empty() {
            LowerPanel::Pd
        } else if model.metabolite.is_some() {
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
            LowerPanel::Pump => "pump",
            LowerPanel::Pd => "pd",
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
    /// The plot's path, when the file gives one; its extension (`.png` or `.svg`)
    /// decides the format.
    pub file: Option<PathBuf>,
    /// What the lower panel shows.
    pub lower_panel: LowerPanel,
    /// `effect = "same-axes"`: effect-site curves on the plasma panel, so the lag shows.
    pub effect_on_plasma_axes: bool,
    /// `hysteresis = true`: also draw `<stem>-hysteresis.png`.
    pub hysteresis: bool,
}

/// The plot settings of `file`, whose model is `model` and whose schedules run on
/// `schedule_models` (the scenario's model unless a schedule names another).
pub fn settings(
    at: &Locator,
    file: &ScenarioFile,
    model: &ModelSpec,
    schedule_models: &[&ModelSpec],
) -> Result<PlotSettings> {
    let Some(p) = &file.plot else {
        return Ok(PlotSettings {
            bands: bands::BANDS.to_vec(),
            log_y: false,
            file: None,
            lower_panel: LowerPanel::default_for(model, file),
            effect_on_plasma_axes: false,
            hysteresis: false,
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
        None => LowerPanel::default_for(model, file),
        Some(s) => lower_panel(at, s, (model, schedule_models), file)?,
    };
    let hysteresis = match &p.hysteresis {
        Some(h) if *h.get_ref() && file.effect.is_empty() => {
            return Err(at.expected(
                h.span().start,
                "hysteresis = true without an [[effect]]",
                "an [[effect]] table: the loop is an effect against plasma concentration",
            ))
        }
        Some(h) => *h.get_ref(),
        None => false,
    };
    let effect_on_plasma_axes = match &p.effect {
        None => false,
        Some(e) => effect(at, e, model)?,
    };
    Ok(PlotSettings {
        hysteresis,
        effect_on_plasma_axes,
        bands,
        log_y: p.log_y.unwrap_or(false),
        file: p.file.as_ref().map(|f| plot_file(at, f)).transpose()?,
        lower_panel,
    })
}

/// The plot path: its extension decides the format, so a name that is neither `.png`
/// nor `.svg` is refused here rather than filled with the wrong kind of data.
fn plot_file(at: &Locator, f: &Text) -> Result<PathBuf> {
    let path = PathBuf::from(f.get_ref());
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("png" | "svg") => Ok(path),
        _ => Err(at.expected(
            f.span().start,
            format!(
                "plot file {:?} without a .png or .svg extension",
                f.get_ref()
            ),
            "a .png or .svg file (the extension decides the format), e.g. \"figs/mine.png\"",
        )),
    }
}

/// `effect = "same-axes"` (true) or `"none"` (false), on a model with an effect site.
fn effect(at: &Locator, e: &Text, model: &ModelSpec) -> Result<bool> {
    let place = e.span().start;
    let same_axes = match e.get_ref().to_ascii_lowercase().as_str() {
        "same-axes" | "same_axes" | "with-plasma" => true,
        "none" => false,
        other => {
            return Err(at.expected(
                place,
                format!("unknown effect {other:?}"),
                "\"same-axes\" (effect site and plasma on one panel) or \"none\" (for a panel of its own: lower_panel = \"effect\")",
            ))
        }
    };
    if same_axes && model.ke0_per_h.is_none() {
        return Err(at.expected(
            place,
            format!(
                "effect = \"same-axes\" on model {}, which has no effect site",
                model.id
            ),
            format!(
                "a model with an effect site ({}, or ke0 in [model])",
                models_with(|m| m.ke0_per_h.is_some())
            ),
        ));
    }
    Ok(same_axes)
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

/// The lower panel `s` asks for, refused when no schedule's model has what it draws
/// (each schedule's curve is drawn where its own model has one).
fn lower_panel(
    at: &Locator,
    s: &Text,
    (model, schedule_models): (&ModelSpec, &[&ModelSpec]),
    file: &ScenarioFile,
) -> Result<LowerPanel> {
    let any = |has: fn(&ModelSpec) -> bool| has(model) || schedule_models.iter().any(|m| has(m));
    let place = s.span().start;
    let panel = match s.get_ref().to_ascii_lowercase().as_str() {
        "none" => LowerPanel::None,
        "norketamine" | "metabolite" => LowerPanel::Norketamine,
        "effect" | "effect-site" | "effect_site" => LowerPanel::Effect,
        "pump" => LowerPanel::Pump,
        "pd" | "effects" => LowerPanel::Pd,
        other => {
            return Err(at.expected(
                place,
                format!("unknown lower_panel {other:?}"),
                "norketamine, effect, pd, pump or none",
            ))
        }
    };
    if panel == LowerPanel::Pd && file.effect.is_empty() {
        return Err(at.expected(
            place,
            "lower_panel = \"pd\" without an [[effect]]",
            "an [[effect]] table to draw (pd draws the first one)",
        ));
    }
    if panel == LowerPanel::Norketamine && !any(|m| m.metabolite.is_some()) {
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
    if panel == LowerPanel::Effect && !any(|m| m.ke0_per_h.is_some()) {
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

    /// A metabolite panel asked for on a scenario whose own model forms none is valid
    /// when a schedule's model does (a racemic infusion beside esketamine spray), and
    /// refused when none does.
    #[test]
    fn a_metabolite_panel_needs_a_schedule_that_forms_one() {
        let text = |other: &str| {
            format!(
                "name = \"t\"\n[model]\npk = \"kamp-2020\"\n[simulation]\nduration = \"1 h\"\n\
                 [[schedule]]\nname = \"a\"\ndoses = [{{ route = \"iv\", amount = \"1 mg\" }}]\n\
                 [[schedule]]\nname = \"b\"\nmodel = \"{other}\"\ndoses = [{{ route = \"iv\", amount = \"1 mg\" }}]\n\
                 [plot]\nlower_panel = \"norketamine\"\n"
            )
        };
        let s = parse(Path::new("p.toml"), &text("fanta-2015")).expect("a schedule forms one");
        assert_eq!(s.lower_panel, LowerPanel::Norketamine);
        let e = parse(Path::new("p.toml"), &text("clements-1981")).unwrap_err();
        assert!(e.to_string().contains("which forms no metabolite"), "{e}");
    }

    /// Issue 14: `file = "figs/mine.svg"` used to get PNG data; now the extension
    /// decides, and any other extension is an error at its place.
    #[test]
    fn the_plot_file_needs_a_png_or_svg_extension() {
        let kamp = "pk = \"kamp-2020\"";
        for ok in ["a.png", "figs/mine.svg", "B.PNG"] {
            assert!(scenario(kamp, &format!("file = \"{ok}\"")).is_ok(), "{ok}");
        }
        let e = scenario(kamp, "file = \"figs/mine.jpg\"").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("p.toml:10:8: plot file \"figs/mine.jpg\" without a .png or .svg"),
            "{e}"
        );
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
