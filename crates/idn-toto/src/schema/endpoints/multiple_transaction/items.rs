//! The items of a multiple transaction: accept/reject or manual, read from
//! canonical JSON and checked (one form, no transaction twice).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::schema::error::Error;
use crate::schema::moves::{Action, MoneyMove, MoveParams, TxType};
use crate::schema::params::ParamReader;
use crate::schema::params::{Amount, Text};

/// The most items one request may carry (the spec's limit).
pub const MAX_ITEMS: usize = 25;

/// The canonical fields of an accept/reject item.
pub const ACCEPT_REJECT_FIELDS: [&str; 5] = ["trans_id", "user", "action", "comment", "operator"];

/// The canonical fields of a manual item.
pub const MANUAL_FIELDS: [&str; 4] = ["user", "amount", "comment", "operator"];

/// One accept/reject item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptRejectItem {
    /// The transaction ID.
    pub trans_id: Text,
    /// User id in game.
    pub user: Text,
    /// Accept or reject.
    pub action: Action,
    /// A comment/note.
    pub comment: Text,
    /// Operator name.
    pub operator: Text,
}

/// One manual deposit or withdrawal item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualItem {
    /// User id in game.
    pub user: Text,
    /// The amount, exact (sent as a JSON number with these exact digits).
    pub amount: Amount,
    /// A comment/note.
    pub comment: Text,
    /// Operator name.
    pub operator: Text,
}

/// One item of a multiple transaction: accept/reject, or manual.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MultipleItem {
    /// Accept or reject a pending transaction.
    AcceptReject(AcceptRejectItem),
    /// A manual deposit or withdrawal.
    Manual(ManualItem),
}

impl MultipleItem {
    pub(crate) fn trans_id(&self) -> Option<&str> {
        match self {
            MultipleItem::AcceptReject(i) => Some(i.trans_id.as_str()),
            MultipleItem::Manual(_) => None,
        }
    }

    pub(crate) fn user(&self) -> &str {
        match self {
            MultipleItem::AcceptReject(i) => i.user.as_str(),
            MultipleItem::Manual(i) => i.user.as_str(),
        }
    }

    /// The item's canonical parameters, `type` included.
    pub fn params(&self, r#type: TxType) -> Value {
        self.move_params(r#type).into_json()
    }

    /// [`MultipleItem::params`] with the move they describe, made from the
    /// typed item (nothing parsed again).
    pub fn move_params(&self, r#type: TxType) -> MoveParams {
        match self {
            MultipleItem::AcceptReject(i) => MoveParams {
                money: MoneyMove::AcceptReject {
                    r#type,
                    trans_id: i.trans_id.as_str().to_owned(),
                    user: i.user.as_str().to_owned(),
                    action: i.action,
                },
                json: json!({
                    "type": r#type.as_str(),
                    "trans_id": i.trans_id.as_str(),
                    "user": i.user.as_str(),
                    "action": i.action.as_wire(),
                    "comment": i.comment.as_str(),
                    "operator": i.operator.as_str(),
                }),
            },
            MultipleItem::Manual(i) => MoveParams {
                money: MoneyMove::Manual {
                    r#type,
                    user: i.user.as_str().to_owned(),
                    amount: i.amount.value(),
                },
                json: json!({
                    "type": r#type.as_str(),
                    "user": i.user.as_str(),
                    "amount": i.amount.to_wire(),
                    "comment": i.comment.as_str(),
                    "operator": i.operator.as_str(),
                }),
            },
        }
    }
}

impl MultipleItem {
    /// Reads item `index` of a list from canonical JSON, naming
    /// `transaction[index].field` on error (what a tool reading items one
    /// by one, from a stream, uses; [`ItemsCheck`] then checks them as a
    /// batch would).
    pub fn from_json(v: &Value, index: usize) -> Result<MultipleItem, Error> {
        let r = ParamReader::new(v, &format!("transaction[{index}]."))?;
        let manual = r.opt_text("amount")?.is_some()
            && r.opt_text("trans_id")?.is_none()
            && r.opt_text("action")?.is_none();
        if manual {
            r.only(&MANUAL_FIELDS)?;
            Ok(MultipleItem::Manual(ManualItem {
                user: r.body_text("user")?,
                amount: r.amount("amount")?,
                comment: r.body_text("comment")?,
                operator: r.body_text("operator")?,
            }))
        } else {
            r.only(&ACCEPT_REJECT_FIELDS)?;
            Ok(MultipleItem::AcceptReject(AcceptRejectItem {
                trans_id: r.body_text("trans_id")?,
                user: r.body_text("user")?,
                action: r.action()?,
                comment: r.body_text("comment")?,
                operator: r.body_text("operator")?,
            }))
        }
    }
}

/// Reads items from canonical JSON, naming `transaction[i].field` on error.
pub(crate) fn items_from_json(list: &[Value]) -> Result<Vec<MultipleItem>, Error> {
    list.iter()
        .enumerate()
        .map(|(i, v)| MultipleItem::from_json(v, i))
        .collect()
}

/// The checks of a whole batch (all items of one form, no transaction ID
/// twice), item by item: for items read from a stream too large to hold,
/// each checked before anything is sent. It keeps only the transaction IDs
/// of accept/reject items.
#[derive(Debug, Default)]
pub struct ItemsCheck {
    manual: Option<bool>,
    seen: HashSet<String>,
    count: usize,
}

impl ItemsCheck {
    /// No item checked yet.
    pub fn new() -> ItemsCheck {
        ItemsCheck::default()
    }

