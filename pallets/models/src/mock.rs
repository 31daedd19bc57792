//! A test runtime with System, Balances and Models, and a fixed set of Datanets behind
//! `DatanetInspect`.

use frame_support::{
	derive_impl,
	traits::{ConstU128, ConstU16, ConstU32},
};
use frame_system::EnsureRoot;
use openledger_primitives::datanets::{RecordHash, Schema, VersionInfo};
use sp_core::H256;
use sp_runtime::BuildStorage;

use crate as pallet_models;
use crate::{DatanetId, DatanetInspect, VersionIndex};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Models: pallet_models,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

/// Datanet 0 is Dense digits with versions 1 and 2 (10 records a version number); Datanet 1 is
/// Text with version 1; Datanet 2 is Dense digits too, with version 1; Datanet 3 is Dense digits
/// with a version 1 of `u32::MAX` records.
pub struct MockDatanets;
pub const DIGITS: DatanetId = 0;
pub const TEXT: DatanetId = 1;
pub const MORE_DIGITS: DatanetId = 2;
pub const HUGE: DatanetId = 3;

impl DatanetInspect<AccountId, u64> for MockDatanets {
	fn schema(datanet: DatanetId) -> Option<Schema> {
		match datanet {
			DIGITS | MORE_DIGITS | HUGE => {
				Some(Schema::Dense { dims: 64, classes: 10, max_value: 16 })
			},
			TEXT => Some(Schema::Text { classes: 3 }),
			_ => None,
		}
	}
	fn version(datanet: DatanetId, version: VersionIndex) -> Option<VersionInfo<u64>> {
		let versions = match datanet {
			DIGITS => 2,
			TEXT | MORE_DIGITS | HUGE => 1,
			_ => 0,
		};
		(1..=versions).contains(&version).then(|| VersionInfo {
			count: if datanet == HUGE { u32::MAX } else { 10 * version },
			root: H256::repeat_byte(version as u8),
			block: 1,
		})
	}
	fn contributor(_datanet: DatanetId, _record: &RecordHash) -> Option<AccountId> {
		None
	}
	fn record_at(
		_datanet: DatanetId,
		_index: u32,
	) -> Option<openledger_primitives::apis::VersionRecord<AccountId>> {
		None
	}
}

pub const MODEL_DEPOSIT: Balance = 500;

frame_support::parameter_types! {
	/// 64 MiB and 10^10 operations: the tests' small specs fit, wide ones do not.
	pub const DefaultCostLimit: pallet_models::SpecCost =
		pallet_models::SpecCost { bytes: 64 << 20, flops: 10_000_000_000, query_flops: 10_000_000_000 };
}
pub const DEPOSIT_PER_BYTE: Balance = 2;

impl pallet_models::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Datanets = MockDatanets;
	type Jobs = ();
	type Holdings = openledger_primitives::traits::TestHoldings;
	type ModeratorOrigin = EnsureRoot<AccountId>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type DefaultCostLimit = DefaultCostLimit;
	type ModelDeposit = ConstU128<MODEL_DEPOSIT>;
	type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
	type MaxMetadataLen = ConstU32<32>;
	type MaxSources = ConstU32<3>;
	type MinFeatureDims = ConstU32<16>;
	type MaxFeatureDims = ConstU32<4096>;
	type MaxHidden = ConstU16<256>;
	type MaxEpochs = ConstU16<200>;
	type MaxBatchSize = ConstU16<1024>;
	type MinSpanTokens = ConstU16<4>;
	type MaxSpanTokens = ConstU16<32>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockDatanets;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockDatanets {
	fn dense_datanet_version() -> (DatanetId, VersionIndex) {
		(DIGITS, 1)
	}
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const POOR: AccountId = 5;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000_000), (BOB, 1_000_000), (POOR, 100)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs a test, then checks the pallet's invariants.
pub fn run_test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		<Models>::do_try_state().expect("invariants hold after the test");
	});
}
