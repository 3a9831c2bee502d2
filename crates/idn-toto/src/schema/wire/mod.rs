//! The tolerant reader: the parse pipeline and the field-level decoders every
//! endpoint shares.

mod canonical;
pub(crate) mod de;
pub(crate) mod enums;
mod fast;
#[cfg(test)]
mod reference;
mod repair;

pub(crate) use repair::{Damage, Step};
pub(crate) mod ser;

pub(crate) use de::{
    amount, count, date, flag, list, opt_amount, opt_datetime, order_keyed, parse_decimal,
    parse_decimal_with, raw, refuse, rows, split_at_marker, text, ListVisitor, Row, RowKey,
};
pub(crate) use de::{trim, DecimalError, DecimalRules};
pub use enums::{HistoryStatus, PgaProcessor, PgaStatus, TransactionType};
#[cfg(test)]
pub(crate) use fast::gen;
pub(crate) use fast::{field, keyed_rows, page, Field, Kind};
pub(crate) use ser::{ser_date, ser_datetime, ser_opt_datetime};

pub(crate) use de::timestamp;

use crate::schema::error::Error;
use crate::schema::id::EndpointId;
use serde::de::DeserializeOwned;

/// A wire-shaped response: deserialised first, then checked and turned into
/// the public type.
#[allow(unreachable_pub)]
pub trait Wire: DeserializeOwned {
    type Output;

    /// When true, a `success: false` body is handed to `finish` instead of
    /// becoming [`Error::Api`] in the tolerant path.
    const READS_REFUSALS: bool = false;

    /// Money-moving answers: the tolerant reader's [`Damage`] is handed to
    /// [`Wire::damaged`] instead of being an error, so the endpoint decides
    /// what is still certain. Reads refuse damage that could change content.
    const MONEY: bool = false;

    /// The body may be a JSON array (the pending list); every other body is
    /// an object (a derived struct would also read an array, positionally).
    const TOP_ARRAY: bool = false;

    /// Money-moving answers: what the reader had to assume (never called for
    /// reads).
    fn damaged(self, _damage: &Damage) -> Result<Self, Error> {
        Ok(self)
    }

    /// `success: false` must be reported here (the fast path reaches this
    /// with a refusal when every field is optional).
    fn finish(self) -> Result<Self::Output, Error>;
}

/// Maps a `success` flag and message to the refusal error, if it is one.
pub(crate) fn check_success(success: Option<bool>, message: &str) -> Result<(), Error> {
    match success {
        Some(false) => Err(Error::api(message.to_owned())),
        _ => Ok(()),
    }
}

/// Money-moving endpoints must say `success: true` to confirm anything.
pub(crate) fn require_success(success: Option<bool>) -> Result<(), Error> {
    match success {
        Some(true) => Ok(()),
        Some(false) => Ok(()), // reported by check_success
        None => Err(Error::decode(
            "success",
            "missing: a money-moving request is only confirmed by \"success\": true",
        )),
    }
}

/// How the pipeline turns (repaired) strict JSON into a wire type. The
/// production reader is [`Strict`]; the tests check it against a reference
/// reader (`wire/reference.rs`) over the same pipeline. (Public in a
/// private module: a sealed bound of [`crate::AnyEndpoint`].)
#[allow(unreachable_pub)]
pub trait Reader {
    /// Try `serde_json` on the body as it came first (reads only).
    const FAST: bool;
    /// Reads strict JSON `json` (the tolerant path's output); an error
    /// names the path of the failing value.
    fn read<W: Wire>(json: &str) -> Result<W, Error>;
}

/// The production reader: the fast path first, then the tolerant path read
/// by the wire type's own deserializer, an error's position giving its path.
#[derive(Debug)]
#[allow(unreachable_pub)]
pub struct Strict;

impl Reader for Strict {
    const FAST: bool = true;

    fn read<W: Wire>(json: &str) -> Result<W, Error> {
        serde_json::from_str::<W>(json).map_err(|e| {
            canonical::locate(json, &e, &|text| {
                serde_json::from_str::<W>(text).err().map(|e| e.to_string())
            })
        })
    }
}

/// An endpoint's parse through a given [`Reader`] (sealed: implemented next
/// to each endpoint's wire type).
#[allow(unreachable_pub)]
pub trait Parse {
    /// The endpoint's response.
    type Out;
    /// [`crate::Endpoint::parse`] with reader `R`.
    fn parse_with<R: Reader>(status: u16, body: &[u8]) -> Result<Self::Out, Error>;

