//! Operation keys: a money move happens at most once per key, across
//! re-runs, processes and machines (`docs/spec-notes.md` 190-193).
//!
//! The API has no idempotency keys, so the client keeps them: a caller
//! gives a money move a key it chooses (`bonus-2024-05:LOREM`), and a store
//! (the JSON Lines journal, SQLite or Postgres) holds one [`KeyRecord`] per
//! server and key. Before a keyed move is sent, the host reads the key's
//! record inside a transaction and asks [`decide`] what to do; the decision
//! is the same in every host and every store:
//!
//! | the key's record | decision |
//! |---|---|
//! | none | [`KeyDecision::Claim`]: claimed with the intent, in the same transaction, then sent |
//! | another money move (other user, amount, type, transaction or action) | [`KeyDecision::Conflict`]: `key_conflict`, nothing sent |
//! | `succeeded`, or settled `applied` | [`KeyDecision::AlreadyDone`]: not sent (a single call replays the recorded answer; a batch item is `already_done`) |
//! | `failed`, `not_sent`, or settled `not_applied` | [`KeyDecision::Claim`]: sent again under the same key |
//! | open (claimed, `unknown`, `undetermined`) and held by another holder whose lease has not run out | [`KeyDecision::InUse`]: `key_in_use`, nothing sent |
//! | open and not held (a crashed holder's lease ran out, or the holder is this one) | [`KeyDecision::Settle`]: settled first with reads only, then decided again with the verdict |
//! | open after a settlement made for this very decision | [`KeyDecision::Unknown`]: `outcome_unknown`, nothing sent |
//!
//! The core has no clock and no store: the host gives the time, its holder
//! id, and runs the statements [`Dialect`] gives in one transaction.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::protocol::journal::{Journal, JournalEvent, JournalRecord};
use crate::schema::error::Error;
use crate::schema::id::EndpointId;
use crate::schema::moves::{MoneyMove, MoveParams};
use crate::schema::operation_key::OperationKey;
use crate::schema::unsettled::{Snapshot, Unsettled};

/// How long a claim holds a key against other holders, in milliseconds,
/// unless the host says otherwise: ten times the default timeout, so a
/// holder that is still sending is never taken for a crashed one; a
/// holder renews it with every claim. After it runs out, the key's open
/// move is settled (reads only) by whoever comes next, never re-sent
/// blindly (`docs/spec-notes.md` 191).
pub const DEFAULT_LEASE_MS: u64 = 300_000;

/// Where a keyed move stands, as its store records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyState {
    /// Claimed with its intent; no outcome yet (in flight, or its holder
    /// crashed).
    Claimed,
    /// The server said it took effect.
    Succeeded,
    /// The server refused it: it did not take effect.
    Failed,
    /// Never sent (a read before it failed, or the batch stopped first).
    NotSent,
    /// Sent; whether it took effect is not known.
    Unknown,
    /// Settled: it took effect.
    Applied,
    /// Settled: it did not take effect (two reads agree).
    NotApplied,
    /// Settled, but the reads could not tell.
    Undetermined,
}

impl KeyState {
    /// The state's name in the store and in journal lines.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyState::Claimed => "claimed",
            KeyState::Succeeded => "succeeded",
            KeyState::Failed => "failed",
            KeyState::NotSent => "not_sent",
            KeyState::Unknown => "unknown",
            KeyState::Applied => "applied",
            KeyState::NotApplied => "not_applied",
            KeyState::Undetermined => "undetermined",
        }
    }

    /// Reads a state's name (`None` for anything else).
    pub fn from_name(name: &str) -> Option<KeyState> {
        Some(match name {
            "claimed" | "intent" => KeyState::Claimed,
            "succeeded" => KeyState::Succeeded,
            "failed" => KeyState::Failed,
            "not_sent" => KeyState::NotSent,
            "unknown" => KeyState::Unknown,
            "applied" => KeyState::Applied,
            "not_applied" => KeyState::NotApplied,
            "undetermined" => KeyState::Undetermined,
            _ => return None,
        })
    }

    /// Whether it is done: the money moved (`succeeded`, `applied`).
    pub fn is_done(self) -> bool {
        matches!(self, KeyState::Succeeded | KeyState::Applied)
    }

    /// Whether it certainly did not move (`failed`, `not_sent`,
    /// `not_applied`): the key may be used to send it again.
    pub fn is_not_done(self) -> bool {
        matches!(
            self,
            KeyState::Failed | KeyState::NotSent | KeyState::NotApplied
        )
    }

    /// Whether nobody knows yet (`claimed`, `unknown`, `undetermined`).
    pub fn is_open(self) -> bool {
        !self.is_done() && !self.is_not_done()
    }
}

