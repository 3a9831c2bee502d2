#!/usr/bin/env bash
# Builds the wheel (for this platform) and the sdist, and copies both into
# <repo>/dist/ (beside the npm tarball). Prints their paths.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
wheel="$("$here/scripts/build.sh")"
mkdir -p "$repo/dist"
rm -f "$repo"/dist/idn_toto-*.whl "$repo"/dist/idn_toto-*.tar.gz
cp "$wheel" "$repo/dist/"
# build.sh made the venv with the pinned maturin.
"$here/.venv/bin/maturin" sdist --manifest-path "$here/Cargo.toml" --out "$repo/dist" >&2
echo "$repo/dist/$(basename "$wheel")"
ls "$repo"/dist/idn_toto-*.tar.gz
