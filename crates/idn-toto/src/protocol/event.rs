//! Events: what a call did, step by step, for logs and hooks. Made by the
//! core (so every host reports the same things the same way), handed out by
//! [`crate::Call::take_events`] and as [`crate::Step::Event`]. Never the
//! token; a body only when the caller turns bodies on (scrubbed and cut).

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use crate::schema::client::Client;
use crate::schema::error::Error;
use crate::schema::id::{EndpointId, Method};
use crate::schema::request::Request;

/// The most characters of a body an event carries (bodies on).
pub const EVENT_BODY_MAX: usize = 4096;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventKind {
    /// A request is about to be sent.
    Attempt,
    /// An answer came back (any status).
    Response,
    /// The request failed in transport (network error, timeout, aborted).
    TransportFailure,
    /// The attempt failed and the request will be sent again after `delay_ms`.
    Retry,
    /// The call is over (`error_kind` says how it failed, if it did).
    Done,
    /// A journal line the host could not write (`error_kind` `journal`):
    /// an outcome or `settled` line, so the move stays open in the journal
    /// (see [`crate::Driver::record_journal_failure`]).
    JournalFailure,
}

impl EventKind {
    /// `attempt`, `response`, `transport_failure`, `retry`, `done` or
    /// `journal_failure`.
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Attempt => "attempt",
            EventKind::Response => "response",
            EventKind::TransportFailure => "transport_failure",
            EventKind::Retry => "retry",
            EventKind::Done => "done",
            EventKind::JournalFailure => "journal_failure",
        }
    }
}

/// The host's view of time for one step: how long the attempt took and,
/// optionally, the wall clock (used for `Retry-After` HTTP dates and the
/// journal's timestamps). The core has no clock of its own.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Clock {
    /// Milliseconds from just before the request was sent to the end of its
    /// body (or its failure).
    pub elapsed_ms: u64,
    /// Seconds since the Unix epoch, now.
    pub unix_now_secs: Option<i64>,
}

impl Clock {
    /// A clock reading.
    pub fn new(elapsed_ms: u64, unix_now_secs: Option<i64>) -> Clock {
        Clock {
            elapsed_ms,
            unix_now_secs,
        }
    }
}

/// One step of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// What happened.
    pub kind: EventKind,
    /// Which endpoint.
    pub endpoint: EndpointId,
    /// Its HTTP method.
    pub method: Method,
    /// The request's URL with the token replaced by `***`.
    pub url: String,
    /// The attempt: 0 for the first send of this request.
    pub attempt: u32,
    /// The answer's status (`response`; `done` when it ended on an answer).
    pub status: Option<u16>,
    /// `response` / `transport_failure`: how long the attempt took; `done`:
    /// the whole call, attempts and waits.
    pub elapsed_ms: Option<u64>,
    /// `retry`: the wait before the next attempt.
    pub delay_ms: Option<u64>,
    /// The error kind (`Error::kind`) when this step failed.
    pub error_kind: Option<&'static str>,
    /// `response` with bodies on: the body, token scrubbed, at most
    /// [`EVENT_BODY_MAX`] characters.
    pub body: Option<String>,
}

impl Event {
    pub(crate) fn new(kind: EventKind, request: &Request, attempt: u32) -> Event {
        Event {
            kind,
            endpoint: request.endpoint(),
            method: request.method(),
            url: request.redacted_url().to_owned(),
            attempt,
            status: None,
            elapsed_ms: None,
            delay_ms: None,
            error_kind: None,
            body: None,
        }
    }

    /// A `response` event; `error` is how the core read it, if it failed.
    pub(crate) fn response(
        client: &Client,
        request: &Request,
        attempt: u32,
        status: u16,
        body: Option<&[u8]>,
        elapsed_ms: u64,
        error: Option<&Error>,
    ) -> Event {
        Event {
            status: Some(status),
            elapsed_ms: Some(elapsed_ms),
            error_kind: error.map(Error::kind),
            body: body.map(|b| client.excerpt(b, EVENT_BODY_MAX)),
            ..Event::new(EventKind::Response, request, attempt)
        }
    }

