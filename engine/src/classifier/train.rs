//! Minibatch SGD with momentum, in an order that is a function of the records themselves, on
//! candle tensors ([`Network`]).
//!
//! `v ← μ v + ∇L(batch)`, `θ ← θ - η v` with `μ` = [`MOMENTUM`] and `η` the spec's learning
//! rate. Epoch `e` visits the records sorted by `blake3("epoch-order" ‖ seed ‖ e ‖ key)`, with
//! `key` the record's hash ([`epoch_order`]). A record's place depends only on its own key, so
//! removing a record (moderation, withdrawal, the held-out split) leaves every other record's
//! relative order unchanged: "the model without record i" sees the same sequence less `i`.
//! (A Fisher–Yates shuffle of positions, the earlier rule, reshuffled everything after a
//! removal.) An evaluation may ask for `C` checkpoints ([`Hyper::checkpoints`], for TracIn in
//! `engine-eval`), kept at the ends of epochs `⌈k·E/C⌉` for `k = 1..=C`, each with the learning
//! rate in force; the chain's models keep none.

use openledger_primitives::models::ModelSpec;

use candle_core::Tensor;

use crate::{
	classifier::model::{Forward, Layer, Network},
	error::EngineError,
	numeric::tensor::{scalar, select_rows},
};

/// The momentum coefficient.
pub const MOMENTUM: f64 = 0.9;

/// A snapshot of the parameters during training, for TracIn.
#[derive(Clone, Debug)]
pub struct Checkpoint {
	/// The epoch after which it was taken (from 1).
	pub epoch: u16,
	/// The learning rate in force.
	pub learning_rate: f64,
	/// The parameters.
	pub network: Network,
}

/// A trained model.
#[derive(Clone, Debug)]
pub struct Trained {
	/// The final parameters.
	pub network: Network,
	/// The checkpoints asked for, in training order (the last is then the final network).
	pub checkpoints: Vec<Checkpoint>,
}

/// The spec's hyperparameters as numbers.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Hyper {
	/// Passes over the data.
	pub epochs: u16,
	/// The learning rate.
	pub learning_rate: f64,
	/// Records per minibatch.
	pub batch_size: usize,
	/// The L2 coefficient.
	pub l2: f64,
	/// Checkpoints kept (0 for none, as for every model of the chain: no attribution method of
	/// the chain's uses them).
	pub checkpoints: u8,
	/// The seed.
	pub seed: u64,
}

impl From<&ModelSpec> for Hyper {
	fn from(spec: &ModelSpec) -> Self {
		Self {
			epochs: spec.epochs,
			learning_rate: f64::from(spec.learning_rate.deconstruct()) / 1e9,
			batch_size: usize::from(spec.batch_size),
			l2: f64::from(spec.l2.deconstruct()) / 1e9,
			checkpoints: 0,
			seed: spec.seed,
		}
	}
}

impl Hyper {
	/// `SpecOutOfBounds` for zero epochs or batch size, or a learning rate that is not
	/// positive.
	pub(crate) fn check(&self) -> Result<(), EngineError> {
		if self.batch_size == 0
			|| self.epochs == 0
			|| self.learning_rate.is_nan()
			|| self.learning_rate <= 0.0
		{
			return Err(EngineError::SpecOutOfBounds("zero epochs, batch size or learning rate"));
		}
		Ok(())
	}
}

/// The epochs after which checkpoints are taken: `⌈k·E/C⌉` for `k = 1..=C` (none for 0).
pub fn checkpoint_epochs(epochs: u16, checkpoints: u8) -> Vec<u16> {
	let (e, c) = (u32::from(epochs), u32::from(checkpoints));
	let mut out: Vec<u16> = (1..=c).map(|k| (k * e).div_ceil(c) as u16).collect();
	out.dedup();
	out
}

/// The order in which epoch `epoch` visits records with `keys`: their indices sorted by
/// `blake3("epoch-order" ‖ seed (u64 LE) ‖ epoch (u16 LE) ‖ key)`, ties (equal keys) by index.
pub fn epoch_order(keys: &[[u8; 32]], seed: u64, epoch: u16) -> Vec<usize> {
	let mut ranked: Vec<([u8; 32], usize)> = keys
		.iter()
		.enumerate()
		.map(|(i, key)| {
			let mut hasher = blake3::Hasher::new();
			hasher.update(b"epoch-order");
			hasher.update(&seed.to_le_bytes());
			hasher.update(&epoch.to_le_bytes());
			hasher.update(key);
			(*hasher.finalize().as_bytes(), i)
		})
		.collect();
	ranked.sort_unstable();
	ranked.into_iter().map(|(_, i)| i).collect()
}

