//! `SqliteStore` on a real SQLite file: the claim protocol the core gives,
//! run by threads and by separate processes at once, and a crashed
//! holder's move settled against the sandbox before its key is used again
//! (issue 22).
#![cfg(all(feature = "sqlite", feature = "blocking"))]
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use common::{
    accept, accept_item, deposits, manual, quick, requests_served, sandbox, seg, with_fault, TOKEN,
};
use idn_toto_client::blocking::Client;
use idn_toto_client::idn_toto::{
    Action, Decimal, ItemStatus, Journal, KeyDecision, KeyState, OperationKey, SettleState,
    Snapshot, TxType, UserBalanceParams, UserHistoryParams,
};
use idn_toto_client::{JournalStore, SqliteStore};

#[path = "common/keys.rs"]
mod keys;
use keys::{claim, intent, intent_on, key, SERVER};

fn store() -> (tempfile::TempDir, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("moves.sqlite")).unwrap();
    (dir, store)
}

#[test]
fn a_key_is_claimed_once_done_once_and_its_lines_export_as_the_journal() {
    let (_dir, store) = store();
    let k = key();
    let first = intent("j1", "100");
    assert_eq!(
        store.claim(&claim(&first, "h1", 0)).unwrap(),
        KeyDecision::Claim
    );
    // Another holder while the lease runs: in use, nothing written.
    let second = intent("j2", "100");
    assert_eq!(
        store.claim(&claim(&second, "h2", 999)).unwrap(),
        KeyDecision::InUse {
            lease_until_ms: 1_000
        }
    );
    // Another amount under the key: a conflict, whoever holds it.
    let other = intent("j3", "101");
    let conflict = store.claim(&claim(&other, "h3", 5_000)).unwrap();
    assert!(
        matches!(conflict, KeyDecision::Conflict { .. }),
        "{conflict:?}"
    );
    // The answer: succeeded. Every later claim, however late: already done.
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
    let again = intent("j4", "100.00");
    assert_eq!(
        store.claim(&claim(&again, "h4", 1_000_000)).unwrap(),
        KeyDecision::AlreadyDone
    );
    let record = store.key(SERVER, &k).unwrap().unwrap();
    assert_eq!(
        (
            record.state,
            record.attempts,
            record.message.as_deref(),
            record.holder
        ),
        (KeyState::Succeeded, 1, Some("Success"), None)
    );
    // The export is the JSON Lines journal: two lines, and the same key record.
    let text = store.export().unwrap();
    assert_eq!(text, format!("{}{}", first.to_line(), outcome.to_line()));
    let keys = Journal::read(&text).unwrap().key_records();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0].state, keys[0].journal_id.as_str()),
        (KeyState::Succeeded, "j1")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "the store is readable by others: {mode:o}");
    }
}

#[test]
fn keys_are_scoped_to_the_server_and_a_late_line_leaves_the_key_alone() {
    let (_dir, store) = store();
    let here = intent("j1", "100");
    assert_eq!(
        store.claim(&claim(&here, "h1", 0)).unwrap(),
        KeyDecision::Claim
    );
    let elsewhere = intent_on("0000000000000000", "j2", "100", None);
    assert_eq!(
        store.claim(&claim(&elsewhere, "h2", 0)).unwrap(),
        KeyDecision::Claim
    );
    // j1 fails; j5 claims again; a late settled line of j1 changes nothing.
    store
        .record(
            SERVER,
            &key(),
            "j1",
            KeyState::Failed,
            None,
            &here.outcome(ItemStatus::Failed, None, "t").to_line(),
        )
        .unwrap();
    let retry = intent("j5", "100");
    assert_eq!(
        store.claim(&claim(&retry, "h5", 10)).unwrap(),
        KeyDecision::Claim
    );
    let late = here.settled(SettleState::Applied, None, "t").to_line();
    store
        .record(SERVER, &key(), "j1", KeyState::Applied, None, &late)
        .unwrap();
    let record = store.key(SERVER, &key()).unwrap().unwrap();
    assert_eq!(
        (record.state, record.attempts, record.journal_id.as_str()),
        (KeyState::Claimed, 2, "j5")
    );
}

/// LOREM's balance.
fn balance(client: &Client) -> Decimal {
    client
        .send(&UserBalanceParams {
            user: seg("user", "LOREM"),
        })
        .unwrap()
        .balance
}

