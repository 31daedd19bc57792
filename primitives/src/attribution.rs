//! The boundary between the runtime's off-chain worker and the native influence engine.
//!
//! - The SCALE types of requests and results.
//! - [`AttributionEngine`] (std): what an engine offers. The node implements it with
//!   `openledger-influence`.
//! - [`AttributionExt`] (std): the externalities extension that carries an engine. The node
//!   registers it for off-chain workers only.
//! - [`engine`]: the runtime interface. Its host functions reach the engine through the
//!   extension. Without the extension (a node that is not an attestor, or any block import) they
//!   return [`AttributionError::Unavailable`]; they never panic.
//!
//! Records travel in chunks ([`IngestChunk`]) so that no single call copies a whole Datanet
//! version through the wasm heap.

use alloc::vec::Vec;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{ConstU32, H256};
use sp_runtime::{BoundedVec, Perbill};

use crate::{
	datanets::{ClassLabel, DatanetId, Schema, VersionIndex},
	models::{ModelId, ModelSpec, ModelSpecV1, Source},
};

/// Identifies a job of the attestors.
pub type JobId = u64;

/// Identifies a paid inference.
pub type InferenceId = u64;

/// The numeric version of the influence engine this release is built with, and the version a
/// new chain's genesis requires of its attestors (`attribution.ConsensusParams.engine_version`,
/// a governed value afterwards).
///
/// It goes up by one with every change that alters any result the engine reports for the same
/// records and spec: a weights hash, a probability, a share, an accuracy, a self-influence or a
/// quality flag. The engine's `tests/golden.rs` holds the digest of each version on digits and
/// on text, and fails when the digest changes while the version does not.
///
/// - 1: products by gemm (FMA or not by CPU), Fisher–Yates epochs, Unicode-table lowercasing.
/// - 2: the always-fused deterministic kernel, epochs ordered by record hash, ASCII word rule.
/// - 3: a training reports quality flags (the most suspect records, near-duplicates).
/// - 4: ∞-gram language models (`Architecture::InfiniGram`): index hashes, continuations,
///   their shares and spans.
/// - 5: an ∞-gram step credits each record that holds it once, however often it repeats it.
/// - 6: external models (`Architecture::External`): an output traced to the records that hold
///   its maximal spans, rarer spans weighing more.
/// - 7: attribution by replay (`AttributionMethod::Replay`): a classifier's shares from the
///   exact metagradient through its training. Models attributed by the influence function
///   give the same results as in 6.
pub const ENGINE_VERSION: u32 = 7;

/// One billion: the sum of a full set of shares in parts per billion.
pub const BILLION: u64 = 1_000_000_000;

/// Shares of 10^9 proportional to `weights` by largest remainder (Hamilton): each share is first
/// `floor(10^9 · w_i / Σw)`, and the units left over go, one each, to the largest remainders,
/// ties to the lower index. All-zero weights give equal shares; an empty input gives an empty
/// output. Exact integer arithmetic, so every machine agrees.
pub fn largest_remainder(weights: &[u64]) -> Vec<u64> {
	if weights.is_empty() {
		return Vec::new();
	}
	let all_zero = weights.iter().all(|w| *w == 0);
	let weights: Vec<u128> =
		weights.iter().map(|w| if all_zero { 1 } else { u128::from(*w) }).collect();
	let total: u128 = weights.iter().sum();
	let billion = u128::from(BILLION);
	let mut shares: Vec<u64> = Vec::with_capacity(weights.len());
	let mut remainders: Vec<(u128, usize)> = Vec::with_capacity(weights.len());
	for (i, w) in weights.iter().enumerate() {
		let exact = w * billion;
		shares.push((exact / total) as u64);
		remainders.push((exact % total, i));
	}
	let assigned: u64 = shares.iter().sum();
	let left = BILLION.saturating_sub(assigned) as usize;
	// Largest remainder first; equal remainders by lower index.
	remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
	for (_, i) in remainders.into_iter().take(left) {
		shares[i] += 1;
	}
	shares
}

