//! Bonds, strikes and slashes.

use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::{
	traits::{One, Saturating, Zero},
	Perbill, SaturatedConversion,
};

use crate::{pallet::*, types::*, Balance, JobId};

impl<T: Config> Pallet<T> {
	/// `who`'s strikes now: those of its last strike, less one for every `StrikeDecay`
	/// blocks since.
	pub fn strikes(who: &T::AccountId) -> u32 {
		let Some(record) = Strikes::<T>::get(who) else { return 0 };
		let now = frame_system::Pallet::<T>::block_number();
		let period = T::StrikeDecay::get().max(One::one());
		let forgiven = (now.saturating_sub(record.at) / period).saturated_into::<u32>();
		record.count.saturating_sub(forgiven)
	}

	/// Gives `attestor` a strike for `job` (on top of its decayed strikes), suspending it at
	/// the limit.
	pub(crate) fn strike(attestor: &T::AccountId, job: JobId, max_strikes: u32) {
		let strikes = Self::strikes(attestor).saturating_add(1);
		let at = frame_system::Pallet::<T>::block_number();
		Strikes::<T>::insert(attestor, StrikeRecord { count: strikes, at });
		Self::deposit_event(Event::Struck { attestor: attestor.clone(), job, strikes });
		if strikes >= max_strikes
			&& Attestors::<T>::get().contains(attestor)
			&& !Suspended::<T>::contains_key(attestor)
		{
			Suspended::<T>::insert(attestor, ());
			Self::deposit_event(Event::AttestorSuspended { attestor: attestor.clone() });
		}
	}

	/// Moves `fraction` of `attestor`'s bond to the treasury, for `job`.
	pub(crate) fn slash(attestor: &T::AccountId, job: JobId, fraction: Perbill) {
		Self::slash_to(attestor, job, fraction, &T::TreasuryAccount::get());
	}

	/// Moves `fraction` of `attestor`'s bond to `to`, for `job`.
	pub(crate) fn slash_to(
		attestor: &T::AccountId,
		job: JobId,
		fraction: Perbill,
		to: &T::AccountId,
	) {
		let Some(mut b) = Bonds::<T>::get(attestor) else { return };
		let amount = fraction * b.amount;
		if amount.is_zero() {
			return;
		}
		let moved = T::Currency::transfer_on_hold(
			&HoldReason::AttestorBond.into(),
			attestor,
			to,
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		);
		match moved {
			Ok(slashed) => {
				b.amount = b.amount.saturating_sub(slashed);
				Bonds::<T>::insert(attestor, b);
				Self::deposit_event(Event::Slashed {
					attestor: attestor.clone(),
					job,
					amount: slashed,
				});
			},
			Err(e) => log::warn!(target: "attribution", "could not slash {amount}: {e:?}"),
		}
	}

	/// Takes `who` out of the attestor set and starts unbonding its bond. Its strikes and
	/// suspension stay: leaving and bonding in again does not escape them (only decay and
	/// `reinstate` do).
	pub(crate) fn leave(who: &T::AccountId) -> DispatchResult {
		Attestors::<T>::try_mutate(|set| {
			let at = set.iter().position(|a| a == who).ok_or(Error::<T>::NotAttestor)?;
			set.remove(at);
			Ok::<_, Error<T>>(())
		})?;
		Self::start_unbonding(who);
		Ok(())
	}

	/// Starts the unbonding period of `who`'s bond, if it has one.
	pub(crate) fn start_unbonding(who: &T::AccountId) {
		let Some(mut b) = Bonds::<T>::get(who) else { return };
		let unlocks_at = frame_system::Pallet::<T>::block_number()
			.saturating_add(StakeParams::<T>::get().unbonding_period);
		b.unlocks_at = Some(unlocks_at);
		Bonds::<T>::insert(who, b);
		Self::deposit_event(Event::Unbonding { who: who.clone(), amount: b.amount, unlocks_at });
	}

	/// `bond`'s work, for `who`.
	pub(crate) fn do_bond(who: T::AccountId, amount: Balance) -> DispatchResult {
		ensure!(!amount.is_zero(), Error::<T>::ZeroBond);
		let mut b = Bonds::<T>::get(&who).unwrap_or_default();
		ensure!(b.unlocks_at.is_none(), Error::<T>::Unbonding);
		let total = b.amount.saturating_add(amount);
		let mut set = Attestors::<T>::get();
		let joining = !set.contains(&who);
		let mut displaced = None;
		if joining {
			ensure!(total >= StakeParams::<T>::get().min_bond, Error::<T>::BondTooSmall);
			if set.is_full() {
				let (at, smallest) = set
					.iter()
					.enumerate()
					.map(|(i, a)| (i, Bonds::<T>::get(a).map_or(0, |b| b.amount)))
					// The smallest bond, the latest to join on a tie.
					.min_by(|x, y| x.1.cmp(&y.1).then(y.0.cmp(&x.0)))
					.ok_or(Error::<T>::TooManyAttestors)?;
				ensure!(total > smallest, Error::<T>::BondTooSmall);
				displaced = Some(set.remove(at));
			}
			set.try_push(who.clone()).map_err(|_| Error::<T>::TooManyAttestors)?;
		}
		T::Currency::hold(&HoldReason::AttestorBond.into(), &who, amount)?;
		b.amount = total;
		Bonds::<T>::insert(&who, b);
		Attestors::<T>::put(set);
		if let Some(gone) = displaced {
			Self::start_unbonding(&gone);
			Self::deposit_event(Event::AttestorDisplaced { attestor: gone, by: who.clone() });
		}
		if joining {
			Self::deposit_event(Event::AttestorAdded { attestor: who.clone() });
		}
		Self::deposit_event(Event::Bonded { who, amount, total });
		Ok(())
	}

	/// `withdraw_unbonded`'s work, for `who`.
	pub(crate) fn do_withdraw_unbonded(who: T::AccountId) -> DispatchResult {
		let b = Bonds::<T>::get(&who).ok_or(Error::<T>::NotUnbonding)?;
		let unlocks_at = b.unlocks_at.ok_or(Error::<T>::NotUnbonding)?;
		ensure!(frame_system::Pallet::<T>::block_number() >= unlocks_at, Error::<T>::StillLocked);
		let amount = T::Currency::release(
			&HoldReason::AttestorBond.into(),
			&who,
			b.amount,
			Precision::BestEffort,
		)?;
		Bonds::<T>::remove(&who);
		Self::deposit_event(Event::Withdrawn { who, amount });
		Ok(())
	}
}
