// What the core's driver brings to the Node client: response headers from
// transports (Retry-After), events (onEvent and diagnostics_channel, never
// the token), per-call options (withOptions: timeoutMs, retries, signal),
// the fetch transport's dispatcher (proxies, TLS) and Client.fromEnv (the
// default node:http transport itself: transport.test.mjs). Fake
// transports where the exchange is scripted; the sandbox over real HTTP
// where the server's behaviour is the point.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';

import { Client, IdnTotoError, FileJournal } from '../pkg/index.mjs';
import { startSandbox, admin } from './sandbox.mjs';
import { RecordingDispatcher, fake } from './fake.mjs';

// A token with characters percent-encoded in URLs ('+', '"'), one of which
// JSON escapes ('"').
const TOKEN = 'EV"T0K+EN42';
const FORMS = [TOKEN, encodeURIComponent(TOKEN), JSON.stringify(TOKEN).slice(1, -1)];
const BASE = 'https://agent.example.com/home.php';
const BALANCE = { status: 200, body: '{"success":true,"message":"Success","user":"lorem","balance":"8900.00"}' };
const PROCESSED = { status: 200, body: '{"success":true,"message":"Transaction has been successfully processed."}' };

let sandbox;
before(async () => {
  sandbox = await startSandbox(TOKEN);
});
after(async () => {
  await sandbox.stop();
});

/** A client recording its events. */
function recorded(config) {
  const events = [];
  const client = new Client({ baseUrl: BASE, token: TOKEN, retryBaseDelayMs: 1, onEvent: (e) => events.push(e), ...config });
  return { client, events };
}

/** A transport that answers only when its signal aborts (then it rejects, as fetch does). */
const hangs = (request, init) => new Promise((_, reject) => {
  init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true });
});

test('transports may return headers (Headers, a plain object or pairs): Retry-After sets the wait, capped by the policy', async () => {
  const later = new Date(Date.now() + 60_000).toUTCString();
  const cases = [
    ['Headers, seconds', new Headers({ 'Retry-After': '1' }), 40],
    ['plain object, seconds', { 'retry-after': '1' }, 40],
    ['plain object, HTTP date', { 'Retry-After': later }, 40],
    ['[name, value] pairs', [['Retry-After', '1']], 40],
    ['Headers, a short wait under the cap', new Headers({ 'retry-after': '0' }), 0],
    ['no headers (the two-field form): backoff', undefined, 1],
  ];
  for (const [name, headers, delay] of cases) {
    const busy = { status: 503, body: 'busy' };
    if (headers !== undefined) busy.headers = headers;
    const { seen, transport } = fake(busy, BALANCE);
    const { client, events } = recorded({ transport, retryMaxDelayMs: 40 });
    assert.equal((await client.userBalance('lorem')).balance, '8900.00', name);
    assert.equal(seen.length, 2, name);
    assert.deepEqual(events.filter((e) => e.kind === 'retry').map((e) => e.delayMs), [delay], name);
  }
});

test('a read answered 429 with Retry-After by the sandbox waits that long (capped), then succeeds', async () => {
  await admin(sandbox, 'reset', 'POST');
  let sends = 0;
  // The fault on the first send only: `429=1` asks for one second.
  const transport = async (request, init) => {
    sends += 1;
    const headers = sends === 1 ? { ...request.headers, 'X-Sandbox-Fault': '429=1' } : request.headers;
    const response = await fetch(request.url, { method: request.method, headers, body: request.body ?? undefined, signal: init.signal });
    return { status: response.status, headers: response.headers, body: new Uint8Array(await response.arrayBuffer()) };
  };
  const events = [];
  const client = new Client({ baseUrl: sandbox.baseUrl, token: TOKEN, transport, retryBaseDelayMs: 1, retryMaxDelayMs: 150, onEvent: (e) => events.push(e) });
  assert.ok((await client.userBalance('LOREM')).balance);
  assert.deepEqual(events.map((e) => e.kind), ['attempt', 'response', 'retry', 'attempt', 'response', 'done']);
  assert.equal(events[1].status, 429);
  assert.equal(events[1].errorKind, 'http');
  assert.equal(events[2].delayMs, 150, 'Retry-After: 1 (1000 ms) capped at retryMaxDelayMs, not the 1 ms backoff');
  const faulty = recorded({
    baseUrl: sandbox.baseUrl,
    retryMaxDelayMs: 120,
    retries: 1,
    transport: async (request, init) => {
      const response = await fetch(request.url, { headers: { ...request.headers, 'X-Sandbox-Fault': '503=1' }, signal: init.signal });
      return { status: response.status, headers: response.headers, body: await response.text() };
    },
  });
  await assert.rejects(faulty.client.userBalance('LOREM'), (e) => e instanceof IdnTotoError && e.kind === 'http' && e.status === 503);
  assert.deepEqual(faulty.events.filter((e) => e.kind === 'retry').map((e) => e.delayMs), [120]);
});

