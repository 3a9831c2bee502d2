#!/usr/bin/env bash
# The `.wasm` size target's decomposition (issue 13), written as JSON:
#
#   crates/idn-toto-bench/wasm-size.sh OUT.json
#
# 1. The SDK's module cut down to subsets of its exports (binaryen's
#    wasm-metadce, then the package's own wasm-opt settings): the errors and
#    the endpoint list alone (the runtime every export needs), plus `parse`
#    (all 13 endpoints' readers), and everything (the package's main
#    module as built). The deposit matcher's module (bindings/wasm-matcher,
#    the package's second file, loaded on first use) sized on its own.
# 2. The library floor: crates/idn-toto-bench/wasm-floor, the smallest use
#    of each crate the SDK is built on, compiled the same way, in three
#    steps: serde_json + wasm-bindgen; + rust_decimal and chrono (`typed`);
#    + url, percent-encoding and httpdate (`web`).
# Needs what bindings/wasm/scripts/build.sh installs (the wasm target, the
# wasm-bindgen CLI, binaryen from npm).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
out_json="$1"
cd "$repo"
shrink="bindings/wasm/scripts/shrink.sh"
metadce="bindings/wasm/node_modules/.bin/wasm-metadce"
wb="$(command -v wasm-bindgen || echo "$HOME/.cargo/bin/wasm-bindgen")"
target_dir="$(cargo metadata --format-version 1 --no-deps \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
# The two wasm crates as bindings/wasm/scripts/build.sh builds them, in one
# invocation (a no-op when that build is current).
CARGO_PROFILE_RELEASE_OPT_LEVEL=${IDN_TOTO_WASM_OPT_LEVEL:-s} \
  cargo build -p idn-toto-wasm -p idn-toto-wasm-matcher --release --target wasm32-unknown-unknown --quiet
sdk_wasm="$target_dir/wasm32-unknown-unknown/release/idn_toto_wasm.wasm"
matcher_wasm="$target_dir/wasm32-unknown-unknown/release/idn_toto_wasm_matcher.wasm"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

sizes() { # file -> "raw gzip"
  echo "$(wc -c <"$1") $(gzip -9 -c "$1" | wc -c)"
}

# 1. The SDK module, cut by exports. Exports named `__...` are the
#    wasm-bindgen runtime's (allocator, externref table, start): always kept.
"$wb" "$sdk_wasm" --target nodejs --out-dir "$work/sdk" --no-typescript \
  --remove-name-section --remove-producers-section
cut() { # name "export ..."
  node -e '
    const fs = require("fs");
    const [file, keepList, graph] = process.argv.slice(1);
    const module = new WebAssembly.Module(fs.readFileSync(file));
    const keep = new Set(keepList.split(" ").filter(Boolean));
    const nodes = [];
    for (const e of WebAssembly.Module.exports(module)) {
      const root = keep.has(e.name) || e.name.startsWith("__");
      nodes.push(root ? { name: "e:" + e.name, export: e.name, root: true } : { name: "e:" + e.name, export: e.name });
    }
    for (const i of WebAssembly.Module.imports(module)) {
      nodes.push({ name: "i:" + i.module + ":" + i.name, import: [i.module, i.name] });
    }
    fs.writeFileSync(graph, JSON.stringify(nodes));
  ' "$work/sdk/idn_toto_wasm_bg.wasm" "$2" "$work/$1.graph.json"
  "$metadce" --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
    --enable-mutable-globals --enable-reference-types --enable-multivalue \
    --graph-file "$work/$1.graph.json" "$work/sdk/idn_toto_wasm_bg.wasm" -o "$work/$1.dce.wasm" >/dev/null
  "$shrink" "$work/$1.dce.wasm" "$work/$1.wasm"
  sizes "$work/$1.wasm"
}
errors_only="$(cut errors "memory endpoints coreerror_detail __wbg_coreerror_free")"
parse_only="$(cut parse "memory endpoints coreerror_detail __wbg_coreerror_free parse")"
# Everything: the package's module itself (the same steps as build.sh).
"$shrink" "$work/sdk/idn_toto_wasm_bg.wasm" "$work/all.wasm"
everything="$(sizes "$work/all.wasm")"
# The matcher's module, the same steps.
"$wb" "$matcher_wasm" --target nodejs --out-dir "$work/matcher" --no-typescript \
  --remove-name-section --remove-producers-section
"$shrink" "$work/matcher/idn_toto_wasm_matcher_bg.wasm" "$work/matcher.wasm"
matcher="$(sizes "$work/matcher.wasm")"

# 2. The library floor, built like the package (opt-level "s" is the
#    floor crate's own release profile).
floor_manifest="$here/wasm-floor/Cargo.toml"
floor() { # features
  cargo build --quiet --manifest-path "$floor_manifest" --release --locked \
    --target wasm32-unknown-unknown --target-dir "$target_dir" --no-default-features --features "$1"
  "$wb" "$target_dir/wasm32-unknown-unknown/release/idn_toto_wasm_floor.wasm" --target nodejs \
    --out-dir "$work/floor" --no-typescript --remove-name-section --remove-producers-section
  "$shrink" "$work/floor/idn_toto_wasm_floor_bg.wasm" "$work/floor.wasm"
  sizes "$work/floor.wasm"
}
floor_json="$(floor "")"
floor_typed="$(floor typed)"
floor_web="$(floor typed,web)"

python3 - "$out_json" <<PY
import json, sys
def pair(s):
    raw, gz = s.split()
    return {"bytes": int(raw), "gzip_bytes": int(gz)}
json.dump({
    "sdk_errors_only": pair("$errors_only"),
    "sdk_parse_only": pair("$parse_only"),
    "sdk_everything": pair("$everything"),
    "sdk_matcher": pair("$matcher"),
    "floor_serde_json": pair("$floor_json"),
    "floor_typed": pair("$floor_typed"),
    "floor_typed_web": pair("$floor_web"),
}, open(sys.argv[1], "w"), indent=2)
PY
echo "wasm-size: $(cat "$out_json" | tr -d ' \n')" >&2
