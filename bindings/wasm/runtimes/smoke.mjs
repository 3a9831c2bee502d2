// One client round trip through the packed package, under any runtime (Node,
// Bun, Deno): the default transport (node:http) against the sandbox whose base URL
// and token test-runtimes.sh passes in the environment.
import { Client, IdnTotoError, version } from 'idn-toto';

const env = (name) => {
  const value = globalThis.process?.env?.[name] ?? globalThis.Deno?.env.get(name);
  if (!value) throw new Error(`smoke.mjs: set ${name}`);
  return value;
};
const fail = (message) => {
  throw new Error(`smoke.mjs: ${message}`);
};

const client = new Client({ baseUrl: env('IDN_TOTO_BASE_URL'), token: env('IDN_TOTO_TOKEN'), timeoutMs: 10_000 });
if (version !== env('IDN_TOTO_VERSION')) fail(`version ${version}, want ${env('IDN_TOTO_VERSION')}`);

const before = await client.userBalance('IPSUM');
if (before.balance !== '125000.00') fail(`IPSUM balance ${before.balance}`);
const pending = await client.transactionList('deposit');
const tx = pending.data.find((t) => t.id === '123450001');
if (!tx || tx.amount !== '1000000.0000') fail(`pending deposit 123450001: ${JSON.stringify(tx)}`);
await client.acceptReject('deposit', tx.id, tx.user, 'accept', 'checked', 'OP01');
const after = await client.userBalance('IPSUM');
if (after.balance !== '1125000.00') fail(`IPSUM balance after the accept: ${after.balance}`);
try {
  await client.acceptReject('deposit', tx.id, tx.user, 'accept', 'again', 'OP01');
  fail('accepting twice did not fail');
} catch (e) {
  if (!(e instanceof IdnTotoError) || e.apiKind !== 'transaction_not_found') throw e;
  if (String(e).includes(env('IDN_TOTO_TOKEN'))) fail('the error shows the token');
}
const runtime = globalThis.Deno ? `deno ${Deno.version.deno}` : globalThis.Bun ? `bun ${Bun.version}` : `node ${process.version}`;
console.log(`${runtime}: idn-toto ${version}: balance, list, accept, refusal against the sandbox ok`);
