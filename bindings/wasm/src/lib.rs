//! The idn-toto core for JavaScript, through wasm-bindgen.
//!
//! This crate only converts: JSON text and bytes in, one call to the core,
//! canonical JSON text out. Errors cross as the core's canonical error JSON
//! text (`{"error": {...}}`), thrown as a string; the package's JavaScript
//! maps them to `IdnTotoError` in one place (`js/errors.cjs`).
//!
//! The JavaScript client (`js/client.cjs`) sends the requests; everything it
//! decides (validation, URLs, parsing, retry delays, outcome-unknown, batch
//! splitting and outcomes, paging) is asked of the core through here.

use idn_toto::{
    dynamic, Batch, Client, EndpointId, Error, ItemStatus, Journal, JournalRecord, Request,
    RetryPolicy, Settle, SettleState, SettleStep, Snapshot, Unsettled,
};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

/// A core error as thrown to JavaScript: its canonical JSON text.
fn throw(e: &Error) -> JsValue {
    JsValue::from_str(&e.to_json().to_string())
}

fn endpoint(id: &str) -> Result<EndpointId, JsValue> {
    id.parse::<EndpointId>().map_err(|e| throw(&e))
}

/// A `Snapshot` read from its JSON text (its amounts from their literal
/// digits, as `Unsettled::from_json_text` reads them).
fn snapshot_arg(text: &str) -> Result<Snapshot, JsValue> {
    serde_json::from_str(text).map_err(|e| {
        throw(&Error::InvalidRequest {
            field: "snapshot".into(),
            reason: e.to_string(),
        })
    })
}

fn json_arg(field: &str, text: &str) -> Result<Value, JsValue> {
    serde_json::from_str(text).map_err(|e| {
        throw(&Error::InvalidRequest {
            field: field.to_owned(),
            reason: format!("not valid JSON: {e}"),
        })
    })
}

/// The request descriptor: the core's `Request::to_json(true)` plus
/// `redacted_url`.
fn request_value(request: &Request) -> Value {
    let mut v = request.to_json(true);
    if let Value::Object(m) = &mut v {
        m.insert("redacted_url".into(), request.redacted_url().into());
    }
    v
}

/// [`request_value`] as JSON text.
fn request_json(request: &Request) -> String {
    request_value(request).to_string()
}

/// A configured client: `idn_toto::Client` plus the retry policy.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmClient {
    client: Client,
    retry: RetryPolicy,
}

#[wasm_bindgen]
impl WasmClient {
    /// `config_json`: the core's client configuration (`Client::from_json`:
    /// `base_url`, `token`, `path_words`?, `allow_insecure_http`?,
    /// `max_body_size`?) plus `retries`?, `retry_base_delay_ms`?,
    /// `retry_max_delay_ms`?.
    #[wasm_bindgen(constructor)]
    pub fn new(config_json: &str) -> Result<WasmClient, JsValue> {
        let mut config = json_arg("config", config_json)?;
        let mut retry = RetryPolicy::default();
        if let Value::Object(map) = &mut config {
            let mut number = |k: &str| map.remove(k).and_then(|v| v.as_u64());
            if let Some(n) = number("retries") {
                retry.retries = u32::try_from(n).unwrap_or(u32::MAX);
            }
            if let Some(n) = number("retry_base_delay_ms") {
                retry.base_delay_ms = n;
            }
            if let Some(n) = number("retry_max_delay_ms") {
                retry.max_delay_ms = n;
            }
        }
        let client = Client::from_json(&config).map_err(|e| throw(&e))?;
        Ok(WasmClient { client, retry })
    }

    /// The largest body `parse` reads (the fetch transport stops reading
    /// one byte after it).
    #[wasm_bindgen(getter, js_name = maxBodySize)]
    pub fn max_body_size(&self) -> f64 {
        // At most 2^53 in practice (a JS number holds it exactly).
        self.client.max_body_size() as f64
    }

    /// The request for `endpoint_id` and canonical JSON parameters, as JSON
    /// text (the real URL in `url`, the redacted one in `redacted_url`).
    pub fn build(&self, endpoint_id: &str, params_json: &str) -> Result<String, JsValue> {
        let request = dynamic::build(
            &self.client,
            endpoint(endpoint_id)?,
            &json_arg("params", params_json)?,
        )
        .map_err(|e| throw(&e))?;
        Ok(request_json(&request))
    }

    /// Parses an answer into canonical JSON text; errors scrubbed of the
    /// token.
    pub fn parse(&self, endpoint_id: &str, status: u16, body: &[u8]) -> Result<String, JsValue> {
        dynamic::parse_to_string_with(&self.client, endpoint(endpoint_id)?, status, body)
            .map_err(|e| throw(&e))
    }

