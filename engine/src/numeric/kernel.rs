//! The engine's matrix product, bit-identical on every machine.
//!
//! `C = A · B` (`[m, k] · [k, n] → [m, n]`, row-major) with every output element reduced over
//! `k` in one fixed order, each step one fused multiply-add:
//!
//! `c_ij = fma(a_i,k-1, b_k-1,j, … fma(a_i1, b_1j, fma(a_i0, b_0j, 0)))`.
//!
//! A fused multiply-add is rounded once, so its result is defined by IEEE 754 alone: the CPU's
//! instruction and a software fma give the same bits. That is why the product is always fused
//! rather than never fused: every CPU an attestor would run (x86-64 since Haswell, every
//! aarch64) has the instruction and runs it at full speed; the rest (x86-64 without FMA) fall
//! back to `libm::fma`, slower but identical.
//!
//! What varies with the CPU is only how many output columns are computed at once:
//! - x86-64 with AVX-512F (and FMA): tiles of 6 rows × 32 columns in 512-bit registers;
//! - x86-64 with AVX2 and FMA: tiles of 6 × 8 in 256-bit registers;
//! - aarch64 (FMA is part of the base architecture): tiles of 6 × 8 in NEON registers;
//! - anything else: tiles of 4 × 4 with `libm::fma`.
//!
//! Vectors only ever run across output columns, never along the reduction, so the width
//! cannot change a result. Rust never contracts a separate multiply and add into an fma (nor
//! the reverse), whatever target features are enabled, so the code outside this module is
//! exact to its written order too.
//!
//! `B` is first packed ([`Packed`], once for as many products as share it) into panels of `NR`
//! columns (`[k, NR]` each, zero-padded), so that the
//! micro-kernel reads it sequentially. Rows past the end of `A` in the last tile reuse its last
//! row and are not written back.

/// How a tile's fused multiply-adds are computed.
trait Fma {
	fn fma(a: f64, b: f64, c: f64) -> f64;
}

/// The CPU's fused multiply-add instruction: only inside functions compiled with it.
#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
struct Hardware;

#[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))]
impl Fma for Hardware {
	#[inline(always)]
	fn fma(a: f64, b: f64, c: f64) -> f64 {
		a.mul_add(b, c)
	}
}

/// The correctly rounded software fma of the pure-Rust libm.
struct Software;

impl Fma for Software {
	#[inline(always)]
	fn fma(a: f64, b: f64, c: f64) -> f64 {
		libm::fma(a, b, c)
	}
}

/// The kernels, by the width of their tiles.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kernel {
	/// x86-64 with AVX-512F and FMA: 6 × 32 tiles.
	#[cfg(target_arch = "x86_64")]
	Avx512,
	/// x86-64 with AVX2 and FMA: 6 × 8 tiles.
	#[cfg(target_arch = "x86_64")]
	Avx2,
	/// aarch64 (FMA in the base architecture): 6 × 8 tiles.
	#[cfg(target_arch = "aarch64")]
	Neon,
	/// Anything else: 4 × 4 tiles with `libm::fma`.
	#[allow(dead_code)]
	Software,
}

impl Kernel {
	/// The kernel this CPU runs.
	fn detect() -> Self {
		#[cfg(target_arch = "x86_64")]
		{
			use std::arch::is_x86_feature_detected as has;
			if has!("avx512f") && has!("fma") {
				return Kernel::Avx512;
			}
			if has!("avx2") && has!("fma") {
				return Kernel::Avx2;
			}
		}
		#[cfg(target_arch = "aarch64")]
		{
			return Kernel::Neon;
		}
		#[allow(unreachable_code)]
		Kernel::Software
	}

	fn name(self) -> &'static str {
		match self {
			#[cfg(target_arch = "x86_64")]
			Kernel::Avx512 => "avx512f+fma 6x32",
			#[cfg(target_arch = "x86_64")]
			Kernel::Avx2 => "avx2+fma 6x8",
			#[cfg(target_arch = "aarch64")]
			Kernel::Neon => "neon fma 6x8",
			Kernel::Software => "software fma 4x4",
		}
	}
}

/// Which kernel this CPU runs, as a name for logs and benchmarks.
pub fn kernel_name() -> &'static str {
	Kernel::detect().name()
}

/// The right-hand side `B` (`[k, cols]`) of products, packed once for this CPU's kernel:
/// panels of as many columns as its tiles are wide, each `[k, width]`, the last zero-padded.
/// A `B` that serves many products (the queries of an attribution, against every block of
/// training records) is packed once.
pub struct Packed {
	kernel: Kernel,
	k: usize,
	cols: usize,
	data: Vec<f64>,
}

