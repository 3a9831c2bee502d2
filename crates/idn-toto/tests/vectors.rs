//! Runs the shared conformance vectors in `tests/vectors/` (the contract every
//! language binding also runs; see `tests/vectors/README.md` for the format).
//!
//! One test drives every case of every file and reports all failures
//! together, each named by file and case.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

use idn_toto::{
    check_journal_file, dynamic, Client, Clock, Driver, DriverOptions, EndpointId, Error,
    ItemStatus, Journal, JournalAppender, JournalRecord, Output, PathWords, RetryPolicy,
    SettleState, Snapshot, Step, ENDPOINTS,
};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde_json::{json, Value};

/// Deleting or emptying vector files must fail the run: the total number of
/// cases may grow, never drop below this.
const MIN_CASES: usize = 390;

const DEFAULT_BASE_URL: &str = "https://agent.example.com/home.php";
const DEFAULT_TOKEN: &str = "VECTOR-TOKEN-0001";

/// RFC 3986 unreserved characters are kept; everything else is encoded. This
/// is how the token goes into the URL.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors")
}

/// What one case is checked against, and what went wrong so far.
struct Run {
    failures: Vec<String>,
    cases: usize,
}

impl Run {
    fn fail(&mut self, file: &str, case: &str, what: impl AsRef<str>) {
        self.failures
            .push(format!("{file} :: {case}: {}", what.as_ref()));
    }
}

/// The client a file's `config` describes, and the token forms to look for.
struct Config {
    client: Client,
    token: String,
    encoded_token: String,
}

impl Config {
    fn from_file(file: &Value) -> Result<Config, String> {
        let config = file.get("config").cloned().unwrap_or_else(|| json!({}));
        let base_url = config
            .get("base_url")
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_BASE_URL);
        let token = config
            .get("token")
            .and_then(Value::as_str)
            .unwrap_or(DEFAULT_TOKEN);
        let mut client =
            Client::new(base_url, token).map_err(|e| format!("config is refused: {e}"))?;
        if let Some(words) = config.get("path_words") {
            let w =
                PathWords::from_json(words).map_err(|e| format!("path_words are refused: {e}"))?;
            client = client
                .with_path_words(w)
                .map_err(|e| format!("path_words are refused: {e}"))?;
        }
        Ok(Config {
            client,
            token: token.to_owned(),
            encoded_token: utf8_percent_encode(token, UNRESERVED).to_string(),
        })
    }

    /// Whether `text` contains the token, raw or percent-encoded.
    fn leaks(&self, text: &str) -> bool {
        text.contains(&self.token) || text.contains(&self.encoded_token)
    }

    /// The URL with the token put back where `***` stands.
    fn reveal(&self, redacted_url: &str) -> String {
        redacted_url.replacen("***", &self.encoded_token, 1)
    }
}

/// `expected` is a subset of `actual`: every key of every object is present
/// with a matching value; anything else must be equal.
fn is_subset(expected: &Value, actual: &Value) -> bool {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| is_subset(v, av))),
        _ => expected == actual,
    }
}

fn hex(s: &str) -> Result<Vec<u8>, String> {
    if s.len() % 2 != 0 {
        return Err("body_hex has an odd length".into());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|e| format!("body_hex: {e}")))
        .collect()
}

fn name_of(case: &Value) -> String {
    case.get("name")
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>")
        .to_owned()
}

/// Checks an error against a case's `error` subset, and that it does not
/// leak the token.
fn check_error(run: &mut Run, cfg: &Config, file: &str, case: &str, expected: &Value, err: &Error) {
    let json = err.to_json();
    let inner = &json["error"];
    if !is_subset(expected, inner) {
        run.fail(
            file,
            case,
            format!("error {inner} does not match {expected}"),
        );
    }
    if cfg.leaks(&json.to_string()) || cfg.leaks(&err.to_string()) {
        run.fail(file, case, format!("error leaks the token: {json}"));
    }
    if inner["kind"] != err.kind() {
        run.fail(file, case, "error JSON kind differs from Error::kind()");
    }
}

/// Exactly one of `expect` / `error` (or `next` / `error`) must be given.
fn outcome_key<'a>(case: &'a Value, ok_key: &str) -> Result<(bool, &'a Value), String> {
    match (case.get(ok_key), case.get("error")) {
        (Some(v), None) => Ok((true, v)),
        (None, Some(e)) => Ok((false, e)),
        _ => Err(format!("needs exactly one of `{ok_key}` and `error`")),
    }
}

// ------------------------------------------------------------ endpoint files

#[derive(Default)]
struct Coverage {
    requests_ok: usize,
    requests_err: usize,
    responses_ok: usize,
    responses_err: usize,
}

