// The default transport (node:http / node:https, a keep-alive agent per
// client) against local servers: the body cap, abort and timeout mid-body,
// response headers, the `agent` option, no redirects, request bodies,
// content codings, network errors without the token, a process that exits
// with a kept-alive socket, https with a private CA, and fetch when the
// client has a `dispatcher`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import { once } from 'node:events';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import diagnostics from 'node:diagnostics_channel';
import { Agent as UndiciAgent } from 'undici';

import { Client, IdnTotoError } from '../pkg/index.mjs';
import { RecordingDispatcher } from './fake.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TOKEN = 'TRANSPORT-T0KEN+42';
const ENCODED = encodeURIComponent(TOKEN);
const BALANCE = JSON.stringify({ success: true, message: 'Success', user: 'u', balance: '1.50' });
const PROCESSED = JSON.stringify({ success: true, message: 'Transaction has been successfully processed.' });
const PGA_PAGE = JSON.stringify({
  row: 1, total_row: 1, page: 1, per_page: 1, total_page: 1, total_amount_page: '1', total_amount_all: '1',
  data: { 1: { id_invoice: '1', ref_no: 'R', status: 'Accepted', by: 'PGA', user: 'u',
    request_date: '2024-03-01 11:54:56.000', processed_date: '2024-03-01 11:57:41.000', amount: '1',
    destination_bank: 'QRIS' } },
});
// Every test ends in well under this; a hang fails the test instead.
const BOUND = { timeout: 20_000 };

/**
 * A local HTTP server; `handler(req, res)`. Resolves to { base, port,
 * connections (the sockets accepted), close }.
 */
async function serve(handler, createServer = http.createServer, options = {}) {
  const connections = [];
  const server = createServer(options, handler);
  server.on(createServer === https.createServer ? 'secureConnection' : 'connection', (s) => connections.push(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  const scheme = createServer === https.createServer ? 'https' : 'http';
  return {
    base: `${scheme}://127.0.0.1:${port}/home.php`,
    port,
    connections,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * Resolves when the server's `socket` has closed (at once if it already
 * has); a reset by the client (an error on the socket) is a close too.
 */
const closed = (socket) => new Promise((resolve) => {
  if (socket.destroyed) {
    resolve();
    return;
  }
  socket.on('error', () => {});
  socket.once('close', resolve);
});

const noToken = (e) => {
  for (const text of [e.message, e.reason ?? '', e.stack, JSON.stringify(e.cause ?? {})]) {
    assert.ok(!text.includes(TOKEN) && !text.includes(ENCODED), `leaks the token: ${text}`);
  }
};

test('the body is read to maxBodySize + 1 bytes at most: the boundary, and a huge body cut short', BOUND, async () => {
  const limit = 5000;
  const padded = (n) => BALANCE + ' '.repeat(n - BALANCE.length);
  let body = '';
  let written = 0;
  const server = await serve((req, res) => {
    if (req.url.endsWith('/huge')) {
      // 64 MiB in 64 KiB chunks, as fast as the client reads.
      const chunk = Buffer.alloc(64 * 1024, ' ');
      res.writeHead(200, { 'content-type': 'application/json' });
      const pump = () => {
        while (written < 64 * 1024 * 1024) {
          written += chunk.length;
          if (!res.write(chunk)) return res.once('drain', pump);
        }
        return res.end();
      };
      pump();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN, maxBodySize: limit, retries: 0 });
    body = padded(limit);
    assert.equal((await client.userBalance('u')).balance, '1.50', 'exactly maxBodySize bytes is read whole');
    body = padded(limit + 1);
    await assert.rejects(client.userBalance('u'), (e) => {
      assert.ok(e instanceof IdnTotoError);
      assert.equal(e.kind, 'decode');
      assert.equal(e.path, '$');
      assert.match(e.reason, /5000 bytes/);
      return true;
    });
    const before = server.connections.length;
    await assert.rejects(client.userBalance('huge'), (e) => e.kind === 'decode' && e.path === '$');
    // The connection the huge body came on was destroyed (not pooled) with
    // the rest of the body unread.
    await closed(server.connections.at(-1));
    assert.ok(written < 64 * 1024 * 1024, `the server was not read to the end (${written} bytes written)`);
    assert.equal((await new Client({ baseUrl: server.base, token: TOKEN }).userBalance('u')).balance, '1.50');
    assert.ok(server.connections.length > before, 'a new connection after the cut');
  } finally {
    await server.close();
  }
});

/**
 * A server that sends the headers and half a body, then holds the rest;
 * `headersIn()` resolves when the client has parsed the headers (node:http's
 * `http.client.response.finish` channel), so the client is mid-body.
 */
async function halfBody() {
  const server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(BALANCE.length) });
    res.write(BALANCE.slice(0, 10));
  });
  let seen;
  const headers = new Promise((resolve) => {
    seen = resolve;
  });
  const onResponse = () => seen();
  diagnostics.subscribe('http.client.response.finish', onResponse);
  return {
    server,
    headersIn: () => headers,
    close: async () => {
      diagnostics.unsubscribe('http.client.response.finish', onResponse);
      await server.close();
    },
  };
}

