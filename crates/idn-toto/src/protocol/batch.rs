//! Any number of `multiple_transaction` items: split into requests of at most
//! 25, and one outcome per input item, in input order.

use serde::Serialize;
use serde_json::{json, Value};

use crate::protocol::exchange::NEVER_RECORDED;
use crate::schema::client::Client;
use crate::schema::endpoint::Endpoint;
use crate::schema::endpoints::multiple_transaction::{
    check_items, items_from_json, ItemReport, MultipleAnswer, MultipleItem,
    MultipleTransactionParams, MAX_ITEMS,
};
use crate::schema::endpoints::user_history::UserHistoryParams;
use crate::schema::error::{ApiErrorKind, Error};
use crate::schema::id::EndpointId;
use crate::schema::moves::{MoveParams, TxType};
use crate::schema::operation_key::OperationKey;
use crate::schema::params::{ParamReader, Segment};
use crate::schema::request::Request;
use crate::schema::unsettled::{Snapshot, Unsettled};
use crate::schema::wire;

/// What happened to one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
#[serde(rename_all = "snake_case")]
pub enum ItemStatus {
    /// The server processed it.
    Succeeded,
    /// The server refused it (see the message).
    Failed,
    /// It was never sent (an earlier request's outcome is unknown, so the
    /// batch stopped).
    NotSent,
    /// It was sent, but whether it was processed can't be known (timeout,
    /// network failure, 5xx, unreadable answer). Check before acting again.
    Unknown,
    /// Not sent: its operation key's move was done before (`succeeded`,
    /// or settled `applied`).
    AlreadyDone,
    /// Not sent: another live process holds its operation key.
    KeyInUse,
    /// Not sent: its operation key was used for another money move.
    KeyConflict,
    /// Not sent: an earlier attempt under its operation key could not be
    /// settled (the reads could not tell whether it took effect).
    Undetermined,
}

impl ItemStatus {
    /// Whether an item with this outcome stopped its batch: `unknown` (sent,
    /// its outcome not known) or `not_sent` (the batch stopped before it).
    /// A tool that sends a batch in parts (one [`Batch`] per part, for input
    /// too large to hold at once) sends no later part after a part with such
    /// an item.
    pub fn stops_batch(self) -> bool {
        matches!(self, ItemStatus::Unknown | ItemStatus::NotSent)
    }
}

/// The outcome of one input item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct ItemOutcome {
    /// The item's position in the input.
    pub index: usize,
    /// What happened.
    pub status: ItemStatus,
    /// The transaction ID (accept/reject items).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trans_id: Option<String>,
    /// The user.
    pub user: String,
    /// The server's message, or what went wrong.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// For items the server refused (`success: false`, or a failed entry in
    /// `data`): the refusal classified like [`Error::Api`]. `None` for HTTP
    /// 4xx failures, which are not API refusals.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_kind")]
    pub api_kind: Option<ApiErrorKind>,
    /// The item's canonical parameters (`type` included): with the snapshot,
    /// what settling an `unknown` item needs.
    #[cfg_attr(feature = "tsify", tsify(type = "Record<string, string>"))]
    pub params: MoveParams,
    /// For a manual item of a batch sent with snapshots: the user's history
    /// read before sending.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub snapshot: Option<Snapshot>,
    /// The server the item was sent to ([`Client::fingerprint`]); `None`
    /// for an item that never left.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub server: Option<String>,
    /// The item's journal id, when the batch was journaled (`{id}-{k}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(optional))]
    pub journal_id: Option<String>,
    /// The operation key the item was given, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "tsify", tsify(type = "string", optional))]
    pub key: Option<OperationKey>,
}

impl ItemOutcome {
    /// What settling this item needs, when its outcome is unknown (its
    /// journal id included).
    pub fn unsettled(&self) -> Option<Unsettled> {
        (self.status == ItemStatus::Unknown).then(|| Unsettled {
            endpoint: EndpointId::MultipleTransaction,
            params: self.params.clone(),
            snapshot: self.snapshot.clone(),
            server: self.server.clone(),
            journal_id: self.journal_id.clone(),
            key: self.key.clone(),
        })
    }
}