test('the default transport hands the response headers to the core', async () => {
  let requests = 0;
  const server = http.createServer((req, res) => {
    requests += 1;
    if (requests === 1) {
      res.writeHead(429, { 'Retry-After': '2' }).end('slow down');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(BALANCE.body);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { client, events } = recorded({ baseUrl: `http://127.0.0.1:${server.address().port}/home.php`, retryMaxDelayMs: 70 });
    assert.equal((await client.userBalance('lorem')).balance, '8900.00');
    assert.deepEqual(events.filter((e) => e.kind === 'retry').map((e) => e.delayMs), [70], 'Retry-After: 2, capped');
  } finally {
    server.close();
  }
});

test('events: every attempt, answer, retry and outcome, with the redacted URL and no token in any encoding', async () => {
  await admin(sandbox, 'reset', 'POST');
  const seen = [];
  const onChannel = (e) => seen.push(e);
  diagnostics.subscribe('idn-toto:event', onChannel);
  try {
    const { client, events } = recorded({ baseUrl: sandbox.baseUrl, logBodies: true, retries: 1 });
    await client.userBalance('LOREM');
    assert.deepEqual(events.map((e) => e.kind), ['attempt', 'response', 'done']);
    const [attempt, response, done] = events;
    assert.deepEqual(attempt, { kind: 'attempt', endpoint: 'user_balance', method: 'GET', url: `${sandbox.baseUrl}/***/player_info/LOREM`, attempt: 0 });
    assert.equal(response.status, 200);
    assert.ok(Number.isInteger(response.elapsedMs) && response.elapsedMs >= 0);
    assert.ok(response.body.includes('"balance"'), 'logBodies: the body is on response events');
    assert.equal(done.status, 200);
    assert.equal(done.errorKind, undefined);
    assert.deepEqual(seen, events, 'the same events on the diagnostics channel');

    // A server that echoes the token (in the body) on a read that is retried.
    const echo = async (request, init) => {
      const response = await fetch(request.url, { headers: { ...request.headers, 'X-Sandbox-Fault': 'echo-token' }, signal: init.signal });
      return { status: response.status, headers: response.headers, body: await response.text() };
    };
    const echoing = recorded({ baseUrl: sandbox.baseUrl, transport: echo, logBodies: true, retries: 1 });
    await assert.rejects(echoing.client.userBalance('LOREM'), (e) => e.kind === 'http' && e.status === 500);
    assert.deepEqual(echoing.events.map((e) => e.kind), ['attempt', 'response', 'retry', 'attempt', 'response', 'done']);
    assert.ok(echoing.events[1].body.includes('***'), `the echoed token is scrubbed: ${echoing.events[1].body}`);
    assert.equal(echoing.events[5].errorKind, 'http');

    // A batch and a money move's failure.
    const batch = recorded({ baseUrl: sandbox.baseUrl, logBodies: true });
    await batch.client.multipleTransaction('deposit', [{ user: 'LOREM', amount: '1', comment: 'ev', operator: 'OP01' }]);
    assert.ok(batch.events.some((e) => e.endpoint === 'multiple_transaction' && e.kind === 'response' && e.status === 200));
    const lost = recorded({ transport: async () => { throw new Error(`connection reset by ${TOKEN}`); } });
    await assert.rejects(lost.client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), (e) => e.kind === 'outcome_unknown');
    assert.deepEqual(lost.events.map((e) => [e.kind, e.errorKind]), [['attempt', undefined], ['transport_failure', 'outcome_unknown'], ['done', 'outcome_unknown']]);

    const all = [...seen, ...echoing.events, ...batch.events, ...lost.events];
    assert.ok(all.length >= 15);
    for (const e of all) {
      const text = JSON.stringify(e);
      for (const form of FORMS) assert.ok(!text.includes(form), `an event holds the token (${form}): ${text}`);
    }
  } finally {
    diagnostics.unsubscribe('idn-toto:event', onChannel);
  }
});

test('events carry no body unless logBodies is on; a throwing hook does not break the call', async () => {
  const { client, events } = recorded({ transport: fake(BALANCE).transport });
  await client.userBalance('lorem');
  assert.ok(events.length === 3 && events.every((e) => !('body' in e)));
  const throwing = new Client({ baseUrl: BASE, token: TOKEN, transport: fake(BALANCE).transport, onEvent: () => { throw new Error('hook'); } });
  assert.equal((await throwing.userBalance('lorem')).balance, '8900.00');
  assert.throws(() => new Client({ baseUrl: BASE, token: TOKEN, onEvent: 'log' }), /onEvent must be a function/);
});

test('withOptions: timeoutMs and retries per call, sharing the transport and journal', async () => {
  const { seen, transport } = fake({ status: 500, body: '' });
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-options-'));
  const journal = new FileJournal(path.join(dir, 'j.jsonl'));
  const base = new Client({ baseUrl: BASE, token: TOKEN, transport, retries: 2, retryBaseDelayMs: 1, journal, settleDelayMs: 0 });
  await assert.rejects(base.userBalance('u'), (e) => e.kind === 'http');
  assert.equal(seen.length, 3);
  const once = base.withOptions({ retries: 0 });
  await assert.rejects(once.userBalance('u'), (e) => e.kind === 'http');
  assert.equal(seen.length, 4, 'the same transport, not retried');
  await assert.rejects(once.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), (e) => e.kind === 'outcome_unknown' && typeof e.journalId === 'string');
  assert.equal((await base.unsettled()).length, 1, 'the same journal');

  const slow = base.withOptions({ timeoutMs: 30, retries: 0 });
  const hanging = new Client({ baseUrl: BASE, token: TOKEN, transport: hangs }).withOptions({ timeoutMs: 30, retries: 0 });
  await assert.rejects(hanging.userBalance('u'), (e) => e.kind === 'transport' && /timed out after 30 ms/.test(e.reason));
  assert.ok(slow instanceof Client);
  assert.throws(() => base.withOptions({ token: 'other' }), /withOptions takes timeoutMs, retries and signal, not token/);
  assert.throws(() => base.withOptions({ retries: -1 }), /retries must be a whole number/);
});

