//! The node service: the client, the database, networking, the transaction pool, block authoring
//! (Aura + GRANDPA, or instant/manual sealing for development), off-chain workers and RPC.

use std::{sync::Arc, time::Duration};

use codec::Decode;
use futures::{FutureExt, StreamExt};
use openledger_primitives::time::SLOT_DURATION;
use openledger_runtime::{apis::RuntimeApi, opaque::Block};
use sc_client_api::{Backend, BlockBackend, StorageProvider};
use sc_consensus_aura::{ImportQueueParams, SlotProportion, StartAuraParams};
use sc_consensus_grandpa::SharedVoterState;
use sc_service::{error::Error as ServiceError, Configuration, TaskManager, WarpSyncConfig};
use sc_telemetry::{Telemetry, TelemetryWorker};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_consensus_aura::sr25519::{AuthorityId as AuraId, AuthorityPair as AuraPair};
use sp_core::storage::StorageKey;
use sp_runtime::traits::Block as BlockT;

use openledger_primitives::{
	attribution::{AttributionEngine, AttributionExt},
	payloads::{PayloadStore, PayloadsExt},
};

use crate::cli::Sealing;

/// Host functions beyond the standard ones, offered to the runtime by this node: the
/// attribution engine's, and those that read Datanet payloads. They answer only where their
/// extensions are registered (off-chain workers), and return `Unavailable` or nothing
/// elsewhere.
pub type ExtraHostFunctions = (
	openledger_primitives::attribution::engine::HostFunctions,
	openledger_primitives::payloads::payloads::HostFunctions,
);

/// All host functions of the node's wasm executor.
pub type HostFunctions = (sp_io::SubstrateHostFunctions, ExtraHostFunctions);

/// The full client: it executes the runtime's wasm blob with [`HostFunctions`].
pub type FullClient =
	sc_service::TFullClient<Block, RuntimeApi, sc_executor::WasmExecutor<HostFunctions>>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type FullPool = sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;
type GrandpaBlockImport =
	sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;
type GrandpaLink = sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>;

/// The minimum period of blocks on which justifications will be imported and generated.
const GRANDPA_JUSTIFICATION_PERIOD: u32 = 512;

/// The consensus parts made by [`new_partial`]: GRANDPA's block import and link for Aura +
/// GRANDPA, nothing for development sealing.
pub enum Consensus {
	/// Aura authoring with GRANDPA finality.
	AuraGrandpa { block_import: GrandpaBlockImport, link: GrandpaLink },
	/// Instant or manual sealing: blocks are imported into the client directly.
	DevSeal,
}

/// The parts of the service that the subcommands need too.
pub type Service = sc_service::PartialComponents<
	FullClient,
	FullBackend,
	FullSelectChain,
	sc_consensus::DefaultImportQueue<Block>,
	FullPool,
	(Consensus, Option<Telemetry>),
>;

/// The runtime's executor as `sc_service::new_wasm_executor` builds it from `config`, with
/// wasmtime's cache of compiled modules in `cache` if given.
fn wasm_executor(
	config: &sc_service::config::ExecutorConfiguration,
	cache: Option<&std::path::Path>,
) -> sc_executor::WasmExecutor<HostFunctions> {
	let strategy =
		config.default_heap_pages.map_or(sc_executor::DEFAULT_HEAP_ALLOC_STRATEGY, |p| {
			sc_executor::HeapAllocStrategy::Static { extra_pages: p as _ }
		});
	let builder = sc_executor::WasmExecutor::<HostFunctions>::builder()
		.with_execution_method(config.wasm_method)
		.with_onchain_heap_alloc_strategy(strategy)
		.with_offchain_heap_alloc_strategy(strategy)
		.with_max_runtime_instances(config.max_runtime_instances)
		.with_runtime_cache_size(config.runtime_cache_size);
	match cache {
		Some(dir) => builder.with_cache_path(dir).build(),
		None => builder.build(),
	}
}

