# idn-toto: `just demo` runs the back-office story on the embedded sandbox;
# `just test` runs every test. Both install what they need themselves
# (prerequisites: Rust, Node >= 20, Python >= 3.9, just).

set shell := ["bash", "-euo", "pipefail", "-c"]

export CARGO_TERM_COLOR := "never"

# List the recipes.
default:
    @just --list

# Run every test: formatting, clippy, Rust (unit, vectors, properties, e2e), npm package, pip package.
test: check test-rust test-node test-python

# Formatting and lints (warnings are errors).
check:
    rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed | grep -q '^clippy' || rustup component add clippy
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo clippy --locked -p idn-toto --all-targets --features http -- -D warnings

# The Rust workspace: core (unit, shared vectors, property tests, end to end against the sandbox), CLI, sandbox, bindings' host-side tests.
test-rust:
    cargo test --workspace --locked --exclude idn-toto-python
    cargo test --locked -p idn-toto-python --lib --tests
    cargo test --locked -p idn-toto --features http --lib

# The npm package: build (wasm-bindgen + wasm-opt), vectors, client tests, end to end, pack/install.
test-node:
    bash bindings/wasm/scripts/test.sh

# The pip package: build the wheel, install it in a fresh venv, pytest (vectors, clients, end to end), stubs, mypy.
test-python:
    bash bindings/python/scripts/test.sh

# Start the sandbox, run the back-office story from Rust, Node and Python, stop the sandbox.
demo:
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --quiet --locked -p idn-toto-sandbox -p idn-toto --example back_office
    bash bindings/wasm/scripts/build.sh >/dev/null
    wheel="$(bash bindings/python/scripts/build.sh 2>/dev/null | tail -n 1)"
    [ -x target/demo-venv/bin/python ] || python3 -m venv target/demo-venv
    target/demo-venv/bin/pip install --quiet --disable-pip-version-check --force-reinstall --no-deps "$wheel"
    out="$(mktemp)"
    target/debug/idn-toto-sandbox --listen 127.0.0.1:0 --quiet >"$out" &
    pid=$!
    trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -f "$out"' EXIT
    for _ in $(seq 100); do [ "$(wc -l <"$out")" -ge 2 ] && break; sleep 0.05; done
    base="$(sed -n 1p "$out")"
    export IDN_TOTO_BASE_URL="$base"
    export IDN_TOTO_TOKEN="$(sed -n 2p "$out" | sed 's/^token: //')"
    reset() { python3 -c "import urllib.request,sys; urllib.request.urlopen(urllib.request.Request(sys.argv[1], method='POST'))" "${base%/home.php}/__sandbox/reset"; }
    echo "sandbox: $base (token generated, not shown)"
    echo; echo "################ Rust ################"
    target/debug/examples/back_office
    reset
    echo; echo "################ Node ################"
    node bindings/wasm/examples/back_office.mjs
    reset
    echo; echo "################ Python ##############"
    target/demo-venv/bin/python bindings/python/examples/back_office.py

# Run the sandbox in the foreground (Ctrl-C stops it).
sandbox *ARGS:
    cargo run --quiet --locked -p idn-toto-sandbox -- {{ARGS}}

# Benchmarks side by side (Rust, Node, Python); writes docs/BENCHMARKS.md.
bench:
    bash crates/idn-toto-bench/bench.sh

# The npm tarball and the wheel, into dist/.
pack:
    bash bindings/wasm/scripts/pack.sh
    bash bindings/python/scripts/pack.sh
