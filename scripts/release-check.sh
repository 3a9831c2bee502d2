#!/usr/bin/env bash
# `just release-check`: everything a release publishes is built here the way
# users get it, and checked.
#   1. versions agree (scripts/version.sh --check);
#   2. `cargo package` (with verification builds) for every publishable crate,
#      in dependency order, and each .crate holds its README and licences;
#   3. the sdist (maturin sdist) holds what a source build needs and nothing
#      stray, and `pip install <sdist>` builds it from source into a fresh
#      venv; a smoke import/call checks the result and its __version__;
#   4. the npm tarball: its file list printed and compared with the expected
#      list (no stray files, nothing missing), its version checked, then run
#      under Bun and Deno (bindings/wasm/scripts/test-runtimes.sh).
# Writes nothing outside the target directory and a temporary directory.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
source scripts/prereqs.sh
log() { printf '[release-check] %s\n' "$*" >&2; }
fail() { printf 'release-check: %s\n' "$*" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
t0=$SECONDS

# 1. One version.
bash scripts/version.sh --check
version="$(bash scripts/version.sh)"

# 2. The crates.
mapfile -t crates < <(bash scripts/publishable-crates.sh)
[ "${#crates[@]}" -gt 0 ] || fail "no publishable crate found"
log "cargo package ${crates[*]} (verifies each builds from its .crate; unpublished path dependencies resolve through cargo's local registry overlay)"
args=()
for c in "${crates[@]}"; do args+=(-p "$c"); done
# Verification builds each .crate with the others resolved from a local
# registry overlay. Cargo treats registry crates as immutable: it unpacks a
# name and version once (into $CARGO_HOME/registry/src/-<hash>/) and reuses
# their compiled artifacts. After a change without a version bump it would
# verify the dependents against the stale core (seen here: idn-toto-cli
# verified against an older idn-toto). So our crates' artifacts are cleaned
# first and their unpacked copies dropped ("-<hash>" directories are file-URL
# registries, never crates.io). Verification builds in the workspace's target
# directory, where `just demo` and `just test` have already built every
# dependency (in its own directory it compiled them all again: about three
# minutes of a CI run); the cost is our own crates built again after a check.
pkg_target="$TARGET_DIR"
cargo clean --quiet --target-dir "$pkg_target" "${args[@]}"
for c in "${crates[@]}"; do
  rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/-*/"$c-$version"
done
# The `ignoring test` warnings are expected: tests/ stays in the repository (they
# need the shared vectors and the sandbox), see Cargo.toml `exclude`.
cargo package --locked --target-dir "$pkg_target" "${args[@]}" 2> >(grep -v '^warning: ignoring test `' >&2)
cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys, tarfile
target, version, crates = sys.argv[1], sys.argv[2], sys.argv[3:]
meta = {p["name"]: p for p in json.load(sys.stdin)["packages"]}
problems = []
for name in crates:
    p = meta[name]
    for field in ("description", "license", "repository", "readme", "rust_version"):
        if not p.get(field):
            problems.append(f"{name}: no {field} in Cargo.toml")
    for field in ("keywords", "categories"):
        if not p.get(field):
            problems.append(f"{name}: no {field} in Cargo.toml")
    if "rs" not in ((p.get("metadata") or {}).get("docs") or {}):
        problems.append(f"{name}: no [package.metadata.docs.rs]")
    path = f"{target}/package/{name}-{version}.crate"
    with tarfile.open(path) as t:
        files = {m.name.split("/", 1)[1] for m in t.getmembers() if m.isfile()}
        for need in ("Cargo.toml", "README.md", "LICENSE-MIT", "LICENSE-APACHE", "Cargo.lock"):
            if need not in files:
                problems.append(f"{name}: {need} missing from {path}")
        stray = sorted(f for f in files if f.split("/")[0] in ("target", "tests", "node_modules", ".venv", "dist", "pkg"))
        if stray:
            problems.append(f"{name}: stray files in {path}: {stray}")
        readme = t.extractfile(f"{name}-{version}/README.md").read().decode()
        if len(readme) < 500 or "## Licence" not in readme:
            problems.append(f"{name}: README.md is not a real README (no licence section or too short)")
        print(f"  {name}-{version}.crate: {len(files)} files")
if problems:
    sys.exit("release-check: " + "\n  ".join(["crates:"] + problems))
' "$TARGET_DIR" "$version" "${crates[@]}"

# 3. The sdist, built from source into a fresh venv.
log "maturin sdist"
venv_tools="$repo/bindings/python/.venv"
[ -x "$venv_tools/bin/python" ] || python3 -m venv "$venv_tools"
"$venv_tools/bin/python" -m pip install --quiet --disable-pip-version-check -r bindings/python/requirements-dev.txt
"$venv_tools/bin/maturin" sdist --manifest-path bindings/python/Cargo.toml --out "$tmp/sdist" >&2
sdist="$(ls "$tmp"/sdist/idn_toto-*.tar.gz)"
[ "$(basename "$sdist")" = "idn_toto-$version.tar.gz" ] || fail "sdist $(basename "$sdist") is not version $version"
python3 - "$sdist" "$version" <<'PY'
import sys, tarfile
sdist, version = sys.argv[1], sys.argv[2]
root = f"idn_toto-{version}/"
with tarfile.open(sdist) as t:
    files = sorted(m.name[len(root):] for m in t.getmembers() if m.isfile())
need = [
    "PKG-INFO", "pyproject.toml", "Cargo.toml", "Cargo.lock",
    "bindings/python/Cargo.toml", "bindings/python/README.md",
    "bindings/python/LICENSE-MIT", "bindings/python/LICENSE-APACHE",
    "python/idn_toto/__init__.py", "python/idn_toto/py.typed", "LICENSE-MIT", "LICENSE-APACHE",
    "bindings/python/src/lib.rs", "crates/idn-toto/Cargo.toml", "crates/idn-toto/src/lib.rs",
    "crates/idn-toto/README.md",
]
missing = [f for f in need if f not in files]
stray = [f for f in files if any(part in ("target", "node_modules", ".venv", "dist", "pkg", "__pycache__") for part in f.split("/"))]
print(f"  {sdist.rsplit('/', 1)[1]}: {len(files)} files")
if missing or stray:
    sys.exit(f"release-check: sdist: missing {missing}, stray {stray}")
PY
log "pip install <sdist> into a fresh venv (builds the extension from source: cargo, release profile)"
python3 -m venv "$tmp/venv"
"$tmp/venv/bin/python" -m pip install --disable-pip-version-check --no-binary idn-toto "$sdist" >"$tmp/pip.log" 2>&1 \
  || { tail -n 40 "$tmp/pip.log" >&2; fail "pip could not build the sdist from source (log above)"; }
grep -q "Building wheel for idn-toto" "$tmp/pip.log" || fail "pip did not build idn-toto from source"
(cd "$tmp" && "$tmp/venv/bin/python" "$repo/bindings/python/scripts/smoke.py" "$version")

# 4. The npm tarball.
log "npm pack (bindings/wasm/pkg)"
bash bindings/wasm/scripts/build.sh
mkdir "$tmp/npm"
(cd bindings/wasm/pkg && npm pack --json --pack-destination "$tmp/npm" >"$tmp/npm/pack.json" 2>/dev/null)
node - "$tmp/npm/pack.json" "$version" <<'JS'
const fs = require('fs');
const [packJson, version] = process.argv.slice(2);
const [p] = JSON.parse(fs.readFileSync(packJson, 'utf8'));
const files = p.files.map((f) => f.path).sort();
for (const f of p.files) console.log(`  ${String(f.size).padStart(8)}  ${f.path}`);
console.log(`  ${p.filename}: ${files.length} files, ${p.size} bytes packed, ${p.unpackedSize} unpacked`);
const want = [
  'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'errors.cjs', 'index.cjs', 'index.d.mts', 'index.d.ts',
  'index.mjs', 'journal.cjs', 'methods.cjs', 'package.json', 'stores.cjs', 'transport.cjs', 'types.d.ts', 'wasm/idn_toto_wasm.js', 'wasm/idn_toto_wasm_bg.wasm',
  'wasm/idn_toto_wasm_matcher.js', 'wasm/idn_toto_wasm_matcher_bg.wasm',
].sort();
const missing = want.filter((f) => !files.includes(f));
const stray = files.filter((f) => !want.includes(f));
if (missing.length || stray.length) {
  console.error(`release-check: npm tarball: missing ${JSON.stringify(missing)}, stray ${JSON.stringify(stray)}`);
  process.exit(1);
}
if (p.version !== version || p.filename !== `idn-toto-${version}.tgz`) {
  console.error(`release-check: npm tarball is ${p.filename} (version ${p.version}), want ${version}`);
  process.exit(1);
}
JS
bash bindings/wasm/scripts/test-runtimes.sh "$tmp/npm/idn-toto-$version.tgz"

log "all good in $((SECONDS - t0)) s: crates ${crates[*]}, sdist, npm tarball (Node, Bun, Deno)"
