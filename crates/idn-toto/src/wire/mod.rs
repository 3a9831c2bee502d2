//! The tolerant reader: the parse pipeline and the field-level decoders every
//! endpoint shares.

mod canonical;
mod de;
mod enums;
#[cfg(test)]
mod reference;
mod repair;
mod ser;

pub(crate) use de::{
    amount, count, date, datetime, flag, key_number, list, opt_amount, opt_datetime, order_keyed,
    skip, text, ListVisitor,
};
pub use enums::{HistoryStatus, PgaProcessor, PgaStatus, TransactionType};
pub(crate) use ser::{ser_date, ser_datetime, ser_opt_datetime};

use std::borrow::Cow;

use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{EndpointId, Error};

/// A wire-shaped response: deserialised first, then checked and turned into
/// the public type.
pub(crate) trait Wire: DeserializeOwned {
    type Output;

    /// When true, a `success: false` body is handed to `finish` instead of
    /// becoming [`Error::Api`] in the tolerant path.
    const READS_REFUSALS: bool = false;

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

/// The whole pipeline for one endpoint: status check, fast strict parse,
/// tolerant fallback, refusal detection, and the money-moving rule that an
/// unreadable answer is an unknown outcome.
pub(crate) fn parse<W: Wire>(id: EndpointId, status: u16, body: &[u8]) -> Result<W::Output, Error> {
    let result = parse_inner::<W>(status, body);
    if id.info().idempotent {
        return result;
    }
    result.map_err(|e| match e {
        Error::Decode { .. } => Error::OutcomeUnknown { cause: Box::new(e) },
        // Only a 4xx is a definite "not done"; a 5xx, or a 1xx/3xx that a
        // sans-IO host handed back, may come after the money moved.
        Error::Http { status, .. } if !(400..500).contains(&status) => {
            Error::OutcomeUnknown { cause: Box::new(e) }
        }
        other => other,
    })
}

fn parse_inner<W: Wire>(status: u16, body: &[u8]) -> Result<W::Output, Error> {
    if !(200..300).contains(&status) {
        return Err(Error::Http {
            status,
            excerpt: excerpt(body, 200),
        });
    }
    let body = trim(body);
    // Refused rather than repaired: replacing bytes would silently change the
    // server's text (and the fast path does not check skipped strings).
    let text = match std::str::from_utf8(body) {
        Ok(text) => text,
        Err(e) => {
            return Err(Error::decode(
                "$",
                format!(
                    "body is not valid UTF-8 (invalid byte at offset {})",
                    e.valid_up_to()
                ),
            ))
        }
    };
    // `from_str` on the checked text: `from_slice` would check every string
    // again on its own (a sixth of a large list's parse time).
    #[cfg(test)]
    let fast = !reference::SKIP_FAST.with(std::cell::Cell::get);
    #[cfg(not(test))]
    let fast = true;
    if fast {
        if let Ok(wire) = serde_json::from_str::<W>(text) {
            return wire.finish();
        }
    }
    let (value, json) = tolerant_value(text)?;
    if !W::READS_REFUSALS {
        if let Some(message) = refusal(&value) {
            return Err(Error::api(message));
        }
    }
    #[cfg(test)]
    if reference::ON.with(std::cell::Cell::get) {
        return reference::deserialize::<W>(&value)?.finish();
    }
    // The tolerant reading goes through the fast path's own deserializer (one
    // copy of every wire type's decoder in the binary): the value is written
    // back as compact JSON that reads exactly as the value does (the
    // source's number literals kept, keys sorted, the last of duplicate keys
    // kept), and an error's position in that text gives its path.
    let canonical = canonical::write(&json);
    match serde_json::from_str::<W>(&canonical) {
        Ok(wire) => wire.finish(),
        Err(e) => Err(canonical::locate(&canonical, &e, &|text| {
            serde_json::from_str::<W>(text).err().map(|e| e.to_string())
        })),
    }
}

/// Strict JSON if it is, else the repaired reading of it: the value, and the
/// JSON text it was read from.
fn tolerant_value(text: &str) -> Result<(Value, Cow<'_, str>), Error> {
    if let Ok(v) = serde_json::from_str::<Value>(text) {
        return Ok((v, Cow::Borrowed(text)));
    }
    let body = text.as_bytes();
    let repaired = repair::repair(body).map_err(|reason| {
        Error::decode(
            "$",
            format!("{reason}; it starts with {:?}", excerpt(body, 60)),
        )
    })?;
    match serde_json::from_str::<Value>(&repaired) {
        Ok(v) => Ok((v, Cow::Owned(repaired))),
        Err(e) => Err(Error::decode(
            "$",
            format!(
                "body is not JSON ({e}); it starts with {:?}",
                excerpt(body, 60)
            ),
        )),
    }
}

/// `Some(message)` when the body is a `success: false` envelope.
fn refusal(value: &Value) -> Option<String> {
    let obj = value.as_object()?;
    let refused = match obj.get("success")? {
        Value::Bool(b) => !b,
        Value::String(s) => matches!(s.trim().to_ascii_lowercase().as_str(), "false" | "0"),
        Value::Number(n) => n.as_u64() == Some(0),
        _ => false,
    };
    refused.then(|| match obj.get("message") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    })
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
