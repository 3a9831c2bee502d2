'use strict';
// The client's HTTP transports. The default one sends on `node:http` /
// `node:https` (by the URL's protocol) through a keep-alive agent of the
// client's own, or the caller's `agent`. The global `fetch` is used instead
// when the client has an undici `dispatcher` (a fetch concept), or where the
// runtime has no `node:http` (Node, Bun and Deno all have it).
//
// Both only do IO: send the request as the core built it (each money move
// on a connection that carries nothing else), read at most
// `maxBodySize + 1` bytes of the body (the core then reports a body that
// is too large), hand the status and every header back as received (the
// core decides whether the answer is whole: spec-notes 91, 112). Retries,
// timeouts, redirects (none are followed: the token is in the path) and
// errors are the client's and the core's.

const zlib = require('node:zlib');

/** `node:http` and `node:https`, or null where the runtime lacks them. */
const NODE = (() => {
  try {
    const http = require('node:http');
    const https = require('node:https');
    if (typeof http.request !== 'function' || typeof https.request !== 'function'
      || typeof http.Agent !== 'function' || typeof https.Agent !== 'function') return null;
    return { http, https };
  } catch {
    return null;
  }
})();

/**
 * The default agents' settings: one keep-alive connection pool per client
 * (and per protocol), unbounded as Node's default and fetch's are (calls
 * are sequential within one client operation; the caller's concurrency is
 * the caller's), most recently used socket first, and an idle socket closed
 * after 4 s (sooner when the server's `Keep-Alive: timeout=` says so), under
 * the 5 s idle limit common servers use, so that a request rarely goes out
 * on a connection the server is closing. Idle sockets do not keep the
 * process alive (Node's agent unrefs them). Reads only: see MONEY_OPTIONS.
 */
const AGENT_OPTIONS = Object.freeze({ keepAlive: true, maxSockets: Infinity, scheduling: 'lifo', timeout: 4000 });
/**
 * The agents a request that moves money goes through: a new connection
 * each time (`Connection: close`, closed after the answer), never a
 * kept-alive one the server may be closing, which would lose the request
 * after it was written (an unknown outcome for nothing). TLS sessions are
 * still resumed (the agent's session cache).
 */
const MONEY_OPTIONS = Object.freeze({ keepAlive: false, maxSockets: Infinity });

/** The content codings the default transport asks for and decodes (as fetch does). */
const DECODERS = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};
const ACCEPT_ENCODING = 'gzip, deflate, br';

/**
 * Why a send failed, as text without the request's URL or path (the path
 * holds the token). Node's network errors name the host and port at most
 * (`connect ECONNREFUSED 127.0.0.1:9`, `socket hang up`); the URL and path
 * are cut out anyway, whatever the error.
 */
function failure(e, url) {
  let text = e instanceof Error ? e.message : String(e);
  const code = e !== null && typeof e === 'object' && typeof e.code === 'string' ? e.code : undefined;
  if (code !== undefined && !text.includes(code)) text = `${text} (${code})`;
  let path;
  try {
    const u = new URL(url);
    path = u.pathname;
  } catch {
    path = undefined;
  }
  for (const secret of [url, path]) {
    if (secret !== undefined && secret.length > 1) text = text.split(secret).join('<request path>');
  }
  const error = new Error(text);
  if (code !== undefined) error.code = code;
  return error;
}

/**
 * Response headers as node:http received them: `rawHeaders`, the flat
 * `[name, value, name, value, ...]` list (every `set-cookie` its own pair),
 * which is the form the core takes, so the client hands it over as it is.
 * Iterable as `[name, value]` pairs, like any other headers.
 */
class RawHeaders {
  constructor(flat) {
    this.flat = flat;
  }

  * [Symbol.iterator]() {
    for (let i = 0; i + 1 < this.flat.length; i += 2) yield [this.flat[i], this.flat[i + 1]];
  }
}

/** The `content-encoding` in node:http's `rawHeaders`, lower case ('' when none). */
function contentCoding(raw) {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 16 && name.toLowerCase() === 'content-encoding') return raw[i + 1].trim().toLowerCase();
  }
  return '';
}

/**
 * `chunks` (of `total` bytes) as one plain Uint8Array (a view, not a
 * Buffer: the body the client hands to the core has one type whichever
 * transport read it).
 */
function joined(chunks, total) {
  if (chunks.length === 0) return new Uint8Array(0);
  const whole = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total);
  return new Uint8Array(whole.buffer, whole.byteOffset, whole.length);
}

/**
 * The default transport: one request on `node:http` / `node:https`, through
 * `agentFor(tls, idempotent)`. The client's `signal` destroys the request (its
 * socket is not reused). Resolves to `{ status, headers, body }` (`headers`:
 * a `RawHeaders`) once the body has ended or reached `maxBodySize + 1`
 * bytes (then the socket is destroyed: the rest is never read).
 */
