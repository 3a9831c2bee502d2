//! `transaction_list`: Get Transaction List (pending deposits or withdrawals).

use std::fmt;
use std::marker::PhantomData;

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::de::{Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::params::ParamReader;
use crate::wire::{self, TransactionType, Wire};
use crate::{Client, Endpoint, EndpointId, Error, Method, Request, Segment, TxType};

/// Parameters: `GET /TOKEN/{dps|wd}[/BANK][?name=NAME]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionListParams {
    /// Deposits or withdrawals.
    pub r#type: TxType,
    /// Only this destination bank (`bca`, `mandiri`, `dana`, ...).
    pub bank: Option<Segment>,
    /// Only this destination bank account name (sent as the `name` query
    /// parameter).
    pub name: Option<String>,
}

impl TransactionListParams {
    /// Reads canonical JSON parameters: `type`, optional `bank`, `name`.
    pub fn from_json(v: &Value) -> Result<TransactionListParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(Self::PARAMS)?;
        let name = r.opt_body_text("name")?.map(|t| t.as_str().to_owned());
        Ok(TransactionListParams {
            r#type: r.tx_type()?,
            bank: r.opt_segment("bank")?,
            name,
        })
    }
}

/// The pending transactions, in the server's order (by key `"1"`, `"2"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct TransactionList {
    /// The rows.
    pub data: Vec<PendingTransaction>,
}

/// One pending transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct PendingTransaction {
    /// Transaction ID.
    #[serde(deserialize_with = "wire::text")]
    pub id: String,
    /// User id in game.
    #[serde(deserialize_with = "wire::text")]
    pub user: String,
    /// When the transaction was made.
    #[serde(
        deserialize_with = "wire::datetime",
        serialize_with = "wire::ser_datetime"
    )]
    #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString"))]
    pub date: NaiveDateTime,
    /// `deposit` or `withdraw`.
    pub r#type: TransactionType,
    /// Name of the website.
    #[serde(default, deserialize_with = "wire::text")]
    pub game: String,
    /// The user's bank account name.
    #[serde(default, deserialize_with = "wire::text")]
    pub bank_acc_name: String,
    /// The user's bank.
    #[serde(default, deserialize_with = "wire::text")]
    pub bank_name: String,
    /// The user's bank account number (text: leading zeros matter).
    #[serde(default, deserialize_with = "wire::text")]
    pub bank_acc_number: String,
    /// Transaction amount.
    #[serde(deserialize_with = "wire::amount")]
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString"))]
    pub amount: Decimal,
    /// Destination bank.
    #[serde(default, deserialize_with = "wire::text")]
    pub destination_bank: String,
    /// Destination account number.
    #[serde(default, deserialize_with = "wire::text")]
    pub destination_acc_number: String,
}

/// The wire shape: a top-level object keyed `"1"`, `"2"`, ... (an array, or
/// a `success`/`message`/`data` envelope, are read too).
#[derive(Debug)]
struct ListWire {
    success: Option<bool>,
    message: Option<String>,
    rows: Vec<PendingTransaction>,
}

impl<'de> Deserialize<'de> for ListWire {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ListWire, D::Error> {
        struct V(PhantomData<PendingTransaction>);
        impl<'de> Visitor<'de> for V {
            type Value = ListWire;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object keyed \"1\", \"2\", ... or an array")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ListWire, A::Error> {
                let rows = wire::ListVisitor::<wire::Row<PendingTransaction>>(PhantomData)
                    .visit_seq(seq)?
                    .into_iter()
                    .map(|r| r.0)
                    .collect();
                Ok(ListWire {
                    success: None,
                    message: None,
                    rows,
                })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ListWire, A::Error> {
                let mut out = ListWire {
                    success: None,
                    message: None,
                    rows: Vec::new(),
                };
                let mut keyed = Vec::new();
                let mut rows = std::collections::HashSet::new();
                let mut seen = [false; 3];
                let mut n = 0usize;
                let twice = |k: &str| A::Error::custom(format!("key {k:?} is given twice"));
                while let Some(key) = map.next_key_seed(TopKey(&mut rows))? {
                    let slot = match key {
                        Top::Success => 0,
                        Top::Message => 1,
                        Top::Data => 2,
                        Top::Row(i) => {
                            keyed.push((
                                i,
                                n,
                                map.next_value::<wire::Row<PendingTransaction>>()?.0,
                            ));
                            n += 1;
                            continue;
                        }
                    };
                    if std::mem::replace(&mut seen[slot], true) {
                        return Err(twice(["success", "message", "data"][slot]));
                    }
                    match slot {
                        0 => out.success = map.next_value::<FlagField>()?.0,
                        1 => out.message = Some(map.next_value::<TextField>()?.0),
                        _ => out.rows = map.next_value::<ListField>()?.0,
                    }
                }
                if !keyed.is_empty() {
                    if seen[2] {
                        return Err(A::Error::custom(
                            "both \"data\" and numbered rows: which are the pending transactions is unclear",
                        ));
                    }
                    out.rows = wire::order_keyed(keyed);
                }
                Ok(out)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// A top-level key: the envelope's, or a row number (checked as a keyed
/// list's keys are). Anything else (an `{"error": ...}` body) is refused
/// while the key is read.
enum Top {
    Success,
    Message,
    Data,
    Row(u64),
}

struct TopKey<'a>(&'a mut std::collections::HashSet<u64>);

impl<'de> serde::de::DeserializeSeed<'de> for TopKey<'_> {
    type Value = Top;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Top, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for TopKey<'_> {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a row number or success/message/data")
    }

