//! `user_history`: Check User Deposit/Withdraw History.

use chrono::NaiveDateTime;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::params::ParamReader;
use crate::wire::{self, HistoryStatus, Wire};
use crate::{Client, Endpoint, EndpointId, Error, Method, Request, Segment, TxType};

/// Parameters: `GET /TOKEN/history/{dps|wd}/USER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserHistoryParams {
    /// Deposits or withdrawals.
    pub r#type: TxType,
    /// User id in game.
    pub user: Segment,
}

impl UserHistoryParams {
    /// Reads canonical JSON parameters.
    pub fn from_json(v: &Value) -> Result<UserHistoryParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(Self::PARAMS)?;
        Ok(UserHistoryParams {
            r#type: r.tx_type()?,
            user: r.segment("user")?,
        })
    }
}

/// A user's deposit or withdraw history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct UserHistory {
    /// Message information.
    pub message: String,
    /// User id in game.
    pub user: String,
    /// The entries, in the server's order.
    pub data: Vec<HistoryEntry>,
}

/// One processed deposit or withdrawal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct HistoryEntry {
    /// When.
    #[serde(
        deserialize_with = "wire::datetime",
        serialize_with = "wire::ser_datetime"
    )]
    #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString"))]
    pub date: NaiveDateTime,
    /// How much, exact.
    #[serde(deserialize_with = "wire::amount")]
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString"))]
    pub amount: Decimal,
    /// `ACCEPT` or `REJECT`.
    pub status: HistoryStatus,
}

#[derive(Debug, Deserialize)]
struct HistoryWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    message: String,
    #[serde(default, deserialize_with = "wire::text")]
    user: String,
    #[serde(default, deserialize_with = "wire::rows")]
    data: Vec<HistoryEntry>,
}

impl Wire for HistoryWire {
    type Output = UserHistory;

    fn finish(self) -> Result<UserHistory, Error> {
        wire::check_success(self.success, &self.message)?;
        Ok(UserHistory {
            message: self.message,
            user: self.user,
            data: self.data,
        })
    }
}

impl Endpoint for UserHistoryParams {
    const ID: EndpointId = EndpointId::UserHistory;
    const FUNCTION: &'static str = "Check User Deposit/Withdraw History";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/{token}/history/{type:dps|wd}/{user}";
    const IDEMPOTENT: bool = true;
    const PARAMS: &'static [&'static str] = &["type", "user"];
    type Response = UserHistory;

    fn request(&self, client: &Client) -> Request {
        let segments = ["history", self.r#type.list_word(), &self.user.encoded()];
        client.assemble::<Self>(&segments, &[], None)
    }

    fn parse(status: u16, body: &[u8]) -> Result<UserHistory, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for UserHistoryParams {
    type Out = UserHistory;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<UserHistory, Error> {
        wire::parse_with::<HistoryWire, R>(Self::ID, status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example_with_its_odd_commas() {
        let body = "{\"success\": true, \"message\": \"Success\", \"user\": \"lorem\", \"data\":[\n{\"date\":\"2021-04-19 04:36:47.760\",\n\"amount\":\"500000\"\n,\n\"status\":\"ACCEPT\"\n}]}";
        let h = UserHistoryParams::parse(200, body.as_bytes()).unwrap();
        assert_eq!(h.data[0].status, HistoryStatus::Accept);
        assert_eq!(format!("{:?}", h.data[0].date), "2021-04-19T04:36:47.760");
    }
}
