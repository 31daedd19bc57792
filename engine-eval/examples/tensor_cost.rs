//! What candle costs the engine, measured before the attribution methods move onto candle
//! tensors: one deterministic matrix product at the shapes the engine meets, three ways.
//!
//! - `matrix`: the engine's `linalg::matmul` on its own row-major `Matrix` (what attribution
//!   runs on today);
//! - `tensor`: the same product as the candle custom op `Product` on tensors already built (what
//!   every product would cost with candle as the one tensor type);
//! - `converted`: the tensors built from the matrices, the op, and the result read back into a
//!   matrix (what `Network::forward` and the other passes do today at each call).
//!
//! All three run the same kernel, so their results are bit for bit the same (checked); the
//! differences are candle's bookkeeping and the copies. Each shape runs for about a second per
//! way, the ways alternating, twice; the program prints nanoseconds a product and the ratios to
//! `matrix`.
//!
//!     cargo run --release -p openledger-engine-eval --example tensor_cost

use std::time::{Duration, Instant};

use openledger_influence::numeric::{
	linalg::{matmul, Matrix},
	tensor::Product,
};

/// Values that depend on the position, so that nothing is constant-folded.
fn matrix(rows: usize, cols: usize, seed: f64) -> Matrix {
	let data = (0..rows * cols).map(|i| ((i as f64 + seed) * 0.731).sin()).collect();
	Matrix { rows, cols, data }
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
	println!("shape (m×k·k×n) | matrix ns | tensor ns (×) | converted ns (×)");
	for (m, k, n) in shapes {
		let (a, b) = (matrix(m, k, 1.0), matrix(k, n, 2.0));
		let (ta, tb) = (a.to_tensor().unwrap(), b.to_tensor().unwrap());
		let want = matmul(&a, &b);
		let got = Matrix::from_tensor(&ta.apply_op2_no_bwd(&tb, &Product).unwrap()).unwrap();
		assert!(want.data.iter().zip(&got.data).all(|(x, y)| x.to_bits() == y.to_bits()));
		let (mut plain, mut op, mut converted) = (f64::MAX, f64::MAX, f64::MAX);
		for _ in 0..2 {
			plain = plain.min(time(budget, || matmul(&a, &b).data[0]));
			op = op.min(time(budget, || {
				ta.apply_op2_no_bwd(&tb, &Product).unwrap().flatten_all().unwrap().dims()[0] as f64
			}));
			converted = converted.min(time(budget, || {
				let (ta, tb) = (a.to_tensor().unwrap(), b.to_tensor().unwrap());
				Matrix::from_tensor(&ta.apply_op2_no_bwd(&tb, &Product).unwrap()).unwrap().data[0]
			}));
		}
		println!(
			"{m}×{k}·{k}×{n} | {plain:.0} | {op:.0} ({:.2}) | {converted:.0} ({:.2})",
			op / plain,
			converted / plain
		);
	}
}
