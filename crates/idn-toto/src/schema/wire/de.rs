//! Field decoders: money, timestamps, counts, flags, lists in either shape.
//!
//! Each is a `deserialize_with` function that accepts every shape the spec
//! (or a PHP server) plausibly sends and nothing that would lose meaning.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rust_decimal::Decimal;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

// ---------------------------------------------------------------- money

/// The two options of the one decimal grammar (what differs between what
/// the server may write and what a request may carry). Everything else is
/// the same on every side: digits, optionally `.` and digits, surrounding
/// spaces and tabs ignored; `+5`, `1_000`, `12,50`, `1 000`, `.` and `NaN`
/// are never an amount; a value a decimal can't hold exactly
/// (more than 28 fraction digits, more than 96 bits) is refused, never
/// rounded (`docs/spec-notes.md` 181).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct DecimalRules {
    /// A leading `-` (a withdrawal in a history, a negative balance).
    pub(crate) sign: bool,
    /// An exponent (`1e3`, `2.5E-2`): how a PHP server writes a large or
    /// small float.
    pub(crate) exponent: bool,
    /// A point with no digits on one side (`.5`, `5.`): a person's input,
    /// unambiguous, and never sent as written (a request writes `0.5`,
    /// `5`); a server's answer that has one is damaged.
    pub(crate) bare_point: bool,
}

impl DecimalRules {
    /// What an answer may hold (spec-notes 26): a sign and an exponent.
    pub(crate) const WIRE: DecimalRules = DecimalRules {
        sign: true,
        exponent: true,
        bare_point: false,
    };
    /// What a request may carry (spec-notes 11, 74): plain digits, as they
    /// go into a URL path or a body; [`crate::Amount::parse`] adds "above
    /// zero".
    pub(crate) const REQUEST: DecimalRules = DecimalRules {
        sign: false,
        exponent: false,
        bare_point: true,
    };
}

/// Why a text is not a decimal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DecimalError {
    /// Not written in the grammar (or uses an option the rules refuse).
    Form(String),
    /// Written well, but a decimal can't hold it exactly.
    Inexact(String),
}

impl fmt::Display for DecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecimalError::Form(m) | DecimalError::Inexact(m) => f.write_str(m),
        }
    }
}

/// Parses a money literal of an answer exactly ([`DecimalRules::WIRE`]):
/// optional `-`, digits, optional fraction, optional exponent (`1e3`,
/// `2.5E-2`); surrounding spaces ignored.
pub(crate) fn parse_decimal(s: &str) -> Result<Decimal, String> {
    parse_decimal_with(s, DecimalRules::WIRE).map_err(|e| e.to_string())
}

/// The one decimal parser: `s` read exactly under `rules` (see
/// [`DecimalRules`]). The scale is kept as written (`2500.50` is
/// `2500.50`).
pub(crate) fn parse_decimal_with(s: &str, rules: DecimalRules) -> Result<Decimal, DecimalError> {
    let t = s.trim_matches(|c: char| c == ' ' || c == '\t');
    let bad = || DecimalError::Form(format!("invalid decimal amount {s:?}"));
    let b = t.as_bytes();
    let mut i = 0;
    let negative = b.first() == Some(&b'-');
    if negative {
        if !rules.sign {
            return Err(DecimalError::Form(format!(
                "a sign is not accepted here: {s:?}"
            )));
        }
        i += 1;
    }
    let int_start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    let int_digits = &t[int_start..i];
    let mut frac_digits = "";
    let mut point = false;
    if b.get(i) == Some(&b'.') {
        point = true;
        let start = i + 1;
        i = start;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        frac_digits = &t[start..i];
    }
    // Digits on both sides of a point; `.5` and `5.` only where the rules
    // take a bare point, and never `.` alone.
    let bare = point && (int_digits.is_empty() || frac_digits.is_empty());
    if (int_digits.is_empty() && frac_digits.is_empty())
        || (int_digits.is_empty() && !point)
        || (bare && !rules.bare_point)
    {
        return Err(bad());
    }
    let mut exponent: i64 = 0;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        if !rules.exponent {
            return Err(DecimalError::Form(format!(
                "an exponent is not accepted here: {s:?}"
            )));
        }
        i += 1;
        let sign = match b.get(i) {
            Some(b'-') => {
                i += 1;
                -1
            }
            Some(b'+') => {
                i += 1;
                1
            }
            _ => 1,
        };
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = &t[start..i];
        if digits.is_empty() || digits.len() > 4 {
            return Err(bad());
        }
        exponent = sign * digits.parse::<i64>().map_err(|_| bad())?;
    }
    if i != b.len() {
        return Err(bad());
    }
    let plain = if exponent == 0 {
        t.to_owned()
    } else {
        // Shift the point by the exponent: the same digits, written plainly.
        let digits = format!("{int_digits}{frac_digits}");
        let point = int_digits.len() as i64 + exponent;
        let sign = if negative { "-" } else { "" };
        if point <= 0 {
            let zeros = usize::try_from(-point).map_err(|_| bad())?;
            if zeros > 64 {
                return Err(DecimalError::Inexact(format!(
                    "amount {s:?} is smaller than a decimal holds exactly"
                )));
            }
            format!("{sign}0.{}{digits}", "0".repeat(zeros))
        } else {
            let point = usize::try_from(point).map_err(|_| bad())?;
            if point > digits.len() {
                if point - digits.len() > 64 {
                    return Err(DecimalError::Inexact(format!(
                        "amount {s:?} is larger than a decimal holds"
                    )));
                }
                format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
            } else if point == digits.len() {
                format!("{sign}{digits}")
            } else {
                format!("{sign}{}.{}", &digits[..point], &digits[point..])
            }
        }
    };
    Decimal::from_str_exact(&plain).map_err(|_| {
        DecimalError::Inexact(format!("amount {s:?} has more digits than a decimal holds exactly (28 after the point, 96 bits in all)"))
    })
}

