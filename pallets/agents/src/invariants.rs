//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{pallet_prelude::*, traits::fungible::InspectHold};
use sp_runtime::traits::Saturating;

use crate::{pallet::*, types::*, InferenceStatus};

impl<T: Config> Pallet<T> {
	/// Checks that every agent's bond and every pending inference's fee is held from its
	/// owner or caller, and ids are below their counters.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, a) in Agents::<T>::iter() {
			ensure!(id < NextAgentId::<T>::get(), "an agent id is not below NextAgentId");
			let entry = bonds.entry(a.owner).or_default();
			*entry = entry.saturating_add(a.bond);
		}
		for (who, total) in bonds {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::AgentBond.into(), &who) == total,
				"agent bonds disagree with the held balance"
			);
		}
		let mut fees: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, inf) in Inferences::<T>::iter() {
			ensure!(id < NextInferenceId::<T>::get(), "an inference id is not below the counter");
			if inf.status == InferenceStatus::Pending {
				let entry = fees.entry(inf.caller).or_default();
				*entry = entry.saturating_add(inf.model_fee).saturating_add(inf.agent_fee);
			}
		}
		for (who, total) in fees {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::InferenceFee.into(), &who) == total,
				"pending inference fees disagree with the held balance"
			);
		}
		Ok(())
	}
}
