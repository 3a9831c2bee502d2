// Runs every shared vector in tests/vectors/ (format: tests/vectors/README.md)
// through the built package (pkg/), as crates/idn-toto/tests/vectors.rs does
// for the core: same canonical JSON, same error kinds, no token anywhere.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { inspect } from 'node:util';
import { Buffer } from 'node:buffer';
import { fileURLToPath } from 'node:url';
import { join, dirname } from 'node:path';

import {
  Client, IdnTotoError, build, parse, nextPage, endpoints, matchDeposits, creditsFromCsv, creditsFromMoota,
} from '../pkg/index.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dir = join(here, '../../../tests/vectors');
const DEFAULT_BASE_URL = 'https://agent.example.com/home.php';
const DEFAULT_TOKEN = 'VECTOR-TOKEN-0001';
/** The Rust runner's floor: deleting or emptying files must fail the run. */
const MIN_CASES = 390;

/** RFC 3986 unreserved characters kept, everything else percent-encoded. */
const encodeToken = (t) =>
  encodeURIComponent(t).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function configOf(doc) {
  const c = doc.config || {};
  const token = c.token ?? DEFAULT_TOKEN;
  return {
    baseUrl: c.base_url ?? DEFAULT_BASE_URL,
    token,
    pathWords: c.path_words,
    leaks: (text) => text.includes(token) || text.includes(encodeToken(token)),
    reveal: (redacted) => redacted.replace('***', encodeToken(token)),
  };
}

/** `want` is a subset of `got`: every key of every object present and equal. */
function isSubset(want, got) {
  if (want && typeof want === 'object' && !Array.isArray(want)) {
    return (
      got !== null && typeof got === 'object' && Object.entries(want).every(([k, v]) => k in got && isSubset(v, got[k]))
    );
  }
  return JSON.stringify(want) === JSON.stringify(got) || (Array.isArray(want) && deepEqual(want, got));
}

function deepEqual(a, b) {
  try {
    assert.deepStrictEqual(a, b);
    return true;
  } catch {
    return false;
  }
}

const bodyOf = (c) =>
  c.body_hex !== undefined ? Uint8Array.from(c.body_hex.match(/../g) || [], (h) => parseInt(h, 16)) : c.body;

/** Checks an error against a case's `error` subset, and that nothing leaks the token. */
function checkError(cfg, want, e) {
  assert.ok(e instanceof IdnTotoError, `want an IdnTotoError, got ${e && e.stack}`);
  assert.ok(isSubset(want, e.detail), `error ${JSON.stringify(e.detail)} does not match ${JSON.stringify(want)}`);
  assert.equal(e.kind, e.detail.kind);
  if (e.detail.field !== undefined) assert.equal(e.field, e.detail.field);
  if (e.detail.api_kind !== undefined) assert.equal(e.apiKind, e.detail.api_kind);
  if (e.detail.status !== undefined) assert.equal(e.status, e.detail.status);
  if (e.detail.path !== undefined) assert.equal(e.path, e.detail.path);
  if (e.kind === 'outcome_unknown') assert.equal(e.cause.kind, e.detail.cause.kind);
  for (const text of [e.message, e.stack, String(e), JSON.stringify(e.detail), inspect(e, { depth: 5 })]) {
    assert.ok(!cfg.leaks(text), `error leaks the token: ${text}`);
  }
}

// client.json, journal.json, framing.json, settle.json, keys.json,
// matcher.json: below.
const OWN_RUNNERS = new Set(['client.json', 'journal.json', 'framing.json', 'settle.json', 'matcher.json', 'keys.json']);
const files = readdirSync(dir).filter((n) => n.endsWith('.json') && !OWN_RUNNERS.has(n)).sort();
const known = [...endpoints().map((e) => `${e.id}.json`), 'batch.json', 'paging.json'].sort();
let cases = 0;

test('every vector file is present and known', () => {
  assert.deepEqual(files, known);
});

