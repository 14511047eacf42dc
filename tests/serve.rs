//! `ketasim serve` over HTTP: every endpoint, bad input of every kind, agreement with
//! `ketasim run`, 30 concurrent clients, and a clean stop on Ctrl-C (issue 16).
//! The browser end-to-end test is `serve_browser.rs`.

mod serve_support;

use serde_json::{json, Value};
use serve_support::{cli_outputs, encode, root, Server};
use std::time::{Duration, Instant};

const LESSON: &str = "scenarios/lessons/05-loading-dose.toml";

fn lesson_text() -> String {
    std::fs::read_to_string(root().join(LESSON)).unwrap()
}

fn simulate(server: &Server, name: &str, text: &str) -> serve_support::Response {
    server.post(
        &format!("/api/simulate?name={}", encode(name)),
        "text/plain",
        text.as_bytes(),
    )
}

#[test]
fn the_page_and_its_assets_come_from_the_binary_with_nothing_external() {
    let s = Server::start(&[]);
    for (path, mime) in [
        ("/", "text/html"),
        ("/app.js", "text/javascript"),
        ("/style.css", "text/css"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert!(
            r.header("content-type").unwrap().starts_with(mime),
            "{path}"
        );
        // The SVG namespace is a name, not an address that is fetched.
        let text = r.text().replace("\"http://www.w3.org/2000/svg\"", "");
        // No CDN, no web font, no request that leaves the machine.
        for outside in ["http://", "https://", "//cdn", "@import"] {
            assert!(!text.contains(outside), "{path} contains {outside}");
        }
    }
    assert!(s.get("/").text().contains("<script src=\"/app.js\">"));
    assert_eq!(s.get("/no-such-page").status, 404);
}

#[test]
fn the_list_offers_scenarios_and_lessons_and_only_those_files_can_be_read() {
    let s = Server::start(&[]);
    let list = s.get("/api/scenarios").json();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["path"] == "scenarios/lessons/01-half-life.toml")
        .expect("lessons are listed");
    assert_eq!(entry["name"], "Lesson 1: one bolus and its half-life");
    assert_eq!(entry["group"], "scenarios/lessons");
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["path"] == "scenarios/acute-pain.toml"));

    let r = s.get(&format!("/api/scenario?path={}", encode(LESSON)));
    assert_eq!(r.status, 200);
    assert_eq!(r.text(), lesson_text());
    for outside in [
        "Cargo.toml",
        "scenarios/../Cargo.toml",
        "/etc/passwd",
        "src/lib.rs",
    ] {
        let r = s.get(&format!("/api/scenario?path={}", encode(outside)));
        assert_eq!(r.status, 404, "{outside}");
        assert!(r.text().contains("not one of the scenario files offered"));
    }
    assert_eq!(s.get("/api/scenario").status, 400, "path is required");
}

#[test]
fn a_file_or_directory_given_is_what_is_offered() {
    let s = Server::start(&["scenarios/lessons/01-half-life.toml"]);
    let list = s.get("/api/scenarios").json();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["path"], "scenarios/lessons/01-half-life.toml");
}

#[test]
fn the_controls_offer_every_model_route_band_and_solver() {
    let s = Server::start(&[]);
    let c = s.get("/api/choices").json();
    let ids: Vec<&str> = c["models"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ketasim::model::library::IDS.to_vec());
    assert_eq!(
        c["routes"].as_array().unwrap().len(),
        ketasim::route::Route::ALL.len()
    );
    assert_eq!(
        c["bands"].as_array().unwrap().len(),
        ketasim::bands::BANDS.len()
    );
    assert_eq!(c["solvers"], json!(["exact", "ode"]));
}

