'use strict';
// The JavaScript client around the idn-toto core (WebAssembly).
//
// This file only converts and does IO: arguments -> canonical params ->
// core build -> transport -> core parse -> result. Validation, URLs,
// parsing, the retry decision, outcome-unknown, batch splitting and paging
// are all the core's (see src/lib.rs).

const { randomUUID } = require('node:crypto');
const METHODS = require('./methods.cjs');
const { IdnTotoError, fromJson, toError } = require('./errors.cjs');
const { FileJournal, RECORD_READER } = require('./journal.cjs');

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
const encoder = new TextEncoder();
const DEFAULT_TIMEOUT_MS = 30000;
const DEFAULT_MAX_PAGES = 10000;
const DEFAULT_SETTLE_DELAY_MS = 5000;
/** How many settlements `settleUnsettled` runs at once (reads only). */
const SETTLE_CONCURRENCY = 8;

// The WebAssembly instance. A trap (an allocation failure, `unreachable`)
// may leave an instance's memory half-updated, so the instance is never
// used again after one: the module is instantiated afresh (a new require of
// the glue), and every object made in the old one is made again on next use.
const GLUE = require.resolve('./wasm/idn_toto_wasm.js');
let wasm = require(GLUE);
let generation = 0;

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

/** Runs a core call: its error JSON becomes IdnTotoError; a trap retires the instance and is rethrown. */
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
function paramsText(value) {
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
  return JSON.stringify(walk(value === undefined ? null : value, ''));
}

/** A request to send: the real URL in `url`; every printed form is redacted. */
class RequestDescriptor {
  constructor(json) {
    const r = typeof json === 'string' ? JSON.parse(json) : json;
    this.endpoint = r.endpoint;
    this.method = r.method;
    this.url = r.url;
    this.redactedUrl = r.redacted_url;
    this.headers = Object.freeze(r.headers);
    this.body = r.body;
    this.idempotent = r.idempotent;
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

/**
 * The default transport: the global fetch, aborted at the timeout. It stops
 * reading the body one byte past `maxBodySize` (the core then reports the
 * body as too large) instead of buffering all of it.
 */
async function fetchTransport(request, { signal, maxBodySize }) {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body === null ? undefined : request.body,
    signal,
  });
  return { status: response.status, body: await readBody(response, maxBodySize) };
}

async function readBody(response, maxBodySize) {
  if (response.body === null) return new Uint8Array(0);
  const limit = (maxBodySize === undefined ? Infinity : maxBodySize) + 1;
  const reader = response.body.getReader();
  const chunks = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (total + value.length >= limit) {
      chunks.push(value.subarray(0, limit - total));
      total = limit;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(value);
    total += value.length;
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** Why a transport failed, as text for the core (which scrubs the token). */
function reasonOf(e) {
  if (e instanceof Error) {
    const code = e.cause && typeof e.cause === 'object' && e.cause.code ? ` (${e.cause.code})` : '';
    return `${e.message}${code}`;
  }
  return String(e);
}

/** A transport answer checked into (status, bytes), or a reason it is not. */
function answer(response) {
  if (response === null || typeof response !== 'object') {
    return { bad: 'the transport did not return { status, body }' };
  }
  const { status, body } = response;
  if (!Number.isInteger(status) || status < 100 || status > 599) {
    return { bad: `the transport returned an invalid status: ${String(status)}` };
  }
  if (typeof body === 'string') return { status, bytes: encoder.encode(body) };
  if (body instanceof Uint8Array) return { status, bytes: body };
  if (body instanceof ArrayBuffer) return { status, bytes: new Uint8Array(body) };
  return { bad: 'the transport returned a body that is not a string or Uint8Array' };
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The host's clock for journal lines. */
const now = () => new Date().toISOString();

/** One journal line (made by the core) for item `id`, the money move `unsettled`. */
function journalLine(id, unsettled, state, message) {
  const snapshot = unsettled.snapshot === undefined ? undefined : JSON.stringify(unsettled.snapshot);
  return core(() => wasm.journalLine(id, unsettled.endpoint, JSON.stringify(unsettled.params), snapshot, state, message, now()));
}

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
    const unsettled = { endpoint: 'multiple_transaction', params: errorOrOutcome.params };
    if (errorOrOutcome.snapshot !== undefined) unsettled.snapshot = errorOrOutcome.snapshot;
    return { unsettled, journalId: errorOrOutcome.journal_id };
  }
  throw refuse('must be an outcome_unknown IdnTotoError or a batch outcome whose status is unknown');
}

/** Canonical params from a method's arguments (see methods.cjs). */
function paramsFrom(spec, args) {
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
      // Unknown keys go to the core as they are: it names them in its error.
      if (value !== undefined) params[canonical.get(key) || key] = value;
    }
  }
  return params;
}