/// Builds the client, backend, transaction pool and import queue. With `sealing`, the import
/// queue accepts the blocks that the dev sealing task makes; otherwise it verifies Aura blocks
/// and imports them through GRANDPA.
///
/// With `wasm_cache`, the runtime compiled to native code is kept in that directory and read
/// back at the next start, or by other nodes given the same directory, instead of being
/// compiled again (2.7 s of a debug build's 3 s start; docs/benchmarks.md).
pub fn new_partial(
	config: &Configuration,
	sealing: Option<Sealing>,
	wasm_cache: Option<&std::path::Path>,
) -> Result<Service, ServiceError> {
	let telemetry = config
		.telemetry_endpoints
		.clone()
		.filter(|x| !x.is_empty())
		.map(|endpoints| -> Result<_, sc_telemetry::Error> {
			let worker = TelemetryWorker::new(16)?;
			let telemetry = worker.handle().new_telemetry(endpoints);
			Ok((worker, telemetry))
		})
		.transpose()?;

	let executor = wasm_executor(&config.executor, wasm_cache);
	let (client, backend, keystore_container, task_manager) =
		sc_service::new_full_parts::<Block, RuntimeApi, _>(
			config,
			telemetry.as_ref().map(|(_, telemetry)| telemetry.handle()),
			executor,
			Vec::new(),
		)?;
	let client = Arc::new(client);

	let telemetry = telemetry.map(|(worker, telemetry)| {
		task_manager.spawn_handle().spawn("telemetry", None, worker.run());
		telemetry
	});

	let select_chain = sc_consensus::LongestChain::new(backend.clone());

	let transaction_pool = Arc::from(
		sc_transaction_pool::Builder::new(
			task_manager.spawn_essential_handle(),
			client.clone(),
			config.role.is_authority().into(),
		)
		.with_options(config.transaction_pool.clone())
		.with_prometheus(config.prometheus_registry())
		.build(),
	);

	let (import_queue, consensus) = if sealing.is_some() {
		let import_queue = sc_consensus_manual_seal::import_queue(
			Box::new(client.clone()),
			&task_manager.spawn_essential_handle(),
			config.prometheus_registry(),
		);
		(import_queue, Consensus::DevSeal)
	} else {
		let (grandpa_block_import, grandpa_link) = sc_consensus_grandpa::block_import(
			client.clone(),
			GRANDPA_JUSTIFICATION_PERIOD,
			&client,
			select_chain.clone(),
			telemetry.as_ref().map(|x| x.handle()),
		)?;

		let cidp_client = client.clone();
		let import_queue =
			sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(ImportQueueParams {
				block_import: grandpa_block_import.clone(),
				justification_import: Some(Box::new(grandpa_block_import.clone())),
				client: client.clone(),
				create_inherent_data_providers: move |parent_hash, _| {
					let cidp_client = cidp_client.clone();
					async move {
						let slot_duration = sc_consensus_aura::standalone::slot_duration_at(
							&*cidp_client,
							parent_hash,
						)?;
						let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
						let slot =
							sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
								*timestamp,
								slot_duration,
							);
						Ok((slot, timestamp))
					}
				},
				spawner: &task_manager.spawn_essential_handle(),
				registry: config.prometheus_registry(),
				check_for_equivocation: Default::default(),
				telemetry: telemetry.as_ref().map(|x| x.handle()),
				compatibility_mode: Default::default(),
			})?;
		(
			import_queue,
			Consensus::AuraGrandpa { block_import: grandpa_block_import, link: grandpa_link },
		)
	};

	Ok(sc_service::PartialComponents {
		client,
		backend,
		task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (consensus, telemetry),
	})
}