/// Separates a refusal's message from where the refused value ends.
const AT: char = '\u{1}';

/// The error for a value read as its source text (`raw`, borrowed from the
/// body being read). serde_json places an error by where it stopped
/// reading, which for such a value may be past the next `,` or closer; the
/// message therefore carries where the value ends, and
/// `canonical::locate` (or [`split_at_marker`]) takes it out again.
pub(crate) fn refuse<E: de::Error>(raw: &str, message: impl fmt::Display) -> E {
    E::custom(format_args!(
        "{message}{AT}{}",
        raw.as_ptr() as usize + raw.len()
    ))
}

/// A message without its end marker, and the marker: the address just past
/// the refused value (see [`refuse`]).
pub(crate) fn split_at_marker(message: &str) -> (&str, Option<usize>) {
    match message.split_once(AT) {
        Some((text, rest)) => {
            let digits = rest
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(rest.len());
            (text, rest[..digits].parse().ok())
        }
        None => (message, None),
    }
}

/// A JSON value's source text, borrowed from the body.
pub(crate) fn raw<'de, D: Deserializer<'de>>(d: D) -> Result<&'de str, D::Error> {
    <&'de RawValue>::deserialize(d).map(RawValue::get)
}

/// A string literal's text (`raw` starts with `"`).
fn unquote(raw: &str) -> Result<Cow<'_, str>, String> {
    let inner = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    if inner.contains('\\') {
        serde_json::from_str::<String>(raw)
            .map(Cow::Owned)
            .map_err(|e| e.to_string())
    } else {
        Ok(Cow::Borrowed(inner))
    }
}

/// What a non-scalar or unexpected JSON value is, for messages.
fn describe(raw: &str) -> &'static str {
    match raw.as_bytes().first() {
        Some(b'{') => "map",
        Some(b'[') => "sequence",
        Some(b't' | b'f') => "boolean",
        Some(b'n') => "null",
        Some(b'"') => "string",
        _ => "number",
    }
}

/// An amount from its source text: a string or a number, read from its
/// digits (never through a float).
fn decimal_from_raw(raw: &str) -> Result<Decimal, String> {
    match raw.as_bytes().first() {
        Some(b'"') => parse_decimal(&unquote(raw)?),
        Some(b'-' | b'0'..=b'9') => parse_decimal(raw),
        _ => Err(format!(
            "invalid type: {}, expected a decimal amount as a string or a number",
            describe(raw)
        )),
    }
}

/// An amount, from a string or a number.
pub(crate) fn amount<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let raw = raw(d)?;
    decimal_from_raw(raw).map_err(|m| refuse(raw, m))
}

/// An optional amount: null or `""` is `None`.
pub(crate) fn opt_amount<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    let raw = raw(d)?;
    if raw == "null" {
        return Ok(None);
    }
    if raw.starts_with('"') {
        let text = unquote(raw).map_err(|m| refuse(raw, m))?;
        if text.trim().is_empty() {
            return Ok(None);
        }
        return parse_decimal(&text).map(Some).map_err(|m| refuse(raw, m));
    }
    decimal_from_raw(raw).map(Some).map_err(|m| refuse(raw, m))
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
            opt_datetime_text(v)
                .ok_or_else(|| E::custom(format!("invalid date-time {:?}", v.trim())))
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

