//! The blocking client against the sandbox on 127.0.0.1 port 0.
#![cfg(feature = "blocking")]
#![allow(clippy::unwrap_used)]

mod common;

use std::str::FromStr;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use common::*;
use idn_toto::*;
use idn_toto_client::blocking::Client;
use idn_toto_sandbox::Sandbox;

fn client(sandbox: &Sandbox) -> Client {
    quick::<Client>(sandbox).build().unwrap()
}

fn faulty(sandbox: &Sandbox, fault: &str) -> Client {
    with_fault::<Client>(sandbox, fault).build().unwrap()
}

fn balance(client: &Client, user: &str) -> Decimal {
    client.send(&balance_of(user)).unwrap().balance
}

#[test]
fn the_story_moves_money_exactly_once() {
    let sandbox = sandbox();
    let client = client(&sandbox);

    let pending = client.send(&deposits()).unwrap();
    let tx = pending
        .data
        .iter()
        .find(|t| t.id == "123450001")
        .unwrap()
        .clone();
    let before = balance(&client, &tx.user);
    let done = client.send(&accept(&tx.id, &tx.user)).unwrap();
    assert_eq!(done.message, "Transaction has been successfully processed.");
    assert_eq!(balance(&client, &tx.user), before + tx.amount);
    let again = client.send(&accept(&tx.id, &tx.user)).unwrap_err();
    assert_eq!(again.api_kind(), Some(ApiErrorKind::TransactionNotFound));
    assert_eq!(balance(&client, &tx.user), before + tx.amount);

    // A manual move reads the history first (the snapshot), then moves.
    let before = balance(&client, "LOREM");
    let served = requests_served(&sandbox);
    client.send(&manual("LOREM", "2500.50")).unwrap();
    assert_eq!(
        requests_served(&sandbox) - served,
        2,
        "history read + the move"
    );
    assert_eq!(
        balance(&client, "LOREM") - before,
        Decimal::from_str("2500.50").unwrap()
    );

    // A batch: one outcome per item, in order.
    let pending = client.send(&deposits()).unwrap().data;
    let mut items = vec![accept_item(&tx.id, &tx.user, Action::Accept)]; // already done
    for t in &pending[..3] {
        items.push(accept_item(&t.id, &t.user, Action::Reject));
    }
    let outcomes = client.batch(TxType::Deposit, items).unwrap();
    let statuses: Vec<ItemStatus> = outcomes.iter().map(|o| o.status).collect();
    use ItemStatus::*;
    assert_eq!(statuses, [Failed, Succeeded, Succeeded, Succeeded]);
    assert_eq!(
        outcomes.iter().map(|o| o.index).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );

    // More than 25 manual items: two requests (after one history read).
    let before = balance(&client, "DOLER");
    let served = requests_served(&sandbox);
    let items = (0..30).map(|i| manual_item("DOLER", "1.25", i)).collect();
    let outcomes = client.batch(TxType::Deposit, items).unwrap();
    assert!(
        outcomes.iter().all(|o| o.status == Succeeded),
        "{outcomes:?}"
    );
    assert_eq!(requests_served(&sandbox) - served, 3);
    assert_eq!(
        balance(&client, "DOLER") - before,
        Decimal::from_str("37.50").unwrap()
    );
}

#[test]
fn faults_give_typed_errors_and_money_is_never_retried() {
    let sandbox = sandbox();
    let n = requests_served(&sandbox);
    let e = faulty(&sandbox, "500").send(&GameListParams).unwrap_err();
    assert_eq!((e.kind(), e.status()), ("http", Some(500)));
    assert_eq!(requests_served(&sandbox) - n, 3, "a read is retried twice");
    let e = faulty(&sandbox, "html").send(&GameListParams).unwrap_err();
    assert_eq!(e.kind(), "decode", "{e}");
    let e = faulty(&sandbox, "drop").send(&GameListParams).unwrap_err();
    assert_eq!(e.kind(), "transport", "{e}");

    let tx = client(&sandbox).send(&deposits()).unwrap().data[0].clone();
    for fault in ["500", "html", "drop", "delay=1000", "503=1"] {
        let n = requests_served(&sandbox);
        let e = faulty(&sandbox, fault)
            .send(&accept(&tx.id, &tx.user))
            .unwrap_err();
        assert_eq!(e.kind(), "outcome_unknown", "{fault}: {e}");
        assert_eq!(requests_served(&sandbox) - n, 1, "{fault}: sent once");
        assert_eq!(
            e.unsettled().map(|u| u.endpoint),
            Some(EndpointId::AcceptReject),
            "{fault}: carries what settling needs"
        );
    }
}

