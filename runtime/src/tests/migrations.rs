//! The storage migrations on chains of older storage versions.

use sp_keyring::Sr25519Keyring;

use super::state_of;
use crate::Runtime;

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
		pallet_datanets::contribute_alone::<Runtime>(
			alice.clone(),
			datanet,
			b"a record".to_vec(),
			1,
		)
		.expect("a valid record");
		put_v2_record(datanet, b"a record", 1);
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

/// Writes the record of `payload` and `label` in datanets' storage-version-2 layout, its payload
/// in state, as a chain of that version holds it; returns the record version 3 makes of it.
fn put_v2_record(datanet: u32, payload: &[u8], label: u16) -> pallet_datanets::RecordOf<Runtime> {
	use codec::Encode;
	use pallet_datanets::{migrations::v3::OldRecord, PayloadLocation, Payloads, Records};

	let hash = openledger_primitives::datanets::record_hash(payload, label);
	let new = Records::<Runtime>::get(datanet, hash).expect("the record");
	let old = OldRecord {
		contributor: new.contributor.clone(),
		label: new.label,
		status: new.status,
		deposit: new.deposit,
	};
	sp_io::storage::set(&Records::<Runtime>::hashed_key_for(datanet, hash), &old.encode());
	let bytes: pallet_datanets::PayloadOf<Runtime> = payload.to_vec().try_into().expect("short");
	Payloads::<Runtime>::insert(datanet, hash, bytes);
	pallet_datanets::RecordOf::<Runtime> { location: PayloadLocation::State, ..new }
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
		// The record as version 3 makes it.
		let datanet = pallet_datanets::NextDatanetId::<Runtime>::get() - 1;
		let hash = openledger_primitives::datanets::record_hash(b"a record", 1);
		let key = pallet_datanets::Records::<Runtime>::hashed_key_for(datanet, hash);
		let old_record = sp_io::storage::get(&key).expect("the record");
		let new_record = pallet_datanets::migrations::v3::PayloadsInState::<Runtime>::old_records()
			.into_iter()
			.map(|(_, old)| pallet_datanets::Record {
				contributor: old.contributor,
				label: old.label,
				status: old.status,
				deposit: old.deposit,
				location: pallet_datanets::PayloadLocation::State,
			})
			.next()
			.expect("the old record");
		pallet_datanets::Records::<Runtime>::insert(datanet, hash, new_record);
		let datanets_after = migrations::storage_digest::<Datanets>();
		sp_io::storage::set(&key, &old_record);
		let mut before = digests();
		before[0] = datanets_after;
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
		// and write of the pruning cursor (agents' 2 to 3 finds no agent; models' 1 to 2, 2 to 3,
		// 3 to 4 and 4 to 5 find no model,
		// and its 3 to 4 reads the cost limit, unset; attribution's 3 to 4 no training, its 4 to
		// 5 and agents' 1 to 2 no inference).
		// Datanets' 1 to 2 mints the chain's one Datanet its item: 4 reads and 3 writes; its 2
		// to 3 rewrites its one record: a read and a write.
		assert_eq!(
			weight,
			db.reads_writes(19 + 4 + 1, 19 + 3 + 1),
			"a version read and write a migration"
		);
		macro_rules! migrated {
			($p:ident) => {
				assert_eq!($p::on_chain_storage_version(), $p::in_code_storage_version());
			};
		}
		each_pallet!(migrated);
		assert_eq!(
			before,
			digests(),
			"no key but the versions, the record, the parameters and the cursor changed"
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

		assert_eq!(migrations::Migrations::on_runtime_upgrade(), db.reads(17), "a no-op now");
		assert_eq!(Attribution::on_chain_storage_version(), StorageVersion::new(5));
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
		// Five pallets at their version already, datanets at version 3 (a read for each of its two migrations), models at
		// version 5 (a read for each of its four migrations), agents at version 3 (a read for
		// each of its two), and the migration: its version read and write, and a read and a
		// write a reveal; then 2 to 3: its version read and write, the parameters', and the pruning
		// cursor's write; then 3 to 4 and 4 to 5, each its version read and write (no training,
		// no inference).
		assert_eq!(weight, db.reads(13).saturating_add(db.reads_writes(7, 8)));
		assert_eq!(Attribution::on_chain_storage_version(), StorageVersion::new(5));
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

/// Attribution's migration from storage version 3 to 4 on trainings written in the version-3
/// layout: each record takes the flags `TrainingFlags` held for its model (none if there were
/// none), and `TrainingFlags` is emptied, of a flag without a training too.
#[test]
fn attributions_v4_migration_moves_the_flags_into_the_training_records() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	use openledger_primitives::attribution::QualityFlags;
	use pallet_attribution::{
		migrations::v4::{OldTrainingRecord, TrainingFlags},
		TrainingRecord, Trainings,
	};
	use sp_runtime::Perbill;

	use crate::{migrations, Attribution};

	state_of("dev").execute_with(|| {
		StorageVersion::new(3).put::<Attribution>();
		let old = |model: u8| OldTrainingRecord {
			engine_version: 5,
			accuracy: Perbill::from_percent(90 + u32::from(model)),
			weights_hash: sp_core::H256::repeat_byte(model),
			agreement: 3,
			submissions: 4,
		};
		let flags = QualityFlags {
			suspects: vec![7, 2].try_into().expect("two suspects"),
			duplicates: vec![(1, 4)].try_into().expect("one pair"),
		};
		for model in [1u8, 2] {
			sp_io::storage::set(
				&Trainings::<Runtime>::hashed_key_for(u32::from(model)),
				&old(model).encode(),
			);
		}
		TrainingFlags::<Runtime>::insert(1, flags.clone());
		// A flag whose training is gone.
		TrainingFlags::<Runtime>::insert(9, flags.clone());
		// The old layout does not decode as the new one.
		assert_eq!(Trainings::<Runtime>::get(1), None);
		#[cfg(feature = "try-runtime")]
		let before = <pallet_attribution::migrations::v4::FlagsInTrainingRecord<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
		.expect("the records");

		let weight = migrations::Migrations::on_runtime_upgrade();
		let db = <Runtime as frame_system::Config>::DbWeight::get();
		// Five pallets at their version already, datanets' two migrations, models' four, agents' two
		// and attribution's two earlier migrations (one read each), and the migration: its version
		// read and write, two reads and writes a training (its record and its flags), and the
		// flag left without a training removed; then 4 to 5, its version read and write (no
		// inference).
		assert_eq!(
			weight,
			db.reads(15).saturating_add(db.reads_writes(1 + 4 + 1 + 1, 1 + 4 + 1 + 1))
		);
		assert_eq!(Attribution::on_chain_storage_version(), StorageVersion::new(5));
		let new = |model: u8, flags: QualityFlags| {
			let o = old(model);
			Some(TrainingRecord {
				engine_version: o.engine_version,
				accuracy: o.accuracy,
				weights_hash: o.weights_hash,
				agreement: o.agreement,
				submissions: o.submissions,
				flags,
			})
		};
		assert_eq!(Trainings::<Runtime>::get(1), new(1, flags));
		assert_eq!(Trainings::<Runtime>::get(2), new(2, QualityFlags::default()));
		assert_eq!(TrainingFlags::<Runtime>::iter_keys().count(), 0);
		#[cfg(feature = "try-runtime")]
		<pallet_attribution::migrations::v4::FlagsInTrainingRecord<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(before)
		.expect("the checks pass");
	});
}

/// The models' migration from storage version 1 to 2 on a model written in the version-1
/// layout: its spec loses `checkpoints`, and nothing else of it changes.
#[test]
fn models_v2_migration_drops_the_checkpoints_of_each_spec() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	use openledger_primitives::models::{Architecture, Featurizer, ModelSpecV1, ModelStatus};
	use pallet_models::migrations::{
		v2::{OldModel, OldModelSpec},
		v3::Models as Stored,
	};
	use sp_runtime::Perbill;

	use crate::Models;

	state_of("dev").execute_with(|| {
		StorageVersion::new(1).put::<Models>();
		let owner = Sr25519Keyring::Bob.to_account_id();
		let spec = OldModelSpec {
			featurizer: Featurizer::Raw,
			architecture: Architecture::Mlp1 { hidden: 32 },
			epochs: 20,
			learning_rate: Perbill::from_percent(5),
			batch_size: 32,
			l2: Perbill::from_parts(1_000),
			checkpoints: 3,
			seed: 11,
		};
		let old: OldModel<crate::AccountId, crate::Balance> = OldModel {
			owner: owner.clone(),
			datanet: 0,
			version: 1,
			spec,
			fee: 7,
			status: ModelStatus::Training,
			deposit: 9,
			metadata: b"digits".to_vec(),
		};
		sp_io::storage::set(&Stored::<Runtime>::hashed_key_for(4), &old.encode());
		// Read as the layout of version 2, the old one is misread: its checkpoints become the
		// seed's first byte.
		assert_ne!(Stored::<Runtime>::get(4).map(|m| m.spec.seed), Some(11));
		#[cfg(feature = "try-runtime")]
		let before = <pallet_models::migrations::v2::DropCheckpoints<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
		.expect("the models");

		// This step alone: the next (2 to 3) rewrites the same map.
		frame_support::migrations::VersionedMigration::<
			1,
			2,
			pallet_models::migrations::v2::DropCheckpoints<Runtime>,
			Models,
			<Runtime as frame_system::Config>::DbWeight,
		>::on_runtime_upgrade();
		assert_eq!(Models::on_chain_storage_version(), StorageVersion::new(2));
		let new = Stored::<Runtime>::get(4).expect("the model decodes in the layout of version 2");
		assert_eq!(
			new.spec,
			ModelSpecV1 {
				featurizer: Featurizer::Raw,
				architecture: Architecture::Mlp1 { hidden: 32 },
				epochs: 20,
				learning_rate: Perbill::from_percent(5),
				batch_size: 32,
				l2: Perbill::from_parts(1_000),
				seed: 11,
			}
		);
		assert_eq!(
			(new.owner, new.datanet, new.version, new.fee, new.status, new.deposit),
			(owner, 0, 1, 7, ModelStatus::Training, 9)
		);
		assert_eq!(&new.metadata[..], b"digits");
		#[cfg(feature = "try-runtime")]
		<pallet_models::migrations::v2::DropCheckpoints<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(before)
		.expect("the checks pass");
	});
}

