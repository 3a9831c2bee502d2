//! The endpoint table: the one list everything else derives from.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::schema::client::Client;
use crate::schema::declare::Param;
use crate::schema::endpoints as e;
use crate::schema::request::Request;

/// An endpoint's parameters: validated on construction, so building the
/// request cannot fail.
pub trait Endpoint {
    /// Which endpoint.
    const ID: EndpointId;
    /// The spec's name for it.
    const FUNCTION: &'static str;
    /// Its HTTP method.
    const METHOD: Method;
    /// Path template after the base URL, with the default path words
    /// (overridable through [`crate::PathWords`]).
    const PATH: &'static str;
    /// Whether the request is safe to repeat. Endpoints that move money are
    /// not.
    const IDEMPOTENT: bool;
    /// Canonical parameter names, in declaration (URL) order.
    const PARAMS: &'static [&'static str];
    /// The declared parameters: name (as in [`Endpoint::PARAMS`]), type,
    /// whether required, and where each goes (path, query or body).
    const PARAMETERS: &'static [Param];
    /// Dynamic paging, for paged endpoints: the parameters of the next page.
    const NEXT_PAGE: Option<NextPageFn> = None;
    /// For paged endpoints: the name of the row type of a page's `data`
    /// (`TurnoverRow`), declared beside the paging rule; what the bindings'
    /// generated `iter_*` methods yield.
    const ROWS: Option<&'static str> = None;
    /// The typed response.
    type Response: Serialize;

    /// The request descriptor for these parameters.
    fn request(&self, client: &Client) -> Request;

    /// A single money move's canonical parameters (`type` included), which
    /// settling an unknown outcome needs; `None` for every other request.
    fn money_params(&self) -> Option<Value> {
        None
    }

    /// Parses `(status, body)` into the typed response or a typed error.
    /// Errors are not yet scrubbed of the token: prefer [`Client::parse`].
    fn parse(status: u16, body: &[u8]) -> Result<Self::Response, Error>;
}

/// HTTP method of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// `GET`.
    Get,
    /// `POST`.
    Post,
}

impl Method {
    /// `"GET"` or `"POST"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

macro_rules! endpoints {
    ($($variant:ident => $id:literal, $module:ident :: $params:ident;)*) => {
        /// The endpoints, by the ids used everywhere (CLI, vectors,
        /// bindings, docs).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EndpointId {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant,
            )*
        }

        impl EndpointId {
            /// The stable snake_case id.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EndpointId::$variant => $id,)*
                }
            }

            /// Calls `visitor` with this endpoint's parameter type: generic
            /// code over "whichever endpoint this is" without a match of its
            /// own.
            pub fn visit<V: Visitor>(self, visitor: V) -> V::Output {
                match self {
                    $(EndpointId::$variant => visitor.visit::<e::$module::$params>(),)*
                }
            }
        }

        impl FromStr for EndpointId {
            type Err = Error;

            fn from_str(s: &str) -> Result<EndpointId, Error> {
                match s {
                    $($id => Ok(EndpointId::$variant),)*
                    _ => Err(Error::invalid(
                        "endpoint",
                        format!("unknown endpoint id {s:?}; known: {}", ENDPOINTS.iter().map(|e| e.id.as_str()).collect::<Vec<_>>().join(", ")),
                    )),
                }
            }
        }

        /// The endpoint table, in the spec's order: each row read from its
        /// endpoint file's [`Endpoint`] constants.
        pub static ENDPOINTS: [EndpointInfo; [$($id),*].len()] = [
            $(row::<e::$module::$params>(),)*
        ];

        /// One endpoint's typed response. Serializes as that response's
        /// canonical JSON.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[serde(untagged)]
        pub enum AnyResponse {
            $(
                #[doc = concat!("`", $id, "`")]
                $variant(<e::$module::$params as Endpoint>::Response),
            )*
        }

        impl AnyResponse {
            /// The endpoint that answered.
            pub fn endpoint(&self) -> EndpointId {
                match self {
                    $(AnyResponse::$variant(_) => EndpointId::$variant,)*
                }
            }
        }

        $(
            impl DynamicEndpoint for e::$module::$params {
                fn from_json_value(params: &Value) -> Result<Self, Error> {
                    e::$module::$params::from_json(params)
                }
            }

            impl AnyEndpoint for e::$module::$params {
                fn into_any(response: Self::Response) -> AnyResponse {
                    AnyResponse::$variant(response)
                }

                fn from_any(response: AnyResponse) -> Option<Self::Response> {
                    match response {
                        AnyResponse::$variant(r) => Some(r),
                        _ => None,
                    }
                }
            }
        )*
    };
}

endpoints! {
    TransactionList => "transaction_list", transaction_list::TransactionListParams;
    AcceptReject => "accept_reject", accept_reject::AcceptRejectParams;
    MultipleTransaction => "multiple_transaction", multiple_transaction::MultipleTransactionParams;
    ManualTransaction => "manual_transaction", manual_transaction::ManualTransactionParams;
    UserBalance => "user_balance", user_balance::UserBalanceParams;
    UserHistory => "user_history", user_history::UserHistoryParams;
    UserLastTransaction => "user_last_transaction", user_last_transaction::UserLastTransactionParams;
    GameList => "game_list", game_list::GameListParams;
    NumberHistory => "number_history", number_history::NumberHistoryParams;
    ReferralList => "referral_list", referral_list::ReferralListParams;
    FullTransaction => "full_transaction", full_transaction::FullTransactionParams;
    PgaTransaction => "pga_transaction", pga_transaction::PgaTransactionParams;
    BankList => "bank_list", bank_list::BankListParams;
}

