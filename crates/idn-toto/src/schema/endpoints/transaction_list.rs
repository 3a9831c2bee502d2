//! `transaction_list`: Get Transaction List (pending deposits or withdrawals).

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserializer, Error as _, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::schema::error::Error;
use crate::schema::declare::{endpoint, row};
use crate::schema::moves::TxType;
use crate::schema::params::Segment;
use crate::schema::wire::{self, TransactionType, Wire};

endpoint! {
    /// Parameters: `GET /TOKEN/{dps|wd}[/BANK][?name=NAME]`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct TransactionListParams {
        /// Deposits or withdrawals.
        pub r#type: TxType = "type" in Path,
        /// Only this destination bank (`bca`, `mandiri`, `dana`, ...).
        pub bank: Option<Segment> = "bank" in Path,
        /// Only this destination bank account name (sent as the `name` query
        /// parameter).
        pub name: Option<String> = "name" in Query,
    }
    impl Endpoint {
        id: TransactionList,
        function: "Get Transaction List",
        method: Get,
        path: "/{token}/{type:dps|wd}[/{bank}][?name={name}]",
        words: { "name" => name_query_key },
        money: none,
        response: TransactionList,
        wire: ListWire,
        holds: [PendingTransaction, TransactionType],
        transcode: keyed_rows(ROW_FIELDS),
    }
}

/// The pending transactions, in the server's order (by key `"1"`, `"2"`, ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct TransactionList {
    /// The rows.
    pub data: Vec<PendingTransaction>,
}

