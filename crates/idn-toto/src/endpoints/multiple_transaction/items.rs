//! The items of a multiple transaction: accept/reject or manual, read from
//! canonical JSON and checked (one form, no transaction twice).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::params::ParamReader;
use crate::{Action, Amount, Error, Text, TxType};

/// The most items one request may carry (the spec's limit).
pub const MAX_ITEMS: usize = 25;

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
        match self {
            MultipleItem::AcceptReject(i) => json!({
                "type": r#type.as_str(),
                "trans_id": i.trans_id.as_str(),
                "user": i.user.as_str(),
                "action": i.action.as_wire(),
                "comment": i.comment.as_str(),
                "operator": i.operator.as_str(),
            }),
            MultipleItem::Manual(i) => json!({
                "type": r#type.as_str(),
                "user": i.user.as_str(),
                "amount": i.amount.to_wire(),
                "comment": i.comment.as_str(),
                "operator": i.operator.as_str(),
            }),
        }
    }
}

/// Reads items from canonical JSON, naming `transaction[i].field` on error.
pub(crate) fn items_from_json(list: &[Value]) -> Result<Vec<MultipleItem>, Error> {
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let r = ParamReader::new(v, &format!("transaction[{i}]."))?;
            let manual = r.opt_text("amount")?.is_some()
                && r.opt_text("trans_id")?.is_none()
                && r.opt_text("action")?.is_none();
            if manual {
                r.only(&["user", "amount", "comment", "operator"])?;
                Ok(MultipleItem::Manual(ManualItem {
                    user: r.body_text("user")?,
                    amount: r.amount("amount")?,
                    comment: r.body_text("comment")?,
                    operator: r.body_text("operator")?,
                }))
            } else {
                r.only(&["trans_id", "user", "action", "comment", "operator"])?;
                Ok(MultipleItem::AcceptReject(AcceptRejectItem {
                    trans_id: r.body_text("trans_id")?,
                    user: r.body_text("user")?,
                    action: r.action()?,
                    comment: r.body_text("comment")?,
                    operator: r.body_text("operator")?,
                }))
            }
        })
        .collect()
}

/// All items of one form; no transaction ID twice.
pub(crate) fn check_items(items: &[MultipleItem]) -> Result<(), Error> {
    let Some(first) = items.first() else {
        return Err(Error::invalid("transaction", "must have at least one item"));
    };
    let manual = matches!(first, MultipleItem::Manual(_));
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if matches!(item, MultipleItem::Manual(_)) != manual {
            return Err(Error::invalid(
                format!("transaction[{i}]"),
                "all items must be of one form: accept/reject items (trans_id, action) or manual items (amount)",
            ));
        }
        if let MultipleItem::AcceptReject(a) = item {
            if !seen.insert(a.trans_id.as_str()) {
                return Err(Error::invalid(
                    format!("transaction[{i}].trans_id"),
                    format!(
                        "transaction {:?} appears more than once",
                        a.trans_id.as_str()
                    ),
                ));
            }
        }
    }
    Ok(())
}
