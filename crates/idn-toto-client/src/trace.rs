//! `tracing` spans and events for every call. Only redacted text goes in:
//! the redacted URL, statuses, timings and the core's error kinds and
//! (scrubbed) messages; never the token.

use std::time::Duration;

use idn_toto::{Error, Request};

/// The span around one call: endpoint, method and the redacted URL.
pub(crate) fn call_span(request: &Request) -> tracing::Span {
    tracing::info_span!(
        "idn_toto.call",
        endpoint = request.endpoint().as_str(),
        method = request.method().as_str(),
        url = request.redacted_url(),
    )
}

pub(crate) fn attempt(attempt: u32) {
    tracing::debug!(attempt, "idn_toto: sending");
}

pub(crate) fn answered(status: u16, elapsed: Duration) {
    tracing::debug!(status, elapsed_ms = millis(elapsed), "idn_toto: response");
}

pub(crate) fn failed(core: &idn_toto::Client, reason: &str, elapsed: Duration) {
    tracing::debug!(
        reason = %core.redact(reason),
        elapsed_ms = millis(elapsed),
        "idn_toto: transport failure"
    );
}

pub(crate) fn retry(delay_ms: u64, error: &Error) {
    tracing::info!(delay_ms, error_kind = error.kind(), error = %error, "idn_toto: retrying");
}

pub(crate) fn done<T>(result: &Result<T, Error>, elapsed: Duration) {
    match result {
        Ok(_) => tracing::debug!(elapsed_ms = millis(elapsed), "idn_toto: done"),
        Err(e) => tracing::info!(
            elapsed_ms = millis(elapsed),
            error_kind = e.kind(),
            error = %e,
            "idn_toto: failed"
        ),
    }
}

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}
