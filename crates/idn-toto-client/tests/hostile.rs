//! Both clients against a raw-socket server that does what a hostile or
//! broken server does: money moves never share a connection with anything
//! else, and an answer cut short is never read as whole.
#![cfg(all(feature = "blocking", feature = "tokio"))]
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::thread;

use idn_toto::*;

const TOKEN: &str = "HOSTILE-T0KEN-0123456789";
const BALANCE: &str = r#"{"success":true,"user":"lorem","balance":"8900.00"}"#;
const PROCESSED: &str =
    r#"{"success":true,"message":"Transaction has been successfully processed."}"#;

/// One request as the server saw it: which connection carried it, its
/// request line and its lower-cased headers.
#[derive(Debug, Clone)]
struct Seen {
    connection: usize,
    line: String,
    headers: Vec<(String, String)>,
}

/// How the server answers a request: the raw bytes it writes, and whether
/// it closes the connection after them.
type Script = dyn Fn(&Seen) -> (Vec<u8>, bool) + Send + Sync;

struct Server {
    base_url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Serves every connection on its own thread, keeping each open for as
    /// many requests as the client sends on it.
    fn start(script: impl Fn(&Seen) -> (Vec<u8>, bool) + Send + Sync + 'static) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}/home.php", listener.local_addr().unwrap());
        let seen = Arc::new(Mutex::new(Vec::new()));
        let script: Arc<Script> = Arc::new(script);
        let log = Arc::clone(&seen);
        thread::spawn(move || {
            for (connection, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let (log, script) = (Arc::clone(&log), Arc::clone(&script));
                thread::spawn(move || serve(connection, stream, &log, &*script));
            }
        });
        Server { base_url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn serve(connection: usize, stream: TcpStream, log: &Mutex<Vec<Seen>>, script: &Script) {
    let mut writer = stream.try_clone().unwrap();
    let mut reader = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if reader.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
            }
        }
        let length = headers
            .iter()
            .find(|(k, _)| k == "content-length")
            .and_then(|(_, v)| v.parse::<usize>().ok())
            .unwrap_or(0);
        let mut body = vec![0; length];
        if reader.read_exact(&mut body).is_err() {
            return;
        }
        let seen = Seen {
            connection,
            line: line.trim_end().to_owned(),
            headers,
        };
        let (bytes, close) = script(&seen);
        log.lock().unwrap().push(seen);
        if writer.write_all(&bytes).is_err() || close {
            return;
        }
    }
}

fn answer(body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Reads answered on a kept-alive connection; money moves answered and the
/// connection closed when the client asked for that.
fn polite(seen: &Seen) -> (Vec<u8>, bool) {
    let close = seen
        .headers
        .iter()
        .any(|(k, v)| k == "connection" && v.eq_ignore_ascii_case("close"));
    let body = if seen.line.contains("push_dps") {
        PROCESSED
    } else {
        BALANCE
    };
    (answer(body), close)
}

fn balance() -> UserBalanceParams {
    UserBalanceParams {
        user: Segment::new("user", "LOREM").unwrap(),
    }
}

fn accept() -> AcceptRejectParams {
    AcceptRejectParams {
        r#type: TxType::Deposit,
        trans_id: Segment::new("trans_id", "T-1").unwrap(),
        user: Segment::new("user", "LOREM").unwrap(),
        action: Action::Accept,
        comment: Segment::new("comment", "ok").unwrap(),
        operator: Segment::new("operator", "OP01").unwrap(),
    }
}

/// Reads, a money move, reads: the move came on a connection of its own
/// that carried nothing else, asking for no content coding and a close.
fn assert_money_moves_alone(server: &Server) {
    let seen = server.seen();
    assert_eq!(seen.len(), 5, "{seen:?}");
    let money = seen.iter().find(|s| s.line.contains("push_dps")).unwrap();
    let sharing: Vec<&Seen> = seen
        .iter()
        .filter(|s| s.connection == money.connection)
        .collect();
    assert_eq!(
        sharing.len(),
        1,
        "the money move shared its connection: {seen:?}"
    );
    for (name, value) in [("accept-encoding", "identity"), ("connection", "close")] {
        assert!(
            money.headers.iter().any(|(k, v)| k == name && v == value),
            "{name}: {value} missing: {:?}",
            money.headers
        );
    }
    // The reads around it kept their connection alive.
    let reads: Vec<usize> = seen
        .iter()
        .filter(|s| !s.line.contains("push_dps"))
        .map(|s| s.connection)
        .collect();
    assert_eq!(reads[0], reads[1], "reads reuse their connection: {seen:?}");
}

#[test]
fn blocking_money_moves_never_share_a_connection() {
    let server = Server::start(polite);
    let client = idn_toto_client::blocking::Client::new(&server.base_url, TOKEN).unwrap();
    client.send(&balance()).unwrap();
    client.send(&balance()).unwrap();
    client.send(&accept()).unwrap();
    client.send(&balance()).unwrap();
    client.send(&balance()).unwrap();
    assert_money_moves_alone(&server);
}

#[tokio::test]
async fn async_money_moves_never_share_a_connection() {
    let server = Server::start(polite);
    let client = idn_toto_client::Client::new(&server.base_url, TOKEN).unwrap();
    client.send(&balance()).await.unwrap();
    client.send(&balance()).await.unwrap();
    client.send(&accept()).await.unwrap();
    client.send(&balance()).await.unwrap();
    client.send(&balance()).await.unwrap();
    assert_money_moves_alone(&server);
}

/// A money move answered with more `Content-Length` than it sends, then
/// the connection closed; and one with two different lengths.
fn cut(seen: &Seen) -> (Vec<u8>, bool) {
    let bytes = if seen.line.contains("/LOREM/") {
        format!("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\n{PROCESSED}")
    } else {
        format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nContent-Length: 9\r\n\r\n{PROCESSED}",
            PROCESSED.len()
        )
    };
    (bytes.into_bytes(), true)
}

fn accept_for(user: &str) -> AcceptRejectParams {
    AcceptRejectParams {
        user: Segment::new("user", user).unwrap(),
        ..accept()
    }
}

#[test]
fn blocking_cut_answers_are_unknown() {
    let server = Server::start(cut);
    let client = idn_toto_client::blocking::Client::new(&server.base_url, TOKEN).unwrap();
    for user in ["LOREM", "IPSUM"] {
        let err = client.send(&accept_for(user)).unwrap_err();
        assert_eq!(err.kind(), "outcome_unknown", "{user}: {err}");
        assert!(!err.to_string().contains(TOKEN));
    }
}

#[tokio::test]
async fn async_cut_answers_are_unknown() {
    let server = Server::start(cut);
    let client = idn_toto_client::Client::new(&server.base_url, TOKEN).unwrap();
    for user in ["LOREM", "IPSUM"] {
        let err = client.send(&accept_for(user)).await.unwrap_err();
        assert_eq!(err.kind(), "outcome_unknown", "{user}: {err}");
        assert!(!err.to_string().contains(TOKEN));
    }
}
