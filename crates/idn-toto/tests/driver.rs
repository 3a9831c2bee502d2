//! The one driver: every operation (call, batch, paging, settling) run by
//! the same host loop against scripted answers, checking the order of what
//! the driver asks for (journal lines before sends, events, waits) and that
//! no step ever carries the token.

#![allow(clippy::unwrap_used)]

use idn_toto::*;
use serde_json::{json, Value};

const TOKEN: &str = "S3CR3T-T0KEN";

fn client() -> Client {
    Client::new("https://agent.example/home.php", TOKEN).unwrap()
}

/// An answer: status, headers, body; or a transport failure.
type Answer = Result<(u16, Vec<(&'static str, &'static str)>, Vec<u8>), &'static str>;

fn ok(body: &str) -> Answer {
    Ok((200, vec![], body.as_bytes().to_vec()))
}

/// What the host saw, in order.
#[derive(Debug, Default)]
struct Log {
    sent: Vec<String>,
    waits: Vec<u64>,
    journal: Vec<Value>,
    events: Vec<Event>,
    pages: Vec<Value>,
    /// The order of steps: `send`, `wait`, `journal`, `event:KIND`, `page`.
    order: Vec<String>,
}

/// The host loop, complete: what every binding does with real IO.
fn run(
    mut driver: Driver,
    mut answer: impl FnMut(&Request) -> Answer,
) -> (Log, Result<Output, Error>) {
    let mut log = Log::default();
    let clock = Clock::new(4, Some(1_764_504_000)); // 2025-11-30T12:00:00Z
    for _ in 0..10_000 {
        match driver.next(clock) {
            Step::Claim(claim) => panic!("no keys here: {claim:?}"),
            Step::Send(request) => {
                log.order.push("send".into());
                log.sent.push(request.redacted_url().to_owned());
                match answer(&request) {
                    Ok((status, headers, body)) => {
                        driver.record_response(status, &headers, &body, clock)
                    }
                    Err(reason) => driver.record_transport_failure(reason, clock),
                }
            }
            Step::Wait(ms) => {
                log.order.push("wait".into());
                log.waits.push(ms);
            }
            Step::Journal(line) => {
                assert!(line.ends_with('\n') && !line[..line.len() - 1].contains('\n'));
                log.order.push("journal".into());
                log.journal.push(serde_json::from_str(&line).unwrap());
            }
            Step::Event(event) => {
                log.order.push(format!("event:{}", event.kind.as_str()));
                log.events.push(event);
            }
            Step::Page(page) => {
                log.order.push("page".into());
                log.pages.push(page.to_json());
            }
            Step::Done(result) => {
                let everything = format!("{log:?} {result:?}");
                for form in [TOKEN, "S3CR3T%2DT0KEN", "s3cr3t-t0ken"] {
                    assert!(!everything.contains(form), "{form} leaked: {everything}");
                }
                // Asking again gives the same result.
                assert_eq!(
                    format!("{:?}", driver.next(clock)),
                    format!("{:?}", Step::Done(result.clone()))
                );
                return (log, result);
            }
        }
    }
    panic!("the driver never finished");
}

fn options() -> DriverOptions {
    DriverOptions::default()
}

const BALANCE: &str = r#"{"success":true,"user":"lorem","balance":"8900.00"}"#;
const PROCESSED: &str =
    r#"{"success":true,"message":"Transaction has been successfully processed."}"#;

fn accept() -> Value {
    json!({"type":"deposit","trans_id":"123","user":"LOREM","action":"accept","comment":"ok","operator":"OP01"})
}

/// Thirty accept items of one batch.
fn thirty_accepts() -> Value {
    let items: Vec<Value> = (0..30)
        .map(|i| json!({"trans_id": format!("{}", 100 + i), "user": "LOREM", "action": "accept", "comment": "c", "operator": "o"}))
        .collect();
    json!({"type":"deposit","transaction": items})
}

/// `options()` journaling under `id`.
fn journaled(id: &str) -> DriverOptions {
    DriverOptions {
        journal_id: Some(id.into()),
        ..options()
    }
}

/// A driver for one call of `endpoint`.
fn call(endpoint: EndpointId, params: Value, options: DriverOptions) -> Result<Driver, Error> {
    Driver::call(&client(), endpoint, &params, options)
}

fn manual() -> Value {
    json!({"type":"withdraw","user":"LOREM","comment":"fix","amount":"2500.50","operator":"OP01"})
}

#[test]
fn a_read_is_retried_as_retry_after_says_and_every_step_is_an_event() {
    let driver = call(EndpointId::UserBalance, json!({"user":"LOREM"}), options()).unwrap();
    let mut answers = vec![
        ok(BALANCE),
        Ok((
            503,
            vec![("Retry-After", "2")],
            b"busy S3CR3T-T0KEN".to_vec(),
        )),
        Err("reset S3CR3T-T0KEN"),
    ];
    let (log, result) = run(driver, |_| answers.pop().unwrap());
    let Output::Response(AnyResponse::UserBalance(b)) = result.unwrap() else {
        panic!()
    };
    assert_eq!(b.balance.to_string(), "8900.00");
    assert_eq!(log.waits, [200, 2000], "backoff, then Retry-After");
    assert_eq!(
        log.order,
        [
            "event:attempt",
            "send",
            "event:transport_failure",
            "event:retry",
            "wait",
            "event:attempt",
            "send",
            "event:response",
            "event:retry",
            "wait",
            "event:attempt",
            "send",
            "event:response",
            "event:done",
        ]
    );
    let done = log.events.last().unwrap();
    assert_eq!(done.attempt, 2);
    assert_eq!(done.elapsed_ms, Some(4 * 3 + 200 + 2000));
    assert_eq!(log.events[2].error_kind, Some("transport"));
    assert_eq!(log.events[4].status, Some(503));
    assert_eq!(log.events[7].status, Some(200));
    assert!(log
        .events
        .iter()
        .all(|e| e.url == "https://agent.example/home.php/***/player_info/LOREM"));
}

