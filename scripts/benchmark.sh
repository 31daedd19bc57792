#!/usr/bin/env bash
# Regenerates the weights.rs of the project's pallets with the node's `benchmark pallet`.
#
#   scripts/benchmark.sh                  every pallet of the project
#   scripts/benchmark.sh pallet_models    one pallet
#   PROFILE=release scripts/benchmark.sh  measure with an optimised node (slower to build)
#
# The benchmarking node has the `runtime-benchmarks` feature, so it is built in its own target
# dir ($OPENLEDGER_CACHE/target-bench) and never replaces the normal node. The benchmarks run
# the release-built wasm runtime; with the default debug node, the host functions behind storage
# access are unoptimised, so the weights err on the heavy side.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SKIP_NPM=1 "$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"

PROFILE="${PROFILE:-debug}"
export CARGO_TARGET_DIR="$OPENLEDGER_CACHE/target-bench"
profile_flag=()
[ "$PROFILE" = release ] && profile_flag=(--release)
echo "[bench] building openledger-node ($PROFILE) with runtime-benchmarks in $CARGO_TARGET_DIR"
cargo build --locked -p openledger-node --features runtime-benchmarks "${profile_flag[@]}"
NODE="$CARGO_TARGET_DIR/$PROFILE/openledger-node"
WBUILD="$CARGO_TARGET_DIR/$PROFILE/wbuild/openledger-runtime"
RUNTIME="$WBUILD/openledger_runtime.compact.compressed.wasm"
[ -f "$RUNTIME" ] || RUNTIME="$WBUILD/openledger_runtime.wasm"

pallets=("$@")
[ ${#pallets[@]} -gt 0 ] || pallets=(pallet_datanets pallet_models pallet_agents pallet_attribution pallet_rewards)
for pallet in "${pallets[@]}"; do
	dir="pallets/${pallet#pallet_}"
	echo "[bench] $pallet -> $dir/src/weights.rs"
	"$NODE" benchmark pallet \
		--runtime "$RUNTIME" \
		--genesis-builder=runtime \
		--genesis-builder-preset=development \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps 50 \
		--repeat 20 \
		--heap-pages 4096 \
		--header scripts/weights-header.txt \
		--template scripts/pallet-weight-template.hbs \
		--output "$dir/src/weights.rs"
done
echo "[bench] done; review and commit the weights.rs files"
