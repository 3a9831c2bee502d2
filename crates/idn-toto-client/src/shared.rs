//! What both flavours share: the options every driver gets, the answer of
//! one exchange, the journal's steps, and what typed paging hands out. No
//! IO here but the journal file.

use std::time::{Duration, Instant};

use idn_toto::{
    AnyEndpoint, Clock, DriverOptions, EndpointId, Error, FullTransactionParams, JournalEvent,
    JournalRecord, Paged, PgaInvoice, PgaTransactionParams, TurnoverRow,
};

use crate::builder::Checked;
use crate::journal::{new_id, FileJournal};

/// An `invalid_request` error at `field`.
pub(crate) fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidRequest {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// One HTTP answer, as read off the wire.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
}

impl Answer {
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
    }
}

/// With a journal, a `multiple_transaction` goes through `batch()`, which
/// journals each item.
pub(crate) fn check_journaled(checked: &Checked, endpoint: EndpointId) -> Result<(), Error> {
    if endpoint == EndpointId::MultipleTransaction && checked.journal.is_some() {
        return Err(invalid(
            "endpoint",
            "with a journal, send multiple transactions with batch(), which journals each item",
        ));
    }
    Ok(())
}

/// Appends a journal line the driver made. An intent that can't be
/// written stops the run before its request leaves (the error); a later
/// line that can't be written is logged (the move stays open in the
/// journal and settles later).
pub(crate) fn append(journal: Option<&FileJournal>, line: String) -> Result<(), Error> {
    let Some(journal) = journal else {
        return Err(invalid(
            "journal",
            "the driver journaled without a journal file",
        ));
    };
    match journal.append(std::slice::from_ref(&line)) {
        Ok(()) => Ok(()),
        Err(e) => {
            let intent = serde_json::from_str::<JournalRecord>(&line)
                .map_or(true, |r| r.event == JournalEvent::Intent);
            if intent {
                return Err(e);
            }
            tracing::error!(error = %e, "idn_toto: a journal line could not be written; the move stays open in the journal");
            Ok(())
        }
    }
}

/// The one wrong turn a typed driver can take: an output of another shape.
pub(crate) fn unexpected(what: &str) -> Error {
    Error::Decode {
        path: "$".into(),
        reason: format!("the driver ended without {what}"),
    }
}

/// A paged report whose rows the clients hand out one by one
/// (`full_transaction`, `pga_transaction`).
pub trait Rows: Paged + AnyEndpoint {
    /// One row of a page.
    type Row;
    /// A page's rows, in order.
    fn rows(page: Self::Response) -> Vec<Self::Row>;
}

impl Rows for FullTransactionParams {
    type Row = TurnoverRow;
    fn rows(page: Self::Response) -> Vec<TurnoverRow> {
        page.data
    }
}

impl Rows for PgaTransactionParams {
    type Row = PgaInvoice;
    fn rows(page: Self::Response) -> Vec<PgaInvoice> {
        page.data
    }
}
