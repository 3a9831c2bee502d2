#!/usr/bin/env bash
# `just bench`: the SDK's parse and build costs side by side with serde_json,
# JSON.parse, json.loads, orjson and pydantic, measured in one run and
# written to docs/BENCHMARKS.md.
#
#   crates/idn-toto-bench/bench.sh [--quick]
#
# Works from a clean clone: builds what is missing or older than its
# sources (the npm package, the wheel), and installs the Python bench's
# pinned competitors into bindings/python/bench/.venv. --quick shortens
# every measurement (for checking the pipeline, not for publishing).
# IDN_TOTO_BENCH_REUSE=1 uses the built package and wheel even when older
# than their sources (while someone else is rebuilding them).
# Results (JSON) go to target/bench/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"
started=$(date +%s)
quick=""
[ "${1:-}" = "--quick" ] && quick="--quick"

log() { printf '[bench] %s\n' "$*" >&2; }

target_dir="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
results="$target_dir/bench"
rm -rf "$results" "$target_dir/criterion"
mkdir -p "$results"

# 1. The bodies, and the Rust binaries (release, as criterion builds),
#    with the sandbox for the per-call benches.
log "building the bench binaries and the sandbox"
cargo build --release --quiet -p idn-toto-bench -p idn-toto-sandbox --bins
"$target_dir/release/idn-toto-bench-bodies" --out "$results/bodies" >&2

# The sandbox on loopback (port 0) for the per-call overhead benches: the
# Node and Python benches read its address from IDN_TOTO_BENCH_SANDBOX.
export IDN_TOTO_BENCH_TOKEN="BENCH-T0KEN-per-call"
sandbox_out="$results/sandbox.out"
"$target_dir/release/idn-toto-sandbox" --listen 127.0.0.1:0 \
  --token "$IDN_TOTO_BENCH_TOKEN" --quiet >"$sandbox_out" 2>/dev/null &
sandbox_pid=$!
trap 'kill "$sandbox_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ "$(wc -l <"$sandbox_out")" -ge 1 ] && break
  sleep 0.1
done
IDN_TOTO_BENCH_SANDBOX="$(head -n 1 "$sandbox_out")"
case "$IDN_TOTO_BENCH_SANDBOX" in
  http://127.0.0.1:*) export IDN_TOTO_BENCH_SANDBOX ;;
  *) echo "the sandbox did not start (got: $IDN_TOTO_BENCH_SANDBOX)" >&2; exit 1 ;;
esac

# 2. Rust: criterion (absolute medians), then paired rounds (the ratios).
log "criterion (cargo bench -p idn-toto-bench: core, matcher)"
if [ -n "$quick" ]; then
  criterion_args=(--warm-up-time 0.3 --measurement-time 0.5)
else
  criterion_args=(--warm-up-time 1 --measurement-time 3)
fi
cargo bench --quiet -p idn-toto-bench --bench core --bench matcher -- "${criterion_args[@]}" \
  2>&1 | grep -E '^[a-z_]+/|time:' >&2 || true
log "rust paired rounds"
"$target_dir/release/idn-toto-bench-paired" --out "$results/rust.json" $quick
log "a keyed move per journal store (file, SQLite, Postgres)"
"$target_dir/release/idn-toto-bench-keys" --out "$results/keys.json" $quick

# Is $1 missing, or older than any file under the other arguments?
stale() {
  local artifact="$1"
  shift
  [ -e "$artifact" ] || return 0
  [ "${IDN_TOTO_BENCH_REUSE:-0}" = 1 ] && return 1
  [ -n "$(find "$@" -type f -newer "$artifact" -print -quit 2>/dev/null)" ]
}
core_src=(crates/idn-toto/src crates/idn-toto/Cargo.toml Cargo.lock)

# 3. Node, against the built npm package.
# The package's two modules: the main one and the deposit matcher's
# (bindings/wasm-matcher, loaded on first use), sized separately.
wasm_file="bindings/wasm/pkg/wasm/idn_toto_wasm_bg.wasm"
matcher_wasm_file="bindings/wasm/pkg/wasm/idn_toto_wasm_matcher_bg.wasm"
if command -v node >/dev/null; then
  if stale "$wasm_file" "${core_src[@]}" bindings/wasm/src bindings/wasm/js bindings/wasm/Cargo.toml \
    || stale "$matcher_wasm_file" "${core_src[@]}" bindings/wasm-matcher/src bindings/wasm-matcher/Cargo.toml; then
    log "building the npm package (bindings/wasm/scripts/build.sh)"
    bindings/wasm/scripts/build.sh
  fi
  log "node bench"
  node bindings/wasm/bench/bench.mjs "$results/bodies" "$results/node.json" $quick
  log "node matcher: matchDeposits on a day of 50,000 x 50,000"
  node bindings/wasm/bench/matcher-day.mjs 50000 "$([ -n "$quick" ] && echo 1 || echo 5)" \
    >"$results/matcher-node.json"
  log "wasm size decomposition (crates/idn-toto-bench/wasm-size.sh)"
  crates/idn-toto-bench/wasm-size.sh "$results/wasm-size.json"
