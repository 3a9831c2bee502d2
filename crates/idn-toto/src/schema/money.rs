//! The money move: what a money-moving request does (`MoneyMove`), read
//! from the canonical parameters an `Unsettled` (`unsettled.rs`) carries,
//! and attaching an `Unsettled` to an unknown outcome
//! ([`Error::settleable`]).

use rust_decimal::Decimal;
use serde_json::Value;

use crate::error::Error;
use crate::schema::params::{Action, TxType};
use crate::schema::request::Request;
use crate::schema::unsettled::{Snapshot, Unsettled};

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
        // The amount of a request that was sent: the request's rules.
        let amount = crate::schema::params::Amount::parse("amount", &text("amount")?)?.value();
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

    pub(crate) fn describe(&self) -> String {
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

impl Error {
    /// This error with what settling it needs attached, when it is an
    /// [`Error::OutcomeUnknown`] of a single money move made by
    /// [`crate::Client::request`]: the move's canonical parameters, and
    /// `snapshot` (the user's history read before a manual move was sent).
    /// Anything else is returned as it is. [`crate::Call`] does this; a host
    /// that drives [`crate::Client::parse`] itself calls it.
    pub fn settleable(self, request: &Request, snapshot: Option<Snapshot>) -> Error {
        match (self, request.money_params()) {
            (
                Error::OutcomeUnknown {
                    cause,
                    unsettled: None,
                },
                Some(params),
            ) => Error::OutcomeUnknown {
                cause,
                unsettled: Some(Box::new(Unsettled {
                    endpoint: request.endpoint(),
                    params: params.clone(),
                    snapshot,
                    server: None,
                    journal_id: None,
                })),
            },
            // Attached already (a transport failure): fill in the snapshot.
            (
                Error::OutcomeUnknown {
                    cause,
                    unsettled: Some(mut u),
                },
                _,
            ) => {
                if u.snapshot.is_none() {
                    u.snapshot = snapshot;
                }
                Error::OutcomeUnknown {
                    cause,
                    unsettled: Some(u),
                }
            }
            (error, _) => error,
        }
    }
}
