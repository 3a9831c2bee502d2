'use strict';
// The journal file: append-only JSON Lines. This file only does IO: the
// lines are made by the core's driver (journal steps) and read by the core
// (src/lib.rs: journalRead), and what the file needs is decided by the
// core's JournalAppender (src/lib.rs: WasmJournalAppender, handed over by
// index.cjs): a check of the whole file before the first append, the offset
// a torn last line is cut at (never completed), a new check after a failed
// append. An operation key's claim is decided by the core too
// (src/keys.rs: WasmKeyBook, the file's key records read once and kept
// current by this object's claims and appends; a file keeps no lease).

const fs = require('node:fs');
const { IdnTotoError } = require('./errors.cjs');

/**
 * What the journals need from the core, put here by index.cjs (this file
 * and stores.cjs do IO only): `appender()` (a fresh WasmJournalAppender),
 * `exportText(text)` (journal text as the core writes it back), and for the
 * SQL stores `keySql(dialect)`, `storeLine(line)`, `afterLine(record, line)`.
 */
const JOURNAL_CORE = {};
const CHUNK = 64 * 1024;
const { O_RDONLY, O_RDWR, O_APPEND, O_CREAT } = fs.constants;
// Not on every platform (Windows): there, a symbolic link is looked for first.
const O_NOFOLLOW = fs.constants.O_NOFOLLOW || 0;
// A FIFO is refused (not a regular file), not waited on.
const O_NONBLOCK = fs.constants.O_NONBLOCK || 0;

const LINK = 'it is a symbolic link (a journal is never followed through one)';

