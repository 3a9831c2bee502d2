//! `user_balance`: Check User Balance.

use rust_decimal::Decimal;
use serde::Serialize;

use crate::schema::declare::{endpoint, envelope};
use crate::schema::params::Segment;
use crate::schema::wire;

endpoint! {
    /// Parameters: `GET /TOKEN/player_info/USER`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UserBalanceParams {
        /// User id in game.
        pub user: Segment = "user" in Path,
    }
    impl Endpoint {
        id: UserBalance,
        function: "Check User Balance",
        method: Get,
        path: "/{token}/player_info/{user}",
        money: none,
        response: UserBalance,
        wire: BalanceWire,
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

envelope! {
    struct BalanceWire -> UserBalance {
        #[serde(default, deserialize_with = "wire::text")]
        user: String,
        #[serde(deserialize_with = "wire::amount")]
        balance: Decimal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;

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
