//! One endpoint call, driven by the host: the core decides what an answer
//! means, whether to send again and how long to wait; the host only sends,
//! sleeps and reads.

use crate::protocol::exchange::Next;
use std::fmt;
use std::marker::PhantomData;

use crate::protocol::driver::{Driver, DriverOptions, Output, Step};
use crate::protocol::event::{Clock, Event};
use crate::protocol::retry::RetryPolicy;
use crate::schema::client::Client;
use crate::schema::error::Error;
use crate::schema::request::Request;
use crate::schema::table::AnyEndpoint;

/// One call of endpoint `E`: the request to send, and the rules for every
/// answer. Drive it like this (any HTTP client, any sleep):
///
/// ```
/// use idn_toto::{Call, Client, Clock, Next, RetryPolicy, Segment, UserBalanceParams};
///
/// let client = Client::new("https://agent.example.com/home.php", "T0KEN")?;
/// let params = UserBalanceParams { user: Segment::new("user", "LOREM")? };
/// let mut call = Call::new(&client, &params, RetryPolicy::default());
/// // A canned exchange: a 503 asking for two seconds, then the answer.
/// let mut answers = vec![
///     (200, vec![], br#"{"success":true,"user":"lorem","balance":"8900.00"}"#.to_vec()),
///     (503, vec![("Retry-After", "2")], b"busy".to_vec()),
/// ];
/// let balance = loop {
///     let request = call.request(); // send request.method(), .url(), .headers(), .body()
///     let (status, headers, body) = answers.pop().unwrap();
///     match call.record_response(&client, status, &headers, &body, Clock::default()) {
///         Next::Retry { delay_ms, .. } => assert_eq!(delay_ms, 2_000), // sleep, then loop
///         Next::Done(result) => break result?,
///     }
///     // On a network error or timeout instead:
///     // call.record_transport_failure(&client, "timed out")
/// };
/// assert_eq!(balance.balance.to_string(), "8900.00");
/// # Ok::<(), idn_toto::Error>(())
/// ```
///
/// A request that moves money is never sent twice: any failure ends its
/// call, and a failure that may come after the money moved is
/// [`Error::OutcomeUnknown`].
///
/// A thin typed facade over the one [`Driver`] every host runs (a call
/// without a journal): the same exchange, framing checks, retry rule and
/// events, the answer typed as `E`'s response.
pub struct Call<E: AnyEndpoint> {
    driver: Driver,
    /// The request of the driver's last `Send`.
    request: Request,
    events: Vec<Event>,
    endpoint: PhantomData<fn() -> E>,
}

impl<E: AnyEndpoint> fmt::Debug for Call<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("request", &self.request)
            .field("attempt", &self.attempt())
            .finish()
    }
}

impl<E: AnyEndpoint> Call<E> {
    /// A call of `params` through `client`; reads are retried as `policy`
    /// says. Queues the first `attempt` event.
    pub fn new(client: &Client, params: &E, policy: RetryPolicy) -> Call<E> {
        let request = client.request(params);
        let options = DriverOptions {
            retry: policy,
            ..DriverOptions::default()
        };
        let mut call = Call {
            driver: Driver::call_op(client, request.clone(), options),
            request,
            events: Vec::new(),
            endpoint: PhantomData,
        };
        let _ = call.advance();
        call
    }

    /// The user's history read before a manual move is sent: carried by an
    /// unknown outcome so it can be settled (see [`crate::Settle`]).
    pub fn with_snapshot(mut self, snapshot: crate::schema::unsettled::Snapshot) -> Call<E> {
        if let Some(exchange) = self.driver.call_exchange() {
            exchange.attempts.snapshot = Some(snapshot);
        }
        self
    }

    /// Whether `response` events carry the body (token scrubbed, cut at
    /// [`crate::EVENT_BODY_MAX`] characters). Off by default.
    pub fn with_bodies(mut self, bodies: bool) -> Call<E> {
        if let Some(exchange) = self.driver.call_exchange() {
            exchange.attempts.trail.bodies = bodies;
        }
        self
    }

    /// The request to send (the same one on every attempt).
    pub fn request(&self) -> &Request {
        &self.request
    }

