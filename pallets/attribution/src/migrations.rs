//! Migrations of this pallet's storage, one module per storage version. The runtime runs each
//! as a `VersionedMigration` (see its `migrations`), so that it runs once, where the version on
//! chain is the one it migrates from.

/// Version 1 to 2: a training outcome carries its quality flags (`TrainOutcome::flags`).
///
/// Only [`Reveals`](crate::Reveals) can hold training outcomes of version 1: an open training
/// job's revealed `Submission::Train`. Each is rewritten with no flags; a `Submission::Infer`
/// is rewritten as it was. ([`Pending`](crate::Pending) holds inference outcomes only, whose
/// layout did not change.) A training job that was open at the upgrade and is decided by such
/// reveals stores no flags.
pub mod v2 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::{
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec,
	};
	use sp_core::H256;
	use sp_runtime::Perbill;

	use crate::{ClassLabel, Config, RecordShare, Reveals, Submission, TrainOutcome};

	/// `TrainOutcome` of storage version 1.
	#[derive(Encode, Decode)]
	pub struct OldTrainOutcome {
		pub engine_version: u32,
		pub accuracy: Perbill,
		pub weights_hash: H256,
		pub records: u32,
		pub held_out: u32,
	}

	/// `Submission` of storage version 1 (a bounded vector encodes as a vector).
	#[derive(Encode, Decode)]
	pub enum OldSubmission {
		Train(OldTrainOutcome),
		Infer {
			engine_version: u32,
			label: ClassLabel,
			confidence: Perbill,
			shares: Vec<RecordShare>,
		},
	}

	/// The migration; see [the module](self).
	pub struct AddQualityFlags<T>(PhantomData<T>);

	impl<T: Config> AddQualityFlags<T> {
		fn upgrade(old: OldSubmission) -> Submission<T> {
			match old {
				OldSubmission::Train(o) => Submission::Train(TrainOutcome {
					engine_version: o.engine_version,
					accuracy: o.accuracy,
					weights_hash: o.weights_hash,
					records: o.records,
					held_out: o.held_out,
					flags: Default::default(),
				}),
				OldSubmission::Infer { engine_version, label, confidence, shares } => {
					Submission::Infer {
						engine_version,
						label,
						confidence,
						shares: BoundedVec::truncate_from(shares),
					}
				},
			}
		}
	}

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddQualityFlags<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Reveals::<T>::translate::<OldSubmission, _>(|_, _, old| {
				count += 1;
				Some(Self::upgrade(old))
			});
			<T as frame_system::Config>::DbWeight::get().reads_writes(count, count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Reveals::<T>::iter_keys().count() as u32).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &before[..]).map_err(|_| "the pre-upgrade count")?;
			// `iter` skips a value that does not decode: every reveal must decode now.
			if Reveals::<T>::iter().count() as u32 == before {
				Ok(())
			} else {
				Err("a reveal does not decode after the migration".into())
			}
		}
	}
}

/// Version 2 to 3: one engine version, and results decided by a majority of the committee.
///
/// - [`ConsensusParams`](crate::ConsensusParams) drops `quorum` (a result now needs more than
///   half of its committee, whatever the order of commits) and gains `engine_version` (the
///   release's [`ENGINE_VERSION`](openledger_primitives::attribution::ENGINE_VERSION)) and
///   `watch_sample` (all results: every node watches every result outside its committees) and
///   `retention` (30 days). Records written before the upgrade have no expiry and are kept.
/// - Each open [`Job`](crate::Job) gains the engine version its outcomes must carry: the
///   release's. A job open at the upgrade whose members revealed another version keeps those
///   reveals; the vote counts them as lost.
pub mod v3 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::{
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use openledger_primitives::attribution::ENGINE_VERSION;
	use sp_runtime::Perbill;

	use crate::{Config, ConsensusParams, ExpiryCursor, Job, JobKind, Jobs, Params};

	/// `Params` of storage version 2.
	#[derive(Clone, Copy, Encode, Decode)]
	pub struct OldParams {
		pub quorum: u32,
		pub max_strikes: u32,
		pub committee_size: u32,
	}

