//! The sans-IO client (`idn_toto::Client`), the request descriptor and the
//! retry policy, plus the module-level dynamic functions.

use std::collections::BTreeMap;
use std::str::FromStr;

use idn_toto as core;
use idn_toto::{dynamic, EndpointId, PathWords};
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::{JsonDict, Page, Params, PathWordsArg};
use crate::errors::{core_err, to_py_err};
use crate::results::{any_to_py, PyFullTransaction, PyPgaTransaction, PyUserHistory};
use crate::settle::PyUnsettled;

/// A request ready to send: `method`, `url` (token included: send it, never
/// log it), `headers`, `body` and whether it is safe to repeat
/// (`idempotent`). `repr()` shows the redacted URL only.
#[pyclass(name = "Request", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyRequest(pub(crate) core::Request);

#[pymethods]
impl PyRequest {
    /// The endpoint id (`"user_balance"`, ...).
    #[getter]
    fn endpoint(&self) -> &'static str {
        self.0.endpoint().as_str()
    }

    /// `"GET"` or `"POST"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method().as_str()
    }

    /// The full URL, token included. Send it; never log it.
    #[getter]
    fn url(&self) -> &str {
        self.0.url()
    }

    /// The URL with the token replaced by `***`, for logs.
    #[getter]
    fn redacted_url(&self) -> &str {
        self.0.redacted_url()
    }

    /// The headers to send.
    #[getter]
    fn headers(&self) -> BTreeMap<&'static str, &'static str> {
        self.0.headers().iter().copied().collect()
    }

    /// The JSON body (POST only).
    #[getter]
    fn body(&self) -> Option<&[u8]> {
        self.0.body()
    }

    /// Whether the request may be sent again after a failure. Requests that
    /// move money are not.
    #[getter]
    fn idempotent(&self) -> bool {
        self.0.is_idempotent()
    }

    /// For a single money move (`accept_reject`, `manual_transaction`):
    /// what settling it would need, with `snapshot` (the user's history
    /// read before a manual move); `None` for any other request.
    #[pyo3(signature = (snapshot = None))]
    fn unsettled(&self, snapshot: Option<PyRef<'_, PyUserHistory>>) -> Option<PyUnsettled> {
        PyUnsettled::of_request(&self.0, snapshot.as_deref())
    }

    /// The canonical descriptor; the URL is redacted unless `reveal_token`.
    #[pyo3(signature = (*, reveal_token = false))]
    fn to_dict<'py>(&self, py: Python<'py>, reveal_token: bool) -> PyResult<JsonDict<'py>> {
        JsonDict::new(py, &self.0.to_json(reveal_token))
    }

    fn __repr__(&self) -> String {
        format!("<Request {}>", self.0)
    }
}

/// When a failed read may be sent again. Requests that move money are never
/// retried, whatever the policy says. Omitted arguments take the core's
/// defaults (2 retries, 200 ms doubling up to 5 s).
#[pyclass(name = "RetryPolicy", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyRetryPolicy(pub(crate) core::RetryPolicy);

#[pymethods]
impl PyRetryPolicy {
    #[new]
    #[pyo3(signature = (*, retries = None, base_delay_ms = None, max_delay_ms = None))]
    fn new(retries: Option<u32>, base_delay_ms: Option<u64>, max_delay_ms: Option<u64>) -> Self {
        let d = core::RetryPolicy::default();
        PyRetryPolicy(core::RetryPolicy {
            retries: retries.unwrap_or(d.retries),
            base_delay_ms: base_delay_ms.unwrap_or(d.base_delay_ms),
            max_delay_ms: max_delay_ms.unwrap_or(d.max_delay_ms),
        })
    }

    /// No retries at all.
    #[staticmethod]
    fn never() -> Self {
        PyRetryPolicy(core::RetryPolicy::NEVER)
    }

    #[getter]
    fn retries(&self) -> u32 {
        self.0.retries
    }

    #[getter]
    fn base_delay_ms(&self) -> u64 {
        self.0.base_delay_ms
    }

    #[getter]
    fn max_delay_ms(&self) -> u64 {
        self.0.max_delay_ms
    }

    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(retries={}, base_delay_ms={}, max_delay_ms={})",
            self.0.retries, self.0.base_delay_ms, self.0.max_delay_ms
        )
    }
}

/// The sans-IO core client: builds requests and parses answers.
/// `idn_toto.Client` and `idn_toto.AsyncClient` run a `Driver` over it; it
/// never sends anything itself. `repr()` never shows the token.
#[pyclass(name = "Core", module = "idn_toto._native", frozen)]
#[derive(Debug)]
pub(crate) struct PyCore {
    pub(crate) client: core::Client,
    retry: core::RetryPolicy,
}