    /// The attempt in flight: 0 for the first send.
    pub fn attempt(&self) -> u32 {
        match &self.driver.call_attempt() {
            Some(attempt) => *attempt,
            None => 0,
        }
    }

    /// The events since the last call (an `attempt` is queued when the call
    /// is made and after every retry; `response` or `transport_failure`,
    /// then `retry` or `done`, for every answer).
    pub fn take_events(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.events)
    }

    /// Hands over the answer to the attempt in flight: its status, headers
    /// (name, value; any case) and body, and the host's [`Clock`] (how long
    /// the attempt took; the wall clock, used only to turn a `Retry-After`
    /// HTTP date into a delay: without it, such a date falls back to the
    /// policy's backoff). The driver checks its framing first (see
    /// [`Driver::record_response`]). `client` is the one the call was made
    /// with (the call keeps a copy).
    pub fn record_response(
        &mut self,
        _client: &Client,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
        clock: Clock,
    ) -> Next<E::Response> {
        self.driver.record_response(status, headers, body, clock);
        self.advance()
    }

    /// Hands over a transport failure of the attempt in flight (network
    /// error, timeout, aborted). For a money-moving request this is
    /// [`Error::OutcomeUnknown`] and the call is over.
    pub fn record_transport_failure(
        &mut self,
        _client: &Client,
        reason: &str,
        clock: Clock,
    ) -> Next<E::Response> {
        self.driver.record_transport_failure(reason, clock);
        self.advance()
    }

    /// Runs the driver to its next send (a retry, after the wait it asked
    /// for) or to its result (a done driver gives it again).
    fn advance(&mut self) -> Next<E::Response> {
        let mut delay_ms = 0;
        loop {
            match self.driver.next(Clock::default()) {
                Step::Event(event) => self.events.push(event),
                Step::Wait(ms) => delay_ms = ms,
                Step::Send(request) => {
                    let error = self
                        .driver
                        .call_exchange()
                        .and_then(|e| e.retrying.take())
                        .unwrap_or_else(|| Error::Transport {
                            reason: "the request is sent again".into(),
                        });
                    self.request = request;
                    return Next::Retry { delay_ms, error };
                }
                Step::Done(result) => {
                    return Next::Done(result.and_then(Output::into_response::<E>))
                }
                // A call without a journal: none of these comes.
                Step::Journal(_) | Step::Page(_) => {}
                Step::Claim(_) => self.driver.record_claim(Err(Error::InvalidRequest {
                    field: "key".into(),
                    reason: "a typed call keeps no keys".into(),
                })),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::exchange::retry_after_ms;
    use crate::schema::endpoints::accept_reject::AcceptRejectParams;
    use crate::schema::endpoints::user_balance::UserBalanceParams;
    use crate::schema::params::Segment;
    use serde_json::json;

    fn client() -> Client {
        Client::new("https://a.example/home.php", "S3CR3T-T0KEN").unwrap()
    }

    fn balance() -> UserBalanceParams {
        UserBalanceParams {
            user: Segment::new("user", "LOREM").unwrap(),
        }
    }

    const OK: &[u8] = br#"{"success":true,"user":"lorem","balance":"1.00"}"#;

    #[test]
    fn reads_retry_with_backoff_then_succeed() {
        let c = client();
        let mut call = Call::new(&c, &balance(), RetryPolicy::default());
        match call.record_transport_failure(&c, "timed out S3CR3T-T0KEN", Clock::default()) {
            Next::Retry { delay_ms, error } => {
                assert_eq!(delay_ms, 200);
                assert!(!error.to_string().contains("S3CR3T"));
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(call.attempt(), 1);
        assert!(matches!(
            call.record_response(&c, 502, &[], b"bad gateway", Clock::default()),
            Next::Retry { delay_ms: 400, .. }
        ));
        let Next::Done(Ok(b)) = call.record_response(&c, 200, &[], OK, Clock::default()) else {
            panic!("not done");
        };
        assert_eq!(b.balance.to_string(), "1.00");
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let c = client();
        let mut call = Call::new(&c, &balance(), RetryPolicy::default());
        let next = call.record_response(&c, 429, &[("retry-after", "3")], b"", Clock::default());
        assert!(
            matches!(next, Next::Retry { delay_ms: 3000, .. }),
            "{next:?}"
        );
        let next = call.record_response(&c, 503, &[("Retry-After", "3600")], b"", Clock::default());
        assert!(
            matches!(next, Next::Retry { delay_ms: 5000, .. }),
            "{next:?}"
        );
        let next = call.record_response(&c, 503, &[("Retry-After", "1")], b"", Clock::default());
        assert!(
            matches!(next, Next::Done(Err(_))),
            "retries exhausted: {next:?}"
        );
    }

    #[test]
    fn http_dates_need_the_hosts_clock() {
        let now = 1_445_412_480; // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(
            retry_after_ms("Wed, 21 Oct 2015 07:28:07 GMT", Some(now)),
            Some(7000)
        );
        assert_eq!(
            retry_after_ms("Wednesday, 21-Oct-15 07:28:02 GMT", Some(now)),
            Some(2000)
        );
        assert_eq!(
            retry_after_ms("Wed Oct 21 07:28:01 2015", Some(now)),
            Some(1000)
        );
        assert_eq!(
            retry_after_ms("Wed, 21 Oct 2015 07:00:00 GMT", Some(now)),
            Some(0)
        );
        assert_eq!(retry_after_ms("Wed, 21 Oct 2015 07:28:07 GMT", None), None);
        for bad in ["", "soon", "-1", "1.5", "Wed, 32 Oct 2015 07:28:07 GMT"] {
            assert_eq!(retry_after_ms(bad, Some(now)), None, "{bad}");
        }
        assert_eq!(
            retry_after_ms("99999999999999999999999", None),
            Some(u64::MAX)
        );
        // A date the host can't place falls back to the backoff.
        let c = client();
        let mut call = Call::new(&c, &balance(), RetryPolicy::default());
        let next = call.record_response(
            &c,
            503,
            &[("Retry-After", "Wed, 21 Oct 2015 07:28:07 GMT")],
            b"",
            Clock::default(),
        );
        assert!(
            matches!(next, Next::Retry { delay_ms: 200, .. }),
            "{next:?}"
        );
        // With the host's clock, the date is a delay.
        let mut call = Call::new(&c, &balance(), RetryPolicy::default());
        let next = call.record_response(
            &c,
            503,
            &[("Retry-After", "Wed, 21 Oct 2015 07:28:03 GMT")],
            b"",
            Clock::new(5, Some(now)),
        );
        assert!(
            matches!(next, Next::Retry { delay_ms: 3000, .. }),
            "{next:?}"
        );
    }

    #[test]
    fn events_trace_every_step_without_the_token() {
        let c = client();
        let mut call = Call::new(&c, &balance(), RetryPolicy::default()).with_bodies(true);
        let first = call.take_events();
        assert_eq!(first.len(), 1);
        assert_eq!(first[0].kind, crate::protocol::event::EventKind::Attempt);
        assert_eq!(
            first[0].url,
            "https://a.example/home.php/***/player_info/LOREM"
        );
        let next = call.record_response(
            &c,
            503,
            &[("Retry-After", "1")],
            b"busy S3CR3T-T0KEN S3CR3T%2DT0KEN",
            Clock::new(7, None),
        );
        assert!(matches!(next, Next::Retry { delay_ms: 1000, .. }));
        let _ = call.record_response(&c, 200, &[], OK, Clock::new(3, None));
        let events = call.take_events();
        let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
        assert_eq!(kinds, ["response", "retry", "attempt", "response", "done"]);
        assert_eq!(events[0].status, Some(503));
        assert_eq!(events[0].elapsed_ms, Some(7));
        assert_eq!(events[0].error_kind, Some("http"));
        assert_eq!(events[1].delay_ms, Some(1000));
        assert_eq!(events[2].attempt, 1);
        assert_eq!(events[4].elapsed_ms, Some(1010), "attempts and the wait");
        assert_eq!(events[4].error_kind, None);
        assert!(
            events[4].message().ends_with("(ok)"),
            "{}",
            events[4].message()
        );
        for e in &events {
            let all = format!("{} {} {e:?}", e.message(), e.to_json());
            assert!(!all.contains("S3CR3T"), "{all}");
        }
        assert!(events[0]
            .body
            .as_deref()
            .is_some_and(|b| b.starts_with("busy")));
        // Bodies are off by default.
        let mut call = Call::new(&c, &balance(), RetryPolicy::NEVER);
        let _ = call.record_response(&c, 200, &[], OK, Clock::default());
        assert!(call.take_events().iter().all(|e| e.body.is_none()));
    }

    #[test]
    fn an_unknown_single_move_carries_what_settling_needs() {
        let c = client();
        let params = crate::schema::endpoints::manual_transaction::ManualTransactionParams::from_json(&json!({"type":"withdraw","user":"LOREM","comment":"c","amount":"2500.50","operator":"o"})).unwrap();
        let snapshot = crate::schema::unsettled::Snapshot::new(Vec::new());
        let mut call =
            Call::new(&c, &params, RetryPolicy::default()).with_snapshot(snapshot.clone());
        let Next::Done(Err(e)) =
            call.record_response(&c, 502, &[], b"bad gateway", Clock::default())
        else {
            panic!("not done");
        };
        let u = e.unsettled().expect("carried");
        assert_eq!(u.endpoint, crate::schema::id::EndpointId::ManualTransaction);
        assert_eq!(u.params["amount"], "2500.50");
        assert_eq!(u.snapshot.as_ref(), Some(&snapshot));
        assert!(e.to_json()["error"]["unsettled"]["params"]["user"] == "LOREM");
        assert!(!e.to_json().to_string().contains("S3CR3T"));
        let back = crate::schema::unsettled::Unsettled::from_json(&u.to_json()).unwrap();
        assert_eq!(&back, u);
        // A transport failure carries the snapshot too.
        let mut call =
            Call::new(&c, &params, RetryPolicy::default()).with_snapshot(snapshot.clone());
        let Next::Done(Err(e)) = call.record_transport_failure(&c, "timed out", Clock::default())
        else {
            panic!("not done");
        };
        assert_eq!(
            e.unsettled().and_then(|u| u.snapshot.as_ref()),
            Some(&snapshot)
        );
        // A read's failure carries nothing.
        let mut read = Call::new(&c, &balance(), RetryPolicy::NEVER);
        let Next::Done(Err(e)) = read.record_transport_failure(&c, "x", Clock::default()) else {
            panic!("not done");
        };
        assert!(e.unsettled().is_none());
    }

    /// A `Call` runs on the driver every host runs (issue 21): the same
    /// framing rules, so an answer cut short is a transport failure (a read
    /// is retried), not a body to parse.
    #[test]
    fn a_call_is_the_driver_s_path_framing_included() {
        let c = client();
        let mut call = Call::new(&c, &balance(), RetryPolicy::default());
        let next =
            call.record_response(&c, 200, &[("Content-Length", "999")], OK, Clock::default());
        let Next::Retry { delay_ms, error } = next else {
            panic!("a cut answer was taken as whole: {next:?}")
        };
        assert_eq!(delay_ms, 200);
        assert_eq!(error.kind(), "transport");
        assert!(error.to_string().contains("framing"), "{error}");
        assert_eq!(call.attempt(), 1);
        let Next::Done(Ok(b)) = call.record_response(&c, 200, &[], OK, Clock::default()) else {
            panic!("not done");
        };
        assert_eq!(b.balance.to_string(), "1.00");
        // Done is done: asking again gives the same result.
        assert!(matches!(
            call.record_transport_failure(&c, "late", Clock::default()),
            Next::Done(Ok(_))
        ));
    }

    #[test]
    fn money_moves_are_sent_once() {
        let c = client();
        let params = AcceptRejectParams::from_json(&json!({"type":"deposit","trans_id":"1","user":"u","action":"accept","comment":"c","operator":"o"})).unwrap();
        let mut call = Call::new(&c, &params, RetryPolicy::default());
        let Next::Done(Err(e)) = call.record_transport_failure(&c, "timed out", Clock::default())
        else {
            panic!("a money move was retried");
        };
        assert_eq!(e.kind(), "outcome_unknown");
        let mut call = Call::new(&c, &params, RetryPolicy::default());
        let next = call.record_response(
            &c,
            429,
            &[("Retry-After", "1")],
            b"slow down",
            Clock::default(),
        );
        assert!(
            matches!(next, Next::Done(Err(Error::Http { status: 429, .. }))),
            "{next:?}"
        );
    }
}
