// Limits that must hold in the npm package: a total deadline per call, exact
// amounts only, bounded paging, bounded bodies, and a wasm trap that never
// poisons the package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { once } from 'node:events';

import { Client, IdnTotoError } from '../pkg/index.mjs';

const BASE = 'https://agent.example.com/home.php';
const TOKEN = 'LIMITS-TOKEN-1';

/** A local server; `handler(req, res)`; resolves to { base, close }. */
async function serve(handler) {
  const server = createServer(handler);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  return {
    base: `http://127.0.0.1:${port}/home.php`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

test('the timeout is a total deadline: a server that drips bytes cannot stretch a call', async () => {
  let dripping;
  const server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    // One byte every 100 ms, for 20 s: each read is quick, the whole is not.
    let n = 0;
    dripping = setInterval(() => {
      if (n++ > 200) return res.end();
      res.write(' ');
    }, 100);
    res.on('close', () => clearInterval(dripping));
  });
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN, timeoutMs: 500, retries: 0 });
    const started = Date.now();
    await assert.rejects(client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), (e) => {
      assert.ok(e instanceof IdnTotoError);
      assert.equal(e.kind, 'outcome_unknown');
      assert.equal(e.cause.kind, 'transport');
      return true;
    });
    const took = Date.now() - started;
    assert.ok(took < 5000, `the call lasted ${took} ms with a 500 ms deadline`);
  } finally {
    clearInterval(dripping);
    await server.close();
  }
});

test('JS numbers are refused for amounts unless they are safe integers', async () => {
  const sent = [];
  const transport = async (request) => {
    sent.push(request);
    return { status: 200, body: '{"success":true,"message":"Transaction has been successfully processed.","data":[]}' };
  };
  // snapshots: false: every request is a money request here (none is sent).
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport, snapshots: false });
  // eslint-disable-next-line no-new-wrappers
  const boxed = new Number(0.1 + 0.2);
  const viaToJSON = { toJSON: () => 0.1 + 0.2 };
  for (const amount of [0.1 + 0.2, 1.5, 2 ** 60, Number.NaN, Infinity, boxed, viaToJSON]) {
    await assert.rejects(client.manualTransaction('deposit', 'u', 'c', amount, 'o'), (e) => {
      assert.equal(e.kind, 'invalid_request');
      assert.equal(e.field, 'amount');
      return true;
    });
    await assert.rejects(
      client.multipleTransaction('deposit', [
        { user: 'u', amount: '1', comment: 'c', operator: 'o' },
        { user: 'u', amount, comment: 'c', operator: 'o' },
      ]),
      (e) => {
        assert.equal(e.kind, 'invalid_request');
        assert.equal(e.field, 'transaction[1].amount');
        return true;
      },
    );
    assert.throws(() => client.request.manualTransaction('deposit', 'u', 'c', amount, 'o'), (e) => e.field === 'amount');
  }
  assert.equal(sent.length, 0, 'nothing was sent');
  // Exact forms pass: a string, a bigint, a safe integer.
  assert.match(client.request.manualTransaction('deposit', 'u', 'c', '0.30', 'o').url, /\/0\.30\/o$/);
  assert.match(client.request.manualTransaction('deposit', 'u', 'c', 12345678901234567890n, 'o').url, /\/12345678901234567890\/o$/);
  assert.match(client.request.manualTransaction('deposit', 'u', 'c', 250, 'o').url, /\/250\/o$/);
  const outcomes = await client.multipleTransaction('deposit', [{ user: 'u', amount: 10n, comment: 'c', operator: 'o' }]);
  assert.equal(outcomes[0].status, 'succeeded');
  assert.match(sent[0].body, /"amount":10\b/);
});

const pgaPage = (page, totalPage) => JSON.stringify({
  row: 1, total_row: totalPage, page, per_page: 1, total_page: totalPage,
  total_amount_page: '1', total_amount_all: String(totalPage),
  data: { 1: { id_invoice: String(page), ref_no: 'R', status: 'Accepted', by: 'PGA', user: 'u',
    request_date: '2024-03-01 11:54:56.000', processed_date: '2024-03-01 11:57:41.000', amount: '1',
    destination_bank: 'QRIS' } },
});

test('a server that answers page 1 to every request is a decode error at page', async () => {
  let requests = 0;
  const transport = async () => {
    requests += 1;
    return { status: 200, body: pgaPage(1, 1000000) };
  };
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport });
  const rows = [];
  await assert.rejects(async () => {
    for await (const row of client.iterPgaTransaction('2024-03-01', '2024-03-31')) rows.push(row);
  }, (e) => {
    assert.equal(e.kind, 'decode');
    assert.equal(e.path, 'page');
    return true;
  });
  assert.equal(requests, 2);
  assert.equal(rows.length, 2);
});

test('paging stops at maxPages', async () => {
  let requests = 0;
  const transport = async (request) => {
    requests += 1;
    return { status: 200, body: pgaPage(JSON.parse(request.body).page, 1000000) };
  };
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport, maxPages: 5 });
  await assert.rejects(async () => {
    for await (const row of client.iterPgaTransaction('2024-03-01', '2024-03-31')) assert.ok(row);
  }, (e) => {
    assert.equal(e.kind, 'decode');
    assert.equal(e.path, 'page');
    assert.match(e.reason, /max_pages/);
    return true;
  });
  assert.equal(requests, 5);
  assert.throws(() => new Client({ baseUrl: BASE, token: TOKEN, maxPages: 0 }), TypeError);
});

test('maxBodySize: the default transport stops reading past it, the core refuses the body', async () => {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let written = 0;
  const server = await serve((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const pump = () => {
      while (written < 64 * 1024 * 1024) {
        written += chunk.length;
        if (!res.write(chunk)) return res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => {});
    pump();
  });
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN, maxBodySize: 100000, retries: 0 });
    await assert.rejects(client.userBalance('u'), (e) => {
      assert.equal(e.kind, 'decode');
      assert.equal(e.path, '$');
      assert.match(e.reason, /100000 bytes/);
      return true;
    });
    const money = new Client({ baseUrl: server.base, token: TOKEN, maxBodySize: 100000 });
    await assert.rejects(money.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), (e) => e.kind === 'outcome_unknown' && e.path === '$');
    assert.ok(written < 64 * 1024 * 1024, 'the server was not read to the end');
  } finally {
    await server.close();
  }
});
