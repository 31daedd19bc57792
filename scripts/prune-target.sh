#!/usr/bin/env bash
# Removes the workspace's own build artifacts that no build has written for PRUNE_DAYS days
# (default 2) from the shared target dir ($CARGO_TARGET_DIR, outside the clone).
#
#   scripts/prune-target.sh        (scripts/test.sh runs it first)
#
# Cargo keys a path dependency's artifacts by its path, so every clone of the repository in a
# new directory (as CI makes) builds its own copies of the workspace's crates, some 6 GB in the
# debug profile with the node's 1.4 GB binary, and nothing ever removes the old ones: a week of
# CI runs filled this machine's disk. The third-party crates, which every clone shares, are
# kept. Only files named after the workspace's targets (from `cargo metadata`) in deps/, and
# the build-script directories of its packages in build/, and its examples in examples/, are
# removed; cargo rebuilds any of them that is still needed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=env.sh
. "$ROOT/scripts/env.sh"
cd "$ROOT"
days="${PRUNE_DAYS:-2}"
[ -d "$CARGO_TARGET_DIR" ] || exit 0

# The workspace's packages and target names, as cargo writes them in file names.
metadata=$(cargo metadata --no-deps --format-version 1)
packages=$(jq -r '.packages[].name' <<<"$metadata")
# (Examples and build scripts are built elsewhere: examples/, build/.)
targets=$(jq -r '.packages[].targets[] | select(.kind[0] != "example" and .kind[0] != "custom-build") | .name' <<<"$metadata" |
	tr '-' '_')
examples=$(jq -r '.packages[].targets[] | select(.kind[0] == "example") | .name' <<<"$metadata" | tr '-' '_')

before=$(du -sk "$CARGO_TARGET_DIR" | cut -f1)
for profile in "$CARGO_TARGET_DIR"/debug "$CARGO_TARGET_DIR"/release "$CARGO_TARGET_DIR"/*/debug "$CARGO_TARGET_DIR"/*/release; do
	[ -d "$profile/deps" ] || continue
	for t in $targets; do
		find "$profile/deps" -maxdepth 1 -type f \( -name "$t-*" -o -name "lib$t-*" \) -mtime +"$days" -delete
	done
	# The engine's examples, some 400 MB each in the debug profile (`cargo test` builds them).
	if [ -d "$profile/examples" ]; then
		for e in $examples; do
			find "$profile/examples" -maxdepth 1 -type f -name "$e-*" -mtime +"$days" -delete
		done
	fi
	[ -d "$profile/build" ] || continue
	for p in $packages; do
		find "$profile/build" -mindepth 1 -maxdepth 1 -type d -name "$p-*" -mtime +"$days" -exec rm -rf {} +
	done
done
after=$(du -sk "$CARGO_TARGET_DIR" | cut -f1)
echo "[prune] the workspace's artifacts older than $days days: $(((before - after) / 1024)) MiB freed, $((after / 1024)) MiB in $CARGO_TARGET_DIR"
