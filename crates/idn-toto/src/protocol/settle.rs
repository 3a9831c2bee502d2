//! Settling an unknown outcome: a sans-IO state machine that finds out, with
//! reads only, whether a money move whose answer was lost took effect.
//!
//! The API has no idempotency keys, so after a timeout, a 5xx, a lost
//! connection or a damaged answer nobody knows whether the money moved.
//! Sending again could pay twice; not sending could pay never. [`Settle`]
//! asks for the reads that tell, in order, and ends in a [`Settlement`]:
//! `applied` (do not send again), `not_applied` (safe to send again) or
//! `undetermined`, always with its evidence. It never builds a money-moving
//! request.
//!
//! How it decides (the reasoning is in `docs/spec-notes.md`, 75-80 and
//! 120-129):
//! - **accept/reject**: after `settle_delay`, the pending list of its type.
//!   Gone: processed, by this request or another, so it must not be sent
//!   again: `applied`; the user's latest transaction of that type is read
//!   as further evidence (a deposit someone *rejected* is still `applied`,
//!   and its evidence says `rejected`). Still pending: read again after
//!   another `settle_delay`; still pending then: `not_applied`.
//! - **manual**: needs the user's history of that type read *before* the
//!   request was sent (a [`Snapshot`]). After `settle_delay`, the history is
//!   read again. Only `ACCEPT` entries of the move's exact amount that are
//!   new since its snapshot are evidence that it took effect; each entry is
//!   evidence for at most one move (the moves of one user and type settled
//!   together, oldest first). A move with such an entry is `applied`; one
//!   without any entry it could have made, in a history that shows the
//!   whole window since the snapshot, is read again after another
//!   `settle_delay` and is `not_applied` only if that read agrees; anything
//!   else is `undetermined`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::protocol::event::{Clock, Event};
use crate::protocol::exchange::{Answer, Exchange, ExchangeStep, NEVER_RECORDED};
use crate::protocol::retry::RetryPolicy;
use crate::schema::client::Client;
use crate::schema::endpoints::transaction_list::TransactionListParams;
use crate::schema::endpoints::user_history::UserHistoryParams;
use crate::schema::endpoints::user_last_transaction::UserLastTransactionParams;
use crate::schema::error::Error;
use crate::schema::history_entry::HistoryEntry;
use crate::schema::id::EndpointId;
use crate::schema::moves::MoneyMove;
use crate::schema::moves::{Action, TxType};
use crate::schema::params::Segment;
use crate::schema::request::Request;
use crate::schema::table::AnyResponse;
use crate::schema::unsettled::{Snapshot, Unsettled};
use crate::schema::wire::HistoryStatus;

/// Whether a move sent to `server` may be settled with `client`: `Ok(None)`
/// when it names this client's server, `Ok(Some(warning))` when it names
/// none (written by an older version), and an `invalid_request` error at
/// `server` when it names another one (`docs/spec-notes.md` 122-123).
pub(crate) fn check_server(
    server: Option<&str>,
    client: &Client,
    what: &str,
) -> Result<Option<String>, Error> {
    match server {
        Some(fp) if fp == client.fingerprint() => Ok(None),
        Some(fp) => Err(Error::invalid(
            "server",
            format!(
                "{what} was sent to another server (fingerprint {fp}; this client's is {}): settle it with a client of that server (the same base URL and token); nothing was read",
                client.fingerprint()
            ),
        )),
        None => Ok(Some(format!(
            "{what} names no server (written by an older version): it was settled against this client's server ({}) without a check that it was sent there",
            client.fingerprint()
        ))),
    }
}

/// How a settlement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SettleState {
    /// The server shows the effect of the request (or, for accept/reject,
    /// that the transaction was processed, by whomever): do not send again.
    Applied,
    /// The server shows, at two reads `settle_delay` apart, that it did not
    /// happen: safe to send again.
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

/// What one read showed about the move, as a closed set (the words are in
/// [`Evidence::showed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceKind {
    /// Accept/reject: the transaction is still in the pending list.
    Pending,
    /// Accept/reject: the transaction is no longer pending (processed, by
    /// whomever).
    Processed,
    /// An `ACCEPT` entry: money moved. Manual: a new entry of the move's
    /// amount, assigned to this move. Accept/reject: the user's latest
    /// transaction of that type.
    Accepted,
    /// A `REJECT` entry: no money moved. Accept/reject: the user's latest
    /// transaction of that type was rejected (for an accept: the deposit
    /// or withdrawal was most likely rejected by someone else, not
    /// credited or debited).
    Rejected,
    /// Manual: no new entry that this move could have made.
    NoEntry,
    /// What the read showed can't be read as the move's effect or its
    /// absence (entries it can't tell apart, an unknown status, a capped or
    /// reordered history, nothing on record).
    Unclear,
    /// The read failed.
    Failed,
}

