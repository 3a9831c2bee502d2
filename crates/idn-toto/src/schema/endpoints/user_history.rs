//! `user_history`: Check User Deposit/Withdraw History.

use serde::Serialize;

use crate::schema::declare::{endpoint, envelope};
use crate::schema::history_entry::HistoryEntry;
use crate::schema::moves::TxType;
use crate::schema::params::Segment;
use crate::schema::wire;

endpoint! {
    /// Parameters: `GET /TOKEN/history/{dps|wd}/USER`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct UserHistoryParams {
        /// Deposits or withdrawals.
        pub r#type: TxType = "type" in Path,
        /// User id in game.
        pub user: Segment = "user" in Path,
    }
    impl Endpoint {
        id: UserHistory,
        function: "Check User Deposit/Withdraw History",
        method: Get,
        path: "/{token}/history/{type:dps|wd}/{user}",
        money: none,
        response: UserHistory,
        wire: HistoryWire,
        holds: [HistoryEntry, wire::HistoryStatus],
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

envelope! {
    struct HistoryWire -> UserHistory {
        #[serde(default, deserialize_with = "wire::text")]
        user: String,
        #[serde(default, deserialize_with = "wire::rows")]
        data: Vec<HistoryEntry>,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::wire::enums::HistoryStatus;

    #[test]
    fn reads_the_spec_example_with_its_odd_commas() {
        let body = "{\"success\": true, \"message\": \"Success\", \"user\": \"lorem\", \"data\":[\n{\"date\":\"2021-04-19 04:36:47.760\",\n\"amount\":\"500000\"\n,\n\"status\":\"ACCEPT\"\n}]}";
        let h = UserHistoryParams::parse(200, body.as_bytes()).unwrap();
        assert_eq!(h.data[0].status, HistoryStatus::Accept);
        assert_eq!(format!("{:?}", h.data[0].date), "2021-04-19T04:36:47.760");
    }
}
