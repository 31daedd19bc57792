//! Agents: registered services that call a model on behalf of users.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

use crate::datanets::ClassLabel;

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
	/// Attributed; the fee was split.
	Completed {
		/// The agreed label.
		label: ClassLabel,
		/// Its probability.
		confidence: Perbill,
	},
	/// The job expired; the fee was refunded.
	Refunded,
}
