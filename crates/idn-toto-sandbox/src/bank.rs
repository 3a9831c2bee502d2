//! The bank statement of the seed's day: `GET /__sandbox/bank/credits`
//! gives the credits the seed's pending deposits would have brought, as the
//! generic CSV or a Moota webhook body, optionally signed.
//!
//! Each pending deposit of the seed brings, unless its `credits` say
//! otherwise, one transfer 120 seconds after the request, from the user's
//! `bank_acc_name`, into the deposit's destination account. A seed entry's
//! `credits` list gives the transfers one by one (`after_secs`, negative
//! for before; `sender_name`, `null` for none; `ref`; `deliveries`, how many
//! times the feed repeats it); `[]` is a deposit never paid. The seed's
//! `bank_credits` are money with no request behind it. The statement is the
//! seed's, not the state's: approving a deposit does not change the bank.

use std::fmt::Write as _;

use axum::body::Body;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use chrono::{NaiveDateTime, TimeDelta};
use hmac::{Hmac, Mac};
use percent_encoding::percent_decode_str;
use serde::{Deserialize, Deserializer};
use sha2::Sha256;

use crate::model::{Pending, TxKind, User};
use crate::money::Money;
use crate::wire::{self, Obj};

/// The statement's path.
pub(crate) const PATH: &str = "/__sandbox/bank/credits";

/// The balance every account starts the day with (running balances).
const OPENING_CENTS: &str = "50000000.00";

/// One transfer of a pending deposit, as the seed writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawTransfer {
    #[serde(default = "default_after")]
    after_secs: i64,
    /// Absent: the user's `bank_acc_name`; `null`: no name.
    #[serde(default, deserialize_with = "present")]
    sender_name: Option<Option<String>>,
    #[serde(default)]
    r#ref: Option<String>,
    #[serde(default = "one")]
    deliveries: u32,
}

/// Money in with no request, as the seed writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawBankCredit {
    r#ref: String,
    /// `BANK:NUMBER`.
    account: String,
    /// `YYYY-MM-DD HH:MM:SS`.
    posted_at: String,
    amount: String,
    #[serde(default)]
    sender_name: Option<String>,
    #[serde(default = "one")]
    deliveries: u32,
}

fn default_after() -> i64 {
    120
}

