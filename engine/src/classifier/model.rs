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

use candle_core::{Device, Result, Tensor};

use crate::numeric::{
	linalg::Matrix,
	tensor::{scalar, Product, Relu, ReluGrad, SoftmaxRows, SumRows},
};

/// One linear layer.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
	/// Weights, `[out, in]`.
	pub w: Matrix,
	/// Biases, `[out]`.
	pub b: Vec<f64>,
}

/// A network: linear layers with ReLU between them and a softmax at the end.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
	/// The layers, input first.
	pub layers: Vec<Layer>,
}

/// What a forward pass keeps for the backward pass and for attribution.
#[derive(Clone, Debug)]
pub struct Forward {
	/// The input of each layer: `a_0 = x`, then the hidden activations (`[n, in_l]` each).
	pub inputs: Vec<Matrix>,
	/// The class probabilities, `[n, classes]`.
	pub probs: Matrix,
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
		// Not a network: `ModelSpec::check` keeps an ∞-gram away from training.
		Architecture::InfiniGram { .. } => Vec::new(),
	}
}

impl Network {
	/// Initial weights from a ChaCha20 stream seeded by `seed`: Glorot-uniform weights
	/// (`U(-√(6/(in+out)), √(6/(in+out)))`), zero biases. candle's CPU generator cannot be
	/// seeded, so the weights are drawn here.
	pub fn init(arch: &Architecture, dims: usize, classes: usize, seed: u64) -> Self {
		let mut rng = ChaCha20Rng::seed_from_u64(seed);
		let mut inputs = dims;
		let layers = widths(arch, classes)
			.into_iter()
			.map(|outputs| {
				let bound = (6.0 / (inputs + outputs) as f64).sqrt();
				let data =
					(0..outputs * inputs).map(|_| (2.0 * unit(&mut rng) - 1.0) * bound).collect();
				let layer = Layer {
					w: Matrix { rows: outputs, cols: inputs, data },
					b: vec![0.0; outputs],
				};
				inputs = outputs;
				layer
			})
			.collect();
		Self { layers }
	}

	/// The number of classes.
	pub fn classes(&self) -> usize {
		self.layers.last().map_or(0, |l| l.w.rows)
	}

	/// The forward pass of a batch `x` (`[n, dims]`) by [`Parameters::forward`]. Each layer's
	/// input comes back as a matrix, for attribution.
	pub fn forward(&self, x: &Matrix) -> Forward {
		let forward = || {
			let fwd = Parameters::new(self)?.forward(&x.to_tensor()?)?;
			let inputs = fwd.inputs.iter().map(Matrix::from_tensor).collect::<Result<_>>()?;
			Ok(Forward { inputs, probs: Matrix::from_tensor(&fwd.probs)? })
		};
		unreachable_or(forward(), "forward pass", || Forward {
			inputs: self.layers.iter().map(|l| Matrix::nan(x.rows, l.w.cols)).collect(),
			probs: Matrix::nan(x.rows, self.classes()),
		})
	}

	/// The output-layer error `δ_L = p - onehot(y)` of each record (not divided by `n`).
	pub fn output_deltas(probs: &Matrix, labels: &[usize]) -> Matrix {
		let mut d = probs.clone();
		for (i, y) in labels.iter().enumerate() {
			d.row_mut(i)[*y] -= 1.0;
		}
		d
	}

	/// Per-record errors `δ_l` of every layer (`[n, out_l]`) by [`Parameters::backward`].
	pub fn backward_deltas(&self, fwd: &Forward, output_delta: Matrix) -> Vec<Matrix> {
		let rows = output_delta.rows;
		let backward = || {
			let fwd = TensorForward {
				inputs: fwd.inputs.iter().map(Matrix::to_tensor).collect::<Result<_>>()?,
				probs: fwd.probs.to_tensor()?,
			};
			let deltas = Parameters::new(self)?.backward(&fwd, output_delta.to_tensor()?)?;
			deltas.iter().map(Matrix::from_tensor).collect::<Result<_>>()
		};
		unreachable_or(backward(), "backward pass", || {
			self.layers.iter().map(|l| Matrix::nan(rows, l.w.rows)).collect()
		})
	}

