//! The idn-toto core for JavaScript, through wasm-bindgen.
//!
//! This crate only converts. Parameters arrive as canonical JSON text
//! (checked in JavaScript for inexact numbers first), bytes as bytes; every
//! call, batch, paging run and settlement is one [`WasmDriver`] around the
//! core's `Driver`: each step crosses as its kind ([`StepKind`]) and its
//! payload as an object (a request as a [`WasmRequest`] with getters, an
//! event as an object, an error as the core's error object). A response crosses as canonical JSON text for one
//! `JSON.parse` (the fastest way to build many JavaScript objects). Errors
//! thrown by a method are a [`CoreError`]; the package's JavaScript maps
//! errors to `IdnTotoError` in one place (`js/errors.cjs`).
//!
//! The JavaScript client (`js/index.cjs`) runs the one IO loop: it sends,
//! sleeps, appends journal lines, runs key claims against its journal and
//! hands out events and pages as the driver says. Operation keys (claims,
//! the SQL stores' statements) are in [`keys`]. Deposit matching is a
//! module of its own (`bindings/wasm-matcher`), which the package loads
//! the first time it is used, so this one carries none of its code.

mod keys;

pub use keys::{after_line, decide_key, key_sql, store_line, WasmClaimAnswer, WasmKeyClaim};

use idn_toto::{
    dynamic, Client, Clock, Driver, DriverOptions, EndpointId, Error, Event, Journal,
    JournalAppender, OperationKey, Output, Request, RetryPolicy, Step, Unsettled,
};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

/// Thrown for every core error (the class lives in `idn-toto-wasm-common`,
/// shared with the matcher's module).
pub use idn_toto_wasm_common::CoreError;
pub(crate) use idn_toto_wasm_common::{error_detail, json_arg, throw, to_js};

fn endpoint(id: &str) -> Result<EndpointId, JsValue> {
    id.parse::<EndpointId>().map_err(|e| throw(&e))
}

/// A request to send: the real URL in `url` (it holds the token: send it,
/// never print it), the redacted one in `redactedUrl`.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmRequest(Request);

#[wasm_bindgen]
impl WasmRequest {
    /// The endpoint id (`user_balance`).
    #[wasm_bindgen(getter)]
    pub fn endpoint(&self) -> String {
        self.0.endpoint().as_str().to_owned()
    }

    /// `GET` or `POST`.
    #[wasm_bindgen(getter)]
    pub fn method(&self) -> String {
        self.0.method().as_str().to_owned()
    }

    /// The URL to send (with the token).
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.0.url().to_owned()
    }

    /// The URL with the token shown as `***`.
    #[wasm_bindgen(getter, js_name = redactedUrl)]
    pub fn redacted_url(&self) -> String {
        self.0.redacted_url().to_owned()
    }

    /// The headers, as a plain object (lowercase names).
    #[wasm_bindgen(getter)]
    pub fn headers(&self) -> JsValue {
        let headers: serde_json::Map<String, Value> = self
            .0
            .headers()
            .iter()
            .map(|(k, v)| ((*k).to_owned(), Value::from(*v)))
            .collect();
        to_js(&headers)
    }

    /// The JSON body of a POST, or `undefined`.
    #[wasm_bindgen(getter)]
    pub fn body(&self) -> Option<String> {
        self.0
            .body()
            .map(|b| String::from_utf8_lossy(b).into_owned())
    }

    /// Whether sending it twice is harmless (reads).
    #[wasm_bindgen(getter)]
    pub fn idempotent(&self) -> bool {
        self.0.is_idempotent()
    }
}

/// The client settings the core reads besides `Client::from_json`'s.
#[derive(Debug, Default, Deserialize)]
struct Settings {
    retries: Option<u32>,
    retry_base_delay_ms: Option<u64>,
    retry_max_delay_ms: Option<u64>,
    snapshots: Option<bool>,
    log_bodies: Option<bool>,
    max_pages: Option<u64>,
    settle_delay_ms: Option<u64>,
    lease_ms: Option<u64>,
}

/// A configured client: `idn_toto::Client` plus how its drivers run.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmClient {
    client: Client,
    options: DriverOptions,
}

