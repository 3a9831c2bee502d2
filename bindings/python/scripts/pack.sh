#!/usr/bin/env bash
# Builds the wheel and copies it into <repo>/dist/ (beside the npm tarball).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
wheel="$("$here/scripts/build.sh")"
mkdir -p "$repo/dist"
rm -f "$repo"/dist/idn_toto-*.whl
cp "$wheel" "$repo/dist/"
echo "$repo/dist/$(basename "$wheel")"
