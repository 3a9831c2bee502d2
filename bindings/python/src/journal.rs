//! `idn_toto::journal`: the journal's lines, made and read by the core
//! (`JournalRecord`, `Journal`, `OpenMove`; the clients' lines come from
//! the `Driver`'s journal steps). Files are the Python layer's
//! (`idn_toto.FileJournal`).

use idn_toto as core;
use pyo3::prelude::*;
use serde_json::Value;

use crate::client::endpoint_id;
use crate::convert::{JsonDict, Params};
use crate::errors::core_err;
use crate::settle::{move_getters, snapshot_of, PyUnsettled};

/// One journal line: `id` (one per money-moving item, made by the host),
/// `event` (`"intent"`, `"outcome"` or `"settled"`), `endpoint`, `params`
/// (canonical, never the token), `state`, `at` (the host's clock),
/// `snapshot` (manual intents) and `message`.
#[pyclass(name = "JournalRecord", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyJournalRecord(pub(crate) core::JournalRecord);

move_getters!(PyJournalRecord);

#[pymethods]
impl PyJournalRecord {
    /// The `intent` line for a money move about to be sent. Refuses an
    /// endpoint that moves no money and params that are not one money move.
    #[staticmethod]
    #[pyo3(signature = (id, endpoint, params, *, at, snapshot = None))]
    fn intent(
        id: &str,
        endpoint: &str,
        params: Params,
        at: &str,
        snapshot: Option<Params>,
    ) -> PyResult<Self> {
        let endpoint = endpoint_id(endpoint)?;
        let snapshot = snapshot.map(|s| snapshot_of(&s.0)).transpose()?;
        core::JournalRecord::intent(id, endpoint, params.0, snapshot, at)
            .map(PyJournalRecord)
            .map_err(core_err)
    }

    /// The `intent` line for what `unsettled` describes.
    #[staticmethod]
    #[pyo3(signature = (id, unsettled, *, at))]
    fn for_unsettled(id: &str, unsettled: &PyUnsettled, at: &str) -> PyResult<Self> {
        let u = &unsettled.0;
        core::JournalRecord::intent_for(id, u.endpoint, u.params.clone(), u.snapshot.clone(), at)
            .map(PyJournalRecord)
            .map_err(core_err)
    }

    /// The `outcome` line after this intent: `state` is `"succeeded"`,
    /// `"failed"`, `"unknown"` or `"not_sent"` (an `ItemOutcome.status`).
    #[pyo3(signature = (state, message = None, *, at))]
    fn outcome(&self, state: &str, message: Option<String>, at: &str) -> PyResult<Self> {
        let status = match state {
            "succeeded" => core::ItemStatus::Succeeded,
            "failed" => core::ItemStatus::Failed,
            "unknown" => core::ItemStatus::Unknown,
            "not_sent" => core::ItemStatus::NotSent,
            other => {
                return Err(invalid_state(
                    other,
                    "succeeded, failed, unknown or not_sent",
                ))
            }
        };
        Ok(PyJournalRecord(self.0.outcome(status, message, at)))
    }

    /// The `settled` line after this intent: `state` is `"applied"`,
    /// `"not_applied"` or `"undetermined"` (a `Settlement.state`).
    #[pyo3(signature = (state, message = None, *, at))]
    fn settled(&self, state: &str, message: Option<String>, at: &str) -> PyResult<Self> {
        let state = serde_json::from_value::<core::SettleState>(Value::String(state.to_owned()))
            .map_err(|_| invalid_state(state, "applied, not_applied or undetermined"))?;
        Ok(PyJournalRecord(self.0.settled(state, message, at)))
    }

    /// Reads one journal line (with or without its newline), as the core
    /// reads a journal: ``DecodeError`` when it is not one record.
    #[staticmethod]
    fn from_line(line: &str) -> PyResult<Self> {
        let text = format!("{}\n", line.strip_suffix('\n').unwrap_or(line));
        let mut journal = core::Journal::read(&text).map_err(core_err)?;
        match (journal.records.pop(), journal.records.is_empty()) {
            (Some(record), true) => Ok(PyJournalRecord(record)),
            _ => Err(core_err(core::Error::Decode {
                path: "line 1".into(),
                reason: "not one journal line".into(),
            })),
        }
    }

    /// The line to append: compact JSON and one newline.
    fn to_line(&self) -> String {
        self.0.to_line()
    }

    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }

    /// `"intent"`, `"outcome"` or `"settled"`.
    #[getter]
    fn event(&self) -> &'static str {
        match self.0.event {
            core::JournalEvent::Intent => "intent",
            core::JournalEvent::Outcome => "outcome",
            core::JournalEvent::Settled => "settled",
        }
    }

    #[getter]
    fn state(&self) -> Option<&str> {
        self.0.state.as_deref()
    }

    #[getter]
    fn at(&self) -> &str {
        &self.0.at
    }

    #[getter]
    fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// The server the move was sent to (the client's fingerprint); `None`
    /// in lines of older versions.
    #[getter]
    fn server(&self) -> Option<&str> {
        self.0.server.as_deref()
    }

    /// The operation key the move was sent under, or `None`.
    #[getter]
    fn key(&self) -> Option<&str> {
        self.0.key.as_ref().map(core::OperationKey::as_str)
    }

    /// The line as a dict.
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "<JournalRecord {} {} {}{}>",
            self.0.id,
            self.event(),
            self.0.endpoint,
            self.0
                .state
                .as_deref()
                .map(|s| format!(" {s}"))
                .unwrap_or_default()
        )
    }
}

