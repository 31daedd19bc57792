//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{pallet_prelude::*, traits::fungible::InspectHold};
use sp_runtime::traits::Saturating;

use crate::{pallet::*, types::*, AssetKind, Holdings, InferenceStatus};

impl<T: Config> Pallet<T> {
	/// Checks that every agent's bond and every pending inference's fee is held from its
	/// registrant or caller, ids are below their counters, and every agent has exactly one
	/// item and every item of the agents' collection one agent.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut bonds: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, a) in Agents::<T>::iter() {
			ensure!(id < NextAgentId::<T>::get(), "an agent id is not below NextAgentId");
			ensure!(T::Holdings::holder(AssetKind::Agent, id).is_some(), "an agent has no item");
			let entry = bonds.entry(a.owner).or_default();
			*entry = entry.saturating_add(a.bond);
		}
		ensure!(
			T::Holdings::items(AssetKind::Agent).iter().all(|id| Agents::<T>::contains_key(id)),
			"an item of the agents' collection is no agent"
		);
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
