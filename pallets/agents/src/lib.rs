//! # Agents
//!
//! The agent registry: services that call a model on behalf of users, each with its own fee
//! per inference and a bond.
//!
//! ## Terms
//!
//! - **Bond**: registering holds [`Config::AgentBond`]. Moderation can slash a fraction of it
//!   to the treasury.
//! - **Unbonding**: `unregister` stops the agent and starts a delay of
//!   [`Config::UnbondingPeriod`] blocks; after it, `withdraw_bond` releases what is left of the
//!   bond and deletes the agent.
//! - An agent can be registered on a model that is `Training` or `Active`, not on one that is
//!   `Failed` or `Retired`. Models are read through [`ModelInspect`], never through their
//!   pallet's crate.
//!
//! - **Inference**: `invoke(agent, input, max_fee)` checks the input against the model's
//!   Datanet schema, holds the model's fee plus the agent's (at most `max_fee`) from the caller,
//!   and asks Proof of Attribution for an `Infer` job ([`AttributionJobs`]). When the attestors
//!   agree ([`InferenceHandler::completed`]), the fee moves to the rewards pot and is split
//!   ([`RewardSink`]), and `InferenceCompleted` carries its [`Answer`] (a label, or a
//!   continuation); if the job expires, the caller gets the whole fee back
//!   (`InferenceRefunded`).
//!
//! ## Calls
//!
//! `register`, `set_metadata`, `set_fee`, `unregister`, `withdraw_bond`, `slash`, `invoke`,
//! `set_min_fee` (admin).

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
mod features;
mod invariants;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use openledger_primitives::{
	agents::{AgentId, AgentStatus, InferenceStatus},
	attribution::{Answer, InferenceId, InferenceResult},
	datanets::ClassLabel,
	models::{ModelId, ModelStatus},
	traits::{
		AssetKind, AttributionJobs, DatanetInspect, Holdings, InferenceHandler, ModelInspect,
		RewardParties, RewardSink,
	},
};
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::Perbill;

	/// The layout of this pallet's storage. A change of layout bumps it and comes with a
	/// migration ([`migrations`](crate::migrations), run by the runtime's `migrations`).
	/// 2: a completed inference's status keeps its `Answer`, a label or a continuation.
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// An agent's bond.
		AgentBond,
		/// The fees of a pending inference.
		InferenceFee,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency that bonds are held in (OPEN).
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Where models are read.
		type Models: ModelInspect<Self::AccountId, BalanceOf<Self>>;

		/// Where the models' Datanet schemas are read, to check inputs.
		type Datanets: DatanetInspect<Self::AccountId, BlockNumberFor<Self>>;

		/// Where inference jobs are created (Proof of Attribution).
		type Jobs: AttributionJobs;

		/// Where the fees of completed inferences go.
		type Rewards: RewardSink<Self::AccountId, BalanceOf<Self>>;

		/// The agents' items (collection 2 of `pallet-nfts` in the runtime): an agent is
		/// minted to its registrant, and whoever holds its item is its owner.
		type Holdings: Holdings<Self::AccountId>;

		/// The longest inference input, in bytes.
		#[pallet::constant]
		type MaxInputLen: Get<u32>;

		/// The origin that may slash agents (moderation).
		type ModeratorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The origin that sets the minimum fee of an inference.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The minimum fee of an inference until the admin sets one.
		#[pallet::constant]
		type DefaultMinFee: Get<BalanceOf<Self>>;

		/// The account that receives slashed bonds.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// The bond held for each agent.
		#[pallet::constant]
		type AgentBond: Get<BalanceOf<Self>>;

		/// Blocks between `unregister` and `withdraw_bond`.
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// The longest metadata, in bytes.
		#[pallet::constant]
		type MaxMetadataLen: Get<u32>;

		/// Weights of this pallet's calls, from `benchmark pallet`.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need from other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// What the benchmarks need from other pallets.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper {
		/// A model that accepts agents, created if needed.
		fn model() -> ModelId;
		/// An Active model, created if needed: on a Text Datanet where the runtime can make
		/// one, since a text input may be as long as `MaxInputLen` and is checked byte by byte.
		fn active_model() -> ModelId;
		/// Makes opening a job cost the most: the attestor set full, committees as large as it
		/// (the draw reads every attestor), and the longest extrinsic being applied (the job
		/// keeps its hash). Nothing where jobs are mocked.
		fn most_attestors() {}
	}

	/// The id the next agent gets.
	#[pallet::storage]
	pub type NextAgentId<T> = StorageValue<_, AgentId, ValueQuery>;

	/// The registered agents.
	// Ids are sequential, not chosen by users: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Agents<T: Config> = StorageMap<_, Twox64Concat, AgentId, AgentOf<T>>;

	/// The id the next inference gets.
	#[pallet::storage]
	pub type NextInferenceId<T> = StorageValue<_, InferenceId, ValueQuery>;

	/// Paid inferences. A completed or refunded one is forgotten when the attribution pallet
	/// prunes it, after its retention period (`InferenceHandler::pruned`).
	#[pallet::storage]
	pub type Inferences<T: Config> = StorageMap<_, Twox64Concat, InferenceId, Inference<T>>;

	/// The least an inference's fee (the model's plus the agent's) may be: every inference
	/// costs every attestor of its committee real work, so none is free.
	#[pallet::storage]
	pub type MinFee<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery, T::DefaultMinFee>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An agent was registered on a model.
		AgentRegistered {
			agent: AgentId,
			owner: T::AccountId,
			model: ModelId,
			fee: BalanceOf<T>,
			bond: BalanceOf<T>,
		},
		/// An agent's metadata changed.
		MetadataSet { agent: AgentId },
		/// An agent's fee per inference changed.
		FeeSet { agent: AgentId, fee: BalanceOf<T> },
		/// An agent was unregistered; its bond can be withdrawn from block `until`.
		AgentUnregistered { agent: AgentId, until: BlockNumberFor<T> },
		/// An agent's remaining bond was released and the agent deleted.
		BondWithdrawn { agent: AgentId, amount: BalanceOf<T> },
		/// Moderation slashed part of an agent's bond to the treasury.
		AgentSlashed { agent: AgentId, amount: BalanceOf<T> },
		/// A caller paid for an inference; the attestors will answer it.
		InferenceRequested {
			inference: InferenceId,
			agent: AgentId,
			model: ModelId,
			caller: T::AccountId,
			fee: BalanceOf<T>,
		},
		/// The attestors agreed on an inference; its fee was split.
		InferenceCompleted {
			inference: InferenceId,
			agent: AgentId,
			answer: Answer,
			records: u32,
			fee: BalanceOf<T>,
		},
		/// An inference expired unanswered; the caller got the fee back.
		InferenceRefunded { inference: InferenceId, caller: T::AccountId, amount: BalanceOf<T> },
		/// The minimum fee of an inference changed.
		MinFeeSet { fee: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No model has this id.
		UnknownModel,
		/// The model is `Failed` or `Retired` and takes no agents.
		ModelUnavailable,
		/// The metadata is longer than `MaxMetadataLen`.
		MetadataTooLong,
		/// No agent has this id.
		UnknownAgent,
		/// Only the agent's owner may do this.
		NotOwner,
		/// The agent is unregistered (unbonding).
		NotActive,
		/// The agent is still registered: `unregister` it first.
		NotUnbonding,
		/// The unbonding period has not ended yet.
		StillUnbonding,
		/// The slash would take nothing.
		NothingToSlash,
		/// The agent id counter would overflow.
		Overflow,
		/// The model is not Active: it cannot infer yet, or any more.
		ModelNotActive,
		/// The input does not fit the model's Datanet schema.
		InvalidInput,
		/// The input is longer than `MaxInputLen`.
		InputTooLong,
		/// The model's and the agent's fees add up to more than `max_fee`.
		FeeAboveMax,
		/// The model's and the agent's fees add up to less than `MinFee`.
		FeeBelowMinimum,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Register an agent on a model.
		///
		/// - Origin: signed; the signer becomes the owner.
		/// - The model must exist and be `Training` or `Active`.
		/// - Holds `AgentBond`.
		/// - Errors: `UnknownModel`, `ModelUnavailable`, `MetadataTooLong`, or a balance error
		///   if the bond cannot be held.
		/// - Emits `AgentRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			model: ModelId,
			metadata: Vec<u8>,
			fee: BalanceOf<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register(owner, model, metadata, fee).map(|_| ())
		}

		/// Set an agent's metadata.
		///
		/// - Origin: signed by the agent's owner.
		/// - Errors: `UnknownAgent`, `NotOwner`, `NotActive`, `MetadataTooLong`.
		/// - Emits `MetadataSet`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_metadata())]
		pub fn set_metadata(
			origin: OriginFor<T>,
			agent: AgentId,
			metadata: Vec<u8>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_metadata(&who, agent, metadata)
		}

		/// Set an agent's fee per inference.
		///
		/// - Origin: signed by the agent's owner.
		/// - Errors: `UnknownAgent`, `NotOwner`, `NotActive`.
		/// - Emits `FeeSet`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_fee())]
		pub fn set_fee(origin: OriginFor<T>, agent: AgentId, fee: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_fee(&who, agent, fee)
		}

		/// Unregister an agent and start its unbonding period.
		///
		/// - Origin: signed by the agent's owner.
		/// - Errors: `UnknownAgent`, `NotOwner`, `NotActive`.
		/// - Emits `AgentUnregistered`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::unregister())]
		pub fn unregister(origin: OriginFor<T>, agent: AgentId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_unregister(&who, agent)
		}

		/// Release the bond of an unregistered agent after its unbonding period, and delete
		/// the agent.
		///
		/// - Origin: signed by the agent's owner.
		/// - Errors: `UnknownAgent`, `NotOwner`, `NotUnbonding`, `StillUnbonding`.
		/// - Emits `BondWithdrawn`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::withdraw_bond())]
		pub fn withdraw_bond(origin: OriginFor<T>, agent: AgentId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw_bond(&who, agent)
		}

		/// Pay for an inference of `input` by the agent's model.
		///
		/// - Origin: signed; the signer pays.
		/// - The agent must be registered and its model Active; `input` must fit the model's
		///   Datanet schema (a record without a label).
		/// - Holds the model's fee plus the agent's, which must be at least `MinFee` and must not
		///   exceed `max_fee`, until the
		///   attestors answer (the fee is split) or the job expires (it is refunded).
		/// - Errors: `UnknownAgent`, `NotActive`, `UnknownModel`, `ModelNotActive`,
		///   `InputTooLong`, `InvalidInput`, `FeeAboveMax`, `FeeBelowMinimum`, or a balance
		///   error.
		/// - Emits `InferenceRequested`; later `InferenceCompleted` or `InferenceRefunded`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::invoke())]
		pub fn invoke(
			origin: OriginFor<T>,
			agent: AgentId,
			input: Vec<u8>,
			max_fee: BalanceOf<T>,
		) -> DispatchResult {
			let caller = ensure_signed(origin)?;
			Self::do_invoke(caller, agent, input, max_fee).map(|_| ())
		}

		/// Slash a fraction of an agent's bond to the treasury.
		///
		/// - Origin: `ModeratorOrigin`.
		/// - Works on registered and unbonding agents alike.
		/// - Errors: `UnknownAgent`, `NothingToSlash`.
		/// - Emits `AgentSlashed`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::slash())]
		pub fn slash(origin: OriginFor<T>, agent: AgentId, fraction: Perbill) -> DispatchResult {
			T::ModeratorOrigin::ensure_origin(origin)?;
			Self::do_slash(agent, fraction)
		}

		/// Set the least an inference's fee (the model's plus the agent's) may be.
		///
		/// - Origin: `AdminOrigin`.
		/// - Emits `MinFeeSet`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::set_min_fee())]
		pub fn set_min_fee(origin: OriginFor<T>, fee: BalanceOf<T>) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_min_fee(fee)
		}
	}
}
