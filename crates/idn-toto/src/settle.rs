//! Settling an unknown outcome: a sans-IO state machine that finds out, with
//! reads only, whether a money move whose answer was lost took effect.
//!
//! The API has no idempotency keys, so after a timeout, a 5xx, a lost
//! connection or a damaged answer nobody knows whether the money moved.
//! Sending again could pay twice; not sending could pay never. [`Settle`]
//! asks for the reads that tell, in order, and ends in a [`Settlement`]:
//! `applied`, `not_applied` (safe to send again) or `undetermined`, always
//! with its evidence. It never builds a money-moving request.
//!
//! How it decides (the reasoning is in `docs/spec-notes.md`, 75-80):
//! - **accept/reject**: after `settle_delay`, the pending list of its type.
//!   Still pending: `not_applied`. Gone: processed, by this request or
//!   another, so it must not be sent again: `applied`; the user's latest
//!   transaction of that type is read as further evidence.
//! - **manual**: needs the user's history of that type read *before* the
//!   request was sent (a [`Snapshot`]). After `settle_delay`, the history is
//!   read again: exactly one new entry, of the same amount, is `applied`;
//!   none is `not_applied`; anything else is `undetermined`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::{
    Action, Client, EndpointId, Error, HistoryEntry, Request, RetryPolicy, Segment,
    TransactionListParams, TxType, UserHistoryParams, UserLastTransactionParams,
};

/// A money move, as settling needs it: which request, on which user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyMove {
    /// Accept or reject a pending transaction (single, or a batch item).
    AcceptReject {
        /// Deposit or withdraw.
        r#type: TxType,
        /// The transaction ID.
        trans_id: String,
        /// The user.
        user: String,
        /// Accept or reject.
        action: Action,
    },
    /// A manual deposit or withdrawal (single, or a batch item).
    Manual {
        /// Deposit or withdraw.
        r#type: TxType,
        /// The user.
        user: String,
        /// The amount.
        amount: Decimal,
    },
}

impl MoneyMove {
    /// Reads a money move from the canonical parameters of one item: those
    /// of `accept_reject` or `manual_transaction`, or one item of a
    /// `multiple_transaction` with its `type`. Other keys (`comment`,
    /// `operator`) are allowed and ignored.
    pub fn from_params(params: &Value) -> Result<MoneyMove, Error> {
        let text = |key: &str| -> Result<String, Error> {
            match params.get(key) {
                Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
                Some(Value::Number(n)) => Ok(n.to_string()),
                _ => Err(Error::invalid(key, "is required (a string)")),
            }
        };
        let r#type = TxType::parse("type", &text("type")?)?;
        if params.get("trans_id").is_some() || params.get("action").is_some() {
            return Ok(MoneyMove::AcceptReject {
                r#type,
                trans_id: text("trans_id")?,
                user: text("user")?,
                action: Action::parse("action", &text("action")?)?,
            });
        }
        let amount = text("amount")?;
        let amount =
            crate::wire::parse_decimal(&amount).map_err(|e| Error::invalid("amount", e))?;
        Ok(MoneyMove::Manual {
            r#type,
            user: text("user")?,
            amount,
        })
    }

    /// The user the move is about.
    pub fn user(&self) -> &str {
        match self {
            MoneyMove::AcceptReject { user, .. } | MoneyMove::Manual { user, .. } => user,
        }
    }

    /// Deposit or withdraw.
    pub fn r#type(&self) -> TxType {
        match self {
            MoneyMove::AcceptReject { r#type, .. } | MoneyMove::Manual { r#type, .. } => *r#type,
        }
    }

    fn describe(&self) -> String {
        match self {
            MoneyMove::AcceptReject {
                r#type,
                trans_id,
                user,
                action,
            } => format!(
                "{} of {} {trans_id} for {user}",
                action.as_wire().to_ascii_lowercase(),
                r#type.as_str()
            ),
            MoneyMove::Manual {
                r#type,
                user,
                amount,
            } => format!("manual {} of {amount} for {user}", r#type.as_str()),
        }
    }
}

/// The user's history of one type, read before a manual transaction was
/// sent: what settling compares the history after it with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct Snapshot {
    /// The entries, as the server listed them.
    pub entries: Vec<HistoryEntry>,
    /// In a batch: the amounts of the same user's other manual items of
    /// that batch, whose entries are new after the snapshot too (settling
    /// accounts for them; empty for a single move).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString[]", optional))]
    pub siblings: Vec<Decimal>,
}