	/// The errors of every layer for `C` pseudo-targets per record, `[n·C, out_l]` (record-major),
	/// whose outer products sum to the Gauss–Newton matrix of the cross-entropy: the output
	/// errors are `√p_c (e_c - p)` for each class `c`, and `Σ_c` of their outer products is
	/// `diag(p) - p pᵀ`, the Hessian of the loss in the logits.
	pub fn gauss_newton_deltas(&self, fwd: &Forward) -> Vec<Matrix> {
		let (n, c) = (fwd.probs.rows, fwd.probs.cols);
		let output = Self::gauss_newton_outputs(&fwd.probs);
		let repeated: Vec<usize> = (0..n * c).map(|r| r / c).collect();
		let expanded = Forward {
			inputs: fwd.inputs.iter().map(|a| a.select_rows(&repeated)).collect(),
			probs: fwd.probs.select_rows(&repeated),
		};
		self.backward_deltas(&expanded, output)
	}

	/// The output-layer pseudo-errors `√p_ic (e_c - p_i)` of every record `i` and class `c`,
	/// row `iC + c` (`[n·C, C]`): for each record, `Σ_c` of their outer products is
	/// `diag(p_i) - p_i p_iᵀ`.
	pub fn gauss_newton_outputs(probs: &Matrix) -> Matrix {
		let (n, c) = (probs.rows, probs.cols);
		let mut output = Matrix::zeros(n * c, c);
		for i in 0..n {
			let p = probs.row(i);
			for k in 0..c {
				let s = if p[k] > 0.0 { p[k].sqrt() } else { 0.0 };
				for (j, v) in output.row_mut(i * c + k).iter_mut().enumerate() {
					*v = s * (if j == k { 1.0 } else { 0.0 } - p[j]);
				}
			}
		}
		output
	}

	/// The gradient of the mean loss over a batch, with L2 `lambda` on the weights, by
	/// [`Parameters::gradient`].
	pub fn gradient(&self, x: &Matrix, labels: &[usize], lambda: f64) -> Vec<Layer> {
		let gradient = || {
			let grad = Parameters::new(self)?.gradient(&x.to_tensor()?, labels, lambda)?;
			Parameters { layers: grad }.network()
		};
		unreachable_or(gradient(), "gradient", || Network {
			layers: self
				.layers
				.iter()
				.map(|l| Layer { w: Matrix::nan(l.w.rows, l.w.cols), b: vec![f64::NAN; l.b.len()] })
				.collect(),
		})
		.layers
	}

	/// The predicted class of each record (the lowest index among equal maxima).
	pub fn predict(&self, x: &Matrix) -> Vec<usize> {
		let probs = self.forward(x).probs;
		(0..probs.rows)
			.map(|i| {
				let row = probs.row(i);
				let mut best = 0;
				for (c, p) in row.iter().enumerate() {
					if *p > row[best] {
						best = c;
					}
				}
				best
			})
			.collect()
	}

	/// blake3 over the canonical encoding: for each layer, its weights row-major and then its
	/// biases, each value as f64 little-endian, every NaN as the one quiet NaN `0x7ff8…0` (the
	/// default NaN's sign differs between x86-64 and aarch64).
	pub fn weights_hash(&self) -> H256 {
		let mut hasher = blake3::Hasher::new();
		for layer in &self.layers {
			for v in layer.w.data.iter().chain(&layer.b) {
				let v = if v.is_nan() { f64::NAN } else { *v };
				hasher.update(&v.to_le_bytes());
			}
		}
		H256(*hasher.finalize().as_bytes())
	}

	/// The number of parameters.
	pub fn parameters(&self) -> usize {
		self.layers.iter().map(|l| l.w.data.len() + l.b.len()).sum()
	}
}