for (const file of files) {
  const doc = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const cfg = configOf(doc);
  const config = { baseUrl: cfg.baseUrl, token: cfg.token, pathWords: cfg.pathWords };

  if (file === 'batch.json') {
    describe(file, () => {
      for (const c of doc.cases) {
        cases += 1;
        test(c.name, async () => {
          const exchanges = c.exchanges || [];
          let i = 0;
          const transport = async (request) => {
            const ex = exchanges[i++];
            assert.ok(ex, `a request after the last exchange: ${request}`);
            // A history read (a case with `snapshots`) has no items.
            const read = ex.expect_items === undefined;
            assert.ok(!read || c.snapshots === true, 'a read only with snapshots');
            if (!read) assert.equal(JSON.parse(request.body).transaction.length, ex.expect_items);
            assert.equal(request.redactedUrl, ex.expect_url);
            assert.equal(request.url, cfg.reveal(request.redactedUrl));
            assert.equal(request.idempotent, read);
            assert.ok(!cfg.leaks(`${request} ${JSON.stringify(request)} ${inspect(request)}`));
            if (ex.response.transport_failure !== undefined) throw new Error(ex.response.transport_failure);
            return { status: ex.response.status ?? 200, body: ex.response.body ?? '' };
          };
          // The vectors pin the money requests alone, with no history reads
          // first, unless the case says `snapshots` (snapshots are tested end
          // to end in settle.test.mjs).
          const client = new Client({ ...config, transport, retries: 0, snapshots: c.snapshots === true });
          const { type, transaction } = c.params;
          if (c.error !== undefined) {
            await assert.rejects(client.multipleTransaction(type, transaction), (e) => (checkError(cfg, c.error, e), true));
            assert.equal(i, 0, 'nothing is sent');
            return;
          }
          const outcomes = await client.multipleTransaction(type, transaction);
          assert.equal(i, exchanges.length, 'every exchange happened');
          assert.equal(outcomes.length, c.outcomes.length);
          outcomes.forEach((got, k) => {
            assert.ok(isSubset(c.outcomes[k], got), `outcome ${JSON.stringify(got)} does not match ${JSON.stringify(c.outcomes[k])}`);
          });
          assert.ok(!cfg.leaks(JSON.stringify(outcomes)));
        });
      }
    });
    continue;
  }

  if (file === 'paging.json') {
    describe(file, () => {
      for (const c of doc.cases) {
        cases += 1;
        test(c.name, () => {
          if (c.error !== undefined) {
            assert.throws(() => nextPage(c.endpoint, c.params, c.response), (e) => (checkError(cfg, c.error, e), true));
            return;
          }
          const next = nextPage(c.endpoint, c.params, c.response);
          assert.deepStrictEqual(next, c.next);
          if (next !== null) build(c.endpoint, next, config);
        });
      }
    });
    continue;
  }

  const endpoint = doc.endpoint;
  // Parameters that build, to send the response cases through a Client too.
  const sample = (doc.requests || []).find((r) => r.expect !== undefined);
  describe(file, () => {
    test('names its endpoint', () => assert.equal(`${endpoint}.json`, file));
    for (const c of doc.requests || []) {
      cases += 1;
      test(`request ${c.name}`, () => {
        const params = exactDecimals(c.params === undefined ? null : c.params);
        if (c.error !== undefined) {
          assert.throws(() => build(endpoint, params, config), (e) => (checkError(cfg, c.error, e), true));
          return;
        }
        const r = build(endpoint, params, config);
        const got = r.toJSON();
        for (const key of ['method', 'url', 'body', 'idempotent']) assert.ok(key in c.expect, `expect has no ${key}`);
        for (const [key, value] of Object.entries(c.expect)) {
          assert.deepStrictEqual(got[key], value, key);
        }
        assert.equal(r.endpoint, endpoint);
        assert.equal(r.redactedUrl, c.expect.url);
        assert.equal(r.url, cfg.reveal(r.redactedUrl));
        for (const text of [String(r), JSON.stringify(r), inspect(r)]) assert.ok(!cfg.leaks(text), text);
      });
    }
    for (const c of doc.responses || []) {
      cases += 1;
      test(`response ${c.name}`, async () => {
        const status = c.status ?? 200;
        const body = bodyOf(c);
        const client = new Client({ ...config, retries: 0, snapshots: false, transport: async () => ({ status, body }) });
        assert.ok(sample, 'the file has a request case that builds');
        const viaClient = client.call(endpoint, sample.params);
        if (c.error !== undefined) {
          // Module-level parse knows no token, so it cannot scrub: compare the kind
          // here, and everything (token scrubbing included) through the client.
          assert.throws(() => parse(endpoint, status, body), (e) => (assert.equal(e.kind, c.error.kind), true));
          assert.throws(() => client.parse(endpoint, status, body), (e) => (checkError(cfg, c.error, e), true));
          if (endpoint === 'multiple_transaction') {
            // The client drives the batch: the items are failed or unknown, never thrown.
            // An answer that can't be read whole leaves no item succeeded (an item the
            // answer itself names as failed stays failed); a definite refusal fails all.
            const outcomes = await viaClient;
            assert.equal(outcomes.length, sample.params.transaction.length);
            if (c.error.kind === 'outcome_unknown') {
              assert.ok(outcomes.every((o) => o.status === 'unknown' || o.status === 'failed'), JSON.stringify(outcomes));
              assert.ok(outcomes.some((o) => o.status === 'unknown'), JSON.stringify(outcomes));
            } else {
              assert.deepEqual(outcomes.map((o) => o.status), sample.params.transaction.map(() => 'failed'));
            }
            assert.ok(!cfg.leaks(JSON.stringify(outcomes)), JSON.stringify(outcomes));
          } else {
            await assert.rejects(viaClient, (e) => (checkError(cfg, c.error, e), true));
          }
          return;
        }
        assert.deepStrictEqual(client.parse(endpoint, status, body), c.expect);
        assert.deepStrictEqual(parse(endpoint, status, body), c.expect);
        const got = await viaClient;
        if (endpoint === 'multiple_transaction') {
          // The client drives the batch: one outcome per item.
          assert.equal(got.length, sample.params.transaction.length);
        } else {
          assert.deepStrictEqual(got, c.expect);
        }
      });
    }
  });
}

