//! Replay: the exact metagradient of a query's log-probability with respect to each training
//! record's weight, through every step of the model's own training (MAGIC-class attribution,
//! Ilyas & Engstrom 2025), for softmax regression and MLPs.
//!
//! Training is minibatch SGD with momentum ([`crate::classifier::train`]); give record `i` a
//! weight `w_i` (1 in training) in its batches' mean loss. Step `t` on batch `B_t` is
//!
//! `v_{t+1} = μ v_t + g_t(θ_t)`, `θ_{t+1} = θ_t − η v_{t+1}`, with
//! `g_t(θ) = (1/|B_t|) Σ_{i∈B_t} w_i ∇ℓ_i(θ) + λ W`.
//!
//! For `f = log p_y(query; θ_T)`, reverse mode runs the steps backwards from `θ̄ = ∇f(θ_T)` and
//! `v̄ = 0`: at step `t`, `u = v̄ − η θ̄` (the adjoint of `v_{t+1}`), then
//! `w̄_i += ⟨∇ℓ_i(θ_t), u⟩ / |B_t|` for `i ∈ B_t`, `θ̄ ← θ̄ + H_t u` and `v̄ ← μ u`, where `H_t` is
//! the Hessian of the batch's loss at `θ_t` (exact, by Pearlmutter's R-operator through the
//! network: no Gauss–Newton approximation). The score of record `i` is `w̄_i = ∂f/∂w_i`:
//! positive when weighting the record up raises the query's probability (a proponent), as for
//! every [`super::Attribution`] method; removing the record changes `f` by about `−w̄_i`.
//!
//! **Memory.** The parameters at the start of each epoch and their velocities are kept
//! (`2·E·P` values); the reverse pass recomputes one epoch's steps at a time from its start,
//! keeping each step's parameters and its batch's forward pass and errors (`steps·P` and the
//! epoch's activations, `n·(D + Σ widths)`), so memory does not grow with the number of epochs.
//! **Cost.** One training when prepared ([`Replay::new`] is the training), then per scoring one
//! more training, shared by every query, and per query a reverse pass of about two gradients a
//! step.
//!
//! **Determinism.** The steps are the training's own ([`crate::classifier::train::Sgd`]), so the
//! replayed trajectory is the trained model bit for bit, and every operation is one of the
//! engine's deterministic tensor ops in a fixed order.

use candle_core::Tensor;

use crate::{
	classifier::{
		model::{Forward, Layer, Network},
		train::{epoch_order, Hyper, Sgd, Velocity, MOMENTUM},
	},
	error::EngineError,
	numeric::tensor::{matmul, matrix, scalar, select_rows, transpose, values, ReluGrad, SumRows},
};

/// A trained model with what replaying its training needs.
pub struct Replay {
	x: Tensor,
	labels: Vec<usize>,
	keys: Vec<[u8; 32]>,
	hyper: Hyper,
	/// The parameters and velocity at the start of each epoch.
	starts: Vec<(Network, Velocity)>,
	/// The trained network.
	network: Network,
}

/// `a + k·b`, layer by layer.
fn add_scaled(a: &[Layer], b: &[Layer], k: f64) -> candle_core::Result<Vec<Layer>> {
	let k = scalar(k)?;
	a.iter()
		.zip(b)
		.map(|(a, b)| {
			Ok(Layer { w: a.w.add(&b.w.broadcast_mul(&k)?)?, b: a.b.add(&b.b.broadcast_mul(&k)?)? })
		})
		.collect()
}

/// `k·a`, layer by layer.
fn scaled(a: &[Layer], k: f64) -> candle_core::Result<Vec<Layer>> {
	let k = scalar(k)?;
	a.iter().map(|a| Ok(Layer { w: a.w.broadcast_mul(&k)?, b: a.b.broadcast_mul(&k)? })).collect()
}

/// The sum of each row of `t` (`[n, k]` to `[n, 1]`), by the engine's product.
fn row_sums(t: &Tensor) -> candle_core::Result<Tensor> {
	let k = t.dim(1)?;
	matmul(t, &matrix(k, 1, vec![1.0; k])?)
}

