//! What both flavours share: every operation prepared once (its driver,
//! journal, span, and how its output becomes the caller's answer), the
//! public method set both clients stamp with `client_methods!`, the
//! answer of one exchange, the journal's steps, and what typed paging hands
//! out. No IO here but the journal file: each flavour only runs a
//! `Prepared` through its one IO loop.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use idn_toto::{
    AnyEndpoint, AnyResponse, Clock, Driver, DriverOptions, EndpointId, Error, ItemOutcome,
    MultipleItem, OperationKey, Output, Paged, Pages, Request, Settlement, Step, TxType, Unsettled,
};
use serde_json::Value;

use crate::builder::Checked;
use crate::journal::{new_id, JournalStore};
use crate::{trace, JournalSettlement};

/// The public methods both clients have, with their docs, written once.
/// Each one prepares its operation (no IO) and hands it to the flavour's
/// `run`: `client_methods!()` for the blocking client, `client_methods!(async
/// .await)` for the async one. The flavour's module brings `Client`,
/// `ClientBuilder`, `Error` and the parameter types into scope.
macro_rules! client_methods {
    ($($async:ident $($await:tt)*)?) => {
        impl std::fmt::Debug for Client {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.inner.checked.fmt(f)
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
            /// money moves are sent once (a manual move after reading the user's
            /// history, when snapshots are on), and a failure that may come after
            /// the money moved is [`Error::OutcomeUnknown`], carrying what
            /// [`Client::settle`] needs.
            pub $($async)? fn send<E: AnyEndpoint>(&self, params: &E) -> Result<E::Response, Error> {
                self.run(self.inner.checked.send(params, None)?)$($($await)*)?
            }

            /// [`Client::send`] of a money move (`accept_reject`,
            /// `manual_transaction`) under an operation key, so that it
            /// happens at most once per key on this server, across re-runs,
            /// processes and, with a shared store, machines. Needs a journal
            /// ([`ClientBuilder::journal_store`]). A key whose move was done
            /// before sends nothing and answers with the recorded answer
            /// ([`idn_toto::Processed::replayed`]); a key held by another
            /// live process is [`Error::KeyInUse`]; a key used for another
            /// move is [`Error::KeyConflict`]; an earlier attempt still
            /// open is settled first (reads only).
            pub $($async)? fn send_keyed<E: AnyEndpoint>(
                &self,
                params: &E,
                key: idn_toto::OperationKey,
            ) -> Result<E::Response, Error> {
                self.run(self.inner.checked.send(params, Some(key))?)$($($await)*)?
            }

            /// [`Client::send`] for an endpoint named at run time, with canonical
            /// JSON parameters (what the CLI and tools use): the canonical JSON
            /// answer. Invalid parameters are an `invalid_request` error naming
            /// the field, before anything is sent.
            pub $($async)? fn send_json(&self, endpoint: EndpointId, params: &Value) -> Result<Value, Error> {
                self.run(self.inner.checked.send_json(endpoint, params, None)?)$($($await)*)?
            }

            /// [`Client::send_json`] under an operation key (see
            /// [`Client::send_keyed`]).
            pub $($async)? fn send_json_keyed(
                &self,
                endpoint: EndpointId,
                params: &Value,
                key: idn_toto::OperationKey,
            ) -> Result<Value, Error> {
                self.run(self.inner.checked.send_json(endpoint, params, Some(key))?)$($($await)*)?
            }

            /// Sends any number of accept/reject or manual items of one type, at
            /// most 25 per request, and returns one outcome per item, in input
            /// order. Nothing is sent twice; a request whose outcome is unknown
            /// stops the batch (the items after it are `not_sent`).
            pub $($async)? fn batch(
                &self,
                r#type: TxType,
                items: Vec<MultipleItem>,
            ) -> Result<Vec<ItemOutcome>, Error> {
                self.run(self.inner.checked.batch(r#type, items, Vec::new())?)$($($await)*)?
            }

            /// [`Client::batch`] with an operation key per item (`None`: no
            /// key; see [`Client::send_keyed`]). Each keyed item is claimed
            /// right before the request that carries it; an item its key
            /// stops is `already_done`, `key_in_use`, `key_conflict` or
            /// `undetermined`, never sent. Needs a journal.
            pub $($async)? fn batch_keyed(
                &self,
                r#type: TxType,
                items: Vec<MultipleItem>,
                keys: Vec<Option<idn_toto::OperationKey>>,
            ) -> Result<Vec<ItemOutcome>, Error> {
                self.run(self.inner.checked.batch(r#type, items, keys)?)$($($await)*)?
            }

            /// Finds out, with reads only, whether a money move whose outcome is
            /// unknown took effect (see [`idn_toto::Settle`]). Waits the settle
            /// delay first. With a journal, a journaled move (its `Unsettled`,
            /// from an [`Error::OutcomeUnknown`] or an unknown
            /// [`ItemOutcome`], names its journal id) gets its `settled`
            /// line.
            pub $($async)? fn settle(&self, unsettled: &Unsettled) -> Result<Settlement, Error> {
                self.run(self.inner.checked.settle(unsettled)?)$($($await)*)?
            }

            /// Settles every move the journal at `path` leaves open, appending a
            /// `settled` line for each, and returns them in journal order. The
            /// journal is opened for appending and checked first: one that
            /// can't be written (or read back whole) refuses before anything
            /// is read from the server. A settlement whose line could not be
            /// written says so ([`JournalSettlement::recorded`]).
            pub $($async)? fn settle_journal(
                &self,
                path: impl AsRef<Path>,
            ) -> Result<Vec<JournalSettlement>, Error> {
                let store = JournalStore::File(crate::FileJournal::new(path.as_ref()));
                self.run(self.inner.checked.settle_journal(store)?)$($($await)*)?
            }

            /// [`Self::settle_journal`] for any journal store (a JSON Lines
            /// file, SQLite or Postgres): every open move settled, its
            /// `settled` line written to that store.
            pub $($async)? fn settle_store(
                &self,
                store: JournalStore,
            ) -> Result<Vec<JournalSettlement>, Error> {
                self.run(self.inner.checked.settle_journal(store)?)$($($await)*)?
            }
        }
    };
}
pub(crate) use client_methods;

/// What a client holds behind its `Arc`: the checked settings and its HTTP
/// library's client.
pub(crate) struct Inner<H> {
    pub(crate) checked: Checked,
    /// Reads: kept-alive connections, shared.
    pub(crate) http: H,
    /// Money moves: a client that keeps no connection, so each move gets a
    /// new one of its own, closed after its answer (spec-notes 92).
    pub(crate) money: H,
}

impl<H> Inner<H> {
    /// The HTTP client `request` goes through.
    pub(crate) fn http_for(&self, request: &Request) -> &H {
        if request.is_idempotent() {
            &self.http
        } else {
            &self.money
        }
    }
}

/// One operation, ready to run: the driver, where its journal lines go,
/// its span, and what turns the driver's output into the caller's answer.
pub(crate) struct Prepared<'a, F> {
    pub(crate) driver: Driver,
    pub(crate) journal: JournalTo<'a>,
    pub(crate) span: tracing::Span,
    pub(crate) finish: F,
}

/// What turns a driver's output into the caller's answer; the second
/// argument is the journal ids whose outcome or `settled` line could not be
/// written ([`Driver::unrecorded`]).
pub(crate) trait Finish<T>: FnOnce(Output, &[String]) -> Result<T, Error> {}

impl<T, F: FnOnce(Output, &[String]) -> Result<T, Error>> Finish<T> for F {}

/// Where a run's journal lines go.
pub(crate) enum JournalTo<'a> {
    /// The client's journal.
    Client(Option<&'a JournalStore>),
    /// A journal named for this run (`settle_journal`, `settle_store`).
    Own(Box<JournalStore>),
}

impl JournalTo<'_> {
    pub(crate) fn get(&self) -> Option<&JournalStore> {
        match self {
            JournalTo::Client(j) => *j,
            JournalTo::Own(j) => Some(j),
        }
    }
}

/// What one turn of a flavour's IO loop ended on.
pub(crate) enum Pumped {
    Page(AnyResponse),
    Done(Result<Output, Error>),
}

/// What a flavour's IO loop does next.
pub(crate) enum Io {
    /// One HTTP exchange, then [`record`] what it came to.
    Send(Request),
    /// Sleep this long.
    Wait(Duration),
    /// Hand this out: a page, or the end of the run.
    Yield(Pumped),
}

/// Steps the driver until it needs the network or a sleep, hands out a
/// page, or is done. Journal lines (appended and synced here, on the
/// calling thread or task) and events need neither.
pub(crate) fn next_io(driver: &mut Driver, journal: Option<&JournalStore>) -> Io {
    loop {
        match driver.next(clock(None)) {
            Step::Send(request) => return Io::Send(request),
            Step::Wait(ms) => return Io::Wait(Duration::from_millis(ms)),
            Step::Journal(line) => {
                if let Err(e) = append(journal, &line) {
                    // The core decides what a lost line means (an intent:
                    // nothing of it is sent; any other: the run goes on).
                    let reason = match e {
                        Error::InvalidRequest { reason, .. } => reason,
                        other => other.to_string(),
                    };
                    driver.record_journal_failure(&reason);
                }
            }
            Step::Claim(claim) => {
                let answer = match journal {
                    Some(store) => store.claim(&claim, unix_now_ms()),
                    None => Err(Error::invalid("key", "operation keys need a journal")),
                };
                driver.record_claim(answer);
            }
            Step::Event(event) => trace::event(&event),
            Step::Page(page) => return Io::Yield(Pumped::Page(page)),
            Step::Done(result) => {
                let lost = driver.journal_failures();
                if lost > 0 {
                    tracing::error!(
                        lines = lost,
                        "idn_toto: journal lines could not be written; those moves stay open in the journal and settle later"
                    );
                }
                return Io::Yield(Pumped::Done(result));
            }
        }
    }
}

/// Gives the driver what the exchange begun at `started` came to: an
/// answer, or a transport failure in words.
pub(crate) fn record(driver: &mut Driver, exchanged: Result<Answer, String>, started: Instant) {
    let clock = clock(Some(started));
    match exchanged {
        Ok(a) => driver.record_response(a.status, &a.header_pairs(), &a.body, clock),
        Err(reason) => driver.record_transport_failure(&reason, clock),
    }
}

impl Checked {
    fn prepare<'a, T>(
        &'a self,
        driver: Driver,
        journal: JournalTo<'a>,
        span: tracing::Span,
        finish: impl Finish<T>,
    ) -> Prepared<'a, impl Finish<T>> {
        Prepared {
            driver,
            journal,
            span,
            finish,
        }
    }

    /// `send`: one call, its typed answer.
    pub(crate) fn send<E: AnyEndpoint>(
        &self,
        params: &E,
        key: Option<OperationKey>,
    ) -> Result<Prepared<'_, impl Finish<E::Response>>, Error> {
        check_journaled(self, E::ID)?;
        let driver = keyed(
            Driver::call_typed(&self.core, params, options(self, true))?,
            key,
        )?;
        let span = trace::span("call", E::ID.as_str());
        Ok(
            self.prepare(driver, self.client_journal(), span, |output, _| {
                output.into_response::<E>()
            }),
        )
    }

    /// `send_json`: one call of an endpoint named at run time, its
    /// canonical JSON answer.
    pub(crate) fn send_json(
        &self,
        endpoint: EndpointId,
        params: &Value,
        key: Option<OperationKey>,
    ) -> Result<Prepared<'_, impl Finish<Value>>, Error> {
        check_journaled(self, endpoint)?;
        let driver = Driver::call(&self.core, endpoint, params, options(self, true))
            .and_then(|d| keyed(d, key))
            .map_err(|e| e.redacted(&self.core))?;
        let span = trace::span("call", endpoint.as_str());
        Ok(
            self.prepare(driver, self.client_journal(), span, |output, _| {
                output.into_response_json()
            }),
        )
    }

    /// `batch`: any number of items, one outcome each.
    pub(crate) fn batch(
        &self,
        r#type: TxType,
        items: Vec<MultipleItem>,
        keys: Vec<Option<OperationKey>>,
    ) -> Result<Prepared<'_, impl Finish<Vec<ItemOutcome>>>, Error> {
        let mut driver = Driver::batch_items(&self.core, r#type, items, options(self, true))?;
        if keys.iter().any(Option::is_some) {
            driver = driver.with_keys(keys)?;
        }
        let span = trace::span("batch", EndpointId::MultipleTransaction.as_str());
        Ok(self.prepare(
            driver,
            self.client_journal(),
            span,
            // Each outcome carries its journal id (the driver's).
            |output, _| output.into_outcomes(),
        ))
    }

    /// `settle`: what became of one unknown outcome. With a journal, a
    /// journaled move (its `Unsettled` names its journal id) gets its
    /// `settled` line, as in every language.
    pub(crate) fn settle(
        &self,
        unsettled: &Unsettled,
    ) -> Result<Prepared<'_, impl Finish<Settlement>>, Error> {
        let mut options = options(self, false);
        if self.journal.is_some() {
            options.journal_id.clone_from(&unsettled.journal_id);
        }
        let driver = Driver::settle(&self.core, unsettled, options)?;
        let span = trace::span("settle", unsettled.endpoint.as_str());
        Ok(
            self.prepare(driver, self.client_journal(), span, |output, _| {
                output.into_settlement()
            }),
        )
    }

    /// `settle_journal`: every move the journal at `path` leaves open,
    /// settled, its `settled` lines appended to that journal. The journal
    /// is opened for appending (and checked) before anything is read from
    /// the server: one that can't be written refuses here.
    pub(crate) fn settle_journal(
        &self,
        journal: JournalStore,
    ) -> Result<Prepared<'_, impl Finish<Vec<JournalSettlement>>>, Error> {
        journal.open()?;
        let open = journal.read()?.unsettled();
        let driver = Driver::settle_open(&self.core, &open, options(self, false))?;
        let span = trace::span("settle", "journal");
        Ok(self.prepare(
            driver,
            JournalTo::Own(Box::new(journal)),
            span,
            |output, unrecorded| {
                let list = output.into_settlements()?;
                Ok(crate::pair_settlements(open, list, unrecorded))
            },
        ))
    }

    /// The driver of `pages_json`: every page of a paged report, from
    /// canonical JSON parameters.
    pub(crate) fn pages_json(&self, endpoint: EndpointId, params: &Value) -> Result<Driver, Error> {
        Driver::pages(&self.core, endpoint, params, options(self, false))
            .map_err(|e| e.redacted(&self.core))
    }

    /// The headers of one request: the core's, then the client's extra
    /// ones.
    pub(crate) fn request_headers<'a>(
        &'a self,
        request: &'a Request,
    ) -> impl Iterator<Item = (&'a str, &'a str)> {
        let extra = self.headers.iter().map(|(k, v)| (k.as_str(), v.as_str()));
        request.headers().iter().copied().chain(extra)
    }

    /// How much of a body is read: one byte past the limit is enough for
    /// the core to refuse it.
    pub(crate) fn body_limit(&self) -> usize {
        self.core.max_body_size().saturating_add(1)
    }

    fn client_journal(&self) -> JournalTo<'_> {
        JournalTo::Client(self.journal.as_deref())
    }
}