fn run_endpoint_file(run: &mut Run, file: &str, doc: &Value, cov: &mut Coverage) {
    let Some(id) = doc.get("endpoint").and_then(Value::as_str) else {
        return run.fail(file, "-", "no `endpoint`");
    };
    let id: EndpointId = match id.parse() {
        Ok(id) => id,
        Err(e) => return run.fail(file, "-", e.to_string()),
    };
    if format!("{id}.json") != file {
        run.fail(file, "-", format!("file name does not match endpoint {id}"));
    }
    let cfg = match Config::from_file(doc) {
        Ok(c) => c,
        Err(e) => return run.fail(file, "config", e),
    };
    for case in doc["requests"].as_array().into_iter().flatten() {
        run.cases += 1;
        let name = format!("request {:?}", name_of(case));
        let (ok, want) = match outcome_key(case, "expect") {
            Ok(x) => x,
            Err(e) => {
                run.fail(file, &name, e);
                continue;
            }
        };
        if cfg.leaks(&want.to_string()) {
            run.fail(file, &name, "the expectation contains the token");
        }
        let params = case.get("params").cloned().unwrap_or(Value::Null);
        match (ok, dynamic::build(&cfg.client, id, &params)) {
            (true, Ok(request)) => {
                cov.requests_ok += 1;
                let got = request.to_json(false);
                for key in ["method", "url", "body", "idempotent"] {
                    if want.get(key).is_none() {
                        run.fail(file, &name, format!("expect has no `{key}`"));
                    }
                }
                for (key, value) in want.as_object().into_iter().flatten() {
                    if got.get(key) != Some(value) {
                        run.fail(
                            file,
                            &name,
                            format!("{key}: got {}, want {value}", got[key.as_str()]),
                        );
                    }
                }
                if got["endpoint"] != id.as_str() {
                    run.fail(file, &name, format!("endpoint is {}", got["endpoint"]));
                }
                if request.redacted_url() != got["url"] || cfg.leaks(request.redacted_url()) {
                    run.fail(file, &name, "redacted URL is not redacted");
                }
                if request.url() != cfg.reveal(request.redacted_url()) {
                    run.fail(
                        file,
                        &name,
                        "the real URL is not the redacted URL with the percent-encoded token",
                    );
                }
                if request.to_json(true)["url"] != request.url() {
                    run.fail(file, &name, "to_json(true) does not reveal the URL");
                }
                if cfg.leaks(&got.to_string()) || cfg.leaks(&format!("{request:?} {request}")) {
                    run.fail(file, &name, "the redacted descriptor leaks the token");
                }
                let body_text = request
                    .body()
                    .map(|b| String::from_utf8_lossy(b).into_owned());
                if got["body"] != json!(body_text) {
                    run.fail(file, &name, "to_json body differs from Request::body");
                }
            }
            (false, Err(e)) => {
                cov.requests_err += 1;
                check_error(run, &cfg, file, &name, want, &e);
            }
            (true, Err(e)) => run.fail(file, &name, format!("want a request, got {}", e.to_json())),
            (false, Ok(r)) => run.fail(
                file,
                &name,
                format!("want an error, got a request {}", r.to_json(false)),
            ),
        }
    }
    for case in doc["responses"].as_array().into_iter().flatten() {
        run.cases += 1;
        let name = format!("response {:?}", name_of(case));
        let (ok, want) = match outcome_key(case, "expect") {
            Ok(x) => x,
            Err(e) => {
                run.fail(file, &name, e);
                continue;
            }
        };
        if cfg.leaks(&want.to_string()) {
            run.fail(file, &name, "the expectation contains the token");
        }
        let status = case.get("status").and_then(Value::as_u64).unwrap_or(200);
        let Ok(status) = u16::try_from(status) else {
            run.fail(file, &name, "status out of range");
            continue;
        };
        let body = match (case.get("body"), case.get("body_hex")) {
            (Some(Value::String(s)), None) => s.as_bytes().to_vec(),
            (None, Some(Value::String(h))) => match hex(h) {
                Ok(b) => b,
                Err(e) => {
                    run.fail(file, &name, e);
                    continue;
                }
            },
            _ => {
                run.fail(
                    file,
                    &name,
                    "needs exactly one of `body` and `body_hex` (strings)",
                );
                continue;
            }
        };
        let parsed = dynamic::parse_with(&cfg.client, id, status, &body);
        // The text fast path must agree with the value path.
        let text = dynamic::parse_to_string(id, status, &body)
            .map(|t| serde_json::from_str::<Value>(&t).unwrap());
        if text.as_ref().ok() != parsed.as_ref().ok() {
            run.fail(file, &name, "parse_to_string and parse disagree");
        }
        match (ok, parsed) {
            (true, Ok(value)) => {
                cov.responses_ok += 1;
                if &value != want {
                    run.fail(file, &name, format!("got {value}\n    want {want}"));
                }
            }
            (false, Err(e)) => {
                cov.responses_err += 1;
                check_error(run, &cfg, file, &name, want, &e);
            }
            (true, Err(e)) => run.fail(file, &name, format!("want a value, got {}", e.to_json())),
            (false, Ok(v)) => run.fail(file, &name, format!("want an error, got {v}")),
        }
    }
}

