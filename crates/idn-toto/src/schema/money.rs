//! The money move: what a money-moving request does (`MoneyMove`), read
//! from the canonical parameters an `Unsettled` (`unsettled.rs`) carries,
//! and attaching an `Unsettled` to an unknown outcome
//! ([`Error::settleable`]).

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::schema::error::Error;
use crate::schema::moves::{Action, MoneyMove, MoveParams, TxType};
use crate::schema::request::Request;
use crate::schema::unsettled::{Snapshot, Unsettled};

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
}

impl MoveParams {
    /// Reads one move's canonical parameters (those of `accept_reject` or
    /// `manual_transaction`, or one `multiple_transaction` item with its
    /// `type`): the move is read here, once ([`MoneyMove::from_params`]),
    /// and the object kept as it is.
    pub fn parse(params: Value) -> Result<MoveParams, Error> {
        let money = MoneyMove::from_params(&params)?;
        Ok(MoveParams {
            money,
            json: params,
        })
    }
}

impl<'de> Deserialize<'de> for MoveParams {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MoveParams, D::Error> {
        MoveParams::parse(Value::deserialize(d)?).map_err(serde::de::Error::custom)
    }
}

impl Unsettled {
    /// The money move its parameters describe.
    pub fn money_move(&self) -> &MoneyMove {
        self.params.money()
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
        // The move is read with the rest (`MoveParams`' `Deserialize`).
        serde_json::from_str::<Unsettled>(text)
            .map_err(|e| Error::invalid("unsettled", e.to_string()))
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
        match (self, request.money()) {
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
                    key: None,
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::accept_reject::AcceptRejectParams;
    use crate::schema::endpoints::manual_transaction::ManualTransactionParams;
    use crate::schema::endpoints::multiple_transaction::MultipleItem;

    /// The move a request carries is made from its typed parameters
    /// (`From<&Params> for MoneyMove`, `MultipleItem::move_params`), never
    /// read from its JSON again: it must be the move that JSON describes,
    /// the one a journal line or a binding's value is read as.
    /// A batch item: the same fields without `type` (the batch's).
    fn without_type(p: &Value) -> Value {
        let mut item = p.clone();
        if let Some(map) = item.as_object_mut() {
            map.remove("type");
        }
        item
    }

    #[test]
    fn the_typed_move_is_the_move_its_json_describes() {
        let manual = [
            json!({"type": "deposit", "user": "LOREM", "comment": "c", "amount": "2500.50", "operator": "o"}),
            json!({"type": "WITHDRAW", "user": "ipsum", "comment": "c", "amount": "100", "operator": "o"}),
            json!({"type": "deposit", "user": "a b", "comment": "c", "amount": "0.000001", "operator": "o"}),
        ];
        for p in &manual {
            let params = ManualTransactionParams::from_json(p).unwrap();
            let carried = params.money().unwrap();
            assert_eq!(
                carried.money(),
                &MoneyMove::from_params(carried.json()).unwrap(),
                "{p}"
            );
            assert_eq!(MoveParams::parse(carried.json().clone()).unwrap(), carried);
            let item = MultipleItem::from_json(&without_type(p), 0).unwrap();
            let r#type = TxType::parse("type", p["type"].as_str().unwrap()).unwrap();
            let from_item = item.move_params(r#type);
            assert_eq!(from_item.money(), carried.money(), "{p}");
            assert_eq!(
                from_item.money(),
                &MoneyMove::from_params(from_item.json()).unwrap()
            );
        }
        let accept = [
            json!({"type": "deposit", "trans_id": "123", "user": "LOREM", "action": "accept", "comment": "c", "operator": "o"}),
            json!({"type": "withdraw", "trans_id": "9", "user": "x", "action": "REJECT", "comment": "c", "operator": "o"}),
        ];
        for p in &accept {
            let params = AcceptRejectParams::from_json(p).unwrap();
            let carried = params.money().unwrap();
            assert_eq!(
                carried.money(),
                &MoneyMove::from_params(carried.json()).unwrap(),
                "{p}"
            );
            let item = MultipleItem::from_json(&without_type(p), 0).unwrap();
            let r#type = TxType::parse("type", p["type"].as_str().unwrap()).unwrap();
            assert_eq!(item.move_params(r#type).money(), carried.money(), "{p}");
            assert!(
                matches!(carried.money(), MoneyMove::AcceptReject { action, .. }
                if *action == Action::parse("action", p["action"].as_str().unwrap()).unwrap())
            );
        }
    }

    #[test]
    fn parameters_without_a_move_are_refused_where_they_enter() {
        let e = MoveParams::parse(json!({"type": "deposit", "user": "u"})).unwrap_err();
        assert_eq!(e.field(), Some("amount"));
        let e = serde_json::from_str::<Unsettled>(
            r#"{"endpoint":"manual_transaction","params":{"type":"deposit","user":"u","amount":"1e3"}}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("amount"), "{e}");
    }
}