    /// Starts one call: the request is built once, then the call records
    /// each attempt's failure and answers whether (and when) to retry.
    pub fn call(&self, endpoint_id: &str, params_json: &str) -> Result<WasmCall, JsValue> {
        let id = endpoint(endpoint_id)?;
        let request = dynamic::build(&self.client, id, &json_arg("params", params_json)?)
            .map_err(|e| throw(&e))?;
        Ok(WasmCall {
            client: self.client.clone(),
            retry: self.retry,
            endpoint: id,
            request,
            attempt: 0,
            error: None,
            snapshot: None,
        })
    }

    /// A batch of any number of `multiple_transaction` items:
    /// `{"type": ..., "transaction": [...]}`. With `snapshots`, a manual
    /// batch reads each user's history first (`Batch::with_snapshots`).
    pub fn batch(&self, params_json: &str, snapshots: bool) -> Result<WasmBatch, JsValue> {
        let mut batch = dynamic::batch(&json_arg("params", params_json)?).map_err(|e| throw(&e))?;
        if snapshots {
            batch = batch.with_snapshots();
        }
        Ok(WasmBatch {
            client: self.client.clone(),
            batch: Some(batch),
            sent: Vec::new(),
        })
    }

    /// Settles an unknown outcome: `unsettled_json` is the core's
    /// `Unsettled` (what an `outcome_unknown` error or an `unknown` batch
    /// item carries); reads are retried as the client's policy says.
    pub fn settle(
        &self,
        unsettled_json: &str,
        settle_delay_ms: f64,
    ) -> Result<WasmSettle, JsValue> {
        let unsettled = Unsettled::from_json_text(unsettled_json).map_err(|e| throw(&e))?;
        // A whole, non-negative number of milliseconds (checked in
        // JavaScript); the saturating cast keeps anything else harmless.
        let settle = Settle::from_unsettled(&unsettled, settle_delay_ms as u64, self.retry)
            .map_err(|e| throw(&e))?;
        Ok(WasmSettle {
            client: self.client.clone(),
            settle,
        })
    }

    /// `text` with the token (raw or percent-encoded) replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        self.client.redact(text)
    }
}

/// One call in progress (see [`WasmClient::call`]).
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmCall {
    client: Client,
    retry: RetryPolicy,
    endpoint: EndpointId,
    request: Request,
    attempt: u32,
    error: Option<Error>,
    snapshot: Option<Snapshot>,
}

#[wasm_bindgen]
impl WasmCall {
    /// The request descriptor as JSON text.
    pub fn request(&self) -> String {
        request_json(&self.request)
    }

    /// The user's history read before a manual move is sent (the core's
    /// `Snapshot` JSON, `{"entries": [...]}`): an unknown outcome carries it.
    #[wasm_bindgen(js_name = withSnapshot)]
    pub fn with_snapshot(&mut self, snapshot_json: &str) -> Result<(), JsValue> {
        self.snapshot = Some(snapshot_arg(snapshot_json)?);
        Ok(())
    }

    /// The canonical parameters of a money move (`Request::money_params`)
    /// as JSON text, or `"null"` for a read.
    #[wasm_bindgen(js_name = moneyParams)]
    pub fn money_params(&self) -> String {
        self.request
            .money_params()
            .map_or_else(|| "null".into(), Value::to_string)
    }

    /// The journal's `intent` line for this call (with its newline), or
    /// throws for a call that moves no money.
    #[wasm_bindgen(js_name = journalIntent)]
    pub fn journal_intent(&self, id: &str, at: &str) -> Result<String, JsValue> {
        let params = self.request.money_params().cloned().unwrap_or(Value::Null);
        JournalRecord::intent(id, self.endpoint, params, self.snapshot.clone(), at)
            .map(|r| r.to_line())
            .map_err(|e| throw(&e))
    }

    /// Parses the answer: canonical JSON text, or throws the error JSON
    /// (and remembers the error for [`WasmCall::retry_delay`]); an unknown
    /// outcome carries what settling it needs (`unsettled`).
    pub fn response(&mut self, status: u16, body: &[u8]) -> Result<String, JsValue> {
        let parsed = dynamic::parse_to_string_with(&self.client, self.endpoint, status, body);
        parsed.map_err(|e| {
            let e = e.settleable(&self.request, self.snapshot.clone());
            let thrown = throw(&e);
            self.error = Some(e);
            thrown
        })
    }

