//! Builds the runtime's wasm blobs with the `substrate-wasm-builder` (skipped with
//! `SKIP_WASM_BUILD=1`):
//!
//! - `openledger_runtime.compact.compressed.wasm`: the runtime the node starts chains with;
//! - `openledger_runtime_next.compact.compressed.wasm`: the same runtime with `spec_version`
//!   one higher (feature `bump-spec-version`), which the end-to-end tests enact through a
//!   `root` referendum to rehearse a runtime upgrade. Only the runtime crate itself is compiled
//!   twice; its dependencies are shared.
//!
//! Both lie in `<target>/<profile>/wbuild/openledger-runtime/`.

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("bump-spec-version")
		.set_file_name("openledger_runtime_next")
		.build();
}

#[cfg(not(feature = "std"))]
fn main() {}
