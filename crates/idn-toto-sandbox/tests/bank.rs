//! `GET /__sandbox/bank/credits`: the bank statement the seed's pending
//! deposits would bring, as CSV or a (signed) Moota webhook body.

mod common;

use common::{agent, Harness, TOKEN};
use hmac::{Hmac, Mac};
use idn_toto_sandbox::{Config, Seed};
use sha2::Sha256;

const MATCHING: &str = include_str!("../seed-matching.json");

fn matching() -> Harness {
    Harness::with(
        Config::default()
            .with_token(TOKEN)
            .with_seed(Seed::from_json(MATCHING).expect("the matching seed is valid")),
    )
}

/// `GET /__sandbox/bank/credits?QUERY`: status, `Signature` header, body.
fn credits(h: &Harness, query: &str) -> (u16, Option<String>, String) {
    let url = format!("{}/bank/credits?{query}", h.sandbox.admin_url());
    let mut response = agent().get(&url).call().expect("HTTP exchange");
    let signature = response
        .headers()
        .get("signature")
        .map(|v| v.to_str().expect("ascii").to_owned());
    let body = response.body_mut().read_to_string().expect("body");
    (response.status().as_u16(), signature, body)
}

fn hmac_hex(body: &str, secret: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn the_builtin_seed_brings_one_credit_per_pending_deposit() {
    let h = Harness::start();
    let (status, signature, body) = credits(&h, "format=csv");
    assert_eq!(status, 200);
    assert_eq!(signature, None);
    let mut lines = body.lines();
    assert_eq!(
        lines.next(),
        Some("ref,account,posted_at,amount,sender_name,description,balance")
    );
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 18, "{body}");
    // 123450001: IPSUM (MAYA NUGROHO), 1,000,000 to BCA 8830-112-456 at
    // 16-05-2024 08:03:34; the transfer two minutes later.
    assert!(
        rows.iter().any(|r| r.starts_with(
            "SBX-123450001-1,BCA:8830-112-456,2024-05-16 08:05:34,1000000.00,MAYA NUGROHO,"
        )),
        "{body}"
    );
}

#[test]
fn the_matching_seed_has_the_hard_cases() {
    let h = matching();
    let (status, _, body) = credits(&h, "");
    assert_eq!(status, 200);
    let rows: Vec<Vec<&str>> = body
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let find = |r: &str| -> Vec<&Vec<&str>> { rows.iter().filter(|row| row[0] == r).collect() };
    // A name the bank cut short, none at all, a late credit, across midnight.
    assert_eq!(find("SBX-200000002-1")[0][4], "BUDI SANTO");
    assert_eq!(find("SBX-200000005-1")[0][4], "");
    assert_eq!(find("SBX-200000007-1")[0][2], "2024-05-16 15:10:00");
    assert_eq!(find("SBX-200000011-1")[0][2], "2024-05-17 00:15:00");
    // A double transfer; a credit delivered three times, identical.
    assert_eq!(find("SBX-200000008-2").len(), 1);
    let delivered = find("SBX-200000009-1");
    assert_eq!(delivered.len(), 3);
    assert!(delivered.iter().all(|row| *row == delivered[0]));
    // A deposit never paid; money with no request.
    assert!(find("SBX-200000012-1").is_empty());
    assert_eq!(find("OTHER-1")[0][3], "123456.00");
    assert_eq!(rows.len(), 17, "{body}");
    // By posting time; running balances per account.
    let times: Vec<&str> = rows.iter().map(|r| r[2]).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert_eq!(find("SBX-200000001-1")[0][6], "50100000.00");
}

#[test]
fn a_moota_body_signed_with_the_secret() {
    let h = matching();
    let (status, signature, body) = credits(&h, "format=moota&secret=s3cr%20et");
    assert_eq!(status, 200);
    assert_eq!(signature, Some(hmac_hex(&body, "s3cr et")));
    let mutations: serde_json::Value = serde_json::from_str(&body).expect("JSON");
    let first = &mutations[0];
    assert_eq!(first["mutation_id"], "SBX-200000001-1");
    assert_eq!(first["bank_type"], "bca");
    assert_eq!(first["account_number"], "8830112456");
    assert_eq!(first["date"], "2024-05-16 00:00:00");
    assert_eq!(first["created_at"], "2024-05-16 09:02:00");
    assert_eq!(first["amount"], "100000.00");
    assert_eq!(first["type"], "CR");
    assert_eq!(mutations.as_array().map(Vec::len), Some(17));
    // Without a secret, no signature.
    let (_, signature, unsigned) = credits(&h, "format=moota");
    assert_eq!(signature, None);
    assert_eq!(unsigned, body);
}

#[test]
fn an_unknown_format_is_refused() {
    let h = matching();
    let (status, _, body) = credits(&h, "format=xml");
    assert_eq!(status, 400);
    assert!(body.contains("format is csv or moota"), "{body}");
}

#[test]
fn approving_does_not_change_the_statement() {
    let h = matching();
    let (_, _, before) = credits(&h, "");
    let answer = h.get("/push_dps/200000001/andi/ACCEPT/c/op");
    assert_eq!(answer.json()["success"], true, "{}", answer.body);
    let (_, _, after) = credits(&h, "");
    assert_eq!(before, after);
}

#[test]
fn the_seed_refuses_bank_credits_it_cannot_mean() {
    let mut seed: serde_json::Value = serde_json::from_str(MATCHING).expect("JSON");
    seed["pending"][0]["credits"] = serde_json::json!([{"after_secs": 60, "deliveries": 0}]);
    let e = Seed::from_json(&seed.to_string()).expect_err("0 deliveries");
    assert!(e.to_string().contains("pending[0].credits[0]"), "{e}");

    let mut seed: serde_json::Value = serde_json::from_str(MATCHING).expect("JSON");
    seed["pending"][1]["credits"] = serde_json::json!([{"ref": "OTHER-1"}]);
    let e = Seed::from_json(&seed.to_string()).expect_err("a ref twice");
    assert!(e.to_string().contains("\"OTHER-1\" is given twice"), "{e}");

    let mut seed: serde_json::Value = serde_json::from_str(MATCHING).expect("JSON");
    seed["pending"][0]["credits"] = serde_json::json!([{"afer_secs": 60}]);
    assert!(
        Seed::from_json(&seed.to_string()).is_err(),
        "a typo fails loudly"
    );
}
