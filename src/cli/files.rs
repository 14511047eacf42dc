//! Finding scenario files and loading them.

use crate::scenario::{self, Scenario};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The scenario files named: each file as given, each directory as its `*.toml` files
/// (not recursive, and said so on stderr for each skipped folder that holds scenarios),
/// sorted.
pub(super) fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(p)
                .with_context(|| format!("reading directory {}", p.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file() && f.extension().is_some_and(|x| x == "toml"))
                .collect();
            if found.is_empty() {
                bail!(crate::Error::invalid(
                    format!(
                        "{}: no *.toml scenario files in this directory",
                        p.display()
                    ),
                    "a directory of scenario files, or a scenario file"
                ));
            }
            found.sort();
            files.extend(found);
            for skipped in folders_with_scenarios(p) {
                eprintln!(
                    "note: not looking inside {}/ (name it to include its scenarios)",
                    skipped.display()
                );
            }
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// The sub-folders of `dir` that hold `*.toml` files, sorted; `run scenarios/` does not
/// descend into `scenarios/lessons/`, and the user should know.
fn folders_with_scenarios(dir: &Path) -> Vec<PathBuf> {
    let toml = |f: &Path| f.extension().is_some_and(|x| x == "toml");
    let holds_toml =
        |d: &Path| fs::read_dir(d).is_ok_and(|mut es| es.any(|e| e.is_ok_and(|e| toml(&e.path()))));
    let mut out: Vec<PathBuf> = fs::read_dir(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|d| d.is_dir() && holds_toml(d))
        .collect();
    out.sort();
    out
}

/// Load every scenario in `files`, printing each invalid one as `error: ...` on stderr.
/// Returns the valid scenarios and how many files were invalid; an I/O error stops it.
pub(super) fn load_scenarios(files: &[PathBuf]) -> Result<(Vec<Scenario>, usize)> {
    let mut scenarios = Vec::new();
    let mut invalid = 0;
    for f in files {
        match scenario::load(f) {
            Ok(s) => scenarios.push(s),
            Err(e) if e.is_invalid_input() => {
                eprintln!("error: {e}");
                invalid += 1;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok((scenarios, invalid))
}