    fn visit_str<E: serde::de::Error>(self, k: &str) -> Result<Top, E> {
        match k {
            "success" => Ok(Top::Success),
            "message" => Ok(Top::Message),
            "data" => Ok(Top::Data),
            k => wire::RowKey(self.0).visit_str(k).map(Top::Row),
        }
    }
}

struct FlagField(Option<bool>);
impl<'de> Deserialize<'de> for FlagField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<FlagField, D::Error> {
        wire::flag(d).map(FlagField)
    }
}
struct TextField(String);
impl<'de> Deserialize<'de> for TextField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TextField, D::Error> {
        wire::text(d).map(TextField)
    }
}
struct ListField(Vec<PendingTransaction>);
impl<'de> Deserialize<'de> for ListField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<ListField, D::Error> {
        wire::rows(d).map(ListField)
    }
}

impl Wire for ListWire {
    type Output = TransactionList;
    const TOP_ARRAY: bool = true;

    fn finish(self) -> Result<TransactionList, Error> {
        wire::check_success(self.success, self.message.as_deref().unwrap_or(""))?;
        Ok(TransactionList { data: self.rows })
    }
}

impl Endpoint for TransactionListParams {
    const ID: EndpointId = EndpointId::TransactionList;
    const FUNCTION: &'static str = "Get Transaction List";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/{token}/{type:dps|wd}[/{bank}][?name={name}]";
    const IDEMPOTENT: bool = true;
    const PARAMS: &'static [&'static str] = &["type", "bank", "name"];
    type Response = TransactionList;

    fn request(&self, client: &Client) -> Request {
        let bank = self.bank.as_ref().map(Segment::encoded);
        let mut segments = vec![self.r#type.list_word()];
        if let Some(b) = &bank {
            segments.push(b);
        }
        let key = client.path_words().name_query_key.as_str();
        let query: Vec<(&str, &str)> = self.name.iter().map(|n| (key, n.as_str())).collect();
        client.assemble::<Self>(&segments, &query, None)
    }

    fn parse(status: u16, body: &[u8]) -> Result<TransactionList, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for TransactionListParams {
    type Out = TransactionList;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<TransactionList, Error> {
        wire::parse_with::<ListWire, R>(Self::ID, status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endpoints::test_support::client;

    #[test]
    fn builds_with_bank_and_name() {
        let p = TransactionListParams {
            r#type: TxType::Deposit,
            bank: Some(Segment::new("bank", "bca").unwrap()),
            name: Some("TEST ACCOUNT".into()),
        };
        let r = client().request(&p);
        assert_eq!(
            r.redacted_url(),
            "http://example.com/home.php/***/dps/bca?name=TEST%20ACCOUNT"
        );
        assert!(r.is_idempotent());
    }

    #[test]
    fn reads_the_spec_example_with_bare_dates() {
        let body = "{\n\"2\":{\"id\":\"2\",\"user\":\"b\",\"date\":23-02-2021 13:28:21,\"type\":\"deposit\",\"amount\":\"300000.0000\"},\n\"10\":{\"id\":\"10\",\"user\":\"c\",\"date\":\"23-02-2021 13:28:21\",\"type\":\"withdraw\",\"amount\":1},\n\"1\":{\"id\":\"1\",\"user\":\"a\",\"date\":23-02-2021 15:38:48,\"type\":\"deposit\",\"amount\":\"200000.0000\"}}";
        let list = TransactionListParams::parse(200, body.as_bytes()).unwrap();
        let ids: Vec<_> = list.data.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["1", "2", "10"]);
        assert_eq!(list.data[0].amount.to_string(), "200000.0000");
    }

    #[test]
    fn empty_and_refused() {
        assert!(TransactionListParams::parse(200, b"[]")
            .unwrap()
            .data
            .is_empty());
        assert!(TransactionListParams::parse(200, b"{}")
            .unwrap()
            .data
            .is_empty());
        let e = TransactionListParams::parse(200, br#"{"success":false,"message":"nope"}"#)
            .unwrap_err();
        assert_eq!(e.kind(), "api");
    }
}
