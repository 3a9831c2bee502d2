//! `idn-toto-bench-keys`: what a keyed money move costs in each journal
//! store, next to the fsynced JSON Lines journal of an unkeyed move
//! (issue 22). One move is what a store does for it: the claim (read the
//! key's record, the core's decision, the claimed record and the intent
//! line written, committed) and the outcome line (the record updated,
//! committed). No server: the network is not what is measured.
//!
//! ```text
//! idn-toto-bench-keys --out FILE [--quick]
//! ```
//!
//! Postgres is a throwaway cluster in a temporary directory with `fsync`
//! on (skipped, and said so, when no `initdb` is found).

use std::path::Path;
use std::process::ExitCode;
use std::time::Instant;

use idn_toto::{EndpointId, ItemStatus, JournalRecord, KeyClaim, OperationKey};
use idn_toto_client::{FileJournal, JournalStore, PostgresStore, SqliteStore};
use serde_json::{json, Value};

#[path = "../../../idn-toto-client/tests/common/pg.rs"]
#[allow(clippy::all, clippy::pedantic, clippy::unwrap_used)]
mod pg;

const SERVER: &str = "c1679abf391ccf96";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let Some(out) = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
    else {
        eprintln!("usage: idn-toto-bench-keys --out FILE [--quick]");
        return ExitCode::from(2);
    };
    let moves = if quick { 40 } else { 300 };
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("no temporary directory: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut rows = Vec::new();
    let file = FileJournal::new(dir.path().join("plain.jsonl"));
    rows.push(row(
        "JSON Lines file, unkeyed (intent, then outcome: two fsyncs)",
        &time_moves(moves, |i| unkeyed(&file, i)),
    ));
    let keyed_file = JournalStore::File(FileJournal::new(dir.path().join("keyed.jsonl")));
    rows.push(row(
        "JSON Lines file, keyed (its one writer keeps the key records in memory)",
        &time_moves(moves, |i| keyed(&keyed_file, "file", i)),
    ));
    match SqliteStore::open(dir.path().join("keys.sqlite")) {
        Ok(store) => {
            let store = JournalStore::Sqlite(store);
            rows.push(row(
                "SQLite (WAL, synchronous=FULL), keyed",
                &time_moves(moves, |i| keyed(&store, "sqlite", i)),
            ));
        }
        Err(e) => rows.push(json!({"store": "SQLite", "skipped": e.to_string()})),
    }
    if pg::available() {
        let cluster = pg::Cluster::start(true);
        match PostgresStore::connect(&cluster.dsn()) {
            Ok(store) => {
                let store = JournalStore::Postgres(store);
                rows.push(row(
                    "Postgres (local, fsync on), keyed",
                    &time_moves(moves, |i| keyed(&store, "pg", i)),
                ));
            }
            Err(e) => rows.push(json!({"store": "Postgres", "skipped": e.to_string()})),
        }
    } else {
        rows.push(json!({"store": "Postgres", "skipped": "no initdb found"}));
    }
    let doc = json!({"moves": moves, "rows": rows});
    if let Err(e) = write(Path::new(out), &doc) {
        eprintln!("cannot write {out}: {e}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

fn write(path: &Path, doc: &Value) -> std::io::Result<()> {
    std::fs::write(path, serde_json::to_string_pretty(doc).unwrap_or_default())
}

/// The intent of manual deposit `i` (a distinct user per move, so no
/// move's key or history is another's).
fn intent(id: &str, i: usize) -> JournalRecord {
    let params = json!({"type": "deposit", "user": format!("U{i}"), "amount": "1000", "comment": "bonus", "operator": "OP01"});
    JournalRecord::intent(
        id,
        EndpointId::ManualTransaction,
        params,
        None,
        "2026-12-04T10:00:00Z",
    )
    .map(|r| r.with_server(SERVER))
    .unwrap_or_else(|e| panic!("{e}"))
}

fn unkeyed(file: &FileJournal, i: usize) -> Result<(), String> {
    let intent = intent(&format!("plain-{i}"), i);
    file.append(&[intent.to_line()])
        .map_err(|e| e.to_string())?;
    let outcome = intent.outcome(ItemStatus::Succeeded, Some("ok".into()), "t");
    file.append(&[outcome.to_line()]).map_err(|e| e.to_string())
}

fn keyed(store: &JournalStore, tag: &str, i: usize) -> Result<(), String> {
    let key = OperationKey::parse("key", &format!("bench-{tag}:{i}")).map_err(|e| e.to_string())?;
    let intent = intent(&format!("{tag}-{i}"), i).with_key(key);
    let claim = KeyClaim {
        intent: intent.clone(),
        holder: "bench".into(),
        lease_ms: 300_000,
        settled_now: false,
    };
    let now = 1_764_504_000_000 + i64::try_from(i).unwrap_or(0);
    let answer = store.claim(&claim, now).map_err(|e| e.to_string())?;
    if answer.decision != idn_toto::KeyDecision::Claim {
        return Err(format!("move {i}: {}", answer.decision.as_str()));
    }
    let outcome = intent.outcome(ItemStatus::Succeeded, Some("ok".into()), "t");
    store
        .append(&[outcome.to_line()])
        .map_err(|e| e.to_string())
}

/// Each move's time in nanoseconds (a failed move ends the run).
fn time_moves(moves: usize, mut one: impl FnMut(usize) -> Result<(), String>) -> Vec<f64> {
    let mut times = Vec::with_capacity(moves);
    for i in 0..moves {
        let start = Instant::now();
        if let Err(e) = one(i) {
            eprintln!("idn-toto-bench-keys: {e}");
            break;
        }
        times.push(start.elapsed().as_secs_f64() * 1e9);
    }
    times
}

fn row(store: &str, times: &[f64]) -> Value {
    let mut sorted = times.to_vec();
    sorted.sort_by(f64::total_cmp);
    let at = |q: f64| {
        sorted
            .get(((sorted.len() as f64 - 1.0) * q).round() as usize)
            .copied()
    };
    json!({
        "store": store,
        "moves": sorted.len(),
        "median_ns": at(0.5),
        "p90_ns": at(0.9),
    })
}