function nodeSend(request, init, agentFor) {
  const { signal, maxBodySize } = init;
  return new Promise((resolve, reject) => {
    if (signal !== undefined && signal.aborted) {
      reject(signal.reason);
      return;
    }
    const { url } = request;
    const secure = url.startsWith('https:');
    const limit = maxBodySize === undefined ? Infinity : maxBodySize + 1;
    let req;
    let decoder = null;
    let settled = false;
    // The connection goes (never back to the pool) when a call ends before
    // its body did.
    const drop = () => {
      req.destroy();
      if (decoder !== null) decoder.destroy();
    };
    const onAbort = () => {
      settle(() => reject(signal.reason));
      drop();
    };
    const settle = (then) => {
      if (settled) return;
      settled = true;
      if (signal !== undefined) signal.removeEventListener('abort', onAbort);
      then();
    };
    const fail = (e) => {
      if (settled) return;
      settle(() => reject(failure(e, url)));
      if (req !== undefined) drop();
    };

    const headers = { 'accept-encoding': ACCEPT_ENCODING, ...request.headers };
    let body;
    if (request.body !== null && request.body !== undefined) {
      body = Buffer.from(request.body, 'utf8');
      headers['content-length'] = String(body.length);
    }
    try {
      // Looked up on the module at each call (not destructured once).
      const agent = agentFor(secure, request.idempotent !== false);
      req = (secure ? NODE.https : NODE.http).request(url, { method: request.method, headers, agent });
    } catch (e) {
      fail(e);
      return;
    }
    req.on('error', fail);
    req.on('response', (res) => {
      if (res.statusCode === 204 || res.statusCode === 304) {
        // No body by definition, so Node reads none: whatever the server
        // sent after the head would wait on the connection and could be
        // read as the next request's answer. The API never answers so: the
        // answer goes to the core as it is, the connection never back to
        // the pool.
        settle(() => resolve({ status: res.statusCode, headers: new RawHeaders(res.rawHeaders), body: new Uint8Array(0) }));
        drop();
        return;
      }
      const makeDecoder = DECODERS[contentCoding(res.rawHeaders)];
      let source = res;
      if (makeDecoder !== undefined) {
        decoder = makeDecoder();
        res.on('error', fail);
        res.pipe(decoder);
        source = decoder;
      }
      const chunks = [];
      let total = 0;
      const answer = () => ({ status: res.statusCode, headers: new RawHeaders(res.rawHeaders), body: joined(chunks, total) });
      source.on('data', (chunk) => {
        if (settled) return;
        if (total + chunk.length >= limit) {
          chunks.push(chunk.subarray(0, limit - total));
          total = limit;
          settle(() => resolve(answer()));
          drop();
          return;
        }
        chunks.push(chunk);
        total += chunk.length;
      });
      source.on('end', () => settle(() => resolve(answer())));
      source.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('the connection closed before the end of the body'));
      });
    });
    if (signal !== undefined) signal.addEventListener('abort', onAbort, { once: true });
    req.end(body);
  });
}

/**
 * The agent money moves go through when the caller gave `agent`: for a
 * plain `http.Agent` / `https.Agent`, one of the same class and options
 * (CA, client certificate, lookup, ...) that keeps no connection (each money
 * move on a new one, never one of the caller's pool); for anything else (a
 * proxy agent, a subclass: its options can't be copied) the caller's agent
 * itself, which the request's `Connection: close` keeps from pooling the
 * connection afterwards.
 */
function moneyAgentFrom(agent) {
  const proto = Object.getPrototypeOf(agent);
  const Plain = proto === NODE.https.Agent.prototype ? NODE.https.Agent
    : proto === NODE.http.Agent.prototype ? NODE.http.Agent : null;
  if (Plain === null) return agent;
  return new Plain({ ...agent.options, ...MONEY_OPTIONS });
}

/**
 * The default transport of a client: on `node:http` / `node:https` through
 * `agent` (the caller's) or agents of its own, made on first use: per
 * protocol, a keep-alive pool for reads and a one-connection-per-request
 * agent for money moves.
 */
function nodeTransport(agent) {
  if (agent !== undefined) {
    let money;
    const agentFor = (tls, idempotent) => {
      if (idempotent) return agent;
      if (money === undefined) money = moneyAgentFrom(agent);
      return money;
    };
    return (request, init) => nodeSend(request, init, agentFor);
  }
  const agents = new Map();
  const agentFor = (tls, idempotent) => {
    const key = `${tls ? 'https' : 'http'}:${idempotent ? 'pool' : 'fresh'}`;
    let made = agents.get(key);
    if (made === undefined) {
      made = new (tls ? NODE.https : NODE.http).Agent(idempotent ? AGENT_OPTIONS : MONEY_OPTIONS);
      agents.set(key, made);
    }
    return made;
  };
  return (request, init) => nodeSend(request, init, agentFor);
}