test('an abort mid-body ends the call as a transport failure and destroys the connection', BOUND, async () => {
  const half = await halfBody();
  try {
    const controller = new AbortController();
    const client = new Client({ baseUrl: half.server.base, token: TOKEN, retries: 0 }).withOptions({ signal: controller.signal });
    const call = client.userBalance('u');
    await half.headersIn();
    controller.abort(new Error('operator cancelled'));
    await assert.rejects(call, (e) => {
      assert.equal(e.kind, 'transport');
      assert.match(e.reason, /aborted \(operator cancelled\)/);
      return true;
    });
    await closed(half.server.connections[0]);
    assert.equal(half.server.connections.length, 1);
  } finally {
    await half.close();
  }
});

test('a timeout mid-body is a transport failure (outcome_unknown for a money move) and destroys the connection', BOUND, async () => {
  const half = await halfBody();
  try {
    const client = new Client({ baseUrl: half.server.base, token: TOKEN, retries: 0, timeoutMs: 300 });
    const read = client.userBalance('u');
    await half.headersIn();
    await assert.rejects(read, (e) => {
      assert.equal(e.kind, 'transport');
      assert.match(e.reason, /timed out after 300 ms/);
      return true;
    });
    await closed(half.server.connections[0]);
    await assert.rejects(client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), (e) => {
      assert.equal(e.kind, 'outcome_unknown');
      assert.equal(e.cause.kind, 'transport');
      return true;
    });
    await closed(half.server.connections[1]);
  } finally {
    await half.close();
  }
});

test('a connection closed mid-body is a transport failure', BOUND, async () => {
  const server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
    res.write(BALANCE.slice(0, 10), () => res.destroy());
  });
  try {
    await assert.rejects(new Client({ baseUrl: server.base, token: TOKEN, retries: 0 }).userBalance('u'), (e) => {
      assert.equal(e.kind, 'transport');
      assert.match(e.reason, /aborted|closed before the end of the body/);
      noToken(e);
      return true;
    });
  } finally {
    await server.close();
  }
});

