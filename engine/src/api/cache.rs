//! The engine's memory: the models it keeps, the budget in bytes that covers models and Datanet
//! versions alike, and the eviction, least recently used first, of models, versions no model
//! uses, and model files beyond their count.

use std::sync::Arc;

use openledger_primitives::{
	datanets::{DatanetId, VersionIndex},
	models::{ModelId, Source, SpecCost},
};

use super::{store, DatasetRef, Engine, Kind, Model, State};

/// What the engine gives one model by default: 8 GiB and 10^13 floating-point operations (a few
/// minutes on two cores), twice the chain's default `CostLimit` in memory and five times in
/// arithmetic, so that every model the chain accepts by default trains. Operators set their own
/// with `--attribution-memory-mib` and `--attribution-gflop`.
pub const DEFAULT_BUDGET: SpecCost =
	SpecCost { bytes: 8 << 30, flops: 10_000_000_000_000, query_flops: 100_000_000_000 };

/// The most trained models the engine keeps in memory by default (`--attribution-max-models`).
pub const DEFAULT_MAX_MODELS: usize = 64;
/// The most memory the engine holds at once by default (`--attribution-held-mib`): the budget
/// of one model, so that every model the engine accepts fits, beside the rest it holds.
pub const DEFAULT_MEMORY: u64 = DEFAULT_BUDGET.bytes;
/// What a record costs beyond its payload: its `Arc`, its `Vec` and its label.
pub(super) const RECORD_OVERHEAD: u64 = 64;
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

impl Engine {
	pub(super) fn usage_of(state: &State) -> Usage {
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

	/// Whether version `key` is used: by a model in memory or a training.
	fn pinned(state: &State, key: DatasetRef) -> bool {
		state.models.values().any(|m| m.sources.iter().any(|s| s.dataset() == key))
			|| state.training.values().any(|keys| keys.contains(&key))
	}

	/// Drops the versions of `sources` that no model in memory and no training uses.
	fn drop_unused(state: &mut State, sources: &[Source]) {
		for key in sources.iter().map(Source::dataset) {
			if state.datasets.contains_key(&key) && !Self::pinned(state, key) {
				state.datasets.remove(&key);
				log::debug!(target: "influence", "version {}/{} dropped: no model uses it", key.datanet, key.version);
			}
		}
	}

	/// Evicts, least recently used first, models (but `keep`) and versions no one uses (but
	/// `receiving`) until what the engine holds fits its memory. Returns whether it fits.
	pub(super) fn fit(
		&self,
		state: &mut State,
		keep: Option<ModelId>,
		receiving: Option<DatasetRef>,
	) -> bool {
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
					let model = state.models.remove(&id);
					state.used.remove(&id);
					log::info!(target: "influence", "model {id} evicted from memory (over the engine's memory)");
					if let Some(model) = model {
						Self::drop_unused(state, &model.sources);
					}
				},
				Some((_, _, packed)) => {
					let key = DatasetRef {
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

	/// Marks model `id` as used now, in memory (`file` false) or on disk.
	pub(super) fn touch(state: &mut State, id: ModelId, file: bool) {
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
	pub(super) fn keep(&self, id: ModelId, model: Model) {
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
			let model = state.models.remove(&oldest);
			state.used.remove(&oldest);
			log::info!(target: "influence", "model {oldest} evicted from memory (unused longest)");
			if let Some(model) = model {
				Self::drop_unused(&mut state, &model.sources);
			}
		}
		self.fit(&mut state, Some(id), None);
	}

	/// Deletes the least recently written or read model files beyond the limit, but never
	/// model `id`'s. Best effort: a file that cannot be listed or deleted is logged.
	pub(super) fn prune_files(&self, dir: &std::path::Path, id: ModelId) {
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
			match std::fs::remove_file(store::path(dir, old)) {
				Ok(()) => {
					state.stored.remove(&old);
					log::info!(target: "influence", "model {old} deleted from disk (unused longest)");
				},
				Err(e) => log::warn!(target: "influence", "model {old} could not be deleted: {e}"),
			}
		}
	}
}
