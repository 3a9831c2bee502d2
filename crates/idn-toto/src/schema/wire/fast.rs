//! The one-pass transcoder: canonical JSON text written straight from the
//! wire bytes of a list of rows (the pending list's keyed object) or of a
//! page (an envelope of counts, amounts and text around its rows: the
//! full-transaction report, the PGA invoices), without the typed rows (one
//! `String` per text field) and without serde's visitors.
//!
//! What it reads is a table per endpoint, declared next to its row type
//! ([`Field`]s in the order the typed response serialises them, each with
//! the [`Kind`] of its `deserialize_with`). It reads only the common,
//! well-formed shape and writes every value with the typed path's own
//! decoders and writers (`parse_datetime`, `opt_datetime_text`,
//! `parse_date`, `count_text` and `ser_datetime`/`ser_date`,
//! `parse_decimal` and `Decimal`'s `Serialize`, `from_wire`/`as_str` of
//! the open enums, `key_number`); on anything else (an escape or a control
//! character in a string, a value of a type it does not take for that
//! field, a `success` other than `true`, a key given twice, an unknown
//! field, a nested object where a value is read, a damaged body) it answers
//! `None` and the caller runs the typed path, which decides. So its answer,
//! when it gives one, is the typed path's text byte for byte: the property
//! tests (next to each table: `transaction_list.rs`, `full_transaction.rs`,
//! `pga_transaction.rs`) check that over generated bodies and their
//! corruptions, and the shared vectors run through it.

use rust_decimal::Decimal;

use super::de::{
    count_text, key_number, opt_datetime_text, parse_date, parse_datetime, parse_decimal,
};
use super::ser::{ser_date, ser_datetime};

/// How a field's wire value becomes its canonical value (the field's
/// `deserialize_with`, and what its type serialises as).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// `wire::text`: a string (kept as it is), a number or a boolean (its
    /// literal text) or null (`""`).
    Text,
    /// `wire::datetime`: a timestamp string, written as ISO text.
    DateTime,
    /// `wire::opt_datetime`: a timestamp string, or null (also `""` and a
    /// zero date), written as ISO text or null.
    OptDateTime,
    /// `wire::date`: a date string, written `YYYY-MM-DD`.
    Date,
    /// `wire::amount`: a decimal string or number, written as the
    /// decimal's text.
    Amount,
    /// `wire::opt_amount` unwrapped to zero: [`Kind::Amount`], or null (or
    /// blank text) for zero.
    OptAmount,
    /// `wire::count`: a whole number, or text such as `"3 Rows"`, written
    /// as a number.
    Count,
    /// An open enum read through `wire::text`: its canonical spelling.
    Enum(fn(&str) -> Option<&'static str>),
    /// The envelope's `success` (`wire::flag`): read, not written; only
    /// `true` or null is taken (a refusal is the typed path's to report).
    Success,
    /// Text read as `Option<String>` and not written (a string or null).
    Skip,
    /// `wire::rows` of these fields: an array or an object keyed `"1"`,
    /// `"2"`, ..., written as an array in key order.
    Rows(&'static [Field]),
}

impl Kind {
    /// Whether the typed response has this field.
    fn written(self) -> bool {
        !matches!(self, Kind::Success | Kind::Skip)
    }
}

/// One field of a row or a page, in the order the typed response
/// serialises them (fields that are read and not written anywhere).
#[derive(Debug)]
pub(crate) struct Field {
    /// The wire (and canonical) name.
    pub(crate) name: &'static str,
    /// The name as a JSON key with its colon (`"name":`), written as is.
    pub(crate) key: &'static str,
    pub(crate) kind: Kind,
    /// A missing field takes its default (`#[serde(default)]`: `""`, `0`,
    /// null, no rows); otherwise the transcoder gives up and the typed
    /// path reports it.
    pub(crate) default: bool,
}

/// A [`Field`]: `field!("name", Kind, default)`.
macro_rules! field {
    ($name:literal, $($kind:tt)+) => {
        $crate::schema::wire::field!(@ $name, [$($kind)+])
    };
    (@ $name:literal, [$kind:ident $(($arg:expr))?, $default:expr]) => {
        $crate::schema::wire::Field {
            name: $name,
            key: concat!("\"", $name, "\":"),
            kind: $crate::schema::wire::Kind::$kind $(($arg))?,
            default: $default,
        }
    };
}
pub(crate) use field;

/// The most fields a table may have.
const MAX_FIELDS: usize = 16;

/// The body's text, for a 2xx status and a table the transcoder takes.
fn start<'a>(status: u16, body: &'a [u8], fields: &[Field]) -> Option<Scan<'a>> {
    if !(200..300).contains(&status) || fields.len() > MAX_FIELDS {
        return None;
    }
    let text = std::str::from_utf8(super::de::trim(body)).ok()?;
    Some(Scan {
        b: text.as_bytes(),
        text,
        i: 0,
    })
}

/// A top-level object keyed `"1"`, `"2"`, ... whose values are rows of
/// `fields`, as `{"data":[row, ...]}` ordered by the numeric key; `None`
/// when the body is anything else (the typed path then decides).
pub(crate) fn keyed_rows(status: u16, body: &[u8], fields: &[Field]) -> Option<String> {
    let mut s = start(status, body, fields)?;
    // The canonical text is about as long as the wire text.
    let mut out = String::with_capacity(s.b.len() + 64);
    out.push_str("{\"data\":[");
    keyed(&mut s, fields, &mut out)?;
    if s.i != s.b.len() {
        return None;
    }
    out.push_str("]}");
    Some(out)
}

