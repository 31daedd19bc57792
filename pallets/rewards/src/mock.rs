//! A test runtime with System, Balances and Rewards; record `i` of Datanet 0 was contributed by
//! account `100 + i % 3`.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
	PalletId,
};
use frame_system::EnsureRoot;
use openledger_primitives::{
	apis::VersionRecord,
	datanets::{DatanetId, RecordHash, Schema, VersionIndex, VersionInfo},
	traits::DatanetInspect,
};
use sp_core::H256;
use sp_runtime::BuildStorage;

use crate as pallet_rewards;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Rewards: pallet_rewards,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<Balance>;
}

pub const ED: Balance = 10;

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<ED>;
}

pub struct MockDatanets;
impl DatanetInspect<AccountId, u64> for MockDatanets {
	fn schema(_: DatanetId) -> Option<Schema> {
		None
	}
	fn version(_: DatanetId, _: VersionIndex) -> Option<VersionInfo<u64>> {
		None
	}
	fn contributor(_: DatanetId, _: &RecordHash) -> Option<AccountId> {
		None
	}
	fn record_at(datanet: DatanetId, index: u32) -> Option<VersionRecord<AccountId>> {
		// Datanet 0: ten records of contributors 100 to 102; Datanet 1: five of 200 to 204.
		let known = match datanet {
			0 => index < 10,
			1 => index < 5,
			_ => false,
		};
		known.then(|| VersionRecord {
			index,
			record: H256::repeat_byte(index as u8),
			contributor: if datanet == 0 {
				100 + u64::from(index % 3)
			} else {
				200 + u64::from(index)
			},
			label: 0,
			payload: Some(openledger_primitives::apis::Payload::State(vec![1])),
			removed_at: None,
		})
	}
}

pub const TREASURY: AccountId = 999;
pub const EPOCH: u64 = 10;

parameter_types! {
	pub const RewardsPalletId: PalletId = PalletId(*b"ol/rewrd");
	pub const TreasuryAccount: AccountId = TREASURY;
}

impl pallet_rewards::Config for Test {
	type Currency = Balances;
	type PalletId = RewardsPalletId;
	type TreasuryAccount = TreasuryAccount;
	type EconomicsOrigin = EnsureRoot<AccountId>;
	type Datanets = MockDatanets;
	type Holdings = openledger_primitives::traits::TestHoldings;
	type MaxShareholders = ConstU32<4>;
	type EpochLength = ConstU64<EPOCH>;
	type MaxEpochEarners = ConstU32<2>;
	type WeightInfo = ();
}

pub const PAYER: AccountId = 1;

/// The pot and the treasury hold the existential deposit; the payer holds 10,000,000.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(PAYER, 10_000_000), (Rewards::account(), ED), (TREASURY, ED)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	pallet_rewards::GenesisConfig::<Test>::default().assimilate_storage(&mut storage).unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

pub fn run_test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Rewards::do_try_state().unwrap();
	});
}
