//! Credit feeds, read from bytes: the generic CSV and the Moota webhook
//! body, whose `Signature` header (hex HMAC-SHA256 of the raw body with the
//! webhook's secret) is checked before anything in it is read.

use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use hmac::{Hmac, Mac};
use rust_decimal::Decimal;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};

use super::time::parse_posted_at;
use super::types::{credit_amount, Account, Credit};
use crate::schema::error::Error;
use crate::schema::wire::parse_decimal;

/// The generic CSV's columns (any order; an optional `balance`, the running
/// balance, gives a row without a `ref` its fingerprint).
pub const CREDIT_CSV_COLUMNS: [&str; 6] = [
    "ref",
    "account",
    "posted_at",
    "amount",
    "sender_name",
    "description",
];

/// A ref for a credit whose feed gives none: `fp-` and 32 hex digits of the
/// SHA-256 of account, posting time, amount and running balance. The same
/// line delivered twice gets the same ref (it counts once); a second
/// transfer of the same amount differs at least in the running balance.
pub fn credit_fingerprint(
    account: &Account,
    posted_at: Option<NaiveDateTime>,
    amount: Decimal,
    balance: Option<Decimal>,
) -> String {
    let at = posted_at.map_or_else(String::new, |t| {
        t.format("%Y-%m-%d %H:%M:%S%.f").to_string()
    });
    let text = format!(
        "{}|{at}|{}|{}",
        account.canonical(),
        amount.normalize(),
        balance.map_or_else(String::new, |b| b.normalize().to_string())
    );
    let digest = Sha256::digest(text.as_bytes());
    format!("fp-{}", &hex(&digest)[..32])
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

// ---------------------------------------------------------------- CSV

/// Reads the generic CSV feed: a header naming the columns
/// `ref,account,posted_at,amount,sender_name,description` (any order, plus
/// an optional `balance`), then one credit per row. An empty `posted_at`
/// (or `PEND`) is a pending statement row, never approved. A row without a
/// `ref` needs its `balance`: it gets [`credit_fingerprint`]. Errors name the
/// line and column (`line 4, column amount`).
pub fn credits_from_csv(bytes: &[u8]) -> Result<Vec<Credit>, Error> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let header = reader.headers().map_err(|e| csv_error(&e))?.clone();
    // ref, account, posted_at, amount, sender_name, description, balance
    let names: Vec<&str> = CREDIT_CSV_COLUMNS
        .iter()
        .copied()
        .chain(["balance"])
        .collect();
    let mut at: Vec<Option<usize>> = vec![None; names.len()];
    for (i, column) in header.iter().enumerate() {
        let lower = column.to_ascii_lowercase();
        let Some(slot) = names.iter().position(|n| *n == lower) else {
            return Err(Error::invalid(
                format!("line 1, column {column}"),
                format!(
                    "unknown column (the header is {},balance?)",
                    CREDIT_CSV_COLUMNS.join(",")
                ),
            ));
        };
        if at[slot].replace(i).is_some() {
            return Err(Error::invalid(
                format!("line 1, column {column}"),
                "given twice",
            ));
        }
    }
    if let Some(missing) = CREDIT_CSV_COLUMNS
        .iter()
        .zip(&at)
        .find(|(_, a)| a.is_none())
    {
        return Err(Error::invalid(
            "line 1",
            format!(
                "the header has no {:?} column (it is {})",
                missing.0,
                CREDIT_CSV_COLUMNS.join(",")
            ),
        ));
    }
    let mut out = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = record.position().map_or(0, csv::Position::line);
        let cell = |slot: usize| at[slot].and_then(|i| record.get(i)).unwrap_or("");
        let field = |slot: usize| format!("line {line}, column {}", names[slot]);
        let account = Account::parse(&field(1), cell(1))?;
        let posted_at = match cell(2) {
            "" => None,
            p if p.eq_ignore_ascii_case("pend") => None,
            p => Some(parse_posted_at(p).map_err(|e| Error::invalid(field(2), e))?),
        };
        let amount = match cell(3) {
            "" => Err("required".to_owned()),
            a => credit_amount(a),
        }
        .map_err(|e| Error::invalid(field(3), e))?;
        let balance = match cell(6) {
            "" => None,
            b => Some(parse_decimal(b).map_err(|e| Error::invalid(field(6), e))?),
        };
        let r#ref = match (cell(0), balance) {
            ("", Some(_)) => credit_fingerprint(&account, posted_at, amount, balance),
            ("", None) => {
                return Err(Error::invalid(
                    field(0),
                    "empty, and no balance: a credit without a ref needs the running balance to be told from a second transfer of the same amount",
                ))
            }
            (r, _) => r.to_owned(),
        };
        let text = |slot: usize| Some(cell(slot).to_owned()).filter(|s| !s.is_empty());
        out.push(Credit {
            r#ref,
            account,
            posted_at,
            amount,
            sender_name: text(4),
            description: text(5),
        });
    }
    Ok(out)
}

