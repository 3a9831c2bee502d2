// End to end: the npm package's Client over real HTTP (the default node:http
// transport, and fetch with a fault header) against the sandbox on
// 127.0.0.1. Needs the sandbox binary (scripts/test.sh builds it).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';

import { Client, IdnTotoError } from '../pkg/index.mjs';
import { startSandbox, admin } from './sandbox.mjs';

const TOKEN = 'NODE-E2E-TOKEN-42';
let sandbox;

before(async () => {
  sandbox = await startSandbox(TOKEN);
});
after(async () => {
  await sandbox.stop();
});

const client = (extra = {}) => new Client({ baseUrl: sandbox.baseUrl, token: TOKEN, timeoutMs: 5000, ...extra });
const balanceOf = async (user) => (await client().userBalance(user)).balance;
const cents = (decimal) => {
  const [whole, frac = ''] = decimal.split('.');
  return BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2)) * (whole.startsWith('-') ? -1n : 1n);
};

/** fetch with the sandbox's fault header: a custom transport. */
const faulty = (fault) => async (request, init) => {
  const response = await fetch(request.url, {
    method: request.method,
    headers: { ...request.headers, 'X-Sandbox-Fault': fault },
    body: request.body ?? undefined,
    signal: init.signal,
  });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
};

test('the back-office story moves money exactly once', async () => {
  await admin(sandbox, 'reset', 'POST');
  const c = client();
  const pending = await c.transactionList('deposit');
  const tx = pending.data.find((t) => t.id === '123450001');
  assert.ok(tx, 'the seed has pending deposit 123450001');
  const before = cents(await balanceOf(tx.user));

  const done = await c.acceptReject('deposit', tx.id, tx.user, 'accept', 'node e2e', 'OP01');
  assert.equal(done.message, 'Transaction has been successfully processed.');
  assert.equal(cents(await balanceOf(tx.user)), before + cents(tx.amount));

  await assert.rejects(c.acceptReject('deposit', tx.id, tx.user, 'accept', 'again', 'OP01'), (e) => e instanceof IdnTotoError && e.kind === 'api' && e.apiKind === 'transaction_not_found');
  assert.equal(cents(await balanceOf(tx.user)), before + cents(tx.amount), 'credited once');

  const history = await c.userHistory('deposit', tx.user);
  assert.ok(history.data.some((h) => h.status === 'ACCEPT' && cents(h.amount) === cents(tx.amount)));
  const last = await c.userLastTransaction('deposit', tx.user);
  assert.equal(last.data?.status, 'ACCEPT');
  assert.equal(cents(last.data.amount), cents(tx.amount));
  assert.ok((await c.transactionList('deposit')).data.every((t) => t.id !== tx.id));

  const lorem = cents(await balanceOf('LOREM'));
  await c.manualTransaction('deposit', 'LOREM', 'node correction', '2500.50', 'OP01');
  assert.equal(cents(await balanceOf('LOREM')), lorem + 250050n);
  // The history read before a manual move (snapshots) fails first for an
  // unknown user, and nothing is sent; without snapshots the move is refused.
  await assert.rejects(c.manualTransaction('deposit', 'nobody-here', 'x', '1', 'OP01'), (e) => e.apiKind === 'user_not_found');
  await assert.rejects(client({ snapshots: false }).manualTransaction('deposit', 'nobody-here', 'x', '1', 'OP01'), (e) => e.apiKind === 'user_not_registered');

  // A batch with one already-processed transaction, then 30 manual items.
  const rest = (await c.transactionList('deposit')).data.slice(0, 3);
  const outcomes = await c.multipleTransaction('deposit', [
    { trans_id: tx.id, user: tx.user, action: 'accept', comment: 'dup', operator: 'OP01' },
    ...rest.map((t) => ({ trans_id: t.id, user: t.user, action: 'reject', comment: 'no', operator: 'OP01' })),
  ]);
  assert.deepEqual(outcomes.map((o) => o.status), ['failed', 'succeeded', 'succeeded', 'succeeded']);
  assert.equal(outcomes[0].api_kind, 'transaction_not_found');
  const doler = cents(await balanceOf('DOLER'));
  const manual = await c.multipleTransaction('deposit', Array.from({ length: 30 }, (_, i) => ({ user: 'DOLER', amount: '1.25', comment: `bulk ${i}`, operator: 'OP01' })));
  assert.equal(manual.length, 30);
  assert.ok(manual.every((o, i) => o.status === 'succeeded' && o.index === i));
  assert.equal(cents(await balanceOf('DOLER')), doler + 3750n);
});

