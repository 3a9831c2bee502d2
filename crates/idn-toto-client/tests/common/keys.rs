//! What the SQLite and Postgres store tests share: a key, a move, its
//! intent line and a claim of it.
#![allow(dead_code, clippy::unwrap_used)]

use idn_toto_client::idn_toto::{EndpointId, JournalRecord, OperationKey, Snapshot};
use idn_toto_client::Claim;
use serde_json::{json, Value};

pub(crate) const SERVER: &str = "c1679abf391ccf96";

pub(crate) fn key() -> OperationKey {
    OperationKey::parse("key", "bonus-2024-05:LOREM").unwrap()
}

pub(crate) fn params(amount: &str) -> Value {
    json!({"type": "deposit", "user": "LOREM", "amount": amount, "comment": "bonus", "operator": "OP01"})
}

pub(crate) fn intent(id: &str, params: &Value) -> JournalRecord {
    JournalRecord::intent(
        id,
        EndpointId::ManualTransaction,
        params.clone(),
        Some(Snapshot::new(Vec::new())),
        "2026-12-04T10:00:00Z",
    )
    .unwrap()
    .with_server(SERVER)
    .with_key(key())
}

pub(crate) fn claim<'a>(
    key: &'a OperationKey,
    params: &'a Value,
    id: &'a str,
    holder: &'a str,
    now_ms: i64,
    line: &'a str,
) -> Claim<'a> {
    Claim {
        server: SERVER,
        key,
        endpoint: EndpointId::ManualTransaction,
        params,
        journal_id: id,
        holder,
        now_ms,
        lease_ms: 1_000,
        intent_line: line,
        settled_now: false,
    }
}
