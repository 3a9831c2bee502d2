//! The one driver every host runs: a call, a batch, paging or settling as
//! one state machine that says what to do next ([`Step`]): send a request,
//! wait, append a journal line, report an event, hand out a page, or stop.
//! A host is one loop around [`Driver::next`] that does the IO.
//!
//! ```
//! use idn_toto::{Client, Clock, Driver, DriverOptions, EndpointId, Step};
//!
//! let client = Client::new("https://agent.example.com/home.php", "T0KEN")?;
//! let params = serde_json::json!({"user": "LOREM"});
//! let mut driver = Driver::call(&client, EndpointId::UserBalance, &params, DriverOptions::default())?;
//! let mut answers = vec![
//!     (200, vec![], br#"{"success":true,"user":"lorem","balance":"8900.00"}"#.to_vec()),
//!     (503, vec![("Retry-After", "1")], b"busy".to_vec()),
//! ];
//! let mut events = Vec::new();
//! let balance = loop {
//!     match driver.next(Clock::default()) {
//!         Step::Send(request) => {
//!             // send request.method(), .url(), .headers(), .body() ...
//!             let (status, headers, body) = answers.pop().unwrap();
//!             driver.record_response(status, &headers, &body, Clock::new(12, None));
//!         }
//!         Step::Wait(ms) => assert_eq!(ms, 1_000), // sleep
//!         Step::Journal(line) => unreachable!("no journal: {line}"),
//!         Step::Claim(claim) => unreachable!("no operation key: {claim:?}"),
//!         Step::Event(event) => events.push(event.message()),
//!         Step::Page(_) => unreachable!("not paged"),
//!         Step::Done(result) => break result?,
//!     }
//! };
//! assert_eq!(balance.to_json()["balance"], "8900.00");
//! assert_eq!(events.len(), 6); // attempt, response, retry, attempt, response, done
//! assert!(events.iter().all(|e| !e.contains("T0KEN")));
//! # Ok::<(), idn_toto::Error>(())
//! ```

use std::collections::VecDeque;

mod keyed;
mod output;

pub use output::Output;

use serde_json::Value;

use crate::framing;
use crate::protocol::batch::{Batch, ItemStatus};
use crate::protocol::event::Trail;
use crate::protocol::event::{Clock, Event};
use crate::protocol::exchange::{Answer, Exchange, ExchangeStep, NEVER_RECORDED};
use crate::protocol::journal::OpenMove;
use crate::protocol::journal::{JournalEvent, JournalRecord};
use crate::protocol::keys::{KeyClaim, KeyRecord, DEFAULT_LEASE_MS};
use crate::protocol::retry::RetryPolicy;
use crate::protocol::settle::{check_server, SettleStep};
use crate::protocol::settle::{Settle, Settlement};
use crate::schema::client::Client;
use crate::schema::endpoints::full_transaction::FullTransactionParams;
use crate::schema::endpoints::multiple_transaction::BatchItem;
use crate::schema::endpoints::pga_transaction::PgaTransactionParams;
use crate::schema::endpoints::user_history::UserHistoryParams;
use crate::schema::error::Error;
use crate::schema::id::EndpointId;
use crate::schema::moves::MoneyMove;
use crate::schema::moves::TxType;
use crate::schema::operation_key::OperationKey;
use crate::schema::paging::Pages;
use crate::schema::paging::DEFAULT_MAX_PAGES;
use crate::schema::params::Segment;
use crate::schema::request::Request;
use crate::schema::table::{AnyEndpoint, AnyResponse};
use crate::schema::unsettled::{Snapshot, Unsettled};

/// How a [`Driver`] runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriverOptions {
    /// When reads are sent again (money moves never are).
    pub retry: RetryPolicy,
    /// Turns journaling on. A call's money move is journaled under this id;
    /// batch item `k` under `{id}-{k}`; when settling, it is the journal id
    /// of the move being settled.
    pub journal_id: Option<String>,
    /// Read the user's history before a manual move (single or batch), so
    /// that an unknown outcome can be settled.
    pub snapshots: bool,
    /// `response` events carry the body (token scrubbed, cut).
    pub bodies: bool,
    /// Paging stops (a `decode` error at `page`) after this many pages when
    /// the server still says there are more.
    pub max_pages: u64,
    /// Settling waits this long before a read that could conclude
    /// `not_applied` (the move may still be in flight on the server).
    pub settle_delay_ms: u64,
    /// How long a keyed move's claim keeps other holders out, in
    /// milliseconds ([`DEFAULT_LEASE_MS`]).
    pub lease_ms: u64,
}

impl Default for DriverOptions {
    fn default() -> DriverOptions {
        DriverOptions {
            retry: RetryPolicy::default(),
            journal_id: None,
            snapshots: false,
            bodies: false,
            max_pages: DEFAULT_MAX_PAGES,
            settle_delay_ms: 0,
            lease_ms: DEFAULT_LEASE_MS,
        }
    }
}

/// What the host does next.
#[derive(Debug)]
#[must_use]
pub enum Step {
    /// Send this request, then hand its answer to
    /// [`Driver::record_response`] (or its failure to
    /// [`Driver::record_transport_failure`]).
    Send(Request),
    /// Sleep this many milliseconds (a host may cut it short when aborted).
    Wait(u64),
    /// Append this line (it ends in `\n`) to the journal and sync it before
    /// asking for the next step: an intent comes before its request leaves.
    Journal(String),
    /// Claim a keyed money move's operation key in the journal store, in
    /// one transaction: read the key's record, [`KeyClaim::decide`], write
    /// what it says (the claimed record and the intent line), commit; then
    /// hand the answer to [`Driver::record_claim`] before asking for the
    /// next step.
    Claim(KeyClaim),
    /// Report this event (hook, logger, tracing).
    Event(Event),
    /// One page of a paged report (hand its rows to the caller).
    Page(AnyResponse),
    /// The driver is done; asking again gives the same result.
    Done(Result<Output, Error>),
}

impl From<ExchangeStep> for Step {
    fn from(step: ExchangeStep) -> Step {
        match step {
            ExchangeStep::Wait(ms) => Step::Wait(ms),
            ExchangeStep::Send(request) => Step::Send(request),
        }
    }
}

/// A single call: an optional history read first (manual moves with
/// snapshots), then the request.
#[derive(Debug)]
struct CallOp {
    exchange: Exchange,
    /// The history read before a manual move, while it runs.
    snapshot_read: Option<Exchange>,
    /// Journal intent, once written.
    intent: Option<JournalRecord>,
    /// The call's operation key.
    key: Option<OperationKey>,
    /// The key's intent while its claim is with the host.
    claiming: Option<JournalRecord>,
    /// The key's open move was settled for this call.
    settled_now: bool,
}