    /// The transport failed (network error, timeout): the error JSON text
    /// (`outcome_unknown` for money-moving requests), remembered for
    /// [`WasmCall::retry_delay`].
    #[wasm_bindgen(js_name = transportFailure)]
    pub fn transport_failure(&mut self, reason: &str) -> String {
        // The core's `transport_failure` attaches what settling needs
        // without the snapshot, and `settleable` keeps an attachment as it
        // is: detached first so the snapshot rides along (a core fix is
        // reported; `Call::record_transport_failure` has the same gap).
        let e = match self.client.transport_failure(&self.request, reason) {
            Error::OutcomeUnknown { cause, .. } => Error::OutcomeUnknown {
                cause,
                unsettled: None,
            },
            other => other,
        }
        .settleable(&self.request, self.snapshot.clone());
        let text = e.to_json().to_string();
        self.error = Some(e);
        text
    }

    /// After a failed attempt: the delay in milliseconds before the next
    /// one, or -1 to give up (the core's `RetryPolicy::decide`).
    #[wasm_bindgen(js_name = retryDelay)]
    pub fn retry_delay(&mut self) -> f64 {
        let Some(error) = &self.error else {
            return -1.0;
        };
        let delay = self.retry.decide(&self.request, self.attempt, error);
        self.attempt = self.attempt.saturating_add(1);
        // Delays are small whole milliseconds; f64 holds them exactly.
        delay.map_or(-1.0, |ms| ms as f64)
    }
}

/// The batch state machine (see `idn_toto::Batch`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmBatch {
    client: Client,
    batch: Option<Batch>,
    /// The input indices of the last request's items.
    sent: Vec<usize>,
}

#[wasm_bindgen]
impl WasmBatch {
    /// The next request as JSON text, or `undefined` when done.
    #[wasm_bindgen(js_name = nextRequest)]
    pub fn next_request(&mut self) -> Option<String> {
        let batch = self.batch.as_mut()?;
        let request = batch.next_request(&self.client);
        self.sent = batch.sending().into_iter().map(|(i, _)| i).collect();
        request.map(|r| request_json(&r))
    }

    /// The items of the request just given (none for a history read), as
    /// JSON text: `[{"index", "unsettled"}]`, from `Batch::sending`.
    pub fn sending(&self) -> String {
        let items = self.batch.as_ref().map(Batch::sending).unwrap_or_default();
        Value::Array(
            items
                .into_iter()
                .map(|(index, u)| json!({"index": index, "unsettled": u.to_json()}))
                .collect(),
        )
        .to_string()
    }

    /// After its answer is recorded: the outcomes of the last request's
    /// items, as JSON text (for the journal's `outcome` lines).
    pub fn sent(&self) -> String {
        let Some(batch) = self.batch.as_ref() else {
            return "[]".into();
        };
        let outcomes = batch.clone().finish();
        Value::Array(
            self.sent
                .iter()
                .filter_map(|&i| outcomes.get(i).map(|o| o.to_json()))
                .collect(),
        )
        .to_string()
    }

    /// Records the answer to the last request.
    #[wasm_bindgen(js_name = recordResponse)]
    pub fn record_response(&mut self, status: u16, body: &[u8]) {
        if let Some(batch) = self.batch.as_mut() {
            batch.record_response(&self.client, status, body);
        }
    }

    /// Records that the last request failed in transport.
    #[wasm_bindgen(js_name = recordTransportFailure)]
    pub fn record_transport_failure(&mut self, reason: &str) {
        if let Some(batch) = self.batch.as_mut() {
            batch.record_transport_failure(&self.client, reason);
        }
    }

    /// One outcome per input item, in input order, as JSON text.
    pub fn finish(&mut self) -> String {
        let outcomes = self.batch.take().map(Batch::finish).unwrap_or_default();
        Value::Array(outcomes.iter().map(|o| o.to_json()).collect()).to_string()
    }
}

/// A settlement in progress (see `idn_toto::Settle`).
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmSettle {
    client: Client,
    settle: Settle,
}

#[wasm_bindgen]
impl WasmSettle {
    /// The next step as JSON text: `{"wait": ms}`, `{"send": request}` (a
    /// read) or `{"done": settlement}`.
    #[wasm_bindgen(js_name = nextStep)]
    pub fn next_step(&mut self) -> String {
        match self.settle.next(&self.client) {
            SettleStep::Wait(ms) => json!({ "wait": ms }),
            SettleStep::Send(r) => json!({ "send": request_value(&r) }),
            SettleStep::Done(s) => json!({ "done": s.to_json() }),
        }
        .to_string()
    }

    /// Records the answer to the read just sent.
    #[wasm_bindgen(js_name = recordResponse)]
    pub fn record_response(&mut self, status: u16, body: &[u8]) {
        self.settle.record_response(&self.client, status, body);
    }

