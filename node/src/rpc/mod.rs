//! The node's JSON-RPC extensions, added to the standard `system_*`, `chain_*`, `state_*` and
//! `author_*` methods that `sc-service` provides:
//!
//! - `system_accountNextIndex` and `system_dryRun` (`substrate-frame-rpc-system`);
//! - `payment_queryInfo` and `payment_queryFeeDetails` (`pallet-transaction-payment-rpc`);
//! - `engine_createBlock` and `engine_finalizeBlock`, with `--sealing manual` only;
//! - `attribution_preview` ([`attribution`]).

pub mod answer;
pub mod attribution;

use std::sync::Arc;

use futures::channel::mpsc;
use jsonrpsee::RpcModule;
use openledger_primitives::{AccountId, Balance, BlockNumber, Hash, Nonce};
use openledger_runtime::opaque::Block;
use sc_consensus_manual_seal::{
	rpc::{ManualSeal, ManualSealApiServer},
	EngineCommand,
};
use sc_transaction_pool_api::TransactionPool;
use sp_api::ProvideRuntimeApi;
use sp_block_builder::BlockBuilder;
use sp_blockchain::{Error as BlockChainError, HeaderBackend, HeaderMetadata};

/// What the RPC extensions need.
pub struct FullDeps<C, P> {
	/// The client.
	pub client: Arc<C>,
	/// The transaction pool.
	pub pool: Arc<P>,
	/// Where `engine_*` calls go, when blocks are sealed manually.
	pub command_sink: Option<mpsc::Sender<EngineCommand<Hash>>>,
	/// The node's influence engine, for previews and answers.
	pub engine: Arc<openledger_influence::Engine>,
	/// Where the engine's training sets' payloads are read from.
	pub payloads: Arc<dyn openledger_primitives::payloads::PayloadStore>,
	/// The node's keystore, whose attestor keys sign `attribution_answer`'s answers.
	pub keystore: sp_keystore::KeystorePtr,
	/// Notes in the off-chain worker's storage that this node answered an extrinsic early.
	pub note_answered: answer::NoteAnswered,
}

/// Builds the RPC extensions of a full node.
pub fn create_full<C, P>(
	deps: FullDeps<C, P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
	C: ProvideRuntimeApi<Block>
		+ HeaderBackend<Block>
		+ HeaderMetadata<Block, Error = BlockChainError>
		+ Send
		+ Sync
		+ 'static,
	C::Api: substrate_frame_rpc_system::AccountNonceApi<Block, AccountId, Nonce>,
	C::Api: pallet_transaction_payment_rpc::TransactionPaymentRuntimeApi<Block, Balance>,
	C::Api: BlockBuilder<Block>,
	C::Api: openledger_primitives::apis::ModelsApi<Block, AccountId, Balance>,
	C::Api: openledger_primitives::apis::DatanetsApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: openledger_primitives::apis::AgentsApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: openledger_primitives::apis::AttributionApi<Block, AccountId, Balance, BlockNumber>,
	P: TransactionPool<Block = Block, Hash = Hash> + 'static,
{
	use answer::{Answer, AnswerApiServer};
	use attribution::{Attribution, AttributionApiServer};
	use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
	use substrate_frame_rpc_system::{System, SystemApiServer};

	let FullDeps { client, pool, command_sink, engine, payloads, keystore, note_answered } = deps;
	let mut module = RpcModule::new(());

	module.merge(Attribution::new(client.clone(), engine.clone(), payloads.clone()).into_rpc())?;
	module.merge(
		Answer::new(client.clone(), pool.clone(), engine, payloads, keystore, note_answered)
			.into_rpc(),
	)?;
	module.merge(System::new(client.clone(), pool).into_rpc())?;
	module.merge(TransactionPayment::new(client).into_rpc())?;
	if let Some(command_sink) = command_sink {
		module.merge(ManualSeal::new(command_sink).into_rpc())?;
	}

	Ok(module)
}
