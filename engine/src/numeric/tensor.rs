//! candle tensors with deterministic kernels: what the engine trains and predicts on, and its
//! model files.
//!
//! candle's own CPU kernels are not bit-reproducible across machines: its matmul is gemm,
//! which picks FMA or not and its blocking from the CPU, its `exp` is the platform's libm, and
//! the order of its reductions is its own. So the engine's passes
//! ([`crate::classifier::model::Parameters`]) run on candle tensors (f64, on the CPU device)
//! through candle custom ops built on its own kernels:
//! - [`Product`]: `a · b` by [`crate::numeric::kernel`], in parallel blocks of rows;
//! - [`Relu`]: `v > 0 ? v : 0` (so `-0.0` and NaN both give `+0.0` on every target);
//! - [`ReluGrad`]: the error through a ReLU, `a > 0 ? δ : 0` given the layer's output `a`;
//! - [`SoftmaxRows`]: each row's softmax with `exp` from the pure-Rust libm ([`softmax_rows`]);
//! - [`SumRows`]: the sum of a matrix's rows, added in row order from `0.0`.
//!
//! candle's element-wise additions, subtractions, products and quotients (with a broadcast
//! scalar too, see [`scalar`]) are single IEEE operations that Rust never fuses, the same bits
//! everywhere; `affine` is avoided, since `x·m + 0` turns `-0.0` into `+0.0`. Model files are
//! written from candle tensors and read back into them ([`crate::api::store`]).

use candle_core::{
	bail, CpuStorage, CustomOp1, CustomOp2, DType, Device, Layout, Result, Shape, Tensor,
};

use crate::numeric::linalg::{self, Matrix};

/// The f64 values of a contiguous tensor's storage.
fn values<'a>(storage: &'a CpuStorage, layout: &Layout, op: &str) -> Result<&'a [f64]> {
	let CpuStorage::F64(data) = storage else { bail!("{op} takes f64 tensors") };
	match layout.contiguous_offsets() {
		Some((start, end)) => Ok(&data[start..end]),
		None => bail!("{op} takes contiguous tensors"),
	}
}

/// The deterministic matrix product `[m, k] · [k, n] → [m, n]` as a candle op.
pub struct Product;

impl CustomOp2 for Product {
	fn name(&self) -> &'static str {
		"deterministic-product"
	}

	fn cpu_fwd(
		&self,
		s1: &CpuStorage,
		l1: &Layout,
		s2: &CpuStorage,
		l2: &Layout,
	) -> Result<(CpuStorage, Shape)> {
		let ((m, k), (k2, n)) = (l1.shape().dims2()?, l2.shape().dims2()?);
		if k != k2 {
			bail!("product of [{m}, {k}] and [{k2}, {n}]");
		}
		let (a, b) = (values(s1, l1, self.name())?, values(s2, l2, self.name())?);
		let mut out = vec![0.0; m * n];
		linalg::product_rows(&mut out, a, b, m, k, n);
		Ok((CpuStorage::F64(out), Shape::from((m, n))))
	}
}

/// ReLU as a candle op: `v > 0 ? v : 0`.
pub struct Relu;

impl CustomOp1 for Relu {
	fn name(&self) -> &'static str {
		"deterministic-relu"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let v = values(storage, layout, self.name())?;
		let out = v.iter().map(|x| if *x > 0.0 { *x } else { 0.0 }).collect();
		Ok((CpuStorage::F64(out), layout.shape().clone()))
	}
}

/// The error through a ReLU as a candle op: `ReluGrad(δ, a) = a > 0 ? δ : 0`, with `a` the
/// ReLU's output (a NaN `a` keeps `δ`, as the matrix code always did).
pub struct ReluGrad;

impl CustomOp2 for ReluGrad {
	fn name(&self) -> &'static str {
		"deterministic-relu-grad"
	}

	fn cpu_fwd(
		&self,
		s1: &CpuStorage,
		l1: &Layout,
		s2: &CpuStorage,
		l2: &Layout,
	) -> Result<(CpuStorage, Shape)> {
		if l1.shape() != l2.shape() {
			bail!("relu-grad of {:?} and {:?}", l1.shape(), l2.shape());
		}
		let (d, a) = (values(s1, l1, self.name())?, values(s2, l2, self.name())?);
		let out = d.iter().zip(a).map(|(d, a)| if *a <= 0.0 { 0.0 } else { *d }).collect();
		Ok((CpuStorage::F64(out), l1.shape().clone()))
	}
}

/// The sum of a matrix's rows, `[rows, cols] → [1, cols]`, added in row order from `0.0`.
pub struct SumRows;

impl CustomOp1 for SumRows {
	fn name(&self) -> &'static str {
		"deterministic-sum-rows"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let (_, cols) = layout.shape().dims2()?;
		let v = values(storage, layout, self.name())?;
		let mut sum = vec![0.0; cols];
		for row in v.chunks_exact(cols.max(1)) {
			for (s, x) in sum.iter_mut().zip(row) {
				*s += x;
			}
		}
		Ok((CpuStorage::F64(sum), Shape::from((1, cols))))
	}
}

