#!/usr/bin/env bash
# Everything the npm package is checked by: the generated types are current,
# every shared vector and the client tests pass through the built package,
# and the packed tarball installs into a fresh project and works through
# `import`, `require` and TypeScript (--strict).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"
log() { printf '[test] %s\n' "$*" >&2; }
# Node >= 22 first on PATH (installed from npm when the machine's node is older).
# shellcheck source=../../../scripts/node22.sh
source "$repo/scripts/node22.sh"

log "generated .d.ts and method table are current (cargo test -p idn-toto-wasm)"
cargo test --manifest-path "$repo/Cargo.toml" -p idn-toto-wasm --quiet 2>&1 | grep -E '^test result|FAILED|panicked' >&2

scripts/build.sh

log "the sandbox binary for the end-to-end tests"
cargo build --manifest-path "$repo/Cargo.toml" -p idn-toto-sandbox --bins --quiet
target_dir="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
export IDN_TOTO_SANDBOX="${IDN_TOTO_SANDBOX:-$target_dir/debug/idn-toto-sandbox}"

log "node --test"
node --test --test-reporter=dot test/*.test.mjs

log "npm pack -> fresh project"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tarball="$(cd pkg && npm pack --silent --pack-destination "$tmp" 2>/dev/null | tail -n 1)"
mkdir "$tmp/project"
cd "$tmp/project"
printf '{ "name": "idn-toto-consumer", "private": true, "type": "module" }\n' >package.json
npm install --silent --no-audit --no-fund --offline "$tmp/$tarball" >/dev/null

cat >cjs.cjs <<'JS'
const assert = require('node:assert/strict');
const { Client, IdnTotoError, parse, endpoints } = require('idn-toto');
// Every endpoint of the installed table has its generated client method.
const ids = endpoints().map((e) => e.id);
assert.ok(ids.includes('user_balance'));
for (const id of ids) {
  const method = id.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
  assert.equal(typeof Client.prototype[method], 'function', method);
}
assert.equal(parse('user_balance', 200, '{"success":true,"message":"Success","user":"u","balance":"1.10"}').balance, '1.10');
const client = new Client({ baseUrl: 'https://agent.example.com/home.php', token: 'T', transport: async () => ({ status: 500, body: '' }), retries: 0 });
client.acceptReject('deposit', '1', 'u', 'accept', 'c', 'o').then(
  () => process.exit(1),
  (e) => { assert.ok(e instanceof IdnTotoError); assert.equal(e.kind, 'outcome_unknown'); console.log('require: ok'); },
);
JS
cat >esm.mjs <<'JS'
import assert from 'node:assert/strict';
import { Client, IdnTotoError, build } from 'idn-toto';
import pkg from 'idn-toto';
assert.equal(pkg.Client, Client);
assert.equal(build('bank_list', {}, { baseUrl: 'https://a.example/home.php', token: 'T' }).redactedUrl, 'https://a.example/home.php/***/bank_list');
const client = new Client({ baseUrl: 'https://a.example/home.php', token: 'T', transport: async () => ({ status: 200, body: '{"success":false,"message":"User not found"}' }) });
await assert.rejects(client.userBalance('x'), (e) => e instanceof IdnTotoError && e.apiKind === 'user_not_found');
console.log('import: ok');
JS
node cjs.cjs
node esm.mjs

log "tsc --strict: the README example (ESM) and a require-style (CJS) check"
# The README's TypeScript example, verbatim.
awk '/^```ts$/ && !done {grab=1; next} /^```$/ && grab {grab=0; done=1} grab' "$here/README.md" >example.ts
cat >example-cjs.cts <<'TS'
import idn = require("idn-toto");
const c: idn.Client = new idn.Client({ baseUrl: "https://a.example/home.php", token: "T" });
const r: idn.RequestDescriptor = c.request.userHistory("withdraw", "LOREM");
const kind: idn.ErrorKind = "outcome_unknown";
void c.userLastTransaction("deposit", "u").then((t: idn.UserLastTransaction) => t.data?.amount.toUpperCase());
const version: string = idn.version;
void [r, kind, version];
// Settling and the journal (compiled, not run).
const journal: idn.FileJournal = new idn.FileJournal("money.jsonl");
const settling = new idn.Client({ baseUrl: "https://a.example/home.php", token: "T", journal, settleDelayMs: 0, snapshots: true });
void settling.unsettled().then((open: idn.OpenMove[]) => open.map((o) => o.last));
void settling.multipleTransaction("deposit", [])
  .then((os) => Promise.all(os.filter((o) => o.status === "unknown").map((o) => settling.settle(o))))
  .then((ss: idn.Settlement[]) => ss.map((s): idn.SettleState => s.state));
