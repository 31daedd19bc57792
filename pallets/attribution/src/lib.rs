//! # Proof of Attribution
//!
//! Attestor nodes train every registered model and attribute every paid inference with the
//! influence engine, in their off-chain workers. Each job's committee answers in two rounds,
//! commit then reveal, and the revealed results are put to a vote on their hash; the losers and
//! the members that committed but never revealed lose part of their bond.
//!
//! ## Terms
//!
//! - **Attestor**: an account with an `attr` sr25519 key ([`crypto`]) in its node's keystore.
//!   Anyone becomes one by bonding at least [`StakeParams`]`.min_bond` OPEN (`bond`); the set
//!   is bounded by [`Config::MaxAttestors`], and when it is full a larger bond displaces the
//!   smallest (`AttestorDisplaced`). Leaving (`unbond`, or removal by the admin) keeps the bond
//!   held, and slashable, for `unbonding_period` blocks; then `withdraw_unbonded` releases it.
//!   [`Config::AdminOrigin`] may also add an attestor without a bond, remove one, and sets every
//!   parameter.
//! - **Job** ([`Job`]): `Train { model }`, created when a model is registered,
//!   `Infer { inference, model }`, created by a paid `agents.invoke`, or
//!   `Recheck { inference, model }`, created by a challenge.
//! - **Committee**: each job is answered by `committee_size` active attestors drawn when it
//!   opens ([`Pallet::draw_committee`]); only they may answer (`NotCommitteeMember`), so the
//!   work per job stays constant as the attestor set grows.
//! - **Commit** (`commit`): a member sends [`Pallet::commitment`], the hash of
//!   `(job, its own account, a 32-byte salt, its outcome)`. Nothing of the result is public. The
//!   commit round lasts until `min(quorum, active committee members)` members have committed
//!   ([`Pallet::quorum`]), or the job's deadline, when the job expires.
//! - **Reveal** (`reveal`): once the commits are in, each committed member reveals its salt and
//!   [`Outcome`] within [`Config::RevealPeriod`] blocks. A reveal must open the member's own
//!   commit (`CommitmentMismatch`), so copying another member's commit or reveal gains nothing:
//!   the commit names its account, and the commit round is closed before any result is public.
//! - **Vote**: the engine is bit-identical across machines, so honest attestors reveal the same
//!   outcome, and the job is decided by a vote on the outcome's hash. It closes when every
//!   committed member has revealed, or at the reveal deadline. The most revealed outcome wins if
//!   more than half of the committed members revealed it:
//!   - training: the model becomes Active with the winner's accuracy and weights hash;
//!   - inference: the winner is the result. It waits `challenge_window` blocks ([`Pending`]),
//!     then [`InferenceHandler`] hears it, with the members that revealed it, and pays the fee
//!     out.
//!   A revealed outcome of the winner's engine version that lost is struck and slashed
//!   `lost_slash` of its bond. Outcomes of another engine version are neither paid nor
//!   punished, so that an engine upgrade can roll out. Without a majority the job fails as if
//!   it expired.
//! - **Unrevealed**: a member that committed and did not reveal by the reveal deadline is
//!   struck and slashed `unrevealed_slash` (less than losing).
//! - **Challenge** (`challenge`): within the window, an active attestor outside the deciding
//!   committee may hold `challenge_deposit` and open a `Recheck` job, answered by up to twice
//!   the committee, none of the first, committing at up to twice the quorum. If it elects
//!   another outcome of the same engine version, the first result's members are slashed
//!   `lost_slash` to the challenger and the corrected result is paid; if it elects the same
//!   outcome, the deposit goes to the treasury; without a decision the deposit is returned. In
//!   the last two cases the first result is paid.
//! - **Slashes** go to [`Config::TreasuryAccount`], or to a challenger that overturned a
//!   result.
//! - **Strikes** decay: one is forgiven every [`Config::StrikeDecay`] blocks after an
//!   attestor's last strike. At `max_strikes` (counted after decay) an attestor is suspended
//!   until the admin reinstates it.
//! - **Cancellation**: retiring a model that is still training closes its `Train` job
//!   (`JobCancelled`) with no slash.
//! - **Expiry**: a job whose commit round has not filled by its deadline expires: an inference
//!   is refunded in full ([`InferenceHandler::expired`]); a model becomes Failed.
//! - **Admission** ([`CheckAttestation`], a transaction extension): a commit or reveal its call
//!   would reject (late, duplicate, for a closed job or the wrong round, from a signer that may
//!   not answer, or a reveal that does not open its commit) is invalid in the transaction pool
//!   and in block building, so it is never included and never charged.
//!
//! ## Off-chain worker
//!
//! On each block, every local `attr` key that belongs to an active attestor commits to up to
//! [`Config::MaxJobsPerBlock`] jobs of its committees, earliest deadline first, and reveals
//! every commit whose reveal round is open ([`ocw`]).
//!
//! ## Calls
//!
//! `commit`, `reveal` (committee members); `bond`, `unbond`, `withdraw_unbonded` (anyone);
//! `challenge` (attestors); `add_attestor`, `remove_attestor`, `set_params`,
//! `set_stake_params`, `reinstate` (admin).

#![cfg_attr(not(feature = "std"), no_std)]
// A panic in the runtime is a bug: no unwrap or expect outside tests and benchmarks.
#![cfg_attr(
	not(any(test, feature = "runtime-benchmarks")),
	deny(clippy::unwrap_used, clippy::expect_used)
)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod extension;
#[cfg(test)]
mod mock;
pub mod ocw;
#[cfg(test)]
mod tests;
pub mod vote;
pub mod weights;