test('the response headers reach the core: a 503 with Retry-After waits that long, then the retry succeeds', BOUND, async () => {
  let requests = 0;
  const server = await serve((req, res) => {
    requests += 1;
    if (requests === 1) {
      // set-cookie comes as an array from node:http: one pair per cookie.
      res.writeHead(503, { 'Retry-After': '1', 'Set-Cookie': ['a=1', 'b=2'] }).end('busy');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(BALANCE);
  });
  try {
    const events = [];
    const client = new Client({ baseUrl: server.base, token: TOKEN, retryBaseDelayMs: 1, retryMaxDelayMs: 5000, onEvent: (e) => events.push(e) });
    assert.equal((await client.userBalance('u')).balance, '1.50');
    assert.equal(requests, 2);
    assert.deepEqual(events.filter((e) => e.kind === 'retry').map((e) => e.delayMs), [1000], 'Retry-After: 1, not the 1 ms backoff');
  } finally {
    await server.close();
  }
});

test("requests: method, the core's headers, a body with content-length, keep-alive; a gzip answer is decoded", BOUND, async () => {
  const seen = [];
  const server = await serve(async (req, res) => {
    const chunks = [];
    for await (const c of req) chunks.push(c);
    seen.push({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
    if (req.url.endsWith('/gzip')) {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync(BALANCE));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(PGA_PAGE);
  });
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN });
    // A POST with a JSON body (the PGA report), then a GET.
    const request = client.request.pgaTransaction('2024-03-01', '2024-03-31', { refNo: 'Référence' });
    assert.equal((await client.pgaTransaction('2024-03-01', '2024-03-31', { refNo: 'Référence' })).data.length, 1);
    assert.equal((await client.userBalance('gzip')).balance, '1.50');
    const [post, get] = seen;
    assert.equal(post.method, 'POST');
    assert.equal(`http://127.0.0.1:${server.port}${post.url}`, request.url);
    assert.equal(post.body, request.body);
    assert.equal(post.headers['content-length'], String(Buffer.byteLength(request.body)), 'bytes, not characters');
    for (const [name, value] of Object.entries(request.headers)) assert.equal(post.headers[name], value, name);
    assert.equal(post.headers.connection, 'keep-alive');
    assert.match(post.headers['accept-encoding'], /gzip/);
    assert.equal(get.method, 'GET');
    assert.equal(get.headers['content-length'], undefined);
    assert.equal(server.connections.length, 1, 'the second call reused the connection');
  } finally {
    await server.close();
  }
});

test('reads share a kept-alive connection; every money move gets a new one, closed after its answer', BOUND, async () => {
  const seen = [];
  const server = await serve((req, res) => {
    seen.push({ socket: req.socket, connection: req.headers.connection, money: req.url.includes('/push_dps') });
    res.writeHead(200, { 'content-type': 'application/json' }).end(req.url.includes('/push_dps') ? PROCESSED : BALANCE);
  });
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN });
    await client.userBalance('u');
    await client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o');
    await client.userBalance('u');
    await client.acceptReject('deposit', '2', 'u', 'accept', 'c', 'o');
    assert.deepEqual(seen.map((r) => [r.money, r.connection]),
      [[false, 'keep-alive'], [true, 'close'], [false, 'keep-alive'], [true, 'close']]);
    const [read1, money1, read2, money2] = seen.map((r) => r.socket);
    assert.equal(read1, read2, 'the reads shared one connection');
    assert.equal(new Set([read1, money1, money2]).size, 3, 'each money move had a connection of its own');
    await closed(money1);
    await closed(money2);
    assert.ok(!read1.destroyed, 'the read connection stays open for the next read');
  } finally {
    await server.close();
  }
});

test('a decoded body counts toward maxBodySize (a small gzip of a large body is cut)', BOUND, async () => {
  const server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
      .end(gzipSync(BALANCE + ' '.repeat(10 * 1024 * 1024)));
  });
  try {
    await assert.rejects(new Client({ baseUrl: server.base, token: TOKEN, maxBodySize: 100000, retries: 0 }).userBalance('u'), (e) => {
      assert.equal(e.kind, 'decode');
      assert.match(e.reason, /100000 bytes/);
      return true;
    });
  } finally {
    await server.close();
  }
});

test('a body that does not decode as its content-encoding says is a transport failure, and the connection goes', BOUND, async () => {
  const server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('this is not gzip');
  });
  try {
    await assert.rejects(new Client({ baseUrl: server.base, token: TOKEN, retries: 0 }).userBalance('u'), (e) => {
      assert.equal(e.kind, 'transport');
      assert.match(e.reason, /Z_DATA_ERROR/);
      return true;
    });
    await closed(server.connections[0]);
  } finally {
    await server.close();
  }
});

