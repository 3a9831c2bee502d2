//! The `idn-toto` binary, run as a user would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

const TOKEN: &str = "CLI-TEST-TOKEN-42";

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_idn-toto"))
        .args(args)
        .env("IDN_TOTO_TEST_TOKEN", TOKEN)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut input = child.stdin.take().expect("stdin is piped");
    // A child that exits before reading (a usage error) closes its stdin.
    if let Err(e) = input.write_all(stdin.unwrap_or_default()) {
        assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "stdin: {e}");
    }
    drop(input);
    child.wait_with_output().expect("the binary finishes")
}

fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("stdout is JSON")
}

#[test]
fn endpoints_lists_every_endpoint_of_the_core() {
    let out = run(&["endpoints", "--json"], None);
    assert!(out.status.success());
    let list = json(&out);
    let ids: Vec<&str> = list
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    let table: Vec<&str> = idn_toto::ENDPOINTS.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, table);
    assert!(ids.contains(&"pga_transaction"));
    let table = run(&["endpoints"], None);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.contains("accept_reject") && text.contains(" no "),
        "{text}"
    );
}

#[test]
fn request_redacts_unless_revealed() {
    let params = r#"{"type":"deposit","trans_id":"123454321","user":"LO REM","action":"accept","comment":"TRANS-01","operator":"OP01"}"#;
    let base = [
        "request",
        "accept_reject",
        "--base-url",
        "https://agent.example.com/home.php",
        "--token-env",
        "IDN_TOTO_TEST_TOKEN",
        "--params",
        params,
    ];
    let out = run(&base, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains(TOKEN));
    let r = json(&out);
    assert_eq!(
        r["url"],
        "https://agent.example.com/home.php/***/push_dps/123454321/LO%20REM/ACCEPT/TRANS-01/OP01"
    );
    assert_eq!(r["idempotent"], false);
    assert_eq!(r["method"], "GET");

    let mut revealed = base.to_vec();
    revealed.push("--reveal-token");
    let r = json(&run(&revealed, None));
    assert_eq!(r["url"], format!("https://agent.example.com/home.php/{TOKEN}/push_dps/123454321/LO%20REM/ACCEPT/TRANS-01/OP01"));
}

