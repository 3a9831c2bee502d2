//! The request descriptor a host sends.

use std::fmt;

use serde_json::{json, Map, Value};

use crate::schema::id::{EndpointId, Method};
use crate::schema::moves::{MoneyMove, MoveParams};

const JSON_HEADERS: &[(&str, &str)] = &[
    ("accept", "application/json"),
    ("content-type", "application/json"),
];
const GET_HEADERS: &[(&str, &str)] = &[("accept", "application/json")];
/// A money move's answer must be checkable as whole (no content coding)
/// and its connection used for nothing else (spec-notes 92).
const MONEY_JSON_HEADERS: &[(&str, &str)] = &[
    ("accept", "application/json"),
    ("content-type", "application/json"),
    ("accept-encoding", "identity"),
    ("connection", "close"),
];
const MONEY_GET_HEADERS: &[(&str, &str)] = &[
    ("accept", "application/json"),
    ("accept-encoding", "identity"),
    ("connection", "close"),
];

/// A request ready to send: method, URL, headers, body and whether it is safe
/// to repeat.
///
/// [`Request::url`] contains the token: send it, never log it. `Debug` and
/// `Display` show [`Request::redacted_url`].
#[derive(Clone, PartialEq, Eq)]
pub struct Request {
    endpoint: EndpointId,
    method: Method,
    url: String,
    redacted_url: String,
    body: Option<Vec<u8>>,
    idempotent: bool,
    /// A single money move: its canonical parameters and the move (for
    /// settling).
    money: Option<MoveParams>,
}

impl Request {
    pub(crate) fn new(
        endpoint: EndpointId,
        method: Method,
        url: String,
        redacted_url: String,
        body: Option<Vec<u8>>,
        idempotent: bool,
    ) -> Request {
        Request {
            endpoint,
            method,
            url,
            redacted_url,
            body,
            idempotent,
            money: None,
        }
    }

    /// For a single money move (`accept_reject`, `manual_transaction`) made
    /// by [`crate::Client::request`]: its canonical parameters, `type`
    /// included, which settling an unknown outcome needs. Never the token.
    pub fn money_params(&self) -> Option<&Value> {
        self.money.as_ref().map(MoveParams::json)
    }

    /// For a single money move: its parameters with the move they describe
    /// ([`MoveParams`]).
    pub fn money(&self) -> Option<&MoveParams> {
        self.money.as_ref()
    }

    /// For a single money move: the move.
    pub fn money_move(&self) -> Option<&MoneyMove> {
        self.money.as_ref().map(MoveParams::money)
    }

    pub(crate) fn with_money(mut self, params: Option<MoveParams>) -> Request {
        self.money = params;
        self
    }

    /// Which endpoint this calls.
    pub fn endpoint(&self) -> EndpointId {
        self.endpoint
    }

    /// The HTTP method.
    pub fn method(&self) -> Method {
        self.method
    }

    /// The full URL, token included. Send it; never log it.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL with the token replaced by `***`, for logs.
    pub fn redacted_url(&self) -> &str {
        &self.redacted_url
    }

    /// Headers to send: `accept: application/json`, and
    /// `content-type: application/json` with a body. A request that moves
    /// money also asks for `accept-encoding: identity` (its answer's length
    /// can then be checked) and `connection: close` (its connection carries
    /// nothing else).
    pub fn headers(&self) -> &'static [(&'static str, &'static str)] {
        match (self.body.is_some(), self.idempotent) {
            (true, true) => JSON_HEADERS,
            (false, true) => GET_HEADERS,
            (true, false) => MONEY_JSON_HEADERS,
            (false, false) => MONEY_GET_HEADERS,
        }
    }

    /// The JSON body (POST only).
    pub fn body(&self) -> Option<&[u8]> {
        self.body.as_deref()
    }

    /// Whether the request may be sent again after a failure. Requests that
    /// move money are not.
    pub fn is_idempotent(&self) -> bool {
        self.idempotent
    }

    /// The canonical JSON descriptor: `endpoint`, `method`, `url`,
    /// `headers` (an object), `body` (a string or null), `idempotent`. The
    /// URL is redacted unless `reveal_token`.
    pub fn to_json(&self, reveal_token: bool) -> Value {
        let headers: Map<String, Value> = self
            .headers()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect();
        let body = self
            .body
            .as_ref()
            .map(|b| Value::from(String::from_utf8_lossy(b).into_owned()));
        json!({
            "endpoint": self.endpoint.as_str(),
            "method": self.method.as_str(),
            "url": if reveal_token { &self.url } else { &self.redacted_url },
            "headers": headers,
            "body": body,
            "idempotent": self.idempotent,
        })
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("endpoint", &self.endpoint)
            .field("method", &self.method)
            .field("url", &self.redacted_url)
            .field(
                "body",
                &self.body.as_ref().map(|b| String::from_utf8_lossy(b)),
            )
            .field("idempotent", &self.idempotent)
            .finish()
    }
}

impl fmt::Display for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.redacted_url)
    }
}

#[cfg(feature = "http")]
mod http_conversions {
    use super::*;
    use crate::schema::error::Error;

    impl TryFrom<Request> for http::Request<Vec<u8>> {
        type Error = Error;

        /// Converts to an `http::Request` (the token is in its URI).
        fn try_from(r: Request) -> Result<http::Request<Vec<u8>>, Error> {
            let mut builder = http::Request::builder()
                .method(r.method.as_str())
                .uri(r.url.as_str());
            for (k, v) in r.headers() {
                builder = builder.header(*k, *v);
            }
            builder
                .body(r.body.unwrap_or_default())
                .map_err(|e| Error::invalid("url", format!("not a valid http uri: {e}")))
        }
    }
}
