//! `attribution_preview(model, input, at?)`: what the attestors would answer for an inference,
//! from this node's own engine, without a transaction or a fee.
//!
//! The model's spec is read through the runtime APIs at `at` (the best block by default). If the
//! engine does not hold the model yet, its Datanet version's records are ingested page by page
//! and the model is trained (or restored from disk), exactly as the off-chain worker does;
//! later previews reuse it. The answer names each proponent's and opponent's record position,
//! hash and contributor (read back one by one), so a wallet can show who would be paid.
//!
//! The method is **unsafe**: it can make the node train a model, which costs up to the
//! engine's budget (`--attribution-memory-mib`, `--attribution-gflop`) in memory and time. It
//! is served only with `--rpc-methods unsafe`, or with the default `auto` on an interface that
//! is not public; on a public port it answers "RPC call is unsafe to be called externally".
//! It shares the engine with the off-chain worker but never restarts a version the worker is
//! ingesting, and the engine never trains two copies of one model at once.

use std::sync::Arc;

use jsonrpsee::{
	core::RpcResult,
	proc_macros::rpc,
	types::{error::ErrorObject, ErrorObjectOwned},
	Extensions,
};
use openledger_influence::{Answer, Engine, EngineError, Record};
use openledger_primitives::{
	apis::{DatanetsApi, ModelsApi},
	attribution::{Generation, Span},
	datanets::DatanetId,
	models::{ModelId, ModelStatus, Source},
	payloads::{training_set, PayloadStore},
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
	/// Its position in the model's sources' records, as shares name it (on one source, its
	/// position in the Datanet's log).
	pub record: u32,
	/// The Datanet it is in.
	pub datanet: DatanetId,
	/// Its position in that Datanet's log.
	pub index: u32,
	/// Its hash.
	pub hash: H256,
	/// Who contributed it.
	pub contributor: AccountId,
	/// Its share, in parts per billion (a set sums to 10^9).
	pub share: u32,
}

/// A next token of an ∞-gram's first step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewToken {
	/// The token's text.
	pub token: String,
	/// Its probability, in parts per billion.
	pub probability: u32,
}

/// A stretch of the continuation found verbatim in the records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewSpan {
	/// Its first byte in the continuation.
	pub start: u32,
	/// The byte after its last.
	pub end: u32,
	/// Its occurrences in the records.
	pub occurrences: u32,
	/// Records that hold it, by position.
	pub records: Vec<u32>,
}

/// An ∞-gram's continuation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewGeneration {
	/// The generated text.
	pub text: String,
	/// Its tokens.
	pub tokens: u32,
	/// The first step's most probable next tokens.
	pub first: Vec<PreviewToken>,
	/// Its verbatim spans.
	pub spans: Vec<PreviewSpan>,
}

impl From<Generation> for PreviewGeneration {
	/// The chain's generation as JSON, with its texts as strings.
	fn from(g: Generation) -> Self {
		let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
		PreviewGeneration {
			text: text(&g.text),
			tokens: g.tokens,
			first: g
				.first
				.into_iter()
				.map(|t| PreviewToken {
					token: text(&t.token),
					probability: t.probability.deconstruct(),
				})
				.collect(),
			spans: g.spans.into_iter().map(PreviewSpan::from).collect(),
		}
	}
}

impl From<Span> for PreviewSpan {
	fn from(s: Span) -> Self {
		PreviewSpan {
			start: s.start,
			end: s.end,
			occurrences: s.occurrences,
			records: s.records.into_inner(),
		}
	}
}

/// An external model's output traced to the records.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreviewTrace {
	/// The output's tokens.
	pub tokens: u32,
	/// Its verbatim spans of at least the model's minimum length (byte ranges of the output).
	pub spans: Vec<PreviewSpan>,
}

