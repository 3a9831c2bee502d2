#!/usr/bin/env bash
# `just msrv`: check the library crates on the declared minimum Rust version
# (`rust-version` in Cargo.toml), with exactly that toolchain. Installs it with
# rustup when missing (minimal profile: seconds). RUSTUP_AUTO_INSTALL=0 is
# honoured: the install is explicit, never implicit through `cargo +VER`.
#
# Checked: `idn-toto` (default features and `http`), and `idn-toto-client`
# when that member exists. The binaries (CLI, sandbox) and the bindings are
# built with the current stable toolchain only.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"

msrv="$(sed -n '/^\[workspace.package\]/,/^\[/s/^rust-version *= *"\([0-9.]*\)".*/\1/p' Cargo.toml)"
[ -n "$msrv" ] || { echo "msrv.sh: no rust-version in [workspace.package] of Cargo.toml" >&2; exit 1; }
command -v rustup >/dev/null || { echo "msrv.sh: rustup is missing; it installs the $msrv toolchain (https://rustup.rs)" >&2; exit 1; }

if ! rustup run "$msrv" rustc --version >/dev/null 2>&1; then
  echo "[msrv] installing Rust $msrv (rustup toolchain install $msrv --profile minimal)" >&2
  rustup toolchain install "$msrv" --profile minimal --no-self-update
fi

members="$(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
names = {p["name"] for p in json.load(sys.stdin)["packages"]}
print(" ".join(n for n in ("idn-toto", "idn-toto-client") if n in names))')"

for crate in $members; do
  echo "[msrv] cargo +$msrv check -p $crate --locked" >&2
  cargo "+$msrv" check --locked -p "$crate" --lib
done
echo "[msrv] cargo +$msrv check -p idn-toto --features http" >&2
cargo "+$msrv" check --locked -p idn-toto --lib --features http
echo "[msrv] Rust $msrv builds: $members"
