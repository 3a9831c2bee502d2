//! The claim protocol of a SQL store, run over any connection that can
//! execute the core's statements ([`idn_toto::KeySql`]): one transaction per
//! claim and per outcome, the decision by [`idn_toto::decide_key`]
//! (`docs/spec-notes.md` 193). `SqliteStore` and `PostgresStore` are this
//! over their connection.

use idn_toto::{
    ClaimAnswer, Error, Journal, JournalEvent, JournalRecord, KeyClaim, KeyDecision, KeyRecord,
    KeySql, KeyState, OperationKey,
};

/// A claim: the intent of the move (its server, key, endpoint, params,
/// journal id and snapshot), who claims, when, and for how long.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// The intent line's record ([`JournalRecord::intent`] with
    /// [`JournalRecord::with_server`] and [`JournalRecord::with_key`]); its
    /// line is appended with the claim.
    pub intent: &'a JournalRecord,
    /// This claimer (unique per claim).
    pub holder: &'a str,
    /// Unix milliseconds now.
    pub now_ms: i64,
    /// How long the claim keeps others out ([`idn_toto::DEFAULT_LEASE_MS`]).
    pub lease_ms: u64,
    /// The key's verdict comes from a settlement made for this claim.
    pub settled_now: bool,
}

/// What a store's connection does with the core's statements: every
/// parameter is text or NULL. Errors are the store's, in words.
pub(crate) trait SqlConn {
    /// Runs statements without parameters (`BEGIN`, `COMMIT`, the schema).
    fn batch(&mut self, sql: &str) -> Result<(), String>;
    /// Runs one statement with parameters.
    fn execute(&mut self, sql: &str, params: &[Option<&str>]) -> Result<(), String>;
    /// The first column of the first row, if there is a row.
    fn query_one(
        &mut self,
        sql: &str,
        params: &[Option<&str>],
    ) -> Result<Option<Option<String>>, String>;
    /// The first column of every row.
    fn query_all(&mut self, sql: &str, params: &[Option<&str>]) -> Result<Vec<String>, String>;
}

/// A store that can't be used refuses the move before anything is sent:
/// `invalid_request` at `journal`, as an unusable journal file does.
pub(crate) fn invalid(reason: String) -> Error {
    Error::InvalidRequest {
        field: "journal".into(),
        reason,
    }
}

/// The protocol over one connection.
pub(crate) struct Protocol<'c, C: SqlConn> {
    pub(crate) conn: &'c mut C,
    pub(crate) sql: KeySql,
    /// Names the store in errors (`the SQLite store moves.sqlite`).
    pub(crate) name: &'c str,
}