/// What a paid inference answered, as the chain keeps it: a classifier's label, or an ∞-gram
/// model's continuation.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Answer {
	/// A classifier's answer.
	Class {
		/// The agreed label.
		label: ClassLabel,
		/// Its probability.
		confidence: Perbill,
	},
	/// An ∞-gram model's continuation of the prompt. Its text, candidates and spans are kept
	/// beside it until the retention period ends (`attribution.generations`; the runtime API's
	/// `generation`).
	Continuation {
		/// The first generated token's probability.
		confidence: Perbill,
	},
	/// An external model's output, traced to the records: its spans are kept beside it until
	/// the retention period ends (`attribution.traces`; the runtime API's `trace`).
	Trace {
		/// The output's tokens.
		tokens: u32,
		/// Its verbatim spans of at least the model's minimum length (none: the contributors'
		/// part of the fee went to the treasury).
		spans: u32,
	},
}

impl Answer {
	/// The label, for a classifier's answer.
	pub fn label(&self) -> Option<ClassLabel> {
		match self {
			Answer::Class { label, .. } => Some(*label),
			Answer::Continuation { .. } | Answer::Trace { .. } => None,
		}
	}

	/// The answer that storage kept before answers had a kind of their own: a label and its
	/// probability, with label 0 and the first token's probability for a continuation. Only its
	/// model tells which it was (`generates`: an ∞-gram model's).
	pub fn from_label(generates: bool, label: ClassLabel, confidence: Perbill) -> Self {
		if generates {
			Answer::Continuation { confidence }
		} else {
			Answer::Class { label, confidence }
		}
	}
}

/// The agreed result of an inference: the outcome that won the attestors' vote.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct InferenceResult {
	/// What it answered.
	pub answer: Answer,
	/// The top records' shares, summing to exactly one (empty when no record got a share).
	pub shares: Vec<RecordShare>,
}

/// A published version of a Datanet.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Hash,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct DatasetRef {
	/// The Datanet.
	pub datanet: DatanetId,
	/// The version.
	pub version: VersionIndex,
}

/// Records `offset..offset + records.len()` of a version that holds `total`.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct IngestChunk {
	/// The version.
	pub dataset: DatasetRef,
	/// Its Datanet's schema.
	pub schema: Schema,
	/// The records in the version.
	pub total: u32,
	/// The position of the first record of the chunk in the version.
	pub offset: u32,
	/// Payloads and labels, in version order.
	pub records: Vec<(Vec<u8>, ClassLabel)>,
}

/// Train `model` by `spec` on its `sources`, each version ingested whole before.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct TrainRequest {
	/// The model.
	pub model: ModelId,
	/// The versions it trains on, in order, with their record counts and weights.
	pub sources: Vec<Source>,
	/// How.
	pub spec: ModelSpec,
}

/// A [`TrainRequest`] as runtimes built before models chose their attribution method send it
/// (version 2 of `engine::train`): the spec without its method, attributed by the influence
/// function.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct TrainRequestV2 {
	/// The model.
	pub model: ModelId,
	/// The versions it trains on.
	pub sources: Vec<Source>,
	/// How, before methods.
	pub spec: ModelSpecV1,
}

impl TrainRequestV2 {
	/// The request of today.
	pub fn upgrade(self) -> TrainRequest {
		TrainRequest { model: self.model, sources: self.sources, spec: self.spec.upgrade() }
	}
}

/// A [`TrainRequest`] as runtimes built before models had several sources send it (version 1
/// of `engine::train`): one version, of weight 1.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct TrainRequestV1 {
	/// The model.
	pub model: ModelId,
	/// The version it trains on.
	pub dataset: DatasetRef,
	/// How, before methods.
	pub spec: ModelSpecV1,
}

