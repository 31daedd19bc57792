//! How far "the same model without 3% of its records" moves the predictions: the noise that any
//! counterfactual check of attribution has to see through.
//!
//! For each data set an MLP is trained on the engine's training split (the held-out tenth are
//! the queries), then retrained `DRAWS` times, each time without another random 3% of the
//! training records, with the same seed and hyperparameters. Each retraining is compared with
//! the full model on the queries: the mean absolute change of the probability of the full
//! model's predicted class (over all queries, and over the 10 least confident), and the number
//! of predictions that flip. Two epoch orders are measured in the same run:
//! - **positions**: a Fisher–Yates shuffle of positions from a ChaCha20 stream seeded with
//!   `seed + 1`, the engine's order before version 2; removing a record reshuffles everything;
//! - **records**: the engine's order, sorted by a keyed hash of each record's hash
//!   ([`epoch_order`]); removing a record leaves the others' relative order unchanged.
//!
//!     cargo run --release -p openledger-engine-eval --example removal

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use candle_core::Tensor;
use openledger_influence::{
	classifier::{
		featurize::featurize,
		holdout::is_held_out,
		model::Network,
		train::{epoch_order, train_in_order, Hyper},
	},
	numeric::tensor::{from_rows, select_rows},
	Record,
};
use openledger_primitives::{
	datanets::{record_hash, Schema},
	models::{Architecture, Featurizer},
};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// Retrainings per data set and order.
const DRAWS: usize = 10;
/// The share of training records removed, in percent.
const REMOVED_PERCENT: usize = 3;
/// The least confident queries reported apart.
const UNSURE: usize = 10;

/// A data set split as the engine splits it.
struct Set {
	name: &'static str,
	x: Tensor,
	y: Vec<usize>,
	keys: Vec<[u8; 32]>,
	queries: Tensor,
	classes: usize,
	architecture: Architecture,
	hyper: Hyper,
}

fn split(
	name: &'static str,
	records: &[Record],
	featurizer: Featurizer,
	schema: Schema,
	architecture: Architecture,
	hyper: Hyper,
) -> Set {
	let (mut rows, mut y, mut keys, mut queries) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
	for (i, r) in records.iter().enumerate() {
		let x = featurize(&featurizer, &schema, &r.payload, i).expect("a valid record");
		let hash = record_hash(&r.payload, r.label);
		if is_held_out(&hash) {
			queries.push(x);
		} else {
			rows.push(x);
			y.push(usize::from(r.label));
			keys.push(hash.0);
		}
	}
	Set {
		name,
		x: from_rows(&rows).expect("features"),
		y,
		keys,
		queries: from_rows(&queries).expect("features"),
		classes: schema.classes().into(),
		architecture,
		hyper,
	}
}

/// The engine's order before version 2: Fisher–Yates over positions, one ChaCha20 stream for
/// all epochs.
fn positions_order(n: usize, seed: u64, epoch: u16) -> Vec<usize> {
	let mut rng = ChaCha20Rng::seed_from_u64(seed.wrapping_add(1));
	let mut order = Vec::new();
	for _ in 1..=epoch {
		order = (0..n).collect();
		for i in (1..n).rev() {
			let j = (rng.next_u64() % (i as u64 + 1)) as usize;
			order.swap(i, j);
		}
	}
	order
}

#[derive(Clone, Copy, PartialEq)]
enum Order {
	Positions,
	Records,
}

/// Trains on the records `keep` of `set` in `order`; the class probabilities of the queries.
fn fit(set: &Set, keep: &[usize], order: Order) -> Vec<Vec<f64>> {
	let x = select_rows(&set.x, keep).expect("a subset");
	let y: Vec<usize> = keep.iter().map(|i| set.y[*i]).collect();
	let keys: Vec<[u8; 32]> = keep.iter().map(|i| set.keys[*i]).collect();
	let init = Network::init(&set.architecture, x.dims()[1], set.classes, set.hyper.seed)
		.expect("a network");
	let seed = set.hyper.seed;
	let trained = train_in_order(init, &x, &y, &set.hyper, |epoch| match order {
		Order::Positions => positions_order(keys.len(), seed, epoch),
		Order::Records => epoch_order(&keys, seed, epoch),
	})
	.expect("trains");
	let probs = trained.network.forward(&set.queries).expect("a forward pass").probs;
	probs.to_vec2().expect("an f64 matrix")
}

