//! The ∞-gram index at the scale of a real corpus: the 233 State of the Union addresses and
//! the 6,046 mails of the SpamAssassin public corpus (both fetched by `scripts/setup.sh`), as
//! Text records of at most 2,048 bytes.
//!
//! Every text is split into records at the last whitespace within 2,048 bytes (a Text record's
//! limit on the chain), so that the whole corpus is in the index; a mail is its body, without
//! its headers. It prints, for the whole corpus:
//! - the index build (tokenising, the vocabulary, libsais's suffix array, the hash) in tokens
//!   per second, and the suffix array alone;
//! - the index's bytes per token, beside the text;
//! - a count query (n-grams of 1 to 8 tokens drawn from the corpus) against the baseline of a
//!   plain scan of the tokens, measured in the same run;
//! - a 64-token attributed continuation (prompts: the first 8 to 24 tokens of random records,
//!   with one word replaced in every other prompt), with its spans and shares;
//! - an outside text traced to the records (`Index::trace`, spans of at least 8 tokens, the
//!   chain's least minimum): a random record with one word in ten replaced by one the corpus
//!   does not have, standing for a model's output that quotes its training data in pieces.
//!
//!     cargo run --release -p openledger-engine-eval --example infinigram

use std::{path::Path, time::Instant};

use openledger_influence::infinigram::{suffix_array, tokenize, Index};
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

/// A Text record's limit on the chain (the runtime's `MaxPayloadLen`).
const MAX_RECORD: usize = 2048;
/// Queries of each kind.
const COUNTS: usize = 5_000;
const CONTINUATIONS: usize = 100;
const TRACES: usize = 100;
/// The least minimum span length the chain lets an external model ask for
/// (`models.minSpanTokens` in the runtime).
const MIN_SPAN: usize = 8;
const SCANS: usize = 5;

/// `text` in records of at most [`MAX_RECORD`] bytes, cut at the last whitespace that fits (or
/// at a character boundary).
fn records(text: &str, out: &mut Vec<String>) {
	let mut rest = text.trim();
	while !rest.is_empty() {
		if rest.len() <= MAX_RECORD {
			out.push(rest.to_string());
			return;
		}
		let mut end = MAX_RECORD;
		while !rest.is_char_boundary(end) {
			end -= 1;
		}
		if let Some(space) = rest[..end].rfind(char::is_whitespace) {
			end = space.max(1);
			while !rest.is_char_boundary(end) {
				end += 1;
			}
		}
		out.push(rest[..end].trim().to_string());
		rest = rest[end..].trim_start();
	}
}

fn json_texts(dir: &Path, out: &mut Vec<String>, body_only: bool) -> usize {
	let mut files: Vec<_> = walk(dir);
	files.sort();
	for file in &files {
		let value: serde_json::Value =
			serde_json::from_slice(&std::fs::read(file).expect("read")).expect("json");
		let text = value["text"].as_str().unwrap_or_default().replace("\r\n", "\n");
		let body = if body_only {
			text.split_once("\n\n").map(|(_, b)| b.to_string()).unwrap_or(text)
		} else {
			text
		};
		records(&body, out);
	}
	files.len()
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
	let mut files = Vec::new();
	let Ok(entries) = std::fs::read_dir(dir) else {
		panic!("{} is missing: scripts/setup.sh fetches it", dir.display())
	};
	for entry in entries.flatten() {
		let path = entry.path();
		if path.is_dir() {
			files.extend(walk(&path));
		} else if path.extension().is_some_and(|e| e == "json") {
			files.push(path);
		}
	}
	files
}