test('redirects are not followed: a 302 is the answer (an http error), on node:http and on fetch', BOUND, async () => {
  let followed = 0;
  const server = await serve((req, res) => {
    if (req.url.startsWith('/elsewhere')) {
      followed += 1;
      res.writeHead(200, { 'content-type': 'application/json' }).end(BALANCE);
      return;
    }
    res.writeHead(302, { location: '/elsewhere' }).end();
  });
  const dispatcher = new UndiciAgent();
  try {
    for (const extra of [{}, { dispatcher }]) {
      await assert.rejects(new Client({ baseUrl: server.base, token: TOKEN, ...extra }).userBalance('u'), (e) => {
        assert.equal(e.kind, 'http');
        assert.equal(e.status, 302);
        return true;
      });
    }
    assert.equal(followed, 0);
  } finally {
    await dispatcher.close();
    await server.close();
  }
});

test('network errors are transport failures with a reason and without the token', BOUND, async () => {
  // A port with nothing listening: a server closed again.
  const gone = await serve(() => {});
  const { base } = gone;
  await gone.close();
  await assert.rejects(new Client({ baseUrl: base, token: TOKEN, retries: 0 }).userBalance('u'), (e) => {
    assert.equal(e.kind, 'transport');
    assert.match(e.reason, /ECONNREFUSED/);
    noToken(e);
    return true;
  });
  // A server that drops the connection without answering.
  const rude = await serve((req) => req.socket.destroy());
  try {
    await assert.rejects(new Client({ baseUrl: rude.base, token: TOKEN, retries: 0 }).acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), (e) => {
      assert.equal(e.kind, 'outcome_unknown');
      assert.match(e.cause.reason, /ECONNRESET/);
      noToken(e);
      return true;
    });
  } finally {
    await rude.close();
  }
});

test('the agent option: the default transport sends through it; custom transports receive it; a bad one is a TypeError', BOUND, async () => {
  const server = await serve((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BALANCE));
  const added = [];
  class Recording extends http.Agent {
    addRequest(req, options) {
      added.push(req.path);
      return super.addRequest(req, options);
    }
  }
  const agent = new Recording({ keepAlive: true });
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN, agent });
    assert.equal((await client.userBalance('u')).balance, '1.50');
    assert.equal((await client.withOptions({ timeoutMs: 5000 }).userBalance('u')).balance, '1.50');
    assert.equal((await Client.fromEnv({ agent }, { IDN_TOTO_BASE_URL: server.base, IDN_TOTO_TOKEN: TOKEN }).userBalance('u')).balance, '1.50');
    assert.equal(added.length, 3, 'every call went through the agent (withOptions and fromEnv too)');
    let given;
    const transport = async (request, init) => {
      given = init.agent;
      return { status: 200, body: BALANCE };
    };
    await new Client({ baseUrl: server.base, token: TOKEN, agent, transport }).userBalance('u');
    assert.equal(given, agent);
    assert.equal(added.length, 3, 'a custom transport only receives it');
  } finally {
    agent.destroy();
    await server.close();
  }
  const base = 'https://agent.example.com/home.php';
  for (const bad of ['http://proxy:8080', {}, null, 42]) {
    assert.throws(() => new Client({ baseUrl: base, token: TOKEN, agent: bad }), (e) => e instanceof TypeError && /^idn-toto: agent must be/.test(e.message));
  }
  assert.throws(() => new Client({ baseUrl: 'http://127.0.0.1:1/home.php', token: TOKEN, agent: new https.Agent() }), /agent is an https\.Agent, but baseUrl is http:/);
  assert.throws(() => new Client({ baseUrl: base, token: TOKEN, agent: new http.Agent() }), /agent is an http\.Agent, but baseUrl is https:/);
  assert.throws(() => new Client({ baseUrl: base, token: TOKEN, agent: new https.Agent(), dispatcher: new UndiciAgent() }), /agent and dispatcher: give one/);
  assert.throws(() => Client.fromEnv({ agent: {} }, { IDN_TOTO_BASE_URL: base, IDN_TOTO_TOKEN: TOKEN }), /agent must be/);
});

