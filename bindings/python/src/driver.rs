//! `idn_toto::Driver`: the one state machine behind every call of
//! `idn_toto.Client` and `idn_toto.AsyncClient` (a call, a batch, paging,
//! settling), its options, its steps and its events. The Python clients'
//! one IO loop per flavour asks `Driver.next` what to do and does it.

use idn_toto as core;
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::IntoPyObjectExt;

use crate::batch::PyItemOutcome;
use crate::classes::PyProcessed;
use crate::client::{endpoint_id, PyCore, PyRequest, PyRetryPolicy};
use crate::convert::{JsonDict, Params};
use crate::errors::{core_err, to_py_err};
use crate::journal::PyOpenMove;
use crate::keys::{PyClaimAnswer, PyKeyClaim};
use crate::results::any_to_py;
use crate::settle::{PySettlement, PyUnsettled};

/// How a `Driver` runs: the retry policy for reads, the journal id of what
/// it moves (journaling is on when set), whether a manual move reads the
/// user's history first (`snapshots`), whether response events carry the
/// (scrubbed, cut) body (`bodies`), the paging cap (`max_pages`),
/// settling's wait before a read that could conclude `not_applied`, and how
/// long a keyed move's claim keeps other holders out (`lease_ms`; default:
/// `defaults()["lease_ms"]`).
#[pyclass(name = "DriverOptions", module = "idn_toto._native", frozen)]
#[derive(Debug, Clone)]
pub(crate) struct PyDriverOptions(core::DriverOptions);

#[pymethods]
impl PyDriverOptions {
    #[new]
    #[pyo3(signature = (
        *, retry = None, journal_id = None, snapshots = false, bodies = false,
        max_pages = None, settle_delay_ms = 0, lease_ms = None
    ))]
    fn new(
        retry: Option<PyRef<'_, PyRetryPolicy>>,
        journal_id: Option<String>,
        snapshots: bool,
        bodies: bool,
        max_pages: Option<u64>,
        settle_delay_ms: u64,
        lease_ms: Option<u64>,
    ) -> Self {
        let defaults = core::DriverOptions::default();
        PyDriverOptions(core::DriverOptions {
            retry: retry.map_or(defaults.retry, |r| r.0),
            journal_id,
            snapshots,
            bodies,
            max_pages: max_pages.unwrap_or(defaults.max_pages),
            settle_delay_ms,
            lease_ms: lease_ms.unwrap_or(defaults.lease_ms),
        })
    }

    /// These options with another journal id (`None`: no journaling).
    fn with_journal_id(&self, journal_id: Option<String>) -> Self {
        PyDriverOptions(core::DriverOptions {
            journal_id,
            ..self.0.clone()
        })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.0)
    }
}

/// One call, batch, paging run or settlement, as a state machine with no
/// IO. Loop: `step = driver.next(elapsed_ms, unix_now_secs)` and do what
/// `step.kind` says: `"send"` the `Request` (then `record_response` or
/// `record_transport_failure`), `"wait"` `step.value` milliseconds,
/// append the `"journal"` line (and sync it) before the next step (when
/// that fails, `record_journal_failure` and go on), run the `"claim"`
/// (a `KeyClaim`) against the journal store and `record_claim` its
/// answer (when the store fails, `record_claim_failure`), hand over the
/// `"event"` or the `"page"`, and stop at `"done"` (its value is the
/// result; a failure raises from `next` instead). The clocks are the
/// milliseconds since the run (or the attempt) began and the wall clock in
/// Unix seconds.
#[pyclass(name = "Driver", module = "idn_toto._native")]
pub(crate) struct PyDriver {
    driver: core::Driver,
    journal_id: Option<String>,
    /// What is being settled (settling only): journal id and move.
    moves: Vec<(Option<String>, core::Unsettled)>,
    /// The journal id on the line of the last `"journal"` step.
    last_line_id: Option<String>,
    /// The journal ids whose outcome or `settled` line was not written.
    unwritten: Vec<String>,
}

