#!/usr/bin/env bash
# Sourced by the recipes: checks the prerequisites the README names (Rust via
# rustup, Node with npm, Python >= 3.9 with venv) and says exactly what is
# missing and how to get it. Everything else the recipes install themselves:
# Node 22 too, when the machine's node is older (scripts/node22.sh, from the
# npm registry; the npm package needs Node >= 22 for `node:sqlite`).
# Also sets TARGET_DIR (honours CARGO_TARGET_DIR and Cargo config).

prereq_fail() {
  printf '%s: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

command -v cargo >/dev/null || prereq_fail "cargo is missing: install Rust with rustup (https://rustup.rs), then open a new shell"
command -v rustc >/dev/null || prereq_fail "rustc is missing: install Rust with rustup (https://rustup.rs), then open a new shell"
command -v rustup >/dev/null || prereq_fail "rustup is missing: the wasm target and the MSRV toolchain are installed with it (https://rustup.rs)"
command -v node >/dev/null || prereq_fail "node is missing: install Node.js >= 22 (with npm)"
command -v npm >/dev/null || prereq_fail "npm is missing: it comes with Node.js"
# shellcheck source=scripts/node22.sh
source "$(dirname "${BASH_SOURCE[0]}")/node22.sh" \
  || prereq_fail "node $(node --version) is older than 22 and Node 22 could not be installed from npm (npm install node@22)"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[ "$node_major" -ge 22 ] || prereq_fail "node $(node --version) is too old: the npm package needs Node.js >= 22"
command -v python3 >/dev/null || prereq_fail "python3 is missing: install CPython >= 3.9"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))' \
  || prereq_fail "python3 $(python3 -V 2>&1) is too old: the pip package needs CPython >= 3.9"
python3 -c 'import venv, ensurepip' 2>/dev/null \
  || prereq_fail "python3 cannot create virtual environments: install its venv module (Debian/Ubuntu: apt-get install python3-venv)"

TARGET_DIR="$(cargo metadata --format-version 1 --no-deps --manifest-path "$(dirname "${BASH_SOURCE[0]}")/../Cargo.toml" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')" \
  || prereq_fail "cargo metadata failed: is this a complete checkout?"
export TARGET_DIR