row! {
    /// One pending transaction.
    pub struct PendingTransaction in ROW_FIELDS {
        /// Transaction ID.
        id: Text,
        /// User id in game.
        user: Text,
        /// When the transaction was made.
        date: DateTime,
        /// `deposit` or `withdraw`.
        r#type as "type": Enum(TransactionType),
        /// Name of the website.
        game: Text = default,
        /// The user's bank account name.
        bank_acc_name: Text = default,
        /// The user's bank.
        bank_name: Text = default,
        /// The user's bank account number (text: leading zeros matter).
        bank_acc_number: Text = default,
        /// Transaction amount.
        amount: Amount,
        /// Destination bank.
        destination_bank: Text = default,
        /// Destination account number.
        destination_acc_number: Text = default,
    }
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


#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;

    fn transcode(status: u16, body: &[u8]) -> Option<String> {
        <TransactionListParams as wire::Parse>::transcode(status, body)
    }
    use crate::schema::endpoints::test_support::client;
    use proptest::prelude::*;

    /// The typed path's text: what the transcoder must give, or give up.
    fn typed_text(body: &[u8]) -> Option<String> {
        let list = TransactionListParams::parse(200, body).ok()?;
        serde_json::to_string(&list).ok()
    }

    /// The transcoder's answer is `None` or exactly the typed path's text.
    fn agrees(body: &[u8]) -> Result<bool, TestCaseError> {
        wire::gen::agrees(body, transcode(200, body), typed_text)
    }

    /// A text value: mostly plain, sometimes with what the transcoder
    /// leaves to the typed path (quotes, backslashes, control characters,
    /// `\u` escapes), or not a string at all.
    fn text_wire() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => "[a-zA-Z0-9 _.\\-/üß€漢]{0,12}".prop_map(|t| format!("\"{t}\"")),
            1 => "[a-z\"\\\\\u{1}\t]{0,6}".prop_map(|t| serde_json::to_string(&t).unwrap()),
            1 => Just("\"a\\u0041\"".to_owned()),
            1 => Just("null".to_owned()),
            1 => (0u32..100_000).prop_map(|n| n.to_string()),
            1 => Just("true".to_owned()),
        ]
    }

    /// Timestamps in every shape `parse_datetime` reads, and some it
    /// refuses (a 31st of February, hour 24, junk).
    fn date_wire() -> impl Strategy<Value = String> {
        (
            1u32..=31,
            1u32..=13,
            1900u32..2100,
            0u32..=24,
            0u32..=60,
            0u32..=60,
            0u8..8,
        )
            .prop_map(|(d, mo, y, h, mi, se, how)| {
                let t = match how {
                    0..=2 => format!("{d:02}-{mo:02}-{y} {h:02}:{mi:02}:{se:02}"),
                    3 => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.{:03}", d * 7),
                    4 => format!("{y}-{mo:02}-{d:02}T{h:02}:{mi:02}:{se:02}"),
                    5 => format!(" {d:02}/{mo:02}/{y} "),
                    6 => format!("{d}-{mo}-{y} {h}:{mi}"),
                    _ => format!("{y}-{mo:02}-{d:02} {h:02}:{mi:02}:{se:02}.5570000"),
                };
                format!("\"{t}\"")
            })
    }

    /// Amounts: plain decimals (leading zeros, zero, many digits, a
    /// sign, an exponent, spaces) as strings, and numbers.
    fn amount_wire() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => ("[0-9]{1,16}", proptest::option::of("[0-9]{1,14}")).prop_map(|(i, f)| match f {
                Some(f) => format!("\"{i}.{f}\""),
                None => format!("\"{i}\""),
            }),
            1 => "-?[0-9]{0,30}(\\.[0-9]{0,30})?([eE][-+]?[0-9]{1,3})?".prop_map(|t| format!("\"{t}\"")),
            1 => "[0-9]{1,3}\\.[0-9]{4}".prop_map(|t| format!("\" {t} \"")),
            1 => "[0-9]{1,6}".prop_map(|t| t),
            1 => Just("null".to_owned()),
        ]
    }

    fn type_wire() -> impl Strategy<Value = String> {
        prop_oneof![
            4 => Just("\"deposit\"".to_owned()),
            2 => Just("\"withdraw\"".to_owned()),
            1 => Just("\" Deposit \"".to_owned()),
            1 => Just("\"WITHDRAW\"".to_owned()),
            1 => Just("\"refund\"".to_owned()),
            1 => Just("null".to_owned()),
        ]
    }

    /// Whitespace between tokens, as servers send it.
    fn ws() -> impl Strategy<Value = String> {
        prop_oneof![4 => Just(String::new()), 1 => "[ \n\t\r]{1,3}"]
    }

    /// One row: every field in table order or shuffled, optional ones
    /// sometimes missing, sometimes an unknown or a repeated field.
    fn row_wire(clean: bool) -> impl Strategy<Value = String> {
        let value = move |i: usize| -> BoxedStrategy<String> {
            let plain = "[a-zA-Z0-9 _.\\-]{0,10}".prop_map(|t| format!("\"{t}\""));
            match (ROW_FIELDS[i].kind, clean) {
                (wire::Kind::DateTime, true) => (
                    1u32..=28,
                    1u32..=12,
                    2000u32..2030,
                    0u32..24,
                    0u32..60,
                    0u32..60,
                )
                    .prop_map(|(d, mo, y, h, mi, se)| {
                        format!("\"{d:02}-{mo:02}-{y} {h:02}:{mi:02}:{se:02}\"")
                    })
                    .boxed(),
                (wire::Kind::DateTime, false) => date_wire().boxed(),
                (wire::Kind::Amount, true) => (1u64..100_000_000, 0u32..10_000)
                    .prop_map(|(i, f)| format!("\"{i}.{f:04}\""))
                    .boxed(),
                (wire::Kind::Amount, false) => amount_wire().boxed(),
                (wire::Kind::Enum(_), true) => prop_oneof![
                    Just("\"deposit\"".to_owned()),
                    Just("\"withdraw\"".to_owned())
                ]
                .boxed(),
                (wire::Kind::Enum(_), false) => type_wire().boxed(),
                (wire::Kind::Text, true) => plain.boxed(),
                (wire::Kind::Text, false) => text_wire().boxed(),
                (kind, _) => unreachable!("not a pending-list field kind: {kind:?}"),
            }
        };
        let values: Vec<BoxedStrategy<String>> = (0..ROW_FIELDS.len()).map(value).collect();
        let n = ROW_FIELDS.len();
        (
            values,
            proptest::collection::vec(any::<bool>(), n),
            Just((0..n).collect::<Vec<usize>>()).prop_shuffle(),
            any::<bool>(),
            0u8..12,
            ws(),
        )
            .prop_map(move |(values, keep, order, shuffle, extra, w)| {
                let mut parts = Vec::new();
                for (at, &shuffled) in order.iter().enumerate() {
                    let i = if shuffle && !clean { shuffled } else { at };
                    if !clean && ROW_FIELDS[i].default && !keep[i] {
                        continue;
                    }
                    parts.push(format!("{w}\"{}\"{w}:{w}{}", ROW_FIELDS[i].name, values[i]));
                }
                if !clean && extra == 0 {
                    parts.push("\"note\":\"x\"".into());
                }
                if !clean && extra == 1 {
                    parts.push("\"id\":\"again\"".into());
                }
                if !clean && extra == 2 {
                    parts.remove(0);
                }
                format!("{{{}{w}}}", parts.join(","))
            })
    }

    /// A keyed list: `"1"`..`"n"` in order or shuffled; unclean lists also
    /// get `"01"`, repeated keys, an envelope key, or an array body.
    fn list_wire(clean: bool) -> impl Strategy<Value = String> {
        (
            proptest::collection::vec(row_wire(clean), 0..6),
            any::<bool>(),
            0u8..10,
            ws(),
        )
            .prop_map(move |(rows, shuffle, quirk, w)| {
                let mut keys: Vec<String> = (1..=rows.len()).map(|k| k.to_string()).collect();
                if shuffle {
                    keys.reverse();
                }
                if !clean && !keys.is_empty() {
                    match quirk {
                        0 => keys[0] = "01".into(),
                        1 => keys[0] = keys[keys.len() - 1].clone(),
                        2 => keys[0] = "success".into(),
                        3 => keys[0] = "x".into(),
                        _ => {}
                    }
                }
                let items: Vec<String> = keys
                    .iter()
                    .zip(&rows)
                    .map(|(k, r)| format!("{w}\"{k}\"{w}:{w}{r}"))
                    .collect();
                if !clean && quirk == 4 {
                    return format!("[{}]", rows.join(","));
                }
                format!("{w}{{{}{w}}}{w}", items.join(","))
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Well-formed lists in the common shape are transcoded, to the
        /// typed path's text.
        #[test]
        fn transcoder_reads_clean_lists_as_the_typed_path(body in list_wire(true)) {
            prop_assert!(agrees(body.as_bytes())?, "not transcoded: {}", body);
        }

        /// Anything: the transcoder gives the typed path's text or gives up.
        #[test]
        fn transcoder_agrees_or_gives_up(body in list_wire(false)) {
            agrees(body.as_bytes())?;
        }

        /// A clean list with one byte changed, dropped or added.
        #[test]
        fn transcoder_agrees_or_gives_up_on_corruption(
            body in list_wire(true),
            at in any::<proptest::sample::Index>(),
            byte in prop_oneof![Just(b'"'), Just(b'\\'), Just(b','), Just(b'}'), Just(b'0'), Just(b' '), Just(0x01u8), Just(0xC3u8), any::<u8>()],
            how in 0u8..3,
        ) {
            let mut b = body.into_bytes();
            if !b.is_empty() {
                let i = at.index(b.len());
                match how {
                    0 => b[i] = byte,
                    1 => { b.remove(i); }
                    _ => b.insert(i, byte),
                }
            }
            agrees(&b)?;
        }
    }

    #[test]
    fn transcoder_reads_the_shapes_it_knows_and_leaves_the_rest() {
        let row = r#"{"id":"1","user":"u","date":"23-02-2021 13:28:21","type":"deposit","amount":"5.50"}"#;
        let keyed = format!(r#"{{"2":{row},"1":{row}}}"#);
        assert!(agrees(keyed.as_bytes()).unwrap());
        assert_eq!(transcode(200, b"{}").as_deref(), Some(r#"{"data":[]}"#));
        for left in [
            format!("[{row}]"),
            format!(r#"{{"success":true,"data":[{row}]}}"#),
            format!(r#"{{"1":{row},"01":{row}}}"#),
            r#"{"1":{"id":"1","user":"u","date":23-02-2021 13:28:21,"type":"deposit","amount":"5"}}"#.to_owned(),
        ] {
            assert_eq!(transcode(200, left.as_bytes()), None, "{left}");
        }
        assert_eq!(transcode(500, keyed.as_bytes()), None);
    }

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
