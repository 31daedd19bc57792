//! Rewards: how an inference's fee is split.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_runtime::Perbill;

/// How a fee is split.
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
pub struct RewardSplit {
	/// The data contributors, by attribution share.
	pub contributors: Perbill,
	/// The model's owner.
	pub model_owner: Perbill,
	/// The agent's owner.
	pub agent: Perbill,
	/// The attestors that agreed with consensus.
	pub attestors: Perbill,
	/// The treasury.
	pub treasury: Perbill,
}

impl Default for RewardSplit {
	fn default() -> Self {
		Self {
			contributors: Perbill::from_percent(50),
			model_owner: Perbill::from_percent(20),
			agent: Perbill::from_percent(10),
			attestors: Perbill::from_percent(15),
			treasury: Perbill::from_percent(5),
		}
	}
}

impl RewardSplit {
	/// Whether the parts sum to exactly 100%.
	pub fn is_whole(&self) -> bool {
		[self.contributors, self.model_owner, self.agent, self.attestors, self.treasury]
			.iter()
			.map(|p| u64::from(p.deconstruct()))
			.sum::<u64>()
			== u64::from(Perbill::one().deconstruct())
	}
}
