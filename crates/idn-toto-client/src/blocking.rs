//! The blocking client: ureq on the calling thread, `std::thread::sleep`
//! between attempts. Every decision is the core's.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use idn_toto::{
    Batch, BatchItem, Call, Endpoint, EndpointId, Error, ItemOutcome, Next, Request, Settle,
    SettleStep, Settlement, TxType, Unsettled, UserHistoryParams,
};

use serde_json::Value;

use crate::builder::{Checked, ClientBuilder};
use crate::shared::{self, Answer, MovePlan};
use crate::JournalSettlement;

/// A blocking client for the API: cheap to clone (the clones share one
/// connection pool), safe to share between threads.
///
/// ```no_run
/// use idn_toto_client::blocking::Client;
/// use idn_toto_client::idn_toto::{Segment, UserBalanceParams};
///
/// let client = Client::from_env()?; // IDN_TOTO_BASE_URL, IDN_TOTO_TOKEN
/// let params = UserBalanceParams { user: Segment::new("user", "LOREM")? };
/// let balance = client.send(&params)?;
/// println!("{} has {}", balance.user, balance.balance);
/// # Ok::<(), idn_toto_client::idn_toto::Error>(())
/// ```
///
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    checked: Checked,
    agent: ureq::Agent,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.checked.fmt(f)
    }
}

impl ClientBuilder<Client> {
    /// Checks the settings and builds the blocking client.
    pub fn build(self) -> Result<Client, Error> {
        let checked = self.check()?;
        let mut config = ureq::Agent::config_builder()
            .timeout_global(Some(checked.timeout))
            .http_status_as_error(false)
            // The API never redirects; a redirect is answered as the
            // 3xx it is, never followed with the token in the URL.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(crate::USER_AGENT);
        if let Some(url) = &self.settings.proxy {
            let proxy = ureq::Proxy::new(url).map_err(|_| {
                crate::shared::invalid(
                    "proxy",
                    "not a proxy URL (http://, https://, socks4://, socks5://)",
                )
            })?;
            config = config.proxy(Some(proxy));
        }
        Ok(Client {
            inner: Arc::new(Inner {
                checked,
                agent: config.build().into(),
            }),
        })
    }
}

impl Client {
    /// A client with the default settings (see [`ClientBuilder`]).
    pub fn new(base_url: &str, token: &str) -> Result<Client, Error> {
        Client::builder(base_url, token).build()
    }

    /// A builder for the other settings.
    pub fn builder(base_url: &str, token: &str) -> ClientBuilder<Client> {
        ClientBuilder::new(base_url, token)
    }

    /// A client from `IDN_TOTO_BASE_URL` and `IDN_TOTO_TOKEN`, with the
    /// default settings.
    pub fn from_env() -> Result<Client, Error> {
        ClientBuilder::<Client>::from_env()?.build()
    }

    /// The core client (base URL, path words, the token's redaction).
    pub fn core(&self) -> &idn_toto::Client {
        &self.inner.checked.core
    }

