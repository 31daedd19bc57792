//! A text classifier at the size of the whole SpamAssassin public corpus (6,046 mails, fetched
//! by `scripts/setup.sh` into data/spam/corpus), trained and attributed by the engine exactly as
//! an attestor does (`Engine::ingest`, `Engine::train`, `Engine::infer`).
//!
//! Each mail is one Text record: its body (the headers dropped), cut at 2,048 bytes on a
//! character boundary, labelled 1 for the spam groups and 0 for the ham ones; a body repeated
//! with its label is kept once (the chain refuses duplicates). For each spec it prints the
//! chain's cost estimate (`ModelSpec::cost`) against the default `CostLimit` of the models
//! pallet (4 GiB, 2·10^12 operations) and the engine's own budget, then the measured training
//! time, peak memory (the process's high-water mark, `VmHWM`, reset before each spec), held-out
//! accuracy, and the time of one attribution (top 16 of every training record).
//!
//! The 16,384-dim softmax regression has more features than records: its exact influence takes
//! the Woodbury path, the case the cost bound was written for.
//!
//!     cargo run --release -p openledger-engine-eval --example mail

use std::{path::Path, time::Instant};

use openledger_influence::{DatasetRef, Engine, Record};
use openledger_primitives::{
	datanets::Schema,
	models::{Architecture, AttributionMethod, Featurizer, ModelSpec, SpecCost},
};
use sp_runtime::Perbill;

/// The models pallet's default `CostLimit`.
const COST_LIMIT: SpecCost =
	SpecCost { bytes: 4 << 30, flops: 2_000_000_000_000, query_flops: 20_000_000_000 };
const MAX_RECORD: usize = 2048;
const QUERIES: usize = 20;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
	let entries = std::fs::read_dir(dir)
		.unwrap_or_else(|_| panic!("{} is missing: scripts/setup.sh fetches it", dir.display()));
	for entry in entries.flatten() {
		let path = entry.path();
		if path.is_dir() {
			walk(&path, out);
		} else if path.extension().is_some_and(|e| e == "json") {
			out.push(path);
		}
	}
}

fn mails() -> Vec<Record> {
	let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../data/spam/corpus");
	let mut files = Vec::new();
	walk(&root, &mut files);
	files.sort();
	let mut seen = std::collections::HashSet::new();
	let mut records = Vec::new();
	for file in files {
		let value: serde_json::Value =
			serde_json::from_slice(&std::fs::read(&file).expect("read")).expect("json");
		let text = value["text"].as_str().unwrap_or_default().replace("\r\n", "\n");
		let body = text.split_once("\n\n").map_or(text.as_str(), |(_, b)| b).trim();
		let mut end = body.len().min(MAX_RECORD);
		while !body.is_char_boundary(end) {
			end -= 1;
		}
		let payload = body[..end].as_bytes().to_vec();
		let label = u16::from(value["group"].as_str().unwrap_or_default().starts_with("spam"));
		if payload.is_empty() || !seen.insert((payload.clone(), label)) {
			continue;
		}
		records.push(Record { payload, label });
	}
	records
}

/// The process's peak resident memory since the last reset, in bytes.
fn peak() -> u64 {
	let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
	status
		.lines()
		.find_map(|l| l.strip_prefix("VmHWM:"))
		.and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
		.map_or(0, |kb| kb * 1024)
}

fn reset_peak() {
	// Writing 5 to clear_refs resets VmHWM to the current resident size.
	let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
	let records = mails();
	let spam = records.iter().filter(|r| r.label == 1).count();
	println!(
		"{} distinct mails ({spam} spam, {} ham), {:.1} MB of bodies cut at {MAX_RECORD} bytes",
		records.len(),
		records.len() - spam,
		records.iter().map(|r| r.payload.len()).sum::<usize>() as f64 / 1e6
	);
	let schema = Schema::Text { classes: 2 };
	let key = DatasetRef { datanet: 1, version: 1 };
	let engine = Engine::new(None).expect("in memory").with_budget(SpecCost {
		bytes: 16 << 30,
		flops: u64::MAX,
		query_flops: u64::MAX,
	});
	let total = records.len() as u32;
	for (k, chunk) in records.chunks(1000).enumerate() {
		engine.ingest(key, &schema, total, (k * 1000) as u32, chunk.to_vec()).expect("valid");
	}
	let base = ModelSpec {
		featurizer: Featurizer::HashedNgrams { dims: 1024 },
		architecture: Architecture::SoftmaxRegression,
		epochs: 20,
		learning_rate: Perbill::from_percent(20),
		batch_size: 32,
		l2: Perbill::from_parts(1_000_000),
		seed: 1,
		method: AttributionMethod::Influence,
	};
	let specs = [
		("softmax regression, 1,024 dims", base),
		("MLP 1,024-32-2", ModelSpec { architecture: Architecture::Mlp1 { hidden: 32 }, ..base }),
		(
			"softmax regression, 16,384 dims (Woodbury)",
			ModelSpec { featurizer: Featurizer::HashedNgrams { dims: 16_384 }, ..base },
		),
	];
	println!(
		"| spec | estimated memory | estimated operations | within the chain's limit | train + prepare | peak memory | held-out accuracy | one attribution |"
	);
	println!("|---|---|---|---|---|---|---|---|");
	for (id, (name, spec)) in specs.iter().enumerate() {
		let cost = spec.cost(&schema, total);
		let within = match cost.within(&COST_LIMIT) {
			Ok(()) => "yes".to_string(),
			Err(e) => format!("no: {e:?}"),
		};
		reset_peak();
		let started = Instant::now();
		let report = engine.train(id as u32, key, spec).expect("trains");
		let train = started.elapsed();
		let held = peak();
		let started = Instant::now();
		for r in records.iter().step_by(records.len() / QUERIES).take(QUERIES) {
			engine.infer(id as u32, &r.payload, 16).expect("infers");
		}
		let per_query = started.elapsed() / QUERIES as u32;
		println!(
			"| {name} | {:.2} GB | {:.2e} | {within} | {:.1} s | {:.2} GB | {:.1}% of {} | {:.1} ms |",
			cost.bytes as f64 / 1e9,
			cost.flops as f64,
			train.as_secs_f64(),
			held as f64 / 1e9,
			report.accuracy as f64 / 1e7,
			report.held_out,
			per_query.as_secs_f64() * 1e3,
		);
		engine.forget(id as u32);
	}
}
