//! TracIn-CP with the per-layer ghost dot product.
//!
//! `score(i, z) = Σ_k η_k ⟨∇ℓ(i; θ_k), ∇ℓ(z; θ_k)⟩` over the checkpoints `θ_k` and their
//! learning rates `η_k`. For a linear layer the gradient of a record is `δ ãᵀ`, with `δ` the
//! layer's error and `ã = [a; 1]` its input with the bias, so the dot product of two records'
//! gradients factorises:
//!
//! `⟨δ_i ã_iᵀ, δ_q ã_qᵀ⟩ = (ã_i · ã_q)(δ_i · δ_q) = (a_i · a_q + 1)(δ_i · δ_q)`.
//!
//! For `n` training records and `m` queries the layer's contribution is
//! `(A Aqᵀ + 1) ⊙ (Δ Δqᵀ)`, two `[n, m]` products; no per-example gradient is ever stored.
//! [`naive_scores`] materialises the gradients instead, as the reference and the baseline.
//!
//! It scores in the engine's blocks ([`Blocked`]), as K-FAC influence does, and on the
//! checkpoints that training keeps ([`Checkpoint`]).

use candle_core::Tensor;
use openledger_influence::{
	classifier::{
		methods::{self, blocked_scores, packed_t, rows, Attribution, Blocked, Scratch},
		model::Network,
		train::Checkpoint,
	},
	error::EngineError,
	numeric::{
		kernel::{product_packed_into, Packed},
		tensor::{matmul, matrix, values},
	},
};

/// Per-record inputs and errors of every layer at one checkpoint.
struct Factors {
	/// `a_l` per layer, `[n, in_l]`.
	inputs: Vec<Tensor>,
	/// `δ_l` per layer, `[n, out_l]`.
	deltas: Vec<Tensor>,
}

fn factors(net: &Network, x: &Tensor, labels: &[usize]) -> Result<Factors, EngineError> {
	let fwd = net.forward(x)?;
	let deltas = net.backward_deltas(&fwd, Network::output_deltas(&fwd.probs, labels)?)?;
	Ok(Factors { inputs: fwd.inputs, deltas })
}

/// TracIn-CP scores `[n, m]` of `n` training records for `m` queries with their labels.
pub fn scores(
	checkpoints: &[Checkpoint],
	x: &Tensor,
	labels: &[usize],
	queries: &Tensor,
	query_labels: &[usize],
) -> Result<Tensor, EngineError> {
	TracIn::new(checkpoints.to_vec(), x, labels)?.scores(queries, query_labels)
}

/// TracIn self-influence `Σ_k η_k ‖∇ℓ(i; θ_k)‖²` of every record:
/// `Σ_l (‖a_i‖² + 1)‖δ_i‖²` per checkpoint.
pub fn self_influence(
	checkpoints: &[Checkpoint],
	x: &Tensor,
	labels: &[usize],
) -> Result<Vec<f64>, EngineError> {
	TracIn::new(checkpoints.to_vec(), x, labels)?.self_influence()
}

/// TracIn-CP prepared on a training set: the checkpoints and the training records' factors at
/// each of them.
pub struct TracIn {
	checkpoints: Vec<Checkpoint>,
	train: Vec<Factors>,
}

impl TracIn {
	/// Keeps the checkpoints and computes the training records' inputs and errors at each.
	pub fn new(
		checkpoints: Vec<Checkpoint>,
		x: &Tensor,
		labels: &[usize],
	) -> Result<Self, EngineError> {
		let train = checkpoints
			.iter()
			.map(|ck| factors(&ck.network, x, labels))
			.collect::<Result<_, _>>()?;
		Ok(Self { checkpoints, train })
	}
}

/// The queries' inputs and errors at every checkpoint, transposed and packed for the
/// products: per checkpoint, per layer, `(Aqᵀ, Δqᵀ)`.
pub struct Queries(Vec<Vec<(Packed, Packed)>>);

impl TracIn {
	/// The number of training records.
	pub fn records(&self) -> usize {
		self.train.first().and_then(|f| f.inputs.first()).map_or(0, |a| a.dims()[0])
	}

	/// Calls `f(first, scores)` for each block of training records, with their scores
	/// `[count, m]` for the `m` queries: the scores of a large training set without holding
	/// them all. Blocks run in parallel, in no particular order; each value is computed the same
	/// way whatever the thread count.
	pub fn for_each_block(
		&self,
		queries: &Tensor,
		labels: &[usize],
		f: impl Fn(usize, &[f64]) + Sync,
	) -> Result<(), EngineError> {
		methods::for_each_block(self, queries, labels, f)
	}
}

