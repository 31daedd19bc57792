//! On-chain governance: OpenGov referenda over the chain's parameters, members and code.
//!
//! - [`pallet_preimage`] stores the calls that referenda vote on;
//! - [`pallet_referenda`] runs referenda on the tracks of [`tracks`];
//! - [`pallet_conviction_voting`] counts votes, weighted by how long voters lock their OPEN;
//! - [`pallet_scheduler`] enacts an approved call after its track's enactment period;
//! - [`pallet_treasury`] holds the chain's funds and pays approved spends;
//! - [`origins`] defines the origin each track below root dispatches with.
//!
//! Every privileged call of the project's pallets accepts Root or its track's origin (the
//! `*Origin` types below). Sudo exists only on chains whose genesis preset sets a key (the
//! `dev` and `local` test chains); on `staging`, as on a production chain, a referendum is the
//! only way to change anything.

pub mod origins;
pub mod tracks;

use frame_support::{
	parameter_types,
	traits::{
		fungible::HoldConsideration,
		tokens::{pay::PayFromAccount, UnityAssetBalanceConversion},
		AsEnsureOriginWithArg, EitherOf, EitherOfDiverse, EqualPrivilegeOnly, Get,
		LinearStoragePrice,
	},
	weights::Weight,
	PalletId,
};
use frame_system::{EnsureRoot, EnsureRootWithSuccess, EnsureSigned, EnsureWithSuccess};
use sp_runtime::{
	traits::{AccountIdConversion, AccountIdLookup},
	Perbill,
};

use crate::{
	configs::{monetary::DEPOSIT_PER_BYTE, RuntimeBlockWeights},
	AccountId, Balance, Balances, BlockNumber, OriginCaller, Preimage, Referenda, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeHoldReason, RuntimeOrigin, Scheduler, System, Treasury, DAYS,
	OPEN,
};
use origins::{GovernancePace, Pace};

/// Root, or an approved `attribution_admin` referendum.
pub type AttributionAdminOrigin = EitherOfDiverse<EnsureRoot<AccountId>, origins::AttributionAdmin>;
/// Root, or an approved `economics` referendum.
pub type EconomicsOrigin = EitherOfDiverse<EnsureRoot<AccountId>, origins::Economics>;
/// Root, or an approved `moderator` referendum.
pub type ModeratorOrigin = EitherOfDiverse<EnsureRoot<AccountId>, origins::Moderator>;
/// Root, or an approved `treasurer` referendum.
pub type TreasurerOrigin = EitherOfDiverse<EnsureRoot<AccountId>, origins::Treasurer>;

