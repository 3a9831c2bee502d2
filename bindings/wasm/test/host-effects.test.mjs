// What the host's own side effects and settings can't do to a call (issue
// 19, Node rows 8, 9 and 13): a journal line that can't be written never
// hides a money move's answer (the core decides what it means), option
// values a timer can't hold are refused when the client is made, and one
// AbortSignal shared by any number of calls holds one listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { getEventListeners } from 'node:events';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, FileJournal, IdnTotoError } from '../pkg/index.mjs';
import { fake } from './fake.mjs';

const BASE = 'https://agent.example.com/home.php';
const TOKEN = 'EFFECTS-T0KEN-19';
const PROCESSED = { status: 200, body: JSON.stringify({ success: true, message: 'Transaction has been successfully processed.' }) };
const BALANCE = { status: 200, body: JSON.stringify({ success: true, message: 'Success', user: 'u', balance: '1.50' }) };
const BOUND = { timeout: 20_000 };
/** A device every write to fails with ENOSPC, on Linux. */
const FULL = '/dev/full';
const noFullDevice = existsSync(FULL) ? false : `${FULL} is missing (not Linux)`;

/**
 * A journal on a full disk: every append fails as write(2) fails then
 * (ENOSPC). The FileJournal itself refuses a path that is not a regular
 * file (such as /dev/full), so the disk is simulated at the append.
 */
function fullDisk() {
  return {
    append() {
      throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
    },
    read: () => '',
    close() {},
  };
}

/** Collects the process warnings emitted while `fn` runs (and a tick after). */
async function warningsDuring(fn) {
  const seen = [];
  const onWarning = (w) => seen.push(w);
  process.on('warning', onWarning);
  try {
    const result = await fn();
    await new Promise((resolve) => setImmediate(resolve));
    return { result, warnings: seen };
  } finally {
    process.off('warning', onWarning);
  }
}

/**
 * A journal in a fresh file whose appends go to the full device from line
 * `failFrom` on (0-based; `failWhen(line)` instead picks the lines), so
 * they fail as a full disk fails (ENOSPC from a real write).
 */
