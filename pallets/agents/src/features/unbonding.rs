//! Leaving: `unregister` starts the unbonding period, `withdraw_bond` ends it.

use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};
use sp_runtime::traits::Saturating;

use crate::{pallet::*, AgentId, AgentStatus, AssetKind, Holdings};

impl<T: Config> Pallet<T> {
	/// Unregisters `agent`, for its owner `who`, and starts its unbonding period.
	pub(crate) fn do_unregister(who: &T::AccountId, agent: AgentId) -> DispatchResult {
		let mut a = Self::active_owned(who, agent)?;
		let until =
			frame_system::Pallet::<T>::block_number().saturating_add(T::UnbondingPeriod::get());
		a.status = AgentStatus::Unbonding { until };
		Agents::<T>::insert(agent, a);
		Self::deposit_event(Event::AgentUnregistered { agent, until });
		Ok(())
	}

	/// Releases what is left of `agent`'s bond to its registrant after its unbonding period,
	/// for its owner `who`, and deletes the agent and burns its item.
	pub(crate) fn do_withdraw_bond(who: &T::AccountId, agent: AgentId) -> DispatchResult {
		let a = Self::owned(who, agent)?;
		let AgentStatus::Unbonding { until } = a.status else {
			return Err(Error::<T>::NotUnbonding.into());
		};
		ensure!(frame_system::Pallet::<T>::block_number() >= until, Error::<T>::StillUnbonding);
		let amount = T::Currency::release(
			&HoldReason::AgentBond.into(),
			&a.owner,
			a.bond,
			Precision::BestEffort,
		)?;
		Agents::<T>::remove(agent);
		if T::Holdings::holder(AssetKind::Agent, agent).is_some() {
			T::Holdings::burn(AssetKind::Agent, agent)?;
		}
		Self::deposit_event(Event::BondWithdrawn { agent, amount });
		Ok(())
	}
}
