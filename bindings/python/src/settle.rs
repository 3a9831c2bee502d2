//! `idn_toto::settle`: what settling an unknown money move needs
//! (`Unsettled`) and the verdict (`Settlement`); `Driver.settle` settles.

use idn_toto as core;
use pyo3::prelude::*;
use serde_json::Value;

use crate::convert::{JsonDict, Params};
use crate::errors::{core_err, to_py_err};
use crate::results::PyUserHistory;

/// What settling an unknown money move needs: the endpoint, the move's
/// canonical parameters (`type` included; never the token) and, for a
/// manual move, the user's history read before it was sent (`snapshot`).
/// Carried by `OutcomeUnknownError.unsettled`, `ItemOutcome.unsettled()`
/// and `OpenMove.unsettled`; any client for the same agent can settle it.
#[pyclass(name = "Unsettled", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyUnsettled(pub(crate) core::Unsettled);

/// The getters of a money move's `endpoint`, `params` and `snapshot`, for a
/// class wrapping a core value with those fields (`Unsettled`, and
/// `JournalRecord`, whose lines carry the move they are about).
macro_rules! move_getters {
    ($py:ident) => {
        #[pymethods]
        impl $py {
            /// `"accept_reject"`, `"manual_transaction"` or
            /// `"multiple_transaction"`.
            #[getter]
            fn endpoint(&self) -> &'static str {
                self.0.endpoint.as_str()
            }

            /// The move's canonical parameters (`type` included).
            #[getter]
            fn params<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
                JsonDict::new(py, &self.0.params)
            }

            /// The history read before a manual move was sent
            /// (`{"entries": [...]}`), or `None`.
            #[getter]
            fn snapshot<'py>(&self, py: Python<'py>) -> PyResult<Option<JsonDict<'py>>> {
                JsonDict::of_option(py, self.0.snapshot.as_ref())
            }
        }
    };
}
pub(crate) use move_getters;

move_getters!(PyUnsettled);

#[pymethods]
impl PyUnsettled {
    /// Reads the canonical form (`to_dict()`'s shape): `endpoint`,
    /// `params` and an optional `snapshot` (`{"entries": [...]}`). The
    /// params must describe one money move.
    #[new]
    fn new(py: Python<'_>, unsettled: Params) -> PyResult<Self> {
        core::Unsettled::from_json_text(&unsettled.0.to_string())
            .map(PyUnsettled)
            .map_err(|e| to_py_err(py, e))
    }

    /// The operation key the move was sent under, or `None`: settling it
    /// with a journal names the key on its `settled` line, so the key's
    /// record takes the verdict.
    #[getter]
    fn key(&self) -> Option<&str> {
        self.0.key.as_ref().map(core::OperationKey::as_str)
    }

    /// The canonical form.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::new(py, &self.0.to_json())
    }

    fn __repr__(&self) -> String {
        let what = format!("{:?}", self.0.money_move());
        format!("<Unsettled {} {what}>", self.0.endpoint)
    }
}

impl PyUnsettled {
    /// What settling `request` would need, when it moves money.
    pub(crate) fn of_request(
        request: &core::Request,
        snapshot: Option<&PyUserHistory>,
    ) -> Option<PyUnsettled> {
        request.money().map(|params| {
            PyUnsettled(core::Unsettled {
                endpoint: request.endpoint(),
                params: params.clone(),
                snapshot: snapshot.map(PyUserHistory::snapshot),
                server: None,
                journal_id: None,
                key: None,
            })
        })
    }
}

/// The verdict on an unknown money move: `state` (`"applied"`,
/// `"not_applied"` or `"undetermined"`), `reason` in words, and the
/// `evidence` (one dict per read: `endpoint`, redacted `url`, `showed`,
/// `data`). `unsettled` is what was settled; `journal_id` its journal id,
/// when it had one.
#[pyclass(name = "Settlement", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PySettlement {
    settlement: core::Settlement,
    unsettled: core::Unsettled,
    journal_id: Option<String>,
    journal_unwritten: bool,
}

impl PySettlement {
    pub(crate) fn new(
        settlement: core::Settlement,
        unsettled: core::Unsettled,
        journal_id: Option<String>,
        journal_unwritten: bool,
    ) -> Self {
        PySettlement {
            settlement,
            unsettled,
            journal_id,
            journal_unwritten,
        }
    }
}

#[pymethods]
impl PySettlement {
    /// `"applied"` (the server shows the effect: never send it again),
    /// `"not_applied"` (it shows it did not happen: safe to send again) or
    /// `"undetermined"` (the reads can't tell; see `reason`).
    #[getter]
    fn state(&self) -> &'static str {
        self.settlement.state.as_str()
    }

    /// Why, in words.
    #[getter]
    fn reason(&self) -> &str {
        &self.settlement.reason
    }

    /// The reads and what each showed: `endpoint`, `url` (token redacted),
    /// `showed` (words) and `data`.
    #[getter]
    fn evidence<'py>(&self, py: Python<'py>) -> PyResult<Vec<JsonDict<'py>>> {
        self.settlement
            .evidence
            .iter()
            .map(|e| JsonDict::of(py, e))
            .collect()
    }

    /// What was settled.
    #[getter]
    fn unsettled(&self) -> PyUnsettled {
        PyUnsettled(self.unsettled.clone())
    }

    /// The journal id of what was settled, when it was journaled.
    #[getter]
    fn journal_id(&self) -> Option<&str> {
        self.journal_id.as_deref()
    }

    /// `True` when the journal's `settled` line for this verdict could not
    /// be written (a `JournalWarning` said why): the move stays open in the
    /// journal. The verdict itself stands.
    #[getter]
    fn journal_unwritten(&self) -> bool {
        self.journal_unwritten
    }

    /// The canonical form: `state`, `reason`, `evidence`.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::new(py, &self.settlement.to_json())
    }

    fn __repr__(&self) -> String {
        format!(
            "Settlement(state={:?}, reason={:?}, evidence=[{} reads])",
            self.settlement.state.as_str(),
            self.settlement.reason,
            self.settlement.evidence.len()
        )
    }
}

/// A snapshot dict (`{"entries": [...]}`) read as the core reads it: from
/// text, so amounts keep their digits.
pub(crate) fn snapshot_of(value: &Value) -> PyResult<core::Snapshot> {
    serde_json::from_str::<core::Snapshot>(&value.to_string()).map_err(|e| {
        core_err(core::Error::InvalidRequest {
            field: "snapshot".into(),
            reason: e.to_string(),
        })
    })
}

impl PyUserHistory {
    /// The history as a settlement snapshot.
    pub(crate) fn snapshot(&self) -> core::Snapshot {
        core::Snapshot::new(self.0.data.clone())
    }
}