#[pymethods]
impl PyDriver {
    /// A call of a request built by `Core.build` or `prepare` (a read is
    /// retried as `options.retry` says; a money move is sent once, and
    /// journaled when `options.journal_id` is set). `key`: the money
    /// move's operation key (it needs a journal): it is claimed in the
    /// journal store (a `"claim"` step) before the request leaves, and the
    /// core decides whether to send, replay the recorded answer
    /// (`Processed.replayed`), settle an open move first, or stop
    /// (`KeyInUseError`, `KeyConflictError`, `OutcomeUnknownError`).
    #[staticmethod]
    #[pyo3(signature = (core, request, options, *, key = None))]
    fn call(
        core: &PyCore,
        request: &PyRequest,
        options: &PyDriverOptions,
        key: Option<&str>,
    ) -> PyResult<Self> {
        let driver = core::Driver::call_request(&core.client, request.0.clone(), options.0.clone());
        let driver = match key {
            Some(key) => driver.and_then(|d| d.with_key(core::OperationKey::parse("key", key)?)),
            None => driver,
        };
        PyDriver::made(core, driver, options, Vec::new())
    }

    /// `multiple_transaction` for any number of items (`{"type": ...,
    /// "transaction": [...]}`), in requests of at most 25. An item may
    /// carry a `"key"` (its operation key; one key per item, and a
    /// journal): each keyed item is claimed right before the request that
    /// carries it.
    #[staticmethod]
    fn batch(core: &PyCore, params: Params, options: &PyDriverOptions) -> PyResult<Self> {
        let driver = core::Driver::batch(&core.client, &params.0, options.0.clone());
        PyDriver::made(core, driver, options, Vec::new())
    }

    /// Every page of `full_transaction` or `pga_transaction` from
    /// `params`' page on: a `"page"` step per page.
    #[staticmethod]
    fn pages(
        core: &PyCore,
        endpoint: &str,
        params: Params,
        options: &PyDriverOptions,
    ) -> PyResult<Self> {
        let id = endpoint_id(endpoint)?;
        let driver = core::Driver::pages(&core.client, id, &params.0, options.0.clone());
        PyDriver::made(core, driver, options, Vec::new())
    }

    /// Settles `unsettled` with reads only; `options.journal_id` is the
    /// journal id of the move (a `settled` line follows).
    #[staticmethod]
    fn settle(core: &PyCore, unsettled: &PyUnsettled, options: &PyDriverOptions) -> PyResult<Self> {
        let driver = core::Driver::settle(&core.client, &unsettled.0, options.0.clone());
        let moves = vec![(options.0.journal_id.clone(), unsettled.0.clone())];
        PyDriver::made(core, driver, options, moves)
    }

    /// Settles the journal's open moves (`Journal.read(text).unsettled()`)
    /// in order, each with a `settled` line; `options.settle_delay_ms` is
    /// waited once, before the first read. Ends with a list of
    /// `Settlement`s.
    #[staticmethod]
    fn settle_open(
        core: &PyCore,
        moves: Vec<PyRef<'_, PyOpenMove>>,
        options: &PyDriverOptions,
    ) -> PyResult<Self> {
        let moves: Vec<core::OpenMove> = moves.iter().map(|m| m.0.clone()).collect();
        let driver = core::Driver::settle_open(&core.client, &moves, options.0.clone());
        let unsettled = moves
            .iter()
            .map(|m| (Some(m.id.clone()), m.unsettled()))
            .collect();
        PyDriver::made(core, driver, options, unsettled)
    }