impl TrainRequestV1 {
	/// The request of today: the version as the one source, of weight 1, with `records` (the
	/// version's count, as the engine received it).
	pub fn upgrade(self, records: u32) -> TrainRequest {
		let TrainRequestV1 { model, dataset, spec } = self;
		let source =
			Source { datanet: dataset.datanet, version: dataset.version, records, weight: 1 };
		TrainRequestV2 { model, sources: alloc::vec![source], spec }.upgrade()
	}
}

/// The most suspect records a training outcome names.
pub const MAX_SUSPECTS: u32 = 16;
/// The most near-duplicates a training outcome names.
pub const MAX_DUPLICATES: u32 = 32;

/// The attestors' consensus on a model's training, as stored and as the runtime API returns
/// it.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TrainingRecord {
	/// The engine version of the winning outcome.
	pub engine_version: u32,
	/// Its held-out accuracy.
	pub accuracy: Perbill,
	/// Its weights hash.
	pub weights_hash: H256,
	/// Reveals of the winning outcome.
	pub agreement: u32,
	/// Reveals counted.
	pub submissions: u32,
	/// The records the winning outcome flagged for curators: the most suspect by
	/// self-influence, and near-duplicates.
	pub flags: QualityFlags,
}

/// The records of a Datanet version that a curator should look at first, as a training found
/// them. Part of the outcome the attestors vote on, so the chain stores only flags that a
/// majority computed alike.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct QualityFlags {
	/// The training records of highest self-influence, most suspect first, by position in the
	/// version: the records the model fits only by memorising them, mislabelled ones among
	/// them.
	pub suspects: BoundedVec<u32, ConstU32<MAX_SUSPECTS>>,
	/// Near-duplicates, `(record, earlier)` by position: `record` differs from the earlier
	/// record of the version only by a little (the measure depends on the schema; see the
	/// engine's `quality` module). In order of `record`.
	pub duplicates: BoundedVec<(u32, u32), ConstU32<MAX_DUPLICATES>>,
}

impl QualityFlags {
	/// Flags of the largest encoding, for benchmarks and tests: [`MAX_SUSPECTS`] suspects and
	/// [`MAX_DUPLICATES`] duplicates.
	pub fn largest() -> Self {
		Self {
			suspects: BoundedVec::truncate_from((0..MAX_SUSPECTS).collect()),
			duplicates: BoundedVec::truncate_from((1..=MAX_DUPLICATES).map(|i| (i, 0)).collect()),
		}
	}
}

/// What an attestor reports of a training.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct TrainOutcome {
	/// The numeric version of the engine that trained: outcomes are compared only with
	/// outcomes of the same version.
	pub engine_version: u32,
	/// Accuracy on the version's held-out records.
	pub accuracy: Perbill,
	/// blake3 of the trained weights.
	pub weights_hash: H256,
	/// Records trained on.
	pub records: u32,
	/// Records held out.
	pub held_out: u32,
	/// The records a curator should look at.
	pub flags: QualityFlags,
}

/// Predict `input` with `model`, and attribute the prediction to at most `top_k` records.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct InferRequest {
	/// The model.
	pub model: ModelId,
	/// The input, in the model's Datanet schema.
	pub input: Vec<u8>,
	/// The most records to name.
	pub top_k: u32,
}

/// Predict each of `inputs` with `model`, and attribute each prediction to at most `top_k`
/// records: [`InferRequest`] for many inputs in one engine call.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct InferBatchRequest {
	/// The model.
	pub model: ModelId,
	/// The inputs, each in the model's Datanet schema.
	pub inputs: Vec<Vec<u8>>,
	/// The most records to name per input.
	pub top_k: u32,
}

/// A record's part of a prediction.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct RecordShare {
	/// The record's position in the version.
	pub record: u32,
	/// Its share; a set of shares sums to exactly one.
	pub share: Perbill,
}