/// What the model answers: a classifier's label, an ∞-gram model's continuation, or an external
/// model's trace. As JSON, `{ "class": { "label", "probabilities" } }`,
/// `{ "continuation": { "text", … } }` or `{ "trace": { "tokens", "spans" } }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PreviewAnswer {
	/// A classifier's answer.
	Class {
		/// The predicted class.
		label: u16,
		/// Each class's probability, in parts per billion.
		probabilities: Vec<u32>,
	},
	/// An ∞-gram model's continuation, with its first step's candidates and its spans.
	Continuation(PreviewGeneration),
	/// An external model's output (the input) traced to the records.
	Trace(PreviewTrace),
}

/// What the engine answers, and the records behind it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Preview {
	/// The answer.
	pub answer: PreviewAnswer,
	/// The records that supported it most: for a continuation, the records its tokens came
	/// from.
	pub proponents: Vec<PreviewShare>,
	/// The records that opposed it most (none for a continuation).
	pub opponents: Vec<PreviewShare>,
}

#[rpc(server)]
pub trait AttributionApi<BlockHash> {
	/// Predicts `input` with `model` and attributes the prediction, with this node's engine.
	#[method(name = "attribution_preview", blocking, with_extensions)]
	fn preview(&self, model: ModelId, input: Bytes, at: Option<BlockHash>) -> RpcResult<Preview>;
}

/// The `attribution_*` RPC methods.
pub struct Attribution<C> {
	client: Arc<C>,
	engine: Arc<Engine>,
	payloads: Arc<dyn PayloadStore>,
}

impl<C> Attribution<C> {
	/// Serves previews from `engine`, which trains on the payloads of `payloads`.
	pub fn new(client: Arc<C>, engine: Arc<Engine>, payloads: Arc<dyn PayloadStore>) -> Self {
		Self { client, engine, payloads }
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

pub(super) fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
	ErrorObject::owned(code, message.into(), None::<()>)
}

pub(super) fn runtime_error(e: sp_api::ApiError) -> ErrorObjectOwned {
	error(code::ENGINE, format!("runtime API: {e}"))
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
		ext: &Extensions,
		model: ModelId,
		input: Bytes,
		at: Option<<Block as BlockT>::Hash>,
	) -> RpcResult<Preview> {
		sc_rpc_api::check_if_safe(ext)?;
		let at = at.unwrap_or_else(|| self.client.info().best_hash);
		let api = self.client.runtime_api();
		let info = active_model(&api, at, model)?;
		if !self.engine.has_model(model) {
			train(&self.engine, &*self.payloads, &api, at, model, &info)?;
		}
		let prediction = self.engine.infer(model, &input, TOP_K).map_err(engine_error)?;
		// Only the named records are read back, for their hashes and contributors.
		let named =
			|shares: Vec<openledger_influence::RecordShare>| -> RpcResult<Vec<PreviewShare>> {
				let mut out = Vec::with_capacity(shares.len());
				for s in shares {
					let gone = || {
						error(
							code::ENGINE,
							format!("record {} of the sources is missing", s.record),
						)
					};
					let (datanet, version, index) = info.locate(s.record).ok_or_else(gone)?;
					let page = api
						.version_records(at, datanet, version, index, 1)
						.map_err(runtime_error)?;
					let r = page.into_iter().next().ok_or_else(gone)?;
					out.push(PreviewShare {
						record: s.record,
						datanet,
						index,
						hash: r.record,
						contributor: r.contributor,
						share: s.share.deconstruct(),
					});
				}
				Ok(out)
			};
		let answer = match prediction.answer {
			Answer::Class { label, probabilities } => PreviewAnswer::Class { label, probabilities },
			Answer::Continuation { generated, .. } => {
				PreviewAnswer::Continuation(PreviewGeneration::from(generated.generation))
			},
			Answer::Trace(traced) => PreviewAnswer::Trace(PreviewTrace {
				tokens: traced.tokens,
				spans: traced.spans.into_iter().map(PreviewSpan::from).collect(),
			}),
		};
		Ok(Preview {
			answer,
			proponents: named(prediction.proponents)?,
			opponents: named(prediction.opponents)?,
		})
	}
}

