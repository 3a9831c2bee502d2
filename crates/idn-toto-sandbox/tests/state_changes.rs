//! The sandbox is stateful and consistent, and each operation is atomic.

mod common;

use std::sync::{Arc, Barrier};

use common::{agent, failure, Harness};
use serde_json::json;

#[test]
fn accepting_a_deposit_credits_once_and_records_it() {
    let h = Harness::start();
    assert_eq!(
        h.admin_state("IPSUM"),
        json!({"user": "IPSUM", "balance": "125000.00", "pending": ["123450001"]})
    );
    let before = h.get("/history/dps/IPSUM").json()["data"]
        .as_array()
        .map(Vec::len);
    assert_eq!(
        h.get("/push_dps/123450001/IPSUM/ACCEPT/c/op").json()["success"],
        true
    );
    assert_eq!(h.balance("IPSUM"), "1125000.00");
    assert_eq!(
        h.get("/push_dps/123450001/IPSUM/ACCEPT/c/op").json()["success"],
        false
    );
    assert_eq!(
        h.get("/push_dps/123450001/IPSUM/REJECT/c/op").json()["success"],
        false
    );
    assert_eq!(h.balance("IPSUM"), "1125000.00");
    assert_eq!(h.admin_state("IPSUM")["pending"], json!([]));
    assert!(!h.get("/dps").body.contains("123450001"));
    let history = h.get("/history/dps/IPSUM").json();
    let data = history["data"].as_array().expect("array");
    assert_eq!(Some(data.len()), before.map(|n| n + 1));
    let latest =
        json!({"date": "2024-05-17 18:00:00.000", "amount": "1000000", "status": "ACCEPT"});
    assert_eq!(data[0], latest);
    assert_eq!(h.get("/latest/dps/IPSUM").json()["data"], latest);
}

#[test]
fn rejecting_leaves_the_balance_and_records_reject() {
    let h = Harness::start();
    assert_eq!(
        h.get("/push_dps/123450008/DOLER/REJECT/c/op").json()["success"],
        true
    );
    assert_eq!(h.balance("DOLER"), "250000.00");
    assert_eq!(
        h.get("/latest/dps/DOLER").json()["data"],
        json!({"date": "2024-05-17 18:00:00.000", "amount": "1000000", "status": "REJECT"})
    );
    // A rejected withdrawal larger than the balance is fine: nothing moves.
    assert_eq!(
        h.get("/push_wd/123450022/sinta88/REJECT/c/op").json()["success"],
        true
    );
    assert_eq!(h.balance("sinta88"), "50000.00");
}

#[test]
fn withdrawals_debit_or_stay_pending() {
    let h = Harness::start();
    assert_eq!(
        h.get("/push_wd/123450019/DOLER/ACCEPT/c/op").json()["success"],
        true
    );
    assert_eq!(h.balance("DOLER"), "50000.00");
    assert_eq!(h.get("/latest/wd/DOLER").json()["data"]["status"], "ACCEPT");
    // Larger than the balance: refused and still pending.
    assert_eq!(
        h.get("/push_wd/123450022/sinta88/ACCEPT/c/op").json(),
        failure("Insufficient balance")
    );
    assert_eq!(h.balance("sinta88"), "50000.00");
    assert_eq!(h.admin_state("sinta88")["pending"], json!(["123450022"]));
    assert!(h.get("/wd").body.contains("123450022"));
    // Once the player has the money, the same withdrawal goes through.
    assert_eq!(
        h.get("/MANUAL/depo/sinta88/topup/1000000/op").json()["success"],
        true
    );
    assert_eq!(
        h.get("/push_wd/123450022/sinta88/ACCEPT/c/op").json()["success"],
        true
    );
    assert_eq!(h.balance("sinta88"), "0.00");
}

#[test]
fn manual_transactions_change_balances_and_history() {
    let h = Harness::start();
    assert_eq!(h.get("/MANUAL/depo/LOREM/x/100/op").json()["success"], true);
    assert_eq!(h.get("/MANUAL/wd/LOREM/x/50.25/op").json()["success"], true);
    assert_eq!(h.balance("LOREM"), "8949.75");
    assert_eq!(
        h.get("/latest/dps/LOREM").json()["data"],
        json!({"date": "2024-05-17 18:00:00.000", "amount": "100", "status": "ACCEPT"})
    );
    assert_eq!(
        h.get("/history/wd/LOREM").json()["data"][0],
        json!({"date": "2024-05-17 18:00:01.000", "amount": "50.25", "status": "ACCEPT"})
    );
    let batch =
        r#"{"transaction":[{"user":"LOREM","amount":"0.25","comment":"c","operator":"o"}]}"#;
    assert_eq!(h.post("/manual_dps", batch).json()["success"], true);
    assert_eq!(h.balance("LOREM"), "8950.00");
}