impl Packed {
	/// Packs `b` (`[k, cols]`, row-major).
	pub fn new(b: &[f64], k: usize, cols: usize) -> Self {
		assert_eq!(b.len(), k * cols, "packed shapes");
		let kernel = Kernel::detect();
		let data = match kernel {
			#[cfg(target_arch = "x86_64")]
			Kernel::Avx512 => pack::<32>(b, k, cols),
			#[cfg(target_arch = "x86_64")]
			Kernel::Avx2 => pack::<8>(b, k, cols),
			#[cfg(target_arch = "aarch64")]
			Kernel::Neon => pack::<8>(b, k, cols),
			Kernel::Software => pack::<4>(b, k, cols),
		};
		Self { kernel, k, cols, data }
	}
}

/// `out = a · b` for row-major slices `a` (`[rows, k]`), `b` (`[k, cols]`) and `out`
/// (`[rows, cols]`), in the calling thread. `out`'s old values are never read.
pub fn product_into(out: &mut [f64], a: &[f64], b: &[f64], rows: usize, k: usize, cols: usize) {
	product_packed_into(out, a, &Packed::new(b, k, cols), rows)
}

/// `out = a · b` for `a` (`[rows, k]`) and a packed `b` (`[k, cols]`), in the calling thread.
pub fn product_packed_into(out: &mut [f64], a: &[f64], b: &Packed, rows: usize) {
	let (k, cols) = (b.k, b.cols);
	assert!(a.len() == rows * k && out.len() == rows * cols, "product_into shapes");
	if rows == 0 || cols == 0 {
		return;
	}
	if k == 0 {
		out.fill(0.0);
		return;
	}
	let packed = &b.data;
	match b.kernel {
		// SAFETY: `Kernel::detect` chose it, so the CPU has the features it is compiled for.
		#[cfg(target_arch = "x86_64")]
		Kernel::Avx512 => unsafe { x86::avx512(out, a, packed, rows, k, cols) },
		// SAFETY: as above.
		#[cfg(target_arch = "x86_64")]
		Kernel::Avx2 => unsafe { x86::avx2(out, a, packed, rows, k, cols) },
		#[cfg(target_arch = "aarch64")]
		Kernel::Neon => product::<Hardware, 6, 8>(out, a, packed, rows, k, cols),
		Kernel::Software => product::<Software, 4, 4>(out, a, packed, rows, k, cols),
	}
}

#[cfg(target_arch = "x86_64")]
mod x86 {
	use super::{product, Hardware};

	#[target_feature(enable = "avx512f,avx2,fma")]
	pub(super) unsafe fn avx512(
		out: &mut [f64],
		a: &[f64],
		packed: &[f64],
		rows: usize,
		k: usize,
		cols: usize,
	) {
		product::<Hardware, 6, 32>(out, a, packed, rows, k, cols)
	}

	#[target_feature(enable = "avx2,fma")]
	pub(super) unsafe fn avx2(
		out: &mut [f64],
		a: &[f64],
		packed: &[f64],
		rows: usize,
		k: usize,
		cols: usize,
	) {
		product::<Hardware, 6, 8>(out, a, packed, rows, k, cols)
	}
}

/// `B` (`[k, cols]`) as panels of `NR` columns, each `[k, NR]`, the last one zero-padded.
fn pack<const NR: usize>(b: &[f64], k: usize, cols: usize) -> Vec<f64> {
	let panels = cols.div_ceil(NR);
	let mut packed = vec![0.0; panels * k * NR];
	if k == 0 {
		return packed;
	}
	for (j, panel) in packed.chunks_exact_mut(k * NR).enumerate() {
		let first = j * NR;
		let width = NR.min(cols - first);
		for (p, dst) in panel.chunks_exact_mut(NR).enumerate() {
			dst[..width].copy_from_slice(&b[p * cols + first..p * cols + first + width]);
		}
	}
	packed
}

