#!/usr/bin/env bash
# The runtime fuzzer (runtime/src/tests/fuzz.rs) for longer than the test suite runs it: random
# sequences of calls of every pallet against the real runtime, with every invariant checked
# after every block. A failure prints its seed and the calls that led to it.
#
#   scripts/fuzz.sh                          1,000,000 calls, seed 1
#   scripts/fuzz.sh --calls 200000 --seed 7  another length and seed
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
calls=1000000
seed=1
while [ $# -gt 0 ]; do
	case "$1" in
	--calls) calls="$2"; shift ;;
	--seed) seed="$2"; shift ;;
	*) echo "unknown option $1" >&2; exit 2 ;;
	esac
	shift
done
SKIP_NPM=1 "$ROOT/scripts/setup.sh"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"
echo "[fuzz] $calls calls from seed $seed"
# The debug test build of the workspace, as `scripts/test.sh` builds it (its hashing and
# signature crates are optimised, see Cargo.toml): nothing to build after the tests ran.
OPENLEDGER_FUZZ_CALLS="$calls" OPENLEDGER_FUZZ_SEED="$seed" \
	cargo test --locked --workspace --lib fuzz::random_calls -- --nocapture
