#!/usr/bin/env bash
# Sets up (if needed) and runs every test: the cargo tests of the workspace, then the
# end-to-end tests against a real node (Node.js, @polkadot/api, `node --test`).
#
#   SKIP_E2E=1 scripts/test.sh     only the cargo tests
#   SKIP_CARGO=1 scripts/test.sh   only the end-to-end tests (builds the node if needed)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"

stamp() { date +%s; }
t0=$(stamp)

PALLETS=(pallet-datanets pallet-models pallet-agents pallet-attribution pallet-rewards)
if [ "${SKIP_CARGO:-0}" != 1 ]; then
	echo "[test] cargo test --workspace"
	cargo test --locked --workspace
	# The pallets again with their benchmarks, each run once as a test.
	echo "[test] cargo test --features runtime-benchmarks (${PALLETS[*]})"
	pkg_args=()
	for p in "${PALLETS[@]}"; do pkg_args+=(-p "$p"); done
	cargo test --locked --features runtime-benchmarks "${pkg_args[@]}"
fi
t1=$(stamp)

if [ "${SKIP_E2E:-0}" != 1 ]; then
	echo "[test] building the node for the end-to-end tests"
	cargo build --locked -p openledger-node
	t2=$(stamp)
	echo "[test] end-to-end tests (scripts/e2e)"
	export OPENLEDGER_NODE="$CARGO_TARGET_DIR/debug/openledger-node"
	export E2E_LOG_DIR="${E2E_LOG_DIR:-$CARGO_TARGET_DIR/e2e-logs}"
	(cd scripts/e2e && node --test --test-concurrency=1 tests/)
	t3=$(stamp)
	echo "[test] timings: cargo tests $((t1 - t0)) s, node build $((t2 - t1)) s, end-to-end $((t3 - t2)) s"
else
	echo "[test] timings: cargo tests $((t1 - t0)) s"
fi