/// Models' migration from storage version 2 to 3, on a model written in the old layout on a
/// Datanet version that is there: it gets one source, that version with its record count and
/// weight 1, so its shares name the same records; everything else stays.
#[test]
fn models_v3_migration_gives_each_model_its_version_as_its_one_source() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	use openledger_primitives::{
		datanets::VersionInfo,
		models::{Architecture, Featurizer, ModelSpecV1, ModelStatus, Source},
	};
	use pallet_models::{migrations::v3::OldModel, Models as Stored};
	use sp_runtime::Perbill;

	use crate::{migrations, Models};

	state_of("dev").execute_with(|| {
		StorageVersion::new(2).put::<Models>();
		pallet_datanets::Versions::<Runtime>::insert(
			3,
			2,
			VersionInfo { count: 57, root: sp_core::H256::repeat_byte(1), block: 1 },
		);
		let spec = ModelSpecV1 {
			featurizer: Featurizer::Raw,
			architecture: Architecture::SoftmaxRegression,
			epochs: 5,
			learning_rate: Perbill::from_percent(5),
			batch_size: 8,
			l2: Perbill::zero(),
			seed: 3,
		};
		let owner = Sr25519Keyring::Dave.to_account_id();
		let old: OldModel<crate::AccountId, crate::Balance> = OldModel {
			owner: owner.clone(),
			datanet: 3,
			version: 2,
			spec,
			fee: 5,
			status: ModelStatus::Failed,
			deposit: 0,
			metadata: b"mail".to_vec(),
		};
		sp_io::storage::set(&Stored::<Runtime>::hashed_key_for(6), &old.encode());
		// Read as the new layout, the old one does not decode as the model it is.
		assert_ne!(Stored::<Runtime>::get(6).map(|m| m.spec), Some(spec.upgrade()));
		#[cfg(feature = "try-runtime")]
		let before = <pallet_models::migrations::v3::SourcesOfModels<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
		.expect("the models");
		// 2 to 3 alone first, so that its own checks read the layout it writes (the next step
		// rewrites it).
		<pallet_models::migrations::v3::SourcesOfModels<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::on_runtime_upgrade();
		StorageVersion::new(3).put::<Models>();
		#[cfg(feature = "try-runtime")]
		<pallet_models::migrations::v3::SourcesOfModels<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(before)
		.expect("the checks pass");

		// Then the next steps: 3 to 4 gives it its method, 4 to 5 its item.
		migrations::Migrations::on_runtime_upgrade();
		assert_eq!(Models::on_chain_storage_version(), StorageVersion::new(5));
		let new = Stored::<Runtime>::get(6).expect("the model decodes");
		assert_eq!(
			new.sources.to_vec(),
			[Source { datanet: 3, version: 2, records: 57, weight: 1 }]
		);
		assert_eq!(
			(new.owner.clone(), new.spec, new.fee, new.status, new.deposit),
			(owner, spec.upgrade(), 5, ModelStatus::Failed, 0)
		);
		assert_eq!(&new.metadata[..], b"mail");
		// Its shares name the same records: position 40 is the version's record 40.
		assert_eq!(new.locate(40), Some((3, 2, 40)));
	});
}

