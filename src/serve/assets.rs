//! The page's files, compiled into the binary: no CDN, no network, no files to install.

/// The page.
pub const INDEX_HTML: &str = include_str!("assets/index.html");
/// Its script: controls, requests, and the SVG plot drawn from the engine's numbers.
pub const APP_JS: &str = include_str!("assets/app.js");
/// Its style, with the presentation mode for a projector.
pub const STYLE_CSS: &str = include_str!("assets/style.css");
