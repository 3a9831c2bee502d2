//! End to end: the core plus a hand-written host loop over a real HTTP
//! client (ureq, `support/transport.rs`) against the sandbox on 127.0.0.1,
//! port 0. This checks the core's contract on its own; the ready-made
//! clients (`idn-toto-client`) have their own end-to-end tests.
#![allow(clippy::unwrap_used)]

#[path = "support/transport.rs"]
#[allow(dead_code)]
mod transport;

use std::str::FromStr;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use idn_toto::*;
use idn_toto_sandbox::{Config, Sandbox};
use serde_json::{json, Value};
use transport::Transport;

const TOKEN: &str = "E2E-TOKEN-0123456789";

fn start() -> (Sandbox, Client) {
    let sandbox =
        Sandbox::start(Config::default().with_token(TOKEN)).expect("the sandbox binds 127.0.0.1:0");
    let client =
        Client::new(sandbox.base_url(), sandbox.token()).expect("the sandbox's URL is valid");
    (sandbox, client)
}

fn http() -> Transport {
    Transport::new(Duration::from_secs(5))
}

fn seg(field: &str, v: &str) -> Segment {
    Segment::new(field, v).expect("test values are valid segments")
}

fn balance(client: &Client, user: &str) -> Decimal {
    http()
        .call(
            client,
            &UserBalanceParams {
                user: seg("user", user),
            },
            RetryPolicy::NEVER,
        )
        .expect("balance")
        .balance
}

fn accept(trans_id: &str, user: &str) -> AcceptRejectParams {
    AcceptRejectParams {
        r#type: TxType::Deposit,
        trans_id: seg("trans_id", trans_id),
        user: seg("user", user),
        action: Action::Accept,
        comment: seg("comment", "e2e accept"),
        operator: seg("operator", "OP01"),
    }
}

fn deposits() -> TransactionListParams {
    TransactionListParams {
        r#type: TxType::Deposit,
        bank: None,
        name: None,
    }
}

fn requests_served(sandbox: &Sandbox) -> u64 {
    let mut r = ureq::get(&format!("{}/stats", sandbox.admin_url()))
        .call()
        .expect("stats");
    let v: Value =
        serde_json::from_slice(&r.body_mut().read_to_vec().expect("body")).expect("json");
    v["requests"].as_u64().expect("a count")
}

#[test]
fn the_back_office_story_moves_money_exactly_once() {
    let (_sandbox, client) = start();
    let http = http();
    let reads = RetryPolicy::default();

    let pending = http.call(&client, &deposits(), reads).unwrap();
    let tx = pending
        .data
        .iter()
        .find(|t| t.id == "123450001")
        .expect("the seed's pending deposit")
        .clone();
    assert_eq!(tx.user, "IPSUM");
    let before = balance(&client, "IPSUM");

    let done = http
        .call(&client, &accept(&tx.id, &tx.user), RetryPolicy::NEVER)
        .unwrap();
    assert_eq!(done.message, "Transaction has been successfully processed.");
    assert_eq!(balance(&client, "IPSUM"), before + tx.amount);

    let again = http
        .call(&client, &accept(&tx.id, &tx.user), RetryPolicy::NEVER)
        .unwrap_err();
    assert_eq!(again.api_kind(), Some(ApiErrorKind::TransactionNotFound));
    assert_eq!(
        balance(&client, "IPSUM"),
        before + tx.amount,
        "a second accept must not credit again"
    );

    let ipsum = || seg("user", "IPSUM");
    let history = http
        .call(
            &client,
            &UserHistoryParams {
                r#type: TxType::Deposit,
                user: ipsum(),
            },
            reads,
        )
        .unwrap();
    assert!(history
        .data
        .iter()
        .any(|h| h.amount == tx.amount && h.status == HistoryStatus::Accept));
    let last = http
        .call(
            &client,
            &UserLastTransactionParams {
                r#type: TxType::Deposit,
                user: ipsum(),
            },
            reads,
        )
        .unwrap();
    let last = last.data.expect("a last deposit");
    assert_eq!(
        (last.amount, last.status),
        (tx.amount, HistoryStatus::Accept)
    );

    let still_pending = http.call(&client, &deposits(), reads).unwrap();
    assert!(still_pending.data.iter().all(|t| t.id != tx.id));
    assert_eq!(still_pending.data.len(), pending.data.len() - 1);

    // A manual correction with cents, and a refusal for an unknown user.
    let manual = |user: &str, amount: &str| ManualTransactionParams {
        r#type: TxType::Deposit,
        user: seg("user", user),
        comment: seg("comment", "e2e correction"),
        amount: Amount::parse("amount", amount).unwrap(),
        operator: seg("operator", "OP01"),
    };
    let before = balance(&client, "LOREM");
    http.call(&client, &manual("LOREM", "2500.50"), RetryPolicy::NEVER)
        .unwrap();
    assert_eq!(
        balance(&client, "LOREM"),
        before + Decimal::from_str("2500.50").unwrap()
    );
    let refused = http
        .call(&client, &manual("nobody-here", "1"), RetryPolicy::NEVER)
        .unwrap_err();
    assert_eq!(refused.api_kind(), Some(ApiErrorKind::UserNotRegistered));
}