/// A key's record in a store: the last word on the money move made under
/// it on one server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyRecord {
    /// The server's fingerprint ([`crate::Client::fingerprint`]): keys are
    /// scoped to a server.
    pub server: String,
    /// The key.
    pub key: OperationKey,
    /// The endpoint the move was last sent through (`accept_reject`,
    /// `manual_transaction` or `multiple_transaction`).
    #[serde(with = "crate::schema::id::endpoint_id")]
    pub endpoint: EndpointId,
    /// The move's canonical parameters (`type` included), with the move.
    pub params: MoveParams,
    /// Where it stands.
    pub state: KeyState,
    /// The journal id of the last attempt (its intent, outcome and
    /// settlement lines).
    pub journal_id: String,
    /// The user's history read before the last attempt (a manual move
    /// sent with snapshots): what settling it compares with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub snapshot: Option<Snapshot>,
    /// Who claimed it last and has not written its outcome yet (`None`
    /// once an outcome is recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holder: Option<String>,
    /// Until when (Unix milliseconds) the holder's claim keeps others out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease_until_ms: Option<i64>,
    /// The server's message of a `succeeded` answer (replayed to a single
    /// call made again under the key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// How many times the move was claimed to be sent.
    pub attempts: u32,
}

impl KeyRecord {
    /// The record of a claim by `holder` at `now_ms` for `lease_ms` of the
    /// move announced by `intent` (its server, key, endpoint, params,
    /// journal id and snapshot), after the key's `previous` record (its
    /// attempts counted on). An intent without a key or a server names no
    /// key record: an `invalid_request` at `key` or `server`.
    pub fn claim(
        intent: &JournalRecord,
        holder: &str,
        now_ms: i64,
        lease_ms: u64,
        previous: Option<&KeyRecord>,
    ) -> Result<KeyRecord, Error> {
        if intent.event != JournalEvent::Intent {
            return Err(Error::invalid(
                "event",
                "a key is claimed with an intent line",
            ));
        }
        let key = intent
            .key
            .clone()
            .ok_or_else(|| Error::invalid("key", "the intent names no key"))?;
        let server = intent
            .server
            .clone()
            .ok_or_else(|| Error::invalid("server", "the intent names no server"))?;
        Ok(KeyRecord {
            server,
            key,
            endpoint: intent.endpoint,
            params: intent.params.clone(),
            state: KeyState::Claimed,
            journal_id: intent.id.clone(),
            snapshot: intent.snapshot.clone(),
            holder: Some(holder.to_owned()),
            lease_until_ms: Some(
                now_ms.saturating_add(i64::try_from(lease_ms).unwrap_or(i64::MAX)),
            ),
            message: None,
            attempts: previous.map_or(0, |p| p.attempts).saturating_add(1),
        })
    }

    /// What settling the key's last attempt needs (its move, snapshot,
    /// server and journal id): what a host settles after
    /// [`KeyDecision::Settle`], before it records the verdict
    /// ([`KeyRecord::with_state`]) and decides again.
    pub fn unsettled(&self) -> Unsettled {
        Unsettled {
            endpoint: self.endpoint,
            params: self.params.clone(),
            snapshot: self.snapshot.clone(),
            server: Some(self.server.clone()),
            journal_id: Some(self.journal_id.clone()),
            key: Some(self.key.clone()),
        }
    }

    /// This record after the outcome or settlement `state` of its last
    /// attempt (`message`: the server's, kept for a `succeeded` answer).
    /// The holder lets go: an open move left `unknown` or `undetermined`
    /// is settled by whoever uses the key next.
    pub fn with_state(&self, state: KeyState, message: Option<&str>) -> KeyRecord {
        KeyRecord {
            state,
            holder: None,
            lease_until_ms: None,
            message: (state == KeyState::Succeeded)
                .then(|| message.map(str::to_owned))
                .flatten()
                .or_else(|| self.message.clone().filter(|_| state.is_done())),
            ..self.clone()
        }
    }

