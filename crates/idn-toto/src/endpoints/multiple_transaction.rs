//! `multiple_transaction`: Accept/Reject/Manual Multiple Transaction (moves
//! money; never retried). 1 to 25 items per request, all of one form. For
//! any number of items, use [`crate::Batch`].

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::batch::BatchItem;
use crate::params::ParamReader;
use crate::wire::{self, Wire};
use crate::{Action, Amount, Client, Endpoint, EndpointId, Error, Method, Request, Text, TxType};

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

/// Parameters: `POST /TOKEN/{push_dps|push_wd}` (accept/reject items) or
/// `POST /TOKEN/MANUAL/{depo|wd}` (manual items; the spec does not list this
/// path: see [`crate::PathWords`]) with `{"transaction": [...]}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MultipleTransactionParams {
    r#type: TxType,
    items: Vec<BatchItem>,
}

impl MultipleTransactionParams {
    /// Checks 1 to 25 items, all of one form, no transaction twice.
    pub fn new(r#type: TxType, items: Vec<BatchItem>) -> Result<MultipleTransactionParams, Error> {
        if items.is_empty() || items.len() > MAX_ITEMS {
            return Err(Error::invalid(
                "transaction",
                format!(
                    "must have 1 to {MAX_ITEMS} items per request, got {} (use a batch for more)",
                    items.len()
                ),
            ));
        }
        check_items(&items)?;
        Ok(MultipleTransactionParams { r#type, items })
    }

    /// Reads canonical JSON parameters: `type` and `transaction` (a list of
    /// items with `trans_id`, `user`, `action`, `comment`, `operator`, or
    /// `user`, `amount`, `comment`, `operator`).
    pub fn from_json(v: &Value) -> Result<MultipleTransactionParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(Self::PARAMS)?;
        let r#type = r.tx_type()?;
        let items = items_from_json(r.array("transaction")?)?;
        MultipleTransactionParams::new(r#type, items)
    }

    /// Deposit or withdraw.
    pub fn r#type(&self) -> TxType {
        self.r#type
    }

    /// The items.
    pub fn items(&self) -> &[BatchItem] {
        &self.items
    }

    fn body(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Body<'a> {
            transaction: Vec<ItemBody<'a>>,
        }
        #[derive(Serialize)]
        #[serde(untagged)]
        enum ItemBody<'a> {
            AcceptReject {
                trans_id: &'a str,
                user: &'a str,
                action: &'a str,
                comment: &'a str,
                operator: &'a str,
            },
            Manual {
                user: &'a str,
                amount: Box<RawValue>,
                comment: &'a str,
                operator: &'a str,
            },
        }
        let transaction = self
            .items
            .iter()
            .map(|item| match item {
                BatchItem::AcceptReject(i) => ItemBody::AcceptReject {
                    trans_id: i.trans_id.as_str(),
                    user: i.user.as_str(),
                    action: i.action.as_wire(),
                    comment: i.comment.as_str(),
                    operator: i.operator.as_str(),
                },
                BatchItem::Manual(i) => ItemBody::Manual {
                    user: i.user.as_str(),
                    // Invariant: `Amount::to_wire` is plain digits with at most one
                    // '.', which is always a valid JSON number.
                    amount: RawValue::from_string(i.amount.to_wire()).unwrap_or_else(|_| {
                        RawValue::from_string(format!("\"{}\"", i.amount.to_wire()))
                            .expect("a quoted decimal is JSON")
                    }),
                    comment: i.comment.as_str(),
                    operator: i.operator.as_str(),
                },
            })
            .collect();
        serde_json::to_vec(&Body { transaction }).unwrap_or_default()
    }
}

