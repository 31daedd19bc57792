//! What the runtime APIs and other pallets read from this pallet, and how it hears from Proof
//! of Attribution how an inference ended ([`InferenceHandler`]).

use frame_system::pallet_prelude::BlockNumberFor;

use crate::{pallet::*, types::*, AgentId, InferenceHandler, InferenceId, InferenceResult};

impl<T: Config> Pallet<T> {
	/// A paid inference, for the runtime API.
	pub fn inference(inference: InferenceId) -> Option<Inference<T>> {
		Inferences::<T>::get(inference)
	}

	/// An agent, for the runtime API: its `owner` is the holder of its item.
	pub fn agent_info(
		agent: AgentId,
	) -> Option<Agent<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>> {
		Agents::<T>::get(agent).map(|a| Agent { owner: Self::owner_of(agent, &a), ..a.unbounded() })
	}
}

impl<T: Config> InferenceHandler<T::AccountId> for Pallet<T> {
	fn completed(inference: InferenceId, result: &InferenceResult, agreeing: &[T::AccountId]) {
		Self::do_complete(inference, result, agreeing);
	}

	fn expired(inference: InferenceId) {
		Self::do_refund(inference);
	}

	fn pruned(inference: InferenceId) {
		Self::do_forget(inference);
	}
}