    /// The canonical JSON text written straight from the wire bytes, for
    /// an endpoint with a transcoder and a body in the shape it reads;
    /// `None`: the typed path decides (the default).
    fn transcode(_status: u16, _body: &[u8]) -> Option<String> {
        None
    }
}

/// Statuses that say the server did not process the request at all, so a
/// money move answered with one (and a body that does not claim success) is
/// definitely not done. Others (408, 409, 499, 5xx, ...) may come after the
/// money moved.
const NOT_PROCESSED: [u16; 8] = [400, 401, 403, 404, 405, 413, 414, 429];

/// The whole pipeline for one endpoint: status, fast strict parse, tolerant
/// fallback, refusal detection, and for money-moving endpoints the rule that
/// an answer which can be read more than one way, or is incomplete, is an
/// unknown outcome.
pub(crate) fn parse<W: Wire>(id: EndpointId, status: u16, body: &[u8]) -> Result<W::Output, Error> {
    parse_with::<W, Strict>(id, status, body)
}

/// [`parse`] with reader `R`.
pub(crate) fn parse_with<W: Wire, R: Reader>(
    id: EndpointId,
    status: u16,
    body: &[u8],
) -> Result<W::Output, Error> {
    let money = !id.info().idempotent;
    if (200..300).contains(&status) {
        let result = parse_body::<W, R>(body);
        return if money {
            result.map_err(unknown_unless_definite)
        } else {
            result
        };
    }
    let http = Error::Http {
        status,
        excerpt: excerpt(body, 200),
    };
    if !money {
        return Err(http);
    }
    if (400..500).contains(&status) {
        if is_clean_refusal(body) {
            // A complete, well-formed `success: false` answer: a refusal,
            // whatever the status.
            return parse_body::<W, R>(body).map_err(unknown_unless_definite);
        }
        if NOT_PROCESSED.contains(&status) && !looks_successful(body) {
            return Err(http);
        }
    }
    Err(Error::unknown(http))
}

/// For a money-moving answer: everything but a refusal (or an unknown
/// outcome already) becomes an unknown outcome.
fn unknown_unless_definite(e: Error) -> Error {
    match e {
        e @ (Error::Api { .. } | Error::OutcomeUnknown { .. }) => e,
        other => Error::unknown(other),
    }
}

