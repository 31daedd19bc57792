//! Exact influence for softmax regression.
//!
//! Parameters `θ = (W, b)`, `W: [C, D]`. With `x̃ = [x; 1]` and `p = softmax(W x + b)`, the
//! gradient of a record's loss is `g = (p - e_y) ⊗ x̃`, and the Hessian of the training
//! objective `(1/n) Σ ℓ_i + λ/2 ‖W‖²` is
//!
//! `H = (1/n) Σ_i (diag(p_i) - p_i p_iᵀ) ⊗ x̃_i x̃_iᵀ + λ I_W`,
//!
//! a `C(D+1)`-square matrix, damped by `δ I` so that it is positive definite. The influence
//! of record `i` on the loss of query `z` with label `y` is the damped influence function
//!
//! `score_i = ∇ℓ(z)ᵀ (H + δI)⁻¹ g_i`,
//!
//! positive when up-weighting `i` lowers the loss of `z` (a proponent). With `v = (H+δI)⁻¹
//! ∇ℓ(z)` reshaped to `V: [C, D+1]`, `score_i = Σ_c (p_ic - y_ic) (X̃ Vᵀ)_ic`: one product for
//! all records, no per-record gradient. The self-influence `g_iᵀ (H+δI)⁻¹ g_i = ‖L⁻¹ g_i‖²`
//! (with `H + δI = L Lᵀ`) ranks records that the model finds hard to fit, such as mislabelled
//! ones. All of it is in f64, in fixed orders.
//!
//! When the features outnumber the records (`D + 1 > n`, hashed text), the Hessian is applied
//! through the Woodbury identity instead, on an `nC`-square system.

use crate::{
	classifier::model::Network,
	error::EngineError,
	numeric::{
		linalg::{backward_solve, cholesky, forward_solve, matmul, Matrix},
		tensor::softmax_rows,
	},
};

/// The parameters `[W | b]` as one `[C, D+1]` matrix.
fn params(net: &Network) -> Result<Matrix, EngineError> {
	let [layer] = net.layers.as_slice() else {
		return Err(EngineError::SpecOutOfBounds("exact influence needs softmax regression"));
	};
	let (c, d) = (layer.w.rows, layer.w.cols);
	let mut m = Matrix::zeros(c, d + 1);
	for k in 0..c {
		m.row_mut(k)[..d].copy_from_slice(layer.w.row(k));
		m.row_mut(k)[d] = layer.b[k];
	}
	Ok(m)
}

/// Class probabilities `[n, C]` of `x̃` under `[W | b]`.
fn probabilities(xb: &Matrix, theta: &Matrix) -> Matrix {
	let mut z = matmul(xb, &theta.t());
	softmax_rows(&mut z);
	z
}

/// The Hessian of the softmax regression objective, `[C(D+1), C(D+1)]`, indexed
/// `(class, feature)` row-major, plus `damping` on the diagonal.
pub fn hessian(xb: &Matrix, probs: &Matrix, l2: f64, damping: f64) -> Matrix {
	let (n, d1, c) = (xb.rows, xb.cols, probs.cols);
	let p = c * d1;
	let mut h = Matrix::zeros(p, p);
	let inv_n = 1.0 / n.max(1) as f64;
	// Block (a, b) = (1/n) X̃ᵀ diag(p_a (δ_ab - p_b)) X̃.
	for a in 0..c {
		for b in a..c {
			let mut weighted = xb.clone();
			for i in 0..n {
				let pa = probs.row(i)[a];
				let coeff = if a == b { pa * (1.0 - pa) } else { -pa * probs.row(i)[b] } * inv_n;
				for v in weighted.row_mut(i) {
					*v *= coeff;
				}
			}
			let block = matmul(&xb.t(), &weighted);
			for r in 0..d1 {
				for s in 0..d1 {
					let v = block.data[r * d1 + s];
					h.data[(a * d1 + r) * p + b * d1 + s] = v;
					h.data[(b * d1 + s) * p + a * d1 + r] = v;
				}
			}
		}
	}
	for k in 0..c {
		for r in 0..d1 {
			let i = k * d1 + r;
			// L2 applies to the weights, not the bias column.
			let reg = if r + 1 < d1 { l2 } else { 0.0 };
			h.data[i * p + i] += reg + damping;
		}
	}
	h
}

