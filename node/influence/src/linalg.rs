//! Dense f64 matrices in row-major `Vec<f64>`, with products computed by candle.
//!
//! Every product goes through [`matmul`], so the engine has one place where its heavy
//! arithmetic happens. candle's CPU matmul reduces each output element over `k` in one thread,
//! so the bits do not depend on the thread count.

use candle_core::{Device, Tensor};

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

fn tensor(m: &Matrix) -> candle_core::Result<Tensor> {
	Tensor::from_slice(&m.data, (m.rows, m.cols), &Device::Cpu)
}

/// `a · b` (`[m, k] · [k, n] → [m, n]`).
pub fn matmul(a: &Matrix, b: &Matrix) -> Matrix {
	debug_assert_eq!(a.cols, b.rows, "matmul shapes");
	if a.rows == 0 || b.cols == 0 || a.cols == 0 {
		return Matrix::zeros(a.rows, b.cols);
	}
	let product = tensor(a)
		.and_then(|ta| tensor(b).and_then(|tb| ta.matmul(&tb)))
		.and_then(|t| t.flatten_all())
		.and_then(|t| t.to_vec1::<f64>());
	match product {
		Ok(data) => Matrix { rows: a.rows, cols: b.cols, data },
		// candle only fails on shape or dtype mismatches, which the assertion above excludes;
		// fall back to the plain product rather than panic.
		Err(_) => naive_matmul(a, b),
	}
}

/// `a · b` with three loops in a fixed order: the reference for tests and benchmarks.
pub fn naive_matmul(a: &Matrix, b: &Matrix) -> Matrix {
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

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn candle_product_matches_the_reference() {
		let a = Matrix { rows: 3, cols: 4, data: (0..12).map(|v| v as f64 * 0.5 - 2.0).collect() };
		let b = Matrix { rows: 4, cols: 2, data: (0..8).map(|v| (v as f64).sin()).collect() };
		let fast = matmul(&a, &b);
		let slow = naive_matmul(&a, &b);
		for (x, y) in fast.data.iter().zip(&slow.data) {
			assert!((x - y).abs() < 1e-12);
		}
		assert_eq!(a.t().t(), a);
	}
}
