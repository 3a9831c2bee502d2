#!/usr/bin/env bash
# The one version of every package: `version` in the Cargo workspace
# ([workspace.package] in Cargo.toml). Prints it.
#
#   scripts/version.sh           print the version
#   scripts/version.sh --check   fail, naming the file, when anything that
#                                restates it disagrees: a workspace member's
#                                own version, a versioned path dependency,
#                                the npm package.json / package-lock.json, or
#                                CHANGELOG.md (no section for it).
#
# The pip package needs no check: maturin reads the version from Cargo and
# idn_toto.__version__ reads the installed distribution's metadata.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

command -v cargo >/dev/null || { echo "version.sh: cargo is missing (install Rust with rustup)" >&2; exit 1; }
meta="$(cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps --offline 2>/dev/null \
  || cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps)"

IDN_TOTO_METADATA="$meta" python3 - "$repo" "${1:-}" <<'PY'
import json, os, re, sys
from pathlib import Path

repo, mode = Path(sys.argv[1]), sys.argv[2]
meta = json.loads(os.environ["IDN_TOTO_METADATA"])
cargo_toml = (repo / "Cargo.toml").read_text(encoding="utf-8")
section = re.search(r"^\[workspace\.package\]\n(.*?)(?=^\[)", cargo_toml, re.S | re.M)
found = section and re.search(r'^version\s*=\s*"([^"]+)"', section.group(1), re.M)
if not found:
    sys.exit("version.sh: no version in [workspace.package] of Cargo.toml")
version = found.group(1)
if mode != "--check":
    print(version)
    sys.exit(0)

problems = []
for p in meta["packages"]:
    if p["version"] != version:
        problems.append(f'{p["manifest_path"]}: version {p["version"]} (use version.workspace = true)')
    for d in p["dependencies"]:
        if d.get("path") and d["req"] != "*" and not re.fullmatch(r"[\^=~]?" + re.escape(version), d["req"]):
            problems.append(f'{p["manifest_path"]}: dependency {d["name"]} = "{d["req"]}" (want "{version}")')

wasm = repo / "bindings/wasm"
package = json.loads((wasm / "package.json").read_text(encoding="utf-8"))
if package.get("version") != version:
    problems.append(f'bindings/wasm/package.json: version {package.get("version")}')
lock = json.loads((wasm / "package-lock.json").read_text(encoding="utf-8"))
for where, got in (("version", lock.get("version")), ('packages[""].version', lock.get("packages", {}).get("", {}).get("version"))):
    if got != version:
        problems.append(f"bindings/wasm/package-lock.json: {where} {got}")

changelog = (repo / "CHANGELOG.md").read_text(encoding="utf-8")
if not re.search(r"^## \[Unreleased\]", changelog, re.M):
    problems.append('CHANGELOG.md: no "## [Unreleased]" section')
if not re.search(r"^## \[" + re.escape(version) + r"\] - \d{4}-\d{2}-\d{2}$", changelog, re.M):
    problems.append(f'CHANGELOG.md: no "## [{version}] - YYYY-MM-DD" section')

if problems:
    print(f"version.sh: the workspace version is {version}, but:", file=sys.stderr)
    for p in problems:
        print(f"  {p}", file=sys.stderr)
    sys.exit(1)
print(f"version {version}: Cargo workspace, every member, path dependencies, npm package.json and lock, CHANGELOG agree")
PY
