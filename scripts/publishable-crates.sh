#!/usr/bin/env bash
# The workspace members that can be published (no `publish = false`), in
# dependency order (a crate after everything it depends on), one per line.
# New members (e.g. crates/idn-toto-client) are picked up without edits here.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cargo metadata --manifest-path "$repo/Cargo.toml" --format-version 1 --no-deps \
  | python3 -c '
import json, sys
meta = json.load(sys.stdin)
members = set(meta["workspace_members"])
crates = {p["name"]: p for p in meta["packages"] if p["id"] in members and p.get("publish") != []}
# Normal and build dependencies only: dev-dependencies without a version are
# stripped by `cargo package`, so they do not order publishing.
deps = {n: {d["name"] for d in p["dependencies"] if d["kind"] != "dev" and d["name"] in crates} for n, p in crates.items()}
done = []
while len(done) < len(crates):
    ready = sorted(n for n in crates if n not in done and deps[n] <= set(done))
    if not ready:
        sys.exit("publishable-crates.sh: dependency cycle among " + ", ".join(sorted(set(crates) - set(done))))
    done.extend(ready)
print("\n".join(done))
'
