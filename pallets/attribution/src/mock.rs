//! A test runtime with System, Balances and Attribution; models, Datanets and the inference
//! handler are small fakes behind their traits, and attestors sign with `UintAuthorityId` test
//! keys.

use core::cell::RefCell;
use std::collections::BTreeMap;

use codec::Encode;
use frame_support::{
	derive_impl, parameter_types,
	traits::{ConstU128, ConstU32},
};
use frame_system::{offchain, EnsureRoot};
use openledger_primitives::{
	apis::{Payload, VersionRecord},
	attribution::{InferenceId, InferenceResult},
	datanets::{
		batch_offsets, record_hash, DatanetId, IndexedPayload, RecordHash, Schema, VersionIndex,
		VersionInfo,
	},
	models::{
		Architecture, AttributionMethod, Featurizer, Model, ModelId, ModelSpec, ModelStatus, Source,
	},
	traits::{AssetKind, DatanetInspect, InferenceHandler, ModelInspect, ModelLifecycle, Payees},
};
use sp_core::H256;
use sp_runtime::{
	testing::{TestSignature, TestXt, UintAuthorityId},
	BuildStorage, DispatchResult, Perbill,
};

use crate as pallet_attribution;

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Extrinsic = TestXt<RuntimeCall, ()>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Attribution: pallet_attribution,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountData = pallet_balances::AccountData<u128>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = u128;
	type AccountStore = System;
	type ExistentialDeposit = ConstU128<1>;
	type RuntimeHoldReason = RuntimeHoldReason;
}

impl offchain::SigningTypes for Test {
	type Public = UintAuthorityId;
	type Signature = TestSignature;
}

impl<C> offchain::CreateTransactionBase<C> for Test
where
	RuntimeCall: From<C>,
{
	type RuntimeCall = RuntimeCall;
	type Extrinsic = Extrinsic;
}

impl<C> offchain::CreateSignedTransaction<C> for Test
where
	RuntimeCall: From<C>,
{
	fn create_signed_transaction<A: offchain::AppCrypto<Self::Public, Self::Signature>>(
		call: RuntimeCall,
		public: UintAuthorityId,
		_account: AccountId,
		_nonce: u32,
	) -> Option<Extrinsic> {
		// `TestXt` carries the signer as its address; it has no room for the nonce.
		Some(Extrinsic::new_signed(call, public.0, (), ()))
	}
}

/// Signs with the test keys `UintAuthorityId::set_all_keys` lists.
pub struct TestAttestorId;
impl offchain::AppCrypto<UintAuthorityId, TestSignature> for TestAttestorId {
	type RuntimeAppPublic = UintAuthorityId;
	type GenericPublic = UintAuthorityId;
	type GenericSignature = TestSignature;
}

/// Datanet 0, Dense with 2 values and 3 classes; version 1, published in block 1, holds records
/// 0..6. Record 5 was removed in block 1 (no payload; not in the version's training set);
/// record [`LATE_REMOVAL`]`.0`, if set, was removed in block `.1`. Contributor of record `i` is
/// `100 + i`. Datanet 1 ([`SECOND`]) has the same schema; its version 1 holds records 0..4,
/// contributor of record `i` `200 + i`.
pub struct MockDatanets;
pub const DATANET: DatanetId = 0;
pub const RECORDS: u32 = 6;
pub const SECOND: DatanetId = 1;
pub const SECOND_RECORDS: u32 = 4;
pub const SCHEMA: Schema = Schema::Dense { dims: 2, classes: 3, max_value: 9 };