/// Builds and starts the full node.
pub fn new_full<N: sc_network::NetworkBackend<Block, <Block as BlockT>::Hash>>(
	config: Configuration,
	sealing: Option<Sealing>,
	limits: crate::cli::EngineLimits,
	wasm_cache: Option<std::path::PathBuf>,
) -> Result<TaskManager, ServiceError> {
	let sc_service::PartialComponents {
		client,
		backend,
		mut task_manager,
		import_queue,
		keystore_container,
		select_chain,
		transaction_pool,
		other: (consensus, mut telemetry),
	} = new_partial(&config, sealing, wasm_cache.as_deref())?;

	let mut net_config = sc_network::config::FullNetworkConfiguration::<
		Block,
		<Block as BlockT>::Hash,
		N,
	>::new(&config.network, config.prometheus_registry().cloned());
	let metrics = N::register_notification_metrics(config.prometheus_registry());

	// GRANDPA gossips on its own notification protocol, and serves warp-sync proofs.
	let mut grandpa_network = None;
	let mut warp_sync_config = None;
	if let Consensus::AuraGrandpa { link, .. } = &consensus {
		let genesis_hash = client
			.block_hash(0)
			.ok()
			.flatten()
			.ok_or_else(|| ServiceError::Other("the genesis block is missing".into()))?;
		let protocol_name =
			sc_consensus_grandpa::protocol_standard_name(&genesis_hash, &config.chain_spec);
		let (protocol_config, notification_service) =
			sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
				protocol_name.clone(),
				metrics.clone(),
				net_config.peer_store_handle(),
			);
		net_config.add_notification_protocol(protocol_config);
		warp_sync_config = Some(WarpSyncConfig::WithProvider(Arc::new(
			sc_consensus_grandpa::warp_proof::NetworkProvider::new(
				backend.clone(),
				link.shared_authority_set().clone(),
				Vec::default(),
			),
		)));
		grandpa_network = Some((protocol_name, notification_service));
	}

	let (network, system_rpc_tx, tx_handler_controller, sync_service, bitswap) =
		sc_service::build_network(sc_service::BuildNetworkParams {
			config: &config,
			net_config,
			client: client.clone(),
			transaction_pool: transaction_pool.clone(),
			spawn_handle: task_manager.spawn_handle(),
			spawn_essential_handle: task_manager.spawn_essential_handle(),
			import_queue,
			block_announce_validator_builder: None,
			warp_sync_config,
			block_relay: None,
			metrics,
			gap_sync_body_policy: None,
		})?;

	// Datanet payloads, from this node's transaction index, or over bitswap from its peers.
	// They are kept with the block bodies: a node that prunes bodies keeps fewer.
	let payloads: Arc<dyn PayloadStore> =
		Arc::new(crate::attribution::payloads::NodePayloads::new(client.clone(), bitswap));
	if let sc_service::BlocksPruning::Some(kept) = config.blocks_pruning {
		log::warn!(
			"🗂️  This node keeps the bodies of the last {kept} finalized blocks only: the Datanet \
			 payloads contributed before them it reads over bitswap, from peers that keep them \
			 (with --ipfs-server), or its worker abstains. Attestors keep every body (the \
			 default, --blocks-pruning archive-canonical)."
		);
	}

	// One engine per node, saving trained models under the chain's directory: the off-chain
	// workers' and the `attribution_preview` RPC's.
	let models = config.base_path.config_dir(config.chain_spec.id()).join("attribution");
	let engine = Arc::new(
		openledger_influence::Engine::new(Some(models.clone()))
			.map_err(|e| ServiceError::Other(format!("attribution engine: {e}")))?
			.with_budget(limits.budget)
			.with_capacity(limits.max_models, limits.max_stored)
			.with_memory(limits.memory),
	);
	log::info!(
		"⚙️  Attribution engine: {} MiB and {} GFLOP per model, {} MiB held at most, {} models in \
		 memory, {} on disk",
		limits.budget.bytes >> 20,
		limits.budget.flops / 1_000_000_000,
		limits.memory >> 20,
		limits.max_models,
		limits.max_stored
	);
	if config.offchain_worker.enabled {
		// The workers' engine, counted and timed in Prometheus when the node has a registry.
		let engine: Arc<dyn AttributionEngine> = match config.prometheus_registry() {
			Some(registry) => {
				let metrics = crate::attribution::metrics::EngineMetrics::register(registry)
					.map_err(|e| ServiceError::Other(format!("attribution metrics: {e}")))?;
				Arc::new(crate::attribution::metrics::Metered::new(engine.clone(), metrics))
			},
			None => engine.clone(),
		};
		log::info!(
			"⚙️  Off-chain workers enabled, attribution models in {}, {} ms per block",
			models.display(),
			limits.worker_ms
		);
		// The workers read their time budget from offchain persistent storage.
		if let Some(mut db) = backend.offchain_storage() {
			use codec::Encode;
			use sp_core::offchain::OffchainStorage;
			db.set(
				sp_core::offchain::STORAGE_PREFIX,
				openledger_primitives::attribution::WORKER_BUDGET_KEY,
				&limits.worker_ms.encode(),
			);
			// A new start: what the workers sent before it left with the old pool.
			let key = openledger_primitives::attribution::WORKER_BOOT_KEY;
			let boot = db
				.get(sp_core::offchain::STORAGE_PREFIX, key)
				.and_then(|b| u64::decode(&mut &b[..]).ok())
				.map_or(0, |b| b.wrapping_add(1));
			db.set(sp_core::offchain::STORAGE_PREFIX, key, &boot.encode());
			log::debug!(target: "attribution", "off-chain worker start {boot}");
		}
		let offchain_workers =
			sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
				runtime_api_provider: client.clone(),
				is_validator: config.role.is_authority(),
				keystore: Some(keystore_container.keystore()),
				offchain_db: backend.offchain_storage(),
				// Through a pool that reports the transactions it refuses (the default one
				// drops them silently).
				transaction_pool: Some(OffchainTransactionPoolFactory::new(
					crate::attribution::worker_pool::WorkerPool::new(
						transaction_pool.clone(),
						config.tokio_handle.clone(),
					),
				)),
				network_provider: Arc::new(network.clone()),
				enable_http_requests: false,
				custom_extensions: {
					let payloads = payloads.clone();
					move |_| {
						vec![
							Box::new(AttributionExt(engine.clone()))
								as Box<dyn sp_externalities::Extension>,
							Box::new(PayloadsExt(payloads.clone())),
						]
					}
				},
			})?;
		task_manager.spawn_handle().spawn(
			"offchain-workers-runner",
			"offchain-worker",
			offchain_workers.run(client.clone(), task_manager.spawn_handle()).boxed(),
		);
	}

	let role = config.role;
	let force_authoring = config.force_authoring;
	let name = config.network.node_name.clone();
	let enable_grandpa = !config.disable_grandpa;
	let prometheus_registry = config.prometheus_registry().cloned();

	// Manual sealing takes its commands from the `engine_*` RPC methods; instant sealing from the
	// transaction pool.
	let (command_sink, commands_stream) = match sealing {
		Some(Sealing::Manual) => {
			let (sink, stream) = futures::channel::mpsc::channel(1024);
			(Some(sink), Some(stream.boxed()))
		},
		Some(Sealing::Instant) => {
			(None, Some(instant_seal_commands(client.clone(), transaction_pool.clone())))
		},
		None => (None, None),
	};

	let rpc_extensions_builder = {
		let client = client.clone();
		let pool = transaction_pool.clone();
		let keystore = keystore_container.keystore();
		let offchain = backend.offchain_storage();
		let note_answered: crate::rpc::answer::NoteAnswered = Arc::new(move |extrinsic| {
			use sp_core::offchain::OffchainStorage;
			if let Some(mut db) = offchain.clone() {
				let key = openledger_runtime::answered_key(extrinsic);
				db.set(sp_core::offchain::STORAGE_PREFIX, &key, &[1]);
			}
		});
		Box::new(move |_| {
			let deps = crate::rpc::FullDeps {
				client: client.clone(),
				pool: pool.clone(),
				command_sink: command_sink.clone(),
				engine: engine.clone(),
				payloads: payloads.clone(),
				keystore: keystore.clone(),
				note_answered: note_answered.clone(),
			};
			crate::rpc::create_full(deps).map_err(Into::into)
		})
	};

	// `--alice` and the other dev key flags insert the session keys (Aura, GRANDPA) through the
	// runtime, as `spawn_tasks` starts; an attestor's `attr` key is not a session key, so it is
	// inserted here from the same seed (the dev accounts attest with their own keys).
	if let Some(seed) = &config.dev_key_seed {
		sp_keystore::Keystore::sr25519_generate_new(
			&*keystore_container.keystore(),
			openledger_runtime::ATTESTOR_KEY_TYPE,
			Some(seed),
		)
		.map_err(|e| ServiceError::Other(format!("inserting the dev `attr` key: {e}")))?;
	}

	let _rpc_handlers = sc_service::spawn_tasks(sc_service::SpawnTasksParams {
		network: Arc::new(network.clone()),
		client: client.clone(),
		keystore: keystore_container.keystore(),
		task_manager: &mut task_manager,
		transaction_pool: transaction_pool.clone(),
		rpc_builder: rpc_extensions_builder,
		backend,
		system_rpc_tx,
		tx_handler_controller,
		sync_service: sync_service.clone(),
		config,
		telemetry: telemetry.as_mut(),
		tracing_execute_block: None,
	})?;

	// GRANDPA, essential (if it fails, the node stops): it votes with the keystore's GRANDPA key
	// if given one, and follows the others' votes without.
	let grandpa_voter = {
		let (network, sync, pool) =
			(network.clone(), sync_service.clone(), transaction_pool.clone());
		let (telemetry, prometheus_registry) =
			(telemetry.as_ref().map(|x| x.handle()), prometheus_registry.clone());
		move |link: GrandpaLink, keystore: Option<sp_keystore::KeystorePtr>| {
			let (protocol_name, notification_service) = grandpa_network
				.ok_or_else(|| ServiceError::Other("GRANDPA protocol not configured".into()))?;
			let config = sc_consensus_grandpa::Config {
				gossip_duration: Duration::from_millis(333),
				justification_generation_period: GRANDPA_JUSTIFICATION_PERIOD,
				name: Some(name),
				observer_enabled: false,
				keystore,
				local_role: role,
				telemetry: telemetry.clone(),
				protocol_name,
			};
			sc_consensus_grandpa::run_grandpa_voter(sc_consensus_grandpa::GrandpaParams {
				config,
				link,
				network,
				sync,
				notification_service,
				voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
				prometheus_registry,
				shared_voter_state: SharedVoterState::empty(),
				telemetry,
				offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(pool),
			})
			.map_err(ServiceError::from)
		}
	};

	if !role.is_authority() {
		// A full node follows GRANDPA without voting: it imports the justifications that
		// finalise blocks, and its GRANDPA protocol stays registered (dropped, the network
		// refuses every peer's connection, `EssentialTaskClosed`, and the node never syncs).
		if let (Consensus::AuraGrandpa { link, .. }, true) = (consensus, enable_grandpa) {
			let voter = grandpa_voter(link, None)?;
			task_manager.spawn_essential_handle().spawn_blocking("grandpa-voter", None, voter);
		}
		return Ok(task_manager);
	}

	let mut proposer_factory = sc_basic_authorship::ProposerFactory::new(
		task_manager.spawn_handle(),
		client.clone(),
		transaction_pool.clone(),
		prometheus_registry.as_ref(),
		telemetry.as_ref().map(|x| x.handle()),
	);
	// The runtime's block length, not the proposer's own default of 4 MiB: an operational
	// transaction may fill a whole block (`system.applyAuthorizedUpgrade` with a 4.4 MB
	// runtime), and a proposer that stopped short of the runtime's limit would leave it in the
	// pool for ever.
	proposer_factory
		.set_default_block_size_limit(openledger_runtime::configs::MAX_BLOCK_LENGTH as usize);

	match (consensus, sealing) {
		(Consensus::DevSeal, Some(sealing)) => {
			log::info!("🔨 Development sealing: {sealing:?}");
			let consensus_data_provider: Box<
				dyn sc_consensus_manual_seal::ConsensusDataProvider<Block>,
			> = Box::new(sc_consensus_manual_seal::consensus::aura::AuraConsensusDataProvider::new(
				client.clone(),
			));
			let create_inherent_data_providers = dev_seal_inherent_data_providers(client.clone());
			let Some(commands_stream) = commands_stream else {
				return Err(ServiceError::Other("development sealing without commands".into()));
			};
			let task = sc_consensus_manual_seal::run_manual_seal(
				sc_consensus_manual_seal::ManualSealParams {
					block_import: client.clone(),
					env: proposer_factory,
					client,
					pool: transaction_pool,
					commands_stream,
					select_chain,
					consensus_data_provider: Some(consensus_data_provider),
					create_inherent_data_providers,
				},
			)
			.boxed();
			task_manager.spawn_essential_handle().spawn_blocking(
				"dev-seal",
				Some("block-authoring"),
				task,
			);
		},
		(Consensus::AuraGrandpa { block_import, link }, _) => {
			let slot_duration = sc_consensus_aura::slot_duration::<AuraId, _, _>(&*client)?;
			let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
				StartAuraParams {
					slot_duration,
					client,
					select_chain,
					block_import,
					proposer_factory,
					create_inherent_data_providers: move |_, ()| async move {
						let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
						let slot =
							sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
								*timestamp,
								slot_duration,
							);
						Ok((slot, timestamp))
					},
					force_authoring,
					backoff_authoring_blocks: Option::<()>::None,
					keystore: keystore_container.keystore(),
					sync_oracle: sync_service.clone(),
					justification_sync_link: sync_service.clone(),
					block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
					max_block_proposal_slot_portion: None,
					telemetry: telemetry.as_ref().map(|x| x.handle()),
					compatibility_mode: Default::default(),
				},
			)?;
			// Block authoring is essential: if it fails, the node stops.
			task_manager.spawn_essential_handle().spawn_blocking(
				"aura",
				Some("block-authoring"),
				aura,
			);

			if enable_grandpa {
				let voter = grandpa_voter(link, Some(keystore_container.keystore()))?;
				task_manager.spawn_essential_handle().spawn_blocking("grandpa-voter", None, voter);
			}
		},
		(Consensus::DevSeal, None) => {
			return Err(ServiceError::Other("dev sealing parts built without --sealing".into()))
		},
	}

	Ok(task_manager)
}

