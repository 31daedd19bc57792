//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{pallet_prelude::*, traits::fungible::InspectHold};
use sp_runtime::traits::Saturating;

use crate::{pallet::*, types::*, ModelStatus};

impl<T: Config> Pallet<T> {
	/// Checks that every model's deposit is held from its owner, and ids are below the
	/// counter.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, m) in Models::<T>::iter() {
			ensure!(id < NextModelId::<T>::get(), "a model id is not below NextModelId");
			ensure!(
				m.status != ModelStatus::Retired || m.deposit == Default::default(),
				"a retired model still has a deposit"
			);
			let entry = deposits.entry(m.owner).or_default();
			*entry = entry.saturating_add(m.deposit);
		}
		for (who, total) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), &who) == total,
				"model deposits disagree with the held balance"
			);
		}
		Ok(())
	}
}