impl Blocked for TracIn {
	type Queries = Queries;

	fn count(&self) -> usize {
		self.records()
	}

	fn prepare_queries(&self, queries: &Tensor, labels: &[usize]) -> Result<Queries, EngineError> {
		let per_checkpoint = self.checkpoints.iter().map(|ck| {
			let f = factors(&ck.network, queries, labels)?;
			f.inputs.iter().zip(&f.deltas).map(|(a, d)| Ok((packed_t(a)?, packed_t(d)?))).collect()
		});
		Ok(Queries(per_checkpoint.collect::<Result<_, EngineError>>()?))
	}

	/// Per checkpoint and layer, `η (A Aqᵀ + 1) ⊙ (Δ Δqᵀ)`.
	fn score_block(
		&self,
		q: &Queries,
		first: usize,
		out: &mut [f64],
		m: usize,
		s: &mut Scratch,
	) -> Result<(), EngineError> {
		let count = out.len() / m;
		s.aa.resize(out.len(), 0.0);
		s.dd.resize(out.len(), 0.0);
		for ((ck, train), layers) in self.checkpoints.iter().zip(&self.train).zip(&q.0) {
			for ((a, d), (aq, dq)) in train.inputs.iter().zip(&train.deltas).zip(layers) {
				let (ca, cd) = (a.dims()[1], d.dims()[1]);
				let (a, d) = (values(a)?, values(d)?);
				product_packed_into(&mut s.aa, rows(&a, ca, first, count), aq, count);
				product_packed_into(&mut s.dd, rows(&d, cd, first, count), dq, count);
				for ((t, a), d) in out.iter_mut().zip(&s.aa).zip(&s.dd) {
					*t += ck.learning_rate * ((*a + 1.0) * d);
				}
			}
		}
		Ok(())
	}
}

impl Attribution for TracIn {
	fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError> {
		blocked_scores(self, queries, labels)
	}

	fn self_influence(&self) -> Result<Vec<f64>, EngineError> {
		let mut out = vec![0.0; self.records()];
		for (ck, f) in self.checkpoints.iter().zip(&self.train) {
			for (a, d) in f.inputs.iter().zip(&f.deltas) {
				let (ca, cd) = (a.dims()[1], d.dims()[1]);
				let (a, d) = (values(a)?, values(d)?);
				for (i, o) in out.iter_mut().enumerate() {
					let a2: f64 = rows(&a, ca, i, 1).iter().map(|v| v * v).sum();
					let d2: f64 = rows(&d, cd, i, 1).iter().map(|v| v * v).sum();
					*o += ck.learning_rate * (a2 + 1.0) * d2;
				}
			}
		}
		Ok(out)
	}
}

/// Per-record gradients `[n, parameters]`, flattened layer by layer (`W` row-major, then `b`).
pub fn per_example_gradients(
	net: &Network,
	x: &Tensor,
	labels: &[usize],
) -> Result<Tensor, EngineError> {
	let f = factors(net, x, labels)?;
	let (n, p) = (x.dims()[0], net.parameters());
	let inputs = f.inputs.iter().map(values).collect::<Result<Vec<_>, _>>()?;
	let deltas = f.deltas.iter().map(values).collect::<Result<Vec<_>, _>>()?;
	let mut g = vec![0.0; n * p];
	for (i, row) in g.chunks_exact_mut(p.max(1)).enumerate() {
		let mut at = 0;
		for (l, (inputs, deltas)) in inputs.iter().zip(&deltas).enumerate() {
			let (ca, cd) = (f.inputs[l].dims()[1], f.deltas[l].dims()[1]);
			let (a, d) = (rows(inputs, ca, i, 1), rows(deltas, cd, i, 1));
			for dv in d {
				for av in a {
					row[at] = dv * av;
					at += 1;
				}
			}
			for dv in d {
				row[at] = *dv;
				at += 1;
			}
		}
	}
	Ok(matrix(n, p, g)?)
}

/// The same scores from materialised per-example gradients: `Σ_k η_k G_k G_{q,k}ᵀ`. The
/// reference for tests and the baseline for benchmarks.
pub fn naive_scores(
	checkpoints: &[Checkpoint],
	x: &Tensor,
	labels: &[usize],
	queries: &Tensor,
	query_labels: &[usize],
) -> Result<Tensor, EngineError> {
	let (n, m) = (x.dims()[0], queries.dims()[0]);
	let mut total = vec![0.0; n * m];
	for ck in checkpoints {
		let g = per_example_gradients(&ck.network, x, labels)?;
		let gq = per_example_gradients(&ck.network, queries, query_labels)?;
		let s = matmul(&g, &gq.t()?)?;
		for (t, v) in total.iter_mut().zip(values(&s)?.iter()) {
			*t += ck.learning_rate * v;
		}
	}
	Ok(matrix(n, m, total)?)
}