/// How `(H + δI)⁻¹` is applied.
enum Curvature {
	/// `H + δI = L Lᵀ`, `[C(D+1), C(D+1)]`: when there are more records than features.
	Dense(Matrix),
	/// The Woodbury identity, when `D + 1 > n`. With `Λ = I_C ⊗ diag(λ_f)` the damped
	/// regulariser and `H + δI = Λ + UᵀU`, where `U` has one row `(R_i e_c ⊗ x̃_i)/√n` per
	/// record `i` and class `c`, `R_i Rᵢᵀ = diag(p_i) - p_i p_iᵀ`
	/// (`R_i e_c = √p_ic (e_c - p_i)`):
	///
	/// `g_aᵀ (H+δI)⁻¹ g_b = g_aᵀ Λ⁻¹ g_b - (L⁻¹ U Λ⁻¹ g_a)ᵀ (L⁻¹ U Λ⁻¹ g_b)`,
	///
	/// with `I + U Λ⁻¹ Uᵀ = L Lᵀ`, an `nC`-square matrix instead of a `C(D+1)`-square one.
	Woodbury {
		/// `1/λ_f` per feature of `x̃`.
		inv_reg: Vec<f64>,
		/// `R_i e_a` of every training record and class, one row each, `[nC, C]`
		/// ([`Network::gauss_newton_outputs`]).
		r: Matrix,
		/// The Cholesky factor of `I + U Λ⁻¹ Uᵀ`.
		factor: Matrix,
		/// `L⁻¹ U Λ⁻¹ Gᵀ` of the training records, `[nC, n]`.
		train_z: Matrix,
	},
}

/// The influence of every training record on queries, for a trained softmax regression.
pub struct ExactInfluence {
	theta: Matrix,
	xb: Matrix,
	/// `P - Y` of the training records, `[n, C]`.
	residuals: Matrix,
	curvature: Curvature,
}

/// `x̃_a diag(inv_reg) x̃_bᵀ` for every pair of rows, `[a.rows, b.rows]`.
fn scaled_kernel(a: &Matrix, b: &Matrix, inv_reg: &[f64]) -> Matrix {
	let mut scaled = b.clone();
	for i in 0..scaled.rows {
		for (v, s) in scaled.row_mut(i).iter_mut().zip(inv_reg) {
			*v *= s;
		}
	}
	matmul(a, &scaled.t())
}

impl ExactInfluence {
	/// Prepares the damped Hessian of `net` on the training set `x`, `labels`: the dense
	/// Cholesky factor when `n ≥ D + 1`, the Woodbury form otherwise.
	pub fn new(
		net: &Network,
		x: &Matrix,
		labels: &[usize],
		l2: f64,
		damping: f64,
	) -> Result<Self, EngineError> {
		if x.rows == 0 {
			return Err(EngineError::EmptyTrainingSet);
		}
		let xb = x.with_ones_column();
		if xb.cols > x.rows {
			Self::woodbury(net, x, labels, l2, damping)
		} else {
			Self::dense(net, x, labels, l2, damping)
		}
	}

	/// The dense form, whatever the shape (for tests and comparisons).
	pub fn dense(
		net: &Network,
		x: &Matrix,
		labels: &[usize],
		l2: f64,
		damping: f64,
	) -> Result<Self, EngineError> {
		let (theta, xb, probs, residuals) = Self::prepare(net, x, labels)?;
		let factor = cholesky(&hessian(&xb, &probs, l2, damping))?;
		Ok(Self { theta, xb, residuals, curvature: Curvature::Dense(factor) })
	}