/// Trains a network of `spec`'s architecture on features `x` (`[n, dims]`) and labels; `keys`
/// (the records' hashes) set the order of each epoch.
pub fn train(
	network: Network,
	x: &Tensor,
	labels: &[usize],
	keys: &[[u8; 32]],
	hyper: &Hyper,
) -> Result<Trained, EngineError> {
	assert_eq!(keys.len(), labels.len(), "one key per record");
	train_in_order(network, x, labels, hyper, |epoch| epoch_order(keys, hyper.seed, epoch))
}

/// [`train`] with each epoch's order given by `order(epoch)`, a permutation of `0..n`: the
/// engine uses [`epoch_order`]; evaluations compare other orders.
pub fn train_in_order(
	network: Network,
	x: &Tensor,
	labels: &[usize],
	hyper: &Hyper,
	order: impl Fn(u16) -> Vec<usize>,
) -> Result<Trained, EngineError> {
	let (rows, _) = x.dims2()?;
	assert_eq!(rows, labels.len(), "one label per row");
	if rows == 0 || labels.is_empty() {
		return Err(EngineError::EmptyTrainingSet);
	}
	if labels.iter().all(|y| *y == labels[0]) {
		return Err(EngineError::SingleClass);
	}
	hyper.check()?;
	Ok(descend(network, x, labels, hyper, order)?)
}

/// The velocity of every layer's weights and biases.
pub(crate) type Velocity = Vec<(Tensor, Tensor)>;

/// The coefficients of a step: momentum, learning rate and L2.
pub(crate) struct Sgd {
	momentum: Tensor,
	rate: Tensor,
	l2: f64,
}

impl Sgd {
	pub(crate) fn new(hyper: &Hyper) -> candle_core::Result<Self> {
		Ok(Self { momentum: scalar(MOMENTUM)?, rate: scalar(hyper.learning_rate)?, l2: hyper.l2 })
	}

	/// A zero velocity for `params`.
	pub(crate) fn still(params: &Network) -> candle_core::Result<Velocity> {
		params.layers.iter().map(|l| Ok((l.w.zeros_like()?, l.b.zeros_like()?))).collect()
	}

	/// One step on the records `batch` of `x`: `v ← μ v + ∇L(batch)`, `θ ← θ - η v`. Returns
	/// the batch's forward pass and errors at the parameters before the step (for replay).
	pub(crate) fn step(
		&self,
		params: &mut Network,
		velocity: &mut Velocity,
		x: &Tensor,
		labels: &[usize],
		batch: &[usize],
	) -> candle_core::Result<(Forward, Vec<Tensor>)> {
		let xb = select_rows(x, batch)?;
		let yb: Vec<usize> = batch.iter().map(|i| labels[*i]).collect();
		let (fwd, deltas) = params.forward_and_deltas(&xb, &yb)?;
		let grad = params.gradient_of(&fwd, &deltas, self.l2)?;
		for ((Layer { w, b }, (vw, vb)), Layer { w: gw, b: gb }) in
			params.layers.iter_mut().zip(velocity.iter_mut()).zip(grad)
		{
			*vw = vw.broadcast_mul(&self.momentum)?.add(&gw)?;
			*w = w.sub(&vw.broadcast_mul(&self.rate)?)?;
			*vb = vb.broadcast_mul(&self.momentum)?.add(&gb)?;
			*b = b.sub(&vb.broadcast_mul(&self.rate)?)?;
		}
		Ok((fwd, deltas))
	}
}

/// The descent itself: the features, the parameters and their velocities stay tensors from
/// the first step to the last.
fn descend(
	mut params: Network,
	x: &Tensor,
	labels: &[usize],
	hyper: &Hyper,
	order: impl Fn(u16) -> Vec<usize>,
) -> candle_core::Result<Trained> {
	let sgd = Sgd::new(hyper)?;
	let mut velocity = Sgd::still(&params)?;
	let keep = checkpoint_epochs(hyper.epochs, hyper.checkpoints);
	let mut checkpoints = Vec::with_capacity(keep.len());

	for epoch in 1..=hyper.epochs {
		let order = order(epoch);
		for batch in order.chunks(hyper.batch_size) {
			sgd.step(&mut params, &mut velocity, x, labels, batch)?;
		}
		if keep.contains(&epoch) {
			checkpoints.push(Checkpoint {
				epoch,
				learning_rate: hyper.learning_rate,
				network: params.clone(),
			});
		}
	}
	Ok(Trained { network: params, checkpoints })
}

/// The number of records whose predicted class is their label.
pub fn correct(net: &Network, x: &Tensor, labels: &[usize]) -> Result<usize, EngineError> {
	if labels.is_empty() {
		return Ok(0);
	}
	Ok(net.predict(x)?.iter().zip(labels).filter(|(p, y)| p == y).count())
}