/// A top-level object of `fields` (a page: its envelope and its rows under
/// a [`Kind::Rows`] field), as the typed response's text: the written
/// fields in table order, each present or defaulted; `None` when the body
/// is anything else (the typed path then decides).
pub(crate) fn page(status: u16, body: &[u8], fields: &[Field]) -> Option<String> {
    let mut s = start(status, body, fields)?;
    let mut vals: [Option<Val<'_>>; MAX_FIELDS] = [None; MAX_FIELDS];
    // The rows' text, written as they are read (a page's fields may come
    // in any order): copied once into place at the end.
    let mut rows = String::with_capacity(s.b.len() + 64);
    s.expect(b'{')?;
    s.ws();
    if s.peek()? == b'}' {
        s.i += 1;
    } else {
        loop {
            s.ws();
            let key = s.plain_string()?;
            let slot = fields.iter().position(|f| f.name == key)?;
            s.ws();
            s.expect(b':')?;
            s.ws();
            let val = match fields.get(slot)?.kind {
                Kind::Rows(row_fields) => {
                    let from = rows.len();
                    list(&mut s, row_fields, &mut rows)?;
                    Val::Rows(from, rows.len())
                }
                _ => s.value()?,
            };
            if vals.get_mut(slot)?.replace(val).is_some() {
                return None;
            }
            s.ws();
            match s.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    if s.i != s.b.len() {
        return None;
    }
    let mut out = String::with_capacity(rows.len() + 256);
    object(fields, &vals, &rows, &mut out)?;
    Some(out)
}

/// A list of rows (an array, an object keyed `"1"`, `"2"`, ..., null or
/// blank text: what `wire::rows` reads), its rows' text appended to `out`
/// comma-separated in key order.
fn list(s: &mut Scan<'_>, fields: &[Field], out: &mut String) -> Option<()> {
    match s.peek()? {
        b'{' => keyed(s, fields, out),
        b'[' => {
            s.i += 1;
            s.ws();
            if s.peek()? == b']' {
                s.i += 1;
                return Some(());
            }
            let mut first = true;
            loop {
                s.ws();
                if !first {
                    out.push(',');
                }
                first = false;
                any_row(s, fields, out)?;
                s.ws();
                match s.next()? {
                    b',' => continue,
                    b']' => return Some(()),
                    _ => return None,
                }
            }
        }
        b'n' => s.literal(b"null"),
        b'"' => s.plain_string()?.trim().is_empty().then_some(()),
        _ => None,
    }
}

/// An object keyed `"1"`, `"2"`, ... of rows, their text appended to `out`
/// comma-separated and ordered by the numeric key (a row number given
/// twice: `None`, as the typed path refuses it).
fn keyed(s: &mut Scan<'_>, fields: &[Field], out: &mut String) -> Option<()> {
    // Rows are written in arrival order, then reordered only when their
    // keys were not ascending.
    let base = out.len();
    let mut spans: Vec<(u64, usize, usize)> = Vec::new();
    s.expect(b'{')?;
    s.ws();
    if s.peek()? == b'}' {
        s.i += 1;
        return Some(());
    }
    loop {
        s.ws();
        let key = key_number(s.plain_string()?)?;
        s.ws();
        s.expect(b':')?;
        s.ws();
        if !spans.is_empty() {
            out.push(',');
        }
        let start = out.len();
        any_row(s, fields, out)?;
        spans.push((key, start, out.len()));
        s.ws();
        match s.next()? {
            b',' => continue,
            b'}' => break,
            _ => return None,
        }
    }
    if spans.windows(2).all(|w| w[0].0 < w[1].0) {
        return Some(());
    }
    spans.sort_unstable_by_key(|&(k, _, _)| k);
    if spans.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let mut sorted = String::with_capacity(out.len() - base);
    for (n, &(_, start, end)) in spans.iter().enumerate() {
        if n > 0 {
            sorted.push(',');
        }
        sorted.push_str(out.get(start..end)?);
    }
    out.truncate(base);
    out.push_str(&sorted);
    Some(())
}

/// One row: copied in runs when it can be ([`verbatim_row`]), else read
/// field by field ([`row`]).
fn any_row(s: &mut Scan<'_>, fields: &[Field], out: &mut String) -> Option<()> {
    let start = out.len();
    let at = s.i;
    if verbatim_row(s, fields, out).is_none() {
        out.truncate(start);
        s.i = at;
        row(s, fields, out)?;
    }
    Some(())
}

/// A field's wire value, as the scan found it.
#[derive(Clone, Copy)]
enum Val<'a> {
    /// A string with no escape, without its quotes.
    Str(&'a str),
    /// A number's literal text (strict JSON grammar).
    Num(&'a str),
    Bool(bool),
    Null,
    /// Rows, written at these bounds of the rows' text.
    Rows(usize, usize),
}

/// A row whose canonical text is its wire text but for its timestamps:
/// compact, every field present and in table order, every value a plain
/// string already in canonical form (or null for an optional timestamp).
/// Copied in runs, the timestamps rewritten in between; `None` (with `out`
/// and `s` to be reset by the caller) for any other row, which [`row`]
/// then reads.
#[inline]
fn verbatim_row(s: &mut Scan<'_>, fields: &[Field], out: &mut String) -> Option<()> {
    let mut run = s.i;
    s.expect(b'{')?;
    for (n, field) in fields.iter().enumerate() {
        if n > 0 {
            s.expect(b',')?;
        }
        let end = s.i.checked_add(field.key.len())?;
        if s.b.get(s.i..end)? != field.key.as_bytes() {
            return None;
        }
        s.i = end;
        if matches!(field.kind, Kind::OptDateTime) && s.peek() == Some(b'n') {
            s.literal(b"null")?;
            continue;
        }
        let value = s.i + 1;
        let t = s.plain_string()?;
        match field.kind {
            Kind::Text => continue,
            Kind::Enum(canonical) => {
                if canonical(t).is_some_and(|c| c != t) {
                    return None;
                }
                continue;
            }
            Kind::Amount => {
                if !is_canonical_amount(t) {
                    return None;
                }
                continue;
            }
            Kind::Date => {
                if !is_canonical_date(t) {
                    return None;
                }
                continue;
            }
            Kind::DateTime => {
                parse_datetime(t)?;
            }
            // A blank or zero timestamp is written null: not verbatim.
            Kind::OptDateTime => {
                opt_datetime_text(t)??;
            }
            _ => return None,
        }
        let iso = iso_digits(t)?;
        out.push_str(s.text.get(run..value)?);
        out.push_str(std::str::from_utf8(&iso).ok()?);
        // From the closing quote on.
        run = s.i - 1;
    }
    s.expect(b'}')?;
    out.push_str(s.text.get(run..s.i)?);
    Some(())
}

/// One row object, its canonical text appended to `out`.
fn row(s: &mut Scan<'_>, fields: &[Field], out: &mut String) -> Option<()> {
    let mut vals: [Option<Val<'_>>; MAX_FIELDS] = [None; MAX_FIELDS];
    // Servers send the fields in one order: try the one after the last.
    let mut expected = 0;
    s.expect(b'{')?;
    s.ws();
    if s.peek()? == b'}' {
        s.i += 1;
    } else {
        loop {
            s.ws();
            let key = s.plain_string()?;
            let slot = match fields.get(expected) {
                Some(f) if f.name == key => expected,
                _ => fields.iter().position(|f| f.name == key)?,
            };
            expected = slot + 1;
            s.ws();
            s.expect(b':')?;
            s.ws();
            let val = s.value()?;
            if vals.get_mut(slot)?.replace(val).is_some() {
                return None;
            }
            s.ws();
            match s.next()? {
                b',' => continue,
                b'}' => break,
                _ => return None,
            }
        }
    }
    object(fields, &vals, "", out)
}

/// The typed response's object for the values read (`vals[n]` is
/// `fields[n]`'s; rows' text in `rows`), appended to `out`.
fn object(fields: &[Field], vals: &[Option<Val<'_>>], rows: &str, out: &mut String) -> Option<()> {
    out.push('{');
    let mut first = true;
    for (field, &val) in fields.iter().zip(vals) {
        if !field.kind.written() {
            // Read only: what the typed path takes without refusing.
            match (field.kind, val) {
                (_, None | Some(Val::Null)) => {}
                (Kind::Success, Some(Val::Bool(true))) | (Kind::Skip, Some(Val::Str(_))) => {}
                _ => return None,
            }
            continue;
        }
        if !first {
            out.push(',');
        }
        first = false;
        out.push_str(field.key);
        match val {
            Some(val) => value(field.kind, val, rows, out)?,
            None if field.default => default(field.kind, out)?,
            None => return None,
        }
    }
    out.push('}');
    Some(())
}

/// A missing field's default, as the typed response writes it.
fn default(kind: Kind, out: &mut String) -> Option<()> {
    match kind {
        Kind::Text => out.push_str("\"\""),
        Kind::OptDateTime => out.push_str("null"),
        Kind::Count => out.push('0'),
        Kind::OptAmount => out.push_str(&serde_json::to_string(&Decimal::ZERO).ok()?),
        Kind::Rows(_) => out.push_str("[]"),
        _ => return None,
    }
    Some(())
}

/// One value, as the typed response writes it.
fn value(kind: Kind, val: Val<'_>, rows: &str, out: &mut String) -> Option<()> {
    match (kind, val) {
        (Kind::Text, Val::Str(t) | Val::Num(t)) => quoted(out, t),
        (Kind::Text, Val::Bool(b)) => quoted(out, if b { "true" } else { "false" }),
        (Kind::Text, Val::Null) => out.push_str("\"\""),
        (Kind::Enum(canonical), Val::Str(t) | Val::Num(t)) => {
            // An unknown value is kept verbatim.
            quoted(out, canonical(t).unwrap_or(t));
        }
        (Kind::Enum(canonical), Val::Bool(b)) => {
            let t = if b { "true" } else { "false" };
            quoted(out, canonical(t).unwrap_or(t));
        }
        (Kind::Enum(canonical), Val::Null) => quoted(out, canonical("").unwrap_or("")),
        (Kind::DateTime, Val::Str(t)) => timestamp(t, parse_datetime(t)?, out)?,
        (Kind::OptDateTime, Val::Null) => out.push_str("null"),
        (Kind::OptDateTime, Val::Str(t)) => match opt_datetime_text(t)? {
            Some(at) => timestamp(t, at, out)?,
            None => out.push_str("null"),
        },
        (Kind::Date, Val::Str(t)) if is_canonical_date(t) => quoted(out, t),
        (Kind::Date, Val::Str(t)) => {
            let date = parse_date(t)?;
            let mut text = Vec::new();
            ser_date(&date, &mut serde_json::Serializer::new(&mut text)).ok()?;
            out.push_str(std::str::from_utf8(&text).ok()?);
        }
        (Kind::OptAmount, Val::Null) => default(kind, out)?,
        (Kind::OptAmount, Val::Str(t)) if t.trim().is_empty() => default(kind, out)?,
        (Kind::Amount | Kind::OptAmount, Val::Str(t) | Val::Num(t)) => {
            if is_canonical_amount(t) {
                quoted(out, t);
            } else {
                let amount = parse_decimal(t).ok()?;
                out.push_str(&serde_json::to_string(&amount).ok()?);
            }
        }
        // An unsigned integer (no fraction or exponent) that a u64 holds:
        // the strict JSON literal is the number's text.
        (Kind::Count, Val::Num(t)) if t.bytes().all(|c| c.is_ascii_digit()) => {
            t.parse::<u64>().ok()?;
            out.push_str(t);
        }
        (Kind::Count, Val::Str(t)) => out.push_str(&count_text(t)?.to_string()),
        (Kind::Rows(_), Val::Rows(from, to)) => {
            out.push('[');
            out.push_str(rows.get(from..to)?);
            out.push(']');
        }
        _ => return None,
    }
    Some(())
}

/// A timestamp `t` that `parse_datetime` read as `at`, as `ser_datetime`
/// writes it.
fn timestamp(t: &str, at: chrono::NaiveDateTime, out: &mut String) -> Option<()> {
    match iso_digits(t) {
        // Read and checked by the caller; its text is its digits moved.
        Some(iso) => quoted(out, std::str::from_utf8(&iso).ok()?),
        None => {
            let mut text = Vec::new();
            ser_datetime(&at, &mut serde_json::Serializer::new(&mut text)).ok()?;
            out.push_str(std::str::from_utf8(&text).ok()?);
        }
    }
    Some(())
}

/// `DD-MM-YYYY HH:MM:SS` or `YYYY-MM-DD HH:MM:SS` (the pending list's and
/// most answers' shape; also with a zero fraction, `.000`) rearranged to
/// `YYYY-MM-DDTHH:MM:SS`: for a timestamp `parse_datetime` read, exactly
/// what `ser_datetime` writes for it (no fraction, a four-digit year).
/// `None` for any other shape.
fn iso_digits(t: &str) -> Option<[u8; 19]> {
    let (head, fraction) = t.as_bytes().split_at_checked(19)?;
    match fraction {
        [] => {}
        // `parse_datetime` reads at most twelve fraction digits.
        [b'.', zeros @ ..]
            if (1..=12).contains(&zeros.len()) && zeros.iter().all(|&c| c == b'0') => {}
        _ => return None,
    }
    let b: &[u8; 19] = head.try_into().ok()?;
    if b[13] != b':' || b[16] != b':' || !(b[10] == b' ' || b[10] == b'T') {
        return None;
    }
    let mut iso = *b;
    iso[10] = b'T';
    if b[2] == b'-' && b[5] == b'-' {
        // DD-MM-YYYY
        iso[..4].copy_from_slice(&b[6..10]);
        iso[4] = b'-';
        iso[5..7].copy_from_slice(&b[3..5]);
        iso[7] = b'-';
        iso[8..10].copy_from_slice(&b[0..2]);
    } else if !(b[4] == b'-' && b[7] == b'-') {
        return None;
    }
    Some(iso)
}

/// A date already in the text `ser_date` writes for it: `YYYY-MM-DD`, ten
/// bytes, digits and two dashes, that `parse_date` reads.
fn is_canonical_date(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, &c)| {
            if i == 4 || i == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && parse_date(t).is_some()
}

/// An amount already in the text `Decimal` writes for it: an optional `-`
/// before a value other than zero, then `0` or digits without a leading
/// zero, an optional fraction, 28 digits at most, no exponent or space
/// (`parse_decimal` keeps the sign and the scale, so its value prints as
/// these very characters).
#[inline]
fn is_canonical_amount(t: &str) -> bool {
    let (negative, b) = match t.as_bytes() {
        [b'-', rest @ ..] => (true, rest),
        b => (false, b),
    };
    let int = b
        .iter()
        .position(|&c| !c.is_ascii_digit())
        .unwrap_or(b.len());
    let frac = match b.get(int) {
        None => 0,
        Some(b'.') => {
            let f = b.get(int + 1..).unwrap_or_default();
            if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
                return false;
            }
            f.len()
        }
        Some(_) => return false,
    };
    // Minus zero prints without its sign: not as written.
    let minus_zero = || negative && b.iter().all(|&c| c == b'0' || c == b'.');
    int > 0 && (int == 1 || b.first() != Some(&b'0')) && int + frac <= 28 && !minus_zero()
}

/// `t` (no quote, backslash or control character: `plain_string` checked)
/// as a JSON string, which is how serde_json writes it.
fn quoted(out: &mut String, t: &str) {
    out.push('"');
    out.push_str(t);
    out.push('"');
}

/// A cursor over strict JSON text.
struct Scan<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
}

/// Bytes that end a plain string's scan: `"`, `\` and control characters.
static STOP: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 0x20 {
        t[c] = true;
        c += 1;
    }
    t[b'"' as usize] = true;
    t[b'\\' as usize] = true;
    t
};

/// The index of the first `"`, `\` or control character in `b`: eight
/// bytes at a time (no byte of a word is one of them: the usual "has a zero
/// byte" test on the word xored with each), then byte by byte.
fn stop_at(b: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        // A reference to the eight bytes, loaded as one word (no copy call).
        let Ok(word) = <&[u8; 8]>::try_from(chunk) else {
            break;
        };
        let w = u64::from_le_bytes(*word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let slash = w ^ (ONES * u64::from(b'\\'));
        // A byte below 0x20 (high bit clear) borrows when 0x20 is taken.
        let hits = (quote.wrapping_sub(ONES) & !quote)
            | (slash.wrapping_sub(ONES) & !slash)
            | (w.wrapping_sub(ONES * 0x20) & !w);
        let hits = hits & HIGH;
        if hits != 0 {
            // Borrows only run upwards: the lowest flagged byte is a hit.
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    b[i..]
        .iter()
        .position(|&c| STOP[usize::from(c)])
        .map(|p| i + p)
}

impl<'a> Scan<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let c = self.peek()?;
        self.i += 1;
        Some(c)
    }

    fn expect(&mut self, c: u8) -> Option<()> {
        (self.next()? == c).then_some(())
    }

    /// JSON whitespace (serde_json's four bytes).
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.i += 1;
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i.checked_add(word.len())?;
        (self.b.get(self.i..end)? == word).then_some(())?;
        self.i = end;
        Some(())
    }

    /// A scalar value: a plain string, a number, a boolean or null; `None`
    /// for anything else (an object, an array, a string with an escape).
    fn value(&mut self) -> Option<Val<'a>> {
        match self.peek()? {
            b'"' => self.plain_string().map(Val::Str),
            b'n' => self.literal(b"null").map(|()| Val::Null),
            b't' => self.literal(b"true").map(|()| Val::Bool(true)),
            b'f' => self.literal(b"false").map(|()| Val::Bool(false)),
            b'-' | b'0'..=b'9' => self.number().map(Val::Num),
            _ => None,
        }
    }

    /// Digits; how many.
    fn digits(&mut self) -> usize {
        let from = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        self.i - from
    }

    /// A number in JSON's grammar (`-`, no leading zero, a fraction and an
    /// exponent with digits), its literal text.
    fn number(&mut self) -> Option<&'a str> {
        let from = self.i;
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        match self.peek()? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return None;
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            if self.digits() == 0 {
                return None;
            }
        }
        self.text.get(from..self.i)
    }

    /// A string with no escape and no control character, without its
    /// quotes; `None` for any other string (or no string).
    fn plain_string(&mut self) -> Option<&'a str> {
        self.expect(b'"')?;
        let start = self.i;
        let rest = self.b.get(start..)?;
        let len = stop_at(rest)?;
        if rest[len] != b'"' {
            return None;
        }
        self.i = start + len + 1;
        // Ends before an ASCII quote, so on a character boundary.
        self.text.get(start..start + len)
    }
}

