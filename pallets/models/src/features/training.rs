//! The outcome of a model's training, set by Proof of Attribution through `ModelLifecycle`:
//! `Training` becomes `Active` or `Failed`.

use frame_support::pallet_prelude::*;
use sp_core::H256;
use sp_runtime::Perbill;

use crate::{pallet::*, ModelId, ModelStatus};

impl<T: Config> Pallet<T> {
	/// Makes a `Training` model `Active`, with its attested accuracy and weights hash.
	pub(crate) fn do_activate(
		model: ModelId,
		accuracy: Perbill,
		weights_hash: H256,
	) -> DispatchResult {
		Self::set_status_from_training(model, ModelStatus::Active { accuracy, weights_hash })?;
		Self::deposit_event(Event::ModelActivated { model, accuracy, weights_hash });
		Ok(())
	}

	/// Makes a `Training` model `Failed`.
	pub(crate) fn do_fail(model: ModelId) -> DispatchResult {
		Self::set_status_from_training(model, ModelStatus::Failed)?;
		Self::deposit_event(Event::ModelFailed { model });
		Ok(())
	}

	/// Moves `model` from `Training` to `status`. A model that is unknown or no longer
	/// `Training` (retired, or already decided) is an error returned to the caller, which
	/// decides what to do with it: not a broken invariant of this pallet.
	fn set_status_from_training(model: ModelId, status: ModelStatus) -> DispatchResult {
		Models::<T>::try_mutate(model, |m| {
			let m = m.as_mut().ok_or(Error::<T>::UnknownModel)?;
			ensure!(m.status == ModelStatus::Training, Error::<T>::NotTraining);
			m.status = status;
			Ok(())
		})
	}
}