/// The rows of a typed paged report, page after page: the core's [`Pages`]
/// says which page comes next; the flavour fetches it with `send`.
#[derive(Debug)]
pub(crate) struct RowQueue<P: Rows> {
    pages: Pages<P>,
    rows: VecDeque<P::Row>,
    over: bool,
}

/// What `RowQueue::next` asks of the flavour.
pub(crate) enum NextRow<P: Rows> {
    /// The next row.
    Row(P::Row),
    /// Fetch this page (with `send`) and give it to `RowQueue::record`.
    Fetch(P),
    /// No more rows.
    End,
}

impl<P: Rows> RowQueue<P> {
    pub(crate) fn new(first: P, max_pages: u64) -> RowQueue<P> {
        RowQueue {
            pages: Pages::new(first).with_max_pages(max_pages),
            rows: VecDeque::new(),
            over: false,
        }
    }

    #[cfg(feature = "blocking")]
    pub(crate) fn pages_read(&self) -> u64 {
        self.pages.pages_read()
    }

    pub(crate) fn next(&mut self) -> NextRow<P> {
        if let Some(row) = self.rows.pop_front() {
            return NextRow::Row(row);
        }
        if self.over {
            return NextRow::End;
        }
        match self.pages.next_params() {
            Some(params) => NextRow::Fetch(params.clone()),
            None => NextRow::End,
        }
    }

