//! The pallet's storage invariants, checked by `try_state` and after every unit test.

use alloc::collections::btree_map::BTreeMap;
use frame_support::{pallet_prelude::*, traits::fungible::InspectHold};
use sp_runtime::traits::Saturating;

use crate::{pallet::*, types::*, AssetKind, Holdings, ModelStatus, MAX_SOURCE_WEIGHT};
use openledger_primitives::models::positions;

impl<T: Config> Pallet<T> {
	/// Checks that every model's deposit is held from its registrant, ids are below the
	/// counter, every model has exactly one item and every item of the models' collection one
	/// model, and every model's sources are what `register_mix` accepts: at least one, of
	/// distinct Datanets, weights in bounds, positions within a `u32`.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		let mut deposits: BTreeMap<T::AccountId, BalanceOf<T>> = BTreeMap::new();
		for (id, m) in Models::<T>::iter() {
			ensure!(id < NextModelId::<T>::get(), "a model id is not below NextModelId");
			ensure!(T::Holdings::holder(AssetKind::Model, id).is_some(), "a model has no item");
			ensure!(
				m.status != ModelStatus::Retired || m.deposit == Default::default(),
				"a retired model still has a deposit"
			);
			ensure!(!m.sources.is_empty(), "a model has no source");
			ensure!(
				m.sources.iter().all(|s| (1..=MAX_SOURCE_WEIGHT).contains(&s.weight)),
				"a source's weight is out of bounds"
			);
			ensure!(
				m.sources
					.iter()
					.enumerate()
					.all(|(i, s)| m.sources[..i].iter().all(|e| e.datanet != s.datanet)),
				"a model names one Datanet twice"
			);
			ensure!(positions(&m.sources).is_some(), "a model's positions overflow a u32");
			let entry = deposits.entry(m.owner).or_default();
			*entry = entry.saturating_add(m.deposit);
		}
		ensure!(
			T::Holdings::items(AssetKind::Model).iter().all(|id| Models::<T>::contains_key(id)),
			"an item of the models' collection is no model"
		);
		for (who, total) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ModelDeposit.into(), &who) == total,
				"model deposits disagree with the held balance"
			);
		}
		Ok(())
	}
}