#[test]
fn batches_report_one_outcome_per_item_in_order() {
    let (_sandbox, client) = start();
    let http = http();
    let pending = http.call(&client, &deposits(), RetryPolicy::NEVER).unwrap();
    assert!(pending.data.len() >= 4, "the seed has pending deposits");
    let item = |id: &str, user: &str, action| {
        BatchItem::AcceptReject(AcceptRejectItem {
            trans_id: Text::new("trans_id", id).unwrap(),
            user: Text::new("user", user).unwrap(),
            action,
            comment: Text::new("comment", "e2e batch").unwrap(),
            operator: Text::new("operator", "OP01").unwrap(),
        })
    };
    let first = &pending.data[0];
    http.call(&client, &accept(&first.id, &first.user), RetryPolicy::NEVER)
        .unwrap();
    let mut items = vec![item(&first.id, &first.user, Action::Accept)]; // already processed
    for t in &pending.data[1..4] {
        items.push(item(&t.id, &t.user, Action::Reject));
    }
    let outcomes = http.batch(&client, TxType::Deposit, items).unwrap();
    let statuses: Vec<ItemStatus> = outcomes.iter().map(|o| o.status).collect();
    assert_eq!(
        statuses,
        [
            ItemStatus::Failed,
            ItemStatus::Succeeded,
            ItemStatus::Succeeded,
            ItemStatus::Succeeded
        ]
    );
    assert_eq!(
        outcomes[0].api_kind,
        Some(ApiErrorKind::TransactionNotFound)
    );
    assert_eq!(
        outcomes.iter().map(|o| o.index).collect::<Vec<_>>(),
        [0, 1, 2, 3]
    );

    // More than 25 manual items: two requests, every item once.
    let before = balance(&client, "DOLER");
    let manual: Vec<BatchItem> = (0..30)
        .map(|i| {
            BatchItem::Manual(ManualItem {
                user: Text::new("user", "DOLER").unwrap(),
                amount: Amount::parse("amount", "1.25").unwrap(),
                comment: Text::new("comment", format!("bulk {i}")).unwrap(),
                operator: Text::new("operator", "OP01").unwrap(),
            })
        })
        .collect();
    let outcomes = http.batch(&client, TxType::Deposit, manual).unwrap();
    assert_eq!(outcomes.len(), 30);
    assert!(
        outcomes.iter().all(|o| o.status == ItemStatus::Succeeded),
        "{outcomes:?}"
    );
    assert_eq!(
        balance(&client, "DOLER"),
        before + Decimal::from_str("37.50").unwrap()
    );
}

