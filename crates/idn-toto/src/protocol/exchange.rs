//! The one exchange every operation's requests go through: a request and
//! its attempts. The retry rule ([`RetryPolicy::decide_after`]: reads only,
//! money moves never), `Retry-After` (honoured, capped at the policy's
//! longest delay), the events (`attempt`, `response` or
//! `transport_failure`, `retry`, `done`) and the snapshot an unknown
//! outcome carries are decided here, once: a call, a page, the history
//! read before a manual move or a batch, and every settlement read use it
//! (docs/ARCHITECTURE.md, "One exchange").

use std::time::{Duration, UNIX_EPOCH};

use crate::protocol::event::Trail;
use crate::protocol::event::{Clock, Event};
use crate::protocol::retry::RetryPolicy;
use crate::schema::client::Client;
use crate::schema::error::Error;
use crate::schema::request::Request;
use crate::schema::table::AnyResponse;

/// What the host does after handing an answer (or a failure) to a [`crate::Call`].
#[derive(Debug)]
#[must_use]
pub enum Next<T> {
    /// Wait `delay_ms`, then send [`crate::Call::request`] again. `error` is why the
    /// last attempt failed (for logs and events; already scrubbed of the
    /// token).
    Retry {
        /// How long to wait, in milliseconds.
        delay_ms: u64,
        /// Why the attempt failed.
        error: Error,
    },
    /// The call is over.
    Done(Result<T, Error>),
}

/// The reason recorded when a host asks for the next step while a request
/// still awaits its answer: that send counts as a transport failure.
pub(crate) const NEVER_RECORDED: &str = "the answer was never recorded";

/// An answer (status, headers, body) or a transport failure's reason.
pub(crate) type Answer<'a> = Result<(u16, &'a [(&'a str, &'a str)], &'a [u8]), &'a str>;

/// What an [`Exchange`] asks for next.
#[derive(Debug)]
pub(crate) enum ExchangeStep {
    /// Wait this long before sending again (a retry's delay).
    Wait(u64),
    /// Send this request (the same one on every attempt).
    Send(Request),
}

/// One request and its retries, as every operation runs it: whether it is
/// in flight and the wait before the next attempt. The answer is read as
/// the request's endpoint ([`AnyResponse::parse`]).
#[derive(Debug, Clone)]
pub(crate) struct Exchange {
    pub(crate) attempts: Attempts,
    pub(crate) in_flight: bool,
    pub(crate) wait: Option<u64>,
    /// Why the last attempt failed, when a retry is due.
    pub(crate) retrying: Option<Error>,
}

impl Exchange {
    pub(crate) fn new(request: Request, bodies: bool) -> Exchange {
        Exchange {
            attempts: Attempts::new(request, bodies),
            in_flight: false,
            wait: None,
            retrying: None,
        }
    }

    pub(crate) fn request(&self) -> &Request {
        &self.attempts.request
    }

    /// The retry's wait, if one is due, else the request to send (queuing
    /// its `attempt` event).
    pub(crate) fn step(&mut self) -> ExchangeStep {
        if let Some(ms) = self.wait.take() {
            return ExchangeStep::Wait(ms);
        }
        self.in_flight = true;
        let a = &mut self.attempts;
        a.trail.attempt(&a.request, a.attempt);
        ExchangeStep::Send(a.request.clone())
    }

    /// Hands an answer (`Ok`) or a transport failure (`Err`) over; the
    /// result when the exchange is over, `None` when a retry is due (its
    /// wait comes from the next [`Exchange::step`]).
    pub(crate) fn record(
        &mut self,
        client: &Client,
        policy: &RetryPolicy,
        answer: Answer<'_>,
        clock: Clock,
    ) -> Option<Result<AnyResponse, Error>> {
        self.in_flight = false;
        let endpoint = self.attempts.request.endpoint();
        let next = match answer {
            Ok(answer) => self
                .attempts
                .response(client, policy, answer, clock, |c, s, b| {
                    AnyResponse::parse(c, endpoint, s, b)
                }),
            Err(reason) => self
                .attempts
                .transport_failure(client, policy, reason, clock),
        };
        match next {
            Next::Retry { delay_ms, error } => {
                self.wait = Some(delay_ms);
                self.retrying = Some(error);
                None
            }
            Next::Done(result) => Some(result),
        }
    }

