//! The dynamic API: endpoint ids and canonical JSON in, canonical JSON out.
//! The CLI, the shared test vectors and both language bindings go through
//! here, so they share one dispatch table ([`crate::ENDPOINTS`]).

use serde_json::{json, Value};

use crate::protocol::batch::Batch;
use crate::schema::client::Client;
use crate::schema::endpoints::multiple_transaction::items_from_json;
use crate::schema::endpoints::multiple_transaction::BatchItem;
use crate::schema::error::Error;
use crate::schema::id::EndpointId;
use crate::schema::request::Request;

pub use crate::schema::paging::DEFAULT_MAX_PAGES;
pub use crate::schema::table::check_body_size;

/// Builds the request for `endpoint` from canonical JSON parameters (the
/// spec's parameter names in lower case; `type` is `deposit`/`withdraw`).
pub fn build(client: &Client, endpoint: EndpointId, params: &Value) -> Result<Request, Error> {
    (endpoint.info().build)(client, params)
}

/// Parses an answer to `endpoint` into its canonical JSON value. Errors are
/// not scrubbed (no token is known here): prefer [`parse_with`].
pub fn parse(endpoint: EndpointId, status: u16, body: &[u8]) -> Result<Value, Error> {
    let text = parse_to_string(endpoint, status, body)?;
    serde_json::from_str(&text).map_err(|e| Error::decode("$", e.to_string()))
}

/// Parses an answer into canonical JSON text (the fast path for bindings
/// that hand JSON text across a boundary).
pub fn parse_to_string(endpoint: EndpointId, status: u16, body: &[u8]) -> Result<String, Error> {
    (endpoint.info().parse)(status, body)
}

/// [`parse`] as [`Client::parse`] does it: a body over the client's
/// `max_body_size` is refused before any work, and the token is scrubbed
/// from every error.
pub fn parse_with(
    client: &Client,
    endpoint: EndpointId,
    status: u16,
    body: &[u8],
) -> Result<Value, Error> {
    client.check_body_size(endpoint, body)?;
    parse(endpoint, status, body).map_err(|e| client.scrub_error(e, body))
}

/// [`parse_to_string`] as [`Client::parse`] does it (size limit, scrubbed
/// errors): what the bindings call.
pub fn parse_to_string_with(
    client: &Client,
    endpoint: EndpointId,
    status: u16,
    body: &[u8],
) -> Result<String, Error> {
    client.check_body_size(endpoint, body)?;
    parse_to_string(endpoint, status, body).map_err(|e| client.scrub_error(e, body))
}

/// The parameters of the next page after `response` (a canonical
/// `full_transaction` or `pga_transaction` page) or `None` when it was the
/// last page. Other endpoints are not paged: an `invalid_request` error.
pub fn next_page(
    endpoint: EndpointId,
    params: &Value,
    response: &Value,
) -> Result<Option<Value>, Error> {
    match endpoint.info().next_page {
        Some(f) => f(params, response),
        None => Err(Error::invalid(
            "endpoint",
            format!("{endpoint} is not paged"),
        )),
    }
}

/// [`next_page`] for an iteration that has read `pages_read` pages so far
/// (counting `response`): when there is a next page but `pages_read` has
/// reached `max_pages`, a `decode` error at `page` instead (a server that
/// keeps saying there are more pages would otherwise be paged forever).
pub fn next_page_within(
    endpoint: EndpointId,
    params: &Value,
    response: &Value,
    pages_read: u64,
    max_pages: u64,
) -> Result<Option<Value>, Error> {
    let next = next_page(endpoint, params, response)?;
    if next.is_some() && pages_read >= max_pages {
        return Err(crate::schema::paging::max_pages_error(
            pages_read, max_pages,
        ));
    }
    Ok(next)
}

/// Reads batch items from canonical JSON (a list of item objects).
pub fn batch_items(items: &Value) -> Result<Vec<BatchItem>, Error> {
    match items {
        Value::Array(list) => items_from_json(list),
        _ => Err(Error::invalid("transaction", "must be a list")),
    }
}

/// A [`Batch`] from canonical JSON: `{"type": ..., "transaction": [...]}`
/// with any number of items.
pub fn batch(params: &Value) -> Result<Batch, Error> {
    Batch::from_json(params)
}

/// The endpoint table as canonical JSON (for `idn-toto endpoints` and docs).
pub fn endpoints_json() -> Value {
    Value::Array(
        crate::schema::table::ENDPOINTS
            .iter()
            .map(|e| {
                json!({
                    "id": e.id.as_str(),
                    "function": e.function,
                    "method": e.method.as_str(),
                    "path": e.path,
                    "idempotent": e.idempotent,
                    "params": e.params,
                    "parameters": e.parameters.iter().map(crate::schema::param::Param::to_json).collect::<Vec<_>>(),
                    "paged": e.next_page.is_some(),
                })
            })
            .collect(),
    )
}
