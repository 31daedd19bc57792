//! Bit-identical results: the same records and specs give the same weights hashes,
//! probabilities, shares and self-influence whatever the thread count, the CPU and the
//! architecture, and they match the golden digest committed for the engine's version.
//!
//! - `results_are_identical_for_any_thread_count`: thread pools are sized once per process, so
//!   the test runs its own binary again as a child per thread count (`RAYON_NUM_THREADS` 1, 2
//!   and 4, and 2 again), and the children's digests must all be equal.
//! - `golden_digest`: the digest's blake3 must be the one `tests/golden.txt` lists for
//!   [`ENGINE_VERSION`]. `scripts/test.sh` also runs this test under `qemu-x86_64 -cpu
//!   Nehalem-v1` (no AVX, no FMA) and `-cpu Haswell-v4` (AVX2 and FMA), and built for aarch64
//!   under `qemu-aarch64`, so that every kind of CPU must print the same digest.
//!
//! The digest covers seven models: softmax regression, a 1-hidden-layer and a 2-hidden-layer
//! MLP on the first 1,000 digits, a hashed-n-gram softmax regression on the first 300 real
//! mails of the SpamAssassin subset (which takes the Woodbury path: more features than
//! records), an ∞-gram over all 600 mails (its index hash, and 64-token continuations of
//! every 97th mail with their shares and spans), an external model over the same mails
//! (every 97th mail traced: its spans and shares), and the 1-hidden-layer MLP again,
//! attributed by replay of its training.

use std::process::Command;

mod common;

use common::{crate_file, digits, mails};
use openledger_influence::{
	Answer, DatasetRef, Engine, Prediction, Record, RecordShare, ENGINE_VERSION,
};
use openledger_primitives::{
	datanets::Schema,
	models::{Architecture, AttributionMethod, Featurizer, ModelSpec},
};
use sp_runtime::Perbill;

/// The digits and mails the digest uses: the first of each file.
const DIGITS: usize = 1000;
const MAILS: usize = 300;

fn spec(featurizer: Featurizer, architecture: Architecture, epochs: u16) -> ModelSpec {
	ModelSpec {
		featurizer,
		architecture,
		epochs,
		learning_rate: Perbill::from_percent(5),
		batch_size: 32,
		l2: Perbill::from_parts(100_000),
		seed: 42,
		method: AttributionMethod::Influence,
	}
}

/// Trains `spec` on `records`, and writes its report, its predictions for every 97th record
/// (probabilities, proponents and opponents) and the bits of its self-influence to `out`.
fn describe(out: &mut String, id: u32, schema: Schema, records: &[Record], spec: ModelSpec) {
	let engine = Engine::new(None).expect("in memory");
	let key = DatasetRef { datanet: id, version: 0 };
	let total = records.len() as u32;
	for (k, chunk) in records.chunks(500).enumerate() {
		engine.ingest(key, &schema, total, (k * 500) as u32, chunk.to_vec()).expect("valid");
	}
	let report = engine.train(id, key, &spec).expect("trains");
	out.push_str(&format!("{report:?}\n"));
	for r in records.iter().step_by(97) {
		let p = engine.infer(id, &r.payload, 20).expect("infers");
		out.push_str(&prediction_text(&p));
		out.push('\n');
	}
	let selfs = engine.self_influence(id).expect("trained");
	let bits: Vec<(u32, u64)> = selfs.iter().map(|(i, s)| (*i, s.to_bits())).collect();
	out.push_str(&format!("{:?}\n", blake3::hash(format!("{bits:?}").as_bytes())));
}

/// A prediction as the digest has written it since engine v5: the `Debug` text of the
/// engine's own share, span and continuation types of then, which the primitives' types replaced.
/// The same values in the same text, so that moving a type leaves the golden digest alone.
fn prediction_text(p: &Prediction) -> String {
	let list = |items: Vec<String>| format!("[{}]", items.join(", "));
	let shares = |shares: &[RecordShare]| {
		list(
			shares
				.iter()
				.map(|s| {
					format!("Share {{ record: {}, ppb: {} }}", s.record, s.share.deconstruct())
				})
				.collect(),
		)
	};
	let (generated, label, probabilities) = match &p.answer {
		Answer::Class { label, probabilities } => {
			("None".to_string(), *label, probabilities.clone())
		},
		Answer::Continuation { generated: g, first } => {
			let generation = &g.generation;
			let first_tokens = generation
				.first
				.iter()
				.map(|t| format!("({:?}, {})", &t.token[..], t.probability.deconstruct()))
				.collect();
			let spans = generation
				.spans
				.iter()
				.map(|s| {
					format!(
						"Span {{ start: {}, end: {}, occurrences: {}, records: {:?} }}",
						s.start,
						s.end,
						s.occurrences,
						&s.records[..]
					)
				})
				.collect();
			let text = format!(
				"Some(Generated {{ text: {:?}, steps: {:?}, first: {}, shares: {}, spans: {} }})",
				&generation.text[..],
				g.steps,
				list(first_tokens),
				shares(&g.shares),
				list(spans)
			);
			// The label of a continuation was 0, its probabilities its first token's alone.
			(text, 0, vec![*first])
		},
		// Since engine v6.
		Answer::Trace(t) => {
			(format!("Trace {{ tokens: {}, spans: {:?} }}", t.tokens, t.spans), 0, vec![])
		},
	};
	format!(
		"Prediction {{ generated: {generated}, label: {}, probabilities: {:?}, proponents: {}, \
		 opponents: {} }}",
		label,
		probabilities,
		shares(&p.proponents),
		shares(&p.opponents)
	)
}

