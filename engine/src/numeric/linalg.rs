//! Dense f64 matrices in row-major `Vec<f64>`, and the factorisations the influence methods
//! need.
//!
//! Every product goes through [`matmul`] or [`product_into`], so the engine has one place
//! where its heavy arithmetic happens: the deterministic kernel of [`crate::numeric::kernel`].
//!
//! Cholesky, the triangular solves and the Jacobi eigensolver are written here rather than
//! taken from a crate: nalgebra's decompositions run their products through matrixmultiply,
//! and faer through its own SIMD dispatch, and both pick an FMA kernel or not from the CPU at
//! run time, which is the very thing that made attestors disagree. Each loop here is scalar
//! Rust in a fixed order, which Rust never fuses or reorders, so it gives the same bits on
//! every target.

use rayon::prelude::*;

use crate::{
	error::EngineError,
	numeric::kernel::{product_packed_into, Packed},
};

/// A row-major matrix.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
	/// Rows.
	pub rows: usize,
	/// Columns.
	pub cols: usize,
	/// `rows × cols` values, row after row.
	pub data: Vec<f64>,
}

impl Matrix {
	/// A matrix of zeros.
	pub fn zeros(rows: usize, cols: usize) -> Self {
		Self { rows, cols, data: vec![0.0; rows * cols] }
	}

	/// A matrix of NaNs: what a computation that cannot fail reports if it fails anyway.
	pub fn nan(rows: usize, cols: usize) -> Self {
		Self { rows, cols, data: vec![f64::NAN; rows * cols] }
	}

	/// A matrix from rows of equal length.
	pub fn from_rows(rows: &[Vec<f64>]) -> Self {
		let cols = rows.first().map_or(0, Vec::len);
		Self { rows: rows.len(), cols, data: rows.iter().flatten().copied().collect() }
	}

	/// Row `i`.
	pub fn row(&self, i: usize) -> &[f64] {
		&self.data[i * self.cols..(i + 1) * self.cols]
	}

	/// Row `i`, mutable.
	pub fn row_mut(&mut self, i: usize) -> &mut [f64] {
		&mut self.data[i * self.cols..(i + 1) * self.cols]
	}

	/// The rows at `indices`, in that order.
	pub fn select_rows(&self, indices: &[usize]) -> Self {
		let mut data = Vec::with_capacity(indices.len() * self.cols);
		for &i in indices {
			data.extend_from_slice(self.row(i));
		}
		Self { rows: indices.len(), cols: self.cols, data }
	}

	/// The matrix with a column of ones appended, `[rows, cols + 1]`: inputs with the bias.
	pub fn with_ones_column(&self) -> Self {
		let mut out = Self::zeros(self.rows, self.cols + 1);
		for i in 0..self.rows {
			out.row_mut(i)[..self.cols].copy_from_slice(self.row(i));
			out.row_mut(i)[self.cols] = 1.0;
		}
		out
	}

	/// The transpose.
	pub fn t(&self) -> Self {
		let mut out = Self::zeros(self.cols, self.rows);
		for i in 0..self.rows {
			for j in 0..self.cols {
				out.data[j * self.rows + i] = self.data[i * self.cols + j];
			}
		}
		out
	}
}

/// Rows of the output per parallel block of [`matmul`].
const ROW_BLOCK: usize = 64;

/// `a · b` (`[m, k] · [k, n] → [m, n]`) by the deterministic kernel ([`crate::numeric::kernel`]).
pub fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
	assert_eq!(a.cols, b.rows, "matmul shapes");
	let mut out = Matrix::zeros(a.rows, b.cols);
	product_rows(&mut out.data, &a.data, &b.data, a.rows, a.cols, b.cols);
	out
}

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

