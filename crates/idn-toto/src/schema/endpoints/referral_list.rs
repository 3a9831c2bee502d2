//! `referral_list`: Get Referral List (a user's downlines).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::schema::declare::{endpoint, envelope};
use crate::schema::params::Segment;
use crate::schema::wire;

endpoint! {
    /// Parameters: `GET /TOKEN/referral/USER`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct ReferralListParams {
        /// The upline's user id in game.
        pub user: Segment = "user" in Path,
    }
    impl Endpoint {
        id: ReferralList,
        function: "Get Referral List",
        method: Get,
        path: "/{token}/referral/{user}",
        money: none,
        response: ReferralList,
        wire: ReferralWire,
        holds: [Referral],
    }
}

/// A user's downlines.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct ReferralList {
    /// Message information.
    pub message: String,
    /// The downlines, in the server's order.
    pub data: Vec<Referral>,
}

/// One downline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct Referral {
    /// Downline user id.
    #[serde(deserialize_with = "wire::text")]
    pub user: String,
    /// When the user joined.
    #[serde(with = "wire::timestamp")]
    #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString"))]
    pub joindate: NaiveDateTime,
}

envelope! {
    struct ReferralWire -> ReferralList {
        #[serde(default, deserialize_with = "wire::rows")]
        data: Vec<Referral>,
    }
}
