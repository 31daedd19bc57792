//! The products and factorisations the influence methods need, on the engine's tensors.
//!
//! Every product goes through [`product_rows`] (the [`crate::numeric::tensor::Product`] op) or
//! [`product_into`], so the engine has one place where its heavy arithmetic happens: the
//! deterministic kernel of [`crate::numeric::kernel`].
//!
//! Cholesky, the triangular solves and the Jacobi eigensolver are written here rather than
//! taken from a crate: nalgebra's decompositions run their products through matrixmultiply,
//! and faer through its own SIMD dispatch, and both pick an FMA kernel or not from the CPU at
//! run time, which is the very thing that made attestors disagree. Each loop here is scalar
//! Rust in a fixed order, which Rust never fuses or reorders, so it gives the same bits on
//! every target. They take and return candle tensors, reading them in place
//! ([`crate::numeric::tensor::values`]); the solves are candle ops ([`Solve`]).

use candle_core::{bail, CpuStorage, CustomOp2, Layout, Shape, Tensor};
use rayon::prelude::*;

use crate::{
	error::EngineError,
	numeric::{
		kernel::{product_packed_into, Packed},
		tensor::{matmul, matrix, scalar, transpose, values, values_of},
	},
};

/// Rows of the output per parallel block of [`product_rows`].
const ROW_BLOCK: usize = 64;

/// `out = a · b` for row-major slices (`[m, k] · [k, n]`) by the deterministic kernel. Large
/// products run in parallel blocks of rows; each output element is still reduced by one thread
/// in one order, so the bits do not depend on the thread count.
pub fn product_rows(out: &mut [f64], a: &[f64], b: &[f64], m: usize, k: usize, n: usize) {
	assert!(a.len() == m * k && b.len() == k * n && out.len() == m * n, "product shapes");
	if m == 0 || n == 0 {
		return;
	}
	let b = Packed::new(b, k, n);
	if m * k * n < 1 << 18 || m <= ROW_BLOCK {
		product_packed_into(out, a, &b, m);
		return;
	}
	out.par_chunks_mut(ROW_BLOCK * n).enumerate().for_each(|(blk, dst)| {
		let rows = dst.len() / n;
		let first = blk * ROW_BLOCK;
		product_packed_into(dst, &a[first * k..(first + rows) * k], &b, rows);
	});
}

/// `out = a · b` for row-major slices `a` (`[rows, k]`), `b` (`[k, cols]`) and `out`
/// (`[rows, cols]`), in the calling thread, with no allocation of the result: the
/// deterministic kernel ([`crate::numeric::kernel::product_into`]).
pub use crate::numeric::kernel::product_into;

/// The lower-triangular Cholesky factor `L` of a symmetric positive-definite matrix.
pub fn cholesky(a: &Tensor) -> Result<Tensor, EngineError> {
	let (n, cols) = a.dims2()?;
	if n != cols {
		return Err(EngineError::NotPositiveDefinite);
	}
	let a = values(a)?;
	let mut l = vec![0.0; n * n];
	for j in 0..n {
		let mut diag = a[j * n + j];
		for k in 0..j {
			diag -= l[j * n + k] * l[j * n + k];
		}
		if diag.is_nan() || diag <= 0.0 {
			return Err(EngineError::NotPositiveDefinite);
		}
		let ljj = diag.sqrt();
		l[j * n + j] = ljj;
		for i in j + 1..n {
			let mut v = a[i * n + j];
			for k in 0..j {
				v -= l[i * n + k] * l[j * n + k];
			}
			l[i * n + j] = v / ljj;
		}
	}
	Ok(matrix(n, n, l)?)
}

/// A triangular solve for each column of the right-hand side, as a candle op:
/// `Solve::Forward` solves `L y = b`, `Solve::Backward` solves `Lᵀ x = y`, for the lower
/// triangle `L` (`[n, n]`) and `b` (`[n, m]`).
pub enum Solve {
	/// `L y = b`, forward substitution.
	Forward,
	/// `Lᵀ x = y`, back substitution.
	Backward,
}

