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
//!   `(job, its own account, a 32-byte salt, its outcome)`. Nothing of the result is public.
//!   Every member may commit until every member of the committee has committed (or can no
//!   longer: it left or is suspended; [`Pallet::commits_complete`]), or until the job's
//!   deadline. At the deadline the reveal round opens if more than half of the committee
//!   committed, and the job expires if not. No tip, weight or position in a block changes who
//!   votes.
//! - **Reveal** (`reveal`): once the commits are in, each committed member reveals its salt and
//!   [`Outcome`] within [`Config::RevealPeriod`] blocks. A reveal must open the member's own
//!   commit (`CommitmentMismatch`), so copying another member's commit or reveal gains nothing:
//!   the commit names its account, and the commit round is closed before any result is public.
//! - **One engine**: [`Params`]`.engine_version` is the engine version attestors must run, a
//!   governed value. Each job records it when it opens, and a reveal of any other version is
//!   refused (`WrongEngineVersion`), so a label never lets an outcome escape the vote.
//! - **Vote**: the engine is bit-identical across machines, so honest attestors reveal the same
//!   outcome, and the job is decided by a vote on the outcome's hash. It closes when every
//!   committed member has revealed, or at the reveal deadline. The most revealed outcome wins if
//!   more than half of the committee revealed it ([`Pallet::majority`]):
//!   - training: the model becomes Active with the winner's accuracy and weights hash;
//!   - inference: the winner is the result. It waits `challenge_window` blocks ([`Pending`]),
//!     then [`InferenceHandler`] hears it, with the members that revealed it, and pays the fee
//!     out.
//!   Every other revealed outcome lost: it is struck and slashed `lost_slash` of its bond.
//!   Without a majority the job fails as if it expired.
//! - **Unrevealed**: a member that committed and did not reveal by the reveal deadline is
//!   struck and slashed `unrevealed_slash` (less than losing).
//! - **Challenge** (`challenge`): within the window, an active attestor outside the deciding
//!   committee may hold `challenge_deposit` and open a `Recheck` job of the result's engine
//!   version. Its committee is up to twice `committee_size`, drawn among the attestors that are
//!   neither the challenger, nor in the first committee, nor paid by the result (the model's
//!   owner, the contributors of its records), and it must be larger than the first committee:
//!   otherwise the challenge is refused (`NoRecheckers`) before any deposit is held. If the
//!   recheck's majority elects another outcome, the first result's members are slashed
//!   `lost_slash` to the challenger and the corrected result is paid; if it elects the same
//!   outcome, the deposit goes to the treasury; without a decision the deposit is returned. In
//!   the last two cases the first result is paid.
//! - **Watchtower**: every attestor node re-executes the pending results of jobs outside its
//!   own committees ([`Params`]`.watch_sample` of them) and challenges those it disagrees with,
//!   by itself, within the window ([`ocw`]).
//! - **Early answers** (`report_answer`): an attestor node may answer an inference before the
//!   chain does (the node's `attribution_answer` RPC), signed over the requesting extrinsic's
//!   hash and the outcome's ([`answer_payload`]). An inference keeps that hash ([`Requests`]),
//!   and, once paid out, its outcome's; a signed answer that is not the outcome paid out costs
//!   its attestor a strike and `lost_slash`, once per inference, whoever reports it.
//! - **Slashes** go to [`Config::TreasuryAccount`], or to a challenger that overturned a
//!   result.
//! - **Strikes** decay: one is forgiven every [`Config::StrikeDecay`] blocks after an
//!   attestor's last strike. At `max_strikes` (counted after decay) an attestor is suspended
//!   until the admin reinstates it. Strikes and suspension survive leaving the set and bonding
//!   in again.
//! - **Retention**: a result's record and continuation, and a training's record and flags,
//!   are pruned `retention` blocks after they were written, in `on_idle` (`RecordsPruned`).
//! - **Cancellation**: retiring a model that is still training closes its `Train` job
//!   (`JobCancelled`) with no slash.
//! - **Expiry**: a job whose commit round has not filled by its deadline expires: an inference
//!   is refunded in full ([`InferenceHandler::expired`]); a model becomes Failed.
//! - **Admission** ([`CheckAttestation`], a transaction extension): a commit, reveal or
//!   challenge its call would reject (late, duplicate, for a closed job or the wrong round,
//!   from a signer that may not answer, or a reveal that does not open its commit) is invalid
//!   in the transaction pool and in block building, so it is never included and never charged.
//! - **A lane for attestations**: commits and reveals are of the `Operational` class, whose
//!   quarter of each block normal transactions cannot fill, and the pool orders every
//!   admissible attestation before any other transaction, whatever its tip. Only committee
//!   members' attestations that can succeed are admitted, so the lane holds no more than the
//!   paid jobs need.
//!
//! ## Off-chain worker
//!
//! On each block, every local `attr` key that belongs to an active attestor answers the jobs of
//! its committees, earliest deadline first, within the node's time budget per block: it commits
//! to those in their commit round, and every local key that committed reveals those in their
//! reveal round (whatever became of its status since), in one `commit_batch` and one
//! `reveal_batch` per block. Then it watches the pending results of other committees
//! ([`ocw`]).
//!
//! ## Calls
//!
//! `commit`, `reveal`, `commit_batch`, `reveal_batch` (committee members); `bond`, `unbond`,
//! `withdraw_unbonded`, `report_answer` (anyone); `challenge` (attestors); `add_attestor`,
//! `remove_attestor`, `set_params`, `set_stake_params`, `reinstate` (admin).