    /// This record after a journal line of its key (an `outcome` or
    /// `settled` line, not an intent): the line's state when it is about
    /// the key's last attempt (same journal id) and names a state; `None`
    /// when the record stays as it is (a late line of an earlier attempt,
    /// or a line of another key). What a store writes with every line.
    pub fn after_line(&self, line: &JournalRecord) -> Option<KeyRecord> {
        if line.event == JournalEvent::Intent
            || line.key.as_ref() != Some(&self.key)
            || line.server.as_deref() != Some(self.server.as_str())
            || line.id != self.journal_id
        {
            return None;
        }
        let state = line.state.as_deref().and_then(KeyState::from_name)?;
        self.after(&line.id, state, line.message.as_deref())
    }

    /// This record after the outcome or settlement `state` of attempt
    /// `journal_id`: `None` when that is not the key's last attempt.
    pub fn after(
        &self,
        journal_id: &str,
        state: KeyState,
        message: Option<&str>,
    ) -> Option<KeyRecord> {
        (journal_id == self.journal_id).then(|| self.with_state(state, message))
    }

    /// The record as stored: compact JSON text.
    pub fn to_json_text(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a stored record; one that can't be read is an
    /// `invalid_request` at `journal`, as an unreadable journal file is
    /// (the store is damaged: nothing is sent under the key).
    pub fn from_json_text(text: &str) -> Result<KeyRecord, Error> {
        serde_json::from_str(text)
            .map_err(|e| Error::invalid("journal", format!("a key record can't be read: {e}")))
    }
}

/// The statements of a SQL store, one schema and one claim protocol for
/// every host (`docs/spec-notes.md` 193). A claim is one transaction:
/// `begin`, `ensure_row` (when there is one), `select` (the key's record,
/// locked), then [`decide`]; on [`KeyDecision::Claim`], `upsert` the
/// claimed record and `append` the intent line, then `commit` (any other
/// decision: `commit` with nothing written). An outcome or a settlement
/// is one transaction too: `begin`, `upsert` the record
/// ([`KeyRecord::with_state`]) and `append` its line, `commit`. Moves
/// without a key only `append`. Parameters are positional: SQLite's `?1`,
/// Postgres's `$1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySql {
    /// Creates the tables and the index when missing: each entry is run
    /// as one batch of statements (without parameters).
    pub schema: &'static [&'static str],
    /// Starts a transaction that holds the write lock from its first
    /// statement (SQLite `BEGIN IMMEDIATE`: two claimers never both read
    /// an empty record).
    pub begin: &'static str,
    /// Makes sure the key has a row to lock (Postgres; params: server,
    /// key); `None` for SQLite, whose `begin` already locks.
    pub ensure_row: Option<&'static str>,
    /// The key's record as JSON text, or NULL (params: server, key).
    pub select: &'static str,
    /// Writes the key's record (params: server, key, state, record).
    pub upsert: &'static str,
    /// Appends a journal line (params: server, id, key or NULL, line).
    pub append: &'static str,
    /// Every journal line, in the order written (no params; one column).
    pub lines: &'static str,
    /// The lines whose journal id starts with a prefix (params: the
    /// prefix), in the order written: one batch's lines
    /// ([`ClaimAnswer::batch_to_refine`]).
    pub batch_lines: &'static str,
    /// Ends a transaction.
    pub commit: &'static str,
    /// Undoes a transaction that failed half way.
    pub rollback: &'static str,
}

impl KeySql {
    /// SQLite (a file shared by several processes on one machine; WAL).
    pub const SQLITE: KeySql = KeySql {
        schema: &[
            "CREATE TABLE IF NOT EXISTS idn_toto_keys (server TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, record TEXT, PRIMARY KEY (server, key))",
            "CREATE TABLE IF NOT EXISTS idn_toto_lines (seq INTEGER PRIMARY KEY AUTOINCREMENT, server TEXT, id TEXT NOT NULL, key TEXT, line TEXT NOT NULL)",
            "CREATE INDEX IF NOT EXISTS idn_toto_lines_id ON idn_toto_lines (id)",
        ],
        begin: "BEGIN IMMEDIATE",
        ensure_row: None,
        select: "SELECT record FROM idn_toto_keys WHERE server = ?1 AND key = ?2",
        upsert: "INSERT INTO idn_toto_keys (server, key, state, record) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (server, key) DO UPDATE SET state = excluded.state, record = excluded.record",
        append: "INSERT INTO idn_toto_lines (server, id, key, line) VALUES (?1, ?2, ?3, ?4)",
        lines: "SELECT line FROM idn_toto_lines ORDER BY seq",
        batch_lines: "SELECT line FROM idn_toto_lines WHERE substr(id, 1, length(?1)) = ?1 ORDER BY seq",
        commit: "COMMIT",
        rollback: "ROLLBACK",
    };

