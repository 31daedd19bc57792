//! The data layer: Datanets, models and agents, with deposits sized in OPEN.
//!
//! | what | deposit |
//! |---|---|
//! | a Datanet | 1 OPEN + 100 µOPEN a byte of metadata |
//! | a record | 0.01 OPEN + 100 µOPEN a byte of payload (a 64-value digit: 0.0164 OPEN) |
//! | a model | 1 OPEN + 100 µOPEN a byte of metadata |
//! | an agent | a 10 OPEN bond, released 7 days after unregistering |
//!
//! Moderation (removing records, slashing agents, retiring models) is Root's or a `moderator`
//! referendum's. Removed deposits and slashed bonds go to the treasury.

use frame_support::{
	parameter_types,
	traits::{ConstU16, ConstU32, ConstU8},
};

use crate::{
	governance::{ModeratorOrigin, TreasuryAccount},
	Balance, BlockNumber, Datanets, Models, Runtime, RuntimeHoldReason, DAYS, MICRO_OPEN,
	MILLI_OPEN, OPEN,
};

/// The deposit for each byte a user stores.
pub const DEPOSIT_PER_BYTE: Balance = 100 * MICRO_OPEN;

parameter_types! {
	pub const DatanetDeposit: Balance = OPEN;
	pub const RecordDepositBase: Balance = 10 * MILLI_OPEN;
	pub const DepositPerByte: Balance = DEPOSIT_PER_BYTE;
	pub const ModelDeposit: Balance = OPEN;
	pub const AgentBond: Balance = 10 * OPEN;
	pub const AgentUnbondingPeriod: BlockNumber = 7 * DAYS;
}

impl pallet_datanets::Config for Runtime {
	type Currency = crate::Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ModeratorOrigin = ModeratorOrigin;
	type TreasuryAccount = TreasuryAccount;
	type DatanetDeposit = DatanetDeposit;
	type RecordDepositBase = RecordDepositBase;
	type DepositPerByte = DepositPerByte;
	type MaxNameLen = ConstU32<64>;
	type MaxDescriptionLen = ConstU32<512>;
	type MaxLicenseLen = ConstU32<64>;
	type MaxPayloadLen = ConstU32<2048>;
	type MaxCurators = ConstU32<16>;
	type MaxClasses = ConstU16<1024>;
	type MaxDims = ConstU16<1024>;
	type MaxPageSize = ConstU32<512>;
	type WeightInfo = pallet_datanets::weights::SubstrateWeight<Runtime>;
}

impl pallet_models::Config for Runtime {
	type Currency = crate::Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datanets = Datanets;
	type Jobs = crate::Attribution;
	type ModeratorOrigin = ModeratorOrigin;
	type ModelDeposit = ModelDeposit;
	type DepositPerByte = DepositPerByte;
	type MaxMetadataLen = ConstU32<256>;
	type MinFeatureDims = ConstU32<16>;
	type MaxFeatureDims = ConstU32<16384>;
	type MaxHidden = ConstU16<512>;
	type MaxEpochs = ConstU16<500>;
	type MaxBatchSize = ConstU16<1024>;
	type MaxCheckpoints = ConstU8<20>;
	type WeightInfo = pallet_models::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::DataLayerHelper;
}

impl pallet_agents::Config for Runtime {
	type Currency = crate::Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = Models;
	type Datanets = Datanets;
	type Jobs = crate::Attribution;
	type Rewards = crate::Rewards;
	type MaxInputLen = ConstU32<4096>;
	type ModeratorOrigin = ModeratorOrigin;
	type TreasuryAccount = TreasuryAccount;
	type AgentBond = AgentBond;
	type UnbondingPeriod = AgentUnbondingPeriod;
	type MaxMetadataLen = ConstU32<256>;
	type WeightInfo = pallet_agents::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::DataLayerHelper;
}
