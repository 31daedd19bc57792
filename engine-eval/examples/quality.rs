//! Measures the quality flags that a training reports, through the engine exactly as the
//! attestors run it (`Engine::train`'s report, which the chain stores).
//!
//! - **Suspects** (the 16 training records of highest self-influence): 10% of the labels of a
//!   data set are flipped to another class (a fixed seed), and the table gives the share of the
//!   flagged records that really are flipped (precision), next to the share of the version
//!   that is flipped (what flagging at random finds) and the AUC of the whole self-influence
//!   ranking. On digits (1,797 records, softmax regression and the MLP 64-32-10) and on the 600
//!   real SpamAssassin mails (hashed n-grams, softmax regression; the Woodbury path).
//! - **Near-duplicates**: on digits as shipped (natural near-copies), then 1,000 digits with 30
//!   planted near-copies (an earlier record with 1 to 4 values moved by one step, its label
//!   kept); on the mails as shipped, then 500 mails with 30 planted copies (a mail with one word
//!   replaced). The share of the planted copies found (recall) and of the found that are
//!   planted (the rest are natural near-copies), before the on-chain cap.
//!
//!     cargo run --release -p openledger-engine-eval --example quality

#[path = "../../engine/tests/common/mod.rs"]
mod common;

use std::time::Instant;

use openledger_influence::{classifier::quality, DatasetRef, Engine, Record};
use openledger_primitives::{
	attribution::{MAX_DUPLICATES, MAX_SUSPECTS},
	datanets::Schema,
	models::{Architecture, AttributionMethod, Featurizer, ModelSpec},
};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sp_runtime::Perbill;

fn spec(featurizer: Featurizer, architecture: Architecture) -> ModelSpec {
	ModelSpec {
		featurizer,
		architecture,
		epochs: 30,
		learning_rate: Perbill::from_percent(5),
		batch_size: 32,
		l2: Perbill::from_parts(1_000_000),
		seed: 1,
		method: AttributionMethod::Influence,
	}
}

/// Flips 10% of the labels to another class (seed 7); returns which.
fn flip(records: &mut [Record], classes: u16) -> Vec<bool> {
	let mut rng = ChaCha20Rng::seed_from_u64(7);
	records
		.iter_mut()
		.map(|r| {
			if rng.next_u64() % 10 != 0 {
				return false;
			}
			r.label = (r.label + 1 + (rng.next_u64() % u64::from(classes - 1)) as u16) % classes;
			true
		})
		.collect()
}

/// Trains `spec` on `records` in a fresh in-memory engine; returns the report and the whole
/// self-influence ranking (position, score), highest first.
fn train(
	schema: Schema,
	records: &[Record],
	spec: &ModelSpec,
) -> (openledger_influence::TrainReport, Vec<(u32, f64)>, f64) {
	let engine = Engine::new(None).expect("in memory");
	let key = DatasetRef { datanet: 0, version: 1 };
	let total = records.len() as u32;
	for (k, chunk) in records.chunks(500).enumerate() {
		engine
			.ingest(key, &schema, total, (k * 500) as u32, chunk.to_vec())
			.expect("valid records");
	}
	let started = Instant::now();
	let report = engine.train(1, key, spec).expect("trains");
	let secs = started.elapsed().as_secs_f64();
	(report, engine.self_influence(1).expect("trained"), secs)
}

fn auc(ranking: &[(u32, f64)], flipped: &[bool]) -> f64 {
	// The probability that a flipped record ranks above an unflipped one.
	let (mut above, mut pairs, mut seen_clean) = (0u64, 0u64, 0u64);
	let total_clean = ranking.iter().filter(|(p, _)| !flipped[*p as usize]).count() as u64;
	for (p, _) in ranking {
		if flipped[*p as usize] {
			above += total_clean - seen_clean;
			pairs += total_clean;
		} else {
			seen_clean += 1;
		}
	}
	above as f64 / pairs.max(1) as f64
}

fn suspects_row(name: &str, schema: Schema, records: &[Record], spec: &ModelSpec) {
	let mut noisy = records.to_vec();
	let classes = match schema {
		Schema::Dense { classes, .. } | Schema::Text { classes } => classes,
	};
	let flipped = flip(&mut noisy, classes);
	let (report, ranking, secs) = train(schema, &noisy, spec);
	let hits = report.suspects.iter().filter(|p| flipped[**p as usize]).count();
	// The base rate among the records trained on (held-out records are never suspects).
	let trained: Vec<u32> = ranking.iter().map(|(p, _)| *p).collect();
	let base =
		trained.iter().filter(|p| flipped[**p as usize]).count() as f64 / trained.len() as f64;
	println!(
		"| {name} | {} | {} of {} ({:.0}%) | {:.1}% | {:.3} | {:.1}% | {:.1} s |",
		report.records,
		hits,
		report.suspects.len(),
		100.0 * hits as f64 / report.suspects.len() as f64,
		100.0 * base,
		auc(&ranking, &flipped),
		f64::from(report.accuracy) / 1e7,
		secs,
	);
}

