//! What the SQLite and Postgres store tests share: a key, a move, its
//! intent and a claim of it.
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

/// The intent of a manual deposit of `amount` to LOREM under [`key`],
/// journaled as `id`, with `snapshot` (an empty history when `None`).
pub(crate) fn intent_on(
    server: &str,
    id: &str,
    amount: &str,
    snapshot: Option<Snapshot>,
) -> JournalRecord {
    JournalRecord::intent(
        id,
        EndpointId::ManualTransaction,
        params(amount),
        Some(snapshot.unwrap_or_else(|| Snapshot::new(Vec::new()))),
        "2026-12-04T10:00:00Z",
    )
    .unwrap()
    .with_server(server)
    .with_key(key())
}

pub(crate) fn intent(id: &str, amount: &str) -> JournalRecord {
    intent_on(SERVER, id, amount, None)
}

/// A claim of `intent` by `holder` at `now_ms`, with a 1 s lease.
pub(crate) fn claim<'a>(intent: &'a JournalRecord, holder: &'a str, now_ms: i64) -> Claim<'a> {
    Claim {
        intent,
        holder,
        now_ms,
        lease_ms: 1_000,
        settled_now: false,
    }
}