#[cfg(test)]
mod tests {
	use super::*;
	use openledger_influence::{
		classifier::{
			methods::TILE,
			train::{train, Hyper},
		},
		numeric::tensor::{from_rows, select_rows},
	};
	use openledger_primitives::models::Architecture;

	fn setup() -> (Vec<Checkpoint>, Tensor, Vec<usize>) {
		let rows: Vec<Vec<f64>> = (0..24)
			.map(|i| vec![(i as f64 * 0.7).sin(), (i as f64 * 0.3).cos(), (i % 5) as f64 / 5.0])
			.collect();
		let labels: Vec<usize> = (0..24).map(|i| i % 3).collect();
		let x = from_rows(&rows).unwrap();
		let hyper = Hyper {
			epochs: 6,
			learning_rate: 0.2,
			batch_size: 6,
			l2: 1e-3,
			checkpoints: 3,
			seed: 3,
		};
		let net = Network::init(&Architecture::Mlp2 { hidden: [5, 4] }, 3, 3, 3).unwrap();
		let trained = train(net, &x, &labels, &crate::keys(24), &hyper).unwrap();
		(trained.checkpoints, x, labels)
	}

	fn vec(t: &Tensor) -> Vec<f64> {
		values(t).unwrap().to_vec()
	}

	#[test]
	fn ghost_dot_products_match_materialised_gradients() {
		let (cks, x, y) = setup();
		let q = select_rows(&x, &[1, 5, 9]).unwrap();
		let qy = vec![2, 0, 1];
		let ghost = vec(&scores(&cks, &x, &y, &q, &qy).unwrap());
		let naive = vec(&naive_scores(&cks, &x, &y, &q, &qy).unwrap());
		for (a, b) in ghost.iter().zip(&naive) {
			assert!((a - b).abs() < 1e-12 * (1.0 + b.abs()), "{a} vs {b}");
		}
	}

	#[test]
	fn per_example_gradients_match_the_batch_gradient() {
		let (cks, x, y) = setup();
		let net = &cks[0].network;
		let g = vec(&per_example_gradients(net, &x, &y).unwrap());
		let batch = net.gradient(&x, &y, 0.0).unwrap();
		let flat: Vec<f64> = batch.iter().flat_map(|l| [vec(&l.w), vec(&l.b)].concat()).collect();
		let (n, p) = (y.len(), flat.len());
		for (j, want) in flat.iter().enumerate() {
			let mean: f64 = (0..n).map(|i| g[i * p + j]).sum::<f64>() / n as f64;
			assert!((mean - want).abs() < 1e-12);
		}
	}

	#[test]
	fn blocks_cover_every_record_once_with_the_same_scores() {
		let (cks, x, y) = setup();
		// More records than one block, so that there are several, the last one partial.
		let idx: Vec<usize> = (0..TILE + 40).map(|i| i % y.len()).collect();
		let xs = select_rows(&x, &idx).unwrap();
		let ys: Vec<usize> = idx.iter().map(|i| y[*i]).collect();
		let tracin = TracIn::new(cks, &xs, &ys).unwrap();
		let q = select_rows(&x, &[2, 3]).unwrap();
		let full = vec(&tracin.scores(&q, &[0, 1]).unwrap());
		let seen = std::sync::Mutex::new(vec![f64::NAN; full.len()]);
		tracin
			.for_each_block(&q, &[0, 1], |first, block| {
				let mut seen = seen.lock().unwrap();
				for (k, v) in block.iter().enumerate() {
					assert!(seen[first * 2 + k].is_nan(), "record {} twice", first + k / 2);
					seen[first * 2 + k] = *v;
				}
			})
			.unwrap();
		let seen = seen.into_inner().unwrap();
		assert!(seen.iter().zip(&full).all(|(a, b)| a.to_bits() == b.to_bits()));
	}

	#[test]
	fn self_influence_is_the_diagonal() {
		let (cks, x, y) = setup();
		let selfs = self_influence(&cks, &x, &y).unwrap();
		let full = vec(&scores(&cks, &x, &y, &x, &y).unwrap());
		let n = y.len();
		for i in 0..n {
			assert!((selfs[i] - full[i * n + i]).abs() < 1e-12 * (1.0 + selfs[i]));
		}
	}
}
