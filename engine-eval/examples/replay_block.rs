//! What attribution by replay costs a block of inferences, against the influence function
//! measured in the same run: a Datanet of the first 1,000 digits, the end-to-end tests' MLP
//! spec (64-32-10, 30 epochs, batches of 32, learning rate 5%).
//!
//! - **train**: each model through the engine's API (`Engine::train`), as an attestor's worker
//!   trains it: the training, and the influence function's preparation (K-FAC, which gives
//!   both models their quality flags);
//! - **one at a time**: `queries` inferences through `Engine::infer`, one call each, as the
//!   worker answers its jobs today;
//! - **one call**: the same queries scored by one `Replay::scores` call, the engine's batched
//!   path, which replays the training's steps once for every query;
//! - the spec's estimate per query (`ModelSpec::cost`'s `query_flops`), and the rate it implies,
//!   which the chain's cost limit on queries is set against.
//!
//!     cargo run --release -p openledger-engine-eval --example replay_block [records] [queries]

use std::time::Instant;

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use openledger_influence::{
	classifier::{methods::replay::Replay, model::Network, train::Hyper},
	numeric::tensor::matrix,
	DatasetRef, Engine,
};
use openledger_primitives::{
	datanets::{record_hash, Schema},
	models::{Architecture, AttributionMethod, Featurizer, ModelSpec},
};
use sp_runtime::Perbill;

/// The off-chain worker's time budget per block (`--attribution-worker-ms`'s default).
const WORKER_MS: f64 = 3_000.0;

fn main() {
	let mut args = std::env::args().skip(1);
	let n: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(1_000);
	let m: usize = args.next().and_then(|v| v.parse().ok()).unwrap_or(100);
	let digits = common::digits();
	let (records, queries) = (&digits[..n], &digits[n..n + m]);
	let schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
	let influence = ModelSpec {
		featurizer: Featurizer::Raw,
		architecture: Architecture::Mlp1 { hidden: 32 },
		epochs: 30,
		learning_rate: Perbill::from_percent(5),
		batch_size: 32,
		l2: Perbill::from_parts(1_000_000),
		seed: 1,
		method: AttributionMethod::Influence,
	};
	let replayed = ModelSpec { method: AttributionMethod::Replay, ..influence };
	let threads = rayon::current_num_threads();
	println!(
		"replay for a block: {n} digits, {m} queries, MLP 64-32-10, 30 epochs, batch 32, {threads} threads"
	);

	let engine = Engine::new(None).expect("in memory");
	let key = DatasetRef { datanet: 1, version: 1 };
	engine.ingest(key, &schema, n as u32, 0, records.to_vec()).expect("ingests");
	println!("| method | train | {m} inferences one at a time | per inference | {m} in one call | per query | estimate per query |");
	println!("|---|---|---|---|---|---|---|");
	let mut per_query_replay = 0.0;
	for (id, spec) in [(1, influence), (2, replayed)] {
		let started = Instant::now();
		engine.train(id, key, &spec).expect("trains");
		let train = started.elapsed().as_secs_f64() * 1e3;
		let started = Instant::now();
		for q in queries {
			engine.infer(id, &q.payload, 16).expect("infers");
		}
		let each = started.elapsed().as_secs_f64() * 1e3;
		let estimate = spec.cost(&schema, n as u32).query_flops;
		let batched = if spec.method == AttributionMethod::Replay {
			// The engine's batched path: every query in one replay.
			let (x, labels, keys) = training_set(records);
			let hyper = Hyper::from(&spec);
			let init = Network::init(&spec.architecture, 64, 10, spec.seed).expect("a network");
			let replay = Replay::new(init, &x, &labels, &keys, &hyper).expect("trains");
			let q: Vec<f64> = queries
				.iter()
				.flat_map(|r| r.payload.iter().map(|v| f64::from(*v) / 16.0))
				.collect();
			let q = matrix(m, 64, q).expect("queries");
			let predicted = replay.network().predict(&q).expect("predicts");
			let started = Instant::now();
			replay.scores(&q, &predicted).expect("scores");
			let ms = started.elapsed().as_secs_f64() * 1e3;
			per_query_replay = each / m as f64;
			format!("{ms:.0} ms | {:.2} ms", ms / m as f64)
		} else {
			"— | —".into()
		};
		println!(
			"| {:?} | {train:.0} ms | {each:.0} ms | {:.2} ms | {batched} | {:.1} MFLOP |",
			spec.method,
			each / m as f64,
			estimate as f64 / 1e6
		);
	}
	let estimate = replayed.cost(&schema, n as u32).query_flops as f64;
	println!(
		"replay one at a time: {:.1} estimated GFLOP/s; {:.0} inferences fit the worker's {WORKER_MS:.0} ms budget; a query of the chain's limit (20 GFLOP) takes about {:.0} ms",
		estimate / per_query_replay / 1e6,
		WORKER_MS / per_query_replay,
		20e9 / (estimate / per_query_replay)
	);
}

/// The records' features, labels and keys as the engine trains on them (every record; the
/// engine holds a tenth out, which changes the cost by a tenth).
fn training_set(
	records: &[openledger_influence::Record],
) -> (candle_core::Tensor, Vec<usize>, Vec<[u8; 32]>) {
	let x: Vec<f64> =
		records.iter().flat_map(|r| r.payload.iter().map(|v| f64::from(*v) / 16.0)).collect();
	let labels = records.iter().map(|r| usize::from(r.label)).collect();
	let keys = records.iter().map(|r| record_hash(&r.payload, r.label).0).collect();
	(matrix(records.len(), 64, x).expect("features"), labels, keys)
}