/// For direction `u` (shaped like `net`'s parameters), at `net` on a batch of `n` records (its
/// forward pass `fwd` and per-record errors `deltas`, not divided by `n`): `H u`, with `H` the
/// Hessian of the batch's mean loss plus `λ/2 ‖W‖²`, and each record's `⟨∇ℓ_i, u⟩`.
///
/// The R-operator in direction `u = (U_l, c_l)`: forward, `R(z_l) = R(a_l) W_lᵀ + a_l U_lᵀ +
/// c_l` and `R(a_{l+1}) = R(z_l) ⊙ [a_{l+1} > 0]` (`R(a_0) = 0`); at the softmax,
/// `R(δ_L) = R(p) = p ⊙ R(z_L) − p (pᵀ R(z_L))`; backward,
/// `R(δ_{l-1}) = (R(δ_l) W_l + δ_l U_l) ⊙ [a_l > 0]`; and then
/// `(H u)_{W_l} = (R(δ_l)ᵀ a_l + δ_lᵀ R(a_l)) / n + λ U_l`, `(H u)_{b_l} = Σ_rows R(δ_l) / n`.
fn curvature_and_dots(
	net: &Network,
	fwd: &Forward,
	deltas: &[Tensor],
	u: &[Layer],
	l2: f64,
) -> candle_core::Result<(Vec<Layer>, Vec<f64>)> {
	let layers = net.layers.len();
	let n = fwd.probs.dim(0)?;
	// R of each layer's input (none for the first) and of its pre-activation, and each layer's
	// `a U_lᵀ + c_l`, the part of `R(z_l)` that also gives the records' dot products below.
	let mut r_inputs: Vec<Option<Tensor>> = Vec::with_capacity(layers);
	let mut alongs: Vec<Tensor> = Vec::with_capacity(layers);
	let mut r_z: Option<Tensor> = None;
	for (l, (layer, dir)) in net.layers.iter().zip(u).enumerate() {
		let r_input = match r_z.take() {
			None => None,
			Some(rz) => Some(rz.apply_op2_no_bwd(&fwd.inputs[l], &ReluGrad)?),
		};
		let along = matmul(&fwd.inputs[l], &dir.w.t()?)?.broadcast_add(&dir.b)?;
		let rz = match &r_input {
			Some(r) => along.add(&matmul(r, &layer.w.t()?)?)?,
			None => along.clone(),
		};
		alongs.push(along);
		r_inputs.push(r_input);
		r_z = Some(rz);
	}
	let Some(r_out) = r_z else { candle_core::bail!("a network without layers") };
	let p = &fwd.probs;
	let pr = p.mul(&r_out)?;
	let mut r_deltas = vec![pr.sub(&p.broadcast_mul(&row_sums(&pr)?)?)?];
	for l in (1..layers).rev() {
		let Some(up) = r_deltas.last() else { break };
		let d = matmul(up, &net.layers[l].w)?
			.add(&matmul(&deltas[l], &u[l].w)?)?
			.apply_op2_no_bwd(&fwd.inputs[l], &ReluGrad)?;
		r_deltas.push(d);
	}
	r_deltas.reverse();
	let (count, lambda) = (scalar(n.max(1) as f64)?, scalar(l2)?);
	let mut hu = Vec::with_capacity(layers);
	let mut dots = vec![0.0; n];
	for l in 0..layers {
		let mut w = matmul(&transpose(&r_deltas[l])?, &fwd.inputs[l])?;
		if let Some(r) = &r_inputs[l] {
			w = w.add(&matmul(&transpose(&deltas[l])?, r)?)?;
		}
		let w = w.broadcast_div(&count)?.add(&u[l].w.broadcast_mul(&lambda)?)?;
		let b = r_deltas[l].broadcast_div(&count)?.apply_op1_no_bwd(&SumRows)?;
		hu.push(Layer { w, b });
		// ⟨∇ℓ_i, u⟩ over this layer: δ_iᵀ (U a_i + c).
		let per = row_sums(&deltas[l].mul(&alongs[l])?)?;
		for (d, v) in dots.iter_mut().zip(values(&per)?.iter()) {
			*d += v;
		}
	}
	Ok((hu, dots))
}

