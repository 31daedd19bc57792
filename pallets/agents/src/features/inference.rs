//! Paid inferences: `invoke` holds the fee and opens a Proof of Attribution job; the job's end
//! moves the fee to the rewards pot (`do_complete`) or refunds it (`do_refund`); the minimum
//! fee is the admin's.

use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
		Defensive,
	},
};
use sp_runtime::traits::{Saturating, Zero};

use crate::{
	pallet::*, types::*, AgentId, AgentStatus, AttributionJobs, DatanetInspect, InferenceId,
	InferenceResult, InferenceStatus, ModelInspect, ModelStatus, RewardParties, RewardSink,
};

impl<T: Config> Pallet<T> {
	/// Pays for an inference of `input` through `agent`; returns its id.
	pub fn do_invoke(
		caller: T::AccountId,
		agent: AgentId,
		input: Vec<u8>,
		max_fee: BalanceOf<T>,
	) -> Result<InferenceId, DispatchError> {
		ensure!(input.len() <= T::MaxInputLen::get() as usize, Error::<T>::InputTooLong);
		let a = Agents::<T>::get(agent).ok_or(Error::<T>::UnknownAgent)?;
		ensure!(a.status == AgentStatus::Active, Error::<T>::NotActive);
		let m = T::Models::model(a.model).ok_or(Error::<T>::UnknownModel)?;
		ensure!(matches!(m.status, ModelStatus::Active { .. }), Error::<T>::ModelNotActive);
		// Every source has the first one's schema.
		let schema = m.datanet().and_then(T::Datanets::schema).ok_or(Error::<T>::UnknownModel)?;
		schema.check_input(&input, T::MaxInputLen::get()).map_err(|_| Error::<T>::InvalidInput)?;
		let fee = m.fee.saturating_add(a.fee);
		ensure!(fee <= max_fee, Error::<T>::FeeAboveMax);
		ensure!(fee >= MinFee::<T>::get(), Error::<T>::FeeBelowMinimum);
		let id = NextInferenceId::<T>::get();
		NextInferenceId::<T>::put(id.checked_add(1).ok_or(Error::<T>::Overflow)?);
		T::Currency::hold(&HoldReason::InferenceFee.into(), &caller, fee)?;
		Inferences::<T>::insert(
			id,
			Inference {
				caller: caller.clone(),
				agent,
				model: a.model,
				model_fee: m.fee,
				agent_fee: a.fee,
				block: frame_system::Pallet::<T>::block_number(),
				status: InferenceStatus::Pending,
			},
		);
		T::Jobs::request_inference(id, a.model, input)?;
		Self::deposit_event(Event::InferenceRequested {
			inference: id,
			agent,
			model: a.model,
			caller,
			fee,
		});
		Ok(id)
	}

	/// Sets the least an inference's fee may be.
	pub(crate) fn do_set_min_fee(fee: BalanceOf<T>) -> DispatchResult {
		MinFee::<T>::put(fee);
		Self::deposit_event(Event::MinFeeSet { fee });
		Ok(())
	}

	/// The attestors agreed on `result` for `inference`: moves its fee to the rewards pot and
	/// has it split among the parties.
	pub(crate) fn do_complete(
		inference: InferenceId,
		result: &InferenceResult,
		agreeing: &[T::AccountId],
	) {
		// Attribution hears only of the inferences `do_invoke` stored (it stores one before it
		// asks for its job, in the same call), and an inference is forgotten only when pruned,
		// which attribution schedules after its one notice.
		let Some(mut inf) = Inferences::<T>::get(inference) else {
			frame_support::defensive!("a notice of completion for an inference never paid for");
			return;
		};
		// Not defensive: a second notice of an inference already completed or refunded changes
		// nothing (attribution sends one per inference, but the handler is idempotent).
		if inf.status != InferenceStatus::Pending {
			return;
		}
		let fee = inf.model_fee.saturating_add(inf.agent_fee);
		// The hold is this pallet's own and covers the fee of every pending inference of the
		// caller (`do_try_state`), and the pot can take it: it exists from the genesis and
		// keeps itself alive.
		let fee = T::Currency::transfer_on_hold(
			&HoldReason::InferenceFee.into(),
			&inf.caller,
			&T::Rewards::pot(),
			fee,
			Precision::BestEffort,
			Restriction::Free,
			Fortitude::Force,
		)
		.defensive_proof("a pending inference's fee is held and the rewards pot exists")
		.unwrap_or_else(|_| Zero::zero());
		let model = T::Models::model(inf.model)
			.defensive_proof("the model of a paid inference exists: models are never removed");
		// Not defensive: `withdraw_bond` does not wait for the agent's pending inferences, so
		// the agent may be gone; the fee then stays in the pot, undistributed.
		let agent_owner = Agents::<T>::get(inf.agent).map(|a| Self::owner_of(inf.agent, &a));
		if let (Some(m), Some(agent_owner)) = (model, agent_owner) {
			T::Rewards::distribute(
				fee,
				RewardParties {
					inference,
					model: inf.model,
					model_owner: m.owner,
					agent: inf.agent,
					agent_owner,
					sources: &m.sources,
					shares: &result.shares,
					attestors: agreeing,
				},
			);
		}
		inf.status = InferenceStatus::Completed(result.answer);
		let agent = inf.agent;
		Inferences::<T>::insert(inference, inf);
		Self::deposit_event(Event::InferenceCompleted {
			inference,
			agent,
			answer: result.answer,
			records: result.shares.len() as u32,
			fee,
		});
	}

	/// `inference`'s job expired unanswered: refunds its caller in full.
	pub(crate) fn do_refund(inference: InferenceId) {
		// As in `do_complete`: attribution hears only of stored inferences, once.
		let Some(mut inf) = Inferences::<T>::get(inference) else {
			frame_support::defensive!("a notice of expiry for an inference never paid for");
			return;
		};
		// Not defensive: a second notice changes nothing (see `do_complete`).
		if inf.status != InferenceStatus::Pending {
			return;
		}
		let fee = inf.model_fee.saturating_add(inf.agent_fee);
		// The hold is this pallet's own and covers the fee (`do_try_state`), and releasing it
		// changes no account's total.
		let amount = T::Currency::release(
			&HoldReason::InferenceFee.into(),
			&inf.caller,
			fee,
			Precision::BestEffort,
		)
		.defensive_proof("a pending inference's fee is held")
		.unwrap_or_else(|_| Zero::zero());
		inf.status = InferenceStatus::Refunded;
		let caller = inf.caller.clone();
		Inferences::<T>::insert(inference, inf);
		Self::deposit_event(Event::InferenceRefunded { inference, caller, amount });
	}

	/// Forgets `inference` once attribution has pruned its result.
	pub(crate) fn do_forget(inference: InferenceId) {
		// A pending inference still holds its fee: it is never forgotten.
		if Inferences::<T>::get(inference).is_some_and(|i| i.status != InferenceStatus::Pending) {
			Inferences::<T>::remove(inference);
		}
	}
}
