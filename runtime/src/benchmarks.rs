//! The pallets that `openledger-node benchmark pallet` measures, and the glue that runs them.
//! Compiled only with the `runtime-benchmarks` feature.

use alloc::{string::String, vec, vec::Vec};
use frame_benchmarking::{BenchmarkBatch, BenchmarkConfig, BenchmarkList};
use frame_support::traits::{StorageInfo, StorageInfoTrait, WhitelistedStorageKeys};
use sp_storage::TrackedStorageKey;

use crate::*;

type SystemBench = frame_system_benchmarking::Pallet<Runtime>;

impl frame_system_benchmarking::Config for Runtime {}

frame_benchmarking::define_benchmarks!(
	[frame_system, SystemBench]
	[pallet_balances, Balances]
	[pallet_timestamp, Timestamp]
	[pallet_sudo, Sudo]
	[pallet_utility, Utility]
	[pallet_scheduler, Scheduler]
	[pallet_preimage, Preimage]
	[pallet_referenda, Referenda]
	[pallet_conviction_voting, ConvictionVoting]
	[pallet_treasury, Treasury]
	[pallet_datanets, Datanets]
	[pallet_models, Models]
	[pallet_agents, Agents]
	[pallet_attribution, Attribution]
	[pallet_rewards, Rewards]
);

/// Sets up, through the owning pallets, what the data layer's benchmarks need from one another.
pub struct DataLayerHelper;

/// A Dense digits-shaped Datanet with `records` distinct records, each from its own
/// contributor (so that rewards touch as many accounts), and its version 1.
fn dense_datanet(
	records: u32,
) -> (openledger_primitives::datanets::DatanetId, openledger_primitives::datanets::VersionIndex) {
	use frame_support::traits::fungible::Mutate;
	use openledger_primitives::datanets::{CurationPolicy, Schema};
	let owner: AccountId = frame_benchmarking::account("datanet-owner", 0, 0);
	let _ = Balances::mint_into(&owner, 1_000 * OPEN);
	let id = pallet_datanets::NextDatanetId::<Runtime>::get();
	let schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
	Datanets::do_create(
		owner.clone(),
		b"bench".to_vec(),
		vec![],
		vec![],
		schema,
		CurationPolicy::Open,
	)
	.expect("a valid Datanet");
	for i in 0..records {
		let who: AccountId = frame_benchmarking::account("contributor", i, 0);
		let _ = Balances::mint_into(&who, 1_000 * OPEN);
		let mut payload = vec![0u8; 64];
		payload[(i % 64) as usize] = (1 + i / 64) as u8;
		pallet_datanets::contribute_alone::<Runtime>(who, id, payload, (i % 10) as u16)
			.expect("a valid record");
	}
	let version = Datanets::do_publish_version(owner, id, records).expect("a valid version");
	(id, version)
}

/// The attestor set filled to `MaxAttestors` with bonded benchmark accounts, and committees as
/// large as the set: opening a job then draws its committee from the most attestors.
fn most_attestors() {
	use frame_support::traits::{fungible::Mutate, Get};
	let max = <Runtime as pallet_attribution::Config>::MaxAttestors::get();
	let bond = pallet_attribution::StakeParams::<Runtime>::get().min_bond.max(OPEN);
	let mut i = 0;
	while (pallet_attribution::Attestors::<Runtime>::get().len() as u32) < max {
		let who: AccountId = frame_benchmarking::account("attestor", i, 0);
		i += 1;
		let _ = Balances::mint_into(&who, bond.saturating_mul(10).saturating_add(OPEN));
		Attribution::bond(RuntimeOrigin::signed(who), bond).expect("a funded account joins");
	}
	pallet_attribution::ConsensusParams::<Runtime>::mutate(|p| p.committee_size = max);
}

impl pallet_models::BenchmarkHelper for DataLayerHelper {
	fn dense_datanet_version(
	) -> (openledger_primitives::datanets::DatanetId, openledger_primitives::datanets::VersionIndex)
	{
		dense_datanet(1)
	}

