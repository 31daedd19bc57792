//! The networks: softmax regression and ReLU MLPs, with cross-entropy and L2.
//!
//! Layer `l` maps `a_{l-1}` (`[n, in]`) to `z_l = a_{l-1} W_lᵀ + b_l` (`[n, out]`); hidden
//! layers apply `a_l = relu(z_l)`, the last one `p = softmax(z_L)`. The loss of a record is
//! `-log p_y`, plus `λ/2 · Σ‖W‖²` over the weights (not the biases).
//!
//! Backward, for a batch of `n` records with targets `Y` (one-hot): `δ_L = (p - Y) / n`,
//! `∂W_l = δ_lᵀ a_{l-1} + λ W_l`, `∂b_l = Σ_rows δ_l`, and `δ_{l-1} = (δ_l W_l) ⊙ [z_{l-1} > 0]`.

use openledger_primitives::models::Architecture;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sp_core::H256;

use candle_core::{Result, Tensor};

use crate::numeric::tensor::{
	argmax_rows, matmul, matrix, scalar, select_rows, transpose, values, Product, Relu, ReluGrad,
	SoftmaxRows, SumRows,
};

/// One linear layer.
#[derive(Clone, Debug)]
pub struct Layer {
	/// Weights, `[out, in]`.
	pub w: Tensor,
	/// Biases, `[1, out]`.
	pub b: Tensor,
}

/// A network: linear layers with ReLU between them and a softmax at the end. Its parameters are
/// candle tensors, and every pass runs on the engine's deterministic ops
/// ([`crate::numeric::tensor`]); cloning it shares the tensors, which are never changed in
/// place.
#[derive(Clone, Debug)]
pub struct Network {
	/// The layers, input first.
	pub layers: Vec<Layer>,
}

/// What a forward pass keeps for the backward pass and for attribution.
#[derive(Clone, Debug)]
pub struct Forward {
	/// The input of each layer: `a_0 = x`, then the hidden activations (`[n, in_l]` each).
	pub inputs: Vec<Tensor>,
	/// The class probabilities, `[n, classes]`.
	pub probs: Tensor,
}

