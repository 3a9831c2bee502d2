'use strict';
// The JavaScript client around the idn-toto core (WebAssembly).
//
// This file only converts and does IO: arguments -> canonical params ->
// core build -> transport -> core parse -> result. Validation, URLs,
// parsing, the retry decision, outcome-unknown, batch splitting and paging
// are all the core's (see src/lib.rs).

const wasm = require('./wasm/idn_toto_wasm.js');
const METHODS = require('./methods.cjs');
const { IdnTotoError, fromJson, toError, core } = require('./errors.cjs');

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom');
const encoder = new TextEncoder();
const DEFAULT_TIMEOUT_MS = 30000;

/** A request to send: the real URL in `url`; every printed form is redacted. */
class RequestDescriptor {
  constructor(json) {
    const r = JSON.parse(json);
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

/** The default transport: the global fetch, aborted at the timeout. */
async function fetchTransport(request, { signal }) {
  const response = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body === null ? undefined : request.body,
    signal,
  });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
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
  return JSON.stringify({
    base_url: typeof c.baseUrl === 'string' ? c.baseUrl : '',
    token: typeof c.token === 'string' ? c.token : '',
    path_words: c.pathWords === undefined ? null : c.pathWords,
    retries: c.retries,
    retry_base_delay_ms: c.retryBaseDelayMs,
    retry_max_delay_ms: c.retryMaxDelayMs,
  });
}

class Client {
  #core;
  #transport;
  #timeoutMs;
  #baseUrl;

  /**
   * @param {{baseUrl: string, token: string, transport?: Function, timeoutMs?: number,
   *          retries?: number, retryBaseDelayMs?: number, retryMaxDelayMs?: number,
   *          pathWords?: object}} config
   */
  constructor(config) {
    const c = config || {};
    this.#core = core(() => new wasm.WasmClient(coreConfig(c)));
    if (c.transport !== undefined && typeof c.transport !== 'function') {
      throw new TypeError('idn-toto: transport must be a function');
    }
    this.#transport = c.transport || fetchTransport;
    this.#timeoutMs = c.timeoutMs === undefined ? DEFAULT_TIMEOUT_MS : c.timeoutMs;
    if (!(this.#timeoutMs > 0)) throw new TypeError('idn-toto: timeoutMs must be a positive number');
    this.#baseUrl = c.baseUrl;
    const requests = {};
    for (const spec of METHODS) {
      requests[spec.name] = (...args) =>
        new RequestDescriptor(core(() => this.#core.build(spec.endpoint, JSON.stringify(paramsFrom(spec, args)))));
    }
    /** `client.request.<method>(...)`: the request descriptor, not sent. */
    this.request = Object.freeze(requests);
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
      return await Promise.race([this.#transport(request, { signal: controller.signal }), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Sends one endpoint call; resolves to the canonical JSON text. */
  async #callText(endpoint, params) {
    const call = core(() => this.#core.call(endpoint, JSON.stringify(params)));
    try {
      const request = new RequestDescriptor(call.request());
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
            error = toError(e);
          }
        }
        // The core decides: -1 (never for money-moving requests) or a delay.
        const delay = call.retryDelay();
        if (delay < 0) throw error;
        await sleep(delay);
      }
    } finally {
      call.free();
    }
  }

  async #call(endpoint, params) {
    return JSON.parse(await this.#callText(endpoint, params));
  }

  /** Parses an answer to `endpoint` (sans-IO), with the token scrubbed from any error. */
  parse(endpoint, status, body) {
    const got = answer({ status, body });
    if (got.bad !== undefined) throw new TypeError(`idn-toto: ${got.bad.replace('the transport returned', 'parse got')}`);
    return JSON.parse(core(() => this.#core.parse(endpoint, got.status, got.bytes)));
  }

  /** Calls any endpoint with canonical parameters (the dynamic form of the methods). */
  async call(endpoint, params) {
    if (endpoint === 'multiple_transaction') {
      const p = params || {};
      return this.multipleTransaction(p.type, p.transaction);
    }
    return this.#call(endpoint, params === undefined ? null : params);
  }

  /** Every row of every page, asking the core for the next page's params. */
  async *#pages(endpoint, params) {
    let p = params;
    while (p !== null) {
      const text = await this.#callText(endpoint, p);
      const page = JSON.parse(text);
      yield* page.data;
      const current = p;
      p = JSON.parse(core(() => wasm.nextPage(endpoint, JSON.stringify(current), text)));
    }
  }

  /**
   * Any number of items, sent in requests of at most 25; resolves to one
   * outcome per input item, in input order.
   */
  async multipleTransaction(type, transaction) {
    const batch = core(() => this.#core.batch(JSON.stringify({ type, transaction })));
    try {
      for (;;) {
        const next = batch.nextRequest();
        if (next === undefined) break;
        let got;
        try {
          got = answer(await this.#send(new RequestDescriptor(next)));
        } catch (e) {
          got = { bad: reasonOf(e) };
        }
        if (got.bad !== undefined) {
          batch.recordTransportFailure(got.bad);
        } else {
          batch.recordResponse(got.status, got.bytes);
        }
      }
      return JSON.parse(batch.finish());
    } finally {
      batch.free();
    }
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
  try {
    return new RequestDescriptor(core(() => client.build(endpoint, JSON.stringify(params === undefined ? null : params))));
  } finally {
    client.free();
  }
}

/** Parses an answer to `endpoint` into its canonical object. */
function parse(endpoint, status, body) {
  const got = answer({ status, body });
  if (got.bad !== undefined) throw new TypeError(`idn-toto: ${got.bad.replace('the transport returned', 'parse got')}`);
  return JSON.parse(core(() => wasm.parse(endpoint, got.status, got.bytes)));
}

/** The parameters of the page after `response`, or null after the last. */
function nextPage(endpoint, params, response) {
  return JSON.parse(core(() => wasm.nextPage(endpoint, JSON.stringify(params), JSON.stringify(response))));
}

/** The endpoint table. */
function endpoints() {
  return JSON.parse(wasm.endpoints());
}

/** The package version (one source: the Cargo workspace's `version`, which scripts/build.sh writes into package.json). */
const { version } = require('./package.json');

module.exports = { Client, IdnTotoError, build, parse, nextPage, endpoints, version };
