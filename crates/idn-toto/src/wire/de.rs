//! Field decoders: money, timestamps, counts, flags, lists in either shape.
//!
//! Each is a `deserialize_with` function that accepts every shape the spec
//! (or a PHP server) plausibly sends and nothing that would lose meaning.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

// ---------------------------------------------------------------- money

struct DecimalVisitor;

impl Visitor<'_> for DecimalVisitor {
    type Value = Decimal;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a decimal amount as a string or a number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
        parse_decimal(v).ok_or_else(|| E::custom(format!("invalid decimal amount {v:?}")))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
        Ok(Decimal::from(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
        // The shortest text that reads back as this f64 is the literal the
        // server wrote (for up to 15 significant digits): parse that text,
        // never the binary value.
        if !v.is_finite() {
            return Err(E::custom("amount is not a finite number"));
        }
        let text = format!("{v}");
        Decimal::from_str(&text)
            .map_err(|_| E::custom(format!("amount {text} is out of the decimal range")))
    }
}

/// Parses a money string: optional sign, digits, optional fraction; an
/// exponent is accepted (`1e3`); surrounding whitespace ignored.
pub(crate) fn parse_decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    Decimal::from_str(s)
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
}

/// An amount, from a string or a number.
pub(crate) fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    d.deserialize_any(DecimalVisitor)
}

/// An optional amount: null or `""` is `None`.
pub(crate) fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<Decimal>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal amount or null")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            opt_amount(d)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.trim().is_empty() {
                return Ok(None);
            }
            DecimalVisitor.visit_str(v).map(Some)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(Decimal::from(v)))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            DecimalVisitor.visit_f64(v).map(Some)
        }
    }
    d.deserialize_any(V)
}

// ---------------------------------------------------------------- time

fn digits(b: &[u8]) -> Option<u32> {
    let mut n = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        n = n.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(n)
}

/// `YYYY-MM-DD` or `DD-MM-YYYY` (also with `/`), at the start of `b`.
fn date_prefix(b: &[u8]) -> Option<NaiveDate> {
    if b.len() < 10 {
        return None;
    }
    let sep = |c: u8| c == b'-' || c == b'/';
    if sep(b[4]) && sep(b[7]) {
        NaiveDate::from_ymd_opt(
            digits(&b[0..4])? as i32,
            digits(&b[5..7])?,
            digits(&b[8..10])?,
        )
    } else if sep(b[2]) && sep(b[5]) {
        NaiveDate::from_ymd_opt(
            digits(&b[6..10])? as i32,
            digits(&b[3..5])?,
            digits(&b[0..2])?,
        )
    } else {
        None
    }
}

/// Parses every timestamp format the spec shows:
/// `23-02-2021 15:38:48`, `2021-04-19 04:36:47.760`,
/// `2017-04-27 13:27:05.5570000`, `2024-03-01 11:54:56.000`, ISO `T`
/// separators, and a bare date (midnight). Fractions beyond nanoseconds are
/// truncated.
pub(crate) fn parse_datetime(s: &str) -> Option<NaiveDateTime> {
    let b = s.trim().as_bytes();
    let date = date_prefix(b)?;
    let rest = &b[10..];
    if rest.is_empty() {
        return Some(date.and_time(NaiveTime::MIN));
    }
    if rest.len() < 9 || !(rest[0] == b' ' || rest[0] == b'T') || rest[3] != b':' || rest[6] != b':'
    {
        return None;
    }
    let (h, m, sec) = (
        digits(&rest[1..3])?,
        digits(&rest[4..6])?,
        digits(&rest[7..9])?,
    );
    let mut nanos = 0u32;
    let tail = &rest[9..];
    if let Some(frac) = tail.strip_prefix(b".") {
        if frac.is_empty() || frac.len() > 12 {
            return None;
        }
        let used = &frac[..frac.len().min(9)];
        nanos = digits(used)? * 10u32.pow(9 - used.len() as u32);
        if !frac.iter().all(u8::is_ascii_digit) {
            return None;
        }
    } else if !tail.is_empty() {
        return None;
    }
    date.and_hms_nano_opt(h, m, sec, nanos)
}