fn main() {
	let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
	let mut texts = Vec::new();
	let addresses = json_texts(&root.join("data/sotu/addresses"), &mut texts, false);
	let sotu_records = texts.len();
	let mails = json_texts(&root.join("data/spam/corpus"), &mut texts, true);
	let bytes: usize = texts.iter().map(String::len).sum();
	let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
	println!(
		"corpus: {addresses} addresses ({sotu_records} records) and {mails} mails ({} records): \
		 {:.1} MB, {:.2} M words",
		texts.len() - sotu_records,
		bytes as f64 / 1e6,
		words as f64 / 1e6
	);

	let started = Instant::now();
	let index =
		Index::build(texts.iter().enumerate().map(|(i, t)| (i as u32, t.as_bytes()))).unwrap();
	let build = started.elapsed();
	let tokens = index.len();
	println!(
		"index: {:.2} M tokens (separators included), {} distinct, built in {:.2} s: \
		 {:.2} M tokens/s; hash {:?}",
		tokens as f64 / 1e6,
		index.vocabulary(),
		build.as_secs_f64(),
		tokens as f64 / build.as_secs_f64() / 1e6,
		index.hash()
	);
	// The suffix array alone, on the same ids.
	let ids: Vec<u32> = texts
		.iter()
		.flat_map(|t| index.encode(t.as_bytes()).into_iter().chain(std::iter::once(0)))
		.collect();
	let started = Instant::now();
	let sa = suffix_array(&ids, index.vocabulary() as u32 + 1).unwrap();
	let sa_time = started.elapsed();
	println!(
		"  of which the suffix array (libsais, one thread): {:.2} s, {:.2} M tokens/s",
		sa_time.as_secs_f64(),
		sa.len() as f64 / sa_time.as_secs_f64() / 1e6
	);
	drop(sa);
	let index_bytes = index.bytes();
	println!(
		"  memory: {:.1} MB of index beside {:.1} MB of text: {:.2} bytes per token (4 token id, \
		 4 suffix array, the rest vocabulary and record table)",
		index_bytes as f64 / 1e6,
		bytes as f64 / 1e6,
		index_bytes as f64 / tokens as f64
	);

	// Count queries: n-grams drawn from the corpus.
	let mut rng = ChaCha20Rng::seed_from_u64(7);
	let patterns: Vec<Vec<u32>> = (0..COUNTS)
		.map(|_| {
			let len = 1 + rng.next_u32() as usize % 8;
			let at = rng.next_u32() as usize % (ids.len() - len);
			ids[at..at + len].to_vec()
		})
		.collect();
	let started = Instant::now();
	let mut found = 0u64;
	let mut slowest = 0f64;
	for p in &patterns {
		let one = Instant::now();
		found += index.count(p);
		slowest = slowest.max(one.elapsed().as_secs_f64());
	}
	let per_count = started.elapsed().as_secs_f64() / COUNTS as f64;
	let started = Instant::now();
	let mut scanned = 0u64;
	for p in patterns.iter().take(SCANS) {
		scanned += ids.windows(p.len()).filter(|w| *w == &p[..]).count() as u64;
	}
	let per_scan = started.elapsed().as_secs_f64() / SCANS as f64;
	let indexed: u64 = patterns.iter().take(SCANS).map(|p| index.count(p)).sum();
	assert_eq!(scanned, indexed, "the index and the scan disagree");
	println!(
		"count query ({COUNTS} n-grams of 1-8 tokens, {:.0} occurrences on average): \
		 {:.1} µs mean, {:.1} µs slowest; baseline scan of the tokens: {:.1} ms ({:.0}x)",
		found as f64 / COUNTS as f64,
		per_count * 1e6,
		slowest * 1e6,
		per_scan * 1e3,
		per_scan / per_count
	);

	// Attributed continuations of 64 tokens.
	let mut total = 0f64;
	let mut slowest = 0f64;
	let (mut spans, mut spanned, mut generated, mut context, mut steps) = (0, 0, 0, 0, 0);
	for c in 0..CONTINUATIONS {
		let record = &texts[rng.next_u32() as usize % texts.len()];
		let toks = tokenize(record.as_bytes());
		let take = (8 + rng.next_u32() as usize % 17).min(toks.len());
		let mut prompt: Vec<u8> = toks[..take].concat();
		if c % 2 == 1 {
			// Replace the last word with one the corpus does not have.
			if let Some(w) = toks[..take].iter().rposition(|t| t[0].is_ascii_alphanumeric()) {
				prompt =
					[toks[..w].concat(), b"zqxjv".to_vec(), toks[w + 1..take].concat()].concat();
			}
		}
		let one = Instant::now();
		let g = index.generate(&prompt, 64, MAX_RECORD, 16);
		let t = one.elapsed().as_secs_f64();
		total += t;
		slowest = slowest.max(t);
		assert_eq!(
			g.shares.iter().map(|s| u64::from(s.share.deconstruct())).sum::<u64>(),
			1_000_000_000
		);
		spans += g.generation.spans.len();
		spanned += g.generation.spans.iter().map(|s| (s.end - s.start) as usize).sum::<usize>();
		generated += g.generation.text.len();
		context += g.steps.iter().map(|s| s.context).sum::<usize>();
		steps += g.steps.len();
		if c == 0 {
			println!(
				"example: {:?} -> {:?} ({} spans, top share record {} at {:.1}%)",
				String::from_utf8_lossy(&prompt),
				String::from_utf8_lossy(&g.generation.text),
				g.generation.spans.len(),
				g.shares[0].record,
				g.shares[0].share.deconstruct() as f64 / 1e7
			);
		}
	}
	println!(
		"64-token attributed continuation ({CONTINUATIONS} prompts, top 16 records, spans): \
		 {:.2} ms mean, {:.2} ms slowest; mean matched context {:.1} tokens; {:.1} spans a \
		 continuation covering {:.0}% of its bytes",
		total / CONTINUATIONS as f64 * 1e3,
		slowest * 1e3,
		context as f64 / steps.max(1) as f64,
		spans as f64 / CONTINUATIONS as f64,
		100.0 * spanned as f64 / generated.max(1) as f64
	);
	// Outside texts traced to the records: a record with one word in ten replaced.
	let (mut total, mut slowest) = (0f64, 0f64);
	let (mut spans, mut spanned, mut bytes, mut credited, mut tokens) = (0, 0, 0, 0, 0u64);
	for _ in 0..TRACES {
		let record = &texts[rng.next_u32() as usize % texts.len()];
		let mut words = 0;
		let output: Vec<u8> = tokenize(record.as_bytes())
			.into_iter()
			.flat_map(|t| {
				let word = t[0].is_ascii_alphanumeric();
				words += usize::from(word);
				if word && words % 10 == 0 {
					b"zqxjv".to_vec()
				} else {
					t.to_vec()
				}
			})
			.collect();
		let one = Instant::now();
		let traced = index.trace(&output, MIN_SPAN, 16);
		let t = one.elapsed().as_secs_f64();
		total += t;
		slowest = slowest.max(t);
		spans += traced.spans.len();
		spanned += traced.spans.iter().map(|s| (s.end - s.start) as usize).sum::<usize>();
		bytes += output.len();
		credited += traced.shares.len();
		tokens += u64::from(traced.tokens);
	}
	println!(
		"an outside text traced ({TRACES} records of {:.0} bytes and {:.0} tokens on average with \
		 one word in ten replaced, spans of {MIN_SPAN} tokens or more, top 16 records, one \
		 thread): {:.2} ms mean, {:.2} ms slowest, {:.0} k tokens/s; {:.1} reported spans a text \
		 covering {:.0}% of its bytes, {:.1} records credited",
		bytes as f64 / TRACES as f64,
		tokens as f64 / TRACES as f64,
		total / TRACES as f64 * 1e3,
		slowest * 1e3,
		tokens as f64 / total / 1e3,
		spans as f64 / TRACES as f64,
		100.0 * spanned as f64 / bytes.max(1) as f64,
		credited as f64 / TRACES as f64
	);
}