async function journalFailing({ failFrom, failWhen }) {
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-effects-'));
  const file = path.join(dir, 'money.jsonl');
  const good = new FileJournal(file);
  const full = fullDisk();
  let n = 0;
  const journal = {
    append(line) {
      const fails = failWhen !== undefined ? failWhen(JSON.parse(line)) : n >= failFrom;
      n += 1;
      (fails ? full : good).append(line);
    },
    read: () => good.read(),
  };
  return {
    journal,
    lines: async () => (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    close: async () => {
      good.close();
      full.close();
      await rm(dir, { recursive: true });
    },
  };
}

test('a FileJournal refuses a path that is not a regular file (the full device)', { skip: noFullDevice }, () => {
  assert.throws(() => {
    new FileJournal(FULL).open();
  }, (e) => /not a regular file/.test(String(e.message)));
});

test('an outcome line the journal cannot take: the money move\'s result stands, flagged, with a warning and an event', { ...BOUND}, async () => {
  const j = await journalFailing({ failFrom: 1 });
  try {
    const events = [];
    const { transport, seen } = fake(PROCESSED);
    const client = new Client({ baseUrl: BASE, token: TOKEN, transport, journal: j.journal, onEvent: (e) => events.push(e) });
    const { result, warnings } = await warningsDuring(() => client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'));
    assert.equal(result.message, 'Transaction has been successfully processed.');
    assert.equal(result.journalUnwritten, true);
    assert.ok(!Object.keys(result).includes('journalUnwritten'), 'the flag is not part of the canonical JSON');
    assert.equal(seen.length, 1, 'sent once');
    const mine = warnings.filter((w) => w.code === 'IDN_TOTO_JOURNAL');
    assert.equal(mine.length, 1, warnings.map(String).join('\n'));
    assert.match(mine[0].message, /1 journal line of a money move could not be written .*ENOSPC/);
    assert.ok(!mine[0].message.includes(TOKEN));
    const failure = events.find((e) => e.kind === 'journal_failure');
    assert.ok(failure, JSON.stringify(events.map((e) => e.kind)));
    assert.equal(failure.errorKind, 'journal');
    // The intent is in the journal, the outcome is not: the move stays open.
    const lines = await j.lines();
    assert.deepEqual(lines.map((l) => l.event), ['intent']);
    assert.deepEqual((await client.unsettled()).map((o) => o.last), ['intent']);
  } finally {
    await j.close();
  }
});

test('an outcome line lost after an unknown outcome: the caller still gets outcome_unknown (flagged), not the write error', { ...BOUND}, async () => {
  const j = await journalFailing({ failFrom: 1 });
  try {
    const { transport } = fake(() => {
      throw new Error('connection reset');
    });
    const client = new Client({ baseUrl: BASE, token: TOKEN, transport, journal: j.journal });
    const { result: error, warnings } = await warningsDuring(() =>
      client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o').then(() => assert.fail('resolved'), (e) => e));
    assert.ok(error instanceof IdnTotoError, String(error));
    assert.equal(error.kind, 'outcome_unknown');
    assert.equal(error.journalUnwritten, true);
    assert.equal(typeof error.journalId, 'string');
    assert.equal(warnings.filter((w) => w.code === 'IDN_TOTO_JOURNAL').length, 1);
  } finally {
    await j.close();
  }
});

test('an intent the journal cannot take stops the money move before anything is sent', { ...BOUND}, async () => {
  const { transport, seen } = fake(PROCESSED);
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport, journal: fullDisk() });
  const { warnings } = await warningsDuring(() =>
    assert.rejects(client.manualTransaction('deposit', 'u', 'c', '5', 'o'), (e) => {
      assert.ok(e instanceof IdnTotoError, String(e));
      assert.equal(e.kind, 'invalid_request');
      assert.equal(e.field, 'journal');
      assert.match(e.reason, /the journal could not be written: .*ENOSPC/);
      assert.equal(e.journalUnwritten, undefined);
      return true;
    }));
  // The history read for the snapshot may go first; the money move never does.
  assert.ok(seen.every((r) => r.idempotent), seen.map(String).join(', '));
  assert.equal(warnings.filter((w) => w.code === 'IDN_TOTO_JOURNAL').length, 0, 'nothing was lost: nothing was sent');
});

test('a batch whose second request\'s intent cannot be written: the first request\'s outcomes stand, the rest are not_sent', { ...BOUND}, async () => {
  const j = await journalFailing({ failWhen: (line) => line.event === 'intent' && line.id.endsWith('-25') });
  try {
    const items = Array.from({ length: 30 }, (_, k) => ({ trans_id: String(1000 + k), user: 'u', action: 'accept', comment: 'c', operator: 'o' }));
    const { transport, seen } = fake({ status: 200, body: JSON.stringify({ success: true, message: 'All transactions has been successfully processed.', data: [] }) });
    const client = new Client({ baseUrl: BASE, token: TOKEN, transport, journal: j.journal });
    const outcomes = await client.multipleTransaction('deposit', items);
    assert.equal(seen.length, 1, 'only the first request left');
    assert.equal(outcomes.length, 30);
    assert.deepEqual([...new Set(outcomes.slice(0, 25).map((o) => o.status))], ['succeeded']);
    assert.deepEqual([...new Set(outcomes.slice(25).map((o) => o.status))], ['not_sent']);
    assert.match(outcomes[25].message, /not sent: the journal could not be written: .*ENOSPC/);
    // The sent request's outcomes are journaled; no intent of the rest is.
    const lines = await j.lines();
    assert.equal(lines.filter((l) => l.event === 'intent').length, 25);
    assert.equal(lines.filter((l) => l.event !== 'intent').length, 25);
  } finally {
    await j.close();
  }
});

test('a settled line the journal cannot take: the settlement stands, flagged', { ...BOUND}, async () => {
  const j = await journalFailing({ failWhen: (line) => line.event === 'settled' });
  try {
    let moneySent = false;
    const { transport } = fake((request) => {
      if (!request.idempotent) {
        moneySent = true;
        throw new Error('connection reset');
      }
      // The history read of settling: the move is there.
      return { status: 200, body: JSON.stringify({ success: true, message: 'Success', data: [] }) };
    });
    const client = new Client({ baseUrl: BASE, token: TOKEN, transport, journal: j.journal, settleDelayMs: 0, snapshots: false });
    const error = await client.manualTransaction('deposit', 'u', 'c', '5', 'o').then(() => assert.fail('resolved'), (e) => e);
    assert.equal(error.kind, 'outcome_unknown');
    assert.ok(moneySent);
    const { result: settlement, warnings } = await warningsDuring(() => client.settle(error));
    assert.equal(typeof settlement.state, 'string');
    assert.equal(settlement.journalUnwritten, true);
    assert.equal(warnings.filter((w) => w.code === 'IDN_TOTO_JOURNAL').length, 1);
    assert.ok(!(await j.lines()).some((l) => l.event === 'settled'));
  } finally {
    await j.close();
  }
});

test('timeoutMs, retryBaseDelayMs, retryMaxDelayMs and settleDelayMs a timer cannot hold are refused at construction and in withOptions', () => {
  const make = (extra) => new Client({ baseUrl: BASE, token: TOKEN, transport: fake(BALANCE).transport, ...extra });
  const refused = (name, value) => assert.throws(() => make({ [name]: value }), (e) => {
    assert.ok(e instanceof TypeError, `${name}=${String(value)}: ${e}`);
    assert.match(e.message, new RegExp(`^idn-toto: ${name} must be`));
    return true;
  }, `${name}=${String(value)}`);
  for (const value of [Infinity, 2 ** 31, 2 ** 53, Number.NaN, 0, -1, '5000']) refused('timeoutMs', value);
  for (const name of ['retryBaseDelayMs', 'retryMaxDelayMs', 'settleDelayMs']) {
    for (const value of [Infinity, 2 ** 31, Number.NaN, -1, 1.5, '10']) refused(name, value);
    make({ [name]: 2 ** 31 - 1 });
    make({ [name]: 0 });
  }
  make({ timeoutMs: 2 ** 31 - 1 });
  make({ timeoutMs: 0.5 });
  const client = make({});
  assert.throws(() => client.withOptions({ timeoutMs: Infinity }), /^TypeError: idn-toto: timeoutMs must be/);
  assert.throws(() => client.withOptions({ timeoutMs: 2 ** 31 }), /timeoutMs must be .*2147483647/);
});

test('the longest timeout and retry delay a timer holds do wait: no call times out or retries after 1 ms', BOUND, async () => {
  // A read answered 503 with a long Retry-After waits (capped at
  // retryMaxDelayMs) instead of retrying at once; an abort ends the wait.
  const { transport, seen } = fake(() => new Promise((resolve) => setTimeout(() => resolve({ status: 503, headers: { 'retry-after': '99999999' }, body: 'busy' }), 30)));
  const controller = new AbortController();
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport, timeoutMs: 2 ** 31 - 1, retryMaxDelayMs: 2 ** 31 - 1 })
    .withOptions({ signal: controller.signal });
  const call = client.userBalance('u');
  await new Promise((resolve) => setTimeout(resolve, 300));
  const sent = seen.length;
  controller.abort(new Error('enough'));
  assert.equal(sent, 1, 'no retry within 300 ms');
  await assert.rejects(call, (e) => e.kind === 'http' || e.kind === 'transport');
  assert.equal(seen.length, 1);
});

