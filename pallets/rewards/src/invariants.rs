//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use frame_support::{ensure, traits::fungible::Inspect};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

use crate::*;

impl<T: Config> Pallet<T> {
	/// Checks that the claimables add up, the pot holds at least all of them, and no
	/// contributor names itself as its payee.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let sum =
			Claimable::<T>::iter_values().fold(BalanceOf::<T>::zero(), |a, c| a.saturating_add(c));
		ensure!(sum == TotalClaimable::<T>::get(), "TotalClaimable is not the sum of claims");
		ensure!(
			T::Currency::balance(&Self::account()) >= sum,
			"the pot holds less than the claimable balances"
		);
		ensure!(Split::<T>::get().is_whole(), "the split does not sum to 100%");
		ensure!(Payees::<T>::iter().all(|(c, p)| c != p), "a contributor is its own payee");
		Ok(())
	}
}