#[wasm_bindgen]
impl WasmClient {
    /// `config_json`: the core's client configuration (`Client::from_json`:
    /// `base_url`, `token`, `path_words`?, `allow_insecure_http`?,
    /// `max_body_size`?) plus the driver's settings: `retries`?,
    /// `retry_base_delay_ms`?, `retry_max_delay_ms`?, `snapshots`?,
    /// `log_bodies`?, `max_pages`?, `settle_delay_ms`?, `lease_ms`? (absent: the core's
    /// `DriverOptions::default()`; the JavaScript client passes its own
    /// defaults).
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<WasmClient, JsValue> {
        let mut config = json_arg("config", config_json)?;
        let mut settings = Settings::default();
        if let Value::Object(map) = &mut config {
            let keys = [
                "retries",
                "retry_base_delay_ms",
                "retry_max_delay_ms",
                "snapshots",
                "log_bodies",
                "max_pages",
                "settle_delay_ms",
                "lease_ms",
            ];
            let taken: serde_json::Map<String, Value> = keys
                .iter()
                .filter_map(|k| map.remove(*k).map(|v| ((*k).to_owned(), v)))
                .filter(|(_, v)| !v.is_null())
                .collect();
            settings = serde_json::from_value(Value::Object(taken)).map_err(|e| {
                throw(&Error::InvalidRequest {
                    field: "config".into(),
                    reason: e.to_string(),
                })
            })?;
        }
        let client = Client::from_json(&config).map_err(|e| throw(&e))?;
        let mut retry = RetryPolicy::default();
        retry.retries = settings.retries.unwrap_or(retry.retries);
        retry.base_delay_ms = settings.retry_base_delay_ms.unwrap_or(retry.base_delay_ms);
        retry.max_delay_ms = settings.retry_max_delay_ms.unwrap_or(retry.max_delay_ms);
        let defaults = DriverOptions::default();
        let options = DriverOptions {
            retry,
            journal_id: None,
            snapshots: settings.snapshots.unwrap_or(defaults.snapshots),
            bodies: settings.log_bodies.unwrap_or(defaults.bodies),
            max_pages: settings.max_pages.unwrap_or(defaults.max_pages),
            settle_delay_ms: settings.settle_delay_ms.unwrap_or(defaults.settle_delay_ms),
            lease_ms: settings.lease_ms.unwrap_or(defaults.lease_ms),
        };
        Ok(WasmClient { client, options })
    }