    /// Postgres (back offices on several machines). Its schema is one
    /// transaction under an advisory lock: two processes creating the
    /// tables at once would otherwise collide (`CREATE TABLE IF NOT
    /// EXISTS` is not atomic against a concurrent create in Postgres).
    pub const POSTGRES: KeySql = KeySql {
        schema: &[
            "BEGIN; SELECT pg_advisory_xact_lock(2024083022); \
             CREATE TABLE IF NOT EXISTS idn_toto_keys (server TEXT NOT NULL, key TEXT NOT NULL, state TEXT NOT NULL, record TEXT, PRIMARY KEY (server, key)); \
             CREATE TABLE IF NOT EXISTS idn_toto_lines (seq BIGSERIAL PRIMARY KEY, server TEXT, id TEXT NOT NULL, key TEXT, line TEXT NOT NULL); \
             CREATE INDEX IF NOT EXISTS idn_toto_lines_id ON idn_toto_lines (id); \
             COMMIT",
        ],
        begin: "BEGIN",
        ensure_row: Some("INSERT INTO idn_toto_keys (server, key, state, record) VALUES ($1, $2, 'new', NULL) ON CONFLICT (server, key) DO NOTHING"),
        select: "SELECT record FROM idn_toto_keys WHERE server = $1 AND key = $2 FOR UPDATE",
        upsert: "INSERT INTO idn_toto_keys (server, key, state, record) VALUES ($1, $2, $3, $4) ON CONFLICT (server, key) DO UPDATE SET state = excluded.state, record = excluded.record",
        append: "INSERT INTO idn_toto_lines (server, id, key, line) VALUES ($1, $2, $3, $4)",
        lines: "SELECT line FROM idn_toto_lines ORDER BY seq",
        batch_lines: "SELECT line FROM idn_toto_lines WHERE substr(id, 1, length($1::text)) = $1::text ORDER BY seq",
        commit: "COMMIT",
        rollback: "ROLLBACK",
    };
}

/// What to do with a keyed money move, given its key's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyDecision {
    /// Claim the key (with the intent, in one transaction) and send.
    Claim,
    /// Done before: send nothing; a single call answers with the recorded
    /// answer marked as a replay, a batch item is `already_done`.
    AlreadyDone,
    /// Another live holder has it: `key_in_use`, nothing sent.
    InUse {
        /// Until when (Unix milliseconds) its lease runs.
        lease_until_ms: i64,
    },
    /// The key names another money move: `key_conflict`, nothing sent.
    Conflict {
        /// What differs, in words.
        reason: String,
    },
    /// Open and not held: settle the move under the key (reads only),
    /// record the verdict, and decide again with `settled_now`.
    Settle,
    /// Still open after settling: `outcome_unknown`, nothing sent.
    Unknown,
}

impl KeyDecision {
    /// The decision's name (`claim`, `already_done`, `key_in_use`,
    /// `key_conflict`, `settle`, `outcome_unknown`).
    pub fn as_str(&self) -> &'static str {
        match self {
            KeyDecision::Claim => "claim",
            KeyDecision::AlreadyDone => "already_done",
            KeyDecision::InUse { .. } => "key_in_use",
            KeyDecision::Conflict { .. } => "key_conflict",
            KeyDecision::Settle => "settle",
            KeyDecision::Unknown => "outcome_unknown",
        }
    }
}

/// A keyed money move to claim: what [`crate::Step::Claim`] hands the
/// host. The host runs it against its store in one transaction (read the
/// key's record, [`KeyClaim::decide`], write what it says) and gives the
/// answer to [`crate::Driver::record_claim`]. The decision is the core's;
/// the host only reads and writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyClaim {
    /// The move's intent line (server, key, endpoint, params, journal id
    /// and snapshot): written with the claim, never on its own.
    pub intent: JournalRecord,
    /// Who claims: the run's journal id (unique per run).
    pub holder: String,
    /// How long the claim keeps others out, in milliseconds.
    pub lease_ms: u64,
    /// The key's open move was settled for this very claim: an open
    /// record now means the settlement could not tell.
    pub settled_now: bool,
}