	/// The Woodbury form, whatever the shape (for tests and comparisons).
	pub fn woodbury(
		net: &Network,
		x: &Matrix,
		labels: &[usize],
		l2: f64,
		damping: f64,
	) -> Result<Self, EngineError> {
		let (theta, xb, probs, residuals) = Self::prepare(net, x, labels)?;
		let d1 = xb.cols;
		let inv_reg: Vec<f64> =
			(0..d1).map(|f| 1.0 / (if f + 1 < d1 { l2 } else { 0.0 } + damping)).collect();
		if inv_reg.iter().any(|v| !v.is_finite()) {
			return Err(EngineError::NotPositiveDefinite);
		}
		let (n, c) = (xb.rows, theta.rows);
		let kernel = scaled_kernel(&xb, &xb, &inv_reg);
		let r = Network::gauss_newton_outputs(&probs);
		// I + U Λ⁻¹ Uᵀ: entry ((i,a),(j,b)) = (R_i e_a · R_j e_b)(x̃_i Λ⁻¹ x̃_j)/n.
		let mut m = matmul(&r, &r.t());
		let inv_n = 1.0 / n as f64;
		for row in 0..n * c {
			for col in 0..n * c {
				m.data[row * n * c + col] *= kernel.data[(row / c) * n + col / c] * inv_n;
			}
			m.data[row * n * c + row] += 1.0;
		}
		let factor = cholesky(&m)?;
		let train_z = forward_solve(&factor, &projections(&r, &kernel, &residuals, n));
		Ok(Self {
			theta,
			xb,
			residuals,
			curvature: Curvature::Woodbury { inv_reg, r, factor, train_z },
		})
	}

	#[allow(clippy::type_complexity)]
	fn prepare(
		net: &Network,
		x: &Matrix,
		labels: &[usize],
	) -> Result<(Matrix, Matrix, Matrix, Matrix), EngineError> {
		if x.rows == 0 {
			return Err(EngineError::EmptyTrainingSet);
		}
		let theta = params(net)?;
		let xb = x.with_ones_column();
		let probs = probabilities(&xb, &theta);
		let residuals = Network::output_deltas(&probs, labels);
		Ok((theta, xb, probs, residuals))
	}

	/// Scores `[n, m]` of every training record for `m` queries (`[m, D]`) and the labels
	/// whose loss is measured (usually the predicted ones).
	pub fn scores(&self, queries: &Matrix, labels: &[usize]) -> Matrix {
		let qb = queries.with_ones_column();
		let q_res = Network::output_deltas(&probabilities(&qb, &self.theta), labels);
		let (c, d1, n, m) = (self.theta.rows, self.theta.cols, self.xb.rows, qb.rows);
		match &self.curvature {
			Curvature::Dense(factor) => {
				// ∇ℓ(q) = (p_q - e_y) ⊗ q̃, one column per query, rows (class, feature).
				let mut grads = Matrix::zeros(c * d1, m);
				for k in 0..c {
					for f in 0..d1 {
						for q in 0..m {
							grads.data[(k * d1 + f) * m + q] = q_res.row(q)[k] * qb.row(q)[f];
						}
					}
				}
				let v = backward_solve(factor, &forward_solve(factor, &grads));
				// V as [D+1, C·m], so that one product gives x̃_i · V_q[c] for all i, c, q.
				let mut vr = Matrix::zeros(d1, c * m);
				for k in 0..c {
					for f in 0..d1 {
						for q in 0..m {
							vr.data[f * c * m + k * m + q] = v.data[(k * d1 + f) * m + q];
						}
					}
				}
				let prod = matmul(&self.xb, &vr);
				let mut out = Matrix::zeros(n, m);
				for i in 0..n {
					let (row, res) = (prod.row(i), self.residuals.row(i));
					for q in 0..m {
						out.data[i * m + q] = (0..c).map(|k| res[k] * row[k * m + q]).sum();
					}
				}
				out
			},
			Curvature::Woodbury { inv_reg, r, factor, train_z } => {
				let kernel = scaled_kernel(&self.xb, &qb, inv_reg);
				let mut out = matmul(&self.residuals, &q_res.t());
				for (o, k) in out.data.iter_mut().zip(&kernel.data) {
					*o *= k;
				}
				let zq = forward_solve(factor, &projections(r, &kernel, &q_res, n));
				let correction = matmul(&train_z.t(), &zq);
				for (o, v) in out.data.iter_mut().zip(&correction.data) {
					*o -= v;
				}
				out
			},
		}
	}

