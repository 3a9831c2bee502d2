//! The async client: reqwest on tokio, `tokio::time::sleep` between
//! attempts. One IO loop (`Client::pump`) runs the core's [`Driver`] for
//! every operation; every decision is the core's. The methods both clients
//! share are written once, in `shared.rs`.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use futures_util::Stream;
use idn_toto::{
    AnyEndpoint, Driver, EndpointId, Error, ItemOutcome, Method, MultipleItem, Request, Settlement,
    TxType, Unsettled,
};
use serde_json::Value;
use tracing::Instrument;

use crate::builder::ClientBuilder;
use crate::journal::JournalStore;
use crate::shared::{self, Answer, Finish, Inner, Io, NextRow, Prepared, Pumped, RowQueue, Rows};
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
    inner: Arc<Inner<reqwest::Client>>,
}

impl ClientBuilder<Client> {
    /// Checks the settings and builds the async client.
    pub fn build(self) -> Result<Client, Error> {
        let checked = self.check()?;
        let http = with_proxy(self.settings.proxy.as_deref(), base(&checked))?;
        let started = |b: reqwest::ClientBuilder| {
            b.build().map_err(|e| {
                idn_toto::Error::invalid(
                    "http_client",
                    format!(
                        "reqwest could not start: {}",
                        shared::reason(&e.without_url())
                    ),
                )
            })
        };
        let money = started(
            with_proxy(self.settings.proxy.as_deref(), base(&checked))?.pool_max_idle_per_host(0),
        )?;
        let http = started(http)?;
        Ok(Client {
            inner: Arc::new(Inner {
                checked,
                http,
                money,
            }),
        })
    }
}

/// The settings both of a client's reqwest clients share.
fn base(checked: &crate::builder::Checked) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .timeout(checked.timeout)
        // The API never redirects; a redirect is answered as the 3xx it
        // is, never followed with the token in the URL.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(crate::USER_AGENT)
}

fn with_proxy(
    proxy: Option<&str>,
    http: reqwest::ClientBuilder,
) -> Result<reqwest::ClientBuilder, Error> {
    let Some(url) = proxy else { return Ok(http) };
    let proxy = reqwest::Proxy::all(url).map_err(|_| {
        idn_toto::Error::invalid("proxy", "not a proxy URL (http://, https://, socks5://)")
    })?;
    Ok(http.proxy(proxy))
}

crate::shared::client_methods!(async .await);

impl Client {
    /// Every row of a paged report, page after page, as a `Stream`: the
    /// core's [`Pages`](idn_toto::Pages) says which page comes next, each page is one
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
        let state = (
            self.clone(),
            RowQueue::new(first, self.inner.checked.max_pages),
        );
        futures_util::stream::unfold(state, |(client, mut rows)| async move {
            loop {
                let params = match rows.next() {
                    NextRow::Row(row) => return Some((Ok(row), (client, rows))),
                    NextRow::Fetch(params) => params,
                    NextRow::End => return None,
                };
                if let Err(e) = rows.record(client.send(&params).await) {
                    return Some((Err(e), (client, rows)));
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
        let driver = self.inner.checked.pages_json(endpoint, params)?;
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

    /// Runs a prepared operation to its end (pages, if any, are skipped).
    async fn run<T>(&self, mut op: Prepared<'_, impl Finish<T>>) -> Result<T, Error> {
        let span = op.span.clone();
        let output = async {
            loop {
                if let Pumped::Done(result) = self.pump(&mut op.driver, op.journal.get()).await {
                    return result;
                }
            }
        }
        .instrument(span)
        .await?;
        (op.finish)(output, op.driver.unrecorded())
    }

    /// The one IO loop: sends and sleeps as the driver says until it hands
    /// out a page or is done.
    async fn pump(&self, driver: &mut Driver, journal: Option<&JournalStore>) -> Pumped {
        loop {
            match shared::next_io(driver, journal) {
                Io::Send(request) => {
                    let started = Instant::now();
                    let exchanged = self.exchange(&request).await;
                    shared::record(driver, exchanged, started);
                }
                Io::Wait(delay) => tokio::time::sleep(delay).await,
                Io::Yield(pumped) => return pumped,
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
        let mut r = inner.http_for(request).request(method, request.url());
        for (k, v) in inner.checked.request_headers(request) {
            r = r.header(k, v);
        }
        if let Some(body) = request.body() {
            r = r.body(body.to_vec());
        }
        let mut response = r
            .send()
            .await
            .map_err(|e| shared::reason(&e.without_url()))?;
        let mut answer = Answer::head(response.status(), response.headers());
        let limit = inner.checked.body_limit();
        while answer.body.len() < limit {
            match response.chunk().await {
                Ok(Some(chunk)) => {
                    let room = limit - answer.body.len();
                    answer
                        .body
                        .extend_from_slice(&chunk[..chunk.len().min(room)]);
                }
                Ok(None) => break,
                Err(e) => return Err(shared::reason(&e.without_url())),
            }
        }
        Ok(answer)
    }
}