/// The share of records whose predicted class is their label (1 for an empty set).
pub fn accuracy(net: &Network, x: &Tensor, labels: &[usize]) -> Result<f64, EngineError> {
	if labels.is_empty() {
		return Ok(1.0);
	}
	Ok(correct(net, x, labels)? as f64 / labels.len() as f64)
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;
	use openledger_primitives::models::Architecture;

	/// A distinct key per record.
	pub(crate) fn keys(n: usize) -> Vec<[u8; 32]> {
		(0..n as u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect()
	}

	fn blobs() -> (Tensor, Vec<usize>) {
		// Three separable clusters in 2-D.
		let mut rows = Vec::new();
		let mut labels = Vec::new();
		for i in 0..60 {
			let c = i % 3;
			let t = i as f64 * 0.37;
			let (cx, cy) = [(0.0, 0.0), (3.0, 0.0), (0.0, 3.0)][c];
			rows.push(vec![cx + 0.4 * t.sin(), cy + 0.4 * t.cos()]);
			labels.push(c);
		}
		(crate::numeric::tensor::from_rows(&rows).unwrap(), labels)
	}

	fn hyper() -> Hyper {
		Hyper { epochs: 30, learning_rate: 0.1, batch_size: 8, l2: 1e-4, checkpoints: 3, seed: 5 }
	}

	#[test]
	fn training_fits_separable_data_and_keeps_checkpoints() {
		let (x, y) = blobs();
		let net = Network::init(&Architecture::Mlp1 { hidden: 8 }, 2, 3, 5).unwrap();
		let trained = train(net, &x, &y, &keys(y.len()), &hyper()).unwrap();
		assert_eq!(accuracy(&trained.network, &x, &y).unwrap(), 1.0);
		assert_eq!(
			trained.checkpoints.iter().map(|c| c.epoch).collect::<Vec<_>>(),
			vec![10, 20, 30]
		);
		let hash = |net: &Network| net.weights_hash().unwrap();
		let last = trained.checkpoints.last().map(|c| hash(&c.network));
		assert_eq!(last, Some(hash(&trained.network)));
		assert_ne!(hash(&trained.checkpoints[0].network), hash(&trained.network));
		// The chain's models keep none, and train to the same network.
		let net = Network::init(&Architecture::Mlp1 { hidden: 8 }, 2, 3, 5).unwrap();
		let none = Hyper { checkpoints: 0, ..hyper() };
		let plain = train(net, &x, &y, &keys(y.len()), &none).unwrap();
		assert!(plain.checkpoints.is_empty());
		assert_eq!(hash(&plain.network), hash(&trained.network));
	}

	#[test]
	fn training_is_deterministic() {
		let (x, y) = blobs();
		let run = || {
			let net = Network::init(&Architecture::Mlp2 { hidden: [8, 4] }, 2, 3, 5).unwrap();
			train(net, &x, &y, &keys(y.len()), &hyper()).unwrap().network.weights_hash().unwrap()
		};
		assert_eq!(run(), run());
	}

	#[test]
	fn degenerate_training_sets_are_typed_errors() {
		let (x, y) = blobs();
		let net = || Network::init(&Architecture::SoftmaxRegression, 2, 3, 5).unwrap();
		let empty = crate::numeric::tensor::matrix(0, 2, Vec::new()).unwrap();
		assert_eq!(
			train(net(), &empty, &[], &[], &hyper()).unwrap_err(),
			EngineError::EmptyTrainingSet
		);
		assert_eq!(
			train(net(), &x, &vec![1; y.len()], &keys(y.len()), &hyper()).unwrap_err(),
			EngineError::SingleClass
		);
	}

	#[test]
	fn removing_a_record_keeps_every_other_records_relative_order() {
		let all = keys(500);
		for epoch in [1, 2, 7] {
			let full = epoch_order(&all, 42, epoch);
			assert_ne!(full, (0..500).collect::<Vec<_>>(), "the order is shuffled");
			for removed in [0, 123, 499] {
				let mut rest = all.clone();
				rest.remove(removed);
				// Indices of `rest` back to indices of `all`.
				let visited: Vec<usize> = epoch_order(&rest, 42, epoch)
					.into_iter()
					.map(|i| if i >= removed { i + 1 } else { i })
					.collect();
				let expected: Vec<usize> = full.iter().copied().filter(|i| *i != removed).collect();
				assert_eq!(visited, expected, "epoch {epoch} without record {removed}");
			}
		}
		// Each epoch and each seed has its own order.
		assert_ne!(epoch_order(&all, 42, 1), epoch_order(&all, 42, 2));
		assert_ne!(epoch_order(&all, 42, 1), epoch_order(&all, 43, 1));
	}

	#[test]
	fn checkpoint_epochs_are_spread_evenly() {
		assert_eq!(checkpoint_epochs(10, 0), Vec::<u16>::new());
		assert_eq!(checkpoint_epochs(10, 1), vec![10]);
		assert_eq!(checkpoint_epochs(10, 3), vec![4, 7, 10]);
		assert_eq!(checkpoint_epochs(3, 3), vec![1, 2, 3]);
	}
}
