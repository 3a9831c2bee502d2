//! The async client: reqwest on tokio, `tokio::time::sleep` between
//! attempts. One IO loop (`Client::pump`) runs the core's [`Driver`] for
//! every operation; every decision is the core's.

use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::Stream;
use idn_toto::{
    AnyEndpoint, AnyResponse, Driver, EndpointId, Error, ItemOutcome, Method, MultipleItem, Output,
    Pages, Request, Settlement, Step, TxType, Unsettled,
};
use serde_json::Value;
use tracing::Instrument;

use crate::builder::{Checked, ClientBuilder};
use crate::journal::FileJournal;
use crate::shared::{self, unexpected, Answer, Rows};
use crate::{trace, JournalSettlement};

/// An async client for the API (reqwest with rustls, on tokio): cheap to
/// clone (the clones share one connection pool), `Send + Sync`; its
/// futures are `Send` when the parameters are `Sync`.
///
/// ```no_run
/// # async fn run() -> Result<(), idn_toto_client::idn_toto::Error> {
/// use idn_toto_client::Client;
/// use idn_toto_client::idn_toto::{Segment, UserBalanceParams};
///
/// let client = Client::new("https://agent.example.com/home.php", "YOUR-TOKEN")?;
/// let params = UserBalanceParams { user: Segment::new("user", "LOREM")? };
/// let balance = client.send(&params).await?;
/// println!("{} has {}", balance.user, balance.balance);
/// # Ok(()) }
/// ```
///
/// Journal lines are appended and synced with blocking file calls on the
/// task that drives the operation (one short write per money move).
///
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    checked: Checked,
    http: reqwest::Client,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.inner.checked.fmt(f)
    }
}

