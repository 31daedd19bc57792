//! Where the engine keeps what it is given and what it makes.
//!
//! **Datanet versions** ([`Engine::ingest`]) are staged in memory as they arrive, chunk by chunk
//! and in order, until they are complete and trained on; a record that another version of the
//! same Datanet holds at the same position is shared, not copied.
//!
//! **Trained models** are kept on disk as safetensors.
//!
//! One file per model, `<dir>/<model id>.safetensors`, written from candle tensors and read
//! back into them (candle's safetensors support, with our metadata in the header). The tensors
//! are f64, little-endian, so a model loads back bit-identically:
//! `final.<l>.weight` (`[out, in]`) and `final.<l>.bias` (`[out]`) for each layer `l`. (Files of
//! earlier versions also hold TracIn checkpoints, which loading ignores.)
//!
//! The header's metadata holds strings: `format`, the SCALE-encoded spec and schema in hex
//! (`spec`, `schema`), the sources (`sources`: `datanet/version:records*weight`, comma-separated),
//! and the training report. A file is written to a
//! temporary name and renamed, so that a crash never leaves half a model.

use std::{
	collections::HashMap,
	path::{Path, PathBuf},
	sync::Arc,
};

use candle_core::{DType, Device, Tensor};
use openledger_primitives::{
	datanets::Schema,
	models::{positions, ModelSpec, Source, SpecCost, MAX_SOURCE_WEIGHT},
};
use safetensors::SafeTensors;

use super::{spec_error, DatasetRef, Engine, Record, State, LIMITS};
use crate::{
	classifier::model::{Layer, Network},
	error::EngineError,
};

/// A Datanet version received, whole or in part.
pub(super) struct Dataset {
	pub(super) schema: Schema,
	pub(super) total: u32,
	/// The records received, in order; shared with other versions of the Datanet that hold the
	/// same record at the same position.
	pub(super) records: Vec<Arc<Record>>,
	/// When it was last received into or trained on, for eviction.
	pub(super) used: u64,
}

impl Engine {
	/// Stores `records`, the chunk of version `key` at position `offset` that
	/// [`Engine::ingest`] checked: a record another version of the Datanet holds at the same
	/// position is shared. Returns the records received so far.
	pub(super) fn stage(
		&self,
		key: DatasetRef,
		schema: &Schema,
		total: u32,
		offset: u32,
		records: Vec<Record>,
	) -> Result<u32, EngineError> {
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
			let cost = SpecCost { bytes: Self::usage_of(&state).bytes(), ..SpecCost::default() };
			return Err(EngineError::OverBudget { what: "memory", cost });
		}
		Ok(received)
	}

	/// The schema of `sources`, versions received in full, each of the record count it names
	/// and all of one schema, with weights in bounds (1 for an index).
	pub(super) fn schema_of(state: &State, sources: &[Source]) -> Result<Schema, EngineError> {
		let mut schema = None;
		for s in sources {
			if !(1..=MAX_SOURCE_WEIGHT).contains(&s.weight) {
				return Err(EngineError::SourceMismatch("a weight out of bounds"));
			}
			let dataset = state.datasets.get(&s.dataset()).ok_or(EngineError::UnknownDataset)?;
			let received = dataset.records.len() as u32;
			if received != dataset.total {
				return Err(EngineError::IncompleteDataset { received, total: dataset.total });
			}
			if dataset.total != s.records {
				return Err(EngineError::SourceMismatch(
					"a record count that is not the version's",
				));
			}
			if *schema.get_or_insert(dataset.schema) != dataset.schema {
				return Err(EngineError::SourceMismatch("versions of different schemas"));
			}
		}
		if positions(sources).is_none() {
			return Err(EngineError::TooManyRecords);
		}
		schema.ok_or(EngineError::SourceMismatch("no source"))
	}

	/// The schema of `sources` ([`Engine::schema_of`]), with `spec` fitting it and the engine's
	/// bounds, and their records one after another, each once: looked up under the lock, for
	/// work outside it.
	pub(super) fn records_of(
		&self,
		sources: &[Source],
		spec: &ModelSpec,
	) -> Result<(Schema, Vec<Arc<Record>>), EngineError> {
		let state = self.state();
		let schema = Self::schema_of(&state, sources)?;
		spec.check(&schema, &LIMITS).map_err(spec_error)?;
		if spec.indexes() && sources.iter().any(|s| s.weight != 1) {
			return Err(EngineError::SourceMismatch("an index takes each source once"));
		}
		let mut records = Vec::new();
		for s in sources {
			if let Some(d) = state.datasets.get(&s.dataset()) {
				records.extend(d.records.iter().cloned());
			}
		}
		Ok((schema, records))
	}
}

/// The `format` the metadata names.
pub const FORMAT: &str = "openledger-model/1";

/// A model as stored: its network and its metadata.
#[derive(Clone, Debug)]
pub struct Stored {
	/// The final parameters.
	pub network: Network,
	/// The metadata strings (see the module docs).
	pub metadata: HashMap<String, String>,
}

