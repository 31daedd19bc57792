//! The engine API: what the off-chain worker calls.
//!
//! 1. [`Engine::ingest`] receives a Datanet version's records in chunks, in order, each chunk
//!    checked against the schema. Records are named by their position in the version; an empty
//!    payload marks a removed record, which keeps its position and is not trained on.
//! 2. [`Engine::train_on`] trains a model spec on its sources, complete versions of one schema
//!    one after another, each of a weight ([`Engine::train`] on one version of weight 1): the
//!    held-out tenth (chosen from the record hashes) measures the accuracy, the rest is the
//!    training set, a record of weight `w` in it `w` times. Records are named by their position
//!    in the sources (`openledger_primitives::models::locate`). The trained model is cached in
//!    memory and saved as safetensors; after a restart the same call loads it back instead of
//!    training again, once the versions are ingested again.
//! 3. [`Engine::infer`] predicts the label of an input with its probabilities, and attributes
//!    the prediction to the training records: the top K proponents and the top K opponents,
//!    each set as shares of 10^9 by largest remainder.
//!
//! Softmax regression is attributed with the exact influence function (dense or Woodbury), an
//! MLP with K-FAC influence. Every failure is an [`EngineError`].
//!
//! **Memory.** One budget in bytes ([`Engine::with_memory`]) covers everything the engine
//! holds: Datanet versions, trained models and ∞-gram indexes. Versions of one Datanet share
//! the records they have in common (one copy of each), so publishing a new version with one more
//! record costs one record. A version is dropped when the last model in memory trained on it
//! leaves memory. Over the budget, the least recently used of the models and the versions no
//! model or training uses leave first (a model's file stays on disk). The
//! state's lock is held only to look things up and store them: featurising, training and
//! indexing run outside it.
//!
//! The API is cut by concept: this module holds the [`Engine`] type and its public methods;
//! `cache` the models in memory, the memory budget and the least-recently-used eviction of
//! models, versions and model files ([`Usage`]); [`store`] the Datanet versions received and the
//! trained models on disk (safetensors); `classify` and `ngram` the two families of models,
//! classifiers and ∞-gram language models, each trained and queried in its own way.

use std::{
	collections::HashMap,
	path::PathBuf,
	sync::{Arc, Mutex, MutexGuard},
};

use openledger_primitives::{
	attribution::{DatasetRef, MAX_DUPLICATES},
	datanets::{ClassLabel, RecordError, Schema},
	models::{weighted_records, ModelId, ModelSpec, Source, SpecCost, SpecError, SpecLimits},
};
use sp_core::H256;

use crate::{
	classifier::{methods::Attribution, model::Network, quality},
	error::EngineError,
	infinigram::{Generated, Index, Traced},
	shares::RecordShare,
};

mod cache;
mod classify;
mod ngram;
pub mod store;

pub use cache::{Usage, DEFAULT_BUDGET, DEFAULT_MAX_MODELS, DEFAULT_MAX_STORED, DEFAULT_MEMORY};
pub use classify::{EXACT_DAMPING, KFAC_DAMPING};

use store::Dataset;

/// The engine's own bounds on a spec, wider than any chain's: they only keep the engine's
/// memory finite.
pub const LIMITS: SpecLimits = SpecLimits {
	min_feature_dims: 1,
	max_feature_dims: 1 << 16,
	max_hidden: 4096,
	max_epochs: 10_000,
	max_batch_size: u16::MAX,
	min_span_tokens: 1,
	max_span_tokens: u16::MAX,
};

/// One record of a version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
	/// The payload, as contributed.
	pub payload: Vec<u8>,
	/// The label.
	pub label: ClassLabel,
}

/// What training reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrainReport {
	/// Accuracy on the held-out records in parts per billion (on the training records when
	/// none is held out): an exact ratio of counts, so every attestor reports the same number.
	pub accuracy: u32,
	/// blake3 of the final weights' canonical encoding.
	pub weights_hash: H256,
	/// Records trained on.
	pub records: u32,
	/// Records held out.
	pub held_out: u32,
	/// Whether the model was loaded from disk rather than trained.
	pub restored: bool,
	/// The training records of highest self-influence, most suspect first, by version
	/// position: at most [`MAX_SUSPECTS`](openledger_primitives::attribution::MAX_SUSPECTS).
	pub suspects: Vec<u32>,
	/// Near-duplicates of the version, `(record, earlier)` by position: at most
	/// [`MAX_DUPLICATES`] ([`quality::near_duplicates`]).
	pub duplicates: Vec<(u32, u32)>,
}

/// What a model answers: a classifier a class, an ∞-gram a continuation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
	/// A classifier's answer.
	Class {
		/// The most probable class (the lowest on a tie).
		label: ClassLabel,
		/// Each class's probability in parts per billion, summing to 10^9.
		probabilities: Vec<u32>,
	},
	/// An ∞-gram's answer.
	Continuation {
		/// The continuation, with its spans.
		generated: Generated,
		/// The first generated token's probability in parts per billion (0 if it generated
		/// nothing).
		first: u32,
	},
	/// An external model's output, traced to the records.
	Trace(Traced),
}

/// A prediction and its attribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
	/// The class or the continuation.
	pub answer: Answer,
	/// The records that most supported the answer, by influence, as shares (for a
	/// continuation, the records its tokens came from). Empty only when no record supports it.
	pub proponents: Vec<RecordShare>,
	/// The records that most opposed the class, by the size of their negative influence
	/// (none for a continuation).
	pub opponents: Vec<RecordShare>,
}

struct Model {
	/// The versions it trained on, in order, with their weights.
	sources: Vec<Source>,
	spec: ModelSpec,
	schema: Schema,
	kind: Kind,
	report: TrainReport,
}

/// What a model is, by its architecture.
enum Kind {
	/// A classifier and its attribution method.
	Classifier {
		network: Network,
		/// The training positions of the training records, in training order (a record of a
		/// source of weight `w` is there `w` times).
		positions: Vec<u32>,
		attribution: Box<dyn Attribution>,
		/// Each training record's self-influence by the influence function (whatever the
		/// model's method), named once by position: what its quality flags rank.
		self_influence: (Vec<u32>, Vec<f64>),
	},
	/// An ∞-gram language model, or an external model's attribution: the index over the
	/// version's records.
	InfiniGram(Index),
}