/// `a · b` with three loops in a fixed order: the reference for the tests.
#[cfg(test)]
fn naive_matmul(a: &Matrix, b: &Matrix) -> Matrix {
	let mut out = Matrix::zeros(a.rows, b.cols);
	for i in 0..a.rows {
		for k in 0..a.cols {
			let aik = a.data[i * a.cols + k];
			for j in 0..b.cols {
				out.data[i * b.cols + j] += aik * b.data[k * b.cols + j];
			}
		}
	}
	out
}

/// The lower-triangular Cholesky factor `L` of a symmetric positive-definite matrix.
pub fn cholesky(a: &Matrix) -> Result<Matrix, EngineError> {
	let n = a.rows;
	let mut l = Matrix::zeros(n, n);
	for j in 0..n {
		let mut diag = a.data[j * n + j];
		for k in 0..j {
			diag -= l.data[j * n + k] * l.data[j * n + k];
		}
		if diag.is_nan() || diag <= 0.0 {
			return Err(EngineError::NotPositiveDefinite);
		}
		let ljj = diag.sqrt();
		l.data[j * n + j] = ljj;
		for i in j + 1..n {
			let mut v = a.data[i * n + j];
			for k in 0..j {
				v -= l.data[i * n + k] * l.data[j * n + k];
			}
			l.data[i * n + j] = v / ljj;
		}
	}
	Ok(l)
}

/// Solves `L y = b` (forward substitution) for each column of `b` (`[n, m]`).
pub fn forward_solve(l: &Matrix, b: &Matrix) -> Matrix {
	let n = l.rows;
	let mut y = b.clone();
	for col in 0..b.cols {
		for i in 0..n {
			let mut v = y.data[i * b.cols + col];
			for k in 0..i {
				v -= l.data[i * n + k] * y.data[k * b.cols + col];
			}
			y.data[i * b.cols + col] = v / l.data[i * n + i];
		}
	}
	y
}

/// Solves `Lᵀ x = y` (back substitution) for each column of `y`.
pub fn backward_solve(l: &Matrix, y: &Matrix) -> Matrix {
	let n = l.rows;
	let mut x = y.clone();
	for col in 0..y.cols {
		for i in (0..n).rev() {
			let mut v = x.data[i * y.cols + col];
			for k in i + 1..n {
				v -= l.data[k * n + i] * x.data[k * y.cols + col];
			}
			x.data[i * y.cols + col] = v / l.data[i * n + i];
		}
	}
	x
}

/// `(1/n) Xᵀ X` for the `n` rows of `x`: the second moment of the rows.
pub fn mean_gram(x: &Matrix) -> Matrix {
	let mut m = matmul(&x.t(), x);
	let inv_n = 1.0 / x.rows.max(1) as f64;
	for v in m.data.iter_mut() {
		*v *= inv_n;
	}
	m
}

