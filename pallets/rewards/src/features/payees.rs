//! Payees: where a contributor's records' earnings are paid, and moving what has accrued.

use frame_support::ensure;
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

use crate::*;

impl<T: Config> Pallet<T> {
	/// The account paid for `contributor`'s records: the payee it named, or itself. One hop:
	/// a payee's own payee is not followed, so a contributor's earnings go where it said.
	pub fn payee_of(contributor: &T::AccountId) -> T::AccountId {
		Payees::<T>::get(contributor).unwrap_or_else(|| contributor.clone())
	}

	/// Pays `payee` what any record of `contributor` earns from now on (`set_payee`); `None`
	/// or the contributor itself pays the contributor again. What has already accrued stays
	/// where it is.
	pub(crate) fn do_set_payee(contributor: T::AccountId, payee: Option<T::AccountId>) {
		let payee = payee.filter(|p| *p != contributor);
		match &payee {
			Some(p) => Payees::<T>::insert(&contributor, p),
			None => Payees::<T>::remove(&contributor),
		}
		Self::deposit_event(Event::PayeeSet { contributor, payee });
	}

	/// Moves all of `from`'s claimable balance to `to`'s (`move_claimable`).
	pub(crate) fn do_move_claimable(from: T::AccountId, to: T::AccountId) -> DispatchResult {
		ensure!(from != to, Error::<T>::MoveToSelf);
		let amount = Claimable::<T>::take(&from);
		ensure!(!amount.is_zero(), Error::<T>::NothingToClaim);
		Claimable::<T>::mutate(&to, |c| *c = c.saturating_add(amount));
		Self::deposit_event(Event::ClaimableMoved { from, to, amount });
		Ok(())
	}
}
