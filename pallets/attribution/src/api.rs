//! What the runtime APIs read from this pallet: a decided inference's record and continuation,
//! a training's record, the attestors, the engine version.

use alloc::vec::Vec;

use crate::*;

impl<T: Config> Pallet<T> {
	/// The consensus on an inference, once decided (until pruned).
	pub fn inference_result(inference: InferenceId) -> Option<InferenceRecord<T>> {
		Inferences::<T>::get(inference)
	}

	/// The continuation of a decided inference of an ∞-gram model (until pruned).
	pub fn generation(inference: InferenceId) -> Option<Generation> {
		Generations::<T>::get(inference)
	}

	/// The output of an external model's completed inference and its trace, while they are
	/// kept.
	pub fn trace(inference: InferenceId) -> Option<TracedOutput> {
		Traces::<T>::get(inference)
			.map(|r| TracedOutput { output: r.output.into_inner(), trace: r.trace })
	}

	/// The consensus on a model's training, with its quality flags (until pruned).
	pub fn training(model: ModelId) -> Option<TrainingRecord> {
		Trainings::<T>::get(model)
	}

	/// The attestors.
	pub fn attestors() -> Vec<T::AccountId> {
		Attestors::<T>::get().into_inner()
	}

	/// The engine version attestors must run.
	pub fn engine_version() -> u32 {
		ConsensusParams::<T>::get().engine_version
	}
}
