//! The same binary, records and spec give bit-identical weights hashes, probabilities and
//! shares whatever the thread count, and from run to run.
//!
//! Thread pools are sized once per process, so the test runs its own binary again as a child
//! per thread count (`RAYON_NUM_THREADS` 1, 2 and 4, and 2 again), each child trains and
//! attributes on the digits set, and the digests must all be equal.

use std::process::Command;

use openledger_influence::{DatasetKey, Engine, Record};
use openledger_primitives::{
	datanets::Schema,
	models::{Architecture, Featurizer, ModelSpec},
};
use sp_runtime::Perbill;

fn digits() -> Vec<Record> {
	// Cargo sets the variable when it runs the binary too: prefer that, so that a binary built
	// in another checkout of the same target dir reads this checkout's file.
	let dir =
		std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| env!("CARGO_MANIFEST_DIR").into());
	let path = std::path::Path::new(&dir).join("../../data/digits/digits.csv");
	let text = std::fs::read_to_string(path).expect("data/digits/digits.csv is in the repository");
	text.lines()
		.skip(1)
		.map(|line| {
			let values: Vec<u8> = line.split(',').map(|v| v.parse().expect("a number")).collect();
			Record { payload: values[1..].to_vec(), label: u16::from(values[0]) }
		})
		.collect()
}

/// Everything the engine reports for two models on digits, as text.
fn digest() -> String {
	let engine = Engine::new(None).expect("in memory");
	let key = DatasetKey { datanet: 0, version: 0 };
	let records = digits();
	let schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
	let total = records.len() as u32;
	for (k, chunk) in records.chunks(500).enumerate() {
		engine.ingest(key, &schema, total, (k * 500) as u32, chunk.to_vec()).expect("valid");
	}
	let mut out = String::new();
	for (id, architecture) in
		[Architecture::SoftmaxRegression, Architecture::Mlp2 { hidden: [32, 16] }]
			.into_iter()
			.enumerate()
	{
		let spec = ModelSpec {
			featurizer: Featurizer::Raw,
			architecture,
			epochs: 8,
			learning_rate: Perbill::from_percent(5),
			batch_size: 32,
			l2: Perbill::from_parts(100_000),
			checkpoints: 2,
			seed: 42,
		};
		let report = engine.train(id as u32, key, &spec).expect("trains");
		out.push_str(&format!("{report:?}\n"));
		for r in records.iter().step_by(97) {
			let p = engine.infer(id as u32, &r.payload, 20).expect("infers");
			out.push_str(&format!("{p:?}\n"));
		}
		let selfs = engine.self_influence(id as u32).expect("trained");
		let bits: Vec<(u32, u64)> = selfs.iter().map(|(i, s)| (*i, s.to_bits())).collect();
		out.push_str(&format!("{:?}\n", blake3::hash(format!("{bits:?}").as_bytes())));
	}
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