/// A uniform f64 in [0, 1) from 53 random bits.
fn unit(rng: &mut ChaCha20Rng) -> f64 {
	(rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The widths of the layers' outputs, input to output.
pub fn widths(arch: &Architecture, classes: usize) -> Vec<usize> {
	match arch {
		Architecture::SoftmaxRegression => vec![classes],
		Architecture::Mlp1 { hidden } => vec![*hidden as usize, classes],
		Architecture::Mlp2 { hidden } => vec![hidden[0] as usize, hidden[1] as usize, classes],
		// Not a network: `ModelSpec::check` keeps ∞-grams and external models away from
		// training.
		Architecture::InfiniGram { .. } | Architecture::External { .. } => Vec::new(),
	}
}

impl Network {
	/// Initial weights from a ChaCha20 stream seeded by `seed`: Glorot-uniform weights
	/// (`U(-√(6/(in+out)), √(6/(in+out)))`), zero biases. candle's CPU generator cannot be
	/// seeded, so the weights are drawn here.
	pub fn init(arch: &Architecture, dims: usize, classes: usize, seed: u64) -> Result<Self> {
		let mut rng = ChaCha20Rng::seed_from_u64(seed);
		let mut inputs = dims;
		let layers = widths(arch, classes)
			.into_iter()
			.map(|outputs| {
				let bound = (6.0 / (inputs + outputs) as f64).sqrt();
				let data =
					(0..outputs * inputs).map(|_| (2.0 * unit(&mut rng) - 1.0) * bound).collect();
				let layer = Layer {
					w: matrix(outputs, inputs, data)?,
					b: matrix(1, outputs, vec![0.0; outputs])?,
				};
				inputs = outputs;
				Ok(layer)
			})
			.collect::<Result<_>>()?;
		Ok(Self { layers })
	}

	/// The number of classes.
	pub fn classes(&self) -> usize {
		self.layers.last().map_or(0, |l| l.w.dims()[0])
	}

	/// The forward pass of a batch `x` (`[n, dims]`): `z = a Wᵀ + b`, ReLU between layers,
	/// softmax at the end.
	pub fn forward(&self, x: &Tensor) -> Result<Forward> {
		let mut inputs = Vec::with_capacity(self.layers.len());
		let mut a = x.contiguous()?;
		for (l, layer) in self.layers.iter().enumerate() {
			let z = matmul(&a, &layer.w.t()?)?.broadcast_add(&layer.b)?;
			inputs.push(a);
			a = if l + 1 < self.layers.len() {
				z.apply_op1_no_bwd(&Relu)?
			} else {
				z.apply_op1_no_bwd(&SoftmaxRows)?
			};
		}
		Ok(Forward { inputs, probs: a })
	}

	/// The output-layer error `δ_L = p - onehot(y)` of each record (not divided by `n`).
	pub fn output_deltas(probs: &Tensor, labels: &[usize]) -> Result<Tensor> {
		let (n, classes) = probs.dims2()?;
		if labels.len() != n || labels.iter().any(|y| *y >= classes) {
			candle_core::bail!("{} labels of {classes} classes for {n} records", labels.len());
		}
		let mut onehot = vec![0.0; n * classes];
		for (i, y) in labels.iter().enumerate() {
			onehot[i * classes + y] = 1.0;
		}
		probs.sub(&matrix(n, classes, onehot)?)
	}

	/// Per-record errors `δ_l` of every layer (`[n, out_l]`), from the output errors back:
	/// `δ_{l-1} = (δ_l W_l) ⊙ [a_{l-1} > 0]`.
	pub fn backward_deltas(&self, fwd: &Forward, output_delta: Tensor) -> Result<Vec<Tensor>> {
		let mut deltas = vec![output_delta.contiguous()?];
		for l in (1..self.layers.len()).rev() {
			let Some(upstream) = deltas.last() else { break };
			let d = upstream
				.apply_op2_no_bwd(&self.layers[l].w, &Product)?
				.apply_op2_no_bwd(&fwd.inputs[l], &ReluGrad)?;
			deltas.push(d);
		}
		deltas.reverse();
		Ok(deltas)
	}

	/// The errors of every layer for `C` pseudo-targets per record, `[n·C, out_l]` (record-major),
	/// whose outer products sum to the Gauss–Newton matrix of the cross-entropy: the output
	/// errors are `√p_c (e_c - p)` for each class `c`, and `Σ_c` of their outer products is
	/// `diag(p) - p pᵀ`, the Hessian of the loss in the logits.
	pub fn gauss_newton_deltas(&self, fwd: &Forward) -> Result<Vec<Tensor>> {
		let (n, c) = fwd.probs.dims2()?;
		let output = Self::gauss_newton_outputs(&fwd.probs)?;
		let repeated: Vec<usize> = (0..n * c).map(|r| r / c).collect();
		let expanded = Forward {
			inputs: fwd.inputs.iter().map(|a| select_rows(a, &repeated)).collect::<Result<_>>()?,
			probs: select_rows(&fwd.probs, &repeated)?,
		};
		self.backward_deltas(&expanded, output)
	}

	/// The output-layer pseudo-errors `√p_ic (e_c - p_i)` of every record `i` and class `c`,
	/// row `iC + c` (`[n·C, C]`): for each record, `Σ_c` of their outer products is
	/// `diag(p_i) - p_i p_iᵀ`.
	pub fn gauss_newton_outputs(probs: &Tensor) -> Result<Tensor> {
		let (n, c) = probs.dims2()?;
		let probs = values(probs)?;
		let mut output = vec![0.0; n * c * c];
		for (i, p) in probs.chunks_exact(c.max(1)).enumerate() {
			for k in 0..c {
				let s = if p[k] > 0.0 { p[k].sqrt() } else { 0.0 };
				let row = &mut output[(i * c + k) * c..(i * c + k + 1) * c];
				for (j, v) in row.iter_mut().enumerate() {
					*v = s * (if j == k { 1.0 } else { 0.0 } - p[j]);
				}
			}
		}
		matrix(n * c, c, output)
	}

	/// The gradient of the mean loss over a batch, with L2 `lambda` on the weights:
	/// `∂W_l = δ_lᵀ a_{l-1} / n + λ W_l` and `∂b_l = Σ_rows δ_l / n`, one layer each.
	pub fn gradient(&self, x: &Tensor, labels: &[usize], lambda: f64) -> Result<Vec<Layer>> {
		let (fwd, deltas) = self.forward_and_deltas(x, labels)?;
		self.gradient_of(&fwd, &deltas, lambda)
	}

	/// The forward pass on a batch and every layer's per-record errors for `labels`: what its
	/// gradient ([`Network::gradient_of`]) is made of.
	pub fn forward_and_deltas(
		&self,
		x: &Tensor,
		labels: &[usize],
	) -> Result<(Forward, Vec<Tensor>)> {
		let fwd = self.forward(x)?;
		let deltas = self.backward_deltas(&fwd, Self::output_deltas(&fwd.probs, labels)?)?;
		Ok((fwd, deltas))
	}

	/// [`Network::gradient`] from the batch's forward pass and errors.
	pub fn gradient_of(&self, fwd: &Forward, deltas: &[Tensor], lambda: f64) -> Result<Vec<Layer>> {
		let n = scalar(fwd.probs.dim(0)?.max(1) as f64)?;
		let lambda = scalar(lambda)?;
		self.layers
			.iter()
			.zip(deltas)
			.zip(&fwd.inputs)
			.map(|((layer, d), a)| {
				let w = matmul(&transpose(d)?, a)?;
				let w = w.broadcast_div(&n)?.add(&layer.w.broadcast_mul(&lambda)?)?;
				let b = d.broadcast_div(&n)?.apply_op1_no_bwd(&SumRows)?;
				Ok(Layer { w, b })
			})
			.collect()
	}

	/// The predicted class of each record (the lowest index among equal maxima).
	pub fn predict(&self, x: &Tensor) -> Result<Vec<usize>> {
		argmax_rows(&self.forward(x)?.probs)
	}

	/// blake3 over the canonical encoding: for each layer, its weights row-major and then its
	/// biases, each value as f64 little-endian, every NaN as the one quiet NaN `0x7ff8…0` (the
	/// default NaN's sign differs between x86-64 and aarch64).
	pub fn weights_hash(&self) -> Result<H256> {
		let mut hasher = blake3::Hasher::new();
		for layer in &self.layers {
			for v in values(&layer.w)?.iter().chain(values(&layer.b)?.iter()) {
				let v = if v.is_nan() { f64::NAN } else { *v };
				hasher.update(&v.to_le_bytes());
			}
		}
		Ok(H256(*hasher.finalize().as_bytes()))
	}

	/// The number of parameters.
	pub fn parameters(&self) -> usize {
		self.layers.iter().map(|l| l.w.elem_count() + l.b.elem_count()).sum()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn loss(net: &Network, x: &Tensor, labels: &[usize], lambda: f64) -> f64 {
		let p = net.forward(x).unwrap().probs;
		let p = values(&p).unwrap();
		let c = net.classes();
		let ce: f64 = labels.iter().enumerate().map(|(i, y)| -p[i * c + y].ln()).sum::<f64>()
			/ labels.len() as f64;
		let l2: f64 = net
			.layers
			.iter()
			.flat_map(|l| values(&l.w).unwrap().to_vec())
			.map(|w| w * w)
			.sum::<f64>();
		ce + lambda / 2.0 * l2
	}

	/// `t` with its `k`-th value moved by `eps`.
	fn nudged(t: &Tensor, k: usize, eps: f64) -> Tensor {
		let mut v = values(t).unwrap().to_vec();
		v[k] += eps;
		Tensor::from_vec(v, t.shape(), t.device()).unwrap()
	}

	#[test]
	fn gradients_match_finite_differences() {
		for arch in [
			Architecture::SoftmaxRegression,
			Architecture::Mlp1 { hidden: 5 },
			Architecture::Mlp2 { hidden: [6, 4] },
		] {
			let net = Network::init(&arch, 4, 3, 9).unwrap();
			let data = (0..20).map(|v| ((v * 7 % 11) as f64) / 11.0 - 0.3).collect();
			let x = matrix(5, 4, data).unwrap();
			let labels = [0, 2, 1, 1, 0];
			let lambda = 0.01;
			let grad = net.gradient(&x, &labels, lambda).unwrap();
			let eps = 1e-6;
			let numeric = |change: &dyn Fn(&mut Network, f64)| {
				let (mut plus, mut minus) = (net.clone(), net.clone());
				change(&mut plus, eps);
				change(&mut minus, -eps);
				(loss(&plus, &x, &labels, lambda) - loss(&minus, &x, &labels, lambda)) / (2.0 * eps)
			};
			for (l, layer) in net.layers.iter().enumerate() {
				let (gw, gb) = (values(&grad[l].w).unwrap(), values(&grad[l].b).unwrap());
				for k in 0..layer.w.elem_count() {
					let numeric = numeric(&|n, e| n.layers[l].w = nudged(&n.layers[l].w, k, e));
					assert!(
						(numeric - gw[k]).abs() < 1e-6,
						"{arch:?} layer {l} w{k}: {numeric} vs {}",
						gw[k]
					);
				}
				for k in 0..layer.b.elem_count() {
					let numeric = numeric(&|n, e| n.layers[l].b = nudged(&n.layers[l].b, k, e));
					assert!((numeric - gb[k]).abs() < 1e-6);
				}
			}
		}
	}

	#[test]
	fn init_is_seeded() {
		let arch = Architecture::Mlp1 { hidden: 8 };
		let hash = |seed| Network::init(&arch, 4, 3, seed).unwrap().weights_hash().unwrap();
		assert_eq!(hash(1), hash(1));
		assert_ne!(hash(1), hash(2));
		assert_eq!(Network::init(&arch, 4, 3, 1).unwrap().parameters(), 8 * 4 + 8 + 3 * 8 + 3);
	}

	#[test]
	fn bad_labels_are_an_error() {
		let net = Network::init(&Architecture::SoftmaxRegression, 2, 3, 1).unwrap();
		let x = matrix(2, 2, vec![0.1, 0.2, 0.3, 0.4]).unwrap();
		assert!(net.gradient(&x, &[0, 3], 0.0).is_err(), "label 3 of 3 classes");
		assert!(net.gradient(&x, &[0], 0.0).is_err(), "one label for two records");
	}
}
