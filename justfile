# idn-toto: `just demo` runs the back-office story on the embedded sandbox;
# `just test` runs every test. Both install what they need themselves
# (prerequisites: Rust via rustup, Node with npm, Python >= 3.9, just; Node 22
# is installed from npm when the machine's node is older: scripts/node22.sh).

set shell := ["bash", "-euo", "pipefail", "-c"]

export CARGO_TERM_COLOR := "never"
# One target directory for every build, including the one pip runs from the
# sdist (so it reuses the dependencies the wheel build compiled).
export CARGO_TARGET_DIR := env_var_or_default("CARGO_TARGET_DIR", justfile_directory() / "target")

# List the recipes.
default:
    @just --list

# Run every test: formatting, clippy, versions, workflows, MSRV, Rust (unit, vectors, properties, e2e), npm package, pip package, release check.
test: check msrv test-rust test-node test-python release-check

# Formatting, lints (warnings are errors), the library crates' docs (broken links are errors), one version everywhere, workflow lint.
check:
    bash scripts/version.sh --check
    bash scripts/lint-workflows.sh
    rustup component list --installed | grep -q '^rustfmt' || rustup component add rustfmt
    rustup component list --installed | grep -q '^clippy' || rustup component add clippy
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets --locked -- -D warnings
    cargo clippy --locked -p idn-toto --all-targets --features http -- -D warnings
    cargo clippy --locked -p idn-toto-client --all-targets --features sqlite,postgres -- -D warnings
    RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps -p idn-toto -p idn-toto-client --features idn-toto-client/blocking,idn-toto-client/tokio,idn-toto-client/sqlite,idn-toto-client/postgres

# One build of the workspace with every optional feature the tests cover
# (the core's `http` conversions, the client's SQLite and Postgres stores), so
# no crate is compiled twice for them; the pip package's crate on its own
# (its tests link Python).
# The Rust workspace: core (unit, shared vectors, property tests, end to end against the sandbox), CLI, sandbox, bindings' host-side tests, the SQLite and Postgres stores (a real file, a throwaway cluster).
test-rust:
    cargo test --workspace --locked --exclude idn-toto-python --features idn-toto/http,idn-toto-client/blocking,idn-toto-client/sqlite,idn-toto-client/postgres
    cargo test --locked -p idn-toto-python --lib --tests

# The npm package: build (wasm-bindgen + wasm-opt), vectors, client tests, end to end, pack/install.
test-node:
    bash bindings/wasm/scripts/test.sh

# The pip package: build the wheel, install it in a fresh venv, pytest (vectors, clients, end to end), stubs, mypy.
test-python:
    bash bindings/python/scripts/test.sh

# Start the sandbox, run the back-office story from Rust, Node and Python, stop the sandbox.
demo:
    bash scripts/demo.sh

# The library crates on the declared minimum Rust version (`rust-version`), installed with rustup when missing.
msrv:
    bash scripts/msrv.sh

# What a release publishes, built as users get it: cargo package (every publishable crate), the sdist installed from source in a fresh venv, the npm tarball's files, and the tarball under Bun and Deno.
release-check:
    bash scripts/release-check.sh

# Run the sandbox in the foreground (Ctrl-C stops it).
sandbox *ARGS:
    cargo run --quiet --locked -p idn-toto-sandbox -- {{ARGS}}

# Benchmarks side by side (Rust, Node, Python); writes docs/BENCHMARKS.md.
bench:
    bash crates/idn-toto-bench/bench.sh

# The npm tarball, the wheel (this platform) and the sdist, into dist/.
pack:
    bash bindings/wasm/scripts/pack.sh
    bash bindings/python/scripts/pack.sh

# Lint .github/workflows with actionlint and the shell scripts with shellcheck.
lint-workflows:
    bash scripts/lint-workflows.sh
