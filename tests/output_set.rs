//! A run writes its outputs as one set: all of them or none, and a symlink, FIFO or
//! device among them is written through, never replaced by a regular file.
// See: issue 10, item 4.

mod common;

use common::{files_below, ketasim};
use std::fs;
use std::path::{Path, PathBuf};

/// A scenario that runs in milliseconds; `extra` is appended (an `[output]` table).
fn tiny(name: &str, extra: &str) -> String {
    format!(
        r#"name = "{name}"
[patient]
weight = "70 kg"
[model]
compartments = 1
clearance = "79 L/h"
central_volume = "252 L"
[simulation]
duration = "2 h"
output_every = "10 min"
[[schedule]]
name = "bolus"
doses = [{{ route = "iv", amount = "35 mg" }}]
[plot]
bands = []
{extra}"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p
}

/// Every file below `dir`, as paths relative to it.
fn listing(dir: &Path) -> Vec<String> {
    files_below(dir)
        .iter()
        .map(|f| f.strip_prefix(dir).unwrap().display().to_string())
        .collect()
}

#[test]
fn an_output_path_that_is_a_directory_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    write(tmp.path(), "a.toml", &tiny("a", ""));
    fs::create_dir_all(tmp.path().join("out/a-summary.csv")).unwrap();
    let out = ketasim(tmp.path())
        .args(["run", "a.toml", "--out-dir", "out"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("a-summary.csv: a directory"), "{stderr}");
    // Only what was there before: the CSV that sorts first is not written either.
    assert_eq!(listing(&tmp.path().join("out")), Vec::<String>::new());
    assert!(tmp.path().join("out/a-summary.csv").is_dir());
}

#[test]
fn a_failure_in_one_scenario_of_a_directory_writes_nothing_for_the_others() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("scenarios");
    fs::create_dir(&dir).unwrap();
    for name in ["a", "b", "c"] {
        write(&dir, &format!("{name}.toml"), &tiny(name, ""));
    }
    // The last scenario's plot path is an existing directory: it fails after a and b
    // have rendered.
    fs::create_dir_all(tmp.path().join("out/c.png")).unwrap();
    let out = ketasim(tmp.path())
        .args(["run", "scenarios", "--out-dir", "out", "--threads", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(listing(&tmp.path().join("out")), Vec::<String>::new());
    // No temporary file is left beside the outputs or in the scenario folder.
    assert_eq!(fs::read_dir(tmp.path().join("out")).unwrap().count(), 1);
    assert_eq!(fs::read_dir(&dir).unwrap().count(), 3);
}

#[test]
fn a_failed_run_removes_the_directories_it_created_and_keeps_older_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let outputs = "[output]\ncsv = \"out/a.csv\"\nsummary = \"out/a-summary.csv\"\n";
    write(tmp.path(), "a.toml", &tiny("a", outputs));
    let first = ketasim(tmp.path())
        .args(["run", "a.toml"])
        .output()
        .unwrap();
    assert_eq!(first.status.code(), Some(0));
    let before = fs::read(tmp.path().join("out/a.csv")).unwrap();
    // The same scenario over a longer time, its summary blocked by a directory, after a
    // scenario that writes into a new folder.
    let longer = tiny("a", outputs).replace("\"2 h\"", "\"3 h\"");
    write(tmp.path(), "a.toml", &longer);
    write(
        tmp.path(),
        "b.toml",
        &tiny("b", "[output]\ncsv = \"new/deeper/b.csv\"\n"),
    );
    fs::remove_file(tmp.path().join("out/a-summary.csv")).unwrap();
    fs::create_dir(tmp.path().join("out/a-summary.csv")).unwrap();
    let out = ketasim(tmp.path())
        .args(["run", "b.toml", "a.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(fs::read(tmp.path().join("out/a.csv")).unwrap(), before);
    assert!(
        !tmp.path().join("new").exists(),
        "created folders are removed"
    );
    assert_eq!(listing(&tmp.path().join("outputs")), ["a.png"]);
}

#[cfg(unix)]
#[test]
fn a_symlinked_output_is_written_through_the_link() {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join("real")).unwrap();
    fs::write(tmp.path().join("real/target.csv"), "old").unwrap();
    fs::create_dir(tmp.path().join("out")).unwrap();
    std::os::unix::fs::symlink("../real/target.csv", tmp.path().join("out/a.csv")).unwrap();
    write(tmp.path(), "a.toml", &tiny("a", ""));
    let out = ketasim(tmp.path())
        .args(["run", "a.toml", "--out-dir", "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let link = tmp.path().join("out/a.csv");
    assert!(fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    let written = fs::read_to_string(tmp.path().join("real/target.csv")).unwrap();
    assert!(written.starts_with("schedule,time_h,"), "{written}");
    assert_eq!(listing(&tmp.path().join("real")), ["target.csv"]);
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_device_fails_the_run_and_nothing_else_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    write(
        tmp.path(),
        "a.toml",
        &tiny(
            "a",
            "[output]\ncsv = \"/dev/full\"\nsummary = \"out/a-summary.csv\"\n",
        ),
    );
    let out = ketasim(tmp.path())
        .args(["run", "a.toml"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("/dev/full"), "{stderr}");
    assert!(!tmp.path().join("out").exists());
    assert!(!tmp.path().join("outputs").exists());
}

#[cfg(unix)]
#[test]
fn events_write_through_dev_stdout() {
    let tmp = tempfile::tempdir().unwrap();
    let dataset = write(tmp.path(), "d.csv", "ID,TIME,AMT,CMT\n1,0,100,1\n1,1,0,1\n");
    let model = write(
        tmp.path(),
        "m.toml",
        "[model]\ncompartments = 1\nclearance = \"10 L/h\"\ncentral_volume = \"100 L\"\n",
    );
    let out = ketasim(tmp.path())
        .arg("events")
        .arg(&dataset)
        .arg("--model")
        .arg(&model)
        .args(["--out", "/dev/stdout"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.starts_with("ID,TIME,AMT,CMT,CP\n1,0,100,1,"),
        "{stdout}"
    );
    assert!(Path::new("/dev/stdout").exists());
}

#[cfg(unix)]
#[test]
fn a_fifo_output_is_written_through_not_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || fs::read_to_string(fifo).unwrap())
    };
    write(
        tmp.path(),
        "a.toml",
        &tiny("a", "[output]\ncsv = \"pipe.csv\"\n"),
    );
    let out = ketasim(tmp.path())
        .args(["run", "a.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let read = reader.join().unwrap();
    assert!(read.starts_with("schedule,time_h,"), "{read}");
    use std::os::unix::fs::FileTypeExt;
    assert!(fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}
