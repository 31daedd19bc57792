//! Migrations of this pallet's storage, one module per storage version. The runtime runs each
//! as a `VersionedMigration` (see its `migrations`), so that it runs once, where the version on
//! chain is the one it migrates from.

/// Version 1 to 2: a completed inference's status keeps its [`Answer`](crate::Answer), a label
/// or a continuation, where it kept a label and a probability, with label 0 for an ∞-gram
/// model's continuation. Each inference of [`Inferences`](crate::Inferences) is rewritten (a
/// pending or refunded one as it was); its model tells which answer a completed one had
/// ([`Answer::from_label`](crate::Answer::from_label)). Nothing else changes.
pub mod v2 {
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_system::pallet_prelude::BlockNumberFor;
	use openledger_primitives::migration::{Rewrite, RewriteEach};
	use sp_runtime::Perbill;

	use crate::{
		Answer, BalanceOf, ClassLabel, Config, Inference, InferenceId, InferenceStatus, Inferences,
		ModelId, ModelInspect,
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

	/// How one inference changes: a completed one's label and probability become its answer.
	pub struct StatusWithAnswer<T>(PhantomData<T>);

	impl<T: Config> Rewrite for StatusWithAnswer<T> {
		type Key = InferenceId;
		type Old = OldInference<T::AccountId, BalanceOf<T>, BlockNumberFor<T>>;
		type New = Inference<T>;
		type Map = Inferences<T>;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		/// A completed inference's model.
		const READS: u64 = 1;

		fn rewrite(old: Self::Old) -> Self::New {
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

	/// The migration; see [the module](self).
	pub type AnswerInStatus<T> = RewriteEach<StatusWithAnswer<T>>;
}

/// Version 2 to 3: agents become NFTs. Each agent gets the item of its id in the agents'
/// collection ([`Config::Holdings`](crate::Config::Holdings)), minted to the account stored as
/// its owner, which from then on is its registrant, the account whose bond it holds. The
/// layout of [`Agents`](crate::Agents) does not change.
pub mod v3 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use openledger_primitives::migration::{MintEach, Minted};

	use crate::{Agents, AssetKind, Config};

	/// The agents, each with the account stored as its owner.
	pub struct AgentItems<T>(PhantomData<T>);

	impl<T: Config> Minted for AgentItems<T> {
		type AccountId = T::AccountId;
		type Holdings = T::Holdings;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const KIND: AssetKind = AssetKind::Agent;

		fn assets() -> Vec<(u32, T::AccountId)> {
			Agents::<T>::iter().map(|(id, a)| (id, a.owner)).collect()
		}
	}

	/// The migration; see [the module](self).
	pub type ItemsOfAgents<T> = MintEach<AgentItems<T>>;
}
