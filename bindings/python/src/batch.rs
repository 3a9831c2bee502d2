//! `idn_toto::ItemOutcome`: what happened to one item of a batch (the
//! batch itself is run by `Driver.batch`).

use idn_toto as core;
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::JsonDict;
use crate::settle::PyUnsettled;

/// What happened to one input item of a batch.
#[pyclass(name = "ItemOutcome", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyItemOutcome {
    outcome: core::ItemOutcome,
    journal_id: Option<String>,
    journal_unwritten: bool,
}

impl PyItemOutcome {
    pub(crate) fn new(
        outcome: core::ItemOutcome,
        journal_id: Option<String>,
        journal_unwritten: bool,
    ) -> Self {
        PyItemOutcome {
            outcome,
            journal_id,
            journal_unwritten,
        }
    }
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
    /// `client.settle(outcome)` before acting again); for an item with an
    /// operation key, never sent: `"already_done"` (its key's move was done
    /// before), `"key_in_use"` (another live process holds the key),
    /// `"key_conflict"` (the key names another money move) or
    /// `"undetermined"` (an earlier attempt under the key could not be
    /// settled).
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
        JsonDict::of_option(py, self.outcome.snapshot.as_ref())
    }

    /// The operation key the item was given, or `None`.
    #[getter]
    fn key(&self) -> Option<&str> {
        self.outcome.key.as_ref().map(core::OperationKey::as_str)
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

    /// `True` when the client journals and the journal's outcome line for
    /// this item could not be written (a `JournalWarning` said why): the
    /// item stays open in the journal and settles later. `status` is still
    /// what the server answered.
    #[getter]
    fn journal_unwritten(&self) -> bool {
        self.journal_unwritten
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