/// An optional timestamp's text: `""` and `0000-00-00 ...` (or
/// `00-00-0000 ...`) are `Some(None)`, a timestamp `Some(Some(_))`, anything
/// else `None` (what [`opt_datetime`] refuses; the transcoder reads it too).
pub(crate) fn opt_datetime_text(v: &str) -> Option<Option<NaiveDateTime>> {
    match v.trim() {
        "" => Some(None),
        v if v.starts_with("0000-00-00") || v.starts_with("00-00-0000") => Some(None),
        v => parse_datetime(v).map(Some),
    }
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
            count_text(v).ok_or_else(|| E::custom(format!("invalid count {v:?}")))
        }
    }
    d.deserialize_any(V)
}

/// A count's text: the whole number, then nothing or a word after a space
/// (`3 Rows`, `1 Page(s)`); `12,345 Rows` or `2.5` are refused (`None`),
/// never read as 12 or 2.
pub(crate) fn count_text(v: &str) -> Option<u64> {
    let t = v.trim();
    let end = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let rest = t.get(end..)?;
    let word_follows = rest.is_empty() || rest.starts_with([' ', '\t']);
    match t.get(..end)?.parse() {
        Ok(n) if word_follows => Some(n),
        _ => None,
    }
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

/// Text that may arrive as a string, a number, a boolean or null (null is
/// `""`). Numbers keep their literal digits exactly (`25` is `"25"`, `1.50`
/// is `"1.50"`, a 30-digit number stays those 30 digits).
pub(crate) fn text<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    let raw = raw(d)?;
    match raw.as_bytes().first() {
        Some(b'"') => unquote(raw)
            .map(Cow::into_owned)
            .map_err(|m| refuse(raw, m)),
        Some(b'n') => Ok(String::new()),
        Some(b'{' | b'[') => Err(refuse(
            raw,
            format_args!("invalid type: {}, expected a string", describe(raw)),
        )),
        _ => Ok(raw.to_owned()),
    }
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

/// A list of rows: [`list`], with every element an object (a row is never
/// read from an array: `[1]` is not a game, and reading one would turn four
/// bytes of a hostile body into a whole record).
pub(crate) fn rows<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    list::<D, Row<T>>(d).map(|rows| rows.into_iter().map(|r| r.0).collect())
}

/// A list element that must be an object.
pub(crate) struct Row<T>(pub(crate) T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Row<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Row<T>, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a row object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        d.deserialize_map(V(PhantomData)).map(Row)
    }
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
        let mut seen = std::collections::HashSet::new();
        let mut n = 0usize;
        while let Some(key) = map.next_key_seed(RowKey(&mut seen))? {
            let item = map.next_value()?;
            keyed.push((key, n, item));
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

/// Sorts `(key, arrival, item)` by key (keys are distinct: the callers
/// refuse a row number given twice). The sort itself runs on the
/// positions alone ([`keyed_order`]), so it is compiled once, not once per
/// row type (a stable sort is about 4.5 KB of wasm per instance).
pub(crate) fn order_keyed<T>(keyed: Vec<(u64, usize, T)>) -> Vec<T> {
    // The usual body numbers its rows in order: no reordering (and no
    // moving every row twice).
    if keyed
        .windows(2)
        .all(|w| (w[0].0, w[0].1) < (w[1].0, w[1].1))
    {
        return keyed.into_iter().map(|(_, _, item)| item).collect();
    }
    let order = keyed_order(
        keyed
            .iter()
            .enumerate()
            .map(|(at, (k, i, _))| (*k, *i, at))
            .collect(),
    );
    let mut slots: Vec<Option<T>> = keyed.into_iter().map(|(_, _, item)| Some(item)).collect();
    order
        .into_iter()
        .filter_map(|at| slots.get_mut(at).and_then(Option::take))
        .collect()
}

/// The positions of `(key, arrival, position)` in key order, ties (none
/// reach here) by arrival.
fn keyed_order(mut keys: Vec<(u64, usize, usize)>) -> Vec<usize> {
    keys.sort_unstable();
    keys.into_iter().map(|(_, _, at)| at).collect()
}

/// A keyed list's key read as its row number, refused (while the key is
/// read, so the error names it) when it is not one, or names a row already
/// seen (`"1"` and `"01"`). An `{"error": ...}` body is not an empty list.
pub(crate) struct RowKey<'a>(pub(crate) &'a mut std::collections::HashSet<u64>);

