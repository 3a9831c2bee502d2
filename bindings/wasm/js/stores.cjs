'use strict';
// The SQL journals: SQLite (node:sqlite, built into Node >= 22) and
// Postgres (the optional peer dependency `pg`). IO only: the schema and
// every statement are the core's (src/keys.rs keySql: KeySql::SQLITE,
// KeySql::POSTGRES), what a claim writes is the core's decision
// (claim.decide), and what a journal line writes too (storeLine,
// afterLine). The claim protocol below is the one of the Rust stores
// (crates/idn-toto-client/src/store.rs): one transaction per claim and per
// line. It is written once, as generators that yield each statement, run
// synchronously for SQLite (a transaction never spans an await, so two
// connections of one process never wait on each other) and asynchronously
// for Postgres.

const fs = require('node:fs');
const { IdnTotoError } = require('./errors.cjs');
const { JOURNAL_CORE } = require('./journal.cjs');

/** How long a statement waits for another process's write lock (SQLite), as the Rust store. */
const BUSY_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------- protocol
// Each step yields [operation, sql, params]: `run` (no rows), `one` (the
// first column of the first row; undefined without a row), `all` (the
// first column of every row).

/** `body` in one transaction: committed when it returns, rolled back when it throws. */
function* transaction(sql, body) {
  yield ['run', sql.begin, []];
  let value;
  try {
    value = yield* body;
  } catch (e) {
    try {
      yield ['run', sql.rollback, []];
    } catch {
      // The transaction's own failure is the one to report.
    }
    throw e;
  }
  yield ['run', sql.commit, []];
  return value;
}

/**
 * A key's claim: the key's record read (locked), the core's decision, and
 * what it says written; a settle of a batch item refined by its batch's
 * lines. Returns the core's answer.
 */
function* claimSteps(sql, claim, nowMs) {
  const at = [claim.server, claim.key];
  if (sql.ensureRow !== null) yield ['run', sql.ensureRow, at];
  const record = yield ['one', sql.select, at];
  const answer = claim.decide(record === null ? undefined : record, nowMs);
  try {
    const { write } = answer;
    if (write !== undefined) {
      yield ['run', sql.upsert, write.upsert];
      yield ['run', sql.append, write.append];
    }
    const prefix = answer.batchToRefine;
    if (prefix !== undefined) {
      const lines = yield ['all', sql.batchLines, [prefix]];
      answer.refine(lines.map((l) => `${l.trimEnd()}\n`).join(''));
    }
  } catch (e) {
    answer.free();
    throw e;
  }
  return answer;
}

/** One journal line the driver made: a keyed line updates its key's record (as the core says), and the line is appended. */
function* lineSteps(sql, line) {
  const { select, append } = JOURNAL_CORE.storeLine(line);
  if (select !== null) {
    const record = yield ['one', sql.select, select];
    if (record !== undefined && record !== null) {
      const upsert = JOURNAL_CORE.afterLine(record, line);
      if (upsert !== undefined) yield ['run', sql.upsert, upsert];
    }
  }
  yield ['run', sql.append, append];
}

/** Every line, as JSON Lines text. */
function* exportSteps(sql) {
  const lines = yield ['all', sql.lines, []];
  return lines.map((l) => `${l.replace(/\n+$/, '')}\n`).join('');
}