impl<C: SqlConn> Protocol<'_, C> {
    fn err(&self, e: String) -> Error {
        invalid(format!("{}: {e}", self.name))
    }

    /// Creates the tables when missing.
    pub(crate) fn schema(&mut self) -> Result<(), Error> {
        for statement in self.sql.schema {
            self.conn.batch(statement).map_err(|e| self.err(e))?;
        }
        Ok(())
    }

    /// See `SqliteStore::claim`.
    pub(crate) fn claim(&mut self, claim: &Claim<'_>) -> Result<KeyDecision, Error> {
        let key_claim = KeyClaim {
            intent: claim.intent.clone(),
            holder: claim.holder.to_owned(),
            lease_ms: claim.lease_ms,
            settled_now: claim.settled_now,
        };
        self.claim_key(&key_claim, claim.now_ms).map(|a| a.decision)
    }

    /// See `SqliteStore::claim_key`: one transaction that reads the key's
    /// record (locked), asks the core ([`KeyClaim::decide`]) and writes
    /// what it says.
    pub(crate) fn claim_key(
        &mut self,
        claim: &KeyClaim,
        now_ms: i64,
    ) -> Result<ClaimAnswer, Error> {
        let (Some(server), Some(key)) = (claim.intent.server.as_deref(), claim.key()) else {
            return Err(Error::InvalidRequest {
                field: "key".into(),
                reason: "a claim's intent names its server and its key".into(),
            });
        };
        self.transaction(|p| {
            if let Some(ensure) = p.sql.ensure_row {
                p.conn
                    .execute(ensure, &[Some(server), Some(key.as_str())])
                    .map_err(|e| p.err(e))?;
            }
            let record = p.select(server, key)?;
            let (mut answer, write) = claim.decide(record, now_ms)?;
            if let Some(write) = write {
                p.upsert(&write.record)?;
                p.append(server, &claim.intent.id, Some(key), &write.line)?;
            }
            if let Some(prefix) = answer.batch_to_refine() {
                let lines = p
                    .conn
                    .query_all(p.sql.batch_lines, &[Some(&prefix)])
                    .map_err(|e| p.err(e))?;
                let text: String = lines
                    .iter()
                    .map(|l| format!("{}\n", l.trim_end()))
                    .collect();
                answer.refine(&Journal::read(&text)?);
            }
            Ok(answer)
        })
    }

    /// See `SqliteStore::record`.
    pub(crate) fn record(
        &mut self,
        server: &str,
        key: &OperationKey,
        journal_id: &str,
        state: KeyState,
        message: Option<&str>,
        line: &str,
    ) -> Result<(), Error> {
        self.transaction(|p| p.keyed_line(server, key, journal_id, Some(state), message, line))
    }

    /// Inside a transaction: the line of a keyed move's outcome or
    /// settlement. Its `state` updates the key's record when the line is
    /// about the key's last attempt (a late line of an earlier attempt
    /// leaves the key alone); the line is appended either way.
    fn keyed_line(
        &mut self,
        server: &str,
        key: &OperationKey,
        journal_id: &str,
        state: Option<KeyState>,
        message: Option<&str>,
        line: &str,
    ) -> Result<(), Error> {
        if let (Some(record), Some(state)) = (self.select(server, key)?, state) {
            if let Some(after) = record.after(journal_id, state, message) {
                self.upsert(&after)?;
            }
        }
        self.append(server, journal_id, Some(key), line)
    }

    /// Writes journal lines the driver made, in one transaction: a line of
    /// a keyed move's outcome or settlement also updates its key's record;
    /// any other line is appended. A keyed intent is refused: a key is
    /// claimed with its intent ([`Protocol::claim`]), never appended.
    pub(crate) fn write_lines(&mut self, lines: &[String]) -> Result<(), Error> {
        let records = lines
            .iter()
            .map(|line| {
                serde_json::from_str::<JournalRecord>(line.trim_end_matches('\n'))
                    .map_err(|e| invalid(format!("{}: not a journal line: {e}", self.name)))
            })
            .collect::<Result<Vec<_>, Error>>()?;
        self.transaction(|p| {
            for (record, line) in records.iter().zip(lines) {
                let server = record.server.as_deref().unwrap_or_default();
                match (&record.key, record.event) {
                    (Some(_), JournalEvent::Intent) => {
                        return Err(invalid(format!(
                            "{}: a keyed intent is written by its claim, not appended",
                            p.name
                        )));
                    }
                    (Some(key), _) => {
                        let state = record.state.as_deref().and_then(KeyState::from_name);
                        p.keyed_line(
                            server,
                            key,
                            &record.id,
                            state,
                            record.message.as_deref(),
                            line,
                        )?;
                    }
                    (None, _) => p.append(server, &record.id, None, line)?,
                }
            }
            Ok(())
        })
    }

    /// Appends the line of a move without a key.
    pub(crate) fn append_line(
        &mut self,
        server: &str,
        journal_id: &str,
        line: &str,
    ) -> Result<(), Error> {
        self.transaction(|p| p.append(server, journal_id, None, line))
    }

    /// The key's record.
    pub(crate) fn key(
        &mut self,
        server: &str,
        key: &OperationKey,
    ) -> Result<Option<KeyRecord>, Error> {
        self.select(server, key)
    }

    /// Every line, as JSON Lines text.
    pub(crate) fn export(&mut self) -> Result<String, Error> {
        let lines = self
            .conn
            .query_all(self.sql.lines, &[])
            .map_err(|e| self.err(e))?;
        let mut text = String::new();
        for line in lines {
            text.push_str(line.trim_end_matches('\n'));
            text.push('\n');
        }
        Ok(text)
    }

    fn select(&mut self, server: &str, key: &OperationKey) -> Result<Option<KeyRecord>, Error> {
        let text = self
            .conn
            .query_one(self.sql.select, &[Some(server), Some(key.as_str())])
            .map_err(|e| self.err(e))?;
        text.flatten()
            .map(|t| KeyRecord::from_json_text(&t))
            .transpose()
    }

    fn upsert(&mut self, record: &KeyRecord) -> Result<(), Error> {
        let text = record.to_json_text();
        self.conn
            .execute(
                self.sql.upsert,
                &[
                    Some(&record.server),
                    Some(record.key.as_str()),
                    Some(record.state.as_str()),
                    Some(&text),
                ],
            )
            .map_err(|e| self.err(e))
    }

    fn append(
        &mut self,
        server: &str,
        journal_id: &str,
        key: Option<&OperationKey>,
        line: &str,
    ) -> Result<(), Error> {
        self.conn
            .execute(
                self.sql.append,
                &[
                    Some(server),
                    Some(journal_id),
                    key.map(OperationKey::as_str),
                    Some(line.trim_end_matches('\n')),
                ],
            )
            .map_err(|e| self.err(e))
    }

    /// Runs `work` in one transaction: committed when it returns `Ok`,
    /// rolled back otherwise.
    fn transaction<T>(
        &mut self,
        work: impl FnOnce(&mut Self) -> Result<T, Error>,
    ) -> Result<T, Error> {
        self.conn.batch(self.sql.begin).map_err(|e| self.err(e))?;
        match work(self) {
            Ok(value) => match self.conn.batch(self.sql.commit) {
                Ok(()) => Ok(value),
                Err(e) => {
                    let _ = self.conn.batch(self.sql.rollback);
                    Err(self.err(e))
                }
            },
            Err(e) => {
                let _ = self.conn.batch(self.sql.rollback);
                Err(e)
            }
        }
    }
}

