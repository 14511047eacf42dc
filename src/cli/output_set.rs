//! The files of one run, written as a set: all of them or none.
//!
//! Each file is first staged: its bytes go to a hidden temporary file beside the
//! destination, so memory holds one file at a time however many a run writes, and a full
//! disk shows up here, before anything is in place. [`OutputSet::commit`] then puts every
//! staged file in place by renames, keeping what each replaced until all are in place.
//! If anything fails, or the set is dropped without a commit, every temporary file is
//! removed, every replaced file restored and every directory the run created removed
//! again.
//!
//! A destination that is not a regular file is handled as it is, never replaced:
//! a directory is an error; a symlink is followed (the file it points to is replaced, the
//! link stays); a FIFO or a device (`/dev/stdout`, `/dev/full`) is staged in the system's
//! temporary directory and copied through it at commit, before the renames, since bytes
//! sent through it cannot be taken back.

use anyhow::{bail, Context, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Tells apart the temporary files of one process (several threads stage at once).
static NEXT_TEMPORARY: AtomicUsize = AtomicUsize::new(0);

/// One output file, staged and not yet in place.
#[derive(Debug)]
enum Staged {
    /// A regular file (or a new one): `temporary` is renamed onto `destination`.
    Renamed {
        shown: PathBuf,
        destination: PathBuf,
        temporary: PathBuf,
    },
    /// A FIFO or device: `temporary` is copied through it at commit.
    CopiedThrough { shown: PathBuf, temporary: PathBuf },
}

/// Files staged for one run; see the module documentation.
#[derive(Debug, Default)]
pub(super) struct OutputSet {
    staged: Vec<Staged>,
    created_dirs: Vec<PathBuf>,
}

/// A staged file, streamed: rows are written to the temporary file as they come. The
/// set already holds the file, so it is removed with the set however this ends.
pub(super) struct StagedWriter {
    file: std::io::BufWriter<fs::File>,
    shown: PathBuf,
}

impl StagedWriter {
    /// The writer to stream the file's bytes into.
    pub(super) fn writer(&mut self) -> &mut impl Write {
        &mut self.file
    }
}

/// What sits at a destination path now.
enum Existing {
    Nothing,
    Regular(PathBuf),
    Special,
}

fn existing(path: &Path) -> Result<Existing> {
    let Ok(link) = fs::symlink_metadata(path) else {
        return Ok(Existing::Nothing);
    };
    let Ok(meta) = fs::metadata(path) else {
        bail!(invalid(
            path,
            "a symbolic link to a file that does not exist",
            "a file or a new path to write",
        ));
    };
    if meta.is_dir() {
        bail!(invalid(
            path,
            "a directory",
            "a file path to write (nothing was written)",
        ));
    }
    if !meta.is_file() {
        return Ok(Existing::Special);
    }
    // Follow a symlink, so the link stays and the file it points to is replaced.
    let real = if link.file_type().is_symlink() {
        fs::canonicalize(path).with_context(|| format!("following {}", path.display()))?
    } else {
        path.to_path_buf()
    };
    Ok(Existing::Regular(real))
}

/// The output `path` cannot be written: found `found`, expected `expected`.
fn invalid(path: &Path, found: &str, expected: &str) -> crate::Error {
    crate::error::InputError::new(crate::error::Span::at(path, 0, 0), found, expected).into()
}

impl OutputSet {
    /// An empty set.
    pub(super) fn new() -> OutputSet {
        OutputSet::default()
    }

    /// Stage `bytes` for `path`.
    pub(super) fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let mut w = self.stream(path)?;
        let written = w.file.write_all(bytes);
        self.finish(w)?;
        written.with_context(|| format!("writing {}", path.display()))
    }

    /// Stage `path` as a stream: write to [`StagedWriter::writer`], then [`Self::finish`].
    pub(super) fn stream(&mut self, path: &Path) -> Result<StagedWriter> {
        let n = NEXT_TEMPORARY.fetch_add(1, Ordering::Relaxed);
        let destination = match existing(path)? {
            Existing::Special => {
                let temporary =
                    std::env::temp_dir().join(format!("ketasim-{}-{n}.tmp", std::process::id()));
                let file = create(&temporary, path)?;
                self.staged.push(Staged::CopiedThrough {
                    shown: path.to_path_buf(),
                    temporary,
                });
                return Ok(StagedWriter {
                    file: std::io::BufWriter::new(file),
                    shown: path.to_path_buf(),
                });
            }
            Existing::Regular(real) => real,
            Existing::Nothing => path.to_path_buf(),
        };
        let dir = destination
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        self.create_dir(&dir)?;
        let name = destination
            .file_name()
            .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
        let temporary = dir.join(format!(".{name}.{}-{n}.tmp", std::process::id()));
        let file = create(&temporary, path)?;
        self.staged.push(Staged::Renamed {
            shown: path.to_path_buf(),
            destination,
            temporary,
        });
        Ok(StagedWriter {
            file: std::io::BufWriter::new(file),
            shown: path.to_path_buf(),
        })
    }

    /// Take over every file `other` staged.
    pub(super) fn absorb(&mut self, mut other: OutputSet) {
        self.staged.append(&mut other.staged);
        self.created_dirs.append(&mut other.created_dirs);
    }

    /// Flush a streamed file: what is still buffered may not fit on the disk.
    pub(super) fn finish(&mut self, w: StagedWriter) -> Result<()> {
        let StagedWriter { file, shown } = w;
        file.into_inner()
            .map(drop)
            .map_err(|e| e.into_error())
            .with_context(|| format!("writing {}", shown.display()))
    }

    /// Create `dir` and its missing parents, remembering which this run created.
    fn create_dir(&mut self, dir: &Path) -> Result<()> {
        let missing: Vec<PathBuf> = dir
            .ancestors()
            .take_while(|d| !d.as_os_str().is_empty() && !d.exists())
            .map(Path::to_path_buf)
            .collect();
        fs::create_dir_all(dir).with_context(|| format!("creating directory {}", dir.display()))?;
        // Deepest first, the order they are removed in.
        self.created_dirs.extend(missing);
        Ok(())
    }

    /// Every path of the set, in the order staged, as the user named them.
    pub(super) fn paths(&self) -> Vec<PathBuf> {
        self.staged
            .iter()
            .map(|s| s.shown().to_path_buf())
            .collect()
    }

    /// Put every staged file in place. On failure nothing of the set stays written
    /// (bytes already sent through a FIFO or device cannot be taken back).
    pub(super) fn commit(mut self) -> Result<()> {
        for s in &self.staged {
            if let Staged::CopiedThrough { shown, temporary } = s {
                copy_through(temporary, shown)?;
            }
        }
        let mut replaced: Vec<(PathBuf, Option<PathBuf>)> = Vec::new();
        let mut result = Ok(());
        for s in &self.staged {
            if let Staged::Renamed {
                shown,
                destination,
                temporary,
            } = s
            {
                result = put_in_place(destination, temporary, &mut replaced)
                    .with_context(|| format!("writing {}", shown.display()));
                if result.is_err() {
                    break;
                }
            }
        }
        match result {
            Ok(()) => {
                for (_, backup) in replaced {
                    if let Some(b) = backup {
                        let _ = fs::remove_file(b);
                    }
                }
                // Renamed temporaries are gone; the drop removes the copied-through ones.
                self.staged
                    .retain(|s| matches!(s, Staged::CopiedThrough { .. }));
                self.created_dirs.clear();
                Ok(())
            }
            Err(e) => {
                for (destination, backup) in replaced.into_iter().rev() {
                    let _ = fs::remove_file(&destination);
                    if let Some(b) = backup {
                        let _ = fs::rename(b, &destination);
                    }
                }
                Err(e)
            }
        }
    }
}

