#!/usr/bin/env bash
# Sets up (if needed), builds and runs a single-node OpenLedger development chain:
# Alice produces blocks with Aura every 6 s and finalises them with GRANDPA; her off-chain
# worker runs; state is thrown away on exit (--tmp).
#
#   RPC (HTTP + WebSocket): ws://127.0.0.1:9944   Prometheus: http://127.0.0.1:9615/metrics
#   Explorer (explorer/, built and served next to the node): http://127.0.0.1:8080/
#
# Extra arguments go to the node, e.g. `scripts/dev.sh --sealing instant`.
# EXPLORER_PORT=0 runs the node without the explorer; EXPLORER_PORT=N serves it on port N.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/build.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
NODE="$CARGO_TARGET_DIR/debug/openledger-node"
EXPLORER_PORT="${EXPLORER_PORT:-8080}"
if [ "$EXPLORER_PORT" != 0 ]; then
	(cd "$ROOT" && npm run --silent build -w explorer)
	node "$ROOT/explorer/serve.js" --port "$EXPLORER_PORT" &
	explorer_pid=$!
	trap 'kill "$explorer_pid" 2>/dev/null || true' EXIT
	echo "[dev] explorer: http://127.0.0.1:$EXPLORER_PORT/#/ (reads the node at ws://127.0.0.1:9944)"
fi
echo "[dev] starting $NODE --dev --tmp $*"
echo "[dev] Polkadot.js apps: https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A9944#/explorer"
"$NODE" --dev --tmp --rpc-port 9944 --rpc-cors all --prometheus-external "$@"
