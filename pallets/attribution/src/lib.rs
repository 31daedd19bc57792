//! # Proof of Attribution
//!
//! Attestor nodes train every registered model and attribute every paid inference with the
//! influence engine, in their off-chain workers, and submit signed results. When `quorum`
//! distinct attestors have answered a job, this pallet aggregates their answers into one result.
//!
//! ## Terms
//!
//! - **Attestor**: an account with an `attr` sr25519 key ([`crypto`]) in its node's keystore.
//!   The set is bounded by [`Config::MaxAttestors`], set at genesis and changed by
//!   [`Config::AdminOrigin`].
//! - **Job** ([`Job`]): `Train { model }`, created when a model is registered, or
//!   `Infer { inference, model }`, created by a paid `agents.invoke`. Each has a deadline.
//! - **Submission**: one per attestor per job, before the deadline. A result that does not fit
//!   the job fails with a named error: a label out of the schema's range, shares that do not sum
//!   to one, a record twice, or a record outside the model's Datanet version.
//! - **Aggregation** ([`aggregate`]), once `quorum` submissions are in:
//!   - training: the median accuracy; the model becomes Active with the most common weights
//!     hash, and the agreement is recorded;
//!   - inference: the plurality label, the median confidence, each record's median share; the
//!     top [`Config::MaxTopK`] renormalised to exactly one. [`InferenceHandler`] hears the result
//!     and pays the fee out.
//! - **Strikes**: an attestor whose label (or weights hash) differs from consensus, or whose
//!   shares lie farther than `tolerance` (L1) from it, gets a strike and is not among the
//!   agreeing attestors. Strikes decay: one is forgiven every [`Config::StrikeDecay`] blocks
//!   after an attestor's last strike, so an honest attestor's rare bad luck does not add up
//!   forever. At `max_strikes` (counted after decay) it is suspended until the admin reinstates
//!   it.
//! - **Committee**: each job is answered by `committee_size` active attestors drawn when it
//!   opens ([`Pallet::draw_committee`]); only they may answer (`NotCommitteeMember`), so the
//!   work per job stays constant as the attestor set grows.
//! - **Quorum**: a job closes at `min(quorum, active committee members)` answers of one engine
//!   version, so suspensions can never leave a job waiting for answers that cannot come.
//! - **Cancellation**: retiring a model that is still training closes its `Train` job
//!   (`JobCancelled`), so that no attestor's answer can fail on a retired model.
//! - **Expiry**: a job still open at its deadline expires: an inference is refunded in full
//!   ([`InferenceHandler::expired`]); a model becomes Failed.
//!
//! - **Admission** ([`CheckAttestation`], a transaction extension): an attestation its call
//!   would reject (late, duplicate, for a closed job, or from a signer that may not answer) is
//!   invalid in the transaction pool and in block building, so it is never included and never
//!   charged.
//!
//! ## Off-chain worker
//!
//! On each block, every local `attr` key that belongs to an attestor answers up to
//! [`Config::MaxJobsPerBlock`] open jobs it has not answered ([`ocw`]).
//!
//! ## Calls
//!
//! `submit_training`, `submit_inference` (attestors); `add_attestor`, `remove_attestor`,
//! `set_params`, `reinstate` (admin).

#![cfg_attr(not(feature = "std"), no_std)]
// A panic in the runtime is a bug: no unwrap or expect outside tests and benchmarks.
#![cfg_attr(
	not(any(test, feature = "runtime-benchmarks")),
	deny(clippy::unwrap_used, clippy::expect_used)
)]

extern crate alloc;

pub use pallet::*;

pub mod aggregate;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod extension;
#[cfg(test)]
mod mock;
pub mod ocw;
#[cfg(test)]
mod tests;
pub mod weights;

pub use extension::CheckAttestation;
pub use openledger_primitives::{
	attribution::{InferenceId, InferenceResult, JobId, RecordShare, TrainOutcome},
	datanets::ClassLabel,
	models::{ModelId, ModelStatus},
	traits::{AttributionJobs, DatanetInspect, InferenceHandler, ModelInspect, ModelLifecycle},
};
pub use weights::WeightInfo;

/// The `attr` key type of attestors.
pub const KEY_TYPE: sp_core::crypto::KeyTypeId = sp_core::crypto::KeyTypeId(*b"attr");

/// Attestors' keys: sr25519, under the `attr` key type.
pub mod crypto {
	use super::KEY_TYPE;
	use sp_application_crypto::{app_crypto, sr25519};
	use sp_runtime::{MultiSignature, MultiSigner};

	app_crypto!(sr25519, KEY_TYPE);

	/// Signs the off-chain worker's transactions with an `attr` key, as the runtime's
	/// `MultiSignature`.
	pub struct AttestorId;

