#!/usr/bin/env bash
# Builds the node (and with it the runtime's wasm blob). Extra arguments go to cargo,
# e.g. `scripts/build.sh --release` or `scripts/build.sh --features runtime-benchmarks`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"
echo "[build] cargo build -p openledger-node $* (target dir: $CARGO_TARGET_DIR)"
cargo build --locked -p openledger-node "$@"