    /// The events since the last call.
    pub(crate) fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.attempts.trail.events)
    }
}

/// One request and its attempts: the retry decision, the snapshot an
/// unknown outcome carries, and the event trail. [`Exchange`] wraps it for
/// the driver's operations and [`crate::Settle`]; [`crate::Call`] drives it
/// directly.
#[derive(Debug, Clone)]
pub(crate) struct Attempts {
    pub(crate) request: Request,
    pub(crate) attempt: u32,
    pub(crate) trail: Trail,
    pub(crate) snapshot: Option<crate::schema::unsettled::Snapshot>,
}

impl Attempts {
    pub(crate) fn new(request: Request, bodies: bool) -> Attempts {
        Attempts {
            request,
            attempt: 0,
            trail: Trail::new(bodies),
            snapshot: None,
        }
    }

    /// An answer, read by `parse`; `Retry` moves on to the next attempt.
    pub(crate) fn response<T>(
        &mut self,
        client: &Client,
        policy: &RetryPolicy,
        (status, headers, body): (u16, &[(&str, &str)], &[u8]),
        clock: Clock,
        parse: impl FnOnce(&Client, u16, &[u8]) -> Result<T, Error>,
    ) -> Next<T> {
        let result = parse(client, status, body);
        self.trail.response(
            client,
            &self.request,
            self.attempt,
            (status, body),
            clock,
            result.as_ref().err(),
        );
        match result {
            Ok(value) => {
                self.trail
                    .done(&self.request, self.attempt, Some(status), None);
                Next::Done(Ok(value))
            }
            Err(error) => {
                let after = header_retry_after(headers, clock.unix_now_secs);
                self.failed(client, policy, error, after, Some(status))
            }
        }
    }

    /// A transport failure; `Retry` moves on to the next attempt.
    pub(crate) fn transport_failure<T>(
        &mut self,
        client: &Client,
        policy: &RetryPolicy,
        reason: &str,
        clock: Clock,
    ) -> Next<T> {
        let error = client.transport_failure(&self.request, reason);
        self.trail
            .transport_failure(&self.request, self.attempt, clock, &error);
        self.failed(client, policy, error, None, None)
    }

    fn failed<T>(
        &mut self,
        client: &Client,
        policy: &RetryPolicy,
        error: Error,
        retry_after: Option<u64>,
        status: Option<u16>,
    ) -> Next<T> {
        match policy.decide_after(&self.request, self.attempt, &error, retry_after) {
            Some(delay_ms) => {
                self.trail
                    .retry(&self.request, self.attempt, delay_ms, &error);
                self.attempt += 1;
                Next::Retry { delay_ms, error }
            }
            None => {
                let error = error
                    .settleable(&self.request, self.snapshot.clone())
                    .sent_to(client);
                self.trail
                    .done(&self.request, self.attempt, status, Some(&error));
                Next::Done(Err(error))
            }
        }
    }
}

/// The `Retry-After` header's delay among `headers` (any case), if any.
fn header_retry_after(headers: &[(&str, &str)], unix_now_secs: Option<i64>) -> Option<u64> {
    headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("retry-after"))
        .and_then(|(_, value)| retry_after_ms(value, unix_now_secs))
}

/// A `Retry-After` value in milliseconds: delay-seconds (`120`), or an
/// HTTP date (`Wed, 21 Oct 2015 07:28:00 GMT`, and the two obsolete forms)
/// measured from `unix_now_secs`. A date in the past is 0; anything else,
/// or a date without a clock, is `None`.
pub fn retry_after_ms(value: &str, unix_now_secs: Option<i64>) -> Option<u64> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs: u64 = value.parse().unwrap_or(u64::MAX);
        return Some(secs.saturating_mul(1000));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    let at = i64::try_from(at.duration_since(UNIX_EPOCH).ok()?.as_secs()).ok()?;
    let wait = at.saturating_sub(unix_now_secs?).max(0);
    Some(
        Duration::from_secs(wait.unsigned_abs())
            .as_millis()
            .min(u128::from(u64::MAX)) as u64,
    )
}
