//! # Rewards
//!
//! Splits the fee of every attributed inference among the people behind it, and pays out.
//!
//! ## Terms
//!
//! - **Split** ([`RewardSplit`]): contributors 50%, model owner 20%, agent 10%, attestors 15%,
//!   treasury 5% by default. [`Config::EconomicsOrigin`] changes it; it must sum to 100%.
//! - **Distribution** ([`RewardSink::distribute`], called when the attestors agree): the fee is
//!   already in this pallet's account (the pot). The contributors' part follows the
//!   attribution shares, each record's part to the record's contributor; the attestors' part
//!   goes in equal parts to those that agreed with consensus; what rounding, missing records or
//!   an empty set leave over goes to the treasury. Nothing is transferred yet: every part
//!   accrues to a **claimable** balance.
//! - **Claims**: `claim` pays the signer's claimable balance out of the pot; `claim_for` does it
//!   for any account (the treasury's, for one). A payout that would leave dust in an empty
//!   account (below the existential deposit) is refused, never attempted.
//! - **Emission**: [`Emission`] new OPEN per epoch of [`Config::EpochLength`] blocks (0 by
//!   default), minted into the pot and shared in proportion to what contributors earned by
//!   attribution in that epoch (at most [`Config::MaxEpochEarners`] of them).
//! - **Payees**: a contributor may name another account to be paid what its records earn from
//!   then on, by attribution and by emission (`set_payee`), for example a new wallet; what has
//!   accrued stays claimable by the contributor, which can move it with `move_claimable`. A
//!   payee is one hop: the payee's own payee is not followed.
//! - **Revenue shares**: the holder of a model or an agent may split its owner share among up
//!   to [`Config::MaxShareholders`] accounts in fixed parts (`set_revenue_shares`). The split is
//!   in force while the holder that set it holds the asset: a sale ends it, and the buyer is
//!   paid the whole share. A fee split credits the share once, to the asset's [`Revenue`];
//!   `settle_revenue`, which anyone may call, credits it to the split's accounts, each its part
//!   rounded down and the first account the remainder, so they sum to exactly what was earned.
//! - **Totals**: lifetime earnings per record and per contributor (whoever was paid), for the
//!   runtime API.
//!
//! ## Calls
//!
//! `claim`, `claim_for`, `set_payee`, `move_claimable`, `set_revenue_shares`,
//! `settle_revenue`; `set_reward_split`, `set_emission` (economics).

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
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

