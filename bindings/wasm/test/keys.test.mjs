// Operation keys (issue 22) through the package, against the sandbox on
// 127.0.0.1 port 0, with each journal (a JSON Lines file, SQLite, Postgres
// in a throwaway cluster): a keyed batch run again pays nothing twice, a
// keyed call replays its answer and refuses the key reused for another
// amount, keys are checked before anything is sent, eight processes on one
// SQLite file (and two on one Postgres database) credit each key once, and
// a run killed (SIGKILL) mid-batch, run again once its lease ran out,
// credits each key once with no manual step. The Rust CLI's tests
// (crates/idn-toto-cli/tests/keys.rs) are the model.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { inspect } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

import {
  Client, IdnTotoError, KeyConflictError, KeyInUseError, FileJournal, SqliteJournal, PostgresJournal,
} from '../pkg/index.mjs';
import { startSandbox, admin, keyedItems, cents } from './sandbox.mjs';
import { startPostgres } from './postgres.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TOKEN = 'NODE-KEYS-T0KEN-22';
const STORES = ['file', 'sqlite', 'postgres'];

let cluster;
let databases = 0;
let dir;
before(async () => {
  cluster = await startPostgres();
  dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-keys-'));
});
after(async () => {
  if (cluster !== undefined) await cluster.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** A fresh place for `store`'s journal: a file name, or a new Postgres database's connection string. */
async function place(store) {
  databases += 1;
  if (store === 'file') return path.join(dir, `moves-${databases}.jsonl`);
  if (store === 'sqlite') return path.join(dir, `moves-${databases}.sqlite`);
  const name = `keys_${databases}`;
  const admin = new pg.Client({ connectionString: cluster.connectionString });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  return cluster.connectionString.replace(/\/postgres$/, `/${name}`);
}

const open = (store, where) =>
  store === 'file' ? new FileJournal(where) : store === 'sqlite' ? new SqliteJournal(where) : new PostgresJournal(where);
const close = async (journal) => journal.close();

const served = async (sandbox) => (await admin(sandbox, 'stats')).requests;
const balances = async (sandbox) => [await cents(sandbox, 'IPSUM'), await cents(sandbox, 'LOREM')];
const clientOf = (sandbox, journal, extra = {}) =>
  new Client({ baseUrl: sandbox.baseUrl, token: TOKEN, journal, settleDelayMs: 0, ...extra });

for (const store of STORES) {
  test(`a keyed batch run again pays nothing twice; a key reused with another amount is key_conflict (${store})`, async () => {
    const sandbox = await startSandbox(TOKEN);
    const where = await place(store);
    try {
      const [ipsum, lorem] = await balances(sandbox);
      const items = keyedItems(30, 'bonus-2024-05');
      let journal = open(store, where);
      const first = await clientOf(sandbox, journal).multipleTransaction('deposit', items);
      await close(journal);
      assert.deepEqual(first.map((o) => o.status), Array(30).fill('succeeded'));
      assert.deepEqual(await balances(sandbox), [ipsum + 1500n, lorem + 1500n]);

      // A re-run: another client, the journal opened again.
      journal = open(store, where);
      const before = await served(sandbox);
      const again = await clientOf(sandbox, journal).multipleTransaction('deposit', items);
      assert.deepEqual(again.map((o) => o.status), Array(30).fill('already_done'));
      assert.deepEqual(await balances(sandbox), [ipsum + 1500n, lorem + 1500n]);
      // Only the history reads (one per user: the batch reads each user's
      // history once, before its first request): no money request.
      assert.equal((await served(sandbox)) - before, 2);

      // Row 7 under its key with another amount: key_conflict, not sent; the rest already done.
      const changed = items.map((item, i) => (i === 7 ? { ...item, amount: '2.00' } : item));
      const conflict = await clientOf(sandbox, journal).multipleTransaction('deposit', changed);
      const want = Array(30).fill('already_done');
      want[7] = 'key_conflict';
      assert.deepEqual(conflict.map((o) => o.status), want);
      assert.match(conflict[7].message, /amount 1\.00 vs 2\.00/);
      assert.deepEqual(await balances(sandbox), [ipsum + 1500n, lorem + 1500n]);

      // The journal's lines are the same JSON Lines in every store; the keys' records follow them.
      const text = await journal.export();
      assert.equal(text.split('\n').filter((l) => l.includes('"event":"intent"')).length, 30);
      assert.deepEqual(await clientOf(sandbox, journal).unsettled(), []);
      await close(journal);
    } finally {
      await sandbox.stop();
    }
  });

  test(`a keyed call replays its answer; the key with another amount is KeyConflictError, nothing sent (${store})`, async () => {
    const sandbox = await startSandbox(TOKEN);
    const journal = open(store, await place(store));
    try {
      const client = clientOf(sandbox, journal);
      const key = { key: 'bonus-2024-05:LOREM' };
      const before = await cents(sandbox, 'LOREM');
      const first = await client.manualTransaction('deposit', 'LOREM', 'bonus', '70', 'OP01', key);
      assert.equal(first.replayed, undefined);
      const servedBefore = await served(sandbox);
      // The same move (70 is 70.00; the comment is not part of it): replayed.
      const again = await client.manualTransaction('deposit', 'LOREM', 'another comment', '70.00', 'OP01', key);
      assert.equal(again.replayed, true);
      assert.equal(again.message, first.message);
      await assert.rejects(client.manualTransaction('deposit', 'LOREM', 'bonus', '80', 'OP01', key), (e) => {
        assert.ok(e instanceof KeyConflictError && e instanceof IdnTotoError, String(e));
        assert.equal(e.kind, 'key_conflict');
        assert.equal(e.name, 'KeyConflictError');
        assert.equal(e.key, 'bonus-2024-05:LOREM');
        assert.match(e.reason, /amount 70 vs 80/);
        assert.ok(![e.message, e.stack, inspect(e)].some((t) => t.includes(TOKEN)));
        return true;
      });
      // The replay and the conflict read nothing but the user's history.
      assert.equal((await served(sandbox)) - servedBefore, 2);
      assert.equal(await cents(sandbox, 'LOREM'), before + 7000n);

      // An accept under a key: sent once, then replayed (the transaction is gone on the server).
      const pending = (await client.transactionList('deposit')).data[0];
      const accept = () => client.acceptReject('deposit', pending.id, pending.user, 'accept', 'checked', 'OP01', { key: `accept:${pending.id}` });
      assert.equal((await accept()).replayed, undefined);
      assert.equal((await accept()).replayed, true);
      // Through the dynamic form too.
      const params = { type: 'deposit', user: 'LOREM', amount: '70', comment: 'c', operator: 'OP01' };
      assert.equal((await client.call('manual_transaction', params, key)).replayed, true);
      assert.equal(await cents(sandbox, 'LOREM'), before + 7000n);
    } finally {
      await close(journal);
      await sandbox.stop();
    }
  });
}

test('keys are checked before anything is sent', async () => {
  const sandbox = await startSandbox(TOKEN);
  const journal = new FileJournal(path.join(dir, 'checked.jsonl'));
  try {
    const before = await served(sandbox);
    const client = clientOf(sandbox, journal);
    const items = keyedItems(30, 'k');
    items[28] = { ...items[28], key: 'k:3' };
    await assert.rejects(client.multipleTransaction('deposit', items), (e) => e.kind === 'invalid_request' && e.field === 'transaction[28].key');
    const refused = async (call, field) => assert.rejects(call, (e) => e instanceof IdnTotoError && e.kind === 'invalid_request' && e.field === field);
    // Keys live in the journal: none, no key.
    await refused(clientOf(sandbox, undefined).manualTransaction('deposit', 'LOREM', 'c', '1', 'OP01', { key: 'k' }), 'key');
    await refused(clientOf(sandbox, undefined).multipleTransaction('deposit', keyedItems(2, 'k')), 'key');
    await refused(client.manualTransaction('deposit', 'LOREM', 'c', '1', 'OP01', { key: ' padded' }), 'key');
    await refused(client.manualTransaction('deposit', 'LOREM', 'c', '1', 'OP01', { key: 7 }), 'key');
    // A journal that keeps lines but no keys: the claim fails, nothing is sent.
    const lines = [];
    const plain = { append: (line) => void lines.push(line), read: () => lines.join('') };
    await refused(clientOf(sandbox, plain, { snapshots: false }).manualTransaction('deposit', 'LOREM', 'c', '1', 'OP01', { key: 'k' }), 'journal');
    // A store that can't be opened: the claim fails, nothing is sent (a batch: every item not_sent).
    const broken = new SqliteJournal(path.join(dir, 'no-such-dir', 'moves.sqlite'));
    await refused(clientOf(sandbox, broken, { snapshots: false }).manualTransaction('deposit', 'LOREM', 'c', '1', 'OP01', { key: 'k' }), 'journal');
    const unsent = await clientOf(sandbox, broken, { snapshots: false }).multipleTransaction('deposit', keyedItems(3, 'k'));
    assert.deepEqual(unsent.map((o) => o.status), ['not_sent', 'not_sent', 'not_sent']);
    assert.match(unsent[0].message, /the journal could not be written: .*no-such-dir/);
    // A read takes no key (its options are its parameters).
    await assert.rejects(client.userBalance('LOREM', { key: 'k' }), (e) => e.kind === 'invalid_request');
    assert.equal(await served(sandbox), before, 'nothing was sent');
    assert.throws(() => clientOf(sandbox, journal, { keyLeaseMs: 0 }), TypeError);
  } finally {
    journal.close();
    await sandbox.stop();
  }
});

/** Runs keys-child.mjs; resolves to `{ statuses, err }` (its item statuses, its stderr); it must end by itself, exit 0. */
async function child(sandbox, store, where, rows, prefix) {
  const proc = spawn(process.execPath, [path.join(here, 'keys-child.mjs'), sandbox.baseUrl, TOKEN, store, where, String(rows), prefix], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d) => (out += d));
  proc.stderr.on('data', (d) => (err += d));
  const [code] = await once(proc, 'exit');
  assert.equal(code, 0, err);
  return { statuses: JSON.parse(out.trim().split('\n').pop()), err };
}

/** Several processes at once on one store: every item succeeded, already_done or key_in_use; each key sent once; a last run completes. */
async function concurrently(store, processes) {
  const sandbox = await startSandbox(TOKEN);
  try {
    const where = await place(store);
    const rows = 60;
    const [ipsum, lorem] = await balances(sandbox);
    const runs = await Promise.all(Array.from({ length: processes }, () => child(sandbox, store, where, rows, `many-${store}`)));
    const succeeded = Array(rows).fill(0);
    for (const { statuses, err } of runs) {
      assert.equal(statuses.length, rows);
      statuses.forEach((s, i) => {
        assert.ok(['succeeded', 'already_done', 'key_in_use'].includes(s), `row ${i}: ${s} (${err})`);
        if (s === 'succeeded') succeeded[i] += 1;
      });
    }
    assert.deepEqual(succeeded, Array(rows).fill(1), 'each key sent exactly once');
    assert.deepEqual(await balances(sandbox), [ipsum + 3000n, lorem + 3000n]);
    const last = await child(sandbox, store, where, rows, `many-${store}`);
    assert.deepEqual(last.statuses, Array(rows).fill('already_done'), last.err);
    assert.deepEqual(await balances(sandbox), [ipsum + 3000n, lorem + 3000n]);
    const counts = runs.flatMap((r) => r.statuses).reduce((m, s) => ({ ...m, [s]: (m[s] ?? 0) + 1 }), {});
    console.log(`# ${processes} processes on one ${store} journal: ${JSON.stringify(counts)}`);
  } finally {
    await sandbox.stop();
  }
}

test('eight processes on one SQLite file credit each key once', async () => {
  await concurrently('sqlite', 8);
});

test('two processes on one Postgres database credit each key once', async () => {
  await concurrently('postgres', 2);
});

for (const store of STORES) {
  test(`a run killed (SIGKILL) mid-batch, run again after its lease, credits each key once (${store})`, async () => {
    // Every API request takes 300 ms: the kill lands with a request in flight.
    const sandbox = await startSandbox(TOKEN, ['--delay-ms', '300']);
    const where = await place(store);
    const lease = 1000;
    try {
      const rows = 60;
      const [ipsum, lorem] = await balances(sandbox);
      const proc = spawn(process.execPath, [
        path.join(here, 'keys-child.mjs'), sandbox.baseUrl, TOKEN, store, where, String(rows), 'crash', String(lease), '1000',
      ], { stdio: 'ignore' });
      const exited = once(proc, 'exit');
      // Until the second request's claims are written (intents 26..), then kill.
      const watcher = open(store, where);
      const deadline = Date.now() + 60_000;
      for (;;) {
        const text = store === 'file' ? (() => { try { return readFileSync(where, 'utf8'); } catch { return ''; } })() : await Promise.resolve().then(() => watcher.export()).catch(() => '');
        if (text.split('\n').filter((l) => l.includes('"event":"intent"')).length > 25) break;
        assert.ok(Date.now() < deadline, `${store}: the child never got to its second request`);
        assert.equal(proc.exitCode, null, `${store}: the child ended early`);
        await new Promise((resolve) => setTimeout(resolve, 20)); // polling the journal the child writes
      }
      proc.kill('SIGKILL');
      const [, signal] = await exited;
      const killedAt = Date.now();
      assert.equal(signal, 'SIGKILL');
      const client = clientOf(sandbox, watcher, { keyLeaseMs: lease, timeoutMs: 1000 });
      assert.ok((await client.unsettled()).length > 0, `${store}: the kill left open moves`);
      // The killed holder's claims keep others out until their lease ends
      // (at most `lease` after its last claim, made before the kill): a
      // deadline to wait for, not a race.
      await new Promise((resolve) => setTimeout(resolve, killedAt + lease + 50 - Date.now()));
      const outcomes = await client.multipleTransaction('deposit', keyedItems(rows, 'crash'));
      const counts = outcomes.reduce((m, o) => ({ ...m, [o.status]: (m[o.status] ?? 0) + 1 }), {});
      assert.ok(Object.keys(counts).every((s) => s === 'succeeded' || s === 'already_done'), `${store}: ${JSON.stringify(counts)}`);
      assert.deepEqual(await balances(sandbox), [ipsum + 3000n, lorem + 3000n], `${store}: every key credited exactly once (${JSON.stringify(counts)})`);
      assert.deepEqual(await client.unsettled(), [], `${store}: nothing left open`);
      // The open moves were settled with reads before their keys were used again, never re-sent blindly.
      const settledLines = (await watcher.export()).split('\n').filter((l) => l.includes('"event":"settled"'));
      assert.ok(settledLines.length > 0 && settledLines.every((l) => l.includes('"key":"crash:')), `${store}: ${settledLines.length} settled lines`);
      console.log(`# SIGKILL mid-batch, run again (${store}): ${JSON.stringify(counts)}`);
      await close(watcher);
    } finally {
      await sandbox.stop();
    }
  });
}

/** fetch, with the sandbox fault header on money-moving requests only (the history reads go through). */
const faulty = (fault) => async (request, init) => {
  const headers = request.idempotent ? request.headers : { ...request.headers, 'X-Sandbox-Fault': fault };
  const response = await fetch(request.url, { method: request.method, headers, body: request.body ?? undefined, signal: init.signal });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
};

for (const store of ['sqlite', 'postgres']) {
  test(`a ${store} journal is a journal like a file: lost answers listed, settled (settle, settleUnsettled), recorded`, async () => {
    const sandbox = await startSandbox(TOKEN);
    const where = await place(store);
    const journal = open(store, where);
    try {
      const lossy = clientOf(sandbox, journal, { transport: faulty('500-after'), retries: 0 });
      const before = await cents(sandbox, 'LOREM');
      // A single call (no key) whose answer is lost: settled through the error.
      const e = await lossy.manualTransaction('deposit', 'LOREM', 'c', '3', 'OP01').catch((x) => x);
      assert.equal(e.kind, 'outcome_unknown');
      assert.ok(typeof e.journalId === 'string');
      assert.deepEqual((await lossy.unsettled()).map((o) => o.id), [e.journalId]);
      assert.equal((await lossy.settle(e)).state, 'applied');
      // A keyed batch whose answer is lost: settled by a new client from the journal alone.
      const items = keyedItems(2, 'lost');
      const outcomes = await lossy.multipleTransaction('deposit', items);
      assert.deepEqual(outcomes.map((o) => o.status), ['unknown', 'unknown']);
      const other = open(store, where);
      const settler = clientOf(sandbox, other);
      assert.equal((await settler.unsettled()).length, 2);
      const settlements = await settler.settleUnsettled();
      assert.deepEqual(settlements.map((x) => x.state), ['applied', 'applied']);
      assert.deepEqual(await settler.unsettled(), []);
      // The keys' records followed the settled lines: the batch again is already done, nothing sent.
      const again = await settler.multipleTransaction('deposit', items);
      assert.deepEqual(again.map((o) => o.status), ['already_done', 'already_done']);
      assert.equal(await cents(sandbox, 'LOREM'), before + 300n + 100n);
      const lines = (await other.export()).trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(lines.map((l) => l.event), ['intent', 'outcome', 'settled', 'intent', 'intent', 'outcome', 'outcome', 'settled', 'settled']);
      assert.ok(!JSON.stringify(lines).includes(TOKEN));
      await close(other);
    } finally {
      await close(journal);
      await sandbox.stop();
    }
  });
}

test('settling a keyed unknown outcome (its error, its batch outcome) settles the key: its next use sends nothing', async () => {
  const sandbox = await startSandbox(TOKEN);
  const journal = open('sqlite', await place('sqlite'));
  try {
    const lossy = clientOf(sandbox, journal, { transport: faulty('500-after'), retries: 0 });
    const client = clientOf(sandbox, journal);
    const before = await cents(sandbox, 'LOREM');
    const key = { key: 'settle-then-replay:LOREM' };
    const e = await lossy.manualTransaction('deposit', 'LOREM', 'c', '3', 'OP01', key).catch((x) => x);
    assert.equal(e.kind, 'outcome_unknown', String(e));
    assert.equal(e.unsettled.key, key.key);
    assert.equal((await client.settle(e)).state, 'applied');
    let servedBefore = await served(sandbox);
    assert.equal((await client.manualTransaction('deposit', 'LOREM', 'c', '3', 'OP01', key)).replayed, true);
    // Only the snapshot's history read: the key's record took the verdict, nothing is settled again.
    assert.equal((await served(sandbox)) - servedBefore, 1);

    const items = keyedItems(1, 'settle-then-replay-batch').map((item) => ({ ...item, user: 'LOREM' }));
    const [outcome] = await lossy.multipleTransaction('deposit', items);
    assert.equal(outcome.status, 'unknown');
    assert.equal(outcome.key, items[0].key);
    assert.equal((await client.settle(outcome)).state, 'applied');
    servedBefore = await served(sandbox);
    const again = await client.multipleTransaction('deposit', items);
    assert.deepEqual(again.map((o) => o.status), ['already_done']);
    assert.equal((await served(sandbox)) - servedBefore, 1);
    assert.equal(await cents(sandbox, 'LOREM'), before + 300n + 100n);
  } finally {
    await close(journal);
    await sandbox.stop();
  }
});

test('the SQL journals: SQLite created 0600; Postgres never shown, and `pg` named when it is missing', async () => {
  const file = path.join(dir, 'mode.sqlite');
  const sqlite = new SqliteJournal(file);
  sqlite.open();
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal(sqlite.export(), '');
  assert.equal(String(sqlite), `SqliteJournal(${file})`);
  sqlite.close();
  const secret = 'postgres://idn:S3CRET-PASSWORD@127.0.0.1:1/postgres';
  const journal = new PostgresJournal(secret);
  for (const text of [String(journal), inspect(journal), JSON.stringify(journal)]) assert.ok(!text.includes('S3CRET'), text);
  // Nothing listens on port 1: the failure names the store, not the connection string.
  await assert.rejects(journal.export(), (e) => e instanceof IdnTotoError && e.field === 'journal' && !e.message.includes('S3CRET'));
  await journal.close();
  // Without the optional peer dependency: a clear error naming it.
  const script = `
    const Module = require('node:module');
    const resolve = Module._resolveFilename;
    Module._resolveFilename = function (request, ...rest) {
      if (request === 'pg') throw Object.assign(new Error("Cannot find module 'pg'"), { code: 'MODULE_NOT_FOUND' });
      return resolve.call(this, request, ...rest);
    };
    const { PostgresJournal } = require(${JSON.stringify(path.join(here, '../pkg/index.cjs'))});
    try { new PostgresJournal('postgres://x@127.0.0.1/db'); } catch (e) { console.log(e.message); }
  `;
  const said = execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.match(said, /needs the npm package `pg`.*npm install pg/);
});

test('two journals making the Postgres tables at once both succeed (a catalog collision is tried again)', async () => {
  // Without the retry, about two in three fresh databases failed here
  // (23505 on pg_type, 42710, 42P07).
  for (let i = 0; i < 10; i += 1) {
    const where = await place('postgres');
    const journals = [new PostgresJournal(where), new PostgresJournal(where)];
    try {
      await Promise.all(journals.map((j) => j.open()));
      assert.deepEqual(await Promise.all(journals.map((j) => j.export())), ['', '']);
    } finally {
      await Promise.all(journals.map((j) => j.close()));
    }
  }
});

test('a key held by a live claim (another connection to the store) is KeyInUseError, nothing sent', async () => {
  const sandbox = await startSandbox(TOKEN);
  const where = await place('sqlite');
  const a = new SqliteJournal(where);
  const b = new SqliteJournal(where);
  try {
    // A transport that never answers a money move: the first call holds its key.
    let release;
    const hung = new Promise((resolve) => (release = resolve));
    const transport = async (request, init) => {
      if (!request.idempotent) {
        await hung;
        throw new Error('dropped');
      }
      const response = await fetch(request.url, { headers: request.headers, signal: init.signal });
      return { status: response.status, body: await response.text() };
    };
    const holder = clientOf(sandbox, a, { transport }).manualTransaction('deposit', 'LOREM', 'c', '5', 'OP01', { key: 'held' });
    // Until the claim is written (another process's view of the store).
    for (let i = 0; !b.export().includes('"key":"held"'); i += 1) {
      assert.ok(i < 500, 'the first call never claimed its key');
      await new Promise((resolve) => setTimeout(resolve, 10)); // polling the store
    }
    await assert.rejects(clientOf(sandbox, b).manualTransaction('deposit', 'LOREM', 'c', '5', 'OP01', { key: 'held' }), (e) => {
      assert.ok(e instanceof KeyInUseError, String(e));
      assert.equal(e.kind, 'key_in_use');
      assert.equal(e.key, 'held');
      assert.ok(Number.isSafeInteger(e.leaseUntilMs) && e.leaseUntilMs > Date.now());
      return true;
    });
    release();
    await assert.rejects(holder, (e) => e.kind === 'outcome_unknown');
  } finally {
    a.close();
    b.close();
    await sandbox.stop();
  }
});
