//! The JSON/text API behind the page. Every bad request is a 4xx whose body is the
//! message a person reads (the CLI's `file:line:col: ...` for scenarios); only a bug
//! is a 500, and the server keeps serving after either.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /api/scenarios` | the offered files: path, group, name or error |
//! | `GET /api/scenario?path=P` | the TOML text of an offered file |
//! | `GET /api/choices` | built-in models, routes, bands, solvers for the controls |
//! | `POST /api/edit` `{toml, edits}` | the TOML with the controls' changes ([`super::edit`]) |
//! | `POST /api/simulate?name=N` TOML | plot, summary table, lesson, controls ([`super::json`]) |
//! | `POST /api/png`, `/api/svg`, `/api/csv`, `/api/summary-csv` `?name=N` TOML | the file `ketasim run` writes |

use super::routes::State;
use super::study::{Study, StudyError};
use super::{catalog, edit, form, json};
use axum::extract::{Query, State as Shared};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

/// Longest scenario name accepted in `?name=` (characters): a label in messages and
/// download names, never a path that is read.
const MAX_NAME_CHARS: usize = 200;

/// A failed request: its status and the message for the person.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

impl ApiError {
    fn bad(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let text = [(header::CONTENT_TYPE, "text/plain; charset=utf-8")];
        (self.status, text, self.message).into_response()
    }
}

impl From<StudyError> for ApiError {
    fn from(e: StudyError) -> ApiError {
        let status = match &e {
            StudyError::Engine(e) if e.is_invalid_input() => StatusCode::BAD_REQUEST,
            // Valid input the solver cannot finish (step limit): the input must change.
            StudyError::Engine(_) => StatusCode::UNPROCESSABLE_ENTITY,
            StudyError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError {
            status,
            message: e.to_string(),
        }
    }
}

/// `?path=` of `GET /api/scenario`.
#[derive(Debug, Deserialize)]
pub struct PathQuery {
    path: String,
}

/// `?name=` of the POSTs that take scenario text: the file name errors and downloads use.
#[derive(Debug, Deserialize)]
pub struct NameQuery {
    name: Option<String>,
}

impl NameQuery {
    fn label(&self) -> Result<PathBuf, ApiError> {
        let name = self.name.as_deref().unwrap_or("scenario.toml");
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(ApiError::bad(format!(
                "name {:?}; expected 1 to {MAX_NAME_CHARS} characters",
                name.chars().take(40).collect::<String>()
            )));
        }
        Ok(PathBuf::from(name))
    }
}

/// The offered scenario files.
pub async fn scenarios(Shared(state): Shared<State>) -> Result<Json<Value>, ApiError> {
    let roots = state.roots.clone();
    let list = blocking(&state, move || Ok(catalog::list(&roots))).await?;
    Ok(Json(Value::Array(
        list.into_iter()
            .map(|e| {
                json!({
                    "path": e.path, "group": e.group,
                    "name": e.name.as_ref().ok(), "error": e.name.as_ref().err(),
                })
            })
            .collect(),
    )))
}

/// The text of an offered file.
pub async fn scenario(
    Shared(state): Shared<State>,
    Query(q): Query<PathQuery>,
) -> Result<String, ApiError> {
    let file = catalog::find(&state.roots, &q.path).ok_or_else(|| ApiError {
        status: StatusCode::NOT_FOUND,
        message: format!("{}: not one of the scenario files offered", q.path),
    })?;
    std::fs::read_to_string(&file).map_err(|e| ApiError {
        status: StatusCode::NOT_FOUND,
        message: format!("{}: {e}", file.display()),
    })
}

/// What the controls offer.
pub async fn choices() -> Json<Value> {
    let models: Vec<Value> = crate::model::library::all()
        .iter()
        .map(|m| json!({ "id": m.id, "title": m.title }))
        .collect();
    Json(json!({
        "models": models,
        "routes": crate::route::Route::ALL.iter().map(|r| r.id()).collect::<Vec<_>>(),
        "bands": crate::bands::BANDS.iter().map(|b| b.id).collect::<Vec<_>>(),
        "solvers": [crate::solver::SolverKind::Exact.id(), crate::solver::SolverKind::Ode.id()],
        "dose_keys": form::DOSE_KEYS,
        "disclaimer": crate::DISCLAIMER,
    }))
}

