//! Builds the runtime's wasm blobs with the `substrate-wasm-builder` (skipped with
//! `SKIP_WASM_BUILD=1`):
//!
//! - `openledger_runtime.compact.compressed.wasm`: the runtime the node starts chains with;
//! - `openledger_runtime_next.compact.compressed.wasm`: the same runtime with `spec_version`
//!   one higher (feature `bump-spec-version`), which the end-to-end tests enact through a
//!   `root` referendum to rehearse a runtime upgrade. Only the runtime crate itself is compiled
//!   twice; its dependencies are shared.
//!
//! Both carry the metadata hash (RFC-0078) for `CheckMetadataHash`, with the token OPEN and its
//! 18 decimals: the builder compiles the runtime, reads its metadata, merkleizes it and
//! compiles the runtime once more with `RUNTIME_METADATA_HASH` set. That second compile is of
//! the runtime crate only.
//!
//! Both lie in `<target>/<profile>/wbuild/openledger-runtime/`.

/// The token and decimals that the metadata hash commits to: what a hardware wallet shows.
#[cfg(feature = "std")]
const TOKEN: (&str, u8) = ("OPEN", 18);

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(TOKEN.0, TOKEN.1)
		.build();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("bump-spec-version")
		.enable_metadata_hash(TOKEN.0, TOKEN.1)
		.set_file_name("openledger_runtime_next")
		.build();
}

#[cfg(not(feature = "std"))]
fn main() {}
