//! The dynamic API: endpoint ids and canonical JSON in, canonical JSON out.
//! The CLI, the shared test vectors and both language bindings go through
//! here, so they share one dispatch table ([`crate::ENDPOINTS`]).

use serde_json::{json, Value};

use crate::endpoints::multiple_transaction::items_from_json;
use crate::params::ParamReader;
use crate::{AnyEndpoint, Batch, BatchItem, Client, EndpointId, Error, Request, TxType};

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

/// The size check [`Client::parse`] starts with: a body over `max_body_size`
/// bytes is a `decode` error at `$` naming the size and the limit (inside
/// `outcome_unknown` when `endpoint` moves money), before any parsing work.
pub fn check_body_size(
    endpoint: EndpointId,
    body: &[u8],
    max_body_size: usize,
) -> Result<(), Error> {
    if body.len() <= max_body_size {
        return Ok(());
    }
    let e = Error::decode(
        "$",
        format!(
            "body is at least {} bytes, over the limit of {max_body_size} bytes \
             (max_body_size); nothing was parsed",
            body.len()
        ),
    );
    if endpoint.info().idempotent {
        Err(e)
    } else {
        Err(Error::unknown(e))
    }
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

/// How many pages one iteration reads at most, by default (the Node and
/// Python iterators' `max_pages`).
pub const DEFAULT_MAX_PAGES: u64 = 10_000;

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
        return Err(crate::paging::max_pages_error(pages_read, max_pages));
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
    let r = ParamReader::new(params, "")?;
    r.only(&["type", "transaction"])?;
    let t: TxType = r.tx_type()?;
    let items = items_from_json(r.array("transaction")?)?;
    Batch::new(t, items)
}

/// The endpoint table as canonical JSON (for `idn-toto endpoints` and docs).
pub fn endpoints_json() -> Value {
    Value::Array(
        crate::ENDPOINTS
            .iter()
            .map(|e| {
                json!({
                    "id": e.id.as_str(),
                    "function": e.function,
                    "method": e.method.as_str(),
                    "path": e.path,
                    "idempotent": e.idempotent,
                    "params": e.params,
                    "parameters": e.parameters.iter().map(crate::Param::to_json).collect::<Vec<_>>(),
                    "paged": e.next_page.is_some(),
                })
            })
            .collect(),
    )
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

/// Shared paging rule over canonical JSON: the page after `params.page`
/// while it is below `response.total_page` and the page was not empty.
pub(crate) fn next_page_params(params: &Value, response: &Value) -> Result<Option<Value>, Error> {
    let page = ParamReader::new(params, "")?.page("page")?;
    let total_page = response
        .get("total_page")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let empty = response
        .get("data")
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    let Some(next) = crate::params::next_page(page, total_page, empty) else {
        return Ok(None);
    };
    let mut out = params.as_object().cloned().unwrap_or_default();
    out.insert("page".into(), json!(next.get()));
    Ok(Some(Value::Object(out)))
}
