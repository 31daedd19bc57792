//! # Models
//!
//! The model registry: small specialised classifiers, ∞-grams and external models, each trained
//! on one or more Datanet versions, its sources.
//!
//! ## Terms
//!
//! - **Spec** ([`ModelSpec`]): the featurizer, the architecture (softmax regression, or an MLP
//!   with one or two hidden layers), epochs, learning rate, batch size, L2 and the
//!   seed. Every field is bounded by this pallet's constants, and the featurizer must match the
//!   Datanet's schema (`HashedNgrams` for Text, `Raw` for Dense).
//! - **Status** ([`ModelStatus`]): `Training` when registered; `Active { accuracy,
//!   weights_hash }` once the attestors agree on the trained model, or `Failed` if they cannot
//!   train it (both set through [`ModelLifecycle`] by Proof of Attribution); `Retired` by the
//!   owner or moderation.
//! - **Sources** ([`Source`]): the Datanet versions a model trains on, at most
//!   [`Config::MaxSources`], of distinct Datanets of one schema, each with a weight (1 to
//!   [`MAX_SOURCE_WEIGHT`]): the times its records count in training. A share names a record by
//!   its position in the sources' records one after another
//!   ([`openledger_primitives::models::locate`]); on one source, that is its position in the
//!   Datanet's log. Index models (∞-gram, external) take each source once.
//! - **Cost** ([`SpecCost`]): what training and attributing the spec on its sources asks of
//!   every attestor's engine, estimated by [`ModelSpec::cost`] from their weighted record
//!   count: peak memory, arithmetic to train, and arithmetic per inference (which a model
//!   attributed by replay, [`AttributionMethod::Replay`], makes a few trainings). A
//!   registration above the governed [`CostLimit`] fails with `InvalidSpec`
//!   ([`SpecError::MemoryOverLimit`], [`SpecError::ComputeOverLimit`] or
//!   [`SpecError::QueryOverLimit`]), so one cheap registration cannot exhaust the attestors.
//! - **Owner**: a model is an NFT, the item of its id in the models' collection
//!   ([`Config::Holdings`]), minted to the account that registers it. Whoever holds the item
//!   owns the model for every purpose: `set_fee` and `retire`, and the owner's part of every
//!   fee, read when the fee is split. Transfers, approvals and sales are `pallet-nfts`' own
//!   calls. The runtime API and [`ModelInspect`] give the holder as `owner`; storage keeps the
//!   registrant there, the account whose deposit the model holds.
//! - **Deposit**: registering holds [`Config::ModelDeposit`] plus [`Config::DepositPerByte`] for
//!   each byte of metadata from the registrant. It stays held on the registrant when the model
//!   changes hands (as `pallet-nfts`' own item deposits do), and retiring releases it to the
//!   registrant; the retired entry stays as a record.
//!
//! Other pallets read models through [`ModelInspect`], never through this crate.
//!
//! ## Calls
//!
//! `register` (one source), `register_mix` (several), `set_fee`, `retire`, `force_retire`,
//! `set_cost_limit` (admin).

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
	datanets::{DatanetId, VersionIndex},
	models::{
		Architecture, AttributionMethod, Featurizer, ModelId, ModelSpec, ModelSpecV1, ModelStatus,
		SpecCost, SpecError, SpecLimits, MAX_SOURCE_WEIGHT,
	},
	traits::{AssetKind, AttributionJobs, DatanetInspect, Holdings, ModelInspect, ModelLifecycle},
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
	use sp_core::H256;
	use sp_runtime::Perbill;

	/// The layout of this pallet's storage. A change of layout bumps it and comes with a
	/// migration (see the runtime's `migrations`).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a registered model.
		ModelDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency that deposits are held in (OPEN).
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// Where Datanets, their schemas and versions are read.
		type Datanets: DatanetInspect<Self::AccountId, BlockNumberFor<Self>>;

		/// Where a registered model's training job is created (Proof of Attribution).
		type Jobs: AttributionJobs;

		/// The models' items (collection 1 of `pallet-nfts` in the runtime): a model is
		/// minted to its registrant, and whoever holds its item is its owner.
		type Holdings: Holdings<Self::AccountId>;

		/// The origin that may retire any model (moderation).
		type ModeratorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The origin that sets the cost limit.
		type AdminOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The cost limit until the admin sets one.
		#[pallet::constant]
		type DefaultCostLimit: Get<SpecCost>;

		/// The base deposit for registering a model.
		#[pallet::constant]
		type ModelDeposit: Get<BalanceOf<Self>>;

		/// The deposit for each byte of metadata.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// The longest metadata, in bytes.
		#[pallet::constant]
		type MaxMetadataLen: Get<u32>;

		/// The most Datanet versions one model trains on (changed by a runtime upgrade, that
		/// is by referendum).
		#[pallet::constant]
		type MaxSources: Get<u32>;

		/// The smallest hashed feature dimension (Text).
		#[pallet::constant]
		type MinFeatureDims: Get<u32>;

		/// The largest hashed feature dimension (Text).
		#[pallet::constant]
		type MaxFeatureDims: Get<u32>;

		/// The widest hidden layer.
		#[pallet::constant]
		type MaxHidden: Get<u16>;

		/// The most epochs.
		#[pallet::constant]
		type MaxEpochs: Get<u16>;

		/// The largest minibatch.
		#[pallet::constant]
		type MaxBatchSize: Get<u16>;

		/// The least minimum span length, in tokens, an external model may ask for: shorter
		/// spans are common phrases, not quotations.
		#[pallet::constant]
		type MinSpanTokens: Get<u16>;

		/// The greatest minimum span length an external model may ask for.
		#[pallet::constant]
		type MaxSpanTokens: Get<u16>;

		/// Weights of this pallet's calls, from `benchmark pallet`.
		type WeightInfo: WeightInfo;

		/// Sets up what the benchmarks need from other pallets.
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: BenchmarkHelper;
	}

	/// What the benchmarks need from other pallets.
	#[cfg(feature = "runtime-benchmarks")]
	pub trait BenchmarkHelper {
		/// A published version of a Dense Datanet, created if needed.
		fn dense_datanet_version() -> (DatanetId, VersionIndex);
		/// Makes opening a job cost the most: the attestor set full, and committees as large
		/// as it (the draw reads every attestor). Nothing where jobs are mocked.
		fn most_attestors() {}
		/// Gives the open `Train` job of `model` a commit and a reveal from every member of its
		/// committee, so that retiring the model removes the most. Nothing where jobs are
		/// mocked.
		fn full_training_job(_model: ModelId) {}
	}

	/// The id the next model gets.
	#[pallet::storage]
	pub type NextModelId<T> = StorageValue<_, ModelId, ValueQuery>;

	/// The registered models.
	// Ids are sequential, not chosen by users: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Models<T: Config> = StorageMap<_, Twox64Concat, ModelId, ModelOf<T>>;

	/// The largest [`SpecCost`] a registration may ask of the attestors (`DefaultCostLimit`
	/// until the admin sets one).
	#[pallet::storage]
	pub type CostLimit<T: Config> = StorageValue<_, SpecCost, ValueQuery, T::DefaultCostLimit>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A model was registered on its sources, and is `Training`.
		ModelRegistered {
			model: ModelId,
			owner: T::AccountId,
			sources: Vec<Source>,
			fee: BalanceOf<T>,
			deposit: BalanceOf<T>,
		},
		/// A model's fee per inference changed.
		FeeSet { model: ModelId, fee: BalanceOf<T> },
		/// A model was retired, and its deposit released.
		ModelRetired { model: ModelId, by_moderation: bool },
		/// The attestors agreed on a trained model.
		ModelActivated { model: ModelId, accuracy: Perbill, weights_hash: H256 },
		/// The attestors could not train a model.
		ModelFailed { model: ModelId },
		/// The cost limit on registrations changed.
		CostLimitSet { limit: SpecCost },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No Datanet has this id.
		UnknownDatanet,
		/// The Datanet has no published version with this number.
		UnknownVersion,
		/// The spec is not acceptable: the nested error says why.
		InvalidSpec(SpecError),
		/// The metadata is longer than `MaxMetadataLen`.
		MetadataTooLong,
		/// No model has this id.
		UnknownModel,
		/// Only the model's owner may do this.
		NotOwner,
		/// The model is retired.
		Retired,
		/// The model is not `Training`.
		NotTraining,
		/// The model id counter would overflow, or the sources' records do not fit a `u32`.
		Overflow,
		/// A registration names no source.
		NoSources,
		/// A registration names more sources than `MaxSources`.
		TooManySources,
		/// A registration names one Datanet twice (weight it instead).
		DuplicateDatanet,
		/// A source's weight is zero or above `MAX_SOURCE_WEIGHT`.
		WeightOutOfBounds,
		/// The sources' Datanets do not have one schema.
		SchemaMismatch,
		/// An index model (∞-gram, external) with a source of weight other than 1: an index
		/// counts each record's text once.
		WeightedIndex,
	}

	impl<T> From<SpecError> for Error<T> {
		fn from(e: SpecError) -> Self {
			Error::InvalidSpec(e)
		}
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
		/// Register a model: a spec trained on a published Datanet version, with a fee per
		/// inference.
		///
		/// - Origin: signed; the signer becomes the owner.
		/// - The spec is checked against this pallet's bounds and the Datanet's schema, and its
		///   estimated cost on the version ([`ModelSpec::cost`]) against `CostLimit`.
		/// - Holds `ModelDeposit + DepositPerByte × metadata bytes`.
		/// - The model starts `Training`.
		/// - Errors: `UnknownDatanet`, `UnknownVersion`, `InvalidSpec` (the nested
		///   [`SpecError`] says which bound, schema or cost limit the spec breaks),
		///   `MetadataTooLong`, or a balance error if the deposit cannot be held.
		/// - Emits `ModelRegistered`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register())]
		pub fn register(
			origin: OriginFor<T>,
			datanet: DatanetId,
			version: VersionIndex,
			spec: ModelSpec,
			fee: BalanceOf<T>,
			metadata: Vec<u8>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register(owner, &[(datanet, version, 1)], spec, fee, metadata).map(|_| ())
		}

		/// Register a model trained on several Datanet versions: `mix` names each source as
		/// `(Datanet, version, weight)`, in the order that places their records (a share
		/// names a record by its position in the sources' records one after another), and
		/// the weight is the times each of the source's records counts in training.
		///
		/// - Origin: signed; the signer becomes the owner.
		/// - The sources: published versions of distinct Datanets of one schema, weights 1 to
		///   `MAX_SOURCE_WEIGHT` (1 for an ∞-gram or an external model), at most `MaxSources`.
		/// - The spec and deposit as for `register`, the cost on the sources' weighted records.
		/// - Errors: those of `register`, and `NoSources`, `TooManySources`,
		///   `DuplicateDatanet`, `WeightOutOfBounds`, `SchemaMismatch`, `WeightedIndex`.
		/// - Emits `ModelRegistered`.
		#[pallet::call_index(5)]
		#[pallet::weight(Pallet::<T>::register_weight(mix.len() as u32))]
		pub fn register_mix(
			origin: OriginFor<T>,
			mix: BoundedVec<(DatanetId, VersionIndex, u8), T::MaxSources>,
			spec: ModelSpec,
			fee: BalanceOf<T>,
			metadata: Vec<u8>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_register(owner, &mix, spec, fee, metadata).map(|_| ())
		}

		/// Set a model's fee per inference.
		///
		/// - Origin: signed by the model's owner.
		/// - Errors: `UnknownModel`, `NotOwner`, `Retired`.
		/// - Emits `FeeSet`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::set_fee())]
		pub fn set_fee(origin: OriginFor<T>, model: ModelId, fee: BalanceOf<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_fee(who, model, fee)
		}

		/// Retire a model: it takes no new agents or inferences, and its deposit is released. A
		/// model still `Training` has its training job closed.
		///
		/// - Origin: signed by the model's owner.
		/// - Errors: `UnknownModel`, `NotOwner`, `Retired`.
		/// - Emits `ModelRetired`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::retire())]
		pub fn retire(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_retire(who, model)
		}

		/// Retire any model, as moderation; its deposit is released to its owner.
		///
		/// - Origin: `ModeratorOrigin`.
		/// - Errors: `UnknownModel`, `Retired`.
		/// - Emits `ModelRetired`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::retire())]
		pub fn force_retire(origin: OriginFor<T>, model: ModelId) -> DispatchResult {
			T::ModeratorOrigin::ensure_origin(origin)?;
			Self::do_force_retire(model)
		}

		/// Set the largest cost a registration may ask of the attestors. Registered models
		/// keep training under the limit they were registered with.
		///
		/// - Origin: `AdminOrigin`.
		/// - Emits `CostLimitSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_cost_limit())]
		pub fn set_cost_limit(origin: OriginFor<T>, limit: SpecCost) -> DispatchResult {
			T::AdminOrigin::ensure_origin(origin)?;
			Self::do_set_cost_limit(limit)
		}
	}
}
