//! `referral_list`: Get Referral List (a user's downlines).

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::params::ParamReader;
use crate::wire::{self, Wire};
use crate::{Client, Endpoint, EndpointId, Error, Method, Request, Segment};

/// Parameters: `GET /TOKEN/referral/USER`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferralListParams {
    /// The upline's user id in game.
    pub user: Segment,
}

impl ReferralListParams {
    /// Reads canonical JSON parameters.
    pub fn from_json(v: &Value) -> Result<ReferralListParams, Error> {
        let r = ParamReader::new(v, "")?;
        r.only(Self::PARAMS)?;
        Ok(ReferralListParams {
            user: r.segment("user")?,
        })
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
    #[serde(
        deserialize_with = "wire::datetime",
        serialize_with = "wire::ser_datetime"
    )]
    #[cfg_attr(feature = "tsify", tsify(type = "DateTimeString"))]
    pub joindate: NaiveDateTime,
}

#[derive(Debug, Deserialize)]
struct ReferralWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default, deserialize_with = "wire::text")]
    message: String,
    #[serde(default, deserialize_with = "wire::rows")]
    data: Vec<Referral>,
}

impl Wire for ReferralWire {
    type Output = ReferralList;

    fn finish(self) -> Result<ReferralList, Error> {
        wire::check_success(self.success, &self.message)?;
        Ok(ReferralList {
            message: self.message,
            data: self.data,
        })
    }
}

impl Endpoint for ReferralListParams {
    const ID: EndpointId = EndpointId::ReferralList;
    const FUNCTION: &'static str = "Get Referral List";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/{token}/referral/{user}";
    const IDEMPOTENT: bool = true;
    const PARAMS: &'static [&'static str] = &["user"];
    type Response = ReferralList;

    fn request(&self, client: &Client) -> Request {
        client.assemble::<Self>(&["referral", &self.user.encoded()], &[], None)
    }

    fn parse(status: u16, body: &[u8]) -> Result<ReferralList, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for ReferralListParams {
    type Out = ReferralList;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<ReferralList, Error> {
        wire::parse_with::<ReferralWire, R>(Self::ID, status, body)
    }
}
