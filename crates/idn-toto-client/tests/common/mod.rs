//! Shared by the client tests: a sandbox on 127.0.0.1 port 0 and the
//! parameters the stories use.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use idn_toto::*;
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

pub fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "idn-toto-client-test-{}-{}",
        std::process::id(),
        fastrand::u64(..)
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
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
