//! Which scenario files the page offers: the files named on the command line, and the
//! `*.toml` files in the directories named and in their subdirectories (so `scenarios/`
//! brings `scenarios/lessons/` with it). The list is read again on every request, so a
//! teacher's edits on disk show up on reload; only listed files can be opened.

use crate::scenario;
use std::path::{Path, PathBuf};

/// How deep below a named directory scenario files are looked for.
const MAX_DEPTH: usize = 2;

/// One offered scenario file.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The file, as the page names it (relative to where the server was started).
    pub path: String,
    /// The directory it is in, for grouping ("scenarios/lessons").
    pub group: String,
    /// The scenario's name, or the validation error when the file is invalid.
    pub name: Result<String, String>,
}

/// Every offered file, in the order given, each directory's files sorted.
pub fn files(roots: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for root in roots {
        if root.is_dir() {
            walk(root, MAX_DEPTH, &mut out);
        } else {
            out.push(root.clone());
        }
    }
    out
}

fn walk(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) = paths.into_iter().partition(|p| p.is_dir());
    out.extend(
        files
            .into_iter()
            .filter(|f| f.extension().is_some_and(|x| x == "toml")),
    );
    if depth > 0 {
        for d in dirs {
            walk(&d, depth - 1, out);
        }
    }
}

/// The offered files with their names (each file validated, none simulated).
pub fn list(roots: &[PathBuf]) -> Vec<Entry> {
    files(roots)
        .into_iter()
        .map(|f| Entry {
            path: f.display().to_string(),
            group: f
                .parent()
                .map_or_else(String::new, |p| p.display().to_string()),
            name: scenario::load(&f)
                .map(|s| s.name)
                .map_err(|e| e.to_string()),
        })
        .collect()
}

/// The offered file the page calls `path`, or `None` when no such file is offered: the
/// page cannot read anything else on the machine.
pub fn find(roots: &[PathBuf], path: &str) -> Option<PathBuf> {
    files(roots)
        .into_iter()
        .find(|f| f.display().to_string() == path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directories_bring_their_subdirectories_and_nothing_else_is_offered() {
        let roots = [PathBuf::from("scenarios")];
        let all = files(&roots);
        assert!(all.iter().any(|f| f.starts_with("scenarios/lessons")));
        assert!(all
            .iter()
            .all(|f| f.extension().is_some_and(|x| x == "toml")));
        assert!(find(&roots, "scenarios/lessons/01-half-life.toml").is_some());
        assert!(find(&roots, "Cargo.toml").is_none());
        assert!(find(&roots, "scenarios/../Cargo.toml").is_none());
    }
}
