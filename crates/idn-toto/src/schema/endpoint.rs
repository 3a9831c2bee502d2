//! The `Endpoint` trait, whose constants hold each endpoint's facts (made by
//! its `endpoint!` declaration), and the row type of the endpoint table.

use serde::Serialize;
use serde_json::Value;

use crate::schema::client::{check_size, Client};
use crate::schema::error::Error;
use crate::schema::id::{EndpointId, Method};
use crate::schema::moves::MoveParams;
use crate::schema::param::Param;
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
    /// The canonical shapes of the response and of the types it holds
    /// (its rows, read from the wire, and their closed sets), as the
    /// TypeScript declarations `tsify` derives from them: the response
    /// first, then what its declaration lists under `holds`. What the
    /// bindings generate their result types from (the npm package's
    /// `.d.ts`, the pip package's classes).
    #[cfg(feature = "tsify")]
    const SHAPES: &'static [&'static str];

    /// The request descriptor for these parameters.
    fn request(&self, client: &Client) -> Request;

    /// A single money move's canonical parameters (`type` included) and
    /// the move they describe, which settling an unknown outcome needs;
    /// `None` for every other request.
    fn money(&self) -> Option<MoveParams> {
        None
    }

    /// Parses `(status, body)` into the typed response or a typed error.
    /// Errors are not yet scrubbed of the token: prefer [`Client::parse`].
    fn parse(status: u16, body: &[u8]) -> Result<Self::Response, Error>;
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

impl Client {
    /// The request for an endpoint's parameters.
    pub fn request<E: Endpoint>(&self, params: &E) -> Request {
        params.request(self).with_money(params.money())
    }

    /// Parses an answer to a request for `E`, with the token scrubbed from
    /// every error. A body over [`Client::max_body_size`] is a `decode`
    /// error at `$` (an unknown outcome for a money-moving request) before
    /// any parsing work.
    pub fn parse<E: Endpoint>(&self, status: u16, body: &[u8]) -> Result<E::Response, Error> {
        check_size(body, self.max_body_size(), E::IDEMPOTENT)?;
        E::parse(status, body).map_err(|e| self.scrub_error(e, body))
    }

    /// Assembles a request for `E`: `segments` are already percent-encoded
    /// path pieces after the token; `query` pairs are encoded here.
    pub(crate) fn assemble<E: Endpoint>(
        &self,
        segments: &[&str],
        query: &[(&str, &str)],
        body: Option<Vec<u8>>,
    ) -> Request {
        self.assemble_for(E::ID, E::METHOD, E::IDEMPOTENT, segments, query, body)
    }
}