test('the case count does not drop', () => {
  assert.ok(cases >= MIN_CASES, `only ${cases} cases, the floor is ${MIN_CASES}`);
});

// tests/vectors/client.json: configuration, redaction and body size rules.
describe('client.json', () => {
  const doc = JSON.parse(readFileSync(join(dir, 'client.json'), 'utf8'));
  const camel = (config) => {
    const out = {};
    for (const [key, value] of Object.entries(config)) {
      out[key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = value === null ? undefined : value;
    }
    return out;
  };
  const requestOf = (c) => c.request || { endpoint: 'user_balance', params: { user: 'X' } };
  for (const c of doc.config_cases) {
    test(`config: ${c.name}`, () => {
      const config = camel(c.config);
      if (c.expect !== undefined) {
        const client = new Client(config);
        const { endpoint, params } = requestOf(c);
        const r = build(endpoint, params, config);
        assert.equal(r.redactedUrl, c.expect.url);
        assert.equal(r.url, c.expect.url.replace('***', encodeToken(c.config.token)));
        assert.ok(client);
      } else {
        assert.throws(() => new Client(config), (e) => {
          assert.ok(e instanceof IdnTotoError, String(e));
          assert.ok(isSubset(c.error, e.detail), `${JSON.stringify(e.detail)} vs ${JSON.stringify(c.error)}`);
          if (typeof c.config.token === 'string' && c.config.token.length > 2) {
            assert.ok(!e.message.includes(c.config.token));
          }
          return true;
        });
      }
    });
  }
  for (const c of doc.redaction_cases) {
    test(`redaction: ${c.name}`, () => {
      const client = new Client({ baseUrl: DEFAULT_BASE_URL, token: c.token });
      assert.equal(client.redact(c.text), c.expect);
    });
  }
  for (const c of doc.body_cases) {
    test(`body: ${c.name}`, () => {
      const client = new Client(camel(c.config));
      if (c.expect !== undefined) {
        assert.deepEqual(client.parse(c.endpoint, c.status ?? 200, c.body), c.expect);
      } else {
        assert.throws(() => client.parse(c.endpoint, c.status ?? 200, c.body), (e) => {
          assert.ok(e instanceof IdnTotoError, String(e));
          assert.ok(isSubset(c.error, e.detail), `${JSON.stringify(e.detail)} vs ${JSON.stringify(c.error)}`);
          return true;
        });
      }
    });
  }
});

/**
 * A vector's parameters as a JS caller passes them: JSON.parse turns an exact
 * decimal literal (`2500.5`) into a binary float, which the package refuses
 * for amounts, so non-integer numbers become their decimal text (the same
 * value the literal wrote).
 */
function exactDecimals(value) {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) return String(value);
  if (Array.isArray(value)) return value.map(exactDecimals);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, exactDecimals(v)]));
  }
  return value;
}

