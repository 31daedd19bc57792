//! Configuration of each pallet of the runtime, one area a module.
//!
//! - this module: `frame_system`, consensus (Aura, GRANDPA, timestamp) and utilities (batches,
//!   proxies, multisig accounts);
//! - [`validators`]: sessions and the validator set;
//! - [`monetary`]: the OPEN token and transaction fees;
//! - [`data`]: Datanets, models and agents;
//! - [`assets`]: Datanets, models and agents as NFTs (`pallet-nfts`);
//! - [`attribution`]: Proof of Attribution and rewards.
//!
//! Governance (referenda, voting, the scheduler, preimages and the treasury) is configured in
//! [`crate::governance`].

pub mod assets;
pub mod attribution;
pub mod data;
pub mod monetary;
pub mod validators;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU32, ConstU64, InstanceFilter},
	weights::{
		constants::{ParityDbWeight, WEIGHT_REF_TIME_PER_SECOND},
		Weight,
	},
};
use frame_system::limits::{BlockLength, BlockWeights};
use scale_info::TypeInfo;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::BlakeTwo256, Perbill};
use sp_version::RuntimeVersion;

use self::monetary::DEPOSIT_PER_BYTE;
use super::{
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, OriginCaller, PalletInfo,
	Runtime, RuntimeCall, RuntimeEvent, RuntimeOrigin, RuntimeTask, System, SLOT_DURATION, VERSION,
};

/// The most bytes a block holds: 5 MiB. Operational transactions may fill all of it, normal ones
/// 75% ([`NORMAL_DISPATCH_RATIO`]). The node's block proposer takes it as its own limit.
pub const MAX_BLOCK_LENGTH: u32 = 5 * 1024 * 1024;

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
	/// Blocks of at most [`MAX_BLOCK_LENGTH`].
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(MAX_BLOCK_LENGTH)
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
	/// Every call but burning an asset's item ([`assets::AssetCalls`]).
	type BaseCallFilter = assets::AssetCalls;
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

parameter_types! {
	/// A proxy's deposit: its storage, about 40 bytes for the first and 33 for each more.
	pub const ProxyDepositBase: Balance = 40 * DEPOSIT_PER_BYTE;
	pub const ProxyDepositFactor: Balance = 33 * DEPOSIT_PER_BYTE;
	/// An announced (time-delayed) proxy call's deposit.
	pub const AnnouncementDepositBase: Balance = 40 * DEPOSIT_PER_BYTE;
	pub const AnnouncementDepositFactor: Balance = 68 * DEPOSIT_PER_BYTE;
	/// A pending multisig operation's deposit: 88 bytes, and 32 for each signatory.
	pub const MultisigDepositBase: Balance = 88 * DEPOSIT_PER_BYTE;
	pub const MultisigDepositFactor: Balance = 32 * DEPOSIT_PER_BYTE;
}

/// What a proxy may do for the account that named it.
#[derive(
	Copy,
	Clone,
	Eq,
	PartialEq,
	Ord,
	PartialOrd,
	Default,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
	Debug,
)]
pub enum ProxyType {
	/// Anything.
	#[default]
	Any,
	/// Anything but moving OPEN (`balances`), changing the account's proxies, or sending its
	/// earnings elsewhere (`rewards.set_payee`, `rewards.move_claimable`,
	/// `rewards.set_revenue_shares`).
	NonTransfer,
	/// Referenda and votes.
	Governance,
	/// A validator's operations: its candidacy (`collatorSelection`), its session keys
	/// (`session`), and batches of them. The account that bonds stays cold; the proxy's key
	/// signs.
	Staking,
}

impl InstanceFilter<RuntimeCall> for ProxyType {
	fn filter(&self, call: &RuntimeCall) -> bool {
		match self {
			ProxyType::Any => true,
			ProxyType::NonTransfer => !matches!(
				call,
				RuntimeCall::Balances(..)
					| RuntimeCall::Proxy(..)
					| RuntimeCall::Rewards(
						pallet_rewards::Call::set_payee { .. }
							| pallet_rewards::Call::move_claimable { .. }
							| pallet_rewards::Call::set_revenue_shares { .. }
					)
			),
			ProxyType::Governance => matches!(
				call,
				RuntimeCall::Referenda(..)
					| RuntimeCall::ConvictionVoting(..)
					| RuntimeCall::Utility(..)
			),
			ProxyType::Staking => matches!(
				call,
				RuntimeCall::CollatorSelection(..)
					| RuntimeCall::Session(..)
					| RuntimeCall::Utility(..)
			),
		}
	}

	fn is_superset(&self, other: &Self) -> bool {
		match (self, other) {
			(ProxyType::Any, _) => true,
			(_, ProxyType::Any) => false,
			(ProxyType::NonTransfer, _) => true,
			(a, b) => a == b,
		}
	}
}

impl pallet_proxy::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type ProxyType = ProxyType;
	type ProxyDepositBase = ProxyDepositBase;
	type ProxyDepositFactor = ProxyDepositFactor;
	type MaxProxies = ConstU32<32>;
	type WeightInfo = pallet_proxy::weights::SubstrateWeight<Runtime>;
	type MaxPending = ConstU32<32>;
	type CallHasher = BlakeTwo256;
	type AnnouncementDepositBase = AnnouncementDepositBase;
	type AnnouncementDepositFactor = AnnouncementDepositFactor;
	type BlockNumberProvider = System;
}

impl pallet_multisig::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type Currency = Balances;
	type DepositBase = MultisigDepositBase;
	type DepositFactor = MultisigDepositFactor;
	type MaxSignatories = ConstU32<100>;
	type WeightInfo = pallet_multisig::weights::SubstrateWeight<Runtime>;
	type BlockNumberProvider = System;
}
