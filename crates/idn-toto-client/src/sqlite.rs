//! `SqliteStore`: the journal and the operation keys in one SQLite file,
//! shared by several processes on one machine (feature `sqlite`).
//!
//! IO only: the schema, the statements and every decision come from the
//! core ([`idn_toto::KeySql::SQLITE`], [`idn_toto::decide_key`],
//! [`idn_toto::KeyRecord`]); the claim protocol is `store.rs`'s.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use idn_toto::{Error, KeySql};
use rusqlite::{params_from_iter, Connection, OptionalExtension};

use crate::store::{invalid, store_methods, Protocol, SqlConn};

/// How long a statement waits for another process's write lock before it
/// fails (a claim holds it for a few milliseconds).
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The journal lines and the key records of money moves, in a SQLite file
/// (WAL mode, so readers never wait for writers; `synchronous=FULL`). Any
/// number of processes may use one file at once: a claim is one
/// `BEGIN IMMEDIATE` transaction, so two claimers of one key never both
/// see it free.
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    name: String,
    conn: Mutex<Connection>,
}

impl SqlConn for Connection {
    fn batch(&mut self, sql: &str) -> Result<(), String> {
        self.execute_batch(sql).map_err(|e| e.to_string())
    }

    fn execute(&mut self, sql: &str, params: &[Option<&str>]) -> Result<(), String> {
        Connection::execute(self, sql, params_from_iter(params))
            .map(drop)
            .map_err(|e| e.to_string())
    }

    fn query_one(
        &mut self,
        sql: &str,
        params: &[Option<&str>],
    ) -> Result<Option<Option<String>>, String> {
        self.query_row(sql, params_from_iter(params), |row| row.get(0))
            .optional()
            .map_err(|e| e.to_string())
    }

    fn query_all(&mut self, sql: &str, params: &[Option<&str>]) -> Result<Vec<String>, String> {
        let mut statement = self.prepare(sql).map_err(|e| e.to_string())?;
        let rows = statement
            .query_map(params_from_iter(params), |row| row.get::<_, String>(0))
            .map_err(|e| e.to_string())?;
        rows.collect::<Result<_, _>>().map_err(|e| e.to_string())
    }
}

impl SqliteStore {
    /// Opens (or creates, `0600` on Unix) the store at `path` and makes
    /// its tables when missing. Errors are `invalid_request` at `journal`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, Error> {
        let path = path.as_ref().to_path_buf();
        let name = format!("the SQLite store {}", path.display());
        let fail = |e: rusqlite::Error| invalid(format!("{name}: {e}"));
        let mut conn = Connection::open(&path).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            // Created with the umask's mode: narrowed to the owner, as the
            // JSON Lines journal is.
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| invalid(format!("{name}: {e}")))?;
        }
        conn.busy_timeout(BUSY_TIMEOUT).map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(fail)?;
        Protocol {
            conn: &mut conn,
            sql: KeySql::SQLITE,
            name: &name,
        }
        .schema()?;
        Ok(SqliteStore {
            path,
            name,
            conn: Mutex::new(conn),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn with<T>(
        &self,
        work: impl FnOnce(&mut Protocol<'_, Connection>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| invalid(format!("{}: poisoned by a panic", self.name)))?;
        work(&mut Protocol {
            conn: &mut conn,
            sql: KeySql::SQLITE,
            name: &self.name,
        })
    }

    store_methods!();
}
