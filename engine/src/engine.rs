//! The engine API: what the off-chain worker calls.
//!
//! 1. [`Engine::ingest`] receives a Datanet version's records in chunks, in order, each chunk
//!    checked against the schema. Records are named by their position in the version; an empty
//!    payload marks a removed record, which keeps its position and is not trained on.
//! 2. [`Engine::train`] trains a model spec on a complete version: the held-out tenth (chosen
//!    from the record hashes) measures the accuracy, the rest is the training set. The trained
//!    model is cached in memory and saved as safetensors; after a restart the same call loads
//!    it back instead of training again, once the version is ingested again.
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

use std::{
	collections::HashMap,
	path::PathBuf,
	sync::{Arc, Mutex, MutexGuard},
};

use codec::Encode;
use openledger_primitives::{
	attribution::{MAX_DUPLICATES, MAX_GENERATED_BYTES, MAX_SUSPECTS},
	datanets::{record_hash, ClassLabel, DatanetId, RecordError, Schema, VersionIndex},
	models::{Architecture, ModelId, ModelSpec, SpecCost, SpecError, SpecLimits},
};
use sp_core::H256;

use crate::{
	featurize::featurize,
	infinigram::{Generated, Index},
	influence::{exact::ExactInfluence, kfac::KfacInfluence, Attribution},
	linalg::Matrix,
	model::Network,
	persist::{self, Stored},
	quality,
	shares::{shares_of, BILLION},
	split::is_held_out,
	train::{correct, train, Hyper},
	EngineError,
};

/// The damping added to the Hessian of softmax regression.
pub const EXACT_DAMPING: f64 = 1e-6;
/// The damping of the K-FAC factors of an MLP (the best of 1e-5..1e-2 on digits).
pub const KFAC_DAMPING: f64 = 1e-5;

/// The engine's own bounds on a spec, wider than any chain's: they only keep the engine's
/// memory finite.
pub const LIMITS: SpecLimits = SpecLimits {
	min_feature_dims: 1,
	max_feature_dims: 1 << 16,
	max_hidden: 4096,
	max_epochs: 10_000,
	max_batch_size: u16::MAX,
	max_checkpoints: u8::MAX,
};

/// A Datanet version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DatasetKey {
	/// The Datanet.
	pub datanet: DatanetId,
	/// The published version.
	pub version: VersionIndex,
}

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
	/// position: at most [`MAX_SUSPECTS`].
	pub suspects: Vec<u32>,
	/// Near-duplicates of the version, `(record, earlier)` by position: at most
	/// [`MAX_DUPLICATES`] ([`quality::near_duplicates`]).
	pub duplicates: Vec<(u32, u32)>,
}

/// A training record's part of a prediction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Share {
	/// The record's position in the Datanet version.
	pub record: u32,
	/// Parts per billion; a set of shares sums to exactly 10^9.
	pub ppb: u32,
}

/// A prediction and its attribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prediction {
	/// For an ∞-gram model: the continuation, with its spans (the label is then 0, the
	/// probabilities the first step's chosen token's alone, and the proponents the records the
	/// tokens came from).
	pub generated: Option<Generated>,
	/// The most probable class (the lowest on a tie).
	pub label: ClassLabel,
	/// Each class's probability in parts per billion, summing to 10^9.
	pub probabilities: Vec<u32>,
	/// The records that most supported the label, by influence, as shares. Empty only when no
	/// record supports it.
	pub proponents: Vec<Share>,
	/// The records that most opposed the label, by the size of their negative influence.
	pub opponents: Vec<Share>,
}

/// A version's records as a model trains on them.
struct TrainingSet {
	schema: Schema,
	/// Features of the training records, `[n, D]`.
	x: Matrix,
	labels: Vec<usize>,
	/// The training records' hashes, which order each epoch.
	keys: Vec<[u8; 32]>,
	/// The training records' positions in the version.
	positions: Vec<u32>,
	/// Features of the held-out records.
	test_x: Matrix,
	test_labels: Vec<usize>,
}