/// Inherent data for a dev-sealed block: a timestamp at least one slot after the parent's, so
/// that Aura's slot (taken from the timestamp by the consensus data provider) always increases,
/// however fast blocks are sealed.
fn dev_seal_inherent_data_providers(
	client: Arc<FullClient>,
) -> impl sp_inherents::CreateInherentDataProviders<
	Block,
	(),
	InherentDataProviders = sp_timestamp::InherentDataProvider,
> + Send
       + Sync
       + 'static {
	move |parent_hash: <Block as BlockT>::Hash, ()| {
		let client = client.clone();
		async move {
			let parent = parent_timestamp(&client, parent_hash);
			let now = sp_timestamp::Timestamp::current().as_millis();
			let next = now.max(parent.saturating_add(SLOT_DURATION));
			Ok(sp_timestamp::InherentDataProvider::new(next.into()))
		}
	}
}

/// `pallet_timestamp::Now` in the state of `block` (0 at genesis or if it cannot be read).
fn parent_timestamp(client: &FullClient, block: <Block as BlockT>::Hash) -> u64 {
	// The storage key of `pallet_timestamp::Now` in the runtime's `Timestamp` pallet.
	let key = [sp_io::hashing::twox_128(b"Timestamp"), sp_io::hashing::twox_128(b"Now")].concat();
	client
		.storage(block, &StorageKey(key))
		.ok()
		.flatten()
		.and_then(|data| u64::decode(&mut &data.0[..]).ok())
		.unwrap_or(0)
}