	/// `Job` of storage version 2 (a bounded vector encodes as a vector).
	#[derive(Encode, Decode)]
	pub struct OldJob<AccountId, BlockNumber> {
		pub kind: JobKind,
		pub input: Vec<u8>,
		pub deadline: BlockNumber,
		pub revealing: bool,
		pub commits: u32,
		pub reveals: u32,
		pub committee: Vec<AccountId>,
	}

	/// The migration; see [the module](self).
	pub struct OneEngineMajorityOfCommittee<T>(PhantomData<T>);

	impl<T: Config> OneEngineMajorityOfCommittee<T> {
		/// The new parameters for the old.
		pub fn params(old: OldParams) -> Params {
			Params {
				max_strikes: old.max_strikes,
				committee_size: old.committee_size,
				engine_version: ENGINE_VERSION,
				watch_sample: Perbill::one(),
				retention: Params::default().retention,
			}
		}
	}

	impl<T: Config> UncheckedOnRuntimeUpgrade for OneEngineMajorityOfCommittee<T> {
		fn on_runtime_upgrade() -> Weight {
			let _ = ConsensusParams::<T>::translate::<OldParams, _>(|old| old.map(Self::params));
			// Nothing written before expires: pruning starts from now.
			ExpiryCursor::<T>::put(frame_system::Pallet::<T>::block_number());
			let mut count = 1u64;
			Jobs::<T>::translate::<OldJob<T::AccountId, BlockNumberFor<T>>, _>(|_, old| {
				count += 1;
				Some(Job {
					kind: old.kind,
					input: BoundedVec::truncate_from(old.input),
					deadline: old.deadline,
					revealing: old.revealing,
					commits: old.commits,
					reveals: old.reveals,
					committee: BoundedVec::truncate_from(old.committee),
					engine_version: ENGINE_VERSION,
				})
			});
			<T as frame_system::Config>::DbWeight::get().reads_writes(count, count + 1)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			Ok((Jobs::<T>::iter_keys().count() as u32).encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = u32::decode(&mut &before[..]).map_err(|_| "the pre-upgrade count")?;
			frame_support::ensure!(
				crate::Pallet::<T>::params_valid(&ConsensusParams::<T>::get()),
				"the parameters do not decode, or are not valid"
			);
			// `iter` skips a value that does not decode: every job must decode now.
			if Jobs::<T>::iter().count() as u32 == before {
				Ok(())
			} else {
				Err("a job does not decode after the migration".into())
			}
		}
	}
}

/// Version 3 to 4: a training's quality flags are stored in its [`TrainingRecord`](crate::TrainingRecord)
/// (`flags`), and the `TrainingFlags` map that held them apart goes.
///
/// Each record of [`Trainings`](crate::Trainings) gets the flags `TrainingFlags` held for its
/// model (none if it held none), and every key of `TrainingFlags` is removed, a flag without a
/// training too.
pub mod v4 {
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::{
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Twox64Concat,
	};
	use sp_core::H256;
	use sp_runtime::Perbill;

	use crate::{Config, ModelId, Pallet, QualityFlags, TrainingRecord, Trainings};

	/// `TrainingRecord` of storage version 3.
	#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldTrainingRecord {
		pub engine_version: u32,
		pub accuracy: Perbill,
		pub weights_hash: H256,
		pub agreement: u32,
		pub submissions: u32,
	}

	/// The map of storage version 3 that held the flags.
	#[storage_alias]
	pub type TrainingFlags<T: Config> = StorageMap<Pallet<T>, Twox64Concat, ModelId, QualityFlags>;