#[derive(Debug)]
struct BatchOp {
    batch: Option<Batch>,
    /// A history read (a batch with snapshots), through the exchange every
    /// read uses: retried as the policy says.
    read: Option<Exchange>,
    /// The request in flight: its trail, and the items it carries.
    in_flight: Option<(Request, Vec<usize>)>,
    trail: Trail,
    journal_ids: Vec<Option<String>>,
    intents: Vec<Option<JournalRecord>>,
    /// Each item's operation key (empty: no item has one).
    keys: Vec<Option<OperationKey>>,
    /// The item whose claim is with the host, and its intent.
    claiming: Option<(usize, JournalRecord)>,
    /// Items whose key's open move was settled in this run.
    settled_now: Vec<bool>,
    /// Items whose key's open move is to be settled before they are
    /// claimed again.
    to_settle: Vec<(usize, KeyRecord)>,
    /// The items being settled by the child driver.
    settling: Vec<usize>,
}

#[derive(Debug)]
struct PagesOp {
    pages: AnyPages,
    exchange: Exchange,
}

/// The core's typed paging ([`Pages`]) for either paged endpoint: the next
/// page's parameters are decided from the typed page (nothing converted).
#[derive(Debug)]
enum AnyPages {
    Full(Pages<FullTransactionParams>),
    Pga(Pages<PgaTransactionParams>),
}

impl AnyPages {
    fn new(endpoint: EndpointId, params: &Value, max_pages: u64) -> Result<AnyPages, Error> {
        Ok(match endpoint {
            EndpointId::FullTransaction => AnyPages::Full(
                Pages::new(FullTransactionParams::from_json(params)?).with_max_pages(max_pages),
            ),
            EndpointId::PgaTransaction => AnyPages::Pga(
                Pages::new(PgaTransactionParams::from_json(params)?).with_max_pages(max_pages),
            ),
            _ => {
                return Err(Error::invalid(
                    "endpoint",
                    format!("{endpoint} is not paged"),
                ))
            }
        })
    }

    /// The request for the next page; `None` when paging is over.
    fn next_request(&self, client: &Client) -> Option<Request> {
        match self {
            AnyPages::Full(p) => p.next_params().map(|params| client.request(params)),
            AnyPages::Pga(p) => p.next_params().map(|params| client.request(params)),
        }
    }

    fn record(&mut self, page: &AnyResponse) -> Result<(), Error> {
        match (self, page) {
            (AnyPages::Full(p), AnyResponse::FullTransaction(r)) => p.record_page(r),
            (AnyPages::Pga(p), AnyResponse::PgaTransaction(r)) => p.record_page(r),
            (_, other) => Err(Error::decode(
                "$",
                format!("expected a page, got {}", other.endpoint()),
            )),
        }
    }

    fn pages_read(&self) -> u64 {
        match self {
            AnyPages::Full(p) => p.pages_read(),
            AnyPages::Pga(p) => p.pages_read(),
        }
    }
}

/// One move being settled: its position in the input, its journal intent
/// (for its `settled` line) and a warning for its settlement.
#[derive(Debug)]
struct SettleMove {
    index: usize,
    intent: Option<JournalRecord>,
    warning: Option<String>,
}

#[derive(Debug)]
struct SettleOp {
    /// The groups still settling, in order: their moves and the machine
    /// that settles them together.
    groups: VecDeque<(Vec<SettleMove>, Settle)>,
    /// Groups whose confirming read is due: the settle delay is waited once
    /// for all of them.
    parked: Vec<(Vec<SettleMove>, Settle)>,
    /// (position in the input, journal id, settlement).
    settled: Vec<(usize, String, Settlement)>,
    /// `Driver::settle` (one settlement) or the journal's open moves (a list).
    single: bool,
    wait_first: u64,
}

#[derive(Debug)]
enum Op {
    Call(Box<CallOp>),
    Batch(Box<BatchOp>),
    Pages(Box<PagesOp>),
    Settle(Box<SettleOp>),
}

/// A call, a batch, paging or settling, driven by the host (see the
/// module's example). Owns a copy of the client.
#[derive(Debug)]
pub struct Driver {
    client: Client,
    options: DriverOptions,
    op: Op,
    queue: VecDeque<Step>,
    /// What each queued `Step::Journal` line is, in queue order.
    lines: VecDeque<Line>,
    /// The journal line handed out last, while it is the last step handed
    /// out (what [`Driver::record_journal_failure`] is about).
    last_line: Option<Line>,
    /// The request of the last `Send` handed out.
    last_sent: Option<Request>,
    /// The journal ids whose outcome or `settled` line was lost.
    unrecorded: Vec<String>,
    result: Option<Result<Output, Error>>,
    unix_now_secs: Option<i64>,
    /// A [`Step::Claim`] was handed out and awaits its answer.
    claim_pending: bool,
    /// Settling a key's open move before it is claimed again: a driver of
    /// its own, whose steps pass through this one.
    child: Option<Box<Driver>>,
}

/// What a journal line is to the run: an intent (of batch item `k`) must
/// be written before its request leaves; any other line (of the move
/// journaled under that id) may be lost without changing the money move's
/// result.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Line {
    Intent(Option<usize>),
    Other(String),
}

impl Driver {
    fn with(client: &Client, options: DriverOptions, op: Op) -> Driver {
        // A money move whose parameters hold the token ends here, before
        // anything is claimed, journaled or sent (spec-notes 218).
        let refused = token_in_moves(client, &op).map(Err);
        Driver {
            client: client.clone(),
            options,
            op,
            queue: VecDeque::new(),
            lines: VecDeque::new(),
            last_line: None,
            last_sent: None,
            unrecorded: Vec::new(),
            result: refused,
            unix_now_secs: None,
            claim_pending: false,
            child: None,
        }
    }

    /// One call of `endpoint` with canonical JSON parameters (a bad one is
    /// an `invalid_request` error naming it; nothing is sent). Reads are
    /// retried as `options.retry` says; a money move is sent once, and
    /// journaled when `options.journal_id` is set (for
    /// `multiple_transaction`, use [`Driver::batch`]: its items are
    /// journaled one by one).
    pub fn call(
        client: &Client,
        endpoint: EndpointId,
        params: &Value,
        options: DriverOptions,
    ) -> Result<Driver, Error> {
        let request = (endpoint.info().build)(client, params)?;
        Driver::call_request(client, request, options)
    }

    /// [`Driver::call`] with typed parameters.
    pub fn call_typed<E: AnyEndpoint>(
        client: &Client,
        params: &E,
        options: DriverOptions,
    ) -> Result<Driver, Error> {
        Driver::call_request(client, client.request(params), options)
    }

    /// A request built earlier (by [`Client::request`] or
    /// [`crate::dynamic::build`]), sent as [`Driver::call`] sends it.
    pub fn call_request(
        client: &Client,
        request: Request,
        options: DriverOptions,
    ) -> Result<Driver, Error> {
        if request.endpoint() == EndpointId::MultipleTransaction && options.journal_id.is_some() {
            return Err(Error::invalid(
                "journal_id",
                "a multiple_transaction call is journaled item by item: use a batch",
            ));
        }
        Ok(Driver::call_op(client, request, options))
    }