#[pymethods]
impl PyCore {
    #[new]
    #[pyo3(signature = (
        base_url, token, *, path_words = None, retry = None,
        allow_insecure_http = false, max_body_size = None
    ))]
    fn new(
        py: Python<'_>,
        base_url: &str,
        token: &str,
        path_words: Option<PathWordsArg>,
        retry: Option<PyRef<'_, PyRetryPolicy>>,
        allow_insecure_http: bool,
        max_body_size: Option<usize>,
    ) -> PyResult<Self> {
        let config = ClientConfig {
            base_url,
            token,
            path_words,
            allow_insecure_http,
            max_body_size,
        };
        Ok(PyCore {
            client: new_client(py, config)?,
            retry: retry.map(|r| r.0).unwrap_or_default(),
        })
    }

    /// The base URL, normalised, without a trailing slash.
    #[getter]
    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    /// The server's fingerprint: 16 hex digits of SHA-256 over the base URL
    /// and the token. Every journal line and `Unsettled` carries it;
    /// settling with a client of another server is refused. It never
    /// contains the token.
    #[getter]
    fn fingerprint(&self) -> &str {
        self.client.fingerprint()
    }

    /// The largest body ``parse`` reads, in bytes; transports stop reading
    /// one byte after it.
    #[getter]
    fn max_body_size(&self) -> usize {
        self.client.max_body_size()
    }

    /// The request for `endpoint` with canonical parameters (the spec's
    /// names; `Decimal`, `int` or `str` amounts; `date` or `"YYYY-MM-DD"`).
    #[pyo3(signature = (endpoint, params))]
    fn build(&self, py: Python<'_>, endpoint: &str, params: Params) -> PyResult<PyRequest> {
        let id = endpoint_id(endpoint)?;
        dynamic::build(&self.client, id, &params.0)
            .map(PyRequest)
            .map_err(|e| to_py_err(py, e.redacted(&self.client)))
    }

    /// Parses an answer to `endpoint` into its typed result class.
    fn parse(
        &self,
        py: Python<'_>,
        endpoint: &str,
        status: u16,
        body: &[u8],
    ) -> PyResult<Py<PyAny>> {
        let id = endpoint_id(endpoint)?;
        let response = core::AnyResponse::parse(&self.client, id, status, body)
            .map_err(|e| to_py_err(py, e))?;
        any_to_py(py, response)
    }

    /// Parses an answer to `endpoint` into the canonical JSON shape (like
    /// `idn_toto.parse`, with the token scrubbed from any error).
    fn parse_dict<'py>(
        &self,
        py: Python<'py>,
        endpoint: &str,
        status: u16,
        body: &[u8],
    ) -> PyResult<JsonDict<'py>> {
        canonical(py, Some(&self.client), endpoint, status, body)
    }

    /// The retry policy for reads.
    #[getter]
    fn retry(&self) -> PyRetryPolicy {
        PyRetryPolicy(self.retry)
    }

    /// `text` with the token (raw or percent-encoded) replaced by `***`.
    fn redact(&self, text: &str) -> String {
        self.client.redact(text)
    }

    fn __repr__(&self) -> String {
        format!("Core(base_url={:?}, token='***')", self.client.base_url())
    }
}

pub(crate) fn endpoint_id(endpoint: &str) -> PyResult<EndpointId> {
    EndpointId::from_str(endpoint).map_err(core_err)
}

/// The client settings a Python caller gives.
struct ClientConfig<'a> {
    base_url: &'a str,
    token: &'a str,
    path_words: Option<PathWordsArg>,
    allow_insecure_http: bool,
    max_body_size: Option<usize>,
}

fn new_client(py: Python<'_>, config: ClientConfig<'_>) -> PyResult<core::Client> {
    let mut builder = core::Client::builder(config.base_url, config.token)
        .allow_insecure_http(config.allow_insecure_http);
    if let Some(words) = config.path_words {
        builder = builder.path_words(PathWords::from_json(&words.0).map_err(|e| to_py_err(py, e))?);
    }
    if let Some(n) = config.max_body_size {
        builder = builder.max_body_size(n);
    }
    builder.build().map_err(|e| to_py_err(py, e))
}

