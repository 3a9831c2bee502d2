// Starts the sandbox binary on 127.0.0.1:0 for the end-to-end tests and the
// demo, and reads its base URL from the first line of its stdout.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The sandbox binary: $IDN_TOTO_SANDBOX, or the workspace's debug build. */
export function sandboxBinary() {
  return process.env.IDN_TOTO_SANDBOX ?? path.join(repo, 'target', 'debug', 'idn-toto-sandbox');
}

/**
 * Starts a sandbox with `token` and extra CLI `args`; resolves to
 * `{ baseUrl, adminUrl, stop() }` once it listens.
 */
export function startSandbox(token, args = []) {
  const child = spawn(sandboxBinary(), ['--listen', '127.0.0.1:0', '--token', token, '--quiet', ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`sandbox exited early with ${code}`)));
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (baseUrl) => {
      const origin = new URL(baseUrl).origin;
      resolve({
        baseUrl,
        adminUrl: `${origin}/__sandbox`,
        stop: () =>
          new Promise((done) => {
            child.removeAllListeners('exit');
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}

/** `GET /__sandbox/...` as JSON. */
export async function admin(sandbox, route, method = 'GET') {
  const response = await fetch(`${sandbox.adminUrl}/${route}`, { method });
  return response.json();
}

/**
 * Writes a sandbox seed with `count` users (`S001`, `S002`, ...; balance
 * 1000.00, no history) each with one pending deposit of 100 (`D0001`, ...),
 * and resolves to the file's path. The built-in seed has 34 users; tests
 * that need more distinct users (or a pending deposit per user) use this.
 */
export async function writeSeed(dir, count) {
  const { writeFile } = await import('node:fs/promises');
  const name = (i) => `S${String(i + 1).padStart(3, '0')}`;
  const users = Array.from({ length: count }, (_, i) => ({ user: name(i), balance: '1000.00', joindate: '2020-01-01 10:00:00.0000000' }));
  const pending = Array.from({ length: count }, (_, i) => ({
    id: `D${String(i + 1).padStart(4, '0')}`, user: name(i), type: 'deposit',
    date: '16-05-2024 08:00:00', amount: '100', destination_bank: 'BCA',
  }));
  const file = path.join(dir, 'seed.json');
  await writeFile(file, JSON.stringify({ today: '2024-05-17', users, pending }));
  return file;
}

/**
 * `n` keyed manual deposits of 1.00 for the operation-key tests,
 * alternating IPSUM and LOREM (built-in seed users); row `i` has the key
 * `{prefix}:{i}`.
 */
export function keyedItems(n, prefix) {
  return Array.from({ length: n }, (_, i) => ({
    user: i % 2 === 0 ? 'IPSUM' : 'LOREM', amount: '1.00', comment: `bonus ${i}`, operator: 'OP01', key: `${prefix}:${i}`,
  }));
}

/** A user's balance in cents (the sandbox writes two decimals), exact. */
export async function cents(sandbox, user) {
  const { balance } = await admin(sandbox, `state/${user}`);
  const [whole, frac = ''] = String(balance).split('.');
  return BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2)) * (whole.startsWith('-') ? -1n : 1n);
}

/** The sandbox's matching day (`crates/idn-toto-sandbox/seed-matching.json`). */
export const MATCHING_SEED = path.join(repo, 'crates', 'idn-toto-sandbox', 'seed-matching.json');

/** The rules the CLI's matcher tests use on the matching day: its three watched accounts and a limit. */
export const MATCH_RULES = Object.freeze({
  accounts: ['BCA:8830-112-456', 'MANDIRI:137-00-1122334-5', 'bni:5352889976'],
  max_auto_amount: '5000000',
});

/** The matching day's bank statement (`/__sandbox/bank/credits?QUERY`): its bytes and `Signature` header. */
export async function statement(sandbox, query = '') {
  const response = await fetch(`${sandbox.adminUrl}/bank/credits?${query}`);
  return { bytes: new Uint8Array(await response.arrayBuffer()), signature: response.headers.get('signature') ?? undefined };
}
