//! `idn_toto::keys`: operation keys. A driver's `"claim"` step hands over a
//! `KeyClaim`; the journal store (the Python layer's `FileJournal`,
//! `SqliteJournal`, `PostgresJournal`) reads the key's record, asks the
//! claim to `decide` (the core's decision), writes what the decision says
//! and gives the `ClaimAnswer` to `Driver.record_claim`. The statements of
//! the SQL stores are the core's `KeySql`; nothing here decides anything.

use idn_toto as core;
use pyo3::prelude::*;

use crate::convert::{JsonDict, Params};
use crate::errors::core_err;
use crate::journal::{PyJournal, PyJournalRecord};

/// A keyed money move to claim, what a `"claim"` step's `value` is: the
/// move's `intent` line (its `server`, `key`, endpoint, params, journal id
/// and snapshot), the `holder` claiming (the run's journal id), the
/// `lease_ms` the claim keeps others out, and `settled_now` (the key's
/// open move was settled for this very claim). The store runs it in one
/// transaction: read the key's record, `decide`, write what the decision
/// says (`ClaimWrite`), commit; then `Driver.record_claim(answer)`.
#[pyclass(name = "KeyClaim", module = "idn_toto._native", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct PyKeyClaim(pub(crate) core::KeyClaim);

#[pymethods]
impl PyKeyClaim {
    /// The move's intent line: written with the claim, never on its own.
    #[getter]
    fn intent(&self) -> PyJournalRecord {
        PyJournalRecord(self.0.intent.clone())
    }

    /// The server the key is scoped to (the client's fingerprint).
    #[getter]
    fn server(&self) -> &str {
        self.0.server()
    }

    /// The operation key.
    #[getter]
    fn key(&self) -> &str {
        self.0
            .key()
            .map(core::OperationKey::as_str)
            .unwrap_or_default()
    }

    /// Who claims: the run's journal id.
    #[getter]
    fn holder(&self) -> &str {
        &self.0.holder
    }

    /// How long the claim keeps other holders out, in milliseconds.
    #[getter]
    fn lease_ms(&self) -> u64 {
        self.0.lease_ms
    }

    /// Whether the key's open move was settled for this very claim.
    #[getter]
    fn settled_now(&self) -> bool {
        self.0.settled_now
    }

    /// Decides the claim against the key's record as a SQL store's `select`
    /// read it in the claim's transaction (its JSON text; `None`: no row,
    /// or a row without a record) at `now_ms` (Unix milliseconds). Returns
    /// the answer and, when the decision is `"claim"`, what to write before
    /// committing (`upsert` its record, `append` its line). A record that
    /// can't be read raises `InvalidRequestError` at `journal`.
    #[pyo3(signature = (record, now_ms))]
    fn decide(
        &self,
        record: Option<&str>,
        now_ms: i64,
    ) -> PyResult<(PyClaimAnswer, Option<PyClaimWrite>)> {
        let record = record
            .map(core::KeyRecord::from_json_text)
            .transpose()
            .map_err(core_err)?;
        let (answer, write) = self.0.decide(record, now_ms).map_err(core_err)?;
        Ok((PyClaimAnswer(answer), write.map(PyClaimWrite)))
    }

    /// Decides the claim against a JSON Lines journal (the file store,
    /// `Journal.read_bytes` of the whole file): the key's record is what
    /// its lines leave, with `held` (holder, lease end in Unix
    /// milliseconds: this process's own claim of the key, kept in memory)
    /// laid over it. Returns the answer (already refined by the journal's
    /// lines) and, on `"claim"`, the intent line to append.
    #[pyo3(signature = (journal, held, now_ms))]
    fn decide_in_journal(
        &self,
        journal: &PyJournal,
        held: Option<(String, i64)>,
        now_ms: i64,
    ) -> PyResult<(PyClaimAnswer, Option<PyClaimWrite>)> {
        let held = held
            .as_ref()
            .map(|(holder, until)| (holder.as_str(), *until));
        let (answer, write) = self
            .0
            .decide_in_journal(&journal.0, held, now_ms)
            .map_err(core_err)?;
        Ok((PyClaimAnswer(answer), write.map(PyClaimWrite)))
    }

    // No key in a repr: it is the caller's text (it could hold anything).
    fn __repr__(&self) -> String {
        format!("<KeyClaim {} {}>", self.0.intent.id, self.0.intent.endpoint)
    }
}