/** Where undici (the one inside Node's fetch, and the npm package) keeps the global dispatcher. */
const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * The dispatcher a money move goes through on the fetch path: `base` (the
 * client's `dispatcher`, else fetch's global one), asked for a connection
 * that carries this request alone. undici's `Agent` (and `ProxyAgent`,
 * `EnvHttpProxyAgent`, which dispatch through one) keeps a pool per origin
 * *string*: money moves are dispatched under the origin written with its
 * trailing slash (`https://host:port/`, the same server to undici's
 * parser, a different key), a pool that only money moves use, each with
 * `reset: true` (sent with `Connection: close` and the connection closed
 * after its answer), so each of its connections carries one request. A
 * `MockAgent` (which makes no connections and matches its interceptors by
 * origin) gets the request as it is; so does a dispatcher for a single
 * origin (an undici `Pool` or `Client`), which then only closes the
 * connection after the answer. Undefined when there is no dispatcher to
 * wrap (a runtime without undici's global one).
 */
function moneyDispatcher(dispatcher) {
  const base = dispatcher !== undefined ? dispatcher : globalThis[GLOBAL_DISPATCHER];
  if (base === null || typeof base !== 'object' || typeof base.dispatch !== 'function') return dispatcher;
  if (typeof base.assertNoPendingInterceptors === 'function') return base;
  return {
    dispatch(options, handler) {
      let { origin } = options;
      try {
        origin = `${new URL(String(origin)).origin}/`;
      } catch {
        // Handed on as it is: the base dispatcher names what is wrong.
      }
      return base.dispatch({ ...options, origin, reset: true }, handler);
    },
  };
}

/**
 * The fetch transport: the global fetch through `dispatcher` when the
 * client has one (an undici `ProxyAgent`, or an `Agent` with TLS options),
 * aborted by the client's signal. It stops reading the body one byte past
 * `maxBodySize` (the core then reports the body as too large) instead of
 * buffering all of it. `redirect: 'manual'`: a redirect is the answer.
 * A money move goes through `moneyDispatcher` (a connection of its own);
 * the core's `connection` header stays out (undici refused it in the
 * versions older Node 20 releases bundle, nodejs/undici#1470; the
 * dispatcher's `reset` says the same). The answer's
 * headers are fetch's `Headers`, every header as received (repeated ones
 * joined with `, `), `content-encoding` and `content-length` included: the
 * core judges whether the (decoded) answer can be taken as whole.
 */
async function fetchTransport(request, { signal, maxBodySize, dispatcher }) {
  const money = request.idempotent === false;
  let headers = request.headers;
  if ('connection' in headers) {
    headers = { ...headers };
    delete headers.connection;
  }
  const init = {
    method: request.method,
    headers,
    body: request.body === null ? undefined : request.body,
    redirect: 'manual',
    signal,
  };
  const through = money ? moneyDispatcher(dispatcher) : dispatcher;
  if (through !== undefined) init.dispatcher = through;
  const response = await fetch(request.url, init);
  return { status: response.status, headers: response.headers, body: await readBody(response, maxBodySize) };
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

/**
 * The transport a client gets when it is given none: fetch with a
 * `dispatcher` or without `node:http`, else `node:http` / `node:https`
 * (through `agent` when given).
 */
function defaultTransport({ dispatcher, agent }) {
  if (dispatcher !== undefined || NODE === null) return fetchTransport;
  return nodeTransport(agent);
}

/**
 * Why `agent` can't be the client's (a TypeError's text), or undefined: an
 * Agent-like object (what `http.request` takes: an `http.Agent`, an
 * `https.Agent`, a proxy agent) of the base URL's protocol.
 */
function agentProblem(agent, baseUrl, { dispatcher, transport }) {
  if (agent === null || typeof agent !== 'object' || typeof agent.addRequest !== 'function') {
    return 'agent must be an http.Agent or https.Agent (an object with addRequest)';
  }
  if (transport !== undefined) return undefined; // a custom transport only receives it
  if (dispatcher !== undefined) {
    return 'agent and dispatcher: give one (agent is for the default node:http transport, dispatcher for fetch)';
  }
  if (NODE === null) return 'agent needs node:http, which this runtime lacks';
  let protocol;
  try {
    protocol = new URL(baseUrl).protocol;
  } catch {
    return undefined; // the core names baseUrl
  }
  if (agent instanceof NODE.https.Agent && protocol === 'http:') {
    return 'agent is an https.Agent, but baseUrl is http://';
  }
  if (Object.getPrototypeOf(agent) === NODE.http.Agent.prototype && protocol === 'https:') {
    return 'agent is an http.Agent, but baseUrl is https:// (give an https.Agent)';
  }
  return undefined;
}

module.exports = { defaultTransport, fetchTransport, agentProblem, RawHeaders };