/// What a store's claim came to: the decision, and the key's record as it
/// was before the claim (what a replay answers with, what is settled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimAnswer {
    /// What the core decided.
    pub decision: KeyDecision,
    /// The key's record as read in the claim's transaction (`None`: the
    /// key was never used on this server).
    pub previous: Option<KeyRecord>,
}

/// What a claim writes, when the decision is [`KeyDecision::Claim`]: the
/// key's new record and the intent line, in the claim's transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimWrite {
    /// The key's record after the claim.
    pub record: KeyRecord,
    /// The intent line to append (ends in `\n`).
    pub line: String,
}

impl KeyClaim {
    /// The server the key is scoped to.
    pub fn server(&self) -> &str {
        self.intent.server.as_deref().unwrap_or_default()
    }

    /// The key (every claim has one).
    pub fn key(&self) -> Option<&OperationKey> {
        self.intent.key.as_ref()
    }

    /// Decides the claim against the key's `record`, read in the claim's
    /// transaction, at `now_ms` (Unix milliseconds): the answer for
    /// [`crate::Driver::record_claim`], and on [`KeyDecision::Claim`] what
    /// to write before committing.
    pub fn decide(
        &self,
        record: Option<KeyRecord>,
        now_ms: i64,
    ) -> Result<(ClaimAnswer, Option<ClaimWrite>), Error> {
        let decision = decide_move(
            record.as_ref(),
            self.intent.params.money(),
            &self.holder,
            now_ms,
            self.settled_now,
        );
        let write = match decision {
            KeyDecision::Claim => Some(ClaimWrite {
                record: KeyRecord::claim(
                    &self.intent,
                    &self.holder,
                    now_ms,
                    self.lease_ms,
                    record.as_ref(),
                )?,
                line: self.intent.to_line(),
            }),
            _ => None,
        };
        Ok((
            ClaimAnswer {
                decision,
                previous: record,
            },
            write,
        ))
    }

    /// Decides the claim against a JSON Lines journal (the file store):
    /// the key's record is what the journal's lines leave
    /// ([`crate::Journal::key_records`]), with `held` (holder, lease end)
    /// laid over it when this process holds the key in memory. A file
    /// has no lease on disk: keys are honoured for one process at a time
    /// (`docs/spec-notes.md` 195).
    pub fn decide_in_journal(
        &self,
        journal: &crate::protocol::journal::Journal,
        held: Option<(&str, i64)>,
        now_ms: i64,
    ) -> Result<(ClaimAnswer, Option<ClaimWrite>), Error> {
        let key = self
            .key()
            .ok_or_else(|| Error::invalid("key", "a claim names its key"))?;
        let mut record = journal
            .key_records()
            .into_iter()
            .find(|r| &r.key == key && r.server == self.server());
        if let (Some(r), Some((holder, until))) = (record.as_mut(), held) {
            if r.state == KeyState::Claimed {
                r.holder = Some(holder.to_owned());
                r.lease_until_ms = Some(until);
            }
        }
        let (mut answer, write) = self.decide(record, now_ms)?;
        answer.refine(journal);
        Ok((answer, write))
    }
}

/// The key records of a JSON Lines journal, kept in memory by its one
/// writer (the file store holds the file's lock for keys): read once from
/// the journal, then kept current with every claim and every line the
/// writer appends, so a claim costs no read of the file. Lines another
/// process appends meanwhile can only be outcomes or settlements of keys
/// (their intents need the lock): a record that misses one is more open
/// than the file says, which leads to a settlement (reads), never to a
/// second send.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyBook {
    records: std::collections::HashMap<(String, String), KeyRecord>,
}

impl KeyBook {
    /// The records the journal's lines leave ([`crate::Journal::key_records`]).
    pub fn from_journal(journal: &crate::protocol::journal::Journal) -> KeyBook {
        KeyBook {
            records: journal
                .key_records()
                .into_iter()
                .map(|r| ((r.server.clone(), r.key.as_str().to_owned()), r))
                .collect(),
        }
    }

    /// The key's record on `server`.
    pub fn get(&self, server: &str, key: &OperationKey) -> Option<&KeyRecord> {
        self.records
            .get(&(server.to_owned(), key.as_str().to_owned()))
    }