/// Reads items from canonical JSON, naming `transaction[i].field` on error.
pub(crate) fn items_from_json(list: &[Value]) -> Result<Vec<BatchItem>, Error> {
    list.iter()
        .enumerate()
        .map(|(i, v)| {
            let r = ParamReader::new(v, &format!("transaction[{i}]."))?;
            let manual = r.opt_text("amount")?.is_some()
                && r.opt_text("trans_id")?.is_none()
                && r.opt_text("action")?.is_none();
            if manual {
                r.only(&["user", "amount", "comment", "operator"])?;
                Ok(BatchItem::Manual(ManualItem {
                    user: r.body_text("user")?,
                    amount: r.amount("amount")?,
                    comment: r.body_text("comment")?,
                    operator: r.body_text("operator")?,
                }))
            } else {
                r.only(&["trans_id", "user", "action", "comment", "operator"])?;
                Ok(BatchItem::AcceptReject(AcceptRejectItem {
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
pub(crate) fn check_items(items: &[BatchItem]) -> Result<(), Error> {
    let Some(first) = items.first() else {
        return Err(Error::invalid("transaction", "must have at least one item"));
    };
    let manual = matches!(first, BatchItem::Manual(_));
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        if matches!(item, BatchItem::Manual(_)) != manual {
            return Err(Error::invalid(
                format!("transaction[{i}]"),
                "all items must be of one form: accept/reject items (trans_id, action) or manual items (amount)",
            ));
        }
        if let BatchItem::AcceptReject(a) = item {
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

/// The answer to one multiple request: the server's message and the items
/// it reports as failed (none when all succeeded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct MultipleTransaction {
    /// Message information (`All transactions has been successfully
    /// processed.` or `partial transactions ...`).
    pub message: String,
    /// The failed items, as the server lists them.
    pub data: Vec<ItemFailure>,
}

/// One entry of a multiple request's `data`: an item the server reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct ItemFailure {
    /// `false` for a failed item.
    #[serde(default, deserialize_with = "wire::flag")]
    pub success: Option<bool>,
    /// The transaction ID (accept/reject items).
    #[serde(default, deserialize_with = "opt_text")]
    pub trans_id: Option<String>,
    /// The user (manual items, where the server names one).
    #[serde(default, deserialize_with = "opt_text")]
    pub user: Option<String>,
    /// The 0-based position in the posted list, where the server gives one
    /// (not in the spec; the sandbox sends it for manual items).
    #[serde(default, deserialize_with = "opt_index")]
    pub index: Option<u64>,
    /// Why it failed.
    #[serde(default, deserialize_with = "wire::text")]
    pub message: String,
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = wire::text(d)?;
    Ok((!s.is_empty()).then_some(s))
}

/// An entry's position: absent or null is none; a whole number (or its
/// digits as a string) is one; anything else (`-1`, `1.5`, `"first"`) is an
/// error, so an answer naming an item it can't place is never read as
/// naming none.
fn opt_index<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    let raw = wire::raw(d)?;
    if raw == "null" {
        return Ok(None);
    }
    let digits = raw
        .strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .unwrap_or(raw);
    let digits = digits.trim();
    if !digits.is_empty() && digits.len() <= 19 && digits.bytes().all(|b| b.is_ascii_digit()) {
        if let Ok(n) = digits.parse() {
            return Ok(Some(n));
        }
    }
    Err(wire::refuse(
        raw,
        format_args!("invalid index {raw}: expected a whole number"),
    ))
}

/// The whole answer, refusal included, for [`crate::Batch`].
#[derive(Debug, Deserialize)]
pub(crate) struct MultipleWire {
    #[serde(default, deserialize_with = "wire::flag")]
    pub(crate) success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    pub(crate) message: String,
    #[serde(default, deserialize_with = "wire::rows")]
    pub(crate) data: Vec<ItemFailure>,
    /// The answer contradicts itself (content after it, a key given twice
    /// with different values): nothing in it is certain.
    #[serde(skip)]
    pub(crate) contradictory: Option<String>,
    /// The answer may be cut short (or has no outer braces, or a wrong
    /// closer): the entries it completes stand, nothing else is certain.
    #[serde(skip)]
    pub(crate) incomplete: Option<String>,
}

impl Wire for MultipleWire {
    type Output = MultipleWire;
    const READS_REFUSALS: bool = true;
    const MONEY: bool = true;

    fn damaged(mut self, damage: &wire::Damage) -> Result<MultipleWire, Error> {
        let Some(why) = damage.uncertainty() else {
            return Ok(self);
        };
        if damage.trailing.is_some() || damage.conflict.is_some() {
            self.contradictory = Some(why);
            return Ok(self);
        }
        // Truncated: the entry the body was cut inside is not an entry.
        if let [wire::Step::Key(key), inner, ..] = damage.open.as_slice() {
            if key == "data" {
                match inner {
                    wire::Step::Index(k) if *k < self.data.len() => {
                        self.data.remove(*k);
                    }
                    wire::Step::Index(_) => {}
                    wire::Step::Key(_) => {
                        // A keyed `data` cut inside an entry: which one is
                        // lost with the order.
                        self.contradictory = Some(why);
                        return Ok(self);
                    }
                }
            }
        }
        self.incomplete = Some(why);
        Ok(self)
    }

    fn finish(self) -> Result<MultipleWire, Error> {
        wire::require_success(self.success)?;
        Ok(self)
    }
}

impl Endpoint for MultipleTransactionParams {
    const ID: EndpointId = EndpointId::MultipleTransaction;
    const FUNCTION: &'static str = "Accept/Reject/Manual Multiple Transaction";
    const METHOD: Method = Method::Post;
    const PATH: &'static str = "/{token}/{type:push_dps|push_wd|MANUAL/depo|MANUAL/wd}";
    const IDEMPOTENT: bool = false;
    const PARAMS: &'static [&'static str] = &["type", "transaction"];
    type Response = MultipleTransaction;

    fn request(&self, client: &Client) -> Request {
        let manual = matches!(self.items.first(), Some(BatchItem::Manual(_)));
        let path = if manual {
            client.path_words().bulk_manual(self.r#type).to_owned()
        } else {
            self.r#type.push_word().to_owned()
        };
        let segments: Vec<&str> = path.split('/').collect();
        client.assemble::<Self>(&segments, &[], Some(self.body()))
    }

    /// Without the items, an answer is only definite when it is complete and
    /// says the same thing about all of them: damage, or a refusal that
    /// names some items (the others may have been processed), is
    /// [`Error::OutcomeUnknown`]. [`crate::Batch`] reads the same answers
    /// item by item.
    fn parse(status: u16, body: &[u8]) -> Result<MultipleTransaction, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for MultipleTransactionParams {
    type Out = MultipleTransaction;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<MultipleTransaction, Error> {
        let w = wire::parse_with::<MultipleWire, R>(Self::ID, status, body)?;
        if let Some(why) = w.contradictory.or(w.incomplete) {
            return Err(Error::unknown(Error::decode("$", why)));
        }
        if w.success == Some(false) && !w.data.is_empty() {
            return Err(Error::unknown(Error::api(w.message)));
        }
        wire::check_success(w.success, &w.message)?;
        Ok(MultipleTransaction {
            message: w.message,
            data: w.data,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::test_support::client;
    use serde_json::json;

    #[test]
    fn builds_both_forms() {
        let p = MultipleTransactionParams::from_json(&json!({"type": "deposit", "transaction": [
            {"trans_id": "0000000001", "user": "LOREM", "action": "accept", "comment": "MULTI DEPOSIT 001 ACCEPT", "operator": "OP01"}
        ]}))
        .unwrap();
        let r = client().request(&p);
        assert_eq!(r.redacted_url(), "http://example.com/home.php/***/push_dps");
        assert_eq!(r.body(), Some(&br#"{"transaction":[{"trans_id":"0000000001","user":"LOREM","action":"ACCEPT","comment":"MULTI DEPOSIT 001 ACCEPT","operator":"OP01"}]}"#[..]));
        let p = MultipleTransactionParams::from_json(&json!({"type": "withdraw", "transaction": [
            {"user": "LOREM", "amount": "10000.50", "comment": "BULK", "operator": "OP01"}
        ]}))
        .unwrap();
        let r = client().request(&p);
        assert_eq!(
            r.redacted_url(),
            "http://example.com/home.php/***/MANUAL/wd"
        );
        assert_eq!(r.body(), Some(&br#"{"transaction":[{"user":"LOREM","amount":10000.50,"comment":"BULK","operator":"OP01"}]}"#[..]));
    }

    #[test]
    fn refuses_mixed_forms_duplicates_and_sizes() {
        let a = json!({"trans_id": "1", "user": "u", "action": "accept", "comment": "c", "operator": "o"});
        let m = json!({"user": "u", "amount": 5, "comment": "c", "operator": "o"});
        let e = MultipleTransactionParams::from_json(
            &json!({"type": "deposit", "transaction": [a, m]}),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("transaction[1]"));
        let e = MultipleTransactionParams::from_json(
            &json!({"type": "deposit", "transaction": [a, a]}),
        )
        .unwrap_err();
        assert_eq!(e.field(), Some("transaction[1].trans_id"));
        let e =
            MultipleTransactionParams::from_json(&json!({"type": "deposit", "transaction": []}))
                .unwrap_err();
        assert_eq!(e.field(), Some("transaction"));
        let many: Vec<Value> = (0..26).map(|i| json!({"trans_id": i.to_string(), "user": "u", "action": "reject", "comment": "c", "operator": "o"})).collect();
        let e =
            MultipleTransactionParams::from_json(&json!({"type": "deposit", "transaction": many}))
                .unwrap_err();
        assert_eq!(e.field(), Some("transaction"));
        let e = MultipleTransactionParams::from_json(&json!({"type": "deposit", "transaction": [{"user": "u", "amount": "-1", "comment": "c", "operator": "o"}]})).unwrap_err();
        assert_eq!(e.field(), Some("transaction[0].amount"));
    }

    #[test]
    fn the_spec_partial_success_is_incomplete() {
        // Its `data` array is closed by `}` and the outer object never is:
        // the one entry stands, nothing else is certain.
        let body = "{\n\"success\": true,\n\"message\": \"partial transactions has been successfully processed.\",\n\"data\": [\n{\n\"success\": false,\n\"trans_id\": \"0000000001\",\n\"message\": \"The transaction couldnt be found or has been\nmodified before\"\n}\n}";
        let e = MultipleTransactionParams::parse(200, body.as_bytes()).unwrap_err();
        assert_eq!(e.kind(), "outcome_unknown");
        let closed = format!("{}}}", body.replace("}\n}", "}]"));
        let r = MultipleTransactionParams::parse(200, closed.as_bytes()).unwrap();
        assert_eq!(r.data.len(), 1);
        assert_eq!(r.data[0].trans_id.as_deref(), Some("0000000001"));
        assert_eq!(
            r.data[0].message,
            "The transaction couldnt be found or has been modified before"
        );
    }
}
