//! `idn_toto::Batch`: any number of `multiple_transaction` items, sent in
//! requests of at most 25, one outcome per input item.

use std::collections::HashMap;

use idn_toto as core;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde_json::{Map, Value};

use crate::client::{PyCore, PyRequest};
use crate::convert::{Items, JsonDict};
use crate::errors::to_py_err;
use crate::settle::PyUnsettled;

/// What happened to one input item of a batch.
#[pyclass(name = "ItemOutcome", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyItemOutcome {
    outcome: core::ItemOutcome,
    journal_id: Option<String>,
}

#[pymethods]
impl PyItemOutcome {
    /// The item's position in the input.
    #[getter]
    fn index(&self) -> usize {
        self.outcome.index
    }

    /// `"succeeded"`, `"failed"`, `"not_sent"` (an earlier request's
    /// outcome is unknown, so the batch stopped) or `"unknown"` (sent, but
    /// whether it was processed can't be known: settle it with
    /// `client.settle(outcome)` before acting again).
    #[getter]
    fn status(&self) -> String {
        status_name(self.outcome.status)
    }

    /// The transaction ID (accept/reject items).
    #[getter]
    fn trans_id(&self) -> Option<&str> {
        self.outcome.trans_id.as_deref()
    }

    #[getter]
    fn user(&self) -> &str {
        &self.outcome.user
    }

    /// The server's message, or what went wrong.
    #[getter]
    fn message(&self) -> Option<&str> {
        self.outcome.message.as_deref()
    }

    /// For failed items: the refusal classified like `ApiError.api_kind`.
    #[getter]
    fn api_kind(&self) -> Option<&'static str> {
        self.outcome.api_kind.map(core::ApiErrorKind::as_str)
    }

    /// The item's canonical parameters (`type` included).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::new(py, &self.outcome.params)
    }

    /// For a manual item sent with snapshots: the user's history read
    /// before sending (`{"entries": [...]}`).
    #[getter]
    fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Option<JsonDict<'py>>> {
        self.outcome
            .snapshot
            .as_ref()
            .map(|s| JsonDict::of(py, s))
            .transpose()
    }

    /// What settling this item needs, when its status is `"unknown"`.
    fn unsettled(&self) -> Option<PyUnsettled> {
        self.outcome.unsettled().map(PyUnsettled)
    }

    /// The item's journal id, when the client journals.
    #[getter]
    fn journal_id(&self) -> Option<&str> {
        self.journal_id.as_deref()
    }

    /// The canonical JSON shape.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::of(py, &self.outcome)
    }

    fn __repr__(&self) -> String {
        format!(
            "ItemOutcome(index={}, status={:?}, user={:?}{}{})",
            self.outcome.index,
            status_name(self.outcome.status),
            self.outcome.user,
            self.outcome
                .trans_id
                .as_deref()
                .map(|t| format!(", trans_id={t:?}"))
                .unwrap_or_default(),
            self.outcome
                .message
                .as_deref()
                .map(|m| format!(", message={m:?}"))
                .unwrap_or_default(),
        )
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
    /// sent. `snapshots`: before a manual batch, read each user's history
    /// (one read per distinct user, given first by `next_request`) so an
    /// item whose outcome is unknown can be settled; a failed read sends
    /// nothing (every item `not_sent`).
    #[new]
    #[pyo3(signature = (r#type, transaction, *, snapshots = false))]
    fn new(py: Python<'_>, r#type: &str, transaction: Items, snapshots: bool) -> PyResult<Self> {
        let mut params = Map::new();
        params.insert("type".into(), Value::String(r#type.to_owned()));
        params.insert("transaction".into(), transaction.0);
        core::dynamic::batch(&Value::Object(params))
            .map(|b| PyBatch(Some(if snapshots { b.with_snapshots() } else { b })))
            .map_err(|e| to_py_err(py, e))
    }

    /// The items of the request `next_request` just gave (none while it
    /// reads snapshots): `(index, Unsettled)` each. A journal writes their
    /// intents before the request leaves.
    fn sending(&self) -> Vec<(usize, PyUnsettled)> {
        self.0.as_ref().map_or_else(Vec::new, |b| {
            b.sending()
                .into_iter()
                .map(|(i, u)| (i, PyUnsettled(u)))
                .collect()
        })
    }

    /// The outcomes so far of the items at `indices` (after their request's
    /// answer was recorded), without finishing the batch.
    fn outcomes(&self, indices: Vec<usize>) -> Vec<PyItemOutcome> {
        let Some(batch) = self.0.as_ref() else {
            return Vec::new();
        };
        let all = batch.clone().finish();
        indices
            .into_iter()
            .filter_map(|i| all.get(i).cloned())
            .map(|outcome| PyItemOutcome {
                outcome,
                journal_id: None,
            })
            .collect()
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

    /// One outcome per input item, in input order; `journal_ids` gives
    /// items their journal ids (`(index, id)` pairs).
    #[pyo3(signature = (journal_ids = None))]
    fn finish(
        &mut self,
        journal_ids: Option<Vec<(usize, String)>>,
    ) -> PyResult<Vec<PyItemOutcome>> {
        let batch = self
            .0
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("the batch is already finished"))?;
        let mut ids: HashMap<usize, String> = journal_ids.unwrap_or_default().into_iter().collect();
        Ok(batch
            .finish()
            .into_iter()
            .map(|outcome| PyItemOutcome {
                journal_id: ids.remove(&outcome.index),
                outcome,
            })
            .collect())
    }
}
