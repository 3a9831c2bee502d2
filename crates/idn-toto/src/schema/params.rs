//! Validated parameter types: once one exists, it is valid.

use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde_json::{Map, Value};

use crate::schema::error::Error;
use crate::schema::moves::{Action, TxType};
use crate::schema::operation_key::{OperationKey, MAX_KEY_LEN};
use crate::schema::percent::encode;
use crate::schema::wire::{self, DecimalError, DecimalRules};

// `TxType` and `Action` are defined with the money move they name
// (`moves.rs`, data only), `OperationKey` in `operation_key.rs` (data only:
// an `Unsettled` names its key); their parsers, which report an `Error`,
// are here.

impl TxType {
    /// Parses `"deposit"`/`"withdraw"` (case-insensitive); `field` names the
    /// parameter in the error.
    pub fn parse(field: &str, value: &str) -> Result<TxType, Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "deposit" => Ok(TxType::Deposit),
            "withdraw" => Ok(TxType::Withdraw),
            _ => Err(Error::invalid(
                field,
                format!("must be \"deposit\" or \"withdraw\", got {value:?}"),
            )),
        }
    }
}

impl OperationKey {
    /// Checks a key; the error names `field` (`key`, or a batch item's
    /// `transaction[3].key`).
    pub fn parse(field: &str, key: &str) -> Result<OperationKey, Error> {
        if key.is_empty() {
            return Err(Error::invalid(field, "must not be empty"));
        }
        if key.len() > MAX_KEY_LEN {
            return Err(Error::invalid(
                field,
                format!("is {} bytes long; at most {MAX_KEY_LEN}", key.len()),
            ));
        }
        if key.chars().any(char::is_control) {
            return Err(Error::invalid(field, "must not contain control characters"));
        }
        if key.trim() != key {
            return Err(Error::invalid(
                field,
                "must not begin or end with white space",
            ));
        }
        Ok(OperationKey(key.to_owned()))
    }
}

impl<'de> serde::Deserialize<'de> for OperationKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <String as serde::Deserialize>::deserialize(d)?;
        OperationKey::parse("key", &text).map_err(serde::de::Error::custom)
    }
}

impl Action {
    /// Parses `accept`/`reject` in any case.
    pub fn parse(field: &str, value: &str) -> Result<Action, Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "accept" => Ok(Action::Accept),
            "reject" => Ok(Action::Reject),
            _ => Err(Error::invalid(
                field,
                format!("must be \"accept\" or \"reject\", got {value:?}"),
            )),
        }
    }
}