    /// Sends one call of any endpoint and returns its typed answer. Reads
    /// are retried as the retry policy says (`Retry-After` honoured);
    /// money moves are sent once, and a failure that may come after the
    /// money moved is [`Error::OutcomeUnknown`], carrying what
    /// [`Client::settle`] needs.
    pub fn send<E: Endpoint>(&self, params: &E) -> Result<E::Response, Error> {
        let checked = &self.inner.checked;
        match MovePlan::of(checked, params)? {
            MovePlan::Plain => self.drive(Call::new(&checked.core, params, checked.retry)),
            MovePlan::Money {
                params: money,
                snapshot_of,
            } => {
                let snapshot = match snapshot_of {
                    Some((r#type, user)) => {
                        let user = idn_toto::Segment::new("user", &user)?;
                        let history = self.send(&UserHistoryParams { r#type, user })?;
                        Some(idn_toto::Snapshot::new(history.data))
                    }
                    None => None,
                };
                let intent = shared::journal_intent(checked, E::ID, money, snapshot.clone())?;
                let mut call = Call::new(&checked.core, params, checked.retry);
                if let Some(snapshot) = snapshot {
                    call = call.with_snapshot(snapshot);
                }
                let result = self.drive(call);
                shared::journal_outcome(checked, intent.as_ref(), &result);
                result
            }
        }
    }

    /// [`Client::send`] for an endpoint named at run time, with canonical
    /// JSON parameters (what the CLI and tools use): the canonical JSON
    /// answer. Invalid parameters are an `invalid_request` error naming the
    /// field, before anything is sent. Money moves are journaled (with a
    /// snapshot for manual moves) as in [`Client::send`].
    pub fn send_json(&self, endpoint: EndpointId, params: &Value) -> Result<Value, Error> {
        let checked = &self.inner.checked;
        let request = idn_toto::dynamic::build(&checked.core, endpoint, params)
            .map_err(|e| e.redacted(&checked.core))?;
        let plan = MovePlan::of_request(checked, &request)?;
        let snapshot = match &plan {
            MovePlan::Money {
                snapshot_of: Some((r#type, user)),
                ..
            } => {
                let user = idn_toto::Segment::new("user", user)?;
                let history = self.send(&UserHistoryParams {
                    r#type: *r#type,
                    user,
                })?;
                Some(idn_toto::Snapshot::new(history.data))
            }
            _ => None,
        };
        let intent = match plan {
            MovePlan::Money { params, .. } => {
                shared::journal_intent(checked, endpoint, params, snapshot.clone())?
            }
            MovePlan::Plain => None,
        };
        let result = self.drive_json(request, snapshot);
        shared::journal_outcome(checked, intent.as_ref(), &result);
        result
    }

    fn drive_json(
        &self,
        request: Request,
        snapshot: Option<idn_toto::Snapshot>,
    ) -> Result<Value, Error> {
        let checked = &self.inner.checked;
        let core = &checked.core;
        let span = crate::trace::call_span(&request);
        let _entered = span.enter();
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            crate::trace::attempt(attempt);
            let t = Instant::now();
            let (error, retry_after) = match self.exchange(&request) {
                Ok(answer) => {
                    crate::trace::answered(answer.status, t.elapsed());
                    match idn_toto::dynamic::parse_with(
                        core,
                        request.endpoint(),
                        answer.status,
                        &answer.body,
                    ) {
                        Ok(value) => {
                            crate::trace::done(&Ok::<(), Error>(()), started.elapsed());
                            return Ok(value);
                        }
                        Err(e) => {
                            let after = answer
                                .headers
                                .iter()
                                .find(|(k, _)| k.eq_ignore_ascii_case("retry-after"))
                                .and_then(|(_, v)| {
                                    idn_toto::retry_after_ms(v, shared::unix_now_secs())
                                });
                            (e, after)
                        }
                    }
                }
                Err(reason) => {
                    crate::trace::failed(core, &reason, t.elapsed());
                    (core.transport_failure(&request, &reason), None)
                }
            };
            match checked
                .retry
                .decide_after(&request, attempt, &error, retry_after)
            {
                Some(delay_ms) => {
                    crate::trace::retry(delay_ms, &error);
                    attempt += 1;
                    std::thread::sleep(Duration::from_millis(delay_ms));
                }
                None => {
                    let result = Err(error.settleable(&request, snapshot));
                    crate::trace::done(&result, started.elapsed());
                    return result;
                }
            }
        }
    }

    /// Sends any number of accept/reject or manual items of one type, at
    /// most 25 per request, and returns one outcome per item, in input
    /// order. Nothing is sent twice; a request whose outcome is unknown
    /// stops the batch (the items after it are `not_sent`).
    pub fn batch(&self, r#type: TxType, items: Vec<BatchItem>) -> Result<Vec<ItemOutcome>, Error> {
        let checked = &self.inner.checked;
        let snapshots = shared::batch_with_snapshots(checked, &items);
        let mut batch = Batch::new(r#type, items)?;
        if snapshots {
            batch = batch.with_snapshots();
        }
        let mut intents = Vec::new();
        while let Some(request) = batch.next_request(&checked.core) {
            shared::journal_batch_intents(checked, batch.sending(), &mut intents)?;
            match self.exchange(&request) {
                Ok(answer) => batch.record_response(&checked.core, answer.status, &answer.body),
                Err(reason) => batch.record_transport_failure(&checked.core, &reason),
            }
        }
        let outcomes = batch.finish();
        shared::journal_batch_outcomes(checked, &intents, &outcomes);
        Ok(outcomes)
    }

    /// Finds out, with reads only, whether a money move whose outcome is
    /// unknown took effect (see [`idn_toto::Settle`]). Waits the settle
    /// delay first.
    pub fn settle(&self, unsettled: &Unsettled) -> Result<Settlement, Error> {
        let checked = &self.inner.checked;
        let settle = Settle::from_unsettled(unsettled, checked.settle_delay_ms, checked.retry)?;
        Ok(self.drive_settle(settle))
    }

    /// Settles every move the journal at `path` leaves open, appending a
    /// `settled` line for each, and returns them in journal order.
    pub fn settle_journal(&self, path: impl AsRef<Path>) -> Result<Vec<JournalSettlement>, Error> {
        let checked = &self.inner.checked;
        let journal = crate::FileJournal::new(path.as_ref());
        let mut done = Vec::new();
        for open in journal.read()?.unsettled() {
            let settle = Settle::new(
                open.intent.money_move()?,
                open.intent.snapshot.clone(),
                checked.settle_delay_ms,
                checked.retry,
            );
            let settlement = self.drive_settle(settle);
            crate::append_settled(&journal, &open, &settlement)?;
            done.push(JournalSettlement { open, settlement });
        }
        Ok(done)
    }

    fn drive_settle(&self, mut settle: Settle) -> Settlement {
        let core = &self.inner.checked.core;
        loop {
            match settle.next(core) {
                SettleStep::Wait(ms) => std::thread::sleep(Duration::from_millis(ms)),
                SettleStep::Send(request) => match self.exchange(&request) {
                    Ok(answer) => settle.record_response(core, answer.status, &answer.body),
                    Err(reason) => settle.record_transport_failure(core, &reason),
                },
                SettleStep::Done(settlement) => return settlement,
            }
        }
    }

    /// The one IO loop of a call: send, hand the answer to the core, sleep
    /// when it says so.
    fn drive<E: Endpoint>(&self, mut call: Call<E>) -> Result<E::Response, Error> {
        let core = &self.inner.checked.core;
        let span = crate::trace::call_span(call.request());
        let _entered = span.enter();
        let started = Instant::now();
        loop {
            crate::trace::attempt(call.attempt());
            let t = Instant::now();
            let next = match self.exchange(call.request()) {
                Ok(answer) => {
                    crate::trace::answered(answer.status, t.elapsed());
                    call.record_response(
                        core,
                        answer.status,
                        &answer.header_pairs(),
                        &answer.body,
                        shared::unix_now_secs(),
                    )
                }
                Err(reason) => {
                    crate::trace::failed(core, &reason, t.elapsed());
                    call.record_transport_failure(core, &reason)
                }
            };
            match next {
                Next::Retry { delay_ms, error } => {
                    crate::trace::retry(delay_ms, &error);
                    std::thread::sleep(Duration::from_millis(delay_ms));
                }
                Next::Done(result) => {
                    crate::trace::done(&result, started.elapsed());
                    return result;
                }
            }
        }
    }

    /// One HTTP exchange; `Err` is a transport failure (connect, timeout,
    /// reset), in words.
    fn exchange(&self, request: &Request) -> Result<Answer, String> {
        let inner = &*self.inner;
        let url = request.url();
        let response = match request.body() {
            Some(body) => {
                let mut r = inner.agent.post(url);
                for (k, v) in request.headers() {
                    r = r.header(*k, *v);
                }
                for (k, v) in &inner.checked.headers {
                    r = r.header(k, v);
                }
                r.send(body)
            }
            None => {
                let mut r = inner.agent.get(url);
                for (k, v) in request.headers() {
                    r = r.header(*k, *v);
                }
                for (k, v) in &inner.checked.headers {
                    r = r.header(k, v);
                }
                r.call()
            }
        };
        let mut response = response.map_err(|e| shared::reason(&e))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        // One byte past the limit is enough for the core to refuse the body.
        let limit = u64::try_from(inner.checked.core.max_body_size())
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        let mut body = Vec::new();
        response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(limit)
            .read_to_end(&mut body)
            .map_err(|e| shared::reason(&e))?;
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}
