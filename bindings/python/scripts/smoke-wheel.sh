#!/usr/bin/env bash
# Release workflow: install the wheel in bindings/python/dist/ (built for this
# runner) with the `python` on PATH into a fresh venv, from that directory
# only (no index), and run smoke.py from outside the source tree.
#
#   bindings/python/scripts/smoke-wheel.sh EXPECTED_VERSION
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$(mktemp -d)/venv"
python -m venv "$venv"
bin="$venv/bin"
[ -d "$bin" ] || bin="$venv/Scripts" # Windows
"$bin/python" -m pip install --disable-pip-version-check --no-index --find-links "$here/dist" idn-toto
cd "$(dirname "$venv")"
"$bin/python" "$here/scripts/smoke.py" "$1"