fn ser_kind<S: serde::Serializer>(k: &Option<ApiErrorKind>, s: S) -> Result<S::Ok, S::Error> {
    match k {
        Some(k) => s.serialize_str(k.as_str()),
        None => s.serialize_none(),
    }
}

/// The batch state machine. Drive it like this:
///
/// ```
/// # use idn_toto::{Batch, Client, TxType};
/// # let client = Client::new("https://agent.example.com/home.php", "T0KEN")?;
/// # let items = idn_toto::dynamic::batch_items(&serde_json::json!([
/// #   {"trans_id": "1", "user": "LOREM", "action": "accept", "comment": "ok", "operator": "OP01"}]))?;
/// let mut batch = Batch::new(TxType::Deposit, items)?;
/// while let Some(request) = batch.next_request(&client) {
///     // send `request`; on an answer:
///     batch.record_response(&client, 200, br#"{"success":true,"message":"All transactions has been successfully processed.","data":[]}"#);
///     // on a network error or timeout: batch.record_transport_failure(&client, "timed out");
/// }
/// let outcomes = batch.finish();
/// assert_eq!(outcomes[0].status, idn_toto::ItemStatus::Succeeded);
/// # Ok::<(), idn_toto::Error>(())
/// ```
///
/// A request whose outcome is unknown stops the batch: the items after it
/// are [`ItemStatus::NotSent`]. Nothing is ever sent twice.
#[derive(Debug, Clone)]
pub struct Batch {
    r#type: TxType,
    items: Vec<MultipleItem>,
    outcomes: Vec<Option<ItemOutcome>>,
    next_start: usize,
    /// The items of the request in flight (input indices, in request order).
    in_flight: Option<Vec<usize>>,
    stopped: bool,
    /// Manual items: the distinct users whose history is read first.
    users: Vec<String>,
    next_user: usize,
    /// The snapshot read in flight (an index into `users`).
    reading: Option<usize>,
    snapshots: Vec<(String, Snapshot)>,
    snapshot_failed: Option<String>,
    /// The fingerprint of the client the requests go through.
    server: Option<String>,
}

impl Batch {
    /// A batch from canonical JSON: `{"type": ..., "transaction": [...]}`
    /// with any number of items (what `dynamic::batch` reads).
    pub(crate) fn from_json(params: &Value) -> Result<Batch, Error> {
        let r = ParamReader::new(params, "")?;
        r.only(&["type", "transaction"])?;
        let t: TxType = r.tx_type()?;
        let items = items_from_json(r.array("transaction")?)?;
        Batch::new(t, items)
    }

    /// The items the next request would carry, when the next request is
    /// one of the batch's own (not a history read) and the batch has not
    /// stopped: the next (at most) 25 items without an outcome. What a
    /// driver claims the operation keys of before [`Batch::next_request`]
    /// builds that request; an item given an outcome meanwhile
    /// ([`Batch::resolve`]) is left out of it.
    pub(crate) fn upcoming(&self) -> Vec<usize> {
        let reads_left = self.snapshot_failed.is_none() && self.next_user < self.users.len();
        if self.stopped || reads_left || self.snapshot_failed.is_some() || self.in_flight.is_some()
        {
            return Vec::new();
        }
        (self.next_start..self.items.len())
            .filter(|&i| self.outcomes[i].is_none())
            .take(MAX_ITEMS)
            .collect()
    }

