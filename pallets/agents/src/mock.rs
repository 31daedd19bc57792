//! A test runtime with System, Balances and Agents, and a fixed set of models behind
//! `ModelInspect`.

use core::cell::RefCell;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32, ConstU64},
};
use frame_system::EnsureRoot;
use openledger_primitives::{
	apis::VersionRecord,
	attribution::{InferenceId, RecordShare},
	datanets::{DatanetId, RecordHash, Schema, VersionIndex, VersionInfo},
	models::{Architecture, AttributionMethod, Featurizer, Model, ModelSpec, ModelStatus, Source},
	traits::{AttributionJobs, DatanetInspect, RewardParties, RewardSink},
};
use sp_runtime::{BuildStorage, DispatchResult, Perbill};

use crate as pallet_agents;
use crate::{ModelId, ModelInspect};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u128;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Agents: pallet_agents,
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

/// Model 0 is Training, 1 Active, 2 Failed, 3 Retired; there are no others.
pub struct MockModels;
pub const TRAINING: ModelId = 0;
pub const ACTIVE: ModelId = 1;
pub const FAILED: ModelId = 2;
pub const RETIRED: ModelId = 3;

impl ModelInspect<AccountId, Balance> for MockModels {
	fn model(model: ModelId) -> Option<Model<AccountId, Balance>> {
		let status = match model {
			TRAINING => ModelStatus::Training,
			ACTIVE => ModelStatus::Active {
				accuracy: Perbill::from_percent(90),
				weights_hash: Default::default(),
			},
			FAILED => ModelStatus::Failed,
			RETIRED => ModelStatus::Retired,
			_ => return None,
		};
		Some(Model {
			owner: 100,
			sources: vec![Source { datanet: 0, version: 1, records: 10, weight: 1 }],
			spec: ModelSpec {
				featurizer: Featurizer::Raw,
				architecture: Architecture::SoftmaxRegression,
				epochs: 1,
				learning_rate: Perbill::from_percent(10),
				batch_size: 1,
				l2: Perbill::zero(),
				seed: 0,
				method: AttributionMethod::Influence,
			},
			fee: 10,
			status,
			deposit: 0,
			metadata: Vec::new(),
		})
	}
}

/// Datanet 0 is Dense with 2 values up to 9 and 3 classes.
pub struct MockDatanets;
impl DatanetInspect<AccountId, u64> for MockDatanets {
	fn schema(datanet: DatanetId) -> Option<Schema> {
		(datanet == 0).then_some(Schema::Dense { dims: 2, classes: 3, max_value: 9 })
	}
	fn version(_: DatanetId, _: VersionIndex) -> Option<VersionInfo<u64>> {
		None
	}
	fn contributor(_: DatanetId, _: &RecordHash) -> Option<AccountId> {
		None
	}
	fn record_at(_: DatanetId, _: u32) -> Option<VersionRecord<AccountId>> {
		None
	}
}

thread_local! {
	/// Inference jobs requested: (inference, model, input).
	pub static JOBS: RefCell<Vec<(InferenceId, ModelId, Vec<u8>)>> = RefCell::new(Vec::new());
	/// Fees distributed: (fee, inference, model owner, agent owner, shares, attestors).
	pub static DISTRIBUTED: RefCell<Vec<(Balance, InferenceId, AccountId, AccountId, Vec<RecordShare>, Vec<AccountId>)>> =
		RefCell::new(Vec::new());
}

pub struct MockJobs;
impl AttributionJobs for MockJobs {
	fn request_training(_: ModelId) -> DispatchResult {
		Ok(())
	}
	fn request_inference(inference: InferenceId, model: ModelId, input: Vec<u8>) -> DispatchResult {
		JOBS.with(|j| j.borrow_mut().push((inference, model, input)));
		Ok(())
	}
	fn cancel_training(_: ModelId) {}
}

pub const POT: AccountId = 777;
/// The minimum fee of an inference: the Active model's fee (10) alone is above it.
pub const MIN_FEE: Balance = 5;
pub struct MockRewards;
impl RewardSink<AccountId, Balance> for MockRewards {
	fn pot() -> AccountId {
		POT
	}
	fn distribute(fee: Balance, parties: RewardParties<'_, AccountId>) {
		DISTRIBUTED.with(|d| {
			d.borrow_mut().push((
				fee,
				parties.inference,
				parties.model_owner,
				parties.agent_owner,
				parties.shares.to_vec(),
				parties.attestors.to_vec(),
			))
		});
	}
}

pub const TREASURY: AccountId = 999;
pub const BOND: Balance = 1_000;
pub const UNBONDING: u64 = 10;

parameter_types! {
	pub const TreasuryAccount: AccountId = TREASURY;
	pub const DefaultMinFee: Balance = MIN_FEE;
}

impl pallet_agents::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Models = MockModels;
	type Datanets = MockDatanets;
	type Jobs = MockJobs;
	type Rewards = MockRewards;
	type Holdings = openledger_primitives::traits::TestHoldings;
	type MaxInputLen = ConstU32<8>;
	type ModeratorOrigin = EnsureRoot<AccountId>;
	type AdminOrigin = EnsureRoot<AccountId>;
	type DefaultMinFee = DefaultMinFee;
	type TreasuryAccount = TreasuryAccount;
	type AgentBond = ConstU128<BOND>;
	type UnbondingPeriod = ConstU64<UNBONDING>;
	type MaxMetadataLen = ConstU32<16>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockModels;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper for MockModels {
	fn model() -> ModelId {
		ACTIVE
	}
	fn active_model() -> ModelId {
		ACTIVE
	}
}

pub const ALICE: AccountId = 1;
pub const BOB: AccountId = 2;
pub const POOR: AccountId = 5;

pub fn new_test_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default().build_storage().unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![(ALICE, 1_000_000), (BOB, 1_000_000), (POOR, 100), (TREASURY, 1), (POT, 1)],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	JOBS.with(|j| j.borrow_mut().clear());
	DISTRIBUTED.with(|d| d.borrow_mut().clear());
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs a test, then checks the pallet's invariants.
pub fn run_test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		<Agents>::do_try_state().expect("invariants hold after the test");
	});
}