/// A period that depends on the chain's [`Pace`].
macro_rules! paced {
	($($(#[$doc:meta])* $name:ident = production $production:expr, fast $fast:expr;)*) => {$(
		$(#[$doc])*
		pub struct $name;
		impl Get<BlockNumber> for $name {
			fn get() -> BlockNumber {
				match GovernancePace::<Runtime>::get() {
					Pace::Production => $production,
					Pace::Fast => $fast,
				}
			}
		}
	)*};
}

paced! {
	/// How long a conviction-1x vote stays locked after its referendum ends: a week (ten
	/// blocks at the fast pace). Each conviction step doubles it. It is longer than every
	/// track's enactment period, so that a voter still has skin in the game when the call they
	/// voted for takes effect.
	VoteLockingPeriod = production 7 * DAYS, fast 10;
	/// How long a referendum may wait for its decision deposit before it times out: two weeks
	/// (at the fast pace, a prepare and a decision period).
	UndecidingTimeout = production 14 * DAYS, fast tracks::fast::PREPARE + tracks::fast::DECISION;
}

parameter_types! {
	/// Scheduled calls may use 80% of a block.
	pub MaximumSchedulerWeight: Weight = Perbill::from_percent(80) * RuntimeBlockWeights::get().max_block;
	pub const PreimageHoldReason: RuntimeHoldReason =
		RuntimeHoldReason::Preimage(pallet_preimage::HoldReason::Preimage);
	/// A preimage costs 1 OPEN plus the chain's usual 100 µOPEN a byte (the 2.9 MB debug-built
	/// runtime: 291 OPEN), returned when it is unnoted.
	pub const PreimageBaseDeposit: Balance = OPEN;
	pub const PreimageByteDeposit: Balance = DEPOSIT_PER_BYTE;
	/// Anyone may propose for 10 OPEN, returned if the referendum is approved or cancelled;
	/// the decision deposit of the track is what keeps spam from the voters.
	pub const SubmissionDeposit: Balance = 10 * OPEN;
	/// The treasury's pallet id; its account also receives slashed deposits and bonds.
	pub const TreasuryPalletId: PalletId = PalletId(*b"ol/trsry");
	/// The treasury account.
	pub TreasuryAccount: AccountId = TreasuryPalletId::get().into_account_truncating();
	/// Approved local spends are paid every six days.
	pub const SpendPeriod: BlockNumber = 6 * DAYS;
	/// A spend must be claimed within 30 days of becoming valid.
	pub const PayoutPeriod: BlockNumber = 30 * DAYS;
	/// The most one `treasurer` referendum may spend: 1,000,000 OPEN. Larger spends go
	/// through `root`.
	pub const TreasurerSpendLimit: Balance = 1_000_000 * OPEN;
	pub const MaxBalance: Balance = Balance::MAX;
}

impl origins::Config for Runtime {}

impl pallet_scheduler::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeOrigin = RuntimeOrigin;
	type PalletsOrigin = OriginCaller;
	type RuntimeCall = RuntimeCall;
	type MaximumWeight = MaximumSchedulerWeight;
	/// Only referenda schedule calls, through the pallet's trait; the extrinsics are Root's.
	type ScheduleOrigin = EnsureRoot<AccountId>;
	type OriginPrivilegeCmp = EqualPrivilegeOnly;
	type MaxScheduledPerBlock = frame_support::traits::ConstU32<50>;
	type WeightInfo = pallet_scheduler::weights::SubstrateWeight<Runtime>;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl pallet_preimage::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_preimage::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type ManagerOrigin = EnsureRoot<AccountId>;
	type Consideration = HoldConsideration<
		AccountId,
		Balances,
		PreimageHoldReason,
		LinearStoragePrice<PreimageBaseDeposit, PreimageByteDeposit, Balance>,
	>;
}

impl pallet_referenda::Config for Runtime {
	type RuntimeCall = RuntimeCall;
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_referenda::weights::SubstrateWeight<Runtime>;
	type Scheduler = Scheduler;
	type Currency = Balances;
	/// Any account may propose on any track.
	type SubmitOrigin = AsEnsureOriginWithArg<EnsureSigned<AccountId>>;
	type CancelOrigin = EnsureRoot<AccountId>;
	type KillOrigin = EnsureRoot<AccountId>;
	/// The deposits of killed referenda go to the treasury.
	type Slash = Treasury;
	type Votes = Balance;
	type Tally = pallet_conviction_voting::TallyOf<Runtime>;
	type SubmissionDeposit = SubmissionDeposit;
	type MaxQueued = frame_support::traits::ConstU32<100>;
	type UndecidingTimeout = UndecidingTimeout;
	/// Referenda are re-evaluated every block.
	type AlarmInterval = frame_support::traits::ConstU32<1>;
	type Tracks = tracks::TracksInfo;
	type Preimages = Preimage;
	type BlockNumberProvider = System;
}

impl pallet_conviction_voting::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = pallet_conviction_voting::weights::SubstrateWeight<Runtime>;
	type Currency = Balances;
	type Polls = Referenda;
	/// Support is measured against the OPEN in circulation.
	type MaxTurnout =
		frame_support::traits::tokens::currency::ActiveIssuanceOf<Balances, AccountId>;
	/// An account may vote on 512 referenda at once.
	type MaxVotes = frame_support::traits::ConstU32<512>;
	type VoteLockingPeriod = VoteLockingPeriod;
	type BlockNumberProvider = System;
	type VotingHooks = ();
}

impl pallet_treasury::Config for Runtime {
	type Currency = Balances;
	type RejectOrigin = TreasurerOrigin;
	type RuntimeEvent = RuntimeEvent;
	type SpendPeriod = SpendPeriod;
	/// The treasury never burns its funds (`()` is a zero `Permill`).
	type Burn = ();
	type PalletId = TreasuryPalletId;
	type BurnDestination = ();
	type WeightInfo = pallet_treasury::weights::SubstrateWeight<Runtime>;
	type SpendFunds = ();
	type MaxApprovals = frame_support::traits::ConstU32<100>;
	/// Root may spend anything; a `treasurer` referendum up to [`TreasurerSpendLimit`].
	type SpendOrigin = EitherOf<
		EnsureRootWithSuccess<AccountId, MaxBalance>,
		EnsureWithSuccess<origins::Treasurer, AccountId, TreasurerSpendLimit>,
	>;
	/// Spends are in OPEN only.
	type AssetKind = ();
	type Beneficiary = AccountId;
	/// Beneficiaries are addressed as in every other call.
	type BeneficiaryLookup = AccountIdLookup<AccountId, ()>;
	type Paymaster = PayFromAccount<Balances, TreasuryAccount>;
	type BalanceConverter = UnityAssetBalanceConversion;
	type PayoutPeriod = PayoutPeriod;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::TreasuryHelper;
	type BlockNumberProvider = System;
}