else
  log "node not found: the Node section is skipped"
fi

# 4. Python, in the bench venv with the built wheel.
wheel="$(ls bindings/python/dist/idn_toto-*.whl 2>/dev/null | head -n 1 || true)"
if [ -z "$wheel" ] || stale "$wheel" "${core_src[@]}" bindings/python/src bindings/python/python bindings/python/Cargo.toml; then
  log "building the wheel (bindings/python/scripts/build.sh)"
  bindings/python/scripts/build.sh >/dev/null
  wheel="$(ls bindings/python/dist/idn_toto-*.whl | head -n 1)"
fi
venv="bindings/python/bench/.venv"
if [ ! -x "$venv/bin/python" ]; then
  log "creating $venv"
  python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  -r bindings/python/bench/requirements.txt
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  --force-reinstall --no-deps "$wheel"
log "python bench"
"$venv/bin/python" bindings/python/bench/bench.py "$results/bodies" "$results/python.json" $quick

log "python matcher: match_deposits on a day of 50,000 x 50,000"
"$venv/bin/python" bindings/python/bench/matcher.py 50000 --rounds "$([ -n "$quick" ] && echo 1 || echo 5)" \
  --json "$results/matcher-python.json"

# 5. Sizes, the machine and the versions.
wasm_bytes=null
wasm_gzip_bytes=null
if [ -f "$wasm_file" ]; then
  wasm_bytes=$(wc -c <"$wasm_file")
  wasm_gzip_bytes=$(gzip -9 -c "$wasm_file" | wc -c)
fi
wasm_matcher_bytes=null
wasm_matcher_gzip_bytes=null
if [ -f "$matcher_wasm_file" ]; then
  wasm_matcher_bytes=$(wc -c <"$matcher_wasm_file")
  wasm_matcher_gzip_bytes=$(gzip -9 -c "$matcher_wasm_file" | wc -c)
fi
finished=$(date +%s)
NPROC="$(nproc)" \
CPU="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)" \
OS="$(uname -sr)" \
RUSTC="$(rustc --version)" \
NODE="$(node --version 2>/dev/null || echo -)" \
PY="$("$venv/bin/python" --version 2>&1)" \
COMMIT="$(git rev-parse --short HEAD 2>/dev/null || echo -)$(git diff --quiet HEAD 2>/dev/null || echo ' (with local changes)')" \
CRITERION="$(sed -n '/^name = "criterion"$/{n;s/^version = "\(.*\)"/\1/p}' Cargo.lock)" \
WASM_BYTES="$wasm_bytes" WASM_GZIP_BYTES="$wasm_gzip_bytes" \
WASM_MATCHER_BYTES="$wasm_matcher_bytes" WASM_MATCHER_GZIP_BYTES="$wasm_matcher_gzip_bytes" \
WHEEL_BYTES="$(wc -c <"$wheel")" \
MINUTES="$(( (finished - started + 59) / 60 ))" \
QUICK="$quick" \
python3 - "$results/meta.json" "$results/python.json" <<'PY'
import datetime, json, os, sys
out, py = sys.argv[1], sys.argv[2]
try:
    p = json.load(open(py))
except (OSError, ValueError):
    p = {}
num = lambda k: None if os.environ[k] == "null" else int(os.environ[k])
json.dump({
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    "commit": os.environ["COMMIT"],
    "cpu": os.environ["CPU"],
    "nproc": int(os.environ["NPROC"]),
    "os": os.environ["OS"],
    "rustc": os.environ["RUSTC"],
    "node": os.environ["NODE"],
    "python": os.environ["PY"],
    "orjson": p.get("orjson"),
    "pydantic": p.get("pydantic"),
    "criterion": os.environ["CRITERION"],
    "wasm_bytes": num("WASM_BYTES"),
    "wasm_gzip_bytes": num("WASM_GZIP_BYTES"),
    "wasm_matcher_bytes": num("WASM_MATCHER_BYTES"),
    "wasm_matcher_gzip_bytes": num("WASM_MATCHER_GZIP_BYTES"),
    "wheel_bytes": int(os.environ["WHEEL_BYTES"]),
    "minutes": int(os.environ["MINUTES"]),
    "command": "just bench" + (" (--quick: shortened, not for publishing)" if os.environ["QUICK"] else ""),
}, open(out, "w"), indent=2)
PY

# 6. The report.
"$target_dir/release/idn-toto-bench-report" --results "$results" \
  --criterion "$target_dir/criterion" --analysis "$here/analysis.md" \
  --out docs/BENCHMARKS.md
log "done in $(( $(date +%s) - started )) s: docs/BENCHMARKS.md"
