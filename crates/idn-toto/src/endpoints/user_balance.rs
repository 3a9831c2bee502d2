//! `user_balance`: Check User Balance.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::params::ParamReader;
use crate::wire::{self, Wire};
use crate::{Client, Endpoint, EndpointId, Error, Method, Request, Segment};

/// Parameters: `GET /TOKEN/player_info/USER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserBalanceParams {
    /// User id in game.
    pub user: Segment,
}

impl UserBalanceParams {
    /// Reads canonical JSON parameters.
    pub fn from_json(v: &Value) -> Result<UserBalanceParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(Self::PARAMS)?;
        Ok(UserBalanceParams {
            user: r.segment("user")?,
        })
    }
}

/// A user's current balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct UserBalance {
    /// Message information.
    pub message: String,
    /// User id in game (as the server spells it).
    pub user: String,
    /// The balance, exact.
    #[cfg_attr(feature = "tsify", tsify(type = "DecimalString"))]
    pub balance: Decimal,
}

#[derive(Debug, Deserialize)]
struct BalanceWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    message: String,
    #[serde(default, deserialize_with = "wire::text")]
    user: String,
    #[serde(deserialize_with = "wire::amount")]
    balance: Decimal,
}

impl Wire for BalanceWire {
    type Output = UserBalance;

    fn finish(self) -> Result<UserBalance, Error> {
        wire::check_success(self.success, &self.message)?;
        Ok(UserBalance {
            message: self.message,
            user: self.user,
            balance: self.balance,
        })
    }
}

impl Endpoint for UserBalanceParams {
    const ID: EndpointId = EndpointId::UserBalance;
    const FUNCTION: &'static str = "Check User Balance";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/{token}/player_info/{user}";
    const IDEMPOTENT: bool = true;
    const PARAMS: &'static [&'static str] = &["user"];
    type Response = UserBalance;

    fn request(&self, client: &Client) -> Request {
        client.assemble::<Self>(&["player_info", &self.user.encoded()], &[], None)
    }

    fn parse(status: u16, body: &[u8]) -> Result<UserBalance, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for UserBalanceParams {
    type Out = UserBalance;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<UserBalance, Error> {
        wire::parse_with::<BalanceWire, R>(Self::ID, status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balance_is_exact_from_string_or_number() {
        let b = UserBalanceParams::parse(
            200,
            br#"{"success":true,"message":"Success","user":"lorem","balance":"8900.00"}"#,
        )
        .unwrap();
        assert_eq!(b.balance.to_string(), "8900.00");
        let b = UserBalanceParams::parse(200, br#"{"success":true,"user":"lorem","balance":0.1}"#)
            .unwrap();
        assert_eq!(b.balance.to_string(), "0.1");
        let e = UserBalanceParams::parse(200, br#"{"success":true,"balance":"abc"}"#).unwrap_err();
        assert_eq!(e.path(), Some("balance"));
    }
}