	fn most_attestors() {
		most_attestors()
	}

	fn full_training_job(model: openledger_primitives::models::ModelId) {
		use openledger_primitives::attribution::{QualityFlags, TrainOutcome};
		use pallet_attribution::{types::Submission, Commits, Jobs, Reveals, TrainingJobs};
		let job = TrainingJobs::<Runtime>::get(model).expect("a Training model has its job");
		let committee = Jobs::<Runtime>::get(job).expect("the job is open").committee;
		// A member's commit is in `Commits` or in `LateCommits`, never both: every member
		// committed in time and revealed is the most a job holds.
		for who in committee {
			Commits::<Runtime>::insert(job, &who, sp_core::H256::repeat_byte(1));
			let outcome = TrainOutcome {
				engine_version: 1,
				accuracy: sp_runtime::Perbill::one(),
				weights_hash: Default::default(),
				records: 1,
				held_out: 0,
				flags: QualityFlags::largest(),
			};
			Reveals::<Runtime>::insert(job, &who, Submission::<Runtime>::Train(outcome));
		}
	}
}

/// A Text Datanet with one record, and its version 1.
fn text_datanet(
) -> (openledger_primitives::datanets::DatanetId, openledger_primitives::datanets::VersionIndex) {
	use frame_support::traits::fungible::Mutate;
	use openledger_primitives::datanets::{CurationPolicy, Schema};
	let owner: AccountId = frame_benchmarking::account("datanet-owner", 1, 0);
	let _ = Balances::mint_into(&owner, 1_000 * OPEN);
	let id = pallet_datanets::NextDatanetId::<Runtime>::get();
	Datanets::do_create(
		owner.clone(),
		b"bench text".to_vec(),
		vec![],
		vec![],
		Schema::Text { classes: 2 },
		CurationPolicy::Open,
	)
	.expect("a valid Datanet");
	pallet_datanets::contribute_alone::<Runtime>(owner.clone(), id, b"a record".to_vec(), 0)
		.expect("a valid record");
	let version = Datanets::do_publish_version(owner, id, 1).expect("a valid version");
	(id, version)
}

impl pallet_agents::BenchmarkHelper for DataLayerHelper {
	fn model() -> openledger_primitives::models::ModelId {
		<DataLayerHelper as pallet_attribution::BenchmarkHelper<AccountId, crate::Signature>>::training_model(1)
	}

	/// A model on a Text Datanet: its inputs may be `MaxInputLen` bytes.
	fn active_model() -> openledger_primitives::models::ModelId {
		use frame_support::traits::fungible::Mutate;
		use openledger_primitives::models::{Featurizer, ModelSpec};
		use pallet_attribution::BenchmarkHelper;
		let (datanet, version) = text_datanet();
		let owner: AccountId = frame_benchmarking::account("model-owner", 1, 0);
		let _ = Balances::mint_into(&owner, 1_000 * OPEN);
		let spec = ModelSpec { featurizer: Featurizer::HashedNgrams { dims: 64 }, ..bench_spec() };
		let model = Models::do_register(owner, &[(datanet, version, 1)], spec, OPEN, vec![])
			.expect("a valid model");
		DataLayerHelper::activate(model);
		model
	}

	fn most_attestors() {
		most_attestors();
		// An invoke as long as one can be, being applied: the job keeps its hash
		// (`attribution.Requests`), read from `frame_system`'s `ExtrinsicData`.
		use frame_support::traits::Get;
		let input_len: u32 = <Runtime as pallet_attribution::Config>::MaxInputLen::get();
		sp_io::storage::set(
			sp_storage::well_known_keys::EXTRINSIC_INDEX,
			&codec::Encode::encode(&0u32),
		);
		System::note_extrinsic(vec![7; input_len as usize + 256]);
	}
}

