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

use candle_core::Tensor;

use crate::{
	classifier::model::Network,
	error::EngineError,
	numeric::{
		linalg::{backward_solve, cholesky, forward_solve},
		tensor::{matmul, matrix, transpose, values, with_ones_column, SoftmaxRows},
	},
};

/// The parameters `[W | b]` as one `[C, D+1]` matrix.
fn params(net: &Network) -> Result<Tensor, EngineError> {
	let [layer] = net.layers.as_slice() else {
		return Err(EngineError::SpecOutOfBounds("exact influence needs softmax regression"));
	};
	Ok(Tensor::cat(&[&layer.w, &transpose(&layer.b)?], 1)?)
}

/// Class probabilities `[n, C]` of `x̃` under `[W | b]`.
fn probabilities(xb: &Tensor, theta: &Tensor) -> Result<Tensor, EngineError> {
	Ok(matmul(xb, &theta.t()?)?.apply_op1_no_bwd(&SoftmaxRows)?)
}

/// The Hessian of the softmax regression objective, `[C(D+1), C(D+1)]`, indexed
/// `(class, feature)` row-major, plus `damping` on the diagonal.
pub fn hessian(xb: &Tensor, probs: &Tensor, l2: f64, damping: f64) -> Result<Tensor, EngineError> {
	let ((n, d1), c) = (xb.dims2()?, probs.dim(1)?);
	let p = c * d1;
	let mut h = vec![0.0; p * p];
	let inv_n = 1.0 / n.max(1) as f64;
	let xt = transpose(xb)?;
	let probs = values(probs)?;
	// Block (a, b) = (1/n) X̃ᵀ diag(p_a (δ_ab - p_b)) X̃.
	for a in 0..c {
		for b in a..c {
			let coeff: Vec<f64> = (0..n)
				.map(|i| {
					let pa = probs[i * c + a];
					(if a == b { pa * (1.0 - pa) } else { -pa * probs[i * c + b] }) * inv_n
				})
				.collect();
			let weighted = xb.broadcast_mul(&matrix(n, 1, coeff)?)?;
			let block = matmul(&xt, &weighted)?;
			let block = values(&block)?;
			for r in 0..d1 {
				for s in 0..d1 {
					let v = block[r * d1 + s];
					h[(a * d1 + r) * p + b * d1 + s] = v;
					h[(b * d1 + s) * p + a * d1 + r] = v;
				}
			}
		}
	}
	for k in 0..c {
		for r in 0..d1 {
			let i = k * d1 + r;
			// L2 applies to the weights, not the bias column.
			let reg = if r + 1 < d1 { l2 } else { 0.0 };
			h[i * p + i] += reg + damping;
		}
	}
	Ok(matrix(p, p, h)?)
}

/// How `(H + δI)⁻¹` is applied.
enum Curvature {
	/// `H + δI = L Lᵀ`, `[C(D+1), C(D+1)]`: when there are more records than features.
	Dense(Tensor),
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
		r: Tensor,
		/// The Cholesky factor of `I + U Λ⁻¹ Uᵀ`.
		factor: Tensor,
		/// `L⁻¹ U Λ⁻¹ Gᵀ` of the training records, `[nC, n]`.
		train_z: Tensor,
	},
}

/// The influence of every training record on queries, for a trained softmax regression.
pub struct ExactInfluence {
	/// `[W | b]`, `[C, D+1]`.
	theta: Tensor,
	/// The training records with the bias column, `[n, D+1]`.
	xb: Tensor,
	/// `P - Y` of the training records, `[n, C]`.
	residuals: Tensor,
	curvature: Curvature,
}

/// `x̃_a diag(inv_reg) x̃_bᵀ` for every pair of rows, `[a.rows, b.rows]`.
fn scaled_kernel(a: &Tensor, b: &Tensor, inv_reg: &[f64]) -> Result<Tensor, EngineError> {
	let scaled = b.broadcast_mul(&matrix(1, inv_reg.len(), inv_reg.to_vec())?)?;
	Ok(matmul(a, &scaled.t()?)?)
}