/// The page shows the numbers `ketasim run` writes: its summary table is the summary
/// CSV, its curves the time course, its downloads the very files.
#[test]
fn simulate_and_downloads_match_ketasim_run_byte_for_byte() {
    let s = Server::start(&[]);
    let dir = tempfile::tempdir().unwrap();
    let files = cli_outputs(&root().join(LESSON), dir.path());
    let text = lesson_text();

    let page = simulate(&s, LESSON, &text);
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.json();
    assert_eq!(page["name"], "Lesson 5: a loading dose, then maintenance");
    assert!(page["lesson"]
        .as_str()
        .unwrap()
        .contains("loading dose = target × V"));
    let mut csv = csv::Reader::from_reader(&files["05-loading-dose-summary.csv"][..]);
    let header: Vec<String> = csv.headers().unwrap().iter().map(String::from).collect();
    let rows: Vec<Vec<String>> = csv
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        page["summary_table"],
        json!({ "header": header, "rows": rows })
    );
    // The drawn curve is the engine's: its peak is the summary's Cmax.
    for (series, row) in page["plot"]["series"].as_array().unwrap().iter().zip(&rows) {
        let peak = series["conc_ng_ml"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_f64)
            .fold(f64::MIN, f64::max);
        let cmax: f64 = row[1].parse().unwrap();
        // The CSV keeps 6 significant digits.
        assert!(
            (peak - cmax).abs() <= 0.5e-5 * cmax.abs(),
            "{peak} vs {cmax}"
        );
    }
    assert_eq!(
        page["form"]["schedules"][1]["doses"][0]["amount"],
        "33.5 mg"
    );

    for (endpoint, file, mime) in [
        ("png", "05-loading-dose.png", "image/png"),
        ("svg", "05-loading-dose.svg", "image/svg+xml"),
        ("csv", "05-loading-dose.csv", "text/csv"),
        ("summary-csv", "05-loading-dose-summary.csv", "text/csv"),
    ] {
        let r = s.post(
            &format!("/api/{endpoint}?name={}", encode(LESSON)),
            "text/plain",
            text.as_bytes(),
        );
        assert_eq!(
            r.status,
            200,
            "{endpoint}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.header("content-type"), Some(mime));
        let expect_name = match endpoint {
            "summary-csv" => "05-loading-dose.summary.csv".to_string(),
            ext => format!("05-loading-dose.{ext}"),
        };
        assert_eq!(
            r.header("content-disposition"),
            Some(format!("attachment; filename=\"{expect_name}\"").as_str())
        );
        assert!(
            r.body == files[file],
            "{endpoint} differs from ketasim run's {file}"
        );
    }
}

