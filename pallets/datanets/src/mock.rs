//! A test runtime with System, Balances and Datanets.

use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU16, ConstU32},
};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

use crate as pallet_datanets;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Datanets: pallet_datanets,
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

use frame_support::traits::ConstU128;

pub const TREASURY: AccountId = 999;
pub const DATANET_DEPOSIT: Balance = 1_000;
pub const RECORD_DEPOSIT_BASE: Balance = 100;
pub const DEPOSIT_PER_BYTE: Balance = 1;
pub const MAX_PAYLOAD: u32 = 128;

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
}

impl pallet_datanets::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type ModeratorOrigin = EnsureRoot<AccountId>;
	type TreasuryAccount = TreasuryAccount;
	type DatanetDeposit = ConstU128<DATANET_DEPOSIT>;
	type RecordDepositBase = ConstU128<RECORD_DEPOSIT_BASE>;
	type DepositPerByte = ConstU128<DEPOSIT_PER_BYTE>;
	type MaxNameLen = ConstU32<16>;
	type MaxDescriptionLen = ConstU32<64>;
	type MaxLicenseLen = ConstU32<16>;
	type MaxPayloadLen = ConstU32<MAX_PAYLOAD>;
	type MaxCurators = ConstU32<2>;
	type MaxClasses = ConstU16<100>;
	type MaxDims = ConstU16<64>;
	type MaxPageSize = ConstU32<4>;
	type MaxContributionBatch = ConstU32<4>;
	type Holdings = openledger_primitives::traits::TestHoldings;
	type WeightInfo = ();
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const CHARLIE: AccountId = 3;
pub const DAVE: AccountId = 4;
/// An account with too little to pay any deposit.
pub const POOR: AccountId = 5;

/// Alice, Bob, Charlie and Dave hold 1,000,000; Poor holds 50; the treasury 1.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, 1_000_000),
			(BOB, 1_000_000),
			(CHARLIE, 1_000_000),
			(DAVE, 1_000_000),
			(POOR, 50),
			(TREASURY, 1),
		],
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
		<Datanets>::do_try_state().expect("invariants hold after the test");
	});
}

/// Makes `call` the block's next extrinsic, as `Executive` notes it before dispatching it: its
/// encoding ends the extrinsic's bytes, from which the transaction index reads a contribution's
/// payloads.
pub fn as_next_extrinsic(call: &crate::Call<Test>) {
	use codec::Encode;
	// What comes before the call (its signer, signature and extensions) does not matter here.
	let mut extrinsic = b"signed by someone".to_vec();
	extrinsic.extend(RuntimeCall::Datanets(call.clone()).encode());
	crate::note_next_extrinsic::<Test>(extrinsic);
}
