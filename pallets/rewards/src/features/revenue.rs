//! Revenue shares: an asset's owner share split among accounts in fixed parts, set by its holder
//! and settled lazily, so that a fee split writes once per share however many accounts it has.

use frame_support::{ensure, traits::Get};
use sp_runtime::{
	helpers_128bit::multiply_by_rational_with_rounding,
	traits::{Saturating, Zero},
	DispatchResult, Rounding, SaturatedConversion,
};

use crate::*;

impl<T: Config> Pallet<T> {
	/// Splits the owner share of asset `id` of `kind` among `parts` while the signer holds it
	/// (`set_revenue_shares`); no parts clear the split. What the old split earned is settled
	/// to its accounts first.
	pub(crate) fn do_set_revenue_shares(
		who: T::AccountId,
		kind: AssetKind,
		id: u32,
		parts: RevenuePartsOf<T>,
	) -> DispatchResult {
		ensure!(kind != AssetKind::Datanet, Error::<T>::NoOwnerShare);
		ensure!(T::Holdings::holder(kind, id).as_ref() == Some(&who), Error::<T>::NotHolder);
		ensure!(parts.iter().all(|(_, part)| *part > 0), Error::<T>::ZeroPart);
		for (i, (account, _)) in parts.iter().enumerate() {
			ensure!(
				!parts.iter().skip(i + 1).any(|(other, _)| other == account),
				Error::<T>::DuplicateShareholder
			);
		}
		Self::settle(kind, id);
		if parts.is_empty() {
			RevenueSharesOf::<T>::remove(kind, id);
		} else {
			RevenueSharesOf::<T>::insert(
				kind,
				id,
				RevenueShares { holder: who.clone(), parts: parts.clone() },
			);
		}
		Self::deposit_event(Event::RevenueSharesSet { kind, id, holder: who, parts: parts.into() });
		Ok(())
	}

	/// Credits what asset `id`'s split has earned to its accounts (`settle_revenue`).
	pub(crate) fn do_settle_revenue(kind: AssetKind, id: u32) -> DispatchResult {
		ensure!(Self::settle(kind, id), Error::<T>::NothingToSettle);
		Ok(())
	}

	/// Credits [`Revenue`] of asset `id` to the accounts of its split, each its part rounded
	/// down and the first account the remainder; whether there was any. The revenue is already
	/// counted in [`TotalClaimable`].
	fn settle(kind: AssetKind, id: u32) -> bool {
		let amount = Revenue::<T>::take(kind, id);
		if amount.is_zero() {
			return false;
		}
		let parts = RevenueSharesOf::<T>::get(kind, id).map(|s| s.parts).unwrap_or_default();
		let credit = |who: &T::AccountId, each: BalanceOf<T>| {
			Claimable::<T>::mutate(who, |c| *c = c.saturating_add(each))
		};
		let Some(((first, _), rest)) = parts.split_first() else {
			frame_support::defensive!(
				"revenue accrues only to a split, and a split is never empty"
			);
			credit(&T::TreasuryAccount::get(), amount);
			return true;
		};
		let total: u128 = parts.iter().map(|(_, part)| u128::from(*part)).sum();
		let mut paid = BalanceOf::<T>::zero();
		for (who, part) in rest {
			// `part < total`: the quotient is below `amount` and fits.
			let each: BalanceOf<T> = multiply_by_rational_with_rounding(
				amount.saturated_into::<u128>(),
				u128::from(*part),
				total,
				Rounding::Down,
			)
			.unwrap_or(0)
			.saturated_into();
			credit(who, each);
			paid = paid.saturating_add(each);
		}
		credit(first, amount.saturating_sub(paid));
		Self::deposit_event(Event::RevenueSettled { kind, id, amount });
		true
	}

	/// Credits `amount` of the owner share of asset `id` to its holder, or to its split's
	/// revenue if the holder set one.
	pub(crate) fn credit_owner(
		kind: AssetKind,
		id: u32,
		holder: &T::AccountId,
		amount: BalanceOf<T>,
	) {
		if amount.is_zero() {
			return;
		}
		if Self::split_in_force(kind, id, holder) {
			Revenue::<T>::mutate(kind, id, |r| *r = r.saturating_add(amount));
			TotalClaimable::<T>::mutate(|t| *t = t.saturating_add(amount));
		} else {
			Self::credit(holder, amount);
		}
	}

	/// Whether asset `id` has a split set by `holder`, which is in force while `holder` holds
	/// the asset.
	fn split_in_force(kind: AssetKind, id: u32, holder: &T::AccountId) -> bool {
		RevenueSharesOf::<T>::get(kind, id).is_some_and(|s| s.holder == *holder)
	}

	/// The accounts paid the owner share of asset `id` while `holder` holds it
	/// ([`openledger_primitives::traits::Payees::owner_payees`]).
	pub fn owner_payees(
		kind: AssetKind,
		id: u32,
		holder: &T::AccountId,
	) -> alloc::vec::Vec<T::AccountId> {
		match RevenueSharesOf::<T>::get(kind, id) {
			Some(s) if s.holder == *holder => s.parts.into_iter().map(|(a, _)| a).collect(),
			_ => alloc::vec![holder.clone()],
		}
	}
}
