//! `ketasim serve [SCENARIO|DIR]... [--host H] [--port N] [--open]`: the classroom page
//! ([`crate::serve`]) on a local address until Ctrl-C.

use crate::serve::{Bound, Config};
use anyhow::{Context, Result};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
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
        let bound_addr = bound.local_addr()?;
        let url = local_url(bound_addr);
        {
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "ketasim serve: {url}  (Ctrl-C stops; {})",
                crate::DISCLAIMER
            )?;
            if bound_addr.ip().is_unspecified() {
                let shared = network_address(bound_addr.ip()).map_or_else(
                    || format!("http://<this machine's address>:{}/", bound_addr.port()),
                    |ip| format!("http://{}/", SocketAddr::new(ip, bound_addr.port())),
                );
                writeln!(out, "on the classroom network: {shared}")?;
            }
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

/// The address to open on this machine: a wildcard bind (0.0.0.0 or ::) is not an address a
/// browser can open, so it becomes the loopback of the same family.
fn local_url(bound: SocketAddr) -> String {
    let ip = match bound.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}/", SocketAddr::new(ip, bound.port()))
}

/// This machine's address on its default route, for students' browsers. Connecting a UDP
/// socket only picks the route; no packet is sent. `None` on a machine with no route.
fn network_address(family: IpAddr) -> Option<IpAddr> {
    let (any, probe): (SocketAddr, SocketAddr) = match family {
        IpAddr::V4(_) => (
            (Ipv4Addr::UNSPECIFIED, 0).into(),
            (Ipv4Addr::new(192, 0, 2, 1), 9).into(), // TEST-NET-1, RFC 5737
        ),
        IpAddr::V6(_) => (
            (Ipv6Addr::UNSPECIFIED, 0).into(),
            (Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 1), 9).into(), // RFC 3849
        ),
    };
    let socket = std::net::UdpSocket::bind(any).ok()?;
    socket.connect(probe).ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_unspecified() && !ip.is_loopback()).then_some(ip)
}

/// Ask the desktop to open `url`; the address is printed either way.
fn open_browser(url: &str) {
    if let Err(e) = std::process::Command::new("xdg-open").arg(url).spawn() {
        eprintln!("could not open a browser ({e}); open {url} by hand");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wildcard_bind_is_opened_on_loopback() {
        assert_eq!(
            local_url("0.0.0.0:8080".parse().unwrap()),
            "http://127.0.0.1:8080/"
        );
        assert_eq!(local_url("[::]:81".parse().unwrap()), "http://[::1]:81/");
        assert_eq!(
            local_url("192.168.1.5:8080".parse().unwrap()),
            "http://192.168.1.5:8080/"
        );
    }
}