    /// Every item's money move, in input order.
    pub(crate) fn move_params(&self) -> impl Iterator<Item = MoveParams> + '_ {
        self.items.iter().map(|item| item.move_params(self.r#type))
    }

    /// What settling item `i` would need (its params and snapshot): what
    /// its journal intent holds.
    pub(crate) fn unsettled_of(&self, i: usize) -> Unsettled {
        Unsettled {
            endpoint: EndpointId::MultipleTransaction,
            params: self.items[i].move_params(self.r#type),
            snapshot: self.snapshot_of(i),
            server: self.server.clone(),
            journal_id: None,
            key: None,
        }
    }

    /// Gives item `i` an outcome without sending it (its operation key
    /// decided so): it is left out of every later request.
    pub(crate) fn resolve(&mut self, i: usize, status: ItemStatus, message: String) {
        if i < self.items.len() && self.outcomes[i].is_none() {
            self.set(i, status, Some(message), None);
        }
    }

    /// Checks every item (one form, no transaction twice) before anything
    /// is sent.
    pub fn new(r#type: TxType, items: Vec<MultipleItem>) -> Result<Batch, Error> {
        check_items(&items)?;
        Ok(Batch {
            r#type,
            outcomes: vec![None; items.len()],
            items,
            next_start: 0,
            in_flight: None,
            stopped: false,
            users: Vec::new(),
            next_user: 0,
            reading: None,
            snapshots: Vec::new(),
            snapshot_failed: None,
            server: None,
        })
    }

    /// Reads each user's history of the batch's type before any manual item
    /// is sent (one read per distinct user), so that an item whose outcome
    /// turns out unknown can be settled (see [`crate::Settle`]): its outcome
    /// carries the snapshot. The reads come first from
    /// [`Batch::next_request`], like the batch's own requests. If one fails,
    /// nothing is sent (every item `not_sent`, saying why), except when the
    /// read says the user doesn't exist (`User not found`): that user's
    /// items are then `failed` (`api_kind` `user_not_found`, never sent) and
    /// the others go on. Accept/reject batches need no snapshot; for them
    /// this does nothing.
    pub fn with_snapshots(mut self) -> Batch {
        if matches!(self.items.first(), Some(MultipleItem::Manual(_))) {
            let mut users: Vec<String> = Vec::new();
            for item in &self.items {
                if !users.iter().any(|u| u == item.user()) {
                    users.push(item.user().to_owned());
                }
            }
            self.users = users;
        }
        self
    }

    /// The items of the request [`Batch::next_request`] just gave (none
    /// while it reads snapshots): their index and what settling each would
    /// need. A journal writes its intents from these before the request
    /// leaves.
    pub fn sending(&self) -> Vec<(usize, Unsettled)> {
        let Some(indices) = &self.in_flight else {
            return Vec::new();
        };
        indices.iter().map(|&i| (i, self.unsettled_of(i))).collect()
    }

    /// The snapshot for item `i` (manual items of a batch read with
    /// snapshots): the user's history before the batch, and the amounts of
    /// the same user's other manual items in it.
    fn snapshot_of(&self, i: usize) -> Option<Snapshot> {
        let MultipleItem::Manual(item) = &self.items[i] else {
            return None;
        };
        let (_, snapshot) = self
            .snapshots
            .iter()
            .find(|(u, _)| u == item.user.as_str())?;
        let siblings = self
            .items
            .iter()
            .enumerate()
            .filter_map(|(k, other)| match other {
                MultipleItem::Manual(o) if k != i && o.user.as_str() == item.user.as_str() => {
                    Some(o.amount.value())
                }
                _ => None,
            })
            .collect();
        Some(Snapshot {
            siblings,
            ..Snapshot::new(snapshot.entries.clone())
        })
    }

    /// The number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are no items (never: `new` refuses an empty batch).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Item `i`'s outcome, once it has one.
    pub(crate) fn outcome(&self, i: usize) -> Option<&ItemOutcome> {
        self.outcomes.get(i)?.as_ref()
    }

    /// The number of requests a full run sends (at most: the items of a
    /// user the history read says doesn't exist are never sent).
    pub fn request_count(&self) -> usize {
        self.items.len().div_ceil(MAX_ITEMS)
    }

    /// The next request to send, or `None` when done (or stopped). Asking
    /// again before recording the previous answer marks that request's
    /// items unknown and stops the batch.
    pub fn next_request(&mut self, client: &Client) -> Option<Request> {
        self.server = Some(client.fingerprint().to_owned());
        if let Some(indices) = self.in_flight.take() {
            self.settle_unknown(&indices, NEVER_RECORDED.into());
        }
        if self.reading.take().is_some() {
            self.snapshot_failed = Some("a history read's answer was never recorded".into());
        }
        if self.snapshot_failed.is_none() && self.next_user < self.users.len() {
            let k = self.next_user;
            self.next_user += 1;
            match Segment::new("user", self.users[k].as_str()) {
                Ok(user) => {
                    self.reading = Some(k);
                    return Some(client.request(&UserHistoryParams {
                        r#type: self.r#type,
                        user,
                    }));
                }
                Err(e) => {
                    self.snapshot_failed = Some(format!(
                        "the history of {:?} can't be read: {e}",
                        self.users[k]
                    ))
                }
            }
        }
        if let Some(why) = self.snapshot_failed.clone() {
            if !self.stopped {
                self.stopped = true;
                let why = format!("not sent: {why}; without the history before sending, an unknown outcome could not be settled");
                for i in 0..self.items.len() {
                    if self.outcomes[i].is_none() {
                        self.set(i, ItemStatus::NotSent, Some(why.clone()), None);
                    }
                }
            }
            return None;
        }
        if self.stopped {
            return None;
        }
        // The next (at most) 25 items that have no outcome yet: an item
        // already failed (its user doesn't exist) is never sent.
        let mut indices = Vec::with_capacity(MAX_ITEMS);
        while indices.len() < MAX_ITEMS && self.next_start < self.items.len() {
            if self.outcomes[self.next_start].is_none() {
                indices.push(self.next_start);
            }
            self.next_start += 1;
        }
        if indices.is_empty() {
            return None;
        }
        // The items were checked in `new`, and 1..=25 of them are of one
        // form with no transaction twice: `new` cannot fail here.
        let items = indices.iter().map(|&i| self.items[i].clone()).collect();
        let params = MultipleTransactionParams::new(self.r#type, items).ok()?;
        self.in_flight = Some(indices);
        Some(params.request(client))
    }

    /// Records the answer to the last request.
    pub fn record_response(&mut self, client: &Client, status: u16, body: &[u8]) {
        if self.reading.is_some() {
            return self.record_history(client.parse::<UserHistoryParams>(status, body));
        }
        let Some(indices) = self.in_flight.take() else {
            return;
        };
        let parsed = client
            .check_body_size(MultipleTransactionParams::ID, body)
            .and_then(|()| {
                wire::parse::<MultipleAnswer>(MultipleTransactionParams::ID, status, body)
            });
        match parsed.map_err(|e| client.scrub_error(e, body)) {
            Ok(w) => self.settle(client, &indices, w),
            Err(e @ Error::OutcomeUnknown { .. }) => self.settle_unknown(&indices, e.to_string()),
            Err(e) => {
                // A definite refusal at the HTTP level (4xx): nothing done.
                // Not an API refusal, so no `api_kind`.
                for &i in &indices {
                    self.set(i, ItemStatus::Failed, Some(e.to_string()), None);
                }
            }
        }
    }

    /// Whether the request [`Batch::next_request`] just gave is a history
    /// read (a batch with snapshots).
    pub(crate) fn reading(&self) -> bool {
        self.reading.is_some()
    }

    /// The result of the history read in flight, once it has one: the one
    /// place a snapshot read's result is decided. A driver reads it through
    /// its exchange (retried as its policy says); a [`Batch`] driven alone
    /// reads it once. Errors are scrubbed of the token already.
    pub(crate) fn record_history(
        &mut self,
        result: Result<crate::schema::endpoints::user_history::UserHistory, Error>,
    ) {
        if let Some(k) = self.reading.take() {
            let user = self.users[k].clone();
            match result {
                Ok(history) => self.snapshots.push((user, Snapshot::new(history.data))),
                // The server says the user doesn't exist: a definite
                // answer about this user alone. Its items are refused
                // without being sent; the others go on.
                Err(Error::Api {
                    kind: ApiErrorKind::UserNotFound,
                    message,
                }) => {
                    let why = format!(
                        "not sent: the history read says the user doesn't exist ({message})"
                    );
                    for i in 0..self.items.len() {
                        if self.outcomes[i].is_none() && self.items[i].user() == user {
                            self.set(
                                i,
                                ItemStatus::Failed,
                                Some(why.clone()),
                                Some(ApiErrorKind::UserNotFound),
                            );
                        }
                    }
                }
                Err(e) => {
                    self.snapshot_failed =
                        Some(format!("the history of {user:?} could not be read ({e})"));
                }
            }
        }
    }

    /// Records that the last request failed in transport (network error,
    /// timeout): its items are unknown and the batch stops.
    pub fn record_transport_failure(&mut self, client: &Client, reason: &str) {
        if self.reading.is_some() {
            return self.record_history(Err(Error::Transport {
                reason: client.redact(reason),
            }));
        }
        if let Some(indices) = self.in_flight.take() {
            self.settle_unknown(
                &indices,
                format!("transport failure: {}", client.redact(reason)),
            );
        }
    }

    /// Records that the last request was never sent (the host gave up
    /// before it left: aborted, shutting down): its items are `not_sent`,
    /// and the batch stops. A history read is failed the same way.
    pub fn record_not_sent(&mut self, client: &Client, reason: &str) {
        if self.reading.is_some() {
            return self.record_transport_failure(client, reason);
        }
        if let Some(indices) = self.in_flight.take() {
            let why = format!("not sent: {}", client.redact(reason));
            for &i in &indices {
                self.set(i, ItemStatus::NotSent, Some(why.clone()), None);
            }
            self.stopped = true;
        }
    }

    /// Stops the batch before the last request left (its journal intent
    /// could not be written): that request's items and every item not sent
    /// yet are `not_sent`, saying `why`.
    pub(crate) fn stop_unsent(&mut self, client: &Client, why: &str) {
        self.in_flight = None;
        self.reading = None;
        self.stopped = true;
        let why = format!("not sent: {}", client.redact(why));
        for i in 0..self.items.len() {
            if self.outcomes[i].is_none() {
                self.set(i, ItemStatus::NotSent, Some(why.clone()), None);
            }
        }
    }

    /// One outcome per input item, in input order.
    pub fn finish(mut self) -> Vec<ItemOutcome> {
        if let Some(indices) = self.in_flight.take() {
            self.settle_unknown(&indices, NEVER_RECORDED.into());
        }
        for i in 0..self.items.len() {
            if self.outcomes[i].is_none() {
                self.set(i, ItemStatus::NotSent, None, None);
            }
        }
        self.outcomes.into_iter().flatten().collect()
    }

    fn settle_unknown(&mut self, indices: &[usize], why: String) {
        for &i in indices {
            self.set(i, ItemStatus::Unknown, Some(why.clone()), None);
        }
        self.stopped = true;
    }

    /// One outcome per item of the request (`indices`, in request order)
    /// from a read answer. An item gets a definite outcome only when the
    /// answer is complete and names it (or, complete and unrefused, names no
    /// failure that could be it); anything the answer leaves open is
    /// `unknown`.
    fn settle(&mut self, client: &Client, indices: &[usize], w: MultipleAnswer) {
        if let Some(why) = &w.contradictory {
            let why = format!("the answer contradicts itself: {why}");
            return self.settle_unknown(indices, client.redact(&why));
        }
        let chunk: Vec<&MultipleItem> = indices.iter().map(|&i| &self.items[i]).collect();
        let chunk = chunk.as_slice();
        let refused = w.success == Some(false);
        let mut named: Vec<Option<&ItemReport>> = vec![None; chunk.len()];
        let mut doubtful: Vec<Option<&'static str>> = vec![None; chunk.len()];
        // A failure the server reports that can be tied to none of our items
        // makes every item it does not name uncertain: any may be the one.
        // "partial ..." with no failure named: some item failed, unnamed.
        let mut unattributed = w
            .message
            .trim_start()
            .to_ascii_lowercase()
            .starts_with("partial")
            && !w.data.iter().any(|e| e.success != Some(true));
        for entry in &w.data {
            let (candidates, exact) = candidates(chunk, entry);
            match candidates.as_slice() {
                [k] if exact => {
                    if named[*k].is_some() {
                        doubtful[*k] = Some("the answer reports this item twice");
                    }
                    named[*k] = Some(entry);
                }
                [] => unattributed |= entry.success != Some(true),
                _ => {
                    for &k in &candidates {
                        doubtful[k] = Some(if exact {
                            "the answer reports a failure that could be this item or another (same user, no index)"
                        } else {
                            "the answer reports a failure whose index, transaction ID and user disagree"
                        });
                    }
                }
            }
        }
        let outcomes: Vec<(ItemStatus, String)> = (0..chunk.len())
            .map(|k| match (doubtful[k], named[k]) {
                (Some(why), _) => (ItemStatus::Unknown, format!("{}: {why}", w.message)),
                (None, Some(entry)) if entry.success == Some(true) => {
                    if let Some(why) = &w.incomplete {
                        (ItemStatus::Unknown, format!("{} ({why})", w.message))
                    } else if refused {
                        (
                            ItemStatus::Unknown,
                            format!("{}: a refusal that reports this item as a success", w.message),
                        )
                    } else {
                        (ItemStatus::Succeeded, entry.message.clone())
                    }
                }
                (None, Some(entry)) => (ItemStatus::Failed, entry.message.clone()),
                (None, None) => {
                    if let Some(why) = &w.incomplete {
                        (ItemStatus::Unknown, format!("{} ({why})", w.message))
                    } else if refused && w.data.is_empty() {
                        (ItemStatus::Failed, w.message.clone())
                    } else if refused {
                        (
                            ItemStatus::Unknown,
                            format!("{} (a refusal that names other items: this one may have been processed)", w.message),
                        )
                    } else if unattributed {
                        (
                            ItemStatus::Unknown,
                            format!("{} (the server reported a failure that matches no item of this request)", w.message),
                        )
                    } else {
                        (ItemStatus::Succeeded, w.message.clone())
                    }
                }
            })
            .collect();
        for (k, (status, message)) in outcomes.into_iter().enumerate() {
            // The server's text may echo the token.
            let message = client.redact(&message);
            let api_kind = (status == ItemStatus::Failed).then(|| ApiErrorKind::classify(&message));
            self.set(indices[k], status, Some(message), api_kind);
        }
    }

    fn set(
        &mut self,
        i: usize,
        status: ItemStatus,
        message: Option<String>,
        api_kind: Option<ApiErrorKind>,
    ) {
        let item = &self.items[i];
        self.outcomes[i] = Some(ItemOutcome {
            index: i,
            status,
            trans_id: item.trans_id().map(str::to_owned),
            user: item.user().to_owned(),
            message,
            api_kind,
            params: item.move_params(self.r#type),
            snapshot: self.snapshot_of(i),
            server: matches!(
                status,
                ItemStatus::Succeeded | ItemStatus::Failed | ItemStatus::Unknown
            )
            .then(|| self.server.clone())
            .flatten(),
            journal_id: None,
            key: None,
        });
    }
}

/// The items of the chunk a reported entry could be about, and whether its
/// fields agree. An entry names items by `index` (0-based in that request),
/// `trans_id` and `user`; every item any of them names is a candidate. It
/// names exactly one item when the index (or else the transaction ID, or
/// else the user) picks one and every other field given agrees with it.
/// Several items of one user named by the user alone are candidates that
/// agree (the caller says "same user, no index").
fn candidates(chunk: &[&MultipleItem], entry: &ItemReport) -> (Vec<usize>, bool) {
    let by_index = entry.index.map(|ix| {
        usize::try_from(ix)
            .ok()
            .filter(|k| *k < chunk.len())
            .map_or_else(Vec::new, |k| vec![k])
    });
    let by_trans_id = entry.trans_id.as_deref().map(|t| {
        (0..chunk.len())
            .filter(|&k| chunk[k].trans_id() == Some(t))
            .collect::<Vec<_>>()
    });
    let by_user = entry.user.as_deref().map(|u| {
        (0..chunk.len())
            .filter(|&k| chunk[k].user() == u)
            .collect::<Vec<_>>()
    });
    let mut all: Vec<usize> = [&by_index, &by_trans_id, &by_user]
        .into_iter()
        .flatten()
        .flatten()
        .copied()
        .collect();
    all.sort_unstable();
    all.dedup();
    // The field that picks, in order of precedence, then the others agree.
    let pick = match (&by_index, &by_trans_id, &by_user) {
        (Some(k), _, _) | (None, Some(k), _) => Some(k.clone()),
        (None, None, Some(users)) => return (users.clone(), true),
        (None, None, None) => return (Vec::new(), true),
    };
    let agrees = |k: usize| {
        by_trans_id.as_ref().is_none_or(|t| t == &vec![k])
            && by_user.as_ref().is_none_or(|u| u.contains(&k))
    };
    match pick.as_deref() {
        Some([k]) if agrees(*k) => (vec![*k], true),
        // Nothing placed and nothing else named: no item of ours.
        Some([]) if all.is_empty() => (Vec::new(), true),
        _ => (all, false),
    }
}

impl ItemOutcome {
    /// The canonical JSON form.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or_else(|_| json!({}))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_over_the_body_size_limit_is_unknown() {
        let client = Client::builder("https://a.example/home.php", "S3CR3T")
            .max_body_size(64)
            .build()
            .unwrap();
        let items = crate::api::dynamic::batch_items(&json!([
            {"trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"},
            {"trans_id": "2", "user": "u", "action": "accept", "comment": "c", "operator": "o"}
        ]))
        .unwrap();
        let mut batch = Batch::new(TxType::Deposit, items).unwrap();
        assert!(batch.next_request(&client).is_some());
        let body = format!(
            r#"{{"success":true,"message":"{}","data":[]}}"#,
            "x".repeat(100)
        );
        batch.record_response(&client, 200, body.as_bytes());
        let outcomes = batch.finish();
        assert!(
            outcomes.iter().all(|o| o.status == ItemStatus::Unknown),
            "{outcomes:?}"
        );
        assert!(outcomes[0]
            .message
            .as_deref()
            .unwrap_or("")
            .contains("max_body_size"));
    }

    fn manual_items() -> Vec<MultipleItem> {
        crate::api::dynamic::batch_items(&json!([
            {"user": "LOREM", "amount": "10", "comment": "c", "operator": "o"},
            {"user": "IPSUM", "amount": "20", "comment": "c", "operator": "o"},
            {"user": "LOREM", "amount": "30", "comment": "c", "operator": "o"}
        ]))
        .unwrap()
    }

    #[test]
    fn snapshots_are_read_first_and_ride_on_unknown_outcomes() {
        let client = Client::new("https://a.example/home.php", "S3CR3T").unwrap();
        let mut batch = Batch::new(TxType::Deposit, manual_items())
            .unwrap()
            .with_snapshots();
        let history = br#"{"success":true,"user":"u","data":[{"date":"2024-05-17 10:00:00","amount":"500","status":"ACCEPT"}]}"#;
        for user in ["LOREM", "IPSUM"] {
            let r = batch.next_request(&client).unwrap();
            assert_eq!(r.endpoint(), EndpointId::UserHistory);
            assert!(r.redacted_url().ends_with(&format!("/history/dps/{user}")));
            assert!(batch.sending().is_empty());
            batch.record_response(&client, 200, history);
        }
        let r = batch.next_request(&client).unwrap();
        assert_eq!(r.endpoint(), EndpointId::MultipleTransaction);
        let sending = batch.sending();
        assert_eq!(sending.len(), 3);
        assert_eq!(sending[1].1.params["user"], "IPSUM");
        assert_eq!(
            sending[1].1.snapshot.as_ref().map(|s| s.entries.len()),
            Some(1)
        );
        batch.record_transport_failure(&client, "timed out");
        assert!(batch.next_request(&client).is_none());
        let outcomes = batch.finish();
        let u = outcomes[2].unsettled().unwrap();
        assert_eq!(u.params["amount"], "30");
        assert_eq!(u.snapshot.as_ref().map(|s| s.entries.len()), Some(1));
        assert!(matches!(
            u.money_move(),
            crate::schema::moves::MoneyMove::Manual { .. }
        ));
    }

    #[test]
    fn a_failed_snapshot_read_sends_nothing() {
        let client = Client::new("https://a.example/home.php", "S3CR3T").unwrap();
        let mut batch = Batch::new(TxType::Withdraw, manual_items())
            .unwrap()
            .with_snapshots();
        assert!(batch.next_request(&client).is_some());
        batch.record_response(
            &client,
            200,
            br#"{"success":false,"message":"Oops something wrong! Please contact operator!"}"#,
        );
        assert!(
            batch.next_request(&client).is_none(),
            "no money request after a failed read"
        );
        let outcomes = batch.finish();
        assert!(outcomes.iter().all(|o| o.status == ItemStatus::NotSent));
        assert!(outcomes[0].message.as_deref().unwrap().contains("LOREM"));

        // A transport failure of a read stops the batch the same way.
        let mut batch = Batch::new(TxType::Withdraw, manual_items())
            .unwrap()
            .with_snapshots();
        assert!(batch.next_request(&client).is_some());
        batch.record_transport_failure(&client, "connection reset");
        assert!(batch.next_request(&client).is_none());
        assert!(batch
            .finish()
            .iter()
            .all(|o| o.status == ItemStatus::NotSent));
    }

    #[test]
    fn a_user_the_history_read_says_does_not_exist_fails_alone() {
        let client = Client::new("https://a.example/home.php", "S3CR3T").unwrap();
        let mut batch = Batch::new(TxType::Deposit, manual_items())
            .unwrap()
            .with_snapshots();
        let r = batch.next_request(&client).unwrap();
        assert!(r.redacted_url().ends_with("/history/dps/LOREM"));
        batch.record_response(
            &client,
            200,
            br#"{"success":false,"message":"User not found"}"#,
        );
        let r = batch.next_request(&client).unwrap();
        assert!(r.redacted_url().ends_with("/history/dps/IPSUM"));
        batch.record_response(
            &client,
            200,
            br#"{"success":true,"message":"Success","user":"IPSUM","data":[]}"#,
        );
        // One request, with IPSUM's item alone.
        let r = batch.next_request(&client).unwrap();
        assert_eq!(r.endpoint(), EndpointId::MultipleTransaction);
        let body: Value = serde_json::from_slice(r.body().unwrap()).unwrap();
        assert_eq!(body["transaction"].as_array().map(Vec::len), Some(1));
        assert_eq!(body["transaction"][0]["user"], "IPSUM");
        let sending = batch.sending();
        assert_eq!(sending.len(), 1);
        assert_eq!(sending[0].0, 1);
        // The server names the failed entry by its index in the request
        // (0), which is item 1 of the batch.
        batch.record_response(
            &client,
            200,
            br#"{"success":false,"message":"Oops something wrong! Please contact operator!","data":[{"success":false,"user":"IPSUM","index":0,"message":"Insufficient balance"}]}"#,
        );
        assert!(batch.next_request(&client).is_none());
        let outcomes = batch.finish();
        let got: Vec<(ItemStatus, Option<ApiErrorKind>)> =
            outcomes.iter().map(|o| (o.status, o.api_kind)).collect();
        assert_eq!(
            got,
            [
                (ItemStatus::Failed, Some(ApiErrorKind::UserNotFound)),
                (ItemStatus::Failed, Some(ApiErrorKind::Other)),
                (ItemStatus::Failed, Some(ApiErrorKind::UserNotFound)),
            ]
        );
        assert!(outcomes[0]
            .message
            .as_deref()
            .unwrap()
            .starts_with("not sent: "));
        assert_eq!(outcomes[1].message.as_deref(), Some("Insufficient balance"));
    }

    #[test]
    fn a_batch_whose_every_user_does_not_exist_sends_nothing() {
        let client = Client::new("https://a.example/home.php", "S3CR3T").unwrap();
        let mut batch = Batch::new(TxType::Deposit, manual_items())
            .unwrap()
            .with_snapshots();
        for _ in 0..2 {
            assert!(batch.next_request(&client).is_some());
            batch.record_response(
                &client,
                200,
                br#"{"success":false,"message":"User not found"}"#,
            );
        }
        assert!(batch.next_request(&client).is_none());
        assert!(batch
            .finish()
            .iter()
            .all(|o| o.status == ItemStatus::Failed
                && o.api_kind == Some(ApiErrorKind::UserNotFound)));
    }

    #[test]
    fn server_messages_in_outcomes_are_scrubbed() {
        let client = Client::new("https://a.example/home.php", "S3CR3T").unwrap();
        let items = crate::api::dynamic::batch_items(&json!([
            {"trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"}
        ]))
        .unwrap();
        let mut batch = Batch::new(TxType::Deposit, items).unwrap();
        assert!(batch.next_request(&client).is_some());
        batch.record_response(
            &client,
            200,
            br#"{"success":false,"message":"Token S3CR3T tidak valid","data":[]}"#,
        );
        let outcomes = batch.finish();
        assert_eq!(outcomes[0].status, ItemStatus::Failed);
        assert_eq!(
            outcomes[0].message.as_deref(),
            Some("Token *** tidak valid")
        );
    }
}