test('100 calls sharing one AbortSignal: one abort listener, no MaxListenersExceededWarning, and aborting ends every one', BOUND, async () => {
  const controller = new AbortController();
  const { signal } = controller;
  let calls = 0;
  let waiting = 0;
  let started;
  const allStarted = new Promise((resolve) => {
    started = resolve;
  });
  // Half the calls hang in the transport until aborted; the other half are
  // answered 503 and sit in their retry wait.
  const transport = (request, init) => new Promise((resolve, reject) => {
    calls += 1;
    if (calls === 100) started();
    if (request.endpoint === 'user_balance' && calls % 2 === 0) {
      waiting += 1;
      resolve({ status: 503, headers: { 'retry-after': '600' }, body: 'busy' });
      return;
    }
    init.signal.addEventListener('abort', () => reject(init.signal.reason), { once: true });
  });
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport, retryMaxDelayMs: 600_000, snapshots: false }).withOptions({ signal });
  let listeners;
  const { result: outcomes, warnings } = await warningsDuring(async () => {
    const all = [];
    for (let k = 0; k < 100; k += 1) {
      all.push(k % 10 === 9
        ? client.acceptReject('deposit', String(k), 'u', 'accept', 'c', 'o')
        : client.userBalance('u'));
    }
    await allStarted;
    await new Promise((resolve) => setTimeout(resolve, 50));
    listeners = getEventListeners(signal, 'abort').length;
    controller.abort(new Error('shutting down'));
    return Promise.allSettled(all);
  });
  assert.equal(listeners, 1, 'one listener for 100 calls');
  assert.ok(waiting > 0);
  assert.deepEqual(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map(String), []);
  assert.equal(outcomes.length, 100);
  for (const [k, o] of outcomes.entries()) {
    assert.equal(o.status, 'rejected', `call ${k} ended`);
    const want = k % 10 === 9 ? 'outcome_unknown' : 'transport';
    if (k % 10 === 9) {
      assert.equal(o.reason.kind, want, `call ${k}: ${o.reason.message}`);
    } else {
      // A read aborted in flight is a transport failure; one aborted in its
      // retry wait ends with the 503 it was waiting to retry.
      assert.ok(['transport', 'http'].includes(o.reason.kind), `call ${k}: ${o.reason.message}`);
    }
  }
  assert.equal(getEventListeners(signal, 'abort').length, 0);
});

test('calls that end normally take their part of the shared listener with them', BOUND, async () => {
  const { signal } = new AbortController();
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport: fake(BALANCE).transport }).withOptions({ signal });
  const done = await Promise.all(Array.from({ length: 30 }, () => client.userBalance('u')));
  assert.equal(done.length, 30);
  assert.equal(getEventListeners(signal, 'abort').length, 0, 'no listener left behind');
  // And a later call still hears the abort.
  const controller = new AbortController();
  const hanging = new Client({ baseUrl: BASE, token: TOKEN, transport: (r, init) => new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason))) })
    .withOptions({ signal: controller.signal });
  const first = hanging.userBalance('u');
  const second = hanging.userBalance('u');
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  controller.abort(new Error('stop'));
  await assert.rejects(first, (e) => e.kind === 'transport' && /aborted \(stop\)/.test(e.reason));
  await assert.rejects(second, (e) => e.kind === 'transport' && /aborted \(stop\)/.test(e.reason));
});
