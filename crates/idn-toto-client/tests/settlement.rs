//! Settlement verdicts against the sandbox (issue 20, S1-S6): what a lost
//! answer's settlement says must be true, whatever happened meanwhile.
#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;
use idn_toto::*;
use idn_toto_client::blocking::Client;
use idn_toto_client::FileJournal;
use idn_toto_sandbox::{Config, HistoryOrder, HistoryView, Sandbox};

fn balance(client: &Client, user: &str) -> Decimal {
    client.send(&balance_of(user)).unwrap().balance
}

/// A client that journals to `journal` and whose requests all carry the
/// sandbox `fault`.
fn journaled(sandbox: &Sandbox, fault: &str, journal: &Path) -> Client {
    lossy::<Client>(sandbox, fault, journal).build().unwrap()
}

/// A manual deposit whose answer is lost (`fault` on the move only), sent
/// with a snapshot read by a clean request first, journaled.
fn lost_manual(sandbox: &Sandbox, user: &str, amount: &str, fault: &str, journal: &Path) {
    let clean = quick::<Client>(sandbox).build().unwrap();
    let history = UserHistoryParams {
        r#type: TxType::Deposit,
        user: seg("user", user),
    };
    let snapshot = Snapshot::new(clean.send(&history).unwrap().data);
    // Snapshots off on the lossy client (the fault would hit its history
    // read too): the snapshot read just before goes into the intent.
    let lossy = lossy::<Client>(sandbox, fault, journal)
        .snapshots(false)
        .build()
        .unwrap();
    let e = lossy.send(&manual(user, amount)).unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown", "{e}");
    // Put the snapshot on the intent just written (the last line).
    let text = std::fs::read_to_string(journal).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let intent = lines
        .iter()
        .rposition(|l| l.contains("\"event\":\"intent\""))
        .unwrap();
    let mut record: JournalRecord = serde_json::from_str(&lines[intent]).unwrap();
    record.snapshot = Some(snapshot);
    lines[intent] = record.to_line().trim_end().to_owned();
    std::fs::write(journal, lines.join("\n") + "\n").unwrap();
}

fn settle(sandbox: &Sandbox, journal: &Path, delay: Duration) -> Vec<(String, Settlement)> {
    let client = quick::<Client>(sandbox)
        .settle_delay(delay)
        .build()
        .unwrap();
    client
        .settle_journal(journal)
        .unwrap()
        .into_iter()
        .map(|s| (s.open.id, s.settlement))
        .collect()
}

/// S1: a manual credit that never landed, while the user's pending deposit
/// of the same amount was rejected: a `REJECT` entry is no credit.
#[test]
fn a_rejected_deposit_is_no_evidence_of_a_manual_credit() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    let clean = quick::<Client>(&sandbox).build().unwrap();
    lost_manual(&sandbox, "IPSUM", "1000000", "drop", &journal);
    let reject = AcceptRejectParams::from_json(&serde_json::json!({"type": "deposit",
        "trans_id": "123450001", "user": "IPSUM", "action": "reject", "comment": "no",
        "operator": "OP02"}))
    .unwrap();
    clean.send(&reject).unwrap();
    let settled = settle(&sandbox, &journal, Duration::ZERO);
    assert_eq!(settled.len(), 1);
    let s = &settled[0].1;
    assert_eq!(s.state, SettleState::NotApplied, "{}", s.reason);
    // Safe to send again: it credits once.
    let before = balance(&clean, "IPSUM");
    clean.send(&manual("IPSUM", "1000000")).unwrap();
    assert_eq!(balance(&clean, "IPSUM") - before, Decimal::from(1_000_000));
}

/// S2: two manual moves of 500 to one user, one landed: one `applied`, one
/// `not_applied`; sending the second again pays exactly what was meant.
#[test]
fn one_history_entry_settles_one_of_two_equal_moves() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    let clean = quick::<Client>(&sandbox).build().unwrap();
    let start = balance(&clean, "DOLER");
    lost_manual(&sandbox, "DOLER", "500", "drop", &journal);
    lost_manual(&sandbox, "DOLER", "500", "drop-after", &journal);
    assert_eq!(balance(&clean, "DOLER") - start, Decimal::from(500));
    let settled = settle(&sandbox, &journal, Duration::ZERO);
    let states: Vec<SettleState> = settled.iter().map(|(_, s)| s.state).collect();
    assert_eq!(
        states,
        [SettleState::Applied, SettleState::NotApplied],
        "{settled:?}"
    );
    clean.send(&manual("DOLER", "500")).unwrap();
    assert_eq!(balance(&clean, "DOLER") - start, Decimal::from(1000));
    assert!(FileJournal::new(&journal)
        .read()
        .unwrap()
        .unsettled()
        .is_empty());
}

/// S3: a journal written against one server, settled with a client of
/// another: refused, nothing sent there, nothing written.
#[test]
fn a_journal_of_another_server_is_refused() {
    let a = sandbox();
    let b = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    lost_manual(&a, "LOREM", "12", "drop", &journal);
    let text = std::fs::read_to_string(&journal).unwrap();
    assert!(!text.contains(TOKEN));
    let served = requests_served(&b);
    let other = quick::<Client>(&b).build().unwrap();
    let e = other.settle_journal(&journal).unwrap_err();
    assert_eq!((e.kind(), e.field()), ("invalid_request", Some("server")));
    assert_no_token(&e.to_string());
    assert_eq!(requests_served(&b), served, "nothing sent");
    assert_eq!(std::fs::read_to_string(&journal).unwrap(), text);
    // The right server settles it.
    let settled = settle(&a, &journal, Duration::ZERO);
    assert_eq!(settled[0].1.state, SettleState::NotApplied);
}

