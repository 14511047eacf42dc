//! `ketasim serve [SCENARIO|DIR]... [--host H] [--port N] [--open]`: the classroom page
//! ([`crate::serve`]) on a local address until Ctrl-C.

use crate::serve::{Bound, Config};
use anyhow::{Context, Result};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

/// Arguments of `ketasim serve`.
#[derive(Debug, clap::Args)]
pub(super) struct Args {
    /// Scenario files, or directories (their *.toml files and those of their
    /// subdirectories) [default: scenarios]
    paths: Vec<PathBuf>,
    /// Address to listen on; 0.0.0.0 shares the page on the classroom network.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// Port; 0 picks a free one.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Open the page in the default browser.
    #[arg(long)]
    open: bool,
}

pub(super) fn run(args: &Args) -> Result<ExitCode> {
    let roots = if args.paths.is_empty() {
        vec![PathBuf::from("scenarios")]
    } else {
        args.paths.clone()
    };
    if let Some(missing) = roots.iter().find(|p| !p.exists()) {
        anyhow::bail!(crate::Error::invalid(
            format!("{}: no such file or directory", missing.display()),
            "scenario files or a directory of them",
        ));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the web server's runtime")?;
    runtime.block_on(async {
        let config = Config {
            addr: SocketAddr::new(args.host, args.port),
            roots,
        };
        let bound = Bound::new(config)
            .await
            .with_context(|| format!("listening on {}:{}", args.host, args.port))?;
        let url = format!("http://{}/", bound.local_addr()?);
        {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "ketasim serve: {url}  (Ctrl-C stops; {})",
                crate::DISCLAIMER
            )?;
            out.flush()?;
        }
        if args.open {
            open_browser(&url);
        }
        bound
            .run(async {
                // If Ctrl-C cannot be watched, serve until killed.
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
            })
            .await
            .context("serving")
    })?;
    Ok(ExitCode::SUCCESS)
}

/// Ask the desktop to open `url`; the address is printed either way.
fn open_browser(url: &str) {
    if let Err(e) = std::process::Command::new("xdg-open").arg(url).spawn() {
        eprintln!("could not open a browser ({e}); open {url} by hand");
    }
}
