//! EK-FAC influence for MLPs: K-FAC's Kronecker eigenbasis with the eigenvalues corrected.
//!
//! K-FAC approximates a layer's curvature by `S ⊗ A` (see [`kfac`]). In the eigenbases
//! `A = Q_A Λ_A Q_Aᵀ`, `S = Q_S Λ_S Q_Sᵀ`, its eigenvalues are the products `λ_S,j λ_A,k`;
//! EK-FAC keeps the basis and replaces them with the second moments of the records' gradients
//! in that basis (George et al., 2018):
//!
//! `Λ*_jk = (1/n) Σ_i (δ̂_ij â_ik)²`, with `δ̂_i = Q_Sᵀ δ_i`, `â_i = Q_Aᵀ ã_i`,
//!
//! which is the diagonal of the empirical Fisher in the basis, so the curvature is exact along
//! it. The influence of record `i` on query `q` is then
//!
//! `score(i, q) = Σ_l Σ_jk δ̂_ij â_ik δ̂_qj â_qk / (Λ*_jk + λ)`.
//!
//! For one query that is `Σ_j δ̂_ij (M_q â_i)_j` with `M_q = (δ̂_q â_qᵀ) ⊘ (Λ* + λ)`: one product
//! `Â M_qᵀ` for all records, and no per-example gradient is stored.
//!
//! [`kfac`]: openledger_influence::classifier::methods::kfac

use candle_core::Tensor;
use openledger_influence::{
	classifier::{methods::Attribution, model::Network},
	error::EngineError,
	numeric::{
		linalg::{mean_gram, symmetric_eigen},
		tensor::{matmul, matrix, select_rows, values, with_ones_column},
	},
};

/// One layer's basis and corrected eigenvalues, with the training records projected on it.
struct Layer {
	/// `Q_A`, `[in+1, in+1]`.
	qa: Tensor,
	/// `Q_S`, `[out, out]`.
	qs: Tensor,
	/// `1 / (Λ* + λ)`, `[out, in+1]`.
	inverse: Tensor,
	/// `Â = Ã Q_A` of the training records, `[n, in+1]`.
	a_hat: Tensor,
	/// `Δ̂ = Δ Q_S` of the training records, `[n, out]`.
	d_hat: Tensor,
}

/// EK-FAC factors of a trained MLP.
pub struct EkfacInfluence {
	network: Network,
	layers: Vec<Layer>,
}

impl EkfacInfluence {
	/// Prepares the bases and corrected eigenvalues of `network` on the training set, with
	/// damping `lambda` added to every eigenvalue.
	pub fn new(
		network: &Network,
		x: &Tensor,
		labels: &[usize],
		lambda: f64,
	) -> Result<Self, EngineError> {
		let n = x.dims2()?.0;
		if n == 0 {
			return Err(EngineError::EmptyTrainingSet);
		}
		if lambda.is_nan() || lambda <= 0.0 {
			return Err(EngineError::NotPositiveDefinite);
		}
		let fwd = network.forward(x)?;
		let deltas = network.backward_deltas(&fwd, Network::output_deltas(&fwd.probs, labels)?)?;
		let inv_n = 1.0 / n as f64;
		let curvature = network.gauss_newton_deltas(&fwd)?;
		let classes = network.classes();
		let repeated: Vec<usize> = (0..n * classes).map(|r| r / classes).collect();
		let mut layers = Vec::with_capacity(network.layers.len());
		for ((input, delta), pseudo) in fwd.inputs.iter().zip(deltas).zip(&curvature) {
			let at = with_ones_column(input)?;
			let (_, qa) = symmetric_eigen(&mean_gram(&at)?)?;
			let (_, qs) = symmetric_eigen(&mean_gram(pseudo)?)?;
			let a_hat = matmul(&at, &qa)?;
			let d_hat = matmul(&delta, &qs)?;
			// Λ* = (1/n) Σ_i Σ_c (δ̂_ic ⊗ â_i)², over the Gauss–Newton pseudo-errors.
			let pseudo_hat = matmul(pseudo, &qs)?;
			let a_rep = select_rows(&a_hat, &repeated)?;
			let moments = matmul(&pseudo_hat.sqr()?.t()?, &a_rep.sqr()?)?;
			let (rows, cols) = moments.dims2()?;
			let inverse = values(&moments)?.iter().map(|v| 1.0 / (v * inv_n + lambda)).collect();
			let inverse = matrix(rows, cols, inverse)?;
			layers.push(Layer { qa, qs, inverse, a_hat, d_hat });
		}
		Ok(Self { network: network.clone(), layers })
	}

	/// The number of training records.
	fn records(&self) -> usize {
		self.layers.first().map_or(0, |l| l.a_hat.dims()[0])
	}