	/// The self-influence `g_iᵀ (H+δI)⁻¹ g_i` of every training record.
	pub fn self_influence(&self) -> Vec<f64> {
		let (c, d1) = (self.theta.rows, self.theta.cols);
		let n = self.xb.rows;
		match &self.curvature {
			Curvature::Dense(factor) => {
				// Gᵀ: [C(D+1), n], column i = (p_i - e_{y_i}) ⊗ x̃_i.
				let mut gt = Matrix::zeros(c * d1, n);
				for i in 0..n {
					for k in 0..c {
						let r = self.residuals.row(i)[k];
						for f in 0..d1 {
							gt.data[(k * d1 + f) * n + i] = r * self.xb.row(i)[f];
						}
					}
				}
				column_norms(&forward_solve(factor, &gt))
			},
			Curvature::Woodbury { inv_reg, train_z, .. } => {
				let correction = column_norms(train_z);
				(0..n)
					.map(|i| {
						let (x, r) = (self.xb.row(i), self.residuals.row(i));
						let xx: f64 = x.iter().zip(inv_reg).map(|(v, s)| v * v * s).sum();
						let rr: f64 = r.iter().map(|v| v * v).sum();
						rr * xx - correction[i]
					})
					.collect()
			},
		}
	}
}

impl super::Attribution for ExactInfluence {
	fn scores(&self, queries: &Matrix, labels: &[usize]) -> Matrix {
		ExactInfluence::scores(self, queries, labels)
	}

	fn self_influence(&self) -> Vec<f64> {
		ExactInfluence::self_influence(self)
	}
}

/// `U Λ⁻¹ gᵀ` for gradients `g_b = r_b ⊗ x̃_b`: entry `((j,c), b)` is
/// `(R_j e_c · r_b)(x̃_j Λ⁻¹ x̃_b)/√n`, with `kernel[j, b] = x̃_j Λ⁻¹ x̃_b`.
fn projections(r: &Matrix, kernel: &Matrix, residuals: &Matrix, n: usize) -> Matrix {
	let c = r.rows / n.max(1);
	let scale = 1.0 / (n as f64).sqrt();
	let mut w = matmul(r, &residuals.t());
	for row in 0..w.rows {
		let j = row / c.max(1);
		for (b, v) in w.row_mut(row).iter_mut().enumerate() {
			*v *= kernel.data[j * kernel.cols + b] * scale;
		}
	}
	w
}

/// The squared norm of each column.
fn column_norms(z: &Matrix) -> Vec<f64> {
	let mut out = vec![0.0; z.cols];
	for row in 0..z.rows {
		for (o, v) in out.iter_mut().zip(z.row(row)) {
			*o += v * v;
		}
	}
	out
}