    /// The server's fingerprint: 16 hex digits of SHA-256 over the base
    /// URL and the token (never the token). Every journal line and
    /// unsettled move carries it; settling with a client of another server
    /// is refused.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.client.fingerprint().to_owned()
    }

    /// The largest body the core reads (the fetch transport stops reading
    /// one byte after it).
    #[wasm_bindgen(getter, js_name = maxBodySize)]
    pub fn max_body_size(&self) -> f64 {
        // At most 2^53 in practice (a JS number holds it exactly).
        self.client.max_body_size() as f64
    }

    /// The request for `endpoint_id` and canonical JSON parameters.
    pub fn build(&self, endpoint_id: &str, params_json: &str) -> Result<WasmRequest, JsValue> {
        dynamic::build(
            &self.client,
            endpoint(endpoint_id)?,
            &json_arg("params", params_json)?,
        )
        .map(WasmRequest)
        .map_err(|e| throw(&e))
    }

    /// Parses an answer into canonical JSON text; errors scrubbed of the
    /// token.
    pub fn parse(&self, endpoint_id: &str, status: u16, body: &[u8]) -> Result<String, JsValue> {
        dynamic::parse_to_string_with(&self.client, endpoint(endpoint_id)?, status, body)
            .map_err(|e| throw(&e))
    }

    /// `text` with the token (raw, percent-encoded, escaped) replaced by
    /// `***`.
    pub fn redact(&self, text: &str) -> String {
        self.client.redact(text)
    }

    fn options(&self, journal_id: Option<String>) -> DriverOptions {
        DriverOptions {
            journal_id,
            ..self.options.clone()
        }
    }

    /// One call (`Driver::call`); a money move is journaled as `journal_id`
    /// when given, and sent under the operation key `key` when given
    /// (`Driver::with_key`: claimed in the journal first; a key needs a
    /// journal and a money move, else `invalid_request` at `key`).
    pub fn call(
        &self,
        endpoint_id: &str,
        params_json: &str,
        journal_id: Option<String>,
        key: Option<String>,
    ) -> Result<WasmDriver, JsValue> {
        let params = json_arg("params", params_json)?;
        let id = endpoint(endpoint_id)?;
        let key = key
            .map(|k| OperationKey::parse("key", &k))
            .transpose()
            .map_err(|e| throw(&e))?;
        let made = Driver::call(&self.client, id, &params, self.options(journal_id));
        driver(match key {
            Some(key) => made.and_then(|d| d.with_key(key)),
            None => made,
        })
    }

    /// Any number of `multiple_transaction` items, `{"type": ...,
    /// "transaction": [...]}` (`Driver::batch`); item `k` journaled as
    /// `{journal_id}-{k}`, and sent under its operation key when it has a
    /// `"key"`.
    pub fn batch(
        &self,
        params_json: &str,
        journal_id: Option<String>,
    ) -> Result<WasmDriver, JsValue> {
        let params = json_arg("params", params_json)?;
        driver(Driver::batch(
            &self.client,
            &params,
            self.options(journal_id),
        ))
    }

    /// Every page of a paged report (`Driver::pages`).
    pub fn pages(&self, endpoint_id: &str, params_json: &str) -> Result<WasmDriver, JsValue> {
        let params = json_arg("params", params_json)?;
        let id = endpoint(endpoint_id)?;
        driver(Driver::pages(&self.client, id, &params, self.options(None)))
    }

    /// Settles one unknown outcome: `unsettled_json` is the core's
    /// `Unsettled` (what an `outcome_unknown` error or an `unknown` batch
    /// item carries); with `journal_id`, its `settled` line is journaled.
    pub fn settle(
        &self,
        unsettled_json: &str,
        journal_id: Option<String>,
    ) -> Result<WasmDriver, JsValue> {
        let unsettled = Unsettled::from_json_text(unsettled_json).map_err(|e| throw(&e))?;
        driver(Driver::settle(
            &self.client,
            &unsettled,
            self.options(journal_id),
        ))
    }

    /// Settles the open moves of journal text, in order, journaling each
    /// settlement (`Driver::settle_open`).
    #[wasm_bindgen(js_name = settleOpen)]
    pub fn settle_open(&self, journal_text: &str) -> Result<WasmDriver, JsValue> {
        let open = Journal::read(journal_text)
            .map_err(|e| throw(&e))?
            .unsettled();
        driver(Driver::settle_open(&self.client, &open, self.options(None)))
    }
}

/// A driver for JavaScript, or the core's error thrown.
fn driver(made: Result<Driver, Error>) -> Result<WasmDriver, JsValue> {
    made.map(WasmDriver::new).map_err(|e| throw(&e))
}

/// An event as JavaScript sees it (camelCase; fields that don't apply are
/// left out).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct EventObject<'a> {
    kind: &'static str,
    endpoint: &'static str,
    method: &'static str,
    url: &'a str,
    attempt: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    elapsed_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error_kind: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
}

impl<'a> From<&'a Event> for EventObject<'a> {
    fn from(e: &'a Event) -> EventObject<'a> {
        EventObject {
            kind: e.kind.as_str(),
            endpoint: e.endpoint.as_str(),
            method: e.method.as_str(),
            url: &e.url,
            attempt: e.attempt,
            status: e.status,
            elapsed_ms: e.elapsed_ms,
            delay_ms: e.delay_ms,
            error_kind: e.error_kind,
            body: e.body.as_deref(),
        }
    }
}

/// The host's clock: how long the attempt took and the wall clock.
fn clock(elapsed_ms: f64, unix_now_secs: f64) -> Clock {
    // Whole, non-negative milliseconds and seconds from JavaScript; the
    // saturating casts keep anything else harmless.
    Clock::new(elapsed_ms as u64, Some(unix_now_secs as i64))
}

/// One operation in progress (a call, a batch, paging, settling): the
/// core's `Driver`. The host asks [`WasmDriver::next`] what to do, and
/// hands each answer to [`WasmDriver::record_response`] or
/// [`WasmDriver::record_transport_failure`].
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmDriver {
    driver: Driver,
    /// Whether `Event` steps are handed out (off: skipped here, so a host
    /// nobody listens to pays nothing for them).
    events: bool,
    /// The step [`WasmDriver::next`] gave last: its payload is read
    /// through the getters.
    step: Option<Step>,
}

impl WasmDriver {
    fn new(driver: Driver) -> WasmDriver {
        WasmDriver {
            driver,
            events: true,
            step: None,
        }
    }
}

