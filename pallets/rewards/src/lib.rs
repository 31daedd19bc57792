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
//! - **Totals**: lifetime earnings per record and per contributor, for the runtime API.
//!
//! ## Calls
//!
//! `claim`, `claim_for`; `set_reward_split`, `set_emission` (economics).

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
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;

pub use openledger_primitives::{
	attribution::{InferenceId, RecordShare},
	datanets::DatanetId,
	rewards::RewardSplit,
	traits::{DatanetInspect, RewardParties, RewardSink},
};
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Inspect, Mutate},
			tokens::Preservation,
		},
		PalletId,
	};
	use frame_system::pallet_prelude::*;
	use sp_runtime::{
		traits::{AccountIdConversion, Saturating, Zero},
		Perbill,
	};

	/// The balance type of OPEN.
	pub type BalanceOf<T> =
		<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

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

	/// What each contributor has earned by attribution and emission, in all.
	#[pallet::storage]
	pub type ContributorEarnings<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, BalanceOf<T>, ValueQuery>;

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
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		fn on_initialize(now: BlockNumberFor<T>) -> Weight {
			let epoch = T::EpochLength::get();
			if epoch.is_zero() || !(now % epoch).is_zero() {
				return T::WeightInfo::on_initialize(0);
			}
			let earners = Self::end_epoch();
			T::WeightInfo::on_initialize(earners)
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
			Self::pay_out(who)
		}

		/// Pays `who`'s claimable balance to `who` (any signer may trigger it).
		///
		/// - Errors: `NothingToClaim`, `BelowExistentialDeposit`.
		/// - Emits `Claimed`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::claim())]
		pub fn claim_for(origin: OriginFor<T>, who: T::AccountId) -> DispatchResult {
			ensure_signed(origin)?;
			Self::pay_out(who)
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
			ensure!(split.is_whole(), Error::<T>::SplitNotWhole);
			Split::<T>::put(split);
			Self::deposit_event(Event::RewardSplitSet { split });
			Ok(())
		}

		/// Sets the emission per epoch.
		///
		/// - Origin: `EconomicsOrigin`.
		/// - Emits `EmissionSet`.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::set_emission())]
		pub fn set_emission(origin: OriginFor<T>, emission: BalanceOf<T>) -> DispatchResult {
			T::EconomicsOrigin::ensure_origin(origin)?;
			Emission::<T>::put(emission);
			Self::deposit_event(Event::EmissionSet { emission });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The pot: this pallet's account.
		pub fn account() -> T::AccountId {
			T::PalletId::get().into_account_truncating()
		}

		fn credit(who: &T::AccountId, amount: BalanceOf<T>) {
			if amount.is_zero() {
				return;
			}
			Claimable::<T>::mutate(who, |c| *c = c.saturating_add(amount));
			TotalClaimable::<T>::mutate(|t| *t = t.saturating_add(amount));
		}

		/// Credits a contributor's attribution earnings, for the totals and the epoch. A zero
		/// amount writes nothing: a share that rounds to zero must not take one of the epoch's
		/// `MaxEpochEarners` places.
		fn credit_contributor(who: &T::AccountId, amount: BalanceOf<T>) {
			if amount.is_zero() {
				return;
			}
			Self::credit(who, amount);
			ContributorEarnings::<T>::mutate(who, |e| *e = e.saturating_add(amount));
			let counted = EpochEarnings::<T>::contains_key(who);
			if counted || EpochEarnings::<T>::count() < T::MaxEpochEarners::get() {
				EpochEarnings::<T>::mutate(who, |e| *e = e.saturating_add(amount));
			}
		}

		fn pay_out(who: T::AccountId) -> DispatchResult {
			let amount = Claimable::<T>::get(&who);
			ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
			let empty = T::Currency::balance(&who).is_zero();
			ensure!(
				!empty || amount >= T::Currency::minimum_balance(),
				Error::<T>::BelowExistentialDeposit
			);
			T::Currency::transfer(&Self::account(), &who, amount, Preservation::Preserve)?;
			Claimable::<T>::remove(&who);
			TotalClaimable::<T>::mutate(|t| *t = t.saturating_sub(amount));
			Self::deposit_event(Event::Claimed { who, amount });
			Ok(())
		}

		/// Mints the epoch's emission into the pot and shares it by the epoch's earnings;
		/// starts a new epoch. Returns the number of earners.
		fn end_epoch() -> u32 {
			let emission = Emission::<T>::get();
			let earnings: alloc::vec::Vec<(T::AccountId, BalanceOf<T>)> =
				EpochEarnings::<T>::iter().collect();
			let _ = EpochEarnings::<T>::clear(u32::MAX, None);
			let earners = earnings.len() as u32;
			let total =
				earnings.iter().fold(BalanceOf::<T>::zero(), |a, (_, e)| a.saturating_add(*e));
			if emission.is_zero() || total.is_zero() {
				return earners;
			}
			let mut minted = BalanceOf::<T>::zero();
			let mut parts = alloc::vec::Vec::with_capacity(earnings.len());
			for (who, earned) in earnings {
				let part = Perbill::from_rational(earned, total).mul_floor(emission);
				minted = minted.saturating_add(part);
				parts.push((who, part));
			}
			if T::Currency::mint_into(&Self::account(), minted).is_err() {
				log::error!(target: "rewards", "the emission could not be minted");
				return earners;
			}
			for (who, part) in parts {
				Self::credit(&who, part);
				ContributorEarnings::<T>::mutate(&who, |e| *e = e.saturating_add(part));
			}
			Self::deposit_event(Event::EmissionDistributed { minted, earners });
			earners
		}

		/// Checks that the claimables add up, and the pot holds at least all of them.
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let sum = Claimable::<T>::iter_values()
				.fold(BalanceOf::<T>::zero(), |a, c| a.saturating_add(c));
			ensure!(sum == TotalClaimable::<T>::get(), "TotalClaimable is not the sum of claims");
			ensure!(
				T::Currency::balance(&Self::account()) >= sum,
				"the pot holds less than the claimable balances"
			);
			ensure!(Split::<T>::get().is_whole(), "the split does not sum to 100%");
			Ok(())
		}
	}

	impl<T: Config> RewardSink<T::AccountId, BalanceOf<T>> for Pallet<T> {
		fn pot() -> T::AccountId {
			Self::account()
		}

		fn distribute(fee: BalanceOf<T>, parties: RewardParties<'_, T::AccountId>) {
			let split = Split::<T>::get();
			// Every part rounds down; the treasury takes its own and every remainder, so the
			// parts sum to exactly the fee.
			let contributors = split.contributors.mul_floor(fee);
			let model_owner = split.model_owner.mul_floor(fee);
			let agent = split.agent.mul_floor(fee);
			let attestors = split.attestors.mul_floor(fee);
			let mut paid = BalanceOf::<T>::zero();
			for s in parties.shares {
				let amount = s.share.mul_floor(contributors);
				if amount.is_zero() {
					continue;
				}
				let Some(record) = T::Datanets::record_at(parties.datanet, s.record) else {
					continue;
				};
				Self::credit_contributor(&record.contributor, amount);
				RecordEarnings::<T>::mutate(parties.datanet, s.record, |e| {
					*e = e.saturating_add(amount)
				});
				paid = paid.saturating_add(amount);
			}
			Self::credit(&parties.model_owner, model_owner);
			Self::credit(&parties.agent_owner, agent);
			let mut attestors_paid = BalanceOf::<T>::zero();
			let n = parties.attestors.len() as u32;
			if n > 0 {
				let each = attestors / n.into();
				for a in parties.attestors {
					Self::credit(a, each);
					attestors_paid = attestors_paid.saturating_add(each);
				}
			}
			let treasury = fee
				.saturating_sub(paid)
				.saturating_sub(model_owner)
				.saturating_sub(agent)
				.saturating_sub(attestors_paid);
			Self::credit(&T::TreasuryAccount::get(), treasury);
			Self::deposit_event(Event::RewardsDistributed {
				inference: parties.inference,
				fee,
				contributors: paid,
				model_owner,
				agent,
				attestors: attestors_paid,
				treasury,
			});
		}
	}
}
