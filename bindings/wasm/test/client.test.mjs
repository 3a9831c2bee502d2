// The Client against fake transports: timeouts, 5xx, HTML bodies, thrown
// network errors, retries (reads only, as the core decides), partial batch
// failures, pagination, request descriptors, and the token never in an error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { createRequire } from 'node:module';

import { Client, IdnTotoError, build, parse, endpoints } from '../pkg/index.mjs';
import { fake } from './fake.mjs';

const TOKEN = 'S3CR3T-T0KEN+/x'.replace('/', ''); // '+' is percent-encoded in URLs
const ENCODED = encodeURIComponent(TOKEN);
const BASE = 'https://agent.example.com/home.php';

const leaks = (text) => text.includes(TOKEN) || text.includes(ENCODED);

/** Asserts an IdnTotoError of `kind`, with the token nowhere in it. */
function isError(kind, extra = {}) {
  return (e) => {
    assert.ok(e instanceof IdnTotoError, String(e && e.stack));
    assert.equal(e.name, 'IdnTotoError');
    assert.equal(e.kind, kind, e.message);
    for (const [k, v] of Object.entries(extra)) assert.deepStrictEqual(e[k], v, k);
    for (const text of [e.message, e.stack, String(e), inspect(e, { depth: 5 }), JSON.stringify(e.detail)]) {
      assert.ok(!leaks(text), `leaks the token: ${text}`);
    }
    return true;
  };
}

const client = (transport, more = {}) =>
  new Client({ baseUrl: BASE, token: TOKEN, transport, retryBaseDelayMs: 1, ...more });

const ok = (obj) => ({ status: 200, body: JSON.stringify(obj) });
const BALANCE = ok({ success: true, message: 'Success', user: 'lorem', balance: '8900.00' });
const PROCESSED = ok({ success: true, message: 'Transaction has been successfully processed.' });

test('a read resolves to the canonical shape, amounts as decimal strings', async () => {
  const { seen, transport } = fake({ status: 200, body: new TextEncoder().encode(BALANCE.body) });
  const got = await client(transport).userBalance('LOREM');
  assert.deepStrictEqual(got, { message: 'Success', user: 'lorem', balance: '8900.00' });
  assert.equal(seen.length, 1);
  assert.equal(seen[0].method, 'GET');
  assert.equal(seen[0].url, `${BASE}/${ENCODED}/player_info/LOREM`);
  assert.equal(seen[0].redactedUrl, `${BASE}/***/player_info/LOREM`);
  assert.deepStrictEqual({ ...seen[0].headers }, { accept: 'application/json' });
  assert.equal(seen[0].idempotent, true);
});

test('positional arguments in URL order, options camelCase', async () => {
  const { seen, transport } = fake(PROCESSED, ok({ data: [] }), ok({ row: 0, total_row: 0, page: 1, per_page: 10, total_page: 1, total_amount_page: '0', total_amount_all: '0', data: [] }));
  const c = client(transport);
  await c.acceptReject('deposit', 'TX1', 'LOREM', 'accept', 'ok', 'OP01');
  assert.equal(seen[0].redactedUrl, `${BASE}/***/push_dps/TX1/LOREM/ACCEPT/ok/OP01`);
  await c.transactionList('withdraw', { bank: 'bca', name: 'TEST ACCOUNT' });
  assert.equal(seen[1].redactedUrl, `${BASE}/***/wd/bca?name=TEST%20ACCOUNT`);
  await c.pgaTransaction('2024-05-01', '2024-05-17', { refNo: 'R1', status: 'paid' });
  assert.equal(seen[2].method, 'POST');
  const body = JSON.parse(seen[2].body);
  assert.equal(body.start_date, '2024-05-01');
  assert.equal(body.end_date, '2024-05-17');
  assert.equal(JSON.parse(seen[2].body).ref_no, 'R1');
});

test('invalid arguments reject before anything is sent, naming the field', async () => {
  const { seen, transport } = fake(PROCESSED);
  const c = client(transport);
  await assert.rejects(c.manualTransaction('deposit', 'LOREM', 'c', '-5', 'OP'), isError('invalid_request', { field: 'amount' }));
  await assert.rejects(c.userHistory('sideways', 'LOREM'), isError('invalid_request', { field: 'type' }));
  await assert.rejects(c.userBalance(''), isError('invalid_request', { field: 'user' }));
  await assert.rejects(c.transactionList('deposit', { bnak: 'bca' }), isError('invalid_request', { field: 'bnak' }));
  assert.equal(seen.length, 0);
  assert.throws(() => new Client({ baseUrl: 'ftp://x', token: TOKEN }), isError('invalid_request', { field: 'base_url' }));
  assert.throws(() => new Client({ baseUrl: BASE, token: '' }), isError('invalid_request', { field: 'token' }));
});

