//! Builds the runtime's wasm blobs with the `substrate-wasm-builder` (skipped with
//! `SKIP_WASM_BUILD=1`):
//!
//! - `openledger_runtime`: the runtime the node starts chains with;
//! - `openledger_runtime_next`: the same runtime with `spec_version` one higher (feature
//!   `bump-spec-version`), which the end-to-end tests enact through a `root` referendum to
//!   rehearse a runtime upgrade. Only the runtime crate itself is compiled twice; its
//!   dependencies are shared. `OPENLEDGER_RUNTIME_NEXT=0` skips it.
//!
//! Both carry the metadata hash (RFC-0078) for `CheckMetadataHash`, with the token OPEN and its
//! 18 decimals: the builder compiles the runtime, reads its metadata, merkleizes it and
//! compiles the runtime once more with `RUNTIME_METADATA_HASH` set. That second compile is of
//! the runtime crate only.
//!
//! Both lie in `<target>/<profile>/wbuild/openledger-runtime/`: `<name>.wasm` as compiled (what
//! the debug node embeds), and for release profiles also `<name>.compact.compressed.wasm`.
//!
//! The blobs are reproducible: two clones in different directories, on machines whose cargo
//! registry and toolchain live elsewhere, build the same bytes from the same `Cargo.lock` with
//! the same `rustc`. What would differ are the paths that panic locations embed and the symbol
//! names that cargo derives from each crate's path; `rustc-remap-paths.sh`, which this script
//! sets as the wasm build's rustc wrapper, keeps both out (it says how).
//! `scripts/reproducible-runtime.sh` checks it from a second clone.

/// The token and decimals that the metadata hash commits to: what a hardware wallet shows.
#[cfg(feature = "std")]
const TOKEN: (&str, u8) = ("OPEN", 18);

#[cfg(feature = "std")]
fn main() {
	remap_paths();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(TOKEN.0, TOKEN.1)
		.build();
	// The reproducibility check's second build has no use for it (OPENLEDGER_RUNTIME_NEXT=0).
	println!("cargo:rerun-if-env-changed=OPENLEDGER_RUNTIME_NEXT");
	if std::env::var("OPENLEDGER_RUNTIME_NEXT").is_ok_and(|v| v == "0") {
		return;
	}
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("bump-spec-version")
		.enable_metadata_hash(TOKEN.0, TOKEN.1)
		.set_file_name("openledger_runtime_next")
		.build();
}

/// Sets the environment that the wasm-builder's own `cargo` inherits: `rustc-remap-paths.sh` as
/// the rustc wrapper (after any wrapper set before it), and the clone's root for it to rewrite.
///
/// The wrapper's flags are invisible to cargo's fingerprints, which is what lets every clone
/// share the registry crates' wasm builds. `--cfg openledger_remapped_paths="<hash>"`, a hash
/// of the wrapper itself, is visible to them: when the wrapper changes (or a target dir holds
/// wasm crates built before it existed), every wasm crate is rebuilt once, with it, instead of
/// mixing what an old and a new wrapper did.
#[cfg(feature = "std")]
fn remap_paths() {
	use std::{env, path::Path};
	let runtime = env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR");
	let runtime = Path::new(&runtime);
	let root = runtime.parent().expect("the runtime crate lies in the workspace");
	let wrapper = runtime.join("rustc-remap-paths.sh");
	println!("cargo:rerun-if-changed={}", wrapper.display());
	let script = std::fs::read(&wrapper).expect("runtime/rustc-remap-paths.sh is in the crate");
	let mut hasher = std::hash::DefaultHasher::new();
	std::hash::Hash::hash(&script, &mut hasher);
	let version = std::hash::Hasher::finish(&hasher);
	if let Some(earlier) = env::var_os("RUSTC_WRAPPER").filter(|w| !w.is_empty()) {
		env::set_var("OPENLEDGER_NEXT_RUSTC_WRAPPER", earlier);
	}
	env::set_var("RUSTC_WRAPPER", &wrapper);
	env::set_var("OPENLEDGER_SOURCE_ROOT", root);
	let mut flags = env::var("WASM_BUILD_RUSTFLAGS").unwrap_or_default();
	flags.push_str(&format!(" --cfg openledger_remapped_paths=\"{version:016x}\""));
	env::set_var("WASM_BUILD_RUSTFLAGS", flags);
}

#[cfg(not(feature = "std"))]
fn main() {}
