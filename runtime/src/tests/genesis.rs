//! The genesis presets build into the state they promise, and the fee parameters are exact.

use frame_support::weights::constants::WEIGHT_REF_TIME_PER_SECOND;
use sp_keyring::Sr25519Keyring;

use super::state_of;
use crate::{
	configs::monetary::{WeightFeePerRefTime, WEIGHT_FEE_PER_SECOND},
	genesis_config_presets::DEV_ENDOWMENT,
	Balance, Runtime, EXISTENTIAL_DEPOSIT,
};

#[test]
fn dev_genesis_has_alice_as_sole_validator_attestor_and_sudo() {
	state_of("dev").execute_with(|| {
		let accounts = Sr25519Keyring::well_known().count() as Balance;
		// The dev accounts, and the existential deposits of the treasury, the rewards pot and
		// the validators' pot.
		assert_eq!(
			pallet_balances::TotalIssuance::<Runtime>::get(),
			DEV_ENDOWMENT * accounts + 3 * EXISTENTIAL_DEPOSIT
		);
		assert_eq!(
			pallet_attribution::Attestors::<Runtime>::get().into_inner(),
			vec![Sr25519Keyring::Alice.to_account_id()]
		);
		let params = pallet_attribution::ConsensusParams::<Runtime>::get();
		assert_eq!(params.engine_version, openledger_primitives::attribution::ENGINE_VERSION);
		// Alice's genesis bond is held, out of her endowment.
		let alice = Sr25519Keyring::Alice.to_account_id();
		let bond = crate::configs::attribution::ATTESTOR_BOND;
		assert_eq!(pallet_attribution::Bonds::<Runtime>::get(&alice).map(|b| b.amount), Some(bond));
		assert_eq!(pallet_balances::Pallet::<Runtime>::free_balance(&alice), DEV_ENDOWMENT - bond);
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::free_balance(
				crate::configs::attribution::rewards_pot()
			),
			EXISTENTIAL_DEPOSIT
		);
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::free_balance(Sr25519Keyring::Bob.to_account_id()),
			DEV_ENDOWMENT
		);
		let aura = pallet_aura::Authorities::<Runtime>::get();
		assert_eq!(aura.into_inner(), vec![Sr25519Keyring::Alice.public().into()]);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 1);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), Some(Sr25519Keyring::Alice.to_account_id()));
	});
}

#[test]
fn local_genesis_has_four_validators_that_attest_in_one_committee() {
	state_of("local").execute_with(|| {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 4);
		assert_eq!(pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(), 4);
		assert_eq!(pallet_attribution::Attestors::<Runtime>::get().len(), 4);
		assert!(pallet_attribution::ConsensusParams::<Runtime>::get().committee_size >= 4);
	});
}

#[test]
fn weight_fee_is_exact() {
	assert_eq!(
		WeightFeePerRefTime::get() * WEIGHT_REF_TIME_PER_SECOND as Balance,
		WEIGHT_FEE_PER_SECOND
	);
}

/// `scripts/network.sh start --slot-ms` writes the half slot under `:MinimumPeriod:` in the raw
/// spec: that key is the one the runtime reads, and Aura's slot follows it.
#[test]
fn a_genesis_minimum_period_sets_the_slot_duration() {
	use crate::configs::MinimumPeriod;
	use codec::Encode;

	let key = format!("0x{}", sp_core::hexdisplay::HexDisplay::from(&MinimumPeriod::key()));
	let script = include_str!("../../../scripts/network.sh");
	assert!(script.contains(&key), "network.sh writes {key}");
	state_of("local").execute_with(|| {
		assert_eq!(pallet_aura::Pallet::<Runtime>::slot_duration(), 6_000);
		sp_io::storage::set(&MinimumPeriod::key(), &1_500u64.encode());
		assert_eq!(pallet_aura::Pallet::<Runtime>::slot_duration(), 3_000);
	});
}