#[derive(Default)]
struct State {
	datasets: HashMap<DatasetRef, Dataset>,
	models: HashMap<ModelId, Arc<Model>>,
	/// Models being trained now, so that a model is never trained twice at once, with the
	/// versions each trains on.
	training: HashMap<ModelId, Vec<DatasetRef>>,
	/// A counter that orders uses, for eviction.
	clock: u64,
	/// When each model in memory was last used.
	used: HashMap<ModelId, u64>,
	/// When each model file was last written or read (files from before a restart count as
	/// the oldest).
	stored: HashMap<ModelId, u64>,
	/// The most bytes held after any call ([`Usage::peak_bytes`]).
	peak: u64,
}

/// The influence engine: Datanet versions received, models trained, and where models are saved.
pub struct Engine {
	dir: Option<PathBuf>,
	budget: SpecCost,
	/// Models kept in memory; the least recently used goes first (its file stays).
	max_models: usize,
	/// The most bytes held at once: versions, models and indexes.
	memory: u64,
	/// Model files kept on disk; the least recently written or read goes first.
	max_stored: usize,
	state: Mutex<State>,
}

/// Marks a model as in training for as long as it lives.
struct Training<'a> {
	engine: &'a Engine,
	model: ModelId,
}

impl Drop for Training<'_> {
	fn drop(&mut self) {
		self.engine.state().training.remove(&self.model);
	}
}

fn hex(bytes: &[u8]) -> String {
	bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn spec_error(e: SpecError) -> EngineError {
	EngineError::SpecOutOfBounds(match e {
		SpecError::FeaturizerMismatch => "the featurizer does not fit the schema",
		SpecError::FeatureDimsOutOfBounds => "the feature dimension",
		SpecError::HiddenWidthOutOfBounds => "a hidden layer's width",
		SpecError::EpochsOutOfBounds => "the epochs",
		SpecError::BatchSizeOutOfBounds => "the batch size",
		SpecError::ZeroLearningRate => "a learning rate of zero",
		SpecError::MemoryOverLimit => "the estimated memory",
		SpecError::ComputeOverLimit => "the estimated arithmetic",
		SpecError::GeneratedTokensOutOfBounds => "the generated tokens",
		SpecError::SpanTokensOutOfBounds => "the minimum span length",
		SpecError::MethodMismatch => "replay of a model without training",
		SpecError::QueryOverLimit => "the estimated arithmetic per query",
	})
}

fn record_error(e: RecordError) -> &'static str {
	match e {
		RecordError::EmptyPayload => "an empty payload",
		RecordError::PayloadTooLong => "a payload that is too long",
		RecordError::InvalidUtf8 => "text that is not UTF-8",
		RecordError::WrongDimensions => "a dense record with the wrong number of values",
		RecordError::ValueOutOfRange => "a dense value above the schema's maximum",
		RecordError::LabelOutOfRange => "a label out of the schema's range",
	}
}

impl Engine {
	/// An engine that saves models under `dir` (created if missing), or keeps them only in
	/// memory when `dir` is `None`.
	pub fn new(dir: Option<PathBuf>) -> Result<Self, EngineError> {
		if let Some(dir) = &dir {
			std::fs::create_dir_all(dir)
				.map_err(|e| EngineError::Storage(format!("{}: {e}", dir.display())))?;
		}
		Ok(Self {
			dir,
			budget: DEFAULT_BUDGET,
			max_models: DEFAULT_MAX_MODELS,
			memory: DEFAULT_MEMORY,
			max_stored: DEFAULT_MAX_STORED,
			state: Mutex::new(State::default()),
		})
	}

	/// What the engine holds now: trained models in memory, their estimated bytes
	/// (`ModelSpec::cost` on their training sets, the estimate the budget bounds), Datanet
	/// versions received, and the bytes of their payloads.
	pub fn usage(&self) -> Usage {
		Self::usage_of(&self.state())
	}

	/// The engine holding at most `bytes` at once (at least one model's budget is sensible).
	pub fn with_memory(mut self, bytes: u64) -> Self {
		self.memory = bytes;
		self
	}

	/// The engine keeping at most `models` trained models in memory and `stored` model files on
	/// disk (each at least one), evicting the least recently used.
	pub fn with_capacity(mut self, models: usize, stored: usize) -> Self {
		self.max_models = models.max(1);
		self.max_stored = stored.max(1);
		self
	}

	/// The engine with `budget` for each model: a model whose estimated cost
	/// ([`ModelSpec::cost`] on its version) is above it fails with [`EngineError::OverBudget`]
	/// before anything is featurised or trained.
	pub fn with_budget(mut self, budget: SpecCost) -> Self {
		self.budget = budget;
		self
	}

	/// The most bytes held at once ([`Engine::with_memory`]).
	pub fn memory(&self) -> u64 {
		self.memory
	}

	/// The budget for each model.
	pub fn budget(&self) -> SpecCost {
		self.budget
	}

