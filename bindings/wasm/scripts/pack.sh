#!/usr/bin/env bash
# Builds the npm package and writes its tarball into <repo>/dist/.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
"$here/scripts/build.sh"
mkdir -p "$repo/dist"
cd "$here/pkg"
tarball="$(npm pack --silent --pack-destination "$repo/dist" 2>/dev/null | tail -n 1)"
echo "$repo/dist/$tarball"
