//! Keyed money moves in the driver (issue 22): the host loop every binding
//! runs, with an in-memory JSON Lines store (the file store's rule:
//! [`KeyClaim::decide_in_journal`]) and a small ledger server, so a re-run,
//! a crash and a settlement can be followed to what the server holds.

#![allow(clippy::unwrap_used)]

use std::collections::HashMap;

use idn_toto::*;
use serde_json::{json, Value};

const TOKEN: &str = "K3YED-T0KEN";

fn client() -> Client {
    Client::new("https://agent.example/home.php", TOKEN).unwrap()
}

/// The server: each user's credits (amount text), newest last.
#[derive(Debug, Default)]
struct Ledger {
    credits: HashMap<String, Vec<String>>,
    money_requests: usize,
}

impl Ledger {
    fn history(&self, user: &str) -> Vec<u8> {
        let data: Vec<Value> = self
            .credits
            .get(user)
            .map(|c| {
                c.iter()
                    .enumerate()
                    .rev()
                    .map(|(k, a)| json!({"amount": a, "date": format!("2024-05-17 18:00:{k:02}"), "status": "ACCEPT"}))
                    .collect()
            })
            .unwrap_or_default();
        json!({"success": true, "data": data})
            .to_string()
            .into_bytes()
    }

    fn total(&self, user: &str) -> usize {
        self.credits.get(user).map_or(0, Vec::len)
    }

    /// Answers a request; `apply` false: the request is lost before the
    /// server acts on it.
    fn answer(&mut self, request: &Request, apply: bool) -> Vec<u8> {
        let url = request.redacted_url().to_owned();
        if let Some(rest) = url.split("/history/dps/").nth(1) {
            return self.history(rest);
        }
        self.money_requests += 1;
        let body: Value = serde_json::from_slice(request.body().unwrap_or_default()).unwrap();
        if apply {
            for item in body["transaction"].as_array().unwrap() {
                let user = item["user"].as_str().unwrap().to_owned();
                let amount = item["amount"].to_string();
                self.credits.entry(user).or_default().push(amount);
            }
        }
        br#"{"success":true,"message":"All transactions has been successfully processed.","data":[]}"#.to_vec()
    }
}

/// The JSON Lines store in memory: its text, and this process's claims.
#[derive(Debug, Default)]
struct Store {
    text: String,
    held: HashMap<String, (String, i64)>,
}

impl Store {
    fn claim(&mut self, claim: &KeyClaim, now_ms: i64) -> Result<ClaimAnswer, Error> {
        let journal = Journal::read(&self.text)?;
        let id = claim.key().unwrap().as_str().to_owned();
        let held = self.held.get(&id).map(|(h, u)| (h.as_str(), *u));
        let (answer, write) = claim.decide_in_journal(&journal, held, now_ms)?;
        if let Some(write) = write {
            self.text.push_str(&write.line);
            self.held.insert(
                id,
                (claim.holder.clone(), write.record.lease_until_ms.unwrap()),
            );
        }
        Ok(answer)
    }
}

/// How a run ends.
enum End {
    /// It finished.
    Done(Result<Output, Error>),
    /// It was killed with its `n`th money request in flight (the server
    /// applied it, or not).
    Killed,
}

/// The host loop: `now_ms` is the clock claims are made at; the run is
/// killed at the `kill_at`th money request (0-based) after the server
/// `applies` it or not.
fn run(
    driver: &mut Driver,
    ledger: &mut Ledger,
    store: &mut Store,
    now_ms: i64,
    kill_at: Option<(usize, bool)>,
) -> End {
    let clock = Clock::new(3, Some(now_ms / 1000));
    let mut money = 0;
    for _ in 0..100_000 {
        match driver.next(clock) {
            Step::Send(request) => {
                let is_money = !request.is_idempotent();
                if is_money {
                    if let Some((n, applies)) = kill_at {
                        if n == money {
                            ledger.answer(&request, applies);
                            return End::Killed;
                        }
                    }
                    money += 1;
                }
                let body = ledger.answer(&request, true);
                driver.record_response(200, &[], &body, clock);
            }
            Step::Wait(_) | Step::Event(_) | Step::Page(_) => {}
            Step::Journal(line) => store.text.push_str(&line),
            Step::Claim(claim) => {
                let answer = store.claim(&claim, now_ms);
                driver.record_claim(answer);
            }
            Step::Done(result) => {
                assert!(!format!("{result:?} {}", store.text).contains(TOKEN));
                return End::Done(result);
            }
        }
    }
    panic!("the driver never finished");
}

