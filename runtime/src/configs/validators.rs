//! The validator set: who authors blocks and votes on finality, and how that changes on chain.
//!
//! - Time is cut into sessions ([`pallet_session`]) of [`SessionLength`] blocks: 10 minutes
//!   at the fast governance pace (development and test chains), an hour at the production pace,
//!   unless the chain's state sets another length (below). A validator's session keys are its
//!   Aura and GRANDPA keys ([`crate::opaque::SessionKeys`]); they take effect at the second
//!   session boundary after `session.setKeys`, and so does a change of the set.
//! - The set comes from [`pallet_collator_selection`]: the invulnerables, kept by Root or an
//!   `attribution_admin` referendum, and the candidates who bonded [the candidacy
//!   bond](pallet_collator_selection::CandidacyBond) (set at genesis, changed by the same
//!   origins), the highest bonds first, up to the desired number of candidates. Genesis sets
//!   that number with [`safe_candidates`]: fewer than a third of the set, so that candidates,
//!   who need no one's approval, can neither stall GRANDPA nor finalise on their own, however
//!   much they bond. Invulnerables and candidates together are at most
//!   [`super::MAX_AUTHORITIES`].
//! - A candidate that authors no block for [`KickThreshold`] blocks (two sessions) is removed at
//!   a session boundary and its bond returned (the pallet does not slash). A candidate leaves
//!   with `collatorSelection.leaveIntent`, also at the boundary. At least one eligible validator
//!   always stays.
//! - [`pallet_authorship`] tells the collator selection who authored each block (Aura's slot
//!   author).
//!
//! Validators and attestors are two roles with two bonds and two key sets: a validator's
//! candidacy bond here and its Aura and GRANDPA session keys; an attestor's bond in
//! `pallet_attribution` and its `attr` key. See `docs/validators.md` for why.

use frame_support::{parameter_types, traits::ConstU32, PalletId};
use openledger_primitives::time::{HOURS, MINUTES};
use sp_runtime::traits::ConvertInto;

use crate::{
	governance::{
		origins::{GovernancePace, Pace},
		AttributionAdminOrigin,
	},
	opaque::SessionKeys,
	AccountId, Aura, Balance, Balances, BlockNumber, CollatorSelection, Runtime, RuntimeEvent,
	Session, OPEN,
};

/// The candidacy bond of the presets.
pub const CANDIDACY_BOND: Balance = 10_000 * OPEN;
/// The most invulnerables.
pub const MAX_INVULNERABLES: u32 = 16;

/// The most candidates that may validate beside `invulnerables` while the candidates stay
/// fewer than a third of the set: GRANDPA finalises with more than two thirds of the votes, so
/// a third that does not vote stalls it, and a third that votes twice (with a third of honest
/// ones misled) could finalise two forks. `(i - 1) / 2`: 1 beside 4 invulnerables, 7 beside 16.
pub const fn safe_candidates(invulnerables: u32) -> u32 {
	invulnerables.saturating_sub(1) / 2
}

parameter_types! {
	/// The blocks a session lasts, when the chain's state sets it: 0 (the default) means "by the
	/// governance pace" ([`SessionLength`]). It is read from the storage key `:SessionBlocks:`,
	/// which no preset writes; a raw chain spec may (`scripts/network.sh start
	/// --session-blocks`), and so may Root (`system.setStorage`), for a governed length.
	pub storage SessionBlocks: BlockNumber = 0;
	pub const PotId: PalletId = PalletId(*b"ol/vpot ");
	/// What setting session keys the first time holds: their storage.
	pub const SessionKeyDeposit: Balance = 10 * OPEN;
}

/// The length of a session in blocks: [`SessionBlocks`] if set, else 10 minutes at the fast
/// pace and an hour at the production pace.
pub struct SessionLength;

impl frame_support::traits::Get<BlockNumber> for SessionLength {
	fn get() -> BlockNumber {
		match SessionBlocks::get() {
			0 => match GovernancePace::<Runtime>::get() {
				Pace::Fast => 10 * MINUTES,
				Pace::Production => HOURS,
			},
			blocks => blocks,
		}
	}
}

/// Blocks without authoring after which a candidate is removed: two sessions.
pub struct KickThreshold;

impl frame_support::traits::Get<BlockNumber> for KickThreshold {
	fn get() -> BlockNumber {
		SessionLength::get().saturating_mul(2)
	}
}

/// Sessions end every [`SessionLength`] blocks, from block 0.
pub type Sessions = pallet_session::PeriodicSessions<SessionLength, ConstU32<0>>;

impl pallet_authorship::Config for Runtime {
	type FindAuthor = pallet_session::FindAccountFromAuthorIndex<Self, Aura>;
	type EventHandler = CollatorSelection;
}

impl pallet_session::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// A validator is known by its account.
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ShouldEndSession = Sessions;
	type NextSessionRotation = Sessions;
	type SessionManager = CollatorSelection;
	type SessionHandler = <SessionKeys as sp_runtime::traits::OpaqueKeys>::KeyTypeIdProviders;
	type Keys = SessionKeys;
	/// No offences are reported on chain (there is no staking to slash), so no one is disabled.
	type DisablingStrategy = ();
	type WeightInfo = pallet_session::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type KeyDeposit = SessionKeyDeposit;
}

impl pallet_collator_selection::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Currency = Balances;
	type UpdateOrigin = AttributionAdminOrigin;
	/// The account that pays authors half its balance per block; nothing pays into it, so
	/// authors earn nothing from it (validators are paid as attestors, by the rewards split).
	type PotId = PotId;
	type MaxCandidates = ConstU32<{ super::MAX_AUTHORITIES - MAX_INVULNERABLES }>;
	type MinEligibleCollators = ConstU32<1>;
	type MaxInvulnerables = ConstU32<MAX_INVULNERABLES>;
	type KickThreshold = KickThreshold;
	type ValidatorId = AccountId;
	type ValidatorIdOf = ConvertInto;
	type ValidatorRegistration = Session;
	type WeightInfo = pallet_collator_selection::weights::SubstrateWeight<Runtime>;
}

/// The account of the collator selection's pot (which genesis endows with the existential
/// deposit, so that it exists).
pub fn validator_pot() -> AccountId {
	use sp_runtime::traits::AccountIdConversion;
	PotId::get().into_account_truncating()
}
