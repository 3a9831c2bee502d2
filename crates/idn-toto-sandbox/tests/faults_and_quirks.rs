//! Fault injection, `--quirks spec`, and robustness against hostile input.

mod common;

use common::{failure, Harness, TOKEN};
use idn_toto_sandbox::{Config, Quirks};
use serde_json::json;

#[test]
fn plain_faults_do_not_touch_state() {
    let h = Harness::start();
    let path = "/push_dps/123450001/IPSUM/ACCEPT/c/op";

    let answer = h.get_fault(path, "500").expect("answer");
    assert_eq!(
        (answer.status, answer.json()),
        (500, failure("Internal Server Error"))
    );

    let answer = h.get_fault(path, "html").expect("answer");
    assert_eq!(answer.status, 200);
    assert!(
        answer.body.starts_with("<!DOCTYPE html>"),
        "{}",
        answer.body
    );
    assert!(serde_json::from_str::<serde_json::Value>(&answer.body).is_err());

    let answer = h.get_fault(path, "html500").expect("answer");
    assert_eq!(answer.status, 500);
    assert!(
        answer.body.contains("<h1>500 Internal Server Error</h1>"),
        "{}",
        answer.body
    );

    assert!(
        h.get_fault(path, "drop").is_err(),
        "the connection must close unanswered"
    );

    let answer = h.get_fault(path, "echo-token").expect("answer");
    assert_eq!(answer.status, 500);
    assert!(
        answer
            .body
            .contains(&format!("/home.php/{TOKEN}/push_dps/123450001")),
        "{}",
        answer.body
    );

    assert_eq!(h.balance("IPSUM"), "125000.00");
    assert_eq!(h.admin_state("IPSUM")["pending"], json!(["123450001"]));
}

#[test]
fn after_faults_change_state_then_fail() {
    let h = Harness::start();
    let answer = h
        .get_fault("/push_dps/123450001/IPSUM/ACCEPT/c/op", "500-after")
        .expect("answer");
    assert_eq!(answer.status, 500);
    assert_eq!(h.balance("IPSUM"), "1125000.00");

    assert!(h
        .get_fault("/push_wd/123450019/DOLER/ACCEPT/c/op", "drop-after")
        .is_err());
    assert_eq!(h.balance("DOLER"), "50000.00");
    // A retry of either learns it was already done.
    let again = h.get("/push_wd/123450019/DOLER/ACCEPT/c/op").json();
    assert_eq!(
        again,
        failure("The transaction couldnt be found or has been modified before")
    );
}

#[test]
fn delay_and_combined_faults() {
    let h = Harness::start();
    let started = std::time::Instant::now();
    let answer = h
        .get_fault("/player_info/LOREM", "delay=150")
        .expect("answer");
    assert!(started.elapsed() >= std::time::Duration::from_millis(150));
    assert_eq!(answer.json()["balance"], "8900.00");
    let answer = h
        .get_fault("/player_info/LOREM", "delay=10, 500")
        .expect("answer");
    assert_eq!(answer.status, 500);
    for bad in ["nope", "500,drop", "delay=abc"] {
        let answer = h.get_fault("/player_info/LOREM", bad).expect("answer");
        assert_eq!(
            (answer.status, answer.json()),
            (400, failure("Invalid X-Sandbox-Fault header")),
            "{bad}"
        );
    }
}

#[test]
fn global_delay_and_fail_rate() {
    let mut config = Config::default().with_token(TOKEN);
    config.fail_rate = 1.0;
    let h = Harness::with(config);
    assert_eq!(h.get("/push_dps/123450001/IPSUM/ACCEPT/c/op").status, 500);
    // Admin endpoints are exempt.
    assert_eq!(h.admin_state("IPSUM")["balance"], "125000.00");

    // Same fail seed, same sequence of failures.
    let pattern = |seed: u64| {
        let mut config = Config::default().with_token(TOKEN);
        config.fail_rate = 0.5;
        config.fail_seed = seed;
        let h = Harness::with(config);
        (0..40)
            .map(|_| h.get("/bank_list").status)
            .collect::<Vec<_>>()
    };
    let first = pattern(7);
    assert_eq!(first, pattern(7));
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");

    let mut config = Config::default().with_token(TOKEN);
    config.delay_ms = 100;
    let h = Harness::with(config);
    let started = std::time::Instant::now();
    assert_eq!(h.get("/bank_list").status, 200);
    assert!(started.elapsed() >= std::time::Duration::from_millis(100));
}

#[test]
fn spec_quirks_reproduce_the_examples() {
    let h = Harness::with_quirks(Quirks::Spec);
    let list = h.get("/dps/BCA").body;
    assert!(
        list.contains(r#""date":16-05-2024 08:03:34,"type":"deposit""#),
        "{list}"
    );
    assert!(serde_json::from_str::<serde_json::Value>(&list).is_err());

    let full = h.get("/full_transaction/LOREMS/1").body;
    assert!(
        full.starts_with(r#"{"success":true,"message":"Success","total_data":"23 Rows","total_page":"3 Page(s)","message":"Success","data":["#),
        "{full}"
    );
    // Still parseable (duplicate keys are legal JSON text; the last one wins).
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&full).expect("json")["total_data"],
        "23 Rows"
    );

    let banks = h.get("/bank_list").body;
    assert_eq!(
        banks,
        r#""success":true,"data":["BCA","MANDIRI","BNI","BRI","DANA"]"#
    );

    // Everything else is unchanged.
    assert_eq!(h.balance("LOREM"), "8900.00");
    let empty = h.get("/dps/NOBANK").body;
    assert_eq!(empty, "[]");
}

#[test]
fn quirks_content_type() {
    let h = Harness::with_quirks(Quirks::Spec);
    let response = h.agent.get(h.url("/bank_list")).call().expect("answer");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/html; charset=UTF-8")
    );
    let h = Harness::start();
    let response = h.agent.get(h.url("/bank_list")).call().expect("answer");
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/json")
    );
}

#[test]
fn hostile_input_gets_json_answers() {
    let h = Harness::start();
    for path in [
        "/player_info/%FF%FE",
        "/player_info/%C3",
        "/dps?name=%E0%80",
    ] {
        let answer = h.get(path);
        assert_eq!(
            (answer.status, answer.json()),
            (400, failure("Invalid path encoding")),
            "{path}"
        );
    }
    // Malformed percent-escapes are kept literally (as PHP does).
    assert_eq!(h.get("/player_info/%zz").json(), failure("User not found"));
    assert_eq!(
        h.get("/MANUAL/depo/LOREM/c/%zz/op").json(),
        failure("Invalid amount")
    );
    assert_eq!(
        h.get("/full_transaction/LOREMS/99999999999999999999999999")
            .json(),
        failure("Invalid page")
    );
    assert_eq!(
        h.get("/MANUAL/depo/LOREM/c/99999999999999999999/op").json(),
        failure("Invalid amount")
    );
    // Huge and deeply nested bodies.
    let huge = format!("{{\"transaction\":\"{}\"}}", "x".repeat(3 << 20));
    let answer = h.post("/push_dps", &huge);
    assert_eq!(
        answer.json()["message"],
        "Oops something wrong! Please contact operator!"
    );
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert_eq!(h.post("/push_wd", &deep).json()["success"], false);
    assert_eq!(
        h.post("/pga", &deep).json(),
        failure("Oops something wrong! Please contact operator!")
    );
    let long_user = "a".repeat(4000);
    assert_eq!(
        h.get(&format!("/player_info/{long_user}")).json(),
        failure("User not found")
    );
    // The server is still fine.
    assert_eq!(h.balance("LOREM"), "8900.00");
}