impl ExactInfluence {
	/// Prepares the damped Hessian of `net` on the training set `x`, `labels`: the dense
	/// Cholesky factor when `n ≥ D + 1`, the Woodbury form otherwise.
	pub fn new(
		net: &Network,
		x: &Tensor,
		labels: &[usize],
		l2: f64,
		damping: f64,
	) -> Result<Self, EngineError> {
		let (n, d) = x.dims2()?;
		if n == 0 {
			return Err(EngineError::EmptyTrainingSet);
		}
		if d + 1 > n {
			Self::woodbury(net, x, labels, l2, damping)
		} else {
			Self::dense(net, x, labels, l2, damping)
		}
	}

	/// The dense form, whatever the shape (for tests and comparisons).
	pub fn dense(
		net: &Network,
		x: &Tensor,
		labels: &[usize],
		l2: f64,
		damping: f64,
	) -> Result<Self, EngineError> {
		let (theta, xb, probs, residuals) = Self::prepare(net, x, labels)?;
		let factor = cholesky(&hessian(&xb, &probs, l2, damping)?)?;
		Ok(Self { theta, xb, residuals, curvature: Curvature::Dense(factor) })
	}

	/// The Woodbury form, whatever the shape (for tests and comparisons).
	pub fn woodbury(
		net: &Network,
		x: &Tensor,
		labels: &[usize],
		l2: f64,
		damping: f64,
	) -> Result<Self, EngineError> {
		let (theta, xb, probs, residuals) = Self::prepare(net, x, labels)?;
		let ((n, d1), c) = (xb.dims2()?, theta.dim(0)?);
		let inv_reg: Vec<f64> =
			(0..d1).map(|f| 1.0 / (if f + 1 < d1 { l2 } else { 0.0 } + damping)).collect();
		if inv_reg.iter().any(|v| !v.is_finite()) {
			return Err(EngineError::NotPositiveDefinite);
		}
		let kernel = scaled_kernel(&xb, &xb, &inv_reg)?;
		let r = Network::gauss_newton_outputs(&probs)?;
		// I + U Λ⁻¹ Uᵀ: entry ((i,a),(j,b)) = (R_i e_a · R_j e_b)(x̃_i Λ⁻¹ x̃_j)/n.
		let rr = matmul(&r, &r.t()?)?;
		let mut m = values(&rr)?.to_vec();
		let k = values(&kernel)?;
		let inv_n = 1.0 / n as f64;
		for row in 0..n * c {
			for col in 0..n * c {
				m[row * n * c + col] *= k[(row / c) * n + col / c] * inv_n;
			}
			m[row * n * c + row] += 1.0;
		}
		drop(k);
		let factor = cholesky(&matrix(n * c, n * c, m)?)?;
		let train_z = forward_solve(&factor, &projections(&r, &kernel, &residuals, n)?)?;
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
		x: &Tensor,
		labels: &[usize],
	) -> Result<(Tensor, Tensor, Tensor, Tensor), EngineError> {
		if x.dim(0)? == 0 {
			return Err(EngineError::EmptyTrainingSet);
		}
		let theta = params(net)?;
		let xb = with_ones_column(x)?;
		let probs = probabilities(&xb, &theta)?;
		let residuals = Network::output_deltas(&probs, labels)?;
		Ok((theta, xb, probs, residuals))
	}

