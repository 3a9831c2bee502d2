#!/usr/bin/env bash
# Runs the packed npm package (a tarball, built with pack.sh when not given)
# under Bun and Deno, pinned in runtimes/package.json: every shared vector
# (test/vectors.test.mjs, importing 'idn-toto' from the installed tarball) and
# a client round trip against the sandbox (runtimes/smoke.mjs).
#
#   bindings/wasm/scripts/test-runtimes.sh [idn-toto-X.Y.Z.tgz]
#
# Bun and Deno come from the npm registry (`bun`, `deno` and their platform
# packages @oven/bun-*, @deno/*); their postinstall scripts only copy the
# platform binary (bun's falls back to `npm install` / the npm registry).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
log() { printf '[runtimes] %s\n' "$*" >&2; }
fail() { printf 'test-runtimes.sh: %s\n' "$*" >&2; exit 1; }
# Node >= 22 first on PATH (installed from npm when the machine's node is older).
# shellcheck source=../../../scripts/node22.sh
source "$repo/scripts/node22.sh"

target_dir="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
version="$("$repo/scripts/version.sh")"
tarball="${1:-}"
[ -n "$tarball" ] || tarball="$("$here/scripts/pack.sh")"
[ -f "$tarball" ] || fail "no tarball at $tarball"
tarball="$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")"

# The runtimes, installed once per lockfile into the target directory.
rt="$target_dir/js-runtimes"
if ! cmp -s "$here/runtimes/package-lock.json" "$rt/package-lock.json" || [ ! -x "$rt/node_modules/.bin/deno" ]; then
  log "installing bun and deno from the npm registry (runtimes/package-lock.json)"
  rm -rf "$rt"
  mkdir -p "$rt"
  cp "$here/runtimes/package.json" "$here/runtimes/package-lock.json" "$rt/"
  (cd "$rt" && npm ci --no-audit --no-fund --loglevel=error)
fi
bun="$rt/node_modules/.bin/bun"
deno="$rt/node_modules/.bin/deno"
"$bun" --version >/dev/null || fail "bun does not run here ($bun)"
"$deno" --version >/dev/null || fail "deno does not run here ($deno)"

# A fresh project with only the tarball installed.
tmp="$(mktemp -d)"
sandbox_pid=""
trap '[ -z "$sandbox_pid" ] || kill "$sandbox_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/project"
cd "$tmp/project"
printf '{ "name": "idn-toto-runtimes-consumer", "private": true, "type": "module" }\n' >package.json
npm install --silent --no-audit --no-fund --offline "$tarball" >/dev/null
# The Node vectors runner, reading the package by name and the repository's vectors.
sed -e "s#from '../pkg/index.mjs'#from 'idn-toto'#" \
    -e "s#^const dir = join(here, '../../../tests/vectors');#const dir = '$repo/tests/vectors';#" \
    "$here/test/vectors.test.mjs" >vectors.test.mjs
grep -q "from 'idn-toto'" vectors.test.mjs && grep -q "^const dir = '$repo/tests/vectors';" vectors.test.mjs \
  || fail "test/vectors.test.mjs changed shape: update the two rewrites in this script"
cp "$here/runtimes/smoke.mjs" .

sandbox="${IDN_TOTO_SANDBOX:-$target_dir/debug/idn-toto-sandbox}"
[ -x "$sandbox" ] || (cd "$repo" && cargo build --quiet --locked -p idn-toto-sandbox --bins)
export IDN_TOTO_TOKEN="RUNTIMES-TOKEN-1" IDN_TOTO_VERSION="$version"
start_sandbox() {
  # Emptied here, not by the child's redirection: that may happen after the
  # loop below first looks, which would then read the previous sandbox's URL.
  : >"$tmp/sandbox.out"
  "$sandbox" --listen 127.0.0.1:0 --token "$IDN_TOTO_TOKEN" --quiet >"$tmp/sandbox.out" &
  sandbox_pid=$!
  for _ in $(seq 200); do
    [ "$(wc -l <"$tmp/sandbox.out")" -ge 1 ] && break  # a whole line
    kill -0 "$sandbox_pid" 2>/dev/null || fail "the sandbox exited before listening ($sandbox)"
    sleep 0.05
  done
  IDN_TOTO_BASE_URL="$(head -n 1 "$tmp/sandbox.out")"
  case "$IDN_TOTO_BASE_URL" in http://*) export IDN_TOTO_BASE_URL ;; *) fail "the sandbox printed no base URL" ;; esac
}
stop_sandbox() { kill "$sandbox_pid"; wait "$sandbox_pid" 2>/dev/null || true; sandbox_pid=""; }

log "bun $("$bun" --version): vectors (bun test)"
# One line per case is too much for a CI log: keep the failures and the summary.
"$bun" test ./vectors.test.mjs 2>&1 | { grep -v '^(pass) ' || true; }
start_sandbox
log "bun: client against the sandbox"
"$bun" run ./smoke.mjs
stop_sandbox

log "deno $("$deno" --version | head -n 1 | cut -d' ' -f2): vectors (deno test)"
NO_COLOR=1 "$deno" test --quiet --reporter=dot --no-check --allow-read --allow-env ./vectors.test.mjs 2>&1 \
  | { grep -v '^\.*$' || true; }
start_sandbox
log "deno: client against the sandbox"
host="${IDN_TOTO_BASE_URL#http://}"; host="${host%%/*}"
NO_COLOR=1 "$deno" run --quiet --no-check --allow-read --allow-env --allow-net="$host" ./smoke.mjs
stop_sandbox
