//! Limits that must hold: one amount rule on every route, idle and slow
//! connections closed, logging that never costs an answer, the token never
//! in the log whatever path carries it.
#![cfg(unix)]

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{agent, seg, Harness, TOKEN};
use idn_toto_sandbox::Config;
use serde_json::json;

fn failure(message: &str) -> serde_json::Value {
    json!({"success": false, "message": message})
}

#[test]
fn one_amount_rule_for_every_route() {
    let h = Harness::start();
    let refused = [
        "+5", "1e3", "1E3", "1_000", " 5", "5 ", "1,000", "-5", "0", "1.001",
    ];
    for bad in refused {
        assert_eq!(
            h.get(&format!("/MANUAL/depo/LOREM/x/{}/op", seg(bad)))
                .json(),
            failure("Invalid amount"),
            "manual path {bad:?}"
        );
        let as_string = json!({"transaction": [{"user": "LOREM", "amount": bad, "comment": "c", "operator": "o"}]});
        let answer = h.post("/MANUAL/depo", &as_string.to_string()).json();
        assert_eq!(
            answer["data"][0]["message"], "Invalid amount",
            "batch string {bad:?}: {answer}"
        );
    }
    // JSON number literals follow the same rule as their text.
    for literal in ["1e3", "1E3", "-5", "0", "1.001", "1000.0e0"] {
        let body = format!(
            r#"{{"transaction":[{{"user":"LOREM","amount":{literal},"comment":"c","operator":"o"}}]}}"#
        );
        let answer = h.post("/MANUAL/depo", &body).json();
        assert_eq!(
            answer["data"][0]["message"], "Invalid amount",
            "batch number {literal}: {answer}"
        );
    }
    assert_eq!(
        h.balance("LOREM"),
        "8900.00",
        "no refused amount moved money"
    );
    for (good, balance) in [
        ("100", "9000.00"),
        ("0.50", "9000.50"),
        ("10000.50", "19001.00"),
    ] {
        let body = format!(
            r#"{{"transaction":[{{"user":"LOREM","amount":{good},"comment":"c","operator":"o"}}]}}"#
        );
        assert_eq!(
            h.post("/MANUAL/depo", &body).json()["success"],
            true,
            "{good}"
        );
        assert_eq!(h.balance("LOREM"), balance);
    }
}

/// Reads until the server closes the connection; how long that took.
fn time_to_close(mut stream: TcpStream, limit: Duration) -> Duration {
    stream.set_read_timeout(Some(limit)).expect("read timeout");
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return started.elapsed(),
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => return started.elapsed(),
            Err(e) => panic!("the connection was not closed within {limit:?}: {e}"),
        }
    }
}

#[test]
fn idle_and_slow_connections_are_closed() {
    let config = Config {
        header_timeout_ms: 300,
        ..Config::default().with_token(TOKEN)
    };
    let h = Harness::with(config);
    let addr = h.sandbox.addr();
    let limit = Duration::from_secs(10);

    // Connects and sends nothing.
    let silent = TcpStream::connect(addr).expect("connect");
    let waited = time_to_close(silent, limit);
    assert!(
        waited >= Duration::from_millis(200),
        "closed too early: {waited:?}"
    );

    // Sends half a header and stops.
    let mut partial = TcpStream::connect(addr).expect("connect");
    partial
        .write_all(b"GET /home.php/TESTTOKEN123/player_info/LOREM HTTP/1.1\r\nHost: x\r\n")
        .expect("send");
    time_to_close(partial, limit);

    // A complete request, then idle on the kept-alive connection.
    let mut kept = TcpStream::connect(addr).expect("connect");
    kept.write_all(b"GET /home.php/TESTTOKEN123/player_info/LOREM HTTP/1.1\r\nHost: x\r\n\r\n")
        .expect("send");
    let mut reader = BufReader::new(kept.try_clone().expect("clone"));
    let mut status = String::new();
    reader.read_line(&mut status).expect("status line");
    assert!(status.starts_with("HTTP/1.1 200"), "{status}");
    time_to_close(kept, limit);

    // A POST that announces a body and sends none.
    let mut stalled = TcpStream::connect(addr).expect("connect");
    stalled
        .write_all(b"POST /home.php/TESTTOKEN123/push_dps HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
        .expect("send");
    time_to_close(stalled, limit);

    // Still answering afterwards.
    assert_eq!(h.get("/player_info/LOREM").status, 200);
}

#[test]
fn a_broken_stderr_never_costs_an_answer() {
    // stderr is a pipe whose reader is gone: every log write fails (EPIPE).
    let mut child = Command::new(env!("CARGO_BIN_EXE_idn-toto-sandbox"))
        .args(["--token", TOKEN])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the sandbox binary");
    drop(child.stderr.take());
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut base = String::new();
    stdout.read_line(&mut base).expect("banner");
    let base = base.trim_end().to_owned();
    let agent = agent();
    let api = format!("{base}/{TOKEN}");
    for round in 0..3 {
        let mut answer = agent
            .get(&format!("{api}/MANUAL/depo/LOREM/x/100/op"))
            .call()
            .unwrap_or_else(|e| panic!("round {round}: the answer was lost: {e}"));
        let body = answer.body_mut().read_to_string().expect("body");
        assert!(body.contains("\"success\":true"), "{body}");
    }
    let mut balance = agent
        .get(&format!("{api}/player_info/LOREM"))
        .call()
        .expect("balance");
    let body = balance.body_mut().read_to_string().expect("body");
    assert!(
        body.contains("\"balance\":\"9200.00\""),
        "three deposits of 100: {body}"
    );
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

#[test]
fn the_token_never_reaches_the_log() {
    let token = "LOGTOKEN7F3A9";
    let mut child = Command::new(env!("CARGO_BIN_EXE_idn-toto-sandbox"))
        .args(["--token", token])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn the sandbox binary");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut base = String::new();
    stdout.read_line(&mut base).expect("banner");
    let root = base.trim_end().trim_end_matches("/home.php").to_owned();
    let encoded: String = token.bytes().map(|b| format!("%{b:02X}")).collect();
    let agent = agent();
    for path in [
        format!("/{token}/player_info/X"),
        format!("/home.php//{token}/player_info/X"),
        format!("/index.php/{token}/player_info/X"),
        format!("/home.php/{encoded}/player_info/X"),
        format!("/home.php/{}/player_info/X", encoded.replace('%', "%25")),
        format!("/home.php/{}/player_info/X", token.to_lowercase()),
        format!("/home.php/x/player_info/X?t={token}"),
    ] {
        let _ = agent.get(&format!("{root}{path}")).call();
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
    let mut log = String::new();
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut log)
        .expect("log");
    assert_eq!(log.lines().count(), 7, "{log}");
    let folded = log.to_lowercase();
    assert!(!folded.contains(&token.to_lowercase()), "{log}");
    assert!(!folded.contains(&encoded.to_lowercase()), "{log}");
}