	/// Scores `[n, m]` of every training record for `m` queries (`[m, D]`) and the labels
	/// whose loss is measured (usually the predicted ones).
	pub fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError> {
		let qb = with_ones_column(queries)?;
		let q_res = Network::output_deltas(&probabilities(&qb, &self.theta)?, labels)?;
		let ((c, d1), n, m) = (self.theta.dims2()?, self.xb.dim(0)?, qb.dim(0)?);
		let out = match &self.curvature {
			Curvature::Dense(factor) => {
				// ∇ℓ(q) = (p_q - e_y) ⊗ q̃, one column per query, rows (class, feature).
				let mut grads = vec![0.0; c * d1 * m];
				let (qr, qv) = (values(&q_res)?, values(&qb)?);
				for k in 0..c {
					for f in 0..d1 {
						for q in 0..m {
							grads[(k * d1 + f) * m + q] = qr[q * c + k] * qv[q * d1 + f];
						}
					}
				}
				let grads = matrix(c * d1, m, grads)?;
				let v = backward_solve(factor, &forward_solve(factor, &grads)?)?;
				let v = values(&v)?;
				// V as [D+1, C·m], so that one product gives x̃_i · V_q[c] for all i, c, q.
				let mut vr = vec![0.0; d1 * c * m];
				for k in 0..c {
					for f in 0..d1 {
						for q in 0..m {
							vr[f * c * m + k * m + q] = v[(k * d1 + f) * m + q];
						}
					}
				}
				let prod = matmul(&self.xb, &matrix(d1, c * m, vr)?)?;
				let (prod, residuals) = (values(&prod)?, values(&self.residuals)?);
				let mut out = vec![0.0; n * m];
				for i in 0..n {
					let (row, res) =
						(&prod[i * c * m..(i + 1) * c * m], &residuals[i * c..(i + 1) * c]);
					for q in 0..m {
						out[i * m + q] = (0..c).map(|k| res[k] * row[k * m + q]).sum();
					}
				}
				out
			},
			Curvature::Woodbury { inv_reg, r, factor, train_z } => {
				let kernel = scaled_kernel(&self.xb, &qb, inv_reg)?;
				let direct = matmul(&self.residuals, &q_res.t()?)?;
				let mut out = values(&direct)?.to_vec();
				for (o, k) in out.iter_mut().zip(values(&kernel)?.iter()) {
					*o *= k;
				}
				let zq = forward_solve(factor, &projections(r, &kernel, &q_res, n)?)?;
				let correction = matmul(&train_z.t()?, &zq)?;
				for (o, v) in out.iter_mut().zip(values(&correction)?.iter()) {
					*o -= v;
				}
				out
			},
		};
		Ok(matrix(n, m, out)?)
	}

	/// The self-influence `g_iᵀ (H+δI)⁻¹ g_i` of every training record.
	pub fn self_influence(&self) -> Result<Vec<f64>, EngineError> {
		let ((c, d1), n) = (self.theta.dims2()?, self.xb.dim(0)?);
		let (xb, residuals) = (values(&self.xb)?, values(&self.residuals)?);
		match &self.curvature {
			Curvature::Dense(factor) => {
				// Gᵀ: [C(D+1), n], column i = (p_i - e_{y_i}) ⊗ x̃_i.
				let mut gt = vec![0.0; c * d1 * n];
				for i in 0..n {
					for k in 0..c {
						let r = residuals[i * c + k];
						for f in 0..d1 {
							gt[(k * d1 + f) * n + i] = r * xb[i * d1 + f];
						}
					}
				}
				column_norms(&forward_solve(factor, &matrix(c * d1, n, gt)?)?)
			},
			Curvature::Woodbury { inv_reg, train_z, .. } => {
				let correction = column_norms(train_z)?;
				Ok((0..n)
					.map(|i| {
						let (x, r) = (&xb[i * d1..(i + 1) * d1], &residuals[i * c..(i + 1) * c]);
						let xx: f64 = x.iter().zip(inv_reg).map(|(v, s)| v * v * s).sum();
						let rr: f64 = r.iter().map(|v| v * v).sum();
						rr * xx - correction[i]
					})
					.collect())
			},
		}
	}
}

impl super::Attribution for ExactInfluence {
	fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError> {
		ExactInfluence::scores(self, queries, labels)
	}

	fn self_influence(&self) -> Result<Vec<f64>, EngineError> {
		ExactInfluence::self_influence(self)
	}
}

