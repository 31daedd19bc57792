#!/bin/sh
# The rustc wrapper that runtime/build.rs hands to the wasm-builder (RUSTC_WRAPPER), so that the
# runtime blob is the same whichever directory the clone, cargo's registry and the toolchain
# live in. Panic messages and `file!()` embed source paths in the blob; this rewrites them:
#
#   the clone ($OPENLEDGER_SOURCE_ROOT, as given and as resolved)  -> /openledger
#   cargo's home (registry and git sources)                         -> /cargo
#   rustup's rust-src (where rustc translates /rustc/<commit>/ to)   -> /rustc/<commit>
#
# The last one undoes a translation: the standard library ships with its paths already at
# /rustc/<commit>, but a toolchain with the rust-src component installed turns them back into
# local paths when generic std code is compiled into our crates.
#
# Paths are not all. Cargo derives each crate's `-C metadata`, which rustc hashes into every
# symbol name, from its package id, and for a path dependency outside the building workspace
# (the wasm-builder's project is in the target dir, so every crate of ours is one) that id holds
# the absolute path. Other symbol names give other codegen units, another link order and other
# code. So for crates that are not from cargo's registry or git (ours, and the wasm-builder's
# project) the metadata is replaced by a hash of what identifies the unit without a path: the
# package's name and version, its features, crate types and target.
#
# Cargo calls it as `rustc-remap-paths.sh RUSTC ARGS...`. The flags do not enter cargo's
# fingerprints, so moving the clone does not rebuild the registry crates. A wrapper that was set
# before this one (sccache, say) is kept in $OPENLEDGER_NEXT_RUSTC_WRAPPER and still runs.
set -eu
rustc=$1
shift
sysroot=$("$rustc" --print sysroot)
commit=$("$rustc" -vV | sed -n 's/^commit-hash: //p')
cargo_home=${CARGO_HOME:-$HOME/.cargo}

case "${CARGO_MANIFEST_DIR:-$cargo_home/}" in
"$cargo_home"/*) ;;
*)
	# The unit's identity without its path, then the arguments with the metadata replaced.
	identity="$CARGO_PKG_NAME $CARGO_PKG_VERSION"
	previous=""
	for arg in "$@"; do
		case "$previous $arg" in
		"--cfg feature="* | "--crate-type "* | "--target "*) identity="$identity $previous $arg" ;;
		esac
		case "$arg" in --target=*) identity="$identity $arg" ;; esac
		previous=$arg
	done
	metadata=$(printf '%s' "$identity" | sha256sum | cut -c1-16)
	count=$#
	previous=""
	while [ "$count" -gt 0 ]; do
		arg=$1
		shift
		count=$((count - 1))
		case "$previous $arg" in
		"-C metadata="*) arg="metadata=$metadata" ;;
		esac
		case "$arg" in -Cmetadata=*) arg="-Cmetadata=$metadata" ;; esac
		set -- "$@" "$arg"
		previous=$arg
	done
	;;
esac

set -- "$@" \
	"--remap-path-prefix=$sysroot/lib/rustlib/src/rust=/rustc/$commit" \
	"--remap-path-prefix=$cargo_home=/cargo"
if [ -n "${OPENLEDGER_SOURCE_ROOT:-}" ]; then
	resolved=$(cd "$OPENLEDGER_SOURCE_ROOT" && pwd -P)
	set -- "$@" "--remap-path-prefix=$OPENLEDGER_SOURCE_ROOT=/openledger"
	if [ "$resolved" != "$OPENLEDGER_SOURCE_ROOT" ]; then
		set -- "$@" "--remap-path-prefix=$resolved=/openledger"
	fi
fi
if [ -n "${OPENLEDGER_NEXT_RUSTC_WRAPPER:-}" ]; then
	exec "$OPENLEDGER_NEXT_RUSTC_WRAPPER" "$rustc" "$@"
fi
exec "$rustc" "$@"