/// Body of `POST /api/edit`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EditRequest {
    toml: String,
    edits: Vec<edit::Edit>,
}

/// The scenario text with the controls' changes.
pub async fn edit(Json(r): Json<EditRequest>) -> Result<String, ApiError> {
    edit::apply(&r.toml, &r.edits).map_err(ApiError::bad)
}

/// Simulate the scenario text: everything the page shows.
pub async fn simulate(
    Shared(state): Shared<State>,
    Query(q): Query<NameQuery>,
    text: String,
) -> Result<Json<Value>, ApiError> {
    let label = q.label()?;
    let page = blocking(&state, move || {
        let study = Study::run(&label, &text)?;
        let mut page = json::study(&study)?;
        // The controls come from the text as written; it parsed, so this cannot fail.
        page["form"] = form::read(&text).map_err(|e| ApiError::bad(e.to_string()))?;
        Ok(page)
    })
    .await?;
    Ok(Json(page))
}

/// The PNG `ketasim run` writes for the scenario text.
pub async fn png(
    s: Shared<State>,
    q: Query<NameQuery>,
    text: String,
) -> Result<Response, ApiError> {
    download(s, q, text, ("png", "image/png"), Study::png).await
}

/// The SVG `ketasim run --svg` writes.
pub async fn svg(
    s: Shared<State>,
    q: Query<NameQuery>,
    text: String,
) -> Result<Response, ApiError> {
    download(s, q, text, ("svg", "image/svg+xml"), Study::svg).await
}

/// The time-course CSV `ketasim run` writes.
pub async fn csv(
    s: Shared<State>,
    q: Query<NameQuery>,
    text: String,
) -> Result<Response, ApiError> {
    download(s, q, text, ("csv", "text/csv"), Study::time_course_csv).await
}

/// The summary CSV `ketasim run` writes.
pub async fn summary_csv(
    s: Shared<State>,
    q: Query<NameQuery>,
    text: String,
) -> Result<Response, ApiError> {
    download(s, q, text, ("summary.csv", "text/csv"), Study::summary_csv).await
}

/// Simulate `text` and answer with one file, named after the scenario.
async fn download(
    Shared(state): Shared<State>,
    Query(q): Query<NameQuery>,
    text: String,
    (extension, mime): (&'static str, &'static str),
    render: fn(&Study) -> Result<Vec<u8>, StudyError>,
) -> Result<Response, ApiError> {
    let label = q.label()?;
    let stem = file_stem(&label);
    let bytes = blocking(&state, move || Ok(render(&Study::run(&label, &text)?)?)).await?;
    let disposition = format!("attachment; filename=\"{stem}.{extension}\"");
    let disposition = HeaderValue::from_str(&disposition)
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// A download name from the label: its stem, with only letters, digits, `-` and `_`.
fn file_stem(label: &Path) -> String {
    let stem: String = label
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.is_empty() {
        "scenario".into()
    } else {
        stem
    }
}

/// Run `work` on a blocking thread, at most as many at once as [`State::simulations`]
/// allows. A panic in it (a bug) becomes a 500 and the server keeps serving.
async fn blocking<T: Send + 'static>(
    state: &State,
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let _permit = state.simulations.acquire().await.map_err(|e| ApiError {
        status: StatusCode::SERVICE_UNAVAILABLE,
        message: format!("the server is shutting down: {e}"),
    })?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            message: format!("internal error (a bug in ketasim, please report it): {e}"),
        })?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn download_names_are_safe() {
        assert_eq!(
            file_stem(Path::new("scenarios/lessons/01-half-life.toml")),
            "01-half-life"
        );
        assert_eq!(file_stem(Path::new("a b\"c.toml")), "a_b_c");
        assert_eq!(file_stem(Path::new("..")), "scenario");
    }
}
