//! Builds the runtime's wasm blob with the `substrate-wasm-builder` (skipped with
//! `SKIP_WASM_BUILD=1`).

#[cfg(feature = "std")]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
}

#[cfg(not(feature = "std"))]
fn main() {}