impl<'de> de::DeserializeSeed<'de> for RowKey<'_> {
    type Value = u64;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<u64, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for RowKey<'_> {
    type Value = u64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row number")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<u64, E> {
        let Some(n) = key_number(v) else {
            return Err(E::custom(format!(
                "key {v:?} is not a row number (a list keyed \"1\", \"2\", ... was expected)"
            )));
        };
        if !self.0.insert(n) {
            return Err(E::custom(format!(
                "row number {n} is given twice (keys \"1\" and \"01\" name the same row)"
            )));
        }
        Ok(n)
    }
}

/// `"12"` -> 12; anything not all digits -> `None`.
pub(crate) fn key_number(k: &str) -> Option<u64> {
    if k.is_empty() || k.len() > 19 || !k.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    k.parse().ok()
}

/// Drops a UTF-8 byte order mark and surrounding whitespace.
pub(crate) fn trim(body: &[u8]) -> &[u8] {
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(body.len());
    let end = body
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    &body[start..end]
}

/// A timestamp field: `#[serde(with = "wire::timestamp")]` reads it with
/// [`datetime`] (every spec format) and writes the canonical ISO text with
/// [`ser_datetime`].
pub(crate) mod timestamp {
    pub(crate) use super::datetime as deserialize;
    pub(crate) use crate::schema::wire::ser::ser_datetime as serialize;
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
    fn keyed_lists_order_numerically() {
        let keyed = vec![(10, 0, "ten"), (9, 1, "nine"), (1, 2, "one")];
        assert_eq!(order_keyed(keyed), ["one", "nine", "ten"]);
        // Every order of five keys (the in-order fast path and the
        // reordering path) comes out sorted, each row once.
        let keys = [3u64, 10, 1, 7, 2];
        let mut perm = [0usize, 1, 2, 3, 4];
        let mut count = 0;
        loop {
            let keyed: Vec<(u64, usize, u64)> = perm
                .iter()
                .enumerate()
                .map(|(arrival, &p)| (keys[p], arrival, keys[p]))
                .collect();
            assert_eq!(order_keyed(keyed), [1, 2, 3, 7, 10], "{perm:?}");
            count += 1;
            // The next permutation in lexicographic order.
            let Some(i) = (0..4).rev().find(|&i| perm[i] < perm[i + 1]) else {
                break;
            };
            let j = (i + 1..5).rev().find(|&j| perm[j] > perm[i]).unwrap_or(i);
            perm.swap(i, j);
            perm[i + 1..].reverse();
        }
        assert_eq!(count, 120);
        let list = |s: &str| {
            let mut de = serde_json::Deserializer::from_str(s);
            list::<_, u8>(&mut de).map_err(|e| e.to_string())
        };
        assert_eq!(list(r#"{"2":2,"10":10,"1":1}"#).unwrap(), [1, 2, 10]);
        for bad in [
            r#"{"1":1,"01":2}"#,
            r#"{"-1":1}"#,
            r#"{"TRX2":1}"#,
            r#"{"error":"Invalid token"}"#,
        ] {
            assert!(list(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn decimals_are_exact_or_refused() {
        for (input, want) in [
            ("200000.0000", "200000.0000"),
            ("-2000.00", "-2000.00"),
            (" 5 ", "5"),
            ("1e3", "1000"),
            ("2.5E-2", "0.025"),
            ("1.50e1", "15.0"),
            (
                "0.0000000000000000000000000001",
                "0.0000000000000000000000000001",
            ),
        ] {
            assert_eq!(
                parse_decimal(input).map(|d| d.to_string()),
                Ok(want.to_owned()),
                "{input}"
            );
        }
        for bad in [
            "",
            "+5",
            "1_000",
            "12,50",
            "12.500,00",
            ".5",
            "5.",
            "1e",
            "0x10",
            "1 000",
            "NaN",
            "0.000000000000000000000000000001",
            "123456789012345678901234567890",
            "1e99999",
            "--1",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        let read = |s: &str| {
            let mut de = serde_json::Deserializer::from_str(s);
            amount(&mut de)
                .map(|d| d.to_string())
                .map_err(|e| e.to_string())
        };
        assert_eq!(
            read("12.3456789012345678901234").unwrap(),
            "12.3456789012345678901234"
        );
        assert!(read("1.000000000000000000000000000001").is_err());
        assert!(read("true").is_err());
    }
}
