//! `attribution_preview(model, input, at?)`: what the attestors would answer for an inference,
//! from this node's own engine, without a transaction or a fee.
//!
//! The model's spec and its Datanet version are read through the runtime APIs at `at` (the
//! best block by default). If the engine does not hold the model yet, the version's records
//! are ingested page by page and the model is trained (or restored from disk), exactly as the
//! off-chain worker does; later previews reuse it. The answer names each proponent's record
//! position, hash and contributor, so a wallet can show who would be paid.

use std::sync::Arc;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
};
use openledger_influence::{DatasetKey, Engine, EngineError, Record};
use openledger_primitives::{
	apis::{DatanetsApi, ModelsApi},
	models::{ModelId, ModelStatus},
	AccountId, Balance, BlockNumber,
};
use openledger_runtime::opaque::Block;
use serde::{Deserialize, Serialize};
use sp_api::ProvideRuntimeApi;
use sp_blockchain::HeaderBackend;
use sp_core::{Bytes, H256};
use sp_runtime::traits::Block as BlockT;

/// Records asked of the runtime per page.
const PAGE: u32 = 512;
/// The most records a preview names on each side.
const TOP_K: usize = 16;

/// A record's part of a preview.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewShare {
	/// Its position in the Datanet version.
	pub record: u32,
	/// Its hash.
	pub hash: H256,
	/// Who contributed it.
	pub contributor: AccountId,
	/// Its share, in parts per billion (a set sums to 10^9).
	pub share: u32,
}

/// What the engine answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
	/// The predicted class.
	pub label: u16,
	/// Each class's probability, in parts per billion.
	pub probabilities: Vec<u32>,
	/// The records that supported the prediction most.
	pub proponents: Vec<PreviewShare>,
	/// The records that opposed it most.
	pub opponents: Vec<PreviewShare>,
}

#[rpc(server)]
pub trait AttributionApi<BlockHash> {
	/// Predicts `input` with `model` and attributes the prediction, with this node's engine.
	#[method(name = "attribution_preview", blocking)]
	fn preview(&self, model: ModelId, input: Bytes, at: Option<BlockHash>) -> RpcResult<Preview>;
}

/// The `attribution_*` RPC methods.
pub struct Attribution<C> {
	client: Arc<C>,
	engine: Arc<Engine>,
}

impl<C> Attribution<C> {
	/// Serves previews from `engine`.
	pub fn new(client: Arc<C>, engine: Arc<Engine>) -> Self {
		Self { client, engine }
	}
}

/// JSON-RPC error codes of `attribution_preview`.
pub mod code {
	/// No model has this id.
	pub const UNKNOWN_MODEL: i32 = 7001;
	/// The model is not Active.
	pub const MODEL_NOT_ACTIVE: i32 = 7002;
	/// The input does not fit the model's schema.
	pub const BAD_INPUT: i32 = 7003;
	/// The engine or the runtime failed.
	pub const ENGINE: i32 = 7004;
}

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(code, message.into(), None::<()>)
}

fn engine_error(e: EngineError) -> ErrorObjectOwned {
	match e {
		EngineError::MalformedInput(why) => {
			error(code::BAD_INPUT, format!("the input is malformed: {why}"))
		},
		other => error(code::ENGINE, other.to_string()),
	}
}

impl<C> AttributionApiServer<<Block as BlockT>::Hash> for Attribution<C>
where
	C: ProvideRuntimeApi<Block> + HeaderBackend<Block> + Send + Sync + 'static,
	C::Api: ModelsApi<Block, AccountId, Balance>,
	C::Api: DatanetsApi<Block, AccountId, Balance, BlockNumber>,
{
	fn preview(
		&self,
		model: ModelId,
		input: Bytes,
		at: Option<<Block as BlockT>::Hash>,
	) -> RpcResult<Preview> {
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let api = self.client.runtime_api();
		let runtime = |e: sp_api::ApiError| error(code::ENGINE, format!("runtime API: {e}"));
		let info = api
			.model(at, model)
			.map_err(runtime)?
			.ok_or_else(|| error(code::UNKNOWN_MODEL, format!("model {model} does not exist")))?;
		if !matches!(info.status, ModelStatus::Active { .. }) {
			return Err(error(
				code::MODEL_NOT_ACTIVE,
				format!("model {model} is {:?}, not Active", info.status),
			));
		}
		let datanet = api
			.datanet(at, info.datanet)
			.map_err(runtime)?
			.ok_or_else(|| error(code::UNKNOWN_MODEL, "the model's Datanet does not exist"))?;
		let key = DatasetKey { datanet: info.datanet, version: info.version };
		let mut contributors = Vec::new();
		// The records' hashes and contributors, for the answer; and the engine's copy.
		let total = api
			.version(at, info.datanet, info.version)
			.map_err(runtime)?
			.ok_or_else(|| error(code::UNKNOWN_MODEL, "the model's version does not exist"))?
			.count;
		let mut offset = 0;
		let mut records = Vec::new();
		while offset < total {
			let page = api
				.version_records(at, info.datanet, info.version, offset, PAGE)
				.map_err(runtime)?;
			if page.is_empty() {
				return Err(error(
					code::ENGINE,
					format!("record {offset} of the version is missing"),
				));
			}
			for r in page {
				contributors.push((r.record, r.contributor));
				records.push(Record { payload: r.payload.unwrap_or_default(), label: r.label });
			}
			offset = contributors.len() as u32;
		}
		if !self.engine.has_model(model) {
			self.engine.ingest(key, &datanet.schema, total, 0, records).map_err(engine_error)?;
			self.engine.train(model, key, &info.spec).map_err(engine_error)?;
		}
		let prediction = self.engine.infer(model, &input, TOP_K).map_err(engine_error)?;
		let named = |shares: Vec<openledger_influence::Share>| {
			shares
				.into_iter()
				.filter_map(|s| {
					let (hash, contributor) = contributors.get(s.record as usize)?.clone();
					Some(PreviewShare { record: s.record, hash, contributor, share: s.ppb })
				})
				.collect()
		};
		Ok(Preview {
			label: prediction.label,
			probabilities: prediction.probabilities,
			proponents: named(prediction.proponents),
			opponents: named(prediction.opponents),
		})
	}
}
