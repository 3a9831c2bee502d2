//! The blocking client: ureq on the calling thread, `std::thread::sleep`
//! between attempts. One IO loop (`Client::pump`) runs the core's
//! [`Driver`] for every operation; every decision is the core's. The
//! methods both clients share are written once, in `shared.rs`.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use idn_toto::{
    AnyEndpoint, Driver, EndpointId, Error, ItemOutcome, MultipleItem, Request, Settlement, TxType,
    Unsettled,
};
use serde_json::Value;

use crate::builder::ClientBuilder;
use crate::journal::JournalStore;
use crate::shared::{self, Answer, Finish, Inner, Io, NextRow, Prepared, Pumped, RowQueue, Rows};
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
    inner: Arc<Inner<ureq::Agent>>,
}

impl ClientBuilder<Client> {
    /// Checks the settings and builds the blocking client.
    pub fn build(self) -> Result<Client, Error> {
        let checked = self.check()?;
        let proxy = self.settings.proxy.as_deref();
        let http = config(&checked, proxy)?.build().into();
        let money = config(&checked, proxy)?
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .build()
            .into();
        Ok(Client {
            inner: Arc::new(Inner {
                checked,
                http,
                money,
            }),
        })
    }
}

/// The settings both of a client's ureq agents share.
fn config(
    checked: &crate::builder::Checked,
    proxy: Option<&str>,
) -> Result<ureq::config::ConfigBuilder<ureq::typestate::AgentScope>, Error> {
    let config = ureq::Agent::config_builder()
        .timeout_global(Some(checked.timeout))
        .http_status_as_error(false)
        // The API never redirects; a redirect is answered as the 3xx it
        // is, never followed with the token in the URL.
        .max_redirects(0)
        .max_redirects_will_error(false)
        .user_agent(crate::USER_AGENT);
    let Some(url) = proxy else { return Ok(config) };
    let proxy = ureq::Proxy::new(url).map_err(|_| {
        idn_toto::Error::invalid(
            "proxy",
            "not a proxy URL (http://, https://, socks4://, socks5://)",
        )
    })?;
    Ok(config.proxy(Some(proxy)))
}

crate::shared::client_methods!();

impl Client {
    /// Every row of a paged report, page after page, as an iterator: the
    /// core's [`Pages`](idn_toto::Pages) says which page comes next, each page is one
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
            rows: RowQueue::new(first, self.inner.checked.max_pages),
        }
    }

    /// Every page of `full_transaction` or `pga_transaction` from canonical
    /// JSON parameters, as canonical JSON pages (what the CLI uses).
    pub fn pages_json(&self, endpoint: EndpointId, params: &Value) -> Result<JsonPages<'_>, Error> {
        Ok(JsonPages {
            client: self,
            driver: Some(self.inner.checked.pages_json(endpoint, params)?),
        })
    }

    /// Runs a prepared operation to its end (pages, if any, are skipped).
    fn run<T>(&self, mut op: Prepared<'_, impl Finish<T>>) -> Result<T, Error> {
        let _span = op.span.enter();
        loop {
            if let Pumped::Done(result) = self.pump(&mut op.driver, op.journal.get()) {
                return (op.finish)(result?, op.driver.unrecorded());
            }
        }
    }

    /// The one IO loop: sends and sleeps as the driver says until it hands
    /// out a page or is done.
    fn pump(&self, driver: &mut Driver, journal: Option<&JournalStore>) -> Pumped {
        loop {
            match shared::next_io(driver, journal) {
                Io::Send(request) => {
                    let started = Instant::now();
                    let exchanged = self.exchange(&request);
                    shared::record(driver, exchanged, started);
                }
                Io::Wait(delay) => std::thread::sleep(delay),
                Io::Yield(pumped) => return pumped,
            }
        }
    }

    /// One HTTP exchange; `Err` is a transport failure (connect, timeout,
    /// reset), in words.
    fn exchange(&self, request: &Request) -> Result<Answer, String> {
        let inner = &*self.inner;
        let url = request.url();
        let headers = inner.checked.request_headers(request);
        let http = inner.http_for(request);
        let response = match request.body() {
            Some(body) => headers
                .fold(http.post(url), |r, (k, v)| r.header(k, v))
                .send(body),
            None => headers
                .fold(http.get(url), |r, (k, v)| r.header(k, v))
                .call(),
        };
        let mut response = response.map_err(|e| shared::reason(&e))?;
        let mut answer = Answer::head(response.status(), response.headers());
        let limit = u64::try_from(inner.checked.body_limit()).unwrap_or(u64::MAX);
        response
            .body_mut()
            .with_config()
            .limit(u64::MAX)
            .reader()
            .take(limit)
            .read_to_end(&mut answer.body)
            .map_err(|e| shared::reason(&e))?;
        Ok(answer)
    }
}

/// The rows of a paged report, page after page (see [`Client::pages`]).
pub struct PageRows<'a, P: Rows> {
    client: &'a Client,
    rows: RowQueue<P>,
}

impl<P: Rows + std::fmt::Debug> std::fmt::Debug for PageRows<'_, P>
where
    P::Row: std::fmt::Debug,
{
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PageRows")
            .field("client", &self.client)
            .field("rows", &self.rows)
            .finish()
    }
}

impl<P: Rows> PageRows<'_, P> {
    /// How many pages have been read so far.
    pub fn pages_read(&self) -> u64 {
        self.rows.pages_read()
    }
}

impl<P: Rows> Iterator for PageRows<'_, P> {
    type Item = Result<P::Row, Error>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let params = match self.rows.next() {
                NextRow::Row(row) => return Some(Ok(row)),
                NextRow::Fetch(params) => params,
                NextRow::End => return None,
            };
            if let Err(e) = self.rows.record(self.client.send(&params)) {
                return Some(Err(e));
            }
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
