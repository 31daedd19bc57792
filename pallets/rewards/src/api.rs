//! What the runtime and other pallets read from or call on this pallet: the pot's account, what
//! the runtime API reads, [`RewardSink`], through which a paid fee is distributed, and who is
//! paid in place of a contributor or a holder.

use frame_support::traits::Get;
use sp_runtime::traits::AccountIdConversion;

use alloc::vec::Vec;

use crate::*;
use openledger_primitives::rewards::RevenueSharesInfo;

impl<T: Config> Pallet<T> {
	/// The pot: this pallet's account.
	pub fn account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
	}

	/// What `who` may claim now.
	pub fn claimable(who: T::AccountId) -> BalanceOf<T> {
		Claimable::<T>::get(who)
	}

	/// What a record (Datanet, position in its accepted log) has earned in all.
	pub fn record_earnings(datanet: DatanetId, index: u32) -> BalanceOf<T> {
		RecordEarnings::<T>::get(datanet, index)
	}

	/// What a contributor has earned in all.
	pub fn contributor_earnings(who: T::AccountId) -> BalanceOf<T> {
		ContributorEarnings::<T>::get(who)
	}

	/// How fees are split.
	pub fn reward_split() -> RewardSplit {
		Split::<T>::get()
	}

	/// The revenue shares of asset `id` of `kind`, if a holder set them: in force while that
	/// holder holds the asset, and what they have earned unsettled.
	pub fn revenue_shares(
		kind: AssetKind,
		id: u32,
	) -> Option<RevenueSharesInfo<T::AccountId, BalanceOf<T>>> {
		RevenueSharesOf::<T>::get(kind, id).map(|s| RevenueSharesInfo {
			in_force: T::Holdings::holder(kind, id).as_ref() == Some(&s.holder),
			pending: Revenue::<T>::get(kind, id),
			shares: RevenueShares { holder: s.holder, parts: s.parts.into_inner() },
		})
	}
}

impl<T: Config> RewardSink<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn pot() -> T::AccountId {
		Self::account()
	}

	fn distribute(fee: BalanceOf<T>, parties: RewardParties<'_, T::AccountId>) {
		Self::do_distribute(fee, parties)
	}
}

impl<T: Config> openledger_primitives::traits::Payees<T::AccountId> for Pallet<T> {
	fn payee_of(contributor: &T::AccountId) -> T::AccountId {
		Self::payee_of(contributor)
	}

	fn owner_payees(kind: AssetKind, id: u32, holder: &T::AccountId) -> Vec<T::AccountId> {
		Self::owner_payees(kind, id, holder)
	}
}