    /// Records that the read just sent failed in transport.
    #[wasm_bindgen(js_name = recordTransportFailure)]
    pub fn record_transport_failure(&mut self, reason: &str) {
        self.settle.record_transport_failure(&self.client, reason);
    }
}

/// One journal line (with its newline) for item `id`: its `intent`, or a
/// line that follows it: `outcome` (`succeeded`, `failed`, `not_sent`,
/// `unknown`) or `settled` (`applied`, `not_applied`, `undetermined`). The
/// item is the money move of `endpoint` with canonical `params_json` (and,
/// for a manual one, `snapshot_json`); `message` is written as given (the
/// caller passes text already scrubbed of the token).
#[wasm_bindgen(js_name = journalLine)]
pub fn journal_line(
    id: &str,
    endpoint_id: &str,
    params_json: &str,
    snapshot_json: Option<String>,
    state: &str,
    message: Option<String>,
    at: &str,
) -> Result<String, JsValue> {
    let snapshot = snapshot_json.as_deref().map(snapshot_arg).transpose()?;
    let intent = JournalRecord::intent(
        id,
        endpoint(endpoint_id)?,
        json_arg("params", params_json)?,
        snapshot,
        at,
    )
    .map_err(|e| throw(&e))?;
    let outcome = |status| Ok(intent.outcome(status, message.clone(), at).to_line());
    let settled = |s| Ok(intent.settled(s, message.clone(), at).to_line());
    match state {
        "intent" => Ok(intent.to_line()),
        "succeeded" => outcome(ItemStatus::Succeeded),
        "failed" => outcome(ItemStatus::Failed),
        "not_sent" => outcome(ItemStatus::NotSent),
        "unknown" => outcome(ItemStatus::Unknown),
        "applied" => settled(SettleState::Applied),
        "not_applied" => settled(SettleState::NotApplied),
        "undetermined" => settled(SettleState::Undetermined),
        other => Err(throw(&Error::InvalidRequest {
            field: "state".into(),
            reason: format!("{other:?} is not a journal state"),
        })),
    }
}

/// Reads journal text (`Journal::read`): `{"records": [...], "torn_tail":
/// bool, "unsettled": [{"id", "last", "endpoint", "params", "snapshot"?}]}`
/// as JSON text; an unreadable line (other than a torn last one) throws the
/// decode error naming it.
#[wasm_bindgen(js_name = journalRead)]
pub fn journal_read(text: &str) -> Result<String, JsValue> {
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
    Ok(json!({"records": records, "torn_tail": journal.torn_tail, "unsettled": open}).to_string())
}

/// Parses an answer without a client (errors are not scrubbed: no token is
/// known here).
#[wasm_bindgen]
pub fn parse(endpoint_id: &str, status: u16, body: &[u8]) -> Result<String, JsValue> {
    dynamic::parse_to_string(endpoint(endpoint_id)?, status, body).map_err(|e| throw(&e))
}

/// The parameters of the page after `response_json`, as JSON text, or
/// `"null"` after the last page.
#[wasm_bindgen(js_name = nextPage)]
pub fn next_page(
    endpoint_id: &str,
    params_json: &str,
    response_json: &str,
) -> Result<String, JsValue> {
    let next = dynamic::next_page(
        endpoint(endpoint_id)?,
        &json_arg("params", params_json)?,
        &json_arg("response", response_json)?,
    )
    .map_err(|e| throw(&e))?;
    Ok(next.unwrap_or(Value::Null).to_string())
}

/// [`next_page`] within an iteration that has read `pages_read` pages, at
/// most `max_pages` (the core's `dynamic::next_page_within`).
#[wasm_bindgen(js_name = nextPageWithin)]
pub fn next_page_within(
    endpoint_id: &str,
    params_json: &str,
    response_json: &str,
    pages_read: f64,
    max_pages: f64,
) -> Result<String, JsValue> {
    // Whole, non-negative numbers from JavaScript (checked there); the
    // saturating casts keep anything else harmless.
    let next = dynamic::next_page_within(
        endpoint(endpoint_id)?,
        &json_arg("params", params_json)?,
        &json_arg("response", response_json)?,
        pages_read as u64,
        max_pages as u64,
    )
    .map_err(|e| throw(&e))?;
    Ok(next.unwrap_or(Value::Null).to_string())
}

/// The endpoint table as JSON text.
#[wasm_bindgen]
pub fn endpoints() -> String {
    dynamic::endpoints_json().to_string()
}

/// The package's version and the API version it speaks, as JSON text.
#[wasm_bindgen]
pub fn version() -> String {
    json!({"package": env!("CARGO_PKG_VERSION"), "api": "2024.08.30"}).to_string()
}
