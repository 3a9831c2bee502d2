//! The one-pass transcoder: canonical JSON text written straight from the
//! wire bytes of a keyed list of rows, without the typed rows (one `String`
//! per text field) and without serde's visitors.
//!
//! It reads only the common, well-formed shape and writes every value with
//! the typed path's own decoders and writers (`parse_datetime` and
//! `ser_datetime`, `parse_decimal` and `Decimal`'s `Serialize`,
//! `from_wire`/`as_str` of the open enums, `key_number`); on anything else
//! (an escape or a control character in a string, a number or a boolean
//! where text is read, a key given twice, an unknown field, an envelope, an
//! array, a damaged body) it answers `None` and the caller runs the typed
//! path, which decides. So its answer, when it gives one, is the typed
//! path's text byte for byte: the property tests
//! (`tests/properties.rs`, `fast_*`) check that over generated bodies and
//! their corruptions, and the shared vectors run through it.

use super::de::{key_number, parse_datetime, parse_decimal};
use super::ser::ser_datetime;

/// How a row field's wire value becomes its canonical value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    /// `wire::text`: a string (kept as it is) or null (`""`).
    Text,
    /// `wire::datetime`: a timestamp string, written as ISO text.
    DateTime,
    /// `wire::amount`: a decimal string, written as the decimal's text.
    Amount,
    /// An open enum read through `wire::text`: its canonical spelling.
    Enum(fn(&str) -> Option<&'static str>),
}

/// One field of a row type, in the order the typed row serialises them.
#[derive(Debug)]
pub(crate) struct Field {
    /// The wire (and canonical) name.
    pub(crate) name: &'static str,
    /// The name as a JSON key with its colon (`"name":`), written as is.
    pub(crate) key: &'static str,
    pub(crate) kind: Kind,
    /// A missing field is `""` (`#[serde(default)]`); otherwise the
    /// transcoder gives up and the typed path reports it.
    pub(crate) default_empty: bool,
}

/// A [`Field`]: `field!("name", Kind, default_empty)`.
macro_rules! field {
    ($name:literal, $($kind:tt)+) => {
        $crate::schema::wire::field!(@ $name, [$($kind)+])
    };
    (@ $name:literal, [$kind:ident $(($arg:expr))?, $default:expr]) => {
        $crate::schema::wire::Field {
            name: $name,
            key: concat!("\"", $name, "\":"),
            kind: $crate::schema::wire::Kind::$kind $(($arg))?,
            default_empty: $default,
        }
    };
}
pub(crate) use field;

/// The most fields a row table may have.
const MAX_FIELDS: usize = 16;