/// Generated wire bodies for a table, for the endpoints' transcoder
/// property tests: `clean` ones in the shapes the transcoder must read
/// (fields in table order or shuffled, optional ones sometimes missing,
/// whitespace between tokens, keyed rows in any order), the others with
/// anything the typed path may meet (escapes, other types, zero dates,
/// exponents, a field missing or given twice, unknown fields, `01` keys).
#[cfg(test)]
pub(crate) mod gen {
    use super::{Field, Kind};
    use proptest::prelude::*;
    use proptest::sample::select;

    fn q(t: String) -> String {
        format!("\"{t}\"")
    }

    fn just(t: &'static [&'static str]) -> BoxedStrategy<String> {
        select(t).prop_map(str::to_owned).boxed()
    }

    /// Whitespace between tokens, as servers send it.
    fn ws() -> impl Strategy<Value = String> {
        prop_oneof![4 => Just(String::new()), 1 => "[ \n\t\r]{1,3}"]
    }

    fn timestamp(clean: bool) -> BoxedStrategy<String> {
        // Clean: a real moment, in a shape the transcoder reads.
        let c = u32::from(!clean);
        (
            1u32..=28 + 3 * c,
            1u32..=12 + c,
            1900u32..2100,
            0u32..24 + c,
            0u32..60 + c,
            0u32..60 + c,
            0u8..if clean { 5 } else { 10 },
        )
            .prop_map(move |(d, mo, y, h, mi, se, how)| {
                q(match how {
                    0 | 1 => format!("{d:02}-{mo:02}-{y} {h:02}:{mi:02}:{se:02}"),
                    2 => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.000"),
                    3 => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}"),
                    4 => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.{:03}", d * 7),
                    5 => format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}"),
                    6 => format!(" {d:02}/{mo:02}/{y} "),
                    7 => format!("{d}-{mo}-{y} {h}:{mi}"),
                    8 => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.0000000000000"),
                    _ => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.5570000"),
                })
            })
            .boxed()
    }

    fn date(clean: bool) -> BoxedStrategy<String> {
        let c = u32::from(!clean);
        (
            1u32..=28 + 3 * c,
            1u32..=12 + c,
            1900u32..2100,
            0u8..1 + 5 * c as u8,
        )
            .prop_map(move |(d, mo, y, how)| {
                q(match how {
                    0 => format!("{y}-{mo:02}-{d:02}"),
                    1 => format!("{d:02}-{mo:02}-{y}"),
                    2 => format!("{y}/{mo:02}/{d:02}"),
                    3 => format!(" {y}-{mo:02}-{d:02} "),
                    4 => format!("{y}-{mo:02}-{d:02} 10:11:12"),
                    _ => format!("{y}-{mo}-{d}"),
                })
            })
            .boxed()
    }

    fn amount(clean: bool) -> BoxedStrategy<String> {
        let plain = (any::<bool>(), 0u64..100_000_000, 0u32..100)
            .prop_map(|(neg, i, f)| q(format!("{}{i}.{f:02}", if neg { "-" } else { "" })));
        if clean {
            return plain.boxed();
        }
        prop_oneof![
            4 => plain,
            1 => "-?[0-9]{0,30}(\\.[0-9]{0,30})?([eE][-+]?[0-9]{1,3})?".prop_map(q),
            1 => "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,6})?([eE][-+]?[0-9]{1,3})?",
            1 => "[0-9]{1,3}\\.[0-9]{4}".prop_map(|t| q(format!(" {t} "))),
            1 => just(&["null", "\"\"", "\" \"", "true", "\"-0\"", "-0", "-0.00", "\"1\\u0030\"", "{}"]),
        ]
        .boxed()
    }

    fn text(clean: bool) -> BoxedStrategy<String> {
        let plain = "[a-zA-Z0-9 _.\\-/üß€漢]{0,12}".prop_map(q);
        if clean {
            return plain.boxed();
        }
        prop_oneof![
            6 => plain,
            1 => "[a-z\"\\\\\u{1}\t]{0,6}".prop_map(|t| serde_json::to_string(&t).unwrap_or_default()),
            1 => just(&["\"a\\u0041\"", "null", "true", "false", "-12.50", "1e3", "{}", "[\"x\"]"]),
            1 => (0u32..100_000).prop_map(|n| n.to_string()),
        ]
        .boxed()
    }

    fn count(clean: bool) -> BoxedStrategy<String> {
        let plain = (0u64..2_000_000, 0u8..4).prop_map(|(n, how)| match how {
            0 | 1 => n.to_string(),
            2 => format!("\"{n} Rows\""),
            _ => format!("\"{n} Page(s)\""),
        });
        if clean {
            return plain.boxed();
        }
        prop_oneof![
            4 => plain,
            1 => just(&[
                "-1", "-0", "1.0", "1e3", "\"2.5\"", "\"12,345 Rows\"", "\" 3 \"", "\"3\"",
                "null", "true", "\"\"", "18446744073709551615", "18446744073709551616",
                "\"18446744073709551616 Rows\"", "\"3\\u0020Rows\"", "007", "{}",
            ]),
        ]
        .boxed()
    }

    /// A value of `kind` on the wire.
    pub(crate) fn value(kind: Kind, clean: bool) -> BoxedStrategy<String> {
        match (kind, clean) {
            (Kind::Text, c) => text(c),
            (Kind::Enum(_), true) => just(&[
                "\"Accepted\"", "\"Unpaid\"", "\"Expired\"", "\"PGA\"", "\"OPERATOR\"",
                "\"deposit\"", "\"withdraw\"", "\"accepted\"", "\" pga \"", "\"Refunded\"", "\"\"",
            ]),
            (Kind::Enum(_), false) => prop_oneof![
                3 => value(kind, true),
                1 => just(&["null", "7", "true", "\"Unp\\u0061id\"", "[]"]),
            ]
            .boxed(),
            (Kind::Date, c) => prop_oneof![
                6 => date(c),
                (if c { 0 } else { 1 }) => just(&["null", "20240101", "\"\"", "\"2024-02-30\"", "{}"]),
            ]
            .boxed(),
            (Kind::DateTime, c) => prop_oneof![
                6 => timestamp(c),
                (if c { 0 } else { 1 }) => just(&["null", "\"\"", "12", "\"0000-00-00 00:00:00\""]),
            ]
            .boxed(),
            (Kind::OptDateTime, c) => prop_oneof![
                4 => timestamp(c),
                1 => Just("null".to_owned()),
                (if c { 0 } else { 1 }) => just(&[
                    "\"\"", "\" \"", "\"0000-00-00 00:00:00\"", "\"00-00-0000 00:00:00\"",
                    "\"0000-00-00junk\"", "12", "false",
                ]),
            ]
            .boxed(),
            (Kind::Amount, c) => amount(c),
            (Kind::OptAmount, true) => prop_oneof![
                2 => amount(true),
                2 => (0u64..10_000_000_000).prop_map(|n| n.to_string()),
                1 => Just("null".to_owned()),
            ]
            .boxed(),
            (Kind::OptAmount, false) => amount(false),
            (Kind::Count, c) => count(c),
            (Kind::Success, true) => Just("true".to_owned()).boxed(),
            (Kind::Success, false) => {
                just(&["true", "false", "1", "0", "\"true\"", "null", "\"yes\"", "[]"])
            }
            (Kind::Skip, true) => just(&["\"Success\"", "\"\"", "null"]),
            (Kind::Skip, false) => just(&["\"Success\"", "\"Su\\u0063cess\"", "null", "5", "true"]),
            (Kind::Rows(fields), c) => list(fields, c),
        }
    }

    /// An object of `fields`: in table order or shuffled, optional ones
    /// sometimes missing; unclean ones may lose a required field, repeat
    /// one or carry an unknown one.
    pub(crate) fn object(fields: &'static [Field], clean: bool) -> BoxedStrategy<String> {
        let values: Vec<BoxedStrategy<String>> =
            fields.iter().map(|f| value(f.kind, clean)).collect();
        let n = fields.len();
        (
            values,
            proptest::collection::vec(0u8..4, n),
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            0u8..4,
            0u8..12,
            ws(),
        )
            .prop_map(move |(values, keep, order, shuffle, extra, w)| {
                let mut parts = Vec::new();
                for (at, &shuffled) in order.iter().enumerate() {
                    let i = if shuffle == 0 { shuffled } else { at };
                    let (Some(field), Some(value)) = (fields.get(i), values.get(i)) else {
                        continue;
                    };
                    // A quarter of the optional fields left out.
                    if (field.default || !clean) && keep.get(i) == Some(&0) && extra < 6 {
                        continue;
                    }
                    parts.push(format!("{w}\"{}\"{w}:{w}{value}", field.name));
                }
                if !clean {
                    match (extra, fields.first()) {
                        (0, _) => parts.push("\"note\":\"x\"".into()),
                        (1, Some(f)) => parts.push(format!("\"{}\":null", f.name)),
                        (2, _) if !parts.is_empty() => {
                            parts.remove(0);
                        }
                        _ => {}
                    }
                }
                format!("{{{}{w}}}", parts.join(","))
            })
            .boxed()
    }

    /// A list of rows of `fields`: an array, or an object keyed `"1"`..`"n"`
    /// in order or shuffled; unclean lists also get `"01"`, repeated keys,
    /// a word key, a row that is not an object, null or blank text.
    pub(crate) fn list(fields: &'static [Field], clean: bool) -> BoxedStrategy<String> {
        (
            proptest::collection::vec(object(fields, clean), 0..6),
            any::<bool>(),
            any::<bool>(),
            0u8..12,
            ws(),
        )
            .prop_map(move |(rows, array, shuffle, quirk, w)| {
                if !clean {
                    match quirk {
                        5 => return "null".into(),
                        6 => return "\"\"".into(),
                        7 => {
                            return format!(
                                "[{w}{}{w}1]",
                                rows.iter().map(|r| format!("{r},")).collect::<String>()
                            )
                        }
                        _ => {}
                    }
                }
                if array {
                    return format!("[{w}{}{w}]", rows.join(&format!("{w},{w}")));
                }
                let mut keys: Vec<String> = (1..=rows.len()).map(|k| k.to_string()).collect();
                if shuffle {
                    keys.reverse();
                }
                if !clean {
                    let last = keys.last().cloned();
                    match (quirk, keys.first_mut(), last) {
                        (0, Some(k), _) => *k = "01".into(),
                        (1, Some(k), Some(last)) => *k = last,
                        (2, Some(k), _) => *k = "success".into(),
                        (3, Some(k), _) => *k = "-1".into(),
                        _ => {}
                    }
                }
                let items: Vec<String> = keys
                    .iter()
                    .zip(&rows)
                    .map(|(k, r)| format!("{w}\"{k}\"{w}:{w}{r}"))
                    .collect();
                format!("{{{}{w}}}", items.join(","))
            })
            .boxed()
    }

    /// `body` with one byte changed (0), dropped (1) or added (2) at `at`.
    pub(crate) fn corrupt(body: String, at: proptest::sample::Index, byte: u8, how: u8) -> Vec<u8> {
        let mut b = body.into_bytes();
        if !b.is_empty() {
            let i = at.index(b.len());
            match how {
                0 => b[i] = byte,
                1 => {
                    b.remove(i);
                }
                _ => b.insert(i, byte),
            }
        }
        b
    }

    /// Bytes a corruption puts in.
    pub(crate) fn corrupt_byte() -> impl Strategy<Value = u8> {
        prop_oneof![
            Just(b'"'),
            Just(b'\\'),
            Just(b','),
            Just(b'}'),
            Just(b']'),
            Just(b'0'),
            Just(b'-'),
            Just(b'.'),
            Just(b' '),
            Just(0x01u8),
            Just(0xC3u8),
            any::<u8>()
        ]
    }

    /// The transcoder's property tests of a page endpoint, from its
    /// parameters type and its page's field table: clean generated pages
    /// are transcoded, to the typed path's text; anything else, and a clean
    /// page with one byte changed, dropped or added, gives that text or
    /// gives up. `transcoder_properties!(FullTransactionParams, PAGE_FIELDS);`
    /// in the endpoint's `tests` module.
    macro_rules! transcoder_properties {
        ($Params:ty, $fields:expr) => {
            /// The endpoint's transcoder (over its declared field table).
            #[allow(dead_code)]
            fn transcode(status: u16, body: &[u8]) -> Option<String> {
                <$Params as $crate::schema::wire::Parse>::transcode(status, body)
            }

            /// The transcoder's answer is `None` or exactly the typed
            /// path's text; whether it answered.
            fn agrees(body: &[u8]) -> Result<bool, proptest::test_runner::TestCaseError> {
                let fast = <$Params as $crate::schema::wire::Parse>::transcode(200, body);
                $crate::schema::wire::gen::agrees(body, fast, |body| {
                    let typed = <$Params as $crate::schema::endpoint::Endpoint>::parse(200, body);
                    serde_json::to_string(&typed.ok()?).ok()
                })
            }

            mod transcoder_properties {
                use super::agrees;
                use $crate::schema::wire::gen;

                proptest::proptest! {
                    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

                    #[test]
                    fn transcoder_reads_clean_pages_as_the_typed_path(body in gen::object($fields, true)) {
                        proptest::prop_assert!(agrees(body.as_bytes())?, "not transcoded: {}", body);
                    }

                    #[test]
                    fn transcoder_agrees_or_gives_up(body in gen::object($fields, false)) {
                        agrees(body.as_bytes())?;
                    }

                    #[test]
                    fn transcoder_agrees_or_gives_up_on_corruption(
                        body in gen::object($fields, true),
                        at in proptest::prelude::any::<proptest::sample::Index>(),
                        byte in gen::corrupt_byte(),
                        how in 0u8..3,
                    ) {
                        agrees(&gen::corrupt(body, at, byte, how))?;
                    }
                }
            }
        };
    }
    pub(crate) use transcoder_properties;

    /// The transcoder's answer is `None` or exactly `typed`'s text (the
    /// typed path's `parse` then `serde_json::to_string`); whether it
    /// answered.
    pub(crate) fn agrees(
        body: &[u8],
        fast: Option<String>,
        typed: impl FnOnce(&[u8]) -> Option<String>,
    ) -> Result<bool, TestCaseError> {
        let Some(fast) = fast else {
            return Ok(false);
        };
        let typed = typed(body);
        prop_assert_eq!(
            Some(&fast),
            typed.as_ref(),
            "body {:?}",
            String::from_utf8_lossy(body)
        );
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// `parse_decimal` and `Decimal`'s `Serialize`: the typed path's text.
    fn typed_amount(t: &str) -> Option<String> {
        let d = parse_decimal(t).ok()?;
        serde_json::to_string(&d).ok()
    }

    #[test]
    fn canonical_amounts_are_the_decimal_text() {
        let nines = "9".repeat(28);
        for t in [
            "0",
            "0.0000",
            "0.5",
            "7",
            "10",
            "4255000.0000",
            "1.0",
            "-1",
            "-0.5",
            "-88165.00",
            &nines,
        ] {
            assert!(is_canonical_amount(t), "{t}");
            assert_eq!(typed_amount(t), Some(format!("\"{t}\"")), "{t}");
        }
        for t in [
            "",
            "00",
            "01.5",
            "-0",
            "-0.00",
            "--1",
            "-",
            "-01",
            "1e3",
            " 1",
            "1.",
            ".5",
            "1,5",
            "+1",
            &format!("{nines}9"),
        ] {
            assert!(!is_canonical_amount(t), "{t}");
        }
    }

    #[test]
    fn iso_digits_are_the_timestamp_text() {
        for t in [
            "23-02-2021 13:28:21",
            "2021-02-23 13:28:21",
            "2021-02-23T13:28:21",
        ] {
            let at = parse_datetime(t).unwrap();
            let mut typed = Vec::new();
            ser_datetime(&at, &mut serde_json::Serializer::new(&mut typed)).unwrap();
            let iso = iso_digits(t).unwrap();
            assert_eq!(
                typed,
                format!("\"{}\"", std::str::from_utf8(&iso).unwrap()).into_bytes()
            );
        }
        for (t, want) in [
            ("2024-12-27 18:46:37.000", "2024-12-27T18:46:37"),
            ("27-12-2024 18:46:37.0", "2024-12-27T18:46:37"),
        ] {
            assert_eq!(
                iso_digits(t),
                Some(*<&[u8; 19]>::try_from(want.as_bytes()).unwrap())
            );
            let mut typed = Vec::new();
            ser_datetime(
                &parse_datetime(t).unwrap(),
                &mut serde_json::Serializer::new(&mut typed),
            )
            .unwrap();
            assert_eq!(typed, format!("\"{want}\"").into_bytes());
        }
        assert_eq!(iso_digits("2021-04-19 04:36:47.760"), None);
        assert_eq!(iso_digits("2021-04-19 04:36:47."), None);
        assert_eq!(iso_digits("2021-04-19 04:36:47.0000000000000"), None);
        assert_eq!(iso_digits("23/02/2021 13:28:21"), None);
    }

    proptest! {
        /// Any plain decimal it takes prints as itself through the typed
        /// path; digit strings it refuses are left to that path.
        #[test]
        fn canonical_amount_agrees(t in "-?[0-9]{0,30}(\\.[0-9]{0,30})?") {
            if is_canonical_amount(&t) {
                prop_assert_eq!(typed_amount(&t), Some(format!("\"{t}\"")));
            }
        }

        /// Any timestamp of the two shapes it rearranges that
        /// `parse_datetime` reads is written as `ser_datetime` writes it.
        #[test]
        fn iso_digits_agree(t in "([0-9]{2}-[0-9]{2}-[0-9]{4}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2})(\\.0{0,13}|\\.[0-9]{1,4})?") {
            if let Some(at) = parse_datetime(&t) {
                let mut typed = Vec::new();
                ser_datetime(&at, &mut serde_json::Serializer::new(&mut typed)).unwrap();
                match iso_digits(&t) {
                    Some(iso) => prop_assert_eq!(typed, format!("\"{}\"", std::str::from_utf8(&iso).unwrap()).into_bytes()),
                    // Only a fraction that is not zero is left to the writer.
                    None => prop_assert!(t.len() > 20 && !t[20..].bytes().all(|c| c == b'0'), "{}", t),
                }
            }
        }

        /// A date it copies is the text `ser_date` writes for it.
        #[test]
        fn canonical_dates_agree(t in "[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{2}-[0-9]{2}-[0-9]{4}|[0-9 ]{4}-[0-9]{1,2}-[0-9]{2} ?") {
            if is_canonical_date(&t) {
                let mut typed = Vec::new();
                ser_date(&parse_date(&t).unwrap(), &mut serde_json::Serializer::new(&mut typed)).unwrap();
                prop_assert_eq!(typed, format!("\"{t}\"").into_bytes());
            }
        }

        /// The word-at-a-time scan finds what a byte loop finds.
        #[test]
        fn stop_at_is_the_first_stop_byte(b in proptest::collection::vec(prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()], 0..40)) {
            prop_assert_eq!(stop_at(&b), b.iter().position(|&c| STOP[usize::from(c)]));
        }
    }
}
