//! candle tensors with deterministic kernels: the engine's one tensor type, for training,
//! prediction, attribution and model files.
//!
//! candle's own CPU kernels are not bit-reproducible across machines: its matmul is gemm,
//! which picks FMA or not and its blocking from the CPU, its `exp` is the platform's libm, and
//! the order of its reductions is its own. So the engine's passes
//! ([`crate::classifier::model::Network`]) and attribution methods run on candle tensors (f64,
//! on the CPU device) through candle custom ops built on its own kernels:
//! - [`Product`]: `a · b` by [`crate::numeric::kernel`], in parallel blocks of rows
//!   ([`matmul`] makes views contiguous first);
//! - [`Relu`]: `v > 0 ? v : 0` (so `-0.0` and NaN both give `+0.0` on every target);
//! - [`ReluGrad`]: the error through a ReLU, `a > 0 ? δ : 0` given the layer's output `a`;
//! - [`SoftmaxRows`]: each row's softmax with `exp` from the pure-Rust libm;
//! - [`SumRows`]: the sum of a matrix's rows, added in row order from `0.0`;
//! - the triangular solves of [`crate::numeric::linalg`].
//!
//! candle's element-wise additions, subtractions, products and quotients (with a broadcast
//! scalar too, see [`scalar`]) are single IEEE operations that Rust never fuses, the same bits
//! everywhere; `affine` is avoided, since `x·m + 0` turns `-0.0` into `+0.0`. The engine's
//! scalar kernels read a tensor's values in place through [`values`]. Model files are written
//! from candle tensors and read back into them ([`crate::api::store`]).

use core::ops::Deref;

use candle_core::{
	bail, CpuStorage, CustomOp1, CustomOp2, DType, Device, Layout, Result, Shape, Storage,
	StorageRef, Tensor,
};

use crate::numeric::linalg;

/// The f64 values of a contiguous tensor's storage, as a custom op reads its inputs.
pub(crate) fn values_of<'a>(
	storage: &'a CpuStorage,
	layout: &Layout,
	op: &str,
) -> Result<&'a [f64]> {
	let CpuStorage::F64(data) = storage else { bail!("{op} takes f64 tensors") };
	match layout.contiguous_offsets() {
		Some((start, end)) => Ok(&data[start..end]),
		None => bail!("{op} takes contiguous tensors"),
	}
}

/// A read-only view of a contiguous f64 tensor's values, row after row, without a copy: how the
/// engine's scalar kernels (the factorisations of [`linalg`], the attribution methods' loops)
/// read tensors. The view holds the storage's read lock until it is dropped; nothing in the
/// engine writes a tensor in place (no candle in-place op is used), so a view never waits, and
/// several views of one tensor, in one thread or many, are fine.
pub struct Values<'a> {
	storage: StorageRef<'a>,
	start: usize,
	end: usize,
}

impl Deref for Values<'_> {
	type Target = [f64];

	fn deref(&self) -> &[f64] {
		match &*self.storage {
			Storage::Cpu(CpuStorage::F64(data)) => &data[self.start..self.end],
			// `values` checked the storage when it made the view.
			_ => &[],
		}
	}
}

/// The values of `t`, which must be an f64 tensor on the CPU; a tensor that is not contiguous
/// (a transpose, say) is an error, never a silent copy.
pub fn values(t: &Tensor) -> Result<Values<'_>> {
	let (storage, layout) = t.storage_and_layout();
	if !matches!(&*storage, Storage::Cpu(CpuStorage::F64(_))) {
		bail!("an f64 tensor on the CPU, not {:?}", t.dtype());
	}
	let Some((start, end)) = layout.contiguous_offsets() else {
		bail!("a contiguous tensor");
	};
	Ok(Values { storage, start, end })
}

/// The `[rows, cols]` f64 tensor of `data`, row after row.
pub fn matrix(rows: usize, cols: usize, data: Vec<f64>) -> Result<Tensor> {
	Tensor::from_vec(data, (rows, cols), &Device::Cpu)
}

/// The `[rows.len(), cols]` f64 tensor of rows of equal length.
pub fn from_rows(rows: &[Vec<f64>]) -> Result<Tensor> {
	let cols = rows.first().map_or(0, Vec::len);
	if rows.iter().any(|r| r.len() != cols) {
		bail!("rows of unequal length");
	}
	matrix(rows.len(), cols, rows.concat())
}

/// `a · b` (`[m, k] · [k, n] → [m, n]`) by the deterministic kernel ([`Product`]); either side
/// may be a view (a transpose), which is made contiguous first.
pub fn matmul(a: &Tensor, b: &Tensor) -> Result<Tensor> {
	a.contiguous()?.apply_op2_no_bwd(&b.contiguous()?, &Product)
}

/// The transpose of a matrix, contiguous.
pub fn transpose(a: &Tensor) -> Result<Tensor> {
	a.t()?.contiguous()
}

/// The matrix with a column of ones appended, `[rows, cols + 1]`: inputs with the bias.
pub fn with_ones_column(x: &Tensor) -> Result<Tensor> {
	let rows = x.dim(0)?;
	Tensor::cat(&[x, &Tensor::ones((rows, 1), DType::F64, &Device::Cpu)?], 1)
}

/// The rows at `indices`, in that order.
pub fn select_rows(x: &Tensor, indices: &[usize]) -> Result<Tensor> {
	let indices: Vec<u32> = indices.iter().map(|i| *i as u32).collect();
	let len = indices.len();
	x.index_select(&Tensor::from_vec(indices, len, &Device::Cpu)?, 0)
}

