#!/usr/bin/env bash
# Builds the node (and with it the runtime's wasm blob).
#
#   scripts/build.sh              the debug node, built as `scripts/test.sh` builds it
#   scripts/build.sh --release    (or other cargo arguments) `cargo build -p openledger-node ARGS`
#
# Without arguments the node comes from `cargo test --workspace --no-run`, which also builds the
# node's integration tests: a plain `cargo build -p openledger-node` unifies the dependencies'
# features differently from the test build (dev-dependencies count there), so it would compile
# the runtime and the pallets again, and `scripts/dev.sh` after `scripts/test.sh` (or the other
# way round) would wait minutes for nothing. Both now leave the same binary in
# $CARGO_TARGET_DIR/debug/openledger-node.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"
if [ $# -eq 0 ]; then
	echo "[build] cargo test --workspace --no-run, for the debug node (target dir: $CARGO_TARGET_DIR)"
	cargo test --locked --workspace --no-run
else
	echo "[build] cargo build -p openledger-node $* (target dir: $CARGO_TARGET_DIR)"
	cargo build --locked -p openledger-node "$@"
fi
