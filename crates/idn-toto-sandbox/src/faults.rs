//! Injected faults, chosen per request with the `X-Sandbox-Fault` header.

use std::pin::Pin;
use std::task::{Context, Poll};

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;

/// The request header that selects a fault.
pub(crate) const HEADER: &str = "x-sandbox-fault";

/// The longest `delay=MS` accepted (10 minutes).
const MAX_DELAY_MS: u64 = 600_000;

/// What goes wrong with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// `500`: HTTP 500 with a JSON body; state untouched.
    Error500,
    /// `500-after`: process the request (state changes), then answer HTTP 500.
    Error500After,
    /// `html`: HTTP 200 with an HTML error page; state untouched.
    Html,
    /// `html500`: HTTP 500 with an HTML error page; state untouched.
    Html500,
    /// `drop`: close the connection without an answer; state untouched.
    Drop,
    /// `drop-after`: process the request, then close without an answer.
    DropAfter,
    /// `echo-token`: HTTP 500 whose body echoes the request path, token included.
    EchoToken,
    /// `late=MS`: close the connection without an answer at once (the client
    /// gives up), and process the request MS milliseconds later: a request
    /// still in flight on the server when its answer was lost.
    Late(u64),
    /// `429=SECS`: HTTP 429 with `Retry-After: SECS`; state untouched.
    TooManyRequests(u64),
    /// `503=SECS`: HTTP 503 with `Retry-After: SECS`; state untouched.
    Unavailable(u64),
}

/// The faults one request asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Faults {
    /// `delay=MS`: sleep this long, then go on.
    pub(crate) delay_ms: u64,
    /// At most one of the other kinds.
    pub(crate) fault: Option<Fault>,
}

impl Faults {
    /// Parses a comma-separated header value such as `delay=200,500-after`.
    /// `None` for unknown words, two non-delay kinds, or a delay over 10 minutes.
    pub(crate) fn parse(value: &str) -> Option<Faults> {
        let mut faults = Faults::default();
        for word in value.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if let Some(ms) = word.strip_prefix("delay=") {
                faults.delay_ms = ms.parse().ok().filter(|ms| *ms <= MAX_DELAY_MS)?;
                continue;
            }
            let number = |prefix: &str, max: u64| -> Option<u64> {
                word.strip_prefix(prefix)?
                    .parse()
                    .ok()
                    .filter(|n| *n <= max)
            };
            let timed = if word.starts_with("late=") {
                Some(Fault::Late(number("late=", MAX_DELAY_MS)?))
            } else if word.starts_with("429=") {
                Some(Fault::TooManyRequests(number("429=", MAX_DELAY_MS / 1000)?))
            } else if word.starts_with("503=") {
                Some(Fault::Unavailable(number("503=", MAX_DELAY_MS / 1000)?))
            } else {
                None
            };
            if let Some(fault) = timed {
                if faults.fault.replace(fault).is_some() {
                    return None;
                }
                continue;
            }
            let fault = match word.to_ascii_lowercase().as_str() {
                "500" => Fault::Error500,
                "500-after" => Fault::Error500After,
                "html" => Fault::Html,
                "html500" => Fault::Html500,
                "drop" => Fault::Drop,
                "drop-after" => Fault::DropAfter,
                "echo-token" => Fault::EchoToken,
                _ => return None,
            };
            if faults.fault.replace(fault).is_some() {
                return None;
            }
        }
        Some(faults)
    }
}

/// An HTML error page like a misconfigured proxy or PHP fatal error would send.
pub(crate) fn html_page(status: StatusCode) -> String {
    format!(
        "<!DOCTYPE html>\n<html><head><title>{status}</title></head>\n<body>\n<h1>{status}</h1>\n\
         <p>Fatal error: Uncaught exception in /var/www/html/home.php on line 42</p>\n\
         <hr><address>nginx (idn-toto-sandbox injected fault)</address>\n</body></html>\n"
    )
}

/// A body whose first read fails, so hyper aborts the connection before anything
/// (not even the already-buffered status line) reaches the client.
#[derive(Debug)]
struct FailingBody;

impl http_body::Body for FailingBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::other(
            "idn-toto-sandbox: injected connection drop",
        ))))
    }
}

/// A response that makes hyper close the connection without answering.
pub(crate) fn dropped() -> Response {
    let mut response = Response::new(Body::new(FailingBody));
    // A keep-alive client must not reuse this connection either way.
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::{Fault, Faults};

    #[test]
    fn parses_header_values() {
        assert_eq!(
            Faults::parse("delay=20, 500-after"),
            Some(Faults {
                delay_ms: 20,
                fault: Some(Fault::Error500After)
            })
        );
        assert_eq!(
            Faults::parse("drop").and_then(|f| f.fault),
            Some(Fault::Drop)
        );
        assert_eq!(
            Faults::parse("echo-token").and_then(|f| f.fault),
            Some(Fault::EchoToken)
        );
        assert_eq!(Faults::parse(""), Some(Faults::default()));
        assert_eq!(
            Faults::parse("late=250").map(|f| f.fault),
            Some(Some(Fault::Late(250)))
        );
        assert_eq!(
            Faults::parse("429=2").map(|f| f.fault),
            Some(Some(Fault::TooManyRequests(2)))
        );
        for bad in [
            "501",
            "drop,html",
            "delay=x",
            "delay=9999999",
            "delay",
            "late=",
            "late=x",
            "429=9999",
            "late=5,drop",
        ] {
            assert_eq!(Faults::parse(bad), None, "{bad}");
        }
    }
}