/// A top-level object keyed `"1"`, `"2"`, ... whose values are rows of
/// `fields`, as `{"data":[row, ...]}` ordered by the numeric key; `None`
/// when the body is anything else (the typed path then decides).
pub(crate) fn keyed_rows(status: u16, body: &[u8], fields: &[Field]) -> Option<String> {
    if !(200..300).contains(&status) || fields.len() > MAX_FIELDS {
        return None;
    }
    let text = std::str::from_utf8(super::de::trim(body)).ok()?;
    let mut s = Scan {
        b: text.as_bytes(),
        text,
        i: 0,
    };
    // The canonical text is about as long as the wire text; rows are
    // written in arrival order, then reordered only when their keys were not
    // ascending.
    const HEAD: &str = "{\"data\":[";
    let mut out = String::with_capacity(text.len() + 64);
    out.push_str(HEAD);
    let mut spans: Vec<(u64, usize, usize)> = Vec::new();
    s.expect(b'{')?;
    s.ws();
    if s.peek()? == b'}' {
        s.i += 1;
    } else {
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
            let at = s.i;
            if verbatim_row(&mut s, fields, &mut out).is_none() {
                out.truncate(start);
                s.i = at;
                row(&mut s, fields, &mut out)?;
            }
            spans.push((key, start, out.len()));
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
    if spans.windows(2).all(|w| w[0].0 < w[1].0) {
        out.push_str("]}");
        return Some(out);
    }
    spans.sort_unstable_by_key(|&(k, _, _)| k);
    // A row number given twice: the typed path refuses it.
    if spans.windows(2).any(|w| w[0].0 == w[1].0) {
        return None;
    }
    let mut sorted = String::with_capacity(out.len());
    sorted.push_str(HEAD);
    for (n, &(_, start, end)) in spans.iter().enumerate() {
        if n > 0 {
            sorted.push(',');
        }
        sorted.push_str(out.get(start..end)?);
    }
    sorted.push_str("]}");
    Some(sorted)
}

/// A field's wire value, as the scan found it.
#[derive(Clone, Copy)]
enum Val<'a> {
    Str(&'a str),
    Null,
}

/// A row whose canonical text is its wire text but for its timestamps:
/// compact, every field present and in table order, every value a plain
/// string already in canonical form. Copied in runs, the timestamps
/// rewritten in between; `None` (with `out` and `s` to be reset by the
/// caller) for any other row, which [`row`] then reads.
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
        let value = s.i + 1;
        let t = s.plain_string()?;
        match field.kind {
            Kind::Text => {}
            Kind::Enum(canonical) => {
                if canonical(t).is_some_and(|c| c != t) {
                    return None;
                }
            }
            Kind::Amount => {
                if !is_canonical_amount(t) {
                    return None;
                }
            }
            Kind::DateTime => {
                parse_datetime(t)?;
                let iso = iso_digits(t)?;
                out.push_str(s.text.get(run..value)?);
                out.push_str(std::str::from_utf8(&iso).ok()?);
                // From the closing quote on.
                run = s.i - 1;
            }
        }
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
            let val = match s.peek()? {
                b'"' => Val::Str(s.plain_string()?),
                b'n' => {
                    s.literal(b"null")?;
                    Val::Null
                }
                _ => return None,
            };
            if vals[slot].replace(val).is_some() {
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
    out.push('{');
    for (n, (field, val)) in fields.iter().zip(vals).enumerate() {
        if n > 0 {
            out.push(',');
        }
        out.push_str(field.key);
        let val = match val {
            Some(v) => v,
            None if field.default_empty => Val::Null,
            None => return None,
        };
        match (field.kind, val) {
            (Kind::Text, Val::Str(t)) => quoted(out, t),
            (Kind::Text, Val::Null) => out.push_str("\"\""),
            (Kind::DateTime, Val::Str(t)) => {
                let at = parse_datetime(t)?;
                match iso_digits(t) {
                    // Read and checked above; its text is its digits moved.
                    Some(iso) => quoted(out, std::str::from_utf8(&iso).ok()?),
                    None => {
                        let mut text = Vec::new();
                        ser_datetime(&at, &mut serde_json::Serializer::new(&mut text)).ok()?;
                        out.push_str(std::str::from_utf8(&text).ok()?);
                    }
                }
            }
            (Kind::Amount, Val::Str(t)) if is_canonical_amount(t) => quoted(out, t),
            (Kind::Amount, Val::Str(t)) => {
                let amount = parse_decimal(t).ok()?;
                out.push_str(&serde_json::to_string(&amount).ok()?);
            }
            (Kind::Enum(canonical), Val::Str(t)) => match canonical(t) {
                Some(c) => quoted(out, c),
                // An unknown value is kept verbatim.
                None => quoted(out, t),
            },
            (Kind::Enum(canonical), Val::Null) => quoted(out, canonical("").unwrap_or("")),
            _ => return None,
        }
    }
    out.push('}');
    Some(())
}

/// `DD-MM-YYYY HH:MM:SS` or `YYYY-MM-DD HH:MM:SS` (the pending list's and
/// most answers' shape) rearranged to `YYYY-MM-DDTHH:MM:SS`: for a
/// timestamp `parse_datetime` read, exactly what `ser_datetime` writes for
/// it (no fraction, a four-digit year). `None` for any other shape.
fn iso_digits(t: &str) -> Option<[u8; 19]> {
    let b: &[u8; 19] = t.as_bytes().try_into().ok()?;
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

/// An amount already in the text `Decimal` writes for it: `0` or digits
/// without a leading zero, an optional fraction, 28 digits at most, no
/// sign, exponent or space (`parse_decimal` keeps the scale, so its value
/// prints as these very digits).
fn is_canonical_amount(t: &str) -> bool {
    let b = t.as_bytes();
    let int = b
        .iter()
        .position(|&c| !c.is_ascii_digit())
        .unwrap_or(b.len());
    let frac = match b.get(int) {
        None => 0,
        Some(b'.') => {
            let f = &b[int + 1..];
            if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
                return false;
            }
            f.len()
        }
        Some(_) => return false,
    };
    int > 0 && (int == 1 || b[0] != b'0') && int + frac <= 28
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
            &nines,
        ] {
            assert!(is_canonical_amount(t), "{t}");
            assert_eq!(typed_amount(t), Some(format!("\"{t}\"")), "{t}");
        }
        for t in [
            "",
            "00",
            "01.5",
            "-1",
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
        assert_eq!(iso_digits("2021-04-19 04:36:47.760"), None);
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
        fn iso_digits_agree(t in "[0-9]{2}-[0-9]{2}-[0-9]{4}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}|[0-9]{4}-[0-9]{2}-[0-9]{2}[ T][0-9]{2}:[0-9]{2}:[0-9]{2}") {
            if let Some(at) = parse_datetime(&t) {
                let mut typed = Vec::new();
                ser_datetime(&at, &mut serde_json::Serializer::new(&mut typed)).unwrap();
                let iso = iso_digits(&t).unwrap();
                prop_assert_eq!(typed, format!("\"{}\"", std::str::from_utf8(&iso).unwrap()).into_bytes());
            }
        }

        /// The word-at-a-time scan finds what a byte loop finds.
        #[test]
        fn stop_at_is_the_first_stop_byte(b in proptest::collection::vec(prop_oneof![4 => 0x20u8..0x7f, 1 => any::<u8>()], 0..40)) {
            prop_assert_eq!(stop_at(&b), b.iter().position(|&c| STOP[usize::from(c)]));
        }
    }
}
