//! Retention: every record the protocol writes for a result has an end. An inference's result
//! and continuation or trace, its request (for reports of early answers), its record in `pallet-agents`, and a model's training record and
//! quality flags are pruned [`Params`]`.retention` blocks after they were written, by
//! `on_idle`, in the weight the block has left. Nothing that rewards, claims or an open challenge needs is
//! among them: rewards are credited when a result is paid out, and a challenged result is in
//! [`Pending`] until it is settled.

use alloc::vec::Vec;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_runtime::traits::Saturating;

use crate::{pallet::*, types::*, weights::WeightInfo, InferenceHandler};

impl<T: Config> Pallet<T> {
	/// Schedules `record`, written now, for pruning after the retention period (never, with a
	/// retention of 0).
	pub(crate) fn expire_later(record: Expiring) {
		let retention = ConsensusParams::<T>::get().retention;
		if retention == 0 {
			return;
		}
		let at = frame_system::Pallet::<T>::block_number().saturating_add(retention.into());
		Expiries::<T>::insert(at, record, ());
	}

	/// `on_idle`: prunes the records whose retention ended by block `now`, oldest first, as
	/// many as `limit` allows (at most [`Config::MaxSettledPerBlock`]); returns the weight used.
	pub(crate) fn prune_due(now: BlockNumberFor<T>, limit: Weight) -> Weight {
		let base = T::WeightInfo::prune(0);
		// The benchmark predates `Traces` and `Requests`: each entry may also remove a trace
		// and a request.
		let each =
			T::WeightInfo::prune(1).saturating_sub(base).saturating_add(Self::extra_writes());
		let Some(room) = limit.checked_sub(&base) else { return Weight::zero() };
		let max = room
			.checked_div_per_component(&each)
			.unwrap_or(u64::MAX)
			.min(u64::from(T::MaxSettledPerBlock::get())) as u32;
		if max == 0 {
			return Weight::zero();
		}
		let (due, next, visited) =
			Self::take_due(ExpiryCursor::<T>::get(), now, max, |block, n| {
				Expiries::<T>::iter_key_prefix(block).take(n).collect::<Vec<Expiring>>()
			});
		ExpiryCursor::<T>::put(next);
		let (mut inferences, mut trainings) = (0u32, 0u32);
		for (block, record) in &due {
			Expiries::<T>::remove(block, record);
			match *record {
				Expiring::Inference(inference) => {
					Inferences::<T>::remove(inference);
					Generations::<T>::remove(inference);
					Traces::<T>::remove(inference);
					Requests::<T>::remove(inference);
					T::Inferences::pruned(inference);
					inferences = inferences.saturating_add(1);
				},
				Expiring::Training(model) => {
					Trainings::<T>::remove(model);
					trainings = trainings.saturating_add(1);
				},
			}
		}
		if !due.is_empty() {
			Self::deposit_event(Event::RecordsPruned { inferences, trainings });
		}
		T::WeightInfo::prune(due.len() as u32)
			.saturating_add(T::DbWeight::get().reads(visited.into()))
			.saturating_add(Self::extra_writes().saturating_mul(inferences.into()))
	}

	/// The removal of a trace and a request, beside a generation's, for each pruned inference.
	fn extra_writes() -> Weight {
		T::DbWeight::get().writes(2)
	}
}
