//! Agents: registered services that call a model on behalf of users.

use crate::attribution::Answer;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;

/// Identifies an agent.
pub type AgentId = u32;

/// Where an agent stands.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum AgentStatus<BlockNumber> {
	/// Registered and serving.
	Active,
	/// Unregistered; its bond can be withdrawn from block `until` on.
	Unbonding {
		/// The first block at which `withdraw_bond` succeeds.
		until: BlockNumber,
	},
}

/// Where a paid inference stands.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum InferenceStatus {
	/// Waiting for the attestors.
	Pending,
	/// Attributed, with what it answered; the fee was split.
	Completed(Answer),
	/// The job expired; the fee was refunded.
	Refunded,
}

/// A registered agent, once for every reader: storage keeps its `metadata` bounded; the runtime
/// API sees a `Vec<u8>` ([`Agent::unbounded`]). Both encode alike.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Agent<AccountId, Balance, BlockNumber, Metadata = alloc::vec::Vec<u8>> {
	/// Its owner, the operator: as the runtime API and other pallets read it, the holder of the
	/// agent's NFT (collection 2 of `pallet-nfts`); in storage, its registrant, whose bond it
	/// holds.
	pub owner: AccountId,
	/// The model it calls.
	pub model: crate::models::ModelId,
	/// Free-form metadata (UTF-8 by convention).
	pub metadata: Metadata,
	/// The agent's own fee per inference.
	pub fee: Balance,
	/// The bond held from the owner.
	pub bond: Balance,
	/// Where it stands.
	pub status: AgentStatus<BlockNumber>,
}

impl<AccountId, Balance, BlockNumber, Metadata: Into<alloc::vec::Vec<u8>>>
	Agent<AccountId, Balance, BlockNumber, Metadata>
{
	/// The agent with its metadata as a plain byte vector.
	pub fn unbounded(self) -> Agent<AccountId, Balance, BlockNumber> {
		let Agent { owner, model, metadata, fee, bond, status } = self;
		Agent { owner, model, metadata: metadata.into(), fee, bond, status }
	}
}
