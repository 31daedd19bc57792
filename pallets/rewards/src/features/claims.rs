//! Claims: a claimable balance paid out of the pot.

use frame_support::{
	ensure,
	traits::{
		fungible::{Inspect, Mutate},
		tokens::Preservation,
	},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

use crate::*;

impl<T: Config> Pallet<T> {
	/// Pays `who`'s claimable balance to `who` out of the pot (`claim`, `claim_for`). A payout
	/// that would leave an empty account below the existential deposit is refused.
	pub(crate) fn do_claim(who: T::AccountId) -> DispatchResult {
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
}
