//! Operation keys (the core's `keys` module) for JavaScript: a driver's
//! claim step ([`WasmKeyClaim`]), the core's decision against a store's
//! key record or a JSON Lines journal ([`WasmClaimAnswer`]), and what a SQL
//! store runs: the core's statements ([`key_sql`]) and what each journal
//! line writes ([`store_line`], [`after_line`]). The package's journals
//! (`js/journal.cjs`, `js/stores.cjs`) only run the statements and hand
//! the answers back: every decision is the core's.

use idn_toto::{
    ClaimAnswer, ClaimWrite, Error, Journal, JournalEvent, JournalRecord, KeyBook, KeyClaim,
    KeyRecord, KeySql,
};
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;

use crate::{json_arg, throw, to_js};

/// Milliseconds from JavaScript (`Date.now()`, a lease end): whole and far
/// below 2^53; the saturating cast keeps anything else harmless.
fn ms(value: f64) -> i64 {
    value as i64
}

/// A keyed money move to claim: the driver's `Claim` step
/// ([`crate::WasmDriver::claim`]). The journal runs it against its store
/// in one transaction (or under its lock): read the key's record, ask
/// [`WasmKeyClaim::decide`] (or [`WasmKeyClaim::decide_in_journal`] for a
/// JSON Lines file), write what the answer says, then hand the answer to
/// [`crate::WasmDriver::record_claim`].
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmKeyClaim(pub(crate) KeyClaim);

#[wasm_bindgen]
impl WasmKeyClaim {
    /// The operation key.
    #[wasm_bindgen(getter)]
    pub fn key(&self) -> String {
        self.0
            .key()
            .map(|k| k.as_str().to_owned())
            .unwrap_or_default()
    }

    /// The server the key is scoped to (the client's fingerprint).
    #[wasm_bindgen(getter)]
    pub fn server(&self) -> String {
        self.0.server().to_owned()
    }

    /// The journal id of the move (its intent line's `id`).
    #[wasm_bindgen(getter, js_name = journalId)]
    pub fn journal_id(&self) -> String {
        self.0.intent.id.clone()
    }

    /// Who claims: the run's journal id.
    #[wasm_bindgen(getter)]
    pub fn holder(&self) -> String {
        self.0.holder.clone()
    }

    /// How long the claim keeps other holders out, in milliseconds.
    #[wasm_bindgen(getter, js_name = leaseMs)]
    pub fn lease_ms(&self) -> f64 {
        // A lease is far below 2^53 ms.
        self.0.lease_ms as f64
    }

    /// The move's intent line (it ends in a newline): written with the
    /// claim, never on its own.
    #[wasm_bindgen(getter, js_name = intentLine)]
    pub fn intent_line(&self) -> String {
        self.0.intent.to_line()
    }

    /// Decides the claim against the key's record as the store holds it
    /// (its JSON text, `undefined` when the key has none) at `now_ms`
    /// (Unix milliseconds) (`KeyClaim::decide`). A record that can't be
    /// read throws (`invalid_request` at `journal`): nothing is sent.
    pub fn decide(&self, record: Option<String>, now_ms: f64) -> Result<WasmClaimAnswer, JsValue> {
        let record = record
            .as_deref()
            .map(KeyRecord::from_json_text)
            .transpose()
            .map_err(|e| throw(&e))?;
        let (answer, write) = self.0.decide(record, ms(now_ms)).map_err(|e| throw(&e))?;
        Ok(WasmClaimAnswer { answer, write })
    }

    /// Decides the claim against a JSON Lines journal, the whole file's
    /// text (`KeyClaim::decide_in_journal`): `held_holder` and
    /// `held_until_ms` are this process's own claim of the key, kept in
    /// memory by the file journal (a file keeps no lease: one process at a
    /// time). The answer comes refined by the journal's lines.
    #[wasm_bindgen(js_name = decideInJournal)]
    pub fn decide_in_journal(
        &self,
        journal_text: &str,
        held_holder: Option<String>,
        held_until_ms: Option<f64>,
        now_ms: f64,
    ) -> Result<WasmClaimAnswer, JsValue> {
        let journal = Journal::read(journal_text).map_err(|e| throw(&e))?;
        let held = match (&held_holder, held_until_ms) {
            (Some(holder), Some(until)) => Some((holder.as_str(), ms(until))),
            _ => None,
        };
        let (answer, write) = self
            .0
            .decide_in_journal(&journal, held, ms(now_ms))
            .map_err(|e| throw(&e))?;
        Ok(WasmClaimAnswer { answer, write })
    }
}