    /// A call of `request` (checked by the caller: see
    /// [`Driver::call_request`]).
    pub(crate) fn call_op(client: &Client, request: Request, options: DriverOptions) -> Driver {
        let exchange = Exchange::new(request, options.bodies);
        let snapshot_read = snapshot_read(client, exchange.request(), &options);
        Driver::with(
            client,
            options,
            Op::Call(Box::new(CallOp {
                exchange,
                snapshot_read,
                intent: None,
                key: None,
                claiming: None,
                settled_now: false,
            })),
        )
    }

    /// A call's attempt in flight (0 for the first send).
    pub(crate) fn call_attempt(&self) -> Option<u32> {
        match &self.op {
            Op::Call(op) => Some(op.exchange.attempts.attempt),
            _ => None,
        }
    }

    /// A call's exchange (the request, not its history read): what the
    /// typed facade [`crate::Call`] shows and sets.
    pub(crate) fn call_exchange(&mut self) -> Option<&mut Exchange> {
        match &mut self.op {
            Op::Call(op) => Some(&mut op.exchange),
            _ => None,
        }
    }

    /// Any number of `multiple_transaction` items (`{"type": ..,
    /// "transaction": [..]}`), in requests of at most 25: see
    /// [`Batch`]. Ends with [`Output::Outcomes`], one per item in input
    /// order. With a journal, item `k` is journaled as `{journal_id}-{k}`.
    ///
    /// An item may carry a `"key"` (its operation key, see
    /// [`Driver::with_keys`]).
    pub fn batch(client: &Client, params: &Value, options: DriverOptions) -> Result<Driver, Error> {
        let mut params = params.clone();
        let mut keys = Vec::new();
        if let Some(list) = params.get_mut("transaction").and_then(Value::as_array_mut) {
            for (i, item) in list.iter_mut().enumerate() {
                let key = match item.as_object_mut().and_then(|o| o.remove("key")) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(k)) => {
                        Some(OperationKey::parse(&format!("transaction[{i}].key"), &k)?)
                    }
                    Some(_) => {
                        return Err(Error::invalid(
                            format!("transaction[{i}].key"),
                            "must be a string",
                        ))
                    }
                };
                keys.push(key);
            }
        }
        let batch = Batch::from_json(&params).map_err(|e| e.quoting(client))?;
        let driver = Driver::from_batch(client, batch, options);
        if keys.iter().any(Option::is_some) {
            driver.with_keys(keys)
        } else {
            Ok(driver)
        }
    }

    /// This call sent under an operation key (`docs/spec-notes.md` 190):
    /// before the request leaves, the key is claimed in the journal store
    /// ([`Step::Claim`]) and the core decides: send, replay the recorded
    /// answer of a move done before ([`crate::Processed::replayed`]),
    /// settle an open move first (reads only), or stop with `key_in_use`,
    /// `key_conflict` or `outcome_unknown`, nothing sent. Only a money
    /// move may carry a key, and only with a journal (`options.journal_id`).
    pub fn with_key(mut self, key: OperationKey) -> Result<Driver, Error> {
        self.keys_allowed("key")?;
        self.client.refuse_token_in_key("key", &key)?;
        match &mut self.op {
            Op::Call(op) if op.exchange.request().money_params().is_some() => {
                op.key = Some(key);
                Ok(self)
            }
            Op::Call(_) => Err(Error::invalid(
                "key",
                "only a money move (accept_reject, manual_transaction) takes an operation key",
            )),
            _ => Err(Error::invalid(
                "key",
                "a batch takes one key per item: use with_keys",
            )),
        }
    }

    /// This batch's items sent under operation keys, one per item (`None`:
    /// no key): each keyed item is claimed right before the request that
    /// carries it, and an item its key stops gets `already_done`,
    /// `key_in_use`, `key_conflict` or `undetermined`, never sent. One key
    /// twice in a batch is refused (`invalid_request` at
    /// `transaction[k].key`).
    pub fn with_keys(mut self, keys: Vec<Option<OperationKey>>) -> Result<Driver, Error> {
        self.keys_allowed("key")?;
        let Op::Batch(op) = &mut self.op else {
            return Err(Error::invalid("key", "only a batch takes a key per item"));
        };
        if keys.len() != op.journal_ids.len() {
            return Err(Error::invalid(
                "key",
                format!(
                    "{} keys for {} items: give one per item (None for no key)",
                    keys.len(),
                    op.journal_ids.len()
                ),
            ));
        }
        let mut seen = std::collections::HashMap::new();
        for (i, key) in keys.iter().enumerate() {
            if let Some(k) = key {
                self.client
                    .refuse_token_in_key(&format!("transaction[{i}].key"), k)?;
                if let Some(first) = seen.insert(k.as_str(), i) {
                    return Err(Error::invalid(
                        format!("transaction[{i}].key"),
                        format!("{:?} is also the key of transaction[{first}]: one key names one money move", k.as_str()),
                    ));
                }
            }
        }
        op.settled_now = vec![false; keys.len()];
        op.keys = keys;
        Ok(self)
    }

    fn keys_allowed(&self, field: &str) -> Result<(), Error> {
        if self.options.journal_id.is_none() {
            return Err(Error::invalid(
                field,
                "operation keys are kept in the journal: give the client a journal (a file, SQLite or Postgres)",
            ));
        }
        Ok(())
    }

    /// [`Driver::batch`] with typed items.
    pub fn batch_items(
        client: &Client,
        r#type: TxType,
        items: Vec<BatchItem>,
        options: DriverOptions,
    ) -> Result<Driver, Error> {
        let batch = Batch::new(r#type, items).map_err(|e| e.quoting(client))?;
        Ok(Driver::from_batch(client, batch, options))
    }

    /// [`Driver::batch`] of a [`Batch`] made earlier (`with_snapshots` is
    /// applied when `options.snapshots` is on).
    pub fn from_batch(client: &Client, mut batch: Batch, options: DriverOptions) -> Driver {
        let n = batch.len();
        if options.snapshots {
            batch = batch.with_snapshots();
        }
        let trail = Trail::new(options.bodies);
        Driver::with(
            client,
            options,
            Op::Batch(Box::new(BatchOp {
                batch: Some(batch),
                read: None,
                in_flight: None,
                trail,
                journal_ids: vec![None; n],
                intents: vec![None; n],
                keys: Vec::new(),
                claiming: None,
                settled_now: Vec::new(),
                to_settle: Vec::new(),
                settling: Vec::new(),
            })),
        )
    }

    /// Every page of `full_transaction` or `pga_transaction` from `params`:
    /// each as [`Step::Page`], then [`Output::Pages`]. Each page is one call
    /// (reads: retried).
    pub fn pages(
        client: &Client,
        endpoint: EndpointId,
        params: &Value,
        options: DriverOptions,
    ) -> Result<Driver, Error> {
        let pages =
            AnyPages::new(endpoint, params, options.max_pages).map_err(|e| e.quoting(client))?;
        let Some(request) = pages.next_request(client) else {
            return Err(Error::invalid("params", "there is no page to read"));
        };
        let exchange = Exchange::new(request, options.bodies);
        Ok(Driver::with(
            client,
            options,
            Op::Pages(Box::new(PagesOp { pages, exchange })),
        ))
    }

    /// Settles a money move whose outcome is unknown, with reads only (see
    /// [`Settle`]): [`Output::Settlement`]. With `options.journal_id`
    /// (journaling on), a `settled` line is journaled under the move's own
    /// journal id (`unsettled.journal_id`, with its operation key
    /// `unsettled.key`, so a key store updates the key's record), or under
    /// `options.journal_id` when it has none. A move sent to another server is refused
    /// (`invalid_request` at `server`; nothing is read, nothing written).
    pub fn settle(
        client: &Client,
        unsettled: &Unsettled,
        options: DriverOptions,
    ) -> Result<Driver, Error> {
        let warning = check_server(unsettled.server.as_deref(), client, "the move")?;
        let settle = Settle::from_unsettled(unsettled, options.settle_delay_ms, options.retry)?;
        let intent = match (&options.journal_id, &unsettled.journal_id) {
            (Some(fresh), own) => {
                let mut intent = JournalRecord::intent_for(
                    own.as_deref().unwrap_or(fresh),
                    unsettled.endpoint,
                    unsettled.params.clone(),
                    unsettled.snapshot.clone(),
                    "",
                )?
                .with_server(client.fingerprint());
                // A keyed move's `settled` line names its key, so the key's
                // record takes the verdict (its own attempt only: the line
                // has the move's own journal id).
                if let (Some(key), Some(_)) = (&unsettled.key, own) {
                    intent = intent.with_key(key.clone());
                }
                Some(intent)
            }
            (None, _) => None,
        };
        let moves = vec![SettleMove {
            index: 0,
            intent,
            warning,
        }];
        Ok(Driver::settle_op(
            client,
            options,
            vec![(moves, settle)],
            true,
            0,
        ))
    }

    /// Settles the journal's open moves (see [`crate::Journal::unsettled`]),
    /// journaling each settlement: [`Output::Settlements`], in the order of
    /// `moves`. `settle_delay_ms` is waited once, before the first read
    /// (every open move was sent before then), and once more before the
    /// reads that confirm a `not_applied`. The manual moves of one user
    /// (letter case aside) and type are settled together against one read
    /// of the history, oldest first, so that one history entry is evidence
    /// for at most one of them (`docs/spec-notes.md` 121). If any move was
    /// sent to another server, nothing is settled (`invalid_request` at
    /// `server`, naming its id): settle a journal's moves with a client of
    /// the server they name.
    pub fn settle_open(
        client: &Client,
        moves: &[OpenMove],
        options: DriverOptions,
    ) -> Result<Driver, Error> {
        // (the group's key, its moves, their money moves and snapshots);
        // accept/reject moves have no key: each is a group of its own.
        type Group = (
            Option<(TxType, String)>,
            Vec<SettleMove>,
            Vec<(MoneyMove, Option<Snapshot>)>,
        );
        let mut groups: Vec<Group> = Vec::new();
        for (index, m) in moves.iter().enumerate() {
            let what = format!("journal move {}", m.id);
            let warning = check_server(m.intent.server.as_deref(), client, &what)?;
            let money = m.intent.money_move().clone();
            let key = match &money {
                MoneyMove::Manual { r#type, user, .. } => {
                    Some((*r#type, user.to_ascii_lowercase()))
                }
                MoneyMove::AcceptReject { .. } => None,
            };
            let settle_move = SettleMove {
                index,
                intent: Some(m.intent.clone()),
                warning,
            };
            let member = (money, m.intent.snapshot.clone());
            match groups.iter_mut().find(|g| key.is_some() && g.0 == key) {
                Some(group) => {
                    group.1.push(settle_move);
                    group.2.push(member);
                }
                None => groups.push((key, vec![settle_move], vec![member])),
            }
        }
        let mut list = Vec::with_capacity(groups.len());
        for (_, settle_moves, members) in groups {
            list.push((settle_moves, Settle::group(members, 0, options.retry)?));
        }
        let wait = if list.is_empty() {
            0
        } else {
            options.settle_delay_ms
        };
        Ok(Driver::settle_op(client, options, list, false, wait))
    }

    fn settle_op(
        client: &Client,
        options: DriverOptions,
        groups: Vec<(Vec<SettleMove>, Settle)>,
        single: bool,
        wait_first: u64,
    ) -> Driver {
        let mut groups = groups;
        for (_, settle) in &mut groups {
            settle.keep_events(options.bodies);
        }
        Driver::with(
            client,
            options,
            Op::Settle(Box::new(SettleOp {
                groups: groups.into(),
                parked: Vec::new(),
                settled: Vec::new(),
                single,
                wait_first,
            })),
        )
    }

    /// The client this driver sends through.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// What to do now. `clock.unix_now_secs` dates journal lines (pass it
    /// every time when journaling).
    pub fn next(&mut self, clock: Clock) -> Step {
        if clock.unix_now_secs.is_some() {
            self.unix_now_secs = clock.unix_now_secs;
        }
        let step = loop {
            if let Some(child) = self.child.as_mut() {
                match child.next(clock) {
                    Step::Done(result) => self.child_done(result),
                    step => return step,
                }
            }
            if let Some(step) = self.next_step() {
                break step;
            }
        };
        if let Step::Claim(_) = &step {
            self.claim_pending = true;
        }
        self.last_line = match &step {
            Step::Journal(_) => self.lines.pop_front(),
            _ => None,
        };
        if let Step::Send(request) = &step {
            self.last_sent = Some(request.clone());
        }
        step
    }

    /// The next step of this driver; `None` when a child driver (settling
    /// keys' open moves) now has the steps.
    fn next_step(&mut self) -> Option<Step> {
        loop {
            if let Some(step) = self.queue.pop_front() {
                return Some(step);
            }
            if self.child.is_some() {
                return None;
            }
            if let Some(result) = &self.result {
                return Some(Step::Done(result.clone()));
            }
            if self.claim_pending {
                // Asked again without the claim's answer: that claim failed.
                self.record_claim(Err(Error::invalid(
                    "journal",
                    "the claim's answer was never recorded",
                )));
                continue;
            }
            if self.in_flight() {
                // Asked again without an answer: that send failed.
                self.record(Err(NEVER_RECORDED), Clock::default());
                continue;
            }
            if let Some(step) = self.advance() {
                self.flush_events();
                // Events and journal lines made while advancing come first.
                if self.queue.is_empty() {
                    return Some(step);
                }
                self.queue.push_back(step);
            }
            self.flush_events();
        }
    }

    /// Hands over the answer to the request of the last [`Step::Send`]: its
    /// status, headers (name, value; any case), body and the host's clock.
    ///
    /// The core decides first whether the answer can be taken as whole (a
    /// 1xx status, a repeated or wrong `content-length`, `transfer-encoding`
    /// with `content-length`, a money move's answer still content-encoded):
    /// a doubt is recorded as a transport failure (`framing: ...`), so a
    /// money move's outcome is unknown and a read may be retried. Hand over
    /// every header as received and the body after transfer decoding; a host
    /// that content-decodes keeps the `content-encoding` header.
    pub fn record_response(
        &mut self,
        status: u16,
        headers: &[(&str, &str)],
        body: &[u8],
        clock: Clock,
    ) {
        if let Some(child) = self.child.as_mut() {
            return child.record_response(status, headers, body, clock);
        }
        let money = self.in_flight_request().is_some_and(|r| !r.is_idempotent());
        match framing::doubt(status, headers, body, money, self.client.max_body_size()) {
            Some(doubt) => self.record(Err(&format!("framing: {doubt}")), clock),
            None => self.record(Ok((status, headers, body)), clock),
        }
    }

    /// Hands over a transport failure of the last [`Step::Send`] (network
    /// error, timeout, aborted). A money move's is `outcome_unknown`.
    pub fn record_transport_failure(&mut self, reason: &str, clock: Clock) {
        if let Some(child) = self.child.as_mut() {
            return child.record_transport_failure(reason, clock);
        }
        self.record(Err(reason), clock);
    }

    /// Says that the line of the last [`Step::Journal`] could not be
    /// written (or synced); call it instead of asking for the next step
    /// with an error of the host's own. The core decides what that means:
    ///
    /// - an intent: nothing it announces is sent. A call ends
    ///   `invalid_request` at `journal`; a batch's items of that request and
    ///   every later item end `not_sent`, and the batch ends with its
    ///   outcomes (those of the requests sent before stand);
    /// - an outcome or `settled` line: the run goes on and ends with the
    ///   money move's own result; a `journal_failure` event is reported and
    ///   [`Driver::journal_failures`] counts the lost line (the move stays
    ///   open in the journal and settles later). A host shows that count on
    ///   the result and never replaces the result with its write error.
    pub fn record_journal_failure(&mut self, reason: &str) {
        if let Some(child) = self.child.as_mut() {
            return child.record_journal_failure(reason);
        }
        let Some(line) = self.last_line.take() else {
            return;
        };
        let why = format!(
            "the journal could not be written: {}",
            self.client.redact(reason)
        );
        match line {
            Line::Other(id) => {
                self.unrecorded.push(id);
                if let Some(request) = &self.last_sent {
                    let event = Event {
                        error_kind: Some("journal"),
                        ..Event::new(
                            crate::protocol::event::EventKind::JournalFailure,
                            request,
                            0,
                        )
                    };
                    self.queue.push_front(Step::Event(event));
                }
            }
            Line::Intent(_) => {
                // Nothing that intent announces may leave: drop the queued
                // intents and the send they come before.
                let mut kept = VecDeque::new();
                let mut lines = std::mem::take(&mut self.lines);
                let mut dropped_items = Vec::new();
                for step in self.queue.drain(..) {
                    match step {
                        Step::Journal(text) => match lines.pop_front() {
                            Some(Line::Intent(item)) => dropped_items.extend(item),
                            Some(other) => {
                                kept.push_back(Step::Journal(text));
                                self.lines.push_back(other);
                            }
                            None => kept.push_back(Step::Journal(text)),
                        },
                        Step::Send(_) => {}
                        other => kept.push_back(other),
                    }
                }
                self.queue = kept;
                if let Line::Intent(Some(item)) = line {
                    dropped_items.push(item);
                }
                self.stop_for_journal(&why, &dropped_items);
            }
        }
    }

    /// How many journal lines (outcomes, `settled`) the host could not
    /// write: see [`Driver::record_journal_failure`].
    pub fn journal_failures(&self) -> u32 {
        u32::try_from(self.unrecorded.len()).unwrap_or(u32::MAX)
    }

    /// The journal ids whose outcome or `settled` line the host could not
    /// write, in order (one per lost line: see
    /// [`Driver::record_journal_failure`]). Those moves stay open in the
    /// journal; a host can say which results the journal does not hold.
    pub fn unrecorded(&self) -> &[String] {
        &self.unrecorded
    }

    /// An intent could not be written: the operation stops before its
    /// request leaves.
    fn stop_for_journal(&mut self, why: &str, unwritten: &[usize]) {
        let client = self.client.clone();
        match &mut self.op {
            Op::Call(op) => {
                op.intent = None;
                op.exchange.in_flight = false;
                self.finish(Err(Error::invalid("journal", why)));
            }
            Op::Batch(op) => {
                for &i in unwritten {
                    op.intents[i] = None;
                    op.journal_ids[i] = None;
                }
                let items = op.in_flight.take().map(|(_, items)| items);
                if let Some(batch) = op.batch.as_mut() {
                    batch.stop_unsent(&client, why);
                }
                // The intents that were written get their `not_sent` line.
                if let Some(items) = items {
                    self.batch_outcomes(&items);
                }
            }
            Op::Pages(_) | Op::Settle(_) => self.finish(Err(Error::invalid("journal", why))),
        }
    }

    /// Says that the request of the last [`Step::Send`] was never sent (the
    /// host gave up before it left: an abort signal, a shutdown). A money
    /// move then ends definitely *not sent* (`transport` error; its journal
    /// outcome `not_sent`) instead of `outcome_unknown`; a batch's items in
    /// that request are `not_sent` and it stops. For a read this is a
    /// transport failure. Only call it when the request certainly did not
    /// leave; when unsure, [`Driver::record_transport_failure`].
    pub fn record_not_sent(&mut self, reason: &str, clock: Clock) {
        if let Some(child) = self.child.as_mut() {
            return child.record_not_sent(reason, clock);
        }
        if clock.unix_now_secs.is_some() {
            self.unix_now_secs = clock.unix_now_secs;
        }
        let client = &self.client;
        match &mut self.op {
            Op::Call(op)
                if op.exchange.in_flight
                    && !op.exchange.request().is_idempotent()
                    && op.snapshot_read.as_ref().is_none_or(|r| !r.in_flight) =>
            {
                op.exchange.in_flight = false;
                let a = &mut op.exchange.attempts;
                let error = Error::Transport {
                    reason: format!("not sent: {}", client.redact(reason)),
                };
                a.trail
                    .transport_failure(&a.request, a.attempt, clock, &error);
                a.trail.done(&a.request, a.attempt, None, Some(&error));
                if let Some(intent) = op.intent.take() {
                    let line =
                        intent.outcome(ItemStatus::NotSent, Some(error.to_string()), &self.at());
                    self.journal(&line);
                }
                self.finish(Err(error));
                self.flush_events();
            }
            Op::Batch(op) if op.read.as_ref().is_some_and(|r| r.in_flight) => {
                // A history read that never left stops the batch (nothing
                // is sent without it), as an aborted request does: it is not
                // retried.
                let (Some(read), Some(batch)) = (op.read.as_mut(), op.batch.as_mut()) else {
                    return;
                };
                if let Some(done) = read.record(client, &RetryPolicy::NEVER, Err(reason), clock) {
                    op.trail.events.append(&mut read.take_events());
                    op.read = None;
                    batch.record_history(history_of(done));
                }
                self.flush_events();
            }
            Op::Batch(op) if op.in_flight.is_some() => {
                let (Some((request, items)), Some(batch)) =
                    (op.in_flight.take(), op.batch.as_mut())
                else {
                    return;
                };
                batch.record_not_sent(client, reason);
                let error = Error::Transport {
                    reason: format!("not sent: {}", client.redact(reason)),
                };
                op.trail.transport_failure(&request, 0, clock, &error);
                op.trail.done(&request, 0, None, Some(&error));
                self.batch_outcomes(&items);
                self.flush_events();
            }
            _ => self.record(Err(reason), clock),
        }
    }

    fn record(&mut self, answer: Answer<'_>, clock: Clock) {
        if clock.unix_now_secs.is_some() {
            self.unix_now_secs = clock.unix_now_secs;
        }
        let client = &self.client;
        let policy = self.options.retry;
        match &mut self.op {
            Op::Call(op) => {
                if let Some(read) = op.snapshot_read.as_mut().filter(|r| r.in_flight) {
                    if let Some(done) = read.record(client, &policy, answer, clock) {
                        self.snapshot_done(done);
                    }
                } else if op.exchange.in_flight {
                    if let Some(done) = op.exchange.record(client, &policy, answer, clock) {
                        self.call_done(done);
                    }
                }
            }
            Op::Pages(op) => {
                if op.exchange.in_flight {
                    if let Some(done) = op.exchange.record(client, &policy, answer, clock) {
                        self.page_done(done);
                    }
                }
            }
            Op::Batch(op) => {
                if let (Some(read), Some(batch)) =
                    (op.read.as_mut().filter(|r| r.in_flight), op.batch.as_mut())
                {
                    if let Some(done) = read.record(client, &policy, answer, clock) {
                        op.trail.events.append(&mut read.take_events());
                        op.read = None;
                        batch.record_history(history_of(done));
                    }
                } else if let (Some((request, items)), Some(batch)) =
                    (op.in_flight.take(), op.batch.as_mut())
                {
                    match answer {
                        Ok((status, _, body)) => {
                            batch.record_response(client, status, body);
                            // The request's events say how its items went.
                            let kind = items
                                .iter()
                                .filter_map(|&i| batch.outcome(i))
                                .find(|o| o.status != ItemStatus::Succeeded)
                                .map(|o| match o.status {
                                    ItemStatus::Unknown => "outcome_unknown",
                                    _ if (200..300).contains(&status) => "api",
                                    _ => "http",
                                });
                            op.trail
                                .response(client, &request, 0, (status, body), clock, None);
                            op.trail.done(&request, 0, Some(status), None);
                            let n = op.trail.events.len();
                            for event in &mut op.trail.events[n.saturating_sub(2)..] {
                                event.error_kind = kind;
                            }
                        }
                        Err(reason) => {
                            batch.record_transport_failure(client, reason);
                            let error = client.transport_failure(&request, reason);
                            op.trail.transport_failure(&request, 0, clock, &error);
                            op.trail.done(&request, 0, None, Some(&error));
                        }
                    }
                    self.batch_outcomes(&items);
                }
            }
            Op::Settle(op) => {
                if let Some((_, settle)) = op.groups.front_mut() {
                    settle.record_answer(client, answer, clock);
                }
            }
        }
        self.flush_events();
    }

    /// The request of the `Send` that awaits its answer.
    fn in_flight_request(&self) -> Option<&Request> {
        match &self.op {
            Op::Call(op) => match op.snapshot_read.as_ref().filter(|r| r.in_flight) {
                Some(read) => Some(read.request()),
                None => Some(op.exchange.request()).filter(|_| op.exchange.in_flight),
            },
            Op::Pages(op) => Some(op.exchange.request()).filter(|_| op.exchange.in_flight),
            Op::Batch(op) => match op.read.as_ref().filter(|r| r.in_flight) {
                Some(read) => Some(read.request()),
                None => op.in_flight.as_ref().map(|(request, _)| request),
            },
            Op::Settle(op) => op.groups.front().and_then(|(_, s)| s.in_flight()),
        }
    }

    /// Whether a `Send` awaits its answer.
    fn in_flight(&self) -> bool {
        match &self.op {
            Op::Call(op) => {
                op.exchange.in_flight || op.snapshot_read.as_ref().is_some_and(|r| r.in_flight)
            }
            Op::Pages(op) => op.exchange.in_flight,
            Op::Batch(op) => {
                op.in_flight.is_some() || op.read.as_ref().is_some_and(|r| r.in_flight)
            }
            Op::Settle(op) => op
                .groups
                .front()
                .is_some_and(|(_, s)| s.in_flight().is_some()),
        }
    }

    fn at(&self) -> String {
        self.unix_now_secs
            .and_then(|s| chrono::DateTime::from_timestamp(s, 0))
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| "unknown".into())
    }

    fn journal(&mut self, record: &JournalRecord) {
        self.journal_line(record, None);
    }

    /// Queues a journal line; `item` is the batch item an intent is for.
    fn journal_line(&mut self, record: &JournalRecord, item: Option<usize>) {
        self.queue.push_back(Step::Journal(record.to_line()));
        self.lines.push_back(match record.event {
            JournalEvent::Intent => Line::Intent(item),
            _ => Line::Other(record.id.clone()),
        });
    }

    fn finish(&mut self, result: Result<Output, Error>) {
        self.result = Some(result);
    }

    fn flush_events(&mut self) {
        let events = match &mut self.op {
            Op::Call(op) => {
                let mut events = op
                    .snapshot_read
                    .as_mut()
                    .map(|r| std::mem::take(&mut r.attempts.trail.events))
                    .unwrap_or_default();
                events.append(&mut op.exchange.attempts.trail.events);
                events
            }
            Op::Pages(op) => std::mem::take(&mut op.exchange.attempts.trail.events),
            Op::Batch(op) => {
                let mut events = std::mem::take(&mut op.trail.events);
                if let Some(read) = op.read.as_mut() {
                    events.append(&mut read.take_events());
                }
                events
            }
            Op::Settle(op) => op
                .groups
                .iter_mut()
                .chain(op.parked.iter_mut())
                .flat_map(|(_, s)| s.take_events())
                .collect(),
        };
        // Events go before anything queued after them (a journal outcome
        // line, the result).
        if events.is_empty() {
            return;
        }
        let rest: Vec<Step> = self.queue.drain(..).collect();
        self.queue.extend(events.into_iter().map(Step::Event));
        self.queue.extend(rest);
    }

    /// Moves the operation on; `None` when it queued steps instead (or
    /// finished).
    fn advance(&mut self) -> Option<Step> {
        let client = self.client.clone();
        let journal_id = self.options.journal_id.clone();
        let settle_delay = self.options.settle_delay_ms;
        let bodies = self.options.bodies;
        let lease_ms = self.options.lease_ms;
        let at = self.at();
        match &mut self.op {
            Op::Call(op) => {
                if let Some(read) = op.snapshot_read.as_mut() {
                    return Some(read.step().into());
                }
                if op.intent.is_none() && op.exchange.wait.is_none() {
                    if let (Some(id), Some(params)) =
                        (journal_id, op.exchange.request().money_params())
                    {
                        match JournalRecord::intent(
                            &id,
                            op.exchange.request().endpoint(),
                            params.clone(),
                            op.exchange.attempts.snapshot.clone(),
                            &at,
                        )
                        .map(|r| r.with_server(client.fingerprint()))
                        {
                            Ok(record) => {
                                if let Some(key) = &op.key {
                                    // Claimed with its key, in the store's
                                    // transaction: never appended alone.
                                    let record = record.with_key(key.clone());
                                    op.claiming = Some(record.clone());
                                    return Some(Step::Claim(KeyClaim {
                                        intent: record,
                                        holder: id,
                                        lease_ms,
                                        settled_now: op.settled_now,
                                    }));
                                }
                                op.intent = Some(record.clone());
                                self.journal(&record);
                                return None;
                            }
                            Err(e) => {
                                self.finish(Err(e));
                                return None;
                            }
                        }
                    }
                }
                Some(op.exchange.step().into())
            }
            Op::Pages(op) => Some(op.exchange.step().into()),
            Op::Batch(op) => {
                if let Some(read) = op.read.as_mut() {
                    return Some(read.step().into());
                }
                let batch = op.batch.as_mut()?;
                if !op.keys.is_empty() {
                    // The keyed items of the next request are claimed
                    // before it is built, one claim per item.
                    let next = batch.upcoming().into_iter().find(|&i| {
                        op.keys[i].is_some()
                            && op.intents[i].is_none()
                            && !op.to_settle.iter().any(|(k, _)| *k == i)
                    });
                    if next.is_none() && !op.to_settle.is_empty() {
                        // Every open move of this request's keys is
                        // settled at once (one settle delay), then claimed
                        // again.
                        let records = std::mem::take(&mut op.to_settle);
                        op.settling = records.iter().map(|(i, _)| *i).collect();
                        let records: Vec<KeyRecord> = records.into_iter().map(|(_, r)| r).collect();
                        self.settle_keys(&records);
                        return None;
                    }
                    if let (Some(i), Some(id)) = (next, &journal_id) {
                        let unsettled = batch.unsettled_of(i);
                        let item_id = format!("{id}-{i}");
                        let claim = JournalRecord::intent_for(
                            &item_id,
                            unsettled.endpoint,
                            unsettled.params,
                            unsettled.snapshot,
                            &at,
                        )
                        .map(|r| r.with_server(client.fingerprint()));
                        match (claim, op.keys[i].clone()) {
                            (Ok(record), Some(key)) => {
                                let record = record.with_key(key);
                                op.claiming = Some((i, record.clone()));
                                return Some(Step::Claim(KeyClaim {
                                    intent: record,
                                    holder: id.clone(),
                                    lease_ms,
                                    settled_now: op.settled_now[i],
                                }));
                            }
                            (Err(e), _) => {
                                self.result = Some(Err(e));
                                return None;
                            }
                            (Ok(_), None) => {}
                        }
                    }
                }
                match batch.next_request(&client) {
                    Some(request) if batch.reading() => {
                        let read = op.read.insert(Exchange::new(request, bodies));
                        Some(read.step().into())
                    }
                    Some(request) => {
                        let sending = batch.sending();
                        let items: Vec<usize> = sending.iter().map(|(i, _)| *i).collect();
                        if let Some(id) = &journal_id {
                            for (i, unsettled) in sending {
                                if op.intents[i].is_some() {
                                    // Claimed with its key: its intent is
                                    // written already.
                                    continue;
                                }
                                let item_id = format!("{id}-{i}");
                                match JournalRecord::intent_for(
                                    &item_id,
                                    unsettled.endpoint,
                                    unsettled.params,
                                    unsettled.snapshot,
                                    &at,
                                )
                                .map(|r| r.with_server(client.fingerprint()))
                                {
                                    Ok(record) => {
                                        op.journal_ids[i] = Some(item_id);
                                        self.queue.push_back(Step::Journal(record.to_line()));
                                        self.lines.push_back(Line::Intent(Some(i)));
                                        op.intents[i] = Some(record);
                                    }
                                    Err(e) => {
                                        self.result = Some(Err(e));
                                        return None;
                                    }
                                }
                            }
                        }
                        op.trail.attempt(&request, 0);
                        op.in_flight = Some((request.clone(), items));
                        Some(Step::Send(request))
                    }
                    None => {
                        let mut outcomes = op.batch.take().map(Batch::finish).unwrap_or_default();
                        let journal_ids = std::mem::take(&mut op.journal_ids);
                        for (outcome, id) in outcomes.iter_mut().zip(&journal_ids) {
                            outcome.journal_id.clone_from(id);
                        }
                        for (outcome, key) in outcomes.iter_mut().zip(&op.keys) {
                            outcome.key.clone_from(key);
                        }
                        self.finish(Ok(Output::Outcomes {
                            outcomes,
                            journal_ids,
                        }));
                        None
                    }
                }
            }
            Op::Settle(op) => {
                if op.wait_first > 0 {
                    let ms = std::mem::take(&mut op.wait_first);
                    return Some(Step::Wait(ms));
                }
                let Some((moves, settle)) = op.groups.front_mut() else {
                    if !op.parked.is_empty() {
                        // The reads that must confirm a `not_applied` come
                        // one settle delay later, for every group at once.
                        for (_, settle) in &mut op.parked {
                            settle.skip_confirm_wait();
                        }
                        op.groups.extend(op.parked.drain(..));
                        return (settle_delay > 0).then_some(Step::Wait(settle_delay));
                    }
                    let mut list = std::mem::take(&mut op.settled);
                    list.sort_by_key(|(index, _, _)| *index);
                    let result = if op.single {
                        match list.pop() {
                            Some((_, _, settlement)) => Ok(Output::Settlement(settlement)),
                            None => Err(Error::invalid("unsettled", "nothing was settled")),
                        }
                    } else {
                        Ok(Output::Settlements(
                            list.into_iter().map(|(_, id, s)| (id, s)).collect(),
                        ))
                    };
                    self.finish(result);
                    return None;
                };
                if settle.confirm_due() {
                    if let Some(group) = op.groups.pop_front() {
                        op.parked.push(group);
                    }
                    return None;
                }
                match settle.next(&client) {
                    SettleStep::Wait(ms) => Some(Step::Wait(ms)),
                    SettleStep::Send(request) => Some(Step::Send(request)),
                    SettleStep::Done(_) => {
                        let settlements = settle.settlements().unwrap_or_default().to_vec();
                        let mut lines = Vec::new();
                        for (m, mut settlement) in
                            std::mem::take(moves).into_iter().zip(settlements)
                        {
                            settlement.warnings.extend(m.warning);
                            if let Some(intent) = &m.intent {
                                lines.push(intent.settled(
                                    settlement.state,
                                    Some(settlement.reason.clone()),
                                    &at,
                                ));
                            }
                            let id = m.intent.map(|r| r.id).unwrap_or_default();
                            op.settled.push((m.index, id, settlement));
                        }
                        op.groups.pop_front();
                        for line in &lines {
                            self.journal(line);
                        }
                        None
                    }
                }
            }
        }
    }

    fn snapshot_done(&mut self, done: Result<AnyResponse, Error>) {
        let Op::Call(op) = &mut self.op else { return };
        op.snapshot_read = None;
        match history_of(done) {
            Ok(history) => op.exchange.attempts.snapshot = Some(Snapshot::new(history.data)),
            // The history read failed: nothing is sent, its error is the
            // result.
            Err(e) => self.finish(Err(e)),
        }
    }

    fn call_done(&mut self, mut done: Result<AnyResponse, Error>) {
        let at = self.at();
        if let Ok(response) = &mut done {
            // A money move's answer text is journaled: a server that echoes
            // the token in it is scrubbed, as its error texts are.
            scrub_money_answer(&self.client, response);
        }
        let Op::Call(op) = &mut self.op else { return };
        if let Some(intent) = op.intent.take() {
            let (status, message) = match &mut done {
                Ok(r) => (ItemStatus::Succeeded, Some(success_message(r))),
                Err(e @ Error::OutcomeUnknown { .. }) => {
                    // What settling it needs names its journal id.
                    if let Error::OutcomeUnknown {
                        unsettled: Some(u), ..
                    } = e
                    {
                        u.journal_id = Some(intent.id.clone());
                        u.key.clone_from(&intent.key);
                    }
                    (ItemStatus::Unknown, Some(e.to_string()))
                }
                Err(e) => (ItemStatus::Failed, Some(e.to_string())),
            };
            let line = intent.outcome(status, message, &at);
            self.journal(&line);
        }
        self.finish(done.map(Output::Response));
    }

    fn page_done(&mut self, done: Result<AnyResponse, Error>) {
        let client = self.client.clone();
        let bodies = self.options.bodies;
        let Op::Pages(op) = &mut self.op else { return };
        let page = match done {
            Ok(page) => page,
            Err(e) => return self.finish(Err(e)),
        };
        let recorded = op.pages.record(&page);
        let next = op.pages.next_request(&client);
        let pages_read = op.pages.pages_read();
        if let Some(request) = &next {
            op.exchange = Exchange::new(request.clone(), bodies);
        }
        self.queue.push_back(Step::Page(page));
        match (recorded, next) {
            (Err(e), _) => self.finish(Err(e.redacted(&client))),
            (Ok(()), None) => self.finish(Ok(Output::Pages { pages_read })),
            (Ok(()), Some(_)) => {}
        }
    }

    fn batch_outcomes(&mut self, items: &[usize]) {
        let at = self.at();
        let Op::Batch(op) = &mut self.op else { return };
        let Some(batch) = op.batch.as_ref() else {
            return;
        };
        let mut lines = Vec::new();
        for &i in items {
            if let (Some(intent), Some(outcome)) = (op.intents[i].take(), batch.outcome(i)) {
                lines.push(intent.outcome(outcome.status, outcome.message.clone(), &at));
            }
        }
        for line in lines {
            self.journal(&line);
        }
    }
}

/// `response`'s texts with the token scrubbed, when it answers a money
/// move (what the journal keeps and the host is handed).
fn scrub_money_answer(client: &Client, response: &mut AnyResponse) {
    match response {
        AnyResponse::AcceptReject(p) | AnyResponse::ManualTransaction(p) => {
            p.message = client.redact(&p.message);
        }
        AnyResponse::MultipleTransaction(m) => {
            m.message = client.redact(&m.message);
            for report in &mut m.data {
                report.message = client.redact(&report.message);
            }
        }
        _ => {}
    }
}

/// The journal's word for a success: the server's message, or `processed`.
fn success_message(response: &AnyResponse) -> String {
    let message = match response {
        AnyResponse::AcceptReject(p) | AnyResponse::ManualTransaction(p) => p.message.as_str(),
        AnyResponse::MultipleTransaction(m) => m.message.as_str(),
        _ => "",
    };
    if message.is_empty() {
        "processed".into()
    } else {
        message.to_owned()
    }
}

/// A history read's result, as the user's history.
fn history_of(
    done: Result<AnyResponse, Error>,
) -> Result<crate::schema::endpoints::user_history::UserHistory, Error> {
    match done? {
        AnyResponse::UserHistory(history) => Ok(history),
        other => Err(Error::decode(
            "$",
            format!("expected the user's history, got {}", other.endpoint()),
        )),
    }
}

/// The history read a manual move needs first, when snapshots are on.
fn snapshot_read(client: &Client, request: &Request, options: &DriverOptions) -> Option<Exchange> {
    if !options.snapshots || request.endpoint() != EndpointId::ManualTransaction {
        return None;
    }
    let what = MoneyMove::from_params(request.money_params()?).ok()?;
    let user = Segment::new("user", what.user()).ok()?;
    let read = client.request(&UserHistoryParams {
        r#type: what.r#type(),
        user,
    });
    Some(Exchange::new(read, options.bodies))
}

/// The refusal of a call's or batch's money move whose parameters hold the
/// token ([`Client::refuse_token_in_move`]): the first such field.
fn token_in_moves(client: &Client, op: &Op) -> Option<Error> {
    match op {
        Op::Call(call) => call
            .exchange
            .request()
            .money()
            .and_then(|p| client.refuse_token_in_move("", p).err()),
        Op::Batch(batch) => batch.batch.as_ref().and_then(|b| {
            b.move_params().enumerate().find_map(|(i, p)| {
                client
                    .refuse_token_in_move(&format!("transaction[{i}]."), &p)
                    .err()
            })
        }),
        Op::Pages(_) | Op::Settle(_) => None,
    }
}