    /// Takes a fetched page's rows. An error (the fetch's, or the page's
    /// own) ends the rows; the flavour hands it out.
    pub(crate) fn record(&mut self, page: Result<P::Response, Error>) -> Result<(), Error> {
        let page = page.and_then(|page| self.pages.record_page(&page).map(|()| page));
        match page {
            Ok(page) => {
                self.rows.extend(P::rows(page));
                Ok(())
            }
            Err(e) => {
                self.over = true;
                Err(e)
            }
        }
    }
}

/// One HTTP answer, as read off the wire.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
    /// An answer's status and headers (a header whose value is not text is
    /// left out); the flavour reads the body into it.
    #[cfg(any(feature = "blocking", feature = "tokio"))]
    pub(crate) fn head(status: http::StatusCode, headers: &http::HeaderMap) -> Answer {
        Answer {
            status: status.as_u16(),
            headers: headers
                .iter()
                .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                .collect(),
            body: Vec::new(),
        }
    }

    pub(crate) fn header_pairs(&self) -> Vec<(&str, &str)> {
        self.headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }
}

/// The host's wall clock in Unix seconds (journal times, `Retry-After`
/// dates).
pub(crate) fn unix_now_secs() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

/// The host's wall clock in Unix milliseconds (claims' leases).
pub(crate) fn unix_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_millis()).ok())
        .unwrap_or(0)
}

