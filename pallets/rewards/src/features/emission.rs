//! The emission: new OPEN each epoch, minted into the pot and shared in proportion to what
//! contributors earned by attribution in the epoch.

use frame_support::{
	traits::{fungible::Mutate, Get},
	weights::Weight,
};
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

use crate::*;

impl<T: Config> Pallet<T> {
	/// Sets the emission per epoch (`set_emission`).
	pub(crate) fn do_set_emission(emission: BalanceOf<T>) {
		Emission::<T>::put(emission);
		Self::deposit_event(Event::EmissionSet { emission });
	}

	/// Ends the epoch if `now` is an epoch boundary (`on_initialize`). Returns the hook's
	/// weight.
	pub(crate) fn settle_epoch(now: BlockNumberFor<T>) -> Weight {
		let epoch = T::EpochLength::get();
		if epoch.is_zero() || !(now % epoch).is_zero() {
			return T::WeightInfo::on_initialize(0);
		}
		let earners = Self::end_epoch();
		T::WeightInfo::on_initialize(earners)
	}

	/// Mints the epoch's emission into the pot and shares it by the epoch's earnings, each
	/// contributor's part to its payee; starts a new epoch. Returns the number of earners.
	fn end_epoch() -> u32 {
		let emission = Emission::<T>::get();
		let earnings: alloc::vec::Vec<(T::AccountId, BalanceOf<T>)> =
			EpochEarnings::<T>::iter().collect();
		let _ = EpochEarnings::<T>::clear(u32::MAX, None);
		let earners = earnings.len() as u32;
		let total = earnings.iter().fold(BalanceOf::<T>::zero(), |a, (_, e)| a.saturating_add(*e));
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
		// Not defensive: this can fail. `EconomicsOrigin` may set any emission, up to
		// `Balance::MAX` (the runtime's fuzz test tries it), and minting it would overflow the
		// total issuance; and the pallet does not itself keep the pot alive, so a pot that
		// holds nothing rejects a mint below the existential deposit. The epoch then ends
		// without an emission.
		if T::Currency::mint_into(&Self::account(), minted).is_err() {
			log::error!(target: "rewards", "the emission could not be minted");
			return earners;
		}
		for (who, part) in parts {
			Self::credit(&Self::payee_of(&who), part);
			ContributorEarnings::<T>::mutate(&who, |e| *e = e.saturating_add(part));
		}
		Self::deposit_event(Event::EmissionDistributed { minted, earners });
		earners
	}
}