/// The key records of a JSON Lines journal kept in memory by its one
/// writer (the core's `KeyBook`): read once from the file's text, then kept
/// current with [`WasmKeyBook::record_claim`] (after a claim's intent line
/// is written) and [`WasmKeyBook::record_line`] (every line appended), so a
/// claim reads no file.
#[wasm_bindgen]
#[derive(Debug, Default)]
pub struct WasmKeyBook(KeyBook);

#[wasm_bindgen]
impl WasmKeyBook {
    /// The records a journal's text leaves (a journal that can't be read
    /// throws: nothing is claimed).
    #[wasm_bindgen(js_name = fromJournal)]
    pub fn from_journal(journal_text: &str) -> Result<WasmKeyBook, JsValue> {
        let journal = Journal::read(journal_text).map_err(|e| throw(&e))?;
        Ok(WasmKeyBook(KeyBook::from_journal(&journal)))
    }

    /// The core's decision for `claim` at `now_ms` against the key's
    /// record; on `claim`, append `answer.write.line` and then call
    /// [`WasmKeyBook::record_claim`]. A batch item to settle: refine the
    /// answer with the file's text (`batchToRefine`, `refine`).
    pub fn decide(&self, claim: &WasmKeyClaim, now_ms: f64) -> Result<WasmClaimAnswer, JsValue> {
        let (answer, write) = self.0.decide(&claim.0, ms(now_ms)).map_err(|e| throw(&e))?;
        Ok(WasmClaimAnswer { answer, write })
    }

    /// Takes the claim of `answer` once its intent line is written.
    #[wasm_bindgen(js_name = recordClaim)]
    pub fn record_claim(&mut self, answer: &WasmClaimAnswer) {
        if let Some(write) = &answer.write {
            self.0.record_claim(write);
        }
    }

    /// Takes a line that was appended (a line that is not one journal
    /// record changes nothing).
    #[wasm_bindgen(js_name = recordLine)]
    pub fn record_line(&mut self, line: &str) {
        let text = format!("{}\n", line.strip_suffix('\n').unwrap_or(line));
        if let Ok(journal) = Journal::read(&text) {
            for record in &journal.records {
                self.0.record_line(record);
            }
        }
    }
}

/// What a claim came to (the core's `ClaimAnswer`, and on a claim what to
/// write): handed back to the driver by [`crate::WasmDriver::record_claim`],
/// which takes it.
#[wasm_bindgen]
#[derive(Debug)]
pub struct WasmClaimAnswer {
    pub(crate) answer: ClaimAnswer,
    write: Option<ClaimWrite>,
}

#[wasm_bindgen]
impl WasmClaimAnswer {
    /// The core's decision: `claim`, `already_done`, `key_in_use`,
    /// `key_conflict`, `settle` or `outcome_unknown`.
    #[wasm_bindgen(getter)]
    pub fn decision(&self) -> String {
        self.answer.decision.as_str().to_owned()
    }

    /// On `claim`, what the claim writes before it commits, else
    /// `undefined`: `{ line, upsert, append, leaseUntilMs }`: `line` the
    /// intent line for a JSON Lines file (ending in a newline); `upsert`
    /// the parameters of the SQL `upsert` (server, key, state, record) and
    /// `append` those of the SQL `append` (server, id, key, line).
    #[wasm_bindgen(getter)]
    pub fn write(&self) -> JsValue {
        let Some(w) = &self.write else {
            return JsValue::UNDEFINED;
        };
        let r = &w.record;
        to_js(&json!({
            "line": w.line,
            "upsert": [r.server, r.key.as_str(), r.state.as_str(), r.to_json_text()],
            "append": [r.server, r.journal_id, r.key.as_str(), w.line.trim_end_matches('\n')],
            "leaseUntilMs": r.lease_until_ms,
        }))
    }

    /// The journal-id prefix of the batch whose lines refine this answer
    /// (`ClaimAnswer::batch_to_refine`): a SQL store runs `batchLines` with
    /// it and hands the lines to [`WasmClaimAnswer::refine`]. `undefined`
    /// when nothing is to refine.
    #[wasm_bindgen(getter, js_name = batchToRefine)]
    pub fn batch_to_refine(&self) -> Option<String> {
        self.answer.batch_to_refine()
    }

    /// Refines the answer by journal text (the lines `batchLines` gave,
    /// each ending in a newline) (`ClaimAnswer::refine`).
    pub fn refine(&mut self, journal_text: &str) -> Result<(), JsValue> {
        let journal = Journal::read(journal_text).map_err(|e| throw(&e))?;
        self.answer.refine(&journal);
        Ok(())
    }
}