/// Rename `temporary` onto `destination`, first moving aside what is there.
fn put_in_place(
    destination: &Path,
    temporary: &Path,
    replaced: &mut Vec<(PathBuf, Option<PathBuf>)>,
) -> std::io::Result<()> {
    if destination.is_dir() {
        // Made a directory since it was staged: never move a directory aside.
        return Err(std::io::Error::other("is a directory"));
    }
    let backup = if destination.exists() {
        let b = temporary.with_extension("old");
        fs::rename(destination, &b)?;
        Some(b)
    } else {
        None
    };
    replaced.push((destination.to_path_buf(), backup));
    fs::rename(temporary, destination)
}

/// Create the temporary file `temporary` for the output `path`.
fn create(temporary: &Path, path: &Path) -> Result<fs::File> {
    fs::File::create(temporary).with_context(|| format!("writing {}", path.display()))
}

/// Copy `temporary` through the FIFO or device `path`, without truncating or replacing it.
fn copy_through(temporary: &Path, path: &Path) -> Result<()> {
    let mut from =
        fs::File::open(temporary).with_context(|| format!("writing {}", path.display()))?;
    let mut to = fs::OpenOptions::new()
        .write(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))?;
    std::io::copy(&mut from, &mut to)
        .and_then(|_| to.flush())
        .map(drop)
        .with_context(|| format!("writing {}", path.display()))
}