test('reports page through every page', async () => {
  const c = client();
  const rows = [];
  for await (const row of c.iterFullTransaction('LOREMS', { date: '2024-05-17' })) rows.push(row);
  const first = await c.fullTransaction('LOREMS', { date: '2024-05-17' });
  assert.equal(rows.length, first.total_data);
  assert.ok(first.total_page > 1);
  const invoices = [];
  for await (const inv of c.iterPgaTransaction('2024-03-01', '2024-03-31')) invoices.push(inv.id_invoice);
  const page1 = await c.pgaTransaction('2024-03-01', '2024-03-31');
  assert.equal(invoices.length, page1.total_row);
  assert.equal(new Set(invoices).size, invoices.length);
  assert.ok((await c.gameList()).data.length > 0);
  assert.ok((await c.numberHistory('o2')).data.length > 0);
  assert.ok((await c.referralList('DOLER')).data.length > 0);
  assert.ok((await c.bankList()).data.includes('BCA'));
});

test('faults give typed errors and money is never retried', async () => {
  await admin(sandbox, 'reset', 'POST');
  const served = async () => (await admin(sandbox, 'stats')).requests;
  const reads = { retries: 2, retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

  let n = await served();
  await assert.rejects(client({ ...reads, transport: faulty('500') }).gameList(), (e) => e.kind === 'http' && e.status === 500);
  assert.equal((await served()) - n, 3, 'a read: one send and two retries');

  const before = cents(await balanceOf('IPSUM'));
  n = await served();
  await assert.rejects(client({ ...reads, transport: faulty('500-after') }).acceptReject('deposit', '123450001', 'IPSUM', 'accept', 'x', 'OP01'), (e) => e.kind === 'outcome_unknown');
  assert.equal((await served()) - n, 1, 'money: sent once');
  assert.ok(cents(await balanceOf('IPSUM')) > before, 'the money did move: that is why it is unknown');

  await assert.rejects(client({ ...reads, transport: faulty('html') }).gameList(), (e) => e.kind === 'decode');
  for (const fault of ['html', '500', 'drop', 'delay=2000']) {
    n = await served();
    await assert.rejects(
      client({ ...reads, timeoutMs: 800, transport: faulty(fault), snapshots: false }).manualTransaction('deposit', 'LOREM', 'fault', '1', 'OP01'),
      (e) => e instanceof IdnTotoError && e.kind === 'outcome_unknown',
      fault,
    );
    assert.equal((await served()) - n, 1, `${fault}: never retried`);
  }
  for (const fault of ['drop', 'delay=2000']) {
    await assert.rejects(client({ retries: 0, timeoutMs: 800, transport: faulty(fault) }).gameList(), (e) => e.kind === 'transport', fault);
  }
  await assert.rejects(client({ retries: 0, transport: faulty('echo-token') }).gameList(), (e) => {
    assert.equal(e.kind, 'http');
    for (const text of [e.message, e.stack, String(e)]) assert.ok(!text.includes(TOKEN), text);
    return true;
  });
});

test('fifty concurrent accepts of one transaction: one success, one credit', async () => {
  await admin(sandbox, 'reset', 'POST');
  const before = cents(await balanceOf('IPSUM'));
  const results = await Promise.allSettled(Array.from({ length: 50 }, () => client().acceptReject('deposit', '123450001', 'IPSUM', 'accept', 'race', 'OP01')));
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  assert.ok(results.filter((r) => r.status === 'rejected').every((r) => r.reason.apiKind === 'transaction_not_found'));
  assert.equal(cents(await balanceOf('IPSUM')), before + cents('1000000'));
});

test('a burst of 2,000 reads from 20 concurrent clients completes without errors', async () => {
  const started = process.hrtime.bigint();
  const workers = Array.from({ length: 20 }, async (_, i) => {
    const c = client();
    for (let k = 0; k < 100; k++) await c.userBalance(i % 2 ? 'LOREM' : 'IPSUM');
  });
  await Promise.all(workers);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`# node burst: 2000 requests in ${seconds.toFixed(2)} s (${Math.round(2000 / seconds)} req/s)`);
});

/**
 * Runs the first ```js block after `marker` in the README at `readme`
 * (relative to this file), importing the built package, in a child Node
 * whose environment has the sandbox's URL and token, in a fresh directory
 * (or `inDir`, to run it again where it ran); `preload` (module text) is
 * imported first. Resolves to its stdout and the directory (the caller
 * removes it).
 */
