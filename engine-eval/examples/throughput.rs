//! The cost of TracIn-CP at scale: ghost dot products against materialised per-example
//! gradients, on a synthetic case of 100,000 records × 1,000 queries.
//!
//! - The model is an MLP 64-32-10 (2,410 parameters) with one checkpoint; the records and
//!   queries are random features in [0, 1) with random labels (the cost does not depend on the
//!   values).
//! - Both methods go through the training records in blocks, in parallel, and fold each block's
//!   scores into every query's strongest proponent (the full 10^8 scores are never held):
//!   [`TracIn::for_each_block`] (ghost: per layer `(A Aqᵀ + 1) ⊙ (Δ Δqᵀ)`), and the baseline,
//!   which materialises each record's gradient ([`tracin::per_example_gradients`]) and
//!   multiplies `G Gqᵀ` with the same kernel.
//! - Both must name the same proponents with the same scores; the program prints the
//!   agreement, and compares every score of one block.
//! - K-FAC influence (the MLPs' per-inference method) scores the first 20,000 records for the
//!   same queries, in blocks folded the same way ([`KfacInfluence::for_each_block`]); its
//!   factors are prepared once per model, outside the timing.
//! - The FLOP rates count the floating-point operations each method does (multiply-adds of the
//!   products as two, plus the element-wise work), and compare them with the fastest plain f64
//!   square matrix product on the machine, measured in the same run: gemm with FMA on every
//!   thread (not the deterministic kernel, whose own rate is printed beside it).
//!
//!     cargo run --release -p openledger-engine-eval --example throughput [records] [queries]

use std::{
	sync::{
		atomic::{AtomicUsize, Ordering},
		Mutex,
	},
	time::{Duration, Instant},
};

use candle_core::Tensor;
use openledger_engine_eval::tracin::{self, TracIn};
use openledger_influence::{
	classifier::{methods::kfac::KfacInfluence, model::Network, train::Checkpoint},
	numeric::{
		kernel,
		linalg::product_into,
		tensor::{matmul, matrix, select_rows, transpose, values},
	},
};
use openledger_primitives::models::Architecture;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use rayon::prelude::*;

const DIMS: usize = 64;
const HIDDEN: usize = 32;
const CLASSES: usize = 10;
/// Records per block of the baseline (the ghost blocks are the library's own).
const BLOCK: usize = 256;
/// Records K-FAC is measured on.
const KFAC_RECORDS: usize = 20_000;

fn random(rows: usize, cols: usize, rng: &mut ChaCha20Rng) -> Tensor {
	let data =
		(0..rows * cols).map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64).collect();
	matrix(rows, cols, data).expect("a matrix")
}

fn labels(n: usize, rng: &mut ChaCha20Rng) -> Vec<usize> {
	(0..n).map(|_| (rng.next_u64() % CLASSES as u64) as usize).collect()
}

/// Folds a block of scores (`[count, m]`, records `first..`) into each query's strongest
/// proponent, ties to the lower record.
fn merge(best: &Mutex<Vec<(f64, usize)>>, first: usize, block: &[f64], m: usize) {
	let mut local = vec![(f64::NEG_INFINITY, 0usize); m];
	for (r, row) in block.chunks(m).enumerate() {
		for (b, v) in local.iter_mut().zip(row) {
			if *v > b.0 {
				*b = (*v, first + r);
			}
		}
	}
	let mut best = best.lock().unwrap_or_else(|p| p.into_inner());
	for (b, l) in best.iter_mut().zip(local) {
		if l.0 > b.0 || (l.0 == b.0 && l.1 < b.1) {
			*b = l;
		}
	}
}

fn gflops(flops: f64, time: Duration) -> f64 {
	flops / time.as_secs_f64() / 1e9
}

