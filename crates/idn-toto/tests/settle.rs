//! Settling through the driver: which server a move was sent to (the
//! fingerprint on journal lines and unknown outcomes), the journal ids on
//! what settling needs, and the moves of one user settled together.

#![allow(clippy::unwrap_used)]

use idn_toto::*;
use serde_json::{json, Value};

const TOKEN: &str = "S3CR3T-T0KEN";

fn client() -> Client {
    Client::new("https://agent.example/home.php", TOKEN).unwrap()
}

/// What the host saw.
#[derive(Debug, Default)]
struct Log {
    sent: Vec<EndpointId>,
    waits: Vec<u64>,
    journal: Vec<Value>,
}

/// The host loop, with `answer` giving each read's body (status 200), or
/// `None` for a transport failure.
fn run(
    mut driver: Driver,
    mut answer: impl FnMut(&Request) -> Option<String>,
) -> (Log, Result<Output, Error>) {
    let mut log = Log::default();
    let clock = Clock::new(4, Some(1_764_504_000));
    for _ in 0..10_000 {
        match driver.next(clock) {
            Step::Claim(claim) => panic!("no keys here: {claim:?}"),
            Step::Send(request) => {
                log.sent.push(request.endpoint());
                match answer(&request) {
                    Some(body) => driver.record_response(200, &[], body.as_bytes(), clock),
                    None => driver.record_transport_failure("timed out", clock),
                }
            }
            Step::Wait(ms) => log.waits.push(ms),
            Step::Journal(line) => {
                assert!(!line.contains(TOKEN));
                log.journal.push(serde_json::from_str(&line).unwrap());
            }
            Step::Event(_) | Step::Page(_) => {}
            Step::Done(result) => {
                assert!(!format!("{result:?}").contains(TOKEN));
                return (log, result);
            }
        }
    }
    panic!("the driver never finished");
}

fn manual(amount: &str) -> Value {
    json!({"type": "deposit", "user": "LOREM", "amount": amount, "comment": "c", "operator": "OP01"})
}

fn accept() -> Value {
    json!({"type":"deposit","trans_id":"123","user":"LOREM","action":"accept","comment":"ok","operator":"OP01"})
}

const BEFORE: &str = r#"{"success":true,"user":"LOREM","data":[{"date":"2024-05-17 10:00:00","amount":"100","status":"ACCEPT"}]}"#;

fn snapshot(body: &str) -> Snapshot {
    Snapshot::new(
        <UserHistoryParams as Endpoint>::parse(200, body.as_bytes())
            .unwrap()
            .data,
    )
}

fn intent(id: &str, params: Value, snapshot: Option<Snapshot>, server: Option<&str>) -> String {
    let endpoint = if params.get("trans_id").is_some() {
        EndpointId::AcceptReject
    } else {
        EndpointId::ManualTransaction
    };
    let record = JournalRecord::intent(id, endpoint, params, snapshot, "t").unwrap();
    match server {
        Some(fp) => record.with_server(fp).to_line(),
        None => record.to_line(),
    }
}

/// S3: the fingerprint names the base URL and the token, never shows the
/// token, and a move sent to another server is refused before any read.
#[test]
fn settling_with_a_client_of_another_server_is_refused() {
    let a = client();
    let fp = a.fingerprint().to_owned();
    assert_eq!(fp.len(), 16);
    assert!(fp.bytes().all(|b| b.is_ascii_hexdigit()));
    assert!(!format!("{a:?}").contains(TOKEN));
    let same = Client::new("https://agent.example/home.php/", TOKEN).unwrap();
    assert_eq!(same.fingerprint(), fp, "the normalised base URL");
    let other_token = Client::new("https://agent.example/home.php", "OTHER").unwrap();
    let other_host = Client::new("https://b.example/home.php", TOKEN).unwrap();
    assert_ne!(other_token.fingerprint(), fp);
    assert_ne!(other_host.fingerprint(), fp);

    let unsettled = Unsettled {
        endpoint: EndpointId::AcceptReject,
        params: MoveParams::parse(accept()).unwrap(),
        snapshot: None,
        server: Some(fp.clone()),
        journal_id: Some("j1".into()),
        key: None,
    };
    let options = DriverOptions {
        journal_id: Some("fresh".into()),
        ..DriverOptions::default()
    };
    let e = Driver::settle(&other_host, &unsettled, options.clone()).unwrap_err();
    assert_eq!(e.kind(), "invalid_request");
    assert_eq!(e.field(), Some("server"));
    assert!(e.to_string().contains(&fp), "{e}");

    let text = [
        intent("m1", manual("500"), Some(snapshot(BEFORE)), Some(&fp)),
        intent("a1", accept(), None, Some(other_host.fingerprint())),
    ]
    .concat();
    let open = Journal::read(&text).unwrap().unsettled();
    let e = Driver::settle_open(&a, &open, options).unwrap_err();
    assert_eq!(e.field(), Some("server"));
    assert!(e.to_string().contains("a1"), "{e}");
}

