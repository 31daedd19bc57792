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

use openledger_influence::{
	classifier::{methods::Attribution, model::Network},
	error::EngineError,
	numeric::linalg::{matmul, mean_gram, symmetric_eigen, Matrix},
};

/// One layer's basis and corrected eigenvalues, with the training records projected on it.
struct Layer {
	/// `Q_A`, `[in+1, in+1]`.
	qa: Matrix,
	/// `Q_S`, `[out, out]`.
	qs: Matrix,
	/// `1 / (Λ* + λ)`, `[out, in+1]`.
	inverse: Matrix,
	/// `Â = Ã Q_A` of the training records, `[n, in+1]`.
	a_hat: Matrix,
	/// `Δ̂ = Δ Q_S` of the training records, `[n, out]`.
	d_hat: Matrix,
}

/// EK-FAC factors of a trained MLP.
pub struct EkfacInfluence {
	network: Network,
	layers: Vec<Layer>,
}

fn squared(x: &Matrix) -> Matrix {
	Matrix { rows: x.rows, cols: x.cols, data: x.data.iter().map(|v| v * v).collect() }
}

impl EkfacInfluence {
	/// Prepares the bases and corrected eigenvalues of `network` on the training set, with
	/// damping `lambda` added to every eigenvalue.
	pub fn new(
		network: &Network,
		x: &Matrix,
		labels: &[usize],
		lambda: f64,
	) -> Result<Self, EngineError> {
		if x.rows == 0 {
			return Err(EngineError::EmptyTrainingSet);
		}
		if lambda.is_nan() || lambda <= 0.0 {
			return Err(EngineError::NotPositiveDefinite);
		}
		let fwd = network.forward(x);
		let deltas = network.backward_deltas(&fwd, Network::output_deltas(&fwd.probs, labels));
		let inv_n = 1.0 / x.rows as f64;
		let curvature = network.gauss_newton_deltas(&fwd);
		let classes = network.classes();
		let repeated: Vec<usize> = (0..x.rows * classes).map(|r| r / classes).collect();
		let mut layers = Vec::with_capacity(network.layers.len());
		for ((input, delta), pseudo) in fwd.inputs.iter().zip(deltas).zip(&curvature) {
			let at = input.with_ones_column();
			let (_, qa) = symmetric_eigen(&mean_gram(&at));
			let (_, qs) = symmetric_eigen(&mean_gram(pseudo));
			let a_hat = matmul(&at, &qa);
			let d_hat = matmul(&delta, &qs);
			// Λ* = (1/n) Σ_i Σ_c (δ̂_ic ⊗ â_i)², over the Gauss–Newton pseudo-errors.
			let pseudo_hat = matmul(pseudo, &qs);
			let a_rep = a_hat.select_rows(&repeated);
			let mut inverse = matmul(&squared(&pseudo_hat).t(), &squared(&a_rep));
			for v in inverse.data.iter_mut() {
				*v = 1.0 / (*v * inv_n + lambda);
			}
			layers.push(Layer { qa, qs, inverse, a_hat, d_hat });
		}
		Ok(Self { network: network.clone(), layers })
	}

	/// Scores `[n, m]` of the training records for `m` queries with their labels.
	pub fn scores(&self, queries: &Matrix, labels: &[usize]) -> Matrix {
		let fwd = self.network.forward(queries);
		let deltas = self.network.backward_deltas(&fwd, Network::output_deltas(&fwd.probs, labels));
		let n = self.layers.first().map_or(0, |l| l.a_hat.rows);
		let m = queries.rows;
		let mut total = Matrix::zeros(n, m);
		for (layer, (input, delta)) in self.layers.iter().zip(fwd.inputs.iter().zip(&deltas)) {
			let aq = matmul(&input.with_ones_column(), &layer.qa);
			let dq = matmul(delta, &layer.qs);
			let (out, inp) = (layer.inverse.rows, layer.inverse.cols);
			for q in 0..m {
				// M_q = (δ̂_q â_qᵀ) ⊘ (Λ* + λ), then Â M_qᵀ: [n, out].
				let mut mq = Matrix::zeros(out, inp);
				for j in 0..out {
					for k in 0..inp {
						mq.data[j * inp + k] =
							dq.row(q)[j] * aq.row(q)[k] * layer.inverse.data[j * inp + k];
					}
				}
				let projected = matmul(&layer.a_hat, &mq.t());
				for i in 0..n {
					let s: f64 =
						layer.d_hat.row(i).iter().zip(projected.row(i)).map(|(d, p)| d * p).sum();
					total.data[i * m + q] += s;
				}
			}
		}
		total
	}