/// The most bytes of text an ∞-gram inference generates (a Text record's length on the chain).
pub const MAX_GENERATED_BYTES: u32 = 2048;
/// The most next-token candidates an ∞-gram generation reports of its first step.
pub const MAX_CANDIDATES: u32 = 8;
/// The most bytes of a candidate token that are reported (longer tokens are cut at a
/// character boundary).
pub const MAX_CANDIDATE_BYTES: u32 = 32;
/// The most verbatim spans a generation reports.
pub const MAX_SPANS: u32 = 16;
/// The most records named for one span.
pub const MAX_SPAN_RECORDS: u32 = 4;

/// A next token the ∞-gram considered at the first step, with its probability.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct NextToken {
	/// The token's text (UTF-8), cut to [`MAX_CANDIDATE_BYTES`].
	pub token: BoundedVec<u8, ConstU32<MAX_CANDIDATE_BYTES>>,
	/// Its probability after the matched context: its count over all next tokens' counts.
	pub probability: Perbill,
}

/// A stretch of generated text that occurs verbatim in the Datanet version: a maximal match,
/// not contained in a longer one.
#[derive(
	Clone, Debug, PartialEq, Eq, Encode, Decode, DecodeWithMemTracking, MaxEncodedLen, TypeInfo,
)]
pub struct Span {
	/// Its first byte in the generated text.
	pub start: u32,
	/// The byte after its last.
	pub end: u32,
	/// How often it occurs in the version.
	pub occurrences: u32,
	/// Records that contain it, by position, lowest first (at most [`MAX_SPAN_RECORDS`]).
	pub records: BoundedVec<u32, ConstU32<MAX_SPAN_RECORDS>>,
}

/// What an ∞-gram model generated for a prompt.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Generation {
	/// The continuation (UTF-8), without the prompt.
	pub text: BoundedVec<u8, ConstU32<MAX_GENERATED_BYTES>>,
	/// Its tokens.
	pub tokens: u32,
	/// The first step's most probable next tokens, most probable first (ties by token order).
	pub first: BoundedVec<NextToken, ConstU32<MAX_CANDIDATES>>,
	/// The verbatim spans of the continuation, in order.
	pub spans: BoundedVec<Span, ConstU32<MAX_SPANS>>,
}

/// An external model's output traced to a Datanet version's records: its maximal verbatim
/// spans of at least the model's minimum length, OLMoTrace-style. The output itself is the
/// inference's input.
#[derive(
	Clone,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Trace {
	/// The output's tokens.
	pub tokens: u32,
	/// Its spans (byte ranges of the output), the longest [`MAX_SPANS`], in order.
	pub spans: BoundedVec<Span, ConstU32<MAX_SPANS>>,
}

/// What an engine answers to an inference: a classifier's label, or an ∞-gram model's
/// continuation.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Inferred {
	/// A classifier's answer.
	Class {
		/// The predicted class.
		label: ClassLabel,
		/// Its probability.
		confidence: Perbill,
	},
	/// An ∞-gram model's answer.
	Continuation {
		/// The first generated token's probability.
		confidence: Perbill,
		/// The continuation, its first step's candidates and its verbatim spans.
		generation: Generation,
	},
	/// An external model's output, traced.
	Trace(Trace),
}

/// What an attestor reports of an inference (version 2 of the host function `engine::infer`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct InferOutcome {
	/// The numeric version of the engine that answered.
	pub engine_version: u32,
	/// The answer.
	pub answer: Inferred,
	/// The records that supported it most, strongest first, as shares summing to one: for a
	/// continuation, the records its tokens came from.
	pub proponents: Vec<RecordShare>,
	/// The records that opposed it most, strongest first, as shares summing to one (none for a
	/// continuation).
	pub opponents: Vec<RecordShare>,
}

/// [`InferOutcome`] as version 1 of the host function `engine::infer` returns it, to runtimes
/// built before an answer had a kind of its own: a continuation there is label 0 with its first
/// token's probability, and the generation beside it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct InferOutcomeV1 {
	/// The numeric version of the engine that answered.
	pub engine_version: u32,
	/// The predicted class (0 for a continuation).
	pub label: ClassLabel,
	/// Its probability, or the first generated token's.
	pub confidence: Perbill,
	/// The records that supported it most.
	pub proponents: Vec<RecordShare>,
	/// The records that opposed it most.
	pub opponents: Vec<RecordShare>,
	/// For an ∞-gram model: the continuation.
	pub generation: Option<Generation>,
}

