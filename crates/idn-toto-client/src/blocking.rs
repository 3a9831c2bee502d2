//! The blocking client: ureq on the calling thread, `std::thread::sleep`
//! between attempts. One IO loop (`Client::pump`) runs the core's
//! [`Driver`] for every operation; every decision is the core's.

use std::collections::VecDeque;
use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use idn_toto::{
    AnyEndpoint, AnyResponse, Driver, EndpointId, Error, ItemOutcome, MultipleItem, Output, Pages,
    Request, Settlement, Step, TxType, Unsettled,
};
use serde_json::Value;

use crate::builder::{Checked, ClientBuilder};
use crate::journal::FileJournal;
use crate::shared::{self, unexpected, Answer, Rows};
use crate::{trace, JournalSettlement};

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
            // The API never redirects; a redirect is answered as the 3xx it
            // is, never followed with the token in the URL.
            .max_redirects(0)
            .max_redirects_will_error(false)
            .user_agent(crate::USER_AGENT);
        if let Some(url) = &self.settings.proxy {
            let proxy = ureq::Proxy::new(url).map_err(|_| {
                shared::invalid(
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

/// What one turn of the IO loop ended on.
enum Pumped {
    Page(AnyResponse),
    Done(Result<Output, Error>),
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
    pub fn send<E: AnyEndpoint>(&self, params: &E) -> Result<E::Response, Error> {
        let checked = &self.inner.checked;
        shared::check_journaled(checked, E::ID)?;
        let driver = Driver::call_typed(&checked.core, params, shared::options(checked, true))?;
        let _span = trace::span("call", E::ID.as_str()).entered();
        match self.run(driver, checked.journal.as_ref())? {
            Output::Response(r) => {
                E::from_any(r).ok_or_else(|| unexpected("its endpoint's answer"))
            }
            _ => Err(unexpected("an answer")),
        }
    }

    /// [`Client::send`] for an endpoint named at run time, with canonical
    /// JSON parameters (what the CLI and tools use): the canonical JSON
    /// answer. Invalid parameters are an `invalid_request` error naming the
    /// field, before anything is sent.
    pub fn send_json(&self, endpoint: EndpointId, params: &Value) -> Result<Value, Error> {
        let checked = &self.inner.checked;
        shared::check_journaled(checked, endpoint)?;
        let driver = Driver::call(
            &checked.core,
            endpoint,
            params,
            shared::options(checked, true),
        )
        .map_err(|e| e.redacted(&checked.core))?;
        let _span = trace::span("call", endpoint.as_str()).entered();
        match self.run(driver, checked.journal.as_ref())? {
            Output::Response(r) => Ok(r.to_json()),
            _ => Err(unexpected("an answer")),
        }
    }

    /// Sends any number of accept/reject or manual items of one type, at
    /// most 25 per request, and returns one outcome per item, in input
    /// order. Nothing is sent twice; a request whose outcome is unknown
    /// stops the batch (the items after it are `not_sent`).
    pub fn batch(
        &self,
        r#type: TxType,
        items: Vec<MultipleItem>,
    ) -> Result<Vec<ItemOutcome>, Error> {
        let checked = &self.inner.checked;
        let driver =
            Driver::batch_items(&checked.core, r#type, items, shared::options(checked, true))?;
        let _span = trace::span("batch", EndpointId::MultipleTransaction.as_str()).entered();
        match self.run(driver, checked.journal.as_ref())? {
            Output::Outcomes { outcomes, .. } => Ok(outcomes),
            _ => Err(unexpected("outcomes")),
        }
    }

    /// Every row of a paged report, page after page, as an iterator: the
    /// core's [`Pages`] says which page comes next, each page is one
    /// [`Client::send`]. An error ends the iteration.
    ///
    /// ```no_run
    /// # use idn_toto_client::blocking::Client;
    /// # use idn_toto_client::idn_toto::{FullTransactionParams, Page, Segment};
    /// # let client = Client::from_env()?;
    /// let first = FullTransactionParams { user: Segment::new("user", "LOREMS")?, page: Page::FIRST, date: None };
    /// for row in client.pages(first) {
    ///     let row = row?;
    ///     println!("{} {} {}", row.periode, row.turnover, row.winlose);
    /// }
    /// # Ok::<(), idn_toto_client::idn_toto::Error>(())
    /// ```
    pub fn pages<P: Rows>(&self, first: P) -> PageRows<'_, P> {
        PageRows {
            client: self,
            pages: Pages::new(first).with_max_pages(self.inner.checked.max_pages),
            rows: VecDeque::new(),
            over: false,
        }
    }

    /// Every page of `full_transaction` or `pga_transaction` from canonical
    /// JSON parameters, as canonical JSON pages (what the CLI uses).
    pub fn pages_json(&self, endpoint: EndpointId, params: &Value) -> Result<JsonPages<'_>, Error> {
        let checked = &self.inner.checked;
        let driver = Driver::pages(
            &checked.core,
            endpoint,
            params,
            shared::options(checked, false),
        )
        .map_err(|e| e.redacted(&checked.core))?;
        Ok(JsonPages {
            client: self,
            driver: Some(driver),
        })
    }

    /// Finds out, with reads only, whether a money move whose outcome is
    /// unknown took effect (see [`idn_toto::Settle`]). Waits the settle
    /// delay first.
    pub fn settle(&self, unsettled: &Unsettled) -> Result<Settlement, Error> {
        let checked = &self.inner.checked;
        let driver = Driver::settle(&checked.core, unsettled, shared::options(checked, false))?;
        let _span = trace::span("settle", unsettled.endpoint.as_str()).entered();
        match self.run(driver, None)? {
            Output::Settlement(s) => Ok(s),
            _ => Err(unexpected("a settlement")),
        }
    }

    /// Settles every move the journal at `path` leaves open, appending a
    /// `settled` line for each, and returns them in journal order.
    pub fn settle_journal(&self, path: impl AsRef<Path>) -> Result<Vec<JournalSettlement>, Error> {
        let checked = &self.inner.checked;
        let journal = FileJournal::new(path.as_ref());
        let open = journal.read()?.unsettled();
        let driver = Driver::settle_open(&checked.core, &open, shared::options(checked, false))?;
        let _span = trace::span("settle", "journal").entered();
        match self.run(driver, Some(&journal))? {
            Output::Settlements(list) => Ok(crate::pair_settlements(open, list)),
            _ => Err(unexpected("settlements")),
        }
    }

    /// Runs a driver to its end (pages, if any, are skipped).
    fn run(&self, mut driver: Driver, journal: Option<&FileJournal>) -> Result<Output, Error> {
        loop {
            if let Pumped::Done(result) = self.pump(&mut driver, journal) {
                return result;
            }
        }
    }

    /// The one IO loop: does what the driver says until it hands out a
    /// page or is done.
    fn pump(&self, driver: &mut Driver, journal: Option<&FileJournal>) -> Pumped {
        loop {
            match driver.next(shared::clock(None)) {
                Step::Send(request) => {
                    let started = Instant::now();
                    match self.exchange(&request) {
                        Ok(a) => driver.record_response(
                            a.status,
                            &a.header_pairs(),
                            &a.body,
                            shared::clock(Some(started)),
                        ),
                        Err(reason) => {
                            driver.record_transport_failure(&reason, shared::clock(Some(started)))
                        }
                    }
                }
                Step::Wait(ms) => std::thread::sleep(Duration::from_millis(ms)),
                Step::Journal(line) => {
                    if let Err(e) = shared::append(journal, line) {
                        return Pumped::Done(Err(e));
                    }
                }
                Step::Event(event) => trace::event(&event),
                Step::Page(page) => return Pumped::Page(page),
                Step::Done(result) => return Pumped::Done(result),
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

/// The rows of a paged report, page after page (see [`Client::pages`]).
#[derive(Debug)]
pub struct PageRows<'a, P: Rows> {
    client: &'a Client,
    pages: Pages<P>,
    rows: VecDeque<P::Row>,
    over: bool,
}

impl<P: Rows> PageRows<'_, P> {
    /// How many pages have been read so far.
    pub fn pages_read(&self) -> u64 {
        self.pages.pages_read()
    }
}

impl<P: Rows> Iterator for PageRows<'_, P> {
    type Item = Result<P::Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(row) = self.rows.pop_front() {
                return Some(Ok(row));
            }
            if self.over {
                return None;
            }
            let params = self.pages.next_params()?.clone();
            let page = match self.client.send(&params) {
                Ok(page) => page,
                Err(e) => {
                    self.over = true;
                    return Some(Err(e));
                }
            };
            if let Err(e) = self.pages.record_page(&page) {
                self.over = true;
                return Some(Err(e));
            }
            self.rows.extend(P::rows(page));
        }
    }
}

/// The pages of a paged report as canonical JSON (see
/// [`Client::pages_json`]).
#[derive(Debug)]
pub struct JsonPages<'a> {
    client: &'a Client,
    driver: Option<Driver>,
}

impl Iterator for JsonPages<'_> {
    type Item = Result<Value, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        let driver = self.driver.as_mut()?;
        let _span = trace::span("pages", "json").entered();
        match self.client.pump(driver, None) {
            Pumped::Page(page) => Some(Ok(page.to_json())),
            Pumped::Done(result) => {
                self.driver = None;
                result.err().map(Err)
            }
        }
    }
}