struct Dataset {
	schema: Schema,
	total: u32,
	/// The records received, in order; shared with other versions of the Datanet that hold the
	/// same record at the same position.
	records: Vec<Arc<Record>>,
	/// When it was last received into or trained on, for eviction.
	used: u64,
}

struct Model {
	key: DatasetKey,
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
		/// The version positions of the training records, in training order.
		positions: Vec<u32>,
		attribution: Box<dyn Attribution>,
	},
	/// An ∞-gram language model: the index over the version's records.
	InfiniGram(Index),
}

impl Model {
	/// The estimate the budget bounds: `ModelSpec::cost` on the records the model holds.
	fn bytes(&self) -> u64 {
		let records = match &self.kind {
			Kind::Classifier { positions, .. } => positions.len(),
			Kind::InfiniGram(index) => return index.bytes() as u64,
		};
		self.spec.cost(&self.schema, records as u32).bytes
	}
}

#[derive(Default)]
struct State {
	datasets: HashMap<DatasetKey, Dataset>,
	models: HashMap<ModelId, Arc<Model>>,
	/// Models being trained now, so that a model is never trained twice at once, with the
	/// version each trains on.
	training: HashMap<ModelId, DatasetKey>,
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

/// The longest ∞-gram prompt the engine takes (the chain's inputs are shorter; this bounds a
/// preview's); a continuation matches only its last `infinigram::MAX_CONTEXT` tokens.
const MAX_PROMPT_BYTES: u32 = 1 << 16;

/// What the engine gives one model by default: 8 GiB and 10^13 floating-point operations (a few
/// minutes on two cores), twice the chain's default `CostLimit` in memory and five times in
/// arithmetic, so that every model the chain accepts by default trains. Operators set their own
/// with `--attribution-memory-mib` and `--attribution-gflop`.
pub const DEFAULT_BUDGET: SpecCost = SpecCost { bytes: 8 << 30, flops: 10_000_000_000_000 };

/// The most trained models the engine keeps in memory by default (`--attribution-max-models`).
pub const DEFAULT_MAX_MODELS: usize = 64;
/// The most memory the engine holds at once by default (`--attribution-held-mib`): the budget
/// of one model, so that every model the engine accepts fits, beside the rest it holds.
pub const DEFAULT_MEMORY: u64 = DEFAULT_BUDGET.bytes;
/// What a record costs beyond its payload: its `Arc`, its `Vec` and its label.
const RECORD_OVERHEAD: u64 = 64;
/// The most model files it keeps on disk by default (`--attribution-max-stored-models`).
pub const DEFAULT_MAX_STORED: usize = 1024;

/// What an engine holds ([`Engine::usage`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
	/// Trained models in memory.
	pub models: usize,
	/// Their estimated memory, in bytes.
	pub model_bytes: u64,
	/// Datanet versions received (whole or in part).
	pub datasets: usize,
	/// The bytes of their records (payloads and overhead), each shared record counted once.
	pub dataset_bytes: u64,
	/// The most bytes (models and versions) held since the engine started, measured after
	/// each chunk received and each model kept, once what is over the memory left.
	pub peak_bytes: u64,
}