/** Runs steps against a connection whose operations return at once. */
function runSync(conn, steps) {
  let next = steps.next();
  while (!next.done) {
    const [op, text, params] = next.value;
    let result;
    try {
      result = conn[op](text, params);
    } catch (e) {
      next = steps.throw(e);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

/** Runs steps against a connection whose operations return promises. */
async function runAsync(conn, steps) {
  let next = steps.next();
  while (!next.done) {
    const [op, text, params] = next.value;
    let result;
    try {
      result = await conn[op](text, params);
    } catch (e) {
      next = steps.throw(e);
      continue;
    }
    next = steps.next(result);
  }
  return next.value;
}

/** A store failure as the core's refusal of the journal (the store named, never a connection string). */
function storeError(name, e) {
  if (e instanceof IdnTotoError) return e; // the core's own
  const reason = `${name}: ${e instanceof Error ? e.message : String(e)}`;
  return new IdnTotoError({ kind: 'invalid_request', message: `invalid request: journal: ${reason}`, field: 'journal', reason });
}

// ------------------------------------------------------------------ SQLite

/** node:sqlite, or a clear error on a Node without it. */
function loadSqlite() {
  try {
    return require('node:sqlite');
  } catch (e) {
    throw new Error(`idn-toto: SqliteJournal needs node:sqlite (Node >= 22.5; this is Node ${process.versions.node}): ${e.message}`);
  }
}

/**
 * The journal and the operation keys in a SQLite file (node:sqlite), shared
 * by any number of processes on one machine: WAL mode (readers never wait
 * for writers), `synchronous=FULL`, a busy timeout of 30 s, each claim one
 * `BEGIN IMMEDIATE` transaction, so two claimers of one key never both see
 * it free. The file is created 0600. Synchronous, like FileJournal: a
 * transaction never spans an await.
 */
class SqliteJournal {
  #path;
  #busyTimeoutMs;
  #db = null;
  #sql = null;
  #statements = new Map();

  /**
   * @param {string} path the database file (created when missing)
   * @param {{ busyTimeoutMs?: number }} [options]
   */
  constructor(path, options) {
    if (typeof path !== 'string' || path === '') throw new TypeError('idn-toto: SqliteJournal needs a file path');
    const o = options || {};
    const busy = o.busyTimeoutMs === undefined ? BUSY_TIMEOUT_MS : o.busyTimeoutMs;
    if (!Number.isSafeInteger(busy) || busy < 0) throw new TypeError('idn-toto: busyTimeoutMs must be a whole number of milliseconds, 0 or more');
    this.#path = path;
    this.#busyTimeoutMs = busy;
  }

  /** The database file. */
  get path() {
    return this.#path;
  }

  /** Opens the file (creating it 0600, and the tables when missing). Throws when it can't. */
  open() {
    this.#conn();
  }

  /** Claims an operation key (a client's claim step): one `BEGIN IMMEDIATE` transaction; returns the core's answer. */
  claim(claim, nowMs) {
    const sql = this.#sqlOf();
    return this.#run(transaction(sql, claimSteps(sql, claim, nowMs)));
  }

  /** Writes one journal line the driver made (a keyed line also updates its key's record), in one transaction. */
  append(line) {
    const sql = this.#sqlOf();
    this.#run(transaction(sql, lineSteps(sql, line)));
  }

  /** Every line, in the order written, as JSON Lines text. */
  export() {
    return this.#run(exportSteps(this.#sqlOf()));
  }

  /** The same as `export()`: what the client reads (`unsettled`, `settleUnsettled`). */
  read() {
    return this.export();
  }

  /** Closes the database (a later call opens it again). */
  close() {
    if (this.#db !== null) {
      this.#statements.clear();
      this.#db.close();
      this.#db = null;
    }
  }

  toString() {
    return `SqliteJournal(${this.#path})`;
  }

  #sqlOf() {
    if (this.#sql === null) this.#sql = JOURNAL_CORE.keySql('sqlite');
    return this.#sql;
  }

  /** Runs the protocol's steps on the connection. */
  #run(steps) {
    const conn = this.#conn();
    try {
      return runSync(conn, steps);
    } catch (e) {
      throw storeError(`the SQLite journal ${this.#path}`, e);
    }
  }

  #conn() {
    if (this.#db === null) {
      const name = `the SQLite journal ${this.#path}`;
      const { DatabaseSync } = loadSqlite();
      let db;
      try {
        // Created 0600 (the umask can only narrow it), and narrowed if it existed.
        fs.closeSync(fs.openSync(this.#path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600));
        fs.chmodSync(this.#path, 0o600);
        db = new DatabaseSync(this.#path);
        db.exec(`PRAGMA busy_timeout = ${this.#busyTimeoutMs}`);
        db.exec('PRAGMA journal_mode = WAL');
        db.exec('PRAGMA synchronous = FULL');
        for (const statement of this.#sqlOf().schema) db.exec(statement);
      } catch (e) {
        if (db !== undefined) db.close();
        throw storeError(name, e);
      }
      this.#db = db;
    }
    const db = this.#db;
    const statements = this.#statements;
    const prepared = (text) => {
      let s = statements.get(text);
      if (s === undefined) {
        s = db.prepare(text);
        statements.set(text, s);
      }
      return s;
    };
    const first = (row) => (row === undefined ? undefined : Object.values(row)[0]);
    return {
      run: (text, params) => {
        if (params.length === 0) db.exec(text);
        else prepared(text).run(...params);
      },
      one: (text, params) => first(prepared(text).get(...params)),
      all: (text, params) => prepared(text).all(...params).map(first),
    };
  }
}

// ---------------------------------------------------------------- Postgres

/** The `pg` module: given, or the optional peer dependency, with a clear error when it is not installed. */
function loadPg(given) {
  if (given !== undefined) return given;
  try {
    return require('pg');
  } catch (e) {
    if (e && e.code === 'MODULE_NOT_FOUND') {
      throw new Error('idn-toto: PostgresJournal needs the npm package `pg` (an optional peer dependency of idn-toto): npm install pg');
    }
    throw e;
  }
}

/**
 * The journal and the operation keys in a Postgres database (the npm
 * package `pg`, an optional peer dependency), shared by back offices on
 * several machines: a claim first makes sure the key has a row (`INSERT
 * ... ON CONFLICT DO NOTHING`), then locks it (`SELECT ... FOR UPDATE`), so
 * two claimers never both see a key free. Asynchronous: every method
 * returns a promise (the client awaits them). The connection settings are
 * never shown (they may hold a password); without one, `pg` reads
 * `PGPASSWORD` as libpq does.
 */
class PostgresJournal {
  #pool;
  #ready = null;
  #sql = null;

  /**
   * @param {string | object} connection a connection string or URL
   *   (`postgres://user@db.internal/backoffice`), or a `pg` pool config
   *   (`{ host, port, user, database }`)
   * @param {{ max?: number, pg?: object }} [options] `max`: connections in
   *   the pool (default 4); `pg`: the `pg` module to use (default: `require('pg')`)
   */
  constructor(connection, options) {
    const o = options || {};
    const pg = loadPg(o.pg);
    let config;
    if (typeof connection === 'string' && connection !== '') config = { connectionString: connection };
    else if (connection !== null && typeof connection === 'object') config = { ...connection };
    else throw new TypeError('idn-toto: PostgresJournal needs a connection string or a pg pool config');
    if (o.max !== undefined) {
      if (!Number.isSafeInteger(o.max) || o.max < 1) throw new TypeError('idn-toto: max must be a positive whole number');
      config.max = o.max;
    } else if (config.max === undefined) {
      config.max = 4;
    }
    this.#pool = new pg.Pool(config);
    // An idle connection that fails is dropped by the pool; its error is not the caller's.
    this.#pool.on('error', () => {});
  }

  /** Connects and makes the tables when missing. */
  async open() {
    await this.#schema();
  }

  /** Claims an operation key (a client's claim step), in one transaction on one connection; resolves to the core's answer. */
  async claim(claim, nowMs) {
    return this.#run((sql) => transaction(sql, claimSteps(sql, claim, nowMs)));
  }

  /** Writes one journal line the driver made (a keyed line also updates its key's record), in one transaction. */
  async append(line) {
    await this.#run((sql) => transaction(sql, lineSteps(sql, line)));
  }

  /** Every line, in the order written, as JSON Lines text. */
  async export() {
    return this.#run((sql) => exportSteps(sql));
  }

  /** The same as `export()`: what the client reads (`unsettled`, `settleUnsettled`). */
  async read() {
    return this.export();
  }

  /** Closes the pool's connections (the journal can't be used after). */
  async close() {
    await this.#pool.end();
  }

  toString() {
    return 'PostgresJournal';
  }

  [Symbol.for('nodejs.util.inspect.custom')]() {
    return 'PostgresJournal { .. }';
  }

  #sqlOf() {
    if (this.#sql === null) this.#sql = JOURNAL_CORE.keySql('postgres');
    return this.#sql;
  }

  /**
   * The tables, made once. Two processes creating them at the same moment
   * collide in Postgres's catalog (seen: 23505 on `pg_type`, 42710 type
   * already exists, 42P07 relation already exists); `IF NOT EXISTS` holds
   * once the other has finished, so the schema is tried again (five times
   * at most) on any error the server reports.
   */
  #schema() {
    if (this.#ready === null) {
      this.#ready = (async () => {
        for (let attempt = 0; ; attempt += 1) {
          try {
            for (const statement of this.#sqlOf().schema) await this.#pool.query(statement);
            return;
          } catch (e) {
            const server = e && typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code);
            if (attempt >= 4 || !server) throw e;
          }
        }
      })().catch((e) => {
        this.#ready = null;
        throw storeError('the Postgres journal', e);
      });
    }
    return this.#ready;
  }

  async #run(make) {
    await this.#schema();
    let client;
    try {
      client = await this.#pool.connect();
    } catch (e) {
      throw storeError('the Postgres journal', e);
    }
    let broken = false;
    const conn = {
      run: async (text, params) => {
        await client.query(text, params);
      },
      one: async (text, params) => {
        const { rows } = await client.query({ text, values: params, rowMode: 'array' });
        return rows.length === 0 ? undefined : rows[0][0];
      },
      all: async (text, params) => {
        const { rows } = await client.query({ text, values: params, rowMode: 'array' });
        return rows.map((r) => r[0]);
      },
    };
    try {
      return await runAsync(conn, make(this.#sqlOf()));
    } catch (e) {
      broken = true;
      throw storeError('the Postgres journal', e);
    } finally {
      // A connection whose transaction failed is not reused.
      client.release(broken);
    }
  }
}

module.exports = { SqliteJournal, PostgresJournal };
