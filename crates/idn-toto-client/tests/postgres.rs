//! `PostgresStore` against a real Postgres: a throwaway cluster this test
//! starts itself (`initdb` + `pg_ctl` in a temporary directory, on a free
//! port of 127.0.0.1), the claim protocol run by many connections at once
//! (issue 22). `.ci/run` installs Postgres when it is missing.
#![cfg(feature = "postgres")]
#![allow(clippy::unwrap_used)]

use std::sync::{Arc, Barrier};

use idn_toto_client::idn_toto::{
    EndpointId, ItemStatus, Journal, JournalRecord, KeyDecision, KeyState,
};
use idn_toto_client::PostgresStore;
use serde_json::json;

#[path = "common/keys.rs"]
mod keys;
use keys::{claim, intent, key, SERVER};

#[path = "common/pg.rs"]
mod pg;
use pg::Cluster;

#[test]
fn the_claim_protocol_on_a_real_postgres() {
    let cluster = Cluster::start(false);
    let store = PostgresStore::connect(&cluster.dsn()).unwrap();
    let k = key();
    let first = intent("j1", "100");
    assert_eq!(
        store.claim(&claim(&first, "h1", 0)).unwrap(),
        KeyDecision::Claim
    );
    let second = intent("j2", "100");
    assert_eq!(
        store.claim(&claim(&second, "h2", 999)).unwrap(),
        KeyDecision::InUse {
            lease_until_ms: 1_000
        }
    );
    // The holder crashed: after its lease, settle first.
    assert_eq!(
        store.claim(&claim(&second, "h2", 1_000)).unwrap(),
        KeyDecision::Settle
    );
    let other = intent("j3", "101");
    assert!(matches!(
        store.claim(&claim(&other, "h3", 5_000)).unwrap(),
        KeyDecision::Conflict { .. }
    ));
    let outcome = first.outcome(ItemStatus::Succeeded, Some("Success".into()), "t");
    store
        .record(
            SERVER,
            &k,
            "j1",
            KeyState::Succeeded,
            Some("Success"),
            &outcome.to_line(),
        )
        .unwrap();
    let later = intent("j4", "100");
    assert_eq!(
        store.claim(&claim(&later, "h4", 9_999_999)).unwrap(),
        KeyDecision::AlreadyDone
    );
    // A second connection sees the same, and the export is the journal.
    let again = PostgresStore::connect(&cluster.dsn()).unwrap();
    let record = again.key(SERVER, &k).unwrap().unwrap();
    assert_eq!(
        (record.state, record.snapshot.is_some()),
        (KeyState::Succeeded, true)
    );
    let text = again.export().unwrap();
    assert_eq!(text, format!("{}{}", first.to_line(), outcome.to_line()));
    assert_eq!(
        Journal::read(&text).unwrap().key_records()[0].state,
        KeyState::Succeeded
    );
    // The driver's lines (a client with this store as its journal): a move
    // without a key is appended; a keyed intent is only written by its claim.
    let plain = JournalRecord::intent(
        "p1",
        EndpointId::ManualTransaction,
        json!({"type": "deposit", "user": "IPSUM", "amount": "5", "comment": "c", "operator": "OP01"}),
        None,
        "t",
    )
    .unwrap()
    .with_server(SERVER);
    again
        .append_lines(&[
            plain.to_line(),
            plain.outcome(ItemStatus::Failed, None, "t").to_line(),
        ])
        .unwrap();
    assert!(again
        .append_lines(&[intent("j9", "100").to_line()])
        .is_err());
    let journal = Journal::read(&again.export().unwrap()).unwrap();
    assert_eq!(journal.records.len(), 4);
    assert!(journal.unsettled().is_empty());
    // A bad connection string is an error naming the journal, without it.
    let e = PostgresStore::connect("host=127.0.0.1 port=1 user=idn password=S3CRET-PW dbname=x")
        .unwrap_err();
    let shown = e.to_string();
    assert!(
        shown.contains("journal") && !shown.contains("S3CRET-PW"),
        "{shown}"
    );
}

#[test]
fn eight_connections_claim_a_key_once() {
    let cluster = Cluster::start(false);
    PostgresStore::connect(&cluster.dsn()).unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (dsn, barrier) = (cluster.dsn(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let store = PostgresStore::connect(&dsn).unwrap();
                let record = intent(&format!("j{t}"), "100");
                let holder = format!("h{t}");
                barrier.wait();
                store.claim(&claim(&record, &holder, 0)).unwrap()
            })
        })
        .collect();
    let decisions: Vec<KeyDecision> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(
        decisions
            .iter()
            .filter(|d| **d == KeyDecision::Claim)
            .count(),
        1,
        "{decisions:?}"
    );
    assert!(decisions
        .iter()
        .all(|d| matches!(d, KeyDecision::Claim | KeyDecision::InUse { .. })));
    let store = PostgresStore::connect(&cluster.dsn()).unwrap();
    assert_eq!(
        store.export().unwrap().lines().count(),
        1,
        "one intent line"
    );
}