fn main() {
	let mut args = std::env::args().skip(1);
	let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100_000);
	let m: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(1_000);
	let threads = rayon::current_num_threads();
	println!("TracIn-CP cost: {n} records × {m} queries, MLP {DIMS}-{HIDDEN}-{CLASSES}, 1 checkpoint, {threads} threads");

	// The reference rate: the fastest plain f64 product on this machine, of two 2048-square
	// matrices: gemm (the kernel candle runs, with FMA and the widest vectors the CPU has, its
	// blocking chosen at run time) on every thread, and candle's own product. The
	// deterministic kernel's rate on the same product is printed beside them.
	let mut rng = ChaCha20Rng::seed_from_u64(1);
	let size = 2048;
	let (a, b) = (random(size, size, &mut rng), random(size, size, &mut rng));
	let flops = 2.0 * (size as f64).powi(3);
	let best_of = |f: &dyn Fn()| {
		f();
		(0..3)
			.map(|_| {
				let started = Instant::now();
				f();
				started.elapsed()
			})
			.min()
			.unwrap_or(Duration::MAX)
	};
	let gemm_rate = gflops(flops, best_of(&|| drop(gemm_product(&a, &b, threads))));
	let candle_rate = gflops(flops, best_of(&|| drop(candle_product(&a, &b))));
	let kernel_rate = gflops(flops, best_of(&|| drop(matmul(&a, &b))));
	let reference = gemm_rate.max(candle_rate);
	println!(
		"plain f64 matrix product ({size}³): gemm {gemm_rate:.1} GFLOP/s, candle {candle_rate:.1} GFLOP/s; the deterministic kernel ({}) {kernel_rate:.1} GFLOP/s ({:.0}%)",
		kernel::kernel_name(),
		100.0 * kernel_rate / reference
	);

	let arch = Architecture::Mlp1 { hidden: HIDDEN as u16 };
	let network = Network::init(&arch, DIMS, CLASSES, 7).expect("a network");
	let parameters = network.parameters();
	let checkpoints = vec![Checkpoint { epoch: 1, learning_rate: 0.05, network }];
	let queries = random(m, DIMS, &mut rng);
	let query_labels = labels(m, &mut rng);

	let x = random(n, DIMS, &mut rng);
	let y = labels(n, &mut rng);
	let tracin = TracIn::new(checkpoints.clone(), &x, &y).expect("factors");

	// Ghost: blocks of records in parallel, each block's scores folded into every query's
	// strongest proponent.
	let started = Instant::now();
	let ghost_best = Mutex::new(vec![(f64::NEG_INFINITY, 0usize); m]);
	tracin
		.for_each_block(&queries, &query_labels, |first, block| merge(&ghost_best, first, block, m))
		.expect("scores");
	let ghost_time = started.elapsed();
	eprintln!("  ghost: {ghost_time:.2?}");

	// The baseline: the same blocks, each record's gradient materialised, then G Gqᵀ.
	let started = Instant::now();
	let ck = &checkpoints[0];
	let gq =
		tracin::per_example_gradients(&ck.network, &queries, &query_labels).expect("gradients");
	let gq = transpose(&gq).expect("a transpose");
	let naive_best = Mutex::new(vec![(f64::NEG_INFINITY, 0usize); m]);
	let done = AtomicUsize::new(0);
	(0..n.div_ceil(BLOCK)).into_par_iter().for_each_init(Vec::new, |out, b| {
		let rows: Vec<usize> = (b * BLOCK..n.min((b + 1) * BLOCK)).collect();
		let block_y: Vec<usize> = rows.iter().map(|i| y[*i]).collect();
		let xb = select_rows(&x, &rows).expect("a block");
		let g = tracin::per_example_gradients(&ck.network, &xb, &block_y).expect("gradients");
		out.resize(rows.len() * m, 0.0);
		let (gv, gqv) = (values(&g).expect("values"), values(&gq).expect("values"));
		product_into(out, &gv, &gqv, rows.len(), parameters, m);
		for v in out.iter_mut() {
			*v *= ck.learning_rate;
		}
		merge(&naive_best, b * BLOCK, out, m);
		let done = done.fetch_add(rows.len(), Ordering::Relaxed) + rows.len();
		if done % (40 * BLOCK) < rows.len() {
			eprintln!("  naive: {done}/{n} records, {:.2?}", started.elapsed());
		}
	});
	let naive_time = started.elapsed();

	// K-FAC influence, the MLPs' per-inference method, on the first `KFAC_RECORDS` records
	// (it holds the `[n, m]` scores and two products of that size at once): the factors are
	// prepared once per model, then every query costs two products per layer.
	let nk = n.min(KFAC_RECORDS);
	let rows: Vec<usize> = (0..nk).collect();
	let (xk, yk) = (select_rows(&x, &rows).expect("records"), y[..nk].to_vec());
	let started = Instant::now();
	let kfac = KfacInfluence::new(&ck.network, &xk, &yk, 1e-5).expect("positive definite");
	let kfac_prepare = started.elapsed();
	let kfac_best = Mutex::new(vec![(f64::NEG_INFINITY, 0usize); m]);
	let kfac_time = best_of(&|| {
		kfac.for_each_block(&queries, &query_labels, |first, block| {
			merge(&kfac_best, first, block, m)
		})
		.expect("scores")
	});
	eprintln!("  K-FAC: prepared in {kfac_prepare:.2?}, scored in {kfac_time:.2?}");

	// Both must agree: the same strongest proponent per query, with the same score.
	let (ghost_best, naive_best) =
		(ghost_best.into_inner().unwrap(), naive_best.into_inner().unwrap());
	let same = ghost_best.iter().zip(&naive_best).filter(|(g, v)| g.1 == v.1).count();
	let max_rel = ghost_best
		.iter()
		.zip(&naive_best)
		.map(|(g, v)| (g.0 - v.0).abs() / g.0.abs().max(v.0.abs()).max(1e-300))
		.fold(0.0, f64::max);
	// And on one block, every score.
	let rows: Vec<usize> = (0..BLOCK.min(n)).collect();
	let block_y: Vec<usize> = rows.iter().map(|i| y[*i]).collect();
	let xs = select_rows(&x, &rows).expect("a block");
	let ghost = tracin::scores(&checkpoints, &xs, &block_y, &queries, &query_labels);
	let naive = tracin::naive_scores(&checkpoints, &xs, &block_y, &queries, &query_labels);
	let (ghost, naive) = (ghost.expect("scores"), naive.expect("scores"));
	let block_rel = values(&ghost)
		.expect("values")
		.iter()
		.zip(values(&naive).expect("values").iter())
		.map(|(g, v)| (g - v).abs() / g.abs().max(v.abs()).max(1e-300))
		.fold(0.0, f64::max);
	println!(
		"agreement: the same strongest proponent for {same}/{m} queries, their scores within {max_rel:.1e}; every score of the first block within {block_rel:.1e}"
	);

	let pairs = (n * m) as f64;
	// Ghost, per layer: A Aqᵀ and Δ Δqᵀ (2·in and 2·out per pair), then (a + 1)·d·η added (4).
	let widths = [(DIMS, HIDDEN), (HIDDEN, CLASSES)];
	let ghost_flops: f64 = widths.iter().map(|(i, o)| pairs * (2.0 * (i + o) as f64 + 4.0)).sum();
	// Naive: G Gqᵀ (2·P per pair), plus materialising G (one multiply per parameter).
	let naive_flops = pairs * 2.0 * parameters as f64 + (n * parameters) as f64;
	// K-FAC, per layer: Ã A⁻¹ Ãqᵀ (2·(in+1) per pair) and Δ S⁻¹ Δqᵀ (2·out), then the product
	// of the two and the sum over layers (2).
	let kfac_pairs = (nk * m) as f64;
	let kfac_flops: f64 =
		widths.iter().map(|(i, o)| kfac_pairs * (2.0 * (i + 1 + o) as f64 + 2.0)).sum();
	println!();
	println!(
		"| method | records × queries | time | record-query pairs/s | GFLOP/s | share of the plain product's rate |"
	);
	println!("|---|---|---|---|---|---|");
	for (name, records, time, flops) in [
		("ghost TracIn-CP", n, ghost_time, ghost_flops),
		("materialised gradients", n, naive_time, naive_flops),
		("K-FAC influence", nk, kfac_time, kfac_flops),
	] {
		let rate = gflops(flops, time);
		println!(
			"| {name} | {records} × {m} | {:.2} s | {:.3e} | {rate:.1} | {:.0}% |",
			time.as_secs_f64(),
			(records * m) as f64 / time.as_secs_f64(),
			100.0 * rate / reference
		);
	}
	println!();
	println!(
		"ghost speedup over materialised gradients: {:.1}× (largest relative difference of the scores {max_rel:.1e})",
		naive_time.as_secs_f64() / ghost_time.as_secs_f64()
	);
}

/// `a · b` by gemm on `threads` threads: the fastest product, not a deterministic one.
fn gemm_product(a: &Tensor, b: &Tensor, threads: usize) -> Vec<f64> {
	let ((rows, k), (_, cols)) = (a.dims2().expect("a matrix"), b.dims2().expect("a matrix"));
	let (a, b) = (values(a).expect("values"), values(b).expect("values"));
	let mut out = vec![0.0; rows * cols];
	// SAFETY: `out` is `[rows, cols]`, `a` is `[rows, k]` and `b` is `[k, cols]`, all row-major
	// with the strides given; `out` overlaps neither input.
	unsafe {
		gemm::gemm(
			rows,
			cols,
			k,
			out.as_mut_ptr(),
			1,
			cols as isize,
			false,
			a.as_ptr(),
			1,
			k as isize,
			b.as_ptr(),
			1,
			cols as isize,
			0.0,
			1.0,
			false,
			false,
			false,
			gemm::Parallelism::Rayon(threads),
		);
	}
	out
}

/// `a · b` by candle's CPU product.
fn candle_product(a: &Tensor, b: &Tensor) -> Tensor {
	a.matmul(b).expect("product")
}