/// `U Λ⁻¹ gᵀ` for gradients `g_b = r_b ⊗ x̃_b`: entry `((j,c), b)` is
/// `(R_j e_c · r_b)(x̃_j Λ⁻¹ x̃_b)/√n`, with `kernel[j, b] = x̃_j Λ⁻¹ x̃_b`.
fn projections(
	r: &Tensor,
	kernel: &Tensor,
	residuals: &Tensor,
	n: usize,
) -> Result<Tensor, EngineError> {
	let c = r.dim(0)? / n.max(1);
	let scale = 1.0 / (n as f64).sqrt();
	let w = matmul(r, &residuals.t()?)?;
	let (rows, cols) = w.dims2()?;
	let mut w = values(&w)?.to_vec();
	let (k, k_cols) = (values(kernel)?, kernel.dim(1)?);
	for row in 0..rows {
		let j = row / c.max(1);
		for (b, v) in w[row * cols..(row + 1) * cols].iter_mut().enumerate() {
			*v *= k[j * k_cols + b] * scale;
		}
	}
	Ok(matrix(rows, cols, w)?)
}

/// The squared norm of each column.
fn column_norms(z: &Tensor) -> Result<Vec<f64>, EngineError> {
	let (_, cols) = z.dims2()?;
	let mut out = vec![0.0; cols];
	for row in values(z)?.chunks_exact(cols.max(1)) {
		for (o, v) in out.iter_mut().zip(row) {
			*o += v * v;
		}
	}
	Ok(out)
}

