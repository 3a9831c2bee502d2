//! `PostgresStore`: the journal and the operation keys in a Postgres
//! database, shared by back offices on several machines (feature
//! `postgres`).
//!
//! IO only: the schema, the statements and every decision come from the
//! core ([`idn_toto::KeySql::POSTGRES`], [`idn_toto::decide_key`]); the
//! claim protocol is `store.rs`'s. A claim first makes sure the key has a
//! row (`INSERT ... ON CONFLICT DO NOTHING`: a second claimer waits for the
//! first's transaction), then locks it (`SELECT ... FOR UPDATE`), so two
//! claimers on any machines never both see a key free.

use std::sync::Mutex;

use idn_toto::{Error, KeySql};
use postgres::types::ToSql;
use postgres::{Client, NoTls};

use crate::store::{invalid, store_methods, Protocol, SqlConn};

/// The journal lines and the key records of money moves, in Postgres.
/// Connects without TLS (a database on the back office's own network or
/// a socket); the connection string is never shown (it may hold a
/// password).
pub struct PostgresStore {
    conn: Mutex<Client>,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PostgresStore { .. }")
    }
}

const NAME: &str = "the Postgres store";

impl SqlConn for Client {
    fn batch(&mut self, sql: &str) -> Result<(), String> {
        self.batch_execute(sql).map_err(|e| reason(&e))
    }

    fn execute(&mut self, sql: &str, params: &[Option<&str>]) -> Result<(), String> {
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        Client::execute(self, sql, &params)
            .map(drop)
            .map_err(|e| reason(&e))
    }

    fn query_one(
        &mut self,
        sql: &str,
        params: &[Option<&str>],
    ) -> Result<Option<Option<String>>, String> {
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.query_opt(sql, &params)
            .map(|row| row.map(|r| r.get::<_, Option<String>>(0)))
            .map_err(|e| reason(&e))
    }

    fn query_all(&mut self, sql: &str, params: &[Option<&str>]) -> Result<Vec<String>, String> {
        let params: Vec<&(dyn ToSql + Sync)> =
            params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
        self.query(sql, &params)
            .map(|rows| rows.iter().map(|r| r.get::<_, String>(0)).collect())
            .map_err(|e| reason(&e))
    }
}

impl PostgresStore {
    /// Connects with a libpq-style connection string or URL
    /// (`host=/run/postgresql dbname=backoffice`,
    /// `postgres://user@db.internal/backoffice`) and makes the tables when
    /// missing. Errors are `invalid_request` at `journal`, and never show
    /// the connection string.
    /// Without a password in `dsn`, the `PGPASSWORD` environment variable's
    /// is used when set (as libpq does), so none need be on a command line.
    pub fn connect(dsn: &str) -> Result<PostgresStore, Error> {
        let mut config: postgres::Config = dsn.parse().map_err(|e: postgres::Error| {
            invalid(format!("{NAME}: not a connection string: {}", reason(&e)))
        })?;
        if config.get_password().is_none() {
            if let Ok(password) = std::env::var("PGPASSWORD") {
                config.password(password);
            }
        }
        let mut conn = config
            .connect(NoTls)
            .map_err(|e| invalid(format!("{NAME}: cannot connect: {}", reason(&e))))?;
        Protocol {
            conn: &mut conn,
            sql: KeySql::POSTGRES,
            name: NAME,
        }
        .schema()?;
        Ok(PostgresStore {
            conn: Mutex::new(conn),
        })
    }

    fn with<T>(
        &self,
        work: impl FnOnce(&mut Protocol<'_, Client>) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let mut conn = self
            .conn
            .lock()
            .map_err(|_| invalid(format!("{NAME}: poisoned by a panic")))?;
        work(&mut Protocol {
            conn: &mut conn,
            sql: KeySql::POSTGRES,
            name: NAME,
        })
    }

    store_methods!();
}

/// A connection error in words, without the connection string.
fn reason(e: &postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |db| db.message().to_owned())
}