#[test]
fn reports_page_through_every_page() {
    let (_sandbox, client) = start();
    let http = http();
    let date = NaiveDate::from_ymd_opt(2024, 5, 17).unwrap();
    let mut params = Some(FullTransactionParams {
        user: seg("user", "LOREMS"),
        page: Page::FIRST,
        date: Some(date),
    });
    let (mut rows, mut pages, mut total) = (Vec::new(), 0, 0);
    while let Some(p) = params {
        let page = http.call(&client, &p, RetryPolicy::NEVER).unwrap();
        pages += 1;
        total = page.total_data;
        rows.extend(page.data.iter().cloned());
        params = p.next_page(&page).unwrap();
    }
    assert_eq!((rows.len() as u64, pages), (total, 3));
    assert!(rows.iter().all(|r| r.user == "LOREMS" && r.date == date));

    let start = NaiveDate::from_ymd_opt(2024, 3, 1).unwrap();
    let end = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap();
    let mut params = Some(PgaTransactionParams::new(start, end, Page::FIRST).unwrap());
    let (mut invoices, mut total_row) = (Vec::new(), 0);
    while let Some(p) = params {
        let page = http.call(&client, &p, RetryPolicy::NEVER).unwrap();
        total_row = page.total_row;
        invoices.extend(page.data.iter().map(|i| i.id_invoice.clone()));
        params = p.next_page(&page).unwrap();
    }
    assert_eq!(invoices.len() as u64, total_row);
    invoices.sort();
    invoices.dedup();
    assert_eq!(invoices.len() as u64, total_row, "no invoice twice");
}