fn storage(what: impl core::fmt::Display) -> EngineError {
	EngineError::Storage(what.to_string())
}

fn push_network(
	out: &mut Vec<(String, Tensor)>,
	prefix: &str,
	net: &Network,
) -> Result<(), EngineError> {
	for (l, layer) in net.layers.iter().enumerate() {
		out.push((format!("{prefix}.{l}.weight"), layer.w.clone()));
		out.push((format!("{prefix}.{l}.bias"), layer.b.flatten_all().map_err(storage)?));
	}
	Ok(())
}

/// Where model `id` lives under `dir`.
pub fn path(dir: &Path, id: u32) -> PathBuf {
	dir.join(format!("{id}.safetensors"))
}

/// Writes a model to `path` (through a temporary file).
pub fn save(path: &Path, stored: &Stored) -> Result<(), EngineError> {
	let mut tensors = Vec::new();
	push_network(&mut tensors, "final", &stored.network)?;
	let mut metadata = stored.metadata.clone();
	metadata.insert("format".into(), FORMAT.into());
	let tmp = path.with_extension("safetensors.tmp");
	safetensors::serialize_to_file(tensors, Some(metadata), &tmp).map_err(storage)?;
	std::fs::rename(&tmp, path).map_err(storage)
}

/// The f64 tensor `name` of `shape`.
fn read<'a>(
	tensors: &'a HashMap<String, Tensor>,
	name: &str,
	shape: &[usize],
) -> Result<&'a Tensor, EngineError> {
	let t = tensors.get(name).ok_or_else(|| storage(format!("no tensor {name}")))?;
	if t.dtype() != DType::F64 || t.dims() != shape {
		return Err(storage(format!("tensor {name} has the wrong type or shape")));
	}
	Ok(t)
}

fn read_network(tensors: &HashMap<String, Tensor>, prefix: &str) -> Result<Network, EngineError> {
	let mut layers = Vec::new();
	while let Some(t) = tensors.get(&format!("{prefix}.{}.weight", layers.len())) {
		let l = layers.len();
		let &[rows, cols] = t.dims() else {
			return Err(storage(format!("tensor {prefix}.{l}.weight is not a matrix")));
		};
		let w = read(tensors, &format!("{prefix}.{l}.weight"), &[rows, cols])?;
		let b = read(tensors, &format!("{prefix}.{l}.bias"), &[rows])?;
		layers.push(Layer {
			w: w.contiguous().map_err(storage)?,
			b: b.reshape((1, rows)).map_err(storage)?,
		});
	}
	if layers.is_empty() {
		return Err(storage(format!("no layers under {prefix}")));
	}
	Ok(Network { layers })
}

/// Reads a model back from `path`.
pub fn load(path: &Path) -> Result<Stored, EngineError> {
	let buffer = std::fs::read(path).map_err(storage)?;
	let (_, header) = SafeTensors::read_metadata(&buffer).map_err(storage)?;
	let metadata = header.metadata().clone().unwrap_or_default();
	if metadata.get("format").map(String::as_str) != Some(FORMAT) {
		return Err(storage("not an OpenLedger model file"));
	}
	let tensors = candle_core::safetensors::load_buffer(&buffer, &Device::Cpu).map_err(storage)?;
	let network = read_network(&tensors, "final")?;
	Ok(Stored { network, metadata })
}

#[cfg(test)]
mod tests {
	use super::*;
	use openledger_primitives::models::Architecture;

	#[test]
	fn a_model_loads_back_bit_identically() {
		let dir = std::env::temp_dir().join(format!("openledger-persist-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let net = |seed| Network::init(&Architecture::Mlp2 { hidden: [5, 4] }, 7, 3, seed).unwrap();
		let stored = Stored {
			network: net(1),
			metadata: HashMap::from([("spec".to_string(), "00ff".to_string())]),
		};
		let file = path(&dir, 9);
		save(&file, &stored).unwrap();
		let loaded = load(&file).unwrap();
		let bits = |net: &Network| -> Vec<Vec<u64>> {
			net.layers
				.iter()
				.flat_map(|l| [&l.w, &l.b])
				.map(|t| t.flatten_all().unwrap().to_vec1::<f64>().unwrap())
				.map(|v| v.iter().map(|x| x.to_bits()).collect())
				.collect()
		};
		assert_eq!(bits(&loaded.network), bits(&stored.network));
		let shapes = |net: &Network| -> Vec<Vec<usize>> {
			net.layers.iter().flat_map(|l| [l.w.dims().to_vec(), l.b.dims().to_vec()]).collect()
		};
		assert_eq!(shapes(&loaded.network), shapes(&stored.network));
		assert_eq!(loaded.network.weights_hash().unwrap(), stored.network.weights_hash().unwrap());
		assert_eq!(loaded.metadata.get("spec").map(String::as_str), Some("00ff"));

		std::fs::write(&file, b"not a model").unwrap();
		assert!(matches!(load(&file), Err(EngineError::Storage(_))));
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