void settling.settleUnsettled().then((ss) => ss.map((s) => s.evidence.map((e) => e.showed)));
void settling.manualTransaction("deposit", "u", "c", "1", "o").catch((e: unknown) =>
  e instanceof idn.IdnTotoError && e.unsettled !== undefined ? settling.settle(e) : undefined);
// A journal line lost after the money moved: flagged on the result, the error, the settlement.
void settling.acceptReject("deposit", "1", "u", "accept", "c", "o").then((r) => r.journalUnwritten === true && r.message);
void settling.multipleTransaction("deposit", []).then((os) => os.journalUnwritten ?? os.length);
void settling.settleUnsettled().then((ss) => ss.journalUnwritten);
void settling.manualTransaction("deposit", "u", "c", "1", "o").catch((e: unknown) =>
  e instanceof idn.IdnTotoError ? settling.settle(e).then((s) => s.journalUnwritten) : undefined);
void settling.userBalance("u").catch((e: unknown) => e instanceof idn.IdnTotoError && e.journalUnwritten);
const onFailure = (e: idn.ClientEvent): boolean => e.kind === "journal_failure" && e.errorKind === "journal";
void onFailure;
// Events, per-call options, fromEnv, transports with headers and a dispatcher.
const transport: idn.Transport = async (request, init) =>
  ({ status: 200, headers: new Headers({ "retry-after": "1" }), body: `${request.url}${String(init.dispatcher)}` });
const env = idn.Client.fromEnv({ transport, dispatcher: {}, logBodies: false,
  onEvent: (e: idn.ClientEvent) => void [e.kind, e.url, e.status, e.elapsedMs, e.delayMs, e.errorKind, e.body] },
  { IDN_TOTO_BASE_URL: "https://a.example/home.php", IDN_TOTO_TOKEN: "T" });
const quick: idn.Client = env.withOptions({ timeoutMs: 1000, retries: 0, signal: new AbortController().signal });
void quick.userBalance("u");
// The default transport's agent (a private CA), and a transport reading it and node:http-style headers.
import https = require("https");
const pinned = new idn.Client({ baseUrl: "https://a.example/home.php", token: "T", agent: new https.Agent({ ca: "PEM", keepAlive: true }) });
const viaAgent: idn.Transport = async (request, init) =>
  ({ status: 200, headers: { "retry-after": "1", "set-cookie": ["a=1", "b=2"] }, body: `${request.url}${String(init.agent?.maxSockets)}` });
void [pinned, viaAgent];
// Operation keys: a key per money move and per batch item, the three journals, the key errors.
const stores: idn.Journal[] = [new idn.FileJournal("m.jsonl"), new idn.SqliteJournal("m.sqlite", { busyTimeoutMs: 5000 }),
  new idn.PostgresJournal("postgres://backoffice@db.internal/moves", { max: 2 })];
const keyed = new idn.Client({ baseUrl: "https://a.example/home.php", token: "T", journal: stores[1], keyLeaseMs: 60_000 });
void keyed.manualTransaction("deposit", "u", "c", "1", "o", { key: "bonus-2024-05:u" }).then((p) => p.replayed === true);
void keyed.acceptReject("deposit", "1", "u", "accept", "c", "o", { key: "accept:1" });
void keyed.call("manual_transaction", { type: "deposit", user: "u", comment: "c", amount: "1", operator: "o" }, { key: "k" });
void keyed.multipleTransaction("deposit", [{ user: "u", amount: "1", comment: "c", operator: "o", key: "k:0" }])
  .then((os) => os.filter((o) => o.status === "already_done" || o.status === "key_in_use" || o.status === "undetermined"));
void keyed.manualTransaction("deposit", "u", "c", "1", "o", { key: "k" }).catch((e: unknown) =>
  e instanceof idn.KeyInUseError ? e.leaseUntilMs : e instanceof idn.KeyConflictError ? e.reason.length : undefined);
const custom: idn.Journal = {
  append: async (line: string) => void line,
  read: async () => "",
  claim: (claim: idn.KeyClaim, nowMs: number): idn.ClaimAnswer => claim.decideInJournal("", undefined, undefined, nowMs),
};
void custom;
TS
cat >tsconfig.json <<JSON
{
  "compilerOptions": {
    "strict": true, "target": "es2022", "module": "nodenext", "moduleResolution": "nodenext",
    "skipLibCheck": false, "noEmitOnError": true, "outDir": "out",
    "typeRoots": ["$here/node_modules/@types"], "types": ["node"]
  },
  "files": ["example.ts", "example-cjs.cts"]
}
JSON
"$here/node_modules/.bin/tsc" -p . --noEmit
log "tsc --strict --noEmit: ok; running the README example"
"$here/node_modules/.bin/tsc" -p . >/dev/null
node out/example.js
log "all good"