fn csv_error(e: &csv::Error) -> Error {
    let field = e
        .position()
        .map_or_else(|| "credits".to_owned(), |p| format!("line {}", p.line()));
    let reason = match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("{len} fields, the header has {expected_len}"),
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text".to_owned(),
        _ => e.to_string(),
    };
    Error::invalid(field, reason)
}

// ---------------------------------------------------------------- Moota

type HmacSha256 = Hmac<Sha256>;

/// The `Signature` Moota sends with a webhook: hex HMAC-SHA256 of the raw
/// body with the webhook's secret token.
pub fn moota_signature(body: &[u8], secret: &[u8]) -> String {
    match HmacSha256::new_from_slice(secret) {
        Ok(mut mac) => {
            mac.update(body);
            hex(&mac.finalize().into_bytes())
        }
        // HMAC takes a key of any length: this cannot happen.
        Err(_) => String::new(),
    }
}

/// Checks a Moota webhook's `Signature` header against the raw body, in
/// constant time. A missing, malformed or wrong signature, or an empty
/// secret, is an `invalid_request` error at `signature`.
pub fn verify_moota_signature(body: &[u8], signature: &str, secret: &[u8]) -> Result<(), Error> {
    if secret.is_empty() {
        return Err(Error::invalid(
            "signature_secret",
            "empty: a webhook secret is needed to check the signature",
        ));
    }
    let given = unhex(signature.trim()).ok_or_else(|| {
        Error::invalid(
            "signature",
            "not a hex HMAC-SHA256 (64 hex digits): nothing in the body was read",
        )
    })?;
    let mut mac = HmacSha256::new_from_slice(secret)
        .map_err(|_| Error::invalid("signature_secret", "refused"))?;
    mac.update(body);
    mac.verify_slice(&given).map_err(|_| {
        Error::invalid(
            "signature",
            "does not match the body signed with the secret: nothing in the body was read",
        )
    })
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if s.len() != 64 || !s.is_ascii() {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Verifies the signature ([`verify_moota_signature`]), then reads the body
/// ([`credits_from_moota`]).
pub fn credits_from_moota_signed(
    body: &[u8],
    signature: &str,
    secret: &[u8],
) -> Result<Vec<Credit>, Error> {
    verify_moota_signature(body, signature, secret)?;
    credits_from_moota(body)
}

/// Reads a Moota mutation webhook body (not verified: see
/// [`credits_from_moota_signed`]): a JSON array of mutations. Credits
/// (`type` `CR`) become [`Credit`]s; debits (`DB`) are skipped.
///
/// Fields read: `mutation_id` (the ref; without one, [`credit_fingerprint`]
/// of account, time, amount and `balance`), `bank_type` (`bca`; a business
/// channel's suffix such as `bcaGiro` is cut at its first capital letter)
/// and `account_number` (the account), `amount`, `type`, `description`,
/// `date` and `created_at`. Moota's `date` is the bank's booking date,
/// often without a time of day: a `date` with a time other than midnight is
/// the posting time; otherwise `created_at` (when Moota read the statement)
/// is, when it falls on `date`'s day, and else the credit is not dated.
/// Times with an offset are converted to WIB. Moota has no sender name
/// field (the name is somewhere in the bank's free text): these credits
/// carry none, and the matcher treats them as nameless rather than guess
/// one out of the description. Other fields are ignored; a key given twice
/// is refused. Errors name `mutation[i].field`.
pub fn credits_from_moota(body: &[u8]) -> Result<Vec<Credit>, Error> {
    let text =
        std::str::from_utf8(body).map_err(|_| Error::invalid("mutation", "not UTF-8 text"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let items: Vec<Fields> = serde_json::from_str(text)
        .map_err(|e| Error::invalid("mutation", format!("not a JSON array of mutations: {e}")))?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if let Some(credit) = mutation(i, item)? {
            out.push(credit);
        }
    }
    Ok(out)
}

fn mutation(i: usize, fields: &Fields) -> Result<Option<Credit>, Error> {
    let field = |k: &str| format!("mutation[{i}].{k}");
    let text = |k: &str| -> Result<Option<String>, Error> {
        match fields.get(k) {
            None => Ok(None),
            Some(raw) => raw_text(raw).map_err(|e| Error::invalid(field(k), e)),
        }
    };
    let required = |k: &str| -> Result<String, Error> {
        text(k)?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| Error::invalid(field(k), "required"))
    };
    let kind = required("type")?;
    if kind.trim().eq_ignore_ascii_case("db") {
        return Ok(None);
    }
    if !kind.trim().eq_ignore_ascii_case("cr") {
        return Err(Error::invalid(
            field("type"),
            format!("CR (credit) or DB (debit), got {kind:?}"),
        ));
    }
    let bank_type = required("bank_type")?;
    let bank: String = bank_type
        .trim()
        .chars()
        .take_while(|c| !c.is_uppercase())
        .collect();
    let bank = if bank.is_empty() {
        bank_type.clone()
    } else {
        bank
    };
    let account = Account::new(
        &field("account_number"),
        &bank,
        &required("account_number")?,
    )?;
    let amount =
        credit_amount(&required("amount")?).map_err(|e| Error::invalid(field("amount"), e))?;
    let posted_at = moota_time(&required("date")?, text("created_at")?.as_deref())
        .map_err(|(k, e)| Error::invalid(field(k), e))?;
    let balance = match text("balance")?.filter(|b| !b.trim().is_empty()) {
        None => None,
        Some(b) => Some(parse_decimal(&b).map_err(|e| Error::invalid(field("balance"), e))?),
    };
    let r#ref = match text("mutation_id")?.filter(|r| !r.trim().is_empty()) {
        Some(r) => r.trim().to_owned(),
        None => credit_fingerprint(&account, posted_at, amount, balance),
    };
    Ok(Some(Credit {
        r#ref,
        account,
        posted_at,
        amount,
        sender_name: None,
        description: text("description")?.filter(|d| !d.trim().is_empty()),
    }))
}

/// The posting time of a Moota mutation (see [`credits_from_moota`]).
fn moota_time(
    date: &str,
    created_at: Option<&str>,
) -> Result<Option<NaiveDateTime>, (&'static str, String)> {
    let day = match NaiveDate::parse_from_str(date.trim(), "%Y-%m-%d") {
        Ok(day) => day,
        Err(_) => {
            let at = parse_posted_at(date).map_err(|e| ("date", e))?;
            if at.time() != NaiveTime::MIN {
                return Ok(Some(at));
            }
            at.date()
        }
    };
    let Some(created) = created_at.filter(|c| !c.trim().is_empty()) else {
        return Ok(None);
    };
    let created = parse_posted_at(created).map_err(|e| ("created_at", e))?;
    Ok((created.date() == day).then_some(created))
}

/// A JSON value as text: a string, or a number's digits; `null` is `None`.
fn raw_text(raw: &RawValue) -> Result<Option<String>, String> {
    let t = raw.get();
    match t.as_bytes().first() {
        Some(b'"') => serde_json::from_str::<String>(t)
            .map(Some)
            .map_err(|e| e.to_string()),
        Some(b'-' | b'0'..=b'9') => Ok(Some(t.to_owned())),
        Some(b'n') => Ok(None),
        _ => Err("must be text or a number".to_owned()),
    }
}

/// One mutation's fields, as their source text; a key given twice is
/// refused (which of the two the sender meant can't be known).
#[derive(Debug)]
struct Fields(Vec<(String, Box<RawValue>)>);

impl Fields {
    fn get(&self, key: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| &**v)
    }
}

impl<'de> Deserialize<'de> for Fields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Fields, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Fields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mutation object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields, A::Error> {
                let mut out: Vec<(String, Box<RawValue>)> = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Box<RawValue>>()? {
                    if out.iter().any(|(seen, _)| *seen == k) {
                        return Err(serde::de::Error::custom(format!(
                            "key {k:?} is given twice"
                        )));
                    }
                    out.push((k, v));
                }
                Ok(Fields(out))
            }
        }
        d.deserialize_map(V)
    }
}