/// What settling an unknown outcome needs, carried by the
/// [`Error::OutcomeUnknown`] of a single call and by a batch
/// [`crate::ItemOutcome`]: the money move's canonical parameters (`type`
/// included; never the token) and, for a manual move, the user's history
/// read before it was sent. Any client for the same agent can settle it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsettled {
    /// `accept_reject`, `manual_transaction` or `multiple_transaction` (an
    /// item of a batch).
    #[serde(with = "crate::journal::endpoint_id")]
    pub endpoint: EndpointId,
    /// The one move's canonical parameters.
    pub params: Value,
    /// The user's history of that type before sending (manual moves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    /// The move's journal id when it was journaled (a call's id, `{id}-{k}`
    /// for batch item `k`, an open move's id): a client with a journal
    /// writes the settlement's `settled` line under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_id: Option<String>,
}

impl Unsettled {
    /// The money move its parameters describe.
    pub fn money_move(&self) -> Result<MoneyMove, Error> {
        MoneyMove::from_params(&self.params)
    }

    /// The canonical JSON form.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Reads the canonical JSON form (as [`Unsettled::to_json`] writes it).
    pub fn from_json(value: &Value) -> Result<Unsettled, Error> {
        Unsettled::from_json_text(&value.to_string())
    }

    /// Reads the canonical JSON text. (Amounts in the snapshot are read from
    /// their literal digits, so this reads text, never a parsed value.)
    pub fn from_json_text(text: &str) -> Result<Unsettled, Error> {
        let u = serde_json::from_str::<Unsettled>(text)
            .map_err(|e| Error::invalid("unsettled", e.to_string()))?;
        u.money_move()?;
        Ok(u)
    }
}

impl Snapshot {
    /// The history read before a single move (no siblings).
    pub fn new(entries: Vec<HistoryEntry>) -> Snapshot {
        Snapshot {
            entries,
            siblings: Vec::new(),
        }
    }
}

/// How a settlement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettleState {
    /// The server shows the effect of the request.
    Applied,
    /// The server shows it did not happen: safe to send again.
    NotApplied,
    /// The reads can't tell (the reason says why).
    Undetermined,
}

impl SettleState {
    /// `applied`, `not_applied` or `undetermined`.
    pub fn as_str(self) -> &'static str {
        match self {
            SettleState::Applied => "applied",
            SettleState::NotApplied => "not_applied",
            SettleState::Undetermined => "undetermined",
        }
    }
}

/// One read and what it showed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The endpoint read.
    #[serde(serialize_with = "ser_id")]
    pub endpoint: EndpointId,
    /// The request, token redacted.
    pub url: String,
    /// What it showed, in words.
    pub showed: String,
    /// What it showed, as data (canonical JSON: the entries or rows that
    /// matter, or the error).
    pub data: Value,
}

fn ser_id<S: serde::Serializer>(id: &EndpointId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(id.as_str())
}

/// The end of a settlement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settlement {
    /// What the server shows.
    pub state: SettleState,
    /// Why, in words.
    pub reason: String,
    /// Every read, in order.
    pub evidence: Vec<Evidence>,
}