/// Parses a date: `YYYY-MM-DD`, `DD-MM-YYYY`, or a timestamp's date part.
pub(crate) fn parse_date(s: &str) -> Option<NaiveDate> {
    let t = s.trim();
    if t.len() == 10 {
        return date_prefix(t.as_bytes());
    }
    parse_datetime(t).map(|dt| dt.date())
}

struct DateTimeVisitor;

impl Visitor<'_> for DateTimeVisitor {
    type Value = NaiveDateTime;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date-time such as 23-02-2021 15:38:48 or 2021-04-19 04:36:47.760")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDateTime, E> {
        parse_datetime(v).ok_or_else(|| E::custom(format!("invalid date-time {v:?}")))
    }
}

/// A timestamp.
pub(crate) fn datetime<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    d.deserialize_str(DateTimeVisitor)
}

/// An optional timestamp: null, `""` and `0000-00-00 00:00:00` are `None`.
///
/// Read as `Option<String>` is (the same errors), with the timestamp checked
/// inside the visitor: an error raised after a value was read would be placed
/// after the container around it (see `wire::canonical::locate`).
pub(crate) fn opt_datetime<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<NaiveDateTime>, D::Error> {
    struct Text;
    impl Visitor<'_> for Text {
        type Value = Option<NaiveDateTime>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim() {
                "" => Ok(None),
                v if v.starts_with("0000-00-00") || v.starts_with("00-00-0000") => Ok(None),
                v => DateTimeVisitor.visit_str(v).map(Some),
            }
        }
    }
    struct Opt;
    impl<'de> Visitor<'de> for Opt {
        type Value = Option<NaiveDateTime>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("option")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            d.deserialize_string(Text)
        }
    }
    d.deserialize_option(Opt)
}

/// A calendar date.
pub(crate) fn date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = NaiveDate;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a date such as 2023-05-17")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<NaiveDate, E> {
            parse_date(v).ok_or_else(|| E::custom(format!("invalid date {v:?}")))
        }
    }
    d.deserialize_str(V)
}

// ---------------------------------------------------------------- scalars

/// `"3 Rows"`, `"1 Page(s)"`, `"3"` or `3` -> 3.
pub(crate) fn count<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a count such as 3 or \"3 Rows\"")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Ok(v)
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            u64::try_from(v).map_err(|_| E::custom(format!("negative count {v}")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            if v.fract() == 0.0 && (0.0..1e18).contains(&v) {
                Ok(v as u64)
            } else {
                Err(E::custom(format!("count {v} is not a whole number")))
            }
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
            let t = v.trim_start();
            let end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
            t[..end]
                .parse()
                .map_err(|_| E::custom(format!("invalid count {v:?}")))
        }
    }
    d.deserialize_any(V)
}

/// `true`/`false`, `"true"`/`"false"`, `1`/`0`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("true or false")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v != 0))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Ok(Some(true)),
                "false" | "0" | "" => Ok(Some(false)),
                _ => Err(E::custom(format!("invalid flag {v:?}"))),
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }
    d.deserialize_any(V)
}

/// Text that may arrive as a string, a number or null (null is `""`).
/// Numbers keep their literal digits (`"0730289330"` stays a string; `25`
/// becomes `"25"`).
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct V;
    impl Visitor<'_> for V {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a string")
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_owned())
        }
        fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<String, E> {
            Ok(format!("{v}"))
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_unit<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<String, E> {
            Ok(String::new())
        }
    }
    d.deserialize_any(V)
}

// ---------------------------------------------------------------- lists

