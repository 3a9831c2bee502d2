#!/usr/bin/env bash
# Builds the npm package into bindings/wasm/pkg/. Idempotent: installs only
# what is missing (the wasm target, the wasm-bindgen CLI at the crate's
# pinned version, the npm devDependencies).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"

log() { printf '[build] %s\n' "$*" >&2; }
# Node >= 22 first on PATH (installed from npm when the machine's node is older).
# shellcheck source=../../../scripts/node22.sh
source "$repo/scripts/node22.sh"

# 1. The wasm target.
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

# 2. The wasm-bindgen CLI, at exactly the version the crate pins.
pinned="$(sed -n 's/^wasm-bindgen = "=\([0-9.]*\)".*/\1/p' Cargo.toml)"
[ -n "$pinned" ] || { echo "no pinned wasm-bindgen version in Cargo.toml" >&2; exit 1; }
wb="$(command -v wasm-bindgen || true)"
[ -n "$wb" ] || wb="$HOME/.cargo/bin/wasm-bindgen"
if [ "$("$wb" --version 2>/dev/null || true)" != "wasm-bindgen $pinned" ]; then
  log "installing wasm-bindgen-cli $pinned (takes about two minutes)"
  # No --locked: the CLI's lockfile wants a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$pinned"
  wb="$HOME/.cargo/bin/wasm-bindgen"
fi

# 3. npm devDependencies (binaryen's wasm-opt, typescript), from the lockfile.
if [ ! -x node_modules/.bin/wasm-opt ] || [ ! -x node_modules/.bin/tsc ] \
  || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

# 4. The two wasm crates, optimised for size (this invocation only: the
#    host builds keep the workspace's release profile): the main module
#    (idn-toto-wasm) and the deposit matcher's (idn-toto-wasm-matcher,
#    bindings/wasm-matcher), which js/index.cjs loads on first use. One
#    invocation, so both link the same build of the core.
log "cargo build (wasm32, release)"
CARGO_PROFILE_RELEASE_OPT_LEVEL=${IDN_TOTO_WASM_OPT_LEVEL:-s} \
  cargo build --manifest-path "$repo/Cargo.toml" -p idn-toto-wasm -p idn-toto-wasm-matcher \
  --release --target wasm32-unknown-unknown --quiet
target_dir="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps \
  | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')"
version="$("$repo/scripts/version.sh")"

# 5. Bindings, then wasm-opt from the npm binaryen package (never Debian's).
#    Redone only when an input changed (the two modules cargo built, the
#    wasm-bindgen version, shrink.sh, the npm lockfile that pins wasm-opt):
#    `just demo`, `just test-node` and the release check each build the
#    package, and these two steps take about half a minute.
out="$here/pkg"
modules=(idn_toto_wasm idn_toto_wasm_matcher)
inputs=()
for module in "${modules[@]}"; do inputs+=("$target_dir/wasm32-unknown-unknown/release/$module.wasm"); done
stamp_file="$target_dir/idn-toto-npm-wasm.inputs"
stamp="$({ sha256sum "${inputs[@]}" "$here/scripts/shrink.sh" package-lock.json; "$wb" --version; } | sha256sum | cut -d' ' -f1)"
kept=yes
for module in "${modules[@]}"; do
  [ -s "$out/wasm/${module}_bg.wasm" ] && [ -s "$out/wasm/$module.js" ] || kept=no
done
[ -f "$stamp_file" ] && [ "$(cat "$stamp_file")" = "$stamp" ] || kept=no
if [ "$kept" = yes ]; then
  log "wasm-bindgen + wasm-opt: inputs unchanged, pkg/wasm/ kept"
  find "$out" -mindepth 1 -maxdepth 1 ! -name wasm -exec rm -rf {} +
else
  rm -rf "$out" "$stamp_file"
  mkdir -p "$out/wasm"
  for module in "${modules[@]}"; do
    "$wb" "$target_dir/wasm32-unknown-unknown/release/$module.wasm" --target nodejs \
      --out-dir "$out/wasm" --no-typescript --remove-name-section --remove-producers-section
    "$here/scripts/shrink.sh" "$out/wasm/${module}_bg.wasm" "$out/wasm/${module}_bg.wasm"
  done
  echo "$stamp" >"$stamp_file"
fi

# 6. The package around it.
# The version is the Cargo workspace's (the one source); the committed
# package.json must agree (scripts/version.sh --check says how to fix it).
cp js/index.cjs js/index.mjs js/errors.cjs js/journal.cjs js/stores.cjs js/methods.cjs js/transport.cjs js/types.d.ts js/index.d.ts js/index.d.mts README.md "$out/"
cp -L LICENSE-MIT LICENSE-APACHE "$out/"
node -e '
  const fs = require("fs");
  const [out, version] = process.argv.slice(1);
  const p = JSON.parse(fs.readFileSync("package.json", "utf8"));
  if (p.version !== version) {
    console.error(`package.json version ${p.version} differs from the Cargo workspace version ${version}: run scripts/version.sh --check`);
    process.exit(1);
  }
  delete p.scripts; delete p.devDependencies;
  fs.writeFileSync(out, JSON.stringify(p, null, 2) + "\n");
' "$out/package.json" "$version"

size() { echo "$(wc -c <"$1") bytes raw, $(gzip -9 -c "$1" | wc -c) bytes gzip -9"; }
log "pkg/ ready: main wasm $(size "$out/wasm/idn_toto_wasm_bg.wasm"); matcher wasm $(size "$out/wasm/idn_toto_wasm_matcher_bg.wasm")"