    /// Decides a claim against the key's record ([`KeyClaim::decide`]).
    /// On a claim, the host appends the write's intent line and then gives
    /// the write to [`KeyBook::record_claim`]. For [`KeyDecision::Settle`]
    /// of a batch item, the host refines the answer with the journal
    /// ([`ClaimAnswer::batch_to_refine`], [`ClaimAnswer::refine`]).
    pub fn decide(
        &self,
        claim: &KeyClaim,
        now_ms: i64,
    ) -> Result<(ClaimAnswer, Option<ClaimWrite>), Error> {
        let key = claim
            .key()
            .ok_or_else(|| Error::invalid("key", "a claim names its key"))?;
        let record = self
            .records
            .get(&(claim.server().to_owned(), key.as_str().to_owned()))
            .cloned();
        claim.decide(record, now_ms)
    }

    /// Takes a claim whose intent line was written: the key's record is
    /// the claimed one from now on.
    pub fn record_claim(&mut self, write: &ClaimWrite) {
        let id = (
            write.record.server.clone(),
            write.record.key.as_str().to_owned(),
        );
        self.records.insert(id, write.record.clone());
    }

    /// Takes a line the writer appended: an outcome or settlement of a
    /// key's last attempt updates its record ([`KeyRecord::after_line`]).
    pub fn record_line(&mut self, line: &JournalRecord) {
        let (Some(server), Some(key)) = (&line.server, &line.key) else {
            return;
        };
        let id = (server.clone(), key.as_str().to_owned());
        if let Some(after) = self.records.get(&id).and_then(|r| r.after_line(line)) {
            self.records.insert(id, after);
        }
    }
}

impl ClaimAnswer {
    /// The error a single call ends with when the key stops it
    /// (`key_in_use`, `key_conflict`, `outcome_unknown`); `None` for a
    /// claim, a replay or a settlement.
    pub fn error(&self) -> Option<Error> {
        let key = self
            .previous
            .as_ref()
            .map(|r| r.key.as_str().to_owned())
            .unwrap_or_default();
        match &self.decision {
            KeyDecision::InUse { lease_until_ms } => Some(Error::KeyInUse {
                key,
                lease_until_ms: *lease_until_ms,
            }),
            KeyDecision::Conflict { reason } => Some(Error::KeyConflict {
                key,
                reason: reason.clone(),
            }),
            KeyDecision::Unknown => {
                let state = self.previous.as_ref().map_or("open", |r| r.state.as_str());
                Some(Error::OutcomeUnknown {
                    cause: Box::new(Error::Transport {
                        reason: format!(
                            "an earlier attempt under the key {key:?} is still {state} after settling; nothing was sent"
                        ),
                    }),
                    unsettled: self.previous.as_ref().map(|r| Box::new(r.unsettled())),
                })
            }
            _ => None,
        }
    }

    /// The journal-id prefix (`{run}-`) of the batch whose item the key's
    /// open move is, when the answer is [`KeyDecision::Settle`] for a batch
    /// item: a store reads that batch's lines ([`KeySql::batch_lines`]) and
    /// gives them to [`ClaimAnswer::refine`].
    pub fn batch_to_refine(&self) -> Option<String> {
        let r = self.previous.as_ref()?;
        if self.decision != KeyDecision::Settle || r.endpoint != EndpointId::MultipleTransaction {
            return None;
        }
        let (batch, k) = r.journal_id.rsplit_once('-')?;
        k.parse::<usize>().ok()?;
        Some(format!("{batch}-"))
    }

    /// Refines the open move to settle by what `journal` (its batch's lines,
    /// or the whole journal) says of the other items of its batch
    /// ([`crate::Journal::refine`]): a sibling that succeeded took its own
    /// entry, one never sent took none. Nothing for any other answer.
    pub fn refine(&mut self, journal: &crate::protocol::journal::Journal) {
        if self.decision != KeyDecision::Settle {
            return;
        }
        let Some(r) = self.previous.as_mut() else {
            return;
        };
        let Ok(intent) = JournalRecord::intent_for(
            &r.journal_id,
            r.endpoint,
            r.params.clone(),
            r.snapshot.clone(),
            "",
        ) else {
            return;
        };
        let mut open = crate::protocol::journal::OpenMove {
            id: r.journal_id.clone(),
            intent,
            last: r.state.as_str().to_owned(),
        };
        journal.refine(&mut open);
        r.snapshot = open.intent.snapshot;
    }

    /// The message a replay answers with: the server's message of the
    /// attempt that succeeded, or what settling found.
    pub fn replay_message(&self) -> String {
        match &self.previous {
            Some(r) => r.message.clone().unwrap_or_else(|| {
                format!(
                    "already done under key {:?} ({})",
                    r.key.as_str(),
                    r.state.as_str()
                )
            }),
            None => String::new(),
        }
    }
}