impl DatanetInspect<AccountId, u64> for MockDatanets {
	fn schema(datanet: DatanetId) -> Option<Schema> {
		(datanet == DATANET || datanet == SECOND).then_some(SCHEMA)
	}
	fn version(datanet: DatanetId, version: VersionIndex) -> Option<VersionInfo<u64>> {
		let count = match datanet {
			DATANET => RECORDS,
			SECOND => SECOND_RECORDS,
			_ => return None,
		};
		(version == 1).then(|| VersionInfo { count, root: H256::repeat_byte(1), block: 1 })
	}
	fn contributor(_: DatanetId, _: &RecordHash) -> Option<AccountId> {
		None
	}
	fn record_at(datanet: DatanetId, index: u32) -> Option<VersionRecord<AccountId>> {
		if datanet == SECOND {
			return (index < SECOND_RECORDS).then(|| VersionRecord {
				index,
				record: H256::repeat_byte(0x80 | index as u8),
				contributor: 200 + u64::from(index),
				label: (index % 3) as u16,
				payload: Some(Payload::State(vec![index as u8, 9])),
				removed_at: None,
			});
		}
		let (late, late_at) = LATE_REMOVAL.with(|l| l.get());
		let removed_at = match index {
			5 => Some(1),
			i if late == Some(i) => Some(late_at),
			_ => None,
		};
		if INDEXED.with(|i| i.get()) {
			let (records, content) = indexed_batch();
			let (payload, label) = records.get(index as usize)?.clone();
			let (offset, len) = batch_offsets(&records)?[index as usize];
			return (datanet == DATANET).then(|| VersionRecord {
				index,
				record: record_hash(&payload, label),
				contributor: 100 + u64::from(index),
				label,
				payload: removed_at.is_none().then_some(Payload::Indexed(IndexedPayload {
					content,
					offset,
					len,
				})),
				removed_at,
			});
		}
		(datanet == DATANET && index < RECORDS).then(|| VersionRecord {
			index,
			record: H256::repeat_byte(index as u8),
			contributor: 100 + u64::from(index),
			label: (index % 3) as u16,
			payload: removed_at
				.is_none()
				.then(|| Payload::State(vec![index as u8, 9 - index as u8])),
			removed_at,
		})
	}
}

/// The records of [`DATANET`]'s version 1, as one batch contributed them while [`INDEXED`] is
/// set, and the content hash of the batch's encoding, which the transaction index keeps.
pub fn indexed_batch() -> (Vec<(Vec<u8>, u16)>, H256) {
	let records: Vec<(Vec<u8>, u16)> =
		(0..RECORDS).map(|i| (vec![i as u8, 9 - i as u8], (i % 3) as u16)).collect();
	let content = H256(sp_io::hashing::blake2_256(&records.encode()));
	(records, content)
}

thread_local! {
	/// Whether [`DATANET`]'s payloads are in the transaction index (see [`indexed_batch`])
	/// rather than in state.
	pub static INDEXED: core::cell::Cell<bool> = const { core::cell::Cell::new(false) };
}

thread_local! {
	/// A record removed after version 1 was published, and the block it was removed in.
	pub static LATE_REMOVAL: core::cell::Cell<(Option<u32>, u32)> =
		const { core::cell::Cell::new((None, 0)) };
	/// Model statuses; every model is on [`SOURCES`].
	pub static MODELS: RefCell<BTreeMap<ModelId, ModelStatus>> = RefCell::new(BTreeMap::new());
	/// The sources of every model: Datanet 0's version 1 alone unless a test sets others.
	pub static SOURCES: RefCell<Vec<Source>> = RefCell::new(vec![Source {
		datanet: DATANET,
		version: 1,
		records: RECORDS,
		weight: 1,
	}]);
	/// Inferences completed (with the agreeing attestors) and expired.
	pub static COMPLETED: RefCell<Vec<(InferenceId, InferenceResult, Vec<AccountId>)>> =
		RefCell::new(Vec::new());
	pub static EXPIRED: RefCell<Vec<InferenceId>> = RefCell::new(Vec::new());
	pub static PRUNED: RefCell<Vec<InferenceId>> = RefCell::new(Vec::new());
}

pub fn spec() -> ModelSpec {
	ModelSpec {
		featurizer: Featurizer::Raw,
		architecture: Architecture::SoftmaxRegression,
		epochs: 5,
		learning_rate: Perbill::from_percent(10),
		batch_size: 2,
		l2: Perbill::zero(),
		seed: 7,
		method: AttributionMethod::Influence,
	}
}

/// The model that is an ∞-gram.
pub const GENERATOR: ModelId = 9_999;

pub fn generator_spec() -> ModelSpec {
	ModelSpec {
		featurizer: Featurizer::Words,
		architecture: Architecture::InfiniGram { max_tokens: 16 },
		..spec()
	}
}

/// The model that is an external one.
pub const EXTERNAL: ModelId = 9_998;

pub fn external_spec() -> ModelSpec {
	ModelSpec {
		featurizer: Featurizer::Words,
		architecture: Architecture::External {
			weights_hash: H256::repeat_byte(9),
			min_span_tokens: 4,
		},
		..spec()
	}
}

