// The journal file (issue 20, J1-J5): FileJournal runs the core's
// JournalAppender. A full disk is a write that stops half way through a
// line and throws ENOSPC (node:fs's writeSync, replaced for one call); a
// read-only file is chmod 0444 or, as root, chattr +i.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { Client, FileJournal, IdnTotoError } from '../pkg/index.mjs';

let dir;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'idn-toto-journal-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** An accept intent line as the core writes it. */
const intent = (id) => `${JSON.stringify({
  id,
  event: 'intent',
  endpoint: 'accept_reject',
  params: { action: 'ACCEPT', comment: 'c', operator: 'o', trans_id: '1', type: 'deposit', user: 'u' },
  at: '2026-11-30T12:00:00Z',
})}\n`;
const A = intent('a');

/** A client whose transport answers every request `processed`, counting them. */
function counted(journal) {
  const sent = [];
  const transport = async (request) => {
    sent.push(request);
    return { status: 200, body: '{"success":true,"message":"Transaction has been successfully processed."}' };
  };
  const client = new Client({ baseUrl: 'https://agent.example.com/home.php', token: 'T0KEN', transport, journal, settleDelayMs: 0, snapshots: false });
  return { client, sent };
}

const accept = (c) => c.acceptReject('deposit', '123', 'IPSUM', 'accept', 'c', 'OP01');

test('a journal no tool can read back refuses every new money move, naming the line (J1)', async () => {
  for (const [name, text, at] of [
    ['a byte-order mark', `\ufeff${A}`, 'line 1'],
    ['a torn line in the middle', `${A}${A.slice(0, 50)}\n${intent('b')}`, 'line 2'],
    ['a CSV given by mistake', 'type,trans_id,user,action\ndeposit,1,u,accept\n', 'line 1'],
  ]) {
    const file = path.join(dir, `${name}.jsonl`);
    fs.writeFileSync(file, text);
    const { client, sent } = counted(new FileJournal(file));
    for (let i = 0; i < 2; i += 1) {
      await assert.rejects(accept(client), (e) => e instanceof IdnTotoError && e.kind === 'invalid_request'
        && e.field === 'journal' && e.message.includes(at), name);
    }
    assert.equal(sent.length, 0, `${name}: nothing sent`);
    assert.equal(fs.readFileSync(file, 'utf8'), text, `${name}: untouched`);
  }
});

test('a journal path that is a symbolic link is never followed (J2)', { skip: process.platform === 'win32' }, async () => {
  const victim = path.join(dir, 'victim.txt');
  const text = "someone else's notes\nthe last line, no newline";
  fs.writeFileSync(victim, text);
  if (process.getuid() === 0) fs.chownSync(victim, 65534, 65534); // another user's file
  const link = path.join(dir, 'link.jsonl');
  fs.symlinkSync(victim, link);
  assert.throws(() => new FileJournal(link).append(A), /symbolic link/);
  const { client, sent } = counted(new FileJournal(link));
  await assert.rejects(accept(client), /symbolic link/);
  assert.equal(sent.length, 0, 'nothing sent');
  assert.equal(fs.readFileSync(victim, 'utf8'), text, 'not cut, not appended to');
  assert.throws(() => new FileJournal(link).read(), /symbolic link/);
});

test('a write the disk cut short is cut before the next line, never glued onto (J4)', async () => {
  const file = path.join(dir, 'full.jsonl');
  const journal = new FileJournal(file);
  journal.append(A);
  const write = fs.writeSync;
  fs.writeSync = (fd, buffer, offset, length) => {
    fs.writeSync = write; // once: then space returns
    write(fd, buffer, offset, Math.floor(length / 2));
    throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  };
  try {
    assert.throws(() => journal.append(intent('b')), /ENOSPC/);
  } finally {
    fs.writeSync = write;
  }
  assert.equal(fs.statSync(file).size, A.length + Math.floor(intent('b').length / 2), 'half a line was written');
  journal.append(intent('c'));
  assert.equal(fs.readFileSync(file, 'utf8'), A + intent('c'));
});

test('a torn last line is cut, never completed, even when it is a whole record (J5)', () => {
  const file = path.join(dir, 'whole.jsonl');
  fs.writeFileSync(file, A + intent('b').trimEnd());
  new FileJournal(file).append(intent('c'));
  assert.equal(fs.readFileSync(file, 'utf8'), A + intent('c'));
});

/** `file` can't be written while `body` runs: chmod 0444, and as root (whom chmod does not stop) chattr +i. */
async function readOnly(file, body, t) {
  const writable = () => {
    try {
      fs.closeSync(fs.openSync(file, 'a'));
      return true;
    } catch {
      return false;
    }
  };
  fs.chmodSync(file, 0o444);
  let immutable = false;
  try {
    if (writable()) {
      try {
        execFileSync('chattr', ['+i', file], { stdio: 'ignore' });
        immutable = true;
      } catch {
        // no chattr here
      }
    }
    if (writable()) {
      t.skip('the file stays writable here (root without chattr)');
      return;
    }
    await body();
  } finally {
    if (immutable) execFileSync('chattr', ['-i', file], { stdio: 'ignore' });
    fs.chmodSync(file, 0o644);
  }
}

test('settling a journal that cannot be written rejects before any read (J3)', { skip: process.platform === 'win32' }, async (t) => {
  const file = path.join(dir, 'read-only.jsonl');
  fs.writeFileSync(file, A);
  const { client, sent } = counted(new FileJournal(file));
  await readOnly(file, async () => {
    assert.equal((await client.unsettled()).length, 1);
    await assert.rejects(client.settleUnsettled(), (e) => e.code === 'EACCES' || e.code === 'EPERM');
    assert.equal(sent.length, 0, 'nothing read from the server');
  }, t);
  assert.equal(fs.readFileSync(file, 'utf8'), A);
});
