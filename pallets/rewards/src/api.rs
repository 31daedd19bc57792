//! What the runtime and other pallets read from or call on this pallet: the pot's account, and
//! [`RewardSink`], through which a paid fee is distributed. (The runtime API reads the storage
//! items [`Claimable`], [`RecordEarnings`], [`ContributorEarnings`] and [`Split`] directly.)

use frame_support::traits::Get;
use sp_runtime::traits::AccountIdConversion;

use crate::*;

impl<T: Config> Pallet<T> {
	/// The pot: this pallet's account.
	pub fn account() -> T::AccountId {
		T::PalletId::get().into_account_truncating()
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