/// The clock handed to the driver: how long the attempt since `started`
/// took, and the wall clock.
pub(crate) fn clock(started: Option<Instant>) -> Clock {
    let elapsed = started.map_or(Duration::ZERO, |t| t.elapsed());
    Clock::new(
        u64::try_from(elapsed.as_millis()).unwrap_or(u64::MAX),
        unix_now_secs(),
    )
}

/// An error and its sources in one line (`a: b: c`), so a timeout hidden
/// under "error sending request" is named. The core scrubs the token from
/// it.
pub(crate) fn reason(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// The options of one driver run: the client's settings, and a new
/// journal id when money moves are journaled.
pub(crate) fn options(checked: &Checked, journaled: bool) -> DriverOptions {
    DriverOptions {
        retry: checked.retry,
        journal_id: (journaled && checked.journal.is_some()).then(new_id),
        snapshots: checked.snapshots,
        bodies: false,
        max_pages: checked.max_pages,
        settle_delay_ms: checked.settle_delay_ms,
        lease_ms: checked.lease_ms,
    }
}

/// The driver with the call's operation key, when it has one.
fn keyed(driver: Driver, key: Option<OperationKey>) -> Result<Driver, Error> {
    match key {
        Some(key) => driver.with_key(key),
        None => Ok(driver),
    }
}

/// With a journal, a `multiple_transaction` goes through `batch()`, which
/// journals each item.
pub(crate) fn check_journaled(checked: &Checked, endpoint: EndpointId) -> Result<(), Error> {
    if endpoint == EndpointId::MultipleTransaction && checked.journal.is_some() {
        return Err(Error::invalid(
            "endpoint",
            "with a journal, send multiple transactions with batch(), which journals each item",
        ));
    }
    Ok(())
}

/// Appends a journal line the driver made (and syncs it).
pub(crate) fn append(journal: Option<&JournalStore>, line: &str) -> Result<(), Error> {
    let Some(journal) = journal else {
        return Err(Error::invalid(
            "journal",
            "the driver journaled without a journal file",
        ));
    };
    journal.append(&[line.to_owned()])
}

/// A paged report whose rows the clients hand out one by one
/// (`full_transaction`, `pga_transaction`): any paged endpoint of the core,
/// whose row type its declaration states ([`idn_toto::PageRows`]).
pub trait Rows: Paged + AnyEndpoint {}

impl<P: Paged + AnyEndpoint> Rows for P {}
