#!/usr/bin/env bash
# Sets up (if needed) and runs every test: the cargo tests of the workspace, then the client
# library's unit tests and the end-to-end tests against a real node (Node.js, @polkadot/api,
# `node --test`), which include the command-line client's. Beside the end-to-end tests, at the
# lowest CPU priority, run the engine's cross-hardware digest (qemu-user, aarch64) and the
# runtime's build from a second clone, which must come out byte for byte the same
# (scripts/reproducible-runtime.sh).
#
#   SKIP_E2E=1 scripts/test.sh     only the cargo tests
#   SKIP_CARGO=1 scripts/test.sh   only the end-to-end tests (builds the node if needed)
#   SKIP_CROSS=1 scripts/test.sh   without the cross-hardware digest runs (qemu, aarch64)
#   SKIP_REPRODUCIBLE=1 scripts/test.sh   without building the runtime from a second clone
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"

# Every clone builds its own copies of the workspace's crates in the shared target dir: drop
# those no build has written for two days before adding more.
"$ROOT/scripts/prune-target.sh"

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

# The cross-hardware test: the engine's golden digest test (engine/tests/determinism.rs)
# as built by the cargo tests above, run natively and under qemu as a CPU without AVX or FMA
# (Nehalem-v1) and as one with AVX2 and FMA (Haswell-v4), then built for aarch64 and run under
# qemu-aarch64. Every run must print the golden digest of the engine's version.
cross_hardware() {
	# The path of the digest test binary that `cargo test ARGS --no-run` builds.
	digest_bin() {
		cargo test --locked "$@" --no-run --message-format=json 2>/dev/null \
			| sed -n 's/.*"executable":"\([^"]*\/determinism-[^"]*\)".*/\1/p' | tail -n1
	}
	run_digest() {
		local name=$1
		shift
		local out
		out=$("$@" --exact golden_digest --nocapture 2>&1) || {
			echo "$out"
			echo "[test] cross-hardware: $name FAILED" >&2
			exit 1
		}
		echo "[test] cross-hardware: $name: $(echo "$out" | sed -n 's/^golden digest: //p')"
	}
	# The workspace's own build (the same features as the cargo tests above, so nothing is
	# rebuilt). The two x86 emulations run side by side, and beside the aarch64 build.
	native=$(digest_bin --workspace)
	run_digest "native" "$native"
	cross_dir=$(mktemp -d)
	run_digest "qemu-x86_64 -cpu Nehalem-v1" qemu-x86_64 -cpu Nehalem-v1 "$native" >"$cross_dir/nehalem" 2>&1 &
	nehalem=$!
	run_digest "qemu-x86_64 -cpu Haswell-v4" qemu-x86_64 -cpu Haswell-v4 "$native" >"$cross_dir/haswell" 2>&1 &
	haswell=$!
	if rustup target list --installed 2>/dev/null | grep -q '^aarch64-unknown-linux-gnu$'; then
		echo "[test] building the digest test for aarch64-unknown-linux-gnu"
		export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
		cargo test --locked -p openledger-influence --test determinism --no-run --target aarch64-unknown-linux-gnu
		arm=$(digest_bin -p openledger-influence --test determinism --target aarch64-unknown-linux-gnu)
		run_digest "qemu-aarch64" qemu-aarch64 -L /usr/aarch64-linux-gnu "$arm"
	else
		echo "[test] cross-hardware: qemu-aarch64 SKIPPED: rustup has no aarch64-unknown-linux-gnu target (see scripts/setup.sh)" >&2
	fi
	x86_status=0
	wait "$nehalem" || x86_status=1
	wait "$haswell" || x86_status=1
	cat "$cross_dir/nehalem" "$cross_dir/haswell"
	rm -rf "$cross_dir"
	[ "$x86_status" = 0 ] || exit 1
}

# The checks that need no node: the engine's cross-hardware test and the reproducible runtime.
# With the end-to-end tests they run beside them, at the lowest CPU priority (`nice -n 19`): the
# end-to-end tests' nodes mostly wait for blocks (their files left the two cores 44% idle in a
# profile of the three four-validator files), and these checks take only what the nodes leave.
# Their output goes to a log, printed when they end.
side_checks() {
	local t
	t=$(stamp)
	if [ "${SKIP_CROSS:-0}" != 1 ]; then
		cross_hardware
	fi
	echo "[test] cross-hardware $(($(stamp) - t)) s"
	t=$(stamp)
	# The runtime blob from a second clone in another directory: the same bytes, or a
	# failure. It prints the blake2_256 that an upgrade to this commit's runtime would carry.
	if [ "${SKIP_REPRODUCIBLE:-0}" != 1 ]; then
		"$ROOT/scripts/reproducible-runtime.sh" --skip-if-dirty
	fi
	echo "[test] reproducible runtime $(($(stamp) - t)) s"
}

if [ "${SKIP_E2E:-0}" != 1 ]; then
	# The node binary is built by `cargo test --workspace` (for node/tests/), with the test
	# build's features; building it with `cargo build` would compile the runtime and the pallets
	# once more with other features. Without the cargo tests, this builds it the same way. (Before
	# the side checks start: their cargo would hold the target dir's lock.)
	echo "[test] building the node for the end-to-end tests (cargo test --workspace --no-run)"
	cargo test --locked --workspace --no-run
	t2=$(stamp)
	side_log=$(mktemp)
	echo "[test] the cross-hardware test and the reproducible runtime, beside the end-to-end tests (nice -n 19; their output when they end)"
	(
		renice -n 19 -p "$BASHPID" >/dev/null
		side_checks
	) </dev/null >"$side_log" 2>&1 &
	side=$!
	echo "[test] the client library's unit tests (client/test), and the explorer's build"
	node --test client/test/
	npm run --silent build -w explorer
	echo "[test] end-to-end tests (scripts/e2e)"
	export OPENLEDGER_NODE="$CARGO_TARGET_DIR/debug/openledger-node"
	export E2E_LOG_DIR="${E2E_LOG_DIR:-$CARGO_TARGET_DIR/e2e-logs}"
	# Four test files at a time, the longest first (scripts/e2e/run.js; E2E_CONCURRENCY=1 runs
	# them one after the other): their nodes mostly wait for blocks, and the three four-validator
	# files together left the two cores 44% idle (docs/testing.md, end-to-end tests).
	e2e_status=0
	(cd scripts/e2e && node run.js --concurrency "${E2E_CONCURRENCY:-4}") || e2e_status=$?
	t3=$(stamp)
	side_status=0
	wait "$side" || side_status=$?
	t4=$(stamp)
	cat "$side_log"
	rm -f "$side_log"
	echo "[test] timings: cargo tests $((t1 - t0)) s, node build $((t2 - t1)) s, end-to-end $((t3 - t2)) s, then the side checks' end $((t4 - t3)) s"
	[ "$side_status" = 0 ] || { echo "[test] the cross-hardware test or the reproducible runtime FAILED" >&2; exit 1; }
	[ "$e2e_status" = 0 ] || exit "$e2e_status"
else
	side_checks
	echo "[test] timings: cargo tests $((t1 - t0)) s, side checks $(($(stamp) - t1)) s"
fi
