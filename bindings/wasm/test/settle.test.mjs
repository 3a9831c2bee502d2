// Settling unknown outcomes and the journal, end to end against the sandbox
// (a seed with one pending deposit per user, so every assertion of
// `applied` / `not_applied` is about distinct users: spec-notes 76).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, FileJournal, IdnTotoError } from '../pkg/index.mjs';
import { startSandbox, admin, writeSeed } from './sandbox.mjs';

const TOKEN = 'NODE-SETTLE+TOKEN:42';
const ENCODED = encodeURIComponent(TOKEN);
const FAULTS = ['500-after', 'drop-after', '500', 'drop', 'late=300'];
/** What the sandbox did under each fault: the truth settling must find. */
const DID = { '500-after': 'applied', 'drop-after': 'applied', 500: 'not_applied', drop: 'not_applied', 'late=300': 'applied' };
/** Covers late=300: the in-flight request lands before the first read. */
const SETTLE_DELAY_MS = 1500;

let sandbox;
let dir;
let users = 0;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-settle-'));
  sandbox = await startSandbox(TOKEN, ['--seed', await writeSeed(dir, 80)]);
});
after(async () => {
  await sandbox.stop();
  await rm(dir, { recursive: true });
});

/** A user of the seed no other test touches (`S001`...), and its pending deposit. */
const fresh = () => {
  users += 1;
  return { user: `S${String(users).padStart(3, '0')}`, trans_id: `D${String(users).padStart(4, '0')}` };
};
const state = (user) => admin(sandbox, `state/${encodeURIComponent(user)}`);

/** fetch, with the sandbox fault header on money-moving requests only (the history reads go through). */
const faulty = (fault) => async (request, init) => {
  const headers = request.idempotent ? request.headers : { ...request.headers, 'X-Sandbox-Fault': fault };
  const response = await fetch(request.url, { method: request.method, headers, body: request.body ?? undefined, signal: init.signal });
  return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
};
const client = (extra = {}) => new Client({ baseUrl: sandbox.baseUrl, token: TOKEN, timeoutMs: 5000, retries: 0, settleDelayMs: 0, ...extra });
const settler = (fault, extra = {}) => client({ settleDelayMs: fault.startsWith('late') ? SETTLE_DELAY_MS : 0, ...extra });

const balances = async (users) => (await Promise.all(users.map(state))).map((x) => x.balance);

/**
 * Settles `thing` twice, checking that no balance of `watched` moved
 * meanwhile (under `late=`, the request lands during the first settle's
 * delay: that is the server's doing, so only the second is checked).
 */
async function settleStill(c, thing, watched, fault) {
  const before = await balances(watched);
  const s = await c.settle(thing);
  const between = await balances(watched);
  if (!fault.startsWith('late')) assert.deepEqual(between, before, 'settling moved money');
  const again = await client().settle(thing);
  assert.deepEqual(await balances(watched), between, 'settling again moved money');
  assert.equal(again.state, s.state, 'settling again agrees');
  assert.ok(!JSON.stringify(s).includes(TOKEN) && !JSON.stringify(s).includes(ENCODED), 'token in a settlement');
  assert.ok(s.evidence.length > 0 && s.evidence.every((e) => e.url.includes('/***/')), JSON.stringify(s.evidence));
  return s;
}

const unknown = (e) => e instanceof IdnTotoError && e.kind === 'outcome_unknown';