/// The value of a tensor computation whose every shape is the network's own and every tensor
/// f64 and contiguous, so that it cannot fail. Should it fail anyway, it is logged and every
/// attestor reports the same NaNs rather than panicking.
fn unreachable_or<T>(result: Result<T>, what: &str, nan: impl FnOnce() -> T) -> T {
	result.unwrap_or_else(|e| {
		log::error!(target: "influence", "{what} failed: {e}");
		nan()
	})
}

/// A network's parameters as candle tensors: what training updates step by step, and what every
/// pass computes on. The arithmetic is the engine's deterministic ops ([`crate::numeric::tensor`]).
#[derive(Clone, Debug)]
pub struct Parameters {
	/// Each layer's weights `W_l` (`[out, in]`) and biases `b_l` (`[1, out]`), input first.
	pub layers: Vec<(Tensor, Tensor)>,
}

/// What a forward pass on tensors keeps for the backward pass.
#[derive(Clone, Debug)]
pub struct TensorForward {
	/// The input of each layer, `a_0 = x` first (`[n, in_l]`).
	pub inputs: Vec<Tensor>,
	/// The class probabilities, `[n, classes]`.
	pub probs: Tensor,
}

impl Parameters {
	/// A network's parameters as tensors.
	pub fn new(network: &Network) -> Result<Self> {
		let layers = network
			.layers
			.iter()
			.map(|l| {
				Ok((l.w.to_tensor()?, Tensor::from_slice(&l.b, (1, l.b.len()), &Device::Cpu)?))
			})
			.collect::<Result<_>>()?;
		Ok(Self { layers })
	}

	/// The parameters as a network of matrices (for attribution and the weights hash).
	pub fn network(&self) -> Result<Network> {
		let layers = self
			.layers
			.iter()
			.map(|(w, b)| Ok(Layer { w: Matrix::from_tensor(w)?, b: b.flatten_all()?.to_vec1()? }))
			.collect::<Result<_>>()?;
		Ok(Network { layers })
	}

	/// The forward pass of a batch `x` (`[n, dims]`): `z = a Wᵀ + b`, ReLU between layers,
	/// softmax at the end.
	pub fn forward(&self, x: &Tensor) -> Result<TensorForward> {
		let mut inputs = Vec::with_capacity(self.layers.len());
		let mut a = x.clone();
		for (l, (w, b)) in self.layers.iter().enumerate() {
			let z = a.apply_op2_no_bwd(&w.t()?.contiguous()?, &Product)?.broadcast_add(b)?;
			inputs.push(a);
			a = if l + 1 < self.layers.len() {
				z.apply_op1_no_bwd(&Relu)?
			} else {
				z.apply_op1_no_bwd(&SoftmaxRows)?
			};
		}
		Ok(TensorForward { inputs, probs: a })
	}

	/// `δ_L = p - onehot(y)` of each record (not divided by `n`).
	pub fn output_deltas(probs: &Tensor, labels: &[usize]) -> Result<Tensor> {
		let (n, classes) = probs.dims2()?;
		if labels.len() != n || labels.iter().any(|y| *y >= classes) {
			candle_core::bail!("{} labels of {classes} classes for {n} records", labels.len());
		}
		let mut onehot = vec![0.0; n * classes];
		for (i, y) in labels.iter().enumerate() {
			onehot[i * classes + y] = 1.0;
		}
		probs.sub(&Tensor::from_vec(onehot, (n, classes), &Device::Cpu)?)
	}

	/// Per-record errors `δ_l` of every layer (`[n, out_l]`), from the output errors back:
	/// `δ_{l-1} = (δ_l W_l) ⊙ [a_{l-1} > 0]`.
	pub fn backward(&self, fwd: &TensorForward, output_delta: Tensor) -> Result<Vec<Tensor>> {
		let mut deltas = vec![output_delta];
		for l in (1..self.layers.len()).rev() {
			let Some(upstream) = deltas.last() else { break };
			let d = upstream
				.apply_op2_no_bwd(&self.layers[l].0, &Product)?
				.apply_op2_no_bwd(&fwd.inputs[l], &ReluGrad)?;
			deltas.push(d);
		}
		deltas.reverse();
		Ok(deltas)
	}