async function runReadmeSnippet(readme, marker, mustInclude, preload, inDir) {
  const { readFile, writeFile, mkdtemp } = await import('node:fs/promises');
  const { execFile } = await import('node:child_process');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const { fileURLToPath, pathToFileURL } = await import('node:url');
  const here = path.dirname(fileURLToPath(import.meta.url));
  const text = await readFile(path.join(here, readme), 'utf8');
  const section = text.slice(text.indexOf(marker));
  const snippet = section.slice(section.indexOf('```js\n') + 6, section.indexOf('\n```', section.indexOf('```js\n')));
  assert.ok(snippet.includes(mustInclude), 'found the snippet');
  const dir = inDir ?? (await mkdtemp(path.join(tmpdir(), 'idn-toto-readme-')));
  const file = path.join(dir, 'snippet.mjs');
  await writeFile(file, snippet.replace("from 'idn-toto'", `from '${pathToFileURL(path.join(here, '../pkg/index.mjs')).href}'`));
  const args = [file];
  if (preload !== undefined) {
    await writeFile(path.join(dir, 'preload.mjs'), preload);
    args.unshift('--import', pathToFileURL(path.join(dir, 'preload.mjs')).href);
  }
  const stdout = await new Promise((resolve, reject) =>
    execFile(process.execPath, args, { cwd: dir, env: { ...process.env, IDN_TOTO_BASE_URL: sandbox.baseUrl, IDN_TOTO_TOKEN: TOKEN }, timeout: 30_000 }, (err, out, errOut) =>
      err ? reject(new Error(`${err.message}\n${errOut}`)) : resolve(out),
    ),
  );
  return { stdout, dir };
}

test("the root README's Node snippet runs against the sandbox", async () => {
  const { rm } = await import('node:fs/promises');
  await admin(sandbox, 'reset', 'POST');
  const { stdout, dir } = await runReadmeSnippet('../../../README.md', '\n## Node\n', 'Client.fromEnv(');
  await rm(dir, { recursive: true });
  assert.match(stdout, /succeeded/);
  assert.match(stdout, /api transaction_not_found/);
  assert.ok(!stdout.includes(TOKEN));
});

test("the package README's settle snippet settles a lost answer live", async () => {
  const { readFile, rm } = await import('node:fs/promises');
  const path = await import('node:path');
  await admin(sandbox, 'reset', 'POST');
  // The answer to the manual deposit is lost (the sandbox processes it, then
  // answers 500): node:http's request (what the default transport sends
  // with) is wrapped before the snippet runs.
  // Settling waits settleDelayMs (60 s by default) twice before it may
  // conclude; the snippet uses the default, so the child's timers of a
  // minute or more fire at once (the request timeout, 30 s, is untouched).
  const loseAnswer = `import http from 'node:http';
const realSetTimeout = globalThis.setTimeout;
globalThis.setTimeout = (fn, ms, ...args) => realSetTimeout(fn, ms >= 60000 ? 0 : ms, ...args);
const real = http.request;
http.request = (url, options, ...rest) => real(url, String(url).includes('/MANUAL/')
  ? { ...options, headers: { ...options.headers, 'X-Sandbox-Fault': '500-after' } }
  : options, ...rest);
`;
  const before = cents(await balanceOf('LOREM'));
  const { stdout, dir } = await runReadmeSnippet('../README.md', '### Unknown outcomes: settle, and the journal', 'client.settle(e)', loseAnswer);
  assert.match(stdout, /^settled: applied /m);
  assert.equal(cents(await balanceOf('LOREM')), before + 250050n, 'credited once');
  const journal = (await readFile(path.join(dir, 'money.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(journal.map((l) => `${l.event}:${l.state ?? ''}`), ['intent:', 'outcome:unknown', 'settled:applied']);
  assert.ok(!stdout.includes(TOKEN) && !JSON.stringify(journal).includes(TOKEN));
  await rm(dir, { recursive: true });
});

test("the package README's keys snippet, run twice, pays once", async () => {
  const { rm } = await import('node:fs/promises');
  await admin(sandbox, 'reset', 'POST');
  const marker = '### Operation keys: each money move at most once';
  const lorem = cents(await balanceOf('LOREM'));
  const ipsum = cents(await balanceOf('IPSUM'));
  const first = await runReadmeSnippet('../README.md', marker, "key: 'bonus-2024-05:LOREM'");
  try {
    assert.match(first.stdout, /'LOREM: succeeded', 'IPSUM: succeeded'/);
    assert.doesNotMatch(first.stdout, /done before/);
    const again = await runReadmeSnippet('../README.md', marker, "key: 'bonus-2024-05:LOREM'", undefined, first.dir);
    assert.match(again.stdout, /'LOREM: already_done', 'IPSUM: already_done'/);
    assert.match(again.stdout, /done before; nothing sent: /);
    assert.equal(cents(await balanceOf('LOREM')), lorem + 17000n, 'LOREM: the bonus and the refund once');
    assert.equal(cents(await balanceOf('IPSUM')), ipsum + 10000n, 'IPSUM: the bonus once');
  } finally {
    await rm(first.dir, { recursive: true });
  }
});