#[test]
fn reset_returns_to_the_seed() {
    let h = Harness::start();
    assert_eq!(
        h.get("/push_dps/123450001/IPSUM/ACCEPT/c/op").json()["success"],
        true
    );
    let url = format!("{}/reset", h.sandbox.admin_url());
    let mut response = h.agent.post(&url).send("").expect("reset");
    assert_eq!(response.status().as_u16(), 200);
    let body = response.body_mut().read_to_string().expect("body");
    assert_eq!(
        body,
        r#"{"success":true,"message":"Sandbox state reset to the seed"}"#
    );
    assert_eq!(h.balance("IPSUM"), "125000.00");
    assert_eq!(h.admin_state("IPSUM")["pending"], json!(["123450001"]));
    let stats = format!("{}/stats", h.sandbox.admin_url());
    let body = h.get_url(&stats).json();
    // The push and the player_info; admin requests are not counted.
    assert_eq!(body, json!({"requests": 2}));
    let missing = h.get_url(&format!("{}/state/nobody", h.sandbox.admin_url()));
    assert_eq!(
        (missing.status, missing.json()),
        (404, failure("User not found"))
    );
}

#[test]
fn fifty_concurrent_accepts_succeed_exactly_once() {
    const CLIENTS: usize = 50;
    let h = Harness::start();
    let url = h.url("/push_dps/123450001/IPSUM/ACCEPT/race/op");
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (url, barrier) = (url.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let agent = agent();
                barrier.wait();
                let mut response = agent.get(&url).call().expect("answer");
                response.body_mut().read_to_string().expect("body")
            })
        })
        .collect();
    let bodies: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    let successes = bodies
        .iter()
        .filter(|b| b.contains("\"success\":true"))
        .count();
    let refusals = bodies
        .iter()
        .filter(|b| b.contains("couldnt be found or has been modified before"))
        .count();
    assert_eq!((successes, refusals), (1, CLIENTS - 1));
    assert_eq!(h.balance("IPSUM"), "1125000.00");
    let accepted = h.get("/history/dps/IPSUM").json()["data"]
        .as_array()
        .expect("array")
        .iter()
        .filter(|e| {
            e["date"]
                .as_str()
                .is_some_and(|d| d.starts_with("2024-05-17 18:"))
        })
        .count();
    assert_eq!(accepted, 1);
}

#[test]
fn concurrent_batches_and_manuals_are_atomic() {
    // 20 threads each post the same batch of two deposits plus a manual credit:
    // every pending deposit is credited once, every manual credit 20 times.
    const CLIENTS: usize = 20;
    let h = Harness::start();
    let url = h.url("/push_dps");
    let manual = h.url("/MANUAL/depo/LOREM/c/1.01/op");
    let body = r#"{"transaction":[
        {"trans_id":"123450002","user":"andi88","action":"ACCEPT","comment":"c","operator":"o"},
        {"trans_id":"123450016","user":"citra77","action":"ACCEPT","comment":"c","operator":"o"}]}"#;
    let barrier = Arc::new(Barrier::new(CLIENTS));
    let threads: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (url, manual, barrier) = (url.clone(), manual.clone(), Arc::clone(&barrier));
            std::thread::spawn(move || {
                let agent = agent();
                barrier.wait();
                let mut response = agent.post(&url).send(body).expect("answer");
                let text = response.body_mut().read_to_string().expect("body");
                agent.get(&manual).call().expect("manual");
                text
            })
        })
        .collect();
    let bodies: Vec<String> = threads
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(
        bodies
            .iter()
            .filter(|b| b.contains("All transactions"))
            .count(),
        1
    );
    assert_eq!(h.balance("andi88"), "515000.00");
    assert_eq!(h.balance("citra77"), "115000.00");
    assert_eq!(h.balance("LOREM"), "8920.20");
}