	impl frame_system::offchain::AppCrypto<MultiSigner, MultiSignature> for AttestorId {
		type RuntimeAppPublic = Public;
		type GenericSignature = sp_core::sr25519::Signature;
		type GenericPublic = sp_core::sr25519::Public;
	}
}

/// Lets the runtime's session keys name the `attr` key by this pallet.
impl<T: Config> sp_runtime::BoundToRuntimeAppPublic for Pallet<T> {
	type Public = crypto::Public;
}

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
	use frame_support::{pallet_prelude::*, CloneNoBound, DebugNoBound, PartialEqNoBound};
	use frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction},
		pallet_prelude::*,
	};
	use scale_info::TypeInfo;
	use sp_core::H256;
	use sp_runtime::{traits::Saturating, Perbill, SaturatedConversion};

	use crate::aggregate::{self, Answer};

	/// What a job asks for.
	#[derive(
		Clone,
		Copy,
		Debug,
		PartialEq,
		Eq,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
	)]
	pub enum JobKind {
		/// Train a newly registered model.
		Train {
			/// The model.
			model: ModelId,
		},
		/// Predict and attribute a paid inference.
		Infer {
			/// The inference.
			inference: InferenceId,
			/// Its model.
			model: ModelId,
		},
	}

	/// An open job.
	#[derive(
		CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	pub struct Job<T: Config> {
		/// What it asks.
		pub kind: JobKind,
		/// The inference's input (empty for training).
		pub input: BoundedVec<u8, T::MaxInputLen>,
		/// The last block at which a submission is accepted; the job expires after it.
		pub deadline: BlockNumberFor<T>,
		/// Submissions so far.
		pub submissions: u32,
		/// Submissions so far per engine version, `(version, count)`: only answers of one
		/// version are compared, and a version reaching the quorum closes the job.
		pub tally: BoundedVec<(u32, u32), T::MaxAttestors>,
		/// The attestors drawn to answer it ([`Pallet::draw_committee`]); only they may.
		pub committee: BoundedVec<T::AccountId, T::MaxAttestors>,
	}

	/// An attestor's answer to a job.
	#[derive(
		CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	pub enum Submission<T: Config> {
		/// A training outcome.
		Train(TrainOutcome),
		/// An inference outcome.
		Infer {
			/// The numeric version of the engine that answered.
			engine_version: u32,
			/// The label.
			label: ClassLabel,
			/// Its probability.
			confidence: Perbill,
			/// The proponents' shares.
			shares: BoundedVec<RecordShare, T::MaxTopK>,
		},
	}

	impl<T: Config> Submission<T> {
		/// The numeric version of the engine that computed it.
		pub fn engine_version(&self) -> u32 {
			match self {
				Submission::Train(o) => o.engine_version,
				Submission::Infer { engine_version, .. } => *engine_version,
			}
		}
	}

	/// The consensus parameters.
	#[derive(
		Clone,
		Copy,
		Debug,
		PartialEq,
		Eq,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
	)]
	pub struct Params {
		/// Distinct attestors whose submissions close a job.
		pub quorum: u32,
		/// The largest L1 distance (parts per billion, up to 2·10^9) between an attestor's
		/// shares and consensus that earns no strike.
		pub tolerance: u32,
		/// Strikes that suspend an attestor.
		pub max_strikes: u32,
		/// Attestors drawn to answer each job: the work per job stays constant however many
		/// attestors there are.
		pub committee_size: u32,
	}

	impl Default for Params {
		fn default() -> Self {
			// One attestor on a dev chain; the local chain's genesis sets three.
			Self { quorum: 1, tolerance: 200_000_000, max_strikes: 10, committee_size: 16 }
		}
	}

	/// An attestor's strikes when it was last struck.
	#[derive(
		Clone,
		Copy,
		Debug,
		PartialEq,
		Eq,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
	)]
	pub struct StrikeRecord<BlockNumber> {
		/// Strikes after that strike.
		pub count: u32,
		/// The block of that strike, from which decay counts.
		pub at: BlockNumber,
	}

	/// The consensus on a model's training.
	#[derive(
		Clone,
		Copy,
		Debug,
		PartialEq,
		Eq,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
	)]
	pub struct TrainingRecord {
		/// The engine version whose attestors reached the quorum.
		pub engine_version: u32,
		/// The median accuracy.
		pub accuracy: Perbill,
		/// The plurality weights hash.
		pub weights_hash: H256,
		/// Submissions that reported that hash.
		pub agreement: u32,
		/// Submissions aggregated.
		pub submissions: u32,
	}

	/// The consensus on an inference, as stored.
	#[derive(
		CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	pub struct InferenceRecord<T: Config> {
		/// The model.
		pub model: ModelId,
		/// The engine version whose attestors reached the quorum.
		pub engine_version: u32,
		/// The plurality label.
		pub label: ClassLabel,
		/// The median confidence.
		pub confidence: Perbill,
		/// The top records' shares, summing to one (empty if none).
		pub shares: BoundedVec<RecordShare, T::MaxTopK>,
		/// The attestors that agreed with consensus.
		pub agreeing: BoundedVec<T::AccountId, T::MaxAttestors>,
		/// The block it was aggregated in.
		pub block: BlockNumberFor<T>,
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>> + CreateSignedTransaction<Call<Self>>
	{
		/// The attestors' signing key (`attr`, sr25519).
		type AuthorityId: AppCrypto<Self::Public, Self::Signature>;

		/// Changes the attestor set and the consensus parameters.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Where Datanets and their records are read.
		type Datanets: DatanetInspect<Self::AccountId, BlockNumberFor<Self>>;

		/// Where models are read.
		type Models: ModelInspect<Self::AccountId, openledger_primitives::Balance> + ModelLifecycle;

		/// Hears completed and expired inferences.
		type Inferences: InferenceHandler<Self::AccountId>;

		/// The most attestors.
		#[pallet::constant]
		type MaxAttestors: Get<u32>;

		/// The most records an inference's result names.
		#[pallet::constant]
		type MaxTopK: Get<u32>;

		/// The longest inference input, in bytes.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// Blocks a training job stays open.
		#[pallet::constant]
		type TrainingPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks an inference job stays open.
		#[pallet::constant]
		type InferencePeriod: Get<BlockNumberFor<Self>>;

		/// Blocks after an attestor's last strike after which one strike is forgiven.
		#[pallet::constant]
		type StrikeDecay: Get<BlockNumberFor<Self>>;

		/// The most jobs an attestor's off-chain worker answers per block.
		#[pallet::constant]
		type MaxJobsPerBlock: Get<u32>;

		/// Records per chunk sent from the off-chain worker to the engine.
		#[pallet::constant]
		type IngestChunk: Get<u32>;

		/// Weights of this pallet's calls, from `benchmark pallet`.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need from other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// What the benchmarks need from other pallets.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper {
		/// A `Training` model on a Datanet version of at least `records` records.
		fn training_model(records: u32) -> ModelId;
		/// Makes a `Training` model Active.
		fn activate(model: ModelId);
		/// A pending paid inference of the Active `model`, with its `Infer` job open here.
		fn inference(model: ModelId) -> InferenceId;
	}

	/// The attestors, in the order they were added.
	#[pallet::storage]
	pub type Attestors<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxAttestors>, ValueQuery>;

	/// The consensus parameters.
	#[pallet::storage]
	pub type ConsensusParams<T> = StorageValue<_, Params, ValueQuery>;

	/// Strikes per attestor, as of their last strike (absent: none); [`Pallet::strikes`] gives
	/// the count after decay.
	#[pallet::storage]
	pub type Strikes<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, StrikeRecord<BlockNumberFor<T>>>;

	/// Suspended attestors: they may not submit until reinstated. Counted, for the quorum.
	#[pallet::storage]
	pub type Suspended<T: Config> = CountedStorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	/// The open jobs.
	// Ids are sequential, not chosen by users: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>>;

	/// The submissions to open jobs.
	#[pallet::storage]
	pub type Submissions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Blake2_128Concat, T::AccountId, Submission<T>>;

	/// The open `Train` job of each model still training, so that retiring it closes the job.
	#[pallet::storage]
	pub type TrainingJobs<T: Config> = StorageMap<_, Twox64Concat, ModelId, JobId>;

	/// Open jobs by deadline, so that expiry never scans every job.
	#[pallet::storage]
	pub type Deadlines<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, JobId, ()>;

	/// The consensus on each trained model.
	#[pallet::storage]
	pub type Trainings<T: Config> = StorageMap<_, Twox64Concat, ModelId, TrainingRecord>;

	/// The consensus on each completed inference.
	#[pallet::storage]
	pub type Inferences<T: Config> = StorageMap<_, Twox64Concat, InferenceId, InferenceRecord<T>>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The initial attestors.
		pub attestors: Vec<T::AccountId>,
		/// Distinct attestors whose submissions close a job.
		pub quorum: u32,
		/// The largest L1 distance from consensus without a strike (parts per billion).
		pub tolerance: u32,
		/// Strikes that suspend an attestor.
		pub max_strikes: u32,
		/// Attestors drawn to answer each job.
		pub committee_size: u32,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			let Params { quorum, tolerance, max_strikes, committee_size } = Params::default();
			Self { attestors: Vec::new(), quorum, tolerance, max_strikes, committee_size }
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut set: Vec<T::AccountId> = Vec::new();
			for a in &self.attestors {
				assert!(!set.contains(a), "an attestor is listed twice in the genesis");
				set.push(a.clone());
			}
			let Ok(bounded) = BoundedVec::try_from(set) else {
				panic!("more attestors in the genesis than MaxAttestors");
			};
			Attestors::<T>::put(bounded);
			let params = Params {
				quorum: self.quorum,
				tolerance: self.tolerance,
				max_strikes: self.max_strikes,
				committee_size: self.committee_size,
			};
			assert!(Pallet::<T>::params_valid(&params), "invalid genesis consensus parameters");
			ConsensusParams::<T>::put(params);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was opened.
		JobCreated {
			job: JobId,
			kind: JobKind,
			deadline: BlockNumberFor<T>,
			committee: BoundedVec<T::AccountId, T::MaxAttestors>,
		},
		/// An attestor answered a job.
		Submitted { job: JobId, attestor: T::AccountId, submissions: u32 },
		/// The attestors agreed on a model's training; the model is Active.
		ModelTrained {
			job: JobId,
			model: ModelId,
			engine_version: u32,
			accuracy: Perbill,
			weights_hash: H256,
			agreement: u32,
			submissions: u32,
		},
		/// The attestors agreed on an inference.
		InferenceAttributed {
			job: JobId,
			inference: InferenceId,
			engine_version: u32,
			label: ClassLabel,
			confidence: Perbill,
			records: u32,
		},
		/// A job expired before its quorum.
		JobExpired { job: JobId, kind: JobKind, submissions: u32 },
		/// A training job was closed without a result: its model was retired.
		JobCancelled { job: JobId, kind: JobKind, submissions: u32 },
		/// An attestor disagreed with consensus (of its own engine version).
		Struck { attestor: T::AccountId, job: JobId, strikes: u32 },
		/// An attestor reached the strike limit and is suspended.
		AttestorSuspended { attestor: T::AccountId },
		/// An attestor was added.
		AttestorAdded { attestor: T::AccountId },
		/// An attestor was removed.
		AttestorRemoved { attestor: T::AccountId },
		/// A suspended attestor's strikes were cleared.
		AttestorReinstated { attestor: T::AccountId },
		/// The consensus parameters changed.
		ParamsSet { params: Params },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not an attestor.
		NotAttestor,
		/// The attestor is suspended.
		AttestorSuspended,
		/// No open job has this id (never created, aggregated or expired).
		UnknownJob,
		/// The submission is for the other kind of job.
		WrongJobKind,
		/// This attestor already answered this job.
		AlreadySubmitted,
		/// The job's deadline has passed.
		DeadlinePassed,
		/// The label is not below the schema's number of classes.
		LabelOutOfRange,
		/// The shares do not sum to exactly one.
		SharesDoNotSumToOne,
		/// More shares than `MaxTopK`.
		TooManyShares,
		/// A record appears twice in the shares.
		DuplicateRecord,
		/// A record is not in the model's Datanet version.
		UnknownRecord,
		/// The job's model or its Datanet no longer exists.
		UnknownModel,
		/// The account is already an attestor.
		AlreadyAttestor,
		/// The attestor set is full.
		TooManyAttestors,
		/// The account is not suspended.
		NotSuspended,
		/// Quorum must be at least one, and max strikes at least one; tolerance at most 2·10^9.
		InvalidParams,
		/// The input is longer than `MaxInputLen`.
		InputTooLong,
		/// Job ids ran out.
		Overflow,
		/// More engine versions answered the job than it can tally (attestors replaced while
		/// it was open).
		TooManyVersions,
		/// The attestor was not drawn into the job's committee.
		NotCommitteeMember,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let mut expired = 0u32;
			for (job, ()) in Deadlines::<T>::drain_prefix(now.saturating_sub(One::one())) {
				Self::expire(job);
				expired = expired.saturating_add(1);
			}
			T::WeightInfo::on_initialize(expired)
		}

		fn offchain_worker(now: BlockNumberFor<T>) {
			crate::ocw::run::<T>(now);
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// An attestor's training outcome for a `Train` job.
		///
		/// - Origin: a signed attestor, not suspended, once per job, by the deadline.
		/// - Errors: `NotAttestor`, `AttestorSuspended`, `UnknownJob`, `WrongJobKind`,
		///   `AlreadySubmitted`, `DeadlinePassed`.
		/// - Emits `Submitted`, and `ModelTrained` (with `Struck`) at quorum. Free when it
		///   succeeds.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::submit_training(T::MaxAttestors::get()))]
		pub fn submit_training(
			origin: OriginFor<T>,
			job: JobId,
			outcome: TrainOutcome,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let j = Self::admissible(&who, job)?;
			let quorum = Self::quorum(&j);
			let JobKind::Train { model } = j.kind else {
				return Err(Error::<T>::WrongJobKind.into());
			};
			let version = outcome.engine_version;
			let count = Self::record_submission(&who, job, j, Submission::Train(outcome))?;
			if count >= quorum {
				Self::close_training(job, model, version)?;
			}
			Ok(Pays::No.into())
		}

		/// An attestor's prediction and attribution for an `Infer` job.
		///
		/// - Origin: a signed attestor, not suspended, once per job, by the deadline.
		/// - `shares`: at most `MaxTopK` records of the model's Datanet version, each once,
		///   summing to exactly one (or none).
		/// - Errors: those of `submit_training`, and `TooManyShares`, `LabelOutOfRange`,
		///   `SharesDoNotSumToOne`, `DuplicateRecord`, `UnknownRecord`, `UnknownModel`.
		/// - Emits `Submitted`, and `InferenceAttributed` (with `Struck`) at quorum. Free when it
		///   succeeds.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::submit_inference(
			T::MaxAttestors::get(),
			T::MaxTopK::get()
		))]
		pub fn submit_inference(
			origin: OriginFor<T>,
			job: JobId,
			engine_version: u32,
			label: ClassLabel,
			confidence: Perbill,
			shares: Vec<RecordShare>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let shares: BoundedVec<RecordShare, T::MaxTopK> =
				shares.try_into().map_err(|_| Error::<T>::TooManyShares)?;
			let j = Self::admissible(&who, job)?;
			let quorum = Self::quorum(&j);
			let JobKind::Infer { inference, model } = j.kind else {
				return Err(Error::<T>::WrongJobKind.into());
			};
			let summary = T::Models::model(model).ok_or(Error::<T>::UnknownModel)?;
			let schema = T::Datanets::schema(summary.datanet).ok_or(Error::<T>::UnknownModel)?;
			let version = T::Datanets::version(summary.datanet, summary.version)
				.ok_or(Error::<T>::UnknownModel)?;
			ensure!(label < schema.classes(), Error::<T>::LabelOutOfRange);
			ensure!(aggregate::sums_to_one(&shares), Error::<T>::SharesDoNotSumToOne);
			let mut seen: Vec<u32> = shares.iter().map(|s| s.record).collect();
			seen.sort_unstable();
			ensure!(seen.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateRecord);
			ensure!(seen.last().is_none_or(|r| *r < version.count), Error::<T>::UnknownRecord);
			let submission = Submission::Infer { engine_version, label, confidence, shares };
			let count = Self::record_submission(&who, job, j, submission)?;
			if count >= quorum {
				Self::close_inference(job, inference, model, engine_version)?;
			}
			Ok(Pays::No.into())
		}

		/// Adds an attestor.
		///
		/// - Origin: `AdminOrigin`.
		/// - Errors: `AlreadyAttestor`, `TooManyAttestors`.
		/// - Emits `AttestorAdded`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::add_attestor(T::MaxAttestors::get()))]
		pub fn add_attestor(origin: OriginFor<T>, attestor: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Attestors::<T>::try_mutate(|set| {
				ensure!(!set.contains(&attestor), Error::<T>::AlreadyAttestor);
				set.try_push(attestor.clone()).map_err(|_| Error::<T>::TooManyAttestors)
			})?;
			Self::deposit_event(Event::AttestorAdded { attestor });
			Ok(())
		}

		/// Removes an attestor, with its strikes.
		///
		/// - Origin: `AdminOrigin`.
		/// - Errors: `NotAttestor`.
		/// - Emits `AttestorRemoved`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_attestor(T::MaxAttestors::get()))]
		pub fn remove_attestor(origin: OriginFor<T>, attestor: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Attestors::<T>::try_mutate(|set| {
				let at = set.iter().position(|a| *a == attestor).ok_or(Error::<T>::NotAttestor)?;
				set.remove(at);
				Ok::<_, Error<T>>(())
			})?;
			Strikes::<T>::remove(&attestor);
			Suspended::<T>::remove(&attestor);
			Self::deposit_event(Event::AttestorRemoved { attestor });
			Ok(())
		}

		/// Sets the consensus parameters.
		///
		/// - Origin: `AdminOrigin`.
		/// - Errors: `InvalidParams` (a quorum or strike limit of zero, or a tolerance above
		///   2·10^9).
		/// - Emits `ParamsSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_params())]
		pub fn set_params(origin: OriginFor<T>, params: Params) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(Self::params_valid(&params), Error::<T>::InvalidParams);
			ConsensusParams::<T>::put(params);
			Self::deposit_event(Event::ParamsSet { params });
			Ok(())
		}

		/// Clears a suspended attestor's strikes, so that it may submit again.
		///
		/// - Origin: `AdminOrigin`.
		/// - Errors: `NotSuspended`.
		/// - Emits `AttestorReinstated`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::reinstate())]
		pub fn reinstate(origin: OriginFor<T>, attestor: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			ensure!(Suspended::<T>::take(&attestor).is_some(), Error::<T>::NotSuspended);
			Strikes::<T>::remove(&attestor);
			Self::deposit_event(Event::AttestorReinstated { attestor });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `params` are usable.
		pub fn params_valid(params: &Params) -> bool {
			params.quorum >= 1
				&& params.max_strikes >= 1
				&& params.committee_size >= 1
				&& params.quorum <= params.committee_size
				&& u64::from(params.tolerance) <= 2 * openledger_primitives::attribution::BILLION
		}

		/// `who`'s strikes now: those of its last strike, less one for every `StrikeDecay`
		/// blocks since.
		pub fn strikes(who: &T::AccountId) -> u32 {
			let Some(record) = Strikes::<T>::get(who) else { return 0 };
			let now = frame_system::Pallet::<T>::block_number();
			let period = T::StrikeDecay::get().max(One::one());
			let forgiven = (now.saturating_sub(record.at) / period).saturated_into::<u32>();
			record.count.saturating_sub(forgiven)
		}

		/// The answers of one engine version that close job `j`: the quorum, or every active
		/// member of its committee if fewer remain (at least one).
		pub fn quorum(j: &Job<T>) -> u32 {
			let set = Attestors::<T>::get();
			let active = j
				.committee
				.iter()
				.filter(|m| set.contains(m) && !Suspended::<T>::contains_key(m))
				.count() as u32;
			ConsensusParams::<T>::get().quorum.min(active).max(1)
		}

		/// The committee of job `job`: `committee_size` active attestors (all of them if there
		/// are no more), drawn without replacement by a Fisher–Yates pass keyed by
		/// `blake2_256("committee" ‖ parent hash ‖ job ‖ i)`. The parent hash is fixed before
		/// the job's block is built, and the job id is sequential, so no caller chooses the
		/// draw; the bias left to block authors is in the README.
		pub fn draw_committee(job: JobId) -> BoundedVec<T::AccountId, T::MaxAttestors> {
			let mut active: Vec<T::AccountId> = Attestors::<T>::get()
				.into_iter()
				.filter(|a| !Suspended::<T>::contains_key(a))
				.collect();
			let size = (ConsensusParams::<T>::get().committee_size as usize).min(active.len());
			let parent = frame_system::Pallet::<T>::parent_hash();
			for i in 0..size {
				let seed =
					(b"committee", parent, job, i as u32).using_encoded(sp_io::hashing::blake2_256);
				let draw = u64::from_le_bytes([
					seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
				]);
				let pick = i + (draw % (active.len() - i) as u64) as usize;
				active.swap(i, pick);
			}
			active.truncate(size);
			BoundedVec::truncate_from(active)
		}

		/// Whether `who` may submit now: an attestor, not suspended.
		pub fn is_active_attestor(who: &T::AccountId) -> bool {
			Attestors::<T>::get().contains(who) && !Suspended::<T>::contains_key(who)
		}

		/// The open job `job`, if `who` may still answer it: the checks every attestation
		/// passes, in its call and in [`extension::CheckAttestation`] when the pool validates
		/// it.
		pub fn admissible(who: &T::AccountId, job: JobId) -> Result<Job<T>, Error<T>> {
			ensure!(Attestors::<T>::get().contains(who), Error::<T>::NotAttestor);
			ensure!(!Suspended::<T>::contains_key(who), Error::<T>::AttestorSuspended);
			let j = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			ensure!(j.committee.contains(who), Error::<T>::NotCommitteeMember);
			ensure!(!Submissions::<T>::contains_key(job, who), Error::<T>::AlreadySubmitted);
			ensure!(
				frame_system::Pallet::<T>::block_number() <= j.deadline,
				Error::<T>::DeadlinePassed
			);
			Ok(j)
		}

		/// Stores a submission; returns how many submissions of its engine version the job
		/// has.
		fn record_submission(
			who: &T::AccountId,
			job: JobId,
			mut j: Job<T>,
			submission: Submission<T>,
		) -> Result<u32, DispatchError> {
			let version = submission.engine_version();
			let group = match j.tally.iter_mut().find(|(v, _)| *v == version) {
				Some((_, n)) => {
					*n = n.saturating_add(1);
					*n
				},
				None => {
					j.tally.try_push((version, 1)).map_err(|_| Error::<T>::TooManyVersions)?;
					1
				},
			};
			Submissions::<T>::insert(job, who, submission);
			j.submissions = j.submissions.saturating_add(1);
			let count = j.submissions;
			Jobs::<T>::insert(job, j);
			Self::deposit_event(Event::Submitted {
				job,
				attestor: who.clone(),
				submissions: count,
			});
			Ok(group)
		}

		/// Opens a job.
		fn open(
			kind: JobKind,
			input: BoundedVec<u8, T::MaxInputLen>,
			period: BlockNumberFor<T>,
		) -> Result<JobId, DispatchError> {
			let job = NextJobId::<T>::get();
			NextJobId::<T>::put(job.checked_add(1).ok_or(Error::<T>::Overflow)?);
			let deadline = frame_system::Pallet::<T>::block_number().saturating_add(period);
			let tally = BoundedVec::new();
			let committee = Self::draw_committee(job);
			Jobs::<T>::insert(
				job,
				Job { kind, input, deadline, submissions: 0, tally, committee: committee.clone() },
			);
			Deadlines::<T>::insert(deadline, job, ());
			if let JobKind::Train { model } = kind {
				TrainingJobs::<T>::insert(model, job);
			}
			Self::deposit_event(Event::JobCreated { job, kind, deadline, committee });
			Ok(job)
		}

		/// Removes a job, its deadline entry and its submissions.
		fn remove_job(job: JobId, j: &Job<T>) -> Vec<(T::AccountId, Submission<T>)> {
			Jobs::<T>::remove(job);
			Deadlines::<T>::remove(j.deadline, job);
			if let JobKind::Train { model } = j.kind {
				TrainingJobs::<T>::remove(model);
			}
			Submissions::<T>::drain_prefix(job).collect()
		}

		/// Gives `attestor` a strike for `job` (on top of its decayed strikes), suspending it at
		/// the limit.
		fn strike(attestor: &T::AccountId, job: JobId, max_strikes: u32) {
			let strikes = Self::strikes(attestor).saturating_add(1);
			let at = frame_system::Pallet::<T>::block_number();
			Strikes::<T>::insert(attestor, StrikeRecord { count: strikes, at });
			Self::deposit_event(Event::Struck { attestor: attestor.clone(), job, strikes });
			if strikes >= max_strikes && !Suspended::<T>::contains_key(attestor) {
				Suspended::<T>::insert(attestor, ());
				Self::deposit_event(Event::AttestorSuspended { attestor: attestor.clone() });
			}
		}

		/// Aggregates the training outcomes of engine version `version`, strikes those of that
		/// version that disagree, and activates the model. Outcomes of other versions are
		/// dropped without a strike.
		fn close_training(job: JobId, model: ModelId, version: u32) -> DispatchResult {
			let Some(j) = Jobs::<T>::get(job) else { return Ok(()) };
			let submissions = Self::remove_job(job, &j);
			let outcomes: Vec<(T::AccountId, TrainOutcome)> = submissions
				.into_iter()
				.filter_map(|(who, s)| match s {
					Submission::Train(o) if o.engine_version == version => Some((who, o)),
					Submission::Train(_) | Submission::Infer { .. } => None,
				})
				.collect();
			let plain: Vec<TrainOutcome> = outcomes.iter().map(|(_, o)| *o).collect();
			let Some((accuracy, weights_hash, agreement)) = aggregate::training(&plain) else {
				return Ok(());
			};
			let max_strikes = ConsensusParams::<T>::get().max_strikes;
			for (who, o) in &outcomes {
				if o.weights_hash != weights_hash {
					Self::strike(who, job, max_strikes);
				}
			}
			let count = outcomes.len() as u32;
			T::Models::activate(model, accuracy, weights_hash)?;
			Trainings::<T>::insert(
				model,
				TrainingRecord {
					engine_version: version,
					accuracy,
					weights_hash,
					agreement,
					submissions: count,
				},
			);
			Self::deposit_event(Event::ModelTrained {
				job,
				model,
				engine_version: version,
				accuracy,
				weights_hash,
				agreement,
				submissions: count,
			});
			Ok(())
		}

		/// Aggregates the answers of engine version `version`, strikes those of that version
		/// that disagree, and completes the inference. Answers of other versions are dropped
		/// without a strike.
		fn close_inference(
			job: JobId,
			inference: InferenceId,
			model: ModelId,
			version: u32,
		) -> DispatchResult {
			let Some(j) = Jobs::<T>::get(job) else { return Ok(()) };
			let submissions = Self::remove_job(job, &j);
			let answers: Vec<(T::AccountId, Answer)> = submissions
				.into_iter()
				.filter_map(|(who, s)| match s {
					Submission::Infer { engine_version, label, confidence, shares }
						if engine_version == version =>
					{
						Some((who, Answer { label, confidence, shares: shares.into_inner() }))
					},
					Submission::Train(_) | Submission::Infer { .. } => None,
				})
				.collect();
			let plain: Vec<Answer> = answers.iter().map(|(_, a)| a.clone()).collect();
			let Some(result) = aggregate::inference(&plain, T::MaxTopK::get() as usize) else {
				return Ok(());
			};
			let params = ConsensusParams::<T>::get();
			let mut agreeing = Vec::new();
			for (who, a) in &answers {
				let far =
					aggregate::distance(&a.shares, &result.shares) > u64::from(params.tolerance);
				if a.label != result.label || far {
					Self::strike(who, job, params.max_strikes);
				} else {
					agreeing.push(who.clone());
				}
			}
			T::Inferences::completed(inference, &result, &agreeing);
			Self::deposit_event(Event::InferenceAttributed {
				job,
				inference,
				engine_version: version,
				label: result.label,
				confidence: result.confidence,
				records: result.shares.len() as u32,
			});
			Inferences::<T>::insert(
				inference,
				InferenceRecord {
					model,
					engine_version: version,
					label: result.label,
					confidence: result.confidence,
					shares: BoundedVec::truncate_from(result.shares),
					agreeing: BoundedVec::truncate_from(agreeing),
					block: frame_system::Pallet::<T>::block_number(),
				},
			);
			Ok(())
		}

		/// Expires `job` if it is still open.
		fn expire(job: JobId) {
			let Some(j) = Jobs::<T>::get(job) else { return };
			let submissions = Self::remove_job(job, &j).len() as u32;
			match j.kind {
				JobKind::Train { model } => {
					if let Err(e) = T::Models::fail(model) {
						log::warn!(target: "attribution", "model {model} could not fail: {e:?}");
					}
				},
				JobKind::Infer { inference, .. } => T::Inferences::expired(inference),
			}
			Self::deposit_event(Event::JobExpired { job, kind: j.kind, submissions });
		}

		/// Checks the pallet's invariants: every open job has its deadline entry and no more
		/// submissions than counted; every deadline entry names an open job; attestors are
		/// distinct.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for (job, j) in Jobs::<T>::iter() {
				ensure!(
					Deadlines::<T>::contains_key(j.deadline, job),
					"an open job has no deadline"
				);
				let count = Submissions::<T>::iter_prefix(job).count() as u32;
				ensure!(count == j.submissions, "a job's submission count is wrong");
				let tallied = j.tally.iter().map(|(_, n)| *n).sum::<u32>();
				ensure!(tallied == j.submissions, "a job's tally by version is wrong");
				for (_, s) in Submissions::<T>::iter_prefix(job) {
					let version = s.engine_version();
					ensure!(
						j.tally.iter().any(|(v, n)| *v == version && *n > 0),
						"a submission's engine version is not tallied"
					);
				}
			}
			for (deadline, job, ()) in Deadlines::<T>::iter() {
				ensure!(
					Jobs::<T>::get(job).is_some_and(|j| j.deadline == deadline),
					"a deadline names no open job"
				);
			}
			for (model, job) in TrainingJobs::<T>::iter() {
				ensure!(
					Jobs::<T>::get(job).is_some_and(|j| j.kind == JobKind::Train { model }),
					"a model's training job is not open"
				);
			}
			for (job, j) in Jobs::<T>::iter() {
				if let JobKind::Train { model } = j.kind {
					ensure!(
						TrainingJobs::<T>::get(model) == Some(job),
						"an open training job is not indexed by its model"
					);
				}
			}
			let set = Attestors::<T>::get();
			for (i, a) in set.iter().enumerate() {
				ensure!(!set[i + 1..].contains(a), "an attestor is listed twice");
			}
			ensure!(
				Suspended::<T>::iter_keys().count() as u32 == Suspended::<T>::count(),
				"the suspended count is wrong"
			);
			for a in Suspended::<T>::iter_keys() {
				ensure!(set.contains(&a), "a suspended account is not an attestor");
			}
			Ok(())
		}
	}

	impl<T: Config> AttributionJobs for Pallet<T> {
		fn request_training(model: ModelId) -> DispatchResult {
			Self::open(JobKind::Train { model }, BoundedVec::new(), T::TrainingPeriod::get())
				.map(|_| ())
		}

		fn request_inference(
			inference: InferenceId,
			model: ModelId,
			input: Vec<u8>,
		) -> DispatchResult {
			let input = BoundedVec::try_from(input).map_err(|_| Error::<T>::InputTooLong)?;
			Self::open(JobKind::Infer { inference, model }, input, T::InferencePeriod::get())
				.map(|_| ())
		}

		fn cancel_training(model: ModelId) {
			let Some(job) = TrainingJobs::<T>::get(model) else { return };
			let Some(j) = Jobs::<T>::get(job) else { return };
			let submissions = Self::remove_job(job, &j).len() as u32;
			Self::deposit_event(Event::JobCancelled { job, kind: j.kind, submissions });
		}
	}
}
