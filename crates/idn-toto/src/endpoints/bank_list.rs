//! `bank_list`: Get Bank List.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::params::ParamReader;
use crate::wire::{self, Wire};
use crate::{Client, Endpoint, EndpointId, Error, Method, Request};

/// Parameters: `GET /TOKEN/bank_list` (none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BankListParams;

impl BankListParams {
    /// Reads canonical JSON parameters (an empty object or null).
    pub fn from_json(v: &Value) -> Result<BankListParams, Error> {
        ParamReader::new(v, "")?.only(Self::PARAMS)?;
        Ok(BankListParams)
    }
}

/// The banks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "tsify", derive(tsify::Tsify))]
pub struct BankList {
    /// Bank names, in the server's order.
    pub data: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct BankListWire {
    #[serde(default, deserialize_with = "wire::flag")]
    success: Option<bool>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default, deserialize_with = "wire::list")]
    data: Vec<BankName>,
}

#[derive(Debug)]
struct BankName(String);

impl<'de> Deserialize<'de> for BankName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<BankName, D::Error> {
        wire::text(d).map(BankName)
    }
}

impl Wire for BankListWire {
    type Output = BankList;

    fn finish(self) -> Result<BankList, Error> {
        wire::check_success(self.success, self.message.as_deref().unwrap_or(""))?;
        Ok(BankList {
            data: self.data.into_iter().map(|b| b.0).collect(),
        })
    }
}

impl Endpoint for BankListParams {
    const ID: EndpointId = EndpointId::BankList;
    const FUNCTION: &'static str = "Get Bank List";
    const METHOD: Method = Method::Get;
    const PATH: &'static str = "/{token}/bank_list";
    const IDEMPOTENT: bool = true;
    const PARAMS: &'static [&'static str] = &[];
    type Response = BankList;

    fn request(&self, client: &Client) -> Request {
        client.assemble::<Self>(&["bank_list"], &[], None)
    }

    fn parse(status: u16, body: &[u8]) -> Result<BankList, Error> {
        <Self as wire::Parse>::parse_with::<wire::Strict>(status, body)
    }
}

impl wire::Parse for BankListParams {
    type Out = BankList;

    fn parse_with<R: wire::Reader>(status: u16, body: &[u8]) -> Result<BankList, Error> {
        wire::parse_with::<BankListWire, R>(Self::ID, status, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_spec_example_without_braces() {
        let body = "\"success\": true,\n\"data\": [\n\"BCA\",\n\"MANDIRI\",\n\"BNI\",\n\"BRI\"\n]";
        assert_eq!(
            BankListParams::parse(200, body.as_bytes()).unwrap().data,
            ["BCA", "MANDIRI", "BNI", "BRI"]
        );
    }
}