// ------------------------------------------------------------ batch.json

fn run_batch_file(run: &mut Run, file: &str, doc: &Value) {
    let cfg = match Config::from_file(doc) {
        Ok(c) => c,
        Err(e) => return run.fail(file, "config", e),
    };
    for case in doc["cases"].as_array().into_iter().flatten() {
        run.cases += 1;
        let name = name_of(case);
        if cfg.leaks(
            &case
                .get("outcomes")
                .cloned()
                .unwrap_or_default()
                .to_string(),
        ) || cfg.leaks(&case.get("error").cloned().unwrap_or_default().to_string())
        {
            run.fail(file, &name, "the expectation contains the token");
        }
        let snapshots = case.get("snapshots").and_then(Value::as_bool) == Some(true);
        let mut batch = match (dynamic::batch(&case["params"]), case.get("error")) {
            (Ok(b), None) if snapshots => b.with_snapshots(),
            (Ok(b), None) => b,
            (Err(e), Some(want)) => {
                check_error(run, &cfg, file, &name, want, &e);
                continue;
            }
            (Ok(_), Some(want)) => {
                run.fail(file, &name, format!("want error {want}, got a batch"));
                continue;
            }
            (Err(e), None) => {
                run.fail(file, &name, format!("batch refused: {}", e.to_json()));
                continue;
            }
        };
        let exchanges = case["exchanges"].as_array().cloned().unwrap_or_default();
        let mut broken = false;
        for (i, ex) in exchanges.iter().enumerate() {
            let Some(request) = batch.next_request(&cfg.client) else {
                run.fail(
                    file,
                    &name,
                    format!("exchange {i}: no request was produced"),
                );
                broken = true;
                break;
            };
            // A history read (a batch with snapshots) has no items and no
            // `expect_items`.
            let items = request
                .body()
                .and_then(|b| serde_json::from_slice::<Value>(b).ok())
                .and_then(|v| v["transaction"].as_array().map(Vec::len));
            if items
                != ex["expect_items"]
                    .as_u64()
                    .and_then(|n| usize::try_from(n).ok())
            {
                run.fail(
                    file,
                    &name,
                    format!("exchange {i}: {items:?} items, want {}", ex["expect_items"]),
                );
            }
            if request.redacted_url() != ex["expect_url"] {
                run.fail(
                    file,
                    &name,
                    format!(
                        "exchange {i}: url {}, want {}",
                        request.redacted_url(),
                        ex["expect_url"]
                    ),
                );
            }
            let read = request.endpoint() == EndpointId::UserHistory;
            if request.url() != cfg.reveal(request.redacted_url())
                || request.is_idempotent() != read
                || (read && !snapshots)
            {
                run.fail(
                    file,
                    &name,
                    format!("exchange {i}: bad real URL or idempotent"),
                );
            }
            let response = &ex["response"];
            if let Some(reason) = response.get("transport_failure").and_then(Value::as_str) {
                batch.record_transport_failure(&cfg.client, reason);
            } else {
                let status = response
                    .get("status")
                    .and_then(Value::as_u64)
                    .unwrap_or(200);
                let body = response["body"].as_str().unwrap_or_default();
                batch.record_response(&cfg.client, status as u16, body.as_bytes());
            }
        }
        if broken {
            continue;
        }
        if let Some(extra) = batch.next_request(&cfg.client) {
            run.fail(
                file,
                &name,
                format!(
                    "a request after the last exchange: {}",
                    extra.redacted_url()
                ),
            );
        }
        let outcomes: Vec<Value> = batch.finish().iter().map(|o| o.to_json()).collect();
        let want = case["outcomes"].as_array().cloned().unwrap_or_default();
        if outcomes.len() != want.len() {
            run.fail(
                file,
                &name,
                format!("{} outcomes, want {}", outcomes.len(), want.len()),
            );
        }
        for (got, want) in outcomes.iter().zip(&want) {
            if !is_subset(want, got) {
                run.fail(file, &name, format!("outcome {got} does not match {want}"));
            }
            if cfg.leaks(&got.to_string()) {
                run.fail(file, &name, format!("outcome leaks the token: {got}"));
            }
        }
    }
}

// ------------------------------------------------------------ paging.json