/// Softmax regression trained to its optimum by damped Newton steps (the objective is convex),
/// from zero weights: the reference that the tests and the evaluations (`engine-eval`, with
/// the `reference` feature) check the influence function against, by retraining. Not compiled
/// into the node.
#[cfg(any(test, feature = "reference"))]
pub fn newton_fit(
	x: &Tensor,
	labels: &[usize],
	classes: usize,
	l2: f64,
	iterations: usize,
) -> Result<Network, EngineError> {
	let rows = x.dim(0)?;
	if rows == 0 {
		return Err(EngineError::EmptyTrainingSet);
	}
	let xb = with_ones_column(x)?;
	let d1 = xb.dim(1)?;
	let mut theta = vec![0.0; classes * d1];
	let n = rows as f64;
	for _ in 0..iterations {
		let probs = probabilities(&xb, &matrix(classes, d1, theta.clone())?)?;
		let residuals = Network::output_deltas(&probs, labels)?;
		// Gradient (1/n) (P - Y)ᵀ X̃ + λ W.
		let grad = matmul(&residuals.t()?, &xb)?;
		let mut grad = values(&grad)?.to_vec();
		for k in 0..classes {
			for f in 0..d1 {
				let g = &mut grad[k * d1 + f];
				*g /= n;
				if f + 1 < d1 {
					*g += l2 * theta[k * d1 + f];
				}
			}
		}
		// Newton step with a little damping so that the bias block stays invertible.
		let factor = cholesky(&hessian(&xb, &probs, l2, 1e-8)?)?;
		let g = matrix(classes * d1, 1, grad)?;
		let step = backward_solve(&factor, &forward_solve(&factor, &g)?)?;
		for (t, s) in theta.iter_mut().zip(values(&step)?.iter()) {
			*t -= s;
		}
	}
	let theta = matrix(classes, d1, theta)?;
	let w = theta.narrow(1, 0, d1 - 1)?.contiguous()?;
	let b = transpose(&theta.narrow(1, d1 - 1, 1)?)?;
	Ok(Network { layers: vec![crate::classifier::model::Layer { w, b }] })
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::numeric::tensor::{from_rows, select_rows};

	/// Three overlapping 2-D classes, so that the optimum is finite and records matter.
	fn data() -> (Tensor, Vec<usize>) {
		let mut rows = Vec::new();
		let mut labels = Vec::new();
		for i in 0..45 {
			let c = i % 3;
			let t = i as f64 * 0.61;
			let (cx, cy) = [(0.0, 0.0), (1.0, 0.2), (0.3, 1.0)][c];
			rows.push(vec![cx + 0.7 * t.sin(), cy + 0.7 * (1.3 * t).cos()]);
			labels.push(c);
		}
		(from_rows(&rows).unwrap(), labels)
	}

	fn vec(t: &Tensor) -> Vec<f64> {
		values(t).unwrap().to_vec()
	}

	fn loss(net: &Network, q: &[f64], label: usize) -> f64 {
		let p = net.forward(&matrix(1, q.len(), q.to_vec()).unwrap()).unwrap().probs;
		-vec(&p)[label].ln()
	}

	#[test]
	fn newton_reaches_the_optimum() {
		let (x, y) = data();
		let net = newton_fit(&x, &y, 3, 1e-2, 25).unwrap();
		let grad = net.gradient(&x, &y, 1e-2).unwrap();
		let norm: f64 =
			grad.iter().flat_map(|l| [vec(&l.w), vec(&l.b)].concat()).map(|g| g * g).sum();
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
		let scores = vec(&inf.scores(&from_rows(&[q.to_vec()]).unwrap(), &[label]).unwrap());
		let base = loss(&net, &q, label);
		// Removing record i changes the query loss by about +score_i / n.
		let rows = y.len();
		let n = rows as f64;
		let (mut predicted, mut actual) = (Vec::new(), Vec::new());
		for i in 0..rows {
			let keep: Vec<usize> = (0..rows).filter(|j| *j != i).collect();
			let yk: Vec<usize> = keep.iter().map(|j| y[*j]).collect();
			// Dropping record i from (1/n) Σ ℓ + λ/2 ‖W‖², rescaled to (1/(n-1)) Σ ℓ: λ becomes λn/(n-1).
			let kept = select_rows(&x, &keep).unwrap();
			let retrained = newton_fit(&kept, &yk, 3, l2 * n / (n - 1.0), 25).unwrap();
			predicted.push(scores[i] / n);
			actual.push(loss(&retrained, &q, label) - base);
		}
		let corr = pearson(&predicted, &actual);
		assert!(corr > 0.95, "correlation {corr}");
	}

	#[test]
	fn duplicated_records_score_alike() {
		let (x, mut y) = data();
		let x = Tensor::cat(&[&x, &select_rows(&x, &[4]).unwrap()], 0).unwrap();
		y.push(y[4]);
		let last = y.len() - 1;
		let net = newton_fit(&x, &y, 3, 1e-2, 25).unwrap();
		let inf = ExactInfluence::new(&net, &x, &y, 1e-2, 1e-6).unwrap();
		let scores = vec(&inf.scores(&from_rows(&[vec![0.2, 0.1]]).unwrap(), &[0]).unwrap());
		assert_eq!(scores[4].to_bits(), scores[last].to_bits());
		let selfs = inf.self_influence().unwrap();
		assert_eq!(selfs[4].to_bits(), selfs[last].to_bits());
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
		let x = from_rows(&rows).unwrap();
		let flipped = [2usize, 17, 31];
		for i in flipped {
			y[i] = (y[i] + 1) % 3;
		}
		let net = newton_fit(&x, &y, 3, 1e-2, 25).unwrap();
		let inf = ExactInfluence::new(&net, &x, &y, 1e-2, 1e-6).unwrap();
		let selfs = inf.self_influence().unwrap();
		let mut order: Vec<usize> = (0..y.len()).collect();
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
		let x = from_rows(&rows).unwrap();
		let net = newton_fit(&x, &y, 3, 1e-2, 20).unwrap();
		let dense = ExactInfluence::dense(&net, &x, &y, 1e-2, 1e-4).unwrap();
		let woodbury = ExactInfluence::new(&net, &x, &y, 1e-2, 1e-4).unwrap();
		assert!(matches!(woodbury.curvature, Curvature::Woodbury { .. }));
		let q = select_rows(&x, &[0, 5]).unwrap();
		let close = |a: &[f64], b: &[f64]| {
			for (u, v) in a.iter().zip(b) {
				assert!((u - v).abs() < 1e-7 * (1.0 + v.abs()), "{u} vs {v}");
			}
		};
		close(
			&vec(&woodbury.scores(&q, &[1, 2]).unwrap()),
			&vec(&dense.scores(&q, &[1, 2]).unwrap()),
		);
		close(&woodbury.self_influence().unwrap(), &dense.self_influence().unwrap());
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