impl Usage {
	/// Everything held, against [`Engine::with_memory`]'s budget.
	pub fn bytes(&self) -> u64 {
		self.model_bytes.saturating_add(self.dataset_bytes)
	}
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
		SpecError::CheckpointsOutOfBounds => "the checkpoints",
		SpecError::ZeroLearningRate => "a learning rate of zero",
		SpecError::MemoryOverLimit => "the estimated memory",
		SpecError::ComputeOverLimit => "the estimated arithmetic",
		SpecError::GeneratedTokensOutOfBounds => "the generated tokens",
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

/// The `k` largest of `sign · score` that are positive, as shares, highest first (ties by
/// position).
fn top(scores: &[f64], positions: &[u32], k: usize, sign: f64) -> Vec<Share> {
	let mut ranked: Vec<(f64, u32)> = scores
		.iter()
		.zip(positions)
		.map(|(s, p)| (sign * s, *p))
		.filter(|(s, _)| s.is_finite() && *s > 0.0)
		.collect();
	ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
	ranked.truncate(k);
	let scores: Vec<f64> = ranked.iter().map(|(s, _)| *s).collect();
	ranked
		.iter()
		.zip(shares_of(&scores))
		.map(|((_, record), ppb)| Share { record: *record, ppb: ppb as u32 })
		.collect()
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

	fn usage_of(state: &State) -> Usage {
		let mut seen = std::collections::HashSet::new();
		let dataset_bytes = state
			.datasets
			.values()
			.flat_map(|d| d.records.iter())
			.filter(|r| seen.insert(Arc::as_ptr(r)))
			.map(|r| (r.payload.len() as u64).saturating_add(RECORD_OVERHEAD))
			.fold(0u64, u64::saturating_add);
		Usage {
			models: state.models.len(),
			model_bytes: state.models.values().map(|m| m.bytes()).fold(0u64, u64::saturating_add),
			datasets: state.datasets.len(),
			dataset_bytes,
			peak_bytes: state.peak,
		}
	}

	/// The engine holding at most `bytes` at once (at least one model's budget is sensible).
	pub fn with_memory(mut self, bytes: u64) -> Self {
		self.memory = bytes;
		self
	}

	/// Whether version `key` is used: by a model in memory or a training.
	fn pinned(state: &State, key: DatasetKey) -> bool {
		state.models.values().any(|m| m.key == key) || state.training.values().any(|k| *k == key)
	}

	/// Drops version `key` if no model in memory and no training uses it.
	fn drop_unused(state: &mut State, key: DatasetKey) {
		if state.datasets.contains_key(&key) && !Self::pinned(state, key) {
			state.datasets.remove(&key);
			log::debug!(target: "influence", "version {}/{} dropped: no model uses it", key.datanet, key.version);
		}
	}

	/// Evicts, least recently used first, models (but `keep`) and versions no one uses (but
	/// `receiving`) until what the engine holds fits its memory. Returns whether it fits.
	fn fit(&self, state: &mut State, keep: Option<ModelId>, receiving: Option<DatasetKey>) -> bool {
		loop {
			let held = Self::usage_of(state).bytes();
			if held <= self.memory {
				state.peak = state.peak.max(held);
				return true;
			}
			let model = state
				.models
				.keys()
				.filter(|m| Some(**m) != keep && !state.training.contains_key(m))
				.map(|m| (state.used.get(m).copied().unwrap_or(0), 0u8, u64::from(*m)))
				.min();
			let dataset = state
				.datasets
				.iter()
				.filter(|(k, _)| Some(**k) != receiving && !Self::pinned(state, **k))
				.map(|(k, d)| (d.used, 1u8, (u64::from(k.datanet) << 32) | u64::from(k.version)))
				.min();
			match model.into_iter().chain(dataset).min() {
				Some((_, 0, id)) => {
					let id = id as ModelId;
					let key = state.models.remove(&id).map(|m| m.key);
					state.used.remove(&id);
					log::info!(target: "influence", "model {id} evicted from memory (over the engine's memory)");
					if let Some(key) = key {
						Self::drop_unused(state, key);
					}
				},
				Some((_, _, packed)) => {
					let key = DatasetKey {
						datanet: (packed >> 32) as DatanetId,
						version: packed as VersionIndex,
					};
					state.datasets.remove(&key);
					log::info!(target: "influence", "version {}/{} dropped (over the engine's memory)", key.datanet, key.version);
				},
				None => return false,
			}
		}
	}

	/// The engine keeping at most `models` trained models in memory and `stored` model files on
	/// disk (each at least one), evicting the least recently used.
	pub fn with_capacity(mut self, models: usize, stored: usize) -> Self {
		self.max_models = models.max(1);
		self.max_stored = stored.max(1);
		self
	}

	/// Marks model `id` as used now, in memory (`file` false) or on disk.
	fn touch(state: &mut State, id: ModelId, file: bool) {
		state.clock += 1;
		let clock = state.clock;
		if file {
			state.stored.insert(id, clock);
		} else {
			state.used.insert(id, clock);
		}
	}

	/// Keeps model `id` in memory, evicting the least recently used others beyond the count and
	/// the memory.
	fn keep(&self, id: ModelId, model: Model) {
		let mut state = self.state();
		state.models.insert(id, Arc::new(model));
		Self::touch(&mut state, id, false);
		while state.models.len() > self.max_models {
			let oldest = state
				.models
				.keys()
				.filter(|m| **m != id)
				.min_by_key(|m| (state.used.get(m).copied().unwrap_or(0), **m))
				.copied();
			let Some(oldest) = oldest else { break };
			let key = state.models.remove(&oldest).map(|m| m.key);
			state.used.remove(&oldest);
			log::info!(target: "influence", "model {oldest} evicted from memory (unused longest)");
			if let Some(key) = key {
				Self::drop_unused(&mut state, key);
			}
		}
		self.fit(&mut state, Some(id), None);
	}

	/// Deletes the least recently written or read model files beyond the limit, but never
	/// model `id`'s. Best effort: a file that cannot be listed or deleted is logged.
	fn prune_files(&self, dir: &std::path::Path, id: ModelId) {
		let Ok(entries) = std::fs::read_dir(dir) else { return };
		let mut files: Vec<ModelId> = entries
			.filter_map(|e| {
				e.ok()?.file_name().to_str()?.strip_suffix(".safetensors")?.parse().ok()
			})
			.collect();
		if files.len() <= self.max_stored {
			return;
		}
		let mut state = self.state();
		files.sort_by_key(|m| (state.stored.get(m).copied().unwrap_or(0), *m));
		let excess = files.len() - self.max_stored;
		for old in files.into_iter().filter(|m| *m != id).take(excess) {
			match std::fs::remove_file(persist::path(dir, old)) {
				Ok(()) => {
					state.stored.remove(&old);
					log::info!(target: "influence", "model {old} deleted from disk (unused longest)");
				},
				Err(e) => log::warn!(target: "influence", "model {old} could not be deleted: {e}"),
			}
		}
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
		key: DatasetKey,
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
		let mut state = self.state();
		state.clock += 1;
		let clock = state.clock;
		if offset == 0 {
			let fresh = Dataset { schema: *schema, total, records: Vec::new(), used: clock };
			state.datasets.insert(key, fresh);
		}
		let dataset = state.datasets.get(&key).ok_or(EngineError::UnknownDataset)?;
		let received = dataset.records.len() as u32;
		if offset != received || dataset.schema != *schema || dataset.total != total {
			return Err(EngineError::ChunkOutOfOrder { expected: received, got: offset });
		}
		if received as usize + records.len() > total as usize {
			return Err(EngineError::TooManyRecords);
		}
		// A record another version of the Datanet holds at the same position is shared.
		let shared: Vec<Arc<Record>> = records
			.into_iter()
			.enumerate()
			.map(|(i, record)| {
				let at = received as usize + i;
				state
					.datasets
					.iter()
					.filter(|(k, _)| k.datanet == key.datanet && **k != key)
					.find_map(|(_, d)| d.records.get(at).filter(|r| ***r == record).cloned())
					.unwrap_or_else(|| Arc::new(record))
			})
			.collect();
		let Some(dataset) = state.datasets.get_mut(&key) else {
			return Err(EngineError::UnknownDataset);
		};
		dataset.records.extend(shared);
		dataset.used = clock;
		let received = dataset.records.len() as u32;
		if !self.fit(&mut state, None, Some(key)) {
			// Even alone, the version is more than the engine may hold.
			state.datasets.remove(&key);
			let cost = SpecCost { bytes: Self::usage_of(&state).bytes(), flops: 0 };
			return Err(EngineError::OverBudget { what: "memory", cost });
		}
		Ok(received)
	}

	/// Records received of version `key`, and the version's total.
	pub fn progress(&self, key: DatasetKey) -> Option<(u32, u32)> {
		self.state().datasets.get(&key).map(|d| (d.records.len() as u32, d.total))
	}

	/// Forgets the records of version `key` (those shared stay with the other versions).
	pub fn drop_dataset(&self, key: DatasetKey) {
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
			let _ = std::fs::remove_file(persist::path(dir, id));
		}
	}

