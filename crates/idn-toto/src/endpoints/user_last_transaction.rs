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
    use serde::de::Error as _;
    let v = Value::deserialize(d)?;
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
        _ => HistoryEntry::deserialize(v)
            .map(Some)
            .map_err(D::Error::custom),
    }
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