/// Decides what to do with the money move `params` (canonical, `type`
/// included) under a key whose record is `record` (`None`: never used on
/// this server), for holder `me` at `now_ms` (Unix milliseconds).
/// `settled_now`: the record's verdict comes from a settlement made for
/// this very decision (after [`KeyDecision::Settle`]).
///
/// "The same move" is the same money move whatever the endpoint (a single
/// manual deposit and a batch item of the same user, type and amount are
/// one move): the type, the user (exactly as spelled) and the amount (by
/// value: `100` is `100.00`), or the type, transaction id, user and
/// action. The comment and the operator are not part of it: a re-run with
/// another comment is the same payment (`docs/spec-notes.md` 192).
pub fn decide(
    record: Option<&KeyRecord>,
    params: &Value,
    me: &str,
    now_ms: i64,
    settled_now: bool,
) -> Result<KeyDecision, Error> {
    Ok(decide_move(
        record,
        &MoneyMove::from_params(params)?,
        me,
        now_ms,
        settled_now,
    ))
}

/// [`decide`] for a move already read (a claim's intent).
pub(crate) fn decide_move(
    record: Option<&KeyRecord>,
    want: &MoneyMove,
    me: &str,
    now_ms: i64,
    settled_now: bool,
) -> KeyDecision {
    let Some(record) = record else {
        return KeyDecision::Claim;
    };
    let had = record.params.money();
    if let Some(reason) = differs(had, want) {
        return KeyDecision::Conflict {
            reason: format!(
                "the key {:?} was used for {had} ({reason})",
                record.key.as_str(),
            ),
        };
    }
    if record.state.is_done() {
        return KeyDecision::AlreadyDone;
    }
    if record.state.is_not_done() {
        return KeyDecision::Claim;
    }
    // Open: held by another live holder, settled just now, or to settle.
    if let (Some(holder), Some(until)) = (&record.holder, record.lease_until_ms) {
        if holder != me && until > now_ms {
            return KeyDecision::InUse {
                lease_until_ms: until,
            };
        }
    }
    if settled_now {
        return KeyDecision::Unknown;
    }
    KeyDecision::Settle
}

/// What differs between two money moves, in words; `None` when they are
/// the same move.
fn differs(had: &MoneyMove, want: &MoneyMove) -> Option<String> {
    match (had, want) {
        (
            MoneyMove::Manual {
                r#type: t1,
                user: u1,
                amount: a1,
            },
            MoneyMove::Manual {
                r#type: t2,
                user: u2,
                amount: a2,
            },
        ) => {
            let mut what = Vec::new();
            if t1 != t2 {
                what.push(format!("type {} vs {}", t1.as_str(), t2.as_str()));
            }
            if u1 != u2 {
                what.push(format!("user {u1} vs {u2}"));
            }
            if !same_amount(*a1, *a2) {
                what.push(format!("amount {a1} vs {a2}"));
            }
            (!what.is_empty()).then(|| what.join(", "))
        }
        (
            MoneyMove::AcceptReject {
                r#type: t1,
                trans_id: i1,
                user: u1,
                action: c1,
            },
            MoneyMove::AcceptReject {
                r#type: t2,
                trans_id: i2,
                user: u2,
                action: c2,
            },
        ) => {
            let mut what = Vec::new();
            if t1 != t2 {
                what.push(format!("type {} vs {}", t1.as_str(), t2.as_str()));
            }
            if i1 != i2 {
                what.push(format!("trans_id {i1} vs {i2}"));
            }
            if u1 != u2 {
                what.push(format!("user {u1} vs {u2}"));
            }
            if c1 != c2 {
                what.push(format!("action {} vs {}", c1.as_wire(), c2.as_wire()));
            }
            (!what.is_empty()).then(|| what.join(", "))
        }
        _ => Some("a manual transaction vs an accept/reject".into()),
    }
}

fn same_amount(a: Decimal, b: Decimal) -> bool {
    a.normalize() == b.normalize()
}