/// Everything the engine reports for the seven models, as text.
fn digest() -> String {
	let mut out = String::new();
	// Subsets, so that a run under qemu (10-40 times slower) stays near a minute.
	let digits = &digits()[..DIGITS];
	let dense = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
	for (id, architecture) in [
		Architecture::SoftmaxRegression,
		Architecture::Mlp1 { hidden: 32 },
		Architecture::Mlp2 { hidden: [32, 16] },
	]
	.into_iter()
	.enumerate()
	{
		describe(&mut out, id as u32, dense, digits, spec(Featurizer::Raw, architecture, 4));
	}
	let text = Schema::Text { classes: 2 };
	let hashed = Featurizer::HashedNgrams { dims: 1024 };
	let mails = &mails()[..MAILS];
	describe(&mut out, 3, text, mails, spec(hashed, Architecture::SoftmaxRegression, 4));
	let gram = Architecture::InfiniGram { max_tokens: 64 };
	describe(&mut out, 4, text, &common::mails(), spec(Featurizer::Words, gram, 1));
	// Since engine v6: an external model, each 97th mail traced to the others (and itself).
	let external = Architecture::External { weights_hash: Default::default(), min_span_tokens: 6 };
	describe(&mut out, 5, text, &common::mails(), spec(Featurizer::Words, external, 1));
	// Since engine v7: the 1-hidden-layer MLP attributed by replay of its training.
	let mlp = spec(Featurizer::Raw, Architecture::Mlp1 { hidden: 32 }, 4);
	let replayed = ModelSpec { method: AttributionMethod::Replay, ..mlp };
	describe(&mut out, 6, dense, digits, replayed);
	out
}

/// The child: prints its digest. Ignored, because only the test below runs it, in a process of
/// its own with `RAYON_NUM_THREADS` set.
#[test]
#[ignore]
fn print_digest() {
	println!("<digest>\n{}</digest>", digest());
}

fn child(threads: usize) -> String {
	let exe = std::env::current_exe().expect("the test binary");
	let output = Command::new(exe)
		.args(["--exact", "print_digest", "--ignored", "--nocapture", "--test-threads", "1"])
		.env("RAYON_NUM_THREADS", threads.to_string())
		.output()
		.expect("the child runs");
	let stdout = String::from_utf8_lossy(&output.stdout);
	assert!(output.status.success(), "child with {threads} threads failed: {stdout}");
	let start = stdout.find("<digest>").expect("a digest");
	let end = stdout.find("</digest>").expect("the digest's end");
	stdout[start..end].to_string()
}

#[test]
fn results_are_identical_for_any_thread_count() {
	let one = child(1);
	assert!(one.contains("weights_hash") && one.contains("proponents"));
	for threads in [2, 4, 2] {
		assert_eq!(child(threads), one, "{threads} threads differ from one");
	}
}

/// `tests/golden.txt`: `version digest` lines, one per engine version, oldest first.
fn golden() -> Vec<(u32, String)> {
	crate_file("tests/golden.txt")
		.lines()
		.filter(|l| !l.starts_with('#') && !l.trim().is_empty())
		.map(|l| {
			let (v, d) = l.split_once(' ').expect("version digest");
			(v.parse().expect("a version"), d.trim().to_string())
		})
		.collect()
}

#[test]
fn golden_digest() {
	let digest = blake3::hash(digest().as_bytes()).to_hex().to_string();
	let kernel = openledger_influence::numeric::kernel::kernel_name();
	println!("golden digest: engine v{ENGINE_VERSION} {digest} (kernel: {kernel})");
	let golden = golden();
	// Each version has one line, in order, and no two versions share a digest: a changed
	// digest needs a new version, not an edited line.
	assert!(golden.windows(2).all(|w| w[0].0 < w[1].0), "versions in increasing order");
	for (i, (_, d)) in golden.iter().enumerate() {
		assert!(golden[i + 1..].iter().all(|(_, e)| e != d), "two versions with digest {d}");
	}
	let Some((_, want)) = golden.iter().find(|(v, _)| *v == ENGINE_VERSION) else {
		panic!("tests/golden.txt has no line for engine version {ENGINE_VERSION}: add `{ENGINE_VERSION} {digest}`");
	};
	assert_eq!(
		&digest, want,
		"the engine's results changed but ENGINE_VERSION ({ENGINE_VERSION}) did not: bump it and add a line to tests/golden.txt"
	);
	assert_eq!(golden.last().map(|(v, _)| *v), Some(ENGINE_VERSION), "the newest line is ours");
}