/// A crashed holder (no outcome recorded) leaves its key claimed. The next
/// user, once the lease ran out, is told to settle; the move is settled
/// against the server with reads only and its verdict recorded; then the
/// key is decided again: a move that landed is `already_done`, one that
/// never left is claimed and sent. Either way LOREM is credited once.
#[test]
fn a_crashed_holder_is_settled_then_done_once_against_the_sandbox() {
    let sandbox = sandbox();
    let client = quick::<Client>(&sandbox).build().unwrap();
    let server = client.core().fingerprint().to_owned();
    for sent_before_the_crash in [true, false] {
        let (_dir, store) = store();
        let before = balance(&client);
        let history = UserHistoryParams {
            r#type: TxType::Deposit,
            user: seg("user", "LOREM"),
        };
        let snapshot = Snapshot::new(client.send(&history).unwrap().data);
        let first = intent_on(&server, "j1", "100", Some(snapshot));
        assert_eq!(
            store.claim(&claim(&first, "crashed", 0)).unwrap(),
            KeyDecision::Claim
        );
        if sent_before_the_crash {
            client.send(&manual("LOREM", "100")).unwrap();
        }
        // The holder is gone. Its lease runs out: settle first, never send blindly.
        let second = intent_on(&server, "j2", "100", None);
        let decision = store.claim(&claim(&second, "next", 5_000)).unwrap();
        assert_eq!(decision, KeyDecision::Settle);
        let record = store.key(&server, &key()).unwrap().unwrap();
        let settlement = client.settle(&record.unsettled()).unwrap();
        let state = match settlement.state {
            SettleState::Applied => KeyState::Applied,
            SettleState::NotApplied => KeyState::NotApplied,
            SettleState::Undetermined => KeyState::Undetermined,
        };
        let line = first.settled(settlement.state, None, "t").to_line();
        store
            .record(&server, &key(), "j1", state, None, &line)
            .unwrap();
        let mut again = claim(&second, "next", 5_001);
        again.settled_now = true;
        let decision = store.claim(&again).unwrap();
        if sent_before_the_crash {
            assert_eq!(
                (settlement.state, &decision),
                (SettleState::Applied, &KeyDecision::AlreadyDone),
                "{}",
                settlement.reason
            );
        } else {
            assert_eq!(
                (settlement.state, &decision),
                (SettleState::NotApplied, &KeyDecision::Claim),
                "{}",
                settlement.reason
            );
            client.send(&manual("LOREM", "100")).unwrap();
            let done = second.outcome(ItemStatus::Succeeded, None, "t").to_line();
            store
                .record(&server, &key(), "j2", KeyState::Succeeded, None, &done)
                .unwrap();
        }
        // A re-run, however late: nothing more.
        let third = intent_on(&server, "j3", "100", None);
        assert_eq!(
            store.claim(&claim(&third, "rerun", 1_000_000)).unwrap(),
            KeyDecision::AlreadyDone
        );
        assert_eq!(
            balance(&client) - before,
            Decimal::from(100),
            "credited exactly once"
        );
    }
}