    /// What to do now. Raises the call's error (`IdnTotoError`) when it
    /// ends in one.
    fn next(
        &mut self,
        py: Python<'_>,
        elapsed_ms: u64,
        unix_now_secs: Option<i64>,
    ) -> PyResult<PyStep> {
        let clock = core::Clock::new(elapsed_ms, unix_now_secs);
        let (kind, value) = match self.driver.next(clock) {
            core::Step::Send(request) => ("send", PyRequest(request).into_py_any(py)?),
            core::Step::Wait(ms) => ("wait", ms.into_py_any(py)?),
            core::Step::Journal(line) => {
                self.last_line_id = line_id(&line);
                ("journal", line.into_py_any(py)?)
            }
            core::Step::Claim(claim) => ("claim", PyKeyClaim(claim).into_py_any(py)?),
            core::Step::Event(event) => ("event", PyEvent(event).into_py_any(py)?),
            core::Step::Page(page) => ("page", any_to_py(py, page)?),
            core::Step::Done(Ok(output)) => ("done", self.output(py, output)?),
            core::Step::Done(Err(error)) => return Err(self.error(py, error)),
        };
        Ok(PyStep { kind, value })
    }

    /// The answer to the request of the last `"send"` step: its status,
    /// headers (`(name, value)` pairs), body, the milliseconds it took and
    /// the wall clock.
    fn record_response(
        &mut self,
        status: u16,
        headers: Vec<(String, String)>,
        body: &[u8],
        elapsed_ms: u64,
        unix_now_secs: Option<i64>,
    ) {
        let headers: Vec<(&str, &str)> = headers
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        let clock = core::Clock::new(elapsed_ms, unix_now_secs);
        self.driver.record_response(status, &headers, body, clock);
    }

    /// The request of the last `"send"` step failed in transport (network
    /// error, timeout, cancelled): `reason` in words.
    fn record_transport_failure(
        &mut self,
        reason: &str,
        elapsed_ms: u64,
        unix_now_secs: Option<i64>,
    ) {
        let clock = core::Clock::new(elapsed_ms, unix_now_secs);
        self.driver.record_transport_failure(reason, clock);
    }

    /// The request of the last `"send"` step certainly never left (the
    /// caller cancelled before it was handed to the network): a money move
    /// ends `not sent` (`TransportError`, journal outcome `not_sent`)
    /// instead of unknown; for a read it is a transport failure. When
    /// unsure, `record_transport_failure`.
    fn record_not_sent(&mut self, reason: &str, elapsed_ms: u64, unix_now_secs: Option<i64>) {
        let clock = core::Clock::new(elapsed_ms, unix_now_secs);
        self.driver.record_not_sent(reason, clock);
    }

    /// The line of the last `"journal"` step could not be written or
    /// synced (`reason` in words): call it instead of raising, then ask
    /// `next` as usual. The core decides: an intent stops what it announces
    /// before it is sent (a call raises `InvalidRequestError` at `journal`,
    /// a batch's unsent items end `not_sent`); a lost outcome or `settled`
    /// line leaves the result as it is, adds a `journal_failure` event and
    /// counts in `journal_failures` (the result or error then says
    /// `journal_unwritten`).
    fn record_journal_failure(&mut self, reason: &str) {
        let before = self.driver.journal_failures();
        self.driver.record_journal_failure(reason);
        if self.driver.journal_failures() > before {
            if let Some(id) = self.last_line_id.take() {
                self.unwritten.push(id);
            }
        }
    }

    /// What the journal store made of the last `"claim"` step: its
    /// `ClaimAnswer` (from `KeyClaim.decide` or `decide_in_journal`, after
    /// the store wrote what it says and committed). Call it before asking
    /// `next` again.
    fn record_claim(&mut self, answer: &PyClaimAnswer) {
        self.driver.record_claim(Ok(answer.0.clone()));
    }

    /// The last `"claim"` step could not be run (the store failed, nothing
    /// was written; `reason` in words): nothing the claim announces is
    /// sent. A call raises `InvalidRequestError` at `journal`; a batch's
    /// unsent items end `not_sent`.
    fn record_claim_failure(&mut self, reason: &str) {
        self.driver.record_claim(Err(core::Error::InvalidRequest {
            field: "journal".into(),
            reason: reason.to_owned(),
        }));
    }

