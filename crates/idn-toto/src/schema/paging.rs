//! Typed paging: the next page's parameters handed back as a typed value
//! (as tame-gcs hands back its page token), with the `max_pages` cap.

use serde_json::{json, Value};

use crate::schema::endpoint::Endpoint;
use crate::schema::error::Error;
use crate::schema::params::Page;

/// How many pages one iteration reads at most, by default (the Node and
/// Python iterators' `max_pages`; also `dynamic::DEFAULT_MAX_PAGES`).
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

/// A paged endpoint's rows, as its declaration names them
/// (`next_page: ... => TurnoverRow`): implemented by the `endpoint!`
/// declaration, so a page's row type is stated once.
pub trait PageRows: Endpoint {
    /// One row of a page.
    type Row;
    /// A page's rows, in order.
    fn rows(page: Self::Response) -> Vec<Self::Row>;
}

/// An endpoint whose answers come in pages.
pub trait Paged: PageRows + Clone {
    /// The parameters of the page after `response` (the answer to `self`),
    /// or `None` when it was the last.
    fn next_page(&self, response: &Self::Response) -> Result<Option<Self>, Error>;
}

/// The pages of one report, read in order:
///
/// ```
/// use idn_toto::{FullTransactionParams, Pages};
/// # let params = FullTransactionParams::from_json(&serde_json::json!({"user": "LOREM"}))?;
/// let mut pages = Pages::new(params);
/// while let Some(next) = pages.next_params() {
///     // send `Call::new(&client, next, policy)` and read its answer...
///     # let body = br#"{"success":true,"page":1,"total_page":1,"data":[]}"#;
///     # let page = idn_toto::Client::new("https://a.example/home.php", "T")?.parse::<FullTransactionParams>(200, body)?;
///     pages.record_page(&page)?; // ...then hand it back
/// }
/// assert_eq!(pages.pages_read(), 1);
/// # Ok::<(), idn_toto::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Pages<E: Paged> {
    next: Option<E>,
    pages_read: u64,
    max_pages: u64,
}

impl<E: Paged> Pages<E> {
    /// Paging from `first` (usually page 1).
    pub fn new(first: E) -> Pages<E> {
        Pages {
            next: Some(first),
            pages_read: 0,
            max_pages: DEFAULT_MAX_PAGES,
        }
    }

    /// Stops with a `decode` error at `page` after this many pages when the
    /// server still says there are more (default
    /// [`DEFAULT_MAX_PAGES`]).
    pub fn with_max_pages(mut self, max_pages: u64) -> Pages<E> {
        self.max_pages = max_pages;
        self
    }

    /// The parameters of the page to read next; `None` when paging is over.
    pub fn next_params(&self) -> Option<&E> {
        self.next.as_ref()
    }

    /// How many pages were recorded.
    pub fn pages_read(&self) -> u64 {
        self.pages_read
    }

    /// Records the answer to [`Pages::next_params`] and moves on. An answer
    /// that names another page, or a server still saying there are more
    /// after `max_pages`, is a `decode` error at `page` (and paging stops).
    pub fn record_page(&mut self, response: &E::Response) -> Result<(), Error> {
        let Some(current) = self.next.take() else {
            return Ok(());
        };
        self.pages_read += 1;
        let next = current.next_page(response)?;
        if next.is_some() && self.pages_read >= self.max_pages {
            return Err(max_pages_error(self.pages_read, self.max_pages));
        }
        self.next = next;
        Ok(())
    }
}

pub(crate) fn max_pages_error(pages_read: u64, max_pages: u64) -> Error {
    Error::decode(
        "page",
        format!(
            "paging stopped after {pages_read} pages (max_pages = {max_pages}): the server \
             still says there are more; raise max_pages if that is real"
        ),
    )
}