impl CustomOp2 for Solve {
	fn name(&self) -> &'static str {
		match self {
			Solve::Forward => "deterministic-forward-solve",
			Solve::Backward => "deterministic-backward-solve",
		}
	}

	fn cpu_fwd(
		&self,
		s1: &CpuStorage,
		l1: &Layout,
		s2: &CpuStorage,
		l2: &Layout,
	) -> candle_core::Result<(CpuStorage, Shape)> {
		let ((n, n2), (rows, cols)) = (l1.shape().dims2()?, l2.shape().dims2()?);
		if n != n2 || rows != n {
			bail!("a solve of [{n}, {n2}] and [{rows}, {cols}]");
		}
		let l = values_of(s1, l1, self.name())?;
		let mut x = values_of(s2, l2, self.name())?.to_vec();
		match self {
			Solve::Forward => {
				for col in 0..cols {
					for i in 0..n {
						let mut v = x[i * cols + col];
						for k in 0..i {
							v -= l[i * n + k] * x[k * cols + col];
						}
						x[i * cols + col] = v / l[i * n + i];
					}
				}
			},
			Solve::Backward => {
				for col in 0..cols {
					for i in (0..n).rev() {
						let mut v = x[i * cols + col];
						for k in i + 1..n {
							v -= l[k * n + i] * x[k * cols + col];
						}
						x[i * cols + col] = v / l[i * n + i];
					}
				}
			},
		}
		Ok((CpuStorage::F64(x), l2.shape().clone()))
	}
}

/// Solves `L y = b` (forward substitution) for each column of `b` (`[n, m]`).
pub fn forward_solve(l: &Tensor, b: &Tensor) -> candle_core::Result<Tensor> {
	l.contiguous()?.apply_op2_no_bwd(&b.contiguous()?, &Solve::Forward)
}

/// Solves `Lᵀ x = y` (back substitution) for each column of `y`.
pub fn backward_solve(l: &Tensor, y: &Tensor) -> candle_core::Result<Tensor> {
	l.contiguous()?.apply_op2_no_bwd(&y.contiguous()?, &Solve::Backward)
}

/// `(1/n) Xᵀ X` for the `n` rows of `x`: the second moment of the rows.
pub fn mean_gram(x: &Tensor) -> candle_core::Result<Tensor> {
	let n = x.dim(0)?;
	matmul(&transpose(x)?, x)?.broadcast_mul(&scalar(1.0 / n.max(1) as f64)?)
}