#[test]
fn an_edit_changes_the_text_and_the_curves_as_the_engine_predicts() {
    let s = Server::start(&[]);
    let text = lesson_text();
    let body = json!({ "toml": text, "edits": [{ "at": ["schedule", 1, "doses", 0, "amount"], "value": "67 mg" }] });
    let r = s.post("/api/edit", "application/json", body.to_string().as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let edited = r.text();
    assert_eq!(
        edited,
        text.replacen("amount = \"33.5 mg\"", "amount = \"67 mg\"", 1)
    );
    let page = simulate(&s, LESSON, &edited).json();
    let expected = ketasim::scenario::parse(std::path::Path::new(LESSON), &edited)
        .unwrap()
        .simulate(ketasim::solver::SolverKind::Exact)
        .unwrap();
    let drawn = page["plot"]["series"][1]["conc_ng_ml"].as_array().unwrap();
    assert_eq!(
        drawn.len(),
        expected[1].trajectory.plasma_ng_ml.len(),
        "short curves are sent whole"
    );
    for (d, e) in drawn.iter().zip(&expected[1].trajectory.plasma_ng_ml) {
        assert!(
            (d.as_f64().unwrap() - e).abs() <= f64::EPSILON * e.abs(),
            "JSON carries the engine's f64"
        );
    }
}

const TCI: &str = "scenarios/tci-kamp.toml";

/// The highest plasma concentration the page draws for schedule `k`, in ng/mL.
fn drawn_peak(page: &Value, k: usize) -> f64 {
    page["plot"]["series"][k]["conc_ng_ml"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_f64)
        .fold(f64::MIN, f64::max)
}

/// The engine's highest plasma concentration for schedule `k` of `text`, in ng/mL.
fn engine_peak(text: &str, k: usize) -> f64 {
    let results = ketasim::scenario::parse(std::path::Path::new(TCI), text)
        .unwrap()
        .simulate(ketasim::solver::SolverKind::Exact)
        .unwrap();
    results[k]
        .trajectory
        .plasma_ng_ml
        .iter()
        .copied()
        .fold(f64::MIN, f64::max)
}

/// TCI targets have controls; raising a plasma target raises the drawn plasma peak by
/// what the engine computes, and switching a target to the effect site is two edits.
#[test]
fn tci_targets_are_controls_and_an_edit_resimulates() {
    let s = Server::start(&[]);
    let text = std::fs::read_to_string(root().join(TCI)).unwrap();
    let page = simulate(&s, TCI, &text);
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.json();
    let form = &page["form"]["schedules"];
    assert_eq!(
        form[0]["targets"],
        json!([
            { "at": "0 min", "mode": "plasma", "value": "1 µg/mL" },
            { "at": "30 min", "mode": "plasma", "value": "0.5 µg/mL" },
        ])
    );
    assert_eq!(form[1]["targets"][0]["mode"], "effect");
    assert_eq!(form[0]["max_rate"], "1200 mL/h");
    // The plot's target lines, as the PNG draws them: plasma 1 then 0.5 µg/mL at 30 min.
    let line = &page["plot"]["targets"][0];
    assert_eq!(line["conc_ng_ml"], json!([1000.0, 1000.0, 500.0, 500.0]));
    assert_eq!(line["time_h"], json!([0.0, 0.5, 0.5, 1.0]));
    assert_eq!(page["plot"]["targets"].as_array().map(Vec::len), Some(2));

    let at = json!(["schedule", 0, "targets", 0, "plasma"]);
    let body = json!({ "toml": text, "edits": [{ "at": at, "value": "2 µg/mL" }] });
    let r = s.post("/api/edit", "application/json", body.to_string().as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let edited = r.text();
    assert_eq!(
        edited,
        text.replacen("plasma = \"1 µg/mL\"", "plasma = \"2 µg/mL\"", 1)
    );
    let after = simulate(&s, TCI, &edited);
    assert_eq!(after.status, 200, "{}", after.text());
    let after = after.json();
    assert_eq!(
        after["form"]["schedules"][0]["targets"][0]["value"],
        "2 µg/mL"
    );
    let (before_peak, after_peak) = (drawn_peak(&page, 0), drawn_peak(&after, 0));
    assert!(
        after_peak > before_peak,
        "{after_peak} vs {before_peak} ng/mL"
    );
    for (drawn, text) in [(before_peak, &text), (after_peak, &edited)] {
        let engine = engine_peak(text, 0);
        assert!(
            (drawn - engine).abs() <= f64::EPSILON * engine.abs(),
            "drawn {drawn} vs engine {engine} ng/mL"
        );
    }

    // The page's plasma → effect switch: set the new key, remove the old one.
    let body = json!({ "toml": text, "edits": [
        { "at": ["schedule", 0, "targets", 1, "effect"], "value": "0.5 µg/mL" },
        { "at": ["schedule", 0, "targets", 1, "plasma"], "value": null },
    ] });
    let r = s.post("/api/edit", "application/json", body.to_string().as_bytes());
    assert_eq!(r.status, 200, "{}", r.text());
    let switched = simulate(&s, TCI, &r.text());
    assert_eq!(switched.status, 200, "{}", switched.text());
    assert_eq!(
        switched.json()["form"]["schedules"][0]["targets"][1],
        json!({ "at": "30 min", "mode": "effect", "value": "0.5 µg/mL" })
    );
}

/// Removing the only target of a schedule: the page removes `targets` and `pump` (an
/// empty list and a pump without targets are refused), so a schedule with a dose by hand
/// simulates without TCI, and one without says it has no doses, not that the list is empty.
#[test]
fn removing_the_last_target_drops_targets_and_pump() {
    let s = Server::start(&[]);
    // The page's script sends these two edits for the only target's "remove" button.
    let script = s.get("/app.js").text();
    for edit in [
        r#"{ at: ["schedule", i, "targets"], value: null }"#,
        r#"{ at: ["schedule", i, "pump"], value: null }"#,
    ] {
        assert!(script.contains(edit), "app.js does not send {edit}");
    }
    let text = std::fs::read_to_string(root().join(TCI)).unwrap();
    let with_bolus = text.replacen(
        "targets = [",
        "doses = [{ route = \"iv\", amount = \"20 mg\" }]\ntargets = [",
        1,
    );
    let edit = |toml: &str, edits: Value| {
        let body = json!({ "toml": toml, "edits": edits });
        let r = s.post("/api/edit", "application/json", body.to_string().as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
        r.text()
    };
    // One of two targets: an element goes.
    let one_left = edit(
        &with_bolus,
        json!([{ "at": ["schedule", 0, "targets", 1], "value": null }]),
    );
    let page = simulate(&s, TCI, &one_left);
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(
        page.json()["form"]["schedules"][0]["targets"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    let last = json!([
        { "at": ["schedule", 0, "targets"], "value": null },
        { "at": ["schedule", 0, "pump"], "value": null },
    ]);
    let none_left = edit(&one_left, last.clone());
    let start = none_left.find("[[schedule]]").unwrap();
    let end = none_left.find("[[schedule]]\nname = \"Effect").unwrap();
    let first = &none_left[start..end];
    assert!(
        !first.contains("targets") && !first.contains("pump"),
        "{first}"
    );
    let page = simulate(&s, TCI, &none_left);
    assert_eq!(page.status, 200, "{}", page.text());
    assert_eq!(page.json()["form"]["schedules"][0]["targets"], json!([]));
    // Without a dose by hand the schedule is then empty, and the validator says so.
    let empty = edit(
        &edit(
            &text,
            json!([{ "at": ["schedule", 0, "targets", 1], "value": null }]),
        ),
        last,
    );
    let r = simulate(&s, TCI, &empty);
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("has no doses"), "{}", r.text());
}

/// Every bad request gets a 4xx with a message a person can act on, and the server
/// keeps serving.
#[test]
fn bad_requests_are_4xx_with_the_clis_message_and_the_server_keeps_serving() {
    let s = Server::start(&[]);
    // Every invalid-scenario fixture: the same message as `ketasim check`, to the column.
    let fixtures = root().join("tests/fixtures/invalid");
    let mut n = 0;
    for f in std::fs::read_dir(&fixtures).unwrap() {
        let path = f.unwrap().path();
        // A fixture that is not UTF-8 cannot be typed into the page; the server's answer to
        // such a body is tested below.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let expect = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .expect("# expect: line");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for endpoint in ["simulate", "png", "csv"] {
            let r = s.post(
                &format!("/api/{endpoint}?name={}", encode(&name)),
                "text/plain",
                text.as_bytes(),
            );
            assert_eq!(
                (r.status, r.text()),
                (400, expect.to_string()),
                "{name} via {endpoint}"
            );
        }
        n += 1;
    }
    assert!(n >= 20, "only {n} fixtures");

    let mut huge = lesson_text();
    huge.push_str(&format!("# {}\n", "x".repeat(300 * 1024)));
    // (method, path, content type, body, status, what the message says)
    type Case<'a> = (&'a str, &'a str, &'a str, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("POST", "/api/simulate", "text/plain", huge.into_bytes(), 413, "length limit"),
        ("POST", "/api/simulate", "text/plain", vec![0xff, 0xfe, b'a'], 400, "UTF-8"),
        ("POST", "/api/simulate?name=", "text/plain", lesson_text().into_bytes(), 400, "expected 1 to 200 characters"),
        ("POST", "/api/simulate?name=x.toml", "text/plain", b"name = \"a\"\n[simulation]\nduration = \"2000 d\"\noutput_every = \"1 s\"\n[[schedule]]\nname = \"a\"\ndoses = [{ route = \"iv\", amount = \"1 mg\" }]\n".to_vec(), 400, "x.toml:4:16: 1.728e8 output points per schedule; expected at most 2000000"),
        ("POST", "/api/edit", "application/json", b"{not json".to_vec(), 400, "JSON"),
        ("POST", "/api/edit", "text/plain", b"{}".to_vec(), 415, "application/json"),
        ("POST", "/api/edit", "application/json", br#"{"toml": "name = 1", "edits": [], "extra": 1}"#.to_vec(), 422, "unknown field"),
        ("POST", "/api/edit", "application/json", br#"{"toml": "name = 1", "edits": [{"at": ["schedule", 3, "name"], "value": "b"}]}"#.to_vec(), 400, "edit 1 at [\"schedule\",3,\"name\"]: no element 3"),
        ("POST", "/api/edit", "application/json", br#"{"toml": "name = ", "edits": []}"#.to_vec(), 400, "not valid TOML"),
        ("GET", "/api/simulate", "", vec![], 405, ""),
    ];
    for (method, path, ct, body, status, says) in cases {
        let r = s.request(method, path, (method == "POST").then_some((ct, &body[..])));
        let text = String::from_utf8_lossy(&r.body).into_owned();
        assert_eq!(r.status, status, "{method} {path}: {text}");
        assert!(
            text.contains(says),
            "{method} {path}: {text:?} should say {says:?}"
        );
    }
    // Still serving.
    assert_eq!(simulate(&s, LESSON, &lesson_text()).status, 200);
}

/// 30 clients at once on loopback, each simulating and downloading: nothing lost, every
/// answer right. The p95 latency is printed (run with `--release -- --nocapture` for
/// the README's figure), never asserted: timing depends on the machine.
#[test]
fn thirty_concurrent_clients_lose_nothing() {
    const CLIENTS: usize = 30;
    const REQUESTS_EACH: usize = 5;
    let s = Server::start(&[]);
    let text = lesson_text();
    let expected = simulate(&s, LESSON, &text).json()["summary_table"].clone();
    let start = Instant::now();
    let latencies: Vec<Duration> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|_| {
                scope.spawn(|| {
                    (0..REQUESTS_EACH)
                        .map(|_| {
                            let t = Instant::now();
                            let r = simulate(&s, LESSON, &text);
                            let elapsed = t.elapsed();
                            assert_eq!(r.status, 200);
                            assert_eq!(
                                r.json()["summary_table"],
                                expected,
                                "every client gets the same numbers"
                            );
                            elapsed
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("client thread"))
            .collect()
    });
    let wall = start.elapsed();
    assert_eq!(latencies.len(), CLIENTS * REQUESTS_EACH, "nothing lost");
    let mut ms: Vec<f64> = latencies.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    ms.sort_by(f64::total_cmp);
    let p = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    eprintln!(
        "serve: {} requests from {CLIENTS} concurrent clients ({LESSON}, 3 schedules × 361 points) in {:.0} ms wall: latency median {:.1} ms, p95 {:.1} ms, max {:.1} ms",
        ms.len(), wall.as_secs_f64() * 1e3, p(0.5), p(0.95), p(1.0)
    );
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let mut s = Server::start(&[]);
    assert_eq!(s.get("/").status, 200);
    let status = std::process::Command::new("kill")
        .args(["-INT", &s.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = s
        .wait_exit(Duration::from_secs(10))
        .expect("exits after Ctrl-C");
    assert!(exit.success(), "exit status {exit:?}");
}

#[test]
fn a_missing_path_is_an_error_before_anything_listens() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_ketasim"))
        .args(["serve", "--port", "0", "no-such-dir"])
        .current_dir(root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: no-such-dir: no such file or directory; expected scenario files or a directory of them\n"
    );
}
