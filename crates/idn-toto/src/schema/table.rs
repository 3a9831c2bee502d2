//! The endpoint table, made from the one list of endpoints
//! (`id::for_each_endpoint`): `ENDPOINTS` (each row read from its endpoint
//! file's [`Endpoint`] constants), `AnyResponse` (any endpoint's typed
//! response) and `EndpointId::visit` (generic code over "whichever endpoint
//! this is", without a 13-arm match of its own).

use std::str::FromStr;

use serde::Serialize;
use serde_json::Value;

use crate::schema::client::{check_size, Client};
use crate::schema::endpoint::{Endpoint, EndpointInfo};
use crate::schema::endpoints as e;
use crate::schema::error::Error;
use crate::schema::id::{for_each_endpoint, unknown_reason, EndpointId};
use crate::schema::request::Request;

macro_rules! endpoints {
    ($($variant:ident => $id:literal, $module:ident :: $params:ident;)*) => {
        impl EndpointId {
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
                EndpointId::from_id(s)
                    .ok_or_else(|| Error::invalid("endpoint", unknown_reason(s)))
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

for_each_endpoint!(endpoints);

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
        // A refusal may quote the value it refuses, and a value may hold the
        // token (spec-notes 220).
        let params = Self::from_json_value(params).map_err(|e| e.quoting(client))?;
        Ok(client.request(&params))
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

/// The size check [`Client::parse`] starts with: a body over `max_body_size`
/// bytes is a `decode` error at `$` naming the size and the limit (inside
/// `outcome_unknown` when `endpoint` moves money), before any parsing work.
pub fn check_body_size(
    endpoint: EndpointId,
    body: &[u8],
    max_body_size: usize,
) -> Result<(), Error> {
    check_size(body, max_body_size, endpoint.info().idempotent)
}

impl Client {
    /// The size check [`Client::parse`] starts with: a `decode` error at `$`
    /// naming the size and the limit (inside `outcome_unknown` when
    /// `endpoint` moves money).
    pub fn check_body_size(&self, endpoint: EndpointId, body: &[u8]) -> Result<(), Error> {
        check_body_size(endpoint, body, self.max_body_size())
    }
}

#[cfg(feature = "http")]
mod http_conversions {
    use super::*;
    use crate::schema::id::Method;

    impl Request {
        /// Rebuilds a descriptor from an `http::Request` made by this crate
        /// for `endpoint` (e.g. after middleware touched it).
        pub fn from_http(
            client: &Client,
            endpoint: EndpointId,
            request: http::Request<Vec<u8>>,
        ) -> Result<Request, Error> {
            let method = match *request.method() {
                http::Method::GET => Method::Get,
                http::Method::POST => Method::Post,
                ref other => {
                    return Err(Error::invalid(
                        "method",
                        format!("must be GET or POST, got {other}"),
                    ))
                }
            };
            let url = request.uri().to_string();
            let redacted_url = client.redact(&url);
            let body = request.into_body();
            let body = if body.is_empty() && method == Method::Get {
                None
            } else {
                Some(body)
            };
            Ok(Request::new(
                endpoint,
                method,
                url,
                redacted_url,
                body,
                endpoint.info().idempotent,
            ))
        }
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

#[cfg(all(test, feature = "http"))]
mod http_tests {
    use crate::schema::client::Client;
    use crate::schema::endpoint::Endpoint;
    use crate::schema::endpoints::pga_transaction::PgaTransactionParams;
    use crate::schema::request::Request;
    use serde_json::json;

    #[test]
    fn round_trips_through_http_request() {
        let client = Client::new(
            "https://agent.example.com/home.php",
            "T0K/EN".replace('/', "").as_str(),
        )
        .unwrap();
        let params = PgaTransactionParams::from_json(
            &json!({"start_date": "2024-03-01", "end_date": "2024-03-03"}),
        )
        .unwrap();
        let request = params.request(&client);
        let converted: http::Request<Vec<u8>> = request.clone().try_into().unwrap();
        assert_eq!(converted.method(), http::Method::POST);
        assert_eq!(converted.uri().to_string(), request.url());
        assert_eq!(converted.headers()["content-type"], "application/json");
        assert_eq!(converted.body().as_slice(), request.body().unwrap());
        let back = Request::from_http(&client, request.endpoint(), converted).unwrap();
        assert_eq!(back, request);
        assert!(!format!("{back:?}").contains("T0KEN"));
    }
}