impl Settlement {
    /// The canonical JSON form.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

/// What the host does next for a [`Settle`].
#[derive(Debug)]
#[must_use]
pub enum SettleStep {
    /// Wait this long (milliseconds), then ask again.
    Wait(u64),
    /// Send this read, then hand its answer back.
    Send(Request),
    /// Settled.
    Done(Settlement),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The in-flight delay has not been waited yet.
    Delay,
    /// Accept/reject: the pending list.
    Pending,
    /// Accept/reject, gone from the pending list: the user's latest.
    Latest,
    /// Manual: the history after.
    History,
    Done,
}

/// The settlement state machine. Drive it like [`crate::Batch`]:
///
/// ```
/// use idn_toto::{Client, MoneyMove, RetryPolicy, Settle, SettleState, SettleStep};
///
/// let client = Client::new("https://agent.example.com/home.php", "T0KEN")?;
/// let lost = MoneyMove::from_params(&serde_json::json!({
///     "type": "deposit", "trans_id": "123", "user": "LOREM", "action": "accept"
/// }))?;
/// let mut settle = Settle::new(lost, None, 5_000, RetryPolicy::default());
/// let settlement = loop {
///     match settle.next(&client) {
///         SettleStep::Wait(ms) => assert_eq!(ms, 5_000), // sleep that long
///         SettleStep::Send(request) => {
///             // send `request` (a read); here, canned answers:
///             let body: &[u8] = match request.endpoint().as_str() {
///                 "transaction_list" => br#"{}"#, // 123 is no longer pending
///                 _ => br#"{"success":true,"user":"lorem","data":{"date":"2024-05-17 10:00:00","amount":"50000","status":"ACCEPT"}}"#,
///             };
///             settle.record_response(&client, 200, body);
///         }
///         SettleStep::Done(settlement) => break settlement,
///     }
/// };
/// assert_eq!(settlement.state, SettleState::Applied); // do not send again
/// assert_eq!(settlement.evidence.len(), 2);
/// # Ok::<(), idn_toto::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Settle {
    what: MoneyMove,
    snapshot: Option<Snapshot>,
    delay_ms: u64,
    policy: RetryPolicy,
    phase: Phase,
    /// Attempts of the read in flight (0 for the first send).
    attempt: u32,
    /// The error kind of the last read, when it failed (for events).
    last_error: Option<&'static str>,
    in_flight: Option<Request>,
    /// A retry's delay, to be waited before the read is sent again.
    backoff: Option<u64>,
    evidence: Vec<Evidence>,
    /// Accept/reject gone from the pending list: the verdict, once the
    /// latest transaction has been read for evidence.
    verdict: Option<(SettleState, String)>,
    result: Option<Settlement>,
}

impl Settle {
    /// Settles `what`. `snapshot` is the user's history of that type read
    /// before a manual move was sent (needed for manual moves; ignored for
    /// accept/reject). `settle_delay_ms` is waited before any read that
    /// could conclude `not_applied` (the request may still be in flight on
    /// the server); failed reads are retried as `policy` says.
    pub fn new(
        what: MoneyMove,
        snapshot: Option<Snapshot>,
        settle_delay_ms: u64,
        policy: RetryPolicy,
    ) -> Settle {
        Settle {
            what,
            snapshot,
            delay_ms: settle_delay_ms,
            policy,
            phase: Phase::Delay,
            attempt: 0,
            last_error: None,
            in_flight: None,
            backoff: None,
            evidence: Vec::new(),
            verdict: None,
            result: None,
        }
    }

    /// Settles what an unknown outcome carries (see [`Unsettled`]).
    pub fn from_unsettled(
        unsettled: &Unsettled,
        settle_delay_ms: u64,
        policy: RetryPolicy,
    ) -> Result<Settle, Error> {
        Ok(Settle::new(
            unsettled.money_move()?,
            unsettled.snapshot.clone(),
            settle_delay_ms,
            policy,
        ))
    }

    /// Attempts of the read in flight (0 for its first send).
    pub(crate) fn attempt(&self) -> u32 {
        self.attempt
    }