	/// Trains model `id` by `spec` on the complete version `key`, or returns the report of the
	/// same training done before (in memory, or saved under the engine's directory).
	pub fn train(
		&self,
		id: ModelId,
		key: DatasetKey,
		spec: &ModelSpec,
	) -> Result<TrainReport, EngineError> {
		{
			let mut state = self.state();
			let hit = state.models.get(&id).filter(|m| m.key == key && m.spec == *spec);
			if let Some(report) = hit.map(|m| m.report.clone()) {
				Self::touch(&mut state, id, false);
				return Ok(report);
			}
		}
		let (schema, total) = {
			let state = self.state();
			let dataset = state.datasets.get(&key).ok_or(EngineError::UnknownDataset)?;
			(dataset.schema, dataset.total)
		};
		let cost = spec.cost(&schema, total);
		if let Err(over) = cost.within(&self.budget) {
			let what = if over == SpecError::MemoryOverLimit { "memory" } else { "arithmetic" };
			return Err(EngineError::OverBudget { what, cost });
		}
		let _training = {
			let mut state = self.state();
			if state.training.contains_key(&id) {
				return Err(EngineError::Busy(id));
			}
			state.training.insert(id, key);
			state.clock += 1;
			let clock = state.clock;
			if let Some(d) = state.datasets.get_mut(&key) {
				d.used = clock;
			}
			Training { engine: self, model: id }
		};
		if let Architecture::InfiniGram { .. } = spec.architecture {
			return self.index(id, key, spec);
		}
		let TrainingSet { schema, x, labels, keys, positions, test_x, test_labels } =
			self.training_set(key, spec)?;
		let hyper = Hyper::from(spec);
		let spec_hex = hex(&spec.encode());
		let restored = self.restore(id, key, &spec_hex)?;
		let (network, checkpoints, restored) = match restored {
			Some(stored) => (stored.network, stored.checkpoints, true),
			None => {
				let init =
					Network::init(&spec.architecture, x.cols, schema.classes().into(), spec.seed);
				let trained = train(init, &x, &labels, &keys, &hyper)?;
				(trained.network, trained.checkpoints, false)
			},
		};
		let (right, counted) = if test_labels.is_empty() {
			(correct(&network, &x, &labels), labels.len())
		} else {
			(correct(&network, &test_x, &test_labels), test_labels.len())
		};
		let attribution: Box<dyn Attribution> = match spec.architecture {
			Architecture::SoftmaxRegression => {
				Box::new(ExactInfluence::new(&network, &x, &labels, hyper.l2, EXACT_DAMPING)?)
			},
			Architecture::Mlp1 { .. } | Architecture::Mlp2 { .. } => {
				Box::new(KfacInfluence::new(&network, &x, &labels, KFAC_DAMPING)?)
			},
			Architecture::InfiniGram { .. } => {
				return Err(EngineError::SpecOutOfBounds("an ∞-gram is indexed, not trained"))
			},
		};
		let report = TrainReport {
			accuracy: (right as u64 * BILLION / counted.max(1) as u64) as u32,
			weights_hash: network.weights_hash(),
			records: labels.len() as u32,
			held_out: test_labels.len() as u32,
			restored,
			suspects: quality::suspects(
				&positions,
				&attribution.self_influence(),
				MAX_SUSPECTS as usize,
			),
			duplicates: self.near_duplicates(key, &schema)?,
		};
		if let (Some(dir), false) = (&self.dir, restored) {
			let metadata = HashMap::from([
				("spec".to_string(), spec_hex),
				("schema".to_string(), hex(&schema.encode())),
				("datanet".to_string(), key.datanet.to_string()),
				("version".to_string(), key.version.to_string()),
				("weights_hash".to_string(), hex(report.weights_hash.as_bytes())),
			]);
			let stored = Stored { network: network.clone(), checkpoints, metadata };
			persist::save(&persist::path(dir, id), &stored)?;
		}
		if let Some(dir) = &self.dir {
			Self::touch(&mut self.state(), id, true);
			self.prune_files(dir, id);
		}
		let kind = Kind::Classifier { network, positions, attribution };
		let model = Model { key, spec: *spec, schema, kind, report: report.clone() };
		self.keep(id, model);
		Ok(report)
	}

