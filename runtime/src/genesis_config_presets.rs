//! Genesis presets: the initial state of the chains the node knows by name.
//!
//! | preset | also accepted as | validators (Aura + GRANDPA) and attestors | a result's majority | sudo | governance pace, sessions | endowed accounts |
//! |---|---|---|---|---|---|---|
//! | `development` | `dev` | Alice | 1 of 1 | Alice | fast, 10 minutes | the well-known dev accounts, 1,000,000 OPEN each |
//! | `local_testnet` | `local` | Alice, Bob, Charlie, Dave | 3 of 4 | Alice | fast, 10 minutes | the same |
//! | `staging` | | Alice, Bob, Charlie, Dave | 3 of 4 | none | production, 1 hour | the same |
//!
//! The validators are the collator selection's invulnerables, with their session keys (Aura and
//! GRANDPA) set at genesis; anyone may bond the candidacy bond to join them
//! ([`crate::configs::validators`]). Every validator is also an attestor, with its `attr` key
//! from the same seed. Committees are
//! of up to 16 (the whole set here), and attestors must run the engine version this release is
//! built with ([`openledger_primitives::attribution::ENGINE_VERSION`]). The treasury
//! and the rewards pot start with the existential deposit. A chain starts otherwise empty: no
//! Datanets, models or agents.
//!
//! `staging` is production-style: no sudo key, so that a referendum is the only way to change
//! anything, and real governance periods (see [`crate::governance::tracks`]); its validators are
//! still the dev keys. A real network starts from the node's `--chain mainnet-candidate:<file>`,
//! which builds [`genesis`] from the operators' own keys and balances.

use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

use crate::{
	configs::{
		attribution::{rewards_pot, ATTESTOR_BOND, CHALLENGE_WINDOW},
		validators::{safe_candidates, validator_pot, CANDIDACY_BOND},
	},
	governance::{origins::Pace, TreasuryAccount},
	opaque::SessionKeys,
	AccountId, AttributionConfig, Balance, BalancesConfig, BlockNumber, CollatorSelectionConfig,
	OriginsConfig, RuntimeGenesisConfig, SessionConfig, SudoConfig, EXISTENTIAL_DEPOSIT, OPEN,
};

/// The balance of each endowed development account.
pub const DEV_ENDOWMENT: Balance = 1_000_000 * OPEN;

/// Alias of [`sp_genesis_builder::DEV_RUNTIME_PRESET`].
pub const DEV_PRESET_ALIAS: &str = "dev";
/// Alias of [`sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET`].
pub const LOCAL_PRESET_ALIAS: &str = "local";
/// The production-style preset: no sudo, production governance.
pub const STAGING_PRESET: &str = "staging";

/// A validator at genesis: its account and its Aura and GRANDPA keys.
pub type Validator = (AccountId, AuraId, GrandpaId);

/// The genesis state of a chain with the given validators (the invulnerables), attestors (and
/// the blocks an inference's result stays challengeable), endowments, sudo key (none:
/// governance alone) and governance pace. Each attestor's bond is held out of its endowment.
pub fn genesis(
	validators: Vec<Validator>,
	attestors: Vec<AccountId>,
	challenge_window: BlockNumber,
	endowments: Vec<(AccountId, Balance)>,
	sudo: Option<AccountId>,
	pace: Pace,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowments
				.into_iter()
				// The treasury exists from genesis, so that it can receive any slashed amount.
				.chain(core::iter::once((TreasuryAccount::get(), EXISTENTIAL_DEPOSIT)))
				// So does the rewards pot, which pays claims while keeping itself alive.
				.chain(core::iter::once((rewards_pot(), EXISTENTIAL_DEPOSIT)))
				// And the validators' pot, which pays each author half of what it holds above it.
				.chain(core::iter::once((validator_pot(), EXISTENTIAL_DEPOSIT)))
				.collect::<Vec<_>>(),
		},
		attribution: AttributionConfig {
			attestors,
			bond: ATTESTOR_BOND,
			challenge_window,
			engine_version: openledger_primitives::attribution::ENGINE_VERSION,
		},
		// Aura's and GRANDPA's authorities come from the session's keys, not from their own
		// genesis.
		collator_selection: CollatorSelectionConfig {
			invulnerables: validators
				.iter()
				.map(|(account, ..)| account.clone())
				.collect::<Vec<_>>(),
			candidacy_bond: CANDIDACY_BOND,
			desired_candidates: safe_candidates(validators.len() as u32),
		},
		session: SessionConfig {
			keys: validators
				.into_iter()
				.map(|(account, aura, grandpa)| {
					(account.clone(), account, SessionKeys { aura, grandpa })
				})
				.collect::<Vec<_>>(),
		},
		origins: OriginsConfig { pace },
		sudo: SudoConfig { key: sudo },
	})
}