test('node:http by default, the global fetch when the client has a dispatcher', BOUND, async () => {
  const server = await serve((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BALANCE));
  let started = 0;
  const onStart = () => {
    started += 1;
  };
  diagnostics.subscribe('http.client.request.start', onStart);
  const dispatcher = new RecordingDispatcher();
  try {
    await new Client({ baseUrl: server.base, token: TOKEN }).userBalance('u');
    assert.deepEqual([started, dispatcher.dispatched], [1, 0], 'node:http');
    await new Client({ baseUrl: server.base, token: TOKEN, dispatcher }).userBalance('u');
    assert.deepEqual([started, dispatcher.dispatched], [1, 1], 'fetch through the dispatcher');
  } finally {
    diagnostics.unsubscribe('http.client.request.start', onStart);
    await dispatcher.close();
    await server.close();
  }
});

test('a process that made calls exits on its own: the kept-alive socket does not hold it', BOUND, async () => {
  const server = await serve((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BALANCE));
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-exit-'));
  try {
    const script = path.join(dir, 'child.mjs');
    await writeFile(script, `import { Client } from '${pathToFileURL(path.join(here, '../pkg/index.mjs')).href}';
const client = new Client({ baseUrl: process.argv[2], token: process.argv[3] });
await client.userBalance('u');
const { balance } = await client.withOptions({ timeoutMs: 5000 }).userBalance('u');
await new Promise((resolve) => setImmediate(resolve));
// What still keeps the event loop alive: an idle socket the agent did not unref would be a TCPSocketWrap.
console.log(JSON.stringify({ balance, active: process.getActiveResourcesInfo() }));
`);
    const child = execFile(process.execPath, [script, server.base, TOKEN]);
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(out), { balance: '1.50', active: [] }, 'nothing held the loop once the calls were done');
    assert.equal(server.connections.length, 1, 'both calls used one kept-alive connection, idle when the child ended');
  } finally {
    await rm(dir, { recursive: true });
    await server.close();
  }
});

/** A self-signed certificate for localhost and 127.0.0.1, made with the openssl CLI; null when there is none. */
async function selfSigned() {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
  } catch {
    return null;
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-tls-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
    return { key: await readFile(path.join(dir, 'key.pem')), cert: await readFile(path.join(dir, 'cert.pem')) };
  } finally {
    await rm(dir, { recursive: true });
  }
}

const tls = await selfSigned();

test('https: the default CA check refuses a self-signed server; an https.Agent with its CA gets through', {
  ...BOUND,
  skip: tls === null ? 'the openssl CLI is not installed (it makes the test certificate)' : false,
}, async () => {
  const server = await serve((req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(BALANCE), https.createServer, tls);
  const agent = new https.Agent({ ca: tls.cert, keepAlive: true });
  try {
    const base = `https://localhost:${server.port}/home.php`;
    await assert.rejects(new Client({ baseUrl: base, token: TOKEN, retries: 0 }).userBalance('u'), (e) => {
      assert.equal(e.kind, 'transport');
      assert.match(e.reason, /self[- ]signed/i);
      noToken(e);
      return true;
    });
    const client = new Client({ baseUrl: base, token: TOKEN, agent });
    assert.equal((await client.userBalance('u')).balance, '1.50');
    assert.equal((await client.userBalance('u')).balance, '1.50');
    assert.equal(server.connections.length, 1, 'the refused handshake never became a connection; one kept-alive TLS connection for both calls');
  } finally {
    agent.destroy();
    await server.close();
  }
});