for (const fault of FAULTS) {
  test(`single accept_reject under ${fault} settles to the truth`, async () => {
    const { user, trans_id } = fresh();
    const e = await client({ transport: faulty(fault) })
      .acceptReject('deposit', trans_id, user, 'accept', 'lost', 'OP01')
      .then(() => assert.fail('no error'), (err) => err);
    assert.ok(unknown(e), String(e));
    assert.match(e.unsettled.server, /^[0-9a-f]{16}$/, 'the server fingerprint');
    assert.deepEqual(e.unsettled, { endpoint: 'accept_reject', params: { type: 'deposit', trans_id, user, action: 'ACCEPT', comment: 'lost', operator: 'OP01' }, server: e.unsettled.server });
    const s = await settleStill(settler(fault), e, [user], fault);
    assert.equal(s.state, DID[fault], `${s.reason} ${JSON.stringify(s.evidence)}`);
    const truth = await state(user);
    assert.equal(!truth.pending.includes(trans_id), s.state === 'applied', 'the pending list says');
    assert.equal(truth.balance, s.state === 'applied' ? '1100.00' : '1000.00');
  });

  test(`single manual_transaction under ${fault} settles to the truth`, async () => {
    const { user } = fresh();
    const e = await client({ transport: faulty(fault) })
      .manualTransaction('deposit', user, 'lost', '12.34', 'OP01')
      .then(() => assert.fail('no error'), (err) => err);
    assert.ok(unknown(e), String(e));
    assert.deepEqual(e.unsettled.snapshot, { entries: [] }, 'the history read before sending');
    const s = await settleStill(settler(fault), e, [user], fault);
    assert.equal(s.state, DID[fault], `${s.reason} ${JSON.stringify(s.evidence)}`);
    assert.equal((await state(user)).balance, s.state === 'applied' ? '1012.34' : '1000.00', 'the balance says');
  });

  test(`batch accept_reject under ${fault} settles item by item`, async () => {
    const items = [fresh(), fresh(), fresh()].map((t) => ({ ...t, action: 'accept', comment: 'bulk', operator: 'OP01' }));
    const outcomes = await client({ transport: faulty(fault) }).multipleTransaction('deposit', items);
    assert.deepEqual(outcomes.map((o) => o.status), ['unknown', 'unknown', 'unknown']);
    const c = settler(fault);
    for (const [i, o] of outcomes.entries()) {
      assert.equal(o.params.trans_id, items[i].trans_id);
      const s = await settleStill(c, o, items.map((t) => t.user), fault);
      assert.equal(s.state, DID[fault], `${s.reason} ${JSON.stringify(s.evidence)}`);
      assert.equal(!(await state(o.user)).pending.includes(o.trans_id), s.state === 'applied', 'the pending list says');
    }
  });

  test(`batch manual under ${fault} settles item by item`, async () => {
    const items = [fresh(), fresh(), fresh()].map((t, i) => ({ user: t.user, amount: `${i + 1}.50`, comment: 'bulk', operator: 'OP01' }));
    const outcomes = await client({ transport: faulty(fault) }).multipleTransaction('deposit', items);
    assert.deepEqual(outcomes.map((o) => o.status), ['unknown', 'unknown', 'unknown']);
    const c = settler(fault);
    for (const [i, o] of outcomes.entries()) {
      assert.deepEqual(o.snapshot, { entries: [] });
      const s = await settleStill(c, o, items.map((t) => t.user), fault);
      assert.equal(s.state, DID[fault], `${s.reason} ${JSON.stringify(s.evidence)}`);
      const moved = s.state === 'applied' ? (1000 + i + 1.5).toFixed(2) : '1000.00';
      assert.equal((await state(o.user)).balance, moved, 'the balance says');
    }
  });
}

test('an in-flight request read before it lands settles not_applied: why settleDelayMs exists', async () => {
  // The same late fault, settled at once (no delay): the read comes before
  // the server processes the request. 3 s of lateness is the scenario.
  const { user, trans_id } = fresh();
  const e = await client({ transport: faulty('late=3000') })
    .acceptReject('deposit', trans_id, user, 'accept', 'late', 'OP01')
    .then(() => assert.fail('no error'), (err) => err);
  const s = await client({ settleDelayMs: 0 }).settle(e);
  assert.equal(s.state, 'not_applied');
  const waited = await client({ settleDelayMs: 4000 }).settle(e);
  assert.equal(waited.state, 'applied', waited.reason);
});

