//! What both flavours share: the answer of one exchange, the journal's
//! bookkeeping around money moves, and the tracing of the core's events.
//! No IO here but the journal file.

use idn_toto::{
    BatchItem, Endpoint, EndpointId, Error, ItemOutcome, ItemStatus, JournalRecord, MoneyMove,
    Request, Snapshot, TxType, Unsettled,
};
use serde_json::Value;

use crate::builder::Checked;
use crate::journal::{new_id, now};

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

/// The host's wall clock in Unix seconds (for `Retry-After` dates).
pub(crate) fn unix_now_secs() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
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

/// What a single money move needs from the journal and the snapshot read:
/// worked out before anything is sent.
pub(crate) enum MovePlan {
    /// A read, or a money move with no journal and no snapshot to take.
    Plain,
    /// A money move: read the snapshot first (manual moves, when on), and
    /// journal it (when a journal is set).
    Money {
        params: Value,
        snapshot_of: Option<(TxType, String)>,
    },
}

impl MovePlan {
    pub(crate) fn of<E: Endpoint>(checked: &Checked, params: &E) -> Result<MovePlan, Error> {
        MovePlan::from_parts(checked, E::ID, params.money_params())
    }

    pub(crate) fn of_request(checked: &Checked, request: &Request) -> Result<MovePlan, Error> {
        MovePlan::from_parts(checked, request.endpoint(), request.money_params().cloned())
    }

    fn from_parts(
        checked: &Checked,
        endpoint: EndpointId,
        money: Option<Value>,
    ) -> Result<MovePlan, Error> {
        if endpoint == EndpointId::MultipleTransaction && checked.journal.is_some() {
            return Err(crate::shared::invalid(
                "endpoint",
                "with a journal, send multiple transactions with batch(), which journals \
                 each item",
            ));
        }
        let Some(money) = money else {
            return Ok(MovePlan::Plain);
        };
        let snapshot_of = if endpoint == EndpointId::ManualTransaction && checked.snapshots {
            let what = MoneyMove::from_params(&money)?;
            Some((what.r#type(), what.user().to_owned()))
        } else {
            None
        };
        if snapshot_of.is_none() && checked.journal.is_none() {
            return Ok(MovePlan::Plain);
        }
        Ok(MovePlan::Money {
            params: money,
            snapshot_of,
        })
    }
}

/// Writes the intent line of a single move (before it is sent).
pub(crate) fn journal_intent(
    checked: &Checked,
    endpoint: EndpointId,
    params: Value,
    snapshot: Option<Snapshot>,
) -> Result<Option<JournalRecord>, Error> {
    let Some(journal) = &checked.journal else {
        return Ok(None);
    };
    let record = JournalRecord::intent(&new_id(), endpoint, params, snapshot, &now())?;
    journal.append(&[record.to_line()])?;
    Ok(Some(record))
}

/// Writes the outcome line of a single move (after its answer). A failure
/// to write is logged, not returned: the answer is what the caller needs,
/// and the intent left open settles later.
pub(crate) fn journal_outcome<T>(
    checked: &Checked,
    intent: Option<&JournalRecord>,
    result: &Result<T, Error>,
) {
    let (Some(journal), Some(intent)) = (&checked.journal, intent) else {
        return;
    };
    let (status, message) = match result {
        Ok(_) => (ItemStatus::Succeeded, None),
        Err(e @ Error::OutcomeUnknown { .. }) => (ItemStatus::Unknown, Some(e.to_string())),
        Err(e) => (ItemStatus::Failed, Some(e.to_string())),
    };
    let line = intent.outcome(status, message, &now()).to_line();
    if let Err(e) = journal.append(&[line]) {
        tracing::error!(journal_id = %intent.id, error = %e, "idn_toto: the outcome could not be journaled; the move stays open in the journal");
    }
}

/// The intent lines of the batch request about to leave.
pub(crate) fn journal_batch_intents(
    checked: &Checked,
    sending: Vec<(usize, Unsettled)>,
    intents: &mut Vec<(usize, JournalRecord)>,
) -> Result<(), Error> {
    let Some(journal) = &checked.journal else {
        return Ok(());
    };
    let at = now();
    let mut records = Vec::with_capacity(sending.len());
    for (i, u) in sending {
        records.push((
            i,
            JournalRecord::intent(
                &new_id(),
                EndpointId::MultipleTransaction,
                u.params,
                u.snapshot,
                &at,
            )?,
        ));
    }
    journal.append(&records.iter().map(|(_, r)| r.to_line()).collect::<Vec<_>>())?;
    intents.extend(records);
    Ok(())
}

/// The outcome lines of a finished batch.
pub(crate) fn journal_batch_outcomes(
    checked: &Checked,
    intents: &[(usize, JournalRecord)],
    outcomes: &[ItemOutcome],
) {
    let Some(journal) = &checked.journal else {
        return;
    };
    let at = now();
    let lines: Vec<String> = intents
        .iter()
        .filter_map(|(i, intent)| {
            let o = outcomes.get(*i)?;
            Some(intent.outcome(o.status, o.message.clone(), &at).to_line())
        })
        .collect();
    if let Err(e) = journal.append(&lines) {
        tracing::error!(error = %e, "idn_toto: the batch outcomes could not be journaled; its moves stay open in the journal");
    }
}

/// Whether a batch reads snapshots first.
pub(crate) fn batch_with_snapshots(checked: &Checked, items: &[BatchItem]) -> bool {
    checked.snapshots && matches!(items.first(), Some(BatchItem::Manual(_)))
}