fn run_paging_file(run: &mut Run, file: &str, doc: &Value) {
    let cfg = match Config::from_file(doc) {
        Ok(c) => c,
        Err(e) => return run.fail(file, "config", e),
    };
    for case in doc["cases"].as_array().into_iter().flatten() {
        run.cases += 1;
        let name = name_of(case);
        let id: EndpointId = match case["endpoint"].as_str().unwrap_or_default().parse() {
            Ok(id) => id,
            Err(e) => {
                run.fail(file, &name, e.to_string());
                continue;
            }
        };
        let (ok, want) = match outcome_key(case, "next") {
            Ok(x) => x,
            Err(e) => {
                run.fail(file, &name, e);
                continue;
            }
        };
        match (
            ok,
            dynamic::next_page(id, &case["params"], &case["response"]),
        ) {
            (true, Ok(next)) => {
                let next = next.unwrap_or(Value::Null);
                if &next != want {
                    run.fail(file, &name, format!("next {next}, want {want}"));
                }
                // The next page's parameters must build a request.
                if !next.is_null() {
                    if let Err(e) = dynamic::build(&cfg.client, id, &next) {
                        run.fail(file, &name, format!("next page does not build: {e}"));
                    }
                }
            }
            (false, Err(e)) => check_error(run, &cfg, file, &name, want, &e),
            (true, Err(e)) => run.fail(file, &name, format!("want next, got {}", e.to_json())),
            (false, Ok(n)) => run.fail(file, &name, format!("want an error, got {n:?}")),
        }
    }
}

// ------------------------------------------------------------ the test

#[test]
fn shared_vectors() {
    let dir = vectors_dir();
    let mut names: Vec<String> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json"))
        .collect();
    names.sort();

    let mut run = Run {
        failures: Vec::new(),
        cases: 0,
    };
    let mut coverage: BTreeMap<EndpointId, Coverage> = BTreeMap::new();
    let known: Vec<String> = ENDPOINTS
        .iter()
        .map(|e| format!("{}.json", e.id))
        .chain(["batch.json".to_owned(), "paging.json".to_owned()])
        .chain(["client.json".to_owned(), "journal.json".to_owned()])
        .chain(["framing.json".to_owned(), "settle.json".to_owned()])
        .chain(["matcher.json".to_owned(), "keys.json".to_owned()])
        .collect();
    for name in &known {
        if !names.contains(name) {
            run.fail(name, "-", "file is missing");
        }
    }
    for name in &names {
        if !known.contains(name) {
            run.fail(name, "-", "not a known vector file (typo?)");
            continue;
        }
        if ["client.json", "journal.json", "framing.json", "settle.json"].contains(&name.as_str()) {
            // run by `client_vectors`, `journal_vectors`, `framing_vectors`,
            // `settle_vectors`
            continue;
        }
        if name == "matcher.json" {
            continue; // run by `tests/matcher.rs`
        }
        if name == "keys.json" {
            continue; // run by `keys_vectors`
        }
        let text = fs::read_to_string(dir.join(name)).unwrap();
        let doc: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                run.fail(name, "-", format!("not JSON: {e}"));
                continue;
            }
        };
        match name.as_str() {
            "batch.json" => run_batch_file(&mut run, name, &doc),
            "paging.json" => run_paging_file(&mut run, name, &doc),
            _ => {
                let id: EndpointId = name.trim_end_matches(".json").parse().unwrap();
                let cov = coverage.entry(id).or_default();
                run_endpoint_file(&mut run, name, &doc, cov);
            }
        }
    }

    for info in &ENDPOINTS {
        let c = coverage.remove(&info.id).unwrap_or_default();
        let file = format!("{}.json", info.id);
        if c.requests_ok + c.requests_err < 2 || c.requests_ok == 0 || c.requests_err == 0 {
            run.fail(
                &file,
                "coverage",
                "needs >= 2 request cases: at least one request and one invalid_request",
            );
        }
        if c.responses_ok + c.responses_err < 3 || c.responses_ok == 0 || c.responses_err == 0 {
            run.fail(
                &file,
                "coverage",
                "needs >= 3 response cases: at least one value and one error",
            );
        }
    }
    if run.cases < MIN_CASES {
        run.fail(
            "*",
            "count",
            format!("only {} cases, the floor is {MIN_CASES}", run.cases),
        );
    }

    if !run.failures.is_empty() {
        let mut report = String::new();
        for f in &run.failures {
            let _ = writeln!(report, "- {f}");
        }
        panic!(
            "{} of the vector checks failed ({} cases run):\n{report}",
            run.failures.len(),
            run.cases
        );
    }
    eprintln!("shared vectors: {} cases passed", run.cases);
}

// ------------------------------------------------------------ client.json