impl EvidenceKind {
    /// The snake_case word.
    pub fn as_str(self) -> &'static str {
        match self {
            EvidenceKind::Pending => "pending",
            EvidenceKind::Processed => "processed",
            EvidenceKind::Accepted => "accepted",
            EvidenceKind::Rejected => "rejected",
            EvidenceKind::NoEntry => "no_entry",
            EvidenceKind::Unclear => "unclear",
            EvidenceKind::Failed => "failed",
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
    /// What it showed about the move, as a closed set.
    pub kind: EvidenceKind,
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
    /// What could not be checked (a move that names no server).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
}

impl Settlement {
    /// The canonical JSON form.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl From<ExchangeStep> for SettleStep {
    fn from(step: ExchangeStep) -> SettleStep {
        match step {
            ExchangeStep::Wait(ms) => SettleStep::Wait(ms),
            ExchangeStep::Send(request) => SettleStep::Send(request),
        }
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
    /// The read that decides: the pending list (accept/reject) or the
    /// user's history (manual); the first one, or the confirming one.
    Decide,
    /// Accept/reject, gone from the pending list: the user's latest.
    Latest,
    /// A provisional `not_applied`: `settle_delay` is waited, then the
    /// deciding read is made again and must agree.
    Confirm,
    Done,
}

/// One move of a group settled together.
#[derive(Debug, Clone)]
struct Member {
    what: MoneyMove,
    snapshot: Option<Snapshot>,
    /// Its user is spelled otherwise (letter case) than the user whose
    /// history the group reads.
    alias: bool,
}

/// A state and why.
#[derive(Debug, Clone)]
struct Verdict {
    state: SettleState,
    reason: String,
}

impl Verdict {
    fn new(state: SettleState, reason: impl Into<String>) -> Verdict {
        Verdict {
            state,
            reason: reason.into(),
        }
    }
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
///
/// A move still pending (or a manual move without a new entry) is read
/// again after another `settle_delay`, and is `not_applied` only if that
/// read agrees.
#[derive(Debug, Clone)]
pub struct Settle {
    members: Vec<Member>,
    delay_ms: u64,
    policy: RetryPolicy,
    phase: Phase,
    /// The read being made, through the one exchange every operation uses
    /// (retries, `Retry-After`, events): from its first send until its
    /// result.
    read: Option<Exchange>,
    /// The reads' events, kept for a driver (`None`: not kept).
    events: Option<Vec<Event>>,
    /// Whether `response` events carry the body.
    bodies: bool,
    /// Every read, per member.
    evidence: Vec<Vec<Evidence>>,
    /// Deciding reads made so far (the first, then the confirming one).
    reads: u8,
    /// The verdicts of the first deciding read, while the confirming one
    /// is due.
    first: Option<Vec<Verdict>>,
    /// Accept/reject: the pending row's amount, when a read showed it.
    pending_amount: Option<Decimal>,
    /// Accept/reject gone from the pending list: the verdict, once the
    /// latest transaction has been read for evidence.
    verdict: Option<Verdict>,
    result: Option<Vec<Settlement>>,
}

impl Settle {
    /// Settles `what`. `snapshot` is the user's history of that type read
    /// before a manual move was sent (needed for manual moves; ignored for
    /// accept/reject). `settle_delay_ms` is waited before the first read
    /// and again before the read that must confirm a `not_applied` (the
    /// request may still be in flight on the server); failed reads are
    /// retried as `policy` says.
    pub fn new(
        what: MoneyMove,
        snapshot: Option<Snapshot>,
        settle_delay_ms: u64,
        policy: RetryPolicy,
    ) -> Settle {
        Settle::with_members(
            vec![Member {
                what,
                snapshot,
                alias: false,
            }],
            settle_delay_ms,
            policy,
        )
    }

    /// Settles what an unknown outcome carries (see [`Unsettled`]).
    pub fn from_unsettled(
        unsettled: &Unsettled,
        settle_delay_ms: u64,
        policy: RetryPolicy,
    ) -> Result<Settle, Error> {
        Ok(Settle::new(
            unsettled.money_move().clone(),
            unsettled.snapshot.clone(),
            settle_delay_ms,
            policy,
        ))
    }

