// Hostile servers against both default transports (node:http, and fetch
// when the client has an undici `dispatcher`), on raw sockets: answers cut
// short, content-encoded money answers cut after the success JSON, lengths
// that disagree, interim 1xx answers, and which connection each request
// went out on (issue 19, rows 3 and 5; the core decides framing, the
// transports hand every header over and keep money moves on connections of
// their own).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { once } from 'node:events';
import zlib from 'node:zlib';
import { Agent as UndiciAgent, MockAgent as UndiciMockAgent, ProxyAgent as UndiciProxyAgent } from 'undici';

import { Client } from '../pkg/index.mjs';

const TOKEN = 'HOSTILE-T0KEN-19';
const BALANCE = JSON.stringify({ success: true, message: 'Success', user: 'u', balance: '1.50' });
const PROCESSED = JSON.stringify({ success: true, message: 'Transaction has been successfully processed.' });
const BOUND = { timeout: 30_000 };

/**
 * A raw HTTP/1.1 server on 127.0.0.1 port 0. `respond(request, socket)`
 * writes whatever bytes it likes for each request (`{ method, path,
 * headers, body, connection }`, `connection` the index of the socket it came
 * on). `connections[i]` lists the paths each connection carried.
 */
async function rawServer(respond) {
  const connections = [];
  const sockets = new Set();
  const server = net.createServer((socket) => {
    const index = connections.length;
    const carried = [];
    connections.push(carried);
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let pending = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const [line, ...fields] = pending.subarray(0, end).toString('latin1').split('\r\n');
        const headers = {};
        for (const field of fields) {
          const colon = field.indexOf(':');
          headers[field.slice(0, colon).trim().toLowerCase()] = field.slice(colon + 1).trim();
        }
        const length = Number(headers['content-length'] || 0);
        if (pending.length < end + 4 + length) return;
        const body = pending.subarray(end + 4, end + 4 + length).toString('utf8');
        pending = pending.subarray(end + 4 + length);
        const [method, path] = line.split(' ');
        carried.push(path.replace(`/home.php/${TOKEN}`, ''));
        respond({ method, path, headers, body, connection: index }, socket);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    base: `http://127.0.0.1:${server.address().port}/home.php`,
    connections,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A response head: status line and headers (`[name, value]` pairs, repeats kept). */
function head(status, pairs) {
  const reason = { 103: 'Early Hints', 200: 'OK' }[status] || 'Status';
  return `HTTP/1.1 ${status} ${reason}\r\n${pairs.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
}

/** What a read or a money move is answered with (by the request's path). */
const whole = (path) => (path.includes('/push_dps') || path.includes('/manual_dps') ? PROCESSED : BALANCE);

/**
 * `text` compressed with `coding`, flushed but never finished: every byte
 * of the JSON is in the stream, the end of the stream (gzip's trailer,
 * zlib's checksum, brotli's last block) is not. A lenient decoder reads
 * the whole JSON from it.
 */
function cutAfterJson(coding, text) {
  const input = Buffer.from(text);
  if (coding === 'gzip') return zlib.gzipSync(input, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  if (coding === 'deflate') return zlib.deflateSync(input, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  return zlib.brotliCompressSync(input, { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
}

/** Both default transports: node:http (no dispatcher) and fetch (an undici dispatcher). */
const PATHS = [
  ['node:http', () => ({ extra: {}, close: async () => {} })],
  ['fetch', () => {
    const dispatcher = new UndiciAgent();
    return { extra: { dispatcher }, close: () => dispatcher.close() };
  }],
];

const acceptReject = (client, id = '1') => client.acceptReject('deposit', id, 'u', 'accept', 'c', 'o');

function assertUnknown(e) {
  assert.equal(e.kind, 'outcome_unknown', `${e.kind}: ${e.message}`);
  assert.equal(e.cause.kind, 'transport');
  assert.ok(!e.message.includes(TOKEN) && !e.cause.reason.includes(TOKEN));
  return true;
}

for (const [name, make] of PATHS) {
  test(`${name}: a gzip, deflate or br money answer cut after the success JSON is outcome_unknown, framed by close or by its length`, BOUND, async () => {
    const seen = [];
    let coding;
    let framing;
    const server = await rawServer((req, socket) => {
      seen.push(req.headers);
      const body = cutAfterJson(coding, PROCESSED);
      const pairs = [['Content-Type', 'application/json'], ['Content-Encoding', coding]];
      if (framing === 'length') pairs.push(['Content-Length', String(body.length)]);
      pairs.push(['Connection', 'close']);
      socket.end(Buffer.concat([Buffer.from(head(200, pairs)), body]));
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, ...transport.extra });
      for (coding of ['gzip', 'deflate', 'br']) {
        // The stream really holds the whole JSON for a lenient decoder.
        const lenient = { gzip: zlib.gunzipSync, deflate: zlib.inflateSync, br: zlib.brotliDecompressSync }[coding];
        const flush = coding === 'br' ? { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH } : { finishFlush: zlib.constants.Z_SYNC_FLUSH };
        assert.equal(lenient(cutAfterJson(coding, PROCESSED), flush).toString(), PROCESSED);
        for (framing of ['close', 'length']) {
          await assert.rejects(acceptReject(client), assertUnknown, `${coding}, framed by ${framing}`);
        }
      }
      assert.equal(seen.length, 6, 'each money move was sent once, never retried');
      for (const h of seen) assert.equal(h['accept-encoding'], 'identity', 'money moves ask for no content coding');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test(`${name}: a whole gzip money answer is outcome_unknown too (its completeness can't be checked once decoded)`, BOUND, async () => {
    const server = await rawServer((req, socket) => {
      const body = zlib.gzipSync(PROCESSED);
      socket.end(Buffer.concat([Buffer.from(head(200, [['Content-Encoding', 'gzip'], ['Content-Length', String(body.length)], ['Connection', 'close']])), body]));
    });
    const transport = make();
    try {
      await assert.rejects(acceptReject(new Client({ baseUrl: server.base, token: TOKEN, ...transport.extra })), (e) => {
        assertUnknown(e);
        assert.match(e.cause.reason, /^framing: .*content-encoded \(gzip\)/);
        return true;
      });
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test(`${name}: a Content-Length larger than the body, then close: a money move is outcome_unknown, a read a transport error`, BOUND, async () => {
    const server = await rawServer((req, socket) => {
      const body = whole(req.path);
      socket.end(head(200, [['Content-Type', 'application/json'], ['Content-Length', String(body.length + 40)]]) + body);
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, retries: 0, snapshots: false, ...transport.extra });
      await assert.rejects(acceptReject(client), assertUnknown);
      await assert.rejects(client.manualTransaction('deposit', 'u', 'c', '5', 'o'), assertUnknown);
      await assert.rejects(client.userBalance('u'), (e) => e.kind === 'transport');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test(`${name}: two different Content-Length headers: a money move is outcome_unknown; a read fails and the next read is answered on a new connection`, BOUND, async () => {
    let doubled = true;
    const server = await rawServer((req, socket) => {
      const body = whole(req.path);
      const lengths = doubled ? [['Content-Length', String(body.length)], ['Content-Length', String(body.length + 7)]] : [['Content-Length', String(body.length)]];
      socket.write(head(200, [['Content-Type', 'application/json'], ...lengths]) + body);
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, retries: 0, snapshots: false, ...transport.extra });
      await assert.rejects(acceptReject(client), assertUnknown);
      await assert.rejects(client.userBalance('u'), (e) => e.kind === 'transport');
      doubled = false;
      assert.equal((await client.userBalance('u')).balance, '1.50');
      assert.deepEqual(server.connections.at(-1), ['/player_info/u'], 'the read after the doubt came on a connection of its own');
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test(`${name}: a read answered with more bytes than its Content-Length never hands the rest to the next read`, BOUND, async () => {
    const forged = JSON.stringify({ success: true, message: 'Success', user: 'u', balance: '999.00' });
    const server = await rawServer((req, socket) => {
      if (req.connection === 0) {
        // 10 bytes announced, then the rest of this body and a whole forged
        // second answer, on a connection kept open.
        socket.write(`${head(200, [['Content-Type', 'application/json'], ['Content-Length', '10']])}${BALANCE}`
          + `${head(200, [['Content-Type', 'application/json'], ['Content-Length', String(forged.length)]])}${forged}`);
        return;
      }
      socket.write(head(200, [['Content-Type', 'application/json'], ['Content-Length', String(BALANCE.length)]]) + BALANCE);
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, retries: 0, snapshots: false, ...transport.extra });
      await assert.rejects(client.userBalance('u'), (e) => e.kind === 'decode' || e.kind === 'transport');
      assert.equal((await client.userBalance('u')).balance, '1.50', 'the next read got its own answer, not the forged one');
      assert.deepEqual(server.connections, [['/player_info/u'], ['/player_info/u']]);
    } finally {
      await transport.close();
      await server.close();
    }
  });

  test(`${name}: an interim 103 before a money move's 200 is skipped: the final answer counts`, BOUND, async () => {
    const server = await rawServer((req, socket) => {
      const body = whole(req.path);
      socket.write(head(103, [['Link', '</a.css>; rel=preload']]));
      setTimeout(() => socket.end(head(200, [['Content-Type', 'application/json'], ['Content-Length', String(body.length)], ['Connection', 'close']]) + body), 20);
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, ...transport.extra });
      assert.equal((await acceptReject(client)).message, 'Transaction has been successfully processed.');
    } finally {
      await transport.close();
      await server.close();
    }
  });
}

test('node:http: a read whose gzip, deflate or br stream is cut after the JSON is a transport error (its decoder is strict)', BOUND, async () => {
  let coding;
  const server = await rawServer((req, socket) => {
    const body = coding === undefined ? Buffer.from(BALANCE) : cutAfterJson(coding, BALANCE);
    const pairs = [['Content-Length', String(body.length)]];
    if (coding !== undefined) pairs.push(['Content-Encoding', coding]);
    socket.write(Buffer.concat([Buffer.from(head(200, pairs)), body]));
  });
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN, retries: 0 });
    for (coding of ['gzip', 'deflate', 'br']) {
      await assert.rejects(client.userBalance('u'), (e) => {
        assert.equal(e.kind, 'transport', coding);
        assert.match(e.reason, /unexpected end of file/, coding);
        return true;
      });
    }
    // The messages were framed whole (only their content was cut): the
    // connection stays in step, and the next read gets its own answer.
    coding = undefined;
    assert.equal((await client.userBalance('u')).balance, '1.50');
  } finally {
    await server.close();
  }
});

for (const [name, make] of PATHS) {
  test(`${name}: after a 204 (no body by definition) the connection is not used again: bytes sent after it never answer the next read`, BOUND, async () => {
    const forged = JSON.stringify({ success: true, message: 'Success', user: 'u', balance: '999.00' });
    const server = await rawServer((req, socket) => {
      if (req.connection === 0 && server.connections[0].length === 1) {
        socket.write(head(204, []));
        setTimeout(() => socket.write(head(200, [['Content-Length', String(forged.length)]]) + forged), 50);
        return;
      }
      socket.write(head(200, [['Content-Type', 'application/json'], ['Content-Length', String(BALANCE.length)]]) + BALANCE);
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, retries: 0, ...transport.extra });
      await assert.rejects(client.userBalance('u'), (e) => e.kind === 'decode');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.equal((await client.userBalance('u')).balance, '1.50');
      assert.deepEqual(server.connections, [['/player_info/u'], ['/player_info/u']], 'the 204\'s connection carried nothing more');
    } finally {
      await transport.close();
      await server.close();
    }
  });
}


for (const [name, make] of [
  ...PATHS,
  ['node:http with the caller\'s keep-alive http.Agent', () => {
    const agent = new http.Agent({ keepAlive: true });
    return { extra: { agent }, close: async () => agent.destroy() };
  }],
]) {
  test(`${name}: money moves never share a connection with anything else; reads share theirs (a server that never closes)`, BOUND, async () => {
    const asked = [];
    const server = await rawServer((req, socket) => {
      asked.push([req.path.includes('/player_info') ? 'read' : 'money', req.headers.connection]);
      // Keeps every connection open, whatever the request asked.
      const body = whole(req.path);
      socket.write(head(200, [['Content-Type', 'application/json'], ['Content-Length', String(body.length)]]) + body);
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, snapshots: false, ...transport.extra });
      await client.userBalance('u');
      await client.userBalance('u');
      await acceptReject(client, '1');
      await client.userBalance('u');
      await client.manualTransaction('deposit', 'u', 'c', '5', 'o');
      await Promise.all([acceptReject(client, '2'), acceptReject(client, '3'), client.userBalance('u')]);
      await client.userBalance('u');
      const paths = server.connections.flat();
      const money = paths.filter((p) => !p.startsWith('/player_info'));
      assert.equal(money.length, 4, paths.join(' '));
      for (const carried of server.connections) {
        if (carried.some((p) => !p.startsWith('/player_info'))) {
          assert.equal(carried.length, 1, `a money move shared its connection: ${carried.join(', ')}`);
        }
      }
      const readConnections = server.connections.filter((c) => c[0].startsWith('/player_info')).length;
      assert.ok(readConnections <= 2, `the 5 reads used ${readConnections} connections: reads share kept-alive ones`);
      for (const [kind, connection] of asked) {
        assert.equal(connection, kind === 'money' ? 'close' : 'keep-alive', `${kind} asked Connection: ${connection}`);
      }
    } finally {
      await transport.close();
      await server.close();
    }
  });
}

for (const [name, make] of PATHS) {
  test(`${name}: a read that times out mid-body: its connection is not used again`, BOUND, async () => {
    const server = await rawServer((req, socket) => {
      const head200 = head(200, [['Content-Type', 'application/json'], ['Content-Length', String(BALANCE.length)]]);
      if (req.connection === 0) {
        socket.write(head200 + BALANCE.slice(0, 10)); // and the rest never comes
        return;
      }
      socket.write(head200 + BALANCE);
    });
    const transport = make();
    try {
      const client = new Client({ baseUrl: server.base, token: TOKEN, retries: 0, timeoutMs: 300, ...transport.extra });
      await assert.rejects(client.userBalance('u'), (e) => e.kind === 'transport' && /timed out after 300 ms/.test(e.reason));
      assert.equal((await client.userBalance('u')).balance, '1.50');
      // (undici may open a spare connection: only what each carried counts.)
      assert.deepEqual(server.connections[0], ['/player_info/u'], 'nothing more on the timed-out connection');
      assert.equal(server.connections.flat().length, 2);
    } finally {
      await transport.close();
      await server.close();
    }
  });
}

/** A CONNECT proxy on 127.0.0.1 port 0 (what undici's ProxyAgent tunnels through). */
async function connectProxy() {
  const sockets = new Set();
  let tunnels = 0;
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    client.once('data', (chunk) => {
      const [, target] = chunk.toString('latin1').split(' ');
      const [host, port] = target.split(':');
      tunnels += 1;
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      sockets.add(upstream);
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    tunnels: () => tunnels,
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

test('fetch through an undici ProxyAgent: money moves still never share a connection with anything else', BOUND, async () => {
  const server = await rawServer((req, socket) => {
    const body = whole(req.path);
    socket.write(head(200, [['Content-Type', 'application/json'], ['Content-Length', String(body.length)]]) + body);
  });
  const proxy = await connectProxy();
  const dispatcher = new UndiciProxyAgent(proxy.url);
  try {
    const client = new Client({ baseUrl: server.base, token: TOKEN, dispatcher });
    await client.userBalance('u');
    await client.userBalance('u');
    await acceptReject(client, '1');
    await client.userBalance('u');
    await acceptReject(client, '2');
    await client.userBalance('u');
    for (const carried of server.connections) {
      if (carried.some((p) => !p.startsWith('/player_info'))) assert.equal(carried.length, 1, carried.join(', '));
    }
    assert.equal(server.connections.flat().length, 6);
    assert.ok(server.connections.filter((c) => c[0].startsWith('/player_info')).length <= 2, 'the reads share kept-alive tunnels');
    assert.equal(proxy.tunnels(), server.connections.length, 'every connection went through the proxy');
  } finally {
    await dispatcher.close();
    await proxy.close();
    await server.close();
  }
});

test('fetch through an undici MockAgent: money moves reach its interceptors (it makes no connections to keep apart)', BOUND, async () => {
  const mock = new UndiciMockAgent();
  mock.disableNetConnect();
  const origin = mock.get('https://agent.example.com');
  origin.intercept({ path: (p) => p.includes('/push_dps/'), method: 'GET' }).reply(200, PROCESSED);
  origin.intercept({ path: (p) => p.includes('/player_info/'), method: 'GET' }).reply(200, BALANCE);
  try {
    const client = new Client({ baseUrl: 'https://agent.example.com/home.php', token: TOKEN, dispatcher: mock });
    assert.equal((await client.userBalance('u')).balance, '1.50');
    assert.equal((await acceptReject(client)).message, 'Transaction has been successfully processed.');
    mock.assertNoPendingInterceptors();
  } finally {
    await mock.close();
  }
});
