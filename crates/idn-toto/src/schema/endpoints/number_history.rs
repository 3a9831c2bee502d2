//! `number_history`: Get Number History (the last draws of a game).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::schema::declare::{endpoint, envelope};
use crate::schema::params::Segment;
use crate::schema::wire;

endpoint! {
    /// Parameters: `GET /TOKEN/number_history/GAMECODE`.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub struct NumberHistoryParams {
        /// Game code from `game_list` (the spec's example URL shows `USER`
        /// here: a typo).
        pub gamecode: Segment = "gamecode" in Path,
    }
    impl Endpoint {
        id: NumberHistory,
        function: "Get Number History",
        method: Get,
        path: "/{token}/number_history/{gamecode}",
        money: none,
        response: NumberHistory,
        wire: NumberHistoryWire,
        holds: [Draw],
    }
}

/// A game's recent draw results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct NumberHistory {
    /// Message information.
    pub message: String,
    /// Game code.
    pub gamecode: String,
    /// Market name.
    pub pasar: String,
    /// Game type.
    pub r#type: String,
    /// The draws, in the server's order (newest first in the spec).
    pub data: Vec<Draw>,
}

/// One draw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct Draw {
    /// Game period (text: it may have leading zeros).
    #[serde(deserialize_with = "wire::text")]
    pub periode: String,
    /// When the number came out.
    #[serde(with = "wire::timestamp")]
    #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString"))]
    pub tanggal: NaiveDateTime,
    /// The number (text: leading zeros matter).
    #[serde(deserialize_with = "wire::text")]
    pub angka: String,
}

envelope! {
    struct NumberHistoryWire -> NumberHistory {
        #[serde(default, deserialize_with = "wire::text")]
        gamecode: String,
        #[serde(default, deserialize_with = "wire::text")]
        pasar: String,
        #[serde(default, deserialize_with = "wire::text")]
        r#type: String,
        #[serde(default, deserialize_with = "wire::rows")]
        data: Vec<Draw>,
    }
}
