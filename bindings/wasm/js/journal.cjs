'use strict';
// The journal file: append-only JSON Lines. This file only does IO; the
// lines are made by the core's driver (journal steps) and read by the core
// (src/lib.rs: journalRead).

const fs = require('node:fs');

/**
 * What to do with a last line that has no newline (a write cut by a crash)
 * before appending after it: `isRecord(text)` says whether it is a whole
 * record (then it only lacks its newline, which is added), else it is a
 * fragment the core ignores on read, and it is cut off (left in place it
 * would become a bad line in the middle once something follows it).
 */
const RECORD_READER = Symbol('idn-toto record reader');

function repairTail(fd, isRecord) {
  const size = fs.fstatSync(fd).size;
  if (size === 0) return;
  const last = Buffer.alloc(1);
  fs.readSync(fd, last, 0, 1, size - 1);
  if (last[0] === 0x0a) return;
  const text = fs.readFileSync(fd);
  const cut = text.lastIndexOf(0x0a) + 1;
  if (isRecord(text.subarray(cut).toString('utf8'))) {
    fs.writeSync(fd, '\n');
  } else {
    fs.ftruncateSync(fd, cut);
  }
  fs.fsyncSync(fd);
}

/**
 * A journal in the file at `path`. Each line is written with one write call
 * and flushed to disk (fsync) before `append` returns. Node runs JavaScript
 * on one thread and these calls are synchronous, so lines from concurrent
 * calls (promises, clients sharing one journal) never interleave. It holds
 * only what the core writes: item ids, canonical params, snapshots, states
 * and scrubbed messages, never the token.
 */
class FileJournal {
  #path;
  #fd = null;
  #isRecord;

  /** @param {string} path */
  constructor(path) {
    if (typeof path !== 'string' || path === '') throw new TypeError('idn-toto: FileJournal needs a file path');
    this.#path = path;
    // The core's reader, asked whether a torn tail is a whole record
    // (index.cjs sets it: this file does IO only).
    this.#isRecord = FileJournal[RECORD_READER];
  }

  /** The file's path. */
  get path() {
    return this.#path;
  }

  /** Appends one line (ending in a newline) and syncs it to disk. */
  append(line) {
    if (this.#fd === null) {
      // 'a+': appends, and can read back a torn tail to repair it first.
      const fd = fs.openSync(this.#path, 'a+', 0o600);
      try {
        repairTail(fd, this.#isRecord);
      } catch (e) {
        fs.closeSync(fd);
        throw e;
      }
      this.#fd = fd;
    }
    const bytes = Buffer.from(line, 'utf8');
    const written = fs.writeSync(this.#fd, bytes, 0, bytes.length);
    if (written !== bytes.length) {
      // Reopened (and the torn line repaired) on the next append.
      this.close();
      // A short write to a regular file means the disk is full (or a quota
      // was hit): the line is torn, and the journal says so on read.
      throw new Error(`idn-toto: journal ${this.#path}: wrote ${written} of ${bytes.length} bytes`);
    }
    fs.fsyncSync(this.#fd);
  }

  /** The whole file as text ('' when it does not exist yet). */
  read() {
    try {
      return fs.readFileSync(this.#path, 'utf8');
    } catch (e) {
      if (e && e.code === 'ENOENT') return '';
      throw e;
    }
  }

  /** Closes the file (a later append opens it again). */
  close() {
    if (this.#fd !== null) {
      fs.closeSync(this.#fd);
      this.#fd = null;
    }
  }

  toString() {
    return `FileJournal(${this.#path})`;
  }
}

module.exports = { FileJournal, RECORD_READER };