	/// The migration; see [the module](self).
	pub struct FlagsInTrainingRecord<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for FlagsInTrainingRecord<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut trainings = 0u64;
			Trainings::<T>::translate::<OldTrainingRecord, _>(|model, old| {
				trainings += 1;
				Some(TrainingRecord {
					engine_version: old.engine_version,
					accuracy: old.accuracy,
					weights_hash: old.weights_hash,
					agreement: old.agreement,
					submissions: old.submissions,
					flags: TrainingFlags::<T>::take(model).unwrap_or_default(),
				})
			});
			let removed = TrainingFlags::<T>::drain().count() as u64;
			<T as frame_system::Config>::DbWeight::get()
				.reads_writes(2 * trainings + removed, 2 * trainings + removed)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let before: Vec<(ModelId, OldTrainingRecord, QualityFlags)> =
				Trainings::<T>::iter_keys()
					.filter_map(|model| {
						let raw = frame_support::storage::unhashed::get_raw(
							&Trainings::<T>::hashed_key_for(model),
						)?;
						let old = OldTrainingRecord::decode(&mut &raw[..]).ok()?;
						Some((model, old, TrainingFlags::<T>::get(model).unwrap_or_default()))
					})
					.collect();
			Ok(before.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before: Vec<(ModelId, OldTrainingRecord, QualityFlags)> =
				Decode::decode(&mut &before[..]).map_err(|_| "the pre-upgrade records")?;
			frame_support::ensure!(
				Trainings::<T>::iter().count() == before.len(),
				"a training record does not decode after the migration"
			);
			for (model, old, flags) in before {
				let new = Trainings::<T>::get(model).ok_or("a training record went")?;
				frame_support::ensure!(
					(new.engine_version, new.accuracy, new.weights_hash)
						== (old.engine_version, old.accuracy, old.weights_hash)
						&& (new.agreement, new.submissions) == (old.agreement, old.submissions)
						&& new.flags == flags,
					"a training record changed"
				);
			}
			frame_support::ensure!(
				TrainingFlags::<T>::iter_keys().next().is_none(),
				"TrainingFlags still holds a key"
			);
			Ok(())
		}
	}
}

/// Version 4 to 5: an inference's record keeps its [`Answer`](crate::Answer), a label or a
/// continuation, where it kept a label and a probability, with label 0 for an ∞-gram model's
/// continuation. Each record of [`Inferences`](crate::Inferences) is rewritten; its model tells
/// which answer it was ([`Answer::from_label`](crate::Answer::from_label)). Nothing else changes.
pub mod v5 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::BoundedVec;
	use frame_system::pallet_prelude::BlockNumberFor;
	use openledger_primitives::migration::{Rewrite, RewriteEach};
	use sp_runtime::Perbill;

	use crate::{
		Answer, ClassLabel, Config, InferenceId, InferenceRecord, Inferences, ModelId,
		ModelInspect, RecordShare,
	};

	/// `InferenceRecord` of storage version 4 (a bounded vector encodes as a vector).
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldInferenceRecord<AccountId, BlockNumber> {
		pub model: ModelId,
		pub engine_version: u32,
		pub label: ClassLabel,
		pub confidence: Perbill,
		pub shares: Vec<RecordShare>,
		pub agreeing: Vec<AccountId>,
		pub block: BlockNumber,
	}

	/// How one inference's record changes: its label and probability become its answer.
	pub struct RecordWithAnswer<T>(PhantomData<T>);

	impl<T: Config> Rewrite for RecordWithAnswer<T> {
		type Key = InferenceId;
		type Old = OldInferenceRecord<T::AccountId, BlockNumberFor<T>>;
		type New = InferenceRecord<T>;
		type Map = Inferences<T>;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		/// The record's model.
		const READS: u64 = 1;

		fn rewrite(old: Self::Old) -> Self::New {
			let generates = T::Models::model(old.model).is_some_and(|m| m.spec.generates());
			InferenceRecord {
				model: old.model,
				engine_version: old.engine_version,
				answer: Answer::from_label(generates, old.label, old.confidence),
				shares: BoundedVec::truncate_from(old.shares),
				agreeing: BoundedVec::truncate_from(old.agreeing),
				block: old.block,
			}
		}
	}

	/// The migration; see [the module](self).
	pub type AnswerInRecord<T> = RewriteEach<RecordWithAnswer<T>>;
}
