'use strict';
// The JavaScript client around the idn-toto core (WebAssembly).
//
// This file only converts and does IO. Every call, batch, paging run and
// settlement is one core driver (src/lib.rs `WasmDriver`, the core's
// `Driver`) run by the one IO loop below (`Client#run`): send, sleep,
// append a journal line, claim an operation key in the journal, report an
// event, hand out a page, finish. Validation, URLs, parsing, retries and
// their delays (Retry-After included), outcome-unknown, batch splitting,
// journal lines, operation keys (what a claim decides and writes), paging
// and settling are all the core's.

const { randomUUID } = require('node:crypto');
const diagnostics = require('node:diagnostics_channel');
const METHODS = require('./methods.cjs');
const { IdnTotoError, KeyInUseError, KeyConflictError, fromDetail } = require('./errors.cjs');
const { FileJournal, JOURNAL_CORE } = require('./journal.cjs');
const { SqliteJournal, PostgresJournal } = require('./stores.cjs');
const { defaultTransport, agentProblem, RawHeaders } = require('./transport.cjs');

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
const encoder = new TextEncoder();
/** Every client's events are also published here (`diagnostics_channel`). */
const EVENTS = diagnostics.channel('idn-toto:event');

// The WebAssembly instance. A trap (an allocation failure, `unreachable`)
// may leave an instance's memory half-updated, so the instance is never
// used again after one: the module is instantiated afresh (a new require of
// the glue), and every object made in the old one is made again on next use.
const GLUE = require.resolve('./wasm/idn_toto_wasm.js');
let wasm = require(GLUE);
let generation = 0;
/** The driver's step kinds (src/lib.rs `StepKind`; the same in every instance). */
const { Send: SEND, Wait: WAIT, Journal: JOURNAL, Claim: CLAIM, Event: EVENT, Page: PAGE } = wasm.StepKind;
// The defaults every host starts from: the core's one table
// (`Settings::DEFAULT`), never written here.
const DEFAULTS = wasm.defaults();
const DEFAULT_TIMEOUT_MS = DEFAULTS.timeout_ms;
const DEFAULT_MAX_PAGES = DEFAULTS.max_pages;
const DEFAULT_SETTLE_DELAY_MS = DEFAULTS.settle_delay_ms;
const DEFAULT_SNAPSHOTS = DEFAULTS.snapshots;
const DEFAULT_LEASE_MS = DEFAULTS.lease_ms;

/** A trap inside the core (never one of its error values). */
function isTrap(e) {
  return e instanceof WebAssembly.RuntimeError
    || (e instanceof RangeError && /call stack/i.test(e.message));
}

function reinstantiate() {
  delete require.cache[GLUE];
  wasm = require(GLUE);
  generation += 1;
}

// The deposit matcher's WebAssembly module (bindings/wasm-matcher): its own
// module, so the main one above carries none of its code. Loaded (compiled
// and instantiated) the first time a matcher function is called; nothing
// crosses between the two modules but JavaScript values. It keeps no
// objects between calls, so after a trap the next call simply loads it
// afresh.
const MATCHER_GLUE = require.resolve('./wasm/idn_toto_wasm_matcher.js');
let matcherWasm = null;

/** The matcher's module, loaded on first use. */
function matcher() {
  if (matcherWasm === null) matcherWasm = require(MATCHER_GLUE);
  return matcherWasm;
}

/** Runs a call into the matcher's module, as `core` does for the main one. */
function matcherCore(fn) {
  try {
    return fn(matcher());
  } catch (e) {
    if (isTrap(e)) {
      delete require.cache[MATCHER_GLUE];
      matcherWasm = null;
    }
    throw toError(e);
  }
}

/** What a core method threw, as a JavaScript error: a core error becomes IdnTotoError; anything else passes. */
function toError(thrown) {
  if (thrown instanceof wasm.CoreError || (matcherWasm !== null && thrown instanceof matcherWasm.CoreError)) {
    const { detail } = thrown;
    thrown.free();
    return fromDetail(detail);
  }
  return thrown;
}

/** Runs a core call: its error becomes IdnTotoError; a trap retires the instance and is rethrown. */
function core(fn) {
  try {
    return fn();
  } catch (e) {
    if (isTrap(e)) reinstantiate();
    throw toError(e);
  }
}

/**
 * The error for an answer the core trapped on while reading it: an
 * undecodable body (an unknown outcome for a request that moves money).
 */
function trapError(e, idempotent) {
  const reason = `the core stopped reading the body (${e.name}: ${e.message}); nothing was parsed`;
  const decode = { kind: 'decode', message: `undecodable response at $: ${reason}`, path: '$', reason };
  if (idempotent) return new IdnTotoError(decode);
  return new IdnTotoError({ kind: 'outcome_unknown', message: `outcome unknown: ${decode.message}`, cause: decode });
}

function invalid(field, reason) {
  return new IdnTotoError({ kind: 'invalid_request', message: `invalid request: ${field}: ${reason}`, field, reason });
}

/**
 * Canonical params as JSON text. JS numbers are binary floats: one that is
 * not a safe integer (`0.1 + 0.2`, `2 ** 60`) is refused, naming the field as
 * the core does (`amount`, `transaction[0].amount`); strings and bigints
 * are exact and pass as decimal text.
 */