/// The request for `endpoint` from canonical parameters, without a client
/// object (the dynamic API).
#[pyfunction]
#[pyo3(signature = (
    endpoint, params, *, base_url, token, path_words = None, allow_insecure_http = false
))]
pub(crate) fn build(
    py: Python<'_>,
    endpoint: &str,
    params: Params,
    base_url: &str,
    token: &str,
    path_words: Option<PathWordsArg>,
    allow_insecure_http: bool,
) -> PyResult<PyRequest> {
    let config = ClientConfig {
        base_url,
        token,
        path_words,
        allow_insecure_http,
        max_body_size: None,
    };
    let client = new_client(py, config)?;
    let id = endpoint_id(endpoint)?;
    dynamic::build(&client, id, &params.0)
        .map(PyRequest)
        .map_err(|e| to_py_err(py, e.redacted(&client)))
}

/// Parses an answer to `endpoint` into the canonical JSON shape (a `dict`
/// of plain values; amounts and dates as strings). No token is known here,
/// so a server that echoes it is not scrubbed: prefer `Core.parse_dict` or
/// `Client.parse`.
/// The defaults every host starts from (the core's `Settings::DEFAULT`):
/// `timeout_ms`, `settle_delay_ms`, `snapshots`, `max_pages` and
/// `lease_ms` (how long a keyed move's claim keeps other holders out).
/// `idn_toto.Client` and `AsyncClient` take their defaults from here.
#[pyfunction]
pub(crate) fn defaults<'py>(py: Python<'py>) -> PyResult<JsonDict<'py>> {
    let s = core::Settings::DEFAULT;
    JsonDict::new(
        py,
        &serde_json::json!({
            "timeout_ms": s.timeout_ms,
            "settle_delay_ms": s.settle_delay_ms,
            "snapshots": s.snapshots,
            "max_pages": s.max_pages,
            "lease_ms": s.lease_ms,
        }),
    )
}

#[pyfunction]
pub(crate) fn parse<'py>(
    py: Python<'py>,
    endpoint: &str,
    status: u16,
    body: &[u8],
) -> PyResult<JsonDict<'py>> {
    canonical(py, None, endpoint, status, body)
}

/// An answer to `endpoint` in the canonical JSON shape, as a dict; with
/// `client`, its body-size limit applies and the token is scrubbed from
/// any error.
fn canonical<'py>(
    py: Python<'py>,
    client: Option<&core::Client>,
    endpoint: &str,
    status: u16,
    body: &[u8],
) -> PyResult<JsonDict<'py>> {
    let id = endpoint_id(endpoint)?;
    let text = match client {
        Some(client) => dynamic::parse_to_string_with(client, id, status, body),
        None => dynamic::parse_to_string(id, status, body),
    }
    .map_err(core_err)?;
    JsonDict::from_text(py, &text)
}

/// The parameters of the page after `response` (a `FullTransaction` or
/// `PgaTransaction`, or its canonical dict), or `None` after the last page.
/// With `pages_read` (the pages an iteration has read, this one included),
/// a next page past `max_pages` (default 10,000) raises ``DecodeError``.
#[pyfunction]
#[pyo3(signature = (endpoint, params, response, *, pages_read = None, max_pages = None))]
pub(crate) fn next_page<'py>(
    py: Python<'py>,
    endpoint: &str,
    params: Params,
    response: &Bound<'py, PyAny>,
    pages_read: Option<u64>,
    max_pages: Option<u64>,
) -> PyResult<Option<JsonDict<'py>>> {
    let id = endpoint_id(endpoint)?;
    let page = if let Ok(page) = response.cast::<PyFullTransaction>() {
        to_value(py, &page.get().0)?
    } else if let Ok(page) = response.cast::<PyPgaTransaction>() {
        to_value(py, &page.get().0)?
    } else {
        response.extract::<Page>()?.0
    };
    let next = match pages_read {
        Some(read) => dynamic::next_page_within(
            id,
            &params.0,
            &page,
            read,
            max_pages.unwrap_or(dynamic::DEFAULT_MAX_PAGES),
        ),
        None => dynamic::next_page(id, &params.0, &page),
    };
    match next.map_err(|e| to_py_err(py, e))? {
        Some(next) => Ok(Some(JsonDict::new(py, &next)?)),
        None => Ok(None),
    }
}

/// The endpoint table: id, spec function name, method, path, idempotent,
/// parameter names, paged.
#[pyfunction]
pub(crate) fn endpoints(py: Python<'_>) -> PyResult<Vec<JsonDict<'_>>> {
    let table = dynamic::endpoints_json();
    let rows = table.as_array().map(Vec::as_slice).unwrap_or_default();
    rows.iter().map(|row| JsonDict::new(py, row)).collect()
}

fn to_value<T: serde::Serialize>(py: Python<'_>, value: &T) -> PyResult<Value> {
    serde_json::to_value(value).map_err(|e| {
        to_py_err(
            py,
            core::Error::Decode {
                path: "$".into(),
                reason: e.to_string(),
            },
        )
    })
}
