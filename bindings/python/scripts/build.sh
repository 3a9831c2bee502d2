#!/usr/bin/env bash
# Builds the abi3 wheel (CPython >= 3.9) with generated stubs into
# bindings/python/dist/. Idempotent: creates bindings/python/.venv with the
# pinned tools (requirements-dev.txt) when missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$here/.venv"
python="${PYTHON:-python3}"

if [ ! -x "$venv/bin/python" ]; then
    "$python" -m venv "$venv"
fi
# Satisfied pins are checked locally (no network).
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$here/requirements-dev.txt"

rm -rf "$here/dist"
# --generate-stubs: pyo3's `experimental-inspect` data -> idn_toto/_native.pyi
# inside the wheel. (Not `strip`: stripping drops the introspection data.)
"$venv/bin/maturin" build --release --generate-stubs --manifest-path "$here/Cargo.toml" --out "$here/dist" >&2
wheel="$(ls "$here"/dist/idn_toto-*.whl)"

# The committed copy of the generated stub must match what the build made.
if ! "$venv/bin/python" - "$wheel" "$here/stubs/_native.pyi" <<'PY'
import sys, zipfile
wheel, committed = sys.argv[1], sys.argv[2]
generated = zipfile.ZipFile(wheel).read("idn_toto/_native.pyi").decode()
try:
    current = open(committed, encoding="utf-8").read()
except FileNotFoundError:
    current = None
if current != generated:
    sys.stderr.write(
        f"{committed} differs from the stub generated into the wheel;\n"
        "run bindings/python/scripts/build.sh --update-stubs and commit it\n"
    )
    sys.exit(1)
PY
then
    if [ "${1:-}" = "--update-stubs" ]; then
        unzip -p "$wheel" idn_toto/_native.pyi >"$here/stubs/_native.pyi"
        echo "updated stubs/_native.pyi" >&2
    else
        exit 1
    fi
fi
echo "$wheel"