/// S3: lines of an older version name no server: settled, with a warning.
#[test]
fn a_move_that_names_no_server_settles_with_a_warning() {
    let c = client();
    let text = intent("a1", accept(), None, None);
    let open = Journal::read(&text).unwrap().unsettled();
    let driver = Driver::settle_open(&c, &open, DriverOptions::default()).unwrap();
    let (log, result) = run(driver, |r| match r.endpoint() {
        EndpointId::TransactionList => Some("{}".into()),
        _ => Some(r#"{"success":true,"user":"LOREM","data":{}}"#.into()),
    });
    let Output::Settlements(list) = result.unwrap() else {
        panic!()
    };
    assert_eq!(list[0].1.state, SettleState::Applied);
    assert_eq!(list[0].1.warnings.len(), 1);
    assert!(list[0].1.warnings[0].contains("names no server"));
    assert_eq!(list[0].1.to_json()["warnings"][0], list[0].1.warnings[0]);
    assert_eq!(log.journal[0]["event"], "settled");
}

/// S3, J5: what the driver journals and what an unknown outcome carries
/// name the server and the journal id; a single settle journals its
/// `settled` line under the move's id.
#[test]
fn journal_lines_and_unknown_outcomes_carry_the_server_and_the_journal_id() {
    let c = client();
    let fp = c.fingerprint().to_owned();
    let options = DriverOptions {
        journal_id: Some("x".into()),
        ..DriverOptions::default()
    };
    let driver = Driver::call(
        &c,
        EndpointId::ManualTransaction,
        &manual("500"),
        options.clone(),
    )
    .unwrap();
    let (log, result) = run(driver, |_| None);
    assert_eq!(log.journal.len(), 2);
    assert!(log.journal.iter().all(|l| l["server"] == fp.as_str()));
    let e = result.unwrap_err();
    let u = e.unsettled().unwrap();
    assert_eq!(u.server.as_deref(), Some(fp.as_str()));
    assert_eq!(u.journal_id.as_deref(), Some("x"));
    assert_eq!(e.to_json()["error"]["unsettled"]["journal_id"], "x");

    // Settling it (journaling on) writes its line under "x".
    let mut answers = vec![BEFORE; 2].into_iter();
    let mut u = u.clone();
    u.snapshot = Some(snapshot(BEFORE));
    let settle_options = DriverOptions {
        journal_id: Some("fresh".into()),
        ..DriverOptions::default()
    };
    let driver = Driver::settle(&c, &u, settle_options).unwrap();
    let (log, result) = run(driver, |_| answers.next().map(str::to_owned));
    let Output::Settlement(s) = result.unwrap() else {
        panic!()
    };
    assert_eq!(s.state, SettleState::NotApplied, "{}", s.reason);
    assert!(s.warnings.is_empty());
    assert_eq!(log.journal.len(), 1);
    assert_eq!(log.journal[0]["id"], "x");
    assert_eq!(log.journal[0]["server"], fp.as_str());

    // A batch: every outcome with its journal id, the sent ones with the
    // server.
    let items: Vec<Value> = (0..30)
        .map(|i| json!({"trans_id": format!("{}", 100 + i), "user": "LOREM", "action": "accept", "comment": "c", "operator": "o"}))
        .collect();
    let driver = Driver::batch(
        &c,
        &json!({"type": "deposit", "transaction": items}),
        options,
    )
    .unwrap();
    let (log, result) = run(driver, |_| None);
    let Output::Outcomes { outcomes, .. } = result.unwrap() else {
        panic!()
    };
    assert_eq!(outcomes[0].journal_id.as_deref(), Some("x-0"));
    assert_eq!(outcomes[24].journal_id.as_deref(), Some("x-24"));
    assert_eq!(outcomes[0].server.as_deref(), Some(fp.as_str()));
    // Never journaled, never sent: no id, no server.
    assert_eq!(outcomes[29].status, ItemStatus::NotSent);
    assert_eq!(outcomes[29].journal_id, None);
    assert_eq!(outcomes[29].server, None);
    let u = outcomes[3].unsettled().unwrap();
    assert_eq!(u.journal_id.as_deref(), Some("x-3"));
    assert_eq!(u.server.as_deref(), Some(fp.as_str()));
    assert!(log.journal.iter().all(|l| l["server"] == fp.as_str()));
}

/// S2: the open manual moves of one user are settled together: one entry
/// settles one move. The confirming read comes once for all groups.
#[test]
fn open_moves_of_one_user_share_the_history_once() {
    let c = client();
    let fp = c.fingerprint().to_owned();
    let text = [
        intent("m1", manual("500"), Some(snapshot(BEFORE)), Some(&fp)),
        intent("a1", accept(), None, Some(&fp)),
        intent(
            "m2",
            json!({"type": "deposit", "user": "LOREM", "amount": "500.00", "comment": "again", "operator": "OP01"}),
            Some(snapshot(BEFORE)),
            Some(&fp),
        ),
    ]
    .concat();
    let open = Journal::read(&text).unwrap().unsettled();
    let options = DriverOptions {
        settle_delay_ms: 7,
        ..DriverOptions::default()
    };
    let driver = Driver::settle_open(&c, &open, options).unwrap();
    let after = r#"{"success":true,"user":"LOREM","data":[{"date":"2024-05-17 11:00:00","amount":"500","status":"ACCEPT"},{"date":"2024-05-17 10:00:00","amount":"100","status":"ACCEPT"}]}"#;
    let pending = r#"{"1":{"id":"123","user":"LOREM","date":"23-02-2021 15:38:48","type":"deposit","game":"g","bank_acc_name":"x","bank_name":"BNI","bank_acc_number":"1","amount":"1","destination_bank":"BNI","destination_acc_number":"1"}}"#;
    let (log, result) = run(driver, |r| match r.endpoint() {
        EndpointId::UserHistory => Some(after.into()),
        _ => Some(pending.into()),
    });
    let Output::Settlements(list) = result.unwrap() else {
        panic!()
    };
    let got: Vec<(&str, SettleState)> = list.iter().map(|(id, s)| (id.as_str(), s.state)).collect();
    assert_eq!(
        got,
        [
            ("m1", SettleState::Applied),
            ("a1", SettleState::NotApplied),
            ("m2", SettleState::NotApplied)
        ]
    );
    // One history read for both manual moves, then the confirming reads
    // after one more delay.
    assert_eq!(log.waits, [7, 7]);
    assert_eq!(
        log.sent,
        [
            EndpointId::UserHistory,
            EndpointId::TransactionList,
            EndpointId::UserHistory,
            EndpointId::TransactionList
        ]
    );
    let lines: Vec<(&str, &str)> = log
        .journal
        .iter()
        .map(|l| (l["id"].as_str().unwrap(), l["state"].as_str().unwrap()))
        .collect();
    assert_eq!(lines.len(), 3);
    assert!(lines.contains(&("m1", "applied")) && lines.contains(&("m2", "not_applied")));
    let assigned = &list[0].1.evidence[0].data["assigned"];
    assert_eq!(assigned["amount"], "500");
    assert!(list[2].1.evidence[0].data["assigned"].is_null());
}