/// Softmax regression trained to its optimum by damped Newton steps (the objective is convex),
/// from zero weights: the reference that the tests and the evaluations (`engine-eval`, with
/// the `reference` feature) check the influence function against, by retraining. Not compiled
/// into the node.
#[cfg(any(test, feature = "reference"))]
pub fn newton_fit(
	x: &Matrix,
	labels: &[usize],
	classes: usize,
	l2: f64,
	iterations: usize,
) -> Result<Network, EngineError> {
	if x.rows == 0 {
		return Err(EngineError::EmptyTrainingSet);
	}
	let xb = x.with_ones_column();
	let d1 = xb.cols;
	let mut theta = Matrix::zeros(classes, d1);
	let n = x.rows as f64;
	for _ in 0..iterations {
		let probs = probabilities(&xb, &theta);
		let residuals = Network::output_deltas(&probs, labels);
		// Gradient (1/n) (P - Y)ᵀ X̃ + λ W.
		let mut grad = matmul(&residuals.t(), &xb);
		for k in 0..classes {
			for f in 0..d1 {
				let g = &mut grad.data[k * d1 + f];
				*g /= n;
				if f + 1 < d1 {
					*g += l2 * theta.data[k * d1 + f];
				}
			}
		}
		// Newton step with a little damping so that the bias block stays invertible.
		let h = hessian(&xb, &probs, l2, 1e-8);
		let factor = cholesky(&h)?;
		let g = Matrix { rows: classes * d1, cols: 1, data: grad.data };
		let step = backward_solve(&factor, &forward_solve(&factor, &g));
		for (t, s) in theta.data.iter_mut().zip(&step.data) {
			*t -= s;
		}
	}
	let d = d1 - 1;
	let mut w = Matrix::zeros(classes, d);
	let mut b = vec![0.0; classes];
	for k in 0..classes {
		w.row_mut(k).copy_from_slice(&theta.row(k)[..d]);
		b[k] = theta.row(k)[d];
	}
	Ok(Network { layers: vec![crate::classifier::model::Layer { w, b }] })
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Three overlapping 2-D classes, so that the optimum is finite and records matter.
	fn data() -> (Matrix, Vec<usize>) {
		let mut rows = Vec::new();
		let mut labels = Vec::new();
		for i in 0..45 {
			let c = i % 3;
			let t = i as f64 * 0.61;
			let (cx, cy) = [(0.0, 0.0), (1.0, 0.2), (0.3, 1.0)][c];
			rows.push(vec![cx + 0.7 * t.sin(), cy + 0.7 * (1.3 * t).cos()]);
			labels.push(c);
		}
		(Matrix::from_rows(&rows), labels)
	}

	fn loss(net: &Network, q: &[f64], label: usize) -> f64 {
		let p = net.forward(&Matrix { rows: 1, cols: q.len(), data: q.to_vec() }).probs;
		-p.data[label].ln()
	}

	#[test]
	fn newton_reaches_the_optimum() {
		let (x, y) = data();
		let net = newton_fit(&x, &y, 3, 1e-2, 25).unwrap();
		let grad = net.gradient(&x, &y, 1e-2);
		let norm: f64 = grad.iter().flat_map(|l| l.w.data.iter().chain(&l.b)).map(|g| g * g).sum();
		assert!(norm.sqrt() < 1e-10, "gradient norm {}", norm.sqrt());
	}

	#[test]
	fn influence_predicts_leave_one_out_retraining() {
		let (x, y) = data();
		let l2 = 1e-2;
		let net = newton_fit(&x, &y, 3, l2, 25).unwrap();
		let inf = ExactInfluence::new(&net, &x, &y, l2, 0.0).unwrap();
		let q = [0.5, 0.5];
		let label = 1;
		let scores = inf.scores(&Matrix::from_rows(&[q.to_vec()]), &[label]).data;
		let base = loss(&net, &q, label);
		// Removing record i changes the query loss by about +score_i / n.
		let n = x.rows as f64;
		let (mut predicted, mut actual) = (Vec::new(), Vec::new());
		for i in 0..x.rows {
			let keep: Vec<usize> = (0..x.rows).filter(|j| *j != i).collect();
			let yk: Vec<usize> = keep.iter().map(|j| y[*j]).collect();
			// Dropping record i from (1/n) Σ ℓ + λ/2 ‖W‖², rescaled to (1/(n-1)) Σ ℓ: λ becomes λn/(n-1).
			let retrained =
				newton_fit(&x.select_rows(&keep), &yk, 3, l2 * n / (n - 1.0), 25).unwrap();
			predicted.push(scores[i] / n);
			actual.push(loss(&retrained, &q, label) - base);
		}
		let corr = pearson(&predicted, &actual);
		assert!(corr > 0.95, "correlation {corr}");
	}

	#[test]
	fn duplicated_records_score_alike() {
		let (mut x, mut y) = data();
		x.data.extend_from_slice(&x.row(4).to_vec());
		x.rows += 1;
		y.push(y[4]);
		let net = newton_fit(&x, &y, 3, 1e-2, 25).unwrap();
		let inf = ExactInfluence::new(&net, &x, &y, 1e-2, 1e-6).unwrap();
		let scores = inf.scores(&Matrix::from_rows(&[vec![0.2, 0.1]]), &[0]).data;
		assert_eq!(scores[4].to_bits(), scores[x.rows - 1].to_bits());
		let selfs = inf.self_influence();
		assert_eq!(selfs[4].to_bits(), selfs[x.rows - 1].to_bits());
	}

	#[test]
	fn self_influence_flags_flipped_labels() {
		// Three well-separated clusters, with three labels flipped.
		let mut rows = Vec::new();
		let mut y = Vec::new();
		for i in 0..45 {
			let c = i % 3;
			let t = i as f64 * 0.61;
			let (cx, cy) = [(0.0, 0.0), (2.0, 0.0), (0.0, 2.0)][c];
			rows.push(vec![cx + 0.3 * t.sin(), cy + 0.3 * (1.3 * t).cos()]);
			y.push(c);
		}
		let x = Matrix::from_rows(&rows);
		let flipped = [2usize, 17, 31];
		for i in flipped {
			y[i] = (y[i] + 1) % 3;
		}
		let net = newton_fit(&x, &y, 3, 1e-2, 25).unwrap();
		let selfs = ExactInfluence::new(&net, &x, &y, 1e-2, 1e-6).unwrap().self_influence();
		let mut order: Vec<usize> = (0..x.rows).collect();
		order.sort_by(|a, b| selfs[*b].total_cmp(&selfs[*a]));
		let top: Vec<usize> = order[..3].to_vec();
		assert!(flipped.iter().all(|f| top.contains(f)), "top self-influence {top:?}");
	}

	#[test]
	fn woodbury_matches_the_dense_hessian_when_features_outnumber_records() {
		// 12 records in 30 dimensions, 3 classes.
		let rows: Vec<Vec<f64>> = (0..12)
			.map(|i| (0..30).map(|f| ((i * 31 + f * 7) as f64 * 0.37).sin()).collect())
			.collect();
		let y: Vec<usize> = (0..12).map(|i| i % 3).collect();
		let x = Matrix::from_rows(&rows);
		let net = newton_fit(&x, &y, 3, 1e-2, 20).unwrap();
		let dense = ExactInfluence::dense(&net, &x, &y, 1e-2, 1e-4).unwrap();
		let woodbury = ExactInfluence::new(&net, &x, &y, 1e-2, 1e-4).unwrap();
		assert!(matches!(woodbury.curvature, Curvature::Woodbury { .. }));
		let q = x.select_rows(&[0, 5]);
		let close = |a: &[f64], b: &[f64]| {
			for (u, v) in a.iter().zip(b) {
				assert!((u - v).abs() < 1e-7 * (1.0 + v.abs()), "{u} vs {v}");
			}
		};
		close(&woodbury.scores(&q, &[1, 2]).data, &dense.scores(&q, &[1, 2]).data);
		close(&woodbury.self_influence(), &dense.self_influence());
	}

	fn pearson(a: &[f64], b: &[f64]) -> f64 {
		let n = a.len() as f64;
		let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
		let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
		let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
		let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
		cov / (va * vb).sqrt()
	}
}
