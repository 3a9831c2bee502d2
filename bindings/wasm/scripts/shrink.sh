#!/usr/bin/env bash
# wasm-opt from the npm binaryen package (never Debian's), with the features
# Node 20 has: the one place the package's optimisation settings live
# (scripts/build.sh and the bench's size decomposition both use it).
#
#   scripts/shrink.sh IN.wasm OUT.wasm      (IDN_TOTO_WASM_OPT=Oz to try another level)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$here/node_modules/.bin/wasm-opt" -"${IDN_TOTO_WASM_OPT:-Os}" --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  "$1" -o "$2"
