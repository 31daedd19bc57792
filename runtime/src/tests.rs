//! Runtime-level tests: genesis presets build into the state they promise, and the fee
//! parameters are exact.

use frame_support::{
	genesis_builder_helper::build_state, weights::constants::WEIGHT_REF_TIME_PER_SECOND,
};
use serde_json::Value;
use sp_genesis_builder::PresetId;
use sp_keyring::Sr25519Keyring;

use crate::{
	configs::monetary::{WeightFeePerRefTime, WEIGHT_FEE_PER_SECOND},
	genesis_config_presets::{get_preset, DEV_ENDOWMENT},
	Balance, Runtime, RuntimeGenesisConfig, EXISTENTIAL_DEPOSIT,
};

/// Applies a JSON patch the way the node applies a preset to the default genesis config.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The genesis state of a named preset.
pub(crate) fn state_of(preset: &str) -> sp_io::TestExternalities {
	let patch = get_preset(&PresetId::from(preset)).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialisable");
	merge(&mut config, serde_json::from_slice(&patch).expect("a preset is JSON"));
	let json = serde_json::to_vec(&config).expect("serialisable");

	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("the preset builds"));
	ext
}

#[test]
fn dev_genesis_has_alice_as_sole_validator_attestor_and_sudo() {
	state_of("dev").execute_with(|| {
		let accounts = Sr25519Keyring::well_known().count() as Balance;
		// The dev accounts, and the existential deposits of the treasury and the rewards pot.
		assert_eq!(
			pallet_balances::TotalIssuance::<Runtime>::get(),
			DEV_ENDOWMENT * accounts + 2 * EXISTENTIAL_DEPOSIT
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

/// What the chain is sized for: the answers to 100 paid inferences fit a block, and so does the
/// most that one block's `on_initialize` settles.
#[test]
fn a_block_holds_the_work_of_a_hundred_inferences_and_its_bounded_hooks() {
	use frame_support::{dispatch::DispatchClass, traits::Get};
	use pallet_attribution::WeightInfo as _;
	type W = pallet_attribution::weights::SubstrateWeight<Runtime>;
	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let max_normal = normal.max_total.expect("the normal class has a limit");
	// What one worker batch may weigh: half of the lane normal transactions cannot fill.
	let batch_limit = pallet_attribution::ocw::batch_limit::<Runtime>();
	let attestors: u32 = <Runtime as pallet_attribution::Config>::MaxAttestors::get();
	let top_k: u32 = <Runtime as pallet_attribution::Config>::MaxTopK::get();
	let settled: u32 = <Runtime as pallet_attribution::Config>::MaxSettledPerBlock::get();
	// One worst-case reveal (a recheck's, slashing two committees, with every share) fits a
	// batch, so that the worker's batches always hold at least one.
	let worst_reveal = W::reveal(2 * attestors, top_k);
	assert!(worst_reveal.all_lte(batch_limit), "{worst_reveal:?} vs {batch_limit:?}");
	// An attestor's reveals to 100 jobs of committees of four, each with every share, split at
	// the batch limit by their declared (worst-case) weight: the lane takes two batches a
	// block, and they all land within half of the reveal round.
	let per_batch = batch_limit.ref_time() / W::reveal(4, top_k).ref_time();
	let blocks = 100u64.div_ceil(per_batch).div_ceil(2);
	let round: u32 = <Runtime as pallet_attribution::Config>::RevealPeriod::get();
	assert!(blocks <= u64::from(round) / 2, "{per_batch} reveals a batch: {blocks} blocks");
	println!("reveals to 100 jobs: {per_batch} a batch, {blocks} blocks of the lane");
	// 100 inferences on the local chain's committee of four: 100 invocations, within the
	// normal class; 400 commits, 100 reveals that take the vote (the result then waits out the
	// challenge window) and 300 that are stored, within the operational lane's quarter of the
	// block that normal transactions cannot fill. Then paying them out in one block's
	// on_initialize, next to that, within the block.
	let invocations =
		<pallet_agents::weights::SubstrateWeight<Runtime> as pallet_agents::WeightInfo>::invoke()
			.saturating_mul(100);
	assert!(invocations.all_lte(max_normal), "{invocations:?} vs {max_normal:?}");
	let attestations = W::commit(4)
		.saturating_mul(400)
		.saturating_add(W::reveal_pending(4, top_k).saturating_mul(100))
		.saturating_add(W::reveal_stored(4, top_k).saturating_mul(300));
	let lane = weights.max_block.saturating_sub(max_normal);
	assert!(attestations.all_lte(lane), "{attestations:?} vs {lane:?}");
	let hundred = invocations.saturating_add(attestations);
	let paid = W::on_initialize_matured(100);
	assert!(hundred.saturating_add(paid).all_lte(weights.max_block), "{paid:?}");
	println!(
		"100 inferences: {:.0} ms of the normal class's {:.0} ms, {:.0} ms of the attestations' \
		 {:.0} ms, and {:.0} ms to pay them out",
		invocations.ref_time() as f64 / 1e9,
		max_normal.ref_time() as f64 / 1e9,
		attestations.ref_time() as f64 / 1e9,
		lane.ref_time() as f64 / 1e9,
		paid.ref_time() as f64 / 1e9
	);
	// The most one block's on_initialize settles stays within half the block.
	let hooks = W::on_initialize(settled).saturating_add(W::on_initialize_matured(settled));
	assert!(hooks.all_lte(weights.max_block / 2), "{hooks:?} vs {:?}", weights.max_block);
}

/// The attestations' lane: in a block whose share for normal transactions is full, by weight
/// and by length, a transfer no longer fits, and the largest batch of reveals a worker sends
/// (split at `ocw::batch_limit` by declared weight, each reveal with every share) still does:
/// attestations are of the `Operational` class.
#[test]
fn attestations_fit_a_block_whose_normal_share_is_full() {
	use codec::Encode;
	use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
	use openledger_primitives::attribution::RecordShare;
	use pallet_attribution::types::Outcome;
	use sp_runtime::{transaction_validity::InvalidTransaction, Perbill};

	use crate::RuntimeCall;

	let share = |record| RecordShare { record, share: Perbill::from_rational(1u32, 16) };
	let outcome = Outcome::Infer {
		engine_version: openledger_primitives::attribution::ENGINE_VERSION,
		label: 0,
		confidence: Perbill::one(),
		shares: (0..16).map(share).collect(),
	};
	let per_batch = {
		use pallet_attribution::WeightInfo as _;
		type W = pallet_attribution::weights::SubstrateWeight<Runtime>;
		let reveal = W::reveal(4, 16).ref_time();
		pallet_attribution::ocw::batch_limit::<Runtime>().ref_time() / reveal
	};
	let items: Vec<_> =
		(0..per_batch.min(100)).map(|job| (job, [7u8; 32], outcome.clone())).collect();
	let reveals = RuntimeCall::Attribution(pallet_attribution::Call::reveal_batch {
		items: items.try_into().expect("within MaxBatch"),
		members: 4,
	});
	let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: Sr25519Keyring::Bob.to_account_id().into(),
		value: 1,
	});
	let (reveal_info, transfer_info) = (reveals.get_dispatch_info(), transfer.get_dispatch_info());
	assert_eq!(reveal_info.class, DispatchClass::Operational);
	state_of("local").execute_with(|| {
		let weights = <Runtime as frame_system::Config>::BlockWeights::get();
		let lengths = <Runtime as frame_system::Config>::BlockLength::get();
		// The stuffers took all the normal share.
		let normal = weights.get(DispatchClass::Normal).max_total.expect("a normal limit");
		frame_system::BlockWeight::<Runtime>::mutate(|w| w.set(normal, DispatchClass::Normal));
		frame_system::BlockSize::<Runtime>::put(*lengths.max.get(DispatchClass::Normal));
		let check = |info, len: usize| {
			frame_system::CheckWeight::<Runtime>::do_validate(info, len).and_then(|(_, next)| {
				frame_system::CheckWeight::<Runtime>::do_prepare(info, len, next)
			})
		};
		assert_eq!(
			check(&transfer_info, transfer.encoded_size()),
			Err(InvalidTransaction::ExhaustsResources.into()),
			"the normal share is full"
		);
		assert_eq!(check(&reveal_info, reveals.encoded_size()), Ok(()), "the lane is not");
	});
}

/// `$check!(P)` for each custom pallet `P`.
macro_rules! each_pallet {
	($check:ident) => {
		$check!(Datanets);
		$check!(Models);
		$check!(Agents);
		$check!(Attribution);
		$check!(Rewards);
	};
}

/// The state of a chain started before the pallets declared storage versions: dev genesis with
/// a Datanet, a record and its version, every custom pallet's storage version set back to 0
/// (genesis wrote 1, the version in the code).
fn unversioned_chain() -> sp_io::TestExternalities {
	use frame_support::traits::{GetStorageVersion, StorageVersion};
	use openledger_primitives::datanets::{CurationPolicy, Schema};

	use crate::{Agents, Attribution, Datanets, Models, Rewards};

	let mut ext = state_of("dev");
	ext.execute_with(|| {
		frame_system::Pallet::<Runtime>::set_block_number(1);
		let alice = Sr25519Keyring::Alice.to_account_id();
		let datanet = pallet_datanets::NextDatanetId::<Runtime>::get();
		Datanets::do_create(
			alice.clone(),
			b"migrated".to_vec(),
			vec![],
			vec![],
			Schema::Text { classes: 2 },
			CurationPolicy::Open,
		)
		.expect("a valid Datanet");
		Datanets::do_contribute(alice.clone(), datanet, b"a record".to_vec(), 1)
			.expect("a valid record");
		Datanets::do_publish_version(alice, datanet, 1).expect("a valid version");
		macro_rules! genesis_version {
			($p:ident) => {
				assert_eq!($p::on_chain_storage_version(), $p::in_code_storage_version());
				StorageVersion::new(0).put::<$p>();
			};
		}
		each_pallet!(genesis_version);
		put_v2_consensus_params();
	});
	ext
}

/// Writes attribution's consensus parameters in their storage-version-2 layout (with a quorum),
/// as a chain of that version holds them; returns the parameters version 3 makes of them.
fn put_v2_consensus_params() -> pallet_attribution::Params {
	use codec::Encode;
	use pallet_attribution::migrations::v3::{OldParams, OneEngineMajorityOfCommittee};

	let now = pallet_attribution::ConsensusParams::<Runtime>::get();
	let old =
		OldParams { quorum: 1, max_strikes: now.max_strikes, committee_size: now.committee_size };
	let upgraded = OneEngineMajorityOfCommittee::<Runtime>::params(old);
	sp_io::storage::set(
		&pallet_attribution::ConsensusParams::<Runtime>::hashed_key(),
		&old.encode(),
	);
	upgraded
}

/// The storage migrations on a chain started before the pallets declared storage versions
/// ([`unversioned_chain`]): they bring each pallet to its code's version and change no other
/// key of theirs but attribution's consensus parameters, which 2 to 3 rewrites (the chain has
/// no open job, so attribution's 1 to 2 and 2 to 3 rewrite no job); a second run does nothing,
/// and weighs one version read a migration.
#[test]
fn the_migrations_write_the_versions_and_nothing_else() {
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

	use crate::{migrations, Agents, Attribution, Datanets, Models, Rewards};

	unversioned_chain().execute_with(|| {
		let digests = || {
			[
				migrations::storage_digest::<Datanets>(),
				migrations::storage_digest::<Models>(),
				migrations::storage_digest::<Agents>(),
				migrations::storage_digest::<Attribution>(),
				migrations::storage_digest::<Rewards>(),
			]
		};
		// The parameters as version 3 makes them.
		let old_params =
			sp_io::storage::get(&pallet_attribution::ConsensusParams::<Runtime>::hashed_key())
				.expect("the parameters");
		let mut before = digests();
		pallet_attribution::ConsensusParams::<Runtime>::put(put_v2_consensus_params());
		// And pruning starts from now.
		pallet_attribution::ExpiryCursor::<Runtime>::put(
			frame_system::Pallet::<Runtime>::block_number(),
		);
		before[3] = migrations::storage_digest::<Attribution>();
		pallet_attribution::ExpiryCursor::<Runtime>::kill();
		sp_io::storage::set(
			&pallet_attribution::ConsensusParams::<Runtime>::hashed_key(),
			&old_params,
		);

		let weight = migrations::Migrations::on_runtime_upgrade();
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		// A version read and write a migration, and 2 to 3's read and write of the parameters
		// and write of the pruning cursor.
		assert_eq!(weight, db.reads_writes(8, 9), "a version read and write a migration");
		macro_rules! migrated {
			($p:ident) => {
				assert_eq!($p::on_chain_storage_version(), $p::in_code_storage_version());
			};
		}
		each_pallet!(migrated);
		assert_eq!(
			before,
			digests(),
			"no key but the versions, the parameters and the cursor changed"
		);
		assert_eq!(
			pallet_attribution::ConsensusParams::<Runtime>::get().engine_version,
			openledger_primitives::attribution::ENGINE_VERSION
		);
		// The digest sees every record: removing one changes it.
		assert_ne!(before[0], {
			let k = pallet_datanets::Records::<Runtime>::iter_keys().next().expect("a record");
			pallet_datanets::Records::<Runtime>::remove(k.0, k.1);
			migrations::storage_digest::<Datanets>()
		},);

		assert_eq!(migrations::Migrations::on_runtime_upgrade(), db.reads(7), "a no-op now");
		assert_eq!(Attribution::on_chain_storage_version(), StorageVersion::new(3));
	});
}

/// Attribution's migration from storage version 1 to 2 on revealed outcomes written in the
/// version-1 layout: a training outcome gets empty quality flags, an inference outcome stays
/// as it was, and the reveals decode again.
#[test]
fn attributions_v2_migration_gives_revealed_training_outcomes_empty_flags() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	use openledger_primitives::attribution::{QualityFlags, RecordShare, TrainOutcome};
	use pallet_attribution::{
		migrations::v2::{OldSubmission, OldTrainOutcome},
		types::Submission,
		Reveals,
	};
	use sp_runtime::Perbill;

	use crate::{migrations, Attribution};

	state_of("dev").execute_with(|| {
		StorageVersion::new(1).put::<Attribution>();
		put_v2_consensus_params();
		let (alice, bob) =
			(Sr25519Keyring::Alice.to_account_id(), Sr25519Keyring::Bob.to_account_id());
		let train = OldTrainOutcome {
			engine_version: 2,
			accuracy: Perbill::from_percent(91),
			weights_hash: sp_core::H256::repeat_byte(7),
			records: 90,
			held_out: 10,
		};
		let share = RecordShare { record: 3, share: Perbill::one() };
		let infer = OldSubmission::Infer {
			engine_version: 2,
			label: 4,
			confidence: Perbill::from_percent(80),
			shares: vec![share.clone()],
		};
		sp_io::storage::set(
			&Reveals::<Runtime>::hashed_key_for(5, &alice),
			&OldSubmission::Train(train).encode(),
		);
		sp_io::storage::set(&Reveals::<Runtime>::hashed_key_for(6, &bob), &infer.encode());
		// The old layout does not decode as the new one.
		assert_eq!(Reveals::<Runtime>::get(5, &alice), None);

		let weight = migrations::Migrations::on_runtime_upgrade();
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		// Five pallets at their version already (one read each), and the migration: its version
		// read and write, and a read and a write a reveal; then 2 to 3: its version read and
		// write, the parameters', and the pruning cursor's write.
		assert_eq!(weight, db.reads(5).saturating_add(db.reads_writes(5, 6)));
		assert_eq!(Attribution::on_chain_storage_version(), StorageVersion::new(3));
		assert_eq!(
			Reveals::<Runtime>::get(5, &alice),
			Some(Submission::Train(TrainOutcome {
				engine_version: 2,
				accuracy: Perbill::from_percent(91),
				weights_hash: sp_core::H256::repeat_byte(7),
				records: 90,
				held_out: 10,
				flags: QualityFlags::default(),
			}))
		);
		assert_eq!(
			Reveals::<Runtime>::get(6, &bob),
			Some(Submission::Infer {
				engine_version: 2,
				label: 4,
				confidence: Perbill::from_percent(80),
				shares: vec![share].try_into().expect("one share"),
			})
		);
	});
}

/// The migrations as `try-runtime on-runtime-upgrade` runs them against a live chain's state,
/// on [`unversioned_chain`]: `Executive`'s upgrade with each migration's `pre_upgrade` and
/// `post_upgrade` checks (their storage digests, and the pallets' own check that the version on
/// chain is the version in the code), the whole state decoded, and every pallet's `try_state`.
/// A change to a pallet's storage between the pre and post checks fails them. Needs
/// `--features try-runtime`.
#[cfg(feature = "try-runtime")]
#[test]
fn the_migrations_pass_the_try_runtime_checks_and_catch_a_change() {
	use frame_support::traits::{GetStorageVersion, UncheckedOnRuntimeUpgrade};
	use frame_try_runtime::UpgradeCheckSelect;

	use crate::{migrations, Agents, Attribution, Datanets, Executive, Models, Rewards};

	unversioned_chain().execute_with(|| {
		Executive::try_runtime_upgrade(UpgradeCheckSelect::All).expect("every check passes");
		macro_rules! migrated {
			($p:ident) => {
				assert_eq!($p::on_chain_storage_version(), $p::in_code_storage_version());
			};
		}
		each_pallet!(migrated);
	});
	unversioned_chain().execute_with(|| {
		let before = migrations::Unchanged::<Datanets>::pre_upgrade().expect("a digest");
		let (datanet, position) =
			pallet_datanets::Records::<Runtime>::iter_keys().next().expect("a record");
		pallet_datanets::Records::<Runtime>::remove(datanet, position);
		assert!(migrations::Unchanged::<Datanets>::post_upgrade(before).is_err());
	});
}