/// The parameters of the first request case in an endpoint's vectors file.
fn first_vector_params(id: EndpointId) -> Value {
    let path = format!(
        "{}/../../tests/vectors/{id}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    doc["requests"][0]["params"].clone()
}

#[test]
fn every_endpoint_in_the_table_is_served() {
    let (_sandbox, client) = start();
    let http = http();
    let params = |id: EndpointId| match id {
        EndpointId::TransactionList => json!({"type": "withdraw", "bank": "bca"}),
        EndpointId::AcceptReject => {
            json!({"type": "withdraw", "trans_id": "123450019", "user": "DOLER",
            "action": "reject", "comment": "e2e", "operator": "OP01"})
        }
        EndpointId::MultipleTransaction => json!({"type": "deposit",
            "transaction": [{"user": "LOREM", "amount": "10", "comment": "e2e", "operator": "OP01"}]}),
        EndpointId::ManualTransaction => {
            json!({"type": "withdraw", "user": "LOREM", "comment": "e2e",
            "amount": "1.00", "operator": "OP01"})
        }
        EndpointId::UserBalance | EndpointId::ReferralList => json!({"user": "DOLER"}),
        EndpointId::UserHistory | EndpointId::UserLastTransaction => {
            json!({"type": "deposit", "user": "LOREM"})
        }
        EndpointId::NumberHistory => json!({"gamecode": "o2"}),
        EndpointId::FullTransaction => json!({"user": "LOREMS", "page": 2}),
        EndpointId::PgaTransaction => {
            json!({"start_date": "2024-03-01", "end_date": "2024-03-09", "status": "paid"})
        }
        EndpointId::GameList | EndpointId::BankList => json!({}),
        // Any other endpoint: the parameters of the first request case of
        // its shared vectors (`tests/vectors/<id>.json`).
        #[allow(unreachable_patterns)]
        other => first_vector_params(other),
    };
    for info in &ENDPOINTS {
        let request = dynamic::build(&client, info.id, &params(info.id)).unwrap();
        let answer = http
            .send(&request)
            .unwrap_or_else(|e| panic!("{}: {e}", info.id));
        let parsed = dynamic::parse_with(&client, info.id, answer.status, &answer.body);
        assert!(parsed.is_ok(), "{}: {parsed:?}", info.id);
    }
}

#[test]
fn faults_give_typed_errors_and_money_is_never_retried() {
    let (sandbox, client) = start();
    let reads = RetryPolicy {
        retries: 2,
        base_delay_ms: 1,
        max_delay_ms: 5,
    };
    let faulty = |fault: &str| {
        Transport::new(Duration::from_millis(800)).with_header("X-Sandbox-Fault", fault)
    };
    let game_list = GameListParams;

    // A read under a 500 is retried per the policy, then reported.
    let n = requests_served(&sandbox);
    let e = faulty("500").call(&client, &game_list, reads).unwrap_err();
    assert_eq!((e.kind(), e.status()), ("http", Some(500)));
    assert_eq!(requests_served(&sandbox) - n, 3, "one send and two retries");

    // A money-moving call under a 500 after processing: unknown, sent once,
    // and the money did move (which is why it must not be retried).
    let before = balance(&client, "IPSUM");
    let n = requests_served(&sandbox);
    let e = faulty("500-after")
        .call(&client, &accept("123450001", "IPSUM"), reads)
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    assert_eq!(requests_served(&sandbox) - n, 1, "never retried");
    assert!(balance(&client, "IPSUM") > before);

    assert_eq!(
        faulty("html")
            .call(&client, &game_list, reads)
            .unwrap_err()
            .kind(),
        "decode"
    );
    let money = ManualTransactionParams {
        r#type: TxType::Deposit,
        user: seg("user", "LOREM"),
        comment: seg("comment", "fault"),
        amount: Amount::parse("amount", "1").unwrap(),
        operator: seg("operator", "OP01"),
    };
    for fault in ["html", "500", "drop", "delay=2000"] {
        let n = requests_served(&sandbox);
        let e = faulty(fault).call(&client, &money, reads).unwrap_err();
        assert_eq!(e.kind(), "outcome_unknown", "{fault}: {e}");
        assert_eq!(requests_served(&sandbox) - n, 1, "{fault}: never retried");
    }
    for fault in ["drop", "delay=2000"] {
        let e = faulty(fault)
            .call(&client, &game_list, RetryPolicy::NEVER)
            .unwrap_err();
        assert_eq!(e.kind(), "transport", "{fault}: {e}");
    }
    let e = faulty("echo-token")
        .call(&client, &game_list, RetryPolicy::NEVER)
        .unwrap_err();
    assert_eq!(e.kind(), "http");
    assert!(
        !e.to_string().contains(TOKEN) && !format!("{e:?}").contains(TOKEN),
        "{e:?}"
    );
    assert!(
        e.to_string().contains("***"),
        "the echo is there, redacted: {e}"
    );
}

#[test]
fn lost_answers_settle_to_what_the_sandbox_did() {
    let (_sandbox, client) = start();
    let http = http();
    let faulty = |fault: &str| {
        Transport::new(Duration::from_millis(800)).with_header("X-Sandbox-Fault", fault)
    };
    let settle = |what: MoneyMove, snapshot: Option<Snapshot>| {
        let user = what.user().to_owned();
        let settle = Settle::new(what, snapshot, 0, RetryPolicy::NEVER);
        let before = balance(&client, &user);
        let settlement = http.settle(&client, settle);
        assert_eq!(balance(&client, &user), before, "settling moved money");
        settlement
    };
    let pending = http
        .call(&client, &deposits(), RetryPolicy::NEVER)
        .unwrap()
        .data;
    assert!(pending.len() >= 4, "the seed has pending deposits");

    // Processed, answer lost: applied. Not processed: still pending.
    for (fault, tx, want) in [
        ("500-after", &pending[0], SettleState::Applied),
        ("drop-after", &pending[1], SettleState::Applied),
        ("500", &pending[2], SettleState::NotApplied),
        ("drop", &pending[3], SettleState::NotApplied),
    ] {
        let e = faulty(fault)
            .call(&client, &accept(&tx.id, &tx.user), RetryPolicy::NEVER)
            .unwrap_err();
        assert_eq!(e.kind(), "outcome_unknown", "{fault}");
        let what = MoneyMove::from_params(
            &json!({"type": "deposit", "trans_id": tx.id, "user": tx.user, "action": "accept"}),
        )
        .unwrap();
        let s = settle(what, None);
        assert_eq!(s.state, want, "{fault}: {} {:?}", s.reason, s.evidence);
        let still_pending = http
            .call(&client, &deposits(), RetryPolicy::NEVER)
            .unwrap()
            .data
            .iter()
            .any(|t| t.id == tx.id);
        assert_eq!(
            still_pending,
            want == SettleState::NotApplied,
            "{fault}: the truth"
        );
    }

    // Manual: the history before sending is the snapshot.
    for (fault, want) in [
        ("500-after", SettleState::Applied),
        ("500", SettleState::NotApplied),
    ] {
        let history = UserHistoryParams {
            r#type: TxType::Deposit,
            user: seg("user", "LOREM"),
        };
        let snapshot = Snapshot::new(
            http.call(&client, &history, RetryPolicy::NEVER)
                .unwrap()
                .data,
        );
        let before = balance(&client, "LOREM");
        let money = ManualTransactionParams {
            r#type: TxType::Deposit,
            user: seg("user", "LOREM"),
            comment: seg("comment", "lost answer"),
            amount: Amount::parse("amount", "1234.50").unwrap(),
            operator: seg("operator", "OP01"),
        };
        let e = faulty(fault)
            .call(&client, &money, RetryPolicy::NEVER)
            .unwrap_err();
        assert_eq!(e.kind(), "outcome_unknown", "{fault}");
        let what = MoneyMove::from_params(
            &json!({"type": "deposit", "user": "LOREM", "amount": "1234.50"}),
        )
        .unwrap();
        let s = settle(what, Some(snapshot));
        assert_eq!(s.state, want, "{fault}: {} {:?}", s.reason, s.evidence);
        let moved = balance(&client, "LOREM") - before;
        let expected = if want == SettleState::Applied {
            Decimal::from_str("1234.50").unwrap()
        } else {
            Decimal::ZERO
        };
        assert_eq!(moved, expected, "{fault}: the truth");
    }
}

#[test]
fn a_lost_bulk_manual_answer_settles_item_by_item() {
    let (_sandbox, client) = start();
    let http = http();
    let users = ["LOREM", "IPSUM", "LOREM"];
    let items = dynamic::batch_items(&json!([
        {"user": users[0], "amount": "100.10", "comment": "bulk 1", "operator": "OP01"},
        {"user": users[1], "amount": "200.20", "comment": "bulk 2", "operator": "OP01"},
        {"user": users[2], "amount": "300.30", "comment": "bulk 3", "operator": "OP01"}
    ]))
    .unwrap();
    let before = (balance(&client, "LOREM"), balance(&client, "IPSUM"));
    // The history reads go through, the bulk request is processed and its
    // answer lost (the fault header only on that one).
    let mut batch = Batch::new(TxType::Deposit, items).unwrap().with_snapshots();
    let faulty = Transport::new(Duration::from_secs(5)).with_header("X-Sandbox-Fault", "500-after");
    while let Some(request) = batch.next_request(&client) {
        let via = if request.endpoint() == EndpointId::MultipleTransaction {
            &faulty
        } else {
            &http
        };
        match via.send(&request) {
            Ok(a) => batch.record_response(&client, a.status, &a.body),
            Err(reason) => batch.record_transport_failure(&client, &reason),
        }
    }
    let outcomes = batch.finish();
    assert!(
        outcomes.iter().all(|o| o.status == ItemStatus::Unknown),
        "{outcomes:?}"
    );
    // LOREM got two deposits in one batch: both settle together (the two new
    // entries are the two items' amounts); IPSUM's single item settles.
    let states: Vec<SettleState> = outcomes
        .iter()
        .map(|o| {
            let s = Settle::from_unsettled(&o.unsettled().unwrap(), 0, RetryPolicy::NEVER).unwrap();
            http.settle(&client, s).state
        })
        .collect();
    assert_eq!(
        states,
        [
            SettleState::Applied,
            SettleState::Applied,
            SettleState::Applied
        ]
    );
    assert_eq!(
        (balance(&client, "LOREM"), balance(&client, "IPSUM")),
        (
            before.0 + Decimal::from_str("400.40").unwrap(),
            before.1 + Decimal::from_str("200.20").unwrap()
        ),
        "the truth: all three were processed, once"
    );
}

#[test]
fn a_lost_batch_accept_answer_settles_item_by_item_under_every_fault() {
    let (_sandbox, client) = start();
    let http = http();
    let pending = http
        .call(&client, &deposits(), RetryPolicy::NEVER)
        .unwrap()
        .data;
    let mut next = pending.iter();
    for (fault, want) in [
        ("500-after", SettleState::Applied),
        ("drop-after", SettleState::Applied),
        ("500", SettleState::NotApplied),
        ("drop", SettleState::NotApplied),
    ] {
        let picked: Vec<_> = next.by_ref().take(2).collect();
        assert_eq!(picked.len(), 2, "the seed has enough pending deposits");
        let items = dynamic::batch_items(&Value::Array(
            picked
                .iter()
                .map(|t| json!({"trans_id": t.id, "user": t.user, "action": "accept", "comment": "batch", "operator": "OP01"}))
                .collect(),
        ))
        .unwrap();
        let faulty = Transport::new(Duration::from_secs(5)).with_header("X-Sandbox-Fault", fault);
        let outcomes = faulty.batch(&client, TxType::Deposit, items).unwrap();
        for (o, t) in outcomes.iter().zip(&picked) {
            assert_eq!(o.status, ItemStatus::Unknown, "{fault}");
            let before = balance(&client, &t.user);
            let s = http.settle(
                &client,
                Settle::from_unsettled(&o.unsettled().unwrap(), 0, RetryPolicy::NEVER).unwrap(),
            );
            assert_eq!(balance(&client, &t.user), before, "settling moved money");
            assert_eq!(s.state, want, "{fault}: {}", s.reason);
            let still_pending = http
                .call(&client, &deposits(), RetryPolicy::NEVER)
                .unwrap()
                .data
                .iter()
                .any(|p| p.id == t.id);
            assert_eq!(
                still_pending,
                want == SettleState::NotApplied,
                "{fault}: the truth"
            );
        }
    }
}

#[test]
fn a_request_still_in_flight_settles_after_the_settle_delay() {
    let (_sandbox, client) = start();
    let http = http();
    let tx = http
        .call(&client, &deposits(), RetryPolicy::NEVER)
        .unwrap()
        .data[0]
        .clone();
    // The answer is lost at once; the sandbox processes the accept 100 ms later.
    let e = Transport::new(Duration::from_secs(5))
        .with_header("X-Sandbox-Fault", "late=100")
        .call(&client, &accept(&tx.id, &tx.user), RetryPolicy::NEVER)
        .unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    let what = MoneyMove::from_params(
        &json!({"type": "deposit", "trans_id": tx.id, "user": tx.user, "action": "accept"}),
    )
    .unwrap();
    // Waiting settle_delay first lets the in-flight request land.
    let s = http.settle(&client, Settle::new(what, None, 2_000, RetryPolicy::NEVER));
    assert_eq!(s.state, SettleState::Applied, "{}", s.reason);
    let pending = http
        .call(&client, &deposits(), RetryPolicy::NEVER)
        .unwrap()
        .data;
    assert!(
        pending.iter().all(|t| t.id != tx.id),
        "the truth: processed"
    );
}

#[test]
fn retry_after_reaches_the_driver_through_the_transport() {
    let (_sandbox, client) = start();
    let faulty = Transport::new(Duration::from_secs(5)).with_header("X-Sandbox-Fault", "429=7");
    let mut call = Call::new(&client, &GameListParams, RetryPolicy::default());
    let answer = faulty.send(call.request()).unwrap();
    assert_eq!(answer.status, 429);
    let headers: Vec<(&str, &str)> = answer
        .headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    match call.record_response(
        &client,
        answer.status,
        &headers,
        &answer.body,
        Clock::default(),
    ) {
        Next::Retry { delay_ms, error } => {
            assert_eq!(
                delay_ms, 5_000,
                "Retry-After 7 s, capped by the policy's 5 s"
            );
            assert_eq!(error.status(), Some(429));
        }
        Next::Done(r) => panic!("a 429 read was not retried: {r:?}"),
    }
    // A money move answered 503 with Retry-After is never retried.
    let tx = http()
        .call(&client, &deposits(), RetryPolicy::NEVER)
        .unwrap()
        .data[0]
        .clone();
    let e = Transport::new(Duration::from_secs(5))
        .with_header("X-Sandbox-Fault", "503=1")
        .call(&client, &accept(&tx.id, &tx.user), RetryPolicy::default())
        .unwrap_err();
    assert_eq!((e.kind(), e.status()), ("outcome_unknown", Some(503)));
}

#[test]
fn fifty_concurrent_accepts_credit_once() {
    let (_sandbox, client) = start();
    let before = balance(&client, "IPSUM");
    let barrier = Arc::new(Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (client, barrier) = (client.clone(), barrier.clone());
            std::thread::spawn(move || {
                let http = http();
                barrier.wait();
                http.call(&client, &accept("123450001", "IPSUM"), RetryPolicy::NEVER)
            })
        })
        .collect();
    let results: Vec<_> = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .collect();
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let refusals = results.iter().filter_map(|r| r.as_ref().err());
    assert!(refusals
        .clone()
        .all(|e| e.api_kind() == Some(ApiErrorKind::TransactionNotFound)));
    assert_eq!(balance(&client, "IPSUM"), before + Decimal::from(1_000_000));
}