test('several manual items of one user in one lost request settle together (spec-notes 76)', async () => {
  // Both landed: the two new entries are exactly the two items' amounts.
  const { user } = fresh();
  const items = [1, 2].map((n) => ({ user, amount: `${n}`, comment: 'same user', operator: 'OP01' }));
  const outcomes = await client({ transport: faulty('500-after') }).multipleTransaction('deposit', items);
  assert.deepEqual(outcomes.map((o) => o.snapshot.siblings), [['2'], ['1']]);
  for (const o of outcomes) assert.equal((await client().settle(o)).state, 'applied');
  assert.equal((await state(user)).balance, '1003.00');
  // Neither landed: both not_applied.
  const other = fresh().user;
  const lost = await client({ transport: faulty('500') }).multipleTransaction('deposit', items.map((i) => ({ ...i, user: other })));
  for (const o of lost) assert.equal((await client().settle(o)).state, 'not_applied');
});

test('snapshots: false knowingly gives up settling manual moves', async () => {
  const { user } = fresh();
  const served = (await admin(sandbox, 'stats')).requests;
  const e = await client({ snapshots: false, transport: faulty('500-after') })
    .manualTransaction('deposit', user, 'no snapshot', '5', 'OP01')
    .then(() => assert.fail('no error'), (err) => err);
  assert.equal((await admin(sandbox, 'stats')).requests - served, 1, 'no history read');
  assert.equal(e.unsettled.snapshot, undefined);
  const s = await client().settle(e);
  assert.equal(s.state, 'undetermined');
  assert.match(s.reason, /no history snapshot/);
});

test('a failed snapshot read sends no money: the read error (single), not_sent (batch)', async () => {
  const { user } = fresh();
  const failReads = async (request, init) => {
    const headers = request.idempotent ? { ...request.headers, 'X-Sandbox-Fault': '500' } : request.headers;
    const response = await fetch(request.url, { method: request.method, headers, body: request.body ?? undefined, signal: init.signal });
    return { status: response.status, body: new Uint8Array(await response.arrayBuffer()) };
  };
  const journal = new FileJournal(path.join(dir, 'read-fails.jsonl'));
  const c = client({ transport: failReads, journal });
  await assert.rejects(c.manualTransaction('deposit', user, 'x', '5', 'OP01'), (e) => e.kind === 'http' && e.status === 500 && e.unsettled === undefined);
  const outcomes = await c.multipleTransaction('deposit', [{ user, amount: '5', comment: 'x', operator: 'OP01' }]);
  assert.equal(outcomes[0].status, 'not_sent');
  assert.equal((await state(user)).balance, '1000.00');
  assert.equal(journal.read(), '', 'nothing was about to leave');
});

test('settle refuses what is not an unknown outcome, naming the argument', async () => {
  const c = client();
  const { user, trans_id } = fresh();
  const ok = await c.multipleTransaction('deposit', [{ trans_id, user, action: 'reject', comment: 'c', operator: 'OP01' }]);
  const refused = await c.acceptReject('deposit', 'nope', user, 'accept', 'c', 'OP01').catch((e) => e);
  const unknownFromParse = (() => {
    try {
      c.parse('accept_reject', 500, '');
    } catch (e) {
      return e;
    }
  })();
  assert.equal(unknownFromParse.kind, 'outcome_unknown');
  for (const thing of [ok[0], refused, unknownFromParse, new Error('x'), null, { status: 'unknown' }, 'unknown']) {
    await assert.rejects(c.settle(thing), (e) => e instanceof IdnTotoError && e.kind === 'invalid_request' && e.field === 'errorOrOutcome');
  }
  await assert.rejects(c.unsettled(), (e) => e.kind === 'invalid_request' && e.field === 'journal');
  assert.throws(() => client({ settleDelayMs: -1 }), TypeError);
  assert.throws(() => client({ snapshots: 'yes' }), TypeError);
  assert.throws(() => client({ journal: 'file.jsonl' }), TypeError);
});

