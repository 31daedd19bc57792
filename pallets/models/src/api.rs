//! What the runtime APIs and other pallets read or call in this pallet: the runtime API's
//! model query, [`ModelInspect`] for the pallets that read models, and [`ModelLifecycle`],
//! through which Proof of Attribution sets a model's training outcome.

use frame_support::pallet_prelude::*;
use sp_core::H256;
use sp_runtime::Perbill;

use crate::{pallet::*, types::*, ModelId, ModelInspect, ModelLifecycle};

impl<T: Config> Pallet<T> {
	/// A model, for the runtime API.
	pub fn model_info(model: ModelId) -> Option<Model<T::AccountId, BalanceOf<T>>> {
		Models::<T>::get(model).map(Model::unbounded)
	}
}

impl<T: Config> ModelInspect<T::AccountId, BalanceOf<T>> for Pallet<T> {
	fn model(model: ModelId) -> Option<Model<T::AccountId, BalanceOf<T>>> {
		Models::<T>::get(model).map(Model::unbounded)
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