impl Staged {
    /// The path as the user named it.
    fn shown(&self) -> &Path {
        match self {
            Staged::Renamed { shown, .. } | Staged::CopiedThrough { shown, .. } => shown,
        }
    }
}

impl Drop for OutputSet {
    /// Remove what an uncommitted set left: temporary files, then the directories it made.
    fn drop(&mut self) {
        for s in &self.staged {
            let (Staged::Renamed { temporary, .. } | Staged::CopiedThrough { temporary, .. }) = s;
            let _ = fs::remove_file(temporary);
        }
        for d in &self.created_dirs {
            let _ = fs::remove_dir(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut n: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        n.sort();
        n
    }

    #[test]
    fn a_committed_set_leaves_its_files_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.csv"), "old").unwrap();
        let mut set = OutputSet::new();
        set.stage(&dir.path().join("a.csv"), b"new a").unwrap();
        set.stage(&dir.path().join("sub/b.csv"), b"b").unwrap();
        set.commit().unwrap();
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"new a");
        assert_eq!(fs::read(dir.path().join("sub/b.csv")).unwrap(), b"b");
        assert_eq!(names(dir.path()), ["a.csv", "sub"]);
        assert_eq!(names(&dir.path().join("sub")), ["b.csv"]);
    }

    #[test]
    fn a_set_dropped_before_commit_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.csv"), "old").unwrap();
        {
            let mut set = OutputSet::new();
            set.stage(&dir.path().join("a.csv"), b"new").unwrap();
            set.stage(&dir.path().join("new/deeper/b.csv"), b"b")
                .unwrap();
        }
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["a.csv"]);
    }

    #[test]
    fn a_failed_commit_restores_what_it_replaced() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.csv"), "old").unwrap();
        let mut set = OutputSet::new();
        set.stage(&dir.path().join("a.csv"), b"new").unwrap();
        set.stage(&dir.path().join("b.csv"), b"b").unwrap();
        // b's destination turns into a directory after staging: its rename fails, after
        // a's has succeeded.
        fs::create_dir(dir.path().join("b.csv")).unwrap();
        fs::write(dir.path().join("b.csv/keep"), "x").unwrap();
        assert!(set.commit().is_err());
        assert_eq!(fs::read(dir.path().join("a.csv")).unwrap(), b"old");
        assert_eq!(names(dir.path()), ["a.csv", "b.csv"]);
    }

    #[test]
    fn a_directory_is_refused_before_anything_is_staged() {
        let dir = tempfile::tempdir().unwrap();
        let mut set = OutputSet::new();
        let e = set.stage(dir.path(), b"x").unwrap_err();
        assert!(
            e.to_string()
                .contains(": a directory; expected a file path"),
            "{e}"
        );
        assert!(set.paths().is_empty());
    }
}