test('a batch outcome keeps its server and journal id: a client of another server refuses to settle it, reading nothing (S3)', async () => {
  const journal = path.join(dir, 'batch-server.jsonl');
  const items = [fresh(), fresh()].map((t) => ({ ...t, action: 'accept', comment: 'bulk', operator: 'OP01' }));
  const outcomes = await client({ transport: faulty('drop'), journal: new FileJournal(journal) }).multipleTransaction('deposit', items);
  assert.deepEqual(outcomes.map((o) => o.status), ['unknown', 'unknown']);
  for (const o of outcomes) {
    assert.match(o.server, /^[0-9a-f]{16}$/, JSON.stringify(o));
    assert.match(o.journal_id, /-[01]$/, JSON.stringify(o));
  }
  let reads = 0;
  const counting = async () => {
    reads += 1;
    return { status: 500, body: new Uint8Array() };
  };
  const other = new Client({ baseUrl: sandbox.baseUrl, token: 'ANOTHER-SERVER-TOKEN', transport: counting, retries: 0, settleDelayMs: 0 });
  await assert.rejects(other.settle(outcomes[0]), (e) => e instanceof IdnTotoError && e.kind === 'invalid_request' && e.field === 'server');
  assert.equal(reads, 0, 'nothing read for a move of another server');
  // The right server settles it, and its settled line carries the item's id.
  const s = await client({ journal: new FileJournal(journal) }).settle(outcomes[1]);
  assert.equal(s.state, 'not_applied', s.reason);
  assert.equal(s.journal_id, outcomes[1].journal_id);
  const lines = (await readFile(journal, 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
  const settled = lines.filter((l) => l.event === 'settled');
  assert.deepEqual(settled.map((l) => l.id), [outcomes[1].journal_id]);
});

test('the journal: intent on disk before the request leaves, outcome after, settled after settling', async () => {
  const file = path.join(dir, 'journal.jsonl');
  const journal = new FileJournal(file);
  const lines = () => journal.read().split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const seen = [];
  /** Records what the journal held when each money request left. */
  const watching = (inner) => async (request, init) => {
    if (!request.idempotent) seen.push(lines().map((l) => `${l.event}:${l.state ?? ''}`));
    return inner(request, init);
  };
  const a = fresh();
  const b = fresh();
  const c1 = fresh();
  const c = client({ journal, transport: watching(faulty('500-after')) });
  const e = await c.acceptReject('deposit', a.trans_id, a.user, 'accept', 'j', 'OP01').catch((err) => err);
  assert.ok(unknown(e));
  assert.equal(typeof e.journalId, 'string');
  assert.deepEqual(seen[0], ['intent:']);
  const outcomes = await c.multipleTransaction('deposit', [b, c1].map((t) => ({ user: t.user, amount: '7', comment: 'j', operator: 'OP01' })));
  assert.deepEqual(seen[1], ['intent:', 'outcome:unknown', 'intent:', 'intent:'], 'both items intended before the request left');
  const ok = await client({ journal }).manualTransaction('deposit', fresh().user, 'fine', '1', 'OP01');
  assert.match(ok.message, /successfully/);

  let all = lines();
  assert.deepEqual(all.map((l) => `${l.event}:${l.state ?? ''}`), ['intent:', 'outcome:unknown', 'intent:', 'intent:', 'outcome:unknown', 'outcome:unknown', 'intent:', 'outcome:succeeded']);
  assert.equal(all[0].id, e.journalId);
  assert.deepEqual(outcomes.map((o) => o.journal_id), [all[2].id, all[3].id]);
  assert.deepEqual(all[2].snapshot, { entries: [] });
  assert.ok(all.every((l) => typeof l.at === 'string' && !Number.isNaN(Date.parse(l.at))));

  // One settled through settle(), the other two from the journal.
  const reader = client({ journal });
  assert.deepEqual((await reader.unsettled()).map((o) => [o.id, o.last]), [[all[0].id, 'unknown'], [all[2].id, 'unknown'], [all[3].id, 'unknown']]);
  const first = await reader.settle(e);
  assert.equal(first.state, 'applied');
  assert.equal(first.journal_id, e.journalId);
  const rest = await reader.settleUnsettled();
  assert.deepEqual(rest.map((s) => [s.journal_id, s.state]), [[all[2].id, 'applied'], [all[3].id, 'applied']]);
  assert.deepEqual(await reader.unsettled(), []);
  all = lines();
  assert.deepEqual(all.slice(8).map((l) => `${l.id}:${l.event}:${l.state}`), [`${all[0].id}:settled:applied`, `${all[2].id}:settled:applied`, `${all[3].id}:settled:applied`]);

  // No secret in the file, in any encoding.
  const text = await readFile(file, 'utf8');
  for (const form of [TOKEN, ENCODED, ENCODED.toLowerCase(), JSON.stringify(TOKEN).slice(1, -1), Buffer.from(TOKEN).toString('base64')]) {
    assert.ok(!text.includes(form), `token (${form}) in the journal`);
  }
  for (const shown of [String(e), e.stack, JSON.stringify(e.unsettled), String(journal), JSON.stringify(outcomes)]) assert.ok(!shown.includes(TOKEN) && !shown.includes(ENCODED));
});

test('a torn last line is ignored, and cut before the next append; a bad line elsewhere is an error naming it', async () => {
  const file = path.join(dir, 'torn.jsonl');
  const crashed = new FileJournal(file);
  const { user } = fresh();
  await client({ journal: crashed, transport: faulty('drop') }).manualTransaction('deposit', user, 't', '3', 'OP01').catch(() => {});
  const whole = crashed.read();
  crashed.close();
  appendFileSync(file, whole.split('\n')[0].slice(0, 50)); // the write a crash cut
  const journal = new FileJournal(file); // the next process
  const c = client({ journal });
  assert.deepEqual((await c.unsettled()).map((o) => o.last), ['unknown']);
  const [s] = await c.settleUnsettled();
  assert.equal(s.state, 'not_applied');
  assert.equal(journal.read().split('\n').length, 4, 'intent, outcome, settled: the fragment was cut');
  assert.deepEqual(await c.unsettled(), [], 'the file reads whole after the append');

  // A whole record that only lost its newline is cut too, never completed
  // (as in Rust and Python: issue 20, J5): its write never finished, so
  // nothing it announced was sent.
  const kept = path.join(dir, 'kept.jsonl');
  writeFileSync(kept, whole.split('\n')[0]);
  const next = new FileJournal(kept);
  next.append(`${whole.split('\n')[1]}\n`);
  assert.equal(next.read(), `${whole.split('\n')[1]}\n`);
  // What a caller appends is one journal record, or nothing is written.
  assert.throws(() => next.append(whole.split('\n')[0]), (e) => e.kind === 'invalid_request' && e.field === 'journal');
  assert.throws(() => next.append(`{"nope"\n${whole}`), (e) => e.kind === 'invalid_request' && e.field === 'journal');

  const badFile = path.join(dir, 'bad.jsonl');
  writeFileSync(badFile, `{"nope"\n${whole}`);
  const bad = new FileJournal(badFile);
  await assert.rejects(client({ journal: bad }).unsettled(), (e) => e.kind === 'decode' && e.path === 'line 1');
});

test('concurrent money moves on one journal never interleave a line', async () => {
  const journal = new FileJournal(path.join(dir, 'concurrent.jsonl'));
  const movers = Array.from({ length: 12 }, () => fresh().user);
  // Two clients sharing the journal, every call in flight at once.
  const [a, b] = [client({ journal }), client({ journal })];
  await Promise.all(movers.map((user, i) => (i % 2 ? a : b).manualTransaction('deposit', user, 'together', '2', 'OP01')));
  const text = journal.read();
  const lines = text.split('\n');
  assert.equal(lines.pop(), '', 'ends with a newline');
  const records = lines.map((l) => JSON.parse(l));
  assert.equal(records.length, 24);
  const byId = new Map();
  for (const r of records) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  assert.equal(byId.size, 12);
  for (const [, rs] of byId) assert.deepEqual(rs.map((r) => `${r.event}:${r.state ?? ''}`), ['intent:', 'outcome:succeeded']);
  assert.deepEqual(await a.unsettled(), []);
});
