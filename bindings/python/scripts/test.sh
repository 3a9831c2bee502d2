#!/usr/bin/env bash
# Builds the wheel, installs it into a FRESH virtual environment in a
# temporary directory and tests the installed package (never the source
# tree): pytest (shared vectors, clients with fake transports, the default
# urllib transport against 127.0.0.1, end to end against the sandbox), mypy --strict on the example and on
# the package as shipped, and stubtest of the generated stub.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
python="${PYTHON:-python3}"

wheel="$("$here/scripts/build.sh")"
# The sandbox for the end-to-end tests (already built by `cargo test --workspace`).
repo="$(cd "$here/../.." && pwd)"
if [ -z "${IDN_TOTO_SANDBOX:-}" ]; then
    (cd "$repo" && cargo build --quiet --locked -p idn-toto-sandbox --bins)
    IDN_TOTO_SANDBOX="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps \
        | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')/debug/idn-toto-sandbox"
    export IDN_TOTO_SANDBOX
fi

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$python" -m venv "$tmp/venv"
pin() { grep -E "^$1==" "$here/requirements-dev.txt"; }
# psycopg (binary wheels, from PyPI) for the Postgres journal's tests: its
# pins carry Python-version markers, one line each.
mapfile -t psycopg < <(grep -E '^psycopg\[binary\]==' "$here/requirements-dev.txt")
"$tmp/venv/bin/python" -m pip install --quiet --disable-pip-version-check "$wheel" "$(pin pytest)" "$(pin mypy)" \
    "${psycopg[@]}"

cd "$tmp"  # nothing of the source tree is importable from here
echo "== pytest (installed wheel)"
"$tmp/venv/bin/python" -m pytest -q -p no:cacheprovider --import-mode=importlib \
    --rootdir "$here/tests" "$here/tests"

echo "== mypy --strict (examples, the flavours' types, and the package as shipped)"
site="$("$tmp/venv/bin/python" -c 'import idn_toto, os; print(os.path.dirname(idn_toto.__file__))')"
mkdir -p "$tmp/shipped"
cp -r "$site" "$tmp/shipped/idn_toto"
rm -f "$tmp/shipped/idn_toto/"*.so
"$tmp/venv/bin/python" -m mypy --strict --no-incremental "$here/examples/reconcile.py" "$here/examples/back_office.py" \
    "$here/tests/typing/flavours.py"
(cd "$tmp/shipped" && "$tmp/venv/bin/python" -m mypy --strict --no-incremental -p idn_toto)

echo "== stubtest (generated _native.pyi against the built module)"
"$tmp/venv/bin/python" -m mypy.stubtest idn_toto._native

echo "== import time"
"$tmp/venv/bin/python" -c 'import time; t = time.perf_counter(); import idn_toto; print(f"import idn_toto: {1000 * (time.perf_counter() - t):.1f} ms")'
ls -l "$wheel" | awk '{print "wheel: " $5 " bytes"}'