test('API refusals are typed, with apiKind', async () => {
  const { transport } = fake(ok({ success: false, message: 'User not found' }));
  await assert.rejects(client(transport).userBalance('NOBODY'), isError('api', { apiKind: 'user_not_found', serverMessage: 'User not found' }));
});

test('a read is retried on 500 (delay from the core), then succeeds', async () => {
  const { seen, transport } = fake({ status: 500, body: 'oops' }, BALANCE);
  const got = await client(transport).userBalance('LOREM');
  assert.equal(got.balance, '8900.00');
  assert.equal(seen.length, 2);
});

test('a read gives up after `retries` and reports the last error', async () => {
  const { seen, transport } = fake({ status: 503, body: '<html><body>Service Unavailable</body></html>' });
  await assert.rejects(client(transport, { retries: 2 }).gameList(), isError('http', { status: 503 }));
  assert.equal(seen.length, 3);
  const again = fake({ status: 500, body: 'x' });
  await assert.rejects(client(again.transport, { retries: 0 }).gameList(), isError('http', { status: 500 }));
  assert.equal(again.seen.length, 1);
});

test('a 4xx, an API refusal or an HTML 200 body is not retried', async () => {
  for (const answer of [{ status: 404, body: 'nope' }, ok({ success: false, message: 'Invalid User!' }), { status: 200, body: '<html>maintenance</html>' }]) {
    const { seen, transport } = fake(answer);
    await assert.rejects(client(transport).referralList('LOREM'), (e) => e instanceof IdnTotoError);
    assert.equal(seen.length, 1);
  }
  const { transport } = fake({ status: 200, body: '<!DOCTYPE html><html><body>Login</body></html>' });
  await assert.rejects(client(transport).bankList(), isError('decode', { path: '$' }));
});

test('a thrown network error on a read is `transport`, retried', async () => {
  const { seen, transport } = fake(() => {
    throw new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
  });
  await assert.rejects(client(transport).bankList(), isError('transport'));
  assert.equal(seen.length, 3);
  await assert.rejects(client(transport).bankList(), (e) => /ECONNREFUSED/.test(e.reason));
});

test('money-moving calls are never retried: failures are outcome_unknown', async () => {
  const thrown = fake(() => {
    throw new Error(`socket hang up while calling ${BASE}/${ENCODED}/push_dps`);
  });
  await assert.rejects(
    client(thrown.transport, { retries: 5 }).acceptReject('deposit', 'TX1', 'LOREM', 'accept', 'ok', 'OP01'),
    isError('outcome_unknown'),
  );
  assert.equal(thrown.seen.length, 1);
  const e500 = fake({ status: 500, body: 'Internal Server Error' });
  await assert.rejects(
    // snapshots: false: only the money request goes to this transport.
    client(e500.transport, { retries: 5, snapshots: false }).manualTransaction('deposit', 'LOREM', 'bonus', '10000', 'OP01'),
    isError('outcome_unknown', { status: 500 }),
  );
  assert.equal(e500.seen.length, 1);
  const html = fake({ status: 200, body: '<html>gateway</html>' });
  await assert.rejects(
    client(html.transport).acceptReject('withdraw', 'TX1', 'LOREM', 'reject', 'no', 'OP01'),
    (e) => isError('outcome_unknown')(e) && e.cause.kind === 'decode',
  );
});

test('timeouts: a read is a transport error, money is outcome_unknown; the signal aborts', async () => {
  let aborted = 0;
  const hang = (request, { signal }) =>
    new Promise((_, reject) => signal.addEventListener('abort', () => (aborted++, reject(signal.reason))));
  const never = () => new Promise(() => {});
  const t0 = Date.now();
  await assert.rejects(client(hang, { timeoutMs: 30, retries: 0 }).userBalance('LOREM'), isError('transport', { reason: 'timed out after 30 ms' }));
  await assert.rejects(client(never, { timeoutMs: 30 }).acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), isError('outcome_unknown'));
  assert.equal(aborted, 1);
  assert.ok(Date.now() - t0 < 2000);
});

test('a transport that returns nonsense is a transport failure', async () => {
  for (const bad of [undefined, { status: 'x', body: '' }, { status: 200, body: 42 }]) {
    const { transport } = fake(bad);
    await assert.rejects(client(transport, { retries: 0 }).bankList(), isError('transport'));
  }
});

