//! Migrations of this pallet's storage, one module per storage version. The runtime runs each
//! as a `VersionedMigration` (see its `migrations`), so that it runs once, where the version on
//! chain is the one it migrates from.

/// Version 1 to 2: a completed inference's status keeps its [`Answer`](crate::Answer), a label
/// or a continuation, where it kept a label and a probability, with label 0 for an ∞-gram
/// model's continuation. Each inference of [`Inferences`](crate::Inferences) is rewritten (a
/// pending or refunded one as it was); its model tells which answer a completed one had
/// ([`Answer::from_label`](crate::Answer::from_label)). Nothing else changes.
pub mod v2 {
	#[cfg(feature = "try-runtime")]
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::{
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::Perbill;

	#[cfg(feature = "try-runtime")]
	use crate::InferenceId;
	use crate::{
		Answer, BalanceOf, ClassLabel, Config, Inference, InferenceStatus, Inferences, ModelId,
		ModelInspect,
	};

	/// `InferenceStatus` of storage version 1.
	#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
	pub enum OldInferenceStatus {
		Pending,
		Completed { label: ClassLabel, confidence: Perbill },
		Refunded,
	}

	/// `Inference` of storage version 1.
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldInference<AccountId, Balance, BlockNumber> {
		pub caller: AccountId,
		pub agent: crate::AgentId,
		pub model: ModelId,
		pub model_fee: Balance,
		pub agent_fee: Balance,
		pub block: BlockNumber,
		pub status: OldInferenceStatus,
	}

	type Old<T> =
		OldInference<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// The migration; see [the module](self).
	pub struct AnswerInStatus<T>(PhantomData<T>);

	impl<T: Config> AnswerInStatus<T> {
		/// The inference of version 2 for one of version 1.
		pub fn upgrade(old: Old<T>) -> Inference<T> {
			let status = match old.status {
				OldInferenceStatus::Pending => InferenceStatus::Pending,
				OldInferenceStatus::Refunded => InferenceStatus::Refunded,
				OldInferenceStatus::Completed { label, confidence } => {
					let generates = T::Models::model(old.model).is_some_and(|m| m.spec.generates());
					InferenceStatus::Completed(Answer::from_label(generates, label, confidence))
				},
			};
			Inference {
				caller: old.caller,
				agent: old.agent,
				model: old.model,
				model_fee: old.model_fee,
				agent_fee: old.agent_fee,
				block: old.block,
				status,
			}
		}
	}

	impl<T: Config> UncheckedOnRuntimeUpgrade for AnswerInStatus<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Inferences::<T>::translate::<Old<T>, _>(|_, old| {
				count += 1;
				Some(Self::upgrade(old))
			});
			// Each inference, and its model.
			<T as frame_system::Config>::DbWeight::get().reads_writes(2 * count, count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let old: Vec<(InferenceId, Old<T>)> = Inferences::<T>::iter_keys()
				.filter_map(|id| {
					let raw = frame_support::storage::unhashed::get_raw(
						&Inferences::<T>::hashed_key_for(id),
					)?;
					Some((id, Old::<T>::decode(&mut &raw[..]).ok()?))
				})
				.collect();
			frame_support::ensure!(
				old.len() == Inferences::<T>::iter_keys().count(),
				"an inference does not decode in the version-1 layout"
			);
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before: Vec<(InferenceId, Old<T>)> =
				Decode::decode(&mut &before[..]).map_err(|_| "the pre-upgrade inferences")?;
			frame_support::ensure!(
				Inferences::<T>::iter().count() == before.len(),
				"an inference does not decode after the migration"
			);
			for (id, old) in before {
				let new = Inferences::<T>::get(id).ok_or("an inference went")?;
				frame_support::ensure!(new == Self::upgrade(old), "an inference changed");
			}
			Ok(())
		}
	}
}