    /// Checks the next item against the ones before it (its index in the
    /// batch is the number of items checked so far).
    pub fn push(&mut self, item: &MultipleItem) -> Result<(), Error> {
        let i = self.count;
        let manual = matches!(item, MultipleItem::Manual(_));
        if *self.manual.get_or_insert(manual) != manual {
            return Err(Error::invalid(
                format!("transaction[{i}]"),
                "all items must be of one form: accept/reject items (trans_id, action) or manual items (amount)",
            ));
        }
        if let MultipleItem::AcceptReject(a) = item {
            if !self.seen.insert(a.trans_id.as_str().to_owned()) {
                return Err(Error::invalid(
                    format!("transaction[{i}].trans_id"),
                    format!(
                        "transaction {:?} appears more than once",
                        a.trans_id.as_str()
                    ),
                ));
            }
        }
        self.count += 1;
        Ok(())
    }

    /// Ends the check: a batch needs at least one item.
    pub fn finish(&self) -> Result<usize, Error> {
        match self.count {
            0 => Err(Error::invalid("transaction", "must have at least one item")),
            n => Ok(n),
        }
    }
}

/// All items of one form; no transaction ID twice.
pub(crate) fn check_items(items: &[MultipleItem]) -> Result<(), Error> {
    let mut check = ItemsCheck::new();
    for item in items {
        check.push(item)?;
    }
    check.finish().map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(v: Value) -> MultipleItem {
        MultipleItem::from_json(&v, 7).unwrap()
    }

    #[test]
    fn items_checked_one_by_one_name_their_index_in_the_batch() {
        let accept = |id: &str| {
            item(
                json!({"trans_id": id, "user": "u", "action": "accept", "comment": "c", "operator": "o"}),
            )
        };
        let mut check = ItemsCheck::new();
        assert!(check.finish().is_err(), "no item");
        check.push(&accept("1")).unwrap();
        check.push(&accept("2")).unwrap();
        let e = check.push(&accept("1")).unwrap_err();
        assert_eq!(e.field(), Some("transaction[2].trans_id"));
        let manual = item(json!({"user": "u", "amount": "5", "comment": "c", "operator": "o"}));
        let e = check.push(&manual).unwrap_err();
        assert_eq!(e.field(), Some("transaction[2]"));
        assert_eq!(check.finish().unwrap(), 2);
    }

    #[test]
    fn an_item_read_alone_names_its_index() {
        let e = MultipleItem::from_json(&json!({"user": "u", "amount": "x"}), 41).unwrap_err();
        assert_eq!(e.field(), Some("transaction[41].amount"));
        assert_eq!(MANUAL_FIELDS.len() + 1, ACCEPT_REJECT_FIELDS.len());
    }
}