test('the token never appears in errors, even when the server echoes it', async () => {
  const echo = `token ${TOKEN} and ${ENCODED} are invalid`;
  const cases = [
    [{ status: 403, body: echo }, 'http'],
    [ok({ success: false, message: echo }), 'api'],
    [{ status: 200, body: `{"success":true,"user":"${TOKEN}","balance":"x${TOKEN}"}` }, 'decode'],
  ];
  for (const [answer, kind] of cases) {
    const { transport } = fake(answer);
    await assert.rejects(client(transport, { retries: 0 }).userBalance('LOREM'), isError(kind));
  }
  const thrown = fake(() => {
    throw new Error(`ECONNRESET ${BASE}/${ENCODED}/player_info/LOREM ${TOKEN}`);
  });
  await assert.rejects(client(thrown.transport, { retries: 0 }).userBalance('LOREM'), isError('transport'));
});

test('request descriptors: real URL to send, redacted everywhere it is printed', () => {
  const c = client(async () => BALANCE);
  const r = c.request.manualTransaction('deposit', 'LOREM', 'bonus', '2500.50', 'OP01');
  assert.equal(r.url, `${BASE}/${ENCODED}/MANUAL/depo/LOREM/bonus/2500.50/OP01`);
  assert.equal(String(r), `GET ${BASE}/***/MANUAL/depo/LOREM/bonus/2500.50/OP01`);
  for (const text of [String(r), JSON.stringify(r), inspect(r), inspect({ r }), `${r}`]) assert.ok(!leaks(text), text);
  assert.ok(!leaks(inspect(c)) && !leaks(String(c)));
  assert.throws(() => c.request.userBalance(''), isError('invalid_request', { field: 'user' }));
  const m = c.request.multipleTransaction('withdraw', [{ user: 'LOREM', amount: '5', comment: 'c', operator: 'o' }]);
  assert.equal(m.method, 'POST');
  assert.equal(m.redactedUrl, `${BASE}/***/MANUAL/wd`);
  assert.deepStrictEqual(JSON.parse(m.body), { transaction: [{ user: 'LOREM', amount: 5, comment: 'c', operator: 'o' }] });
});

test('sans-IO: build and parse with canonical params', () => {
  const r = build('user_history', { type: 'withdraw', user: 'LOREM' }, { baseUrl: BASE, token: TOKEN });
  assert.equal(r.redactedUrl, `${BASE}/***/history/wd/LOREM`);
  const h = parse('user_history', 200, '{"success":true,"message":"Success","user":"LOREM","data":[{"date":"23-02-2021 13:28:21","amount":"5000.00","status":"ACCEPT"}]}');
  assert.deepStrictEqual(h.data, [{ date: '2021-02-23T13:28:21', amount: '5000.00', status: 'ACCEPT' }]);
  assert.throws(() => parse('no_such_endpoint', 200, '{}'), isError('invalid_request', { field: 'endpoint' }));
  // The table is the core's; the client has a method for each entry (both generated from it).
  const ids = endpoints().map((e) => e.id);
  assert.ok(ids.includes('transaction_list') && ids.includes('pga_transaction') && new Set(ids).size === ids.length);
  for (const id of ids) {
    const name = id.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
    assert.equal(typeof Client.prototype[name], 'function', name);
  }
});

const item = (i) => ({ trans_id: `T${i}`, user: `U${i}`, action: 'accept', comment: 'c', operator: 'OP01' });

test('multipleTransaction: any number of items, <= 25 per request, one outcome per item in order', async () => {
  const { seen, transport } = fake((request) => {
    const items = JSON.parse(request.body).transaction;
    // The server refuses every item whose number ends in 7.
    const data = items.filter((it) => it.trans_id.endsWith('7')).map((it) => ({ success: false, trans_id: it.trans_id, message: 'The transaction couldnt be found or has been modified before' }));
    return ok({ success: true, message: data.length ? 'partial transactions has been processed' : 'All transactions has been successfully processed.', data });
  });
  const items = Array.from({ length: 60 }, (_, i) => item(i));
  const outcomes = await client(transport).multipleTransaction('deposit', items);
  assert.deepEqual(seen.map((r) => JSON.parse(r.body).transaction.length), [25, 25, 10]);
  assert.equal(outcomes.length, 60);
  outcomes.forEach((o, i) => {
    assert.equal(o.index, i);
    assert.equal(o.trans_id, `T${i}`);
    assert.equal(o.status, String(i).endsWith('7') ? 'failed' : 'succeeded');
    if (o.status === 'failed') assert.equal(o.api_kind, 'transaction_not_found');
  });
});

