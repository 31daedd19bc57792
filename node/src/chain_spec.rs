//! Chain specifications: the `dev`, `local` and `staging` chains built from the runtime's
//! genesis presets, and any chain spec JSON file.

use openledger_primitives::{
	currency::{TOKEN_DECIMALS, TOKEN_SYMBOL},
	SS58_PREFIX,
};
use sc_service::{ChainType, Properties};

/// A chain spec with no extensions.
pub type ChainSpec = sc_service::GenericChainSpec;

fn wasm_binary() -> Result<&'static [u8], String> {
	openledger_runtime::WASM_BINARY.ok_or_else(|| {
		"the runtime's wasm blob is not available: this binary was built with SKIP_WASM_BUILD"
			.to_string()
	})
}

/// What wallets show for the native token: `tokenSymbol` OPEN, `tokenDecimals` 18.
pub fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), SS58_PREFIX.into());
	properties
}

/// `--dev`: Alice alone produces and finalises blocks.
pub fn development_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("OpenLedger Development")
		.with_id("openledger_dev")
		.with_chain_type(ChainType::Development)
		.with_genesis_config_preset_name(sp_genesis_builder::DEV_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain local`: Alice, Bob, Charlie and Dave are the validators.
pub fn local_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("OpenLedger Local Testnet")
		.with_id("openledger_local")
		.with_chain_type(ChainType::Local)
		.with_genesis_config_preset_name(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET)
		.with_properties(properties())
		.build())
}

/// `--chain staging`: the four validators of `local`, with no sudo key and production
/// governance periods: a referendum is the only way to change anything.
pub fn staging_chain_spec() -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name("OpenLedger Staging")
		.with_id("openledger_staging")
		.with_chain_type(ChainType::Live)
		.with_genesis_config_preset_name(openledger_runtime::genesis_config_presets::STAGING_PRESET)
		.with_properties(properties())
		.build())
}