function coreConfig(config) {
  const c = config || {};
  const given = (v) => (v === undefined ? null : v);
  return JSON.stringify({
    base_url: typeof c.baseUrl === 'string' ? c.baseUrl : '',
    token: typeof c.token === 'string' ? c.token : '',
    path_words: given(c.pathWords),
    allow_insecure_http: given(c.allowInsecureHttp),
    max_body_size: given(c.maxBodySize),
    retries: c.retries,
    retry_base_delay_ms: c.retryBaseDelayMs,
    retry_max_delay_ms: c.retryMaxDelayMs,
  });
}

/** Whether `text` (a journal's last line, without its newline) is one whole record, as the core reads it. */
FileJournal[RECORD_READER] = (text) => {
  try {
    const read = JSON.parse(wasm.journalRead(text));
    return read.records.length === 1 && !read.torn_tail;
  } catch {
    return false;
  }
};

const isJournal = (j) => j !== null && typeof j === 'object' && typeof j.append === 'function' && typeof j.read === 'function';

class Client {
  #coreClient;
  #coreGeneration;
  #config;
  #transport;
  #timeoutMs;
  #maxPages;
  #baseUrl;
  #journal;
  #settleDelayMs;
  #snapshots;

  /**
   * @param {{baseUrl: string, token: string, transport?: Function, timeoutMs?: number,
   *          retries?: number, retryBaseDelayMs?: number, retryMaxDelayMs?: number,
   *          pathWords?: object, allowInsecureHttp?: boolean, maxBodySize?: number,
   *          maxPages?: number, journal?: FileJournal, settleDelayMs?: number,
   *          snapshots?: boolean}} config
   */
  constructor(config) {
    const c = config || {};
    this.#config = coreConfig(c);
    this.#coreClient = core(() => new wasm.WasmClient(this.#config));
    this.#coreGeneration = generation;
    if (c.transport !== undefined && typeof c.transport !== 'function') {
      throw new TypeError('idn-toto: transport must be a function');
    }
    this.#transport = c.transport || fetchTransport;
    this.#timeoutMs = c.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : c.timeoutMs;
    if (!(this.#timeoutMs > 0)) throw new TypeError('idn-toto: timeoutMs must be a positive number');
    this.#maxPages = c.maxPages === undefined ? DEFAULT_MAX_PAGES : c.maxPages;
    if (!Number.isSafeInteger(this.#maxPages) || this.#maxPages < 1) {
      throw new TypeError('idn-toto: maxPages must be a positive integer');
    }
    this.#baseUrl = c.baseUrl;
    if (c.journal !== undefined && c.journal !== null && !isJournal(c.journal)) {
      throw new TypeError('idn-toto: journal must be a FileJournal (an object with append(line) and read())');
    }
    this.#journal = c.journal || null;
    this.#settleDelayMs = c.settleDelayMs === undefined ? DEFAULT_SETTLE_DELAY_MS : c.settleDelayMs;
    if (!Number.isSafeInteger(this.#settleDelayMs) || this.#settleDelayMs < 0) {
      throw new TypeError('idn-toto: settleDelayMs must be a whole number of milliseconds, 0 or more');
    }
    this.#snapshots = c.snapshots === undefined ? true : c.snapshots;
    if (typeof this.#snapshots !== 'boolean') throw new TypeError('idn-toto: snapshots must be true or false');
    const requests = {};
    for (const spec of METHODS) {
      requests[spec.name] = (...args) =>
        new RequestDescriptor(core(() => this.#core.build(spec.endpoint, paramsText(paramsFrom(spec, args)))));
    }
    /** `client.request.<method>(...)`: the request descriptor, not sent. */
    this.request = Object.freeze(requests);
  }

  /** The core client, made again in a fresh instance after a trap. */
  get #core() {
    if (this.#coreGeneration !== generation) {
      this.#coreClient = core(() => new wasm.WasmClient(this.#config));
      this.#coreGeneration = generation;
    }
    return this.#coreClient;
  }

  /** One transport call, with the timeout. Throws what the transport threw, or a timeout. */
  async #send(request) {
    const controller = new AbortController();
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => {
        const e = new Error(`timed out after ${this.#timeoutMs} ms`);
        controller.abort(e);
        reject(e);
      }, this.#timeoutMs);
    });
    try {
      const options = { signal: controller.signal, maxBodySize: this.#core.maxBodySize };
      return await Promise.race([this.#transport(request, options), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one endpoint call; resolves to the canonical JSON text. */
  async #callText(endpoint, params) {
    const call = core(() => this.#core.call(endpoint, paramsText(params)));
    const born = generation;
    try {
      const request = new RequestDescriptor(call.request());
      if (request.idempotent) return await this.#attempts(call, request);
      return await this.#moneyMove(call, request);
    } finally {
      if (born === generation) call.free();
    }
  }

  /**
   * A single money move: the user's history first (a manual one, with
   * snapshots on), the journal's intent before it leaves and its outcome
   * after; an unknown outcome carries what settling it needs.
   */
  async #moneyMove(call, request) {
    const unsettled = { endpoint: request.endpoint, params: JSON.parse(call.moneyParams()) };
    if (request.endpoint === 'manual_transaction' && this.#snapshots) {
      // A failed read: the move is not sent, and the read's error is thrown.
      const { type, user } = unsettled.params;
      const history = await this.#call('user_history', { type, user });
      unsettled.snapshot = { entries: history.data };
      core(() => call.withSnapshot(JSON.stringify(unsettled.snapshot)));
    }
    const journal = this.#journal;
    const id = journal === null ? undefined : randomUUID();
    if (journal !== null) journal.append(core(() => call.journalIntent(id, now())));
    const record = (state, message) => {
      if (journal !== null) journal.append(journalLine(id, unsettled, state, message));
    };
    let text;
    try {
      text = await this.#attempts(call, request);
    } catch (e) {
      if (e instanceof IdnTotoError) {
        // A trap in the core lost what it would have attached.
        if (e.kind === 'outcome_unknown' && e.unsettled === undefined) e.unsettled = unsettled;
        if (id !== undefined) e.journalId = id;
        record(e.kind === 'outcome_unknown' ? 'unknown' : 'failed', e.message);
      }
      throw e;
    }
    record('succeeded', undefined);
    return text;
  }

  /** The attempts of one call (the core decides on retries); resolves to the canonical JSON text. */
  async #attempts(call, request) {
    for (;;) {
      let got;
      try {
        got = answer(await this.#send(request));
      } catch (e) {
        got = { bad: reasonOf(e) };
      }
      let error;
      if (got.bad !== undefined) {
        error = fromJson(call.transportFailure(got.bad));
      } else {
        try {
          return call.response(got.status, got.bytes);
        } catch (e) {
          if (isTrap(e)) {
            reinstantiate();
            throw trapError(e, request.idempotent);
          }
          error = toError(e);
        }
      }
      // The core decides: -1 (never for money-moving requests) or a delay.
      const delay = call.retryDelay();
      if (delay < 0) throw error;
      await sleep(delay);
    }
  }

  async #call(endpoint, params) {
    return JSON.parse(await this.#callText(endpoint, params));
  }

  /** Parses an answer to `endpoint` (sans-IO), with the token scrubbed from any error. */
  parse(endpoint, status, body) {
    const got = answer({ status, body });
    if (got.bad !== undefined) throw new TypeError(`idn-toto: ${got.bad.replace('the transport returned', 'parse got')}`);
    const client = this.#core;
    try {
      return JSON.parse(client.parse(endpoint, got.status, got.bytes));
    } catch (e) {
      if (!isTrap(e)) throw toError(e);
      reinstantiate();
      const info = endpoints().find((row) => row.id === endpoint);
      throw trapError(e, info === undefined || info.idempotent);
    }
  }

  /**
   * `text` with the token replaced by `***` in every form the core knows
   * (raw, percent-encoded, JSON- and HTML-escaped, any letter case), e.g.
   * before logging a transport's error.
   */
  redact(text) {
    return core(() => this.#core.redact(String(text)));
  }

  /** Calls any endpoint with canonical parameters (the dynamic form of the methods). */
  async call(endpoint, params) {
    if (endpoint === 'multiple_transaction') {
      const p = params || {};
      return this.multipleTransaction(p.type, p.transaction);
    }
    return this.#call(endpoint, params === undefined ? null : params);
  }

  /**
   * Every row of every page, asking the core for the next page's params (at
   * most `maxPages` pages: past that, the core's decode error at `page`).
   */
  async *#pages(endpoint, params) {
    let p = params;
    let pages = 0;
    while (p !== null) {
      const text = await this.#callText(endpoint, p);
      pages += 1;
      const page = JSON.parse(text);
      yield* page.data;
      const current = p;
      p = JSON.parse(core(() => wasm.nextPageWithin(endpoint, paramsText(current), text, pages, this.#maxPages)));
    }
  }

  /**
   * Any number of items, sent in requests of at most 25; resolves to one
   * outcome per input item, in input order.
   */
  async multipleTransaction(type, transaction) {
    const batch = core(() => this.#core.batch(paramsText({ type, transaction }), this.#snapshots));
    const born = generation;
    const journal = this.#journal;
    /** Input index -> { id, unsettled } of each journaled item. */
    const journaled = new Map();
    const line = (index, state, message) => {
      const { id, unsettled } = journaled.get(index);
      return journalLine(id, unsettled, state, message);
    };
    try {
      for (;;) {
        const next = batch.nextRequest();
        if (next === undefined) break;
        // The items of a money request (none for a history read): their
        // intents are on disk before it leaves.
        const items = journal === null ? [] : JSON.parse(batch.sending());
        for (const { index, unsettled } of items) {
          journaled.set(index, { id: randomUUID(), unsettled });
          journal.append(line(index, 'intent', undefined));
        }
        let got;
        try {
          got = answer(await this.#send(new RequestDescriptor(next)));
        } catch (e) {
          got = { bad: reasonOf(e) };
        }
        try {
          if (got.bad !== undefined) {
            batch.recordTransportFailure(got.bad);
          } else {
            batch.recordResponse(got.status, got.bytes);
          }
        } catch (e) {
          if (!isTrap(e)) throw toError(e);
          // The batch's state lived in the retired instance: what was sent
          // can only be settled by reading the transaction list or history.
          reinstantiate();
          throw trapError(e, false);
        }
        if (items.length > 0) {
          for (const o of JSON.parse(batch.sent())) {
            const message = o.message === undefined ? undefined : this.redact(o.message);
            journal.append(line(o.index, o.status, message));
          }
        }
      }
      const outcomes = JSON.parse(batch.finish());
      for (const o of outcomes) {
        if (journaled.has(o.index)) o.journal_id = journaled.get(o.index).id;
      }
      return outcomes;
    } finally {
      if (born === generation) batch.free();
    }
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
    return this.#settle(unsettled, journalId);
  }

  async #settle(unsettled, journalId) {
    const settle = core(() => this.#core.settle(JSON.stringify(unsettled), this.#settleDelayMs));
    const born = generation;
    let settlement;
    try {
      for (;;) {
        const step = JSON.parse(settle.nextStep());
        if (step.done !== undefined) {
          settlement = step.done;
          break;
        }
        if (step.wait !== undefined) {
          await sleep(step.wait);
          continue;
        }
        let got;
        try {
          got = answer(await this.#send(new RequestDescriptor(step.send)));
        } catch (e) {
          got = { bad: reasonOf(e) };
        }
        core(() => (got.bad !== undefined ? settle.recordTransportFailure(got.bad) : settle.recordResponse(got.status, got.bytes)));
      }
    } finally {
      if (born === generation) settle.free();
    }
    if (journalId !== undefined) {
      settlement.journal_id = journalId;
      if (this.#journal !== null) {
        this.#journal.append(journalLine(journalId, unsettled, settlement.state, settlement.reason));
      }
    }
    return settlement;
  }

  /** The journal read by the core (an error naming the field when there is none). */
  #journalRead() {
    if (this.#journal === null) throw invalid('journal', 'the client has no journal');
    return JSON.parse(core(() => wasm.journalRead(this.#journal.read())));
  }

  /**
   * The journal's money moves without a definite state: `{ id, last,
   * endpoint, params, snapshot? }`, in the order of their intents (`last`:
   * `intent`, `unknown` or `undetermined`).
   */
  async unsettled() {
    return this.#journalRead().unsettled;
  }

  /**
   * Settles every unsettled move of the journal, recording each settlement;
   * resolves to the settlements in the journal's order. Up to
   * SETTLE_CONCURRENCY at a time, so their `settleDelayMs` waits overlap.
   */
  async settleUnsettled() {
    const open = this.#journalRead().unsettled;
    const out = new Array(open.length);
    let next = 0;
    const worker = async () => {
      while (next < open.length) {
        const i = next++;
        const unsettled = { endpoint: open[i].endpoint, params: open[i].params };
        if (open[i].snapshot !== undefined) unsettled.snapshot = open[i].snapshot;
        out[i] = await this.#settle(unsettled, open[i].id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SETTLE_CONCURRENCY, open.length) }, worker));
    return out;
  }

  toString() {
    return `Client(${this.#baseUrl})`;
  }

  [inspectSymbol]() {
    return `Client { baseUrl: ${JSON.stringify(this.#baseUrl)}, token: '***' }`;
  }

  // One async method per endpoint (and an async iterator per paged one),
  // from the generated method table.
  static {
    for (const spec of METHODS) {
      if (spec.name === 'multipleTransaction') continue;
      const define = (name, value) =>
        Object.defineProperty(Client.prototype, name, { value, writable: true, configurable: true });
      define(spec.name, async function (...args) {
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
  const client = core(() => new wasm.WasmClient(coreConfig(config)));
  const born = generation;
  try {
    return new RequestDescriptor(core(() => client.build(endpoint, paramsText(params))));
  } finally {
    if (born === generation) client.free();
  }
}

/** Parses an answer to `endpoint` into its canonical object. */
function parse(endpoint, status, body) {
  const got = answer({ status, body });
  if (got.bad !== undefined) throw new TypeError(`idn-toto: ${got.bad.replace('the transport returned', 'parse got')}`);
  try {
    return JSON.parse(wasm.parse(endpoint, got.status, got.bytes));
  } catch (e) {
    if (!isTrap(e)) throw toError(e);
    reinstantiate();
    const info = endpoints().find((row) => row.id === endpoint);
    throw trapError(e, info === undefined || info.idempotent);
  }
}

/** The parameters of the page after `response`, or null after the last. */
function nextPage(endpoint, params, response) {
  return JSON.parse(core(() => wasm.nextPage(endpoint, paramsText(params), JSON.stringify(response))));
}

/** The endpoint table. */
function endpoints() {
  return JSON.parse(core(() => wasm.endpoints()));
}

/** The package version (one source: the Cargo workspace's `version`, which scripts/build.sh writes into package.json). */
const { version } = require('./package.json');

module.exports = { Client, IdnTotoError, FileJournal, build, parse, nextPage, endpoints, version };