/// What a paging rule reads of a page: the typed response (the
/// declaration implements it) or its canonical JSON, so each rule is written
/// once for both (`next_page: by_total => TurnoverRow`).
pub(crate) trait PageView {
    /// The page count the answer states (`0` when it states none).
    fn total_page(&self) -> u64;
    /// Whether the page has no rows.
    fn is_empty(&self) -> bool;
    /// The page number the answer names, for endpoints whose pages name it;
    /// a `decode` error at `page` when it is there but not a number.
    fn answered_page(&self) -> Result<Option<u64>, Error>;
}

impl PageView for Value {
    fn total_page(&self) -> u64 {
        self.get("total_page").and_then(Value::as_u64).unwrap_or(0)
    }

    fn is_empty(&self) -> bool {
        self.get("data")
            .and_then(Value::as_array)
            .is_none_or(Vec::is_empty)
    }

    fn answered_page(&self) -> Result<Option<u64>, Error> {
        match self.get("page") {
            None => Ok(None),
            Some(v) => v
                .as_u64()
                .map(Some)
                .ok_or_else(|| Error::decode("page", format!("must be a page number, got {v}"))),
        }
    }
}

/// The rule `next_page: by_total`: the page after `asked` while it is below
/// the stated total, and never after an empty page (so a wrong total cannot
/// loop forever).
pub(crate) fn by_total(asked: Page, page: &impl PageView) -> Result<Option<Page>, Error> {
    if page.is_empty() || u64::from(asked.get()) >= page.total_page() {
        return Ok(None);
    }
    Ok(asked.next())
}

/// The rule `next_page: by_total_checked`: [`by_total`], after checking the
/// answer is the page that was asked for (a server that answers page 1 to
/// every request would otherwise be paged forever): another page, or none
/// named, is a `decode` error at `page`.
pub(crate) fn by_total_checked(asked: Page, page: &impl PageView) -> Result<Option<Page>, Error> {
    match page.answered_page()? {
        Some(answered) if answered == u64::from(asked.get()) => by_total(asked, page),
        Some(answered) => Err(Error::decode(
            "page",
            format!(
                "the answer is page {answered}, but page {} was asked for",
                asked.get()
            ),
        )),
        None => Err(Error::decode("page", "missing from the page")),
    }
}

/// The parameters of the next page over canonical JSON: `params` with its
/// `page` replaced.
pub(crate) fn next_params_json(params: &Value, next: Page) -> Value {
    let mut out = params.as_object().cloned().unwrap_or_default();
    out.insert("page".into(), json!(next.get()));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::client::Client;
    use crate::schema::endpoints::full_transaction::FullTransactionParams;
    use serde_json::json;

    fn page(n: u64, total: u64) -> crate::schema::endpoints::full_transaction::FullTransaction {
        let body = format!(
            r#"{{"success":true,"page":{n},"total_page":{total},"data":[{{"user":"lorem","date":"2024-05-17","periode":"1","gamecode":"HK","pasar":"HONGKONG","turnover":"1","winlose":"-1"}}]}}"#
        );
        Client::new("https://a.example/home.php", "T")
            .unwrap()
            .parse::<FullTransactionParams>(200, body.as_bytes())
            .unwrap()
    }

    #[test]
    fn pages_follow_the_total_and_stop_at_the_cap() {
        let first = FullTransactionParams::from_json(&json!({"user": "LOREM"})).unwrap();
        let mut pages = Pages::new(first.clone());
        let mut seen = Vec::new();
        while let Some(p) = pages.next_params() {
            seen.push(p.page.get());
            let n = u64::from(p.page.get());
            pages.record_page(&page(n, 3)).unwrap();
        }
        assert_eq!(seen, [1, 2, 3]);
        assert_eq!(pages.pages_read(), 3);

        let mut capped = Pages::new(first).with_max_pages(2);
        capped.record_page(&page(1, 3)).unwrap();
        let e = capped.record_page(&page(2, 3)).unwrap_err();
        assert_eq!(e.kind(), "decode");
        assert!(e.to_string().contains("max_pages = 2"), "{e}");
        assert!(capped.next_params().is_none());
    }
}
