//! `SqliteStore` on a real SQLite file: the claim protocol the core gives,
//! run by threads and by separate processes at once (issue 22).
#![cfg(feature = "sqlite")]
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};
use std::sync::{Arc, Barrier};

use idn_toto_client::idn_toto::{Journal, KeyDecision, KeyState};
use idn_toto_client::SqliteStore;

#[path = "common/keys.rs"]
mod keys;
use keys::{claim, intent, key, params, SERVER};

#[test]
fn a_key_is_claimed_once_done_once_and_its_lines_export_as_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("moves.sqlite")).unwrap();
    let (k, p) = (key(), params("100"));
    let first = intent("j1", &p);
    let line = first.to_line();
    assert_eq!(
        store.claim(&claim(&k, &p, "j1", "h1", 0, &line)).unwrap(),
        KeyDecision::Claim
    );
    // Another holder while the lease runs: in use, nothing written.
    let other = intent("j2", &p).to_line();
    assert_eq!(
        store
            .claim(&claim(&k, &p, "j2", "h2", 999, &other))
            .unwrap(),
        KeyDecision::InUse {
            lease_until_ms: 1_000
        }
    );
    // Another amount under the key: a conflict, whoever holds it.
    let more = params("101");
    let conflict = store
        .claim(&claim(&k, &more, "j3", "h3", 5_000, &other))
        .unwrap();
    assert!(
        matches!(conflict, KeyDecision::Conflict { .. }),
        "{conflict:?}"
    );
    // The answer: succeeded. Every later claim, however late: already done.
    let outcome = first.outcome(
        idn_toto_client::idn_toto::ItemStatus::Succeeded,
        Some("Success".into()),
        "t",
    );
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
    let again = params("100.00");
    assert_eq!(
        store
            .claim(&claim(&k, &again, "j4", "h4", 1_000_000, &other))
            .unwrap(),
        KeyDecision::AlreadyDone
    );
    let record = store.key(SERVER, &k).unwrap().unwrap();
    assert_eq!(
        (record.state, record.attempts, record.message.as_deref()),
        (KeyState::Succeeded, 1, Some("Success"))
    );
    assert_eq!(record.holder, None);
    // The export is the JSON Lines journal: two lines, and the same key record.
    let text = store.export().unwrap();
    assert_eq!(text, format!("{line}{}", outcome.to_line()));
    let journal = Journal::read(&text).unwrap();
    let keys = journal.key_records();
    assert_eq!(keys.len(), 1);
    assert_eq!(
        (keys[0].state, &keys[0].journal_id),
        (KeyState::Succeeded, &"j1".to_owned())
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
fn a_crashed_holder_is_settled_never_sent_again_blindly() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("moves.sqlite")).unwrap();
    let (k, p) = (key(), params("100"));
    let line = intent("j1", &p).to_line();
    assert_eq!(
        store.claim(&claim(&k, &p, "j1", "h1", 0, &line)).unwrap(),
        KeyDecision::Claim
    );
    // h1 crashed: no outcome. After its lease, the next user settles first.
    let line2 = intent("j2", &p).to_line();
    assert_eq!(
        store
            .claim(&claim(&k, &p, "j2", "h2", 1_000, &line2))
            .unwrap(),
        KeyDecision::Settle
    );
    // Settled undetermined: outcome unknown, nothing sent.
    let settled = intent("j1", &p).settled(
        idn_toto_client::idn_toto::SettleState::Undetermined,
        None,
        "t",
    );
    store
        .record(
            SERVER,
            &k,
            "j1",
            KeyState::Undetermined,
            None,
            &settled.to_line(),
        )
        .unwrap();
    let mut after = claim(&k, &p, "j2", "h2", 2_000, &line2);
    after.settled_now = true;
    assert_eq!(store.claim(&after).unwrap(), KeyDecision::Unknown);
    // Settled not_applied (two reads agree): sent again under the key.
    store
        .record(
            SERVER,
            &k,
            "j1",
            KeyState::NotApplied,
            None,
            &settled.to_line(),
        )
        .unwrap();
    assert_eq!(store.claim(&after).unwrap(), KeyDecision::Claim);
    let record = store.key(SERVER, &k).unwrap().unwrap();
    assert_eq!(
        (record.state, record.attempts, record.journal_id.as_str()),
        (KeyState::Claimed, 2, "j2")
    );
    // A late line of the first attempt does not touch the second's record.
    store
        .record(
            SERVER,
            &k,
            "j1",
            KeyState::Applied,
            None,
            &settled.to_line(),
        )
        .unwrap();
    assert_eq!(
        store.key(SERVER, &k).unwrap().unwrap().state,
        KeyState::Claimed
    );
}

#[test]
fn keys_are_scoped_to_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("moves.sqlite")).unwrap();
    let (k, p) = (key(), params("100"));
    let line = intent("j1", &p).to_line();
    assert_eq!(
        store.claim(&claim(&k, &p, "j1", "h1", 0, &line)).unwrap(),
        KeyDecision::Claim
    );
    let mut elsewhere = claim(&k, &p, "j2", "h2", 0, &line);
    elsewhere.server = "0000000000000000";
    assert_eq!(store.claim(&elsewhere).unwrap(), KeyDecision::Claim);
}

#[test]
fn eight_threads_with_their_own_connections_claim_a_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moves.sqlite");
    SqliteStore::open(&path).unwrap();
    let barrier = Arc::new(Barrier::new(8));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let (path, barrier) = (path.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let store = SqliteStore::open(&path).unwrap();
                let (k, p) = (key(), params("100"));
                let id = format!("j{t}");
                let holder = format!("h{t}");
                let line = intent(&id, &p).to_line();
                barrier.wait();
                store.claim(&claim(&k, &p, &id, &holder, 0, &line)).unwrap()
            })
        })
        .collect();
    let decisions: Vec<KeyDecision> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let claimed = decisions
        .iter()
        .filter(|d| **d == KeyDecision::Claim)
        .count();
    assert_eq!(claimed, 1, "{decisions:?}");
    assert!(decisions
        .iter()
        .all(|d| matches!(d, KeyDecision::Claim | KeyDecision::InUse { .. })));
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(
        store.export().unwrap().lines().count(),
        1,
        "one intent line"
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
    let (k, p) = (key(), params("100"));
    let line = intent(&me, &p).to_line();
    println!("ready");
    std::io::stdout().flush().unwrap();
    let mut go = [0u8; 1];
    std::io::stdin().read_exact(&mut go).unwrap();
    let decision = store.claim(&claim(&k, &p, &me, &me, 0, &line)).unwrap();
    println!("decision={}", decision.as_str());
}

#[test]
fn eight_processes_claim_a_key_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("moves.sqlite");
    SqliteStore::open(&path).unwrap();
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
            .find_map(|l| l.split_once("decision=").map(|(_, d)| d.trim()))
            .unwrap_or("none")
            .to_owned();
        decisions.push(decision);
    }
    let claimed = decisions.iter().filter(|d| *d == "claim").count();
    assert_eq!(claimed, 1, "{decisions:?}");
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