/// The body as text: BOM and surrounding whitespace dropped; invalid UTF-8
/// is refused rather than replaced (replacing bytes would silently change
/// the server's text).
fn body_text(body: &[u8]) -> Result<&str, Error> {
    std::str::from_utf8(trim(body)).map_err(|e| {
        Error::decode(
            "$",
            format!(
                "body is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A 2xx body (or a refusal body) to the endpoint's output.
fn parse_body<W: Wire, R: Reader>(body: &[u8]) -> Result<W::Output, Error> {
    let text = body_text(body)?;
    if !W::TOP_ARRAY && text.starts_with('[') {
        return Err(Error::decode(
            "$",
            "the body is a JSON array; this answer is an object",
        ));
    }
    // `from_str` on the checked text: `from_slice` would check every string
    // again on its own (a sixth of a large list's parse time). Money-moving
    // answers (small) always go through the scanner, which sees what strict
    // JSON hides: a key given twice, even one no field reads.
    if R::FAST && !W::MONEY {
        if let Ok(wire) = serde_json::from_str::<W>(text) {
            return wire.finish();
        }
    }
    let repaired = repair::repair(text).map_err(|reason| {
        Error::decode(
            "$",
            format!(
                "{reason}; it starts with {:?}",
                excerpt(text.as_bytes(), 60)
            ),
        )
    })?;
    if !W::MONEY {
        if let Some((path, reason)) = repaired.damage.read_error() {
            return Err(Error::decode(path, reason));
        }
    }
    let json = repaired.text.as_str();
    if !W::TOP_ARRAY && json.starts_with('[') {
        return Err(Error::decode(
            "$",
            "the body is a JSON array; this answer is an object",
        ));
    }
    // One deserializer per wire type, for both paths: the repaired text is
    // strict compact JSON, and an error's position in it gives its path. A
    // refusal that reads as the wire type is reported by its `finish`; one
    // that doesn't (a required field missing) is found by reading just the
    // envelope, only then (one pass less over a body that reads).
    let wire = match R::read::<W>(json) {
        Ok(wire) => wire,
        Err(e) => {
            if !W::READS_REFUSALS {
                if let Some(message) = refusal(json) {
                    return Err(Error::api(message));
                }
            }
            return Err(e);
        }
    };
    let wire = if W::MONEY {
        wire.damaged(&repaired.damage)?
    } else {
        wire
    };
    wire.finish()
}

/// The top of an answer: `success` and `message`, anything else ignored.
#[derive(serde::Deserialize)]
struct Envelope {
    #[serde(default, deserialize_with = "flag")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "text")]
    message: String,
}

/// `Some(message)` when strict JSON `json` is a `success: false` envelope.
fn refusal(json: &str) -> Option<String> {
    // An object only: serde also reads a struct from an array (`[false]`
    // would be `success: false`), which no server's refusal is.
    if !json.trim_start().starts_with('{') {
        return None;
    }
    let envelope = serde_json::from_str::<Envelope>(json).ok()?;
    (envelope.success == Some(false)).then_some(envelope.message)
}

/// A complete, undamaged `success: false` object (line breaks in strings
/// and the like repaired, nothing assumed).
fn is_clean_refusal(body: &[u8]) -> bool {
    let Ok(text) = body_text(body) else {
        return false;
    };
    match repair::repair(text) {
        Ok(r) if r.damage.is_none() => refusal(&r.text).is_some(),
        _ => false,
    }
}

/// Whether any part of the body may claim success: the word `success` (any
/// case, `successfully` included; also spelled with JSON `\u` escapes, HTML
/// character references or percent escapes) anywhere, unless it is the key
/// of a `false`/`0` flag. Such an answer with an error status contradicts
/// itself, so it is never read as "not processed".
fn looks_successful(body: &[u8]) -> bool {
    let lower: Vec<u8> = crate::schema::redact::decoded(&String::from_utf8_lossy(body))
        .into_iter()
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let needle = b"success";
    let mut from = 0;
    while let Some(at) = lower[from..]
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
    {
        let mut j = at + needle.len();
        while lower
            .get(j)
            .is_some_and(|b| matches!(b, b'"' | b'\'' | b' ' | b'\t' | b'\r' | b'\n' | b':' | b'='))
        {
            j += 1;
        }
        let rest = &lower[j..];
        let flag_false = j > at + needle.len()
            && (rest.starts_with(b"false")
                || (rest.starts_with(b"0") && !rest.get(1).is_some_and(u8::is_ascii_digit)));
        if !flag_false {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The first `max` characters of the body, whitespace collapsed; `...` marks
/// any cut (also one made by the byte window), so a scrubber can tell a cut
/// edge (`Client::redact` scrubs a piece of the token left there).
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    let window = body.len().min(max * 4);
    let text = String::from_utf8_lossy(&body[..window]);
    let mut out = String::new();
    for (i, word) in text.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    if out.chars().count() > max {
        out = out.chars().take(max).collect::<String>() + "...";
    } else if window < body.len() {
        out.push_str("...");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Found by `arbitrary_json_never_panics` (status 404, body `[false]`):
    /// serde reads a struct from an array, so `[false]` passed as a clean
    /// `success: false` refusal, and a money move's 404 with it became an
    /// unknown outcome without its status instead of the http 404 every
    /// other unreadable 404 body is.
    #[test]
    fn an_array_is_never_a_refusal() {
        assert_eq!(refusal("[false]"), None);
        assert_eq!(refusal("[false, \"no\"]"), None);
        assert_eq!(
            refusal("{\"success\":false,\"message\":\"no\"}"),
            Some("no".into())
        );
        assert!(!is_clean_refusal(b"[false]"));
        for body in [&b"[false]"[..], b"[]", b"<html>404</html>"] {
            let e = parse::<crate::schema::endpoints::accept_reject::ProcessedWire>(
                EndpointId::AcceptReject,
                404,
                body,
            )
            .unwrap_err();
            assert_eq!((e.kind(), e.status()), ("http", Some(404)), "{body:?}");
        }
    }

    #[test]
    fn trims_bom_and_whitespace() {
        assert_eq!(trim(b"\xEF\xBB\xBF  {}\n"), b"{}");
        assert_eq!(trim(b"   "), b"");
        assert_eq!(trim(b""), b"");
    }

    #[test]
    fn excerpts_are_short() {
        let long = "x".repeat(1000);
        assert_eq!(excerpt(long.as_bytes(), 200).chars().count(), 203);
        assert_eq!(
            excerpt(b"<html>\n  <b>oops</b>\n</html>", 200),
            "<html> <b>oops</b> </html>"
        );
        // Cut by the byte window (whitespace collapsed below `max`): marked.
        let spaced = format!("{}TOKENPIECE", " ".repeat(795));
        assert_eq!(excerpt(spaced.as_bytes(), 200), "TOKEN...");
        let spaced = format!("a{}b{}", " ".repeat(797), "c".repeat(10));
        assert_eq!(excerpt(spaced.as_bytes(), 200), "a bc...");
    }
}
