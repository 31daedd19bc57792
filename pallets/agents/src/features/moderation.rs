//! Moderation: slashing part of an agent's bond to the treasury.

use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};
use sp_runtime::{
	traits::{Saturating, Zero},
	Perbill,
};

use crate::{pallet::*, AgentId};

impl<T: Config> Pallet<T> {
	/// Moves `fraction` of `agent`'s bond to the treasury; works on registered and unbonding
	/// agents alike.
	pub(crate) fn do_slash(agent: AgentId, fraction: Perbill) -> DispatchResult {
		let mut a = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		let amount = fraction * a.bond;
		ensure!(!amount.is_zero(), Error::<T>::NothingToSlash);
		let slashed = T::Currency::transfer_on_hold(
			&HoldReason::AgentBond.into(),
			&a.owner,
			&T::TreasuryAccount::get(),
			amount,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)?;
		a.bond = a.bond.saturating_sub(slashed);
		Agents::<T>::insert(agent, a);
		Self::deposit_event(Event::AgentSlashed { agent, amount: slashed });
		Ok(())
	}
}