/// Generic code run with one endpoint's parameter type (see
/// [`EndpointId::visit`]).
pub trait Visitor {
    /// What the visit gives back.
    type Output;
    /// Called with the endpoint's parameter type.
    fn visit<E: AnyEndpoint>(self) -> Self::Output;
}

/// Converts an endpoint's typed response to and from [`AnyResponse`]
/// (implemented for the 13 parameter types).
pub trait AnyEndpoint:
    Endpoint + crate::schema::wire::Parse<Out = <Self as Endpoint>::Response>
{
    /// Wraps a response.
    fn into_any(response: Self::Response) -> AnyResponse;
    /// Unwraps a response of this endpoint; `None` for another's.
    fn from_any(response: AnyResponse) -> Option<Self::Response>;
}

impl AnyResponse {
    /// Parses an answer to `endpoint` as [`Client::parse`] does (size
    /// limit, token scrubbed from errors).
    pub fn parse(
        client: &Client,
        endpoint: EndpointId,
        status: u16,
        body: &[u8],
    ) -> Result<AnyResponse, Error> {
        struct Parse<'a>(&'a Client, u16, &'a [u8]);
        impl Visitor for Parse<'_> {
            type Output = Result<AnyResponse, Error>;
            fn visit<E: AnyEndpoint>(self) -> Self::Output {
                self.0.parse::<E>(self.1, self.2).map(E::into_any)
            }
        }
        endpoint.visit(Parse(client, status, body))
    }

    /// The canonical JSON text.
    pub fn to_json_string(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".into())
    }

    /// The canonical JSON value.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }
}

impl EndpointId {
    /// This endpoint's row in [`ENDPOINTS`].
    pub fn info(self) -> &'static EndpointInfo {
        // The table is declared in `EndpointId` order; a unit test checks it.
        &ENDPOINTS[self as usize]
    }
}

impl fmt::Display for EndpointId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Dynamic paging: `(params, canonical page) -> next params`.
pub type NextPageFn = fn(&Value, &Value) -> Result<Option<Value>, Error>;

/// One row of the endpoint table.
#[derive(Debug)]
pub struct EndpointInfo {
    /// The id.
    pub id: EndpointId,
    /// The spec's function name.
    pub function: &'static str,
    /// HTTP method.
    pub method: Method,
    /// Path template after the base URL, with the default path words
    /// (overridable through [`crate::PathWords`]).
    pub path: &'static str,
    /// Whether the request is safe to repeat. Endpoints that move money are
    /// not.
    pub idempotent: bool,
    /// Canonical parameter names, in declaration (URL) order.
    pub params: &'static [&'static str],
    /// The declared parameters (name, type, required, location).
    pub parameters: &'static [Param],
    /// Dynamic build: canonical JSON parameters to a request.
    pub build: fn(&Client, &Value) -> Result<Request, Error>,
    /// Dynamic parse: status and body to the canonical JSON text.
    pub parse: fn(u16, &[u8]) -> Result<String, Error>,
    /// Dynamic paging: the parameters of the next page, if any.
    pub next_page: Option<NextPageFn>,
    /// Paged endpoints: the name of a page's row type ([`Endpoint::ROWS`]).
    pub rows: Option<&'static str>,
}

/// A table row from an endpoint's constants.
const fn row<E: AnyEndpoint + DynamicEndpoint>() -> EndpointInfo {
    EndpointInfo {
        id: E::ID,
        function: E::FUNCTION,
        method: E::METHOD,
        path: E::PATH,
        idempotent: E::IDEMPOTENT,
        params: E::PARAMS,
        parameters: E::PARAMETERS,
        build: E::build_json,
        parse: parse_string::<E>,
        next_page: E::NEXT_PAGE,
        rows: E::ROWS,
    }
}

/// Reads an endpoint's parameters from canonical JSON (each parameter type's
/// own `from_json`), for the table's dynamic `build`.
pub(crate) trait DynamicEndpoint: Endpoint + Sized {
    fn from_json_value(params: &Value) -> Result<Self, Error>;

    fn build_json(client: &Client, params: &Value) -> Result<Request, Error> {
        Ok(client.request(&Self::from_json_value(params)?))
    }
}

/// Monomorphised parse-to-text for the endpoint table.
pub(crate) fn parse_string<E: AnyEndpoint>(status: u16, body: &[u8]) -> Result<String, Error> {
    // An endpoint with a one-pass transcoder (the pending list, the large
    // answer) writes its common shape straight; anything else goes the
    // typed way.
    if let Some(text) = E::transcode(status, body) {
        return Ok(text);
    }
    let response = E::parse(status, body)?;
    serde_json::to_string(&response).map_err(|e| Error::decode("$", e.to_string()))
}

/// `EndpointId` as its id string in serde (journal lines, `Unsettled`).
pub(crate) mod endpoint_id {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::EndpointId;

    pub(crate) fn serialize<S: Serializer>(id: &EndpointId, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(id.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<EndpointId, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_in_id_order_and_ids_round_trip() {
        for (i, row) in ENDPOINTS.iter().enumerate() {
            assert_eq!(row.id as usize, i);
            assert_eq!(row.id.as_str().parse::<EndpointId>().ok(), Some(row.id));
            assert_eq!(row.id.info().id, row.id);
        }
        assert!("full_transction".parse::<EndpointId>().is_err());
    }

    #[test]
    fn only_money_moving_endpoints_are_not_idempotent() {
        let not: Vec<_> = ENDPOINTS
            .iter()
            .filter(|e| !e.idempotent)
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(
            not,
            [
                "accept_reject",
                "multiple_transaction",
                "manual_transaction"
            ]
        );
    }
}
