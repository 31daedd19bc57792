#!/usr/bin/env bash
# Regenerates the weights.rs of the project's pallets with the node's `benchmark pallet`.
#
#   scripts/benchmark.sh                  every pallet of the project, optimised node
#   scripts/benchmark.sh pallet_models    one pallet
#   PROFILE=debug scripts/benchmark.sh    with the debug node (quicker to build, slower host
#                                         functions: the weights err on the heavy side)
#   STEPS=25 REPEAT=10 scripts/benchmark.sh   fewer samples (default 50 steps, 20 repeats)
#
# The benchmarks run in the runtime's wasm, so they need a runtime blob built with the
# `runtime-benchmarks` feature: it is built (`cargo check`, which runs the runtime's build
# script, and with it the wasm build) in its own target dir, $OPENLEDGER_CACHE/target-bench, so
# that it never replaces the normal runtime. The node that runs it is the normal one: the
# benchmark CLI brings its own benchmarking host functions, and a release node's storage,
# hashing and signature host functions are the optimised ones the chain runs with. The
# machine that measured the weights is described in docs/benchmarks.md ("Weights").
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SKIP_NPM=1 "$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"

PROFILE="${PROFILE:-release}"
profile_flag=()
[ "$PROFILE" = release ] && profile_flag=(--release)
echo "[bench] building openledger-node ($PROFILE)"
cargo build --locked -p openledger-node "${profile_flag[@]}"
NODE="$CARGO_TARGET_DIR/$PROFILE/openledger-node"
BENCH_TARGET="$OPENLEDGER_CACHE/target-bench"
echo "[bench] building the runtime blob with runtime-benchmarks in $BENCH_TARGET"
# `cargo check` does not always rerun the runtime's build script after a pallet changed:
# FORCE_WASM_BUILD (which the wasm-builder watches) makes it rebuild the blob, incrementally.
FORCE_WASM_BUILD="$(date +%s)" CARGO_TARGET_DIR="$BENCH_TARGET" \
	cargo check --locked -p openledger-runtime --features runtime-benchmarks
WBUILD="$BENCH_TARGET/debug/wbuild/openledger-runtime"
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
		--steps "${STEPS:-50}" \
		--repeat "${REPEAT:-20}" \
		--heap-pages 4096 \
		--header scripts/weights-header.txt \
		--template scripts/pallet-weight-template.hbs \
		--output "$dir/src/weights.rs"
done
echo "[bench] done; review and commit the weights.rs files"
