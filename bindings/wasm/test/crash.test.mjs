// A crash with a money request in flight: a child process runs a 60-item
// bulk manual deposit with a journal and is killed (SIGKILL) while its
// second bulk request is in flight: held by the sandbox (`delay=`, which it
// then drops: not applied), or processed after the kill (`late=`: applied). A new client settles what the
// journal leaves open, re-sends only what is `not_applied` or was never
// journaled, and every user ends credited exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Client, FileJournal } from '../pkg/index.mjs';
import { startSandbox, admin, writeSeed } from './sandbox.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TOKEN = 'NODE-CRASH-TOKEN-7';
/** How long the sandbox holds (delay=) or delays (late=) the second bulk request; settling waits longer. */
const HELD_MS = 1500;

// `distinct`: 60 users, one credit each. `pairs`: 30 users credited twice
// with the same amount, one credit in the first request and one in the
// killed second (S001-S020), or both in the second and third: a history
// entry of the first request's credit could explain the open move, and
// must not (one entry, one move).
const RUNS = [
  [`delay=${HELD_MS}`, 'distinct', undefined],
  [`late=${HELD_MS}`, 'distinct', 25],
  [`delay=${HELD_MS}`, 'pairs', undefined],
  [`late=${HELD_MS}`, 'pairs', 25],
];
for (const [fault, mode, applied] of RUNS) test(`a SIGKILL with a bulk request in flight (${fault}, ${mode}): settle, re-send the rest, every credit exactly once`, async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-crash-'));
  const sandbox = await startSandbox(TOKEN, ['--seed', await writeSeed(dir, 60)]);
  try {
    const file = path.join(dir, 'journal.jsonl');
    const journal = new FileJournal(file);
    const events = () => journal.read().split('\n').filter((l) => l.endsWith('}')).map((l) => JSON.parse(l));

    const child = spawn(process.execPath, [path.join(here, 'crash-child.mjs'), sandbox.baseUrl, TOKEN, file, fault, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    // With `late=`, the intents are on disk before the request leaves: a
    // kill in between would leave nothing for the sandbox to process late.
    // The child says when the sandbox has the request.
    let received = false;
    child.stdout.on('data', (chunk) => {
      if (String(chunk).includes('late request received')) received = true;
    });
    // Until the second request's 25 intents are on disk (after the first
    // request's 25 intents and 25 outcomes): that request is leaving.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const seen = events();
      if (seen.filter((e) => e.event === 'intent').length === 50 && (received || !fault.startsWith('late='))) break;
      assert.ok(Date.now() < deadline, `the child never got to its second request: ${seen.length} lines`);
      await new Promise((resolve) => setTimeout(resolve, 5)); // polling the file the child writes
    }
    child.kill('SIGKILL');
    const [code, signal] = await exited;
    assert.equal(signal, 'SIGKILL', `the child ended by itself (${code})`);

    const lines = events();
    assert.deepEqual(lines.slice(25, 50).map((e) => `${e.event}:${e.state}`), Array(25).fill('outcome:succeeded'));

    // A new process: settle what is open, with a delay that covers the held request.
    const client = new Client({ baseUrl: sandbox.baseUrl, token: TOKEN, journal, settleDelayMs: HELD_MS * 2, retries: 2, retryBaseDelayMs: 10 });
    const open = await client.unsettled();
    assert.equal(open.length, 25);
    assert.ok(open.every((o) => o.last === 'intent' && o.endpoint === 'multiple_transaction'));
    const settlements = await client.settleUnsettled();
    assert.ok(settlements.every((s) => s.state === 'applied' || s.state === 'not_applied'), JSON.stringify(settlements.map((s) => s.reason)));
    assert.deepEqual(await client.unsettled(), []);
    // late=: the server processed the request after the kill, so all 25 are
    // applied. delay=: the sandbox drops a held request whose connection
    // closed, but either way the journal and the balances must agree.
    if (applied !== undefined) assert.equal(settlements.filter((s) => s.state === 'applied').length, applied);

    // Re-send only what is not_applied or was never journaled (batch items
    // are journaled as `{id}-{k}`, k the item's index).
    const users = mode === 'pairs' ? 30 : 60;
    const userOf = (k) => `S${String((k % users) + 1).padStart(3, '0')}`;
    const byId = new Map(open.map((o) => [o.id, o.params.user]));
    const journaled = new Set(events().filter((e) => e.event === 'intent').map((e) => Number(e.id.slice(e.id.lastIndexOf('-') + 1))));
    const resend = [
      ...settlements.filter((s) => s.state === 'not_applied').map((s) => byId.get(s.journal_id)),
      ...Array.from({ length: 60 }, (_, k) => k).filter((k) => !journaled.has(k)).map(userOf),
    ];
    assert.ok(resend.length >= 10, 'the third request (10 items) was never journaled');
    const outcomes = await client.multipleTransaction('deposit', resend.map((user) => ({ user, amount: '10', comment: 'payroll', operator: 'OP01' })));
    assert.ok(outcomes.every((o) => o.status === 'succeeded'), JSON.stringify(outcomes));
    console.log(`# crash (${fault}, ${mode}): ${settlements.filter((s) => s.state === 'applied').length} applied, ${settlements.filter((s) => s.state === 'not_applied').length} not applied, ${resend.length} re-sent`);

    const want = mode === 'pairs' ? '1020.00' : '1010.00';
    for (let i = 1; i <= users; i++) {
      const user = `S${String(i).padStart(3, '0')}`;
      assert.equal((await admin(sandbox, `state/${user}`)).balance, want, `${user}: every credit exactly once`);
    }
  } finally {
    await sandbox.stop();
    await rm(dir, { recursive: true });
  }
});
