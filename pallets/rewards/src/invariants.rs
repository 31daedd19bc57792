//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use frame_support::{ensure, traits::fungible::Inspect};
use sp_runtime::{
	traits::{Saturating, Zero},
	TryRuntimeError,
};

use crate::*;

impl<T: Config> Pallet<T> {
	/// Checks that the claimables and the unsettled revenue add up, the pot holds at least all
	/// of them, no contributor names itself as its payee, and every revenue split is well formed
	/// and is the only place its revenue goes.
	pub fn do_try_state() -> Result<(), TryRuntimeError> {
		let zero = BalanceOf::<T>::zero();
		let claims = Claimable::<T>::iter_values().fold(zero, |a, c| a.saturating_add(c));
		let revenue = Revenue::<T>::iter_values().fold(zero, |a, r| a.saturating_add(r));
		let sum = claims.saturating_add(revenue);
		ensure!(
			sum == TotalClaimable::<T>::get(),
			"TotalClaimable is not the sum of claims and unsettled revenue"
		);
		ensure!(
			T::Currency::balance(&Self::account()) >= sum,
			"the pot holds less than the claimable balances"
		);
		ensure!(Split::<T>::get().is_whole(), "the split does not sum to 100%");
		ensure!(Payees::<T>::iter().all(|(c, p)| c != p), "a contributor is its own payee");
		for (kind, _, shares) in RevenueSharesOf::<T>::iter() {
			ensure!(kind != AssetKind::Datanet, "a Datanet has revenue shares");
			ensure!(!shares.parts.is_empty(), "a revenue split has no parts");
			ensure!(shares.parts.iter().all(|(_, p)| *p > 0), "a revenue split has a zero part");
			let mut accounts: alloc::vec::Vec<_> = shares.parts.iter().map(|(a, _)| a).collect();
			accounts.sort();
			accounts.dedup();
			ensure!(accounts.len() == shares.parts.len(), "an account is twice in a revenue split");
		}
		ensure!(
			Revenue::<T>::iter_keys()
				.all(|(kind, id)| RevenueSharesOf::<T>::contains_key(kind, id)),
			"revenue accrued to an asset with no revenue split"
		);
		Ok(())
	}
}