/// Returns `records` with `n` near-copies made by `perturb(source, rng)` appended, and which
/// records are the copies.
fn plant(
	records: &[Record],
	n: usize,
	perturb: impl Fn(&Record, &mut ChaCha20Rng) -> Record,
) -> (Vec<Record>, Vec<bool>) {
	let mut rng = ChaCha20Rng::seed_from_u64(11);
	let mut out = records.to_vec();
	let mut planted = vec![false; out.len()];
	for _ in 0..n {
		let source = (rng.next_u64() % records.len() as u64) as usize;
		let copy = perturb(&records[source], &mut rng);
		out.push(copy);
		planted.push(true);
	}
	(out, planted)
}

fn duplicates_row(
	name: &str,
	schema: Schema,
	records: &[Record],
	planted: &[bool],
	spec: &ModelSpec,
) {
	let (report, _, _) = train(schema, records, spec);
	// The same function without the cap: every near-duplicate, for recall.
	let payloads: Vec<&[u8]> = records.iter().map(|r| r.payload.as_slice()).collect();
	let started = Instant::now();
	let all = quality::near_duplicates(&schema, &payloads, usize::MAX);
	let secs = started.elapsed().as_secs_f64();
	assert_eq!(
		report.duplicates,
		all[..all.len().min(MAX_DUPLICATES as usize)],
		"the report is the first of them"
	);
	let found = all.iter().filter(|(p, _)| planted[*p as usize]).count();
	let copies = planted.iter().filter(|p| **p).count();
	println!(
		"| {name} | {} | {} | {} | {} | {} | {:.1} ms |",
		records.len(),
		all.len(),
		report.duplicates.len(),
		if copies == 0 { "-".into() } else { format!("{found} of {copies}") },
		if copies == 0 || all.is_empty() {
			"-".into()
		} else {
			format!("{:.0}%", 100.0 * found as f64 / all.len() as f64)
		},
		1e3 * secs,
	);
}

fn main() {
	let digits = common::digits();
	let mails = common::mails();
	let dense = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
	let text = Schema::Text { classes: 2 };
	let softmax = spec(Featurizer::Raw, Architecture::SoftmaxRegression);
	let mlp = spec(Featurizer::Raw, Architecture::Mlp1 { hidden: 32 });
	let hashed = spec(Featurizer::HashedNgrams { dims: 4096 }, Architecture::SoftmaxRegression);

	println!("Suspects: the {MAX_SUSPECTS} records of highest self-influence, with 10% of the labels flipped (seed 7)");
	println!();
	println!("| data, model | trained on | flipped among the flagged | flipped in the training set | AUC of the whole ranking | held-out accuracy | train |");
	println!("|---|---|---|---|---|---|---|");
	suspects_row("digits, softmax regression", dense, &digits, &softmax);
	suspects_row("digits, MLP 64-32-10", dense, &digits, &mlp);
	suspects_row("SpamAssassin mails, hashed n-grams 4096, softmax", text, &mails, &hashed);
	println!();

	println!("Near-duplicates (at most {MAX_DUPLICATES} flagged per training)");
	println!();
	println!("| data | records | near-duplicates found | flagged on chain (the first {MAX_DUPLICATES}) | planted copies found | found that are planted | time |");
	println!("|---|---|---|---|---|---|---|");
	duplicates_row("digits as shipped", dense, &digits, &vec![false; digits.len()], &softmax);
	let (copied, planted) = plant(&digits[..1000], 30, |r, rng| {
		let mut payload = r.payload.clone();
		for _ in 0..1 + rng.next_u64() % 4 {
			let at = (rng.next_u64() % 64) as usize;
			payload[at] = if payload[at] == 16 { 15 } else { payload[at] + 1 };
		}
		Record { payload, label: r.label }
	});
	duplicates_row(
		"1,000 digits + 30 near-copies (1-4 values moved by one)",
		dense,
		&copied,
		&planted,
		&softmax,
	);
	duplicates_row(
		"SpamAssassin mails as shipped",
		text,
		&mails,
		&vec![false; mails.len()],
		&hashed,
	);
	let (copied, planted) = plant(&mails[..500], 30, |r, rng| {
		let text = String::from_utf8_lossy(&r.payload);
		let mut words: Vec<&str> = text.split(' ').collect();
		let at = (rng.next_u64() % words.len() as u64) as usize;
		words[at] = "replaced";
		Record { payload: words.join(" ").into_bytes(), label: r.label }
	});
	duplicates_row(
		"500 mails + 30 copies with one word replaced",
		text,
		&copied,
		&planted,
		&hashed,
	);
}