/// The key records of a JSON Lines journal kept in memory by its one
/// writer (the core's `KeyBook`): read once (`from_journal`), then kept
/// current with `record_claim` (after a claim's intent line is written)
/// and `record_line` (every line appended), so a claim reads no file.
#[pyclass(name = "KeyBook", module = "idn_toto._native")]
#[derive(Debug, Clone, Default)]
pub(crate) struct PyKeyBook(core::KeyBook);

#[pymethods]
impl PyKeyBook {
    /// The records a journal's lines leave.
    #[staticmethod]
    fn from_journal(journal: &PyJournal) -> Self {
        PyKeyBook(core::KeyBook::from_journal(&journal.0))
    }

    /// The core's decision for `claim` at `now_ms` against the key's
    /// record; on `"claim"`, the write whose line to append (then
    /// `record_claim`). A batch item to settle: refine the answer with the
    /// journal (`batch_to_refine`, `refine`).
    fn decide(
        &self,
        claim: &PyKeyClaim,
        now_ms: i64,
    ) -> PyResult<(PyClaimAnswer, Option<PyClaimWrite>)> {
        let (answer, write) = self.0.decide(&claim.0, now_ms).map_err(core_err)?;
        Ok((PyClaimAnswer(answer), write.map(PyClaimWrite)))
    }

    /// Takes a claim whose intent line was written.
    fn record_claim(&mut self, write: &PyClaimWrite) {
        self.0.record_claim(&write.0);
    }

    /// Takes a line that was appended (text with or without its newline;
    /// a line that is not one journal record changes nothing).
    fn record_line(&mut self, line: &str) {
        let text = format!("{}\n", line.strip_suffix('\n').unwrap_or(line));
        if let Ok(journal) = core::Journal::read(&text) {
            for record in &journal.records {
                self.0.record_line(record);
            }
        }
    }

    fn __repr__(&self) -> String {
        "<KeyBook>".into()
    }
}

/// What a store's claim came to: the core's `decision` (`"claim"`,
/// `"already_done"`, `"key_in_use"`, `"key_conflict"`, `"settle"` or
/// `"outcome_unknown"`) and the key's record as it was `previous`ly.
/// Give it to `Driver.record_claim`.
#[pyclass(name = "ClaimAnswer", module = "idn_toto._native", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct PyClaimAnswer(pub(crate) core::ClaimAnswer);

#[pymethods]
impl PyClaimAnswer {
    /// The decision's name.
    #[getter]
    fn decision(&self) -> &'static str {
        self.0.decision.as_str()
    }

    /// The key's record as read in the claim's transaction (`None`: the
    /// key was never used on this server).
    #[getter]
    fn previous(&self) -> Option<PyKeyRecord> {
        self.0.previous.clone().map(PyKeyRecord)
    }

    /// `"key_in_use"`: until when (Unix milliseconds) the other holder's
    /// claim runs.
    #[getter]
    fn lease_until_ms(&self) -> Option<i64> {
        match self.0.decision {
            core::KeyDecision::InUse { lease_until_ms } => Some(lease_until_ms),
            _ => None,
        }
    }

    /// `"key_conflict"`: what differs, in words.
    #[getter]
    fn reason(&self) -> Option<&str> {
        match &self.0.decision {
            core::KeyDecision::Conflict { reason } => Some(reason),
            _ => None,
        }
    }

    /// The journal-id prefix of the batch whose item the key's open move
    /// is, when the decision is `"settle"` for a batch item: a SQL store
    /// reads that batch's lines (`KeySql.batch_lines`, in the claim's
    /// transaction) and gives them to `refine`. `None` otherwise.
    fn batch_to_refine(&self) -> Option<String> {
        self.0.batch_to_refine()
    }

    /// This answer with the open move to settle refined by what `journal`
    /// (its batch's lines) says of the other items of its batch; the same
    /// answer for any other decision.
    fn refine(&self, journal: &PyJournal) -> PyClaimAnswer {
        let mut answer = self.0.clone();
        answer.refine(&journal.0);
        PyClaimAnswer(answer)
    }

    fn __repr__(&self) -> String {
        format!("<ClaimAnswer {}>", self.0.decision.as_str())
    }
}

/// What a `"claim"` decision writes in the claim's transaction: the key's
/// new `record` (`upsert` it) and the intent `line` (`append` it).
#[pyclass(name = "ClaimWrite", module = "idn_toto._native", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct PyClaimWrite(pub(crate) core::ClaimWrite);

