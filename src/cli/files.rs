//! Finding scenario files and writing outputs atomically.

use crate::scenario::{self, Scenario};
use anyhow::{bail, Context, Result};
use std::fs;
use std::path::{Path, PathBuf};

/// The scenario files named: each file as given, each directory as its `*.toml` files
/// (not recursive), sorted.
pub fn scenario_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
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
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Load every scenario in `files`, printing each invalid one as `error: ...` on stderr.
/// Returns the valid scenarios and how many files were invalid; an I/O error stops it.
pub fn load_scenarios(files: &[PathBuf]) -> Result<(Vec<Scenario>, usize)> {
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

/// Write `bytes` to `path` through a temporary file in the same directory and a rename,
/// so a reader never sees a half-written file. Creates the directory if needed.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir).with_context(|| format!("creating directory {}", dir.display()))?;
    let name = path
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = fs::write(&tmp, bytes).and_then(|()| fs::rename(&tmp, path));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result.with_context(|| format!("writing {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.csv");
        write_atomic(&path, b"a,b\n").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"a,b\n");
        assert_eq!(fs::read_dir(path.parent().unwrap()).unwrap().count(), 1);
    }
}
