//! `attribution_answer`: an inference's answer in the same second, from an attestor node.
//!
//! Paid inference takes two blocks to a result: the committee commits, then reveals. An
//! application that wants the model's answer at once sends this node its signed
//! `agents.invoke` extrinsic instead of `author_submitExtrinsic`. The node puts it in its
//! transaction pool (so the request is paid for, like any inference, and is answered once),
//! computes the outcome its off-chain worker will commit for the job the extrinsic opens, and
//! returns it signed with its attestor key over `("openledger/answer", extrinsic hash, outcome
//! hash)`. The outcome hash is what the chain's vote counts ([`AttestationOutcome::hash`]): the
//! application can compare it with the node's `Revealed` event later.
//!
//! It is not the preview that issue 12 closed: nothing is computed for an extrinsic the pool
//! refuses (a bad signature, a stale nonce, an account that cannot pay the fee, one already
//! imported), so each answer costs its caller an included, paid transaction.

use std::sync::Arc;

use codec::{Decode, Encode};
use jsonrpsee::{core::RpcResult, proc_macros::rpc};
use openledger_influence::Engine;
use openledger_primitives::{
	apis::{AgentsApi, AttributionApi, DatanetsApi, ModelsApi},
	attribution::{AttributionEngine, InferRequest, ENGINE_VERSION},
	models::ModelId,
	payloads::PayloadStore,
	AccountId, Balance, BlockNumber,
};
use openledger_runtime::{
	answer_payload, opaque::Block, AgentsCall, AttestationOutcome, RuntimeCall, UncheckedExtrinsic,
	ATTESTOR_KEY_TYPE, MAX_TOP_K,
};
use sc_transaction_pool_api::{TransactionPool, TransactionSource};
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{Bytes, H256};
use sp_keystore::KeystorePtr;
use sp_runtime::{generic::Preamble, OpaqueExtrinsic};

use super::attribution::{active_model, code, error, runtime_error, train};

/// This node's answer to a paid inference, before the chain's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FastAnswer {
	/// The hash of the `agents.invoke` extrinsic, as the pool knows it.
	pub extrinsic: H256,
	/// The model the agent calls.
	pub model: ModelId,
	/// The outcome this node will reveal for the job (SCALE of `attribution`'s `Outcome`, the
	/// `reveal` call's argument): the label, continuation or trace, and the records' shares.
	pub outcome: Bytes,
	/// Its hash, as the vote counts it and the `attribution.Revealed` event shows it.
	pub outcome_hash: H256,
	/// The attestor that answers.
	pub attestor: AccountId,
	/// Its sr25519 signature of [`answer_payload`]`(extrinsic, outcome_hash)`.
	pub signature: Bytes,
}

#[rpc(server)]
pub trait AnswerApi {
	/// Submits a signed `agents.invoke` extrinsic to this node's pool and answers it at once
	/// with the outcome this node will commit, signed by its attestor key.
	#[method(name = "attribution_answer")]
	async fn answer(&self, extrinsic: Bytes) -> RpcResult<FastAnswer>;
}

/// JSON-RPC error codes of `attribution_answer`, beside `attribution_preview`'s.
pub mod answer_code {
	/// The bytes are not a signed `agents.invoke` extrinsic.
	pub const NOT_AN_INVOKE: i32 = 7010;
	/// The transaction pool refused the extrinsic.
	pub const REFUSED: i32 = 7011;
	/// This node holds no key of a registered attestor.
	pub const NOT_AN_ATTESTOR: i32 = 7012;
	/// This node's engine is not the version the chain requires: its answer would not be the
	/// chain's, and would cost its attestor a slash (`attribution.report_answer`).
	pub const WRONG_ENGINE: i32 = 7013;
}

/// Notes that this node answered the extrinsic of a hash early, in the off-chain worker's
/// persistent storage under [`openledger_runtime::answered_key`]: its watchtower then re-executes that inference's
/// pending result whatever its sample, and challenges a committee that decided otherwise.
pub type NoteAnswered = Arc<dyn Fn(H256) + Send + Sync>;

/// The `attribution_answer` RPC method.
pub struct Answer<C, P> {
	client: Arc<C>,
	pool: Arc<P>,
	engine: Arc<Engine>,
	payloads: Arc<dyn PayloadStore>,
	keystore: KeystorePtr,
	note_answered: NoteAnswered,
}

impl<C, P> Answer<C, P> {
	/// Answers with `engine`, submits to `pool`, signs with the attestor keys of `keystore`,
	/// and notes each answer with `note_answered`.
	pub fn new(
		client: Arc<C>,
		pool: Arc<P>,
		engine: Arc<Engine>,
		payloads: Arc<dyn PayloadStore>,
		keystore: KeystorePtr,
		note_answered: NoteAnswered,
	) -> Self {
		Self { client, pool, engine, payloads, keystore, note_answered }
	}
}