#[pymethods]
impl PyClaimWrite {
    /// The key's record after the claim.
    #[getter]
    fn record(&self) -> PyKeyRecord {
        PyKeyRecord(self.0.record.clone())
    }

    /// The intent line to append (ends in its newline).
    #[getter]
    fn line(&self) -> &str {
        &self.0.line
    }

    fn __repr__(&self) -> String {
        format!("<ClaimWrite {}>", self.0.record.journal_id)
    }
}

/// A key's record in a store: the last word on the money move made under
/// it on one server (`server`, `key`, `endpoint`, `params`, `state`,
/// `journal_id` of the last attempt, `holder` and `lease_until_ms` of an
/// open claim, the `message` of a `succeeded` answer, `attempts`).
#[pyclass(name = "KeyRecord", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyKeyRecord(pub(crate) core::KeyRecord);

#[pymethods]
impl PyKeyRecord {
    /// Reads a stored record (a SQL store's `record` column); one that
    /// can't be read raises `InvalidRequestError` at `journal`.
    #[staticmethod]
    fn from_json_text(text: &str) -> PyResult<Self> {
        core::KeyRecord::from_json_text(text)
            .map(PyKeyRecord)
            .map_err(core_err)
    }

    /// The record as stored: compact JSON text.
    fn to_json_text(&self) -> String {
        self.0.to_json_text()
    }

    /// This record after a journal line of its key (an `outcome` or
    /// `settled` line): the record to `upsert` with the line, or `None`
    /// when it stays as it is (a late line of an earlier attempt, a line
    /// of another key, an intent).
    fn after_line(&self, line: &PyJournalRecord) -> Option<PyKeyRecord> {
        self.0.after_line(&line.0).map(PyKeyRecord)
    }

    #[getter]
    fn server(&self) -> &str {
        &self.0.server
    }

    #[getter]
    fn key(&self) -> &str {
        self.0.key.as_str()
    }

    /// The endpoint the move was last sent through.
    #[getter]
    fn endpoint(&self) -> &'static str {
        self.0.endpoint.as_str()
    }

    /// The move's canonical parameters (`type` included).
    #[getter]
    fn params<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::new(py, &self.0.params)
    }

    /// `"claimed"`, `"succeeded"`, `"failed"`, `"not_sent"`, `"unknown"`,
    /// `"applied"`, `"not_applied"` or `"undetermined"`: the store's
    /// `state` column.
    #[getter]
    fn state(&self) -> &'static str {
        self.0.state.as_str()
    }

    /// The journal id of the last attempt.
    #[getter]
    fn journal_id(&self) -> &str {
        &self.0.journal_id
    }

    /// Who holds an open claim, if anyone.
    #[getter]
    fn holder(&self) -> Option<&str> {
        self.0.holder.as_deref()
    }

    /// Until when (Unix milliseconds) the holder's claim keeps others out.
    #[getter]
    fn lease_until_ms(&self) -> Option<i64> {
        self.0.lease_until_ms
    }

    /// The server's message of a `succeeded` answer.
    #[getter]
    fn message(&self) -> Option<&str> {
        self.0.message.as_deref()
    }

    /// How many times the move was claimed to be sent.
    #[getter]
    fn attempts(&self) -> u32 {
        self.0.attempts
    }

    /// The record as a dict (the stored JSON's shape).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::of(py, &self.0)
    }

    fn __repr__(&self) -> String {
        format!(
            "<KeyRecord {} {} attempts={}>",
            self.0.state.as_str(),
            self.0.journal_id,
            self.0.attempts
        )
    }
}

/// The statements of a SQL journal store, the core's one schema and claim
/// protocol for every host: `KeySql("sqlite")` (parameters `?1`, ...) or
/// `KeySql("postgres")` (`$1`, ...); every parameter is text or `None`. A
/// claim is one transaction: `begin`, `ensure_row` (when not `None`:
/// server, key), `select` (server, key: the record's JSON text or NULL),
/// `KeyClaim.decide`, on a `ClaimWrite` `upsert` (server, key, state,
/// record) and `append` (server, id, key, line without its newline), on
/// `batch_to_refine()` `batch_lines` (the prefix), `commit` (`rollback`
/// after any failure). A keyed outcome or `settled` line: `begin`,
/// `select`, `KeyRecord.after_line` and `upsert` when it gives a record,
/// `append`, `commit`. A line without a key is only appended (key NULL).
#[pyclass(name = "KeySql", module = "idn_toto._native", frozen)]
#[derive(Debug, Clone, Copy)]
pub(crate) struct PyKeySql(core::KeySql);