/**
 * The package's wasm glue: next to the built package here, or inside the
 * installed one when scripts/test-runtimes.sh runs this file from a project
 * that depends on the tarball (its `exports` hide the glue from a bare
 * specifier, so it is found from the package's resolved entry).
 */
async function wasmGlue() {
  const { createRequire } = await import('node:module');
  const require = createRequire(import.meta.url);
  const local = join(here, '../pkg/wasm/idn_toto_wasm.js');
  return require(existsSync(local) ? local : join(dirname(require.resolve('idn-toto')), 'wasm/idn_toto_wasm.js'));
}

// tests/vectors/framing.json: whether an answer can be taken as whole. Each
// case is one call answered once with the case's status, header pairs (as
// received: names in any case, repeats kept) and body. Run twice: through
// the driver as the Rust runner does (the binding's recordResponse, for
// every endpoint), and through a Client whose transport returns the pairs
// (the host's path: headers handed over as they came).
describe('framing.json', () => {
  const doc = JSON.parse(readFileSync(join(dir, 'framing.json'), 'utf8'));
  const cfg = configOf(doc);
  const config = { baseUrl: cfg.baseUrl, token: cfg.token, pathWords: cfg.pathWords };
  test('has cases', () => assert.ok(doc.cases.length >= 20, `only ${doc.cases.length} cases`));
  for (const c of doc.cases) {
    const status = c.status ?? 200;
    const pairs = c.headers.map(([name, value]) => [name, value]);
    test(`driver: ${c.name}`, async () => {
      const glue = await wasmGlue();
      const core = new glue.WasmClient(JSON.stringify({ base_url: cfg.baseUrl, token: cfg.token, path_words: cfg.pathWords ?? null, retries: 0 }));
      const driver = core.call(c.endpoint, JSON.stringify(c.params), undefined);
      let sent = 0;
      let done;
      try {
        for (;;) {
          const kind = driver.next(0);
          if (kind === glue.StepKind.Send) {
            sent += 1;
            assert.equal(sent, 1, 'a second request was sent');
            driver.request().free();
            driver.recordResponse(status, pairs.flat(), new TextEncoder().encode(c.body), 0, 0);
          } else if (kind === glue.StepKind.Done) {
            done = { error: driver.error(), text: driver.text };
            break;
          }
        }
      } finally {
        driver.free();
        core.free();
      }
      if (c.error !== undefined) {
        assert.notEqual(done.error, undefined, `want an error, got ${done.text}`);
        assert.ok(isSubset(c.error, done.error), `error ${JSON.stringify(done.error)} does not match ${JSON.stringify(c.error)}`);
        assert.ok(!cfg.leaks(JSON.stringify(done.error)));
      } else {
        assert.equal(done.error, undefined, `want a value, got ${JSON.stringify(done.error)}`);
        const got = JSON.parse(done.text);
        assert.ok(isSubset(c.expect, got), `got ${done.text}, want ${JSON.stringify(c.expect)}`);
      }
    });
    test(`client: ${c.name}`, async () => {
      let sent = 0;
      const transport = async () => {
        sent += 1;
        return { status, headers: pairs, body: c.body };
      };
      const client = new Client({ ...config, transport, retries: 0, snapshots: false });
      if (c.endpoint === 'multiple_transaction') {
        // The client drives the batch: an answer in doubt leaves every item
        // of its request unknown; a whole one leaves none unknown.
        const outcomes = await client.multipleTransaction(c.params.type, c.params.transaction);
        assert.equal(outcomes.length, c.params.transaction.length);
        const unknown = outcomes.filter((o) => o.status === 'unknown').length;
        assert.equal(unknown, c.error !== undefined ? outcomes.length : 0, JSON.stringify(outcomes));
        assert.ok(!cfg.leaks(JSON.stringify(outcomes)));
      } else if (c.error !== undefined) {
        await assert.rejects(client.call(c.endpoint, c.params), (e) => {
          checkError(cfg, c.error, e);
          assert.match((e.kind === 'outcome_unknown' ? e.cause : e).reason, /^framing: /);
          return true;
        });
      } else {
        const got = await client.call(c.endpoint, c.params);
        assert.ok(isSubset(c.expect, got), `got ${JSON.stringify(got)}, want ${JSON.stringify(c.expect)}`);
      }
      assert.equal(sent, 1, 'one request, no retry');
    });
  }
});

