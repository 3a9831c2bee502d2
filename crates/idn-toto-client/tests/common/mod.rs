//! Shared by the client tests: a sandbox on 127.0.0.1 port 0, the client
//! settings the tests use (for either flavour), and the parameters the
//! stories use.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use idn_toto::*;
use idn_toto_client::ClientBuilder;
use idn_toto_sandbox::{Config, Sandbox};
use serde_json::{json, Value};

pub const TOKEN: &str = "CLIENT-E2E-T0KEN-0123456789";

/// Small delays so no test waits long: two retries, 10 ms then 20 ms.
pub const QUICK: RetryPolicy = RetryPolicy {
    retries: 2,
    base_delay_ms: 10,
    max_delay_ms: 2_000,
};

pub fn sandbox() -> Sandbox {
    Sandbox::start(Config::default().with_token(TOKEN)).expect("the sandbox binds 127.0.0.1:0")
}

/// Either client, so that the settings below are written once. Call them
/// with the flavour named (`quick::<Client>(&sandbox)`): each flavour has
/// its own `build`.
pub trait Flavour: Sized {
    fn builder(base_url: &str, token: &str) -> ClientBuilder<Self>;
}

#[cfg(feature = "blocking")]
impl Flavour for idn_toto_client::blocking::Client {
    fn builder(base_url: &str, token: &str) -> ClientBuilder<Self> {
        Self::builder(base_url, token)
    }
}

#[cfg(feature = "tokio")]
impl Flavour for idn_toto_client::Client {
    fn builder(base_url: &str, token: &str) -> ClientBuilder<Self> {
        Self::builder(base_url, token)
    }
}

/// The sandbox's URL and token, nothing else set.
pub fn builder<C: Flavour>(sandbox: &Sandbox) -> ClientBuilder<C> {
    C::builder(sandbox.base_url(), sandbox.token())
}

/// What most tests use: quick retries, no settle delay.
pub fn quick<C: Flavour>(sandbox: &Sandbox) -> ClientBuilder<C> {
    builder(sandbox).retry(QUICK).settle_delay(Duration::ZERO)
}

/// Quick retries, a short timeout, and the sandbox `fault` on every
/// request.
pub fn with_fault<C: Flavour>(sandbox: &Sandbox, fault: &str) -> ClientBuilder<C> {
    builder(sandbox)
        .retry(QUICK)
        .timeout(SHORT)
        .header("X-Sandbox-Fault", fault)
}

/// No retries, a short timeout, and the sandbox `fault` (a delay) on every
/// request.
pub fn slow<C: Flavour>(sandbox: &Sandbox, fault: &str) -> ClientBuilder<C> {
    builder(sandbox)
        .retry(RetryPolicy::NEVER)
        .timeout(SHORT)
        .header("X-Sandbox-Fault", fault)
}

/// One retry that may wait up to 5 s (a server's `Retry-After`), and the
/// sandbox `fault` on every request.
pub fn patient<C: Flavour>(sandbox: &Sandbox, fault: &str) -> ClientBuilder<C> {
    builder(sandbox)
        .retry(RetryPolicy {
            retries: 1,
            base_delay_ms: 10,
            max_delay_ms: 5_000,
        })
        .header("X-Sandbox-Fault", fault)
}

/// [`with_fault`], journaling every money move to `journal`.
pub fn lossy<C: Flavour>(sandbox: &Sandbox, fault: &str, journal: &Path) -> ClientBuilder<C> {
    with_fault(sandbox, fault).journal(journal)
}

/// A [`patient`] client's read answered `Retry-After: 1` once: it was
/// sent twice, and the second time at least a second after `started`.
pub fn assert_waited_retry_after(sandbox: &Sandbox, served_before: u64, started: Instant) {
    assert_eq!(requests_served(sandbox) - served_before, 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}, not the server's Retry-After of 1 s",
        started.elapsed()
    );
}

/// Racing accepts of one transaction: exactly one succeeded, every other
/// was told the transaction is gone.
pub fn assert_one_success<T: std::fmt::Debug>(results: &[Result<T, Error>]) {
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| e.api_kind() == Some(ApiErrorKind::TransactionNotFound)));
}

pub fn seg(field: &str, v: &str) -> Segment {
    Segment::new(field, v).unwrap()
}

pub fn balance_of(user: &str) -> UserBalanceParams {
    UserBalanceParams {
        user: seg("user", user),
    }
}

pub fn deposits() -> TransactionListParams {
    TransactionListParams {
        r#type: TxType::Deposit,
        bank: None,
        name: None,
    }
}

pub fn accept(trans_id: &str, user: &str) -> AcceptRejectParams {
    AcceptRejectParams::from_json(
        &json!({"type": "deposit", "trans_id": trans_id, "user": user,
        "action": "accept", "comment": "client e2e", "operator": "OP01"}),
    )
    .unwrap()
}

pub fn manual(user: &str, amount: &str) -> ManualTransactionParams {
    ManualTransactionParams::from_json(&json!({"type": "deposit", "user": user,
        "comment": "client e2e", "amount": amount, "operator": "OP01"}))
    .unwrap()
}

pub fn accept_item(trans_id: &str, user: &str, action: Action) -> MultipleItem {
    MultipleItem::AcceptReject(AcceptRejectItem {
        trans_id: Text::new("trans_id", trans_id).unwrap(),
        user: Text::new("user", user).unwrap(),
        action,
        comment: Text::new("comment", "client batch").unwrap(),
        operator: Text::new("operator", "OP01").unwrap(),
    })
}

pub fn manual_item(user: &str, amount: &str, i: usize) -> MultipleItem {
    MultipleItem::Manual(ManualItem {
        user: Text::new("user", user).unwrap(),
        amount: Amount::parse("amount", amount).unwrap(),
        comment: Text::new("comment", format!("bulk {i}")).unwrap(),
        operator: Text::new("operator", "OP01").unwrap(),
    })
}

pub fn lorems_report() -> FullTransactionParams {
    FullTransactionParams {
        user: seg("user", "LOREMS"),
        page: Page::FIRST,
        date: Some(NaiveDate::from_ymd_opt(2024, 5, 17).unwrap()),
    }
}

/// How many API requests the sandbox has served.
pub fn requests_served(sandbox: &Sandbox) -> u64 {
    let mut r = ureq::get(&format!("{}/stats", sandbox.admin_url()))
        .call()
        .unwrap();
    let v: Value = serde_json::from_slice(&r.body_mut().read_to_vec().unwrap()).unwrap();
    v["requests"].as_u64().unwrap()
}

/// Every encoding of the token a leak could take.
pub fn assert_no_token(text: &str) {
    let lower = text.to_ascii_lowercase();
    for form in [
        TOKEN.to_owned(),
        TOKEN.to_ascii_lowercase(),
        TOKEN.replace('-', "%2D"),
        TOKEN[..12].to_owned(),
    ] {
        assert!(
            !lower.contains(&form.to_ascii_lowercase()),
            "the token leaked ({form}) into: {text}"
        );
    }
}

/// A `tracing` subscriber that writes every span and event (all levels,
/// with fields) into a buffer.
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    pub fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync {
        let sink = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || sink.clone())
            .finish()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub const SHORT: Duration = Duration::from_millis(300);