impl Journal {
    /// The record of every operation key in the journal, as the lines of
    /// its moves leave it (the last attempt's intent, then its outcome or
    /// settlement), in the order keys first appear. This is how a JSON
    /// Lines journal holds keys: a store that keeps its own key records
    /// (SQLite, Postgres) keeps the same ones.
    pub fn key_records(&self) -> Vec<KeyRecord> {
        let mut keys: Vec<KeyRecord> = Vec::new();
        for record in &self.records {
            let (Some(key), Some(server)) = (&record.key, &record.server) else {
                continue;
            };
            let found = keys
                .iter()
                .position(|k| &k.key == key && &k.server == server);
            match record.event {
                JournalEvent::Intent => {
                    let attempts = found.map_or(0, |k| keys[k].attempts) + 1;
                    let fresh = KeyRecord {
                        server: server.clone(),
                        key: key.clone(),
                        endpoint: record.endpoint,
                        params: record.params.clone(),
                        state: KeyState::Claimed,
                        journal_id: record.id.clone(),
                        snapshot: record.snapshot.clone(),
                        holder: None,
                        lease_until_ms: None,
                        message: None,
                        attempts,
                    };
                    match found {
                        Some(k) => keys[k] = fresh,
                        None => keys.push(fresh),
                    }
                }
                JournalEvent::Outcome | JournalEvent::Settled => {
                    let Some(k) = found.filter(|&k| keys[k].journal_id == record.id) else {
                        continue;
                    };
                    if let Some(state) = record.state.as_deref().and_then(KeyState::from_name) {
                        keys[k].state = state;
                        if state == KeyState::Succeeded {
                            keys[k].message.clone_from(&record.message);
                        }
                    }
                }
            }
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(state: KeyState, holder: Option<&str>, until: Option<i64>) -> KeyRecord {
        KeyRecord {
            server: "c1679abf391ccf96".into(),
            key: OperationKey::parse("key", "bonus:LOREM").unwrap(),
            endpoint: EndpointId::ManualTransaction,
            params: MoveParams::parse(json!({"type": "deposit", "user": "LOREM", "amount": "100", "comment": "a", "operator": "OP01"})).unwrap(),
            state,
            journal_id: "j1".into(),
            snapshot: None,
            holder: holder.map(str::to_owned),
            lease_until_ms: until,
            message: None,
            attempts: 1,
        }
    }

    fn manual(amount: &str, comment: &str) -> Value {
        json!({"type": "deposit", "user": "LOREM", "amount": amount, "comment": comment, "operator": "OP02"})
    }

    #[test]
    fn keys_are_checked() {
        for bad in ["", " a", "a\n", &"k".repeat(201)] {
            let e = OperationKey::parse("transaction[2].key", bad).unwrap_err();
            assert_eq!(
                e.to_json()["error"]["field"],
                "transaction[2].key",
                "{bad:?}"
            );
        }
        assert!(OperationKey::parse("key", "bonus-2024-05:LOREM").is_ok());
        assert!(OperationKey::parse("key", &"k".repeat(200)).is_ok());
    }

    #[test]
    fn the_table() {
        let want = manual("100.00", "another comment");
        let d = |r: Option<&KeyRecord>, settled| decide(r, &want, "me", 1_000, settled).unwrap();
        assert_eq!(d(None, false), KeyDecision::Claim);
        assert_eq!(
            d(Some(&record(KeyState::Succeeded, None, None)), false),
            KeyDecision::AlreadyDone
        );
        assert_eq!(
            d(Some(&record(KeyState::Applied, None, None)), false),
            KeyDecision::AlreadyDone
        );
        for s in [KeyState::Failed, KeyState::NotSent, KeyState::NotApplied] {
            assert_eq!(
                d(Some(&record(s, None, None)), false),
                KeyDecision::Claim,
                "{s:?}"
            );
        }
        for s in [KeyState::Claimed, KeyState::Unknown, KeyState::Undetermined] {
            let held = record(s, Some("other"), Some(1_001));
            assert_eq!(
                d(Some(&held), false),
                KeyDecision::InUse {
                    lease_until_ms: 1_001
                }
            );
            let expired = record(s, Some("other"), Some(1_000));
            assert_eq!(d(Some(&expired), false), KeyDecision::Settle, "{s:?}");
            assert_eq!(d(Some(&expired), true), KeyDecision::Unknown, "{s:?}");
            let mine = record(s, Some("me"), Some(9_999));
            assert_eq!(d(Some(&mine), false), KeyDecision::Settle, "{s:?}");
        }
        let conflict = decide(
            Some(&record(KeyState::Succeeded, None, None)),
            &manual("100.01", "a"),
            "me",
            0,
            false,
        )
        .unwrap();
        assert!(
            matches!(&conflict, KeyDecision::Conflict { reason } if reason.contains("amount 100 vs 100.01")),
            "{conflict:?}"
        );
    }
}