/// Instant sealing's commands: a block (finalised at once) for each transaction the pool
/// imports, and a retry every 250 ms while the pool holds ready transactions. The retry covers
/// a transaction that becomes ready only after its own notification was handled (one sent by an
/// off-chain worker while the block before is still being imported), which would otherwise wait
/// for a block that never comes.
///
/// A retry that finds ready transactions again on the same best block (the chain did not move
/// in 250 ms) seals a block even if no transaction fits it. That is the block that ends a
/// session: `pallet_session` weighs its rotation as a whole block, so without an empty block
/// there the chain would stop, every transaction waiting for a block that none fits. Only then:
/// an empty block anywhere else would break "one block per transaction".
fn instant_seal_commands(
	client: Arc<FullClient>,
	pool: Arc<sc_transaction_pool::TransactionPoolHandle<Block, FullClient>>,
) -> futures::stream::BoxStream<
	'static,
	sc_consensus_manual_seal::EngineCommand<<Block as BlockT>::Hash>,
> {
	use sc_transaction_pool_api::TransactionPool;
	use sp_blockchain::HeaderBackend;
	let seal = |create_empty| sc_consensus_manual_seal::EngineCommand::SealNewBlock {
		create_empty,
		finalize: true,
		parent_hash: None,
		sender: None,
	};
	let imports = pool.import_notification_stream().map(move |_| seal(false));
	// The state: the best block at the previous retry, if it found ready transactions.
	let retries = futures::stream::unfold(None, move |waiting| {
		let (client, pool) = (client.clone(), pool.clone());
		async move {
			futures_timer::Delay::new(Duration::from_millis(250)).await;
			let best = client.info().best_hash;
			let ready = pool.status().ready > 0;
			let command = ready.then(|| seal(waiting == Some(best)));
			Some((command, ready.then_some(best)))
		}
	})
	.filter_map(futures::future::ready);
	futures::stream::select(imports, retries).boxed()
}