/// The eigendecomposition `A = Q diag(values) Qᵀ` of a symmetric matrix by cyclic Jacobi
/// rotations, in a fixed order (so the same bits everywhere): the eigenvalues, and `Q` with one
/// eigenvector per column. Meant for the small curvature factors of a layer.
pub fn symmetric_eigen(a: &Matrix) -> (Vec<f64>, Matrix) {
	let n = a.rows;
	let mut m = a.clone();
	let mut q = Matrix::zeros(n, n);
	for i in 0..n {
		q.data[i * n + i] = 1.0;
	}
	let norm: f64 = m.data.iter().map(|v| v * v).sum::<f64>().sqrt();
	for _sweep in 0..64 {
		let off: f64 = (0..n)
			.flat_map(|i| (0..n).filter(move |j| *j != i).map(move |j| (i, j)))
			.map(|(i, j)| m.data[i * n + j] * m.data[i * n + j])
			.sum::<f64>()
			.sqrt();
		if off <= 1e-15 * norm || norm == 0.0 {
			break;
		}
		for p in 0..n {
			for r in p + 1..n {
				let apr = m.data[p * n + r];
				if apr == 0.0 {
					continue;
				}
				let (app, arr) = (m.data[p * n + p], m.data[r * n + r]);
				// The rotation that zeroes (p, r): tan θ = t, the smaller root of
				// t² + 2τt - 1 = 0 with τ = (a_rr - a_pp) / (2 a_pr).
				let tau = (arr - app) / (2.0 * apr);
				let t = tau.signum() / (tau.abs() + (1.0 + tau * tau).sqrt());
				let t = if tau == 0.0 { 1.0 } else { t };
				let c = 1.0 / (1.0 + t * t).sqrt();
				let s = t * c;
				for k in 0..n {
					let (mkp, mkr) = (m.data[k * n + p], m.data[k * n + r]);
					m.data[k * n + p] = c * mkp - s * mkr;
					m.data[k * n + r] = s * mkp + c * mkr;
				}
				for k in 0..n {
					let (mpk, mrk) = (m.data[p * n + k], m.data[r * n + k]);
					m.data[p * n + k] = c * mpk - s * mrk;
					m.data[r * n + k] = s * mpk + c * mrk;
				}
				for k in 0..n {
					let (qkp, qkr) = (q.data[k * n + p], q.data[k * n + r]);
					q.data[k * n + p] = c * qkp - s * qkr;
					q.data[k * n + r] = s * qkp + c * qkr;
				}
			}
		}
	}
	((0..n).map(|i| m.data[i * n + i]).collect(), q)
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn the_product_matches_the_reference() {
		let a = Matrix { rows: 3, cols: 4, data: (0..12).map(|v| v as f64 * 0.5 - 2.0).collect() };
		let b = Matrix { rows: 4, cols: 2, data: (0..8).map(|v| (v as f64).sin()).collect() };
		let fast = matmul(&a, &b);
		let slow = naive_matmul(&a, &b);
		for (x, y) in fast.data.iter().zip(&slow.data) {
			assert!((x - y).abs() < 1e-12);
		}
		assert_eq!(a.t().t(), a);
		let mut rows = vec![f64::NAN; 4];
		product_into(&mut rows, &a.data[4..12], &b.data, 2, 4, 2);
		for (x, y) in rows.iter().zip(&slow.data[2..6]) {
			assert!((x - y).abs() < 1e-12);
		}
	}
	#[test]
	fn eigendecomposition_reconstructs_the_matrix() {
		let a = Matrix {
			rows: 4,
			cols: 4,
			data: vec![
				4.0, 1.0, -2.0, 0.5, 1.0, 3.0, 0.0, 1.0, -2.0, 0.0, 5.0, -1.0, 0.5, 1.0, -1.0, 2.0,
			],
		};
		let (values, q) = symmetric_eigen(&a);
		// Q is orthogonal and Q diag(values) Qᵀ = A.
		let qtq = matmul(&q.t(), &q);
		let mut scaled = q.clone();
		for i in 0..4 {
			for j in 0..4 {
				scaled.data[i * 4 + j] *= values[j];
				let want = if i == j { 1.0 } else { 0.0 };
				assert!((qtq.data[i * 4 + j] - want).abs() < 1e-12);
			}
		}
		let back = matmul(&scaled, &q.t());
		for (x, y) in back.data.iter().zip(&a.data) {
			assert!((x - y).abs() < 1e-12, "{x} vs {y}");
		}
	}

	#[test]
	fn cholesky_solves() {
		let a =
			Matrix { rows: 3, cols: 3, data: vec![4.0, 2.0, 0.6, 2.0, 5.0, 1.0, 0.6, 1.0, 3.0] };
		let l = cholesky(&a).unwrap();
		let b = Matrix { rows: 3, cols: 1, data: vec![1.0, -2.0, 0.5] };
		let x = backward_solve(&l, &forward_solve(&l, &b));
		let back = matmul(&a, &x);
		for (u, v) in back.data.iter().zip(&b.data) {
			assert!((u - v).abs() < 1e-12);
		}
		assert!(cholesky(&Matrix { rows: 1, cols: 1, data: vec![-1.0] }).is_err());
	}
}
