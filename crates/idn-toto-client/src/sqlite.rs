//! `SqliteStore`: the journal and the operation keys in one SQLite file,
//! shared by several processes on one machine (feature `sqlite`).
//!
//! IO only: the schema, the statements and every decision come from the
//! core ([`idn_toto::KeySql::SQLITE`], [`idn_toto::decide_key`],
//! [`idn_toto::KeyRecord`]); this file opens the database and runs them, one
//! transaction per claim and per outcome (`docs/spec-notes.md` 183).

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use idn_toto::{
    decide_key, EndpointId, Error, KeyDecision, KeyRecord, KeySql, KeyState, OperationKey,
};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

const SQL: KeySql = KeySql::SQLITE;

/// How long a statement waits for another process's write lock before it
/// fails (a claim holds it for a few milliseconds).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The journal lines and the key records of money moves, in a SQLite file
/// (WAL mode, so readers never wait for writers). Any number of processes
/// may use one file at once: a claim is one `BEGIN IMMEDIATE` transaction,
/// so two claimers of one key never both see it free.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    conn: Mutex<Connection>,
}

/// A claim's inputs besides the key: what is sent, by whom, when.
#[derive(Debug, Clone)]
pub struct Claim<'a> {
    /// The server's fingerprint ([`idn_toto::Client::fingerprint`]).
    pub server: &'a str,
    /// The key.
    pub key: &'a OperationKey,
    /// The endpoint the move goes through.
    pub endpoint: EndpointId,
    /// The move's canonical parameters (`type` included).
    pub params: &'a Value,
    /// The journal id of this attempt.
    pub journal_id: &'a str,
    /// This claimer (unique per claim).
    pub holder: &'a str,
    /// Unix milliseconds now.
    pub now_ms: i64,
    /// How long the claim keeps others out.
    pub lease_ms: u64,
    /// The intent line, appended with the claim (it ends in a newline).
    pub intent_line: &'a str,
    /// The key's verdict comes from a settlement made for this claim.
    pub settled_now: bool,
}