// An hour's retry wait, on mocked timers that never fire by themselves:
// only the abort can end it (else the test times out).
test('an aborted signal ends a read at once, cutting its retry wait short', { timeout: 20_000 }, async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const controller = new AbortController();
  const { seen, transport } = fake({ status: 503, headers: { 'retry-after': '3600' }, body: 'busy' }, BALANCE);
  const events = [];
  const client = new Client({
    baseUrl: BASE, token: TOKEN, transport, retryMaxDelayMs: 3_600_000,
    onEvent: (e) => {
      events.push(e);
      // Aborted once the hour's wait has begun (the loop sleeps right
      // after handing out the retry event).
      if (e.kind === 'retry') setImmediate(() => controller.abort(new Error('operator cancelled')));
    },
  });
  await assert.rejects(client.withOptions({ signal: controller.signal }).userBalance('u'), (e) => {
    assert.ok(e instanceof IdnTotoError);
    assert.equal(e.kind, 'transport');
    assert.match(e.reason, /aborted \(operator cancelled\)/);
    return true;
  });
  assert.equal(seen.length, 1, 'nothing sent after the abort');
  assert.equal(events[2].delayMs, 3_600_000);
  // Already aborted: rejects with the signal's reason, nothing sent.
  await assert.rejects(client.withOptions({ signal: controller.signal }).userBalance('u'), /operator cancelled/);
  assert.equal(seen.length, 1);
});