pub struct MockModels;
impl ModelInspect<AccountId, openledger_primitives::Balance> for MockModels {
	fn model(model: ModelId) -> Option<Model<AccountId, openledger_primitives::Balance>> {
		MODELS.with(|m| m.borrow().get(&model).copied()).map(|status| Model {
			owner: 50,
			sources: SOURCES.with(|s| s.borrow().clone()),
			spec: match model {
				GENERATOR => generator_spec(),
				EXTERNAL => external_spec(),
				_ => spec(),
			},
			fee: 10,
			status,
			deposit: 0,
			metadata: Vec::new(),
		})
	}
}
impl ModelLifecycle for MockModels {
	fn activate(model: ModelId, accuracy: Perbill, weights_hash: H256) -> DispatchResult {
		MODELS
			.with(|m| m.borrow_mut().insert(model, ModelStatus::Active { accuracy, weights_hash }));
		Ok(())
	}
	fn fail(model: ModelId) -> DispatchResult {
		MODELS.with(|m| m.borrow_mut().insert(model, ModelStatus::Failed));
		Ok(())
	}
}

thread_local! {
	/// The payees contributors named (`pallet-rewards`' `set_payee`).
	pub static PAYEES: RefCell<BTreeMap<AccountId, AccountId>> = RefCell::new(BTreeMap::new());
	/// The accounts of each model's revenue shares, set by its owner
	/// (`pallet-rewards`' `set_revenue_shares`).
	pub static REVENUE_SHARES: RefCell<BTreeMap<ModelId, Vec<AccountId>>> =
		RefCell::new(BTreeMap::new());
}

pub struct MockPayees;
impl Payees<AccountId> for MockPayees {
	fn payee_of(contributor: &AccountId) -> AccountId {
		PAYEES.with(|p| p.borrow().get(contributor).copied().unwrap_or(*contributor))
	}
	fn owner_payees(kind: AssetKind, id: u32, holder: &AccountId) -> Vec<AccountId> {
		let shares = (kind == AssetKind::Model)
			.then(|| REVENUE_SHARES.with(|r| r.borrow().get(&id).cloned()))
			.flatten();
		shares.unwrap_or_else(|| vec![*holder])
	}
}

pub struct MockInferences;
impl InferenceHandler<AccountId> for MockInferences {
	fn completed(inference: InferenceId, result: &InferenceResult, agreeing: &[AccountId]) {
		COMPLETED.with(|c| c.borrow_mut().push((inference, result.clone(), agreeing.to_vec())));
	}
	fn expired(inference: InferenceId) {
		EXPIRED.with(|e| e.borrow_mut().push(inference));
	}
	fn pruned(inference: InferenceId) {
		PRUNED.with(|p| p.borrow_mut().push(inference));
	}
}

pub const TRAINING_PERIOD: u64 = 20;
pub const INFERENCE_PERIOD: u64 = 5;
pub const STRIKE_DECAY: u64 = 10;
pub const REVEAL_PERIOD: u64 = 3;
pub const TOP_K: u32 = 4;
/// Where slashes go.
pub const TREASURY: AccountId = 999;
/// Every attestor's genesis bond, and the minimum.
pub const BOND: u128 = 1_000;
/// What a challenger holds.
pub const CHALLENGE_DEPOSIT: u128 = 300;
/// What accounts 1..=9 start with.
pub const ENDOWMENT: u128 = 100_000;

parameter_types! {
	pub const Treasury: AccountId = TREASURY;
	pub const DefaultStake: crate::Stake<u64> = crate::Stake {
		min_bond: BOND,
		lost_slash: Perbill::from_percent(10),
		unrevealed_slash: Perbill::from_percent(1),
		unbonding_period: 7,
		challenge_window: 0,
		challenge_deposit: CHALLENGE_DEPOSIT,
	};
}