	fn state(&self) -> MutexGuard<'_, State> {
		// A panic elsewhere while holding the lock leaves plain data behind; keep using it.
		self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
	}

	/// Receives `records`, the chunk of version `key` that starts at position `offset`. The
	/// version has `total` records. A chunk at offset 0 starts the version afresh; any other
	/// must continue where the last one ended. Returns the records received so far.
	pub fn ingest(
		&self,
		key: DatasetRef,
		schema: &Schema,
		total: u32,
		offset: u32,
		records: Vec<Record>,
	) -> Result<u32, EngineError> {
		// An empty payload stands for a record removed by moderation: it keeps its position and
		// is left out of training.
		for (i, r) in records.iter().enumerate().filter(|(_, r)| !r.payload.is_empty()) {
			schema.check_record(&r.payload, r.label, u32::MAX).map_err(|e| {
				EngineError::MalformedRecord { index: offset as usize + i, reason: record_error(e) }
			})?;
		}
		self.stage(key, schema, total, offset, records)
	}

	/// Records received of version `key`, and the version's total.
	pub fn progress(&self, key: DatasetRef) -> Option<(u32, u32)> {
		self.state().datasets.get(&key).map(|d| (d.records.len() as u32, d.total))
	}

	/// Forgets the records of version `key` (those shared stay with the other versions).
	pub fn drop_dataset(&self, key: DatasetRef) {
		self.state().datasets.remove(&key);
	}

	/// Whether model `id` is trained and ready to infer.
	pub fn has_model(&self, id: ModelId) -> bool {
		self.state().models.contains_key(&id)
	}

	/// Forgets model `id` in memory and on disk.
	pub fn forget(&self, id: ModelId) {
		self.state().models.remove(&id);
		if let Some(dir) = &self.dir {
			let _ = std::fs::remove_file(store::path(dir, id));
		}
	}

	/// Trains model `id` by `spec` on the complete version `key` alone, with weight 1
	/// ([`Engine::train_on`]).
	pub fn train(
		&self,
		id: ModelId,
		key: DatasetRef,
		spec: &ModelSpec,
	) -> Result<TrainReport, EngineError> {
		let records = self.progress(key).ok_or(EngineError::UnknownDataset)?.1;
		let source = Source { datanet: key.datanet, version: key.version, records, weight: 1 };
		self.train_on(id, &[source], spec)
	}

	/// Trains model `id` by `spec` on `sources`, complete versions of one schema, or returns
	/// the report of the same training done before (in memory, or saved under the engine's
	/// directory). The training set is the sources' records one after another, each source's
	/// `weight` times; records are named by their position in it, each once
	/// ([`openledger_primitives::models::locate`]).
	pub fn train_on(
		&self,
		id: ModelId,
		sources: &[Source],
		spec: &ModelSpec,
	) -> Result<TrainReport, EngineError> {
		{
			let mut state = self.state();
			let hit = state.models.get(&id).filter(|m| m.sources == sources && m.spec == *spec);
			if let Some(report) = hit.map(|m| m.report.clone()) {
				Self::touch(&mut state, id, false);
				return Ok(report);
			}
		}
		let schema = {
			let state = self.state();
			Self::schema_of(&state, sources)?
		};
		let cost = spec.cost(&schema, weighted_records(sources));
		if let Err(over) = cost.within(&self.budget) {
			let what = match over {
				SpecError::MemoryOverLimit => "memory",
				SpecError::QueryOverLimit => "arithmetic per query",
				_ => "arithmetic",
			};
			return Err(EngineError::OverBudget { what, cost });
		}
		let _training = {
			let mut state = self.state();
			if state.training.contains_key(&id) {
				return Err(EngineError::Busy(id));
			}
			let keys: Vec<DatasetRef> = sources.iter().map(Source::dataset).collect();
			state.clock += 1;
			let clock = state.clock;
			for key in &keys {
				if let Some(d) = state.datasets.get_mut(key) {
					d.used = clock;
				}
			}
			state.training.insert(id, keys);
			Training { engine: self, model: id }
		};
		if spec.indexes() {
			return self.index(id, sources, spec);
		}
		self.train_classifier(id, sources, spec)
	}

	/// The near-duplicates among `records`, the training set's records by position.
	fn near_duplicates(schema: &Schema, records: &[Arc<Record>]) -> Vec<(u32, u32)> {
		let payloads: Vec<&[u8]> = records.iter().map(|r| r.payload.as_slice()).collect();
		quality::near_duplicates(schema, &payloads, MAX_DUPLICATES as usize)
	}

	fn model(&self, id: ModelId) -> Result<Arc<Model>, EngineError> {
		let mut state = self.state();
		let model = state.models.get(&id).cloned().ok_or(EngineError::UnknownModel(id))?;
		Self::touch(&mut state, id, false);
		Ok(model)
	}

	/// The report of model `id`'s training.
	pub fn report(&self, id: ModelId) -> Result<TrainReport, EngineError> {
		Ok(self.model(id)?.report.clone())
	}

	/// Predicts the label of `input` with model `id`, and attributes it: the `top_k` strongest
	/// proponents and opponents among the training records.
	pub fn infer(
		&self,
		id: ModelId,
		input: &[u8],
		top_k: usize,
	) -> Result<Prediction, EngineError> {
		let model = self.model(id)?;
		match &model.kind {
			Kind::Classifier { network, positions, attribution, .. } => {
				Self::classify(&model, network, positions, &**attribution, input, top_k)
			},
			Kind::InfiniGram(index) if model.spec.traces() => {
				Self::trace(&model, index, input, top_k)
			},
			Kind::InfiniGram(index) => Self::generate(&model, index, input, top_k),
		}
	}

	/// [`Engine::infer`] of each of `inputs` with model `id`, in one call: a classifier
	/// predicts and scores them as one matrix of queries, and answers each exactly as `infer`
	/// would; an ∞-gram model answers them one by one. An input that does not fit fails alone;
	/// `UnknownModel` fails the call.
	pub fn infer_batch(
		&self,
		id: ModelId,
		inputs: &[Vec<u8>],
		top_k: usize,
	) -> Result<Vec<Result<Prediction, EngineError>>, EngineError> {
		let model = self.model(id)?;
		Ok(match &model.kind {
			Kind::Classifier { network, positions, attribution, .. } => {
				Self::classify_batch(&model, network, positions, &**attribution, inputs, top_k)
			},
			Kind::InfiniGram(index) => inputs
				.iter()
				.map(|input| match model.spec.traces() {
					true => Self::trace(&model, index, input, top_k),
					false => Self::generate(&model, index, input, top_k),
				})
				.collect(),
		})
	}

	/// The self-influence of every training record of model `id`, by position, highest (most
	/// suspect) first.
	pub fn self_influence(&self, id: ModelId) -> Result<Vec<(u32, f64)>, EngineError> {
		let model = self.model(id)?;
		match &model.kind {
			Kind::Classifier { self_influence: (records, scores), .. } => {
				Ok(quality::ranked(records, scores))
			},
			Kind::InfiniGram(_) => Ok(Vec::new()),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::{cache::RECORD_OVERHEAD, *};
	use crate::{classifier::holdout::is_held_out, shares::BILLION};
	use openledger_primitives::{
		datanets::record_hash,
		models::{Architecture, AttributionMethod, Featurizer, MAX_SOURCE_WEIGHT},
	};
	use sp_runtime::Perbill;

	const KEY: DatasetRef = DatasetRef { datanet: 1, version: 0 };

	fn schema() -> Schema {
		Schema::Dense { dims: 4, classes: 3, max_value: 16 }
	}

	/// Three noisy clusters of 4 values in 0..=16.
	fn records(n: usize) -> Vec<Record> {
		(0..n)
			.map(|i| {
				let c = i % 3;
				let payload = (0..4)
					.map(|f| {
						let centre = if f == c { 12 } else { 4 };
						let noise = ((i * 7 + f * 13) % 9) as i32 - 4;
						(centre + noise).clamp(0, 16) as u8
					})
					.collect();
				Record { payload, label: c as ClassLabel }
			})
			.collect()
	}

	fn spec(architecture: Architecture) -> ModelSpec {
		ModelSpec {
			featurizer: Featurizer::Raw,
			architecture,
			epochs: 20,
			learning_rate: Perbill::from_percent(20),
			batch_size: 16,
			l2: Perbill::from_parts(100_000),
			seed: 11,
			method: AttributionMethod::Influence,
		}
	}

	fn ingest_all(engine: &Engine, records: &[Record], chunk: usize) {
		let total = records.len() as u32;
		for (k, part) in records.chunks(chunk).enumerate() {
			let offset = (k * chunk) as u32;
			let got = engine.ingest(KEY, &schema(), total, offset, part.to_vec()).unwrap();
			assert_eq!(got, offset + part.len() as u32);
		}
	}

	fn temp_dir(name: &str) -> PathBuf {
		let dir = std::env::temp_dir().join(format!("openledger-{name}-{}", std::process::id()));
		let _ = std::fs::remove_dir_all(&dir);
		dir
	}

	#[test]
	fn a_model_attributed_by_replay_credits_its_replayed_scores_and_flags_as_influence_does() {
		use crate::{
			classifier::{featurize::featurize, methods::replay::Replay, train::Hyper},
			numeric::tensor::{matrix, values},
		};
		let data = records(90);
		let engine = Engine::new(None).unwrap();
		ingest_all(&engine, &data, 90);
		let influence = spec(Architecture::Mlp1 { hidden: 8 });
		let replayed = ModelSpec { method: AttributionMethod::Replay, ..influence };
		let by_influence = engine.train(1, KEY, &influence).unwrap();
		let by_replay = engine.train(2, KEY, &replayed).unwrap();
		// One training: the same weights, accuracy and quality flags.
		assert_eq!(by_replay.weights_hash, by_influence.weights_hash);
		assert_eq!(by_replay.accuracy, by_influence.accuracy);
		assert_eq!(by_replay.suspects, by_influence.suspects);
		assert_eq!(engine.self_influence(2), engine.self_influence(1));

		// The shares are those of replay's scores, computed here from the training set.
		let source = [Source { datanet: 1, version: 0, records: 90, weight: 1 }];
		let set = engine.training_set(&source, &replayed).unwrap();
		let init = Network::init(&replayed.architecture, 4, 3, replayed.seed).unwrap();
		let replay = Replay::new(init, &set.x, &set.labels, &set.keys, &Hyper::from(&replayed));
		let replay = replay.unwrap();
		let mut differ = 0;
		for record in data.iter().step_by(11) {
			let got = engine.infer(2, &record.payload, 5).unwrap();
			let Answer::Class { label, .. } = got.answer else { panic!("a class") };
			let query = featurize(&replayed.featurizer, &schema(), &record.payload, 0).unwrap();
			let query = matrix(1, 4, query).unwrap();
			let scores = replay.scores(&query, &[label.into()]).unwrap();
			let scores = values(&scores).unwrap();
			let (positions, sums) = classify::by_record(&set.positions, &scores);
			let mut ranked: Vec<(f64, u32)> = sums.iter().copied().zip(positions).collect();
			ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
			let top: Vec<u32> = ranked.iter().take(5).map(|(_, p)| *p).collect();
			let named: Vec<u32> = got.proponents.iter().map(|s| s.record).collect();
			assert_eq!(named, top);
			let fast = engine.infer(1, &record.payload, 5).unwrap();
			assert_eq!(fast.answer, got.answer, "the same network answers");
			differ += usize::from(fast.proponents != got.proponents);
		}
		assert!(differ > 0, "replay and K-FAC rank the proponents alike on every query");
	}

	/// Every method, softmax regression and MLP: a batch of queries (one malformed among them)
	/// is answered query by query exactly as `infer` answers each alone, bit for bit, so that
	/// attestors that batch different jobs agree.
	#[test]
	fn a_batch_answers_each_input_as_alone() {
		let data = records(120);
		let engine = Engine::new(None).unwrap();
		ingest_all(&engine, &data, 120);
		let mlp = spec(Architecture::Mlp1 { hidden: 8 });
		let specs = [
			spec(Architecture::SoftmaxRegression),
			mlp,
			ModelSpec { method: AttributionMethod::Replay, ..mlp },
		];
		let mut inputs: Vec<Vec<u8>> = data.iter().step_by(7).map(|r| r.payload.clone()).collect();
		inputs.insert(3, vec![1, 2, 3]);
		for (id, spec) in specs.iter().enumerate() {
			let id = id as ModelId + 1;
			engine.train(id, KEY, spec).unwrap();
			let batch = engine.infer_batch(id, &inputs, 6).unwrap();
			assert_eq!(batch.len(), inputs.len());
			for (input, got) in inputs.iter().zip(&batch) {
				assert_eq!(got, &engine.infer(id, input, 6), "{spec:?}");
			}
			assert!(matches!(batch[3], Err(EngineError::MalformedInput(_))));
			assert_eq!(engine.infer_batch(id, &[], 6).unwrap(), vec![]);
		}
		assert_eq!(engine.infer_batch(99, &inputs, 6), Err(EngineError::UnknownModel(99)));
	}

	#[test]
	fn chunks_train_and_infer_with_shares_of_a_billion() {
		let data = records(150);
		for arch in [Architecture::SoftmaxRegression, Architecture::Mlp1 { hidden: 8 }] {
			let engine = Engine::new(None).unwrap();
			ingest_all(&engine, &data, 40);
			assert_eq!(engine.progress(KEY), Some((150, 150)));
			let report = engine.train(7, KEY, &spec(arch)).unwrap();
			assert_eq!(report.records + report.held_out, 150);
			assert!(report.held_out > 0);
			assert!(report.accuracy >= 900_000_000, "accuracy {}", report.accuracy);
			assert!(!report.restored);

			let p = engine.infer(7, &[14, 3, 4, 5], 10).unwrap();
			let Answer::Class { label, probabilities } = &p.answer else { panic!("a class") };
			assert_eq!(*label, 0);
			assert_eq!(probabilities.iter().map(|v| u64::from(*v)).sum::<u64>(), BILLION);
			for set in [&p.proponents, &p.opponents] {
				assert!(!set.is_empty() && set.len() <= 10);
				assert_eq!(
					set.iter().map(|s| u64::from(s.share.deconstruct())).sum::<u64>(),
					BILLION
				);
			}
			// Proponents of class 0 are mostly class-0 records, and every named record trained.
			let held: Vec<u32> = (0..150u32)
				.filter(|i| {
					let r = &data[*i as usize];
					is_held_out(&record_hash(&r.payload, r.label))
				})
				.collect();
			for s in p.proponents.iter().chain(&p.opponents) {
				assert!(s.record < 150 && !held.contains(&s.record));
			}
			let own = p.proponents.iter().filter(|s| data[s.record as usize].label == 0).count();
			assert!(own * 2 > p.proponents.len(), "{:?}", p.proponents);
			assert!(p.proponents.windows(2).all(|w| w[0].share >= w[1].share));

			let selfs = engine.self_influence(7).unwrap();
			assert_eq!(selfs.len(), report.records as usize);
			assert!(selfs.windows(2).all(|w| w[0].1 >= w[1].1));
		}
	}

	#[test]
	fn an_external_model_traces_an_output_to_the_records_it_quotes() {
		let text = Schema::Text { classes: 1 };
		let records: Vec<Record> = [
			"the committee reveals its outcomes after every member has committed",
			"a record about the weather in the mountains this week",
			"the committee meets on tuesdays",
		]
		.iter()
		.map(|t| Record { payload: t.as_bytes().to_vec(), label: 0 })
		.collect();
		let engine = Engine::new(None).unwrap();
		engine.ingest(KEY, &text, 3, 0, records).unwrap();
		let external = |min_span_tokens| ModelSpec {
			featurizer: Featurizer::Words,
			architecture: Architecture::External {
				weights_hash: Default::default(),
				min_span_tokens,
			},
			..spec(Architecture::SoftmaxRegression)
		};
		let report = engine.train(5, KEY, &external(8)).unwrap();
		assert_eq!((report.records, report.held_out), (3, 0));
		// An output quoting record 1 and, edited, record 0 ("reveals" became "shows").
		let output = b"As I said, a record about the weather in the mountains; the committee shows its outcomes.";
		let p = engine.infer(5, output, 10).unwrap();
		let Answer::Trace(traced) = &p.answer else { panic!("a trace") };
		assert_eq!(p.proponents, traced.shares);
		assert_eq!(p.proponents.iter().map(|s| s.record).collect::<Vec<_>>(), vec![1]);
		assert_eq!(p.proponents[0].share.deconstruct() as u64, BILLION);
		let quoted: Vec<&[u8]> =
			traced.spans.iter().map(|s| &output[s.start as usize..s.end as usize]).collect();
		assert_eq!(quoted, vec![&b"a record about the weather in the mountains"[..]]);
		// "the committee " is 4 tokens: below the minimum, it credits no one. A minimum above
		// every span credits no record at all.
		engine.train(6, KEY, &external(40)).unwrap();
		let p = engine.infer(6, output, 10).unwrap();
		assert!(p.proponents.is_empty());
		assert!(matches!(&p.answer, Answer::Trace(t) if t.spans.is_empty()));
		// Not text: a typed error.
		assert!(matches!(engine.infer(5, &[0xff, 0xfe], 10), Err(EngineError::MalformedInput(_))));
	}

	#[test]
	fn removed_records_keep_their_place_and_are_not_trained_on() {
		let engine = Engine::new(None).unwrap();
		let mut data = records(90);
		let removed = (0..90).find(|i| {
			let r = &data[*i];
			!is_held_out(&record_hash(&r.payload, r.label))
		});
		let removed = removed.unwrap();
		data[removed].payload.clear();
		ingest_all(&engine, &data, 30);
		let report = engine.train(1, KEY, &spec(Architecture::SoftmaxRegression)).unwrap();
		assert_eq!(report.records + report.held_out, 89);
		let selfs = engine.self_influence(1).unwrap();
		assert!(selfs.iter().all(|(p, _)| *p != removed as u32));
	}

	#[test]
	fn a_model_over_the_budget_fails_fast_and_one_copy_trains_at_a_time() {
		let data = records(90);
		let spec = spec(Architecture::Mlp1 { hidden: 8 });
		let cost = spec.cost(&schema(), 90);
		let tight = SpecCost { bytes: cost.bytes - 1, flops: u64::MAX, query_flops: u64::MAX };
		let engine = Engine::new(None).unwrap().with_budget(tight);
		ingest_all(&engine, &data, 90);
		assert_eq!(
			engine.train(1, KEY, &spec),
			Err(EngineError::OverBudget { what: "memory", cost })
		);
		let slow = SpecCost { bytes: u64::MAX, flops: cost.flops - 1, query_flops: u64::MAX };
		let engine = Engine::new(None).unwrap().with_budget(slow);
		ingest_all(&engine, &data, 90);
		assert_eq!(
			engine.train(1, KEY, &spec),
			Err(EngineError::OverBudget { what: "arithmetic", cost })
		);
		assert!(!engine.has_model(1) && engine.state().training.is_empty());
		// Replay's queries cost trainings: a budget that trains the model may not attribute it.
		let replayed = ModelSpec { method: AttributionMethod::Replay, ..spec };
		let replay_cost = replayed.cost(&schema(), 90);
		let engine = Engine::new(None)
			.unwrap()
			.with_budget(SpecCost { query_flops: replay_cost.query_flops - 1, ..replay_cost });
		ingest_all(&engine, &data, 90);
		assert!(cost.within(&engine.budget()).is_ok());
		assert_eq!(
			engine.train(1, KEY, &replayed),
			Err(EngineError::OverBudget { what: "arithmetic per query", cost: replay_cost })
		);

		// While model 1 is in training elsewhere, a second caller is told so and waits.
		let engine = Engine::new(None).unwrap().with_budget(cost);
		ingest_all(&engine, &data, 90);
		engine.state().training.insert(1, vec![KEY]);
		assert_eq!(engine.train(1, KEY, &spec), Err(EngineError::Busy(1)));
		engine.state().training.remove(&1);
		assert!(engine.train(1, KEY, &spec).is_ok());
		assert!(engine.state().training.is_empty(), "the mark goes with the training");
	}

	#[test]
	fn the_least_recently_used_models_leave_memory_and_then_disk() {
		let dir = temp_dir("engine-evict");
		let data = records(90);
		let spec = spec(Architecture::SoftmaxRegression);
		let engine = Engine::new(Some(dir.clone())).unwrap().with_capacity(2, 3);
		ingest_all(&engine, &data, 90);
		for id in 1..=3 {
			assert!(!engine.train(id, KEY, &spec).unwrap().restored);
		}
		// Two in memory: model 1, unused longest, left it; its file stays.
		assert!(!engine.has_model(1) && engine.has_model(2) && engine.has_model(3));
		assert!(store::path(&dir, 1).exists());
		// Using model 2 makes 3 the oldest in memory; model 1 comes back from its file.
		engine.infer(2, &[2, 2, 15, 1], 3).unwrap();
		assert!(engine.train(1, KEY, &spec).unwrap().restored);
		assert!(engine.has_model(1) && engine.has_model(2) && !engine.has_model(3));
		// A fourth file is one too many: model 2's file, written longest ago, goes (model 1's
		// was read since, model 3's written after).
		engine.train(4, KEY, &spec).unwrap();
		let on_disk: Vec<bool> = (1..=4).map(|id| store::path(&dir, id).exists()).collect();
		assert_eq!(on_disk, vec![true, false, true, true]);
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn versions_of_a_datanet_share_their_records_and_an_unused_one_is_dropped() {
		let engine = Engine::new(None).unwrap();
		let data = records(90);
		let (v1, v2) =
			(DatasetRef { datanet: 1, version: 1 }, DatasetRef { datanet: 1, version: 2 });
		engine.ingest(v1, &schema(), 60, 0, data[..60].to_vec()).unwrap();
		let one = engine.usage().dataset_bytes;
		assert_eq!(one, 60 * (4 + RECORD_OVERHEAD));
		// The next version repeats the first 60 records and adds 30: those 30 are all it costs.
		engine.ingest(v2, &schema(), 90, 0, data.clone()).unwrap();
		assert_eq!(engine.usage().dataset_bytes, 90 * (4 + RECORD_OVERHEAD));
		assert_eq!(engine.usage().datasets, 2);
		// A model on version 2 keeps it. When model 1 leaves memory (a count of one model), its
		// version goes with it.
		let softmax = spec(Architecture::SoftmaxRegression);
		engine.train(1, v2, &softmax).unwrap();
		let engine = engine.with_capacity(1, 8);
		engine.ingest(v1, &schema(), 60, 0, data[..60].to_vec()).unwrap();
		engine.train(3, v1, &softmax).unwrap();
		assert!(!engine.has_model(1) && engine.has_model(3));
		assert_eq!(engine.progress(v2), None, "no model in memory uses version 2");
		assert_eq!(engine.progress(v1), Some((60, 60)));
	}

	#[test]
	fn a_thousand_versions_of_one_datanet_each_with_a_model_stay_within_the_memory_budget() {
		// Version v holds the first 20 + v records of one Datanet, and model v is trained on it:
		// kept as they came, that is a thousand copies of up to 1,019 records and a thousand
		// models.
		let data = records(1_020);
		let memory = 1 << 20;
		let engine = Engine::new(None).unwrap().with_memory(memory);
		let softmax = ModelSpec { epochs: 2, ..spec(Architecture::SoftmaxRegression) };
		let (mut peak, mut unshared) = (0u64, 0u64);
		for v in 0..1_000u32 {
			let key = DatasetRef { datanet: 7, version: v };
			let n = 20 + v as usize;
			engine.ingest(key, &schema(), n as u32, 0, data[..n].to_vec()).unwrap();
			engine.train(v, key, &softmax).unwrap();
			let usage = engine.usage();
			assert!(usage.bytes() <= memory, "version {v}: {usage:?}");
			peak = peak.max(usage.bytes());
			unshared += n as u64 * (4 + RECORD_OVERHEAD);
		}
		let usage = engine.usage();
		// The engine's own peak counts every call, ingests too.
		assert!(peak <= usage.peak_bytes && usage.peak_bytes <= memory, "{usage:?}");
		assert!(engine.has_model(999) && !engine.has_model(0), "the oldest models left memory");
		assert!(
			usage.datasets <= usage.models,
			"only versions that models in memory use: {usage:?}"
		);
		assert!(engine.infer(999, &[12, 4, 4, 4], 3).is_ok(), "the newest model answers");
		println!(
			"1,000 versions: peak {} bytes held of a {memory}-byte budget ({} models, {} \
			 versions at the end); their records alone, unshared, would be {unshared} bytes",
			usage.peak_bytes, usage.models, usage.datasets
		);
	}

	#[test]
	fn training_again_returns_the_same_report() {
		let engine = Engine::new(None).unwrap();
		ingest_all(&engine, &records(90), 90);
		let spec = spec(Architecture::Mlp2 { hidden: [6, 4] });
		let first = engine.train(1, KEY, &spec).unwrap();
		assert_eq!(engine.train(1, KEY, &spec).unwrap(), first);
		// The same spec under another id trains to the same weights.
		assert_eq!(engine.train(2, KEY, &spec).unwrap().weights_hash, first.weights_hash);
	}

	#[test]
	fn a_saved_model_is_restored_bit_identically_after_a_restart() {
		let dir = temp_dir("engine-restore");
		let data = records(120);
		let spec = spec(Architecture::Mlp1 { hidden: 8 });
		let engine = Engine::new(Some(dir.clone())).unwrap();
		ingest_all(&engine, &data, 50);
		let trained = engine.train(3, KEY, &spec).unwrap();
		let before = engine.infer(3, &[2, 2, 15, 1], 5).unwrap();
		assert!(store::path(&dir, 3).exists());
		drop(engine);

		let engine = Engine::new(Some(dir.clone())).unwrap();
		assert_eq!(engine.infer(3, &[2, 2, 15, 1], 5), Err(EngineError::UnknownModel(3)));
		ingest_all(&engine, &data, 50);
		let restored = engine.train(3, KEY, &spec).unwrap();
		assert!(restored.restored);
		assert_eq!(TrainReport { restored: false, ..restored }, trained);
		assert_eq!(engine.infer(3, &[2, 2, 15, 1], 5).unwrap(), before);

		// Another spec under the same id is trained afresh, not restored.
		let other = ModelSpec { seed: 12, ..spec };
		assert!(!engine.train(3, KEY, &other).unwrap().restored);
		engine.forget(3);
		assert!(!store::path(&dir, 3).exists());
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn every_failure_is_a_typed_error() {
		let engine = Engine::new(None).unwrap();
		let data = records(30);
		let s = spec(Architecture::SoftmaxRegression);
		assert_eq!(engine.train(1, KEY, &s), Err(EngineError::UnknownDataset));
		assert_eq!(engine.infer(1, &[1, 2, 3, 4], 3), Err(EngineError::UnknownModel(1)));
		assert_eq!(
			engine.ingest(KEY, &schema(), 30, 10, data[..10].to_vec()),
			Err(EngineError::UnknownDataset)
		);
		engine.ingest(KEY, &schema(), 30, 0, data[..10].to_vec()).unwrap();
		assert_eq!(
			engine.ingest(KEY, &schema(), 30, 20, data[20..].to_vec()),
			Err(EngineError::ChunkOutOfOrder { expected: 10, got: 20 })
		);
		assert_eq!(
			engine.ingest(KEY, &schema(), 30, 10, records(25)),
			Err(EngineError::TooManyRecords)
		);
		let bad = vec![data[10].clone(), Record { payload: vec![1, 2, 3], label: 0 }];
		assert_eq!(
			engine.ingest(KEY, &schema(), 30, 10, bad),
			Err(EngineError::MalformedRecord {
				index: 11,
				reason: "a dense record with the wrong number of values"
			})
		);
		let bad_label = vec![Record { payload: vec![1, 2, 3, 4], label: 3 }];
		assert!(matches!(
			engine.ingest(KEY, &schema(), 30, 10, bad_label),
			Err(EngineError::MalformedRecord { index: 10, .. })
		));
		assert_eq!(engine.progress(KEY), Some((10, 30)));
		assert_eq!(
			engine.train(1, KEY, &s),
			Err(EngineError::IncompleteDataset { received: 10, total: 30 })
		);
		engine.ingest(KEY, &schema(), 30, 10, data[10..].to_vec()).unwrap();

		let text = ModelSpec { featurizer: Featurizer::HashedNgrams { dims: 64 }, ..s };
		assert_eq!(
			engine.train(1, KEY, &text),
			Err(EngineError::SpecOutOfBounds("the featurizer does not fit the schema"))
		);
		assert_eq!(
			engine.train(1, KEY, &ModelSpec { epochs: 0, ..s }),
			Err(EngineError::SpecOutOfBounds("the epochs"))
		);
		let one_class: Vec<Record> =
			data.iter().map(|r| Record { label: 1, ..r.clone() }).collect();
		engine.ingest(KEY, &schema(), 30, 0, one_class).unwrap();
		assert_eq!(engine.train(1, KEY, &s), Err(EngineError::SingleClass));
		engine.ingest(KEY, &schema(), 0, 0, Vec::new()).unwrap();
		assert_eq!(engine.train(1, KEY, &s), Err(EngineError::EmptyTrainingSet));
		assert!(!engine.has_model(1));

		engine.ingest(KEY, &schema(), 30, 0, data).unwrap();
		engine.train(1, KEY, &s).unwrap();
		assert_eq!(
			engine.infer(1, &[1, 2, 3], 3),
			Err(EngineError::MalformedInput("a dense record with the wrong number of values"))
		);
		assert_eq!(
			engine.infer(1, &[1, 2, 3, 99], 3),
			Err(EngineError::MalformedInput("a dense value above the schema's maximum"))
		);
		assert!(matches!(
			Engine::new(Some(PathBuf::from("/proc/openledger-cannot-exist"))),
			Err(EngineError::Storage(_))
		));
	}

	/// A source of version `key` holding `records`, of `weight`.
	fn source(key: DatasetRef, records: u32, weight: u8) -> Source {
		Source { datanet: key.datanet, version: key.version, records, weight }
	}

	#[test]
	fn a_model_on_two_versions_is_a_model_on_their_records_one_after_the_other() {
		let (a, b, joined) =
			(KEY, DatasetRef { datanet: 2, version: 3 }, DatasetRef { datanet: 9, version: 0 });
		let (first, second) = (records(90), records(150)[90..].to_vec());
		let engine = Engine::new(None).unwrap();
		engine.ingest(a, &schema(), 90, 0, first.clone()).unwrap();
		engine.ingest(b, &schema(), 60, 0, second.clone()).unwrap();
		let all: Vec<Record> = first.iter().chain(&second).cloned().collect();
		engine.ingest(joined, &schema(), 150, 0, all).unwrap();
		let sources = [source(a, 90, 1), source(b, 60, 1)];
		for (id, arch) in
			[(1, Architecture::SoftmaxRegression), (3, Architecture::Mlp1 { hidden: 8 })]
		{
			let two = engine.train_on(id, &sources, &spec(arch)).unwrap();
			let one = engine.train(id + 1, joined, &spec(arch)).unwrap();
			// The same training, bit for bit, and the same records named by the same
			// positions: the second source's record i is position 90 + i.
			assert_eq!(two, one);
			let query = [3, 4, 13, 5];
			assert_eq!(
				engine.infer(id, &query, 10).unwrap(),
				engine.infer(id + 1, &query, 10).unwrap()
			);
			// (Records repeat every nine: ties go to the lower position, so all of them.)
			let p = engine.infer(id, &query, 150).unwrap();
			assert!(p.proponents.iter().any(|s| s.record >= 90), "{:?}", p.proponents);
			assert!(p.proponents.iter().chain(&p.opponents).all(|s| s.record < 150));
		}
		// The sources the other way round: the same records, trained in the same order (an
		// epoch's order is by the records' keys), named by other positions.
		let swapped = engine
			.train_on(5, &[sources[1], sources[0]], &spec(Architecture::SoftmaxRegression))
			.unwrap();
		let straight = engine.report(1).unwrap();
		assert_eq!(swapped.weights_hash, straight.weights_hash);
		assert_ne!(swapped.suspects, straight.suspects);
	}

	#[test]
	fn a_weight_trains_on_a_records_copies_and_names_the_record_once() {
		let (a, b) = (KEY, DatasetRef { datanet: 2, version: 3 });
		let engine = Engine::new(None).unwrap();
		engine.ingest(a, &schema(), 90, 0, records(90)).unwrap();
		engine.ingest(b, &schema(), 60, 0, records(150)[90..].to_vec()).unwrap();
		let arch = spec(Architecture::SoftmaxRegression);
		let even = engine.train_on(1, &[source(a, 90, 1), source(b, 60, 1)], &arch).unwrap();
		let heavy = engine.train_on(2, &[source(a, 90, 1), source(b, 60, 3)], &arch).unwrap();
		// Another model, on the same records, counted once each.
		assert_ne!(even.weights_hash, heavy.weights_hash);
		assert_eq!((even.records, even.held_out), (heavy.records, heavy.held_out));
		let query = [3, 4, 13, 5];
		let (even, heavy) =
			(engine.infer(1, &query, 150).unwrap(), engine.infer(2, &query, 150).unwrap());
		for p in [&even, &heavy] {
			let mut named: Vec<u32> = p.proponents.iter().map(|s| s.record).collect();
			named.sort_unstable();
			assert!(named.windows(2).all(|w| w[0] < w[1]), "a record named twice: {named:?}");
		}
		// The heavier source takes a larger part of the proponents' shares.
		let second = |p: &Prediction| -> u64 {
			p.proponents
				.iter()
				.filter(|s| s.record >= 90)
				.map(|s| u64::from(s.share.deconstruct()))
				.sum()
		};
		assert!(second(&heavy) > second(&even), "{} <= {}", second(&heavy), second(&even));
		assert_eq!(
			engine.self_influence(2).unwrap().len(),
			engine.report(2).unwrap().records as usize
		);
	}

	#[test]
	fn sources_that_do_not_fit_are_refused_by_name() {
		let (a, b) = (KEY, DatasetRef { datanet: 2, version: 3 });
		let engine = Engine::new(None).unwrap();
		engine.ingest(a, &schema(), 90, 0, records(90)).unwrap();
		let text = Schema::Text { classes: 3 };
		let words = Record { payload: b"three words here".to_vec(), label: 0 };
		engine.ingest(b, &text, 1, 0, vec![words]).unwrap();
		let s = spec(Architecture::SoftmaxRegression);
		let refused = |sources: &[Source], spec: &ModelSpec| engine.train_on(1, sources, spec);
		assert_eq!(refused(&[], &s), Err(EngineError::SourceMismatch("no source")));
		assert_eq!(
			refused(&[source(a, 89, 1)], &s),
			Err(EngineError::SourceMismatch("a record count that is not the version's"))
		);
		for weight in [0, MAX_SOURCE_WEIGHT + 1] {
			assert_eq!(
				refused(&[source(a, 90, weight)], &s),
				Err(EngineError::SourceMismatch("a weight out of bounds"))
			);
		}
		assert_eq!(
			refused(&[source(a, 90, 1), source(b, 1, 1)], &s),
			Err(EngineError::SourceMismatch("versions of different schemas"))
		);
		assert_eq!(
			refused(&[source(a, 90, 1), source(DatasetRef { datanet: 5, version: 1 }, 1, 1)], &s),
			Err(EngineError::UnknownDataset)
		);
		let gram = ModelSpec {
			featurizer: Featurizer::Words,
			architecture: Architecture::InfiniGram { max_tokens: 8 },
			..s
		};
		assert_eq!(
			refused(&[source(b, 1, 2)], &gram),
			Err(EngineError::SourceMismatch("an index takes each source once"))
		);
		assert!(refused(&[source(b, 1, 1)], &gram).is_ok());
		assert!(!engine.has_model(2));
	}

	#[test]
	fn copies_scores_sum_by_record_in_the_order_first_seen() {
		let (records, sums) =
			classify::by_record(&[4, 4, 1, 7, 1, 4], &[1.0, 2.0, 0.5, -1.0, 0.25, 4.0]);
		assert_eq!(records, vec![4, 1, 7]);
		assert_eq!(sums, vec![7.0, 0.75, -1.0]);
		let (records, sums) = classify::by_record(&[2, 0, 1], &[0.1, 0.2, 0.3]);
		assert_eq!((records, sums), (vec![2, 0, 1], vec![0.1, 0.2, 0.3]));
	}
}
