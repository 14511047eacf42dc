//! Legitimate inputs at the edges (issue 10 item 3): each scenario under
//! `tests/fixtures/adversarial/` must run to exit 0 in bounded time and write only finite
//! numbers. The inputs that must be refused are in `tests/fixtures/invalid/`.

mod common;

use common::{files_below, ketasim, root};
use std::time::Duration;

/// A hang guard, not a speed test: each of these runs in well under a second in release.
const HANG_GUARD: Duration = Duration::from_secs(60);

#[test]
fn edge_inputs_run_and_write_finite_numbers() {
    let files = files_below(&root().join("tests/fixtures/adversarial"));
    assert!(files.len() >= 4, "the fixtures are missing");
    for f in files {
        let tmp = tempfile::tempdir().unwrap();
        let out = ketasim(tmp.path())
            .arg("run")
            .arg(&f)
            .args(["--out-dir", "out"])
            .timeout(HANG_GUARD)
            .output()
            .unwrap();
        let name = f.display();
        assert_eq!(
            out.status.code(),
            Some(0),
            "{name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let written = files_below(&tmp.path().join("out"));
        assert_eq!(written.len(), 3, "{name}: CSV, summary and PNG");
        for w in written
            .iter()
            .filter(|w| w.extension().is_some_and(|e| e == "csv"))
        {
            let text = std::fs::read_to_string(w).unwrap();
            let lower = text.to_ascii_lowercase();
            assert!(
                !lower.contains("nan") && !lower.contains("inf"),
                "{}: a non-finite number",
                w.display()
            );
        }
    }
}
