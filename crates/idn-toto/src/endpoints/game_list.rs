//! `game_list`: Get Game List.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::params::ParamReader;
use crate::wire::{self, Wire};
use crate::{Client, Endpoint, EndpointId, Error, Method, Request};

/// Parameters: `GET /TOKEN/game_list` (none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GameListParams;

impl GameListParams {
    /// Reads canonical JSON parameters (an empty object or null).
    pub fn from_json(v: &Value) -> Result<GameListParams, Error> {
        ParamReader::new(v, "")?.only(Self::PARAMS)?;
        Ok(GameListParams)
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

#[derive(Debug, Deserialize)]
struct GameListWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    message: String,
    #[serde(default, deserialize_with = "wire::rows")]
    data: Vec<Game>,
}

impl Wire for GameListWire {
    type Output = GameList;

    fn finish(self) -> Result<GameList, Error> {
        wire::check_success(self.success, &self.message)?;
        Ok(GameList {
            message: self.message,
            data: self.data,
        })
    }
}

impl Endpoint for GameListParams {
    const ID: EndpointId = EndpointId::GameList;
    const FUNCTION: &'static str = "Get Game List";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/{token}/game_list";
    const IDEMPOTENT: bool = true;
    const PARAMS: &'static [&'static str] = &[];
    type Response = GameList;

    fn request(&self, client: &Client) -> Request {
        client.assemble::<Self>(&["game_list"], &[], None)
    }

    fn parse(status: u16, body: &[u8]) -> Result<GameList, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for GameListParams {
    type Out = GameList;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<GameList, Error> {
        wire::parse_with::<GameListWire, R>(Self::ID, status, body)
    }
}
