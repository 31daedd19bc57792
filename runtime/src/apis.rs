//! The runtime APIs: what the node, RPC clients and Polkadot.js (`api.call.*`) can ask the
//! runtime.

use alloc::vec::Vec;
use frame_support::{
	genesis_builder_helper::{build_state, get_preset},
	weights::Weight,
};
use openledger_primitives::{
	agents::AgentId,
	apis::{RecordInfo, VersionRecord},
	attribution::InferenceId,
	datanets::{DatanetId, RecordHash, VersionIndex, VersionInfo},
	models::ModelId,
};
use pallet_grandpa::AuthorityId as GrandpaId;
use pallet_transaction_payment_rpc_runtime_api::{FeeDetails, RuntimeDispatchInfo};
use sp_api::impl_runtime_apis;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
	traits::{Block as BlockT, NumberFor},
	transaction_validity::{TransactionSource, TransactionValidity},
	ApplyExtrinsicResult, ExtrinsicInclusionMode,
};
use sp_version::RuntimeVersion;

use super::{
	AccountId, Agents, Attribution, Aura, Balance, Block, BlockNumber, Datanets, Executive,
	Grandpa, InherentDataExt, Models, Nonce, Rewards, Runtime, RuntimeCall, RuntimeGenesisConfig,
	System, TransactionPayment, VERSION,
};