#[test]
fn eight_threads_with_their_own_connections_claim_a_key_once() {
    let (dir, _store) = store();
    let path = dir.path().join("moves.sqlite");
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (path, barrier) = (path.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let store = SqliteStore::open(&path).unwrap();
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
    assert_eq!(
        SqliteStore::open(&path)
            .unwrap()
            .export()
            .unwrap()
            .lines()
            .count(),
        1
    );
}

/// The child of `eight_processes_claim_a_key_once`: opens the store named
/// by `IDN_TOTO_SQLITE_CHILD`, says it is ready, waits for the parent's go
/// (a byte on stdin), claims the key and prints the decision.
#[test]
#[ignore = "run by eight_processes_claim_a_key_once as a child process"]
fn sqlite_claim_child() {
    let path = std::env::var("IDN_TOTO_SQLITE_CHILD").expect("run as a child");
    let me = std::env::var("IDN_TOTO_SQLITE_HOLDER").expect("run as a child");
    let store = SqliteStore::open(&path).unwrap();
    let record = intent(&me, "100");
    println!("ready");
    std::io::stdout().flush().unwrap();
    let mut go = [0u8; 1];
    std::io::stdin().read_exact(&mut go).unwrap();
    let decision = store.claim(&claim(&record, &me, 0)).unwrap();
    println!("decision={}", decision.as_str());
}

#[test]
fn eight_processes_claim_a_key_once() {
    let (dir, _store) = store();
    let path = dir.path().join("moves.sqlite");
    let exe = std::env::current_exe().unwrap();
    let mut children: Vec<_> = (0..8)
        .map(|t| {
            Command::new(&exe)
                .args([
                    "--exact",
                    "sqlite_claim_child",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env("IDN_TOTO_SQLITE_CHILD", &path)
                .env("IDN_TOTO_SQLITE_HOLDER", format!("p{t}"))
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    // Every child has opened the store before any of them claims.
    let mut readers: Vec<_> = children
        .iter_mut()
        .map(|c| BufReader::new(c.stdout.take().unwrap()))
        .collect();
    for reader in &mut readers {
        let mut line = String::new();
        // The harness may print its own "test ... " before the line.
        while !line.contains("ready") {
            line.clear();
            assert!(
                reader.read_line(&mut line).unwrap() > 0,
                "a child ended before it was ready"
            );
        }
    }
    for child in &mut children {
        child.stdin.take().unwrap().write_all(b"g").unwrap();
    }
    let mut decisions = Vec::new();
    for (child, mut reader) in children.iter_mut().zip(readers) {
        let mut rest = String::new();
        reader.read_to_string(&mut rest).unwrap();
        assert!(child.wait().unwrap().success(), "{rest}");
        let decision = rest
            .lines()
            .find_map(|l| l.split_once("decision=").map(|(_, d)| d.trim().to_owned()))
            .unwrap_or_default();
        decisions.push(decision);
    }
    assert_eq!(
        decisions.iter().filter(|d| *d == "claim").count(),
        1,
        "{decisions:?}"
    );
    assert!(
        decisions.iter().all(|d| d == "claim" || d == "key_in_use"),
        "{decisions:?}"
    );
    assert_eq!(
        SqliteStore::open(&path)
            .unwrap()
            .export()
            .unwrap()
            .lines()
            .count(),
        1
    );
}

/// The key of a move whose answer was lost (`500-after`: the sandbox applies
/// it, then answers 500) is still open; `client.settle` of the error, or of
/// the batch item, names the key on its `settled` line, so the store's key
/// record takes the verdict and the key's next use replays the recorded
/// answer without sending or reading anything. (Before, the line had no key:
/// the record stayed `unknown` and the next use settled it again.)
#[test]
fn settling_a_keyed_unknown_outcome_settles_its_key() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moves.sqlite");
    let open = || JournalStore::Sqlite(SqliteStore::open(&path).unwrap());
    let clean = quick::<Client>(&sandbox)
        .snapshots(false)
        .journal_store(open())
        .build()
        .unwrap();
    let lossy = with_fault::<Client>(&sandbox, "500-after")
        .snapshots(false)
        .journal_store(open())
        .build()
        .unwrap();
    let server = clean.core().fingerprint().to_owned();
    let pending = clean.send(&deposits()).unwrap().data;
    let record_of = |k: &OperationKey| {
        SqliteStore::open(&path)
            .unwrap()
            .key(&server, k)
            .unwrap()
            .unwrap()
    };

    // One call.
    let k = OperationKey::parse("key", "approve:first").unwrap();
    let e = lossy
        .send_keyed(&accept(&pending[0].id, &pending[0].user), k.clone())
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown", "{e}");
    let unsettled = e.unsettled().unwrap();
    assert_eq!(unsettled.key.as_ref(), Some(&k));
    assert_eq!(record_of(&k).state, KeyState::Unknown);
    let s = clean.settle(unsettled).unwrap();
    assert_eq!(s.state, SettleState::Applied, "{}", s.reason);
    assert_eq!(record_of(&k).state, KeyState::Applied);
    let served = requests_served(&sandbox);
    let again = clean
        .send_keyed(&accept(&pending[0].id, &pending[0].user), k)
        .unwrap();
    assert!(again.replayed);
    assert_eq!(requests_served(&sandbox), served, "nothing sent or read");

    // One batch item.
    let k = OperationKey::parse("key", "approve:second").unwrap();
    let item = accept_item(&pending[1].id, &pending[1].user, Action::Accept);
    let outcomes = lossy
        .batch_keyed(TxType::Deposit, vec![item.clone()], vec![Some(k.clone())])
        .unwrap();
    assert_eq!(outcomes[0].status, ItemStatus::Unknown, "{outcomes:?}");
    assert_eq!(outcomes[0].key.as_ref(), Some(&k));
    let s = clean.settle(&outcomes[0].unsettled().unwrap()).unwrap();
    assert_eq!(s.state, SettleState::Applied, "{}", s.reason);
    assert_eq!(record_of(&k).state, KeyState::Applied);
    let served = requests_served(&sandbox);
    let again = clean
        .batch_keyed(TxType::Deposit, vec![item], vec![Some(k)])
        .unwrap();
    assert_eq!(again[0].status, ItemStatus::AlreadyDone, "{again:?}");
    assert_eq!(requests_served(&sandbox), served, "nothing sent or read");

    // A key that holds the token is refused before anything is claimed or
    // sent: it would be kept in the journal and shown with the move.
    let served = requests_served(&sandbox);
    let k = OperationKey::parse("key", &format!("approve:{TOKEN}")).unwrap();
    let e = lossy
        .send_keyed(&accept(&pending[2].id, &pending[2].user), k)
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        ("invalid_request", Some("key")),
        "{e}"
    );
    let item = accept_item(&pending[3].id, &pending[3].user, Action::Accept);
    let k = OperationKey::parse("key", &format!("batch:{TOKEN}")).unwrap();
    let e = lossy
        .batch_keyed(TxType::Deposit, vec![item], vec![Some(k)])
        .unwrap_err();
    assert_eq!(e.field(), Some("transaction[0].key"), "{e}");
    assert!(!format!("{e:?} {}", e.to_json()).contains(TOKEN));
    assert_eq!(requests_served(&sandbox), served, "nothing sent or read");
}