#[test]
fn the_timeout_is_per_attempt() {
    let sandbox = sandbox();
    let slow = |delay: &str| slow::<Client>(&sandbox, delay).build().unwrap();
    // An answer inside the timeout is read.
    assert!(slow("delay=50").send(&GameListParams).is_ok());
    // One past it is a transport failure naming the timeout.
    let e = slow("delay=1000").send(&GameListParams).unwrap_err();
    assert_eq!(e.kind(), "transport", "{e}");
    assert!(e.to_string().contains("time"), "{e}");
    let e = slow("delay=1000")
        .send(&accept("123450002", "LOREM"))
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown", "{e}");
}

#[test]
fn fifty_concurrent_accepts_give_one_success() {
    let sandbox = sandbox();
    let client = client(&sandbox);
    let before = balance(&client, "IPSUM");
    let barrier = Arc::new(Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (client, barrier) = (client.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                client.send(&accept("123450001", "IPSUM"))
            })
        })
        .collect();
    let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_one_success(&results);
    assert_eq!(balance(&client, "IPSUM"), before + Decimal::from(1_000_000));
}

#[test]
fn retry_after_is_honoured() {
    let sandbox = sandbox();
    let client = patient::<Client>(&sandbox, "429=1").build().unwrap();
    let n = requests_served(&sandbox);
    let started = Instant::now();
    let e = client.send(&GameListParams).unwrap_err();
    assert_eq!(e.status(), Some(429));
    assert_waited_retry_after(&sandbox, n, started);
}

#[test]
fn lost_answers_are_journaled_and_settled() {
    let sandbox = sandbox();
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("journal.jsonl");
    let lossy = |fault: &str| {
        lossy::<Client>(&sandbox, fault, &journal)
            .snapshots(false)
            .build()
            .unwrap()
    };
    let clean = client(&sandbox);
    let pending = clean.send(&deposits()).unwrap().data;
    // Processed with the answer lost, and not processed.
    let e = lossy("500-after")
        .send(&accept(&pending[0].id, &pending[0].user))
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    let e = lossy("drop")
        .send(&accept(&pending[1].id, &pending[1].user))
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    // A manual move: settled from the unknown outcome itself, with the
    // history read before it.
    let history = UserHistoryParams {
        r#type: TxType::Deposit,
        user: seg("user", "LOREM"),
    };
    let snapshot = Snapshot::new(clean.send(&history).unwrap().data);
    let e = lossy("500-after")
        .send(&manual("LOREM", "12.50"))
        .unwrap_err();
    let mut unsettled = e.unsettled().unwrap().clone();
    unsettled.snapshot = Some(snapshot);
    let s = clean.settle(&unsettled).unwrap();
    assert_eq!(s.state, SettleState::Applied, "{}", s.reason);

    let open = idn_toto_client::FileJournal::new(&journal)
        .read()
        .unwrap()
        .unsettled();
    assert_eq!(open.len(), 3, "{open:?}");
    let settled = clean.settle_journal(&journal).unwrap();
    let states: Vec<SettleState> = settled.iter().map(|s| s.settlement.state).collect();
    assert_eq!(
        states,
        [
            SettleState::Applied,
            SettleState::NotApplied,
            // Journaled without a snapshot (snapshots were off).
            SettleState::Undetermined
        ]
    );
    let open = idn_toto_client::FileJournal::new(&journal)
        .read()
        .unwrap()
        .unsettled();
    assert_eq!(open.len(), 1, "only the undetermined one stays open");
}

#[test]
fn a_failed_snapshot_read_sends_nothing() {
    let sandbox = sandbox();
    let clean = client(&sandbox);
    let before = balance(&clean, "LOREM");
    let n = requests_served(&sandbox);
    let e = faulty(&sandbox, "500")
        .send(&manual("LOREM", "1.00"))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.status()),
        ("http", Some(500)),
        "the read's error"
    );
    assert_eq!(requests_served(&sandbox) - n, 3, "three reads, no move");
    assert_eq!(balance(&clean, "LOREM"), before);
}

#[test]
fn a_journaled_batch_writes_an_intent_and_an_outcome_per_item() {
    let sandbox = sandbox();
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("batch.jsonl");
    let client = Client::builder(sandbox.base_url(), sandbox.token())
        .journal(&journal)
        .build()
        .unwrap();
    let items = (0..27).map(|i| manual_item("DOLER", "2.00", i)).collect();
    let outcomes = client.batch(TxType::Withdraw, items).unwrap();
    assert!(outcomes.iter().all(|o| o.status == ItemStatus::Succeeded));
    let read = idn_toto_client::FileJournal::new(&journal).read().unwrap();
    assert_eq!(read.records.len(), 54);
    assert!(
        read.records[0].snapshot.is_some(),
        "manual intents carry the snapshot"
    );
    assert!(read.unsettled().is_empty());
    // With a journal, a multiple transaction goes through batch().
    let params =
        MultipleTransactionParams::new(TxType::Deposit, vec![manual_item("DOLER", "1", 0)])
            .unwrap();
    assert_eq!(client.send(&params).unwrap_err().field(), Some("endpoint"));
}

