//! `user_last_transaction`: Get User Last Deposit/Withdraw.

use serde::{Deserializer, Serialize};

use crate::schema::declare::{endpoint, envelope};
use crate::schema::history_entry::HistoryEntry;
use crate::schema::moves::TxType;
use crate::schema::params::Segment;
use crate::schema::wire;

endpoint! {
    /// Parameters: `GET /TOKEN/latest/{dps|wd}/USER`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UserLastTransactionParams {
        /// Deposit or withdraw.
        pub r#type: TxType = "type" in Path,
        /// User id in game.
        pub user: Segment = "user" in Path,
    }
    impl Endpoint {
        id: UserLastTransaction,
        function: "Get User Last Deposit/Withdraw",
        method: Get,
        path: "/{token}/latest/{type:dps|wd}/{user}",
        money: none,
        response: UserLastTransaction,
        wire: LatestWire,
        holds: [HistoryEntry, wire::HistoryStatus],
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

envelope! {
    struct LatestWire -> UserLastTransaction {
        #[serde(default, deserialize_with = "wire::text")]
        user: String,
        #[serde(default, deserialize_with = "latest_entry")]
        data: Option<HistoryEntry>,
    }
}

/// An entry object; `null`, `{}`, `[]` or `""` mean none; a one-element
/// array is read as its element. The value is taken as its source text and
/// decided from it (numbers inside keep their literal digits).
fn latest_entry<'de, D: Deserializer<'de>>(d: D) -> Result<Option<HistoryEntry>, D::Error> {
    let raw = wire::raw(d)?;
    decide(raw, true).map_err(|m| wire::refuse(raw, m))
}

fn decide(raw: &str, array_ok: bool) -> Result<Option<HistoryEntry>, String> {
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
    let read = |text: &str| {
        serde_json::from_str::<HistoryEntry>(text).map_err(|e| {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let message = full.strip_suffix(&suffix).unwrap_or(&full);
            wire::split_at_marker(message).0.to_owned()
        })
    };
    match raw.as_bytes().first() {
        Some(b'n') => Ok(None),
        Some(b'"') if inner.trim().is_empty() => Ok(None),
        Some(b'{') if inner.trim().is_empty() => Ok(None),
        Some(b'{') => read(raw).map(Some),
        Some(b'[') if array_ok => {
            let items = serde_json::from_str::<Vec<&serde_json::value::RawValue>>(raw)
                .map_err(|e| e.to_string())?;
            match items.as_slice() {
                [] => Ok(None),
                [one] => decide(one.get(), false),
                more => Err(format!(
                    "invalid length {}, expected at most one latest entry",
                    more.len()
                )),
            }
        }
        _ => Err("invalid type, expected the latest entry as an object".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;

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
