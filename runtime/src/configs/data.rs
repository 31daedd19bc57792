//! The data layer: Datanets, models and agents, with deposits sized in OPEN.
//!
//! | what | deposit |
//! |---|---|
//! | a Datanet | 1 OPEN + 100 µOPEN a byte of metadata |
//! | a record | 0.01 OPEN + 100 µOPEN a byte of payload (a 64-value digit: 0.0164 OPEN) |
//! | a model | 1 OPEN + 100 µOPEN a byte of metadata |
//! | an agent | a 10 OPEN bond, released 7 days after unregistering |
//!
//! An inference costs at least 0.01 OPEN (the model's fee plus the agent's) until an
//! `economics` referendum calls `agents.set_min_fee`.
//!
//! Moderation (removing records, slashing agents, retiring models) is Root's or a `moderator`
//! referendum's. Removed deposits and slashed bonds go to the treasury.
//!
//! A model's estimated cost to every attestor (`ModelSpec::cost` on its Datanet version) is
//! limited to 4 GiB and 2·10^12 floating-point operations (about a minute on two cores at
//! 40 GFLOP/s) until an `attribution_admin` referendum calls `models.set_cost_limit`.

use frame_support::{
	parameter_types,
	traits::{ConstU16, ConstU32},
};

use crate::{
	governance::{AttributionAdminOrigin, EconomicsOrigin, ModeratorOrigin, TreasuryAccount},
	Balance, BlockNumber, Datanets, Models, Runtime, RuntimeHoldReason, DAYS, MILLI_OPEN, OPEN,
};

parameter_types! {
	pub const DatanetDeposit: Balance = OPEN;
	pub const RecordDepositBase: Balance = 10 * MILLI_OPEN;
	pub const DepositPerByte: Balance = super::monetary::DEPOSIT_PER_BYTE;
	pub const ModelDeposit: Balance = OPEN;
	pub const AgentBond: Balance = 10 * OPEN;
	pub const AgentUnbondingPeriod: BlockNumber = 7 * DAYS;
	pub const DefaultMinFee: Balance = 10 * MILLI_OPEN;
	pub const DefaultCostLimit: pallet_models::SpecCost =
		pallet_models::SpecCost {
			bytes: 4 << 30,
			flops: 2_000_000_000_000,
			query_flops: 20_000_000_000,
		};
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
	// 512 records of at most 2 KiB: at most 1 MiB, a fifth of a block's length.
	type MaxContributionBatch = ConstU32<512>;
	type WeightInfo = pallet_datanets::weights::SubstrateWeight<Runtime>;
	type Holdings = super::assets::NftHoldings;
}

/// The most Datanet versions one model trains on.
pub const MAX_MODEL_SOURCES: u32 = 4;

impl pallet_models::Config for Runtime {
	type Currency = crate::Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datanets = Datanets;
	type Jobs = crate::Attribution;
	type ModeratorOrigin = ModeratorOrigin;
	type AdminOrigin = AttributionAdminOrigin;
	type DefaultCostLimit = DefaultCostLimit;
	type Holdings = super::assets::NftHoldings;
	type ModelDeposit = ModelDeposit;
	type DepositPerByte = DepositPerByte;
	type MaxMetadataLen = ConstU32<256>;
	type MaxSources = ConstU32<MAX_MODEL_SOURCES>;
	type MinFeatureDims = ConstU32<16>;
	type MaxFeatureDims = ConstU32<16384>;
	type MaxHidden = ConstU16<512>;
	type MaxEpochs = ConstU16<500>;
	type MaxBatchSize = ConstU16<1024>;
	// The engine's tokens are words, runs of spaces and single punctuation marks: 8 tokens are
	// about four words, shorter runs are common phrases rather than quotations.
	type MinSpanTokens = ConstU16<8>;
	type MaxSpanTokens = ConstU16<64>;
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
	type AdminOrigin = EconomicsOrigin;
	type DefaultMinFee = DefaultMinFee;
	type TreasuryAccount = TreasuryAccount;
	type AgentBond = AgentBond;
	type UnbondingPeriod = AgentUnbondingPeriod;
	type MaxMetadataLen = ConstU32<256>;
	type WeightInfo = pallet_agents::weights::SubstrateWeight<Runtime>;
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = crate::benchmarks::DataLayerHelper;
	type Holdings = super::assets::NftHoldings;
}
