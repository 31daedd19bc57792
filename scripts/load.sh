#!/usr/bin/env bash
# The load benchmark: starts the four validators of `--chain local` (release build, fresh
# databases, scripts/network.sh), sets up a Datanet, a model and an agent, measures plain
# transfers against Datanet contributions, then sends paid inferences at a fixed rate from many
# callers for a fixed time and prints what completed, the latencies, block fullness and the
# nodes' CPU and memory (scripts/e2e/bench/load.js). The network is stopped at the end.
#
#   scripts/load.sh                                   100 inferences per 6 s block for 5 min
#   scripts/load.sh --rate 50 --seconds 60            another rate (per second) and duration
#   PROFILE=debug scripts/load.sh --seconds 30        with the debug node (quicker to build)
#
# Options after the script's name go to bench/load.js: --rate, --seconds, --callers, --burst
# (transfers and contributions sent for the throughput comparison).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"
PROFILE="${PROFILE:-release}"
flags=()
[ "$PROFILE" = release ] && flags=(--release)
echo "[load] building the node ($PROFILE)"
cargo build --locked -p openledger-node "${flags[@]}"
export OPENLEDGER_NETWORK_DIR="${OPENLEDGER_NETWORK_DIR:-$OPENLEDGER_CACHE/load-network}"
trap 'scripts/network.sh stop' EXIT
scripts/network.sh start "${flags[@]}" --fresh -- -lattribution=info
pids=$(cat "$OPENLEDGER_NETWORK_DIR"/{alice,bob,charlie,dave}.pid | paste -sd,)
(cd scripts/e2e && node bench/load.js --pids "$pids" --db "$OPENLEDGER_NETWORK_DIR/alice" "$@")