impl pallet_attribution::Config for Test {
	type AuthorityId = TestAttestorId;
	type AdminOrigin = EnsureRoot<AccountId>;
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type TreasuryAccount = Treasury;
	type DefaultStake = DefaultStake;
	type Datanets = MockDatanets;
	type Models = MockModels;
	type Inferences = MockInferences;
	type Payees = MockPayees;
	type MaxAttestors = ConstU32<8>;
	type MaxTopK = ConstU32<TOP_K>;
	type MaxInputLen = ConstU32<16>;
	type TrainingPeriod = frame_support::traits::ConstU64<TRAINING_PERIOD>;
	type InferencePeriod = frame_support::traits::ConstU64<INFERENCE_PERIOD>;
	type RevealPeriod = frame_support::traits::ConstU64<REVEAL_PERIOD>;
	type StrikeDecay = frame_support::traits::ConstU64<STRIKE_DECAY>;
	type MaxBatch = ConstU32<4>;
	type MaxSettledPerBlock = ConstU32<4>;
	type IngestChunk = ConstU32<4>;
	type AnswerSignature = TestSignature;
	type RequestHash = CurrentRequest;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = MockModels;
}

parameter_types! {
	/// The hash of the extrinsic being applied, as a test sets it (the runtime's reads it
	/// from `frame_system`).
	pub static CurrentRequest: Option<H256> = None;
}

#[cfg(feature = "runtime-benchmarks")]
thread_local! {
	static NEXT_INFERENCE: RefCell<InferenceId> = RefCell::new(0);
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::BenchmarkHelper<AccountId, TestSignature> for MockModels {
	fn training_model(records: u32) -> ModelId {
		assert!(records <= RECORDS, "the mock Datanet holds {RECORDS} records");
		use openledger_primitives::traits::AttributionJobs;
		let id = MODELS.with(|m| m.borrow().keys().max().map_or(0, |k| k + 1));
		MODELS.with(|m| m.borrow_mut().insert(id, ModelStatus::Training));
		// As `models.register` does in the runtime.
		crate::Pallet::<Test>::request_training(id).unwrap();
		id
	}
	fn activate(model: ModelId) {
		let active = ModelStatus::Active { accuracy: Perbill::one(), weights_hash: H256::zero() };
		MODELS.with(|m| m.borrow_mut().insert(model, active));
	}
	fn inference(model: ModelId) -> InferenceId {
		use openledger_primitives::traits::AttributionJobs;
		let id = NEXT_INFERENCE.with(|n| {
			let id = *n.borrow();
			*n.borrow_mut() += 1;
			id
		});
		crate::Pallet::<Test>::request_inference(id, model, vec![1, 2]).unwrap();
		id
	}
	fn answer_key() -> AccountId {
		99
	}
	fn sign_answer(signer: &AccountId, payload: &[u8]) -> TestSignature {
		TestSignature(*signer, payload.to_vec())
	}
}

/// Attestors 1, 2 and 3, each bonding [`BOND`], with 2 strikes, committees of 3 (all of them)
/// and engine version 1; accounts 1..=9 hold [`ENDOWMENT`]; model 0 is Training.
pub fn new_test_ext() -> sp_io::TestExternalities {
	let storage = RuntimeGenesisConfig {
		system: Default::default(),
		balances: pallet_balances::GenesisConfig {
			balances: (1..=9).map(|a| (a, ENDOWMENT)).chain([(TREASURY, 1)]).collect(),
			..Default::default()
		},
		attribution: pallet_attribution::GenesisConfig {
			attestors: vec![1, 2, 3],
			bond: BOND,
			engine_version: 1,
			max_strikes: 2,
			committee_size: 3,
			challenge_window: 0,
		},
	}
	.build_storage()
	.unwrap();
	MODELS.with(|m| {
		let mut m = m.borrow_mut();
		m.clear();
		m.insert(0, ModelStatus::Training);
	});
	COMPLETED.with(|c| c.borrow_mut().clear());
	LATE_REMOVAL.with(|l| l.set((None, 0)));
	EXPIRED.with(|e| e.borrow_mut().clear());
	PRUNED.with(|p| p.borrow_mut().clear());
	CurrentRequest::set(None);
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// Runs `test` and checks the pallet's invariants after it.
pub fn run_test(test: impl FnOnce()) {
	new_test_ext().execute_with(|| {
		test();
		Attribution::do_try_state().unwrap();
	});
}

/// Advances to block `n`, running `on_initialize` on the way.
pub fn run_to(n: u64) {
	use frame_support::traits::Hooks;
	while System::block_number() < n {
		let next = System::block_number() + 1;
		System::set_block_number(next);
		Attribution::on_initialize(next);
	}
}