/// Each row's index of its largest value (the lowest index among equal maxima).
pub fn argmax_rows(t: &Tensor) -> Result<Vec<usize>> {
	let (_, cols) = t.dims2()?;
	let v = values(t)?;
	Ok(v.chunks_exact(cols.max(1))
		.map(|row| {
			let mut best = 0;
			for (c, p) in row.iter().enumerate() {
				if *p > row[best] {
					best = c;
				}
			}
			best
		})
		.collect())
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
		let (a, b) = (values_of(s1, l1, self.name())?, values_of(s2, l2, self.name())?);
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
		let v = values_of(storage, layout, self.name())?;
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
		let (d, a) = (values_of(s1, l1, self.name())?, values_of(s2, l2, self.name())?);
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
		let v = values_of(storage, layout, self.name())?;
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

/// `softmax` of each row of `data` (`cols` values each), with `exp` from libm so that every
/// machine gets the same bits.
fn softmax_rows(data: &mut [f64], cols: usize) {
	for row in data.chunks_exact_mut(cols.max(1)) {
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

/// The softmax of each row of a matrix as a candle op, with `exp` from libm.
pub struct SoftmaxRows;

impl CustomOp1 for SoftmaxRows {
	fn name(&self) -> &'static str {
		"deterministic-softmax"
	}

	fn cpu_fwd(&self, storage: &CpuStorage, layout: &Layout) -> Result<(CpuStorage, Shape)> {
		let (_, cols) = layout.shape().dims2()?;
		let mut z = values_of(storage, layout, self.name())?.to_vec();
		softmax_rows(&mut z, cols);
		Ok((CpuStorage::F64(z), layout.shape().clone()))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	fn sample(rows: usize, cols: usize, seed: f64) -> Vec<f64> {
		(0..rows * cols).map(|i| ((i as f64 + seed) * 0.731).sin() * 2.3).collect()
	}

	fn vec(t: &Tensor) -> Vec<f64> {
		values(t).unwrap().to_vec()
	}

	#[test]
	fn the_ops_give_the_engine_kernels_bits() {
		let (a, b) = (sample(70, 33, 1.0), sample(33, 45, 2.0));
		let (ta, tb) = (matrix(70, 33, a.clone()).unwrap(), matrix(33, 45, b.clone()).unwrap());
		let product = vec(&matmul(&ta, &tb).unwrap());
		let mut want = vec![0.0; 70 * 45];
		linalg::product_rows(&mut want, &a, &b, 70, 33, 45);
		assert!(product.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()));

		let mut z = sample(5, 7, 3.0);
		z[3] = -0.0;
		let tz = matrix(5, 7, z.clone()).unwrap();
		let relu = vec(&tz.apply_op1_no_bwd(&Relu).unwrap());
		assert!(relu.iter().all(|v| v.is_sign_positive() && *v >= 0.0));
		assert_eq!(relu[0], z[0].max(0.0));

		let soft = vec(&tz.apply_op1_no_bwd(&SoftmaxRows).unwrap());
		let mut want = z.clone();
		softmax_rows(&mut want, 7);
		assert_eq!(soft, want);
		let row: f64 = soft[..7].iter().sum();
		assert!((row - 1.0).abs() < 1e-12, "a row of the softmax sums to one");

		let d = sample(5, 7, 4.0);
		let td = matrix(5, 7, d.clone()).unwrap();
		let grad = vec(&td.apply_op2_no_bwd(&tz, &ReluGrad).unwrap());
		for ((g, d), a) in grad.iter().zip(&d).zip(&z) {
			assert_eq!(g.to_bits(), if *a > 0.0 { d.to_bits() } else { 0 }, "-0.0 passes nothing");
		}

		let sums = td.apply_op1_no_bwd(&SumRows).unwrap();
		assert_eq!(sums.dims2().unwrap(), (1, 7));
		for (j, s) in vec(&sums).iter().enumerate() {
			let want = (0..5).fold(0.0, |acc, i| acc + d[i * 7 + j]);
			assert_eq!(s.to_bits(), want.to_bits(), "rows are added in order");
		}

		// Wrong shapes and dtypes are errors, not panics.
		assert!(ta.apply_op2_no_bwd(&ta, &Product).is_err());
		assert!(ta.to_dtype(DType::F32).unwrap().apply_op1_no_bwd(&Relu).is_err());
		assert!(ta.t().unwrap().apply_op2_no_bwd(&ta, &Product).is_err(), "not contiguous");
		assert!(ta.apply_op2_no_bwd(&tb, &ReluGrad).is_err());
		assert!(values(&ta.t().unwrap()).is_err(), "a view is not read as if contiguous");
		assert!(values(&ta.to_dtype(DType::F32).unwrap()).is_err());
	}

	#[test]
	fn the_helpers_copy_values_exactly() {
		let x = matrix(2, 3, vec![1.0, -0.0, 2.5, f64::NAN, 4.0, -1.0]).unwrap();
		let ones = vec(&with_ones_column(&x).unwrap());
		assert_eq!(
			ones[..3].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
			[1.0f64, -0.0, 2.5].map(f64::to_bits)
		);
		assert_eq!((ones[3], ones[7]), (1.0, 1.0));
		assert!(ones[4].is_nan());
		let picked = vec(&select_rows(&x, &[1, 0, 1]).unwrap());
		assert_eq!(
			picked[3..6].iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
			[1.0f64, -0.0, 2.5].map(f64::to_bits)
		);
		let t = vec(&transpose(&x).unwrap());
		assert_eq!((t[0], t[2].to_bits(), t[4]), (1.0, (-0.0f64).to_bits(), 2.5));
		assert!(t[1].is_nan());
		assert_eq!(
			argmax_rows(&matrix(2, 3, vec![1.0, 3.0, 3.0, 0.5, 0.2, 0.9]).unwrap()).unwrap(),
			[1, 2]
		);
		assert!(from_rows(&[vec![1.0], vec![1.0, 2.0]]).is_err());
	}
}