function paramsText(value, root = '') {
  const walk = (v, path) => {
    if (typeof v === 'bigint') return v.toString();
    if (typeof v === 'number') {
      if (Number.isSafeInteger(v)) return v;
      throw invalid(path || 'params', `must not be the JS number ${String(v)}: only safe integers are exact; `
        + 'pass a decimal string or a bigint');
    }
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${path}[${i}]`));
    if (v !== null && typeof v === 'object') {
      // What JSON.stringify would write, checked the same way: a boxed
      // `new Number(0.1 + 0.2)` or an object whose toJSON gives a float is
      // a JS number all the same.
      if (v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt) {
        return walk(v.valueOf(), path);
      }
      if (typeof v.toJSON === 'function') return walk(v.toJSON(), path);
      const out = {};
      for (const [key, item] of Object.entries(v)) out[key] = walk(item, path ? `${path}.${key}` : key);
      return out;
    }
    return v;
  };
  return JSON.stringify(walk(value === undefined ? null : value, root));
}

/** A request to send: the real URL in `url`; every printed form is redacted. */
class RequestDescriptor {
  /** @param {object} r the core's request (a wasm `WasmRequest`: read once, then freed) */
  constructor(r) {
    this.endpoint = r.endpoint;
    this.method = r.method;
    this.url = r.url;
    this.redactedUrl = r.redactedUrl;
    this.headers = Object.freeze(r.headers);
    const { body } = r;
    this.body = body === undefined ? null : body;
    this.idempotent = r.idempotent;
    r.free();
    Object.freeze(this);
  }

  toString() {
    return `${this.method} ${this.redactedUrl}`;
  }

  toJSON() {
    return {
      endpoint: this.endpoint,
      method: this.method,
      url: this.redactedUrl,
      headers: this.headers,
      body: this.body,
      idempotent: this.idempotent,
    };
  }

  [inspectSymbol](depth, options, inspect) {
    const shown = this.toJSON();
    return `RequestDescriptor ${inspect ? inspect(shown, options) : JSON.stringify(shown)}`;
  }
}

/** Why a transport failed, as text for the core (which scrubs the token). */
function reasonOf(e) {
  if (e instanceof Error) {
    const code = e.cause && typeof e.cause === 'object' && e.cause.code ? ` (${e.cause.code})` : '';
    return `${e.message}${code}`;
  }
  return String(e);
}

/** Why an aborted call stopped, as the transport failure the core records. */
function abortReason(signal) {
  return `aborted (${reasonOf(signal.reason)})`;
}

/**
 * Response headers as `[name, value, ...]` for the core: the default
 * transport's `RawHeaders` (already that list), a `Headers` (or
 * anything iterable of [name, value]), a plain object (Node's
 * `IncomingMessage.headers`: an array value, such as `set-cookie`, is one
 * pair per element; an undefined one is skipped), or none.
 */
function headerPairs(headers) {
  if (headers instanceof RawHeaders) return headers.flat;
  const pairs = [];
  if (headers === undefined || headers === null) return pairs;
  const entries = typeof headers[Symbol.iterator] === 'function' ? headers : Object.entries(headers);
  for (const [name, value] of entries) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      for (const item of value) pairs.push(String(name), String(item));
    } else {
      pairs.push(String(name), String(value));
    }
  }
  return pairs;
}

/** A transport answer checked into (status, header pairs, bytes), or a reason it is not. */
function answer(response) {
  if (response === null || typeof response !== 'object') {
    return { bad: 'the transport did not return { status, body }' };
  }
  const { status, body } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return { bad: `the transport returned an invalid status: ${String(status)}` };
  }
  let headers;
  try {
    headers = headerPairs(response.headers);
  } catch (e) {
    return { bad: `the transport returned headers that are not a Headers or a plain object (${reasonOf(e)})` };
  }
  if (typeof body === 'string') return { status, headers, bytes: encoder.encode(body) };
  if (body instanceof Uint8Array) return { status, headers, bytes: body };
  if (body instanceof ArrayBuffer) return { status, headers, bytes: new Uint8Array(body) };
  return { bad: 'the transport returned a body that is not a string or Uint8Array' };
}

/**
 * A sans-IO parse: `parseText(status, bytes)` is the core's (with or without
 * a client); a trap is a decode error (outcome_unknown for a money move).
 */
function parseWith(parseText, endpoint, status, body) {
  const got = answer({ status, body });
  if (got.bad !== undefined) throw new TypeError(`idn-toto: ${got.bad.replace('the transport returned', 'parse got')}`);
  try {
    return JSON.parse(parseText(got.status, got.bytes));
  } catch (e) {
    if (!isTrap(e)) throw toError(e);
    reinstantiate();
    const info = endpoints().find((row) => row.id === endpoint);
    throw trapError(e, info === undefined || info.idempotent);
  }
}

/**
 * The longest delay Node's (and browsers') timers hold: 2^31 - 1 ms (about
 * 24.8 days). A longer one fires after 1 ms (with a TimeoutOverflowWarning).
 */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * One `abort` listener per signal, however many calls share it: each call
 * adds its callback here, and the signal's one listener runs them all (a
 * listener per call would pass Node's 10-listener warning with the 11th
 * concurrent call).
 */
const ABORT_WATCHES = new WeakMap();

/**
 * Runs `callback` once when `signal` aborts; returns the function that
 * stops watching (and removes the signal's listener with the last watch).
 */
function whenAborted(signal, callback) {
  let watch = ABORT_WATCHES.get(signal);
  if (watch === undefined) {
    const callbacks = new Set();
    const listener = () => {
      if (ABORT_WATCHES.get(signal) === watch) ABORT_WATCHES.delete(signal);
      for (const entry of [...callbacks]) entry.callback();
      callbacks.clear();
    };
    watch = { callbacks, listener };
    ABORT_WATCHES.set(signal, watch);
    signal.addEventListener('abort', listener, { once: true });
  }
  // An entry of its own: the same callback may be watched twice.
  const entry = { callback };
  const { callbacks, listener } = watch;
  callbacks.add(entry);
  return () => {
    if (!callbacks.delete(entry) || callbacks.size > 0) return;
    if (ABORT_WATCHES.get(signal) === watch) ABORT_WATCHES.delete(signal);
    signal.removeEventListener('abort', listener);
  };
}

/**
 * Sleeps `ms`, cut short when `signal` aborts. A wait longer than a timer
 * holds is slept in parts (never handed raw to setTimeout, which would fire
 * after 1 ms).
 */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal !== undefined && signal.aborted) {
      resolve();
      return;
    }
    let timer;
    let unwatch;
    const done = () => {
      clearTimeout(timer);
      if (unwatch !== undefined) unwatch();
      resolve();
    };
    const arm = (left) => {
      timer = left > MAX_TIMER_MS ? setTimeout(() => arm(left - MAX_TIMER_MS), MAX_TIMER_MS) : setTimeout(done, left);
    };
    arm(ms);
    if (signal !== undefined) unwatch = whenAborted(signal, done);
  });
}

/** The wall clock the core dates journal lines and reads `Retry-After` dates by. */
const unixNow = () => Date.now() / 1000;

/**
 * What settling `errorOrOutcome` needs (the core's Unsettled) and its
 * journal id: from an `outcome_unknown` IdnTotoError of a client call, or a
 * batch outcome whose status is `unknown`.
 */
function settleable(errorOrOutcome) {
  const refuse = (reason) => invalid('errorOrOutcome', reason);
  if (errorOrOutcome instanceof IdnTotoError) {
    if (errorOrOutcome.kind !== 'outcome_unknown') {
      throw refuse(`a ${errorOrOutcome.kind} error is a definite outcome: there is nothing to settle`);
    }
    if (errorOrOutcome.unsettled === undefined) {
      throw refuse('this outcome_unknown error does not carry what settling needs (only errors of client calls do)');
    }
    return { unsettled: errorOrOutcome.unsettled, journalId: errorOrOutcome.journalId };
  }
  if (errorOrOutcome !== null && typeof errorOrOutcome === 'object' && 'status' in errorOrOutcome && 'params' in errorOrOutcome) {
    if (errorOrOutcome.status !== 'unknown') {
      throw refuse(`a batch outcome with status ${JSON.stringify(errorOrOutcome.status)} is definite: only 'unknown' ones are settled`);
    }
    // The outcome is what the core reads as an Unsettled (its params,
    // snapshot, server, journal id and operation key; the other fields are
    // ignored): no list of fields here to fall behind the core's.
    const unsettled = { ...errorOrOutcome, endpoint: 'multiple_transaction' };
    return { unsettled, journalId: errorOrOutcome.journal_id };
  }
  throw refuse('must be an outcome_unknown IdnTotoError or a batch outcome whose status is unknown');
}

/**
 * Canonical params from a method's arguments (see methods.cjs). With
 * `keyed` (a money move's method), the options' `key` is the operation key
 * (see `keyFrom`), not a parameter.
 */
function paramsFrom(spec, args, keyed = false) {
  const params = {};
  spec.positional.forEach((name, i) => {
    if (args[i] !== undefined) params[name] = args[i];
  });
  const options = args[spec.positional.length];
  if (options !== undefined && options !== null) {
    if (typeof options !== 'object') {
      throw new IdnTotoError({
        kind: 'invalid_request',
        message: `invalid request: options: must be an object`,
        field: 'options',
        reason: 'must be an object',
      });
    }
    const canonical = new Map(spec.options);
    for (const [key, value] of Object.entries(options)) {
      if (keyed && key === 'key') continue;
      // Unknown keys go to the core as they are: it names them in its error.
      if (value !== undefined) params[canonical.get(key) || key] = value;
    }
  }
  return params;
}

/** A money move's operation key: the `key` of its method's options argument. */
function keyFrom(spec, args) {
  return keyOf(args[spec.positional.length]);
}

/** The options' `key` (checked by the core; a string here), or undefined. */
function keyOf(options) {
  if (options === undefined || options === null || typeof options !== 'object') return undefined;
  const { key } = options;
  if (key === undefined) return undefined;
  if (typeof key !== 'string') throw invalid('key', 'must be a string');
  return key;
}

/** The core's client configuration (JSON text) from the JS config. */
function coreConfig(c) {
  const given = (v) => (v === undefined ? null : v);
  return JSON.stringify({
    base_url: typeof c.baseUrl === 'string' ? c.baseUrl : '',
    token: typeof c.token === 'string' ? c.token : '',
    path_words: given(c.pathWords),
    allow_insecure_http: given(c.allowInsecureHttp),
    max_body_size: given(c.maxBodySize),
    retries: given(c.retries),
    retry_base_delay_ms: given(c.retryBaseDelayMs),
    retry_max_delay_ms: given(c.retryMaxDelayMs),
    snapshots: c.snapshots === undefined ? DEFAULT_SNAPSHOTS : c.snapshots,
    log_bodies: c.logBodies === true,
    max_pages: c.maxPages === undefined ? DEFAULT_MAX_PAGES : c.maxPages,
    settle_delay_ms: c.settleDelayMs === undefined ? DEFAULT_SETTLE_DELAY_MS : c.settleDelayMs,
    lease_ms: c.keyLeaseMs === undefined ? DEFAULT_LEASE_MS : c.keyLeaseMs,
  });
}

/**
 * The core's rules for a journal file (src/lib.rs WasmJournalAppender), for
 * js/journal.cjs: a fresh appender, which has the file checked first. One
 * made in a retired instance is never used again (`current` turns false):
 * the journal then makes a new one, which checks the file again.
 */
JOURNAL_CORE.appender = () => {
  const born = generation;
  const appender = core(() => new wasm.WasmJournalAppender());
  return {
    get current() {
      return born === generation;
    },
    get mustCheck() {
      return appender.mustCheck;
    },
    feed: (bytes) => core(() => appender.feed(bytes)),
    end: () => core(() => appender.end()),
    checkLine: (line) => core(() => appender.checkLine(line)),
    appended: () => core(() => appender.appended()),
    appendFailed: () => core(() => appender.appendFailed()),
    free: () => appender.free(),
  };
};

/**
 * A file's key records kept in memory by its one writer (src/keys.rs
 * WasmKeyBook), for js/journal.cjs: read once from the file's text, kept
 * current by claims and appended lines. One made in a retired instance is
 * never used again (`current` turns false): the journal reads a new one.
 */
JOURNAL_CORE.keyBook = (text) => {
  const born = generation;
  const book = core(() => wasm.WasmKeyBook.fromJournal(text));
  return {
    get current() {
      return born === generation;
    },
    decide: (claim, nowMs) => KeyClaim.decideInBook(claim, book, nowMs),
    recordClaim: (answer) => ClaimAnswer.recordIn(answer, book),
    recordLine: (line) => core(() => book.recordLine(line)),
    free: () => book.free(),
  };
};

// What the SQL journals (stores.cjs) and FileJournal's export run through the core.
JOURNAL_CORE.exportText = (text) => core(() => wasm.journalExport(text));
JOURNAL_CORE.keySql = (dialect) => core(() => wasm.keySql(dialect));
JOURNAL_CORE.storeLine = (line) => core(() => wasm.storeLine(line));
JOURNAL_CORE.afterLine = (record, line) => core(() => wasm.afterLine(record, line));

/**
 * The core's answer to a claim (`WasmClaimAnswer`), as a journal sees it:
 * `decision`, `write` (on a claim: the intent `line` for a file; the
 * `upsert` and `append` statements' parameters for a SQL store;
 * `leaseUntilMs`), `batchToRefine` and `refine(text)`. The journal returns
 * it from `claim`; the client hands it back to the driver.
 */
class ClaimAnswer {
  #inner;
  #born = generation;

  constructor(inner) {
    this.#inner = inner;
  }

  #core() {
    if (this.#inner === null || this.#born !== generation) throw new TypeError('idn-toto: this claim answer was used already');
    return this.#inner;
  }

  /** `claim`, `already_done`, `key_in_use`, `key_conflict`, `settle` or `outcome_unknown`. */
  get decision() {
    return core(() => this.#core().decision);
  }

  /** On `claim`: `{ line, upsert, append, leaseUntilMs }`; else undefined. */
  get write() {
    return core(() => this.#core().write);
  }

  /** The journal-id prefix of the batch whose lines refine the answer (a SQL store reads them), or undefined. */
  get batchToRefine() {
    return core(() => this.#core().batchToRefine);
  }

  /** Refines the answer by journal text (the lines of `batchToRefine`'s batch). */
  refine(text) {
    core(() => this.#core().refine(String(text)));
  }

  /** Has `book` (a file's WasmKeyBook) take the claim this answer wrote. */
  static recordIn(answer, book) {
    core(() => book.recordClaim(answer.#core()));
  }

  /** Lets go of the answer without handing it back (a journal that failed after deciding). */
  free() {
    if (this.#inner !== null && this.#born === generation) this.#inner.free();
    this.#inner = null;
  }

  toString() {
    return 'ClaimAnswer';
  }

  /** The core's answer, taken (the driver owns it next). */
  static take(answer) {
    if (answer === null || typeof answer !== 'object' || !(#inner in answer)) {
      throw new TypeError('idn-toto: a journal\'s claim must return the answer of claim.decide or claim.decideInJournal');
    }
    const inner = answer.#core();
    answer.#inner = null;
    return inner;
  }
}

/**
 * A keyed money move to claim (the driver's claim step): `key`, `server`
 * (the client's fingerprint, never the token), `journalId`, `holder`,
 * `leaseMs`, `intentLine`; `decide(record, nowMs)` against the key's record
 * as a store holds it (JSON text, or undefined), `decideInJournal(text,
 * heldHolder, heldUntilMs, nowMs)` against a JSON Lines journal. Both give
 * the core's `ClaimAnswer`.
 */
class KeyClaim {
  #inner;

  constructor(inner) {
    this.#inner = inner;
    this.key = inner.key;
    this.server = inner.server;
    this.journalId = inner.journalId;
    this.holder = inner.holder;
    this.leaseMs = inner.leaseMs;
    this.intentLine = inner.intentLine;
    Object.freeze(this);
  }

  decide(record, nowMs) {
    const text = record === undefined || record === null ? undefined : String(record);
    return new ClaimAnswer(core(() => this.#inner.decide(text, nowMs)));
  }

  decideInJournal(text, heldHolder, heldUntilMs, nowMs) {
    return new ClaimAnswer(core(() => this.#inner.decideInJournal(String(text), heldHolder, heldUntilMs, nowMs)));
  }

  /** The core's decision against `book` (a file's WasmKeyBook), for js/journal.cjs. */
  static decideInBook(claim, book, nowMs) {
    return new ClaimAnswer(core(() => book.decide(claim.#inner, nowMs)));
  }

  /** Frees the core's claim made in instance `born` (the client does, after the journal's claim). */
  static release(claim, born) {
    if (born === generation) claim.#inner.free();
  }

  toString() {
    return `KeyClaim(${this.key})`;
  }
}

/** What a journal's failed claim becomes for the core: the field and reason of an invalid_request. */
function claimFailure(e) {
  if (e instanceof IdnTotoError) {
    return e.kind === 'invalid_request' && e.field !== undefined ? [e.field, e.reason ?? e.message] : ['journal', e.message];
  }
  return ['journal', `the journal's claim failed: ${reasonOf(e)}`];
}

const isJournal = (j) => j !== null && typeof j === 'object' && typeof j.append === 'function' && typeof j.read === 'function';
/** `value` when it is a promise, else undefined: a synchronous journal's answer is used without an await. */
const promised = (value) => (value !== null && typeof value === 'object' && typeof value.then === 'function' ? value : undefined);

/** Checks an option: `ok(value)` or a TypeError naming it. */
function check(name, value, ok, what) {
  if (value !== undefined && !ok(value)) throw new TypeError(`idn-toto: ${name} must be ${what}`);
}
const wholeMs = (v) => Number.isSafeInteger(v) && v >= 0;
/** A delay a timer holds: whole milliseconds, 0 to 2^31 - 1. */
const delayMs = (v) => wholeMs(v) && v <= MAX_TIMER_MS;
const DELAY = `a whole number of milliseconds from 0 to ${MAX_TIMER_MS} (the longest a timer holds)`;
const isSignal = (s) => s !== null && typeof s === 'object' && typeof s.aborted === 'boolean' && typeof s.addEventListener === 'function';

/**
 * Marks a result whose journal lines were not all written:
 * `journalUnwritten: true`, not enumerable (the result stays the core's
 * canonical JSON when serialized).
 */
function flagUnwritten(result) {
  if (result !== null && typeof result === 'object') {
    Object.defineProperty(result, 'journalUnwritten', { value: true, enumerable: false, configurable: true, writable: true });
  }
  return result;
}

/** What `withOptions` may change per call. */
const PER_CALL = new Set(['timeoutMs', 'retries', 'signal']);
/** Where `withOptions` hands its client's transport to the new client (private to this module). */
const SHARED_TRANSPORT = Symbol('idn-toto shared transport');

class Client {
  #config;
  #coreClient;
  #coreGeneration;
  #transport;
  #timeoutMs;
  #journal;
  #onEvent;
  #signal;

  /**
   * @param {{baseUrl: string, token: string, transport?: Function, timeoutMs?: number,
   *          retries?: number, retryBaseDelayMs?: number, retryMaxDelayMs?: number,
   *          pathWords?: object, allowInsecureHttp?: boolean, maxBodySize?: number,
   *          maxPages?: number, journal?: FileJournal | SqliteJournal | PostgresJournal,
   *          settleDelayMs?: number, keyLeaseMs?: number,
   *          snapshots?: boolean, onEvent?: Function, logBodies?: boolean,
   *          dispatcher?: object, agent?: object, signal?: AbortSignal}} config
   */
  constructor(config) {
    const c = { ...(config || {}) };
    check('transport', c.transport, (t) => typeof t === 'function', 'a function');
    check('timeoutMs', c.timeoutMs, (t) => typeof t === 'number' && t > 0 && t <= MAX_TIMER_MS,
      `a positive number of milliseconds, at most ${MAX_TIMER_MS} (the longest a timer holds)`);
    check('retries', c.retries, wholeMs, 'a whole number, 0 or more');
    check('retryBaseDelayMs', c.retryBaseDelayMs, delayMs, DELAY);
    check('retryMaxDelayMs', c.retryMaxDelayMs, delayMs, DELAY);
    check('maxPages', c.maxPages, (n) => Number.isSafeInteger(n) && n >= 1, 'a positive integer');
    check('journal', c.journal === null ? undefined : c.journal, isJournal,
      'a FileJournal, SqliteJournal or PostgresJournal (an object with append(line) and read())');
    check('settleDelayMs', c.settleDelayMs, delayMs, DELAY);
    check('keyLeaseMs', c.keyLeaseMs, (v) => wholeMs(v) && v >= 1, 'a positive whole number of milliseconds');
    check('snapshots', c.snapshots, (b) => typeof b === 'boolean', 'true or false');
    check('onEvent', c.onEvent, (f) => typeof f === 'function', 'a function');
    check('logBodies', c.logBodies, (b) => typeof b === 'boolean', 'true or false');
    check('dispatcher', c.dispatcher, (d) => d !== null && typeof d === 'object', 'an object (an undici Dispatcher)');
    check('signal', c.signal, isSignal, 'an AbortSignal');
    if (c.agent !== undefined) {
      const problem = agentProblem(c.agent, c.baseUrl, c);
      if (problem !== undefined) throw new TypeError(`idn-toto: ${problem}`);
    }
    this.#coreClient = core(() => new wasm.WasmClient(coreConfig(c)));
    this.#coreGeneration = generation;
    this.#config = c;
    // `withOptions` clients share the transport (and so its keep-alive agent).
    this.#transport = c.transport || c[SHARED_TRANSPORT] || defaultTransport(c);
    this.#timeoutMs = c.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : c.timeoutMs;
    this.#journal = c.journal || null;
    this.#onEvent = c.onEvent || null;
    this.#signal = c.signal;
    const requests = {};
    for (const spec of METHODS) {
      requests[spec.name] = (...args) =>
        new RequestDescriptor(core(() => this.#core.build(spec.endpoint, paramsText(paramsFrom(spec, args)))));
    }
    /** `client.request.<method>(...)`: the request descriptor, not sent. */
    this.request = Object.freeze(requests);
  }

  /**
   * A client from the environment: `IDN_TOTO_BASE_URL` and `IDN_TOTO_TOKEN`
   * (a missing or empty one is an `invalid_request` error naming it), with
   * `config`'s other settings.
   */
  static fromEnv(config, env = process.env) {
    const read = (name) => {
      const value = env[name];
      if (typeof value !== 'string' || value === '') throw invalid(name, 'not set in the environment');
      return value;
    };
    return new Client({ ...(config || {}), baseUrl: read('IDN_TOTO_BASE_URL'), token: read('IDN_TOTO_TOKEN') });
  }

  /**
   * A client for some calls with other settings: `timeoutMs` (per attempt),
   * `retries` (reads), `signal` (an AbortSignal: aborting ends the call at
   * once). It shares this client's transport, journal and event hook.
   */
  withOptions(options) {
    const o = options || {};
    for (const key of Object.keys(o)) {
      if (!PER_CALL.has(key)) throw new TypeError(`idn-toto: withOptions takes timeoutMs, retries and signal, not ${key}`);
    }
    return new Client({ ...this.#config, ...o, [SHARED_TRANSPORT]: this.#transport });
  }

  /** The core client, made again in a fresh instance after a trap. */
  get #core() {
    if (this.#coreGeneration !== generation) {
      this.#coreClient = core(() => new wasm.WasmClient(coreConfig(this.#config)));
      this.#coreGeneration = generation;
    }
    return this.#coreClient;
  }

  /** One transport call, with the timeout and the client's signal. Throws what the transport threw, a timeout or the abort. */
  async #send(request) {
    const controller = new AbortController();
    const signal = this.#signal;
    let timer;
    let unwatch;
    const stop = new Promise((_, reject) => {
      const fail = (e) => {
        controller.abort(e);
        reject(e);
      };
      timer = setTimeout(() => fail(new Error(`timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs);
      if (signal !== undefined) unwatch = whenAborted(signal, () => fail(new Error(abortReason(signal))));
    });
    try {
      const init = {
        signal: controller.signal,
        maxBodySize: this.#core.maxBodySize,
        dispatcher: this.#config.dispatcher,
        agent: this.#config.agent,
      };
      return await Promise.race([this.#transport(request, init), stop]);
    } finally {
      clearTimeout(timer);
      if (unwatch !== undefined) unwatch();
    }
  }

  /** Hands an event to `onEvent` and the `idn-toto:event` channel (a throwing hook is ignored: the call goes on). */
  #emit(event) {
    if (this.#onEvent !== null) {
      try {
        this.#onEvent(event);
      } catch {
        // The hook's failure is not the call's.
      }
    }
    if (EVENTS.hasSubscribers) EVENTS.publish(event);
  }

  /**
   * The one IO loop: runs the driver `start(core client)` makes, doing what
   * each step says. Yields each page's canonical JSON text (paging only);
   * returns how it ended: `{ text }` (a response), `{ value }` or
   * `{ error }` (the core's error object), with `journaled` (whether a line
   * was written) and `lost` (`{ lines, reason }`: outcome or settled lines
   * the journal could not take; the result stands).
   * Once the client's signal aborts, nothing more is sent or waited for:
   * the driver records each remaining send as not sent (a money move that
   * never left is `not_sent`, not unknown) and finishes.
   * `journalId`: what the driver journals under, for an error after a trap.
   */
  async *#run(start, journalId) {
    const signal = this.#signal;
    if (signal !== undefined) signal.throwIfAborted();
    const driver = core(() => start(this.#core));
    const born = generation;
    if (this.#onEvent === null && !EVENTS.hasSubscribers) driver.events = false;
    let moneySent = false;
    let journaled = false;
    /** Why the first journal line that could not be written failed. */
    let unwritten;
    const trapped = (e) => {
      if (!isTrap(e)) return toError(e);
      // The operation's state lived in the retired instance.
      reinstantiate();
      const error = trapError(e, !moneySent);
      if (journaled && journalId !== undefined) error.journalId = journalId;
      return error;
    };
    try {
      for (;;) {
        let kind;
        try {
          kind = driver.next(unixNow());
        } catch (e) {
          throw trapped(e);
        }
        switch (kind) {
          case SEND: {
            const request = new RequestDescriptor(driver.request());
            moneySent = moneySent || !request.idempotent;
            const t0 = performance.now();
            let got;
            if (signal !== undefined && signal.aborted) {
              // Aborted before it left: definitely not sent.
              got = { notSent: abortReason(signal) };
            } else {
              try {
                got = answer(await this.#send(request));
              } catch (e) {
                got = { bad: reasonOf(e) };
              }
            }
            const elapsed = Math.round(performance.now() - t0);
            try {
              if (got.notSent !== undefined) driver.recordNotSent(got.notSent, elapsed, unixNow());
              else if (got.bad !== undefined) driver.recordTransportFailure(got.bad, elapsed, unixNow());
              else driver.recordResponse(got.status, got.headers, got.bytes, elapsed, unixNow());
            } catch (e) {
              throw trapped(e);
            }
            break;
          }
          case WAIT:
            await sleep(driver.ms, signal);
            break;
          case JOURNAL:
            try {
              const written = promised(this.#journal.append(driver.line));
              if (written !== undefined) await written;
              journaled = true;
            } catch (e) {
              // The core decides what a line that can't be written means
              // (an intent: nothing of it is sent; an outcome: the move's
              // result stands, the line is counted as lost).
              const reason = reasonOf(e);
              if (unwritten === undefined) unwritten = reason;
              try {
                driver.recordJournalFailure(reason);
              } catch (t) {
                throw trapped(t);
              }
            }
            break;
          case CLAIM: {
            // The journal runs the claim (one transaction, or the file under
            // this process's lock); the core decided what it writes, and
            // decides from its answer what happens to the move.
            let claim;
            try {
              claim = new KeyClaim(driver.claim());
            } catch (e) {
              throw trapped(e);
            }
            let answer;
            let failure;
            try {
              const journal = this.#journal;
              if (journal === null || typeof journal.claim !== 'function') {
                throw invalid('journal', 'this journal keeps no operation keys (FileJournal, SqliteJournal and PostgresJournal do)');
              }
              const given = journal.claim(claim, Date.now());
              const got = promised(given) !== undefined ? await given : given;
              const claimed = got instanceof ClaimAnswer && got.decision === 'claim';
              answer = ClaimAnswer.take(got);
              if (claimed) journaled = true;
            } catch (e) {
              failure = e;
            } finally {
              KeyClaim.release(claim, born);
            }
            if (born !== generation) {
              // A trap in the core while the journal decided: the driver's
              // state lived in the retired instance.
              const e = failure instanceof Error ? failure : new Error('the core was reset during a claim');
              const error = trapError(e, !moneySent);
              if (journaled && journalId !== undefined) error.journalId = journalId;
              throw error;
            }
            try {
              if (failure === undefined) {
                driver.recordClaim(answer);
              } else {
                const [field, reason] = claimFailure(failure);
                driver.recordClaimFailure(field, reason);
              }
            } catch (e) {
              throw trapped(e);
            }
            break;
          }
          case EVENT:
            this.#emit(driver.event());
            break;
          case PAGE:
            yield driver.text;
            break;
          default: {
            const lost = driver.journalFailures();
            const end = { journaled };
            if (lost > 0) end.lost = { lines: lost, reason: unwritten };
            const error = driver.error();
            if (error !== undefined) return { error, ...end };
            const text = driver.text;
            return text !== undefined ? { text, ...end } : { value: driver.value(), ...end };
          }
        }
      }
    } finally {
      if (born === generation) driver.free();
    }
  }

  /**
   * Runs a driver that hands out no pages to its end: a response (parsed
   * once), the core's value, or the IdnTotoError (with `journalId` when a
   * journal line was written for it).
   */
  async #drive(start, journalId) {
    const run = this.#run(start, journalId);
    const { value: done } = await run.next();
    if (done.lost !== undefined) this.#warnJournal(done.lost, journalId);
    if (done.error !== undefined) {
      const e = fromDetail(done.error);
      if (done.journaled && journalId !== undefined) e.journalId = journalId;
      if (done.lost !== undefined) e.journalUnwritten = true;
      throw e;
    }
    const result = done.text !== undefined ? JSON.parse(done.text) : done.value;
    return done.lost !== undefined ? flagUnwritten(result) : result;
  }

  /**
   * Says (a process warning, code `IDN_TOTO_JOURNAL`) that journal lines
   * were lost: the money move's result stands and is flagged
   * `journalUnwritten`; the move stays open in the journal until settled.
   */
  #warnJournal({ lines, reason }, journalId) {
    if (typeof process === 'undefined' || process === null || typeof process.emitWarning !== 'function') return;
    const id = journalId === undefined ? '' : ` (journal id ${journalId})`;
    const why = reason === undefined ? '' : `: ${this.redact(reason)}`;
    process.emitWarning(
      `${lines} journal line${lines === 1 ? '' : 's'} of a money move could not be written${id}${why}. `
        + 'The result stands (flagged journalUnwritten); the move stays open in the journal until it is settled.',
      { type: 'IdnTotoJournalWarning', code: 'IDN_TOTO_JOURNAL' },
    );
  }

  /** A fresh journal id when the client journals. */
  #newJournalId() {
    return this.#journal === null ? undefined : randomUUID();
  }

  async #call(endpoint, params, key) {
    const id = this.#newJournalId();
    return this.#drive((c) => c.call(endpoint, paramsText(params), id, key), id);
  }

  /** Parses an answer to `endpoint` (sans-IO), with the token scrubbed from any error. */
  parse(endpoint, status, body) {
    const client = this.#core;
    return parseWith((s, bytes) => client.parse(endpoint, s, bytes), endpoint, status, body);
  }

  /**
   * `text` with the token replaced by `***` in every form the core knows
   * (raw, percent-encoded, JSON- and HTML-escaped, any letter case), e.g.
   * before logging a transport's error.
   */
  redact(text) {
    return core(() => this.#core.redact(String(text)));
  }

  /**
   * Calls any endpoint with canonical parameters (the dynamic form of the
   * methods); a money move's `options.key` is its operation key.
   */
  async call(endpoint, params, options) {
    if (endpoint === 'multiple_transaction') {
      const p = params || {};
      return this.multipleTransaction(p.type, p.transaction);
    }
    const key = keyOf(options);
    return this.#call(endpoint, params === undefined ? null : params, key);
  }

  /**
   * Every row of every page: the core's paging driver reads each page and
   * works out the next (at most `maxPages` pages: past that, the core's
   * decode error at `page`).
   */
  async *#pages(endpoint, params) {
    const run = this.#run((c) => c.pages(endpoint, paramsText(params)));
    try {
      for (;;) {
        const { value, done } = await run.next();
        if (done) {
          if (value.error !== undefined) throw fromDetail(value.error);
          return;
        }
        yield* JSON.parse(value).data;
      }
    } finally {
      await run.return(undefined);
    }
  }

  /**
   * Any number of items, sent in requests of at most 25; resolves to one
   * outcome per input item, in input order (with `journal_id` for items
   * journaled).
   */
  async multipleTransaction(type, transaction) {
    const id = this.#newJournalId();
    return this.#drive((c) => c.batch(paramsText({ type, transaction }), id), id);
  }

  /**
   * Finds out, with reads only, what became of a money move whose outcome is
   * unknown: an `outcome_unknown` IdnTotoError of a client call, or a batch
   * outcome whose status is `unknown`. Waits `settleDelayMs` before any read
   * that could conclude `not_applied`. With a journal, a journaled move gets
   * its `settled` line.
   * @returns {Promise<Settlement>} `{ state, reason, evidence, journal_id? }`
   */
  async settle(errorOrOutcome) {
    const { unsettled, journalId } = settleable(errorOrOutcome);
    const lineId = this.#journal === null ? undefined : journalId;
    const settlement = await this.#drive((c) => c.settle(JSON.stringify(unsettled), lineId), undefined);
    if (journalId !== undefined) settlement.journal_id = journalId;
    return settlement;
  }

  /** The journal read by the core (an error naming the field when there is none). */
  async #journalRead() {
    if (this.#journal === null) throw invalid('journal', 'the client has no journal');
    const text = await this.#journal.read();
    return core(() => wasm.journalRead(text));
  }

  /**
   * The journal's money moves without a definite state: `{ id, last,
   * endpoint, params, snapshot? }`, in the order of their intents (`last`:
   * `intent`, `unknown` or `undetermined`).
   */
  async unsettled() {
    return (await this.#journalRead()).unsettled;
  }

  /**
   * Settles every unsettled move of the journal in order (the settle delay
   * waited once), recording each settlement; resolves to the settlements in
   * the journal's order, each with its `journal_id`. The journal is opened
   * for appending first: one that can't be written rejects before any read.
   */
  async settleUnsettled() {
    if (this.#journal === null) throw invalid('journal', 'the client has no journal');
    // Opened for appending (and checked) before anything is read from the
    // server: a journal that can't be written refuses here.
    if (typeof this.#journal.open === 'function') await this.#journal.open();
    const text = await this.#journal.read();
    const settled = await this.#drive((c) => c.settleOpen(text), undefined);
    const out = settled.map(({ journal_id, settlement }) => ({ ...settlement, journal_id }));
    return settled.journalUnwritten ? flagUnwritten(out) : out;
  }

  /**
   * Deposit matching (issue 23): reads the pending deposits
   * (`transactionList('deposit')`) and plans them against `credits` under
   * `rules` (the core's `match_deposits`). With `approve: true`, the
   * client's journal is required (else `invalid_request` at `journal`,
   * before anything is read or sent): what it says was approved before on
   * this server is added to the rules (those credits `already_claimed`,
   * those requests never approved again), and the plan's approvals are sent
   * as one keyed `multipleTransaction` batch, each accept under the key
   * `match:<credit ref>`, so a re-run or a second matcher never approves
   * twice. Resolves to the plan and the batch's `outcomes` (empty when
   * nothing was sent).
   * @returns {Promise<MatchResult>} `{ approve, hold, unclaimed, outcomes }`
   */
  async matchDeposits(credits, rules, options) {
    const { approve = false, operator } = options ?? {};
    check('approve', approve, (v) => typeof v === 'boolean', 'true or false');
    check('operator', operator, (v) => v === undefined || typeof v === 'string', 'a string');
    if (approve && this.#journal === null) {
      throw invalid('journal', 'approving needs the client\'s journal: each approval is sent under the operation key '
        + 'match:<credit ref>, kept in the journal, so a re-run never approves twice. Nothing was read or sent');
    }
    const creditsText = paramsText(credits, 'credits');
    let rulesText = paramsText(rules, 'rules');
    if (approve) {
      // The core adds what the journal approved before to the rules (and
      // refuses malformed rules, naming the field, before anything is read).
      const journal = this.#journal;
      const text = await (typeof journal.export === 'function' ? journal.export() : journal.read());
      rulesText = matcherCore((m) => m.rulesWithApprovedBefore(rulesText, text, this.#core.fingerprint));
    }
    // The credits and the rules are read by the core before the server is asked anything.
    matcherCore((m) => m.matchDeposits('[]', creditsText, rulesText));
    const pending = await this.transactionList('deposit');
    const plan = JSON.parse(matcherCore((m) => m.matchDeposits(JSON.stringify(pending), creditsText, rulesText)));
    if (!approve) return { ...plan, outcomes: [] };
    const batch = matcherCore((m) => m.approvalBatch(JSON.stringify(plan), operator));
    if (batch.transaction.length === 0) return { ...plan, outcomes: [] };
    const outcomes = await this.multipleTransaction(batch.type, batch.transaction);
    const result = { ...plan, outcomes: [...outcomes] };
    return outcomes.journalUnwritten ? flagUnwritten(result) : result;
  }

  toString() {
    return `Client(${this.#config.baseUrl})`;
  }

  [inspectSymbol]() {
    return `Client { baseUrl: ${JSON.stringify(this.#config.baseUrl)}, token: '***' }`;
  }

  // One async method per endpoint (and an async iterator per paged one),
  // from the generated method table.
  static {
    for (const spec of METHODS) {
      if (spec.name === 'multipleTransaction') continue;
      const define = (name, value) =>
        Object.defineProperty(Client.prototype, name, { value, writable: true, configurable: true });
      define(spec.name, spec.keyed
        ? async function (...args) {
          return this.#call(spec.endpoint, paramsFrom(spec, args, true), keyFrom(spec, args));
        }
        : async function (...args) {
          return this.#call(spec.endpoint, paramsFrom(spec, args));
        });
      if (spec.paged) {
        define(`iter${spec.name[0].toUpperCase()}${spec.name.slice(1)}`, async function* (...args) {
          yield* this.#pages(spec.endpoint, paramsFrom(spec, args));
        });
      }
    }
  }
}

/** The request for `endpoint` and canonical params, without a Client. */
function build(endpoint, params, config) {
  const client = core(() => new wasm.WasmClient(coreConfig(config || {})));
  const born = generation;
  try {
    return new RequestDescriptor(core(() => client.build(endpoint, paramsText(params))));
  } finally {
    if (born === generation) client.free();
  }
}

/** Parses an answer to `endpoint` into its canonical object. */
function parse(endpoint, status, body) {
  return parseWith((s, bytes) => wasm.parse(endpoint, s, bytes), endpoint, status, body);
}

/** The parameters of the page after `response`, or null after the last (the sans-IO helper). */
function nextPage(endpoint, params, response) {
  return core(() => wasm.nextPage(endpoint, paramsText(params), JSON.stringify(response)));
}

/** Text as UTF-8 bytes; bytes as they are. */
function bytesOf(field, value) {
  if (typeof value === 'string') return encoder.encode(value);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  throw invalid(field, 'a string or a Uint8Array');
}

/**
 * The deposit matcher's plan (the core's `match_deposits`, pure): `pending`
 * the `transactionList('deposit')` answer or its rows, `credits` bank
 * credits (`creditsFromCsv`, `creditsFromMoota`, or objects of the same
 * shape: amounts as decimal strings), `rules` `{ accounts, max_auto_amount?,
 * window_before_secs?, window_after_secs?, claimed_refs?,
 * approved_trans_ids? }`. Resolves nothing and sends nothing: the plan
 * `{ approve, hold, unclaimed }`, independent of the inputs' order.
 */
function matchDeposits(pending, credits, rules) {
  const texts = [paramsText(pending, 'pending'), paramsText(credits, 'credits'), paramsText(rules, 'rules')];
  return JSON.parse(matcherCore((m) => m.matchDeposits(...texts)));
}

/** The credits of a statement CSV (`ref,account,posted_at,amount,sender_name,description`, any order). */
function creditsFromCsv(bytes) {
  const data = bytesOf('csv', bytes);
  return JSON.parse(matcherCore((m) => m.creditsFromCsv(data)));
}

/**
 * The credits of a Moota mutation webhook body. With `signature` (its
 * `Signature` header) and `secret` (the webhook's secret), the signature is
 * checked before anything in the body is read; give both or neither.
 */
function creditsFromMoota(body, signature, secret) {
  const data = bytesOf('body', body);
  if (signature !== undefined && typeof signature !== 'string') throw invalid('signature', 'a hex string');
  const key = secret === undefined ? undefined : bytesOf('secret', secret);
  return JSON.parse(matcherCore((m) => m.creditsFromMoota(data, signature, key)));
}

/** The endpoint table. */
function endpoints() {
  return core(() => wasm.endpoints());
}

/** The package version (one source: the Cargo workspace's `version`, which scripts/build.sh writes into package.json). */
const { version } = require('./package.json');

module.exports = {
  Client, IdnTotoError, KeyInUseError, KeyConflictError, FileJournal, SqliteJournal, PostgresJournal,
  build, parse, nextPage, endpoints, version, matchDeposits, creditsFromCsv, creditsFromMoota,
};