/// A 0-d f64 tensor, to multiply or divide by with `broadcast_mul` and `broadcast_div`.
pub fn scalar(v: f64) -> Result<Tensor> {
	Tensor::new(v, &Device::Cpu)
}

/// `softmax` of each row, with `exp` from libm so that every machine gets the same bits.
pub fn softmax_rows(z: &mut Matrix) {
	for i in 0..z.rows {
		let row = z.row_mut(i);
		let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
		let mut sum = 0.0;
		for v in row.iter_mut() {
			*v = libm::exp(*v - max);
			sum += *v;
		}
		for v in row.iter_mut() {
			*v /= sum;
		}
	}
}

/// The softmax of each row of a matrix as a candle op, with `exp` from libm ([`softmax_rows`]).
pub struct SoftmaxRows;

impl CustomOp1 for SoftmaxRows {
	fn name(&self) -> &'static str {
		"deterministic-softmax"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let (rows, cols) = layout.shape().dims2()?;
		let mut z = Matrix { rows, cols, data: values(storage, layout, self.name())?.to_vec() };
		softmax_rows(&mut z);
		Ok((CpuStorage::F64(z.data), layout.shape().clone()))
	}
}

impl Matrix {
	/// The matrix as a `[rows, cols]` f64 tensor on the CPU.
	pub fn to_tensor(&self) -> Result<Tensor> {
		Tensor::from_slice(&self.data, (self.rows, self.cols), &Device::Cpu)
	}

	/// A 2-D f64 tensor as a matrix.
	pub fn from_tensor(t: &Tensor) -> Result<Self> {
		if t.dtype() != DType::F64 {
			bail!("an f64 matrix, not {:?}", t.dtype());
		}
		let (rows, cols) = t.dims2()?;
		Ok(Self { rows, cols, data: t.flatten_all()?.to_vec1()? })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn values(rows: usize, cols: usize, seed: f64) -> Matrix {
		let data = (0..rows * cols).map(|i| ((i as f64 + seed) * 0.731).sin() * 2.3).collect();
		Matrix { rows, cols, data }
	}

	#[test]
	fn the_ops_give_the_engine_kernels_bits() {
		let (a, b) = (values(70, 33, 1.0), values(33, 45, 2.0));
		let product = a.to_tensor().unwrap().apply_op2_no_bwd(&b.to_tensor().unwrap(), &Product);
		let product = Matrix::from_tensor(&product.unwrap()).unwrap();
		let want = linalg::matmul(&a, &b);
		assert!(product.data.iter().zip(&want.data).all(|(x, y)| x.to_bits() == y.to_bits()));

		let mut z = values(5, 7, 3.0);
		z.data[3] = -0.0;
		let relu = Matrix::from_tensor(&z.to_tensor().unwrap().apply_op1_no_bwd(&Relu).unwrap());
		let relu = relu.unwrap();
		assert!(relu.data.iter().all(|v| v.is_sign_positive() && *v >= 0.0));
		assert_eq!(relu.data[0], z.data[0].max(0.0));

		let soft = z.to_tensor().unwrap().apply_op1_no_bwd(&SoftmaxRows).unwrap();
		let soft = Matrix::from_tensor(&soft).unwrap();
		let mut want = z.clone();
		softmax_rows(&mut want);
		assert_eq!(soft, want);

		let (d, a) = (values(5, 7, 4.0), z.clone());
		let grad = d.to_tensor().unwrap().apply_op2_no_bwd(&a.to_tensor().unwrap(), &ReluGrad);
		let grad = Matrix::from_tensor(&grad.unwrap()).unwrap();
		for ((g, d), a) in grad.data.iter().zip(&d.data).zip(&a.data) {
			assert_eq!(g.to_bits(), if *a > 0.0 { d.to_bits() } else { 0 }, "-0.0 passes nothing");
		}

		let sums = Matrix::from_tensor(&d.to_tensor().unwrap().apply_op1_no_bwd(&SumRows).unwrap());
		let sums = sums.unwrap();
		assert_eq!((sums.rows, sums.cols), (1, 7));
		for (j, s) in sums.data.iter().enumerate() {
			let want = (0..5).fold(0.0, |acc, i| acc + d.row(i)[j]);
			assert_eq!(s.to_bits(), want.to_bits(), "rows are added in order");
		}

		// Wrong shapes and dtypes are errors, not panics.
		let t = a.to_tensor().unwrap();
		assert!(t.apply_op2_no_bwd(&t, &Product).is_err());
		assert!(t.to_dtype(DType::F32).unwrap().apply_op1_no_bwd(&Relu).is_err());
		assert!(t.t().unwrap().apply_op2_no_bwd(&t, &Product).is_err(), "not contiguous");
		assert!(t.apply_op2_no_bwd(&b.to_tensor().unwrap(), &ReluGrad).is_err());
	}
}