fn check_text(field: &str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// A value that is exactly one safe URL path segment: not empty, not `.` or
/// `..`, no `/` or `\`, no control characters. It is percent-encoded when
/// written, and decodes back to exactly this value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Segment(String);

impl Segment {
    /// Checks `value`; `field` names the parameter in the error.
    pub fn new(field: &str, value: impl Into<String>) -> Result<Segment, Error> {
        let value = value.into();
        check_text(field, &value)?;
        if value == "." || value == ".." {
            return Err(Error::invalid(field, "must not be \".\" or \"..\""));
        }
        if value.contains(['/', '\\']) {
            return Err(Error::invalid(field, "must not contain '/' or '\\'"));
        }
        Ok(Segment(value))
    }

    /// The value as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The percent-encoded form written into the URL.
    pub fn encoded(&self) -> String {
        encode(&self.0)
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Free text sent in a JSON body: not empty, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Text(String);

impl Text {
    /// Checks `value`; `field` names the parameter in the error.
    pub fn new(field: &str, value: impl Into<String>) -> Result<Text, Error> {
        let value = value.into();
        check_text(field, &value)?;
        Ok(Text(value))
    }

    /// The value as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An exact amount of money, greater than zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Amount(Decimal);

impl Amount {
    /// Checks that `value` is greater than zero.
    pub fn new(field: &str, value: Decimal) -> Result<Amount, Error> {
        if value <= Decimal::ZERO {
            return Err(Error::invalid(field, "must be greater than zero"));
        }
        Ok(Amount(value))
    }

    /// Parses a plain decimal string (`"10000"`, `"2500.50"`, `".5"`): the
    /// one decimal parser with the request's rules (no sign, no exponent,
    /// no thousands separator; surrounding whitespace ignored), exact,
    /// above zero (`docs/spec-notes.md` 181).
    pub fn parse(field: &str, value: &str) -> Result<Amount, Error> {
        // Exact: a value with more digits than a decimal holds is refused,
        // never rounded (a rounded amount would be a different request).
        match wire::parse_decimal_with(value.trim(), DecimalRules::REQUEST) {
            Ok(d) => Amount::new(field, d),
            Err(DecimalError::Form(_)) => Err(Error::invalid(
                field,
                format!("must be a positive decimal number like \"10000\" or \"2500.50\", got {value:?}"),
            )),
            Err(DecimalError::Inexact(_)) => Err(Error::invalid(
                field,
                format!("{value:?} is out of range or has too many digits to be exact"),
            )),
        }
    }

    /// The exact value.
    pub fn value(self) -> Decimal {
        self.0
    }

    /// The wire form: plain digits, no exponent, the scale as given.
    pub fn to_wire(self) -> String {
        self.0.to_string()
    }
}

/// A page number, 1 or more.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Page(u32);

impl Page {
    /// The first page.
    pub const FIRST: Page = Page(1);

    /// Checks that `value` is at least 1.
    pub fn new(field: &str, value: u64) -> Result<Page, Error> {
        match u32::try_from(value) {
            Ok(n) if n >= 1 => Ok(Page(n)),
            _ => Err(Error::invalid(
                field,
                format!("must be a whole number from 1 to {}, got {value}", u32::MAX),
            )),
        }
    }

    /// The number.
    pub fn get(self) -> u32 {
        self.0
    }

    /// The page after this one, if there is a number for it.
    pub fn next(self) -> Option<Page> {
        self.0.checked_add(1).map(Page)
    }
}

/// Parses a calendar date written `YYYY-MM-DD`.
pub(crate) fn parse_request_date(field: &str, value: &str) -> Result<NaiveDate, Error> {
    let b = value.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        return Err(Error::invalid(
            field,
            format!("must be a date written YYYY-MM-DD, got {value:?}"),
        ));
    }
    // Digits only (checked above): what `parse_from_str(value, "%Y-%m-%d")`
    // reads, without chrono's format parser in the binary.
    let number = |at: std::ops::Range<usize>| value.get(at).and_then(|t| t.parse::<u32>().ok());
    match (number(0..4), number(5..7), number(8..10)) {
        (Some(y), Some(m), Some(d)) => NaiveDate::from_ymd_opt(y as i32, m, d),
        _ => None,
    }
    .ok_or_else(|| Error::invalid(field, format!("{value:?} is not a calendar date")))
}

/// A date as `YYYY-MM-DD`: exactly `date.format("%Y-%m-%d")` (a sign and at
/// least 4 digits for a year outside 0..=9999), without chrono's formatter.
pub(crate) fn format_date(date: NaiveDate) -> String {
    use chrono::Datelike;
    let (y, m, d) = (date.year(), date.month(), date.day());
    if (0..10_000).contains(&y) {
        format!("{y:04}-{m:02}-{d:02}")
    } else {
        format!("{y:+05}-{m:02}-{d:02}")
    }
}

/// The PGA `status` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PgaStatusFilter {
    /// `all`.
    All,
    /// `paid`.
    Paid,
    /// `expired`.
    Expired,
    /// `unpaid`.
    Unpaid,
}

impl PgaStatusFilter {
    /// The wire word.
    pub fn as_str(self) -> &'static str {
        match self {
            PgaStatusFilter::All => "all",
            PgaStatusFilter::Paid => "paid",
            PgaStatusFilter::Expired => "expired",
            PgaStatusFilter::Unpaid => "unpaid",
        }
    }

    /// Parses one of `all`, `paid`, `expired`, `unpaid` (any case).
    pub fn parse(field: &str, value: &str) -> Result<PgaStatusFilter, Error> {
        match value.trim().to_ascii_lowercase().as_str() {
            "all" => Ok(PgaStatusFilter::All),
            "paid" => Ok(PgaStatusFilter::Paid),
            "expired" => Ok(PgaStatusFilter::Expired),
            "unpaid" => Ok(PgaStatusFilter::Unpaid),
            _ => Err(Error::invalid(
                field,
                format!("must be one of all, paid, expired, unpaid; got {value:?}"),
            )),
        }
    }
}

/// Reads typed parameters out of a JSON object, naming the field on error.
/// `prefix` is prepended to field names (`transaction[3].`).
pub(crate) struct ParamReader<'a> {
    map: &'a Map<String, Value>,
    prefix: String,
}