/// The spec of the benchmarks' models: a small MLP.
fn bench_spec() -> openledger_primitives::models::ModelSpec {
	use openledger_primitives::models::{Architecture, AttributionMethod, Featurizer, ModelSpec};
	ModelSpec {
		featurizer: Featurizer::Raw,
		architecture: Architecture::Mlp1 { hidden: 32 },
		epochs: 10,
		learning_rate: sp_runtime::Perbill::from_percent(10),
		batch_size: 32,
		l2: sp_runtime::Perbill::zero(),
		seed: 0,
		method: AttributionMethod::Influence,
	}
}

impl pallet_attribution::BenchmarkHelper<AccountId, crate::Signature> for DataLayerHelper {
	fn training_model(records: u32) -> openledger_primitives::models::ModelId {
		use frame_support::traits::fungible::Mutate;
		let (datanet, version) = dense_datanet(records);
		let owner: AccountId = frame_benchmarking::account("model-owner", 0, 0);
		let _ = Balances::mint_into(&owner, 1_000 * OPEN);
		Models::do_register(owner, &[(datanet, version, 1)], bench_spec(), OPEN, vec![])
			.expect("a valid model")
	}

	fn activate(model: openledger_primitives::models::ModelId) {
		use openledger_primitives::traits::ModelLifecycle;
		Models::activate(model, sp_runtime::Perbill::one(), Default::default())
			.expect("a Training model activates");
	}

	fn inference(
		model: openledger_primitives::models::ModelId,
	) -> openledger_primitives::attribution::InferenceId {
		use frame_support::traits::fungible::Mutate;
		let owner: AccountId = frame_benchmarking::account("agent-owner", 0, 0);
		let caller: AccountId = frame_benchmarking::account("caller", 0, 0);
		let _ = Balances::mint_into(&owner, 1_000 * OPEN);
		let _ = Balances::mint_into(&caller, 1_000 * OPEN);
		let agent = Agents::do_register(owner, model, vec![], OPEN).expect("a valid agent");
		Agents::do_invoke(caller, agent, vec![1; 64], 100 * OPEN).expect("a valid inference")
	}

	fn answer_key() -> AccountId {
		let public = sp_io::crypto::sr25519_generate(pallet_attribution::KEY_TYPE, None);
		AccountId::from(public)
	}

	fn sign_answer(signer: &AccountId, payload: &[u8]) -> crate::Signature {
		let public = sp_core::sr25519::Public::from_raw(signer.clone().into());
		sp_io::crypto::sr25519_sign(pallet_attribution::KEY_TYPE, &public, payload)
			.expect("the benchmark's keystore holds the key answer_key made")
			.into()
	}
}

/// The treasury's spend benchmarks pay 100 units to a fresh beneficiary, less than the
/// existential deposit: this helper makes each beneficiary exist first, so that the payment can
/// succeed (it then measures a payment to an existing account, a little lighter than to a new
/// one).
pub struct TreasuryHelper;

impl pallet_treasury::ArgumentsFactory<(), AccountId> for TreasuryHelper {
	fn create_asset_kind(_seed: u32) {}

	fn create_beneficiary(seed: [u8; 32]) -> AccountId {
		use frame_support::traits::fungible::Mutate;
		let who = AccountId::from(seed);
		let _ = Balances::mint_into(&who, EXISTENTIAL_DEPOSIT);
		who
	}
}

/// The benchmarks this runtime offers, and the storage items they touch.
pub fn benchmark_metadata(extra: bool) -> (Vec<BenchmarkList>, Vec<StorageInfo>) {
	let mut list = Vec::<BenchmarkList>::new();
	list_benchmarks!(list, extra);
	(list, AllPalletsWithSystem::storage_info())
}

/// Runs the benchmarks that `config` selects.
pub fn dispatch_benchmark(config: BenchmarkConfig) -> Result<Vec<BenchmarkBatch>, String> {
	let whitelist: Vec<TrackedStorageKey> = AllPalletsWithSystem::whitelisted_storage_keys();
	let mut batches = Vec::<BenchmarkBatch>::new();
	let params = (&config, &whitelist);
	add_benchmarks!(params, batches);
	Ok(batches)
}