#[test]
fn a_burst_of_reads_completes_without_errors() {
    let (sandbox, client) = start();
    const CLIENTS: usize = 20;
    const EACH: usize = 250;
    let started = Instant::now();
    let handles: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let client = client.clone();
            std::thread::spawn(move || {
                let http = http();
                let user = seg("user", if i % 2 == 0 { "LOREM" } else { "IPSUM" });
                let params = UserBalanceParams { user };
                (0..EACH)
                    .filter(|_| http.call(&client, &params, RetryPolicy::NEVER).is_err())
                    .count()
            })
        })
        .collect();
    let errors: usize = handles
        .into_iter()
        .map(|h| h.join().expect("no panic"))
        .sum();
    let elapsed = started.elapsed();
    assert_eq!(errors, 0);
    assert!(requests_served(&sandbox) >= (CLIENTS * EACH) as u64);
    let rate = (CLIENTS * EACH) as f64 / elapsed.as_secs_f64();
    println!(
        "burst: {} requests from {CLIENTS} clients in {elapsed:?} ({rate:.0} req/s)",
        CLIENTS * EACH
    );
}

#[test]
fn the_spec_quirks_read_like_clean_json() {
    let start_with = |quirks| {
        let config = Config::default().with_token(TOKEN).with_quirks(quirks);
        let sandbox = Sandbox::start(config).expect("the sandbox binds 127.0.0.1:0");
        let client = Client::new(sandbox.base_url(), sandbox.token()).expect("valid");
        (sandbox, client)
    };
    let (_clean, clean_client) = start_with(idn_toto_sandbox::Quirks::None);
    let (quirky, quirky_client) = start_with(idn_toto_sandbox::Quirks::Spec);
    let http = http();
    let date = NaiveDate::from_ymd_opt(2024, 5, 17).unwrap();
    for id in [
        EndpointId::TransactionList,
        EndpointId::FullTransaction,
        EndpointId::BankList,
    ] {
        let params = match id {
            EndpointId::TransactionList => json!({"type": "deposit"}),
            EndpointId::FullTransaction => {
                json!({"user": "LOREMS", "page": 1, "date": date.to_string()})
            }
            _ => json!({}),
        };
        let read = |client: &Client| {
            let request = dynamic::build(client, id, &params).unwrap();
            let answer = http.send(&request).unwrap();
            (
                dynamic::parse_with(client, id, answer.status, &answer.body).unwrap(),
                answer.body,
            )
        };
        let (clean, clean_raw) = read(&clean_client);
        let (quirked, raw) = read(&quirky_client);
        assert_ne!(raw, clean_raw, "{id}: the quirky body differs on the wire");
        if id != EndpointId::FullTransaction {
            // (the duplicate `message` key is still JSON syntax)
            assert!(
                serde_json::from_slice::<Value>(&raw).is_err(),
                "{id}: not strict JSON"
            );
        }
        assert_eq!(clean, quirked, "{id}: the same canonical value");
    }
    drop(quirky);
}
