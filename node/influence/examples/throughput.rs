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
//! - The FLOP rates count the floating-point operations each method does (multiply-adds of the
//!   products as two, plus the element-wise work), and compare them with a plain f64 square
//!   matrix product measured in the same run.
//!
//!     cargo run --release -p openledger-influence --example throughput [records] [queries]

use std::{
	sync::{
		atomic::{AtomicUsize, Ordering},
		Mutex,
	},
	time::{Duration, Instant},
};

use openledger_influence::{
	influence::tracin::{self, TracIn},
	linalg::{matmul, product_into, Matrix},
	model::Network,
	train::Checkpoint,
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

fn random(rows: usize, cols: usize, rng: &mut ChaCha20Rng) -> Matrix {
	let data =
		(0..rows * cols).map(|_| (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64).collect();
	Matrix { rows, cols, data }
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
	let threads = candle_threads();
	println!("TracIn-CP cost: {n} records × {m} queries, MLP {DIMS}-{HIDDEN}-{CLASSES}, 1 checkpoint, {threads} threads");

	// The reference rate: a plain f64 product of two 2048-square matrices, the best of candle's
	// own product and the same kernel in parallel blocks of rows (as both methods run).
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
	let candle = gflops(flops, best_of(&|| drop(matmul(&a, &b))));
	let blocked = gflops(
		flops,
		best_of(&|| {
			let mut c = vec![0.0; size * size];
			c.par_chunks_mut(BLOCK * size).enumerate().for_each(|(i, out)| {
				let rows = out.len() / size;
				let lhs = &a.data[i * BLOCK * size..(i * BLOCK + rows) * size];
				product_into(out, lhs, &b.data, rows, size, size);
			});
		}),
	);
	let reference = candle.max(blocked);
	println!(
		"plain f64 matrix product ({size}³): candle {candle:.1} GFLOP/s, the same kernel in blocks of {BLOCK} rows {blocked:.1} GFLOP/s"
	);

	let arch = Architecture::Mlp1 { hidden: HIDDEN as u16 };
	let network = Network::init(&arch, DIMS, CLASSES, 7);
	let parameters = network.parameters();
	let checkpoints = vec![Checkpoint { epoch: 1, learning_rate: 0.05, network }];
	let queries = random(m, DIMS, &mut rng);
	let query_labels = labels(m, &mut rng);

	let x = random(n, DIMS, &mut rng);
	let y = labels(n, &mut rng);
	let tracin = TracIn::new(checkpoints.clone(), &x, &y);

	// Ghost: blocks of records in parallel, each block's scores folded into every query's
	// strongest proponent.
	let started = Instant::now();
	let ghost_best = Mutex::new(vec![(f64::NEG_INFINITY, 0usize); m]);
	tracin.for_each_block(&queries, &query_labels, |first, block| {
		merge(&ghost_best, first, block, m)
	});
	let ghost_time = started.elapsed();
	eprintln!("  ghost: {ghost_time:.2?}");

	// The baseline: the same blocks, each record's gradient materialised, then G Gqᵀ.
	let started = Instant::now();
	let ck = &checkpoints[0];
	let gq = tracin::per_example_gradients(&ck.network, &queries, &query_labels).t();
	let naive_best = Mutex::new(vec![(f64::NEG_INFINITY, 0usize); m]);
	let done = AtomicUsize::new(0);
	(0..n.div_ceil(BLOCK)).into_par_iter().for_each_init(Vec::new, |out, b| {
		let rows: Vec<usize> = (b * BLOCK..n.min((b + 1) * BLOCK)).collect();
		let block_y: Vec<usize> = rows.iter().map(|i| y[*i]).collect();
		let g = tracin::per_example_gradients(&ck.network, &x.select_rows(&rows), &block_y);
		out.resize(rows.len() * m, 0.0);
		product_into(out, &g.data, &gq.data, rows.len(), g.cols, m);
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
	let xs = x.select_rows(&rows);
	let ghost = tracin::scores(&checkpoints, &xs, &block_y, &queries, &query_labels);
	let naive = tracin::naive_scores(&checkpoints, &xs, &block_y, &queries, &query_labels);
	let block_rel = ghost
		.data
		.iter()
		.zip(&naive.data)
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
	let ghost_rate = gflops(ghost_flops, ghost_time);
	println!();
	println!(
		"| method | time | record-query pairs/s | GFLOP/s | share of the plain product's rate |"
	);
	println!("|---|---|---|---|---|");
	for (name, time, rate) in [
		("ghost TracIn-CP", ghost_time, ghost_rate),
		("materialised gradients", naive_time, gflops(naive_flops, naive_time)),
	] {
		println!(
			"| {name} | {:.2} s | {:.3e} | {rate:.1} | {:.0}% |",
			time.as_secs_f64(),
			pairs / time.as_secs_f64(),
			100.0 * rate / reference
		);
	}
	println!();
	println!(
		"ghost speedup over materialised gradients: {:.1}× (largest relative difference of the scores {max_rel:.1e})",
		naive_time.as_secs_f64() / ghost_time.as_secs_f64()
	);
}

/// The threads candle's products use: `RAYON_NUM_THREADS`, or every core.
fn candle_threads() -> usize {
	std::env::var("RAYON_NUM_THREADS")
		.ok()
		.and_then(|v| v.parse().ok())
		.filter(|v| *v > 0)
		.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}