/// The statements of a SQL store (`KeySql::SQLITE`, `KeySql::POSTGRES`) for
/// `dialect` `sqlite` or `postgres`: `{ schema: [...], begin, ensureRow
/// (null for SQLite), select, upsert, append, lines, batchLines, commit,
/// rollback }`. Parameters are positional, all text.
#[wasm_bindgen(js_name = keySql)]
pub fn key_sql(dialect: &str) -> Result<JsValue, JsValue> {
    let sql = match dialect {
        "sqlite" => KeySql::SQLITE,
        "postgres" => KeySql::POSTGRES,
        other => {
            return Err(throw(&Error::InvalidRequest {
                field: "dialect".into(),
                reason: format!("{other:?} is not a store dialect: sqlite or postgres"),
            }))
        }
    };
    Ok(to_js(&json!({
        "schema": sql.schema,
        "begin": sql.begin,
        "ensureRow": sql.ensure_row,
        "select": sql.select,
        "upsert": sql.upsert,
        "append": sql.append,
        "lines": sql.lines,
        "batchLines": sql.batch_lines,
        "commit": sql.commit,
        "rollback": sql.rollback,
    })))
}

/// The journal record of one line (and its newline), or the store's
/// refusal: `invalid_request` at `journal`.
fn record_of(line: &str) -> Result<JournalRecord, JsValue> {
    serde_json::from_str::<JournalRecord>(line.trim_end_matches('\n')).map_err(|e| {
        throw(&Error::InvalidRequest {
            field: "journal".into(),
            reason: format!("not a journal line: {e}"),
        })
    })
}

/// What a SQL store does with a journal line the driver made (in one
/// transaction): `{ select, append }`: `append` the parameters of the
/// `append` statement (server, id, key or null, line); `select` the
/// parameters of `select` (server, key) when the line names a key, whose
/// record [`after_line`] then updates (else `null`). A keyed intent is
/// refused (`invalid_request` at `journal`): a key is claimed with its
/// intent, never appended.
#[wasm_bindgen(js_name = storeLine)]
pub fn store_line(line: &str) -> Result<JsValue, JsValue> {
    let record = record_of(line)?;
    let server = record.server.clone().unwrap_or_default();
    let key = record.key.as_ref().map(|k| k.as_str().to_owned());
    if key.is_some() && record.event == JournalEvent::Intent {
        return Err(throw(&Error::InvalidRequest {
            field: "journal".into(),
            reason: "a keyed intent is written by its claim, not appended".into(),
        }));
    }
    let select = key.as_ref().map(|k| json!([server, k]));
    Ok(to_js(&json!({
        "select": select,
        "append": [server, record.id, key, line.trim_end_matches('\n')],
    })))
}

/// The key's record after a journal line of its key (`KeyRecord::after_line`):
/// the parameters of the `upsert` statement (server, key, state, record),
/// or `undefined` when the record stays as it is (a late line of an
/// earlier attempt, a line without a state). `record` is the key's record
/// as the store holds it (JSON text).
#[wasm_bindgen(js_name = afterLine)]
pub fn after_line(record: &str, line: &str) -> Result<JsValue, JsValue> {
    let current = KeyRecord::from_json_text(record).map_err(|e| throw(&e))?;
    let line = record_of(line)?;
    Ok(match current.after_line(&line) {
        Some(r) => to_js(&json!([
            r.server,
            r.key.as_str(),
            r.state.as_str(),
            r.to_json_text()
        ])),
        None => JsValue::UNDEFINED,
    })
}

/// What the core decides for the money move `params_json` (canonical JSON,
/// `type` included) under a key whose record is `record` (JSON text,
/// `undefined`: never used), for holder `me` at `now_ms`
/// (`idn_toto::decide_key`): `claim`, `already_done`, `key_in_use`,
/// `key_conflict`, `settle` or `outcome_unknown`. The sans-IO helper (the
/// shared vectors run through it); clients claim through their journal.
#[wasm_bindgen(js_name = decideKey)]
pub fn decide_key(
    record: Option<String>,
    params_json: &str,
    me: &str,
    now_ms: f64,
    settled_now: bool,
) -> Result<String, JsValue> {
    let record = record
        .as_deref()
        .map(KeyRecord::from_json_text)
        .transpose()
        .map_err(|e| throw(&e))?;
    let params = json_arg("params", params_json)?;
    idn_toto::decide_key(record.as_ref(), &params, me, ms(now_ms), settled_now)
        .map(|d| d.as_str().to_owned())
        .map_err(|e| throw(&e))
}

/// The key records a journal's lines leave (`Journal::key_records`), as
/// objects: what [`crate::journal_read`] adds as `keys`.
pub(crate) fn key_records(journal: &Journal) -> Vec<Value> {
    journal
        .key_records()
        .iter()
        .map(|r| serde_json::to_value(r).unwrap_or(Value::Null))
        .collect()
}