impl<'a> ParamReader<'a> {
    pub(crate) fn new(value: &'a Value, prefix: &str) -> Result<ParamReader<'a>, Error> {
        let what = if prefix.is_empty() {
            "params".to_owned()
        } else {
            prefix.trim_end_matches('.').to_owned()
        };
        match value {
            Value::Object(map) => Ok(ParamReader {
                map,
                prefix: prefix.to_owned(),
            }),
            Value::Null if prefix.is_empty() => {
                static EMPTY: std::sync::OnceLock<Map<String, Value>> = std::sync::OnceLock::new();
                Ok(ParamReader {
                    map: EMPTY.get_or_init(Map::new),
                    prefix: String::new(),
                })
            }
            _ => Err(Error::invalid(what, "must be a JSON object")),
        }
    }

    pub(crate) fn field(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.map.get(name).filter(|v| !v.is_null())
    }

    /// A string or a number, as text; `None` when absent or null.
    pub(crate) fn opt_text(&self, name: &str) -> Result<Option<String>, Error> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(Error::invalid(self.field(name), "must be a string")),
        }
    }

    pub(crate) fn text(&self, name: &str) -> Result<String, Error> {
        self.opt_text(name)?
            .ok_or_else(|| Error::invalid(self.field(name), "is required"))
    }

    pub(crate) fn body_text(&self, name: &str) -> Result<Text, Error> {
        Text::new(&self.field(name), self.text(name)?)
    }

    pub(crate) fn tx_type(&self) -> Result<TxType, Error> {
        TxType::parse(&self.field("type"), &self.text("type")?)
    }

    pub(crate) fn action(&self) -> Result<Action, Error> {
        Action::parse(&self.field("action"), &self.text("action")?)
    }

    /// An amount given as a decimal string or a JSON number. Numbers are
    /// read from their shortest exact decimal text, so `2500.5` is 2500.5.
    pub(crate) fn amount(&self, name: &str) -> Result<Amount, Error> {
        let field = self.field(name);
        match self.get(name) {
            None => Err(Error::invalid(field, "is required")),
            Some(Value::String(s)) => Amount::parse(&field, s),
            Some(Value::Number(n)) => Amount::parse(&field, &n.to_string()),
            Some(_) => Err(Error::invalid(
                field,
                "must be a decimal string or a number",
            )),
        }
    }

    /// A page number; absent means page 1.
    pub(crate) fn page(&self, name: &str) -> Result<Page, Error> {
        let field = self.field(name);
        match self.get(name) {
            None => Ok(Page::FIRST),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(v) => Page::new(&field, v),
                None => Err(Error::invalid(
                    field,
                    format!("must be a whole number >= 1, got {n}"),
                )),
            },
            Some(Value::String(s)) => match s.trim().parse::<u64>() {
                Ok(v) => Page::new(&field, v),
                Err(_) => Err(Error::invalid(
                    field,
                    format!("must be a whole number >= 1, got {s:?}"),
                )),
            },
            Some(_) => Err(Error::invalid(field, "must be a whole number >= 1")),
        }
    }

    pub(crate) fn array(&self, name: &str) -> Result<&'a Vec<Value>, Error> {
        match self.get(name) {
            Some(Value::Array(items)) => Ok(items),
            None => Err(Error::invalid(self.field(name), "is required")),
            Some(_) => Err(Error::invalid(self.field(name), "must be a list")),
        }
    }

    /// Refuses keys this endpoint does not know, so a typo is not silently
    /// ignored.
    pub(crate) fn only(&self, known: &[&str]) -> Result<(), Error> {
        match self.map.keys().find(|k| !known.contains(&k.as_str())) {
            Some(k) => Err(Error::invalid(
                self.field(k),
                format!(
                    "is not a parameter of this endpoint (expected one of: {})",
                    known.join(", ")
                ),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn request_dates_read_and_write_as_chrono_formats_do() {
        use chrono::{Datelike, NaiveDate};
        for y in [0, 1, 9, 99, 999, 1000, 1970, 2024, 9999] {
            for m in 0..=13 {
                for d in [0, 1, 9, 28, 29, 30, 31, 32] {
                    let text = format!("{y:04}-{m:02}-{d:02}");
                    let ours = super::parse_request_date("date", &text).ok();
                    assert_eq!(
                        ours,
                        NaiveDate::parse_from_str(&text, "%Y-%m-%d").ok(),
                        "{text}"
                    );
                }
            }
        }
        for y in [
            -262_000, -10_000, -9999, -1, 0, 5, 999, 2024, 9999, 10_000, 262_000,
        ] {
            for (m, d) in [(1, 1), (2, 28), (12, 31)] {
                let date = NaiveDate::from_ymd_opt(y, m, d).expect("valid date");
                assert_eq!(
                    super::format_date(date),
                    date.format("%Y-%m-%d").to_string()
                );
                assert_eq!(date.year(), y);
            }
        }
    }

    use super::*;

    #[test]
    fn segments_refuse_what_cannot_be_one_segment() {
        for bad in ["", ".", "..", "a/b", "a\\b", "a\nb", "\u{7f}"] {
            let err = Segment::new("user", bad).unwrap_err();
            assert_eq!(err.field(), Some("user"), "{bad:?}");
        }
        for good in ["LOREM", "a b", "...", "%2F", "ü?#&=", "a.b"] {
            assert_eq!(Segment::new("user", good).unwrap().as_str(), good);
        }
        assert_eq!(Segment::new("c", "a b/?").map(|s| s.0).ok(), None);
        assert_eq!(Segment::new("c", "a b?#").unwrap().encoded(), "a%20b%3F%23");
    }

    /// The request's amounts and the answers' amounts are read by one
    /// parser (issue 21): every text either side takes means the same
    /// value with the same scale on the other, and they differ only by the
    /// options `DecimalRules` names (spec-notes 181). Checked over every
    /// text of up to five characters from an alphabet of digits, signs,
    /// points, exponents and spaces.
    #[test]
    fn requests_and_answers_read_amounts_with_one_parser() {
        use crate::schema::wire::parse_decimal;
        const ALPHABET: &[u8] = b"0159.-+eE ";
        let mut texts = vec![String::new()];
        let mut last = vec![String::new()];
        for _ in 0..5 {
            last = last
                .iter()
                .flat_map(|t| {
                    ALPHABET.iter().map(move |&c| {
                        let mut t = t.clone();
                        t.push(char::from(c));
                        t
                    })
                })
                .collect();
            texts.extend(last.iter().cloned());
        }
        assert_eq!(texts.len(), 111_111);
        let (mut requests, mut answers) = (0, 0);
        for text in &texts {
            let request = Amount::parse("amount", text);
            let answer = parse_decimal(text);
            let t = text.trim();
            let bare = t.starts_with('.') || t.ends_with('.');
            if let Ok(amount) = &request {
                requests += 1;
                // The same value and scale as an answer would be read:
                // `.5` and `5.` as their full forms.
                let full = match (t.starts_with('.'), t.ends_with('.')) {
                    (true, _) => format!("0{t}"),
                    (_, true) => t.trim_end_matches('.').to_owned(),
                    _ => t.to_owned(),
                };
                let read = parse_decimal(&full).unwrap_or_else(|e| panic!("{text:?}: {e}"));
                assert_eq!(read.to_string(), amount.value().to_string(), "{text:?}");
                if !bare {
                    assert_eq!(answer.as_ref().ok(), Some(&amount.value()), "{text:?}");
                }
            }
            if let Ok(value) = answer {
                answers += 1;
                // Whatever an answer may hold, a request takes too, unless
                // it uses an option only answers have: a sign or an
                // exponent (or it is not above zero).
                let answer_only = t.contains(['-', 'e', 'E']);
                if !answer_only && value > Decimal::ZERO {
                    let amount = request.unwrap_or_else(|e| panic!("{text:?}: {e}"));
                    assert_eq!(amount.value().to_string(), value.to_string(), "{text:?}");
                }
            }
        }
        assert!(
            requests > 1_000 && answers > requests,
            "{requests} {answers}"
        );
        // The chosen rule for the options, named: an answer may say `1e3`
        // and `-2000.00`; a request may not.
        assert_eq!(parse_decimal("1e3").unwrap().to_string(), "1000");
        assert_eq!(parse_decimal("-2000.00").unwrap().to_string(), "-2000.00");
        for request_only in ["1e3", "-2000.00", "1E3"] {
            let e = Amount::parse("amount", request_only).unwrap_err();
            assert_eq!(e.field(), Some("amount"));
        }
        // A bare point: a person's `.5` and `5.` are requests' (written out
        // in full), never an answer's.
        for (bare, value) in [(".5", "0.5"), ("5.", "5")] {
            let amount = Amount::parse("amount", bare).unwrap();
            assert_eq!(amount.value().to_string(), value, "{bare}");
            assert!(!amount.to_wire().starts_with('.') && !amount.to_wire().ends_with('.'));
            assert!(parse_decimal(bare).is_err(), "{bare}");
        }
        // Refused on both sides.
        for both in ["+5", "1_000", "12,50", ".", "1 000", "NaN", "0x10", "--1"] {
            assert!(Amount::parse("amount", both).is_err(), "{both}");
            assert!(parse_decimal(both).is_err(), "{both}");
        }
    }

    #[test]
    fn amounts_are_exact_and_positive() {
        assert_eq!(Amount::parse("amount", "10000").unwrap().to_wire(), "10000");
        assert_eq!(
            Amount::parse("amount", "2500.50").unwrap().to_wire(),
            "2500.50"
        );
        assert_eq!(Amount::parse("amount", "0.1").unwrap().to_wire(), "0.1");
        // Would round (29 decimal places) or overflow: refused, never changed.
        assert!(Amount::parse("amount", "1.00000000000000000000000000001").is_err());
        assert!(Amount::parse("amount", "79228162514264337593543950336").is_err());
        for bad in [
            "0", "0.00", "-5", "1e5", "1,000", "", ".", "abc", "1.2.3", "NaN",
        ] {
            assert!(Amount::parse("amount", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_must_be_real() {
        assert!(parse_request_date("date", "2024-02-29").is_ok());
        for bad in [
            "2023-02-29",
            "2024-13-01",
            "24-05-17",
            "2024-5-17",
            "17-05-2024",
            "",
        ] {
            assert!(parse_request_date("date", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn pages_start_at_one() {
        assert!(Page::new("page", 0).is_err());
        assert_eq!(Page::new("page", 3).unwrap().get(), 3);
        assert!(Page::new("page", u64::from(u32::MAX) + 1).is_err());
    }
}