// tests/vectors/settle.json: journals of open moves settled against canned
// reads, through the binding's settleOpen (the function the package's
// settleUnsettled drives), as crates/idn-toto/tests/vectors.rs does: the
// reads made, the waits asked for, one `settled` line per verdict, and each
// verdict's state, evidence kinds and warnings.
describe('settle.json', () => {
  const doc = JSON.parse(readFileSync(join(dir, 'settle.json'), 'utf8'));
  const config = doc.config;
  test('has cases, and the fingerprint is the core\'s', async () => {
    assert.ok(doc.cases.length >= 15, `only ${doc.cases.length} cases`);
    const glue = await wasmGlue();
    const core = new glue.WasmClient(JSON.stringify(config));
    try {
      assert.equal(core.fingerprint, doc.fingerprint);
      assert.ok(!core.fingerprint.includes(config.token));
    } finally {
      core.free();
    }
  });
  for (const c of doc.cases) {
    test(c.name, async () => {
      const glue = await wasmGlue();
      const text = c.journal.map((line) => `${JSON.stringify(line)}\n`).join('');
      const core = new glue.WasmClient(JSON.stringify({ ...config, retries: 0, settle_delay_ms: c.settle_delay_ms ?? 0 }));
      let driver;
      try {
        try {
          driver = core.settleOpen(text);
        } catch (e) {
          assert.ok(e instanceof glue.CoreError, `refused with ${e && e.stack}`);
          assert.notEqual(c.error, undefined, `refused: ${JSON.stringify(e.detail)}`);
          assert.ok(isSubset(c.error, e.detail), `error ${JSON.stringify(e.detail)} does not match ${JSON.stringify(c.error)}`);
          return;
        }
        assert.equal(c.error, undefined, 'settled, but an error was expected');
        const answers = Object.fromEntries(Object.entries(c.answers ?? {}).map(([k, v]) => [k, [...v]]));
        const reads = [];
        const waits = [];
        let lines = 0;
        let list;
        for (;;) {
          assert.ok(reads.length <= 50, 'more than 50 reads');
          const kind = driver.next(1_764_504_000);
          if (kind === glue.StepKind.Send) {
            const request = driver.request();
            const endpoint = request.endpoint;
            request.free();
            reads.push(endpoint);
            const body = (answers[endpoint] ?? []).shift();
            assert.notEqual(body, undefined, `a read of ${endpoint} too many (${reads})`);
            driver.recordResponse(200, [], new TextEncoder().encode(body), 0, 1_764_504_000);
          } else if (kind === glue.StepKind.Wait) {
            waits.push(driver.ms);
          } else if (kind === glue.StepKind.Journal) {
            lines += 1;
          } else if (kind === glue.StepKind.Done) {
            assert.equal(driver.error(), undefined, `ended with ${JSON.stringify(driver.error())}`);
            list = driver.value();
            break;
          }
        }
        if (c.reads !== undefined) assert.deepEqual(reads, c.reads);
        if (c.waits !== undefined) assert.deepEqual(waits, c.waits);
        assert.equal(list.length, c.expect.length, `${list.length} settlements, want ${c.expect.length}`);
        assert.equal(lines, c.expect.length, `${lines} journal lines, want ${c.expect.length}`);
        list.forEach(({ journal_id: id, settlement }, k) => {
          const want = c.expect[k];
          const warnings = (settlement.warnings ?? []).length;
          const actual = { id, state: settlement.state, kinds: (settlement.evidence ?? []).map((e) => e.kind) };
          if (want.warnings !== undefined || warnings > 0) actual.warnings = warnings;
          assert.ok(isSubset(want, actual), `got ${JSON.stringify(actual)}, want ${JSON.stringify(want)} (${settlement.reason})`);
          if (want.warnings === undefined) assert.equal(warnings, 0, `unexpected warnings: ${JSON.stringify(settlement.warnings)}`);
        });
      } finally {
        if (driver !== undefined) driver.free();
        core.free();
      }
    });
  }
});

