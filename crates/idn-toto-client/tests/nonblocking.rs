//! The async client (reqwest on tokio) against the sandbox on 127.0.0.1
//! port 0.
#![cfg(feature = "tokio")]
#![allow(clippy::unwrap_used)]

mod common;

use std::str::FromStr;
use std::time::Instant;

use common::*;
use idn_toto::*;
use idn_toto_client::Client;
use idn_toto_sandbox::Sandbox;

fn client(sandbox: &Sandbox) -> Client {
    quick::<Client>(sandbox).build().unwrap()
}

fn faulty(sandbox: &Sandbox, fault: &str) -> Client {
    with_fault::<Client>(sandbox, fault).build().unwrap()
}

async fn balance(client: &Client, user: &str) -> Decimal {
    client.send(&balance_of(user)).await.unwrap().balance
}

#[tokio::test]
async fn the_story_moves_money_exactly_once() {
    let sandbox = sandbox();
    let client = client(&sandbox);

    let tx = client.send(&deposits()).await.unwrap().data[0].clone();
    let before = balance(&client, &tx.user).await;
    client.send(&accept(&tx.id, &tx.user)).await.unwrap();
    assert_eq!(balance(&client, &tx.user).await, before + tx.amount);
    let again = client.send(&accept(&tx.id, &tx.user)).await.unwrap_err();
    assert_eq!(again.api_kind(), Some(ApiErrorKind::TransactionNotFound));
    assert_eq!(balance(&client, &tx.user).await, before + tx.amount);

    let before = balance(&client, "LOREM").await;
    let served = requests_served(&sandbox);
    client.send(&manual("LOREM", "2500.50")).await.unwrap();
    assert_eq!(
        requests_served(&sandbox) - served,
        2,
        "history read + the move"
    );
    assert_eq!(
        balance(&client, "LOREM").await - before,
        Decimal::from_str("2500.50").unwrap()
    );

    let pending = client.send(&deposits()).await.unwrap().data;
    let mut items = vec![accept_item(&tx.id, &tx.user, Action::Accept)];
    for t in &pending[..2] {
        items.push(accept_item(&t.id, &t.user, Action::Reject));
    }
    let outcomes = client.batch(TxType::Deposit, items).await.unwrap();
    use ItemStatus::*;
    let statuses: Vec<ItemStatus> = outcomes.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [Failed, Succeeded, Succeeded]);
}

#[tokio::test]
async fn faults_give_typed_errors_and_money_is_never_retried() {
    let sandbox = sandbox();
    let n = requests_served(&sandbox);
    let e = faulty(&sandbox, "500")
        .send(&GameListParams)
        .await
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), ("http", Some(500)));
    assert_eq!(requests_served(&sandbox) - n, 3, "a read is retried twice");
    let e = faulty(&sandbox, "drop")
        .send(&GameListParams)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "transport", "{e}");

    let tx = client(&sandbox).send(&deposits()).await.unwrap().data[0].clone();
    for fault in ["500", "html", "drop", "delay=1000", "503=1"] {
        let n = requests_served(&sandbox);
        let e = faulty(&sandbox, fault)
            .send(&accept(&tx.id, &tx.user))
            .await
            .unwrap_err();
        assert_eq!(e.kind(), "outcome_unknown", "{fault}: {e}");
        assert_eq!(requests_served(&sandbox) - n, 1, "{fault}: sent once");
    }
}

#[tokio::test]
async fn the_timeout_is_per_attempt() {
    let sandbox = sandbox();
    let slow = |delay: &str| slow::<Client>(&sandbox, delay).build().unwrap();
    assert!(slow("delay=50").send(&GameListParams).await.is_ok());
    let e = slow("delay=1000").send(&GameListParams).await.unwrap_err();
    assert_eq!(e.kind(), "transport", "{e}");
    assert!(e.to_string().contains("time"), "{e}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_concurrent_accepts_give_one_success() {
    let sandbox = sandbox();
    let client = client(&sandbox);
    let before = balance(&client, "IPSUM").await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.send(&accept("123450001", "IPSUM")).await })
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        results.push(t.await.unwrap());
    }
    assert_one_success(&results);
    assert_eq!(
        balance(&client, "IPSUM").await,
        before + Decimal::from(1_000_000)
    );
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let sandbox = sandbox();
    let client = patient::<Client>(&sandbox, "503=1").build().unwrap();
    let n = requests_served(&sandbox);
    let started = Instant::now();
    let e = client.send(&GameListParams).await.unwrap_err();
    assert_eq!(e.status(), Some(503));
    assert_waited_retry_after(&sandbox, n, started);
}

#[tokio::test]
async fn lost_answers_are_journaled_and_settled() {
    let sandbox = sandbox();
    let journal_dir = tempfile::tempdir().unwrap();
    let journal = journal_dir.path().join("journal.jsonl");
    let clean = client(&sandbox);
    let pending = clean.send(&deposits()).await.unwrap().data;
    for (fault, tx) in [("drop-after", &pending[0]), ("500", &pending[1])] {
        let lossy = lossy::<Client>(&sandbox, fault, &journal).build().unwrap();
        let e = lossy.send(&accept(&tx.id, &tx.user)).await.unwrap_err();
        assert_eq!(e.kind(), "outcome_unknown");
        if fault == "500" {
            let s = clean.settle(e.unsettled().unwrap()).await.unwrap();
            assert_eq!(s.state, SettleState::NotApplied, "{}", s.reason);
        }
    }
    let settled = clean.settle_journal(&journal).await.unwrap();
    let states: Vec<SettleState> = settled.iter().map(|s| s.settlement.state).collect();
    assert_eq!(states, [SettleState::Applied, SettleState::NotApplied]);
    assert!(idn_toto_client::FileJournal::new(&journal)
        .read()
        .unwrap()
        .unsettled()
        .is_empty());
}

#[tokio::test]
async fn reports_stream_every_row() {
    use futures_util::StreamExt;
    let sandbox = sandbox();
    let client = client(&sandbox);
    let first = client.send(&lorems_report()).await.unwrap();
    assert!(first.total_page > 1);
    let rows: Vec<Result<TurnoverRow, Error>> = client.pages(lorems_report()).collect().await;
    assert_eq!(rows.len() as u64, first.total_data);
    assert!(rows
        .iter()
        .all(|r| r.as_ref().is_ok_and(|r| r.user == "LOREMS")));
    // The stream is `Send + 'static`: it runs on a spawned task.
    let spawned = tokio::spawn(client.pages(lorems_report()).count());
    assert_eq!(spawned.await.unwrap() as u64, first.total_data);

    let pages: Vec<_> = client
        .pages_json(
            EndpointId::FullTransaction,
            &serde_json::json!({"user": "LOREMS", "date": "2024-05-17"}),
        )
        .unwrap()
        .collect()
        .await;
    assert_eq!(pages.len() as u64, first.total_page);
    assert!(pages.iter().all(|p| p.is_ok()));
    assert!(client
        .pages_json(
            EndpointId::UserBalance,
            &serde_json::json!({"user": "LOREM"})
        )
        .is_err());
}

#[tokio::test]
async fn bodies_over_the_cap_are_refused() {
    let sandbox = sandbox();
    let client = Client::builder(sandbox.base_url(), sandbox.token())
        .max_body_size(64)
        .build()
        .unwrap();
    let e = client.send(&deposits()).await.unwrap_err();
    assert_eq!((e.kind(), e.path()), ("decode", Some("$")), "{e}");
    // A money move's oversized answer is an unknown outcome.
    let e = client
        .send(&accept("123450001", "IPSUM"))
        .await
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown", "{e}");
}