impl ClientBuilder<Client> {
    /// Checks the settings and builds the async client.
    pub fn build(self) -> Result<Client, Error> {
        let checked = self.check()?;
        let mut http = reqwest::Client::builder()
            .timeout(checked.timeout)
            // The API never redirects; a redirect is answered as the 3xx it
            // is, never followed with the token in the URL.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(crate::USER_AGENT);
        if let Some(url) = &self.settings.proxy {
            let proxy = reqwest::Proxy::all(url.as_str()).map_err(|_| {
                shared::invalid("proxy", "not a proxy URL (http://, https://, socks5://)")
            })?;
            http = http.proxy(proxy);
        }
        let http = http.build().map_err(|e| {
            shared::invalid(
                "http_client",
                format!(
                    "reqwest could not start: {}",
                    shared::reason(&e.without_url())
                ),
            )
        })?;
        Ok(Client {
            inner: Arc::new(Inner { checked, http }),
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
    pub async fn send<E: AnyEndpoint>(&self, params: &E) -> Result<E::Response, Error> {
        let checked = &self.inner.checked;
        shared::check_journaled(checked, E::ID)?;
        let driver = Driver::call_typed(&checked.core, params, shared::options(checked, true))?;
        let output = self
            .run(driver, checked.journal.as_ref())
            .instrument(trace::span("call", E::ID.as_str()))
            .await?;
        match output {
            Output::Response(r) => {
                E::from_any(r).ok_or_else(|| unexpected("its endpoint's answer"))
            }
            _ => Err(unexpected("an answer")),
        }
    }

    /// [`Client::send`] for an endpoint named at run time, with canonical
    /// JSON parameters: the canonical JSON answer. Invalid parameters are
    /// an `invalid_request` error naming the field, before anything is
    /// sent.
    pub async fn send_json(&self, endpoint: EndpointId, params: &Value) -> Result<Value, Error> {
        let checked = &self.inner.checked;
        shared::check_journaled(checked, endpoint)?;
        let driver = Driver::call(
            &checked.core,
            endpoint,
            params,
            shared::options(checked, true),
        )
        .map_err(|e| e.redacted(&checked.core))?;
        let output = self
            .run(driver, checked.journal.as_ref())
            .instrument(trace::span("call", endpoint.as_str()))
            .await?;
        match output {
            Output::Response(r) => Ok(r.to_json()),
            _ => Err(unexpected("an answer")),
        }
    }

    /// Sends any number of accept/reject or manual items of one type, at
    /// most 25 per request, and returns one outcome per item, in input
    /// order. Nothing is sent twice; a request whose outcome is unknown
    /// stops the batch (the items after it are `not_sent`).
    pub async fn batch(
        &self,
        r#type: TxType,
        items: Vec<MultipleItem>,
    ) -> Result<Vec<ItemOutcome>, Error> {
        let checked = &self.inner.checked;
        let driver =
            Driver::batch_items(&checked.core, r#type, items, shared::options(checked, true))?;
        let output = self
            .run(driver, checked.journal.as_ref())
            .instrument(trace::span(
                "batch",
                EndpointId::MultipleTransaction.as_str(),
            ))
            .await?;
        match output {
            Output::Outcomes { outcomes, .. } => Ok(outcomes),
            _ => Err(unexpected("outcomes")),
        }
    }

    /// Every row of a paged report, page after page, as a `Stream`: the
    /// core's [`Pages`] says which page comes next, each page is one
    /// [`Client::send`]. An error ends the stream.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), idn_toto_client::idn_toto::Error> {
    /// use futures_util::StreamExt;
    /// # use idn_toto_client::Client;
    /// # use idn_toto_client::idn_toto::{FullTransactionParams, Page, Segment};
    /// # let client = Client::from_env()?;
    /// let first = FullTransactionParams { user: Segment::new("user", "LOREMS")?, page: Page::FIRST, date: None };
    /// let mut rows = std::pin::pin!(client.pages(first));
    /// while let Some(row) = rows.next().await {
    ///     let row = row?;
    ///     println!("{} {} {}", row.periode, row.turnover, row.winlose);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages<P>(&self, first: P) -> impl Stream<Item = Result<P::Row, Error>> + Send + 'static
    where
        P: Rows + Send + Sync + 'static,
        P::Row: Send + 'static,
        P::Response: Send,
    {
        let state = RowsState {
            client: self.clone(),
            pages: Pages::new(first).with_max_pages(self.inner.checked.max_pages),
            rows: VecDeque::new(),
            over: false,
        };
        futures_util::stream::unfold(state, |mut st| async move {
            loop {
                if let Some(row) = st.rows.pop_front() {
                    return Some((Ok(row), st));
                }
                if st.over {
                    return None;
                }
                let params = st.pages.next_params()?.clone();
                let failed = match st.client.send(&params).await {
                    Ok(page) => match st.pages.record_page(&page) {
                        Ok(()) => {
                            st.rows.extend(P::rows(page));
                            None
                        }
                        Err(e) => Some(e),
                    },
                    Err(e) => Some(e),
                };
                if let Some(e) = failed {
                    st.over = true;
                    return Some((Err(e), st));
                }
            }
        })
    }

    /// Every page of `full_transaction` or `pga_transaction` from canonical
    /// JSON parameters, as a `Stream` of canonical JSON pages.
    pub fn pages_json(
        &self,
        endpoint: EndpointId,
        params: &Value,
    ) -> Result<impl Stream<Item = Result<Value, Error>> + Send + 'static, Error> {
        let checked = &self.inner.checked;
        let driver = Driver::pages(
            &checked.core,
            endpoint,
            params,
            shared::options(checked, false),
        )
        .map_err(|e| e.redacted(&checked.core))?;
        let state = (self.clone(), Some(driver));
        Ok(futures_util::stream::unfold(
            state,
            |(client, mut driver)| async move {
                let d = driver.as_mut()?;
                match client
                    .pump(d, None)
                    .instrument(trace::span("pages", "json"))
                    .await
                {
                    Pumped::Page(page) => Some((Ok(page.to_json()), (client, driver))),
                    Pumped::Done(Ok(_)) => None,
                    Pumped::Done(Err(e)) => Some((Err(e), (client, None))),
                }
            },
        ))
    }

    /// Finds out, with reads only, whether a money move whose outcome is
    /// unknown took effect (see [`idn_toto::Settle`]). Waits the settle
    /// delay first.
    pub async fn settle(&self, unsettled: &Unsettled) -> Result<Settlement, Error> {
        let checked = &self.inner.checked;
        let driver = Driver::settle(&checked.core, unsettled, shared::options(checked, false))?;
        let output = self
            .run(driver, None)
            .instrument(trace::span("settle", unsettled.endpoint.as_str()))
            .await?;
        match output {
            Output::Settlement(s) => Ok(s),
            _ => Err(unexpected("a settlement")),
        }
    }

    /// Settles every move the journal at `path` leaves open, appending a
    /// `settled` line for each, and returns them in journal order.
    pub async fn settle_journal(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<Vec<JournalSettlement>, Error> {
        let checked = &self.inner.checked;
        let journal = FileJournal::new(path.as_ref());
        let open = journal.read()?.unsettled();
        let driver = Driver::settle_open(&checked.core, &open, shared::options(checked, false))?;
        let output = self
            .run(driver, Some(&journal))
            .instrument(trace::span("settle", "journal"))
            .await?;
        match output {
            Output::Settlements(list) => Ok(crate::pair_settlements(open, list)),
            _ => Err(unexpected("settlements")),
        }
    }

    /// Runs a driver to its end (pages, if any, are skipped).
    async fn run(
        &self,
        mut driver: Driver,
        journal: Option<&FileJournal>,
    ) -> Result<Output, Error> {
        loop {
            if let Pumped::Done(result) = self.pump(&mut driver, journal).await {
                return result;
            }
        }
    }

    /// The one IO loop: does what the driver says until it hands out a
    /// page or is done.
    async fn pump(&self, driver: &mut Driver, journal: Option<&FileJournal>) -> Pumped {
        loop {
            match driver.next(shared::clock(None)) {
                Step::Send(request) => {
                    let started = Instant::now();
                    match self.exchange(&request).await {
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
                Step::Wait(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
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
    async fn exchange(&self, request: &Request) -> Result<Answer, String> {
        let inner = &*self.inner;
        let method = match request.method() {
            Method::Get => reqwest::Method::GET,
            Method::Post => reqwest::Method::POST,
        };
        let mut r = inner.http.request(method, request.url());
        for (k, v) in request.headers() {
            r = r.header(*k, *v);
        }
        for (k, v) in &inner.checked.headers {
            r = r.header(k.as_str(), v.as_str());
        }
        if let Some(body) = request.body() {
            r = r.body(body.to_vec());
        }
        let mut response = r
            .send()
            .await
            .map_err(|e| shared::reason(&e.without_url()))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), v.to_str().ok()?.to_owned())))
            .collect();
        // One byte past the limit is enough for the core to refuse the body.
        let limit = inner.checked.core.max_body_size().saturating_add(1);
        let mut body = Vec::new();
        while body.len() < limit {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = limit - body.len();
                    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) => break,
                Err(e) => return Err(shared::reason(&e.without_url())),
            }
        }
        Ok(Answer {
            status,
            headers,
            body,
        })
    }
}

/// The state of [`Client::pages`]' stream.
struct RowsState<P: Rows> {
    client: Client,
    pages: Pages<P>,
    rows: VecDeque<P::Row>,
    over: bool,
}
