# Sourced by the other scripts: where builds go and which toolchain builds the wasm runtime.
# The target dir lives outside the clone so that CI runs on the same machine are incremental.
OPENLEDGER_CACHE="${OPENLEDGER_CACHE:-$HOME/.cache/openledger}"
export OPENLEDGER_CACHE
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$OPENLEDGER_CACHE/target}"
export PATH="$HOME/.cargo/bin:$PATH"
if [ -f "$OPENLEDGER_CACHE/wasm-toolchain.env" ]; then
	# shellcheck disable=SC1091
	. "$OPENLEDGER_CACHE/wasm-toolchain.env"
fi
# The wasm-builder looks for Cargo.lock from the target dir upwards; point it at the workspace.
export WASM_BUILD_WORKSPACE_HINT="${WASM_BUILD_WORKSPACE_HINT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# Incremental compilation data grew to 19 GB of the cache (the machines have ~90 GB): the scripts
# build without it. Set CARGO_INCREMENTAL=1 for quick edit-and-rebuild cycles by hand.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