/// The eigendecomposition `A = Q diag(values) Qᵀ` of a symmetric matrix by cyclic Jacobi
/// rotations, in a fixed order (so the same bits everywhere): the eigenvalues, and `Q` with one
/// eigenvector per column. Meant for the small curvature factors of a layer.
pub fn symmetric_eigen(a: &Tensor) -> candle_core::Result<(Vec<f64>, Tensor)> {
	let (n, cols) = a.dims2()?;
	if n != cols {
		bail!("the eigendecomposition of a [{n}, {cols}] matrix");
	}
	let mut m = values(a)?.to_vec();
	let mut q = vec![0.0; n * n];
	for i in 0..n {
		q[i * n + i] = 1.0;
	}
	let norm: f64 = m.iter().map(|v| v * v).sum::<f64>().sqrt();
	for _sweep in 0..64 {
		let off: f64 = (0..n)
			.flat_map(|i| (0..n).filter(move |j| *j != i).map(move |j| (i, j)))
			.map(|(i, j)| m[i * n + j] * m[i * n + j])
			.sum::<f64>()
			.sqrt();
		if off <= 1e-15 * norm || norm == 0.0 {
			break;
		}
		for p in 0..n {
			for r in p + 1..n {
				let apr = m[p * n + r];
				if apr == 0.0 {
					continue;
				}
				let (app, arr) = (m[p * n + p], m[r * n + r]);
				// The rotation that zeroes (p, r): tan θ = t, the smaller root of
				// t² + 2τt - 1 = 0 with τ = (a_rr - a_pp) / (2 a_pr).
				let tau = (arr - app) / (2.0 * apr);
				let t = tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt());
				let t = if tau == 0.0 { 1.0 } else { t };
				let c = 1.0 / (1.0 + t * t).sqrt();
				let s = t * c;
				for k in 0..n {
					let (mkp, mkr) = (m[k * n + p], m[k * n + r]);
					m[k * n + p] = c * mkp - s * mkr;
					m[k * n + r] = s * mkp + c * mkr;
				}
				for k in 0..n {
					let (mpk, mrk) = (m[p * n + k], m[r * n + k]);
					m[p * n + k] = c * mpk - s * mrk;
					m[r * n + k] = s * mpk + c * mrk;
				}
				for k in 0..n {
					let (qkp, qkr) = (q[k * n + p], q[k * n + r]);
					q[k * n + p] = c * qkp - s * qkr;
					q[k * n + r] = s * qkp + c * qkr;
				}
			}
		}
	}
	Ok(((0..n).map(|i| m[i * n + i]).collect(), matrix(n, n, q)?))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn vec(t: &Tensor) -> Vec<f64> {
		values(t).unwrap().to_vec()
	}

	/// `a · b` with three loops in a fixed order: the reference.
	fn naive_matmul(a: &[f64], b: &[f64], m: usize, k: usize, n: usize) -> Vec<f64> {
		let mut out = vec![0.0; m * n];
		for i in 0..m {
			for p in 0..k {
				for j in 0..n {
					out[i * n + j] += a[i * k + p] * b[p * n + j];
				}
			}
		}
		out
	}

	#[test]
	fn the_product_matches_the_reference() {
		let a: Vec<f64> = (0..12).map(|v| v as f64 * 0.5 - 2.0).collect();
		let b: Vec<f64> = (0..8).map(|v| (v as f64).sin()).collect();
		let fast =
			vec(&matmul(&matrix(3, 4, a.clone()).unwrap(), &matrix(4, 2, b.clone()).unwrap())
				.unwrap());
		let slow = naive_matmul(&a, &b, 3, 4, 2);
		for (x, y) in fast.iter().zip(&slow) {
			assert!((x - y).abs() < 1e-12);
		}
		let mut rows = vec![f64::NAN; 4];
		product_into(&mut rows, &a[4..12], &b, 2, 4, 2);
		for (x, y) in rows.iter().zip(&slow[2..6]) {
			assert!((x - y).abs() < 1e-12);
		}
		// Large enough for parallel blocks of rows: the same bits as one block.
		let (m, k, n) = (300, 40, 30);
		let a: Vec<f64> = (0..m * k).map(|v| (v as f64 * 0.37).sin()).collect();
		let b: Vec<f64> = (0..k * n).map(|v| (v as f64 * 0.11).cos()).collect();
		let mut blocked = vec![0.0; m * n];
		product_rows(&mut blocked, &a, &b, m, k, n);
		let mut whole = vec![0.0; m * n];
		product_into(&mut whole, &a, &b, m, k, n);
		assert!(blocked.iter().zip(&whole).all(|(x, y)| x.to_bits() == y.to_bits()));
	}

	#[test]
	fn eigendecomposition_reconstructs_the_matrix() {
		let data = vec![
			4.0, 1.0, -2.0, 0.5, 1.0, 3.0, 0.0, 1.0, -2.0, 0.0, 5.0, -1.0, 0.5, 1.0, -1.0, 2.0,
		];
		let (eigen, q) = symmetric_eigen(&matrix(4, 4, data.clone()).unwrap()).unwrap();
		// Q is orthogonal and Q diag(values) Qᵀ = A.
		let qtq = vec(&matmul(&transpose(&q).unwrap(), &q).unwrap());
		let mut scaled = vec(&q);
		for i in 0..4 {
			for j in 0..4 {
				scaled[i * 4 + j] *= eigen[j];
				let want = if i == j { 1.0 } else { 0.0 };
				assert!((qtq[i * 4 + j] - want).abs() < 1e-12);
			}
		}
		let back = vec(&matmul(&matrix(4, 4, scaled).unwrap(), &transpose(&q).unwrap()).unwrap());
		for (x, y) in back.iter().zip(&data) {
			assert!((x - y).abs() < 1e-12, "{x} vs {y}");
		}
		assert!(symmetric_eigen(&matrix(1, 2, vec![1.0, 2.0]).unwrap()).is_err());
	}

	#[test]
	fn cholesky_solves() {
		let a = matrix(3, 3, vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0]).unwrap();
		let l = cholesky(&a).unwrap();
		let b = matrix(3, 1, vec![1.0, -2.0, 0.5]).unwrap();
		let x = backward_solve(&l, &forward_solve(&l, &b).unwrap()).unwrap();
		for (u, v) in vec(&matmul(&a, &x).unwrap()).iter().zip(&vec(&b)) {
			assert!((u - v).abs() < 1e-12);
		}
		let negative = matrix(1, 1, vec![-1.0]).unwrap();
		assert_eq!(cholesky(&negative).unwrap_err(), EngineError::NotPositiveDefinite);
		let wide = matrix(1, 2, vec![1.0, 0.0]).unwrap();
		assert_eq!(cholesky(&wide).unwrap_err(), EngineError::NotPositiveDefinite);
		assert!(forward_solve(&l, &wide).is_err(), "shapes that do not fit are an error");
	}
}