#[inline(always)]
fn product<F: Fma, const MR: usize, const NR: usize>(
	out: &mut [f64],
	a: &[f64],
	packed: &[f64],
	rows: usize,
	k: usize,
	cols: usize,
) {
	for (j, panel) in packed.chunks_exact(k * NR).enumerate() {
		let first_col = j * NR;
		let width = NR.min(cols - first_col);
		let mut i = 0;
		while i < rows {
			let height = MR.min(rows - i);
			// Missing rows of the last tile repeat the last row; their results are dropped.
			let arows: [&[f64]; MR] = core::array::from_fn(|r| {
				let row = (i + r).min(rows - 1);
				&a[row * k..(row + 1) * k]
			});
			let acc = tile::<F, MR, NR>(&arows, panel, k);
			for (r, acc_row) in acc.iter().enumerate().take(height) {
				let dst = &mut out[(i + r) * cols + first_col..(i + r) * cols + first_col + width];
				dst.copy_from_slice(&acc_row[..width]);
			}
			i += MR;
		}
	}
}

/// One `[MR, NR]` tile: `acc[r][c] = Σ_p a_r[p] · panel[p][c]`, `p` increasing, fused.
#[inline(always)]
fn tile<F: Fma, const MR: usize, const NR: usize>(
	arows: &[&[f64]; MR],
	panel: &[f64],
	k: usize,
) -> [[f64; NR]; MR] {
	let mut acc = [[0.0f64; NR]; MR];
	debug_assert!(panel.len() == k * NR && arows.iter().all(|r| r.len() == k));
	for p in 0..k {
		// SAFETY: `p < k`, every row of `arows` has `k` values and `panel` has `k · NR`.
		let brow: &[f64] = unsafe { panel.get_unchecked(p * NR..(p + 1) * NR) };
		for r in 0..MR {
			let av = unsafe { *arows[r].get_unchecked(p) };
			for c in 0..NR {
				acc[r][c] = F::fma(av, brow[c], acc[r][c]);
			}
		}
	}
	acc
}

/// `a · b` by the definition above, one element at a time with `libm::fma`: the reference the
/// tests compare every kernel with.
#[cfg(test)]
fn reference_product(a: &[f64], b: &[f64], rows: usize, k: usize, cols: usize) -> Vec<f64> {
	let mut out = vec![0.0; rows * cols];
	for i in 0..rows {
		for j in 0..cols {
			let mut acc = 0.0;
			for p in 0..k {
				acc = libm::fma(a[i * k + p], b[p * cols + j], acc);
			}
			out[i * cols + j] = acc;
		}
	}
	out
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Values whose products and sums round: a product computed unfused, or in another order,
	/// differs from the reference in some bits.
	fn values(n: usize, seed: u64) -> Vec<f64> {
		let mut s = seed;
		(0..n)
			.map(|_| {
				s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
				((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 3.7
			})
			.collect()
	}

	#[test]
	fn every_shape_matches_the_reference_bit_for_bit() {
		for (rows, k, cols) in
			[(1, 1, 1), (7, 3, 5), (6, 65, 32), (13, 33, 70), (1, 200, 9), (40, 17, 1), (5, 0, 3)]
		{
			let (a, b) = (values(rows * k, 1), values(k * cols, 2));
			let mut out = vec![f64::NAN; rows * cols];
			product_into(&mut out, &a, &b, rows, k, cols);
			let want = reference_product(&a, &b, rows, k, cols);
			assert!(
				out.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()),
				"{rows}×{k}×{cols} on {}",
				kernel_name()
			);
			// The software tiles give the same bits as the dispatched ones.
			let mut soft = vec![f64::NAN; rows * cols];
			if k > 0 {
				product::<Software, 4, 4>(&mut soft, &a, &pack::<4>(&b, k, cols), rows, k, cols);
				assert!(out.iter().zip(&soft).all(|(x, y)| x.to_bits() == y.to_bits()));
			}
		}
	}

	#[test]
	fn the_product_is_fused() {
		// 1 + 2^-30 squared is 1 + 2^-29 + 2^-60: unfused, the 2^-60 is rounded away before
		// the subtraction of 1 + 2^-29; fused, it survives.
		let x = 1.0 + 2f64.powi(-30);
		let a = [x, -1.0];
		let b = [x, 1.0 + 2f64.powi(-29)];
		let mut out = [0.0];
		product_into(&mut out, &a, &b, 1, 2, 1);
		// fma(-1, 1 + 2^-29, fma(x, x, 0)): the inner fma rounds x² to 1 + 2^-29, so this
		// first step alone cannot show fusing; the reversed order can.
		let a2 = [-1.0, x];
		let b2 = [1.0 + 2f64.powi(-29), x];
		product_into(&mut out, &a2, &b2, 1, 2, 1);
		assert_eq!(out[0], 2f64.powi(-60));
	}
}
