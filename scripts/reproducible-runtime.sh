#!/usr/bin/env bash
# Checks that the runtime blob is reproducible: builds it from this checkout and from a second
# clone of the same commit in another directory, and fails unless the two are byte for byte the
# same. Prints the blob's size and blake2_256, the hash that an upgrade referendum's
# `system.authorizeUpgrade` (or the `set_code` it unlocks) carries, and the rustc that built it.
# The blob is the debug node's (`openledger_runtime.wasm`, as compiled); a `--release` node
# build compacts and compresses that same blob, while `--profile production` compiles another
# (with LTO), reproducible in the same way but not checked here.
#
#   scripts/reproducible-runtime.sh [--skip-if-dirty]     (scripts/test.sh runs it)
#
# The second clone is of HEAD: uncommitted changes are not in it, so a dirty checkout is
# refused (or, with --skip-if-dirty, as scripts/test.sh asks, skipped with a message; CI's clean
# clone never is). Both builds use the shared target dir, and share every third-party crate's wasm
# build: only the workspace's own crates compile twice. runtime/build.rs says how the paths
# that would differ are kept out of the blob.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"

if [ -n "$(git status --porcelain --untracked-files=no)" ]; then
	if [ "${1:-}" = --skip-if-dirty ]; then
		echo "[reproducible] SKIPPED: the checkout has uncommitted changes, which a second clone would not have" >&2
		exit 0
	fi
	echo "[reproducible] the checkout has uncommitted changes, which a second clone would not have: commit them first" >&2
	exit 1
fi

WBUILD="$CARGO_TARGET_DIR/debug/wbuild/openledger-runtime"
BLOB=openledger_runtime.wasm
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# This checkout's blob is the node's, built as scripts/build.sh builds it (nothing to do after
# scripts/test.sh's cargo tests). The second clone's comes from the runtime's build script
# alone: `cargo check` runs it without compiling the native node, and skips the upgrade
# rehearsal's blob (runtime/build.rs).
echo "[reproducible] building the runtime from $ROOT"
cargo test --locked --quiet --workspace --no-run
cp -p "$WBUILD/$BLOB" "$work/first.wasm"
git clone --quiet --no-hardlinks "$ROOT" "$work/second-clone"
echo "[reproducible] building the runtime from a second clone at $work/second-clone"
(cd "$work/second-clone" && WASM_BUILD_WORKSPACE_HINT="$work/second-clone" OPENLEDGER_RUNTIME_NEXT=0 \
	cargo check --locked --quiet -p openledger-runtime)
cp "$WBUILD/$BLOB" "$work/second.wasm"
# This checkout's blob back, with its time: the runtime's build script reruns when the blob is
# newer than its last run, and would then rebuild the runtime and the node for nothing.
cp -p "$work/first.wasm" "$WBUILD/$BLOB"

first=$(b2sum -l 256 "$work/first.wasm" | cut -d' ' -f1)
second=$(b2sum -l 256 "$work/second.wasm" | cut -d' ' -f1)
echo "[reproducible] built by $(rustc -V) at commit $(git rev-parse --short HEAD)"
if [ "$first" != "$second" ]; then
	echo "[reproducible] $BLOB DIFFERS: blake2_256 0x$first from $ROOT, 0x$second from the second clone" >&2
	exit 1
fi
echo "[reproducible] $BLOB: $(stat -c %s "$work/first.wasm") bytes, blake2_256 0x$first, the same from both clones"
