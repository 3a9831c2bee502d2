//! `game_list`: Get Game List.

use serde::{Deserialize, Serialize};

use crate::schema::declare::{endpoint, envelope};
use crate::schema::wire;

endpoint! {
    /// Parameters: `GET /TOKEN/game_list` (none).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct GameListParams;
    impl Endpoint {
        id: GameList,
        function: "Get Game List",
        method: Get,
        path: "/{token}/game_list",
        money: none,
        response: GameList,
        wire: GameListWire,
        holds: [Game],
    }
}

/// The games.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct GameList {
    /// Message information.
    pub message: String,
    /// The games, in the server's order.
    pub data: Vec<Game>,
}

/// One game (market).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct Game {
    /// Game code or game ID (for `number_history`).
    #[serde(deserialize_with = "wire::text")]
    pub gamecode: String,
    /// Market name.
    #[serde(default, deserialize_with = "wire::text")]
    pub pasar: String,
    /// Game type (`togel5d`, ...).
    #[serde(default, deserialize_with = "wire::text")]
    pub r#type: String,
}

envelope! {
    struct GameListWire -> GameList {
        #[serde(default, deserialize_with = "wire::rows")]
        data: Vec<Game>,
    }
}
