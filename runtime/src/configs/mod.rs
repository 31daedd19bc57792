//! Configuration of each pallet of the runtime, one area a module.
//!
//! - this module: `frame_system`, consensus (Aura, GRANDPA, timestamp) and utilities;
//! - [`monetary`]: the OPEN token and transaction fees;
//! - [`data`]: Datanets, models and agents;
//! - [`attribution`]: Proof of Attribution and rewards.
//!
//! Governance (referenda, voting, the scheduler, preimages and the treasury) is configured in
//! [`crate::governance`].

pub mod attribution;
pub mod data;
pub mod monetary;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::Perbill;
use sp_version::RuntimeVersion;

use super::{
	AccountId, Aura, Balance, Block, BlockNumber, Hash, Nonce, OriginCaller, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, SLOT_DURATION, VERSION,
};

/// At most 75% of a block may be filled by normal transactions; the rest is kept for operational
/// ones (and for inherents).
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// The most validators (Aura and GRANDPA authorities) the chain can have.
pub const MAX_AUTHORITIES: u32 = 32;

parameter_types! {
	pub const BlockHashCount: BlockNumber = 2400;
	pub const Version: RuntimeVersion = VERSION;

	/// Two seconds of compute per 6-second block.
	pub RuntimeBlockWeights: BlockWeights = BlockWeights::with_sensible_defaults(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
		NORMAL_DISPATCH_RATIO,
	);
	/// Blocks of at most 5 MiB.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| *max = NORMAL_DISPATCH_RATIO * *max)
		.build();
	pub const SS58Prefix: u16 = openledger_primitives::SS58_PREFIX;
}

parameter_types! {
	/// Half the Aura slot duration, in milliseconds: 3,000 (6-second slots) unless the chain's
	/// genesis state sets it. It is read from the storage key `:MinimumPeriod:`, which no preset
	/// writes; a raw chain spec may, and `scripts/network.sh start --slot-ms` does, for a local
	/// network with faster blocks (the end-to-end tests of the four validators use 3 seconds).
	/// The slot duration cannot change once a chain has started (Aura's slot numbers would jump),
	/// so nothing but genesis should write it: the key is as open to `system.setStorage` as any
	/// other, which only Root may call.
	pub storage MinimumPeriod: u64 = SLOT_DURATION / 2;
}

/// Defaults come from [`frame_system::config_preludes::SolochainDefaultConfig`]; the types that
/// make this chain what it is are set here.
#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	// ParityDB is the only database the node opens (`--database paritydb` is its default).
	type DbWeight = ParityDbWeight;
	type Version = Version;
	/// Accounts hold OPEN balances.
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No staking and no offences pallet: equivocations are not reported on chain.
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	/// Aura's slot is `2 * MinimumPeriod`: 6 s unless genesis set another.
	type MinimumPeriod = MinimumPeriod;
	type WeightInfo = pallet_timestamp::weights::SubstrateWeight<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}

impl pallet_utility::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type PalletsOrigin = OriginCaller;
	type WeightInfo = pallet_utility::weights::SubstrateWeight<Runtime>;
}