fn argmax(row: &[f64]) -> usize {
	(0..row.len()).fold(0, |best, c| if row[c] > row[best] { c } else { best })
}

/// Mean |Δp| over all queries, over the `UNSURE` least confident, and the flips per
/// retraining, averaged over the draws.
fn measure(set: &Set, order: Order) -> (f64, f64, f64) {
	let n = set.y.len();
	let all: Vec<usize> = (0..n).collect();
	let full = fit(set, &all, order);
	let predicted: Vec<usize> = full.iter().map(|row| argmax(row)).collect();
	let mut unsure: Vec<usize> = (0..full.len()).collect();
	unsure.sort_by(|a, b| full[*a][predicted[*a]].total_cmp(&full[*b][predicted[*b]]));
	unsure.truncate(UNSURE);
	let mut rng = ChaCha20Rng::seed_from_u64(99);
	let removed = n * REMOVED_PERCENT / 100;
	let (mut all_delta, mut unsure_delta, mut flips) = (0.0, 0.0, 0.0);
	for _ in 0..DRAWS {
		// `removed` distinct records, drawn by a partial Fisher–Yates shuffle.
		let mut pool = all.clone();
		for i in 0..removed {
			let j = i + (rng.next_u64() % (n - i) as u64) as usize;
			pool.swap(i, j);
		}
		let mut keep = pool[removed..].to_vec();
		keep.sort_unstable();
		let without = fit(set, &keep, order);
		let delta = |q: usize| (without[q][predicted[q]] - full[q][predicted[q]]).abs();
		all_delta += (0..full.len()).map(delta).sum::<f64>() / full.len() as f64;
		unsure_delta += unsure.iter().map(|q| delta(*q)).sum::<f64>() / UNSURE as f64;
		flips += (0..full.len()).filter(|q| argmax(&without[*q]) != predicted[*q]).count() as f64;
	}
	let draws = DRAWS as f64;
	(all_delta / draws, unsure_delta / draws, flips / draws)
}

fn main() {
	let hyper = |epochs| Hyper {
		epochs,
		learning_rate: 0.05,
		batch_size: 32,
		l2: 1e-3,
		checkpoints: 0,
		seed: 1,
	};
	let sets = [
		split(
			"digits (UCI, 1,797 images)",
			&common::digits(),
			Featurizer::Raw,
			Schema::Dense { dims: 64, classes: 10, max_value: 16 },
			Architecture::Mlp1 { hidden: 32 },
			hyper(30),
		),
		split(
			"SpamAssassin (600 mails, hashed n-grams)",
			&common::mails(),
			Featurizer::HashedNgrams { dims: 1024 },
			Schema::Text { classes: 2 },
			Architecture::Mlp1 { hidden: 32 },
			hyper(20),
		),
	];
	println!(
		"Retrained without {REMOVED_PERCENT}% of the training records ({DRAWS} draws each), compared with the full model on the held-out records:"
	);
	println!();
	println!(
		"| data set | MLP | epoch order | mean abs. change of p, all queries | the {UNSURE} least confident | predictions flipped (of all queries) |"
	);
	println!("|---|---|---|---|---|---|");
	for set in &sets {
		for (name, order) in [
			("positions (Fisher–Yates, before)", Order::Positions),
			("records (keyed hash, now)", Order::Records),
		] {
			let (all, unsure, flips) = measure(set, order);
			println!(
				"| {} | {}-{}-{} | {name} | {all:.4} | {unsure:.4} | {flips:.1} of {} |",
				set.name,
				set.x.dims()[1],
				match set.architecture {
					Architecture::Mlp1 { hidden } => hidden,
					_ => 0,
				},
				set.classes,
				set.queries.dims()[0]
			);
		}
	}
}
