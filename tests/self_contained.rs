//! The repository is self-contained: nothing a user reads, builds or tests points outside
//! it, and every pointer to the sources page names a section that exists.
// See: issue 10, item 1.

mod common;

use common::{files_below, root};
use std::path::PathBuf;

/// Built from pieces so that this file does not match its own search.
const OUTSIDE: [&str; 2] = [concat!("..", "/sha", "red"), concat!("sha", "red/")];
const SOURCES_PAGE: &str = "docs/sources.md";

/// Every text file a user of the repository reads or builds: src, tests, benches,
/// examples, docs, README.md and VALIDATION.md. Binary files (PNG) are skipped.
fn user_facing_texts() -> Vec<(PathBuf, String)> {
    let r = root();
    let mut files: Vec<PathBuf> = ["src", "tests", "benches", "examples", "docs"]
        .iter()
        .flat_map(|d| files_below(&r.join(d)))
        .collect();
    files.push(r.join("README.md"));
    files.push(r.join("VALIDATION.md"));
    files
        .into_iter()
        .filter_map(|f| {
            let text = String::from_utf8(std::fs::read(&f).ok()?).ok()?;
            Some((f, text))
        })
        .collect()
}

#[test]
fn no_file_points_outside_the_repository() {
    let texts = user_facing_texts();
    assert!(texts.len() > 50, "found only {} files", texts.len());
    let mut found = Vec::new();
    for (path, text) in &texts {
        for (n, line) in text.lines().enumerate() {
            if OUTSIDE.iter().any(|p| line.contains(p)) {
                found.push(format!("{}:{}: {line}", path.display(), n + 1));
            }
        }
    }
    assert!(
        found.is_empty(),
        "paths outside the repository:\n{}",
        found.join("\n")
    );
}

/// `text` with line breaks, indentation and comment markers folded into single spaces,
/// so that a pointer wrapped over two comment lines reads as one phrase.
fn unwrapped(text: &str) -> String {
    text.lines()
        .map(|l| {
            let l = l.trim();
            ["//!", "///", "//"]
                .iter()
                .find_map(|m| l.strip_prefix(m))
                .unwrap_or(l)
                .trim()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_pointer_to_the_sources_page_names_one_of_its_sections() {
    let page = std::fs::read_to_string(root().join(SOURCES_PAGE)).unwrap();
    let sections: Vec<&str> = page
        .lines()
        .filter_map(|l| l.strip_prefix("## ").or_else(|| l.strip_prefix("### ")))
        .collect();
    let pointer = format!("{SOURCES_PAGE} §");
    let mut checked = 0;
    let mut stale = Vec::new();
    for (path, text) in user_facing_texts() {
        let text = unwrapped(&text);
        for (at, _) in text.match_indices(&pointer) {
            let named = &text[at + pointer.len()..];
            checked += 1;
            if !sections.iter().any(|s| named.starts_with(s)) {
                let shown: String = named.chars().take(40).collect();
                stale.push(format!("{}: §{shown}", path.display()));
            }
        }
    }
    assert!(checked >= 10, "found only {checked} pointers");
    assert!(
        stale.is_empty(),
        "no such section in {SOURCES_PAGE}:\n{}",
        stale.join("\n")
    );
}