	/// The self-influence `Σ_l Σ_jk (δ̂_ij â_ik)² / (Λ*_jk + λ)` of every training record.
	pub fn self_influence(&self) -> Vec<f64> {
		let n = self.layers.first().map_or(0, |l| l.a_hat.rows);
		let mut out = vec![0.0; n];
		for layer in &self.layers {
			// (Â²) (1/(Λ*+λ))ᵀ: [n, out], then a row-wise dot with Δ̂².
			let weighted = matmul(&squared(&layer.a_hat), &layer.inverse.t());
			for (i, o) in out.iter_mut().enumerate() {
				let d = layer.d_hat.row(i);
				*o += d.iter().zip(weighted.row(i)).map(|(d, w)| d * d * w).sum::<f64>();
			}
		}
		out
	}
}

impl Attribution for EkfacInfluence {
	fn scores(&self, queries: &Matrix, labels: &[usize]) -> Matrix {
		EkfacInfluence::scores(self, queries, labels)
	}

	fn self_influence(&self) -> Vec<f64> {
		EkfacInfluence::self_influence(self)
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::tracin::per_example_gradients;
	use openledger_influence::classifier::train::{train, Hyper};
	use openledger_primitives::models::Architecture;

	fn setup() -> (Network, Matrix, Vec<usize>) {
		let rows: Vec<Vec<f64>> = (0..30)
			.map(|i| vec![(i as f64 * 0.7).sin(), (i as f64 * 0.3).cos(), (i % 5) as f64 / 5.0])
			.collect();
		let labels: Vec<usize> = (0..30).map(|i| i % 3).collect();
		let x = Matrix::from_rows(&rows);
		let hyper = Hyper {
			epochs: 10,
			learning_rate: 0.2,
			batch_size: 6,
			l2: 1e-3,
			checkpoints: 1,
			seed: 3,
		};
		let init = Network::init(&Architecture::Mlp1 { hidden: 4 }, 3, 3, 3);
		(train(init, &x, &labels, &crate::keys(30), &hyper).unwrap().network, x, labels)
	}

	#[test]
	fn with_a_huge_damping_it_is_the_gradient_dot_product_scaled() {
		// Λ* ≪ λ: the preconditioner is I/λ in an orthonormal basis, so the score is the
		// plain gradient dot product over λ.
		let (net, x, y) = setup();
		let lambda = 1e9;
		let ekfac = EkfacInfluence::new(&net, &x, &y, lambda).unwrap();
		let q = x.select_rows(&[4, 7]);
		let scores = ekfac.scores(&q, &[1, 2]);
		let g = per_example_gradients(&net, &x, &y);
		let gq = per_example_gradients(&net, &q, &[1, 2]);
		let dots = matmul(&g, &gq.t());
		for (s, d) in scores.data.iter().zip(&dots.data) {
			assert!((s * lambda - d).abs() < 1e-6 * (1.0 + d.abs()), "{} vs {d}", s * lambda);
		}
	}

	#[test]
	fn scores_are_symmetric_and_match_self_influence() {
		let (net, x, y) = setup();
		let ekfac = EkfacInfluence::new(&net, &x, &y, 1e-3).unwrap();
		let full = ekfac.scores(&x, &y);
		let selfs = ekfac.self_influence();
		for i in 0..x.rows {
			for j in 0..x.rows {
				let (a, b) = (full.row(i)[j], full.row(j)[i]);
				assert!((a - b).abs() < 1e-9 * (1.0 + a.abs()), "({i},{j}): {a} vs {b}");
			}
			assert!((selfs[i] - full.row(i)[i]).abs() < 1e-9 * (1.0 + selfs[i].abs()));
			assert!(selfs[i] >= 0.0);
		}
		assert_eq!(
			EkfacInfluence::new(&net, &x, &y, 0.0).err(),
			Some(EngineError::NotPositiveDefinite)
		);
	}
}
