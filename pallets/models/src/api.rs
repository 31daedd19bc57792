//! What the runtime APIs and other pallets read or call in this pallet: the runtime API's
//! model query, [`ModelInspect`] for the pallets that read models, and [`ModelLifecycle`],
//! through which Proof of Attribution sets a model's training outcome.

use frame_support::pallet_prelude::*;
use sp_core::H256;
use sp_runtime::Perbill;

use crate::{pallet::*, types::*, AssetKind, Holdings, ModelId, ModelInspect, ModelLifecycle};

impl<T: Config> Pallet<T> {
	/// The owner of `model` (stored as `m`): the holder of its item, or, for a model without
	/// one (none since storage version 5), its registrant.
	pub fn owner_of(model: ModelId, m: &ModelOf<T>) -> T::AccountId {
		T::Holdings::holder(AssetKind::Model, model).unwrap_or_else(|| m.owner.clone())
	}

	/// A model as every reader sees it: its `owner` is the holder of its item.
	fn with_owner(model: ModelId) -> Option<Model<T::AccountId, BalanceOf<T>>> {
		Models::<T>::get(model).map(|m| Model { owner: Self::owner_of(model, &m), ..m.unbounded() })
	}

	/// A model, for the runtime API, with its owner.
	pub fn model_info(model: ModelId) -> Option<Model<T::AccountId, BalanceOf<T>>> {
		Self::with_owner(model)
	}
}

impl<T: Config> ModelInspect<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn model(model: ModelId) -> Option<Model<T::AccountId, BalanceOf<T>>> {
		Self::with_owner(model)
	}
}

impl<T: Config> ModelLifecycle for Pallet<T> {
	fn activate(model: ModelId, accuracy: Perbill, weights_hash: H256) -> DispatchResult {
		Self::do_activate(model, accuracy, weights_hash)
	}

	fn fail(model: ModelId) -> DispatchResult {
		Self::do_fail(model)
	}
}
