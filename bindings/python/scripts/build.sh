#!/usr/bin/env bash
# Builds the abi3 wheel (CPython >= 3.9), with its generated stub, into
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

# The stub python/idn_toto/_native.pyi is committed source, so every build
# ships it: this wheel, the sdist and a wheel pip builds from the sdist. It
# is generated (pyo3's `experimental-inspect` data, `maturin generate-stubs`)
# and must match what the current code generates.
stubs="$(mktemp -d)"
trap 'rm -rf "$stubs"' EXIT
"$venv/bin/maturin" generate-stubs --profile release --manifest-path "$here/Cargo.toml" --out "$stubs" >&2
committed="$here/python/idn_toto/_native.pyi"
if ! cmp -s "$stubs/idn_toto/_native.pyi" "$committed"; then
    if [ "${1:-}" = "--update-stubs" ]; then
        cp "$stubs/idn_toto/_native.pyi" "$committed"
        echo "updated python/idn_toto/_native.pyi" >&2
    else
        echo "$committed differs from the stub the code generates;" >&2
        echo "run bindings/python/scripts/build.sh --update-stubs and commit it" >&2
        exit 1
    fi
fi

rm -rf "$here/dist"
"$venv/bin/maturin" build --release --manifest-path "$here/Cargo.toml" --out "$here/dist" >&2
wheel="$(ls "$here"/dist/idn_toto-*.whl)"
echo "$wheel"