pub use extension::CheckAttestation;
pub use openledger_primitives::{
	attribution::{InferenceId, InferenceResult, JobId, RecordShare, TrainOutcome},
	datanets::ClassLabel,
	models::{ModelId, ModelStatus},
	traits::{AttributionJobs, DatanetInspect, InferenceHandler, ModelInspect, ModelLifecycle},
	Balance,
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
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
		},
		CloneNoBound, DebugNoBound, PartialEqNoBound,
	};
	use frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction},
		pallet_prelude::*,
	};
	use scale_info::TypeInfo;
	use sp_core::H256;
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill, SaturatedConversion,
	};

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
		/// Re-execute a challenged inference, with a larger committee that excludes the first.
		Recheck {
			/// The inference.
			inference: InferenceId,
			/// Its model.
			model: ModelId,
		},
	}

	impl JobKind {
		/// The model an inference or a recheck runs.
		pub fn inference_model(&self) -> Option<ModelId> {
			match self {
				JobKind::Infer { model, .. } | JobKind::Recheck { model, .. } => Some(*model),
				JobKind::Train { .. } => None,
			}
		}
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
		/// The last block of the current round: commits are accepted until then (and the job
		/// expires after it), or, once `revealing`, reveals (and the vote is taken after it).
		pub deadline: BlockNumberFor<T>,
		/// Whether the commit round is over and the reveal round open.
		pub revealing: bool,
		/// Members that committed.
		pub commits: u32,
		/// Members that revealed.
		pub reveals: u32,
		/// The attestors drawn to answer it ([`Pallet::draw_committee`]); only they may.
		pub committee: BoundedVec<T::AccountId, T::MaxAttestors>,
	}

	/// An attestor's answer to a job, as revealed: the argument of `reveal`, and what its
	/// commitment hashes.
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, TypeInfo)]
	pub enum Outcome {
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
			/// The proponents' shares: at most `MaxTopK`, summing to one (or none).
			shares: Vec<RecordShare>,
		},
	}

	impl Outcome {
		/// The numeric version of the engine that computed it.
		pub fn engine_version(&self) -> u32 {
			match self {
				Outcome::Train(o) => o.engine_version,
				Outcome::Infer { engine_version, .. } => *engine_version,
			}
		}
	}

	/// A revealed outcome, as stored until the vote (it encodes exactly as its [`Outcome`]).
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

		/// The hash the vote counts: that of its encoding (the same as its [`Outcome`]'s).
		pub fn hash(&self) -> H256 {
			H256(self.using_encoded(sp_io::hashing::blake2_256))
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
		/// Commits that close a job's commit round (at most the active committee members).
		pub quorum: u32,
		/// Strikes that suspend an attestor.
		pub max_strikes: u32,
		/// Attestors drawn to answer each job: the work per job stays constant however many
		/// attestors there are.
		pub committee_size: u32,
	}

	impl Default for Params {
		fn default() -> Self {
			// One attestor on a dev chain; the local chain's genesis sets three.
			Self { quorum: 1, max_strikes: 10, committee_size: 16 }
		}
	}

	/// What attestors stake, and lose.
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
	pub struct Stake<BlockNumber> {
		/// The least bond that makes an account an attestor.
		pub min_bond: Balance,
		/// The part of its bond an attestor loses for a revealed outcome that lost the vote.
		pub lost_slash: Perbill,
		/// The part of its bond an attestor loses for a commit it never revealed.
		pub unrevealed_slash: Perbill,
		/// Blocks a bond stays held, and slashable, after its attestor leaves.
		pub unbonding_period: BlockNumber,
		/// Blocks an inference's decided result waits, challengeable, before it is paid out
		/// (0: paid at once, no challenges).
		pub challenge_window: BlockNumber,
		/// What a challenger holds until its challenge is settled.
		pub challenge_deposit: Balance,
	}

	/// An account's bond.
	#[derive(
		Clone,
		Copy,
		Debug,
		Default,
		PartialEq,
		Eq,
		Encode,
		Decode,
		DecodeWithMemTracking,
		MaxEncodedLen,
		TypeInfo,
	)]
	pub struct Bond<BlockNumber> {
		/// What is held.
		pub amount: Balance,
		/// Once it has left the attestor set: the block from which it may be withdrawn.
		pub unlocks_at: Option<BlockNumber>,
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

	/// A challenge of a pending result.
	#[derive(
		CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	pub struct Challenge<T: Config> {
		/// Who challenged.
		pub challenger: T::AccountId,
		/// What it holds.
		pub deposit: Balance,
		/// The `Recheck` job that settles it.
		pub job: JobId,
	}

	/// An inference's decided result in its challenge window, not yet paid out.
	#[derive(
		CloneNoBound, DebugNoBound, PartialEqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
	)]
	#[scale_info(skip_type_params(T))]
	pub struct PendingResult<T: Config> {
		/// The job that decided it.
		pub job: JobId,
		/// The model.
		pub model: ModelId,
		/// The inference's input, for a recheck.
		pub input: BoundedVec<u8, T::MaxInputLen>,
		/// The winning outcome (an `Infer` submission).
		pub outcome: Submission<T>,
		/// The members that revealed it.
		pub agreeing: BoundedVec<T::AccountId, T::MaxAttestors>,
		/// The committee that decided it: it may neither challenge nor recheck.
		pub committee: BoundedVec<T::AccountId, T::MaxAttestors>,
		/// The block at which it is paid out if no one challenged it.
		pub matures: BlockNumberFor<T>,
		/// The challenge, once there is one.
		pub challenge: Option<Challenge<T>>,
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
		/// The engine version of the winning outcome.
		pub engine_version: u32,
		/// Its held-out accuracy.
		pub accuracy: Perbill,
		/// Its weights hash.
		pub weights_hash: H256,
		/// Reveals of the winning outcome.
		pub agreement: u32,
		/// Reveals counted.
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
		/// The engine version of the winning outcome.
		pub engine_version: u32,
		/// Its label.
		pub label: ClassLabel,
		/// Its confidence.
		pub confidence: Perbill,
		/// Its records' shares, summing to one (empty if none).
		pub shares: BoundedVec<RecordShare, T::MaxTopK>,
		/// The attestors that revealed it.
		pub agreeing: BoundedVec<T::AccountId, T::MaxAttestors>,
		/// The block it was decided in.
		pub block: BlockNumberFor<T>,
	}

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An attestor's bond.
		AttestorBond,
		/// A challenger's deposit.
		ChallengeDeposit,
	}

	#[pallet::config]
	pub trait Config:
		frame_system::Config<RuntimeEvent: From<Event<Self>>> + CreateSignedTransaction<Call<Self>>
	{
		/// The attestors' signing key (`attr`, sr25519).
		type AuthorityId: AppCrypto<Self::Public, Self::Signature>;

		/// Changes the attestor set and every parameter.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The currency bonds are held in (OPEN).
		type Currency: Inspect<Self::AccountId, Balance = Balance>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Where slashed bonds go.
		type TreasuryAccount: Get<Self::AccountId>;

		/// The staking parameters until the admin sets them.
		type DefaultStake: Get<Stake<BlockNumberFor<Self>>>;

		/// Where Datanets and their records are read.
		type Datanets: DatanetInspect<Self::AccountId, BlockNumberFor<Self>>;

		/// Where models are read.
		type Models: ModelInspect<Self::AccountId, Balance> + ModelLifecycle;

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

		/// Blocks a training job's commit round stays open.
		#[pallet::constant]
		type TrainingPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks an inference job's commit round stays open.
		#[pallet::constant]
		type InferencePeriod: Get<BlockNumberFor<Self>>;

		/// Blocks the reveal round stays open.
		#[pallet::constant]
		type RevealPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks after an attestor's last strike after which one strike is forgiven.
		#[pallet::constant]
		type StrikeDecay: Get<BlockNumberFor<Self>>;

		/// The most jobs an attestor's off-chain worker commits to per block.
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

	/// The attestors, in the order they joined.
	#[pallet::storage]
	pub type Attestors<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxAttestors>, ValueQuery>;

	/// The consensus parameters.
	#[pallet::storage]
	pub type ConsensusParams<T> = StorageValue<_, Params, ValueQuery>;

	#[pallet::type_value]
	pub fn DefaultStakeParams<T: Config>() -> Stake<BlockNumberFor<T>> {
		T::DefaultStake::get()
	}

	/// The staking parameters.
	#[pallet::storage]
	pub type StakeParams<T: Config> =
		StorageValue<_, Stake<BlockNumberFor<T>>, ValueQuery, DefaultStakeParams<T>>;

	/// Bonds, held under [`HoldReason::AttestorBond`]: of attestors, and of accounts that left
	/// and have not withdrawn.
	#[pallet::storage]
	pub type Bonds<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, Bond<BlockNumberFor<T>>>;

	/// Strikes per attestor, as of their last strike (absent: none); [`Pallet::strikes`] gives
	/// the count after decay.
	#[pallet::storage]
	pub type Strikes<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, StrikeRecord<BlockNumberFor<T>>>;

	/// Suspended attestors: they may not commit until reinstated. Counted, for the quorum.
	#[pallet::storage]
	pub type Suspended<T: Config> = CountedStorageMap<_, Blake2_128Concat, T::AccountId, ()>;

	/// The id the next job gets.
	#[pallet::storage]
	pub type NextJobId<T> = StorageValue<_, JobId, ValueQuery>;

	/// The open jobs.
	// Ids are sequential, not chosen by users: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Jobs<T: Config> = StorageMap<_, Twox64Concat, JobId, Job<T>>;

	/// The commitments to open jobs ([`Pallet::commitment`]).
	#[pallet::storage]
	pub type Commits<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Blake2_128Concat, T::AccountId, H256>;

	/// The outcomes revealed for open jobs.
	#[pallet::storage]
	pub type Reveals<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Blake2_128Concat, T::AccountId, Submission<T>>;

	/// The open `Train` job of each model still training, so that retiring it closes the job.
	#[pallet::storage]
	pub type TrainingJobs<T: Config> = StorageMap<_, Twox64Concat, ModelId, JobId>;

	/// Open jobs by the last block of their round, so that expiry never scans every job.
	#[pallet::storage]
	pub type Deadlines<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, JobId, ()>;

	/// Inferences decided and waiting out their challenge window.
	// Inference ids are sequential: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Pending<T: Config> = StorageMap<_, Twox64Concat, InferenceId, PendingResult<T>>;

	/// Unchallenged pending results by the block they are paid out in.
	#[pallet::storage]
	pub type Maturities<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, InferenceId, ()>;

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
		/// What each initial attestor bonds from its balance (0: none).
		pub bond: Balance,
		/// Commits that close a job's commit round.
		pub quorum: u32,
		/// Strikes that suspend an attestor.
		pub max_strikes: u32,
		/// Attestors drawn to answer each job.
		pub committee_size: u32,
		/// Blocks an inference's result stays challengeable before it is paid out.
		pub challenge_window: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			let Params { quorum, max_strikes, committee_size } = Params::default();
			Self {
				attestors: Vec::new(),
				bond: 0,
				quorum,
				max_strikes,
				committee_size,
				challenge_window: T::DefaultStake::get().challenge_window,
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut set: Vec<T::AccountId> = Vec::new();
			for a in &self.attestors {
				assert!(!set.contains(a), "an attestor is listed twice in the genesis");
				set.push(a.clone());
				if !self.bond.is_zero() {
					if let Err(e) =
						T::Currency::hold(&HoldReason::AttestorBond.into(), a, self.bond)
					{
						panic!("a genesis attestor cannot afford the genesis bond: {e:?}");
					}
					Bonds::<T>::insert(a, Bond { amount: self.bond, unlocks_at: None });
				}
			}
			let Ok(bounded) = BoundedVec::try_from(set) else {
				panic!("more attestors in the genesis than MaxAttestors");
			};
			Attestors::<T>::put(bounded);
			let params = Params {
				quorum: self.quorum,
				max_strikes: self.max_strikes,
				committee_size: self.committee_size,
			};
			assert!(Pallet::<T>::params_valid(&params), "invalid genesis consensus parameters");
			ConsensusParams::<T>::put(params);
			StakeParams::<T>::put(Stake {
				challenge_window: self.challenge_window,
				..T::DefaultStake::get()
			});
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A job was opened, with its committee.
		JobCreated {
			job: JobId,
			kind: JobKind,
			deadline: BlockNumberFor<T>,
			committee: BoundedVec<T::AccountId, T::MaxAttestors>,
		},
		/// A member committed to an outcome.
		Committed { job: JobId, attestor: T::AccountId, commits: u32 },
		/// The commit round is over: members reveal until `deadline`.
		RevealOpened { job: JobId, deadline: BlockNumberFor<T> },
		/// A member revealed its outcome.
		Revealed { job: JobId, attestor: T::AccountId, outcome: H256, reveals: u32 },
		/// The vote made a model Active.
		ModelTrained {
			job: JobId,
			model: ModelId,
			engine_version: u32,
			accuracy: Perbill,
			weights_hash: H256,
			agreement: u32,
			submissions: u32,
		},
		/// The vote decided an inference.
		InferenceAttributed {
			job: JobId,
			inference: InferenceId,
			engine_version: u32,
			label: ClassLabel,
			confidence: Perbill,
			records: u32,
		},
		/// No outcome won more than half of the commits: the job failed as if it expired.
		NoMajority { job: JobId, kind: JobKind, commits: u32, reveals: u32 },
		/// A job's commit round did not fill before its deadline.
		JobExpired { job: JobId, kind: JobKind, commits: u32 },
		/// A training job was closed without a result: its model was retired.
		JobCancelled { job: JobId, kind: JobKind, commits: u32 },
		/// An attestor lost a vote, or did not reveal its commit.
		Struck { attestor: T::AccountId, job: JobId, strikes: u32 },
		/// Part of an attestor's bond went to the treasury.
		Slashed { attestor: T::AccountId, job: JobId, amount: Balance },
		/// An attestor reached the strike limit and is suspended.
		AttestorSuspended { attestor: T::AccountId },
		/// An attestor joined the set.
		AttestorAdded { attestor: T::AccountId },
		/// An attestor was removed by the admin.
		AttestorRemoved { attestor: T::AccountId },
		/// An attestor with the smallest bond left the full set for a larger bond.
		AttestorDisplaced { attestor: T::AccountId, by: T::AccountId },
		/// A suspended attestor's strikes were cleared.
		AttestorReinstated { attestor: T::AccountId },
		/// An account bonded `amount` more, to `total`.
		Bonded { who: T::AccountId, amount: Balance, total: Balance },
		/// An attestor left; its bond is withdrawable from `unlocks_at`.
		Unbonding { who: T::AccountId, amount: Balance, unlocks_at: BlockNumberFor<T> },
		/// A bond was released.
		Withdrawn { who: T::AccountId, amount: Balance },
		/// The consensus parameters changed.
		ParamsSet { params: Params },
		/// The staking parameters changed.
		StakeParamsSet { stake: Stake<BlockNumberFor<T>> },
		/// An inference was decided; it is paid out at `matures` unless challenged first.
		ResultPending { job: JobId, inference: InferenceId, matures: BlockNumberFor<T> },
		/// A pending result was challenged; recheck job `job` settles it.
		Challenged {
			inference: InferenceId,
			challenger: T::AccountId,
			job: JobId,
			deposit: Balance,
		},
		/// The recheck overturned the result: the first majority was slashed to the challenger,
		/// and the corrected result is paid out.
		ChallengeUpheld { inference: InferenceId, challenger: T::AccountId },
		/// The recheck confirmed the result: the challenger's deposit went to the treasury.
		ChallengeRejected { inference: InferenceId, challenger: T::AccountId, deposit: Balance },
		/// The recheck reached no decision: the deposit is returned, and the result stands.
		ChallengeUndecided { inference: InferenceId, challenger: T::AccountId },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The signer is not an attestor.
		NotAttestor,
		/// The attestor is suspended.
		AttestorSuspended,
		/// No open job has this id (never created, decided or expired).
		UnknownJob,
		/// The outcome is for the other kind of job.
		WrongJobKind,
		/// This member already committed to this job.
		AlreadyCommitted,
		/// This member already revealed its outcome for this job.
		AlreadyRevealed,
		/// The job's commit round is over.
		CommitsClosed,
		/// The job's reveal round has not started.
		RevealNotOpen,
		/// This account did not commit to this job.
		NotCommitted,
		/// The salt and outcome do not hash to this member's commitment.
		CommitmentMismatch,
		/// The current round's deadline has passed.
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
		/// Quorum, max strikes and committee size must be at least one, and the quorum at most
		/// the committee size.
		InvalidParams,
		/// The input is longer than `MaxInputLen`.
		InputTooLong,
		/// Job ids ran out.
		Overflow,
		/// The attestor was not drawn into the job's committee.
		NotCommitteeMember,
		/// The bond is below `min_bond`, or, when the set is full, not above the smallest.
		BondTooSmall,
		/// The account's bond is unbonding: withdraw it first.
		Unbonding,
		/// The account has no bond that has left the set.
		NotUnbonding,
		/// The unbonding period has not passed.
		StillLocked,
		/// Nothing to bond.
		ZeroBond,
		/// No result of this inference is waiting out a challenge window.
		NotPending,
		/// The result is already challenged.
		AlreadyChallenged,
		/// The challenge window has closed.
		ChallengeWindowClosed,
		/// Members of the committee that decided a result cannot challenge it.
		ChallengerInCommittee,
		/// No active attestor outside the first committee is left to recheck.
		NoRecheckers,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let mut closed = 0u32;
			for (job, ()) in Deadlines::<T>::drain_prefix(now.saturating_sub(One::one())) {
				Self::deadline_passed(job);
				closed = closed.saturating_add(1);
			}
			let mut matured = 0u32;
			for (inference, ()) in Maturities::<T>::drain_prefix(now) {
				if let Some(p) = Pending::<T>::take(inference) {
					Self::pay_out(p.job, inference, p.model, p.outcome, p.agreeing);
				}
				matured = matured.saturating_add(1);
			}
			T::WeightInfo::on_initialize(closed)
				.saturating_add(T::WeightInfo::on_initialize_matured(matured))
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
		/// A committee member's commitment to its outcome for a job: [`Pallet::commitment`].
		///
		/// - Origin: a signed attestor, not suspended, drawn into the job's committee, once per
		///   job, in its commit round.
		/// - Errors: `NotAttestor`, `AttestorSuspended`, `UnknownJob`, `NotCommitteeMember`,
		///   `AlreadyCommitted`, `CommitsClosed`, `DeadlinePassed`.
		/// - Emits `Committed`, and `RevealOpened` at the quorum. Free when it succeeds.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::commit(T::MaxAttestors::get()))]
		pub fn commit(
			origin: OriginFor<T>,
			job: JobId,
			commitment: H256,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut j = Self::can_commit(&who, job)?;
			Commits::<T>::insert(job, &who, commitment);
			j.commits = j.commits.saturating_add(1);
			Self::deposit_event(Event::Committed { job, attestor: who, commits: j.commits });
			if j.commits >= Self::quorum(&j) {
				Deadlines::<T>::remove(j.deadline, job);
				j.deadline = frame_system::Pallet::<T>::block_number()
					.saturating_add(T::RevealPeriod::get());
				j.revealing = true;
				Deadlines::<T>::insert(j.deadline, job, ());
				Self::deposit_event(Event::RevealOpened { job, deadline: j.deadline });
			}
			Jobs::<T>::insert(job, j);
			Ok(Pays::No.into())
		}

		/// A committee member's outcome for a job, opening its commitment.
		///
		/// - Origin: a member that committed to the job, once, in its reveal round.
		/// - `outcome`: of the job's kind; for an inference, a label of the schema and at most
		///   `MaxTopK` records of the model's Datanet version, each once, summing to exactly one
		///   (or none).
		/// - Errors: `UnknownJob`, `RevealNotOpen`, `NotCommitted`, `AlreadyRevealed`,
		///   `DeadlinePassed`, `CommitmentMismatch`, `WrongJobKind`, `TooManyShares`,
		///   `LabelOutOfRange`, `SharesDoNotSumToOne`, `DuplicateRecord`, `UnknownRecord`,
		///   `UnknownModel`.
		/// - Emits `Revealed`; the last reveal takes the vote (`ModelTrained` or
		///   `InferenceAttributed`, or `NoMajority`, with `Struck` and `Slashed`). Free when it
		///   succeeds.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::reveal(T::MaxAttestors::get(), T::MaxTopK::get()))]
		pub fn reveal(
			origin: OriginFor<T>,
			job: JobId,
			salt: [u8; 32],
			outcome: Outcome,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let mut j = Self::can_reveal(&who, job, &salt, &outcome)?;
			let submission = Self::check_outcome(&j, outcome)?;
			let hash = submission.hash();
			Reveals::<T>::insert(job, &who, submission);
			j.reveals = j.reveals.saturating_add(1);
			Self::deposit_event(Event::Revealed {
				job,
				attestor: who,
				outcome: hash,
				reveals: j.reveals,
			});
			if j.reveals >= j.commits {
				Self::decide(job, j);
			} else {
				Jobs::<T>::insert(job, j);
			}
			Ok(Pays::No.into())
		}

		/// Adds an attestor, with no bond required; a bond of its that is unbonding is active
		/// again.
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
			Bonds::<T>::mutate_exists(&attestor, |b| {
				if let Some(b) = b {
					b.unlocks_at = None;
				}
			});
			Self::deposit_event(Event::AttestorAdded { attestor });
			Ok(())
		}

		/// Removes an attestor, with its strikes; its bond starts unbonding.
		///
		/// - Origin: `AdminOrigin`.
		/// - Errors: `NotAttestor`.
		/// - Emits `AttestorRemoved`, and `Unbonding` if it had a bond.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::remove_attestor(T::MaxAttestors::get()))]
		pub fn remove_attestor(origin: OriginFor<T>, attestor: T::AccountId) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::leave(&attestor)?;
			Self::deposit_event(Event::AttestorRemoved { attestor });
			Ok(())
		}

		/// Sets the consensus parameters.
		///
		/// - Origin: `AdminOrigin`.
		/// - Errors: `InvalidParams` (a quorum, strike limit or committee size of zero, or a
		///   quorum above the committee size).
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

		/// Clears a suspended attestor's strikes, so that it may commit again.
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

		/// Bonds `amount` more. An account outside the set joins it when its bond reaches
		/// `min_bond`; if the set is full, it must bond more than the smallest bond in it, which
		/// it displaces (that bond starts unbonding).
		///
		/// - Origin: signed.
		/// - Errors: `ZeroBond`, `Unbonding` (withdraw first), `BondTooSmall`, and the
		///   currency's if the free balance cannot cover it.
		/// - Emits `Bonded`, and `AttestorAdded` (with `AttestorDisplaced`) on joining.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::bond(T::MaxAttestors::get()))]
		pub fn bond(origin: OriginFor<T>, amount: Balance) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(!amount.is_zero(), Error::<T>::ZeroBond);
			let mut b = Bonds::<T>::get(&who).unwrap_or_default();
			ensure!(b.unlocks_at.is_none(), Error::<T>::Unbonding);
			let total = b.amount.saturating_add(amount);
			let mut set = Attestors::<T>::get();
			let joining = !set.contains(&who);
			let mut displaced = None;
			if joining {
				ensure!(total >= StakeParams::<T>::get().min_bond, Error::<T>::BondTooSmall);
				if set.is_full() {
					let (at, smallest) = set
						.iter()
						.enumerate()
						.map(|(i, a)| (i, Bonds::<T>::get(a).map_or(0, |b| b.amount)))
						// The smallest bond, the latest to join on a tie.
						.min_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
						.ok_or(Error::<T>::TooManyAttestors)?;
					ensure!(total > smallest, Error::<T>::BondTooSmall);
					displaced = Some(set.remove(at));
				}
				set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyAttestors)?;
			}
			T::Currency::hold(&HoldReason::AttestorBond.into(), &who, amount)?;
			b.amount = total;
			Bonds::<T>::insert(&who, b);
			Attestors::<T>::put(set);
			if let Some(gone) = displaced {
				Self::forget(&gone);
				Self::start_unbonding(&gone);
				Self::deposit_event(Event::AttestorDisplaced { attestor: gone, by: who.clone() });
			}
			if joining {
				Self::deposit_event(Event::AttestorAdded { attestor: who.clone() });
			}
			Self::deposit_event(Event::Bonded { who, amount, total });
			Ok(())
		}

		/// Leaves the attestor set. The bond stays held, and slashable for the jobs the
		/// attestor committed to, for `unbonding_period` blocks.
		///
		/// - Origin: a signed attestor.
		/// - Errors: `NotAttestor`.
		/// - Emits `Unbonding` if it had a bond.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::unbond(T::MaxAttestors::get()))]
		pub fn unbond(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::leave(&who)
		}

		/// Releases a bond whose unbonding period has passed.
		///
		/// - Origin: signed.
		/// - Errors: `NotUnbonding`, `StillLocked`.
		/// - Emits `Withdrawn`.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::withdraw_unbonded())]
		pub fn withdraw_unbonded(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let b = Bonds::<T>::get(&who).ok_or(Error::<T>::NotUnbonding)?;
			let unlocks_at = b.unlocks_at.ok_or(Error::<T>::NotUnbonding)?;
			ensure!(
				frame_system::Pallet::<T>::block_number() >= unlocks_at,
				Error::<T>::StillLocked
			);
			let amount = T::Currency::release(
				&HoldReason::AttestorBond.into(),
				&who,
				b.amount,
				Precision::BestEffort,
			)?;
			Bonds::<T>::remove(&who);
			Self::deposit_event(Event::Withdrawn { who, amount });
			Ok(())
		}

		/// Sets the staking parameters. A new `min_bond` applies to accounts that join from
		/// now on.
		///
		/// - Origin: `AdminOrigin`.
		/// - Emits `StakeParamsSet`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::set_stake_params())]
		pub fn set_stake_params(
			origin: OriginFor<T>,
			stake: Stake<BlockNumberFor<T>>,
		) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			StakeParams::<T>::put(stake);
			Self::deposit_event(Event::StakeParamsSet { stake });
			Ok(())
		}

		/// Challenges an inference's pending result: a `Recheck` job re-executes it with up to
		/// twice `committee_size` active attestors outside the committee that decided it, which
		/// must commit at up to twice the quorum. If the recheck's vote differs from the
		/// result, the first majority is slashed `lost_slash` to the challenger and the
		/// corrected result is paid out; if it agrees, the deposit goes to the treasury; if it
		/// decides nothing, the deposit is returned and the result stands.
		///
		/// - Origin: an active attestor outside the deciding committee, within the window.
		/// - Holds `challenge_deposit` until the recheck is settled.
		/// - Errors: `NotAttestor`, `AttestorSuspended`, `NotPending`, `AlreadyChallenged`,
		///   `ChallengeWindowClosed`, `ChallengerInCommittee`, `NoRecheckers`, and the
		///   currency's if the deposit cannot be held.
		/// - Emits `Challenged` and `JobCreated { kind: Recheck }`.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::challenge(T::MaxAttestors::get()))]
		pub fn challenge(origin: OriginFor<T>, inference: InferenceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Attestors::<T>::get().contains(&who), Error::<T>::NotAttestor);
			ensure!(!Suspended::<T>::contains_key(&who), Error::<T>::AttestorSuspended);
			let mut p = Pending::<T>::get(inference).ok_or(Error::<T>::NotPending)?;
			ensure!(p.challenge.is_none(), Error::<T>::AlreadyChallenged);
			ensure!(
				frame_system::Pallet::<T>::block_number() < p.matures,
				Error::<T>::ChallengeWindowClosed
			);
			ensure!(!p.committee.contains(&who), Error::<T>::ChallengerInCommittee);
			let deposit = StakeParams::<T>::get().challenge_deposit;
			T::Currency::hold(&HoldReason::ChallengeDeposit.into(), &who, deposit)?;
			let size = ConsensusParams::<T>::get().committee_size.saturating_mul(2);
			let kind = JobKind::Recheck { inference, model: p.model };
			let job = NextJobId::<T>::get();
			let committee = Self::draw_committee_from(job, &p.committee, size);
			ensure!(!committee.is_empty(), Error::<T>::NoRecheckers);
			Self::open_with(kind, p.input.clone(), T::InferencePeriod::get(), committee)?;
			Maturities::<T>::remove(p.matures, inference);
			p.challenge = Some(Challenge { challenger: who.clone(), deposit, job });
			Pending::<T>::insert(inference, p);
			Self::deposit_event(Event::Challenged { inference, challenger: who, job, deposit });
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

		/// The commits that close job `j`'s commit round: the quorum, or every active member
		/// of its committee if fewer remain (at least one).
		pub fn quorum(j: &Job<T>) -> u32 {
			let set = Attestors::<T>::get();
			let active = j
				.committee
				.iter()
				.filter(|m| set.contains(m) && !Suspended::<T>::contains_key(m))
				.count() as u32;
			let quorum = ConsensusParams::<T>::get().quorum;
			let quorum = match j.kind {
				JobKind::Recheck { .. } => quorum.saturating_mul(2),
				JobKind::Train { .. } | JobKind::Infer { .. } => quorum,
			};
			quorum.min(active).max(1)
		}

		/// The committee of job `job`: `committee_size` active attestors (all of them if there
		/// are no more), drawn without replacement by a Fisher–Yates pass keyed by
		/// `blake2_256("committee" ‖ parent hash ‖ job ‖ i)`. The parent hash is fixed before
		/// the job's block is built, and the job id is sequential, so no caller chooses the
		/// draw; the bias left to block authors is in the README.
		pub fn draw_committee(job: JobId) -> BoundedVec<T::AccountId, T::MaxAttestors> {
			Self::draw_committee_from(job, &[], ConsensusParams::<T>::get().committee_size)
		}

		/// [`Pallet::draw_committee`] of `size` among the active attestors not in `excluded`.
		pub fn draw_committee_from(
			job: JobId,
			excluded: &[T::AccountId],
			size: u32,
		) -> BoundedVec<T::AccountId, T::MaxAttestors> {
			let mut active: Vec<T::AccountId> = Attestors::<T>::get()
				.into_iter()
				.filter(|a| !Suspended::<T>::contains_key(a) && !excluded.contains(a))
				.collect();
			let size = (size as usize).min(active.len());
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

		/// Whether `who` may commit now: an attestor, not suspended.
		pub fn is_active_attestor(who: &T::AccountId) -> bool {
			Attestors::<T>::get().contains(who) && !Suspended::<T>::contains_key(who)
		}

		/// What `who` commits to for `job`: `blake2_256(SCALE(job, who, salt, outcome))`. The
		/// account is in the hash, so a copied commitment opens for no one else.
		pub fn commitment(
			job: JobId,
			who: &T::AccountId,
			salt: &[u8; 32],
			outcome: &Outcome,
		) -> H256 {
			H256((job, who, salt, outcome).using_encoded(sp_io::hashing::blake2_256))
		}

		/// The open job `job`, if `who` may commit to it now: the checks of `commit`, run again
		/// by [`extension::CheckAttestation`] when the pool validates it.
		pub fn can_commit(who: &T::AccountId, job: JobId) -> Result<Job<T>, Error<T>> {
			ensure!(Attestors::<T>::get().contains(who), Error::<T>::NotAttestor);
			ensure!(!Suspended::<T>::contains_key(who), Error::<T>::AttestorSuspended);
			let j = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			ensure!(j.committee.contains(who), Error::<T>::NotCommitteeMember);
			ensure!(!j.revealing, Error::<T>::CommitsClosed);
			ensure!(!Commits::<T>::contains_key(job, who), Error::<T>::AlreadyCommitted);
			ensure!(
				frame_system::Pallet::<T>::block_number() <= j.deadline,
				Error::<T>::DeadlinePassed
			);
			Ok(j)
		}

		/// The open job `job`, if `who` may reveal `outcome` with `salt` now: the checks of
		/// `reveal` up to the outcome's own, run again by [`extension::CheckAttestation`].
		pub fn can_reveal(
			who: &T::AccountId,
			job: JobId,
			salt: &[u8; 32],
			outcome: &Outcome,
		) -> Result<Job<T>, Error<T>> {
			let j = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
			ensure!(j.revealing, Error::<T>::RevealNotOpen);
			let commitment = Commits::<T>::get(job, who).ok_or(Error::<T>::NotCommitted)?;
			ensure!(!Reveals::<T>::contains_key(job, who), Error::<T>::AlreadyRevealed);
			ensure!(
				frame_system::Pallet::<T>::block_number() <= j.deadline,
				Error::<T>::DeadlinePassed
			);
			ensure!(
				Self::commitment(job, who, salt, outcome) == commitment,
				Error::<T>::CommitmentMismatch
			);
			Ok(j)
		}

		/// `outcome` as stored, if it fits job `j`.
		fn check_outcome(j: &Job<T>, outcome: Outcome) -> Result<Submission<T>, DispatchError> {
			match (j.kind, outcome) {
				(JobKind::Train { .. }, Outcome::Train(o)) => Ok(Submission::Train(o)),
				(
					JobKind::Infer { model, .. } | JobKind::Recheck { model, .. },
					Outcome::Infer { engine_version, label, confidence, shares },
				) => {
					let shares: BoundedVec<RecordShare, T::MaxTopK> =
						shares.try_into().map_err(|_| Error::<T>::TooManyShares)?;
					let summary = T::Models::model(model).ok_or(Error::<T>::UnknownModel)?;
					let schema =
						T::Datanets::schema(summary.datanet).ok_or(Error::<T>::UnknownModel)?;
					let version = T::Datanets::version(summary.datanet, summary.version)
						.ok_or(Error::<T>::UnknownModel)?;
					ensure!(label < schema.classes(), Error::<T>::LabelOutOfRange);
					ensure!(vote::sums_to_one(&shares), Error::<T>::SharesDoNotSumToOne);
					let mut seen: Vec<u32> = shares.iter().map(|s| s.record).collect();
					seen.sort_unstable();
					ensure!(seen.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateRecord);
					ensure!(
						seen.last().is_none_or(|r| *r < version.count),
						Error::<T>::UnknownRecord
					);
					Ok(Submission::Infer { engine_version, label, confidence, shares })
				},
				_ => Err(Error::<T>::WrongJobKind.into()),
			}
		}

		/// Opens a job.
		fn open(
			kind: JobKind,
			input: BoundedVec<u8, T::MaxInputLen>,
			period: BlockNumberFor<T>,
		) -> Result<JobId, DispatchError> {
			let committee = Self::draw_committee(NextJobId::<T>::get());
			Self::open_with(kind, input, period, committee)
		}

		/// Opens the next job with `committee`.
		fn open_with(
			kind: JobKind,
			input: BoundedVec<u8, T::MaxInputLen>,
			period: BlockNumberFor<T>,
			committee: BoundedVec<T::AccountId, T::MaxAttestors>,
		) -> Result<JobId, DispatchError> {
			let job = NextJobId::<T>::get();
			NextJobId::<T>::put(job.checked_add(1).ok_or(Error::<T>::Overflow)?);
			let deadline = frame_system::Pallet::<T>::block_number().saturating_add(period);
			Jobs::<T>::insert(
				job,
				Job {
					kind,
					input,
					deadline,
					revealing: false,
					commits: 0,
					reveals: 0,
					committee: committee.clone(),
				},
			);
			Deadlines::<T>::insert(deadline, job, ());
			if let JobKind::Train { model } = kind {
				TrainingJobs::<T>::insert(model, job);
			}
			Self::deposit_event(Event::JobCreated { job, kind, deadline, committee });
			Ok(job)
		}

		/// Removes a job, its deadline entry, commits and reveals; returns the commits and the
		/// reveals.
		#[allow(clippy::type_complexity)]
		fn remove_job(
			job: JobId,
			j: &Job<T>,
		) -> (Vec<(T::AccountId, H256)>, Vec<(T::AccountId, Submission<T>)>) {
			Jobs::<T>::remove(job);
			Deadlines::<T>::remove(j.deadline, job);
			if let JobKind::Train { model } = j.kind {
				TrainingJobs::<T>::remove(model);
			}
			let commits = Commits::<T>::drain_prefix(job).collect();
			let reveals = Reveals::<T>::drain_prefix(job).collect();
			(commits, reveals)
		}

		/// Gives `attestor` a strike for `job` (on top of its decayed strikes), suspending it at
		/// the limit.
		fn strike(attestor: &T::AccountId, job: JobId, max_strikes: u32) {
			let strikes = Self::strikes(attestor).saturating_add(1);
			let at = frame_system::Pallet::<T>::block_number();
			Strikes::<T>::insert(attestor, StrikeRecord { count: strikes, at });
			Self::deposit_event(Event::Struck { attestor: attestor.clone(), job, strikes });
			if strikes >= max_strikes
				&& Attestors::<T>::get().contains(attestor)
				&& !Suspended::<T>::contains_key(attestor)
			{
				Suspended::<T>::insert(attestor, ());
				Self::deposit_event(Event::AttestorSuspended { attestor: attestor.clone() });
			}
		}

		/// Moves `fraction` of `attestor`'s bond to the treasury, for `job`.
		fn slash(attestor: &T::AccountId, job: JobId, fraction: Perbill) {
			Self::slash_to(attestor, job, fraction, &T::TreasuryAccount::get());
		}

		/// Moves `fraction` of `attestor`'s bond to `to`, for `job`.
		fn slash_to(attestor: &T::AccountId, job: JobId, fraction: Perbill, to: &T::AccountId) {
			let Some(mut b) = Bonds::<T>::get(attestor) else { return };
			let amount = fraction * b.amount;
			if amount.is_zero() {
				return;
			}
			let moved = T::Currency::transfer_on_hold(
				&HoldReason::AttestorBond.into(),
				attestor,
				to,
				amount,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			);
			match moved {
				Ok(slashed) => {
					b.amount = b.amount.saturating_sub(slashed);
					Bonds::<T>::insert(attestor, b);
					Self::deposit_event(Event::Slashed {
						attestor: attestor.clone(),
						job,
						amount: slashed,
					});
				},
				Err(e) => log::warn!(target: "attribution", "could not slash {amount}: {e:?}"),
			}
		}

		/// Takes `who` out of the attestor set, with its strikes, and starts unbonding its bond.
		fn leave(who: &T::AccountId) -> DispatchResult {
			Attestors::<T>::try_mutate(|set| {
				let at = set.iter().position(|a| a == who).ok_or(Error::<T>::NotAttestor)?;
				set.remove(at);
				Ok::<_, Error<T>>(())
			})?;
			Self::forget(who);
			Self::start_unbonding(who);
			Ok(())
		}

		/// Clears the strikes and suspension of an account that left the set.
		fn forget(who: &T::AccountId) {
			Strikes::<T>::remove(who);
			Suspended::<T>::remove(who);
		}

		/// Starts the unbonding period of `who`'s bond, if it has one.
		fn start_unbonding(who: &T::AccountId) {
			let Some(mut b) = Bonds::<T>::get(who) else { return };
			let unlocks_at = frame_system::Pallet::<T>::block_number()
				.saturating_add(StakeParams::<T>::get().unbonding_period);
			b.unlocks_at = Some(unlocks_at);
			Bonds::<T>::insert(who, b);
			Self::deposit_event(Event::Unbonding {
				who: who.clone(),
				amount: b.amount,
				unlocks_at,
			});
		}

		/// Closes a job without a result: a model fails, an inference is refunded.
		fn fail(kind: JobKind) {
			match kind {
				JobKind::Train { model } => {
					if let Err(e) = T::Models::fail(model) {
						log::warn!(target: "attribution", "model {model} could not fail: {e:?}");
					}
				},
				JobKind::Infer { inference, .. } => T::Inferences::expired(inference),
				JobKind::Recheck { inference, .. } => Self::settle(inference, None),
			}
		}

		/// Takes the vote on job `job`'s reveals, slashes the losers and the members that did
		/// not reveal, and applies the winning outcome.
		fn decide(job: JobId, j: Job<T>) {
			let (commits, reveals) = Self::remove_job(job, &j);
			let stake = StakeParams::<T>::get();
			let max_strikes = ConsensusParams::<T>::get().max_strikes;
			for (who, _) in &commits {
				if !reveals.iter().any(|(r, _)| r == who) {
					Self::strike(who, job, max_strikes);
					Self::slash(who, job, stake.unrevealed_slash);
				}
			}
			let hashes: Vec<H256> = reveals.iter().map(|(_, s)| s.hash()).collect();
			let count = reveals.len() as u32;
			let won = vote::winner(&hashes, commits.len() as u32).and_then(|(hash, votes)| {
				Some((hash, votes, hashes.iter().position(|h| *h == hash)?))
			});
			let Some((hash, agreement, at)) = won else {
				Self::fail(j.kind);
				Self::deposit_event(Event::NoMajority {
					job,
					kind: j.kind,
					commits: commits.len() as u32,
					reveals: count,
				});
				return;
			};
			let winning = reveals[at].1.clone();
			let version = winning.engine_version();
			let mut agreeing = Vec::new();
			for ((who, s), h) in reveals.iter().zip(&hashes) {
				if *h == hash {
					agreeing.push(who.clone());
				} else if s.engine_version() == version {
					Self::strike(who, job, max_strikes);
					Self::slash(who, job, stake.lost_slash);
				}
			}
			match (j.kind, winning) {
				(JobKind::Train { model }, Submission::Train(o)) => {
					if let Err(e) = T::Models::activate(model, o.accuracy, o.weights_hash) {
						log::warn!(target: "attribution", "model {model} could not activate: {e:?}");
						return;
					}
					let record = TrainingRecord {
						engine_version: version,
						accuracy: o.accuracy,
						weights_hash: o.weights_hash,
						agreement,
						submissions: count,
					};
					Trainings::<T>::insert(model, record);
					Self::deposit_event(Event::ModelTrained {
						job,
						model,
						engine_version: version,
						accuracy: o.accuracy,
						weights_hash: o.weights_hash,
						agreement,
						submissions: count,
					});
				},
				(JobKind::Infer { inference, model }, outcome @ Submission::Infer { .. }) => {
					let agreeing = BoundedVec::truncate_from(agreeing);
					if stake.challenge_window.is_zero() {
						Self::pay_out(job, inference, model, outcome, agreeing);
						return;
					}
					let matures = frame_system::Pallet::<T>::block_number()
						.saturating_add(stake.challenge_window);
					let pending = PendingResult {
						job,
						model,
						input: j.input.clone(),
						outcome,
						agreeing,
						committee: j.committee.clone(),
						matures,
						challenge: None,
					};
					Pending::<T>::insert(inference, pending);
					Maturities::<T>::insert(matures, inference, ());
					Self::deposit_event(Event::ResultPending { job, inference, matures });
				},
				(JobKind::Recheck { inference, .. }, outcome @ Submission::Infer { .. }) => {
					Self::settle(inference, Some((outcome, agreeing)));
				},
				// `reveal` admits only outcomes of the job's kind.
				_ => Self::fail(j.kind),
			}
		}

		/// Pays out inference `inference`'s result: [`InferenceHandler::completed`] splits the
		/// fee, and the result is stored.
		fn pay_out(
			job: JobId,
			inference: InferenceId,
			model: ModelId,
			outcome: Submission<T>,
			agreeing: BoundedVec<T::AccountId, T::MaxAttestors>,
		) {
			let Submission::Infer { engine_version, label, confidence, shares } = outcome else {
				return;
			};
			let result = InferenceResult { label, confidence, shares: shares.to_vec() };
			T::Inferences::completed(inference, &result, &agreeing);
			Self::deposit_event(Event::InferenceAttributed {
				job,
				inference,
				engine_version,
				label,
				confidence,
				records: shares.len() as u32,
			});
			Inferences::<T>::insert(
				inference,
				InferenceRecord {
					model,
					engine_version,
					label,
					confidence,
					shares,
					agreeing,
					block: frame_system::Pallet::<T>::block_number(),
				},
			);
		}

		/// Settles the challenge of `inference`'s pending result by its recheck's winning
		/// outcome and members (none: no decision), and pays out the result that stands.
		fn settle(inference: InferenceId, recheck: Option<(Submission<T>, Vec<T::AccountId>)>) {
			let Some(p) = Pending::<T>::take(inference) else { return };
			let Some(c) = p.challenge.clone() else {
				Self::pay_out(p.job, inference, p.model, p.outcome, p.agreeing);
				return;
			};
			let reason: T::RuntimeHoldReason = HoldReason::ChallengeDeposit.into();
			let release = || {
				if let Err(e) =
					T::Currency::release(&reason, &c.challenger, c.deposit, Precision::BestEffort)
				{
					log::warn!(target: "attribution", "a challenge deposit stays held: {e:?}");
				}
			};
			match recheck {
				// Another outcome of the same engine version won: the result is overturned.
				Some((outcome, agreeing))
					if outcome.hash() != p.outcome.hash()
						&& outcome.engine_version() == p.outcome.engine_version() =>
				{
					let params = ConsensusParams::<T>::get();
					let lost = StakeParams::<T>::get().lost_slash;
					for who in p.agreeing.iter() {
						Self::strike(who, c.job, params.max_strikes);
						Self::slash_to(who, c.job, lost, &c.challenger);
					}
					release();
					Self::deposit_event(Event::ChallengeUpheld {
						inference,
						challenger: c.challenger.clone(),
					});
					let agreeing = BoundedVec::truncate_from(agreeing);
					Self::pay_out(c.job, inference, p.model, outcome, agreeing);
				},
				// The same outcome won: the challenge was wrong.
				Some((outcome, _)) if outcome.hash() == p.outcome.hash() => {
					let moved = T::Currency::transfer_on_hold(
						&reason,
						&c.challenger,
						&T::TreasuryAccount::get(),
						c.deposit,
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Force,
					)
					.unwrap_or_else(|e| {
						log::warn!(target: "attribution", "a challenge deposit was not taken: {e:?}");
						0
					});
					Self::deposit_event(Event::ChallengeRejected {
						inference,
						challenger: c.challenger.clone(),
						deposit: moved,
					});
					Self::pay_out(p.job, inference, p.model, p.outcome, p.agreeing);
				},
				_ => {
					release();
					Self::deposit_event(Event::ChallengeUndecided {
						inference,
						challenger: c.challenger.clone(),
					});
					Self::pay_out(p.job, inference, p.model, p.outcome, p.agreeing);
				},
			}
		}

		/// The end of job `job`'s round: the vote if it is revealing, else expiry.
		fn deadline_passed(job: JobId) {
			let Some(j) = Jobs::<T>::get(job) else { return };
			if j.revealing {
				Self::decide(job, j);
				return;
			}
			let (commits, _) = Self::remove_job(job, &j);
			Self::fail(j.kind);
			Self::deposit_event(Event::JobExpired {
				job,
				kind: j.kind,
				commits: commits.len() as u32,
			});
		}

		/// Checks the pallet's invariants: every open job has its deadline entry and as many
		/// commits and reveals as counted, every reveal a commit, and no reveal before its
		/// round; every deadline entry names an open job; attestors are distinct, and none is
		/// unbonding; every bond is held.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use frame_support::traits::fungible::InspectHold;
			for (job, j) in Jobs::<T>::iter() {
				ensure!(
					Deadlines::<T>::contains_key(j.deadline, job),
					"an open job has no deadline"
				);
				let commits = Commits::<T>::iter_prefix(job).count() as u32;
				ensure!(commits == j.commits, "a job's commit count is wrong");
				let reveals = Reveals::<T>::iter_prefix(job).count() as u32;
				ensure!(reveals == j.reveals, "a job's reveal count is wrong");
				ensure!(j.revealing || reveals == 0, "a reveal before the reveal round");
				ensure!(!j.revealing || commits >= 1, "a reveal round without commits");
				for (who, _) in Reveals::<T>::iter_prefix(job) {
					ensure!(Commits::<T>::contains_key(job, &who), "a reveal without a commit");
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
			let mut deposits: alloc::collections::BTreeMap<T::AccountId, Balance> =
				Default::default();
			for (inference, p) in Pending::<T>::iter() {
				match &p.challenge {
					None => ensure!(
						Maturities::<T>::contains_key(p.matures, inference),
						"an unchallenged pending result does not mature"
					),
					Some(c) => {
						ensure!(
							Jobs::<T>::get(c.job).is_some_and(
								|j| j.kind == JobKind::Recheck { inference, model: p.model }
							),
							"a challenge has no open recheck"
						);
						let d = deposits.entry(c.challenger.clone()).or_default();
						*d = d.saturating_add(c.deposit);
					},
				}
			}
			for (at, inference, ()) in Maturities::<T>::iter() {
				ensure!(
					Pending::<T>::get(inference).is_some_and(|p| p.matures == at),
					"a maturity names no pending result"
				);
			}
			for (who, total) in deposits {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::ChallengeDeposit.into(), &who)
						== total,
					"a challenge deposit is not what is held"
				);
			}
			for (who, b) in Bonds::<T>::iter() {
				ensure!(
					T::Currency::balance_on_hold(&HoldReason::AttestorBond.into(), &who)
						== b.amount,
					"a bond is not what is held"
				);
				ensure!(
					b.unlocks_at.is_none() || !set.contains(&who),
					"an attestor in the set is unbonding"
				);
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
			let (commits, _) = Self::remove_job(job, &j);
			Self::deposit_event(Event::JobCancelled {
				job,
				kind: j.kind,
				commits: commits.len() as u32,
			});
		}
	}
}