#[test]
fn invalid_params_name_the_field_and_exit_3() {
    let out = run(
        &[
            "request",
            "user_balance",
            "--base-url",
            "https://a.example/home.php",
            "--token",
            TOKEN,
            "--params",
            r#"{"user":"../x"}"#,
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    let e = json(&out);
    assert_eq!(e["error"]["kind"], "invalid_request");
    assert_eq!(e["error"]["field"], "user");
    let out = run(
        &[
            "request",
            "user_balance",
            "--base-url",
            "ftp://a.example",
            "--token",
            TOKEN,
            "--params",
            r#"{"user":"x"}"#,
        ],
        None,
    );
    assert_eq!(json(&out)["error"]["field"], "base_url");
}

#[test]
fn parse_reads_stdin_and_reports_errors() {
    let body = br#"{"success": true, "message": "Success", "user": "lorem", "balance": "8900.00"}"#;
    let out = run(&["parse", "user_balance"], Some(body));
    assert!(out.status.success());
    assert_eq!(json(&out)["balance"], "8900.00");

    let out = run(
        &["parse", "user_balance"],
        Some(br#"{"success":false,"message":"User not found"}"#),
    );
    assert_eq!(out.status.code(), Some(4));
    assert_eq!(json(&out)["error"]["api_kind"], "user_not_found");

    let out = run(
        &["parse", "accept_reject", "--status", "500"],
        Some(b"<html>oops</html>"),
    );
    assert_eq!(out.status.code(), Some(8));
    assert_eq!(json(&out)["error"]["kind"], "outcome_unknown");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(
        run(&["parse", "full_transction"], Some(b"{}"))
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(
            &["request", "game_list", "--base-url", "https://a.example"],
            None
        )
        .status
        .code(),
        Some(2)
    );
    assert_eq!(run(&["bogus"], None).status.code(), Some(2));
}

#[test]
fn plain_http_needs_the_opt_in_and_path_words_are_read() {
    let base = [
        "request",
        "user_balance",
        "--token-env",
        "IDN_TOTO_TEST_TOKEN",
    ];
    let args = |extra: &[&'static str]| {
        let mut v: Vec<&str> = base.to_vec();
        v.extend_from_slice(extra);
        v
    };
    let out = run(
        &args(&[
            "--base-url",
            "http://agent.example.com/home.php",
            "--params",
            r#"{"user":"X"}"#,
        ]),
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    let e = json(&out);
    assert_eq!(e["error"]["field"], "base_url");
    assert!(e["error"]["reason"]
        .as_str()
        .is_some_and(|r| r.contains("allow_insecure_http")));
    let out = run(
        &args(&[
            "--base-url",
            "http://agent.example.com/home.php",
            "--allow-insecure-http",
            "--params",
            r#"{"type":"deposit","name":"A"}"#,
            "--path-words",
            r#"{"name_query_key":"NAME"}"#,
        ])
        .iter()
        .map(|a| {
            if *a == "user_balance" {
                "transaction_list"
            } else {
                a
            }
        })
        .collect::<Vec<_>>(),
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        json(&out)["url"],
        "http://agent.example.com/home.php/***/dps?NAME=A"
    );
    let out = run(
        &args(&[
            "--base-url",
            "https://agent.example.com/home.php",
            "--params",
            r#"{"type":"deposit"}"#,
            "--path-words",
            r#"{"name_query_key":"a&b=c"}"#,
        ]),
        None,
    );
    assert_eq!(out.status.code(), Some(3));
    assert_eq!(json(&out)["error"]["field"], "path_words.name_query_key");
}

#[test]
fn bodies_over_max_body_size_are_refused_unread() {
    let dir = std::env::temp_dir().join(format!("idn-toto-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("big.json");
    let body = format!(r#"{{"success":true,"message":"{}"}}"#, "x".repeat(4096));
    std::fs::write(&file, &body).expect("body written");
    let path = file.to_string_lossy().into_owned();
    let out = run(
        &["parse", "user_balance", "--max-body-size", "1000", &path],
        None,
    );
    assert_eq!(out.status.code(), Some(6));
    let e = json(&out);
    assert_eq!(
        (e["error"]["kind"].as_str(), e["error"]["path"].as_str()),
        (Some("decode"), Some("$"))
    );
    let reason = e["error"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.contains("1000 bytes") && reason.contains("1001"),
        "{reason}"
    );
    let out = run(
        &["parse", "accept_reject", "--max-body-size", "1000", &path],
        None,
    );
    assert_eq!(json(&out)["error"]["kind"], "outcome_unknown");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn journal_show_lists_each_item_and_what_is_open() {
    let dir = std::env::temp_dir().join(format!("idn-toto-cli-journal-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("journal.jsonl");
    let vectors: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../tests/vectors/journal.json"
        ))
        .expect("vectors"),
    )
    .expect("json");
    let text = vectors["journals"][0]["text"].as_str().expect("text");
    std::fs::write(&path, text).expect("write");
    let out = run(
        &[
            "journal",
            "show",
            "--json",
            path.to_str().expect("utf-8 path"),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    let summary: Vec<(String, String, bool)> = rows
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or("").to_owned(),
                r["state"].as_str().unwrap_or("").to_owned(),
                r["open"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("a1".to_owned(), "applied".to_owned(), false),
            ("b2".to_owned(), "succeeded".to_owned(), false),
            ("c3".to_owned(), "undetermined".to_owned(), true),
            ("d4".to_owned(), "intent".to_owned(), true),
        ]
    );
    assert_eq!(rows[0]["what"], "manual deposit of 2500.50 for LOREM");
    assert_eq!(rows[3]["what"], "accept deposit 124 of IPSUM");
    let table = run(
        &["journal", "show", path.to_str().expect("utf-8 path")],
        None,
    );
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.contains("4 items, 2 open"), "{text}");
    std::fs::write(&path, "{not json\n{}\n").expect("write");
    let bad = run(
        &["journal", "show", path.to_str().expect("utf-8 path")],
        None,
    );
    assert_eq!(bad.status.code(), Some(6));
    assert_eq!(json(&bad)["error"]["path"], "line 1");
    let _ = std::fs::remove_dir_all(&dir);
}