/// Models' migrations from storage version 3 to 4 and 4 to 5: a model written in the version-3
/// layout gets the influence function as its method and keeps everything else, a cost limit the
/// admin set keeps its bounds and gets the default bound on a query, and the model gets its item
/// in the models' NFT collection, held by its registrant (and no other item is minted).
#[test]
fn models_v4_migration_gives_each_model_the_influence_function_and_the_limit_a_query_bound() {
	use codec::Encode;
	use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};
	use openledger_primitives::models::{
		Architecture, AttributionMethod, Featurizer, ModelSpecV1, ModelStatus, Source, SpecCost,
	};
	use pallet_models::{
		migrations::v4::{OldModel, OldSpecCost},
		CostLimit, Models as Stored,
	};
	use sp_runtime::Perbill;

	use crate::{migrations, Models};

	state_of("dev").execute_with(|| {
		StorageVersion::new(3).put::<Models>();
		let spec = ModelSpecV1 {
			featurizer: Featurizer::Raw,
			architecture: Architecture::Mlp2 { hidden: [32, 16] },
			epochs: 12,
			learning_rate: Perbill::from_percent(3),
			batch_size: 16,
			l2: Perbill::from_parts(7),
			seed: 99,
		};
		let sources = vec![
			Source { datanet: 1, version: 1, records: 30, weight: 1 },
			Source { datanet: 2, version: 3, records: 12, weight: 2 },
		];
		let owner = Sr25519Keyring::Eve.to_account_id();
		let old: OldModel<crate::AccountId, crate::Balance> = OldModel {
			owner: owner.clone(),
			sources: sources.clone(),
			spec,
			fee: 3,
			status: ModelStatus::Training,
			deposit: 8,
			metadata: b"mix".to_vec(),
		};
		sp_io::storage::set(&Stored::<Runtime>::hashed_key_for(2), &old.encode());
		assert_eq!(Stored::<Runtime>::get(2), None, "the old layout is one byte short");
		let limit = OldSpecCost { bytes: 1 << 30, flops: 5_000 };
		sp_io::storage::set(&CostLimit::<Runtime>::hashed_key(), &limit.encode());
		#[cfg(feature = "try-runtime")]
		let before = <pallet_models::migrations::v4::Methods<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
		.expect("the models");

		migrations::Migrations::on_runtime_upgrade();
		assert_eq!(Models::on_chain_storage_version(), StorageVersion::new(5));
		let new = Stored::<Runtime>::get(2).expect("the model decodes");
		assert_eq!(new.spec.method, AttributionMethod::Influence);
		assert_eq!(new.spec, spec.upgrade());
		assert_eq!(
			(new.owner.clone(), new.sources.to_vec(), new.fee, new.status, new.deposit),
			(owner, sources, 3, ModelStatus::Training, 8)
		);
		assert_eq!(&new.metadata[..], b"mix");
		// 4 to 5: the model is an item of the models' collection, held by its registrant.
		use openledger_primitives::traits::{AssetKind, Holdings};
		assert_eq!(
			crate::configs::assets::NftHoldings::holder(AssetKind::Model, 2),
			Some(new.owner.clone())
		);
		assert_eq!(crate::configs::assets::NftHoldings::items(AssetKind::Model), vec![2]);
		let default = <Runtime as pallet_models::Config>::DefaultCostLimit::get();
		assert_eq!(
			CostLimit::<Runtime>::get(),
			SpecCost { bytes: 1 << 30, flops: 5_000, query_flops: default.query_flops }
		);
		#[cfg(feature = "try-runtime")]
		<pallet_models::migrations::v4::Methods<Runtime> as
			frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(before)
		.expect("the checks pass");
	});
}