/// S4: the server applies the move after the client gave up, later than
/// the settle delay (`late=`): the confirming read, one delay later, sees
/// it. Before, the first read alone said `not_applied`.
#[test]
fn a_move_that_lands_after_the_settle_delay_is_not_not_applied() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    let clean = quick::<Client>(&sandbox).build().unwrap();
    let start = balance(&clean, "LOREM");
    // Lands ~2.5 s after it was sent; the reads come at ~1.5 s and ~3 s
    // (margins wide enough for a loaded machine).
    lost_manual(&sandbox, "LOREM", "777", "late=2500", &journal);
    let delay = Duration::from_millis(1500);
    let settled = settle(&sandbox, &journal, delay);
    let s = &settled[0].1;
    assert_eq!(s.state, SettleState::Applied, "{}", s.reason);
    assert_eq!(s.evidence.len(), 2, "two reads");
    assert_eq!(balance(&clean, "LOREM") - start, Decimal::from(777));

    // Accept/reject: still pending at the first read, processed by the
    // second.
    let lossy = journaled(&sandbox, "late=2500", &journal);
    let e = lossy.send(&accept("123450008", "DOLER")).unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    let settled = settle(&sandbox, &journal, delay);
    let s = &settled[0].1;
    assert_eq!(s.state, SettleState::Applied, "{}", s.reason);
    assert_eq!(s.evidence[0].kind, EvidenceKind::Pending);
    assert_eq!(s.evidence[1].kind, EvidenceKind::Processed);
}

/// The default settle delay is well above the default timeout.
#[test]
fn the_default_settle_delay_outlasts_the_default_timeout() {
    use idn_toto_client::{DEFAULT_SETTLE_DELAY, DEFAULT_TIMEOUT};
    assert!(DEFAULT_SETTLE_DELAY >= 2 * DEFAULT_TIMEOUT);
    assert_eq!(
        DEFAULT_TIMEOUT,
        Duration::from_millis(Settings::DEFAULT.timeout_ms)
    );
}

/// S5: the history answers oldest first, capped: the move landed but the
/// answer can't show it. Not `not_applied`.
#[test]
fn a_capped_history_is_undetermined() {
    let config = Config {
        history: HistoryView {
            order: HistoryOrder::Oldest,
            cap: Some(2),
        },
        ..Config::default().with_token(TOKEN)
    };
    let sandbox = Sandbox::start(config).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    lost_manual(&sandbox, "LOREM", "321", "drop-after", &journal);
    let settled = settle(&sandbox, &journal, Duration::ZERO);
    let s = &settled[0].1;
    assert_eq!(s.state, SettleState::Undetermined, "{}", s.reason);
    assert!(s.reason.contains("newest first"), "{}", s.reason);
}

/// S6: an accept whose deposit someone else rejected meanwhile: `applied`
/// (do not send again), and the evidence says it was rejected.
#[test]
fn an_accept_of_a_deposit_rejected_by_someone_else_says_rejected() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    let clean = quick::<Client>(&sandbox).build().unwrap();
    let before = balance(&clean, "IPSUM");
    let lossy = journaled(&sandbox, "drop", &journal);
    let e = lossy.send(&accept("123450001", "IPSUM")).unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    let reject = AcceptRejectParams::from_json(&serde_json::json!({"type": "deposit",
        "trans_id": "123450001", "user": "IPSUM", "action": "reject", "comment": "no",
        "operator": "OP02"}))
    .unwrap();
    clean.send(&reject).unwrap();
    let settled = settle(&sandbox, &journal, Duration::ZERO);
    let s = &settled[0].1;
    assert_eq!(s.state, SettleState::Applied);
    assert_eq!(s.evidence.last().unwrap().kind, EvidenceKind::Rejected);
    assert!(s.reason.contains("rejected"), "{}", s.reason);
    assert!(s.reason.contains("not credited"), "{}", s.reason);
    assert_eq!(balance(&clean, "IPSUM"), before);
}

/// J5: the Rust client's unknown outcomes and batch outcomes carry their
/// journal id, and settling a journaled move writes its `settled` line.
#[test]
fn journal_ids_ride_on_outcomes_and_settle_writes_its_line() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("j.jsonl");
    let lossy = lossy::<Client>(&sandbox, "drop", &journal)
        .snapshots(false)
        .settle_delay(Duration::ZERO)
        .build()
        .unwrap();
    let e = lossy.send(&accept("123450001", "IPSUM")).unwrap_err();
    let u = e.unsettled().unwrap().clone();
    let id = u.journal_id.clone().unwrap();
    assert!(u.server.is_some());
    let outcomes = lossy
        .batch(TxType::Deposit, vec![manual_item("LOREM", "1", 0)])
        .unwrap();
    assert_eq!(outcomes[0].status, ItemStatus::Unknown);
    assert!(outcomes[0].journal_id.as_deref().unwrap().ends_with("-0"));
    // Settled by the client that journaled it: its line is written.
    let settler = Client::builder(sandbox.base_url(), sandbox.token())
        .retry(QUICK)
        .settle_delay(Duration::ZERO)
        .journal(&journal)
        .build()
        .unwrap();
    let s = settler.settle(&u).unwrap();
    assert_eq!(s.state, SettleState::NotApplied, "{}", s.reason);
    let read = FileJournal::new(&journal).read().unwrap();
    let last = read.records.last().unwrap();
    assert_eq!(last.event, JournalEvent::Settled);
    assert_eq!(last.id, id);
    assert!(read.unsettled().iter().all(|o| o.id != id));
}