    /// How many journal lines (outcomes, `settled`) could not be written in
    /// this run.
    #[getter]
    fn journal_failures(&self) -> u32 {
        self.driver.journal_failures()
    }

    fn __repr__(&self) -> String {
        "<Driver>".to_owned()
    }
}

impl PyDriver {
    fn made(
        core: &PyCore,
        driver: Result<core::Driver, core::Error>,
        options: &PyDriverOptions,
        moves: Vec<(Option<String>, core::Unsettled)>,
    ) -> PyResult<Self> {
        let driver = driver.map_err(|e| core_err(e.redacted(&core.client)))?;
        Ok(PyDriver::new(driver, options, moves))
    }

    fn new(
        driver: core::Driver,
        options: &PyDriverOptions,
        moves: Vec<(Option<String>, core::Unsettled)>,
    ) -> Self {
        PyDriver {
            driver,
            journal_id: options.0.journal_id.clone(),
            moves,
            last_line_id: None,
            unwritten: Vec::new(),
        }
    }

    fn output(&self, py: Python<'_>, output: core::Output) -> PyResult<Py<PyAny>> {
        let lost = self.driver.journal_failures() > 0;
        match output {
            core::Output::Response(
                core::AnyResponse::AcceptReject(r) | core::AnyResponse::ManualTransaction(r),
            ) => PyProcessed::journaled(r, lost).into_py_any(py),
            core::Output::Response(response) => any_to_py(py, response),
            core::Output::Outcomes {
                outcomes,
                journal_ids,
            } => outcomes
                .into_iter()
                .zip(journal_ids.into_iter().chain(std::iter::repeat(None)))
                .map(|(outcome, journal_id)| {
                    let unwritten = self.was_unwritten(journal_id.as_deref());
                    PyItemOutcome::new(outcome, journal_id, unwritten)
                })
                .collect::<Vec<_>>()
                .into_py_any(py),
            core::Output::Settlement(settlement) => {
                self.settlement(None, settlement)?.into_py_any(py)
            }
            core::Output::Settlements(settled) => settled
                .into_iter()
                .map(|(id, settlement)| self.settlement(Some(id), settlement))
                .collect::<PyResult<Vec<_>>>()?
                .into_py_any(py),
            core::Output::Pages { pages_read } => pages_read.into_py_any(py),
        }
    }

    /// A settlement with what was settled: the move journaled as `id`
    /// (settling the journal's open moves), or the one move settled.
    fn settlement(
        &self,
        id: Option<String>,
        settlement: core::Settlement,
    ) -> PyResult<PySettlement> {
        let found = match &id {
            Some(id) => self
                .moves
                .iter()
                .find(|(mid, _)| mid.as_deref() == Some(id)),
            None => self.moves.first(),
        };
        let Some((mid, unsettled)) = found else {
            return Err(PyRuntimeError::new_err(
                "the driver settled a move it was not given",
            ));
        };
        let journal_id = id.or_else(|| mid.clone());
        let unwritten = self.was_unwritten(journal_id.as_deref());
        Ok(PySettlement::new(
            settlement,
            unsettled.clone(),
            journal_id,
            unwritten,
        ))
    }

    /// Whether the outcome or `settled` line of the move journaled as `id`
    /// was lost.
    fn was_unwritten(&self, id: Option<&str>) -> bool {
        id.is_some_and(|id| self.unwritten.iter().any(|u| u == id))
    }

    /// The exception for the call's error; an unknown outcome of a
    /// journaled move carries its journal id, and any error of a run that
    /// lost a journal line says `journal_unwritten`.
    fn error(&self, py: Python<'_>, error: core::Error) -> PyErr {
        let unknown = matches!(error, core::Error::OutcomeUnknown { .. });
        let exception = to_py_err(py, error);
        if let (true, Some(id)) = (unknown, self.journal_id.as_deref()) {
            if let Err(e) = exception.value(py).setattr("journal_id", id) {
                return e;
            }
        }
        if self.driver.journal_failures() > 0 {
            if let Err(e) = exception.value(py).setattr("journal_unwritten", true) {
                return e;
            }
        }
        exception
    }
}

