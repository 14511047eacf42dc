//! The router: which path goes to which handler, and the limits every request meets.

use super::{api, assets};
use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::routing::{get, post};
use axum::Router;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Largest request body (bytes). The largest scenario shipped is under 3 kB; 256 KiB
/// leaves room for any hand-written file and keeps a stray upload from filling memory.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// What every handler shares.
#[derive(Debug, Clone)]
pub struct State {
    /// Scenario files and directories offered.
    pub roots: Arc<Vec<PathBuf>>,
    /// Simulations at once. The scenario validator bounds one simulation as `ketasim
    /// run` does (output points, subjects × points); this bounds how many run together,
    /// so a whole class pressing a button queues rather than exhausting memory.
    pub simulations: Arc<Semaphore>,
}

impl State {
    /// Offer `roots`; run as many simulations at once as there are cores.
    pub fn new(roots: Vec<PathBuf>) -> State {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        State {
            roots: Arc::new(roots),
            simulations: Arc::new(Semaphore::new(cores)),
        }
    }
}

/// Every path the server answers.
pub fn router(state: State) -> Router {
    Router::new()
        .route(
            "/",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    assets::INDEX_HTML,
                )
            }),
        )
        .route(
            "/app.js",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                    assets::APP_JS,
                )
            }),
        )
        .route(
            "/style.css",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
                    assets::STYLE_CSS,
                )
            }),
        )
        .route("/api/scenarios", get(api::scenarios))
        .route("/api/scenario", get(api::scenario))
        .route("/api/choices", get(api::choices))
        .route("/api/edit", post(api::edit))
        .route("/api/simulate", post(api::simulate))
        .route("/api/png", post(api::png))
        .route("/api/svg", post(api::svg))
        .route("/api/csv", post(api::csv))
        .route("/api/summary-csv", post(api::summary_csv))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}