test('a money move aborted after it was sent is outcome_unknown, journaled, and settles', async () => {
  await admin(sandbox, 'reset', 'POST');
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-abort-'));
  const journal = new FileJournal(path.join(dir, 'j.jsonl'));
  const controller = new AbortController();
  let sent = 0;
  const transport = (request, init) => {
    sent += 1;
    if (!request.idempotent) queueMicrotask(() => controller.abort(new Error('shutdown')));
    return request.idempotent ? fetch(request.url, { headers: request.headers, signal: init.signal })
      .then(async (r) => ({ status: r.status, headers: r.headers, body: await r.text() })) : hangs(request, init);
  };
  const client = new Client({ baseUrl: sandbox.baseUrl, token: TOKEN, transport, journal, settleDelayMs: 0 });
  const error = await client.withOptions({ signal: controller.signal }).manualTransaction('deposit', 'LOREM', 'abort', '5', 'OP01')
    .then(() => assert.fail('resolved'), (e) => e);
  assert.ok(error instanceof IdnTotoError);
  assert.equal(error.kind, 'outcome_unknown');
  assert.match(error.cause.reason, /aborted \(shutdown\)/);
  assert.equal(sent, 2, 'the history read, then the move');
  const open = await client.unsettled();
  assert.deepEqual(open.map((o) => [o.id, o.last]), [[error.journalId, 'unknown']]);
  const settlement = await client.settle(error);
  assert.equal(settlement.state, 'not_applied', settlement.reason);
  assert.deepEqual(await client.unsettled(), []);
});

test('a money move aborted before it left is not_sent: journaled definite, nothing to settle', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-abort-'));
  const journal = new FileJournal(path.join(dir, 'j.jsonl'));
  const controller = new AbortController();
  const history = { status: 200, body: '{"success":true,"user":"lorem","data":[]}' };
  const seen = [];
  const transport = async (request) => {
    seen.push(request.endpoint);
    // The abort comes while the history is read, before the move leaves.
    controller.abort(new Error('shutdown'));
    return history;
  };
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport, journal, settleDelayMs: 0 });
  const error = await client.withOptions({ signal: controller.signal }).manualTransaction('deposit', 'LOREM', 'abort', '5', 'OP01')
    .then(() => assert.fail('resolved'), (e) => e);
  assert.ok(error instanceof IdnTotoError);
  assert.equal(error.kind, 'transport', error.message);
  assert.match(error.message, /not sent: aborted \(shutdown\)/);
  assert.deepEqual(seen, ['user_history'], 'the move itself never reached the transport');
  const lines = (await import('node:fs')).readFileSync(path.join(dir, 'j.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((l) => [l.event, l.state]), [['intent', undefined], ['outcome', 'not_sent']]);
  assert.deepEqual(await client.unsettled(), [], 'not_sent is definite');
});

test("the fetch transport passes the client's dispatcher (an undici ProxyAgent or Agent)", async () => {
  const dispatcher = new RecordingDispatcher();
  try {
    const client = new Client({ baseUrl: sandbox.baseUrl, token: TOKEN, dispatcher });
    assert.ok((await client.userBalance('LOREM')).balance);
    assert.equal(dispatcher.dispatched, 1);
    // Custom transports get it too.
    const { transport } = fake(BALANCE);
    let given;
    await new Client({ baseUrl: BASE, token: TOKEN, dispatcher, transport: (r, init) => { given = init.dispatcher; return transport(r, init); } }).userBalance('u');
    assert.equal(given, dispatcher);
  } finally {
    await dispatcher.close();
  }
  assert.throws(() => new Client({ baseUrl: BASE, token: TOKEN, dispatcher: 'http://proxy:8080' }), /dispatcher must be an object/);
});

test('Client.fromEnv reads IDN_TOTO_BASE_URL and IDN_TOTO_TOKEN, naming a missing one', async () => {
  const { transport } = fake(BALANCE);
  const client = Client.fromEnv({ transport }, { IDN_TOTO_BASE_URL: BASE, IDN_TOTO_TOKEN: TOKEN });
  assert.equal(client.request.userBalance('u').redactedUrl, `${BASE}/***/player_info/u`);
  assert.equal((await client.userBalance('u')).balance, '8900.00');
  for (const [env, field] of [[{ IDN_TOTO_TOKEN: TOKEN }, 'IDN_TOTO_BASE_URL'], [{ IDN_TOTO_BASE_URL: BASE, IDN_TOTO_TOKEN: '' }, 'IDN_TOTO_TOKEN']]) {
    assert.throws(() => Client.fromEnv({}, env), (e) => e instanceof IdnTotoError && e.kind === 'invalid_request' && e.field === field);
  }
  // By default, process.env.
  process.env.IDN_TOTO_BASE_URL = BASE;
  process.env.IDN_TOTO_TOKEN = TOKEN;
  try {
    assert.equal(String(Client.fromEnv()), `Client(${BASE})`);
  } finally {
    delete process.env.IDN_TOTO_BASE_URL;
    delete process.env.IDN_TOTO_TOKEN;
  }
});