impl SqliteStore {
    /// Opens (or creates, `0600` on Unix) the store at `path` and makes
    /// its tables when missing. Errors name `journal`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        let path = path.as_ref().to_path_buf();
        let conn = Connection::open(&path).map_err(|e| failed(&path, &e))?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Created by SQLite with the umask's mode: narrow it to the
            // owner, as the JSON Lines journal is.
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        conn.busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| failed(&path, &e))?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| failed(&path, &e))?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(|e| failed(&path, &e))?;
        for statement in SQL.schema {
            conn.execute(statement, []).map_err(|e| failed(&path, &e))?;
        }
        Ok(SqliteStore {
            path,
            conn: Mutex::new(conn),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Claims `claim.key` for one money move, in one transaction: reads the
    /// key's record, asks the core, and on [`KeyDecision::Claim`] writes
    /// the claimed record and the intent line before committing. Any other
    /// decision writes nothing.
    pub fn claim(&self, claim: &Claim<'_>) -> Result<KeyDecision, Error> {
        self.transaction(|conn| {
            let record = select(conn, claim.server, claim.key)?;
            let decision = decide_key(
                record.as_ref(),
                claim.params,
                claim.holder,
                claim.now_ms,
                claim.settled_now,
            )?;
            if decision == KeyDecision::Claim {
                let claimed = KeyRecord::claim(
                    claim.server,
                    claim.key,
                    claim.endpoint,
                    claim.params,
                    claim.journal_id,
                    claim.holder,
                    claim.now_ms,
                    claim.lease_ms,
                    record.as_ref(),
                );
                upsert(conn, &claimed)?;
                append(
                    conn,
                    claim.server,
                    claim.journal_id,
                    Some(claim.key),
                    claim.intent_line,
                )?;
            }
            Ok(decision)
        })
    }

    /// Records the outcome or settlement `state` of the key's attempt
    /// `journal_id` with its journal line, in one transaction. A line of an
    /// earlier attempt (another journal id) is appended without changing
    /// the key.
    pub fn record(
        &self,
        server: &str,
        key: &OperationKey,
        journal_id: &str,
        state: KeyState,
        message: Option<&str>,
        line: &str,
    ) -> Result<(), Error> {
        self.transaction(|conn| {
            if let Some(record) = select(conn, server, key)? {
                if record.journal_id == journal_id {
                    upsert(conn, &record.with_state(state, message))?;
                }
            }
            append(conn, server, journal_id, Some(key), line)
        })
    }

    /// Appends the line of a move without a key.
    pub fn append(&self, server: &str, journal_id: &str, line: &str) -> Result<(), Error> {
        self.transaction(|conn| append(conn, server, journal_id, None, line))
    }

    /// The key's record on `server`, if the key was ever used there.
    pub fn key(&self, server: &str, key: &OperationKey) -> Result<Option<KeyRecord>, Error> {
        let conn = self.lock()?;
        select(&conn, server, key)
    }

    /// Every journal line, in the order written: the JSON Lines journal
    /// format (`journal export`), which every tool reads and settles.
    pub fn export(&self) -> Result<String, Error> {
        let conn = self.lock()?;
        let mut statement = conn
            .prepare(SQL.lines)
            .map_err(|e| failed(&self.path, &e))?;
        let rows = statement
            .query_map([], |row| row.get::<_, String>(0))
            .map_err(|e| failed(&self.path, &e))?;
        let mut text = String::new();
        for line in rows {
            let line = line.map_err(|e| failed(&self.path, &e))?;
            text.push_str(&line);
            if !line.ends_with('\n') {
                text.push('\n');
            }
        }
        Ok(text)
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Connection>, Error> {
        self.conn
            .lock()
            .map_err(|_| invalid("the store's connection was poisoned by a panic".into()))
    }

    /// Runs `work` in one `BEGIN IMMEDIATE` transaction: committed when it
    /// returns `Ok`, rolled back otherwise.
    fn transaction<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let conn = self.lock()?;
        conn.execute_batch(SQL.begin)
            .map_err(|e| failed(&self.path, &e))?;
        match work(&conn) {
            Ok(value) => {
                if let Err(e) = conn.execute_batch(SQL.commit) {
                    let _ = conn.execute_batch(SQL.rollback);
                    return Err(failed(&self.path, &e));
                }
                Ok(value)
            }
            Err(e) => {
                let _ = conn.execute_batch(SQL.rollback);
                Err(e)
            }
        }
    }
}

fn select(conn: &Connection, server: &str, key: &OperationKey) -> Result<Option<KeyRecord>, Error> {
    let text: Option<Option<String>> = conn
        .query_row(SQL.select, params![server, key.as_str()], |row| row.get(0))
        .optional()
        .map_err(|e| sql_error(&e))?;
    text.flatten()
        .map(|t| KeyRecord::from_json_text(&t))
        .transpose()
}

fn upsert(conn: &Connection, record: &KeyRecord) -> Result<(), Error> {
    conn.execute(
        SQL.upsert,
        params![
            record.server,
            record.key.as_str(),
            record.state.as_str(),
            record.to_json_text()
        ],
    )
    .map(drop)
    .map_err(|e| sql_error(&e))
}

fn append(
    conn: &Connection,
    server: &str,
    journal_id: &str,
    key: Option<&OperationKey>,
    line: &str,
) -> Result<(), Error> {
    conn.execute(
        SQL.append,
        params![
            server,
            journal_id,
            key.map(OperationKey::as_str),
            line.trim_end_matches('\n')
        ],
    )
    .map(drop)
    .map_err(|e| sql_error(&e))
}

fn failed(path: &Path, e: &rusqlite::Error) -> Error {
    invalid(format!("the SQLite store {}: {e}", path.display()))
}

fn sql_error(e: &rusqlite::Error) -> Error {
    invalid(format!("the SQLite store: {e}"))
}

/// A store that can't be used refuses the move before anything is sent:
/// `invalid_request` at `journal`, as an unusable journal file does.
fn invalid(reason: String) -> Error {
    Error::InvalidRequest {
        field: "journal".into(),
        reason,
    }
}