impl Replay {
	/// Trains `init` on features `x` (`[n, dims]`) and labels by `hyper`, each epoch in the
	/// order of the records' `keys` ([`epoch_order`]), as [`crate::classifier::train::train`]
	/// does, keeping the state at the start of every epoch.
	pub fn new(
		init: Network,
		x: &Tensor,
		labels: &[usize],
		keys: &[[u8; 32]],
		hyper: &Hyper,
	) -> Result<Self, EngineError> {
		let (rows, _) = x.dims2()?;
		if rows == 0 || rows != labels.len() || keys.len() != labels.len() {
			return Err(EngineError::EmptyTrainingSet);
		}
		hyper.check()?;
		let sgd = Sgd::new(hyper)?;
		let mut params = init;
		let mut velocity = Sgd::still(&params)?;
		let mut starts = Vec::with_capacity(usize::from(hyper.epochs));
		for epoch in 1..=hyper.epochs {
			starts.push((params.clone(), velocity.clone()));
			for batch in epoch_order(keys, hyper.seed, epoch).chunks(hyper.batch_size) {
				sgd.step(&mut params, &mut velocity, x, labels, batch)?;
			}
		}
		Ok(Self {
			x: x.clone(),
			labels: labels.to_vec(),
			keys: keys.to_vec(),
			hyper: *hyper,
			starts,
			network: params,
		})
	}

	/// The trained network.
	pub fn network(&self) -> &Network {
		&self.network
	}

	/// The scores `[n, m]` of the `n` training records for `m` queries (`[m, dims]`), each the
	/// metagradient of the log-probability of its label in `labels` at the trained model.
	pub fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError> {
		let (m, _) = queries.dims2()?;
		let n = self.labels.len();
		if labels.len() != m {
			return Err(EngineError::MalformedInput("one label per query"));
		}
		// θ̄ = ∇ log p_y(query) at the trained model: minus the gradient of its loss.
		let mut theta = (0..m)
			.map(|q| {
				let row = select_rows(queries, &[q])?;
				scaled(&self.network.gradient(&row, &labels[q..=q], 0.0)?, -1.0)
			})
			.collect::<candle_core::Result<Vec<_>>>()?;
		let mut velocity =
			theta.iter().map(|t| scaled(t, 0.0)).collect::<candle_core::Result<Vec<_>>>()?;
		let mut out = vec![0.0; n * m];
		let sgd = Sgd::new(&self.hyper)?;
		let rate = self.hyper.learning_rate;
		for (epoch, (start, start_velocity)) in (1..=self.hyper.epochs).zip(&self.starts).rev() {
			let order = epoch_order(&self.keys, self.hyper.seed, epoch);
			let batches: Vec<&[usize]> = order.chunks(self.hyper.batch_size).collect();
			// The epoch's parameters before each step, recomputed from its start, with the
			// step's forward pass and errors on its batch.
			let (mut params, mut v) = (start.clone(), start_velocity.clone());
			let mut before = Vec::with_capacity(batches.len());
			for batch in &batches {
				let net = params.clone();
				let (fwd, deltas) = sgd.step(&mut params, &mut v, &self.x, &self.labels, batch)?;
				before.push((net, fwd, deltas));
			}
			for (batch, (net, fwd, deltas)) in batches.iter().zip(before).rev() {
				let size = batch.len() as f64;
				for q in 0..m {
					let u = add_scaled(&velocity[q], &theta[q], -rate)?;
					let (hu, dots) = curvature_and_dots(&net, &fwd, &deltas, &u, self.hyper.l2)?;
					theta[q] = add_scaled(&theta[q], &hu, 1.0)?;
					velocity[q] = scaled(&u, MOMENTUM)?;
					for (i, d) in batch.iter().zip(dots) {
						out[i * m + q] += d / size;
					}
				}
			}
		}
		Ok(matrix(n, m, out)?)
	}
}

