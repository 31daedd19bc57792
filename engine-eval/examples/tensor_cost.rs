//! What candle costs the engine: one deterministic matrix product at the shapes the engine
//! meets, three ways.
//!
//! - `slices`: the kernel on row-major slices into a new vector (`linalg::product_rows`; what
//!   the engine's own `Matrix` ran before candle became its one tensor type);
//! - `tensor`: the same product as the candle custom op `Product` on tensors already built (what
//!   every product costs now);
//! - `converted`: tensors built from the slices, the op, and the result copied back out (what
//!   `Network::forward` and the other passes did at each call while attribution ran on
//!   `Matrix`).
//!
//! All three run the same kernel, so their results are bit for bit the same (checked); the
//! differences are candle's bookkeeping and the copies. Each shape runs for about a second per
//! way, the ways alternating, twice; the program prints nanoseconds a product and the ratios to
//! `slices`.
//!
//!     cargo run --release -p openledger-engine-eval --example tensor_cost

use std::time::{Duration, Instant};

use openledger_influence::numeric::{
	linalg::product_rows,
	tensor::{matrix, values, Product},
};

/// Values that depend on the position, so that nothing is constant-folded.
fn sample(rows: usize, cols: usize, seed: f64) -> Vec<f64> {
	(0..rows * cols).map(|i| ((i as f64 + seed) * 0.731).sin()).collect()
}

/// `a · b` by the kernel into a new vector.
fn product(a: &[f64], b: &[f64], (m, k, n): (usize, usize, usize)) -> Vec<f64> {
	let mut out = vec![0.0; m * n];
	product_rows(&mut out, a, b, m, k, n);
	out
}

/// Nanoseconds a call of `f`, run for about `budget`.
fn time(budget: Duration, mut f: impl FnMut() -> f64) -> f64 {
	let mut calls = 0u64;
	let mut sink = 0.0;
	let start = Instant::now();
	while start.elapsed() < budget {
		sink += f();
		calls += 1;
	}
	std::hint::black_box(sink);
	start.elapsed().as_nanos() as f64 / calls as f64
}

fn main() {
	let budget = Duration::from_millis(500);
	// (rows, inner, cols): one query through an MLP 64-32-10's layers; a training batch; a
	// block of records against a layer; the records of a Datanet against a layer's factor.
	let shapes = [(1, 64, 32), (1, 32, 10), (32, 64, 32), (1_000, 65, 33), (20_000, 65, 33)];
	println!("shape (m×k·k×n) | slices ns | tensor ns (×) | converted ns (×)");
	for (m, k, n) in shapes {
		let (a, b) = (sample(m, k, 1.0), sample(k, n, 2.0));
		let (ta, tb) = (matrix(m, k, a.clone()).unwrap(), matrix(k, n, b.clone()).unwrap());
		let want = product(&a, &b, (m, k, n));
		let got = ta.apply_op2_no_bwd(&tb, &Product).unwrap();
		let got = values(&got).unwrap();
		assert!(want.iter().zip(got.iter()).all(|(x, y)| x.to_bits() == y.to_bits()));
		let (mut plain, mut op, mut converted) = (f64::MAX, f64::MAX, f64::MAX);
		for _ in 0..2 {
			plain = plain.min(time(budget, || product(&a, &b, (m, k, n))[0]));
			op = op.min(time(budget, || {
				ta.apply_op2_no_bwd(&tb, &Product).unwrap().flatten_all().unwrap().dims()[0] as f64
			}));
			converted = converted.min(time(budget, || {
				let (ta, tb) = (matrix(m, k, a.clone()).unwrap(), matrix(k, n, b.clone()).unwrap());
				let out = ta.apply_op2_no_bwd(&tb, &Product).unwrap();
				let copied = values(&out).unwrap().to_vec();
				copied[0]
			}));
		}
		println!(
			"{m}×{k}·{k}×{n} | {plain:.0} | {op:.0} ({:.2}) | {converted:.0} ({:.2})",
			op / plain,
			converted / plain
		);
	}
}
