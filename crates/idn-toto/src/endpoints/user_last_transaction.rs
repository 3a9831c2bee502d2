//! `user_last_transaction`: Get User Last Deposit/Withdraw.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::endpoints::user_history::HistoryEntry;
use crate::params::ParamReader;
use crate::wire::{self, Wire};
use crate::{Client, Endpoint, EndpointId, Error, Method, Request, Segment, TxType};

/// Parameters: `GET /TOKEN/latest/{dps|wd}/USER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserLastTransactionParams {
    /// Deposit or withdraw.
    pub r#type: TxType,
    /// User id in game.
    pub user: Segment,
}

impl UserLastTransactionParams {
    /// Reads canonical JSON parameters.
    pub fn from_json(v: &Value) -> Result<UserLastTransactionParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(EndpointId::UserLastTransaction.info().params)?;
        Ok(UserLastTransactionParams {
            r#type: r.tx_type()?,
            user: r.segment("user")?,
        })
    }
}

/// A user's latest deposit or withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct UserLastTransaction {
    /// Message information.
    pub message: String,
    /// User id in game.
    pub user: String,
    /// The latest entry; `None` when the user has none (`data` null, `{}`,
    /// `[]` or absent).
    pub data: Option<HistoryEntry>,
}

#[derive(Debug, Deserialize)]
struct LatestWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    message: String,
    #[serde(default, deserialize_with = "wire::text")]
    user: String,
    #[serde(default, deserialize_with = "latest_entry")]
    data: Option<HistoryEntry>,
}

/// An entry object; `null`, `{}`, `[]` or `""` mean none; a one-element
/// array is read as its element.
fn latest_entry<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HistoryEntry>, D::Error> {
    // A visitor (the value read whole, then decided) so that a refusal is
    // raised while the value is read: the tolerant path places errors by
    // position (see `wire::canonical::locate`).
    use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
    use serde::de::{MapAccess, SeqAccess, Visitor};
    fn decide<E: serde::de::Error>(v: Value) -> Result<Option<HistoryEntry>, E> {
        let v = match v {
            Value::Array(mut items) if items.len() <= 1 => match items.pop() {
                Some(item) => item,
                None => return Ok(None),
            },
            other => other,
        };
        match &v {
            Value::Null => Ok(None),
            Value::String(s) if s.trim().is_empty() => Ok(None),
            Value::Object(m) if m.is_empty() => Ok(None),
            _ => HistoryEntry::deserialize(v).map(Some).map_err(E::custom),
        }
    }
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<HistoryEntry>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("any valid JSON value")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
            decide(Value::Bool(v))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
            decide(Value::from(v))
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
            decide(Value::from(v))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
            decide(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            decide(Value::String(v.to_owned()))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            decide(Value::Null)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            decide(Value::Null)
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
            decide(Value::deserialize(d)?)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            decide(Value::deserialize(SeqAccessDeserializer::new(seq))?)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            decide(Value::deserialize(MapAccessDeserializer::new(map))?)
        }
    }
    d.deserialize_any(V)
}

impl Wire for LatestWire {
    type Output = UserLastTransaction;

    fn finish(self) -> Result<UserLastTransaction, Error> {
        wire::check_success(self.success, &self.message)?;
        Ok(UserLastTransaction {
            message: self.message,
            user: self.user,
            data: self.data,
        })
    }
}

impl Endpoint for UserLastTransactionParams {
    const ID: EndpointId = EndpointId::UserLastTransaction;
    type Response = UserLastTransaction;

    fn request(&self, client: &Client) -> Request {
        let segments = ["latest", self.r#type.list_word(), &self.user.encoded()];
        client.assemble(Self::ID, Method::Get, &segments, &[], None)
    }

    fn parse(status: u16, body: &[u8]) -> Result<UserLastTransaction, Error> {
        wire::parse::<LatestWire>(Self::ID, status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_when_empty() {
        for data in ["null", "{}", "[]", "\"\""] {
            let body =
                format!(r#"{{"success":true,"message":"Success","user":"x","data":{data}}}"#);
            assert_eq!(
                UserLastTransactionParams::parse(200, body.as_bytes())
                    .unwrap()
                    .data,
                None,
                "{data}"
            );
        }
        let body = br#"{"success":true,"user":"x","data":{"date":"2021-04-18 11:50:27.120","amount":"500000","status":"ACCEPT"}}"#;
        assert!(UserLastTransactionParams::parse(200, body)
            .unwrap()
            .data
            .is_some());
    }
}