	/// The gradient of the mean loss over a batch, with L2 `lambda` on the weights:
	/// `∂W_l = δ_lᵀ a_{l-1} / n + λ W_l` and `∂b_l = Σ_rows δ_l / n`.
	pub fn gradient(
		&self,
		x: &Tensor,
		labels: &[usize],
		lambda: f64,
	) -> Result<Vec<(Tensor, Tensor)>> {
		let fwd = self.forward(x)?;
		let n = scalar(labels.len().max(1) as f64)?;
		let lambda = scalar(lambda)?;
		let deltas = self.backward(&fwd, Self::output_deltas(&fwd.probs, labels)?)?;
		self.layers
			.iter()
			.zip(&deltas)
			.zip(&fwd.inputs)
			.map(|(((w, _), d), a)| {
				let gw = d.t()?.contiguous()?.apply_op2_no_bwd(a, &Product)?;
				let gw = gw.broadcast_div(&n)?.add(&w.broadcast_mul(&lambda)?)?;
				let gb = d.broadcast_div(&n)?.apply_op1_no_bwd(&SumRows)?;
				Ok((gw, gb))
			})
			.collect()
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn loss(net: &Network, x: &Matrix, labels: &[usize], lambda: f64) -> f64 {
		let p = net.forward(x).probs;
		let ce: f64 = labels.iter().enumerate().map(|(i, y)| -p.row(i)[*y].ln()).sum::<f64>()
			/ labels.len() as f64;
		let l2: f64 = net.layers.iter().flat_map(|l| l.w.data.iter()).map(|w| w * w).sum::<f64>();
		ce + lambda / 2.0 * l2
	}

	#[test]
	fn gradients_match_finite_differences() {
		for arch in [
			Architecture::SoftmaxRegression,
			Architecture::Mlp1 { hidden: 5 },
			Architecture::Mlp2 { hidden: [6, 4] },
		] {
			let net = Network::init(&arch, 4, 3, 9);
			let x = Matrix {
				rows: 5,
				cols: 4,
				data: (0..20).map(|v| ((v * 7 % 11) as f64) / 11.0 - 0.3).collect(),
			};
			let labels = [0, 2, 1, 1, 0];
			let lambda = 0.01;
			let grad = net.gradient(&x, &labels, lambda);
			let eps = 1e-6;
			for (l, layer) in net.layers.iter().enumerate() {
				for k in 0..layer.w.data.len() {
					let mut plus = net.clone();
					plus.layers[l].w.data[k] += eps;
					let mut minus = net.clone();
					minus.layers[l].w.data[k] -= eps;
					let numeric = (loss(&plus, &x, &labels, lambda)
						- loss(&minus, &x, &labels, lambda))
						/ (2.0 * eps);
					assert!(
						(numeric - grad[l].w.data[k]).abs() < 1e-6,
						"{arch:?} layer {l} w{k}: {numeric} vs {}",
						grad[l].w.data[k]
					);
				}
				for k in 0..layer.b.len() {
					let mut plus = net.clone();
					plus.layers[l].b[k] += eps;
					let mut minus = net.clone();
					minus.layers[l].b[k] -= eps;
					let numeric = (loss(&plus, &x, &labels, lambda)
						- loss(&minus, &x, &labels, lambda))
						/ (2.0 * eps);
					assert!((numeric - grad[l].b[k]).abs() < 1e-6);
				}
			}
		}
	}

	#[test]
	fn init_is_seeded() {
		let arch = Architecture::Mlp1 { hidden: 8 };
		assert_eq!(Network::init(&arch, 4, 3, 1), Network::init(&arch, 4, 3, 1));
		assert_ne!(
			Network::init(&arch, 4, 3, 1).weights_hash(),
			Network::init(&arch, 4, 3, 2).weights_hash()
		);
		assert_eq!(Network::init(&arch, 4, 3, 1).parameters(), 8 * 4 + 8 + 3 * 8 + 3);
	}
}
