//! Trained models on disk, as safetensors.
//!
//! One file per model, `<dir>/<model id>.safetensors`, written from candle tensors and read
//! back into them (candle's safetensors support, with our metadata in the header). The tensors
//! are f64, little-endian, so a model loads back bit-identically:
//! - `final.<l>.weight` (`[out, in]`) and `final.<l>.bias` (`[out]`) for each layer `l`;
//! - `checkpoint.<k>.<l>.weight` and `checkpoint.<k>.<l>.bias` for each checkpoint `k`.
//!
//! The header's metadata holds strings: `format`, the SCALE-encoded spec and schema in hex
//! (`spec`, `schema`), the Datanet version (`datanet`, `version`), each checkpoint's epoch and
//! learning rate (the f64's bits in hex), and the training report. A file is written to a
//! temporary name and renamed, so that a crash never leaves half a model.

use std::{
	collections::HashMap,
	path::{Path, PathBuf},
};

use candle_core::{DType, Device, Tensor};
use safetensors::SafeTensors;

use crate::{
	linalg::Matrix,
	model::{Layer, Network},
	train::Checkpoint,
	EngineError,
};

/// The `format` the metadata names.
pub const FORMAT: &str = "openledger-model/1";

/// A model as stored: its networks and its metadata.
#[derive(Clone, Debug, PartialEq)]
pub struct Stored {
	/// The final parameters.
	pub network: Network,
	/// The checkpoints.
	pub checkpoints: Vec<Checkpoint>,
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
		out.push((format!("{prefix}.{l}.weight"), layer.w.to_tensor().map_err(storage)?));
		let bias = Tensor::from_slice(&layer.b, layer.b.len(), &Device::Cpu).map_err(storage)?;
		out.push((format!("{prefix}.{l}.bias"), bias));
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
	metadata.insert("checkpoints".into(), stored.checkpoints.len().to_string());
	for (k, ck) in stored.checkpoints.iter().enumerate() {
		push_network(&mut tensors, &format!("checkpoint.{k}"), &ck.network)?;
		metadata.insert(format!("checkpoint.{k}.epoch"), ck.epoch.to_string());
		metadata.insert(
			format!("checkpoint.{k}.learning_rate"),
			format!("{:016x}", ck.learning_rate.to_bits()),
		);
	}
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
			w: Matrix::from_tensor(w).map_err(storage)?,
			b: b.to_vec1().map_err(storage)?,
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
	let count: usize = metadata
		.get("checkpoints")
		.and_then(|v| v.parse().ok())
		.ok_or_else(|| storage("no checkpoint count"))?;
	let mut checkpoints = Vec::with_capacity(count);
	for k in 0..count {
		let epoch = metadata
			.get(&format!("checkpoint.{k}.epoch"))
			.and_then(|v| v.parse().ok())
			.ok_or_else(|| storage(format!("no epoch for checkpoint {k}")))?;
		let learning_rate = metadata
			.get(&format!("checkpoint.{k}.learning_rate"))
			.and_then(|v| u64::from_str_radix(v, 16).ok())
			.map(f64::from_bits)
			.ok_or_else(|| storage(format!("no learning rate for checkpoint {k}")))?;
		let network = read_network(&tensors, &format!("checkpoint.{k}"))?;
		checkpoints.push(Checkpoint { epoch, learning_rate, network });
	}
	Ok(Stored { network, checkpoints, metadata })
}

#[cfg(test)]
mod tests {
	use super::*;
	use openledger_primitives::models::Architecture;

	#[test]
	fn a_model_loads_back_bit_identically() {
		let dir = std::env::temp_dir().join(format!("openledger-persist-{}", std::process::id()));
		std::fs::create_dir_all(&dir).unwrap();
		let net = |seed| Network::init(&Architecture::Mlp2 { hidden: [5, 4] }, 7, 3, seed);
		let stored = Stored {
			network: net(1),
			checkpoints: vec![
				Checkpoint { epoch: 2, learning_rate: 0.1, network: net(2) },
				Checkpoint { epoch: 4, learning_rate: 1.0 / 3.0, network: net(1) },
			],
			metadata: HashMap::from([("spec".to_string(), "00ff".to_string())]),
		};
		let file = path(&dir, 9);
		save(&file, &stored).unwrap();
		let loaded = load(&file).unwrap();
		assert_eq!(loaded.network, stored.network);
		assert_eq!(loaded.network.weights_hash(), stored.network.weights_hash());
		assert_eq!(loaded.checkpoints, stored.checkpoints);
		assert_eq!(loaded.metadata.get("spec").map(String::as_str), Some("00ff"));

		std::fs::write(&file, b"not a model").unwrap();
		assert!(matches!(load(&file), Err(EngineError::Storage(_))));
		std::fs::remove_dir_all(&dir).unwrap();
	}
}