/// The account, Aura and GRANDPA keys of a well-known development validator.
fn dev_validator(name: Sr25519Keyring) -> Validator {
	let ed: Ed25519Keyring = match name {
		Sr25519Keyring::Alice => Ed25519Keyring::Alice,
		Sr25519Keyring::Bob => Ed25519Keyring::Bob,
		Sr25519Keyring::Charlie => Ed25519Keyring::Charlie,
		Sr25519Keyring::Dave => Ed25519Keyring::Dave,
		Sr25519Keyring::Eve => Ed25519Keyring::Eve,
		_ => Ed25519Keyring::Ferdie,
	};
	(name.to_account_id(), name.public().into(), ed.public().into())
}

/// The well-known development accounts, each with [`DEV_ENDOWMENT`].
fn dev_accounts() -> Vec<(AccountId, Balance)> {
	Sr25519Keyring::well_known().map(|k| (k.to_account_id(), DEV_ENDOWMENT)).collect()
}

/// `development`: Alice alone produces and finalises blocks, attests (a committee of one),
/// and holds the sudo key; governance runs at the fast pace.
pub fn development_config_genesis() -> Value {
	genesis(
		vec![dev_validator(Sr25519Keyring::Alice)],
		vec![Sr25519Keyring::Alice.to_account_id()],
		// One attestor: there is no one to challenge it, so results are paid out at once.
		0,
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
		Pace::Fast,
	)
}

/// The four validators of `local_testnet` and `staging`.
const FOUR_VALIDATORS: [Sr25519Keyring; 4] =
	[Sr25519Keyring::Alice, Sr25519Keyring::Bob, Sr25519Keyring::Charlie, Sr25519Keyring::Dave];

/// Alice, Bob, Charlie and Dave as validators and attestors (committees of all four: a result
/// needs three).
fn four_validators(sudo: Option<AccountId>, pace: Pace) -> Value {
	genesis(
		FOUR_VALIDATORS.into_iter().map(dev_validator).collect(),
		FOUR_VALIDATORS.iter().map(|v| v.to_account_id()).collect(),
		CHALLENGE_WINDOW,
		dev_accounts(),
		sudo,
		pace,
	)
}

/// `local_testnet`: four validators and attestors; Alice holds the sudo key; governance runs at
/// the fast pace.
pub fn local_config_genesis() -> Value {
	four_validators(Some(Sr25519Keyring::Alice.to_account_id()), Pace::Fast)
}

/// `staging`: four validators and attestors, no sudo key, production governance.
pub fn staging_config_genesis() -> Value {
	four_validators(None, Pace::Production)
}

/// The JSON patch of the named preset, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET | DEV_PRESET_ALIAS => development_config_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET | LOCAL_PRESET_ALIAS => {
			local_config_genesis()
		},
		STAGING_PRESET => staging_config_genesis(),
		_ => return None,
	};
	// Serialising a `serde_json::Value` cannot fail.
	serde_json::to_vec(&patch).ok()
}

/// The names of the presets this runtime provides.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
		PresetId::from(STAGING_PRESET),
	]
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn presets_are_listed_and_aliases_resolve() {
		for name in preset_names() {
			assert!(get_preset(&name).is_some(), "listed preset {name:?} must build");
		}
		assert_eq!(
			get_preset(&PresetId::from(DEV_PRESET_ALIAS)),
			get_preset(&PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET))
		);
		assert_eq!(
			get_preset(&PresetId::from(LOCAL_PRESET_ALIAS)),
			get_preset(&PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET))
		);
		assert!(get_preset(&PresetId::from("mainnet")).is_none());
	}

	#[test]
	fn local_preset_has_four_validators() {
		let json = local_config_genesis();
		assert_eq!(json["session"]["keys"].as_array().map(Vec::len), Some(4));
		assert_eq!(json["collatorSelection"]["invulnerables"].as_array().map(Vec::len), Some(4));
	}
}