	/// "Trains" ∞-gram model `id`: indexes the live records of version `key`. The index is
	/// not saved: building it again is faster than reading it.
	fn index(
		&self,
		id: ModelId,
		key: DatasetKey,
		spec: &ModelSpec,
	) -> Result<TrainReport, EngineError> {
		// The records are looked up under the lock, and indexed outside it.
		let (schema, records) = self.records_of(key, spec)?;
		let live = records.iter().enumerate().map(|(i, r)| (i as u32, &r.payload[..]));
		let index = Index::build(live)?;
		let records = index.records() as u32;
		let report = TrainReport {
			// An ∞-gram has no held-out accuracy: it holds out nothing.
			accuracy: 0,
			weights_hash: index.hash(),
			records,
			held_out: 0,
			restored: false,
			suspects: Vec::new(),
			duplicates: self.near_duplicates(key, &schema)?,
		};
		let kind = Kind::InfiniGram(index);
		self.keep(id, Model { key, spec: *spec, schema, kind, report: report.clone() });
		Ok(report)
	}

	/// The saved model `id`, if it was trained by `spec_hex` on `key` and its weights hash
	/// still matches.
	fn restore(
		&self,
		id: ModelId,
		key: DatasetKey,
		spec_hex: &str,
	) -> Result<Option<Stored>, EngineError> {
		let Some(dir) = &self.dir else { return Ok(None) };
		let file = persist::path(dir, id);
		if !file.exists() {
			return Ok(None);
		}
		let stored = persist::load(&file)?;
		let meta = |k: &str| stored.metadata.get(k).map(String::as_str);
		let same = meta("spec") == Some(spec_hex)
			&& meta("datanet") == Some(&key.datanet.to_string())
			&& meta("version") == Some(&key.version.to_string())
			&& meta("weights_hash") == Some(&hex(stored.network.weights_hash().as_bytes()));
		Ok(same.then_some(stored))
	}