#[test]
fn bad_parameters_are_refused_before_anything_is_sent() {
    let c = client();
    let e = call(EndpointId::UserBalance, json!({"user":"a/b"}), options()).unwrap_err();
    assert_eq!(e.kind(), "invalid_request");
    assert!(e.to_string().contains("user"), "{e}");
    let e = Driver::pages(
        &c,
        EndpointId::UserBalance,
        &json!({"user":"LOREM"}),
        options(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("not paged"), "{e}");
    let e = Driver::batch(&c, &json!({"type":"deposit","transaction":[]}), options()).unwrap_err();
    assert_eq!(e.kind(), "invalid_request");
    // A multiple call with a journal is refused in every door (a batch
    // journals its items one by one).
    let multiple = json!({"type":"deposit","transaction":[{"trans_id":"1","user":"u","action":"accept","comment":"c","operator":"o"}]});
    let journaled = journaled("j");
    let e = Driver::call(
        &c,
        EndpointId::MultipleTransaction,
        &multiple,
        journaled.clone(),
    )
    .unwrap_err();
    assert!(e.to_string().contains("journal_id"), "{e}");
    let typed = MultipleTransactionParams::from_json(&multiple).unwrap();
    assert!(Driver::call_typed(&c, &typed, journaled.clone()).is_err());
    assert!(Driver::call_request(&c, c.request(&typed), journaled).is_err());
    assert!(Driver::call_typed(&c, &typed, options()).is_ok());
}

/// A money move whose parameters or operation key hold the token (in any
/// form the scrubber finds) ends at its first step with `invalid_request`
/// naming the field: nothing is claimed, journaled or sent, and the token is
/// in nothing the host sees (`run` checks every step and the result). Reads
/// may carry it (their URL is redacted, nothing of them is kept).
#[test]
fn a_money_move_holding_the_token_is_refused_before_anything_happens() {
    let c = client();
    let forms = [
        format!("note {TOKEN}"),
        "s3cr3t-t0ken".to_owned(),
        "x S3CR3T%2DT0KEN".to_owned(),
    ];
    for form in &forms {
        let mut params = manual();
        params["comment"] = json!(form);
        let driver = call(EndpointId::ManualTransaction, params, journaled("j")).unwrap();
        let (log, result) = run(driver, |_| ok(PROCESSED));
        let e = result.unwrap_err();
        assert_eq!(
            (e.kind(), e.field()),
            ("invalid_request", Some("comment")),
            "{e}"
        );
        assert_eq!(log.order, Vec::<String>::new(), "{form}: nothing happened");

        let mut batch = thirty_accepts();
        batch["transaction"][7]["operator"] = json!(form);
        let (log, result) = run(Driver::batch(&c, &batch, journaled("b")).unwrap(), |_| {
            ok(PROCESSED)
        });
        let e = result.unwrap_err();
        assert_eq!(e.field(), Some("transaction[7].operator"), "{e}");
        assert!(log.order.is_empty());
    }
    // An operation key holding it: refused where the key is given.
    let key = OperationKey::parse("key", &format!("bonus:{TOKEN}")).unwrap();
    let e = call(EndpointId::ManualTransaction, manual(), journaled("j"))
        .unwrap()
        .with_key(key.clone())
        .unwrap_err();
    assert_eq!(e.field(), Some("key"));
    assert!(!format!("{e} {e:?}").contains(TOKEN));
    let mut batch = thirty_accepts();
    batch["transaction"][3]["key"] = json!(format!("bonus:{TOKEN}"));
    let e = Driver::batch(&c, &batch, journaled("b")).unwrap_err();
    assert_eq!(e.field(), Some("transaction[3].key"));
    // A read may name it: it is sent, and scrubbed from the URL every event
    // and error shows (`run` checks them).
    let driver = call(
        EndpointId::UserBalance,
        json!({"user": format!("u{TOKEN}")}),
        options(),
    );
    let (log, result) = run(driver.unwrap(), |_| ok(BALANCE));
    assert!(result.is_ok(), "{result:?}");
    assert_eq!(
        log.sent,
        ["https://agent.example/home.php/***/player_info/u***"]
    );
}

#[test]
fn a_money_move_is_journaled_around_its_single_send() {
    let opts = journaled("j1");
    let driver = call(EndpointId::AcceptReject, accept(), opts.clone()).unwrap();
    let (log, result) = run(driver, |_| ok(PROCESSED));
    assert!(result.is_ok());
    assert_eq!(
        log.order,
        [
            "journal",
            "event:attempt",
            "send",
            "event:response",
            "event:done",
            "journal"
        ]
    );
    assert_eq!(log.journal[0]["event"], "intent");
    assert_eq!(log.journal[0]["id"], "j1");
    assert_eq!(log.journal[0]["at"], "2025-11-30T12:00:00Z");
    assert_eq!(log.journal[0]["params"]["trans_id"], "123");
    assert_eq!(log.journal[1]["state"], "succeeded");
    assert_eq!(
        log.journal[1]["message"],
        "Transaction has been successfully processed."
    );

    // A lost answer: sent once, journaled unknown, carries what settling needs.
    let driver = call(EndpointId::AcceptReject, accept(), opts.clone()).unwrap();
    let (log, result) = run(driver, |_| Err("timed out"));
    let e = result.unwrap_err();
    assert_eq!(e.kind(), "outcome_unknown");
    assert_eq!(e.unsettled().unwrap().params["trans_id"], "123");
    // Its journal id, for the `settled` line (issue 20, J5).
    assert_eq!(e.journal_id(), Some("j1"));
    assert_eq!(e.to_json()["error"]["unsettled"]["journal_id"], "j1");
    assert_eq!(log.sent.len(), 1, "a money move is never sent twice");
    assert_eq!(log.journal[1]["state"], "unknown");

    // A definite refusal.
    let driver = call(EndpointId::AcceptReject, accept(), opts).unwrap();
    let (log, result) = run(driver, |_| {
        ok(r#"{"success":false,"message":"Transaction not found"}"#)
    });
    assert_eq!(result.unwrap_err().kind(), "api");
    assert_eq!(log.journal[1]["state"], "failed");
    assert_eq!(log.events.last().unwrap().error_kind, Some("api"));
}

#[test]
fn a_manual_move_reads_the_history_first_when_snapshots_are_on() {
    let c = client();
    let opts = DriverOptions {
        journal_id: Some("m1".into()),
        snapshots: true,
        ..options()
    };
    let history = r#"{"success":true,"user":"lorem","data":[{"date":"2024-05-17 10:00:00","amount":"100","status":"ACCEPT"}]}"#;
    let driver = call(EndpointId::ManualTransaction, manual(), opts.clone()).unwrap();
    let (log, result) = run(driver, |r| match r.endpoint() {
        EndpointId::UserHistory => ok(history),
        _ => Err("timed out"),
    });
    assert_eq!(log.sent.len(), 2);
    assert!(log.sent[0].contains("/history/wd/LOREM"), "{:?}", log.sent);
    let e = result.unwrap_err();
    assert_eq!(
        e.unsettled()
            .unwrap()
            .snapshot
            .as_ref()
            .unwrap()
            .entries
            .len(),
        1
    );
    assert_eq!(log.journal[0]["snapshot"]["entries"][0]["amount"], "100");
    let order: Vec<&str> = log
        .order
        .iter()
        .map(String::as_str)
        .filter(|s| !s.starts_with("event"))
        .collect();
    assert_eq!(order, ["send", "journal", "send", "journal"]);

    // The history can't be read: nothing is sent, its error is the result.
    let driver = Driver::call(
        &c,
        EndpointId::ManualTransaction,
        &manual(),
        DriverOptions {
            retry: RetryPolicy::NEVER,
            ..opts
        },
    )
    .unwrap();
    let (log, result) = run(driver, |_| Ok((500, vec![], b"oops".to_vec())));
    assert_eq!(log.sent.len(), 1);
    assert!(log.journal.is_empty());
    assert_eq!(result.unwrap_err().kind(), "http");
}

#[test]
fn a_batch_journals_each_request_s_items_before_it_leaves() {
    let c = client();
    let params = thirty_accepts();
    let opts = journaled("b");
    let driver = Driver::batch(&c, &params, opts).unwrap();
    let mut n = 0;
    let (log, result) = run(driver, |_| {
        n += 1;
        if n == 1 {
            ok(r#"{"success":true,"message":"All transactions has been successfully processed."}"#)
        } else {
            Err("timed out")
        }
    });
    let Output::Outcomes {
        outcomes,
        journal_ids,
    } = result.unwrap()
    else {
        panic!()
    };
    assert_eq!(outcomes.len(), 30);
    assert!(outcomes[..25]
        .iter()
        .all(|o| o.status == ItemStatus::Succeeded));
    assert!(outcomes[25..]
        .iter()
        .all(|o| o.status == ItemStatus::Unknown));
    assert_eq!(journal_ids[0].as_deref(), Some("b-0"));
    assert_eq!(journal_ids[29].as_deref(), Some("b-29"));
    // Every outcome carries its journal id, and settling an unknown one
    // takes it along (issue 20, J5).
    for (i, o) in outcomes.iter().enumerate() {
        assert_eq!(o.journal_id.as_deref(), Some(format!("b-{i}").as_str()));
    }
    assert_eq!(
        outcomes[29].unsettled().unwrap().journal_id.as_deref(),
        Some("b-29")
    );
    assert!(outcomes[0].unsettled().is_none());
    let first_send = log.order.iter().position(|s| s == "send").unwrap();
    assert_eq!(
        log.order[..first_send]
            .iter()
            .filter(|s| *s == "journal")
            .count(),
        25
    );
    assert_eq!(log.journal.len(), 60, "an intent and an outcome per item");
    assert_eq!(log.journal[25]["state"], "succeeded");
    assert_eq!(log.journal[59]["state"], "unknown");
    assert_eq!(log.journal[59]["id"], "b-29");
    let out = Output::Outcomes {
        outcomes,
        journal_ids,
    }
    .to_json();
    assert_eq!(out[29]["journal_id"], "b-29");
}

#[test]
fn pages_come_out_one_by_one_until_the_last() {
    let c = client();
    let page = |n: u64| {
        format!(
            r#"{{"success":true,"page":{n},"total_page":3,"data":[{{"user":"lorem","date":"2024-05-17","periode":"p{n}","gamecode":"HK","pasar":"HONGKONG","turnover":"1","winlose":"-1"}}]}}"#
        )
    };
    let driver = Driver::pages(
        &c,
        EndpointId::FullTransaction,
        &json!({"user":"LOREM"}),
        options(),
    )
    .unwrap();
    let mut n = 0;
    let (log, result) = run(driver, |_| {
        n += 1;
        if n == 2 {
            return Ok((502, vec![], b"bad gateway".to_vec()));
        }
        ok(&page(if n > 2 { n - 1 } else { n }))
    });
    assert_eq!(result.unwrap(), Output::Pages { pages_read: 3 });
    assert_eq!(log.pages.len(), 3);
    assert_eq!(log.pages[2]["data"][0]["periode"], "p3");
    assert!(
        log.sent[2].ends_with("/full_transaction/LOREM/2"),
        "{:?}",
        log.sent
    );
    assert!(
        log.sent[3].ends_with("/full_transaction/LOREM/3"),
        "{:?}",
        log.sent
    );

    // A server that always has more pages is stopped at max_pages.
    let opts = DriverOptions {
        max_pages: 2,
        ..options()
    };
    let driver = Driver::pages(
        &c,
        EndpointId::FullTransaction,
        &json!({"user":"LOREM"}),
        opts,
    )
    .unwrap();
    let mut n = 0;
    let (log, result) = run(driver, |_| {
        n += 1;
        ok(&page(n))
    });
    assert_eq!(log.pages.len(), 2);
    assert!(result.unwrap_err().to_string().contains("max_pages = 2"));
}

#[test]
fn settling_is_driven_by_the_same_loop_and_journaled() {
    let c = client();
    let unsettled = Unsettled {
        endpoint: EndpointId::AcceptReject,
        params: MoveParams::parse(accept()).unwrap(),
        snapshot: None,
        server: Some(c.fingerprint().to_owned()),
        journal_id: None,
        key: None,
    };
    let opts = DriverOptions {
        journal_id: Some("j1".into()),
        settle_delay_ms: 50,
        ..options()
    };
    let driver = Driver::settle(&c, &unsettled, opts).unwrap();
    let latest = r#"{"success":true,"user":"lorem","data":{"date":"2024-05-17 10:00:00","amount":"50000","status":"ACCEPT"}}"#;
    let mut first = true;
    let (log, result) = run(driver, |r| match r.endpoint() {
        EndpointId::TransactionList if std::mem::take(&mut first) => Err("reset"),
        EndpointId::TransactionList => ok("{}"),
        _ => ok(latest),
    });
    let Output::Settlement(s) = result.unwrap() else {
        panic!()
    };
    assert_eq!(s.state, SettleState::Applied);
    assert_eq!(
        log.waits,
        [50, 200],
        "the settle delay, then a retry's backoff"
    );
    assert!(log.order.contains(&"event:retry".to_string()));
    assert_eq!(log.journal.len(), 1);
    assert_eq!(log.journal[0]["event"], "settled");
    assert_eq!(log.journal[0]["state"], "applied");
    assert_eq!(log.journal[0]["id"], "j1");

    // The journal's open moves, settled in order.
    let text = [
        JournalRecord::intent("a", EndpointId::AcceptReject, accept(), None, "t").unwrap().to_line(),
        JournalRecord::intent("b", EndpointId::AcceptReject, json!({"type":"deposit","trans_id":"9","user":"LOREM","action":"reject","comment":"c","operator":"o"}), None, "t").unwrap().to_line(),
    ]
    .concat();
    let open = Journal::read(&text).unwrap().unsettled();
    let driver = Driver::settle_open(
        &c,
        &open,
        DriverOptions {
            settle_delay_ms: 30,
            ..options()
        },
    )
    .unwrap();
    let pending9 = r#"{"1":{"id":"9","user":"LOREM","date":"23-02-2021 15:38:48","type":"deposit","game":"g","bank_acc_name":"x","bank_name":"BNI","bank_acc_number":"1","amount":"1","destination_bank":"BNI","destination_acc_number":"1"}}"#;
    let (log, result) = run(driver, |r| match r.endpoint() {
        EndpointId::TransactionList => ok(pending9),
        _ => ok(latest),
    });
    let Output::Settlements(list) = result.unwrap() else {
        panic!()
    };
    // The delay, and again before the read that confirms "b" is still
    // pending.
    assert_eq!(log.waits, [30, 30]);
    assert_eq!(
        list.iter()
            .map(|(id, s)| (id.as_str(), s.state))
            .collect::<Vec<_>>(),
        [("a", SettleState::Applied), ("b", SettleState::NotApplied)]
    );
    assert_eq!(
        log.journal
            .iter()
            .map(|l| l["state"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["applied", "not_applied"]
    );
}

#[test]
fn an_abort_while_a_money_move_is_in_flight_is_an_unknown_outcome() {
    let opts = journaled("x");
    let mut driver = call(EndpointId::ManualTransaction, manual(), opts).unwrap();
    let clock = Clock::default();
    loop {
        if let Step::Send(_) = driver.next(clock) {
            break;
        }
    }
    driver.record_transport_failure("aborted", clock);
    let mut lines = Vec::new();
    let result = loop {
        match driver.next(clock) {
            Step::Journal(line) => lines.push(line),
            Step::Done(r) => break r,
            Step::Event(_) => {}
            other => panic!("{other:?}"),
        }
    };
    assert_eq!(result.unwrap_err().kind(), "outcome_unknown");
    assert!(lines[0].contains(r#""state":"unknown""#), "{lines:?}");
}

#[test]
fn asking_again_without_an_answer_counts_as_a_failed_send() {
    let mut driver = call(EndpointId::AcceptReject, accept(), options()).unwrap();
    let clock = Clock::default();
    let mut sends = 0;
    let result = loop {
        match driver.next(clock) {
            Step::Send(_) => sends += 1,
            Step::Done(r) => break r,
            _ => {}
        }
    };
    assert_eq!(sends, 1);
    assert_eq!(result.unwrap_err().kind(), "outcome_unknown");
}

#[test]
fn events_carry_bodies_only_when_asked_and_scrubbed() {
    let c = client();
    let opts = DriverOptions {
        bodies: true,
        retry: RetryPolicy::NEVER,
        ..options()
    };
    let driver = call(EndpointId::GameList, json!({}), opts).unwrap();
    let (log, _) = run(driver, |_| {
        Ok((
            500,
            vec![],
            format!("echo {TOKEN} {}", "x".repeat(10_000)).into_bytes(),
        ))
    });
    let body = log.events.iter().find_map(|e| e.body.clone()).unwrap();
    assert!(body.starts_with("echo "), "{body}");
    assert!(body.chars().count() <= EVENT_BODY_MAX + 3, "{}", body.len());
    let driver = Driver::call(
        &c,
        EndpointId::GameList,
        &json!({}),
        DriverOptions {
            retry: RetryPolicy::NEVER,
            ..options()
        },
    )
    .unwrap();
    let (log, _) = run(driver, |_| Ok((500, vec![], b"x".to_vec())));
    assert!(log.events.iter().all(|e| e.body.is_none()));
}

/// Drives `driver`, answering sends with `answer` until `stop` says a send
/// never left; returns the journal lines and the result.
fn run_until_not_sent(
    mut driver: Driver,
    mut stop: impl FnMut(usize) -> bool,
    mut answer: impl FnMut(&Request) -> Answer,
) -> (Vec<Value>, Result<Output, Error>) {
    let clock = Clock::new(1, Some(1_764_504_000));
    let (mut lines, mut sends) = (Vec::new(), 0);
    loop {
        match driver.next(clock) {
            Step::Send(request) => {
                sends += 1;
                if stop(sends) {
                    driver.record_not_sent("aborted by the caller", clock);
                    continue;
                }
                match answer(&request) {
                    Ok((status, headers, body)) => {
                        driver.record_response(status, &headers, &body, clock)
                    }
                    Err(reason) => driver.record_transport_failure(reason, clock),
                }
            }
            Step::Journal(line) => lines.push(serde_json::from_str(&line).unwrap()),
            Step::Done(result) => return (lines, result),
            _ => {}
        }
    }
}

#[test]
fn a_money_move_that_never_left_is_not_sent_not_unknown() {
    let c = client();
    let opts = journaled("a1");
    let driver = call(EndpointId::AcceptReject, accept(), opts.clone()).unwrap();
    let (lines, result) = run_until_not_sent(driver, |_| true, |_| ok(PROCESSED));
    let e = result.unwrap_err();
    assert_eq!(e.kind(), "transport", "{e}");
    assert!(e.unsettled().is_none(), "nothing to settle");
    assert_eq!(lines[1]["state"], "not_sent");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    assert!(
        Journal::read(&text).unwrap().unsettled().is_empty(),
        "not_sent is definite"
    );

    // A batch: the first request answered, the second never left.
    let driver = Driver::batch(&c, &thirty_accepts(), opts).unwrap();
    let (lines, result) = run_until_not_sent(
        driver,
        |n| n == 2,
        |_| ok(r#"{"success":true,"message":"All transactions has been successfully processed."}"#),
    );
    let Output::Outcomes { outcomes, .. } = result.unwrap() else {
        panic!()
    };
    assert!(outcomes[..25]
        .iter()
        .all(|o| o.status == ItemStatus::Succeeded));
    assert!(
        outcomes[25..]
            .iter()
            .all(|o| o.status == ItemStatus::NotSent),
        "{:?}",
        outcomes[25]
    );
    assert_eq!(lines.iter().filter(|l| l["state"] == "not_sent").count(), 5);

    // A read that never left is a transport failure, retried as usual.
    let driver = call(EndpointId::UserBalance, json!({"user":"LOREM"}), options()).unwrap();
    let (_, result) = run_until_not_sent(driver, |n| n == 1, |_| ok(BALANCE));
    assert!(result.is_ok());
}

/// The host loop with a journal whose appends fail when `fails` says so
/// (the host then reports it with `record_journal_failure`). Returns the
/// lines written, the requests sent, the event kinds, the result and the
/// driver's count of lost lines.
fn run_with_failing_journal(
    mut driver: Driver,
    mut answer: impl FnMut(&Request) -> Answer,
    mut fails: impl FnMut(&Value) -> bool,
) -> (Vec<Value>, usize, Vec<String>, Result<Output, Error>, u32) {
    let clock = Clock::new(4, Some(1_764_504_000));
    let (mut written, mut sent, mut kinds) = (Vec::new(), 0, Vec::new());
    for _ in 0..10_000 {
        match driver.next(clock) {
            Step::Claim(claim) => panic!("no keys here: {claim:?}"),
            Step::Send(request) => {
                sent += 1;
                match answer(&request) {
                    Ok((status, headers, body)) => {
                        driver.record_response(status, &headers, &body, clock)
                    }
                    Err(reason) => driver.record_transport_failure(reason, clock),
                }
            }
            Step::Journal(line) => {
                let record: Value = serde_json::from_str(&line).unwrap();
                if fails(&record) {
                    driver.record_journal_failure("No space left on device (os error 28)");
                } else {
                    written.push(record);
                }
            }
            Step::Event(event) => kinds.push(event.kind.as_str().to_owned()),
            Step::Wait(_) | Step::Page(_) => {}
            Step::Done(result) => {
                let failures = driver.journal_failures();
                return (written, sent, kinds, result, failures);
            }
        }
    }
    panic!("the driver never finished");
}

/// The ids whose lines were lost when the lines `fails` picks could not be
/// written (every request answered `{}`).
fn unrecorded_of(mut driver: Driver, fails: impl Fn(&Value) -> bool) -> Vec<String> {
    let clock = Clock::new(4, Some(1_764_504_000));
    for _ in 0..10_000 {
        match driver.next(clock) {
            Step::Send(_) => driver.record_response(200, &[], b"{}", clock),
            Step::Journal(line) if fails(&serde_json::from_str(&line).unwrap()) => {
                driver.record_journal_failure("disk full");
            }
            Step::Done(_) => return driver.unrecorded().to_vec(),
            _ => {}
        }
    }
    panic!("the driver never finished");
}

#[test]
fn an_intent_that_cannot_be_written_sends_nothing() {
    let driver = call(EndpointId::AcceptReject, accept(), journaled("j")).unwrap();
    let (written, sent, _, result, failures) =
        run_with_failing_journal(driver, |_| ok(PROCESSED), |r| r["event"] == "intent");
    assert_eq!(sent, 0);
    assert!(written.is_empty());
    assert_eq!(failures, 0);
    let err = result.unwrap_err();
    assert_eq!(err.kind(), "invalid_request");
    assert_eq!(err.to_json()["error"]["field"], "journal");
    assert!(err.to_string().contains("No space left on device"), "{err}");
}

#[test]
fn an_outcome_that_cannot_be_written_keeps_the_answer() {
    let driver = call(EndpointId::AcceptReject, accept(), journaled("j")).unwrap();
    let (written, sent, kinds, result, failures) =
        run_with_failing_journal(driver, |_| ok(PROCESSED), |r| r["event"] == "outcome");
    assert_eq!(sent, 1);
    assert_eq!(written.len(), 1, "the intent only");
    assert_eq!(failures, 1);
    assert!(kinds.iter().any(|k| k == "journal_failure"), "{kinds:?}");
    let Output::Response(AnyResponse::AcceptReject(p)) = result.unwrap() else {
        panic!("not the move's answer")
    };
    assert_eq!(p.message, "Transaction has been successfully processed.");
}

#[test]
fn a_batch_whose_journal_fills_up_keeps_what_was_sent_and_sends_no_more() {
    let c = client();
    let driver = Driver::batch(&c, &thirty_accepts(), journaled("b")).unwrap();
    let (written, sent, _, result, failures) = run_with_failing_journal(
        driver,
        |_| ok(r#"{"success":true,"message":"All transactions has been successfully processed."}"#),
        |r| r["id"] == "b-27" && r["event"] == "intent",
    );
    assert_eq!(sent, 1, "the second request never left");
    assert_eq!(failures, 0);
    let Output::Outcomes { outcomes, .. } = result.unwrap() else {
        panic!()
    };
    assert_eq!(outcomes.len(), 30);
    assert!(outcomes[..25]
        .iter()
        .all(|o| o.status == ItemStatus::Succeeded));
    assert!(outcomes[25..]
        .iter()
        .all(|o| o.status == ItemStatus::NotSent));
    assert!(outcomes[29]
        .message
        .as_deref()
        .is_some_and(|m| m.contains("journal could not be written")));
    // Items 25 and 26 had their intents written: each gets its `not_sent`
    // line; 27 (failed) and 28, 29 (never handed out) have no line at all.
    let ids: Vec<String> = written
        .iter()
        .filter(|r| r["event"] == "outcome" && r["state"] == "not_sent")
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["b-25", "b-26"]);
    assert!(!written.iter().any(|r| r["id"] == "b-28"));
}

#[test]
fn a_batch_answer_cut_short_leaves_its_items_unknown() {
    let c = client();
    let body = r#"{"success":true,"message":"All transactions has been successfully processed."}"#;
    let driver = Driver::batch(&c, &thirty_accepts(), journaled("b")).unwrap();
    let (log, result) = run(driver, |_| {
        Ok((
            200,
            vec![("Content-Length", "4096")],
            body.as_bytes().to_vec(),
        ))
    });
    let Output::Outcomes { outcomes, .. } = result.unwrap() else {
        panic!()
    };
    assert_eq!(log.sent.len(), 1, "a batch stops at an unknown request");
    assert!(outcomes[..25]
        .iter()
        .all(|o| o.status == ItemStatus::Unknown));
    assert!(outcomes[0]
        .message
        .as_deref()
        .is_some_and(|m| m.contains("framing")));
}

#[test]
fn a_settled_line_that_cannot_be_written_keeps_the_verdict() {
    let unsettled = Unsettled {
        endpoint: EndpointId::AcceptReject,
        params: MoveParams::parse(accept()).unwrap(),
        snapshot: None,
        server: Some(client().fingerprint().to_owned()),
        journal_id: None,
        key: None,
    };
    let driver = Driver::settle(&client(), &unsettled, journaled("j1")).unwrap();
    let (written, _, kinds, result, failures) =
        run_with_failing_journal(driver, |_| ok("{}"), |r| r["event"] == "settled");
    assert!(written.is_empty());
    assert_eq!(failures, 1);
    assert!(kinds.iter().any(|k| k == "journal_failure"), "{kinds:?}");
    let driver = Driver::settle(&client(), &unsettled, journaled("j1")).unwrap();
    let unrecorded = unrecorded_of(driver, |r| r["event"] == "settled");
    assert_eq!(unrecorded, ["j1"], "which move's line was lost");
    let Output::Settlement(s) = result.unwrap() else {
        panic!("not the verdict")
    };
    assert_eq!(s.state, SettleState::Applied, "{s:?}");
}

// ------------------------------------------------- one exchange (issue 21)

/// A settlement read answered 503 with `Retry-After: 7` waits 7000 ms
/// before the next read, as a call does: every operation's reads go through
/// the same exchange (issue 21).
#[test]
fn a_settlement_read_honours_retry_after_like_a_call() {
    let c = client();
    // Waits up to ten seconds (the default caps at five).
    let opts = DriverOptions {
        retry: RetryPolicy {
            max_delay_ms: 10_000,
            ..RetryPolicy::default()
        },
        ..options()
    };
    let unsettled = Unsettled {
        endpoint: EndpointId::AcceptReject,
        params: MoveParams::parse(accept()).unwrap(),
        snapshot: None,
        server: Some(c.fingerprint().to_owned()),
        journal_id: None,
        key: None,
    };
    let latest = r#"{"success":true,"user":"lorem","data":{"date":"2024-05-17 10:00:00","amount":"50000","status":"ACCEPT"}}"#;
    let mut busy = true;
    let driver = Driver::settle(&c, &unsettled, opts.clone()).unwrap();
    let (log, result) = run(driver, |r| match r.endpoint() {
        EndpointId::TransactionList if std::mem::take(&mut busy) => {
            Ok((503, vec![("Retry-After", "7")], b"busy".to_vec()))
        }
        EndpointId::TransactionList => ok("{}"),
        _ => ok(latest),
    });
    let Output::Settlement(s) = result.unwrap() else {
        panic!()
    };
    assert_eq!(s.state, SettleState::Applied);
    assert_eq!(
        log.waits,
        [7_000],
        "the server's Retry-After, as for a call"
    );
    // The same wait a call makes for the same answer.
    let driver = call(EndpointId::GameList, json!({}), opts.clone()).unwrap();
    let mut busy = true;
    let (call_log, _) = run(driver, |_| {
        if std::mem::take(&mut busy) {
            Ok((503, vec![("Retry-After", "7")], b"busy".to_vec()))
        } else {
            ok(r#"{"success":true,"data":[]}"#)
        }
    });
    assert_eq!(call_log.waits, log.waits);
    // And the same events, read by read: attempt, response, retry,
    // attempt, response, done.
    let kinds: Vec<&str> = log
        .events
        .iter()
        .take_while(|e| e.endpoint == EndpointId::TransactionList)
        .map(|e| e.kind.as_str())
        .collect();
    assert_eq!(
        kinds,
        ["attempt", "response", "retry", "attempt", "response", "done"]
    );
    let retry = &log.events[2];
    assert_eq!(retry.delay_ms, Some(7_000));
    assert_eq!(retry.error_kind, Some("http"));
    // The cap is the policy's longest delay, as for a call.
    let mut busy = true;
    let driver = Driver::settle(&c, &unsettled, opts.clone()).unwrap();
    let (log, _) = run(driver, |r| match r.endpoint() {
        EndpointId::TransactionList if std::mem::take(&mut busy) => {
            Ok((503, vec![("Retry-After", "3600")], b"busy".to_vec()))
        }
        EndpointId::TransactionList => ok("{}"),
        _ => ok(latest),
    });
    assert_eq!(log.waits, [10_000]);
}

/// Two manual items of one user, for a batch with snapshots.
fn two_manual_items() -> Value {
    json!({"type":"deposit","transaction":[
        {"user":"LOREM","amount":"100","comment":"c","operator":"o"},
        {"user":"LOREM","amount":"200","comment":"c","operator":"o"}
    ]})
}

const HISTORY: &str = r#"{"success":true,"user":"lorem","data":[{"date":"2024-05-17 10:00:00","amount":"100","status":"ACCEPT"}]}"#;
const ALL_PROCESSED: &str =
    r#"{"success":true,"message":"All transactions has been successfully processed."}"#;

/// A batch's history (snapshot) read is retried like any read: one 503,
/// then a good answer, and the items are sent (issue 21: before, one 503
/// made every item `not_sent`).
#[test]
fn a_batch_history_read_is_retried_like_any_read() {
    let c = client();
    let opts = DriverOptions {
        snapshots: true,
        ..options()
    };
    let driver = Driver::batch(&c, &two_manual_items(), opts.clone()).unwrap();
    let mut busy = true;
    let (log, result) = run(driver, |r| match r.endpoint() {
        EndpointId::UserHistory if std::mem::take(&mut busy) => {
            Ok((503, vec![("Retry-After", "1")], b"busy".to_vec()))
        }
        EndpointId::UserHistory => ok(HISTORY),
        _ => ok(ALL_PROCESSED),
    });
    let Output::Outcomes { outcomes, .. } = result.unwrap() else {
        panic!()
    };
    let statuses: Vec<ItemStatus> = outcomes.iter().map(|o| o.status).collect();
    assert_eq!(statuses, [ItemStatus::Succeeded, ItemStatus::Succeeded]);
    assert_eq!(log.waits, [1_000], "Retry-After, as for a call");
    assert_eq!(log.sent.len(), 3, "{:?}", log.sent);
    assert!(log.sent[0].contains("/history/"), "{:?}", log.sent);
    assert_eq!(log.sent[0], log.sent[1]);
    // Each item carries the snapshot the retried read took.
    assert_eq!(
        outcomes[0].snapshot.as_ref().map(|s| s.entries.len()),
        Some(1)
    );
    let kinds: Vec<&str> = log.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "attempt", "response", "retry", "attempt", "response", "done", // the read
            "attempt", "response", "done" // the items
        ]
    );

    // Retries exhausted: nothing is sent, every item `not_sent`, saying why.
    let driver = Driver::batch(&c, &two_manual_items(), opts.clone()).unwrap();
    let (log, result) = run(driver, |_| Ok((503, vec![], b"busy".to_vec())));
    let Output::Outcomes { outcomes, .. } = result.unwrap() else {
        panic!()
    };
    assert!(outcomes.iter().all(|o| o.status == ItemStatus::NotSent));
    assert_eq!(log.sent.len(), 3, "the read and its two retries");
    assert!(outcomes[0]
        .message
        .as_deref()
        .is_some_and(|m| m.contains("could not be read (http status 503")));

    // A read that never left (an abort) stops the batch at once.
    let mut driver = Driver::batch(&c, &two_manual_items(), opts).unwrap();
    let clock = Clock::default();
    let Step::Event(_) = driver.next(clock) else {
        panic!("the read's attempt event first")
    };
    let Step::Send(read) = driver.next(clock) else {
        panic!("the read")
    };
    assert_eq!(read.endpoint(), EndpointId::UserHistory);
    driver.record_not_sent("aborted", clock);
    let outcomes = loop {
        match driver.next(clock) {
            Step::Done(Ok(Output::Outcomes { outcomes, .. })) => break outcomes,
            Step::Send(r) => panic!("sent {}", r.redacted_url()),
            Step::Wait(ms) => panic!("waited {ms}"),
            _ => {}
        }
    };
    assert!(outcomes.iter().all(|o| o.status == ItemStatus::NotSent));
}

/// A server that echoes the token in a money move's success message (or a
/// batch item's): the message is scrubbed before it is journaled or handed
/// back (`run` checks every step and the result).
#[test]
fn a_success_message_echoing_the_token_is_scrubbed_everywhere() {
    let echo = format!(r#"{{"success":true,"message":"done for /home.php/{TOKEN}/MANUAL"}}"#);
    let driver = call(EndpointId::ManualTransaction, manual(), journaled("j")).unwrap();
    let (log, result) = run(driver, |_| ok(&echo));
    let processed = result
        .unwrap()
        .into_response::<ManualTransactionParams>()
        .unwrap();
    assert_eq!(processed.message, "done for /home.php/***/MANUAL");
    assert_eq!(log.journal[1]["message"], "done for /home.php/***/MANUAL");
}

/// The token put into each text parameter of every endpoint in turn (raw,
/// percent-encoded, in lower case), against a server that echoes the
/// request's URL in an error body: a money move is refused before anything
/// happens (`invalid_request` naming the field); anything else is sent
/// and, whatever comes back, no step, event, journal line or error shows
/// the token (`run` checks them all), and neither does a refusal.
#[test]
fn the_token_in_any_parameter_of_any_endpoint_is_shown_nowhere() {
    let c = client();
    let forms = [
        format!("x{TOKEN}"),
        "S3CR3T%2DT0KEN".to_owned(),
        TOKEN.to_ascii_lowercase(),
    ];
    let mut cases = 0;
    for id in EndpointId::ALL {
        let path = format!(
            "{}/../../tests/vectors/{id}.json",
            env!("CARGO_MANIFEST_DIR")
        );
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let base = doc["requests"][0]["params"].clone();
        // Every text field: the top level's, and a batch's first item's.
        let texts = |v: &Value| -> Vec<String> {
            v.as_object()
                .map(|o| {
                    o.iter()
                        .filter(|(_, v)| v.is_string())
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default()
        };
        let mut names: Vec<(Option<usize>, String)> =
            texts(&base).into_iter().map(|n| (None, n)).collect();
        names.extend(
            texts(&base["transaction"][0])
                .into_iter()
                .map(|n| (Some(0), n)),
        );
        for (item, name) in names {
            for form in &forms {
                let mut params = base.clone();
                match item {
                    None => params[&name] = json!(form),
                    Some(k) => params["transaction"][k][&name] = json!(form),
                }
                let built = if id == EndpointId::MultipleTransaction {
                    Driver::batch(&c, &params, journaled("b"))
                } else {
                    Driver::call(&c, id, &params, journaled("j"))
                };
                cases += 1;
                let driver = match built {
                    Ok(driver) => driver,
                    Err(e) => {
                        let shown = format!("{e} {e:?} {}", e.to_json());
                        assert!(
                            !shown.contains(TOKEN) && !shown.contains(&TOKEN.to_ascii_lowercase()),
                            "{id}.{name}: {shown}"
                        );
                        continue;
                    }
                };
                let (log, result) = run(driver, |request| {
                    Ok((500, vec![], format!("no: {}", request.url()).into_bytes()))
                });
                if let Err(e) = &result {
                    if e.kind() == "invalid_request" {
                        assert!(
                            log.order.is_empty(),
                            "{id}.{name}: refused after {:?}",
                            log.order
                        );
                    }
                }
            }
        }
    }
    // The 13 endpoints' text parameters and a batch item's, three forms each.
    assert!(cases >= 80, "{cases} cases");
}