/// A list sent as an array, or as an object keyed `"1"`, `"2"`, ...
/// (ordered by the numeric key: `"10"` after `"9"`; non-numeric keys after
/// the numeric ones in arrival order; of duplicate keys the last wins).
/// `null`, `""`, `[]` and `{}` are the empty list.
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    d.deserialize_any(ListVisitor(PhantomData))
}

pub(crate) struct ListVisitor<T>(pub(crate) PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list (an array or an object keyed \"1\", \"2\", ...)")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            out.push(item);
        }
        Ok(out)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        let mut keyed: Vec<(u64, usize, T)> =
            Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        let mut n = 0usize;
        while let Some(key) = map.next_key::<KeyNumber>()? {
            let item = map.next_value()?;
            keyed.push((key.0, n, item));
            n += 1;
        }
        Ok(order_keyed(keyed))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        if v.trim().is_empty() {
            Ok(Vec::new())
        } else {
            Err(E::invalid_type(de::Unexpected::Str(v), &self))
        }
    }
}

/// Sorts `(key, arrival, item)` by key then arrival, keeping the last item of
/// each duplicate numeric key.
pub(crate) fn order_keyed<T>(mut keyed: Vec<(u64, usize, T)>) -> Vec<T> {
    keyed.sort_by_key(|(k, i, _)| (*k, *i));
    let mut out: Vec<T> = Vec::with_capacity(keyed.len());
    let mut last_key = None;
    for (k, _, item) in keyed {
        if k != u64::MAX && last_key == Some(k) {
            if let Some(slot) = out.last_mut() {
                *slot = item;
            }
            continue;
        }
        last_key = Some(k);
        out.push(item);
    }
    out
}

/// A map key read as its number; non-numeric keys sort last (`u64::MAX`).
pub(crate) struct KeyNumber(pub(crate) u64);

impl<'de> Deserialize<'de> for KeyNumber {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<KeyNumber, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = KeyNumber;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyNumber, E> {
                Ok(KeyNumber(key_number(v).unwrap_or(u64::MAX)))
            }
        }
        d.deserialize_str(V)
    }
}

/// `"12"` -> 12; anything not all digits -> `None`.
pub(crate) fn key_number(k: &str) -> Option<u64> {
    if k.is_empty() || k.len() > 19 || !k.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    k.parse().ok()
}

/// Skips a value of any shape.
pub(crate) fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_spec_timestamp_format() {
        let cases = [
            ("23-02-2021 15:38:48", "2021-02-23T15:38:48"),
            ("2021-04-19 04:36:47.760", "2021-04-19T04:36:47.760"),
            ("2017-04-27 13:27:05.5570000", "2017-04-27T13:27:05.557"),
            ("10-07-2022 10:21:14", "2022-07-10T10:21:14"),
            ("2024-03-01 11:54:56.000", "2024-03-01T11:54:56"),
            ("2023-05-17", "2023-05-17T00:00:00"),
            ("2021-04-19T04:36:47", "2021-04-19T04:36:47"),
            (
                " 2021-04-19 04:36:47.123456789123 ",
                "2021-04-19T04:36:47.123456789",
            ),
        ];
        for (input, want) in cases {
            let got = parse_datetime(input).map(|d| format!("{d:?}"));
            assert_eq!(got.as_deref(), Some(want), "{input}");
        }
        for bad in [
            "",
            "2021-02-30 00:00:00",
            "23-02-2021 25:00:00",
            "2021-04-19 04:36",
            "2021-04-19 04:36:47.",
            "2021-04-19 04:36:47Z",
            "x",
        ] {
            assert_eq!(parse_datetime(bad), None, "{bad}");
        }
    }

    #[test]
    fn keyed_lists_order_numerically_and_last_duplicate_wins() {
        let keyed = vec![
            (10, 0, "ten"),
            (9, 1, "nine"),
            (u64::MAX, 2, "x"),
            (9, 3, "nine again"),
            (u64::MAX, 4, "y"),
        ];
        assert_eq!(order_keyed(keyed), ["nine again", "ten", "x", "y"]);
    }
}