    /// Manual moves of one user (letter case aside) and one type, settled
    /// together against one read of the history, in this order (the oldest
    /// first: an entry that could be either's is the older one's). Anything
    /// else is refused (accept/reject moves settle one by one).
    pub(crate) fn group(
        moves: Vec<(MoneyMove, Option<Snapshot>)>,
        settle_delay_ms: u64,
        policy: RetryPolicy,
    ) -> Result<Settle, Error> {
        let Some((first, _)) = moves.first() else {
            return Err(Error::invalid("moves", "there is nothing to settle"));
        };
        let (user, r#type) = (first.user().to_owned(), first.r#type());
        if moves.len() > 1
            && !moves.iter().all(|(m, _)| {
                matches!(m, MoneyMove::Manual { .. })
                    && m.r#type() == r#type
                    && m.user().eq_ignore_ascii_case(&user)
            })
        {
            return Err(Error::invalid(
                "moves",
                "only manual moves of one user and type are settled together",
            ));
        }
        let members = moves
            .into_iter()
            .map(|(what, snapshot)| Member {
                alias: what.user() != user,
                what,
                snapshot,
            })
            .collect();
        Ok(Settle::with_members(members, settle_delay_ms, policy))
    }

    fn with_members(members: Vec<Member>, delay_ms: u64, policy: RetryPolicy) -> Settle {
        Settle {
            evidence: vec![Vec::new(); members.len()],
            members,
            delay_ms,
            policy,
            phase: Phase::Delay,
            read: None,
            events: None,
            bodies: false,
            reads: 0,
            first: None,
            pending_amount: None,
            verdict: None,
            result: None,
        }
    }

    /// Keeps the reads' events for [`Settle::take_events`] (a driver
    /// reports them); `bodies`: `response` events carry the body.
    pub(crate) fn keep_events(&mut self, bodies: bool) {
        self.events = Some(Vec::new());
        self.bodies = bodies;
    }

    /// The reads' events since the last call (kept only after
    /// [`Settle::keep_events`]).
    pub(crate) fn take_events(&mut self) -> Vec<Event> {
        self.events.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// The read that awaits its answer.
    pub(crate) fn in_flight(&self) -> Option<&Request> {
        self.read
            .as_ref()
            .filter(|r| r.in_flight)
            .map(Exchange::request)
    }

    /// Whether the next step is the wait before the confirming read (a
    /// driver settling several groups waits it once for all of them).
    pub(crate) fn confirm_due(&self) -> bool {
        self.phase == Phase::Confirm && self.read.is_none()
    }

    /// The wait before the confirming read was waited by the driver.
    pub(crate) fn skip_confirm_wait(&mut self) {
        if self.phase == Phase::Confirm {
            self.phase = Phase::Decide;
        }
    }

    /// Every member's settlement, in the group's order, once done.
    pub(crate) fn settlements(&self) -> Option<&[Settlement]> {
        self.result.as_deref()
    }

    fn manual(&self) -> bool {
        matches!(self.members[0].what, MoneyMove::Manual { .. })
    }

    /// What to do next.
    pub fn next(&mut self, client: &Client) -> SettleStep {
        if let Some(result) = self.result.as_ref().and_then(|r| r.first()) {
            return SettleStep::Done(result.clone());
        }
        if self.in_flight().is_some() {
            // Asked again without an answer: that send failed.
            self.record_answer(client, Err(NEVER_RECORDED), Clock::default());
            return self.next(client);
        }
        if let Some(read) = self.read.as_mut() {
            // A retry of the read: its wait, then the read again.
            let step = read.step();
            self.keep_events_of_read();
            return step.into();
        }
        match self.phase {
            Phase::Delay | Phase::Confirm => {
                let usable = !self.manual()
                    || self
                        .members
                        .iter()
                        .any(|m| m.snapshot.is_some() && !m.alias);
                if !usable {
                    let verdicts = self.members.iter().map(unusable).collect();
                    return self.finish(verdicts);
                }
                self.phase = Phase::Decide;
                if self.delay_ms > 0 {
                    return SettleStep::Wait(self.delay_ms);
                }
                self.next(client)
            }
            Phase::Decide | Phase::Latest => match self.read_request(client) {
                Ok(request) => {
                    self.read = Some(Exchange::new(request, self.bodies));
                    self.next(client)
                }
                Err(e) => {
                    let reason = format!("the read can't be built: {e}");
                    let verdicts = self
                        .members
                        .iter()
                        .map(|_| Verdict::new(SettleState::Undetermined, reason.clone()))
                        .collect();
                    self.finish(verdicts)
                }
            },
            Phase::Done => {
                let verdicts = self
                    .members
                    .iter()
                    .map(|_| {
                        Verdict::new(
                            SettleState::Undetermined,
                            "settling ended without a verdict",
                        )
                    })
                    .collect();
                self.finish(verdicts)
            }
        }
    }

    /// Records the answer to the read just sent.
    pub fn record_response(&mut self, client: &Client, status: u16, body: &[u8]) {
        self.record_answer(client, Ok((status, &[], body)), Clock::default());
    }

    /// Records that the read just sent failed in transport.
    pub fn record_transport_failure(&mut self, client: &Client, reason: &str) {
        self.record_answer(client, Err(reason), Clock::default());
    }

    /// Records the answer (status, headers, body) or the transport failure
    /// of the read just sent, through its exchange: a failed read is
    /// retried as the policy says (`Retry-After` honoured, as for a call);
    /// its result, once there is one, moves the settlement on.
    pub(crate) fn record_answer(&mut self, client: &Client, answer: Answer<'_>, clock: Clock) {
        let policy = self.policy;
        let Some(read) = self.read.as_mut().filter(|r| r.in_flight) else {
            return;
        };
        let done = read.record(client, &policy, answer, clock);
        self.keep_events_of_read();
        let Some(result) = done else {
            return;
        };
        let Some(read) = self.read.take() else {
            return;
        };
        let request = read.request();
        let outcome = match (self.phase, result) {
            (_, Err(e)) => Err(e),
            (Phase::Decide, Ok(AnyResponse::UserHistory(history))) if self.manual() => {
                self.on_history(request, history);
                Ok(())
            }
            (Phase::Decide, Ok(AnyResponse::TransactionList(list))) if !self.manual() => {
                self.on_pending(request, list);
                Ok(())
            }
            (Phase::Latest, Ok(AnyResponse::UserLastTransaction(latest))) => {
                self.on_latest(request, latest);
                Ok(())
            }
            (Phase::Delay | Phase::Confirm | Phase::Done, Ok(_)) => Ok(()),
            (_, Ok(other)) => Err(Error::decode(
                "$",
                format!("not the read settling asked for: {}", other.endpoint()),
            )),
        };
        if let Err(e) = outcome {
            self.read_failed(client, request, e);
        }
    }

    /// Moves the read's events into the kept ones (or drops them).
    fn keep_events_of_read(&mut self) {
        let Some(read) = self.read.as_mut() else {
            return;
        };
        let events = read.take_events();
        if let Some(kept) = self.events.as_mut() {
            kept.extend(events);
        }
    }

    fn read_request(&self, client: &Client) -> Result<Request, Error> {
        let what = &self.members[0].what;
        let user = Segment::new("user", what.user())?;
        let r#type = what.r#type();
        Ok(match self.phase {
            Phase::Latest => client.request(&UserLastTransactionParams { r#type, user }),
            _ if self.manual() => client.request(&UserHistoryParams { r#type, user }),
            _ => client.request(&TransactionListParams {
                r#type,
                bank: None,
                name: None,
            }),
        })
    }

    fn push_all(&mut self, request: &Request, kind: EvidenceKind, showed: &str, data: &Value) {
        for evidence in &mut self.evidence {
            evidence.push(Evidence {
                endpoint: request.endpoint(),
                url: request.redacted_url().to_owned(),
                kind,
                showed: showed.to_owned(),
                data: data.clone(),
            });
        }
    }

    /// A read failed for good (its exchange retried it as the policy
    /// says).
    fn read_failed(&mut self, client: &Client, request: &Request, error: Error) {
        let error = error.redacted(client);
        self.push_all(
            request,
            EvidenceKind::Failed,
            &format!("the read failed: {error}"),
            &error.to_json(),
        );
        if self.phase == Phase::Latest {
            // Only further evidence: the pending list already decided.
            if let Some(verdict) = self.verdict.take() {
                let _ = self.finish(vec![verdict]);
            }
            return;
        }
        let endpoint = request.endpoint();
        let verdicts = match self.first.take() {
            // The confirming read failed: what the first one showed stands,
            // except a `not_applied`, which needs both.
            Some(first) => first
                .into_iter()
                .zip(&self.members)
                .map(|(v, m)| match v.state {
                    SettleState::Applied | SettleState::Undetermined => v,
                    SettleState::NotApplied => Verdict::new(
                        SettleState::Undetermined,
                        format!(
                            "the first read showed no sign of the {}, but the second read of {endpoint}, which must agree before it is not_applied, failed",
                            m.what
                        ),
                    ),
                })
                .collect(),
            None => self
                .members
                .iter()
                .map(|m| {
                    Verdict::new(
                        SettleState::Undetermined,
                        format!(
                            "{endpoint} could not be read, so {} can't be settled",
                            m.what
                        ),
                    )
                })
                .collect(),
        };
        let _ = self.finish(verdicts);
    }

    fn on_pending(
        &mut self,
        request: &Request,
        list: crate::schema::endpoints::transaction_list::TransactionList,
    ) {
        let MoneyMove::AcceptReject { trans_id, .. } = &self.members[0].what else {
            return;
        };
        let trans_id = trans_id.clone();
        let found: Vec<&crate::schema::endpoints::transaction_list::PendingTransaction> =
            list.data.iter().filter(|t| t.id == trans_id).collect();
        let data = json!({
            "pending": list.data.len(),
            "matching": found.iter().map(|t| serde_json::to_value(t).unwrap_or(Value::Null)).collect::<Vec<_>>(),
        });
        self.reads += 1;
        let r#type = self.members[0].what.r#type().as_str();
        if let Some(row) = found.first() {
            self.pending_amount = Some(row.amount);
            self.push_all(
                request,
                EvidenceKind::Pending,
                &format!("transaction {trans_id} is still pending"),
                &data,
            );
            if self.reads == 1 {
                self.first = Some(vec![Verdict::new(SettleState::NotApplied, "")]);
                self.phase = Phase::Confirm;
            } else {
                let _ = self.finish(vec![Verdict::new(
                    SettleState::NotApplied,
                    format!(
                        "transaction {trans_id} was still pending at two reads {} ms apart: the request did not take effect and may be sent again",
                        self.delay_ms
                    ),
                )]);
            }
            return;
        }
        self.push_all(
            request,
            EvidenceKind::Processed,
            &format!(
                "transaction {trans_id} is no longer among the {} pending {type}s",
                list.data.len()
            ),
            &data,
        );
        let since = if self.reads > 1 {
            " (it was still pending at the first read: processed since, by this request arriving late or by someone else)"
        } else {
            ""
        };
        self.first = None;
        self.verdict = Some(Verdict::new(
            SettleState::Applied,
            format!(
                "transaction {trans_id} is no longer pending{since}: it was processed (by this request or another), so it must not be sent again"
            ),
        ));
        self.phase = Phase::Latest;
    }

    fn on_latest(
        &mut self,
        request: &Request,
        latest: crate::schema::endpoints::user_last_transaction::UserLastTransaction,
    ) {
        let what = self.members[0].what.clone();
        let r#type = what.r#type().as_str();
        let (showed, kind) = match &latest.data {
            Some(e) => (
                format!(
                    "the user's latest {type} is {} of {} at {}",
                    e.status.as_str(),
                    e.amount,
                    e.date
                ),
                match e.status {
                    HistoryStatus::Accept => EvidenceKind::Accepted,
                    HistoryStatus::Reject => EvidenceKind::Rejected,
                    _ => EvidenceKind::Unclear,
                },
            ),
            None => (
                format!("the user has no {type} on record"),
                EvidenceKind::Unclear,
            ),
        };
        let data = serde_json::to_value(&latest.data).unwrap_or(Value::Null);
        self.push_all(request, kind, &showed, &data);
        let Some(mut verdict) = self.verdict.take() else {
            return;
        };
        if let (MoneyMove::AcceptReject { action, .. }, Some(e)) = (&what, &latest.data) {
            let its = if self.pending_amount == Some(e.amount) {
                " of its amount"
            } else {
                ""
            };
            let moved = match what.r#type() {
                TxType::Deposit => "credited",
                TxType::Withdraw => "debited",
            };
            match (action, &e.status) {
                (Action::Accept, HistoryStatus::Reject) => verdict.reason.push_str(&format!(
                    "; but the user's latest {type} is a REJECT{its}: the {type} was most likely rejected (by someone else), not {moved}: no money moved"
                )),
                (Action::Reject, HistoryStatus::Accept) => verdict.reason.push_str(&format!(
                    "; but the user's latest {type} is an ACCEPT{its}: the {type} was most likely accepted (by someone else), not rejected: the money moved"
                )),
                _ => {}
            }
        }
        let _ = self.finish(vec![verdict]);
    }

    fn on_history(
        &mut self,
        request: &Request,
        history: crate::schema::endpoints::user_history::UserHistory,
    ) {
        self.reads += 1;
        let decisions = decide_history(&self.members, &history.data);
        let mut verdicts = Vec::with_capacity(decisions.len());
        for (evidence, d) in self.evidence.iter_mut().zip(decisions) {
            evidence.push(Evidence {
                endpoint: request.endpoint(),
                url: request.redacted_url().to_owned(),
                kind: d.kind,
                showed: d.showed,
                data: d.data,
            });
            verdicts.push(d.verdict);
        }
        let Some(first) = self.first.take() else {
            if verdicts.iter().any(|v| v.state == SettleState::NotApplied) {
                self.first = Some(verdicts);
                self.phase = Phase::Confirm;
            } else {
                let _ = self.finish(verdicts);
            }
            return;
        };
        let delay = self.delay_ms;
        let verdicts = first
            .into_iter()
            .zip(verdicts)
            .map(|(one, two)| match (one.state, two.state) {
                (SettleState::NotApplied, SettleState::NotApplied) => Verdict::new(
                    SettleState::NotApplied,
                    format!("{} (two reads {delay} ms apart agree)", two.reason),
                ),
                (SettleState::NotApplied, _) | (SettleState::Applied, SettleState::Applied) => two,
                (SettleState::Applied, _) => Verdict::new(
                    SettleState::Undetermined,
                    format!(
                        "the two reads disagree: the first showed that {}, the second that {}",
                        one.reason, two.reason
                    ),
                ),
                (SettleState::Undetermined, _) => one,
            })
            .collect();
        let _ = self.finish(verdicts);
    }

    fn finish(&mut self, verdicts: Vec<Verdict>) -> SettleStep {
        let settlements: Vec<Settlement> = verdicts
            .into_iter()
            .zip(std::mem::take(&mut self.evidence))
            .map(|(v, evidence)| Settlement {
                state: v.state,
                reason: v.reason,
                evidence,
                warnings: Vec::new(),
            })
            .collect();
        self.phase = Phase::Done;
        let first = settlements.first().cloned();
        self.result = Some(settlements);
        match first {
            Some(s) => SettleStep::Done(s),
            None => SettleStep::Wait(0),
        }
    }
}

/// Why a member can't be settled from the history: no snapshot, another
/// spelling of the user, or (the only case left once a history was read)
/// entries of its snapshot missing from the history.
fn unusable(m: &Member) -> Verdict {
    let reason = if m.snapshot.is_none() {
        "no history snapshot was taken before the manual transaction was sent, so a new entry can't be told from an old one".to_owned()
    } else if m.alias {
        format!(
            "the user is also named in another spelling by moves settled with this one ({}): whether the server reads them as one user can't be told",
            m.what.user()
        )
    } else {
        "entries of the history read before it was sent are missing from the new one (a capped or reordered history): the two can't be compared".to_owned()
    };
    Verdict::new(SettleState::Undetermined, reason)
}

/// What one history read says about one member.
struct Decision {
    verdict: Verdict,
    kind: EvidenceKind,
    showed: String,
    data: Value,
}

/// The verdicts one read of the history gives a group of manual moves
/// (`docs/spec-notes.md` 120, 121, 125):
///
/// - only `ACCEPT` entries of the move's exact amount that are new since
///   its snapshot are evidence that it took effect (`REJECT` entries are
///   never evidence; an entry of another status can be neither proof nor
///   ruled out);
/// - each entry is evidence for at most one move: a maximum matching of
///   moves to entries, built in order (the snapshot's batch siblings first,
///   then moves without a usable snapshot, then the others oldest first,
///   each trying entries in the server's order, an augmenting path never
///   unassigning an earlier move). A move matched there is `applied`;
/// - a move that no entry (of that amount and not `REJECT`) could explain
///   even if no sibling took one, in a history listed newest first whose
///   snapshot entries are all still there, is `not_applied` (provisional:
///   the read is made again); any other is `undetermined`.
fn decide_history(members: &[Member], after: &[HistoryEntry]) -> Vec<Decision> {
    let r#type = members[0].what.r#type().as_str();
    let newest_first =
        |entries: &[HistoryEntry]| entries.windows(2).all(|w| w[0].date >= w[1].date);
    let ordered = newest_first(after);
    let amount = |m: &Member| match &m.what {
        MoneyMove::Manual { amount, .. } => *amount,
        MoneyMove::AcceptReject { .. } => Decimal::ZERO,
    };
    let strict =
        |j: &usize, a: Decimal| after[*j].status == HistoryStatus::Accept && after[*j].amount == a;
    let loose =
        |j: &usize, a: Decimal| after[*j].status != HistoryStatus::Reject && after[*j].amount == a;
    // Per member: the entries new since its snapshot, when it can be
    // compared (a snapshot, the group's spelling, nothing missing).
    let views: Vec<Option<Vec<usize>>> = members
        .iter()
        .map(|m| match (&m.snapshot, m.alias) {
            (Some(s), false) => {
                let new = new_indices(&s.entries, after);
                (s.entries.len() + new.len() <= after.len()).then_some(new)
            }
            _ => None,
        })
        .collect();

    // Batch siblings not settled here: per batch (the same snapshot and the
    // same amounts), its amounts minus those of the members from it.
    let mut families: Vec<(usize, Vec<Decimal>, Vec<Decimal>)> = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let (Some(s), Some(_)) = (&m.snapshot, &views[i]) else {
            continue;
        };
        if s.siblings.is_empty() && s.claimed.is_empty() {
            continue;
        }
        let mut pool = s.siblings.clone();
        pool.extend(s.claimed.iter().copied());
        pool.push(amount(m));
        pool.sort();
        let same = |f: &(usize, Vec<Decimal>, Vec<Decimal>)| {
            f.1 == pool
                && members[f.0]
                    .snapshot
                    .as_ref()
                    .is_some_and(|o| o.entries == s.entries)
        };
        match families.iter_mut().find(|f| same(f)) {
            Some(f) => f.2.push(amount(m)),
            None => families.push((i, pool, vec![amount(m)])),
        }
    }
    let mut all: Vec<Vec<usize>> = Vec::new();
    // Siblings the journal shows took effect: each surely made an entry,
    // so each takes one before any member is counted as explained.
    let mut certain: Vec<Vec<usize>> = Vec::new();
    for (first, pool, taken) in &families {
        let mut rest = pool.clone();
        for a in taken {
            if let Some(k) = rest.iter().position(|b| b == a) {
                rest.remove(k);
            }
        }
        let new = views[*first].as_deref().unwrap_or_default();
        for b in rest {
            all.push(new.iter().copied().filter(|j| loose(j, b)).collect());
        }
        if let Some(s) = &members[*first].snapshot {
            for &b in &s.claimed {
                certain.push(new.iter().copied().filter(|j| loose(j, b)).collect());
            }
        }
    }
    // Moves that can't be compared may have made any entry of their amount.
    for (i, m) in members.iter().enumerate() {
        if views[i].is_none() {
            all.push((0..after.len()).filter(|j| loose(j, amount(m))).collect());
        }
    }
    let real: Vec<usize> = (0..members.len()).filter(|i| views[*i].is_some()).collect();
    let offset = all.len();
    for &i in &real {
        let new = views[i].as_deref().unwrap_or_default();
        all.push(
            new.iter()
                .copied()
                .filter(|j| strict(j, amount(&members[i])))
                .collect(),
        );
    }
    let assigned = assign(&all, after.len());
    let sure = certain.len();
    let possible: Vec<Vec<usize>> = certain
        .into_iter()
        .chain(real.iter().map(|&i| {
            let new = views[i].as_deref().unwrap_or_default();
            new.iter()
                .copied()
                .filter(|j| loose(j, amount(&members[i])))
                .collect()
        }))
        .collect();
    let explained = assign(&possible, after.len());

    let entry = |j: usize| serde_json::to_value(&after[j]).unwrap_or(Value::Null);
    members
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let a = amount(m);
            let new = views[i].as_deref();
            let before = m.snapshot.as_ref().map_or(0, |s| s.entries.len());
            let new_count = new.map_or(0, <[usize]>::len);
            let showed = format!(
                "the user's {type} history had {before} entries before and has {} now ({new_count} new)",
                after.len()
            );
            let data = |assigned: Option<usize>| {
                json!({
                    "before": before,
                    "after": after.len(),
                    "new": new.unwrap_or_default().iter().map(|&j| entry(j)).collect::<Vec<_>>(),
                    "assigned": assigned.map(entry),
                    "newest_first": ordered,
                })
            };
            let Some(k) = real.iter().position(|&r| r == i) else {
                return Decision {
                    verdict: unusable(m),
                    kind: EvidenceKind::Unclear,
                    showed,
                    data: data(None),
                };
            };
            if let Some(j) = assigned[offset + k] {
                let e = &after[j];
                return Decision {
                    verdict: Verdict::new(
                        SettleState::Applied,
                        format!(
                            "a new ACCEPT of {} at {} in the user's {type} history, not explained by another move settled with this one: the manual {type} took effect",
                            e.amount, e.date
                        ),
                    ),
                    kind: EvidenceKind::Accepted,
                    showed: format!("{showed}: an ACCEPT of {} at {} is this move's", e.amount, e.date),
                    data: data(Some(j)),
                };
            }
            let new = new.unwrap_or_default();
            let whole = ordered && m.snapshot.as_ref().is_some_and(|s| newest_first(&s.entries));
            let (verdict, kind) = if explained[sure + k].is_none() && whole {
                (
                    Verdict::new(
                        SettleState::NotApplied,
                        format!(
                            "no new ACCEPT of {a} in the user's {type} history that another move settled with this one does not account for: the manual {type} did not take effect and may be sent again"
                        ),
                    ),
                    EvidenceKind::NoEntry,
                )
            } else if explained[sure + k].is_none() {
                (
                    Verdict::new(
                        SettleState::Undetermined,
                        format!(
                            "no new entry of {a}, but the history is not listed newest first, so entries made after the snapshot may have been cut off the end of a capped answer"
                        ),
                    ),
                    EvidenceKind::Unclear,
                )
            } else if let Some(j) = new.iter().find(|j| loose(j, a) && !strict(j, a)) {
                (
                    Verdict::new(
                        SettleState::Undetermined,
                        format!(
                            "a new entry of {a} has the status {}, neither ACCEPT nor REJECT: whether it is this move's can't be told",
                            after[*j].status
                        ),
                    ),
                    EvidenceKind::Unclear,
                )
            } else {
                (
                    Verdict::new(
                        SettleState::Undetermined,
                        format!(
                            "the new ACCEPT entries of {a} are fewer than the moves that could have made them (other moves of this user settled with it, or other items of its batch): which ones took effect can't be told"
                        ),
                    ),
                    EvidenceKind::Unclear,
                )
            };
            Decision {
                verdict,
                kind,
                showed,
                data: data(None),
            }
        })
        .collect()
}

/// A maximum matching of `candidates` (per left vertex, in priority order:
/// entry indices below `entries`, in the order tried) to entries: each
/// left vertex in turn looks for an augmenting path, so one matched stays
/// matched. Iterative (no recursion on large groups).
fn assign(candidates: &[Vec<usize>], entries: usize) -> Vec<Option<usize>> {
    let mut owner: Vec<Option<usize>> = vec![None; entries];
    let mut got: Vec<Option<usize>> = vec![None; candidates.len()];
    for start in 0..candidates.len() {
        let mut seen = vec![false; entries];
        // Frames (left vertex, next candidate to try); `path` holds the
        // edge that led to each frame above the first.
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        let mut path: Vec<(usize, usize)> = Vec::new();
        while let Some(top) = stack.last_mut() {
            let (left, pos) = *top;
            let Some(&j) = candidates[left].get(pos) else {
                stack.pop();
                path.pop();
                continue;
            };
            top.1 += 1;
            if j >= entries || seen[j] {
                continue;
            }
            seen[j] = true;
            path.push((left, j));
            match owner[j] {
                None => {
                    for &(l, e) in &path {
                        owner[e] = Some(l);
                        got[l] = Some(e);
                    }
                    break;
                }
                Some(other) => stack.push((other, 0)),
            }
        }
    }
    got
}

/// The indices of the entries of `after` that are not in `before`, each
/// entry of `before` accounting for one equal entry of `after` (date,
/// amount and status).
fn new_indices(before: &[HistoryEntry], after: &[HistoryEntry]) -> Vec<usize> {
    use std::collections::HashMap;
    let mut count: HashMap<(&chrono::NaiveDateTime, Decimal, &str), usize> = HashMap::new();
    for b in before {
        *count
            .entry((&b.date, b.amount.normalize(), b.status.as_str()))
            .or_default() += 1;
    }
    let mut new = Vec::new();
    for (j, e) in after.iter().enumerate() {
        match count.get_mut(&(&e.date, e.amount.normalize(), e.status.as_str())) {
            Some(n) if *n > 0 => *n -= 1,
            _ => new.push(j),
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

    /// Drives `settle` with canned answers (endpoint, status, body), taken
    /// in order; returns the settlements and the waits asked for.
    fn run(settle: &mut Settle, answers: &mut Vec<(EndpointId, u16, String)>) -> Vec<u64> {
        let c = client();
        let mut waits = Vec::new();
        for _ in 0..40 {
            match settle.next(&c) {
                SettleStep::Wait(ms) => waits.push(ms),
                SettleStep::Send(request) => {
                    assert!(request.is_idempotent(), "settling sent a money move");
                    assert!(!answers.is_empty(), "one read too many: {request}");
                    let (id, status, body) = answers.remove(0);
                    assert_eq!(request.endpoint(), id);
                    settle.record_response(&c, status, body.as_bytes());
                }
                SettleStep::Done(_) => return waits,
            }
        }
        panic!("settling never ended");
    }

    fn drive(settle: &mut Settle, answers: &mut Vec<(EndpointId, u16, String)>) -> Settlement {
        run(settle, answers);
        settle.settlements().unwrap()[0].clone()
    }

    fn accept() -> MoneyMove {
        MoneyMove::from_params(&json!({"type": "deposit", "trans_id": "T1", "user": "LOREM", "action": "accept", "comment": "c", "operator": "o"})).unwrap()
    }

    const ROW: &str = r#"{"id":"T1","user":"LOREM","date":"23-02-2021 15:38:48","type":"deposit","amount":"1000"}"#;

    fn pending() -> (EndpointId, u16, String) {
        (
            EndpointId::TransactionList,
            200,
            format!(r#"{{"1":{ROW}}}"#),
        )
    }

    fn latest(status: &str) -> (EndpointId, u16, String) {
        (
            EndpointId::UserLastTransaction,
            200,
            format!(
                r#"{{"success":true,"user":"lorem","data":{{"date":"2024-05-17 10:00:00","amount":"1000","status":"{status}"}}}}"#
            ),
        )
    }

    #[test]
    fn still_pending_twice_is_not_applied_and_the_delay_comes_first() {
        let c = client();
        let mut s = Settle::new(accept(), None, 5_000, RetryPolicy::NEVER);
        assert!(matches!(s.next(&c), SettleStep::Wait(5_000)));
        let mut answers = vec![pending(), pending()];
        let waits = run(&mut s, &mut answers);
        assert_eq!(waits, [5_000], "the delay again before the second read");
        let done = s.settlements().unwrap()[0].clone();
        assert_eq!(done.state, SettleState::NotApplied);
        assert_eq!(done.evidence.len(), 2);
        assert!(done.evidence[0].showed.contains("still pending"));
        assert_eq!(done.evidence[1].kind, EvidenceKind::Pending);
        assert!(!serde_json::to_string(&done).unwrap().contains("S3CR3T"));
    }

    /// S4: the request lands after the first read (the server was still
    /// working on it): the second read sees it processed.
    #[test]
    fn a_move_that_lands_between_the_two_reads_is_applied() {
        let mut s = Settle::new(accept(), None, 1_000, RetryPolicy::NEVER);
        let mut answers = vec![
            pending(),
            (EndpointId::TransactionList, 200, "{}".into()),
            latest("ACCEPT"),
        ];
        let waits = run(&mut s, &mut answers);
        assert_eq!(waits, [1_000, 1_000]);
        let done = s.settlements().unwrap()[0].clone();
        assert_eq!(done.state, SettleState::Applied, "{}", done.reason);
        assert!(done.reason.contains("still pending at the first read"));
        let kinds: Vec<EvidenceKind> = done.evidence.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                EvidenceKind::Pending,
                EvidenceKind::Processed,
                EvidenceKind::Accepted
            ]
        );
        // The second read failing leaves it undetermined.
        let mut s = Settle::new(accept(), None, 0, RetryPolicy::NEVER);
        let mut answers = vec![pending(), (EndpointId::TransactionList, 500, String::new())];
        let done = drive(&mut s, &mut answers);
        assert_eq!(done.state, SettleState::Undetermined, "{}", done.reason);
        assert_eq!(done.evidence[1].kind, EvidenceKind::Failed);
    }

    #[test]
    fn gone_from_pending_is_applied_with_the_latest_as_evidence() {
        let mut s = Settle::new(accept(), None, 0, RetryPolicy::NEVER);
        let mut answers = vec![
            (EndpointId::TransactionList, 200, "{}".into()),
            latest("ACCEPT"),
        ];
        let done = drive(&mut s, &mut answers);
        assert_eq!(done.state, SettleState::Applied);
        assert_eq!(done.evidence.len(), 2);
        assert!(
            done.evidence[1].showed.contains("ACCEPT of 1000"),
            "{:?}",
            done.evidence[1]
        );
        assert_eq!(done.evidence[1].kind, EvidenceKind::Accepted);
        assert!(!done.reason.contains("rejected"));
    }

    /// S6: an accept whose deposit someone else rejected meanwhile: still
    /// `applied` (do not send again), but the evidence says `rejected`.
    #[test]
    fn an_accept_whose_deposit_was_rejected_says_so() {
        let mut s = Settle::new(accept(), None, 0, RetryPolicy::NEVER);
        let mut answers = vec![
            pending(),
            (EndpointId::TransactionList, 200, "{}".into()),
            latest("REJECT"),
        ];
        let done = drive(&mut s, &mut answers);
        assert_eq!(done.state, SettleState::Applied);
        assert_eq!(done.evidence[2].kind, EvidenceKind::Rejected);
        assert_eq!(done.to_json()["evidence"][2]["kind"], "rejected");
        assert!(
            done.reason
                .contains("REJECT of its amount: the deposit was most likely rejected (by someone else), not credited"),
            "{}",
            done.reason
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

    fn history_of(entries: &[(&str, &str, &str)]) -> String {
        let rows: Vec<String> = entries
            .iter()
            .map(|(date, amount, status)| {
                format!(r#"{{"date":"{date}","amount":"{amount}","status":"{status}"}}"#)
            })
            .collect();
        format!(
            r#"{{"success":true,"user":"lorem","data":[{}]}}"#,
            rows.join(",")
        )
    }

    fn history(entries: &[(&str, &str)]) -> String {
        let e: Vec<(&str, &str, &str)> = entries.iter().map(|(d, a)| (*d, *a, "ACCEPT")).collect();
        history_of(&e)
    }

    fn snapshot(entries: &[(&str, &str)]) -> Snapshot {
        let h: crate::schema::endpoints::user_history::UserHistory =
            <crate::schema::endpoints::user_history::UserHistoryParams as crate::schema::endpoint::Endpoint>::parse(200, history(entries).as_bytes())
                .unwrap();
        Snapshot::new(h.data)
    }

    fn manual(amount: &str) -> MoneyMove {
        MoneyMove::from_params(&json!({"type": "deposit", "user": "LOREM", "amount": amount, "comment": "c", "operator": "o"})).unwrap()
    }

    fn hist(body: String) -> (EndpointId, u16, String) {
        (EndpointId::UserHistory, 200, body)
    }

    /// One manual move against the same history read twice.
    fn settle_one(before: &[(&str, &str)], after: &str, amount: &str) -> Settlement {
        let mut s = Settle::new(
            manual(amount),
            Some(snapshot(before)),
            0,
            RetryPolicy::NEVER,
        );
        let mut answers = vec![hist(after.to_owned()), hist(after.to_owned())];
        drive(&mut s, &mut answers)
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
                    ("2024-05-17 11:00:00", "2500.50"),
                    ("2024-05-17 10:00:00", "500"),
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
            // An entry of another amount is not this move.
            (
                vec![("2024-05-17 11:00:00", "9"), ("2024-05-17 10:00:00", "500")],
                SettleState::NotApplied,
            ),
            // Two of its amount: one is evidence for it (the other is
            // someone else's, spec-notes 129).
            (
                vec![
                    ("2024-05-17 11:00:01", "2500.50"),
                    ("2024-05-17 11:00:00", "2500.50"),
                    ("2024-05-17 10:00:00", "500"),
                ],
                SettleState::Applied,
            ),
            // The snapshot's entry is gone: can't be compared.
            (
                vec![("2024-05-17 11:00:00", "2500.50")],
                SettleState::Undetermined,
            ),
        ];
        for (after, want) in cases {
            let done = settle_one(&before, &history(&after), "2500.50");
            assert_eq!(done.state, want, "{after:?}: {}", done.reason);
        }
        let mut s = Settle::new(manual("1"), None, 0, RetryPolicy::NEVER);
        let done = drive(&mut s, &mut Vec::new());
        assert_eq!(done.state, SettleState::Undetermined);
        assert!(done.evidence.is_empty());
    }

    /// S1: a REJECT of the move's amount is no credit; an unknown status
    /// can't be ruled out.
    #[test]
    fn only_an_accept_of_the_amount_is_evidence() {
        let before = [("2024-05-17 10:00:00", "500")];
        let rejected = history_of(&[
            ("2024-05-17 11:00:00", "1000000", "REJECT"),
            ("2024-05-17 10:00:00", "500", "ACCEPT"),
        ]);
        let done = settle_one(&before, &rejected, "1000000");
        assert_eq!(done.state, SettleState::NotApplied, "{}", done.reason);
        assert_eq!(done.evidence[0].kind, EvidenceKind::NoEntry);
        let odd = history_of(&[
            ("2024-05-17 11:00:00", "1000000", "PROCESSING"),
            ("2024-05-17 10:00:00", "500", "ACCEPT"),
        ]);
        let done = settle_one(&before, &odd, "1000000");
        assert_eq!(done.state, SettleState::Undetermined, "{}", done.reason);
        assert!(done.reason.contains("PROCESSING"));
    }

    /// S5: a history answered oldest first (capped: what came after the
    /// snapshot is cut off) can't show that nothing came.
    #[test]
    fn a_history_not_listed_newest_first_proves_no_absence() {
        let before = [("2024-05-17 10:00:00", "500"), ("2024-05-17 11:00:00", "7")];
        let same = history(&before);
        let done = settle_one(&before, &same, "2500.50");
        assert_eq!(done.state, SettleState::Undetermined, "{}", done.reason);
        assert!(done.reason.contains("newest first"), "{}", done.reason);
        // Oldest first and the entry in view: still applied.
        let grown = history(&[
            ("2024-05-17 10:00:00", "500"),
            ("2024-05-17 11:00:00", "7"),
            ("2024-05-17 12:00:00", "2500.50"),
        ]);
        let done = settle_one(&before, &grown, "2500.50");
        assert_eq!(done.state, SettleState::Applied, "{}", done.reason);
    }

    fn group(moves: Vec<(&str, Snapshot)>) -> Settle {
        Settle::group(
            moves
                .into_iter()
                .map(|(a, s)| (manual(a), Some(s)))
                .collect(),
            0,
            RetryPolicy::NEVER,
        )
        .unwrap()
    }

    fn states(s: &Settle) -> Vec<SettleState> {
        s.settlements().unwrap().iter().map(|x| x.state).collect()
    }

    /// S2: one entry is evidence for at most one move.
    #[test]
    fn one_entry_settles_one_move_of_a_group() {
        let before = [("2024-05-17 10:00:00", "100")];
        let one = history(&[
            ("2024-05-17 11:00:00", "500"),
            ("2024-05-17 10:00:00", "100"),
        ]);
        let mut s = group(vec![("500", snapshot(&before)), ("500", snapshot(&before))]);
        run(&mut s, &mut vec![hist(one.clone()), hist(one)]);
        assert_eq!(
            states(&s),
            [SettleState::Applied, SettleState::NotApplied],
            "the oldest move takes the entry"
        );
        let two = history(&[
            ("2024-05-17 11:00:01", "500"),
            ("2024-05-17 11:00:00", "500"),
            ("2024-05-17 10:00:00", "100"),
        ]);
        let mut s = group(vec![("500", snapshot(&before)), ("500", snapshot(&before))]);
        run(&mut s, &mut vec![hist(two)]);
        assert_eq!(states(&s), [SettleState::Applied, SettleState::Applied]);
        // The second move's snapshot already shows the first one's entry:
        // a later entry is the second's, the earlier one the first's (an
        // augmenting path moves the first move's claim).
        let later = [
            ("2024-05-17 11:00:00", "500"),
            ("2024-05-17 10:00:00", "100"),
        ];
        let both = history(&[
            ("2024-05-17 12:00:00", "500"),
            ("2024-05-17 11:00:00", "500"),
            ("2024-05-17 10:00:00", "100"),
        ]);
        let mut s = group(vec![("500", snapshot(&before)), ("500", snapshot(&later))]);
        run(&mut s, &mut vec![hist(both)]);
        assert_eq!(states(&s), [SettleState::Applied, SettleState::Applied]);
        let none = history(&before);
        let mut s = group(vec![("500", snapshot(&before)), ("500", snapshot(&later))]);
        run(&mut s, &mut vec![hist(none.clone()), hist(none)]);
        // The second's snapshot is missing the first's entry: that history
        // can't be compared; the first saw nothing.
        assert_eq!(
            states(&s),
            [SettleState::NotApplied, SettleState::Undetermined]
        );
    }

    /// The same user in another letter case may be another user (or not):
    /// such a move is never `not_applied`, and its possible entry is kept
    /// from the others.
    #[test]
    fn another_spelling_of_the_user_is_undetermined() {
        let before = [("2024-05-17 10:00:00", "100")];
        let one = history(&[
            ("2024-05-17 11:00:00", "500"),
            ("2024-05-17 10:00:00", "100"),
        ]);
        let lower = MoneyMove::from_params(&json!({"type": "deposit", "user": "lorem", "amount": "500", "comment": "c", "operator": "o"})).unwrap();
        let mut s = Settle::group(
            vec![
                (manual("500"), Some(snapshot(&before))),
                (lower, Some(snapshot(&before))),
            ],
            0,
            RetryPolicy::NEVER,
        )
        .unwrap();
        run(&mut s, &mut vec![hist(one)]);
        assert_eq!(
            states(&s),
            [SettleState::Undetermined, SettleState::Undetermined]
        );
        assert!(s.settlements().unwrap()[1].reason.contains("spelling"));
        assert!(Settle::group(
            vec![(manual("1"), None), (accept(), None)],
            0,
            RetryPolicy::NEVER
        )
        .is_err());
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
                    ("2024-05-17 11:00:00", "100"),
                    ("2024-05-17 11:00:00", "100"),
                    ("2024-05-17 10:00:00", "500"),
                ],
                "100",
                SettleState::Applied,
            ),
            // One of two equal amounts landed: either item's; never "applied".
            (
                vec![
                    ("2024-05-17 11:00:00", "100"),
                    ("2024-05-17 10:00:00", "500"),
                ],
                "100",
                SettleState::Undetermined,
            ),
            // An entry of this item's amount, not the sibling's: this one's.
            (
                vec![
                    ("2024-05-17 11:00:00", "2500.50"),
                    ("2024-05-17 10:00:00", "500"),
                ],
                "2500.50",
                SettleState::Applied,
            ),
        ];
        for (after, amount, want) in cases {
            let mut s = Settle::new(
                manual(amount),
                Some(with_sibling("100")),
                0,
                RetryPolicy::NEVER,
            );
            let mut answers = vec![hist(history(&after)), hist(history(&after))];
            let done = drive(&mut s, &mut answers);
            assert_eq!(done.state, want, "{after:?}: {}", done.reason);
        }
    }

    #[test]
    fn the_matching_is_a_maximum_one_and_keeps_earlier_claims() {
        // 0 can take e0 or e1, 1 only e0, 2 only e1: all three can't, and
        // the two earliest are kept.
        let got = assign(&[vec![0, 1], vec![0], vec![1]], 2);
        assert_eq!(got, [Some(1), Some(0), None]);
        let got = assign(&[vec![0], vec![0], vec![]], 1);
        assert_eq!(got, [Some(0), None, None]);
        // A long chain of reassignments (no recursion).
        let n = 20_000;
        let candidates: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i, i + 1] } else { vec![0] })
            .collect();
        let got = assign(&candidates, n);
        assert!(got.iter().all(Option::is_some));
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
        // A move's amount is a request's: read with the request's rules
        // (issue 21, spec-notes 181), as `Amount::parse` reads it.
        for bad in ["1e3", "-5", "0", "+5"] {
            let params = json!({"type": "deposit", "user": "u", "amount": bad});
            let e = MoneyMove::from_params(&params).unwrap_err();
            assert_eq!(e.field(), Some("amount"), "{bad}");
        }
        let m =
            MoneyMove::from_params(&json!({"type": "deposit", "user": "u", "amount": " 2500.50"}));
        assert!(
            matches!(m, Ok(MoneyMove::Manual { amount, .. }) if amount.to_string() == "2500.50"),
            "{m:?}"
        );
    }
}