#[test]
fn bodies_over_the_cap_are_refused() {
    let sandbox = sandbox();
    let client = Client::builder(sandbox.base_url(), sandbox.token())
        .max_body_size(64)
        .build()
        .unwrap();
    let e = client.send(&deposits()).unwrap_err();
    assert_eq!((e.kind(), e.path()), ("decode", Some("$")), "{e}");
}

#[test]
fn the_proxy_is_used_and_settings_are_checked() {
    let sandbox = sandbox();
    // Nothing listens on port 9: through that "proxy", nothing arrives.
    let via = Client::builder(sandbox.base_url(), sandbox.token())
        .retry(RetryPolicy::NEVER)
        .proxy("http://127.0.0.1:9")
        .build()
        .unwrap();
    let n = requests_served(&sandbox);
    assert_eq!(via.send(&GameListParams).unwrap_err().kind(), "transport");
    assert_eq!(requests_served(&sandbox), n);

    let field = |b: idn_toto_client::ClientBuilder<Client>| {
        b.build().unwrap_err().field().map(str::to_owned)
    };
    let b = || Client::builder(sandbox.base_url(), sandbox.token());
    assert_eq!(
        field(b().timeout(Duration::ZERO)).as_deref(),
        Some("timeout")
    );
    assert_eq!(
        field(b().header("X-Auth", TOKEN)).as_deref(),
        Some("headers")
    );
    assert_eq!(
        field(b().max_body_size(0)).as_deref(),
        Some("max_body_size")
    );
    assert_eq!(
        field(Client::builder("http://agent.example.com/home.php", "T")).as_deref(),
        Some("base_url")
    );
    assert_eq!(
        field(Client::builder(sandbox.base_url(), "a/b")).as_deref(),
        Some("token")
    );
}

#[test]
fn reports_page_through_every_row() {
    let sandbox = sandbox();
    let client = client(&sandbox);
    let first = client.send(&lorems_report()).unwrap();
    assert!(first.total_page > 1, "several pages");
    let mut rows = client.pages(lorems_report());
    let all: Vec<TurnoverRow> = rows.by_ref().collect::<Result<_, _>>().unwrap();
    assert_eq!(all.len() as u64, first.total_data);
    assert_eq!(rows.pages_read(), first.total_page);
    assert!(all.iter().all(|r| r.user == "LOREMS"));

    let start = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    let invoices: Vec<PgaInvoice> = client
        .pages(PgaTransactionParams::new(start, end, Page::FIRST).unwrap())
        .collect::<Result<_, _>>()
        .unwrap();
    let mut ids: Vec<&str> = invoices.iter().map(|i| i.id_invoice.as_str()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "no invoice twice");
    assert!(n > 1);

    // The same over canonical JSON, page by page.
    let pages: Vec<serde_json::Value> = client
        .pages_json(
            EndpointId::FullTransaction,
            &serde_json::json!({"user": "LOREMS", "date": "2024-05-17"}),
        )
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(pages.len() as u64, first.total_page);
    let rows: usize = pages
        .iter()
        .map(|p| p["data"].as_array().unwrap().len())
        .sum();
    assert_eq!(rows as u64, first.total_data);

    // A cap: a decode error at `page` once it is reached with pages left.
    let capped = Client::builder(sandbox.base_url(), sandbox.token())
        .max_pages(1)
        .build()
        .unwrap();
    let results: Vec<_> = capped.pages(lorems_report()).collect();
    let e = results.last().unwrap().as_ref().unwrap_err();
    assert_eq!((e.kind(), e.path()), ("decode", Some("page")), "{e}");
    assert_eq!(
        results.iter().filter(|r| r.is_err()).count(),
        1,
        "the error ends it"
    );
}

#[test]
fn an_intent_that_cannot_be_journaled_sends_nothing() {
    let sandbox = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let client = Client::builder(sandbox.base_url(), sandbox.token())
        .journal(dir.path().join("no-such-dir").join("j.jsonl"))
        .build()
        .unwrap();
    let n = requests_served(&sandbox);
    let e = client.send(&accept("123450001", "IPSUM")).unwrap_err();
    assert_eq!(
        (e.kind(), e.field()),
        ("invalid_request", Some("journal")),
        "{e}"
    );
    // A batch ends with its outcomes (the core decides): every item not
    // sent, saying why.
    let outcomes = client
        .batch(
            TxType::Deposit,
            vec![accept_item("123450001", "IPSUM", Action::Accept)],
        )
        .unwrap();
    assert_eq!(outcomes[0].status, ItemStatus::NotSent);
    let why = outcomes[0].message.as_deref().unwrap_or_default();
    assert!(why.contains("journal could not be written"), "{why}");
    assert_eq!(requests_served(&sandbox), n, "nothing sent");
    // Reads are not journaled: they go through.
    assert!(client.send(&balance_of("LOREM")).is_ok());
}
