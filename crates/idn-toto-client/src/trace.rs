//! The core's events as `tracing` events, inside one span per operation.
//! Events carry the redacted URL, statuses, timings and error kinds only;
//! never the token (the core guarantees it, a test checks it).

use idn_toto::{Event, EventKind};

/// The span around one operation (`call`, `batch`, `pages`, `settle`).
pub(crate) fn span(op: &'static str, endpoint: &str) -> tracing::Span {
    tracing::info_span!("idn_toto", op, endpoint)
}

/// One core event: `debug` for attempts, answers and successes, `info`
/// for retries and failures.
pub(crate) fn event(e: &Event) {
    let message = e.message();
    let failed = e.error_kind.is_some() || e.kind == EventKind::TransportFailure;
    macro_rules! emit {
        ($level:expr) => {
            tracing::event!(
                $level,
                kind = e.kind.as_str(),
                endpoint = e.endpoint.as_str(),
                method = e.method.as_str(),
                url = %e.url,
                attempt = e.attempt,
                status = e.status,
                elapsed_ms = e.elapsed_ms,
                delay_ms = e.delay_ms,
                error_kind = e.error_kind,
                "{message}"
            )
        };
    }
    if failed || e.kind == EventKind::Retry {
        emit!(tracing::Level::INFO);
    } else {
        emit!(tracing::Level::DEBUG);
    }
}