/// Agents' migration from storage version 1 to 2 and attribution's from 4 to 5, on inferences
/// written in the old layouts, where a continuation was stored as label 0: a classifier's
/// inference keeps its label, an ∞-gram model's becomes a continuation with its first token's
/// probability (its label 0 dropped), one of a model that is not there keeps its label, and a
/// pending inference stays pending.
#[test]
fn answers_migrations_tell_a_label_from_a_continuation_by_the_model() {
	use codec::Encode;
	use frame_support::{
		traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		BoundedVec,
	};
	use openledger_primitives::{
		agents::InferenceStatus,
		attribution::{Answer, RecordShare},
		models::{
			Architecture, AttributionMethod, Featurizer, Model, ModelSpec, ModelStatus, Source,
		},
	};
	use pallet_agents::migrations::v2::{OldInference, OldInferenceStatus};
	use pallet_attribution::migrations::v5::OldInferenceRecord;
	use sp_runtime::Perbill;

	use crate::{migrations, Agents, Attribution};

	state_of("dev").execute_with(|| {
		StorageVersion::new(1).put::<Agents>();
		StorageVersion::new(4).put::<Attribution>();
		let bob = Sr25519Keyring::Bob.to_account_id();
		let spec = |architecture, featurizer| ModelSpec {
			featurizer,
			architecture,
			epochs: 1,
			learning_rate: Perbill::from_percent(5),
			batch_size: 32,
			l2: Perbill::zero(),
			seed: 1,
			method: AttributionMethod::Influence,
		};
		let model = |spec| Model {
			owner: bob.clone(),
			sources: BoundedVec::truncate_from(vec![Source {
				datanet: 0,
				version: 1,
				records: 10,
				weight: 1,
			}]),
			spec,
			fee: 1,
			status: ModelStatus::Training,
			deposit: 1,
			metadata: BoundedVec::default(),
		};
		// Model 0 classifies, model 1 continues text; model 9 is not there.
		pallet_models::Models::<Runtime>::insert(
			0,
			model(spec(Architecture::Mlp1 { hidden: 8 }, Featurizer::Raw)),
		);
		pallet_models::Models::<Runtime>::insert(
			1,
			model(spec(Architecture::InfiniGram { max_tokens: 8 }, Featurizer::Words)),
		);
		let cases = [
			(0, OldInferenceStatus::Completed { label: 3, confidence: Perbill::from_percent(80) }),
			(1, OldInferenceStatus::Completed { label: 0, confidence: Perbill::from_percent(40) }),
			(9, OldInferenceStatus::Completed { label: 2, confidence: Perbill::from_percent(60) }),
			(0, OldInferenceStatus::Pending),
		];
		for (id, (model, status)) in cases.iter().enumerate() {
			let old = OldInference {
				caller: bob.clone(),
				agent: 0,
				model: *model,
				model_fee: 5 as crate::Balance,
				agent_fee: 2,
				block: 7 as crate::BlockNumber,
				status: *status,
			};
			let key = pallet_agents::Inferences::<Runtime>::hashed_key_for(id as u64);
			sp_io::storage::set(&key, &old.encode());
			if let OldInferenceStatus::Completed { label, confidence } = *status {
				let old = OldInferenceRecord {
					model: *model,
					engine_version: 5,
					label,
					confidence,
					shares: vec![RecordShare { record: 4, share: Perbill::one() }],
					agreeing: vec![bob.clone()],
					block: 9 as crate::BlockNumber,
				};
				let key = pallet_attribution::Inferences::<Runtime>::hashed_key_for(id as u64);
				sp_io::storage::set(&key, &old.encode());
			}
		}
		// Read as the new layouts, the old ones do not decode.
		assert!(pallet_agents::Inferences::<Runtime>::get(0).is_none());
		assert!(pallet_attribution::Inferences::<Runtime>::get(0).is_none());
		#[cfg(feature = "try-runtime")]
		let before = (
			<pallet_agents::migrations::v2::AnswerInStatus<Runtime> as
				frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
			.expect("the inferences"),
			<pallet_attribution::migrations::v5::AnswerInRecord<Runtime> as
				frame_support::traits::UncheckedOnRuntimeUpgrade>::pre_upgrade()
			.expect("the records"),
		);

		migrations::Migrations::on_runtime_upgrade();
		assert_eq!(Agents::on_chain_storage_version(), StorageVersion::new(3));
		assert_eq!(Attribution::on_chain_storage_version(), StorageVersion::new(5));
		let answers = [
			Answer::Class { label: 3, confidence: Perbill::from_percent(80) },
			Answer::Continuation { confidence: Perbill::from_percent(40) },
			Answer::Class { label: 2, confidence: Perbill::from_percent(60) },
		];
		for (id, answer) in answers.into_iter().enumerate() {
			let inference = pallet_agents::Inferences::<Runtime>::get(id as u64).expect("decodes");
			assert_eq!(inference.status, InferenceStatus::Completed(answer), "inference {id}");
			assert_eq!((inference.model_fee, inference.agent_fee, inference.block), (5, 2, 7));
			let record =
				pallet_attribution::Inferences::<Runtime>::get(id as u64).expect("decodes");
			assert_eq!(record.answer, answer, "record {id}");
			assert_eq!((record.engine_version, record.block), (5, 9));
			assert_eq!(&record.shares[..], &[RecordShare { record: 4, share: Perbill::one() }]);
			assert_eq!(&record.agreeing[..], &[bob.clone()]);
		}
		let pending = pallet_agents::Inferences::<Runtime>::get(3).expect("decodes");
		assert_eq!(pending.status, InferenceStatus::Pending);
		#[cfg(feature = "try-runtime")]
		{
			<pallet_agents::migrations::v2::AnswerInStatus<Runtime> as
				frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(before.0)
			.expect("the agents' checks pass");
			<pallet_attribution::migrations::v5::AnswerInRecord<Runtime> as
				frame_support::traits::UncheckedOnRuntimeUpgrade>::post_upgrade(before.1)
			.expect("attribution's checks pass");
		}
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
