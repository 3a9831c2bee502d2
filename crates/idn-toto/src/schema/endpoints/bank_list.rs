//! `bank_list`: Get Bank List.

use serde::{Deserialize, Serialize};

use crate::schema::error::Error;
use crate::schema::declare::endpoint;
use crate::schema::wire::{self, Wire};

endpoint! {
    /// Parameters: `GET /TOKEN/bank_list` (none).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
    pub struct BankListParams;
    impl Endpoint {
        id: BankList,
        function: "Get Bank List",
        method: Get,
        path: "/{token}/bank_list",
        money: none,
        response: BankList,
        wire: BankListWire,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::endpoint::Endpoint;

    #[test]
    fn reads_the_spec_example_without_braces() {
        let body = "\"success\": true,\n\"data\": [\n\"BCA\",\n\"MANDIRI\",\n\"BNI\",\n\"BRI\"\n]";
        assert_eq!(
            BankListParams::parse(200, body.as_bytes()).unwrap().data,
            ["BCA", "MANDIRI", "BNI", "BRI"]
        );
    }
}