test('multipleTransaction: a failure mid-way makes that chunk unknown and the rest not_sent', async () => {
  const { seen, transport } = fake(ok({ success: true, message: 'All transactions has been successfully processed.', data: [] }), () => {
    throw new Error(`timeout talking to ${BASE}/${ENCODED}`);
  });
  const items = Array.from({ length: 60 }, (_, i) => item(i));
  const outcomes = await client(transport, { retries: 5 }).multipleTransaction('deposit', items);
  assert.equal(seen.length, 2, 'never retried, nothing after the unknown chunk');
  assert.deepEqual(
    [...new Set(outcomes.map((o) => o.status))],
    ['succeeded', 'unknown', 'not_sent'],
  );
  assert.equal(outcomes.filter((o) => o.status === 'unknown').length, 25);
  assert.ok(!leaks(JSON.stringify(outcomes)));
  await assert.rejects(client(transport).multipleTransaction('deposit', []), isError('invalid_request', { field: 'transaction' }));
  await assert.rejects(client(transport).multipleTransaction('deposit', [item(1), item(1)]), isError('invalid_request'));
});

test('pagination: iterFullTransaction and iterPgaTransaction walk every page', async () => {
  const page = (n, total) => ok({
    success: true, message: 'Success', total_data: `${total} Rows`, total_page: `${total} Page(s)`,
    data: [{ user: 'LOREMS', date: '2024-05-17', periode: `${n}`, gamecode: 'p9b', pasar: 'x', turnover: '1.00', winlose: '-1.00' }],
  });
  const { seen, transport } = fake((request) => page(Number(request.url.split('/').at(-1).split('?')[0]), 3));
  const rows = [];
  for await (const row of client(transport).iterFullTransaction('LOREMS', { date: '2024-05-17' })) rows.push(row.periode);
  assert.deepEqual(rows, ['1', '2', '3']);
  assert.deepEqual(seen.map((r) => r.redactedUrl), [1, 2, 3].map((n) => `${BASE}/***/full_transaction/LOREMS/${n}?date=2024-05-17`));

  const pga = fake((request) => {
    const { page: n } = JSON.parse(request.body);
    return ok({
      row: 1, total_row: 2, page: n, per_page: 1, total_page: 2, total_amount_page: '10.00', total_amount_all: '20.00',
      data: { 1: { id_invoice: `INV${n}`, ref_no: 'R', status: 'Accepted', by: 'PGA', user: 'u', request_date: '2024-05-17 10:00:00', processed_date: '', amount: '10.00', destination_bank: 'QRIS' } },
    });
  });
  const invoices = [];
  for await (const inv of client(pga.transport).iterPgaTransaction('2024-05-01', '2024-05-17')) invoices.push(inv);
  assert.deepEqual(invoices.map((i) => i.id_invoice), ['INV1', 'INV2']);
  assert.equal(invoices[0].processed_date, null);

  const failing = fake({ status: 404, body: 'gone' });
  await assert.rejects(async () => {
    for await (const _ of client(failing.transport).iterFullTransaction('LOREMS')) { /* unreachable */ }
  }, isError('http', { status: 404 }));
});

test('require and import give the same classes', () => {
  const require = createRequire(import.meta.url);
  const cjs = require('../pkg/index.cjs');
  assert.equal(cjs.Client, Client);
  assert.equal(cjs.IdnTotoError, IdnTotoError);
});

test('the default transport (a local server), with the timeout', async () => {
  const http = await import('node:http');
  const server = http.createServer((req, res) => {
    if (req.url.includes('/slow/')) return; // never answers
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ success: true, message: 'Success', user: req.url.split('/').at(-1), balance: '1.50' }));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const base = `http://127.0.0.1:${server.address().port}/home.php`;
    const c = new Client({ baseUrl: base, token: TOKEN, timeoutMs: 2000 });
    assert.deepStrictEqual(await c.userBalance('LOREM'), { message: 'Success', user: 'LOREM', balance: '1.50' });
    const slow = new Client({ baseUrl: `${base}/slow`, token: TOKEN, timeoutMs: 50, retries: 0 });
    await assert.rejects(slow.userBalance('LOREM'), isError('transport'));
  } finally {
    server.closeAllConnections();
    server.close();
  }
});
