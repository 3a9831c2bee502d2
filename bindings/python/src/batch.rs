//! `idn_toto::Batch`: any number of `multiple_transaction` items, sent in
//! requests of at most 25, one outcome per input item.

use idn_toto as core;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde_json::{Map, Value};

use crate::client::{PyCore, PyRequest};
use crate::convert::Items;
use crate::endpoints::result_class;
use crate::errors::to_py_err;

result_class! {
    /// What happened to one input item of a batch.
    "ItemOutcome" => PyItemOutcome(core::ItemOutcome) {
        /// The item's position in the input.
        index -> usize = |r| r.index;
        /// `"succeeded"`, `"failed"`, `"not_sent"` (an earlier request's
        /// outcome is unknown, so the batch stopped) or `"unknown"` (sent,
        /// but whether it was processed can't be known: check before acting
        /// again).
        status -> String = |r| status_name(r.status);
        /// The transaction ID (accept/reject items).
        trans_id -> Option<&str> = |r| r.trans_id.as_deref();
        user -> &str = |r| &r.user;
        /// The server's message, or what went wrong.
        message -> Option<&str> = |r| r.message.as_deref();
        /// For failed items: the refusal classified like `ApiError.api_kind`.
        api_kind -> Option<&'static str> = |r| r.api_kind.map(core::ApiErrorKind::as_str);
    }
}

fn status_name(status: core::ItemStatus) -> String {
    // The core's serde name is the canonical one.
    match serde_json::to_value(status) {
        Ok(Value::String(s)) => s,
        _ => format!("{status:?}"),
    }
}

/// The batch state machine. Loop: `next_request(core)`, send it, then
/// `record_response(core, status, body)` or
/// `record_transport_failure(core, reason)`; finally `finish()`. Nothing is
/// ever sent twice; an unknown outcome stops the batch.
#[pyclass(name = "Batch", module = "idn_toto._native")]
#[derive(Debug)]
pub(crate) struct PyBatch(Option<core::Batch>);

#[pymethods]
impl PyBatch {
    /// Checks every item (one form, no transaction twice) before anything is
    /// sent.
    #[new]
    fn new(py: Python<'_>, r#type: &str, transaction: Items) -> PyResult<Self> {
        let mut params = Map::new();
        params.insert("type".into(), Value::String(r#type.to_owned()));
        params.insert("transaction".into(), transaction.0);
        core::dynamic::batch(&Value::Object(params))
            .map(|b| PyBatch(Some(b)))
            .map_err(|e| to_py_err(py, e))
    }

    /// The number of requests a full run sends.
    fn request_count(&self) -> usize {
        self.0.as_ref().map_or(0, core::Batch::request_count)
    }

    /// The next request to send, or `None` when done.
    fn next_request(&mut self, core: &PyCore) -> Option<PyRequest> {
        self.0.as_mut()?.next_request(&core.client).map(PyRequest)
    }

    /// Records the answer to the last request.
    fn record_response(&mut self, core: &PyCore, status: u16, body: &[u8]) {
        if let Some(b) = self.0.as_mut() {
            b.record_response(&core.client, status, body);
        }
    }

    /// Records that the last request failed in transport: its items are
    /// unknown and the batch stops.
    fn record_transport_failure(&mut self, core: &PyCore, reason: &str) {
        if let Some(b) = self.0.as_mut() {
            b.record_transport_failure(&core.client, reason);
        }
    }

    /// One outcome per input item, in input order.
    fn finish(&mut self) -> PyResult<Vec<PyItemOutcome>> {
        let batch = self
            .0
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("the batch is already finished"))?;
        Ok(batch.finish().into_iter().map(PyItemOutcome::new).collect())
    }
}
