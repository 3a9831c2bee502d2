//! The money move as data: what a money-moving request does
//! ([`MoneyMove`]), with the two words it is made of ([`TxType`],
//! [`Action`]), and the one move's canonical parameters carried typed
//! ([`MoveParams`]: the move, read once, beside the JSON object the
//! journal line and the bindings show). Data only: this file imports no
//! `Error` (an `Unsettled`, which `Error` holds, carries a `MoveParams`);
//! reading a move from JSON (`MoneyMove::from_params`, `MoveParams::parse`)
//! is in `money.rs`, the words' parsers in `params.rs`.

use std::fmt;
use std::ops::Deref;

use rust_decimal::Decimal;
use serde::{Serialize, Serializer};
use serde_json::Value;

/// Deposit or withdraw: the `type` parameter of every endpoint that has one.
/// The core writes the wire word each endpoint uses (`dps`, `push_dps`,
/// `depo`, ...).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TxType {
    /// `"deposit"`.
    Deposit,
    /// `"withdraw"`.
    Withdraw,
}

impl TxType {
    /// `"deposit"` or `"withdraw"`.
    pub fn as_str(self) -> &'static str {
        match self {
            TxType::Deposit => "deposit",
            TxType::Withdraw => "withdraw",
        }
    }
}

/// Accept or reject a pending transaction. Input is case-insensitive; the wire
/// word is upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// `ACCEPT`.
    Accept,
    /// `REJECT`.
    Reject,
}

impl Action {
    /// `"ACCEPT"` or `"REJECT"`, as written on the wire.
    pub fn as_wire(self) -> &'static str {
        match self {
            Action::Accept => "ACCEPT",
            Action::Reject => "REJECT",
        }
    }
}

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

    /// The transaction ID of an accept or reject.
    pub fn trans_id(&self) -> Option<&str> {
        match self {
            MoneyMove::AcceptReject { trans_id, .. } => Some(trans_id),
            MoneyMove::Manual { .. } => None,
        }
    }
}

impl fmt::Display for MoneyMove {
    /// The move in words, as the CLI and the key conflicts say it:
    /// `accept deposit 123 of LOREM`, `manual withdraw of 2500.50 for IPSUM`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MoneyMove::AcceptReject {
                r#type,
                trans_id,
                user,
                action,
            } => write!(
                f,
                "{} {} {trans_id} of {user}",
                action.as_wire().to_ascii_lowercase(),
                r#type.as_str()
            ),
            MoneyMove::Manual {
                r#type,
                user,
                amount,
            } => write!(f, "manual {} of {amount} for {user}", r#type.as_str()),
        }
    }
}

/// One money move's canonical parameters (`type` included; never the
/// token), carried typed: the [`MoneyMove`] they describe, read once where
/// they enter (a request's typed parameters, a journal line, a binding's
/// value), and the JSON object itself, written to the journal and shown to
/// the bindings as it was given (`comment` and `operator` too). Settling,
/// keys and batches use [`MoveParams::money`]; nothing reads the move from
/// the JSON again. Serialises as the JSON object; derefs to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoveParams {
    pub(crate) money: MoneyMove,
    pub(crate) json: Value,
}

impl MoveParams {
    /// The move.
    pub fn money(&self) -> &MoneyMove {
        &self.money
    }

    /// The canonical parameters, as JSON.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// The canonical parameters, as JSON.
    pub fn into_json(self) -> Value {
        self.json
    }
}

impl Deref for MoveParams {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.json
    }
}

impl Serialize for MoveParams {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(s)
    }
}