/// The public methods of a store type with a `with` method that runs a
/// closure on its `Protocol`: written once for `SqliteStore` and
/// `PostgresStore`.
macro_rules! store_methods {
    () => {
        /// Claims `claim.key` for one money move, in one transaction:
        /// reads the key's record, asks the core
        /// ([`idn_toto::decide_key`]), and on
        /// [`idn_toto::KeyDecision::Claim`] writes the claimed record and
        /// the intent line before committing. Any other decision writes
        /// nothing.
        pub fn claim(
            &self,
            claim: &$crate::Claim<'_>,
        ) -> Result<idn_toto::KeyDecision, idn_toto::Error> {
            self.with(|p| p.claim(claim))
        }

        /// A driver's [`idn_toto::Step::Claim`] at `now_ms`, in one
        /// transaction: what [`idn_toto::Driver::record_claim`] takes.
        pub fn claim_key(
            &self,
            claim: &idn_toto::KeyClaim,
            now_ms: i64,
        ) -> Result<idn_toto::ClaimAnswer, idn_toto::Error> {
            self.with(|p| p.claim_key(claim, now_ms))
        }

        /// Records the outcome or settlement `state` of the key's attempt
        /// `journal_id` with its journal line, in one transaction. A line
        /// of an earlier attempt (another journal id) is appended without
        /// changing the key.
        pub fn record(
            &self,
            server: &str,
            key: &idn_toto::OperationKey,
            journal_id: &str,
            state: idn_toto::KeyState,
            message: Option<&str>,
            line: &str,
        ) -> Result<(), idn_toto::Error> {
            self.with(|p| p.record(server, key, journal_id, state, message, line))
        }

        /// Writes journal lines as the driver made them (each ending in
        /// its newline), in one transaction: the line of a keyed move's
        /// outcome or settlement also updates its key's record. What a
        /// client with this store as its journal does with every line.
        pub fn append_lines(&self, lines: &[String]) -> Result<(), idn_toto::Error> {
            self.with(|p| p.write_lines(lines))
        }

        /// Appends the line of a move without a key.
        pub fn append(
            &self,
            server: &str,
            journal_id: &str,
            line: &str,
        ) -> Result<(), idn_toto::Error> {
            self.with(|p| p.append_line(server, journal_id, line))
        }

        /// The key's record on `server`, if the key was ever used there.
        pub fn key(
            &self,
            server: &str,
            key: &idn_toto::OperationKey,
        ) -> Result<Option<idn_toto::KeyRecord>, idn_toto::Error> {
            self.with(|p| p.key(server, key))
        }

        /// Every journal line, in the order written: the JSON Lines
        /// journal format (`journal export`), which every tool reads and
        /// settles.
        pub fn export(&self) -> Result<String, idn_toto::Error> {
            self.with(|p| p.export())
        }
    };
}
pub(crate) use store_methods;