fn options(id: &str) -> DriverOptions {
    DriverOptions {
        journal_id: Some(id.into()),
        snapshots: true,
        lease_ms: 1_000,
        ..DriverOptions::default()
    }
}

/// `n` keyed manual deposits of 1.00, alternating IPSUM and LOREM.
fn bonus(n: usize) -> Value {
    let items: Vec<Value> = (0..n)
        .map(|i| {
            let user = if i % 2 == 0 { "IPSUM" } else { "LOREM" };
            json!({"user": user, "amount": "1.00", "comment": format!("bonus {i}"), "operator": "OP01", "key": format!("bonus:{i}")})
        })
        .collect();
    json!({"type": "deposit", "transaction": items})
}

fn statuses(end: End) -> Vec<ItemStatus> {
    match end {
        End::Done(Ok(Output::Outcomes { outcomes, .. })) => {
            outcomes.iter().map(|o| o.status).collect()
        }
        End::Done(other) => panic!("{other:?}"),
        End::Killed => panic!("killed"),
    }
}

#[test]
fn a_keyed_batch_run_again_sends_nothing_already_done() {
    let (mut ledger, mut store) = (Ledger::default(), Store::default());
    let mut first = Driver::batch(&client(), &bonus(30), options("run1")).unwrap();
    let end = run(&mut first, &mut ledger, &mut store, 1_000, None);
    assert_eq!(statuses(end), vec![ItemStatus::Succeeded; 30]);
    assert_eq!((ledger.total("IPSUM"), ledger.money_requests), (15, 2));
    let mut again = Driver::batch(&client(), &bonus(30), options("run2")).unwrap();
    let end = run(&mut again, &mut ledger, &mut store, 2_000, None);
    assert_eq!(statuses(end), vec![ItemStatus::AlreadyDone; 30]);
    assert_eq!((ledger.total("IPSUM"), ledger.money_requests), (15, 2));
}

/// A run killed with its second request in flight, then run again after
/// the lease: the open moves are settled, what landed is `already_done`,
/// the rest is sent; each key credited once. Both ways the server may
/// have gone.
#[test]
fn a_run_killed_mid_batch_then_run_again_credits_each_key_once() {
    for applied in [true, false] {
        let (mut ledger, mut store) = (Ledger::default(), Store::default());
        let mut first = Driver::batch(&client(), &bonus(60), options("run1")).unwrap();
        let end = run(
            &mut first,
            &mut ledger,
            &mut store,
            1_000,
            Some((1, applied)),
        );
        assert!(matches!(end, End::Killed));
        store.held.clear(); // a new process
        let mut again = Driver::batch(&client(), &bonus(60), options("run2")).unwrap();
        let end = run(&mut again, &mut ledger, &mut store, 5_000, None);
        let got = statuses(end);
        let done =
            |range: std::ops::Range<usize>, s: ItemStatus| got[range].iter().all(|g| *g == s);
        assert!(done(0..25, ItemStatus::AlreadyDone), "{got:?}");
        let second = if applied {
            ItemStatus::AlreadyDone
        } else {
            ItemStatus::Succeeded
        };
        assert!(done(25..50, second), "{applied}: {got:?}");
        assert!(done(50..60, ItemStatus::Succeeded), "{got:?}");
        assert_eq!((ledger.total("IPSUM"), ledger.total("LOREM")), (30, 30));
        assert!(Journal::read(&store.text).unwrap().unsettled().is_empty());
    }
}