/// What the host does next (the core's `Step`); the payload is read from
/// the [`WasmDriver`] (a number crosses, not an object: this is the hot
/// path of every call).
#[wasm_bindgen]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    /// Send [`WasmDriver::request`].
    Send = 0,
    /// Sleep [`WasmDriver::ms`].
    Wait = 1,
    /// Append [`WasmDriver::line`] and sync it.
    Journal = 2,
    /// Report [`WasmDriver::event`].
    Event = 3,
    /// Hand out the page [`WasmDriver::text`].
    Page = 4,
    /// Finished: [`WasmDriver::error`], else [`WasmDriver::text`] (a
    /// response) or [`WasmDriver::value`].
    Done = 5,
    /// Run [`WasmDriver::claim`] against the journal, then
    /// [`WasmDriver::record_claim`] (or
    /// [`WasmDriver::record_claim_failure`]).
    Claim = 6,
}

#[wasm_bindgen]
impl WasmDriver {
    /// What to do now; the step's payload is read through the getters
    /// below. `unix_now_secs` dates journal lines.
    #[allow(clippy::should_implement_trait)] // one step at a time, not an Iterator
    pub fn next(&mut self, unix_now_secs: f64) -> StepKind {
        let mut step = self.driver.next(clock(0.0, unix_now_secs));
        while matches!(step, Step::Event(_)) && !self.events {
            step = self.driver.next(clock(0.0, unix_now_secs));
        }
        let kind = match &step {
            Step::Send(_) => StepKind::Send,
            Step::Wait(_) => StepKind::Wait,
            Step::Journal(_) => StepKind::Journal,
            Step::Claim(_) => StepKind::Claim,
            Step::Event(_) => StepKind::Event,
            Step::Page(_) => StepKind::Page,
            Step::Done(_) => StepKind::Done,
        };
        self.step = Some(step);
        kind
    }

    /// A `Send` step's request.
    pub fn request(&mut self) -> Option<WasmRequest> {
        match self.step.take() {
            Some(Step::Send(request)) => Some(WasmRequest(request)),
            other => {
                self.step = other;
                None
            }
        }
    }

    /// A `Claim` step's claim (taken: asked twice, `undefined`).
    pub fn claim(&mut self) -> Option<WasmKeyClaim> {
        match self.step.take() {
            Some(Step::Claim(claim)) => Some(WasmKeyClaim(claim)),
            other => {
                self.step = other;
                None
            }
        }
    }

    /// What the journal's claim came to (`Driver::record_claim`); the
    /// answer is taken. Ask [`WasmDriver::next`] after it.
    #[wasm_bindgen(js_name = recordClaim)]
    pub fn record_claim(&mut self, answer: WasmClaimAnswer) {
        self.driver.record_claim(Ok(answer.answer));
    }

    /// The journal's claim failed (the store could not be read or
    /// written): nothing the claim announces is sent. The core records it
    /// as `invalid_request` at `field` (`journal` for the store's own
    /// failures) with `reason`.
    #[wasm_bindgen(js_name = recordClaimFailure)]
    pub fn record_claim_failure(&mut self, field: &str, reason: &str) {
        self.driver.record_claim(Err(Error::InvalidRequest {
            field: field.to_owned(),
            reason: reason.to_owned(),
        }));
    }

    /// A `Wait` step's milliseconds.
    #[wasm_bindgen(getter)]
    pub fn ms(&self) -> f64 {
        match self.step {
            // Small whole milliseconds; f64 holds them exactly.
            Some(Step::Wait(ms)) => ms as f64,
            _ => 0.0,
        }
    }

    /// A `Journal` step's line (it ends in a newline).
    #[wasm_bindgen(getter)]
    pub fn line(&self) -> Option<String> {
        match &self.step {
            Some(Step::Journal(line)) => Some(line.clone()),
            _ => None,
        }
    }

    /// An `Event` step's event, as an object.
    pub fn event(&self) -> JsValue {
        match &self.step {
            Some(Step::Event(event)) => to_js(&EventObject::from(event)),
            _ => JsValue::UNDEFINED,
        }
    }

    /// A `Page` step's page, or a `Done` call's response: canonical JSON.
    #[wasm_bindgen(getter)]
    pub fn text(&self) -> Option<String> {
        match &self.step {
            Some(Step::Page(page)) => Some(page.to_json_string()),
            Some(Step::Done(Ok(Output::Response(response)))) => Some(response.to_json_string()),
            _ => None,
        }
    }

