//! What an unknown outcome of a money move carries: the user's history read
//! before it was sent (`Snapshot`) and what settling it needs
//! (`Unsettled`), as data only. `Error::OutcomeUnknown` holds an `Unsettled`,
//! so this file imports no `Error`; reading and checking one (`from_json`,
//! `money_move`) is in `money`.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::schema::history_entry::HistoryEntry;
use crate::schema::id::EndpointId;
use crate::schema::moves::MoveParams;
use crate::schema::operation_key::OperationKey;

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
    /// In a batch settled from its journal: the amounts of the same user's
    /// other manual items that the journal shows took effect (`succeeded`,
    /// or settled `applied`). Each made an entry after the snapshot, so each
    /// takes one before this move is judged: an entry is evidence for one
    /// move only (`docs/spec-notes.md` 177). Never in what a batch hands
    /// out; [`crate::Journal::unsettled`] moves siblings here.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString[]", optional))]
    pub claimed: Vec<Decimal>,
}

/// What settling an unknown outcome needs, carried by the
/// [`crate::Error::OutcomeUnknown`] of a single call and by a batch
/// [`crate::ItemOutcome`]: the money move's canonical parameters (`type`
/// included; never the token), for a manual move the user's history read
/// before it was sent, the server it was sent to, its journal id and its
/// operation key.
/// Settling it with a client of another server is refused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unsettled {
    /// `accept_reject`, `manual_transaction` or `multiple_transaction` (an
    /// item of a batch).
    #[serde(with = "crate::schema::id::endpoint_id")]
    pub endpoint: EndpointId,
    /// The one move's canonical parameters, with the move they describe
    /// (read once, where they entered).
    pub params: MoveParams,
    /// The user's history of that type before sending (manual moves).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    /// The server the move was sent to ([`crate::Client::fingerprint`]). `None`
    /// only in what an older version wrote: such a move is settled with a
    /// warning on its settlement (`docs/spec-notes.md` 123).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    /// The move's journal id, when it was journaled: settling it with
    /// journaling on writes its `settled` line under this id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub journal_id: Option<String>,
    /// The operation key the move was sent under, when it had one: settling
    /// it with journaling on writes the key on its `settled` line, so the
    /// key's record takes the verdict (`docs/spec-notes.md` 217).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<OperationKey>,
}

impl Snapshot {
    /// The history read before a single move (no siblings).
    pub fn new(entries: Vec<HistoryEntry>) -> Snapshot {
        Snapshot {
            entries,
            siblings: Vec::new(),
            claimed: Vec::new(),
        }
    }
}