impl From<InferOutcome> for InferOutcomeV1 {
	fn from(o: InferOutcome) -> Self {
		let (label, confidence, generation) = match o.answer {
			Inferred::Class { label, confidence } => (label, confidence, None),
			Inferred::Continuation { confidence, generation } => (0, confidence, Some(generation)),
			// Runtimes of version 1 have no external models: this never reaches one.
			Inferred::Trace(_) => (0, Perbill::zero(), None),
		};
		InferOutcomeV1 {
			engine_version: o.engine_version,
			label,
			confidence,
			proponents: o.proponents,
			opponents: o.opponents,
			generation,
		}
	}
}

/// Why the engine could not answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum AttributionError {
	/// No engine on this node, or not in this context (only off-chain workers have one).
	Unavailable,
	/// The engine has not trained this model.
	UnknownModel,
	/// No records of this version were ingested.
	UnknownDataset,
	/// Not all records of the version were ingested.
	IncompleteDataset {
		/// Received.
		received: u32,
		/// In the version.
		total: u32,
	},
	/// A chunk does not continue the records received.
	ChunkOutOfOrder {
		/// Where the next chunk must start.
		expected: u32,
	},
	/// More records than the version holds.
	TooManyRecords,
	/// A record does not fit the schema.
	MalformedRecord {
		/// Its position in the version.
		index: u32,
	},
	/// The input does not fit the model's schema.
	MalformedInput,
	/// The spec does not fit the schema or the engine's bounds.
	SpecOutOfBounds,
	/// Every record is held out, or the version is empty.
	EmptyTrainingSet,
	/// All training records have one label.
	SingleClass,
	/// The curvature could not be factorised.
	NumericalFailure,
	/// Saving or loading a model failed.
	Storage,
	/// The model's estimated cost is above this node's engine budget.
	OverBudget,
	/// The engine is training this model already (one copy at a time).
	Busy,
}

/// Where the node keeps its off-chain worker's time budget per block
/// (`--attribution-worker-ms`), in milliseconds, SCALE-encoded as a `u64`, in offchain
/// persistent storage.
pub const WORKER_BUDGET_KEY: &[u8] = b"openledger/attribution/worker-ms";

/// Where the node counts its starts, SCALE-encoded as a `u64`, in offchain persistent storage.
/// The worker's records of what it sent (claims, nonces) name the start they were made in: the
/// transaction pool does not survive a restart, so those of an earlier start lapse at once.
pub const WORKER_BOOT_KEY: &[u8] = b"openledger/attribution/boot";

/// The worker's time budget per block when the node has set none: half a 6-second slot, so
/// that block authoring and import keep the other half of a node's time.
pub const DEFAULT_WORKER_BUDGET_MS: u64 = 3_000;

/// An influence engine, as the off-chain worker sees it.
#[cfg(feature = "std")]
pub trait AttributionEngine: Send + Sync {
	/// Receives a chunk of a version; returns the records received so far.
	fn ingest(&self, chunk: IngestChunk) -> Result<u32, AttributionError>;

	/// Records received of a version, and its total.
	fn progress(&self, dataset: DatasetRef) -> Option<(u32, u32)>;

	/// Trains a model (or returns the outcome of the same training done before).
	fn train(&self, request: TrainRequest) -> Result<TrainOutcome, AttributionError>;

	/// Whether a model is trained and ready to infer.
	fn has_model(&self, model: ModelId) -> bool;

	/// Predicts and attributes.
	fn infer(&self, request: InferRequest) -> Result<InferOutcome, AttributionError>;