/// The `id` of a journal line (the core's JSON line).
fn line_id(line: &str) -> Option<String> {
    match serde_json::from_str::<serde_json::Value>(line)
        .ok()?
        .get("id")?
    {
        serde_json::Value::String(id) => Some(id.clone()),
        _ => None,
    }
}

/// What a `Driver` asks for next: `kind` is `"send"` (`value`: the
/// `Request`), `"wait"` (milliseconds), `"journal"` (the line, with its
/// newline), `"claim"` (a `KeyClaim`), `"event"` (an `Event`), `"page"` (a
/// typed page) or `"done"` (the result).
#[pyclass(name = "Step", module = "idn_toto._native", frozen)]
pub(crate) struct PyStep {
    kind: &'static str,
    value: Py<PyAny>,
}

#[pymethods]
impl PyStep {
    #[getter]
    fn kind(&self) -> &'static str {
        self.kind
    }

    #[getter]
    fn value(&self, py: Python<'_>) -> Py<PyAny> {
        self.value.clone_ref(py)
    }

    fn __repr__(&self) -> String {
        format!("<Step {}>", self.kind)
    }
}

/// Something that happened during a call: an `attempt` is about to be
/// sent, a `response` came, a `transport_failure`, a `retry` is waited
/// for, the call is `done`, or a `journal_failure` (a line the host could
/// not write). Never holds the token (the URL is
/// redacted); `body` only when the client was made with `log_bodies=True`.
#[pyclass(name = "Event", module = "idn_toto._native", frozen, eq)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PyEvent(core::Event);

#[pymethods]
impl PyEvent {
    /// `"attempt"`, `"response"`, `"transport_failure"`, `"retry"`,
    /// `"done"` or `"journal_failure"` (a journal line that could not be
    /// written; `error_kind` `"journal"`).
    #[getter]
    fn kind(&self) -> &'static str {
        self.0.kind.as_str()
    }

    /// The endpoint id (`"user_balance"`, ...).
    #[getter]
    fn endpoint(&self) -> &'static str {
        self.0.endpoint.as_str()
    }

    /// `"GET"` or `"POST"`.
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method.as_str()
    }

    /// The URL with the token replaced by `***`.
    #[getter]
    fn url(&self) -> &str {
        &self.0.url
    }

    /// 0 for the first send, then one more per retry.
    #[getter]
    fn attempt(&self) -> u32 {
        self.0.attempt
    }

    /// The HTTP status (response; done, when the call ended on one).
    #[getter]
    fn status(&self) -> Option<u16> {
        self.0.status
    }

    /// Response and transport failure: that attempt's milliseconds; done:
    /// the whole call's.
    #[getter]
    fn elapsed_ms(&self) -> Option<u64> {
        self.0.elapsed_ms
    }

    /// Retry: the wait before the next attempt, in milliseconds.
    #[getter]
    fn delay_ms(&self) -> Option<u64> {
        self.0.delay_ms
    }

    /// The error kind when the step failed (`"http"`, `"transport"`, ...).
    #[getter]
    fn error_kind(&self) -> Option<&'static str> {
        self.0.error_kind
    }

    /// Response only, with `log_bodies=True`: the body, token scrubbed, cut
    /// at 4,096 characters.
    #[getter]
    fn body(&self) -> Option<&str> {
        self.0.body.as_deref()
    }

    /// One log line.
    fn message(&self) -> String {
        self.0.message()
    }

    /// The canonical shape (absent fields left out).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<JsonDict<'py>> {
        JsonDict::new(py, &self.0.to_json())
    }

    fn __repr__(&self) -> String {
        format!("<Event {}>", self.0.message())
    }
}
