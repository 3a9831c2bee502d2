// The package's two WebAssembly modules (issue 21): the main one (every
// call's driver) carries none of the deposit matcher's code, and the
// matcher's module (bindings/wasm-matcher) is loaded the first time a
// matcher function is called, never by loading the package.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const wasmFile = (name) => new URL(`../pkg/wasm/${name}`, import.meta.url);
const exportsOf = (name) =>
  WebAssembly.Module.exports(new WebAssembly.Module(readFileSync(wasmFile(name)))).map((e) => e.name);

test('the main module exports no matcher function; the matcher module exports them', () => {
  const matcherExports = ['matchDeposits', 'creditsFromCsv', 'creditsFromMoota', 'approvalBatch', 'rulesWithApprovedBefore'];
  const main = exportsOf('idn_toto_wasm_bg.wasm');
  const matcher = exportsOf('idn_toto_wasm_matcher_bg.wasm');
  for (const name of matcherExports) {
    assert.ok(!main.includes(name), `${name} in the main module`);
    assert.ok(matcher.includes(name), `${name} missing from the matcher module`);
  }
  assert.ok(main.includes('wasmclient_new') && !matcher.includes('wasmclient_new'));
});

test('the matcher module is loaded on first use, not with the package', () => {
  const index = fileURLToPath(new URL('../pkg/index.cjs', import.meta.url));
  const script = `
    const pkg = require(${JSON.stringify(index)});
    const loaded = () => Object.keys(require.cache).some((f) => f.endsWith('idn_toto_wasm_matcher.js'));
    const before = loaded();
    pkg.parse('user_balance', 200, '{"success":true,"message":"Success","user":"u","balance":"1.10"}');
    const afterParse = loaded();
    const credits = pkg.creditsFromCsv('ref,account,posted_at,amount,sender_name,description\\nR1,BCA:1,2024-05-16 09:02:00,10.50,A,\\n');
    console.log(JSON.stringify({ before, afterParse, after: loaded(), amount: credits[0].amount }));
  `;
  const got = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' }));
  assert.deepEqual(got, { before: false, afterParse: false, after: true, amount: '10.50' });
});

test('an error from the matcher module is an IdnTotoError', async () => {
  const { creditsFromCsv, matchDeposits, IdnTotoError } = await import('../pkg/index.mjs');
  assert.throws(() => creditsFromCsv('ref,account\n'), (e) => e instanceof IdnTotoError);
  assert.throws(() => matchDeposits([], [], { accounts: 'x' }), (e) => e instanceof IdnTotoError && e.kind === 'invalid_request');
});
