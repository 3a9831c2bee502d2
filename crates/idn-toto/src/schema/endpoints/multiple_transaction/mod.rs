//! `multiple_transaction`: Accept/Reject/Manual Multiple Transaction (moves
//! money; never retried). 1 to 25 items per request, all of one form. For
//! any number of items, use [`crate::Batch`].

use serde::Serialize;
use serde_json::value::RawValue;

use crate::schema::error::Error;
use crate::schema::client::Client;
use crate::schema::declare::endpoint;
use crate::schema::declare::{Field, Val};
use crate::schema::moves::TxType;
use crate::schema::param::ParamType;
use crate::schema::params::ParamReader;
use crate::schema::request::Request;
use crate::schema::wire;

mod answer;
mod items;

pub(crate) use answer::MultipleAnswer;
pub use answer::{ItemFailure, ItemReport, MultipleTransaction};
pub(crate) use items::{check_items, items_from_json};
pub use items::{
    AcceptRejectItem, ItemsCheck, ManualItem, MultipleItem, ACCEPT_REJECT_FIELDS, MANUAL_FIELDS,
    MAX_ITEMS,
};

/// The old name of [`MultipleItem`].
pub type BatchItem = MultipleItem;

endpoint! {
    /// Parameters: `POST /TOKEN/{push_dps|push_wd}` (accept/reject items) or
    /// `POST /TOKEN/MANUAL/{depo|wd}` (manual items; the spec does not list this
    /// path: see [`crate::PathWords`]) with `{"transaction": [...]}`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct MultipleTransactionParams {
        r#type: TxType = "type" in Path,
        items: Vec<MultipleItem> = "transaction" in Body,
    }
    impl Endpoint {
        id: MultipleTransaction,
        function: "Accept/Reject/Manual Multiple Transaction",
        method: Post,
        path: "/{token}/{type:push_dps|push_wd|MANUAL/depo|MANUAL/wd}",
        words: {
            "MANUAL/depo" => bulk_manual_deposit,
            "MANUAL/wd" => bulk_manual_withdraw,
        },
        money: batch,
        response: MultipleTransaction,
        wire: custom,
        holds: [ItemReport],
        check: MultipleTransactionParams::check,
        request: MultipleTransactionParams::build,
    }
}

impl MultipleTransactionParams {
    /// Checks 1 to 25 items, all of one form, no transaction twice.
    pub fn new(
        r#type: TxType,
        items: Vec<MultipleItem>,
    ) -> Result<MultipleTransactionParams, Error> {
        MultipleTransactionParams::check(MultipleTransactionParams { r#type, items })
    }

    fn check(p: MultipleTransactionParams) -> Result<MultipleTransactionParams, Error> {
        if p.items.is_empty() || p.items.len() > MAX_ITEMS {
            return Err(Error::invalid(
                "transaction",
                format!(
                    "must have 1 to {MAX_ITEMS} items per request, got {} (use a batch for more)",
                    p.items.len()
                ),
            ));
        }
        check_items(&p.items)?;
        Ok(p)
    }

    /// The template's `type` word: `push_dps|push_wd` for accept/reject
    /// items, `MANUAL/depo|MANUAL/wd` (overridable) for manual ones.
    fn build(&self, client: &Client) -> Request {
        let manual = matches!(self.items.first(), Some(MultipleItem::Manual(_)));
        let value = |name: &str| {
            let mut v = crate::schema::declare::Declared::value(self, name)?;
            if manual {
                v.pick = v.pick.map(|i| i + 2);
            }
            Some(v)
        };
        crate::schema::declare::request_with::<Self>(client, &value, Some(self.body()))
    }

    /// Deposit or withdraw.
    pub fn r#type(&self) -> TxType {
        self.r#type
    }

    /// The items.
    pub fn items(&self) -> &[MultipleItem] {
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
                MultipleItem::AcceptReject(i) => ItemBody::AcceptReject {
                    trans_id: i.trans_id.as_str(),
                    user: i.user.as_str(),
                    action: i.action.as_wire(),
                    comment: i.comment.as_str(),
                    operator: i.operator.as_str(),
                },
                MultipleItem::Manual(i) => ItemBody::Manual {
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

impl wire::Parse for MultipleTransactionParams {
    type Out = MultipleTransaction;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<MultipleTransaction, Error> {
        let w = wire::parse_with::<MultipleAnswer, R>(
            <Self as crate::schema::endpoint::Endpoint>::ID,
            status,
            body,
        )?;
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

/// The multiple transaction's items: each read and named by its index; the
/// endpoint writes its own body (amounts as JSON numbers).
impl Field for Vec<MultipleItem> {
    const TYPE: ParamType = ParamType::Items;
    const REQUIRED: bool = true;
    fn read(r: &ParamReader<'_>, name: &str) -> Result<Vec<MultipleItem>, Error> {
        items_from_json(r.array(name)?)
    }
    fn value(&self) -> Option<Val<'_>> {
        None
    }
    fn to_json(&self) -> Option<serde_json::Value> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::test_support::client;
    use serde_json::json;
    use serde_json::Value;

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