	/// The near-duplicates among the records of version `key`.
	fn near_duplicates(
		&self,
		key: DatasetKey,
		schema: &Schema,
	) -> Result<Vec<(u32, u32)>, EngineError> {
		let records = {
			let state = self.state();
			state.datasets.get(&key).ok_or(EngineError::UnknownDataset)?.records.clone()
		};
		let payloads: Vec<&[u8]> = records.iter().map(|r| r.payload.as_slice()).collect();
		Ok(quality::near_duplicates(schema, &payloads, MAX_DUPLICATES as usize))
	}

	/// The schema and records of version `key`, received in full, with `spec` fitting its
	/// schema and the engine's bounds: looked up under the lock, for work outside it.
	fn records_of(
		&self,
		key: DatasetKey,
		spec: &ModelSpec,
	) -> Result<(Schema, Vec<Arc<Record>>), EngineError> {
		let state = self.state();
		let dataset = Self::complete(&state, key, spec)?;
		Ok((dataset.schema, dataset.records.clone()))
	}

	/// Version `key`, received in full, with `spec` fitting its schema and the engine's bounds.
	fn complete<'s>(
		state: &'s State,
		key: DatasetKey,
		spec: &ModelSpec,
	) -> Result<&'s Dataset, EngineError> {
		let dataset = state.datasets.get(&key).ok_or(EngineError::UnknownDataset)?;
		let received = dataset.records.len() as u32;
		if received != dataset.total {
			return Err(EngineError::IncompleteDataset { received, total: dataset.total });
		}
		spec.check(&dataset.schema, &LIMITS).map_err(spec_error)?;
		Ok(dataset)
	}

	/// The features and labels of version `key` under `spec`, split into training and held-out
	/// records, with the training records' hashes and positions.
	fn training_set(&self, key: DatasetKey, spec: &ModelSpec) -> Result<TrainingSet, EngineError> {
		let (schema, records) = self.records_of(key, spec)?;
		let (mut train_rows, mut labels, mut positions) = (Vec::new(), Vec::new(), Vec::new());
		let (mut keys, mut test_rows, mut test_labels) = (Vec::new(), Vec::new(), Vec::new());
		for (i, r) in records.iter().enumerate().filter(|(_, r)| !r.payload.is_empty()) {
			let x = featurize(&spec.featurizer, &schema, &r.payload, i)?;
			let hash = record_hash(&r.payload, r.label);
			if is_held_out(&hash) {
				test_rows.push(x);
				test_labels.push(usize::from(r.label));
			} else {
				train_rows.push(x);
				labels.push(usize::from(r.label));
				keys.push(hash.0);
				positions.push(i as u32);
			}
		}
		if train_rows.is_empty() {
			return Err(EngineError::EmptyTrainingSet);
		}
		Ok(TrainingSet {
			schema,
			x: Matrix::from_rows(&train_rows),
			labels,
			keys,
			positions,
			test_x: Matrix::from_rows(&test_rows),
			test_labels,
		})
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
		let (network, positions, attribution) = match &model.kind {
			Kind::Classifier { network, positions, attribution } => {
				(network, positions, attribution)
			},
			Kind::InfiniGram(index) => {
				let Architecture::InfiniGram { max_tokens } = model.spec.architecture else {
					return Err(EngineError::SpecOutOfBounds("an index without an ∞-gram spec"));
				};
				model
					.schema
					.check_input(input, MAX_PROMPT_BYTES)
					.map_err(|e| EngineError::MalformedInput(record_error(e)))?;
				let generated =
					index.generate(input, max_tokens.into(), MAX_GENERATED_BYTES as usize, top_k);
				let first = generated.steps.first().map(|s| {
					(u128::from(s.occurrences) * u128::from(BILLION) / u128::from(s.total.max(1)))
						as u32
				});
				return Ok(Prediction {
					label: 0,
					probabilities: vec![first.unwrap_or(0)],
					proponents: generated.shares.clone(),
					opponents: Vec::new(),
					generated: Some(generated),
				});
			},
		};
		let features =
			featurize(&model.spec.featurizer, &model.schema, input, 0).map_err(|e| match e {
				EngineError::MalformedRecord { reason, .. } => EngineError::MalformedInput(reason),
				other => other,
			})?;
		let query = Matrix { rows: 1, cols: features.len(), data: features };
		let probs = network.forward(&query).probs.data;
		let label = probs
			.iter()
			.enumerate()
			.fold(0, |best, (c, p)| if *p > probs[best] { c } else { best });
		let scores = attribution.scores(&query, &[label]).data;
		Ok(Prediction {
			label: label as ClassLabel,
			probabilities: shares_of(&probs).into_iter().map(|p| p as u32).collect(),
			proponents: top(&scores, positions, top_k, 1.0),
			opponents: top(&scores, positions, top_k, -1.0),
			generated: None,
		})
	}

	/// The self-influence of every training record of model `id`, by position, highest (most
	/// suspect) first.
	pub fn self_influence(&self, id: ModelId) -> Result<Vec<(u32, f64)>, EngineError> {
		let model = self.model(id)?;
		match &model.kind {
			Kind::Classifier { positions, attribution, .. } => {
				Ok(quality::ranked(positions, &attribution.self_influence()))
			},
			Kind::InfiniGram(_) => Ok(Vec::new()),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use openledger_primitives::models::Featurizer;
	use sp_runtime::Perbill;

	const KEY: DatasetKey = DatasetKey { datanet: 1, version: 0 };

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
			checkpoints: 2,
			seed: 11,
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
			assert_eq!(p.label, 0);
			assert_eq!(p.probabilities.iter().map(|v| u64::from(*v)).sum::<u64>(), BILLION);
			for set in [&p.proponents, &p.opponents] {
				assert!(!set.is_empty() && set.len() <= 10);
				assert_eq!(set.iter().map(|s| u64::from(s.ppb)).sum::<u64>(), BILLION);
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
			assert!(p.proponents.windows(2).all(|w| w[0].ppb >= w[1].ppb));

			let selfs = engine.self_influence(7).unwrap();
			assert_eq!(selfs.len(), report.records as usize);
			assert!(selfs.windows(2).all(|w| w[0].1 >= w[1].1));
		}
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
		let tight = SpecCost { bytes: cost.bytes - 1, flops: u64::MAX };
		let engine = Engine::new(None).unwrap().with_budget(tight);
		ingest_all(&engine, &data, 90);
		assert_eq!(
			engine.train(1, KEY, &spec),
			Err(EngineError::OverBudget { what: "memory", cost })
		);
		let slow = SpecCost { bytes: u64::MAX, flops: cost.flops - 1 };
		let engine = Engine::new(None).unwrap().with_budget(slow);
		ingest_all(&engine, &data, 90);
		assert_eq!(
			engine.train(1, KEY, &spec),
			Err(EngineError::OverBudget { what: "arithmetic", cost })
		);
		assert!(!engine.has_model(1) && engine.state().training.is_empty());

		// While model 1 is in training elsewhere, a second caller is told so and waits.
		let engine = Engine::new(None).unwrap().with_budget(cost);
		ingest_all(&engine, &data, 90);
		engine.state().training.insert(1, KEY);
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
		assert!(persist::path(&dir, 1).exists());
		// Using model 2 makes 3 the oldest in memory; model 1 comes back from its file.
		engine.infer(2, &[2, 2, 15, 1], 3).unwrap();
		assert!(engine.train(1, KEY, &spec).unwrap().restored);
		assert!(engine.has_model(1) && engine.has_model(2) && !engine.has_model(3));
		// A fourth file is one too many: model 2's file, written longest ago, goes (model 1's
		// was read since, model 3's written after).
		engine.train(4, KEY, &spec).unwrap();
		let on_disk: Vec<bool> = (1..=4).map(|id| persist::path(&dir, id).exists()).collect();
		assert_eq!(on_disk, vec![true, false, true, true]);
		std::fs::remove_dir_all(&dir).unwrap();
	}

	#[test]
	fn versions_of_a_datanet_share_their_records_and_an_unused_one_is_dropped() {
		let engine = Engine::new(None).unwrap();
		let data = records(90);
		let (v1, v2) =
			(DatasetKey { datanet: 1, version: 1 }, DatasetKey { datanet: 1, version: 2 });
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
			let key = DatasetKey { datanet: 7, version: v };
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
		assert!(persist::path(&dir, 3).exists());
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
		assert!(!persist::path(&dir, 3).exists());
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
}
