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

/// An asset's owner share split among accounts in fixed parts (`rewards.set_revenue_shares`):
/// each account is paid `part / sum of parts` of what the share earns, rounded down, and the
/// first account the rounding's remainder. The split was set by `holder` and is in force only
/// while `holder` holds the asset's item; after a sale the new holder is paid the whole share.
/// `Parts` is a bounded list of `(account, part)` where stored, a `Vec` in the API.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct RevenueShares<AccountId, Parts> {
	/// The holder that set the split.
	pub holder: AccountId,
	/// The accounts and their parts, each part above zero and each account once.
	pub parts: Parts,
}

/// An asset's revenue shares as the API shows them.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RevenueSharesInfo<AccountId, Balance> {
	/// The split.
	pub shares: RevenueShares<AccountId, alloc::vec::Vec<(AccountId, u32)>>,
	/// Whether the split is in force: its holder still holds the asset.
	pub in_force: bool,
	/// What the split has earned and `settle_revenue` has not yet credited to its accounts.
	pub pending: Balance,
}