#[jsonrpsee::core::async_trait]
impl<C, P> AnswerApiServer for Answer<C, P>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: AgentsApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: AttributionApi<Block, AccountId, Balance, BlockNumber>,
	C::Api: ModelsApi<Block, AccountId, Balance>,
	C::Api: DatanetsApi<Block, AccountId, Balance, BlockNumber>,
	P: TransactionPool<Block = Block, Hash = H256> + 'static,
{
	async fn answer(&self, extrinsic: Bytes) -> RpcResult<FastAnswer> {
		let not_invoke = |why: &str| error(answer_code::NOT_AN_INVOKE, why.to_string());
		let xt = UncheckedExtrinsic::decode(&mut &extrinsic[..])
			.map_err(|_| not_invoke("the bytes are not an extrinsic"))?;
		if !matches!(xt.preamble, Preamble::Signed(..)) {
			return Err(not_invoke("the extrinsic is not signed"));
		}
		let RuntimeCall::Agents(AgentsCall::invoke { agent, input, .. }) = xt.function else {
			return Err(not_invoke("the extrinsic is not agents.invoke"));
		};
		let at = self.client.info().best_hash;
		// What can refuse the request without cost comes first: an unknown agent, a model that
		// is not Active, a node without an attestor key or with another engine than the chain
		// requires. A refused answer then leaves the caller's invoke unsent.
		let (info, key) = {
			let api = self.client.runtime_api();
			let required = api.engine_version(at).map_err(runtime_error)?;
			if required != ENGINE_VERSION {
				return Err(error(
					answer_code::WRONG_ENGINE,
					format!("the chain requires engine version {required}; this node runs {ENGINE_VERSION}"),
				));
			}
			let model = api
				.agent(at, agent)
				.map_err(runtime_error)?
				.ok_or_else(|| error(code::UNKNOWN_MODEL, format!("agent {agent} does not exist")))?
				.model;
			let info = active_model(&api, at, model)?;
			let attestors = api.attestors(at).map_err(runtime_error)?;
			let key = self
				.keystore
				.sr25519_public_keys(ATTESTOR_KEY_TYPE)
				.into_iter()
				.find(|k| attestors.contains(&AccountId::from(k.0)))
				.ok_or_else(|| {
					error(
						answer_code::NOT_AN_ATTESTOR,
						"this node holds no registered attestor's key",
					)
				})?;
			((model, info), key)
		};
		// The pool checks the signature, the nonce and that the fee can be paid; nothing is
		// computed for an extrinsic it refuses.
		let opaque = OpaqueExtrinsic::try_from_encoded_extrinsic(&extrinsic)
			.map_err(|_| not_invoke("the bytes are not an extrinsic"))?;
		let extrinsic_hash = self
			.pool
			.submit_one(at, TransactionSource::External, opaque)
			.await
			.map_err(|e| error(answer_code::REFUSED, format!("the pool refused it: {e}")))?;
		// Training a model the engine does not hold yet, and the inference, are CPU work: they
		// run on a blocking thread, not on the RPC server's.
		let (client, engine, payloads, keystore) = (
			self.client.clone(),
			self.engine.clone(),
			self.payloads.clone(),
			self.keystore.clone(),
		);
		let answer = tokio::task::spawn_blocking(move || {
			let trainer = (&*engine, &*payloads);
			answer_now(&*client, trainer, &keystore, at, extrinsic_hash, info, key, input)
		})
		.await
		.map_err(|e| error(code::ENGINE, format!("the answer's task failed: {e}")))??;
		(self.note_answered)(extrinsic_hash);
		Ok(answer)
	}
}

/// The outcome this node's worker will commit for the job of `extrinsic` (an invoke of
/// `model`, Active as `info`, with `input`), signed with the attestor `key`.
#[allow(clippy::too_many_arguments)]
fn answer_now<C>(
	client: &C,
	(engine, payloads): (&Engine, &dyn PayloadStore),
	keystore: &KeystorePtr,
	at: <Block as sp_runtime::traits::Block>::Hash,
	extrinsic_hash: H256,
	(model, info): (ModelId, openledger_primitives::models::Model<AccountId, Balance>),
	key: sp_core::sr25519::Public,
	input: Vec<u8>,
) -> RpcResult<FastAnswer>
where
	C: ProvideRuntimeApi<Block>,
	C::Api: DatanetsApi<Block, AccountId, Balance, BlockNumber>,
{
	if !engine.has_model(model) {
		train(engine, payloads, &client.runtime_api(), at, model, &info)?;
	}
	// What the off-chain worker computes for the job: the same request, so the same outcome.
	let outcome = AttributionEngine::infer(engine, InferRequest { model, input, top_k: MAX_TOP_K })
		.map_err(|e| error(code::ENGINE, format!("the engine failed: {e:?}")))?;
	let outcome = AttestationOutcome::from(outcome);
	let outcome_hash = outcome.hash();
	let signature = keystore
		.sr25519_sign(ATTESTOR_KEY_TYPE, &key, &answer_payload(extrinsic_hash, outcome_hash))
		.ok()
		.flatten()
		.ok_or_else(|| error(answer_code::NOT_AN_ATTESTOR, "the attestor key cannot sign"))?;
	log::info!(
		target: "attribution",
		"answered extrinsic {extrinsic_hash:?} for model {model} at once: outcome {outcome_hash:?}",
	);
	Ok(FastAnswer {
		extrinsic: extrinsic_hash,
		model,
		outcome: outcome.encode().into(),
		outcome_hash,
		attestor: AccountId::from(key.0),
		signature: signature.0.to_vec().into(),
	})
}
