//! Chain specifications: the `dev`, `local` and `staging` chains built from the runtime's
//! genesis presets (their validators are the well-known dev keys), a real network's from an
//! operator's file (`mainnet-candidate:<file>`), and any chain spec JSON file.

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

/// An operator's description of a real network, from which
/// [`mainnet_candidate_chain_spec`] builds its chain spec (`--chain
/// mainnet-candidate:<file>`): no dev key, no sudo, production governance. Accounts and keys
/// are SS58 addresses or `0x` hex; amounts are in the smallest unit (10^-18 OPEN), as decimal
/// strings. `docs/validators.md` shows one, and `scripts/network-spec.sh` writes one.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct NetworkFile {
	/// The chain's name.
	pub name: String,
	/// The chain's id (also the base path's directory name).
	pub id: String,
	/// Boot nodes' multiaddresses, each with its peer id.
	#[serde(default)]
	pub boot_nodes: Vec<String>,
	/// The validators at genesis: the invulnerables, with their session keys.
	pub validators: Vec<NetworkValidator>,
	/// The attestors at genesis; each bonds its bond out of its endowment.
	#[serde(default)]
	pub attestors: Vec<String>,
	/// Every endowed account and its balance.
	pub endowments: Vec<(String, String)>,
}

/// A validator of a [`NetworkFile`].
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkValidator {
	/// Its account (the stash).
	pub account: String,
	/// Its Aura key (sr25519).
	pub aura: String,
	/// Its GRANDPA key (ed25519).
	pub grandpa: String,
}

/// The 32 bytes of an SS58 address or of `0x` and 64 hex digits.
fn public_bytes(what: &str, s: &str) -> Result<[u8; 32], String> {
	use sp_core::crypto::Ss58Codec;
	if s.starts_with("0x") {
		let bytes = sp_core::bytes::from_hex(s).map_err(|_| format!("{what} {s}: not hex"))?;
		return bytes.try_into().map_err(|_| format!("{what} {s}: not 32 bytes"));
	}
	sp_core::crypto::AccountId32::from_ss58check(s)
		.map(Into::into)
		.map_err(|e| format!("{what} {s}: not an SS58 address ({e:?})"))
}

impl NetworkFile {
	/// The genesis patch, or what is wrong with the file.
	pub fn genesis(&self) -> Result<serde_json::Value, String> {
		use openledger_runtime::{
			configs::{attribution::ATTESTOR_BOND, validators::MAX_INVULNERABLES},
			genesis_config_presets::genesis,
			governance::origins::Pace,
			AccountId, Balance, EXISTENTIAL_DEPOSIT,
		};
		use sp_core::crypto::ByteArray;

		let account = |what, s: &str| public_bytes(what, s).map(AccountId::from);
		if self.validators.is_empty() || self.validators.len() > MAX_INVULNERABLES as usize {
			return Err(format!(
				"1 to {MAX_INVULNERABLES} validators, not {}",
				self.validators.len()
			));
		}
		let mut validators = Vec::new();
		for v in &self.validators {
			let aura = public_bytes("aura key", &v.aura)?;
			let grandpa = public_bytes("grandpa key", &v.grandpa)?;
			validators.push((
				account("validator", &v.account)?,
				sp_consensus_aura::sr25519::AuthorityId::from_slice(&aura)
					.map_err(|_| format!("aura key {}", v.aura))?,
				sp_consensus_grandpa::AuthorityId::from_slice(&grandpa)
					.map_err(|_| format!("grandpa key {}", v.grandpa))?,
			));
		}
		let unique = |items: Vec<Vec<u8>>, what: &str| {
			let mut sorted = items.clone();
			sorted.sort();
			sorted.dedup();
			if sorted.len() == items.len() {
				Ok(())
			} else {
				Err(format!("a {what} appears twice"))
			}
		};
		let bytes = |a: &AccountId| <AccountId as AsRef<[u8]>>::as_ref(a).to_vec();
		unique(validators.iter().map(|v| bytes(&v.0)).collect(), "validator")?;
		unique(validators.iter().map(|v| v.1.to_raw_vec()).collect(), "aura key")?;
		unique(validators.iter().map(|v| v.2.to_raw_vec()).collect(), "grandpa key")?;
		let mut endowments: Vec<(AccountId, Balance)> = Vec::new();
		for (who, amount) in &self.endowments {
			let amount: Balance =
				amount.parse().map_err(|_| format!("endowment {amount} of {who}: not a number"))?;
			if amount < EXISTENTIAL_DEPOSIT {
				return Err(format!("endowment of {who}: below the existential deposit"));
			}
			endowments.push((account("endowed account", who)?, amount));
		}
		unique(endowments.iter().map(|e| bytes(&e.0)).collect(), "endowed account")?;
		let attestors =
			self.attestors.iter().map(|a| account("attestor", a)).collect::<Result<Vec<_>, _>>()?;
		unique(attestors.iter().map(bytes).collect(), "attestor")?;
		for (a, text) in attestors.iter().zip(&self.attestors) {
			let endowed = endowments.iter().find(|(who, _)| who == a).map_or(0, |(_, v)| *v);
			if endowed < ATTESTOR_BOND + EXISTENTIAL_DEPOSIT {
				return Err(format!("attestor {text}: endowed with less than its bond"));
			}
		}
		Ok(genesis(
			validators,
			attestors,
			openledger_runtime::configs::attribution::CHALLENGE_WINDOW,
			endowments,
			None,
			Pace::Production,
		))
	}
}

/// `--chain mainnet-candidate:<file>`: a real network from the operator's [`NetworkFile`]: its
/// validators and session keys, attestors, endowments and boot nodes; no sudo key, production
/// governance, sessions of an hour.
pub fn mainnet_candidate_chain_spec(path: &std::path::Path) -> Result<ChainSpec, String> {
	let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
	let file: NetworkFile =
		serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
	let patch = file.genesis().map_err(|e| format!("{}: {e}", path.display()))?;
	let boot_nodes = file
		.boot_nodes
		.iter()
		.map(|b| b.parse().map_err(|e| format!("{}: boot node {b}: {e}", path.display())))
		.collect::<Result<Vec<sc_network::config::MultiaddrWithPeerId>, String>>()?;
	Ok(ChainSpec::builder(wasm_binary()?, None)
		.with_name(&file.name)
		.with_id(&file.id)
		.with_chain_type(ChainType::Live)
		.with_genesis_config_patch(patch)
		.with_boot_nodes(boot_nodes)
		.with_properties(properties())
		.build())
}
