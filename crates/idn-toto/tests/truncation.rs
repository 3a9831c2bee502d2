//! A cut answer is never read as something it did not say.
//!
//! For every shared vector body: every proper prefix that cuts into the JSON
//! value is, for a money-moving endpoint, never a definite outcome (single
//! calls: `outcome_unknown`; batches: no item succeeds, and an item fails
//! only where the whole answer also says it failed); for a read, an error
//! or the same reading as the whole body (never a shorter list).

#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use idn_toto::{dynamic, Batch, Client, EndpointId, ItemStatus, TxType};
use serde_json::Value;

fn vectors() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("vectors dir") {
        let path = entry.expect("entry").path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        out.push((name, serde_json::from_str(&text).expect("json")));
    }
    out
}

/// The prefixes of `body` that end inside its JSON value (the whole body
/// when it is not strict JSON; before any content after the value).
fn prefixes(body: &str) -> impl Iterator<Item = &str> {
    let trimmed = body.trim_end();
    let mut values = serde_json::Deserializer::from_str(trimmed).into_iter::<Value>();
    let end = match values.next() {
        Some(Ok(_)) => values.byte_offset(),
        _ => trimmed.len(),
    };
    (0..end)
        .filter(move |&n| trimmed.is_char_boundary(n))
        .map(move |n| &trimmed[..n])
}

/// Every response case with a text body of the endpoints that are reads
/// (`reads`) or move money: (file, endpoint, case, body).
fn response_bodies(reads: bool) -> Vec<(String, EndpointId, Value, String)> {
    let mut out = Vec::new();
    for (file, doc) in vectors() {
        let Some(id) = doc
            .get("endpoint")
            .and_then(Value::as_str)
            .and_then(|s| s.parse::<EndpointId>().ok())
        else {
            continue;
        };
        if id.info().idempotent != reads {
            continue;
        }
        for case in doc["responses"].as_array().into_iter().flatten() {
            if let Some(body) = case.get("body").and_then(Value::as_str) {
                out.push((file.clone(), id, case.clone(), body.to_owned()));
            }
        }
    }
    out
}

fn client() -> Client {
    Client::new("https://agent.example.com/home.php", "PREFIX-TOKEN-1").unwrap()
}

#[test]
fn cut_money_answers_are_never_definite() {
    let mut checked = 0usize;
    for (file, id, case, body) in response_bodies(false) {
        let status = case.get("status").and_then(Value::as_u64).unwrap_or(200) as u16;
        for prefix in prefixes(&body) {
            let got = dynamic::parse(id, status, prefix.as_bytes());
            let kind = got.as_ref().err().map(|e| e.kind());
            // A 4xx without a complete refusal may be a definite HTTP
            // failure; never a success, never an API refusal.
            let definite_http = kind == Some("http") && (400..500).contains(&status);
            assert!(
                kind == Some("outcome_unknown") || definite_http,
                "{file} {:?}: prefix {prefix:?} read as {got:?}",
                case["name"]
            );
            checked += 1;
        }
    }
    assert!(checked > 2_000, "only {checked} prefixes");
}

#[test]
fn cut_batch_answers_never_succeed_an_item() {
    let client = client();
    let mut checked = 0usize;
    for (_, doc) in vectors().into_iter().filter(|(f, _)| f == "batch.json") {
        for case in doc["cases"].as_array().into_iter().flatten() {
            let Some(exchanges) = case.get("exchanges").and_then(Value::as_array) else {
                continue;
            };
            let params = &case["params"];
            let tx = if params["type"] == "withdraw" {
                TxType::Withdraw
            } else {
                TxType::Deposit
            };
            let items = dynamic::batch_items(&params["transaction"]).unwrap();
            // The first exchange's answer, cut: only its request's items.
            let Some(body) = exchanges[0]["response"]["body"].as_str() else {
                continue;
            };
            let status = exchanges[0]["response"]["status"].as_u64().unwrap_or(200) as u16;
            let run = |body: &str| {
                let mut batch = Batch::new(tx, items.clone()).unwrap();
                let request = batch.next_request(&client).unwrap();
                drop(request);
                batch.record_response(&client, status, body.as_bytes());
                batch.finish()
            };
            let whole = run(body);
            for prefix in prefixes(body) {
                for (cut, full) in run(prefix).iter().zip(&whole) {
                    match cut.status {
                        ItemStatus::Unknown | ItemStatus::NotSent => {}
                        // A 4xx that says "not processed", read from the
                        // status alone (no body content involved).
                        ItemStatus::Failed
                            if cut.api_kind.is_none() && (400..500).contains(&status) => {}
                        // A failure entry the cut body completes stands; the
                        // whole answer may still make that item doubtful (a
                        // later entry naming it again), never a success.
                        ItemStatus::Failed => assert!(
                            matches!(full.status, ItemStatus::Failed | ItemStatus::Unknown),
                            "{:?}: prefix {prefix:?} fails item {} that the whole answer reads as {:?}",
                            case["name"],
                            cut.index,
                            full.status
                        ),
                        ItemStatus::Succeeded => panic!(
                            "{:?}: prefix {prefix:?} reads item {} as succeeded",
                            case["name"], cut.index
                        ),
                        // Only a key's claim gives these; no answer does.
                        other => panic!(
                            "{:?}: prefix {prefix:?} reads item {} as {other:?}",
                            case["name"], cut.index
                        ),
                    }
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 5_000, "only {checked} item readings");
}

#[test]
fn cut_reads_are_errors_never_shorter_values() {
    let mut checked = 0usize;
    for (file, id, case, body) in response_bodies(true) {
        let Ok(whole) = dynamic::parse(id, 200, body.as_bytes()) else {
            continue;
        };
        for prefix in prefixes(&body) {
            if let Ok(cut) = dynamic::parse(id, 200, prefix.as_bytes()) {
                assert_eq!(
                    cut, whole,
                    "{file} {:?}: prefix {prefix:?} reads as a different value",
                    case["name"]
                );
            }
            checked += 1;
        }
    }
    assert!(checked > 10_000, "only {checked} prefixes");
}
