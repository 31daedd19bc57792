//! The OPEN token and transaction fees.
//!
//! Fees are charged in OPEN for the weight (compute and storage access) and the length of a
//! transaction:
//!
//! - weight: [`WEIGHT_FEE_PER_SECOND`] OPEN per second of reference compute, so that a plain
//!   transfer (about 0.2 ms) costs about 0.002 OPEN;
//! - length: [`TransactionByteFee`], 10 micro-OPEN a byte.
//!
//! The fee multiplier is constant, so that fees are predictable. Fees are burned for now: they
//! leave the total issuance, which stays exactly accounted for.

use frame_support::{
	parameter_types,
	traits::{ConstU32, ConstU8, VariantCountOf},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, ConstantMultiplier},
};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_runtime::traits::One;

use crate::{
	Balance, Balances, Runtime, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, System,
	EXISTENTIAL_DEPOSIT, MICRO_OPEN, OPEN,
};

/// The deposit for each byte a user stores: records, metadata, preimages.
pub const DEPOSIT_PER_BYTE: Balance = 100 * MICRO_OPEN;

parameter_types! {
	pub const ExistentialDeposit: Balance = EXISTENTIAL_DEPOSIT;
}

impl pallet_balances::Config for Runtime {
	type MaxLocks = ConstU32<50>;
	type MaxReserves = ConstU32<50>;
	type ReserveIdentifier = [u8; 8];
	type Balance = Balance;
	type RuntimeEvent = RuntimeEvent;
	/// Dust (balances below the existential deposit) is burned.
	type DustRemoval = ();
	type ExistentialDeposit = ExistentialDeposit;
	type AccountStore = System;
	type WeightInfo = pallet_balances::weights::SubstrateWeight<Runtime>;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type DoneSlashHandler = ();
}

/// OPEN charged for one second of reference compute.
pub const WEIGHT_FEE_PER_SECOND: Balance = 10 * OPEN;

parameter_types! {
	/// The fee for one unit of `ref_time` (a picosecond of reference compute): 10^7 units of
	/// balance, an exact integer.
	pub const WeightFeePerRefTime: Balance =
		WEIGHT_FEE_PER_SECOND / WEIGHT_REF_TIME_PER_SECOND as Balance;
	/// The fee for each byte of a transaction.
	pub const TransactionByteFee: Balance = 10 * MICRO_OPEN;
	/// Fees do not adjust with congestion: the multiplier stays one.
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	/// Fees are withdrawn in OPEN and burned.
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = ConstantMultiplier<Balance, WeightFeePerRefTime>;
	type LengthToFee = ConstantMultiplier<Balance, TransactionByteFee>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = pallet_transaction_payment::weights::SubstrateWeight<Runtime>;
}