#[pymethods]
impl PyKeySql {
    /// The statements of `dialect`: `"sqlite"` or `"postgres"`
    /// (`InvalidRequestError` at `dialect` for anything else).
    #[new]
    fn new(dialect: &str) -> PyResult<Self> {
        match dialect {
            "sqlite" => Ok(PyKeySql(core::KeySql::SQLITE)),
            "postgres" => Ok(PyKeySql(core::KeySql::POSTGRES)),
            other => Err(core_err(core::Error::InvalidRequest {
                field: "dialect".into(),
                reason: format!("{other:?} is not one of sqlite, postgres"),
            })),
        }
    }

    /// Creates the tables and the index when missing, one statement each.
    #[getter]
    fn schema(&self) -> Vec<&'static str> {
        self.0.schema.to_vec()
    }

    /// Starts a transaction that holds the write lock from its first
    /// statement (SQLite `BEGIN IMMEDIATE`).
    #[getter]
    fn begin(&self) -> &'static str {
        self.0.begin
    }

    /// Makes sure the key has a row to lock (Postgres; params: server,
    /// key); `None` for SQLite.
    #[getter]
    fn ensure_row(&self) -> Option<&'static str> {
        self.0.ensure_row
    }

    /// The key's record as JSON text, or NULL (params: server, key).
    #[getter]
    fn select(&self) -> &'static str {
        self.0.select
    }

    /// Writes the key's record (params: server, key, state, record).
    #[getter]
    fn upsert(&self) -> &'static str {
        self.0.upsert
    }

    /// Appends a journal line (params: server, id, key or NULL, line).
    #[getter]
    fn append(&self) -> &'static str {
        self.0.append
    }

    /// Every journal line, in the order written (one column).
    #[getter]
    fn lines(&self) -> &'static str {
        self.0.lines
    }

    /// The lines whose journal id starts with a prefix (params: the
    /// prefix), in the order written.
    #[getter]
    fn batch_lines(&self) -> &'static str {
        self.0.batch_lines
    }

    /// Ends a transaction.
    #[getter]
    fn commit(&self) -> &'static str {
        self.0.commit
    }

    /// Undoes a transaction that failed half way.
    #[getter]
    fn rollback(&self) -> &'static str {
        self.0.rollback
    }

    fn __repr__(&self) -> String {
        let dialect = if self.0.ensure_row.is_some() {
            "postgres"
        } else {
            "sqlite"
        };
        format!("KeySql({dialect:?})")
    }
}

/// What to do with the money move `params` (canonical, `type` included)
/// under a key whose stored record is `record`
/// (its JSON text; `None`: never used on this server), for holder `me` at
/// `now_ms` (Unix milliseconds), `settled_now` when the record's verdict
/// comes from a settlement made for this very decision: `"claim"`,
/// `"already_done"`, `"key_in_use"`, `"key_conflict"`, `"settle"` or
/// `"outcome_unknown"`. `KeyClaim.decide` is this with its write; this is
/// the decision table alone (the shared vectors' `keys.json`).
#[pyfunction]
#[pyo3(signature = (record, params, *, me, now_ms, settled_now = false))]
pub(crate) fn decide_key(
    record: Option<&str>,
    params: Params,
    me: &str,
    now_ms: i64,
    settled_now: bool,
) -> PyResult<&'static str> {
    let record = record
        .map(core::KeyRecord::from_json_text)
        .transpose()
        .map_err(core_err)?;
    core::decide_key(record.as_ref(), &params.0, me, now_ms, settled_now)
        .map(|d| d.as_str())
        .map_err(core_err)
}

// `Journal.key_records` is declared here, beside the key types, so the
// journal's module needs nothing of this one (`multiple-pymethods`).
#[pymethods]
impl PyJournal {
    /// The record of every operation key, as the lines leave it, in the
    /// order keys first appear: what a SQL store keeps in its key table.
    fn key_records(&self) -> Vec<PyKeyRecord> {
        self.0.key_records().into_iter().map(PyKeyRecord).collect()
    }
}
