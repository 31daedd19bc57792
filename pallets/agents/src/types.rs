//! The types the Agents pallet stores: an agent, a paid inference, and the balance type of bonds
//! and fees. The ids and statuses live in `openledger-primitives`.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	traits::fungible::Inspect, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use frame_system::pallet_prelude::BlockNumberFor;
use scale_info::TypeInfo;

pub use openledger_primitives::agents::Agent;

use crate::{pallet::Config, AgentId, InferenceStatus, ModelId};

/// The balance type of the currency that bonds are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A registered agent as stored: its metadata bounded by `MaxMetadataLen`.
pub type AgentOf<T> = Agent<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	BlockNumberFor<T>,
	BoundedVec<u8, <T as Config>::MaxMetadataLen>,
>;

/// A paid inference.
#[derive(
	CloneNoBound, DebugNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(T))]
pub struct Inference<T: Config> {
	/// Who paid.
	pub caller: T::AccountId,
	/// The agent called.
	pub agent: AgentId,
	/// Its model.
	pub model: ModelId,
	/// The model's fee, held from the caller until the end.
	pub model_fee: BalanceOf<T>,
	/// The agent's fee, held likewise.
	pub agent_fee: BalanceOf<T>,
	/// The block of the call.
	pub block: BlockNumberFor<T>,
	/// Where it stands.
	pub status: InferenceStatus,
}