// tests/vectors/keys.json: what a keyed money move's key record decides
// (decideKey, the sans-IO form of what every journal's claim asks the core),
// and the key records a JSON Lines journal's lines leave (journalRead's
// `keys`, what FileJournal's claims are decided from).
test('keys.json', async () => {
  const glue = await wasmGlue();
  const doc = JSON.parse(readFileSync(join(dir, 'keys.json'), 'utf8'));
  const failures = [];
  for (const c of doc.cases) {
    const record = c.record === null || c.record === undefined ? undefined : JSON.stringify(c.record);
    let got;
    let error;
    try {
      got = glue.decideKey(record, JSON.stringify(c.params), c.me ?? '', c.now_ms ?? 0, c.settled_now === true);
    } catch (e) {
      if (!(e instanceof glue.CoreError)) throw e;
      error = e.detail;
    }
    const ok = typeof c.decision === 'string' ? got === c.decision : error !== undefined && isSubset(c.decision.error, error);
    if (!ok) failures.push(`${c.name}: got ${got ?? JSON.stringify(error)}, want ${JSON.stringify(c.decision)}`);
  }
  for (const c of doc.journals) {
    const text = c.journal.map((line) => `${JSON.stringify(line)}\n`).join('');
    let keys;
    try {
      keys = glue.journalRead(text).keys;
    } catch (e) {
      if (!(e instanceof glue.CoreError)) throw e;
      failures.push(`${c.name}: ${JSON.stringify(e.detail)}`);
      continue;
    }
    if (keys.length !== c.keys.length || !c.keys.every((want, i) => isSubset(want, keys[i]))) {
      failures.push(`${c.name}: got ${JSON.stringify(keys)}, want ${JSON.stringify(c.keys)}`);
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(doc.cases.length >= 25, `only ${doc.cases.length} key cases`);
  assert.ok(doc.journals.length >= 5, `only ${doc.journals.length} key journals`);
});

// tests/vectors/journal.json: the journal's line format. The package makes
// no lines itself (the core's driver hands them out as journal steps, and
// crates/idn-toto/tests/vectors.rs checks the making, bad input included);
// here every expected line and journal is read through the function the
// package's journal uses (journalRead in src/lib.rs).
test('journal.json', async () => {
  const glue = await wasmGlue();
  const doc = JSON.parse(readFileSync(join(dir, 'journal.json'), 'utf8'));
  const failures = [];
  let run = 0;
  const errorOf = (fn) => {
    try {
      fn();
    } catch (e) {
      if (e instanceof glue.CoreError) return e.detail;
      throw e;
    }
    return undefined;
  };
  for (const c of doc.lines.filter((l) => l.line !== undefined)) {
    run += 1;
    let back;
    const error = errorOf(() => {
      back = glue.journalRead(`${c.line}\n`);
    });
    if (error !== undefined) failures.push(`${c.name}: ${JSON.stringify(error)}`);
    else if (!deepEqual(back.records, [JSON.parse(c.line)])) failures.push(`${c.name}: the line does not read back`);
  }
  for (const c of doc.journals) {
    run += 1;
    let read;
    const error = errorOf(() => {
      read = glue.journalRead(c.text);
    });
    if (c.error !== undefined) {
      if (error === undefined || !isSubset(c.error, error)) failures.push(`${c.name}: error ${JSON.stringify(error)} does not match ${JSON.stringify(c.error)}`);
      continue;
    }
    if (error !== undefined) {
      failures.push(`${c.name}: ${JSON.stringify(error)}`);
      continue;
    }
    const got = { records: read.records.length, torn_tail: read.torn_tail, unsettled: read.unsettled.map((o) => ({ id: o.id, last: o.last })) };
    const want = { records: c.records, torn_tail: c.torn_tail, unsettled: c.unsettled };
    if (!deepEqual(got, want)) failures.push(`${c.name}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
  }
  // `files`: what the core's appender (the one FileJournal runs) says of a
  // journal file's bytes, fed whole and in chunks of 5.
  for (const c of doc.files) {
    run += 1;
    const bytes = c.text !== undefined ? Buffer.from(c.text, 'utf8') : Buffer.from(c.hex, 'hex');
    const want = c.error !== undefined ? undefined : c.ok === true ? null : c.truncate_to;
    for (const chunk of [Math.max(bytes.length, 1), 5]) {
      const appender = new glue.WasmJournalAppender();
      let cut;
      const error = errorOf(() => {
        for (let i = 0; i < bytes.length; i += chunk) appender.feed(bytes.subarray(i, i + chunk));
        cut = appender.end();
      });
      appender.free();
      if (c.error !== undefined) {
        if (error === undefined || !isSubset(c.error, error)) failures.push(`${c.name} (chunks of ${chunk}): error ${JSON.stringify(error)} does not match ${JSON.stringify(c.error)}`);
      } else if (error !== undefined) {
        failures.push(`${c.name} (chunks of ${chunk}): ${JSON.stringify(error)}`);
      } else if ((cut ?? null) !== want) {
        failures.push(`${c.name} (chunks of ${chunk}): got ${cut}, want ${want}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(run >= 30, `only ${run} journal cases`);
});

// tests/vectors/matcher.json (README: `matcher.json`): each case's plan
// through the package's matchDeposits, fitted to `expect` (objects by the
// keys `expect` gives, arrays of the same length element by element); the
// same plan with `pending` and `credits` reversed; every reason code seen;
// the two feeds' credits and errors.
describe('matcher.json', () => {
  const doc = JSON.parse(readFileSync(join(dir, 'matcher.json'), 'utf8'));
  const fits = (want, got) => {
    if (Array.isArray(want)) return Array.isArray(got) && want.length === got.length && want.every((w, i) => fits(w, got[i]));
    if (want !== null && typeof want === 'object') {
      return got !== null && typeof got === 'object' && !Array.isArray(got)
        && Object.entries(want).every(([k, v]) => k in got && fits(v, got[k]));
    }
    return want === got;
  };
  const noToken = { leaks: () => false };
  const checkList = (c, read) => {
    if (c.error !== undefined) {
      assert.throws(read, (e) => (checkError(noToken, c.error, e), true));
      return;
    }
    const got = read();
    assert.ok(fits(c.expect, got), `got ${JSON.stringify(got)}\nwant ${JSON.stringify(c.expect)}`);
  };
  const reasons = new Set();
  for (const c of doc.match_cases) {
    test(`match: ${c.name}`, () => {
      const plan = matchDeposits(c.pending, c.credits, c.rules);
      assert.ok(fits(c.expect, plan), `got ${JSON.stringify(plan)}\nwant ${JSON.stringify(c.expect)}`);
      const again = matchDeposits([...c.pending].reverse(), [...c.credits].reverse(), c.rules);
      assert.deepEqual(again, plan, 'the plan changes with the input order');
    });
    for (const entry of [...c.expect.hold, ...c.expect.unclaimed]) reasons.add(entry.reason);
  }
  test('every reason code is some case\'s', () => {
    const all = ['no_credit', 'ambiguous', 'name_mismatch', 'outside_window', 'cross_day', 'over_limit',
      'double_transfer', 'unknown_account', 'already_claimed', 'no_request'];
    assert.deepEqual([...reasons].sort(), all.sort());
  });
  for (const c of doc.csv_cases) {
    test(`csv: ${c.name}`, () => checkList(c, () => creditsFromCsv(c.csv)));
  }
  for (const c of doc.moota_cases) {
    test(`moota: ${c.name}`, () => checkList(c, () => (c.signature !== undefined && c.secret !== undefined
      ? creditsFromMoota(c.body, c.signature, c.secret)
      : creditsFromMoota(Buffer.from(c.body, 'utf8')))));
  }
  test('the floor: 55 cases', () => {
    assert.ok(doc.match_cases.length + doc.csv_cases.length + doc.moota_cases.length >= 55);
  });
  test('amounts given as JS numbers that are not exact are refused, naming the field', () => {
    const c = doc.match_cases[0];
    const credits = [{ ...c.credits[0], amount: 100000.5 }];
    assert.throws(() => matchDeposits(c.pending, credits, c.rules),
      (e) => e instanceof IdnTotoError && e.kind === 'invalid_request' && e.field === 'credits[0].amount');
    assert.throws(() => creditsFromMoota('[]', 'ab'), (e) => e instanceof IdnTotoError && e.field === 'secret');
    assert.throws(() => creditsFromCsv(42), (e) => e instanceof IdnTotoError && e.field === 'csv');
  });
});