#![cfg_attr(not(feature = "std"), no_std)]
// A panic in the runtime is a bug: no unwrap or expect outside tests and benchmarks.
#![cfg_attr(
	not(any(test, feature = "runtime-benchmarks")),
	deny(clippy::unwrap_used, clippy::expect_used)
)]

extern crate alloc;

pub use pallet::*;

mod api;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
pub mod extension;
mod features;
mod invariants;
pub mod migrations;
#[cfg(test)]
mod mock;
pub mod ocw;
#[cfg(test)]
mod tests;
pub mod types;
pub mod vote;
pub mod weights;

pub use extension::CheckAttestation;
pub use openledger_primitives::{
	apis::TracedOutput,
	attribution::{
		Answer, Generation, InferOutcome, InferenceId, InferenceResult, Inferred, JobId,
		QualityFlags, RecordShare, Span, Trace, TrainOutcome, TrainingRecord,
	},
	datanets::ClassLabel,
	models::{ModelId, ModelStatus},
	traits::{
		AssetKind, AttributionJobs, DatanetInspect, InferenceHandler, ModelInspect, ModelLifecycle,
		Payees,
	},
	Balance,
};
pub use types::*;
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
	use frame_support::{
		dispatch::PostDispatchInfo,
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::{
		offchain::{AppCrypto, CreateSignedTransaction},
		pallet_prelude::*,
	};
	use sp_core::H256;
	use sp_runtime::{
		traits::{IdentifyAccount, Verify, Zero},
		Perbill,
	};

	/// The layout of this pallet's storage. A change of layout bumps it and comes with a
	/// migration ([`migrations`](crate::migrations), run by the runtime's `migrations`).
	/// 2: a training outcome carries its quality flags. 3: one engine version, and results
	/// decided by a majority of the committee (no quorum). 4: the flags live in the training
	/// record. 5: an inference's record keeps its `Answer`, a label or a continuation.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
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

		/// Where contributors' earnings are paid: a recheck leaves out the payees of the
		/// records a result pays, as it leaves out their contributors.
		type Payees: Payees<Self::AccountId>;

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

		/// The most commits, or reveals, one `commit_batch` or `reveal_batch` carries.
		#[pallet::constant]
		type MaxBatch: Get<u32>;

		/// The most jobs whose round ended that one block closes, and the most results it pays
		/// out: the rest wait, in order, for the next blocks, so that a block's own work stays
		/// bounded however many deadlines fall on it.
		#[pallet::constant]
		type MaxSettledPerBlock: Get<u32>;

		/// Records per chunk sent from the off-chain worker to the engine.
		#[pallet::constant]
		type IngestChunk: Get<u32>;

		/// What an attestor node signs its answers with ([`answer_payload`]), and how it is
		/// checked against the attestor's account: the runtime's `MultiSignature`.
		type AnswerSignature: Parameter
			+ Verify<Signer: IdentifyAccount<AccountId = Self::AccountId>>;

		/// The hash of the extrinsic being applied, if one is (`blake2_256` of its encoding):
		/// what binds an inference to its request, for [`Pallet::report_answer`].
		type RequestHash: Get<Option<H256>>;

		/// Weights of this pallet's calls, from `benchmark pallet`.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need from other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper<Self::AccountId, Self::AnswerSignature>;
	}

	/// What the benchmarks need from other pallets, and an answer's signature.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper<AccountId, Signature> {
		/// A `Training` model on a Datanet version of at least `records` records.
		fn training_model(records: u32) -> ModelId;
		/// Makes a `Training` model Active.
		fn activate(model: ModelId);
		/// A pending paid inference of the Active `model`, with its `Infer` job open here.
		fn inference(model: ModelId) -> InferenceId;
		/// A new account that can sign answers.
		fn answer_key() -> AccountId;
		/// `signer`'s signature of `payload`.
		fn sign_answer(signer: &AccountId, payload: &[u8]) -> Signature;
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

	/// Suspended accounts: they may not commit or challenge until reinstated, even after leaving
	/// the set and bonding in again.
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

	/// The members of open jobs whose commit came after the commit round closed: each is
	/// excused once (a `commit_batch` of late commits is included, and free), and a second late
	/// commit to the same job fails with `AlreadyCommitted`.
	#[pallet::storage]
	pub type LateCommits<T: Config> =
		StorageDoubleMap<_, Twox64Concat, JobId, Blake2_128Concat, T::AccountId, ()>;

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

	/// The first block whose `Deadlines` may not all be handled yet.
	#[pallet::storage]
	pub type DeadlineCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// The first block whose `Maturities` may not all be paid out yet.
	#[pallet::storage]
	pub type MaturityCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	/// Inferences decided and waiting out their challenge window.
	// Inference ids are sequential: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Pending<T: Config> = StorageMap<_, Twox64Concat, InferenceId, PendingResult<T>>;

	/// Unchallenged pending results by the block they are paid out in.
	#[pallet::storage]
	pub type Maturities<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, InferenceId, ()>;

	/// The consensus on each trained model, with the quality flags of its Datanet version as
	/// its winning outcome reported them: the most suspect records and the near-duplicates.
	/// Curators read them through `AttributionApi::training`; moderation acts on them with
	/// `datanets.remove`.
	#[pallet::storage]
	pub type Trainings<T: Config> = StorageMap<_, Twox64Concat, ModelId, TrainingRecord>;

	/// The continuation of each completed inference of an ∞-gram model: the generated text, its
	/// first step's candidates and its verbatim spans (its shares are in [`Inferences`]).
	#[pallet::storage]
	pub type Generations<T: Config> = StorageMap<_, Twox64Concat, InferenceId, Generation>;

	/// The trace of each completed inference of an external model: its output (the inference's
	/// input) with the output's token count and verbatim spans (its shares are in
	/// [`Inferences`]).
	#[pallet::storage]
	pub type Traces<T: Config> = StorageMap<_, Twox64Concat, InferenceId, TraceRecord<T>>;

	/// The consensus on each completed inference.
	#[pallet::storage]
	pub type Inferences<T: Config> = StorageMap<_, Twox64Concat, InferenceId, InferenceRecord<T>>;

	/// The extrinsic that requested each inference, and the hash of the outcome paid out, for
	/// [`Pallet::report_answer`]; pruned with the inference's record.
	// Inference ids are sequential: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Requests<T: Config> = StorageMap<_, Twox64Concat, InferenceId, InferenceRequest<T>>;

	/// Records to prune, by the block their retention ends in ([`Params`]`.retention`).
	// Block numbers and sequential ids: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Expiries<T: Config> =
		StorageDoubleMap<_, Twox64Concat, BlockNumberFor<T>, Twox64Concat, Expiring, ()>;

	/// The first block whose `Expiries` may not all be pruned yet.
	#[pallet::storage]
	pub type ExpiryCursor<T: Config> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The initial attestors.
		pub attestors: Vec<T::AccountId>,
		/// What each initial attestor bonds from its balance (0: none).
		pub bond: Balance,
		/// The engine version attestors must run.
		pub engine_version: u32,
		/// Strikes that suspend an attestor.
		pub max_strikes: u32,
		/// Attestors drawn to answer each job.
		pub committee_size: u32,
		/// Blocks an inference's result stays challengeable before it is paid out.
		pub challenge_window: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			let Params { max_strikes, committee_size, engine_version, .. } = Params::default();
			Self {
				attestors: Vec::new(),
				bond: 0,
				engine_version,
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
				max_strikes: self.max_strikes,
				committee_size: self.committee_size,
				engine_version: self.engine_version,
				..Params::default()
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
			/// Records the outcome flagged as suspect (high self-influence).
			suspects: u32,
			/// Records it flagged as near-duplicates of earlier ones.
			duplicates: u32,
		},
		/// The vote decided an inference.
		InferenceAttributed {
			job: JobId,
			inference: InferenceId,
			engine_version: u32,
			answer: Answer,
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
		/// Records past their retention period were pruned: `inferences` results (with their
		/// continuations and `agents` records) and `trainings` training records (with flags).
		RecordsPruned { inferences: u32, trainings: u32 },
		/// `attestor` had answered `inference` with outcome `answered` before the chain decided
		/// `decided`: it was struck and slashed `lost_slash` of its bond.
		AnswerReported {
			inference: InferenceId,
			attestor: T::AccountId,
			answered: H256,
			decided: H256,
		},
		/// Item `index` of a `commit_batch` or `reveal_batch` failed with `error` and changed
		/// nothing; the other items stand.
		BatchItemFailed { index: u32, job: JobId, error: DispatchError },
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
		/// Max strikes, committee size and engine version must be at least one.
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
		/// No recheck committee larger than the first can be drawn from the active attestors that
		/// are neither the challenger, nor in the first committee, nor paid by the result.
		NoRecheckers,
		/// The outcome is not of the engine version the job requires.
		WrongEngineVersion,
		/// A batch must carry at least one item.
		EmptyBatch,
		/// The job's vote involves more members than the batch's `members` witness.
		MembersAboveWitness,
		/// A classifier's inference answered with a continuation, or an ∞-gram's with a label.
		WrongOutcomeKind,
		/// A continuation's span lies outside its text, or its text is not UTF-8.
		MalformedGeneration,
		/// No inference of this id was requested by an extrinsic, or its record was pruned.
		UnknownRequest,
		/// The inference's result is not paid out yet: its answers are judged against it then.
		NotFinal,
		/// The signature is not the attestor's over the answer.
		BadAnswerSignature,
		/// The answer is the outcome the chain paid out: nothing to punish.
		AnswerMatches,
		/// This attestor was already reported for this inference.
		AlreadyReported,
		/// `MaxAttestors` attestors were already reported for this inference.
		TooManyReports,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::settle_due(now)
		}

		fn on_idle(now: BlockNumberFor<T>, remaining: Weight) -> Weight {
			Self::prune_due(now, remaining)
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
		/// - Emits `Committed`, and `RevealOpened` once every member has committed. Free when
		///   it succeeds; of the `Operational` class.
		#[pallet::call_index(0)]
		#[pallet::weight((T::WeightInfo::commit(T::MaxAttestors::get()), DispatchClass::Operational))]
		pub fn commit(
			origin: OriginFor<T>,
			job: JobId,
			commitment: H256,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let members = Self::do_commit(who, job, commitment)?;
			Ok(PostDispatchInfo {
				actual_weight: Some(T::WeightInfo::commit(members)),
				pays_fee: Pays::No,
			})
		}

		/// A committee member's outcome for a job, opening its commitment.
		///
		/// - Origin: a member that committed to the job, once, in its reveal round.
		/// - `outcome`: of the job's kind; for an inference, a label of the schema and at most
		///   `MaxTopK` records of the model's Datanet version, each once, summing to exactly one
		///   (or none).
		/// - Errors: `UnknownJob`, `RevealNotOpen`, `NotCommitted`, `AlreadyRevealed`,
		///   `DeadlinePassed`, `CommitmentMismatch`, `WrongJobKind`, `WrongEngineVersion`,
		///   `TooManyShares`, `LabelOutOfRange`, `SharesDoNotSumToOne`, `DuplicateRecord`,
		///   `UnknownRecord`, `UnknownModel`.
		/// - Emits `Revealed`; the last reveal takes the vote (`ModelTrained` or
		///   `InferenceAttributed`, or `NoMajority`, with `Struck` and `Slashed`). Free when it
		///   succeeds; of the `Operational` class.
		#[pallet::call_index(1)]
		#[pallet::weight((
			Pallet::<T>::reveal_applied_weight(Pallet::<T>::max_reveal_members(), T::MaxTopK::get()),
			DispatchClass::Operational
		))]
		pub fn reveal(
			origin: OriginFor<T>,
			job: JobId,
			salt: [u8; 32],
			outcome: Outcome,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let shares = outcome.shares().min(T::MaxTopK::get());
			let work = Self::do_reveal(who, job, salt, outcome, u32::MAX)?;
			Ok(PostDispatchInfo {
				actual_weight: Some(Self::reveal_weight(work, shares)),
				pays_fee: Pays::No,
			})
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

		/// Removes an attestor; its bond starts unbonding. Its strikes stay.
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
		/// - Errors: `InvalidParams` (a strike limit, committee size or engine version of zero).
		/// - A new `engine_version` applies to jobs opened from now on; open jobs keep theirs.
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
			Self::do_bond(who, amount)
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
			Self::do_withdraw_unbonded(who)
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

		/// Challenges an inference's pending result: a `Recheck` job re-executes it, with the
		/// result's engine version, by up to twice `committee_size` active attestors that are not
		/// the challenger, not in the committee that decided it and not paid by it; it must be
		/// larger than that committee. If the recheck's majority elects another outcome, the
		/// first majority is slashed `lost_slash` to the challenger and the corrected result is
		/// paid out; if it agrees, the deposit goes to the treasury; if it decides nothing, the
		/// deposit is returned and the result stands.
		///
		/// - Origin: an active attestor outside the deciding committee, within the window.
		/// - Holds `challenge_deposit` until the recheck is settled.
		/// - Errors: `NotAttestor`, `AttestorSuspended`, `NotPending`, `AlreadyChallenged`,
		///   `ChallengeWindowClosed`, `ChallengerInCommittee`, `NoRecheckers`, and the
		///   currency's if the deposit cannot be held.
		/// - Emits `Challenged` and `JobCreated { kind: Recheck }`. Of the `Operational` class.
		#[pallet::call_index(10)]
		#[pallet::weight((T::WeightInfo::challenge(T::MaxAttestors::get()), DispatchClass::Operational))]
		pub fn challenge(origin: OriginFor<T>, inference: InferenceId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_challenge(who, inference)
		}

		/// Many commits in one transaction: each item is `commit(job, commitment)`, applied in
		/// order and on its own. An item that fails changes nothing and is reported with its
		/// error (`BatchItemFailed`); the others stand.
		///
		/// - Origin: as `commit`, for every item; at most `MaxBatch` items.
		/// - Weight: `commit`'s per item, refunded to the committee size of each item that
		///   succeeded.
		/// - Errors: `EmptyBatch`; per item, those of `commit`.
		/// - Free when every item succeeds; otherwise it pays the fee of its weight. Of the
		///   `Operational` class.
		#[pallet::call_index(11)]
		#[pallet::weight((Pallet::<T>::commit_batch_weight(items.len()), DispatchClass::Operational))]
		pub fn commit_batch(
			origin: OriginFor<T>,
			items: BoundedVec<(JobId, H256), T::MaxBatch>,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_commit_batch(who, items)
		}

		/// Many reveals in one transaction: each item is `reveal(job, salt, outcome)`, applied
		/// in order and on its own. An item that fails changes nothing and is reported with its
		/// error (`BatchItemFailed`); the others stand.
		///
		/// `members` is a witness: the most members any item's vote may strike, its committee
		/// (and, for a recheck, the first committee's majority; see [`Pallet::reveal_members`]).
		/// It bounds the weight declared before the jobs are read.
		///
		/// - Origin: as `reveal`, for every item; at most `MaxBatch` items.
		/// - Weight: `reveal`'s per item for `members` and its number of shares, refunded to
		///   what each item that succeeded did.
		/// - Errors: `EmptyBatch`; per item, those of `reveal`, and `MembersAboveWitness` for a
		///   job with more members than `members`.
		/// - Free when every item succeeds; otherwise it pays the fee of its weight. Of the
		///   `Operational` class.
		#[pallet::call_index(12)]
		#[pallet::weight((Pallet::<T>::reveal_batch_weight(items, *members), DispatchClass::Operational))]
		pub fn reveal_batch(
			origin: OriginFor<T>,
			items: BoundedVec<(JobId, [u8; 32], Outcome), T::MaxBatch>,
			members: u32,
		) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			Self::do_reveal_batch(who, items, members)
		}

		/// Reports an attestor node whose answer to an inference, given before the chain's
		/// (`attribution_answer`), is not the outcome the chain paid out.
		///
		/// `signature` is `attestor`'s over [`answer_payload`]`(extrinsic, outcome)`, where
		/// `extrinsic` is the hash of the extrinsic that requested `inference` and `outcome` the
		/// hash of the outcome the node answered. An honest node answers what its engine
		/// computes, which is what an honest committee decides: an answer that differs is a
		/// lie to the application that paid, and costs the attestor a strike and `lost_slash`
		/// of its bond, as a lost vote does. The slash goes to the treasury, whoever reports,
		/// so that reporting oneself first escapes nothing.
		///
		/// - Origin: signed, anyone (the application that got the answer, or anyone it gave it
		///   to); once the result is paid out, until its record is pruned.
		/// - Errors: `UnknownRequest`, `NotFinal`, `BadAnswerSignature`, `NotAttestor` (the
		///   account neither is an attestor nor holds a bond), `AnswerMatches`,
		///   `AlreadyReported`, `TooManyReports`.
		/// - Emits `AnswerReported`, `Struck`, `Slashed`. Free when it succeeds.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::report_answer())]
		pub fn report_answer(
			origin: OriginFor<T>,
			inference: InferenceId,
			attestor: T::AccountId,
			outcome: H256,
			signature: T::AnswerSignature,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_report_answer(inference, attestor, outcome, signature)?;
			Ok(Pays::No.into())
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
			let job =
				Self::open(JobKind::Infer { inference, model }, input, T::InferencePeriod::get())?;
			Self::note_request(inference, job);
			Ok(())
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