/// `tests/vectors/client.json`: configuration rules (base URL, token,
/// insecure http, path words, body size), token redaction, and the body size
/// limit, as every language must read them.
#[test]
fn client_vectors() {
    let text = fs::read_to_string(vectors_dir().join("client.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    let request_of = |case: &Value| {
        let request = case
            .get("request")
            .cloned()
            .unwrap_or_else(|| json!({"endpoint": "user_balance", "params": {"user": "X"}}));
        let id: EndpointId = request["endpoint"].as_str().unwrap().parse().unwrap();
        (id, request["params"].clone())
    };
    for case in doc["config_cases"].as_array().unwrap() {
        cases += 1;
        let name = name_of(case);
        let token = case["config"]["token"].as_str().unwrap_or("");
        let got = Client::from_json(&case["config"]);
        match (outcome_key(case, "expect"), got) {
            (Err(e), _) => failures.push(format!("{name}: {e}")),
            (Ok((true, expect)), Ok(client)) => {
                let (id, params) = request_of(case);
                match dynamic::build(&client, id, &params) {
                    Ok(r) => {
                        if r.redacted_url() != expect["url"] {
                            failures.push(format!(
                                "{name}: url {} != {}",
                                r.redacted_url(),
                                expect["url"]
                            ));
                        }
                        let real = expect["url"]
                            .as_str()
                            .unwrap()
                            .replace("***", &utf8_percent_encode(token, UNRESERVED).to_string());
                        if r.url() != real {
                            failures.push(format!("{name}: real url {} != {real}", r.url()));
                        }
                    }
                    Err(e) => failures.push(format!("{name}: build failed: {e}")),
                }
            }
            (Ok((true, _)), Err(e)) => failures.push(format!("{name}: refused: {e}")),
            (Ok((false, _)), Ok(_)) => {
                failures.push(format!("{name}: accepted, expected an error"))
            }
            (Ok((false, expected)), Err(e)) => {
                let inner = &e.to_json()["error"];
                if !is_subset(expected, inner) {
                    failures.push(format!("{name}: error {inner} does not match {expected}"));
                }
                if token.len() > 2 && inner.to_string().contains(token) {
                    failures.push(format!("{name}: the error echoes the token"));
                }
            }
        }
    }
    for case in doc["redaction_cases"].as_array().unwrap() {
        cases += 1;
        let name = name_of(case);
        let client = Client::new(DEFAULT_BASE_URL, case["token"].as_str().unwrap()).unwrap();
        let got = client.redact(case["text"].as_str().unwrap());
        if got != case["expect"] {
            failures.push(format!("{name}: {got:?} != {}", case["expect"]));
        }
    }
    for case in doc["body_cases"].as_array().unwrap() {
        cases += 1;
        let name = name_of(case);
        let client = Client::from_json(&case["config"]).unwrap();
        let id: EndpointId = case["endpoint"].as_str().unwrap().parse().unwrap();
        let status = case["status"].as_u64().unwrap_or(200) as u16;
        let body = case["body"].as_str().unwrap().as_bytes();
        match (
            outcome_key(case, "expect"),
            dynamic::parse_with(&client, id, status, body),
        ) {
            (Err(e), _) => failures.push(format!("{name}: {e}")),
            (Ok((true, expect)), Ok(v)) if &v == expect => {}
            (Ok((true, expect)), got) => failures.push(format!("{name}: {got:?} != {expect}")),
            (Ok((false, expected)), Err(e)) => {
                let inner = &e.to_json()["error"];
                if !is_subset(expected, inner) {
                    failures.push(format!("{name}: error {inner} does not match {expected}"));
                }
            }
            (Ok((false, _)), Ok(v)) => {
                failures.push(format!("{name}: parsed {v}, expected an error"))
            }
        }
    }
    assert!(cases >= 70, "only {cases} client cases");
    assert!(
        failures.is_empty(),
        "client.json:\n- {}",
        failures.join("\n- ")
    );
    eprintln!("client vectors: {cases} cases passed");
}

// ------------------------------------------------------------ journal.json

/// `tests/vectors/journal.json`: the journal's line format, made and read by
/// the core (see its README section).
/// One `files` case of `journal.json`: the appender's check of the
/// file's bytes, whole and fed in small chunks, and the reader agreeing
/// with it.
fn journal_file_case(case: &Value) -> Result<(), String> {
    let bytes = match (case.get("text"), case.get("hex")) {
        (Some(Value::String(t)), None) => t.clone().into_bytes(),
        (None, Some(Value::String(h))) => hex(h)?,
        _ => return Err("needs exactly one of `text` and `hex` (strings)".into()),
    };
    let want = match (case.get("ok"), case.get("truncate_to"), case.get("error")) {
        (Some(Value::Bool(true)), None, None) => Ok(None),
        (None, Some(n), None) => Ok(Some(n.as_u64().ok_or("truncate_to: not a number")?)),
        (None, None, Some(error)) => Err(error),
        _ => return Err("needs exactly one of `ok`, `truncate_to` and `error`".into()),
    };
    let whole = check_journal_file(&bytes);
    let mut appender = JournalAppender::new();
    let chunked = bytes
        .chunks(5)
        .try_for_each(|chunk| appender.feed(chunk))
        .and_then(|()| appender.end());
    if chunked != whole {
        return Err(format!("fed in chunks: {chunked:?}, whole: {whole:?}"));
    }
    let read = Journal::read_bytes(&bytes);
    match (&whole, &want) {
        (Ok(got), Ok(want)) if got == want => match read {
            Ok(journal) if journal.torn_tail == got.is_some() => Ok(()),
            other => Err(format!("the reader disagrees: {other:?}")),
        },
        (Err(e), Err(error)) if is_subset(error, &e.to_json()["error"]) => match read {
            Err(r) if r == *e => Ok(()),
            other => Err(format!("the reader disagrees: {other:?}")),
        },
        (got, _) => Err(format!("got {got:?}")),
    }
}

#[test]
fn journal_vectors() {
    let text = fs::read_to_string(vectors_dir().join("journal.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut cases = 0;
    for case in doc["lines"].as_array().unwrap() {
        cases += 1;
        let name = name_of(case);
        let make = &case["make"];
        let made: Result<JournalRecord, Error> = match make["event"].as_str() {
            Some("intent") => {
                let endpoint = make["endpoint"].as_str().unwrap().parse::<EndpointId>();
                let snapshot = make
                    .get("snapshot")
                    .map(|s| serde_json::from_str::<Snapshot>(&s.to_string()).unwrap());
                endpoint.and_then(|endpoint| {
                    JournalRecord::intent(
                        make["id"].as_str().unwrap(),
                        endpoint,
                        make["params"].clone(),
                        snapshot,
                        make["at"].as_str().unwrap(),
                    )
                })
            }
            Some(event) => {
                let intent: JournalRecord =
                    serde_json::from_str(&make["intent"].to_string()).unwrap();
                let at = make["at"].as_str().unwrap();
                let message = make["message"].as_str().map(str::to_owned);
                Ok(match (event, make["state"].as_str().unwrap()) {
                    ("outcome", "succeeded") => intent.outcome(ItemStatus::Succeeded, message, at),
                    ("outcome", "failed") => intent.outcome(ItemStatus::Failed, message, at),
                    ("outcome", "unknown") => intent.outcome(ItemStatus::Unknown, message, at),
                    ("outcome", "not_sent") => intent.outcome(ItemStatus::NotSent, message, at),
                    ("settled", "applied") => intent.settled(SettleState::Applied, message, at),
                    ("settled", "not_applied") => {
                        intent.settled(SettleState::NotApplied, message, at)
                    }
                    (_, state) => intent.settled(
                        if state == "undetermined" {
                            SettleState::Undetermined
                        } else {
                            panic!("{name}: unknown state {state}")
                        },
                        message,
                        at,
                    ),
                })
            }
            None => panic!("{name}: no event"),
        };
        match (made, case.get("line"), case.get("error")) {
            (Ok(record), Some(line), None) => {
                let want = format!("{}\n", line.as_str().unwrap());
                if record.to_line() != want {
                    failures.push(format!(
                        "{name}: made {:?}, want {want:?}",
                        record.to_line()
                    ));
                }
                let back = Journal::read(&want).unwrap();
                if back.records != [record] {
                    failures.push(format!("{name}: the line does not read back"));
                }
            }
            (Err(e), None, Some(error)) => {
                if !is_subset(error, &e.to_json()["error"]) {
                    failures.push(format!(
                        "{name}: error {} does not match {error}",
                        e.to_json()
                    ));
                }
            }
            (got, _, _) => failures.push(format!("{name}: unexpected {got:?}")),
        }
    }
    for case in doc["journals"].as_array().unwrap() {
        cases += 1;
        let name = name_of(case);
        match (
            Journal::read(case["text"].as_str().unwrap()),
            case.get("error"),
        ) {
            (Ok(journal), None) => {
                let open: Vec<Value> = journal
                    .unsettled()
                    .into_iter()
                    .map(|o| json!({"id": o.id, "last": o.last}))
                    .collect();
                let got = json!({
                    "records": journal.records.len(),
                    "torn_tail": journal.torn_tail,
                    "unsettled": open,
                });
                let want = json!({
                    "records": case["records"],
                    "torn_tail": case["torn_tail"],
                    "unsettled": case["unsettled"],
                });
                if got != want {
                    failures.push(format!("{name}: got {got}, want {want}"));
                }
            }
            (Err(e), Some(error)) => {
                if !is_subset(error, &e.to_json()["error"]) {
                    failures.push(format!(
                        "{name}: error {} does not match {error}",
                        e.to_json()
                    ));
                }
            }
            (got, _) => failures.push(format!("{name}: unexpected {got:?}")),
        }
    }
    for case in doc["files"].as_array().unwrap() {
        cases += 1;
        let name = name_of(case);
        if let Err(e) = journal_file_case(case) {
            failures.push(format!("{name}: {e}"));
        }
    }
    assert!(cases >= 30, "only {cases} journal cases");
    assert!(
        failures.is_empty(),
        "journal.json:\n- {}",
        failures.join("\n- ")
    );
}

// ------------------------------------------------------------ framing.json

/// `tests/vectors/framing.json`: whether an answer can be taken as whole.
/// Each case is one call through the driver (no retries, no journal),
/// answered once with the case's status, header pairs and body.
#[test]
fn framing_vectors() {
    let text = fs::read_to_string(vectors_dir().join("framing.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let cfg = Config::from_file(&doc).unwrap();
    let mut run = Run {
        failures: Vec::new(),
        cases: 0,
    };
    let file = "framing.json";
    for case in doc["cases"].as_array().into_iter().flatten() {
        run.cases += 1;
        let name = name_of(case);
        let (ok, want) = match outcome_key(case, "expect") {
            Ok(x) => x,
            Err(e) => {
                run.fail(file, &name, e);
                continue;
            }
        };
        let id: EndpointId = case["endpoint"]
            .as_str()
            .unwrap_or_default()
            .parse()
            .unwrap();
        let options = DriverOptions {
            retry: RetryPolicy::NEVER,
            ..DriverOptions::default()
        };
        let mut driver = match Driver::call(&cfg.client, id, &case["params"], options) {
            Ok(d) => d,
            Err(e) => {
                run.fail(file, &name, format!("params refused: {e}"));
                continue;
            }
        };
        let headers: Vec<(String, String)> = case["headers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap_or_default().to_owned(),
                    pair[1].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        let pairs: Vec<(&str, &str)> = headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let status = u16::try_from(case["status"].as_u64().unwrap_or(200)).unwrap();
        let body = case["body"].as_str().unwrap_or_default().as_bytes();
        let mut answered = false;
        let result = loop {
            match driver.next(Clock::default()) {
                Step::Send(_) if !answered => {
                    answered = true;
                    driver.record_response(status, &pairs, body, Clock::default());
                }
                Step::Send(_) => break Err("a second request was sent".to_owned()),
                Step::Done(result) => break Ok(result),
                _ => {}
            }
        };
        match (ok, result) {
            (_, Err(e)) => run.fail(file, &name, e),
            (true, Ok(Ok(output))) => {
                let got = match output {
                    Output::Response(r) => r.to_json(),
                    other => json!(format!("{other:?}")),
                };
                if !is_subset(want, &got) {
                    run.fail(file, &name, format!("got {got}, want {want}"));
                }
            }
            (false, Ok(Err(e))) => check_error(&mut run, &cfg, file, &name, want, &e),
            (true, Ok(Err(e))) => {
                run.fail(file, &name, format!("want a value, got {}", e.to_json()))
            }
            (false, Ok(Ok(o))) => run.fail(file, &name, format!("want an error, got {o:?}")),
        }
    }
    assert!(run.cases >= 20, "framing.json has only {} cases", run.cases);
    assert!(
        run.failures.is_empty(),
        "framing.json:\n- {}",
        run.failures.join("\n- ")
    );
}

// ------------------------------------------------------------ settle.json

/// `tests/vectors/settle.json`: journals of open moves settled against
/// canned reads (`Driver::settle_open`), and the verdicts (see its README
/// section).
#[test]
fn settle_vectors() {
    let text = fs::read_to_string(vectors_dir().join("settle.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let client = Client::from_json(&doc["config"]).unwrap();
    assert_eq!(
        client.fingerprint(),
        doc["fingerprint"].as_str().unwrap(),
        "the fingerprint of the vectors' client"
    );
    let mut failures = Vec::new();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let name = name_of(case);
        if let Err(why) = run_settle_case(&client, case) {
            failures.push(format!("{name}: {why}"));
        }
    }
    assert!(cases.len() >= 15, "only {} settle cases", cases.len());
    assert!(
        failures.is_empty(),
        "settle.json:\n- {}",
        failures.join("\n- ")
    );
}

fn run_settle_case(client: &Client, case: &Value) -> Result<(), String> {
    let journal: String = case["journal"]
        .as_array()
        .ok_or("no journal")?
        .iter()
        .map(|line| format!("{line}\n"))
        .collect();
    let open = Journal::read(&journal)
        .map_err(|e| format!("journal: {e}"))?
        .unsettled();
    let options = DriverOptions {
        retry: RetryPolicy::NEVER,
        settle_delay_ms: case["settle_delay_ms"].as_u64().unwrap_or(0),
        ..DriverOptions::default()
    };
    let mut driver = match (
        Driver::settle_open(client, &open, options),
        case.get("error"),
    ) {
        (Ok(driver), None) => driver,
        (Err(e), Some(error)) => {
            return if is_subset(error, &e.to_json()["error"]) {
                Ok(())
            } else {
                Err(format!("error {} does not match {error}", e.to_json()))
            };
        }
        (Ok(_), Some(_)) => return Err("settled, but an error was expected".into()),
        (Err(e), None) => return Err(format!("refused: {e}")),
    };
    let mut answers: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(map) = case["answers"].as_object() {
        for (endpoint, bodies) in map {
            let bodies = bodies.as_array().ok_or("answers: not a list")?;
            answers.insert(
                endpoint.clone(),
                bodies
                    .iter()
                    .rev()
                    .map(|b| b.as_str().unwrap_or("").to_owned())
                    .collect(),
            );
        }
    }
    let (mut reads, mut waits, mut lines) = (Vec::new(), Vec::new(), 0);
    let clock = Clock::new(1, Some(1_764_504_000));
    let list = loop {
        if reads.len() > 50 {
            return Err("more than 50 reads".into());
        }
        match driver.next(clock) {
            Step::Claim(claim) => panic!("no keys here: {claim:?}"),
            Step::Send(request) => {
                let endpoint = request.endpoint().as_str();
                reads.push(endpoint.to_owned());
                let body = answers
                    .get_mut(endpoint)
                    .and_then(Vec::pop)
                    .ok_or_else(|| format!("a read of {endpoint} too many ({reads:?})"))?;
                driver.record_response(200, &[], body.as_bytes(), clock);
            }
            Step::Wait(ms) => waits.push(ms),
            Step::Journal(_) => lines += 1,
            Step::Event(_) | Step::Page(_) => {}
            Step::Done(Ok(Output::Settlements(list))) => break list,
            Step::Done(other) => return Err(format!("ended with {other:?}")),
        }
    };
    if let Some(want) = case.get("reads") {
        if json!(reads) != *want {
            return Err(format!("reads {reads:?}, want {want}"));
        }
    }
    if let Some(want) = case.get("waits") {
        if json!(waits) != *want {
            return Err(format!("waits {waits:?}, want {want}"));
        }
    }
    let want = case["expect"].as_array().ok_or("no expect")?;
    if list.len() != want.len() || lines != want.len() {
        return Err(format!(
            "{} settlements and {lines} journal lines, want {}",
            list.len(),
            want.len()
        ));
    }
    for ((id, settlement), want) in list.iter().zip(want) {
        let got = settlement.to_json();
        let kinds: Vec<Value> = got["evidence"]
            .as_array()
            .map(|e| e.iter().map(|e| e["kind"].clone()).collect())
            .unwrap_or_default();
        let warnings = got["warnings"].as_array().map_or(0, Vec::len);
        let mut actual =
            json!({"id": id, "state": got["state"], "kinds": kinds, "warnings": warnings});
        if want.get("warnings").is_none() && warnings == 0 {
            actual.as_object_mut().map(|m| m.remove("warnings"));
        }
        if !is_subset(want, &actual) {
            return Err(format!("got {actual}, want {want} ({})", settlement.reason));
        }
        if want.get("warnings").is_none() && warnings > 0 {
            return Err(format!("unexpected warnings: {}", got["warnings"]));
        }
    }
    Ok(())
}

// -------------------------------------------------------------- keys.json

/// `tests/vectors/keys.json`: what a keyed money move's key record decides
/// (`decide_key`), and the key records a JSON Lines journal holds.
#[test]
fn keys_vectors() {
    let text = fs::read_to_string(vectors_dir().join("keys.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let cases = doc["cases"].as_array().unwrap();
    for case in cases {
        let name = name_of(case);
        let record = match case.get("record").filter(|r| !r.is_null()) {
            Some(r) => match serde_json::from_value::<idn_toto::KeyRecord>(r.clone()) {
                Ok(r) => Some(r),
                Err(e) => {
                    failures.push(format!("{name}: the record does not read: {e}"));
                    continue;
                }
            },
            None => None,
        };
        let got = idn_toto::decide_key(
            record.as_ref(),
            &case["params"],
            case["me"].as_str().unwrap_or(""),
            case["now_ms"].as_i64().unwrap_or(0),
            case["settled_now"].as_bool().unwrap_or(false),
        );
        let want = &case["decision"];
        let ok = match (&got, want) {
            (Ok(d), Value::String(w)) => d.as_str() == w,
            (Err(e), Value::Object(w)) => is_subset(&w["error"], &e.to_json()["error"]),
            _ => false,
        };
        if !ok {
            failures.push(format!("{name}: got {got:?}, want {want}"));
        }
    }
    for case in doc["journals"].as_array().unwrap() {
        let name = name_of(case);
        let text: String = case["journal"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| format!("{l}\n"))
            .collect();
        let keys = match Journal::read(&text) {
            Ok(j) => j.key_records(),
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let got: Vec<Value> = keys
            .iter()
            .map(|k| serde_json::to_value(k).unwrap())
            .collect();
        let want = case["keys"].as_array().unwrap();
        if got.len() != want.len() || !want.iter().zip(&got).all(|(w, g)| is_subset(w, g)) {
            failures.push(format!("{name}: got {got:?}, want {want:?}"));
        }
    }
    assert!(cases.len() >= 25, "only {} key cases", cases.len());
    assert!(
        failures.is_empty(),
        "keys.json:\n- {}",
        failures.join("\n- ")
    );
}