    /// The error kind of the last read recorded, if it failed.
    pub(crate) fn last_error(&self) -> Option<&'static str> {
        self.last_error
    }

    /// What to do next.
    pub fn next(&mut self, client: &Client) -> SettleStep {
        if let Some(result) = &self.result {
            return SettleStep::Done(result.clone());
        }
        if let Some(request) = self.in_flight.take() {
            // Asked again without an answer: the read counts as failed.
            self.read_failed(
                client,
                &request,
                Error::Transport {
                    reason: "the answer was never recorded".into(),
                },
            );
            return self.next(client);
        }
        if let Some(ms) = self.backoff.take() {
            return SettleStep::Wait(ms);
        }
        match self.phase {
            Phase::Delay => {
                self.phase = match &self.what {
                    MoneyMove::AcceptReject { .. } => Phase::Pending,
                    MoneyMove::Manual { .. } if self.snapshot.is_none() => {
                        return self.finish(
                            SettleState::Undetermined,
                            "no history snapshot was taken before the manual transaction was sent, so a new entry can't be told from an old one".into(),
                        );
                    }
                    MoneyMove::Manual { .. } => Phase::History,
                };
                if self.delay_ms > 0 {
                    return SettleStep::Wait(self.delay_ms);
                }
                self.next(client)
            }
            Phase::Pending | Phase::Latest | Phase::History => match self.read_request(client) {
                Ok(request) => {
                    self.in_flight = Some(request.clone());
                    SettleStep::Send(request)
                }
                Err(e) => self.finish(
                    SettleState::Undetermined,
                    format!("the read can't be built: {e}"),
                ),
            },
            Phase::Done => match self.result.clone() {
                Some(result) => SettleStep::Done(result),
                None => self.finish(
                    SettleState::Undetermined,
                    "settling ended without a verdict".into(),
                ),
            },
        }
    }

    /// Records the answer to the read just sent.
    pub fn record_response(&mut self, client: &Client, status: u16, body: &[u8]) {
        let Some(request) = self.in_flight.take() else {
            return;
        };
        self.last_error = None;
        let outcome = match self.phase {
            Phase::Pending => client
                .parse::<TransactionListParams>(status, body)
                .map(|list| self.on_pending(&request, list)),
            Phase::Latest => client
                .parse::<UserLastTransactionParams>(status, body)
                .map(|latest| self.on_latest(&request, latest)),
            Phase::History => client
                .parse::<UserHistoryParams>(status, body)
                .map(|history| self.on_history(&request, history)),
            Phase::Delay | Phase::Done => Ok(()),
        };
        if let Err(e) = outcome {
            self.read_failed(client, &request, e);
        }
    }

    /// Records that the read just sent failed in transport.
    pub fn record_transport_failure(&mut self, client: &Client, reason: &str) {
        if let Some(request) = self.in_flight.take() {
            let e = client.transport_failure(&request, reason);
            self.read_failed(client, &request, e);
        }
    }

    fn read_request(&self, client: &Client) -> Result<Request, Error> {
        let user = Segment::new("user", self.what.user())?;
        let r#type = self.what.r#type();
        Ok(match self.phase {
            Phase::Pending => client.request(&TransactionListParams {
                r#type,
                bank: None,
                name: None,
            }),
            Phase::Latest => client.request(&UserLastTransactionParams { r#type, user }),
            _ => client.request(&UserHistoryParams { r#type, user }),
        })
    }

    fn read_failed(&mut self, client: &Client, request: &Request, error: Error) {
        let error = error.redacted(client);
        self.last_error = Some(error.kind());
        if let Some(delay) = self.policy.decide(request, self.attempt, &error) {
            self.attempt += 1;
            self.backoff = Some(delay);
            return;
        }
        self.attempt = 0;
        self.evidence.push(Evidence {
            endpoint: request.endpoint(),
            url: request.redacted_url().to_owned(),
            showed: format!("the read failed: {error}"),
            data: error.to_json(),
        });
        if self.phase == Phase::Latest {
            // Only further evidence: the pending list already decided.
            if let Some((state, reason)) = self.verdict.take() {
                let _ = self.finish(state, reason);
            }
            return;
        }
        let _ = self.finish(
            SettleState::Undetermined,
            format!(
                "{} could not be read, so {} can't be settled",
                request.endpoint(),
                self.what.describe()
            ),
        );
    }

    fn on_pending(&mut self, request: &Request, list: crate::TransactionList) {
        let MoneyMove::AcceptReject { trans_id, .. } = &self.what else {
            return;
        };
        let found: Vec<&crate::PendingTransaction> =
            list.data.iter().filter(|t| &t.id == trans_id).collect();
        let data = json!({
            "pending": list.data.len(),
            "matching": found.iter().map(|t| serde_json::to_value(t).unwrap_or(Value::Null)).collect::<Vec<_>>(),
        });
        self.attempt = 0;
        if found.is_empty() {
            self.evidence.push(Evidence {
                endpoint: request.endpoint(),
                url: request.redacted_url().to_owned(),
                showed: format!(
                    "transaction {trans_id} is no longer among the {} pending {}s",
                    list.data.len(),
                    self.what.r#type().as_str()
                ),
                data,
            });
            self.verdict = Some((
                SettleState::Applied,
                format!(
                    "transaction {trans_id} is no longer pending: it was processed (by this request or another), so it must not be sent again"
                ),
            ));
            self.phase = Phase::Latest;
        } else {
            self.evidence.push(Evidence {
                endpoint: request.endpoint(),
                url: request.redacted_url().to_owned(),
                showed: format!("transaction {trans_id} is still pending"),
                data,
            });
            let _ = self.finish(
                SettleState::NotApplied,
                format!("transaction {trans_id} is still pending: the request did not take effect and may be sent again"),
            );
        }
    }

    fn on_latest(&mut self, request: &Request, latest: crate::UserLastTransaction) {
        let showed = match &latest.data {
            Some(e) => format!(
                "the user's latest {} is {} of {} at {}",
                self.what.r#type().as_str(),
                e.status.as_str(),
                e.amount,
                e.date
            ),
            None => format!("the user has no {} on record", self.what.r#type().as_str()),
        };
        self.evidence.push(Evidence {
            endpoint: request.endpoint(),
            url: request.redacted_url().to_owned(),
            showed,
            data: serde_json::to_value(&latest.data).unwrap_or(Value::Null),
        });
        if let Some((state, reason)) = self.verdict.take() {
            let _ = self.finish(state, reason);
        }
    }

    fn on_history(&mut self, request: &Request, history: crate::UserHistory) {
        let MoneyMove::Manual { amount, .. } = &self.what else {
            return;
        };
        let before = self.snapshot.as_ref().map_or(&[][..], |s| &s.entries[..]);
        let new = new_entries(before, &history.data);
        let data = json!({
            "before": before.len(),
            "after": history.data.len(),
            "new": serde_json::to_value(&new).unwrap_or(Value::Null),
        });
        let gone = before.len() + new.len() > history.data.len();
        let siblings = self.snapshot.as_ref().map_or(&[][..], |s| &s.siblings[..]);
        let (state, reason) = match new.as_slice() {
            _ if gone => (
                SettleState::Undetermined,
                "entries of the earlier history are missing from the new one (a capped or reordered history): the two can't be compared".to_owned(),
            ),
            [] if !siblings.is_empty() => (
                SettleState::NotApplied,
                format!("no new {} in the user's history: neither this manual transaction nor the {} other(s) of this user in its batch took effect; it may be sent again", self.what.r#type().as_str(), siblings.len()),
            ),
            // Several items of this user in one batch: only "all landed" or
            // "none landed" can be told (one entry of two equal amounts could
            // be either item's).
            new_entries if !siblings.is_empty() => {
                let mut expected: Vec<Decimal> = siblings.to_vec();
                expected.push(*amount);
                expected.sort();
                let mut got: Vec<Decimal> = new_entries.iter().map(|e| e.amount).collect();
                got.sort();
                if got == expected {
                    (
                        SettleState::Applied,
                        format!("{} new entries in the user's history, the amounts of this manual transaction and of the user's {} other(s) in its batch: all of them took effect", got.len(), siblings.len()),
                    )
                } else {
                    (
                        SettleState::Undetermined,
                        format!("{} new entries in the user's history for {} manual transactions of this user in one batch: which ones took effect can't be told", got.len(), siblings.len() + 1),
                    )
                }
            }
            [] => (
                SettleState::NotApplied,
                format!("no new {} in the user's history: the manual transaction did not take effect and may be sent again", self.what.r#type().as_str()),
            ),
            [one] if one.amount == *amount => (
                SettleState::Applied,
                format!("one new {} of {} in the user's history: the manual transaction took effect", self.what.r#type().as_str(), one.amount),
            ),
            [one] => (
                SettleState::Undetermined,
                format!("one new entry, of {} where {amount} was sent: it may be another transaction", one.amount),
            ),
            more => (
                SettleState::Undetermined,
                format!("{} new entries in the user's history: which one is this request's can't be told", more.len()),
            ),
        };
        self.evidence.push(Evidence {
            endpoint: request.endpoint(),
            url: request.redacted_url().to_owned(),
            showed: format!(
                "the user's {} history had {} entries before and has {} now ({} new)",
                self.what.r#type().as_str(),
                before.len(),
                history.data.len(),
                new.len()
            ),
            data,
        });
        let _ = self.finish(state, reason);
    }

    fn finish(&mut self, state: SettleState, reason: String) -> SettleStep {
        let settlement = Settlement {
            state,
            reason,
            evidence: std::mem::take(&mut self.evidence),
        };
        self.phase = Phase::Done;
        self.result = Some(settlement.clone());
        SettleStep::Done(settlement)
    }
}

/// The entries of `after` that are not in `before`, each entry of `before`
/// accounting for one equal entry of `after` (date, amount and status).
fn new_entries(before: &[HistoryEntry], after: &[HistoryEntry]) -> Vec<HistoryEntry> {
    let mut unmatched: Vec<Option<&HistoryEntry>> = before.iter().map(Some).collect();
    let mut new = Vec::new();
    for entry in after {
        match unmatched.iter_mut().find(|b| b.is_some_and(|b| b == entry)) {
            Some(slot) => *slot = None,
            None => new.push(entry.clone()),
        }
    }
    new
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::new("https://a.example/home.php", "S3CR3T-T0KEN").unwrap()
    }

    fn drive(settle: &mut Settle, answers: &mut Vec<(EndpointId, u16, String)>) -> Settlement {
        let c = client();
        for _ in 0..20 {
            match settle.next(&c) {
                SettleStep::Wait(_) => {}
                SettleStep::Send(request) => {
                    assert!(request.is_idempotent(), "settling sent a money move");
                    let (id, status, body) = answers.remove(0);
                    assert_eq!(request.endpoint(), id);
                    settle.record_response(&c, status, body.as_bytes());
                }
                SettleStep::Done(s) => return s,
            }
        }
        panic!("settling never ended");
    }

    fn accept() -> MoneyMove {
        MoneyMove::from_params(&json!({"type": "deposit", "trans_id": "T1", "user": "LOREM", "action": "accept", "comment": "c", "operator": "o"})).unwrap()
    }

    const ROW: &str = r#"{"id":"T1","user":"LOREM","date":"23-02-2021 15:38:48","type":"deposit","amount":"1000"}"#;

    #[test]
    fn still_pending_is_not_applied_and_the_delay_comes_first() {
        let c = client();
        let mut s = Settle::new(accept(), None, 5_000, RetryPolicy::NEVER);
        assert!(matches!(s.next(&c), SettleStep::Wait(5_000)));
        let mut answers = vec![(
            EndpointId::TransactionList,
            200,
            format!(r#"{{"1":{ROW}}}"#),
        )];
        let done = drive(&mut s, &mut answers);
        assert_eq!(done.state, SettleState::NotApplied);
        assert_eq!(done.evidence.len(), 1);
        assert!(done.evidence[0].showed.contains("still pending"));
        assert!(!serde_json::to_string(&done).unwrap().contains("S3CR3T"));
    }

    #[test]
    fn gone_from_pending_is_applied_with_the_latest_as_evidence() {
        let mut s = Settle::new(accept(), None, 0, RetryPolicy::NEVER);
        let mut answers = vec![
            (EndpointId::TransactionList, 200, "{}".into()),
            (EndpointId::UserLastTransaction, 200, r#"{"success":true,"user":"lorem","data":{"date":"2024-05-17 10:00:00","amount":"1000","status":"ACCEPT"}}"#.into()),
        ];
        let done = drive(&mut s, &mut answers);
        assert_eq!(done.state, SettleState::Applied);
        assert_eq!(done.evidence.len(), 2);
        assert!(
            done.evidence[1].showed.contains("ACCEPT of 1000"),
            "{:?}",
            done.evidence[1]
        );
    }

    #[test]
    fn an_unreadable_pending_list_is_undetermined_after_retries() {
        let mut s = Settle::new(accept(), None, 0, RetryPolicy::default());
        let mut answers = vec![
            (EndpointId::TransactionList, 500, "oops S3CR3T-T0KEN".into()),
            (EndpointId::TransactionList, 502, String::new()),
            (EndpointId::TransactionList, 503, String::new()),
        ];
        let done = drive(&mut s, &mut answers);
        assert_eq!(done.state, SettleState::Undetermined);
        assert!(answers.is_empty());
        assert!(!serde_json::to_string(&done).unwrap().contains("S3CR3T"));
    }

    fn history(entries: &[(&str, &str)]) -> String {
        let rows: Vec<String> = entries
            .iter()
            .map(|(date, amount)| {
                format!(r#"{{"date":"{date}","amount":"{amount}","status":"ACCEPT"}}"#)
            })
            .collect();
        format!(
            r#"{{"success":true,"user":"lorem","data":[{}]}}"#,
            rows.join(",")
        )
    }

    fn snapshot(entries: &[(&str, &str)]) -> Snapshot {
        let h: crate::UserHistory =
            <crate::UserHistoryParams as crate::Endpoint>::parse(200, history(entries).as_bytes())
                .unwrap();
        Snapshot::new(h.data)
    }

    fn manual(amount: &str) -> MoneyMove {
        MoneyMove::from_params(&json!({"type": "deposit", "user": "LOREM", "amount": amount, "comment": "c", "operator": "o"})).unwrap()
    }

    #[test]
    fn manual_moves_compare_the_history_with_the_snapshot() {
        let before = [("2024-05-17 10:00:00", "500")];
        let cases = [
            (
                vec![("2024-05-17 10:00:00", "500")],
                SettleState::NotApplied,
            ),
            (
                vec![
                    ("2024-05-17 10:00:00", "500"),
                    ("2024-05-17 11:00:00", "2500.50"),
                ],
                SettleState::Applied,
            ),
            (
                vec![
                    ("2024-05-17 11:00:00", "2500.5"),
                    ("2024-05-17 10:00:00", "500"),
                ],
                SettleState::Applied,
            ),
            (
                vec![("2024-05-17 10:00:00", "500"), ("2024-05-17 11:00:00", "9")],
                SettleState::Undetermined,
            ),
            (
                vec![
                    ("2024-05-17 10:00:00", "500"),
                    ("2024-05-17 11:00:00", "2500.50"),
                    ("2024-05-17 11:00:01", "2500.50"),
                ],
                SettleState::Undetermined,
            ),
            (
                vec![("2024-05-17 11:00:00", "2500.50")],
                SettleState::Undetermined,
            ),
        ];
        for (after, want) in cases {
            let mut s = Settle::new(
                manual("2500.50"),
                Some(snapshot(&before)),
                0,
                RetryPolicy::NEVER,
            );
            let mut answers = vec![(EndpointId::UserHistory, 200, history(&after))];
            let done = drive(&mut s, &mut answers);
            assert_eq!(done.state, want, "{after:?}: {}", done.reason);
        }
        let mut s = Settle::new(manual("1"), None, 0, RetryPolicy::NEVER);
        let done = drive(&mut s, &mut Vec::new());
        assert_eq!(done.state, SettleState::Undetermined);
        assert!(done.evidence.is_empty());
    }

    #[test]
    fn several_items_of_one_user_in_a_batch_settle_together() {
        let before = [("2024-05-17 10:00:00", "500")];
        let with_sibling = |amount: &str| Snapshot {
            siblings: vec![Decimal::from_str_exact(amount).unwrap()],
            ..snapshot(&before)
        };
        let cases = [
            // Nothing new: neither landed.
            (
                vec![("2024-05-17 10:00:00", "500")],
                "100",
                SettleState::NotApplied,
            ),
            // Both landed.
            (
                vec![
                    ("2024-05-17 10:00:00", "500"),
                    ("2024-05-17 11:00:00", "100"),
                    ("2024-05-17 11:00:00", "100"),
                ],
                "100",
                SettleState::Applied,
            ),
            // One of two equal amounts landed: either item's; never "applied".
            (
                vec![
                    ("2024-05-17 10:00:00", "500"),
                    ("2024-05-17 11:00:00", "100"),
                ],
                "100",
                SettleState::Undetermined,
            ),
            // One of two different amounts landed (ours): still can't tell the
            // request's fate for the other; undetermined, not a guess.
            (
                vec![
                    ("2024-05-17 10:00:00", "500"),
                    ("2024-05-17 11:00:00", "2500.50"),
                ],
                "100",
                SettleState::Undetermined,
            ),
        ];
        for (after, sibling, want) in cases {
            let mut s = Settle::new(
                manual(if sibling == "100" && want != SettleState::Undetermined {
                    "100"
                } else {
                    "2500.50"
                }),
                Some(with_sibling(sibling)),
                0,
                RetryPolicy::NEVER,
            );
            let mut answers = vec![(EndpointId::UserHistory, 200, history(&after))];
            let done = drive(&mut s, &mut answers);
            assert_eq!(done.state, want, "{after:?}: {}", done.reason);
        }
    }

    #[test]
    fn params_are_read_or_refused_by_field() {
        assert_eq!(
            MoneyMove::from_params(&json!({"type": "deposit", "user": "u"}))
                .unwrap_err()
                .field(),
            Some("amount")
        );
        assert_eq!(
            MoneyMove::from_params(&json!({"type": "x", "user": "u", "amount": "1"}))
                .unwrap_err()
                .field(),
            Some("type")
        );
        assert_eq!(
            MoneyMove::from_params(&json!({"type": "withdraw", "trans_id": "1", "user": "u"}))
                .unwrap_err()
                .field(),
            Some("action")
        );
    }
}