/// Model `model`, if it exists and is Active (7001 or 7002 otherwise).
pub(super) fn active_model<A>(
	api: &sp_api::ApiRef<'_, A>,
	at: <Block as BlockT>::Hash,
	model: ModelId,
) -> RpcResult<openledger_primitives::models::Model<AccountId, Balance>>
where
	A: ModelsApi<Block, AccountId, Balance>,
{
	let info = api
		.model(at, model)
		.map_err(runtime_error)?
		.ok_or_else(|| error(code::UNKNOWN_MODEL, format!("model {model} does not exist")))?;
	if !matches!(info.status, ModelStatus::Active { .. }) {
		return Err(error(
			code::MODEL_NOT_ACTIVE,
			format!("model {model} is {:?}, not Active", info.status),
		));
	}
	Ok(info)
}

/// Reads the model's sources page by page into `engine`, and trains the model (or restores it
/// from disk), as the off-chain worker does.
pub(super) fn train<A>(
	engine: &Engine,
	payloads: &dyn PayloadStore,
	api: &sp_api::ApiRef<'_, A>,
	at: <Block as BlockT>::Hash,
	model: ModelId,
	info: &openledger_primitives::models::Model<AccountId, Balance>,
) -> RpcResult<()>
where
	A: DatanetsApi<Block, AccountId, Balance, BlockNumber>,
{
	for source in &info.sources {
		ingest(engine, payloads, api, at, source)?;
	}
	engine.train_on(model, &info.sources, &info.spec).map_err(engine_error)?;
	Ok(())
}

/// Makes sure `engine` holds `source`'s version whole, read page by page as it was published.
fn ingest<A>(
	engine: &Engine,
	payloads: &dyn PayloadStore,
	api: &sp_api::ApiRef<'_, A>,
	at: <Block as BlockT>::Hash,
	source: &Source,
) -> RpcResult<()>
where
	A: DatanetsApi<Block, AccountId, Balance, BlockNumber>,
{
	let missing = || error(code::UNKNOWN_MODEL, "the model's Datanet version does not exist");
	let (datanet, number) = (source.datanet, source.version);
	let schema = api.datanet(at, datanet).map_err(runtime_error)?.ok_or_else(missing)?.schema;
	// (`version` alone is also `Core`'s.)
	let version =
		DatanetsApi::<Block, AccountId, Balance, BlockNumber>::version(&**api, at, datanet, number)
			.map_err(runtime_error)?
			.ok_or_else(missing)?;
	let (total, published) = (version.count, version.block);
	let key = source.dataset();
	match engine.progress(key) {
		// Ingested already (by the worker or an earlier preview).
		Some((received, all)) if received == all && all == total => return Ok(()),
		// The worker is part-way through it: starting afresh would throw its chunks away.
		Some((received, all)) if received < all => {
			return Err(error(
				code::ENGINE,
				format!(
					"version {number} of Datanet {datanet} is being ingested ({received} of \
					 {all}): try again"
				),
			));
		},
		_ => {},
	}
	let mut records = Vec::with_capacity(total as usize);
	while (records.len() as u32) < total {
		let offset = records.len() as u32;
		let page = api.version_records(at, datanet, number, offset, PAGE).map_err(runtime_error)?;
		if page.is_empty() {
			return Err(error(
				code::ENGINE,
				format!("record {offset} of Datanet {datanet} version {number} is missing"),
			));
		}
		// The version's training set as published, as the worker builds it: a record
		// removed before publication has no payload; one removed after is needed; every
		// payload read from the transaction index hashes to its record.
		let set = training_set(page, published, |c| payloads.fetch(c)).map_err(|missing| {
			error(code::ENGINE, format!("{missing}, and this node holds no copy of the version"))
		})?;
		records.extend(set.into_iter().map(|(payload, label)| Record { payload, label }));
	}
	engine.ingest(key, &schema, total, 0, records).map_err(engine_error)?;
	Ok(())
}