function isLink(path) {
  try {
    return fs.lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/** `e`, said plainly when it is O_NOFOLLOW refusing a link. */
function linkRefusal(e, path) {
  if (e && e.code === 'ELOOP' && isLink(path)) {
    return Object.assign(new Error(`idn-toto: journal ${path}: ${LINK}`), { code: 'ELOOP' });
  }
  return e;
}

/** The journal opened for reading and appending: a regular file reached without a link, created 0600. */
function openForAppend(path) {
  if (O_NOFOLLOW === 0 && isLink(path)) {
    throw Object.assign(new Error(`idn-toto: journal ${path}: ${LINK}`), { code: 'ELOOP' });
  }
  let fd;
  try {
    fd = fs.openSync(path, O_RDWR | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK, 0o600);
  } catch (e) {
    throw linkRefusal(e, path);
  }
  try {
    if (!fs.fstatSync(fd).isFile()) throw new Error(`idn-toto: journal ${path}: not a regular file`);
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
  return fd;
}

/** The core refused the file (a decode error naming the line): no tool could read it back. */
function unreadable(e, path) {
  if (!(e instanceof IdnTotoError) || e.kind !== 'decode') return e;
  const reason = `${path}: ${e.path}: ${e.reason}; a journal that can't be read back whole refuses every new `
    + 'money move (mend that line, or journal to another file)';
  return new IdnTotoError({ kind: 'invalid_request', message: `invalid request: journal: ${reason}`, field: 'journal', reason });
}

/**
 * A journal in the file at `path`. The file is opened once, never through a
 * symbolic link (O_NOFOLLOW), must be a regular file, and is created 0600.
 * Operation keys are claimed in it (`claim`): the core decides from the
 * key records this object keeps in memory (read from the file at its first
 * claim, kept current by its claims and appends, so a claim reads no file),
 * so a file honours keys for one process at a time, through one
 * FileJournal object (Node has no `flock`: this is said, not enforced) (share that object between clients; several
 * processes sharing keys: SqliteJournal or PostgresJournal).
 * Before the first append, and again after one that failed, the whole file
 * is read and checked by the core: a file no tool could read back (a
 * byte-order mark, a broken line, another file given by mistake) refuses
 * every append with an IdnTotoError (`invalid_request` at `journal`) naming
 * the line; a last line cut by a crash or a full disk is cut where the core
 * says, never completed. Each line is written with one write call (the rest
 * written again after a short write) and flushed to disk (fsync) before
 * `append` returns. Node runs JavaScript on one thread and these calls are
 * synchronous, so lines from concurrent calls (promises, clients sharing
 * one journal) never interleave. It holds only what the core writes: item
 * ids, canonical params, snapshots, states and scrubbed messages, never the
 * token.
 */
class FileJournal {
  #path;
  #fd = null;
  #core = null;
  /** The key records, read at the first claim and kept current by this object's claims and appends. */
  #book = null;

  /** @param {string} path */
  constructor(path) {
    if (typeof path !== 'string' || path === '') throw new TypeError('idn-toto: FileJournal needs a file path');
    this.#path = path;
  }

  /** The file's path. */
  get path() {
    return this.#path;
  }

  /**
   * Opens the file for appending (creating it, 0600) and checks it now
   * rather than at the first append: what settling a journal does before
   * it reads anything from the server. Throws when it can't be opened for
   * writing (read-only, a symbolic link, not a regular file) or read back
   * whole (naming the line).
   */
  open() {
    this.#ready();
  }

  /** Appends one line (one journal record and its newline) and syncs it to disk. */
  append(line) {
    const core = this.#appender();
    core.checkLine(line);
    this.#ready();
    const bytes = Buffer.from(line, 'utf8');
    try {
      let done = 0;
      while (done < bytes.length) done += fs.writeSync(this.#fd, bytes, done, bytes.length - done);
      fs.fsyncSync(this.#fd);
    } catch (e) {
      // The file may end in a fragment now: the core has it checked (and
      // cut) before the next append.
      if (core.current) core.appendFailed();
      throw e;
    }
    core.appended();
    if (this.#book !== null && this.#book.current) this.#book.recordLine(line);
  }

  /**
   * Claims an operation key (a client's claim step, `claim` made by the
   * core): the file is checked (a torn last line cut) and the core decides
   * against the key records this object keeps (read from the file once);
   * on a claim the intent line is appended and synced before this returns.
   * Synchronous: nothing of this process runs in between. Returns the
   * core's answer.
   */
  claim(claim, nowMs) {
    this.#ready();
    if (this.#book === null || !this.#book.current) this.#book = JOURNAL_CORE.keyBook(this.read());
    const answer = this.#book.decide(claim, nowMs);
    try {
      const { write } = answer;
      if (write !== undefined) {
        this.append(write.line);
        this.#book.recordClaim(answer);
      }
      if (answer.batchToRefine !== undefined) answer.refine(this.read());
    } catch (e) {
      answer.free();
      throw e;
    }
    return answer;
  }

  /**
   * Every line as JSON Lines text, as the core reads the file back (a torn
   * last line left out): what `idn-toto journal export` writes.
   */
  export() {
    return JOURNAL_CORE.exportText(this.read());
  }

  /** The whole file as text ('' when it does not exist yet); never read through a symbolic link. */
  read() {
    let fd;
    try {
      fd = fs.openSync(this.#path, O_RDONLY | O_NOFOLLOW);
    } catch (e) {
      if (e && e.code === 'ENOENT') return '';
      throw linkRefusal(e, this.#path);
    }
    try {
      return fs.readFileSync(fd, 'utf8');
    } finally {
      fs.closeSync(fd);
    }
  }

  /** Closes the file (a later append opens and checks it again). */
  close() {
    if (this.#fd !== null) {
      fs.closeSync(this.#fd);
      this.#fd = null;
    }
    if (this.#core !== null && this.#core.current) this.#core.free();
    this.#core = null;
  }

  /** The core's appender; a fresh one (which checks the file again) when the last was made in a retired wasm instance. */
  #appender() {
    if (this.#core === null || !this.#core.current) this.#core = JOURNAL_CORE.appender();
    return this.#core;
  }

  /** Opens the file if needed, and checks it (cutting a torn last line) when the core says so. */
  #ready() {
    if (this.#fd === null) this.#fd = openForAppend(this.#path);
    const core = this.#appender();
    if (!core.mustCheck) return;
    const fd = this.#fd;
    try {
      const buf = Buffer.alloc(CHUNK);
      let at = 0;
      for (;;) {
        const n = fs.readSync(fd, buf, 0, CHUNK, at);
        if (n === 0) break;
        core.feed(buf.subarray(0, n));
        at += n;
      }
      const cut = core.end();
      if (cut !== undefined) {
        fs.ftruncateSync(fd, cut);
        fs.fsyncSync(fd);
      }
    } catch (e) {
      if (core.current) core.appendFailed();
      throw unreadable(e, this.#path);
    }
  }

  toString() {
    return `FileJournal(${this.#path})`;
  }
}

module.exports = { FileJournal, JOURNAL_CORE };