	/// Scores `[n, m]` of the training records for `m` queries with their labels.
	pub fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError> {
		let fwd = self.network.forward(queries)?;
		let deltas =
			self.network.backward_deltas(&fwd, Network::output_deltas(&fwd.probs, labels)?)?;
		let (n, m) = (self.records(), queries.dims2()?.0);
		let mut total = vec![0.0; n * m];
		for (layer, (input, delta)) in self.layers.iter().zip(fwd.inputs.iter().zip(&deltas)) {
			let aq = matmul(&with_ones_column(input)?, &layer.qa)?;
			let dq = matmul(delta, &layer.qs)?;
			let (out, inp) = layer.inverse.dims2()?;
			let (aq, dq, inverse) = (values(&aq)?, values(&dq)?, values(&layer.inverse)?);
			let d_hat = values(&layer.d_hat)?;
			for q in 0..m {
				// M_q = (δ̂_q â_qᵀ) ⊘ (Λ* + λ), then Â M_qᵀ: [n, out].
				let mut mq = vec![0.0; out * inp];
				for j in 0..out {
					for k in 0..inp {
						mq[j * inp + k] = dq[q * out + j] * aq[q * inp + k] * inverse[j * inp + k];
					}
				}
				let projected = matmul(&layer.a_hat, &matrix(out, inp, mq)?.t()?)?;
				let projected = values(&projected)?;
				for i in 0..n {
					let row = i * out..(i + 1) * out;
					let s: f64 =
						d_hat[row.clone()].iter().zip(&projected[row]).map(|(d, p)| d * p).sum();
					total[i * m + q] += s;
				}
			}
		}
		Ok(matrix(n, m, total)?)
	}

	/// The self-influence `Σ_l Σ_jk (δ̂_ij â_ik)² / (Λ*_jk + λ)` of every training record.
	pub fn self_influence(&self) -> Result<Vec<f64>, EngineError> {
		let mut out = vec![0.0; self.records()];
		for layer in &self.layers {
			// (Â²) (1/(Λ*+λ))ᵀ: [n, out], then a row-wise dot with Δ̂².
			let weighted = matmul(&layer.a_hat.sqr()?, &layer.inverse.t()?)?;
			let cols = layer.d_hat.dims2()?.1;
			let (weighted, d_hat) = (values(&weighted)?, values(&layer.d_hat)?);
			for (i, o) in out.iter_mut().enumerate() {
				let row = i * cols..(i + 1) * cols;
				*o += d_hat[row.clone()]
					.iter()
					.zip(&weighted[row])
					.map(|(d, w)| d * d * w)
					.sum::<f64>();
			}
		}
		Ok(out)
	}
}

impl Attribution for EkfacInfluence {
	fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError> {
		EkfacInfluence::scores(self, queries, labels)
	}

	fn self_influence(&self) -> Result<Vec<f64>, EngineError> {
		EkfacInfluence::self_influence(self)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::tracin::per_example_gradients;
	use openledger_influence::{
		classifier::train::{train, Hyper},
		numeric::tensor::from_rows,
	};
	use openledger_primitives::models::Architecture;

	fn setup() -> (Network, Tensor, Vec<usize>) {
		let rows: Vec<Vec<f64>> = (0..30)
			.map(|i| vec![(i as f64 * 0.7).sin(), (i as f64 * 0.3).cos(), (i % 5) as f64 / 5.0])
			.collect();
		let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
		let x = from_rows(&rows).unwrap();
		let hyper = Hyper {
			epochs: 10,
			learning_rate: 0.2,
			batch_size: 6,
			l2: 1e-3,
			checkpoints: 1,
			seed: 3,
		};
		let init = Network::init(&Architecture::Mlp1 { hidden: 4 }, 3, 3, 3).unwrap();
		(train(init, &x, &labels, &crate::keys(30), &hyper).unwrap().network, x, labels)
	}

	fn vec(t: &Tensor) -> Vec<f64> {
		values(t).unwrap().to_vec()
	}

	#[test]
	fn with_a_huge_damping_it_is_the_gradient_dot_product_scaled() {
		// Λ* ≪ λ: the preconditioner is I/λ in an orthonormal basis, so the score is the
		// plain gradient dot product over λ.
		let (net, x, y) = setup();
		let lambda = 1e9;
		let ekfac = EkfacInfluence::new(&net, &x, &y, lambda).unwrap();
		let q = select_rows(&x, &[4, 7]).unwrap();
		let scores = vec(&ekfac.scores(&q, &[1, 2]).unwrap());
		let g = per_example_gradients(&net, &x, &y).unwrap();
		let gq = per_example_gradients(&net, &q, &[1, 2]).unwrap();
		let dots = vec(&matmul(&g, &gq.t().unwrap()).unwrap());
		for (s, d) in scores.iter().zip(&dots) {
			assert!((s * lambda - d).abs() < 1e-6 * (1.0 + d.abs()), "{} vs {d}", s * lambda);
		}
	}

	#[test]
	fn scores_are_symmetric_and_match_self_influence() {
		let (net, x, y) = setup();
		let ekfac = EkfacInfluence::new(&net, &x, &y, 1e-3).unwrap();
		let full = vec(&ekfac.scores(&x, &y).unwrap());
		let selfs = ekfac.self_influence().unwrap();
		let n = y.len();
		for i in 0..n {
			for j in 0..n {
				let (a, b) = (full[i * n + j], full[j * n + i]);
				assert!((a - b).abs() < 1e-9 * (1.0 + a.abs()), "({i},{j}): {a} vs {b}");
			}
			assert!((selfs[i] - full[i * n + i]).abs() < 1e-9 * (1.0 + selfs[i].abs()));
			assert!(selfs[i] >= 0.0);
		}
		assert_eq!(
			EkfacInfluence::new(&net, &x, &y, 0.0).err(),
			Some(EngineError::NotPositiveDefinite)
		);
	}
}
