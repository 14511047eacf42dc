//! `ketasim serve`: a local web page for the classroom. The page lists scenario files,
//! edits one through form controls or by hand, and redraws on every change.
//!
//! Nothing here simulates or formats numbers itself: [`study`] calls the same scenario
//! validation, simulation and report writers as `ketasim run`, so the page, its
//! downloads and the CLI agree to the last digit. Every asset is compiled into the
//! binary ([`assets`]); the server needs no network and no files beyond the scenarios.
//!
//! One idea per file: [`catalog`] (which scenario files are offered), [`study`] (text →
//! results → files), [`form`] (what the controls show), [`edit`] (a control's change →
//! new scenario text), [`json`] (results → the page's JSON), [`api`] (HTTP handlers and
//! status codes), [`routes`] (the router and its limits).

pub mod api;
pub mod assets;
pub mod catalog;
pub mod edit;
pub mod form;
pub mod json;
pub mod routes;
pub mod study;

use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct Config {
    /// Address to listen on; port 0 picks a free port.
    pub addr: SocketAddr,
    /// Scenario files and directories offered on the page.
    pub roots: Vec<PathBuf>,
}

/// A server bound to its address, not yet answering.
pub struct Bound {
    listener: tokio::net::TcpListener,
    app: axum::Router,
}

impl Bound {
    /// Bind `config.addr` (inside a tokio runtime).
    pub async fn new(config: Config) -> std::io::Result<Bound> {
        let listener = tokio::net::TcpListener::bind(config.addr).await?;
        let app = routes::router(routes::State::new(config.roots));
        Ok(Bound { listener, app })
    }

    /// The address actually bound (the port chosen when 0 was asked for).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Answer requests until `shutdown` completes, then finish the requests in flight.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(self.listener, self.app)
            .with_graceful_shutdown(shutdown)
            .await
    }
}