impl_runtime_apis! {
	impl sp_api::Core<Block> for Runtime {
		fn version() -> RuntimeVersion {
			VERSION
		}

		fn execute_block(block: <Block as BlockT>::LazyBlock) {
			Executive::execute_block(block);
		}

		fn initialize_block(header: &<Block as BlockT>::Header) -> ExtrinsicInclusionMode {
			Executive::initialize_block(header)
		}
	}

	impl sp_api::Metadata<Block> for Runtime {
		fn metadata() -> OpaqueMetadata {
			OpaqueMetadata::new(Runtime::metadata().into())
		}

		fn metadata_at_version(version: u32) -> Option<OpaqueMetadata> {
			Runtime::metadata_at_version(version)
		}

		fn metadata_versions() -> Vec<u32> {
			Runtime::metadata_versions()
		}
	}

	impl frame_support::view_functions::runtime_api::RuntimeViewFunction<Block> for Runtime {
		fn execute_view_function(
			id: frame_support::view_functions::ViewFunctionId,
			input: Vec<u8>,
		) -> Result<Vec<u8>, frame_support::view_functions::ViewFunctionDispatchError> {
			Runtime::execute_view_function(id, input)
		}
	}

	impl sp_block_builder::BlockBuilder<Block> for Runtime {
		fn apply_extrinsic(extrinsic: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult {
			Executive::apply_extrinsic(extrinsic)
		}

		fn finalize_block() -> <Block as BlockT>::Header {
			Executive::finalize_block()
		}

		fn inherent_extrinsics(data: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> {
			data.create_extrinsics()
		}

		fn check_inherents(
			block: <Block as BlockT>::LazyBlock,
			data: sp_inherents::InherentData,
		) -> sp_inherents::CheckInherentsResult {
			data.check_extrinsics(&block)
		}
	}

	impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
		fn validate_transaction(
			source: TransactionSource,
			tx: <Block as BlockT>::Extrinsic,
			block_hash: <Block as BlockT>::Hash,
		) -> TransactionValidity {
			Executive::validate_transaction(source, tx, block_hash)
		}
	}

	impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
		fn offchain_worker(header: &<Block as BlockT>::Header) {
			Executive::offchain_worker(header)
		}
	}

	impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
		fn slot_duration() -> sp_consensus_aura::SlotDuration {
			sp_consensus_aura::SlotDuration::from_millis(Aura::slot_duration())
		}

		fn authorities() -> Vec<AuraId> {
			pallet_aura::Authorities::<Runtime>::get().into_inner()
		}
	}

	impl sp_session::SessionKeys<Block> for Runtime {
		fn generate_session_keys(
			owner: Vec<u8>,
			seed: Option<Vec<u8>>,
		) -> sp_session::OpaqueGeneratedSessionKeys {
			super::opaque::SessionKeys::generate(&owner, seed).into()
		}

		fn decode_session_keys(encoded: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> {
			super::opaque::SessionKeys::decode_into_raw_public_keys(&encoded)
		}
	}

	impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
		fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList {
			Grandpa::grandpa_authorities()
		}

		fn current_set_id() -> sp_consensus_grandpa::SetId {
			pallet_grandpa::CurrentSetId::<Runtime>::get()
		}

		fn submit_report_equivocation_unsigned_extrinsic(
			_equivocation_proof: sp_consensus_grandpa::EquivocationProof<
				<Block as BlockT>::Hash,
				NumberFor<Block>,
			>,
			_key_owner_proof: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
		) -> Option<()> {
			// Equivocations are not reported on chain (no staking, see `configs`).
			None
		}

		fn generate_key_ownership_proof(
			_set_id: sp_consensus_grandpa::SetId,
			_authority_id: GrandpaId,
		) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
			// `KeyOwnerProof` is `Void`: no proof can exist.
			None
		}
	}

	impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
		fn account_nonce(account: AccountId) -> Nonce {
			System::account_nonce(account)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
		fn query_info(uxt: <Block as BlockT>::Extrinsic, len: u32) -> RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_info(uxt, len)
		}
		fn query_fee_details(uxt: <Block as BlockT>::Extrinsic, len: u32) -> FeeDetails<Balance> {
			TransactionPayment::query_fee_details(uxt, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentCallApi<Block, Balance, RuntimeCall>
		for Runtime
	{
		fn query_call_info(call: RuntimeCall, len: u32) -> RuntimeDispatchInfo<Balance> {
			TransactionPayment::query_call_info(call, len)
		}
		fn query_call_fee_details(call: RuntimeCall, len: u32) -> FeeDetails<Balance> {
			TransactionPayment::query_call_fee_details(call, len)
		}
		fn query_weight_to_fee(weight: Weight) -> Balance {
			TransactionPayment::weight_to_fee(weight)
		}
		fn query_length_to_fee(length: u32) -> Balance {
			TransactionPayment::length_to_fee(length)
		}
	}

	impl openledger_primitives::apis::DatanetsApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn datanet(id: DatanetId) -> Option<openledger_primitives::datanets::Datanet<AccountId, Balance>> {
			Datanets::datanet_info(id)
		}

		fn record(datanet: DatanetId, record: RecordHash) -> Option<RecordInfo<AccountId, Balance>> {
			Datanets::record_info(datanet, record)
		}

		fn version(datanet: DatanetId, version: VersionIndex) -> Option<VersionInfo<BlockNumber>> {
			Datanets::version_info(datanet, version)
		}

		fn version_records(
			datanet: DatanetId,
			version: VersionIndex,
			start: u32,
			limit: u32,
		) -> Vec<VersionRecord<AccountId>> {
			Datanets::version_records(datanet, version, start, limit)
		}
	}

	impl openledger_primitives::apis::ModelsApi<Block, AccountId, Balance> for Runtime {
		fn model(id: ModelId) -> Option<openledger_primitives::models::Model<AccountId, Balance>> {
			Models::model_info(id)
		}
	}

	impl openledger_primitives::apis::AssetsApi<Block, AccountId, BlockNumber> for Runtime {
		fn owner_history(
			kind: openledger_primitives::traits::AssetKind,
			id: u32,
		) -> Vec<(AccountId, BlockNumber)> {
			crate::configs::assets::owner_history(kind, id)
		}
	}

	impl openledger_primitives::apis::AgentsApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn agent(id: AgentId) -> Option<openledger_primitives::agents::Agent<AccountId, Balance, BlockNumber>> {
			Agents::agent_info(id)
		}
	}

	impl openledger_primitives::apis::AttributionApi<Block, AccountId, Balance, BlockNumber> for Runtime {
		fn inference(
			id: InferenceId,
		) -> Option<openledger_primitives::apis::InferenceInfo<AccountId, Balance, BlockNumber>> {
			let inf = Agents::inference(id)?;
			let result = Attribution::inference_result(id);
			Some(openledger_primitives::apis::InferenceInfo {
				caller: inf.caller,
				agent: inf.agent,
				model: inf.model,
				fee: inf.model_fee.saturating_add(inf.agent_fee),
				requested: inf.block,
				status: inf.status,
				shares: result.as_ref().map(|r| r.shares.to_vec()).unwrap_or_default(),
				agreeing: result.as_ref().map(|r| r.agreeing.to_vec()).unwrap_or_default(),
				completed: result.map(|r| r.block),
				generation: Attribution::generation(id),
				trace: Attribution::trace(id),
			})
		}

		fn training(model: ModelId) -> Option<pallet_attribution::TrainingRecord> {
			Attribution::training(model)
		}

		fn attestors() -> Vec<AccountId> {
			Attribution::attestors()
		}

		fn engine_version() -> u32 {
			Attribution::engine_version()
		}
	}

	impl openledger_primitives::apis::RewardsApi<Block, AccountId, Balance> for Runtime {
		fn claimable(who: AccountId) -> Balance {
			Rewards::claimable(who)
		}

		fn record_earnings(datanet: DatanetId, index: u32) -> Balance {
			Rewards::record_earnings(datanet, index)
		}

		fn contributor_earnings(who: AccountId) -> Balance {
			Rewards::contributor_earnings(who)
		}

		fn reward_split() -> openledger_primitives::rewards::RewardSplit {
			Rewards::reward_split()
		}

		fn payee(contributor: AccountId) -> AccountId {
			Rewards::payee_of(&contributor)
		}

		fn revenue_shares(
			kind: openledger_primitives::traits::AssetKind,
			id: u32,
		) -> Option<openledger_primitives::rewards::RevenueSharesInfo<AccountId, Balance>> {
			Rewards::revenue_shares(kind, id)
		}
	}

	impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
		fn build_state(config: Vec<u8>) -> sp_genesis_builder::Result {
			build_state::<RuntimeGenesisConfig>(config)
		}

		fn get_preset(id: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> {
			get_preset::<RuntimeGenesisConfig>(id, crate::genesis_config_presets::get_preset)
		}

		fn preset_names() -> Vec<sp_genesis_builder::PresetId> {
			crate::genesis_config_presets::preset_names()
		}
	}

	#[cfg(feature = "runtime-benchmarks")]
	impl frame_benchmarking::Benchmark<Block> for Runtime {
		fn benchmark_metadata(extra: bool) -> (
			Vec<frame_benchmarking::BenchmarkList>,
			Vec<frame_support::traits::StorageInfo>,
		) {
			crate::benchmarks::benchmark_metadata(extra)
		}

		fn dispatch_benchmark(
			config: frame_benchmarking::BenchmarkConfig,
		) -> Result<Vec<frame_benchmarking::BenchmarkBatch>, alloc::string::String> {
			crate::benchmarks::dispatch_benchmark(config)
		}
	}

	#[cfg(feature = "try-runtime")]
	impl frame_try_runtime::TryRuntime<Block> for Runtime {
		fn on_runtime_upgrade(checks: frame_try_runtime::UpgradeCheckSelect) -> (Weight, Weight) {
			// try-runtime is an offline testing tool: a failed check must abort it loudly.
			let weight = Executive::try_runtime_upgrade(checks)
				.expect("try-runtime: the runtime upgrade checks failed");
			(weight, super::configs::RuntimeBlockWeights::get().max_block)
		}

		fn execute_block(
			block: <Block as BlockT>::LazyBlock,
			state_root_check: bool,
			signature_check: bool,
			select: frame_try_runtime::TryStateSelect,
		) -> Weight {
			Executive::try_execute_block(block, state_root_check, signature_check, select)
				.expect("try-runtime: executing the block failed")
		}
	}
}