fn invalid_state(state: &str, allowed: &str) -> PyErr {
    core_err(core::Error::InvalidRequest {
        field: "state".into(),
        reason: format!("{state:?} is not one of {allowed}"),
    })
}

/// A journal read back (`Journal.read(text)`): its `records`, whether a
/// torn last line (a write cut by a crash) was ignored, and `unsettled()`.
#[pyclass(name = "Journal", module = "idn_toto._native", frozen)]
#[derive(Debug)]
pub(crate) struct PyJournal(pub(crate) core::Journal);

#[pymethods]
impl PyJournal {
    /// Reads journal text. A torn last line (no newline: the start of a
    /// record, a whole record or blank) is ignored; any other line that is
    /// not a record raises ``DecodeError`` naming it (``line N``).
    #[staticmethod]
    fn read(text: &str) -> PyResult<Self> {
        core::Journal::read(text).map(PyJournal).map_err(core_err)
    }

    /// ``read`` of a file's bytes (a line that is not UTF-8 is named too).
    #[staticmethod]
    fn read_bytes(data: &[u8]) -> PyResult<Self> {
        core::Journal::read_bytes(data)
            .map(PyJournal)
            .map_err(core_err)
    }

    /// Every complete line, in order.
    #[getter]
    fn records(&self) -> Vec<PyJournalRecord> {
        self.0
            .records
            .iter()
            .cloned()
            .map(PyJournalRecord)
            .collect()
    }

    /// Whether a torn last line was ignored.
    #[getter]
    fn torn_tail(&self) -> bool {
        self.0.torn_tail
    }

    /// The ids without a definite state, in the order of their intents.
    fn unsettled(&self) -> Vec<PyOpenMove> {
        self.0.unsettled().into_iter().map(PyOpenMove).collect()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Journal {} records{}>",
            self.0.records.len(),
            if self.0.torn_tail { ", torn tail" } else { "" }
        )
    }
}

/// What a host must do to a journal file (the core decides; the file
/// object only does IO): before appending while ``must_check``, read the
/// whole file from its first byte into ``feed`` and call ``end`` (``None``:
/// append; an int: truncate the file to that many bytes first; a
/// ``DecodeError`` naming the line: the file can't be read back, refuse);
/// ``check_line`` each line before writing it; then ``appended()``, or
/// ``append_failed()`` after any failure (the next append checks again and
/// cuts what a failed write left).
#[pyclass(name = "JournalAppender", module = "idn_toto._native")]
#[derive(Debug, Default)]
pub(crate) struct PyJournalAppender(core::JournalAppender);

#[pymethods]
impl PyJournalAppender {
    #[new]
    fn new() -> Self {
        PyJournalAppender::default()
    }

    /// Whether the file must be read and checked before the next append.
    #[getter]
    fn must_check(&self) -> bool {
        self.0.must_check()
    }

    /// The next bytes of the file (the first call starts at its first
    /// byte); ``DecodeError`` at ``line N`` for a line that can't be read.
    fn feed(&mut self, data: &[u8]) -> PyResult<()> {
        self.0.feed(data).map_err(core_err)
    }

    /// The file ended: ``None``, or the offset to truncate it to (a torn
    /// last line); ``DecodeError`` naming a last line that is not the
    /// start of a journal line.
    fn end(&mut self) -> PyResult<Option<u64>> {
        self.0.end().map_err(core_err)
    }

    /// ``InvalidRequestError`` at ``journal`` unless ``line`` is one
    /// journal record and its newline.
    fn check_line(&self, line: &str) -> PyResult<()> {
        self.0.check_line(line).map_err(core_err)
    }

    /// The line was written and synced.
    fn appended(&mut self) {
        self.0.appended();
    }

    /// Opening, reading, truncating, writing or syncing failed.
    fn append_failed(&mut self) {
        self.0.append_failed();
    }

    fn __repr__(&self) -> String {
        format!(
            "<JournalAppender {}>",
            if self.0.must_check() {
                "must check"
            } else {
                "ready"
            }
        )
    }
}

/// One money move the journal leaves without a definite state: its `id`,
/// its `intent` line, and the `last` word on it (`"intent"`: the process
/// stopped with the request in flight; `"unknown"`; `"undetermined"`).
#[pyclass(name = "OpenMove", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyOpenMove(pub(crate) core::OpenMove);

#[pymethods]
impl PyOpenMove {
    #[getter]
    fn id(&self) -> &str {
        &self.0.id
    }

    #[getter]
    fn intent(&self) -> PyJournalRecord {
        PyJournalRecord(self.0.intent.clone())
    }

    #[getter]
    fn last(&self) -> &str {
        &self.0.last
    }

    /// The intent's endpoint, params and snapshot: what settling needs.
    #[getter]
    fn unsettled(&self) -> PyUnsettled {
        PyUnsettled(self.0.unsettled())
    }

    fn __repr__(&self) -> String {
        format!(
            "<OpenMove {} {} last={}>",
            self.0.id, self.0.intent.endpoint, self.0.last
        )
    }
}
