//! What owners and moderation change on a registered model: its fee, and its retirement.

use frame_support::{
	pallet_prelude::*,
	traits::{fungible::MutateHold, tokens::Precision},
};

use crate::{pallet::*, types::*, AttributionJobs, ModelId, ModelStatus};

impl<T: Config> Pallet<T> {
	/// `model` as stored, if `who` holds its item.
	fn owned(who: &T::AccountId, model: ModelId) -> Result<ModelOf<T>, DispatchError> {
		let m = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(Self::owner_of(model, &m) == *who, Error::<T>::NotOwner);
		Ok(m)
	}

	/// `set_fee`'s work, for `who`.
	pub(crate) fn do_set_fee(
		who: T::AccountId,
		model: ModelId,
		fee: BalanceOf<T>,
	) -> DispatchResult {
		let mut m = Self::owned(&who, model)?;
		ensure!(m.status != ModelStatus::Retired, Error::<T>::Retired);
		m.fee = fee;
		Models::<T>::insert(model, m);
		Self::deposit_event(Event::FeeSet { model, fee });
		Ok(())
	}

	/// `retire`'s work, for `who`.
	pub(crate) fn do_retire(who: T::AccountId, model: ModelId) -> DispatchResult {
		let m = Self::owned(&who, model)?;
		Self::retire_model(model, m, false)
	}

	/// `force_retire`'s work.
	pub(crate) fn do_force_retire(model: ModelId) -> DispatchResult {
		let m = Models::<T>::get(model).ok_or(Error::<T>::UnknownModel)?;
		Self::retire_model(model, m, true)
	}

	/// Retires `model` (stored as `m`): releases its deposit to its registrant and closes its
	/// training job if it is still `Training`.
	fn retire_model(model: ModelId, mut m: ModelOf<T>, by_moderation: bool) -> DispatchResult {
		ensure!(m.status != ModelStatus::Retired, Error::<T>::Retired);
		T::Currency::release(
			&HoldReason::ModelDeposit.into(),
			&m.owner,
			m.deposit,
			Precision::BestEffort,
		)?;
		if m.status == ModelStatus::Training {
			T::Jobs::cancel_training(model);
		}
		m.status = ModelStatus::Retired;
		m.deposit = Default::default();
		Models::<T>::insert(model, m);
		Self::deposit_event(Event::ModelRetired { model, by_moderation });
		Ok(())
	}
}