    /// A `Done` step's other output (batch outcomes, a settlement, the
    /// settlements of a journal, paging's `{pages_read}`), as an object.
    pub fn value(&self) -> JsValue {
        match &self.step {
            Some(Step::Done(Ok(output))) => to_js(&output.to_json()),
            _ => JsValue::UNDEFINED,
        }
    }

    /// A `Done` step's error: the core's error object.
    pub fn error(&self) -> JsValue {
        match &self.step {
            Some(Step::Done(Err(error))) => to_js(&error_detail(error)),
            _ => JsValue::UNDEFINED,
        }
    }

    /// The answer to the last `send`: status, headers as `[name, value,
    /// name, value, ...]`, body, how long the attempt took and the wall
    /// clock (for a `Retry-After` date and journal lines).
    #[wasm_bindgen(js_name = recordResponse)]
    pub fn record_response(
        &mut self,
        status: u16,
        header_pairs: Vec<String>,
        body: &[u8],
        elapsed_ms: f64,
        unix_now_secs: f64,
    ) {
        let headers: Vec<(&str, &str)> = header_pairs
            .chunks_exact(2)
            .map(|pair| (pair[0].as_str(), pair[1].as_str()))
            .collect();
        self.driver
            .record_response(status, &headers, body, clock(elapsed_ms, unix_now_secs));
    }

    /// The last `send` failed in transport (network error, timeout,
    /// aborted): a money move's outcome is then unknown.
    #[wasm_bindgen(js_name = recordTransportFailure)]
    pub fn record_transport_failure(&mut self, reason: &str, elapsed_ms: f64, unix_now_secs: f64) {
        self.driver
            .record_transport_failure(reason, clock(elapsed_ms, unix_now_secs));
    }

    /// The last `send` never left (the call was aborted before it was
    /// sent): a money move is then definitely not sent, not unknown.
    #[wasm_bindgen(js_name = recordNotSent)]
    pub fn record_not_sent(&mut self, reason: &str, elapsed_ms: f64, unix_now_secs: f64) {
        self.driver
            .record_not_sent(reason, clock(elapsed_ms, unix_now_secs));
    }

    /// The line of the last `Journal` step could not be written (or
    /// synced): call it instead of throwing the write error, then ask
    /// [`WasmDriver::next`] as usual. The core decides: a failed intent
    /// stops what it announces before anything is sent; a lost outcome or
    /// `settled` line leaves the move's own result standing and counts in
    /// [`WasmDriver::journal_failures`] (`Driver::record_journal_failure`).
    #[wasm_bindgen(js_name = recordJournalFailure)]
    pub fn record_journal_failure(&mut self, reason: &str) {
        self.driver.record_journal_failure(reason);
    }

    /// How many journal lines (outcomes, `settled`) could not be written
    /// (`Driver::journal_failures`): the host flags the result and warns.
    #[wasm_bindgen(js_name = journalFailures)]
    pub fn journal_failures(&self) -> u32 {
        self.driver.journal_failures()
    }

    /// Turns `event` steps on (the default) or off.
    #[wasm_bindgen(setter)]
    pub fn set_events(&mut self, on: bool) {
        self.events = on;
    }
}

/// What a host must do to a journal file (the core's `JournalAppender`;
/// `js/journal.cjs` only does IO): while `mustCheck`, read the whole file
/// from its first byte into `feed` and call `end` (`undefined`: append; a
/// number: truncate the file to that many bytes first; a thrown decode
/// error naming the line: the file can't be read back, refuse); `checkLine`
/// each line before writing it; then `appended()`, or `appendFailed()`
/// after any failure (the next append checks again and cuts what a failed
/// write left).
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct WasmJournalAppender(JournalAppender);

#[wasm_bindgen]
impl WasmJournalAppender {
    /// An appender for a file not checked yet.
    #[wasm_bindgen(constructor)]
    pub fn new() -> WasmJournalAppender {
        WasmJournalAppender::default()
    }

    /// Whether the file must be read and checked before the next append.
    #[wasm_bindgen(getter, js_name = mustCheck)]
    pub fn must_check(&self) -> bool {
        self.0.must_check()
    }