pub use openledger_primitives::{
	attribution::{InferenceId, RecordShare},
	datanets::DatanetId,
	rewards::{RevenueShares, RewardSplit},
	traits::{AssetKind, DatanetInspect, Holdings, RewardParties, RewardSink},
};
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate},
		PalletId,
	};
	use frame_system::pallet_prelude::*;

	/// The layout of this pallet's storage. A change of layout bumps it and comes with a
	/// migration (see the runtime's `migrations`).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(1);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// OPEN.
		type Currency: Inspect<Self::AccountId> + Mutate<Self::AccountId>;

		/// The pot's account is derived from it.
		#[pallet::constant]
		type PalletId: Get<PalletId>;

		/// The treasury's account.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// Changes the split and the emission.
		type EconomicsOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Where records' contributors are read.
		type Datanets: DatanetInspect<Self::AccountId, BlockNumberFor<Self>>;

		/// Who holds each model and agent, and so may split its owner share.
		type Holdings: Holdings<Self::AccountId>;

		/// The most accounts one asset's owner share is split among.
		#[pallet::constant]
		type MaxShareholders: Get<u32>;

		/// Blocks per emission epoch.
		#[pallet::constant]
		type EpochLength: Get<BlockNumberFor<Self>>;

		/// The most contributors that share one epoch's emission.
		#[pallet::constant]
		type MaxEpochEarners: Get<u32>;

		/// Weights of this pallet's calls, from `benchmark pallet`.
		type WeightInfo: WeightInfo;
	}

	/// The split of inference fees.
	#[pallet::storage]
	pub type Split<T> = StorageValue<_, RewardSplit, ValueQuery>;

	/// New OPEN per epoch for contributors (0: none).
	#[pallet::storage]
	pub type Emission<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// What each account may claim.
	#[pallet::storage]
	pub type Claimable<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// The sum of [`Claimable`].
	#[pallet::storage]
	pub type TotalClaimable<T: Config> = StorageValue<_, BalanceOf<T>, ValueQuery>;

	/// What each record (Datanet, position in its accepted log) has earned, in all.
	#[pallet::storage]
	pub type RecordEarnings<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Twox64Concat, u32, BalanceOf<T>, ValueQuery>;

	/// What each contributor's records have earned by attribution and emission, in all, whoever
	/// it was paid to.
	#[pallet::storage]
	pub type ContributorEarnings<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	/// Where each contributor's records' earnings are paid, if not to the contributor
	/// (`set_payee`).
	#[pallet::storage]
	pub type Payees<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, T::AccountId, OptionQuery>;

	/// The revenue shares of each model and agent whose holder set them (by kind and id).
	#[pallet::storage]
	#[pallet::storage_prefix = "RevenueShares"]
	pub type RevenueSharesOf<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		AssetKind,
		Twox64Concat,
		u32,
		RevenueShares<T::AccountId, RevenuePartsOf<T>>,
		OptionQuery,
	>;

	/// What each asset's revenue shares have earned and `settle_revenue` has not yet credited to
	/// their accounts; counted in [`TotalClaimable`].
	#[pallet::storage]
	pub type Revenue<T: Config> =
		StorageDoubleMap<_, Twox64Concat, AssetKind, Twox64Concat, u32, BalanceOf<T>, ValueQuery>;

	/// What contributors earned by attribution in the current epoch.
	#[pallet::storage]
	pub type EpochEarnings<T: Config> =
		CountedStorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

	#[pallet::genesis_config]
	#[derive(frame_support::DefaultNoBound)]
	pub struct GenesisConfig<T: Config> {
		/// The emission per epoch.
		pub emission: BalanceOf<T>,
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			Emission::<T>::put(self.emission);
			Split::<T>::put(RewardSplit::default());
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An inference's fee was split into claimable balances.
		RewardsDistributed {
			inference: InferenceId,
			fee: BalanceOf<T>,
			contributors: BalanceOf<T>,
			model_owner: BalanceOf<T>,
			agent: BalanceOf<T>,
			attestors: BalanceOf<T>,
			treasury: BalanceOf<T>,
		},
		/// A claimable balance was paid out.
		Claimed { who: T::AccountId, amount: BalanceOf<T> },
		/// An epoch's emission was minted and shared.
		EmissionDistributed { minted: BalanceOf<T>, earners: u32 },
		/// The split changed.
		RewardSplitSet { split: RewardSplit },
		/// The emission per epoch changed.
		EmissionSet { emission: BalanceOf<T> },
		/// A contributor's records are paid to `payee` from now on (`None`: to the
		/// contributor).
		PayeeSet { contributor: T::AccountId, payee: Option<T::AccountId> },
		/// A claimable balance moved to another account.
		ClaimableMoved { from: T::AccountId, to: T::AccountId, amount: BalanceOf<T> },
		/// The holder of asset `id` of `kind` split its owner share among `parts` (none: the
		/// holder is paid the whole share again).
		RevenueSharesSet {
			kind: AssetKind,
			id: u32,
			holder: T::AccountId,
			parts: alloc::vec::Vec<(T::AccountId, u32)>,
		},
		/// What asset `id`'s revenue shares earned was credited to their accounts.
		RevenueSettled { kind: AssetKind, id: u32, amount: BalanceOf<T> },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The split does not sum to exactly 100%.
		SplitNotWhole,
		/// Nothing to claim.
		NothingToClaim,
		/// The payout would leave an empty account below the existential deposit: wait until
		/// more accrues, or fund the account first.
		BelowExistentialDeposit,
		/// A claimable balance cannot move to the account that holds it.
		MoveToSelf,
		/// Only a model's or an agent's owner share can be split: a Datanet has none.
		NoOwnerShare,
		/// The signer does not hold the asset's item.
		NotHolder,
		/// Every part of a split is above zero.
		ZeroPart,
		/// An account appears twice in a split.
		DuplicateShareholder,
		/// The asset's revenue shares have earned nothing since they were last settled.
		NothingToSettle,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			Self::settle_epoch(now)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Pays the signer's claimable balance out of the pot.
		///
		/// - Errors: `NothingToClaim`, `BelowExistentialDeposit`.
		/// - Emits `Claimed`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_claim(who)
		}

		/// Pays `who`'s claimable balance to `who` (any signer may trigger it).
		///
		/// - Errors: `NothingToClaim`, `BelowExistentialDeposit`.
		/// - Emits `Claimed`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim_for(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_claim(who)
		}

		/// Pays `payee` what the signer's records earn from now on, by attribution and by
		/// emission (an epoch's emission goes to the payee named when the epoch ends); `None`,
		/// or the signer itself, pays the signer again. What has accrued stays claimable by the
		/// signer (see `move_claimable`).
		///
		/// - Emits `PayeeSet`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::set_payee())]
		pub fn set_payee(origin: OriginFor<T>, payee: Option<T::AccountId>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_payee(who, payee);
			Ok(())
		}

		/// Moves all of the signer's claimable balance to `to`'s, to be claimed by `to`.
		///
		/// - Errors: `NothingToClaim`, `MoveToSelf`.
		/// - Emits `ClaimableMoved`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::move_claimable())]
		pub fn move_claimable(origin: OriginFor<T>, to: T::AccountId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_move_claimable(who, to)
		}

		/// Splits the owner share of model or agent `id` among `parts`, `(account, part)`
		/// each, while the signer holds it: each account is paid `part / sum of parts` of what
		/// the share earns from now on, rounded down, and the first account the remainder. A
		/// sale ends the split. No parts clear it. What the old split earned is settled first.
		///
		/// - Errors: `NoOwnerShare`, `NotHolder`, `ZeroPart`, `DuplicateShareholder`.
		/// - Emits `RevenueSharesSet` (and `RevenueSettled`).
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::set_revenue_shares(T::MaxShareholders::get()))]
		pub fn set_revenue_shares(
			origin: OriginFor<T>,
			kind: AssetKind,
			id: u32,
			parts: RevenuePartsOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_set_revenue_shares(who, kind, id, parts)
		}

		/// Credits what the revenue shares of asset `id` of `kind` have earned to their
		/// accounts' claimable balances (any signer may trigger it).
		///
		/// - Errors: `NothingToSettle`.
		/// - Emits `RevenueSettled`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::settle_revenue(T::MaxShareholders::get()))]
		pub fn settle_revenue(origin: OriginFor<T>, kind: AssetKind, id: u32) -> DispatchResult {
			ensure_signed(origin)?;
			Self::do_settle_revenue(kind, id)
		}

		/// Sets the split of inference fees.
		///
		/// - Origin: `EconomicsOrigin`.
		/// - Errors: `SplitNotWhole`.
		/// - Emits `RewardSplitSet`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::set_reward_split())]
		pub fn set_reward_split(origin: OriginFor<T>, split: RewardSplit) -> DispatchResult {
			T::EconomicsOrigin::ensure_origin(origin)?;
			Self::do_set_reward_split(split)
		}

		/// Sets the emission per epoch.
		///
		/// - Origin: `EconomicsOrigin`.
		/// - Emits `EmissionSet`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_emission())]
		pub fn set_emission(origin: OriginFor<T>, emission: BalanceOf<T>) -> DispatchResult {
			T::EconomicsOrigin::ensure_origin(origin)?;
			Self::do_set_emission(emission);
			Ok(())
		}
	}
}
