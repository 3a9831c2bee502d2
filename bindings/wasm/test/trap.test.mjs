// A wasm trap never poisons the package: after one, the next call works.
//
// The trap is real: the test takes every page the live instance's memory may
// still grow by (a constrained instance), so the core's next large allocation
// fails and the instance aborts (`unreachable`). To reach that memory, the
// test watches WebAssembly.Instance before the package loads; the package
// itself has no test hook.
import { test } from 'node:test';
import assert from 'node:assert/strict';

const instances = [];
const Original = WebAssembly.Instance;
WebAssembly.Instance = new Proxy(Original, {
  construct(target, args, newTarget) {
    const instance = Reflect.construct(target, args, newTarget);
    instances.push(instance);
    return instance;
  },
});
const { Client, IdnTotoError } = await import('../pkg/index.mjs');

const BASE = 'https://agent.example.com/home.php';
const TOKEN = 'TRAP-TOKEN-1';
const OK = '{"success":true,"message":"Success","user":"u","balance":"1.00"}';

/** Takes every page the instance's memory may still grow by. */
function exhaust(instance) {
  const { memory } = instance.exports;
  for (let pages = 65536; pages >= 1; pages = Math.floor(pages / 2)) {
    for (;;) {
      try {
        memory.grow(pages);
      } catch {
        break;
      }
    }
  }
}

test('a trap while parsing is a decode error, and the next call works', () => {
  const client = new Client({ baseUrl: BASE, token: TOKEN });
  assert.equal(client.parse('user_balance', 200, OK).balance, '1.00');
  assert.equal(instances.length, 1);
  exhaust(instances[0]);
  const big = new Uint8Array(8 * 1024 * 1024).fill(0x20);
  assert.throws(() => client.parse('user_balance', 200, big), (e) => {
    assert.ok(e instanceof IdnTotoError, `not an IdnTotoError: ${e && e.stack}`);
    assert.equal(e.kind, 'decode');
    assert.equal(e.path, '$');
    return true;
  });
  assert.equal(instances.length, 2, 'a fresh instance');
  // The same client, and a new one, work again.
  assert.equal(client.parse('user_balance', 200, OK).balance, '1.00');
  assert.equal(new Client({ baseUrl: BASE, token: TOKEN }).parse('user_balance', 200, OK).balance, '1.00');
});

test('a trap on a money-moving answer is outcome_unknown; calls go on', async () => {
  const answers = [{ status: 200, body: new Uint8Array(8 * 1024 * 1024).fill(0x20) }, { status: 200, body: OK }];
  let sent = 0;
  const transport = async () => answers[Math.min(sent++, 1)];
  const client = new Client({ baseUrl: BASE, token: TOKEN, transport });
  assert.ok(client.request.userBalance('u'));
  exhaust(instances[instances.length - 1]);
  await assert.rejects(client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o'), (e) => {
    assert.ok(e instanceof IdnTotoError, `not an IdnTotoError: ${e && e.stack}`);
    assert.equal(e.kind, 'outcome_unknown');
    assert.equal(e.cause.kind, 'decode');
    return true;
  });
  assert.equal(sent, 1, 'never retried');
  assert.equal((await client.userBalance('u')).balance, '1.00');
});