    /// The event as a JSON object; fields that don't apply are left out.
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("kind".into(), json!(self.kind.as_str()));
        m.insert("endpoint".into(), json!(self.endpoint.as_str()));
        m.insert("method".into(), json!(self.method.as_str()));
        m.insert("url".into(), json!(self.url));
        m.insert("attempt".into(), json!(self.attempt));
        let optional = [
            ("status", self.status.map(|s| json!(s))),
            ("elapsed_ms", self.elapsed_ms.map(|s| json!(s))),
            ("delay_ms", self.delay_ms.map(|s| json!(s))),
            ("error_kind", self.error_kind.map(|s| json!(s))),
            ("body", self.body.as_ref().map(|s| json!(s))),
        ];
        for (key, value) in optional {
            if let Some(value) = value {
                m.insert(key.into(), value);
            }
        }
        Value::Object(m)
    }

    /// One log line: `user_balance GET https://h/home.php/***/player_info/LOREM
    /// attempt 0: response 503 in 12 ms (http)`.
    pub fn message(&self) -> String {
        let mut line = format!(
            "{} {} {} attempt {}: {}",
            self.endpoint,
            self.method,
            self.url,
            self.attempt,
            self.kind.as_str()
        );
        if let Some(status) = self.status {
            let _ = write!(line, " {status}");
        }
        if let Some(ms) = self.elapsed_ms {
            let _ = write!(line, " in {ms} ms");
        }
        if let Some(ms) = self.delay_ms {
            let _ = write!(line, " after {ms} ms");
        }
        match (self.kind, self.error_kind) {
            (_, Some(kind)) => {
                let _ = write!(line, " ({kind})");
            }
            (EventKind::Done, None) => line.push_str(" (ok)"),
            _ => {}
        }
        line
    }
}

/// The event trail of one request's attempts (kept by the exchange every
/// operation uses): attempt numbers, the time spent, and the events.
#[derive(Debug, Clone, Default)]
pub(crate) struct Trail {
    pub(crate) events: Vec<Event>,
    /// Milliseconds spent on this call so far: attempts and waits.
    pub(crate) spent_ms: u64,
    pub(crate) bodies: bool,
}

impl Trail {
    pub(crate) fn new(bodies: bool) -> Trail {
        Trail {
            bodies,
            ..Trail::default()
        }
    }

    pub(crate) fn attempt(&mut self, request: &Request, attempt: u32) {
        self.events
            .push(Event::new(EventKind::Attempt, request, attempt));
    }

    pub(crate) fn response(
        &mut self,
        client: &Client,
        request: &Request,
        attempt: u32,
        (status, body): (u16, &[u8]),
        clock: Clock,
        error: Option<&Error>,
    ) {
        self.spent_ms = self.spent_ms.saturating_add(clock.elapsed_ms);
        let body = self.bodies.then_some(body);
        self.events.push(Event::response(
            client,
            request,
            attempt,
            status,
            body,
            clock.elapsed_ms,
            error,
        ));
    }

    pub(crate) fn transport_failure(
        &mut self,
        request: &Request,
        attempt: u32,
        clock: Clock,
        error: &Error,
    ) {
        self.spent_ms = self.spent_ms.saturating_add(clock.elapsed_ms);
        self.events.push(Event {
            elapsed_ms: Some(clock.elapsed_ms),
            error_kind: Some(error.kind()),
            ..Event::new(EventKind::TransportFailure, request, attempt)
        });
    }

    pub(crate) fn retry(&mut self, request: &Request, attempt: u32, delay_ms: u64, error: &Error) {
        self.spent_ms = self.spent_ms.saturating_add(delay_ms);
        self.events.push(Event {
            delay_ms: Some(delay_ms),
            error_kind: Some(error.kind()),
            ..Event::new(EventKind::Retry, request, attempt)
        });
    }

    pub(crate) fn done(
        &mut self,
        request: &Request,
        attempt: u32,
        status: Option<u16>,
        error: Option<&Error>,
    ) {
        self.events.push(Event {
            status,
            elapsed_ms: Some(self.spent_ms),
            error_kind: error.map(Error::kind),
            ..Event::new(EventKind::Done, request, attempt)
        });
    }
}
