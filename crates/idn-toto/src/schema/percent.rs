//! Percent-encoding of one path segment or query value: how a parameter is
//! written into the URL, and so one of the forms the token takes in text
//! (`redact`).

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Characters kept as they are in a path segment or query value: RFC 3986's
/// unreserved set. Everything else is percent-encoded.
pub(crate) const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Percent-encodes `s` for use as one path segment or query value.
pub(crate) fn encode(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}