fn one() -> u32 {
    1
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// One credit line of the statement.
#[derive(Debug, Clone)]
pub(crate) struct BankCredit {
    r#ref: String,
    bank: String,
    number: String,
    posted_at: NaiveDateTime,
    amount: Money,
    sender_name: Option<String>,
    deliveries: u32,
}

/// The statement of a seed: its deposits' transfers and its other credits,
/// by posting time then ref. Errors name the seed entry.
pub(crate) fn statement(
    pending: &[Pending],
    transfers: Vec<Option<Vec<RawTransfer>>>,
    users: &[User],
    extra: Vec<RawBankCredit>,
) -> Result<Vec<BankCredit>, String> {
    let mut out = Vec::new();
    for (i, (p, raw)) in pending.iter().zip(transfers).enumerate() {
        let at = format!("pending[{i}].credits");
        if p.kind != TxKind::Deposit {
            if raw.is_some() {
                return Err(format!("{at}: only deposits bring bank credits"));
            }
            continue;
        }
        let requested = NaiveDateTime::parse_from_str(&p.date, "%d-%m-%Y %H:%M:%S")
            .map_err(|e| format!("pending[{i}].date: {e}"))?;
        let name = users.get(p.user).map(|u| u.bank_acc_name.clone());
        let list = raw.unwrap_or_else(|| {
            vec![RawTransfer {
                after_secs: default_after(),
                sender_name: None,
                r#ref: None,
                deliveries: 1,
            }]
        });
        for (n, t) in list.into_iter().enumerate() {
            let at = format!("{at}[{n}]");
            if t.after_secs.abs() > 86_400 || !(1..=10).contains(&t.deliveries) {
                return Err(format!(
                    "{at}: after_secs within a day, deliveries from 1 to 10"
                ));
            }
            out.push(BankCredit {
                r#ref: t.r#ref.unwrap_or_else(|| format!("SBX-{}-{}", p.id, n + 1)),
                bank: p.destination_bank.clone(),
                number: p.destination_acc_number.clone(),
                posted_at: requested + TimeDelta::seconds(t.after_secs),
                amount: p.amount,
                sender_name: t
                    .sender_name
                    .unwrap_or_else(|| name.clone())
                    .filter(|s| !s.is_empty()),
                deliveries: t.deliveries,
            });
        }
    }
    for (i, raw) in extra.into_iter().enumerate() {
        let at = format!("bank_credits[{i}]");
        let (bank, number) = raw
            .account
            .split_once(':')
            .ok_or_else(|| format!("{at}.account: BANK:NUMBER"))?;
        out.push(BankCredit {
            posted_at: NaiveDateTime::parse_from_str(&raw.posted_at, "%Y-%m-%d %H:%M:%S")
                .map_err(|e| format!("{at}.posted_at: YYYY-MM-DD HH:MM:SS ({e})"))?,
            amount: Money::parse_positive(&raw.amount)
                .ok_or_else(|| format!("{at}.amount: a positive exact amount"))?,
            r#ref: raw.r#ref,
            bank: bank.to_owned(),
            number: number.to_owned(),
            sender_name: raw.sender_name.filter(|s| !s.is_empty()),
            deliveries: raw.deliveries.clamp(1, 10),
        });
    }
    let mut refs: Vec<&str> = out.iter().map(|c| c.r#ref.as_str()).collect();
    refs.sort_unstable();
    if let Some(w) = refs.windows(2).find(|w| w[0] == w[1]) {
        return Err(format!(
            "bank credit ref {:?} is given twice (use deliveries to repeat one)",
            w[0]
        ));
    }
    out.sort_by(|a, b| (a.posted_at, &a.r#ref).cmp(&(b.posted_at, &b.r#ref)));
    Ok(out)
}

/// `GET /__sandbox/bank/credits[?format=csv|moota][&secret=S]`: the
/// statement as the generic CSV (the default) or a Moota webhook body; with
/// `secret`, a `Signature` header (hex HMAC-SHA256 of the body).
pub(crate) fn credits(statement: &[BankCredit], query: Option<&str>) -> Response {
    let format = query_value(query, "format");
    let (body, content_type) = match format.as_deref() {
        None | Some("csv") => (csv(statement), "text/csv; charset=utf-8"),
        Some("moota") => (moota(statement), "application/json"),
        Some(_) => {
            return respond(
                StatusCode::BAD_REQUEST,
                "application/json",
                wire::failure("format is csv or moota"),
                None,
            )
        }
    };
    let signature = query_value(query, "secret")
        .filter(|s| !s.is_empty())
        .map(|secret| sign(body.as_bytes(), secret.as_bytes()));
    respond(StatusCode::OK, content_type, body, signature)
}

fn respond(
    status: StatusCode,
    content_type: &'static str,
    body: String,
    signature: Option<String>,
) -> Response {
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(value) = signature.and_then(|s| HeaderValue::from_str(&s).ok()) {
        response.headers_mut().insert("signature", value);
    }
    response
}

fn query_value(query: Option<&str>, key: &str) -> Option<String> {
    query?.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (k == key).then(|| {
            percent_decode_str(&v.replace('+', " "))
                .decode_utf8_lossy()
                .into_owned()
        })
    })
}

fn sign(body: &[u8], secret: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret) else {
        return String::new(); // HMAC takes keys of any length
    };
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .fold(String::new(), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// Each line with its account's running balance, deliveries repeated.
fn lines(statement: &[BankCredit]) -> Vec<(&BankCredit, Money)> {
    let opening = Money::parse(OPENING_CENTS).unwrap_or(Money::ZERO);
    let mut balances: Vec<(String, Money)> = Vec::new();
    let mut out = Vec::new();
    for c in statement {
        let key = format!("{}:{}", c.bank.to_uppercase(), digits(&c.number));
        let balance = match balances.iter_mut().find(|(k, _)| *k == key) {
            Some((_, b)) => {
                *b = b.saturating_add(c.amount);
                *b
            }
            None => {
                let b = opening.saturating_add(c.amount);
                balances.push((key, b));
                b
            }
        };
        for _ in 0..c.deliveries {
            out.push((c, balance));
        }
    }
    out
}

fn digits(s: &str) -> String {
    s.chars().filter(char::is_ascii_digit).collect()
}

fn description(c: &BankCredit) -> String {
    format!(
        "TRSF E-BANKING CR {}/FTSCY/{} {} {}",
        c.posted_at.format("%d%m"),
        c.r#ref,
        c.amount.fixed(2),
        c.sender_name.as_deref().unwrap_or("")
    )
    .trim_end()
    .to_owned()
}

/// A CSV field, quoted when it must be.
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_owned()
    }
}

fn csv(statement: &[BankCredit]) -> String {
    let mut out = String::from("ref,account,posted_at,amount,sender_name,description,balance\n");
    for (c, balance) in lines(statement) {
        let row = [
            field(&c.r#ref),
            field(&format!("{}:{}", c.bank, c.number)),
            c.posted_at.format("%Y-%m-%d %H:%M:%S").to_string(),
            c.amount.fixed(2),
            field(c.sender_name.as_deref().unwrap_or("")),
            field(&description(c)),
            balance.fixed(2),
        ];
        out.push_str(&row.join(","));
        out.push('\n');
    }
    out
}

/// Moota's mutation fields; `date` is the booking day (no time), and
/// `created_at` when Moota read it (here: the posting time).
fn moota(statement: &[BankCredit]) -> String {
    wire::array(lines(statement).into_iter().map(|(c, balance)| {
        let at = c.posted_at.format("%Y-%m-%d %H:%M:%S").to_string();
        Obj::new()
            .str("mutation_id", &c.r#ref)
            .str("bank_id", &format!("sbx-{}", c.bank.to_lowercase()))
            .str("account_number", &digits(&c.number))
            .str("bank_type", &c.bank.to_lowercase())
            .str("date", &c.posted_at.format("%Y-%m-%d 00:00:00").to_string())
            .str("amount", &c.amount.fixed(2))
            .str("type", "CR")
            .str("description", &description(c))
            .str("note", "")
            .str("balance", &balance.fixed(2))
            .str("created_at", &at)
            .str("updated_at", &at)
            .str("token", &c.r#ref)
            .finish()
    }))
}