    /// The next bytes of the file (the first call starts at its first byte).
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        self.0.feed(bytes).map_err(|e| throw(&e))
    }

    /// The file ended: `undefined`, or the offset to truncate it to (a
    /// number: a journal is far below 2^53 bytes).
    pub fn end(&mut self) -> Result<Option<f64>, JsValue> {
        self.0
            .end()
            .map(|cut| cut.map(|offset| offset as f64))
            .map_err(|e| throw(&e))
    }

    /// Throws (`invalid_request` at `journal`) unless `line` is one journal
    /// record and its newline.
    #[wasm_bindgen(js_name = checkLine)]
    pub fn check_line(&self, line: &str) -> Result<(), JsValue> {
        self.0.check_line(line).map_err(|e| throw(&e))
    }

    /// The line was written and synced.
    pub fn appended(&mut self) {
        self.0.appended();
    }

    /// Opening, reading, truncating, writing or syncing failed.
    #[wasm_bindgen(js_name = appendFailed)]
    pub fn append_failed(&mut self) {
        self.0.append_failed();
    }
}

/// The defaults every host starts from (the core's `Settings::DEFAULT`):
/// `{timeout_ms, settle_delay_ms, snapshots, max_pages, lease_ms}`. The
/// JavaScript client takes its defaults from here.
#[wasm_bindgen]
pub fn defaults() -> JsValue {
    let s = idn_toto::Settings::DEFAULT;
    to_js(&json!({
        "timeout_ms": s.timeout_ms,
        "settle_delay_ms": s.settle_delay_ms,
        "snapshots": s.snapshots,
        "max_pages": s.max_pages,
        "lease_ms": s.lease_ms,
    }))
}

/// Reads journal text (`Journal::read`): `{records: [...], torn_tail:
/// bool, unsettled: [{id, last, endpoint, params, snapshot?}], keys:
/// [...]}` (`keys`: the operation keys' records the lines leave,
/// `Journal::key_records`); an unreadable line (other than a torn last
/// one) throws the decode error naming it.
#[wasm_bindgen(js_name = journalRead)]
pub fn journal_read(text: &str) -> Result<JsValue, JsValue> {
    let journal = Journal::read(text).map_err(|e| throw(&e))?;
    let records: Vec<Value> = journal
        .records
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect();
    let open: Vec<Value> = journal
        .unsettled()
        .into_iter()
        .map(|o| {
            let mut v = json!({
                "id": o.id,
                "last": o.last,
                "endpoint": o.intent.endpoint.as_str(),
                "params": o.intent.params,
            });
            if let (Some(s), Value::Object(m)) = (o.intent.snapshot, &mut v) {
                m.insert(
                    "snapshot".into(),
                    serde_json::to_value(s).unwrap_or(Value::Null),
                );
            }
            v
        })
        .collect();
    let keys = keys::key_records(&journal);
    Ok(to_js(
        &json!({"records": records, "torn_tail": journal.torn_tail, "unsettled": open, "keys": keys}),
    ))
}

/// Journal text as the core writes it back (`Journal::read`, each record
/// by `JournalRecord::to_line`; a torn last line left out): a file
/// journal's `export()`, the JSON Lines every store exports.
#[wasm_bindgen(js_name = journalExport)]
pub fn journal_export(text: &str) -> Result<String, JsValue> {
    let journal = Journal::read(text).map_err(|e| throw(&e))?;
    Ok(journal
        .records
        .iter()
        .map(idn_toto::JournalRecord::to_line)
        .collect())
}

/// Parses an answer without a client (errors are not scrubbed: no token is
/// known here).
#[wasm_bindgen]
pub fn parse(endpoint_id: &str, status: u16, body: &[u8]) -> Result<String, JsValue> {
    dynamic::parse_to_string(endpoint(endpoint_id)?, status, body).map_err(|e| throw(&e))
}

/// The parameters of the page after `response_json`, or `null` after the
/// last page (the sans-IO helper; the client's iterators page through
/// [`WasmClient::pages`]).
#[wasm_bindgen(js_name = nextPage)]
pub fn next_page(
    endpoint_id: &str,
    params_json: &str,
    response_json: &str,
) -> Result<JsValue, JsValue> {
    let next = dynamic::next_page(
        endpoint(endpoint_id)?,
        &json_arg("params", params_json)?,
        &json_arg("response", response_json)?,
    )
    .map_err(|e| throw(&e))?;
    Ok(to_js(&next.unwrap_or(Value::Null)))
}

/// The endpoint table.
#[wasm_bindgen]
pub fn endpoints() -> JsValue {
    to_js(&dynamic::endpoints_json())
}