	/// Predicts and attributes each input of `request` in one call, each answer exactly what
	/// [`AttributionEngine::infer`] would give for it alone. By default, one `infer` each.
	fn infer_batch(
		&self,
		request: InferBatchRequest,
	) -> Vec<Result<InferOutcome, AttributionError>> {
		let InferBatchRequest { model, inputs, top_k } = request;
		inputs.into_iter().map(|input| self.infer(InferRequest { model, input, top_k })).collect()
	}
}

#[cfg(feature = "std")]
sp_externalities::decl_extension! {
	/// The influence engine, registered by the node for off-chain workers.
	pub struct AttributionExt(std::sync::Arc<dyn AttributionEngine>);
}

/// The host functions of the influence engine.
#[sp_runtime_interface::runtime_interface]
pub trait Engine {
	/// See [`AttributionEngine::ingest`].
	fn ingest(
		&mut self,
		chunk: sp_runtime_interface::pass_by::PassFatPointerAndDecode<IngestChunk>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<Result<u32, AttributionError>> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<AttributionExt>() {
			Some(ext) => ext.0.ingest(chunk),
			None => Err(AttributionError::Unavailable),
		}
	}

	/// See [`AttributionEngine::progress`]; `None` without an engine too.
	fn progress(
		&mut self,
		dataset: sp_runtime_interface::pass_by::PassFatPointerAndDecode<DatasetRef>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<Option<(u32, u32)>> {
		use sp_externalities::ExternalitiesExt;
		self.extension::<AttributionExt>().and_then(|ext| ext.0.progress(dataset))
	}

	/// See [`AttributionEngine::train`], for runtimes that name one version: it trains on the
	/// whole version as the engine received it, with weight 1.
	fn train(
		&mut self,
		request: sp_runtime_interface::pass_by::PassFatPointerAndDecode<TrainRequestV1>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<
		Result<TrainOutcome, AttributionError>,
	> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<AttributionExt>() {
			Some(ext) => {
				let records = ext.0.progress(request.dataset).map_or(0, |(_, total)| total);
				ext.0.train(request.upgrade(records))
			},
			None => Err(AttributionError::Unavailable),
		}
	}

	/// See [`AttributionEngine::train`], for runtimes whose specs name no attribution method:
	/// the influence function.
	#[version(2)]
	fn train(
		&mut self,
		request: sp_runtime_interface::pass_by::PassFatPointerAndDecode<TrainRequestV2>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<
		Result<TrainOutcome, AttributionError>,
	> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<AttributionExt>() {
			Some(ext) => ext.0.train(request.upgrade()),
			None => Err(AttributionError::Unavailable),
		}
	}

	/// See [`AttributionEngine::train`].
	#[version(3)]
	fn train(
		&mut self,
		request: sp_runtime_interface::pass_by::PassFatPointerAndDecode<TrainRequest>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<
		Result<TrainOutcome, AttributionError>,
	> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<AttributionExt>() {
			Some(ext) => ext.0.train(request),
			None => Err(AttributionError::Unavailable),
		}
	}

	/// See [`AttributionEngine::has_model`]; `false` without an engine.
	fn has_model(&mut self, model: u32) -> bool {
		use sp_externalities::ExternalitiesExt;
		self.extension::<AttributionExt>().is_some_and(|ext| ext.0.has_model(model))
	}

	/// See [`AttributionEngine::infer`]: the answer as runtimes built before it had a kind of
	/// its own read it ([`InferOutcomeV1`]). The node keeps it for them.
	fn infer(
		&mut self,
		request: sp_runtime_interface::pass_by::PassFatPointerAndDecode<InferRequest>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<
		Result<InferOutcomeV1, AttributionError>,
	> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<AttributionExt>() {
			Some(ext) => ext.0.infer(request).map(Into::into),
			None => Err(AttributionError::Unavailable),
		}
	}

	/// See [`AttributionEngine::infer`].
	#[version(2)]
	fn infer(
		&mut self,
		request: sp_runtime_interface::pass_by::PassFatPointerAndDecode<InferRequest>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<
		Result<InferOutcome, AttributionError>,
	> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<AttributionExt>() {
			Some(ext) => ext.0.infer(request),
			None => Err(AttributionError::Unavailable),
		}
	}

	/// See [`AttributionEngine::infer_batch`]; every input fails with `Unavailable` without an
	/// engine.
	fn infer_batch(
		&mut self,
		request: sp_runtime_interface::pass_by::PassFatPointerAndDecode<InferBatchRequest>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<
		Vec<Result<InferOutcome, AttributionError>>,
	> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<AttributionExt>() {
			Some(ext) => ext.0.infer_batch(request),
			None => request.inputs.iter().map(|_| Err(AttributionError::Unavailable)).collect(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::models::AttributionMethod;
	use sp_externalities::Extensions;
	use std::sync::{Arc, Mutex};

	/// Records what reaches it and answers from fixed values.
	#[derive(Default)]
	struct Recorder(Mutex<Vec<IngestChunk>>);

	impl AttributionEngine for Recorder {
		fn ingest(&self, chunk: IngestChunk) -> Result<u32, AttributionError> {
			let mut chunks = self.0.lock().unwrap();
			if chunk.offset != chunks.iter().map(|c| c.records.len() as u32).sum::<u32>() {
				return Err(AttributionError::ChunkOutOfOrder { expected: 0 });
			}
			chunks.push(chunk);
			Ok(chunks.iter().map(|c| c.records.len() as u32).sum())
		}
		fn progress(&self, _: DatasetRef) -> Option<(u32, u32)> {
			let chunks = self.0.lock().unwrap();
			chunks.last().map(|c| (c.offset + c.records.len() as u32, c.total))
		}
		fn train(&self, request: TrainRequest) -> Result<TrainOutcome, AttributionError> {
			if request.sources != [SOURCE] {
				return Err(AttributionError::UnknownDataset);
			}
			Ok(TrainOutcome {
				engine_version: 1,
				accuracy: Perbill::from_percent(90),
				weights_hash: H256::repeat_byte(request.model as u8),
				records: 9,
				held_out: 1,
				flags: QualityFlags::default(),
			})
		}
		fn has_model(&self, model: ModelId) -> bool {
			model == 4
		}
		fn infer(&self, request: InferRequest) -> Result<InferOutcome, AttributionError> {
			if request.input.is_empty() {
				return Err(AttributionError::MalformedInput);
			}
			Ok(InferOutcome {
				engine_version: 1,
				answer: Inferred::Class { label: 1, confidence: Perbill::from_percent(70) },
				proponents: vec![RecordShare { record: 3, share: Perbill::one() }],
				opponents: Vec::new(),
			})
		}
	}

	fn spec() -> ModelSpec {
		ModelSpec {
			featurizer: crate::models::Featurizer::Raw,
			architecture: crate::models::Architecture::SoftmaxRegression,
			epochs: 1,
			learning_rate: Perbill::from_percent(10),
			batch_size: 1,
			l2: Perbill::zero(),
			seed: 0,
			method: AttributionMethod::Influence,
		}
	}

	const DATASET: DatasetRef = DatasetRef { datanet: 1, version: 0 };
	const SOURCE: Source = Source { datanet: 1, version: 0, records: 3, weight: 1 };

	fn chunk(offset: u32, records: Vec<(Vec<u8>, ClassLabel)>) -> IngestChunk {
		IngestChunk {
			dataset: DATASET,
			schema: Schema::Dense { dims: 1, classes: 2, max_value: 9 },
			total: 3,
			offset,
			records,
		}
	}

	#[test]
	fn without_an_engine_every_call_is_unavailable() {
		sp_io::TestExternalities::default().execute_with(|| {
			assert_eq!(engine::ingest(chunk(0, vec![])), Err(AttributionError::Unavailable));
			assert_eq!(engine::progress(DATASET), None);
			let request = TrainRequest { model: 4, sources: vec![SOURCE], spec: spec() };
			assert_eq!(engine::train(request), Err(AttributionError::Unavailable));
			assert!(!engine::has_model(4));
			let request = InferRequest { model: 4, input: vec![1], top_k: 3 };
			assert_eq!(engine::infer(request), Err(AttributionError::Unavailable));
		});
	}

	#[test]
	fn host_functions_reach_the_registered_engine() {
		let recorder = Arc::new(Recorder::default());
		let mut extensions = Extensions::new();
		extensions.register(AttributionExt(recorder.clone()));
		let mut ext = sp_io::TestExternalities::default();
		ext.extensions = extensions;
		ext.execute_with(|| {
			assert_eq!(engine::ingest(chunk(0, vec![(vec![1], 0), (vec![2], 1)])), Ok(2));
			assert_eq!(
				engine::ingest(chunk(5, vec![(vec![3], 1)])),
				Err(AttributionError::ChunkOutOfOrder { expected: 0 })
			);
			assert_eq!(engine::ingest(chunk(2, vec![(vec![3], 1)])), Ok(3));
			assert_eq!(engine::progress(DATASET), Some((3, 3)));
			let trained =
				engine::train(TrainRequest { model: 4, sources: vec![SOURCE], spec: spec() })
					.unwrap();
			assert_eq!(trained.weights_hash, H256::repeat_byte(4));
			// A runtime of one source per model asks for the same training, on the whole
			// version received (`engine::train` version 1 upgrades its request so), and one
			// of specs without methods for the influence function's (version 2).
			let old = ModelSpecV1::decode(&mut &spec().encode()[..]).unwrap();
			let request = TrainRequestV1 { model: 4, dataset: DATASET, spec: old };
			let total = engine::progress(DATASET).map(|(_, total)| total).unwrap();
			assert_eq!(engine::train(request.upgrade(total)), Ok(trained.clone()));
			let request = TrainRequestV2 { model: 4, sources: vec![SOURCE], spec: old };
			assert_eq!(
				request.upgrade(),
				TrainRequest { model: 4, sources: vec![SOURCE], spec: spec() }
			);
			assert!(engine::has_model(4) && !engine::has_model(5));
			let outcome = engine::infer(InferRequest { model: 4, input: vec![1], top_k: 3 });
			assert_eq!(
				outcome.map(|o| o.proponents),
				Ok(vec![RecordShare { record: 3, share: Perbill::one() }])
			);
			assert_eq!(
				engine::infer(InferRequest { model: 4, input: vec![], top_k: 3 }),
				Err(AttributionError::MalformedInput)
			);
		});
		assert_eq!(recorder.0.lock().unwrap().len(), 2);
	}

	/// Version 1 of `engine::infer` answers older runtimes in the layout they decode: a class
	/// as it was, a continuation as label 0 with its generation beside it.
	#[test]
	fn version_1_of_infer_keeps_the_old_layout() {
		let shares = vec![RecordShare { record: 3, share: Perbill::one() }];
		let outcome = |answer| InferOutcome {
			engine_version: 5,
			answer,
			proponents: shares.clone(),
			opponents: Vec::new(),
		};
		let class = Inferred::Class { label: 4, confidence: Perbill::from_percent(70) };
		let old = InferOutcomeV1::from(outcome(class));
		assert_eq!(
			(old.label, old.confidence, old.generation),
			(4, Perbill::from_percent(70), None)
		);
		let generation = Generation {
			text: BoundedVec::truncate_from(b" sat".to_vec()),
			tokens: 1,
			first: BoundedVec::default(),
			spans: BoundedVec::default(),
		};
		let continuation = Inferred::Continuation {
			confidence: Perbill::from_percent(40),
			generation: generation.clone(),
		};
		let old = InferOutcomeV1::from(outcome(continuation));
		assert_eq!((old.label, old.confidence), (0, Perbill::from_percent(40)));
		assert_eq!(
			(old.generation, old.proponents, old.engine_version),
			(Some(generation), shares, 5)
		);
	}
}