impl super::Attribution for Replay {
	fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError> {
		Replay::scores(self, queries, labels)
	}

	/// Not computed: a record's self-influence by replay is one reverse pass per record, `n`
	/// of them. Quality flags come from the model's fast method.
	fn self_influence(&self) -> Result<Vec<f64>, EngineError> {
		Err(EngineError::SpecOutOfBounds("replay computes no self-influence"))
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::classifier::train::train;
	use openledger_primitives::models::Architecture;

	fn sample(rows: usize, cols: usize, seed: f64) -> Vec<f64> {
		(0..rows * cols).map(|i| ((i as f64 + seed) * 0.731).sin() * 0.9).collect()
	}

	fn direction(net: &Network, seed: f64) -> Vec<Layer> {
		net.layers
			.iter()
			.enumerate()
			.map(|(l, layer)| {
				let (o, i) = layer.w.dims2().unwrap();
				let s = seed + l as f64 * 10.0;
				Layer {
					w: matrix(o, i, sample(o, i, s)).unwrap(),
					b: matrix(1, o, sample(1, o, s + 5.0)).unwrap(),
				}
			})
			.collect()
	}

	fn flat(layers: &[Layer]) -> Vec<f64> {
		layers
			.iter()
			.flat_map(|l| {
				let mut v = values(&l.w).unwrap().to_vec();
				v.extend(values(&l.b).unwrap().iter());
				v
			})
			.collect()
	}

	const ARCHS: [Architecture; 3] = [
		Architecture::SoftmaxRegression,
		Architecture::Mlp1 { hidden: 5 },
		Architecture::Mlp2 { hidden: [6, 4] },
	];

	#[test]
	fn the_curvature_is_the_derivative_of_the_gradient_and_the_dots_each_records_gradient() {
		for arch in ARCHS {
			let net = Network::init(&arch, 4, 3, 9).unwrap();
			let x = matrix(5, 4, sample(5, 4, 1.0)).unwrap();
			let labels = [0, 2, 1, 1, 0];
			let l2 = 0.01;
			let u = direction(&net, 3.0);
			let fwd = net.forward(&x).unwrap();
			let deltas = net
				.backward_deltas(&fwd, Network::output_deltas(&fwd.probs, &labels).unwrap())
				.unwrap();
			let (hu, dots) = curvature_and_dots(&net, &fwd, &deltas, &u, l2).unwrap();
			let eps = 1e-6;
			let moved = |k: f64| Network { layers: add_scaled(&net.layers, &u, k).unwrap() };
			let (plus, minus) = (
				flat(&moved(eps).gradient(&x, &labels, l2).unwrap()),
				flat(&moved(-eps).gradient(&x, &labels, l2).unwrap()),
			);
			for (k, h) in flat(&hu).iter().enumerate() {
				let numeric = (plus[k] - minus[k]) / (2.0 * eps);
				assert!((numeric - h).abs() < 1e-6, "{arch:?} H u [{k}]: {numeric} vs {h}");
			}
			let u = flat(&u);
			for (i, d) in dots.iter().enumerate() {
				let row = select_rows(&x, &[i]).unwrap();
				let g = flat(&net.gradient(&row, &labels[i..=i], 0.0).unwrap());
				let want: f64 = g.iter().zip(&u).map(|(a, b)| a * b).sum();
				assert!((want - d).abs() < 1e-12, "{arch:?} record {i}: {want} vs {d}");
			}
		}
	}

	/// Trains as the engine does, with record `i`'s loss weighted by `weights[i]`: a reference
	/// built from single records' gradients, for finite differences.
	fn weighted_training(
		init: &Network,
		x: &Tensor,
		labels: &[usize],
		keys: &[[u8; 32]],
		hyper: &Hyper,
		weights: &[f64],
	) -> Network {
		let mut params = init.clone();
		let mut velocity: Vec<Layer> = scaled(&params.layers, 0.0).unwrap();
		for epoch in 1..=hyper.epochs {
			for batch in epoch_order(keys, hyper.seed, epoch).chunks(hyper.batch_size) {
				let mut grad = scaled(&params.layers, 0.0).unwrap();
				for i in batch {
					let row = select_rows(x, &[*i]).unwrap();
					let g = params.gradient(&row, &labels[*i..=*i], 0.0).unwrap();
					grad = add_scaled(&grad, &g, weights[*i] / batch.len() as f64).unwrap();
				}
				let decay: Vec<Layer> = params
					.layers
					.iter()
					.map(|l| Layer { w: l.w.clone(), b: l.b.zeros_like().unwrap() })
					.collect();
				grad = add_scaled(&grad, &decay, hyper.l2).unwrap();
				velocity = add_scaled(&scaled(&velocity, MOMENTUM).unwrap(), &grad, 1.0).unwrap();
				params.layers =
					add_scaled(&params.layers, &velocity, -hyper.learning_rate).unwrap();
			}
		}
		params
	}

	fn log_prob(net: &Network, query: &Tensor, label: usize) -> f64 {
		let p = net.forward(query).unwrap().probs;
		let v = values(&p).unwrap()[label];
		v.ln()
	}

	fn problem() -> (Tensor, Vec<usize>, Vec<[u8; 32]>, Hyper) {
		let n = 12;
		let x = matrix(n, 4, sample(n, 4, 2.0)).unwrap();
		let labels: Vec<usize> = (0..n).map(|i| (i * 7 + 1) % 3).collect();
		let keys: Vec<[u8; 32]> = (0..n).map(|i| [i as u8 * 17 + 3; 32]).collect();
		let hyper = Hyper {
			epochs: 3,
			learning_rate: 0.3,
			batch_size: 5,
			l2: 0.01,
			checkpoints: 0,
			seed: 4,
		};
		(x, labels, keys, hyper)
	}

	#[test]
	fn replay_trains_the_engines_model_bit_for_bit() {
		let (x, labels, keys, hyper) = problem();
		for arch in ARCHS {
			let init = Network::init(&arch, 4, 3, 5).unwrap();
			let replay = Replay::new(init.clone(), &x, &labels, &keys, &hyper).unwrap();
			let trained = train(init, &x, &labels, &keys, &hyper).unwrap();
			assert_eq!(
				replay.network().weights_hash().unwrap(),
				trained.network.weights_hash().unwrap(),
				"{arch:?}"
			);
		}
	}

	#[test]
	fn each_score_is_the_derivative_of_the_querys_log_probability_by_the_records_weight() {
		let (x, labels, keys, hyper) = problem();
		let queries = matrix(2, 4, sample(2, 4, 9.0)).unwrap();
		let query_labels = [1, 2];
		for arch in ARCHS {
			let init = Network::init(&arch, 4, 3, 5).unwrap();
			let replay = Replay::new(init.clone(), &x, &labels, &keys, &hyper).unwrap();
			let scores = replay.scores(&queries, &query_labels).unwrap();
			let scores = values(&scores).unwrap().to_vec();
			let n = labels.len();
			let eps = 1e-5;
			for i in 0..n {
				let weighted = |w: f64| {
					let mut weights = vec![1.0; n];
					weights[i] = w;
					weighted_training(&init, &x, &labels, &keys, &hyper, &weights)
				};
				let (plus, minus) = (weighted(1.0 + eps), weighted(1.0 - eps));
				for (q, label) in query_labels.iter().enumerate() {
					let row = select_rows(&queries, &[q]).unwrap();
					let numeric = (log_prob(&plus, &row, *label) - log_prob(&minus, &row, *label))
						/ (2.0 * eps);
					let score = scores[i * 2 + q];
					assert!(
						(numeric - score).abs() < 1e-6 * (1.0 + numeric.abs()),
						"{arch:?} record {i} query {q}: {numeric} vs {score}"
					);
				}
			}
		}
	}
}
