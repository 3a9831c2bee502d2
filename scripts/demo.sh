#!/usr/bin/env bash
# `just demo`: build what the story needs (from a fresh clone too), start the
# sandbox on 127.0.0.1 port 0, run the back-office story from Rust, Node and
# Python against it, stop the sandbox. Each failure says what is missing.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
source scripts/prereqs.sh

logs="$(mktemp -d)"
step() { # step NAME COMMAND...: run quietly; on failure show the log and name the step
  local name="$1"; shift
  printf '[demo] %s\n' "$name" >&2
  if ! "$@" >"$logs/step.log" 2>&1; then
    tail -n 40 "$logs/step.log" >&2
    echo "demo: failed while: $name (full log above, last 40 lines)" >&2
    exit 1
  fi
}

# Two commands: `-p A -p B --example X` would build only the example, not the
# sandbox binary.
step "building the sandbox binary (cargo build -p idn-toto-sandbox --bins)" \
  cargo build --locked -p idn-toto-sandbox --bins
step "building the Rust example (cargo build -p idn-toto-client --example back_office)" \
  cargo build --locked -p idn-toto-client --example back_office
step "building the CLI (cargo build -p idn-toto-cli --bins)" \
  cargo build --locked -p idn-toto-cli --bins
step "building the npm package (bindings/wasm/scripts/build.sh)" \
  bash bindings/wasm/scripts/build.sh
step "building the wheel (bindings/python/scripts/build.sh)" \
  bash bindings/python/scripts/build.sh
wheel="$(tail -n 1 "$logs/step.log")"
[ -f "$wheel" ] || { echo "demo: the wheel build did not name a wheel (got: $wheel)" >&2; exit 1; }
venv="$TARGET_DIR/demo-venv"
[ -x "$venv/bin/python" ] || step "creating $venv" python3 -m venv "$venv"
step "installing the wheel into $venv" \
  "$venv/bin/pip" install --disable-pip-version-check --force-reinstall --no-deps "$wheel"

sandbox="$TARGET_DIR/debug/idn-toto-sandbox"
example="$TARGET_DIR/debug/examples/back_office"
[ -x "$sandbox" ] || { echo "demo: $sandbox was not built" >&2; exit 1; }
[ -x "$example" ] || { echo "demo: $example was not built" >&2; exit 1; }

out="$logs/sandbox.out"
"$sandbox" --listen 127.0.0.1:0 --quiet >"$out" 2>"$logs/sandbox.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$logs"' EXIT
# The sandbox prints its base URL, then the generated token, once it listens.
for _ in $(seq 200); do
  [ "$(wc -l <"$out")" -ge 2 ] && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.05
done
if [ "$(wc -l <"$out")" -lt 2 ]; then
  cat "$logs/sandbox.err" >&2
  echo "demo: the sandbox did not start listening on 127.0.0.1 within 10 s ($sandbox)" >&2
  exit 1
fi
base="$(sed -n 1p "$out")"
case "$base" in
  http://*) ;;
  *) echo "demo: the sandbox printed no base URL (got: $base)" >&2; exit 1 ;;
esac
export IDN_TOTO_BASE_URL="$base"
IDN_TOTO_TOKEN="$(sed -n 2p "$out" | sed 's/^token: //')"
export IDN_TOTO_TOKEN
reset() { python3 -c "import urllib.request,sys; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='POST'))" "${base%/home.php}/__sandbox/reset"; }
echo "sandbox: $base (token generated, not shown)"
echo; echo "################ Rust ################"
"$example"
reset
echo; echo "################ Node ################"
node bindings/wasm/examples/back_office.mjs
reset
echo; echo "################ Python ##############"
"$venv/bin/python" bindings/python/examples/back_office.py
reset

echo; echo "################ Operation keys: a bonus batch run twice (CLI, SQLite journal) ################"
cli="$TARGET_DIR/debug/idn-toto"
[ -x "$cli" ] || { echo "demo: $cli was not built" >&2; exit 1; }
balance() { python3 -c "import json,urllib.request,sys; print(json.load(urllib.request.urlopen(sys.argv[1]))['balance'])" "${base%/home.php}/__sandbox/state/$1"; }
bonus="$logs/bonus.csv"
printf 'user,amount,comment,operator,key\nIPSUM,1000,May bonus,OP01,bonus-2024-05:IPSUM\nLOREM,500,May bonus,OP01,bonus-2024-05:LOREM\n' >"$bonus"
echo "bonus.csv: IPSUM 1000 and LOREM 500, keyed bonus-2024-05:<user>"
echo "before:       IPSUM $(balance IPSUM), LOREM $(balance LOREM)"
for run in first second; do
  "$cli" batch deposit "$bonus" --yes --journal "sqlite:$logs/moves.sqlite" --output table
  echo "after the $run run: IPSUM $(balance IPSUM), LOREM $(balance LOREM)"
done
echo "the second run found both keys done in the journal and sent nothing: each bonus was paid once"
reset

echo; echo "################ Deposit matching: plan, approve, run again (CLI) ################"
credits="$logs/statement.csv"
python3 -c "import urllib.request,sys; sys.stdout.buffer.write(urllib.request.urlopen(sys.argv[1]).read())" \
  "${base%/home.php}/__sandbox/bank/credits?format=csv" >"$credits"
echo "the bank statement of the sandbox's day: $(($(wc -l <"$credits") - 1)) credits; watching BCA, MANDIRI and BNI"
watch=(--account BCA:8830-112-456 --account MANDIRI:137-00-1122334-5 --account BNI:535-288-9976)
match() { # exit 9 (something held or unclaimed) is the matcher's normal answer on this day
  local rc=0
  "$cli" match --credits "$credits" "${watch[@]}" --output table "$@" || rc=$?
  [ "$rc" = 0 ] || [ "$rc" = 9 ] || { echo "demo: idn-toto match exited $rc" >&2; exit 1; }
}
echo "-- the plan (nothing sent):"
match
echo "-- approving it (each approval keyed match:<credit ref> in a SQLite journal):"
match --approve --yes --journal "sqlite:$logs/matcher.sqlite"
echo "-- run again: the approved deposits are no longer pending, and their credits' keys are done:"
match --approve --yes --journal "sqlite:$logs/matcher.sqlite"
