//! The ∞-gram language model of Text Datanets, and the attribution of what it generates.
//!
//! - **Tokens** ([`tokenize`]): a token is a maximal run of word bytes (ASCII letters and
//!   digits, and every byte of 0x80 and above, so a multi-byte UTF-8 character is never cut), a
//!   maximal run of ASCII whitespace, or one other byte. The rule reads bytes only (no Unicode
//!   tables, no locale), so every build on every machine tokenises alike, and it is lossless:
//!   the tokens of a text concatenate back to it. Generated text is therefore valid UTF-8, and
//!   a verbatim span is a byte range of a record.
//! - **Index** ([`Index::build`]): the version's live records (removed ones have no payload)
//!   become one sequence of token ids, each record followed by the separator 0, so that no
//!   match crosses two records. Ids are the ranks of the distinct tokens in byte order, from 1,
//!   so "the lower id" means "the lower token in byte order" on every machine. The suffix
//!   array over that sequence is built by libsais (induced sorting, linear time). A suffix
//!   array is unique, so the algorithm cannot change the result. The index costs 4 bytes of
//!   token id and 4 of suffix array per token, plus the distinct tokens' bytes and 8 bytes per
//!   record; its blake3 hash over all of that is the model's consensus value (the weights
//!   hash).
//! - **Generation** ([`Index::generate`]): each step takes the longest suffix of the text so
//!   far (at most [`MAX_CONTEXT`] tokens) that occurs in the records followed by a token, and
//!   emits the most frequent such next token, the lower id on a tie. The first step's
//!   candidates are reported with their probabilities, counts over the total. Next tokens are
//!   counted by probing the context's suffix-array range at evenly spaced points, which finds
//!   every token at least as frequent as the spacing: exact unless the most frequent token
//!   holds under 1/[`MAX_PROBES`] of the occurrences, when it is the most frequent of those
//!   the probes met. That bounds a step's work on any corpus.
//! - **Attribution**: each generated token is credited to the records in which the matched
//!   context is followed by that token, each record once however often it repeats the
//!   context: every such record gets `2^32 / records` units of the step's one token (integer
//!   division), so a record cannot take a step's credit by repeating a common phrase. A step
//!   with more than [`MAX_CREDITED`] occurrences looks for the records in an evenly strided
//!   sample of that many, in suffix-array order, so that one step never costs more than that. The units are summed
//!   over the continuation, the `top_k` records are kept (ties to the lower position), and
//!   their shares are rounded to exactly one by largest remainder.
//! - **Spans** ([`Index::spans`]): the maximal stretches of the continuation that occur
//!   verbatim in the records (OLMoTrace-style), of at least [`MIN_SPAN_TOKENS`] tokens, with
//!   their occurrence counts and the records that hold them.
//! - **Tracing** ([`Index::trace`]): the same spans of a text the index did not generate (an
//!   external model's output), of a minimum length the caller gives, and shares by an integer
//!   rarity rule: a span of `n` tokens found `c` times gives each record holding it
//!   `n · 2^32 / c` units (see `trace.rs`).
//!
//! Every number is an integer count, so every attestor computes the same continuation and the
//! same shares, and the result-hash vote applies unchanged.
//!
//! The module is cut by those concepts: `tokenizer` ([`tokenize`]), `index` (the suffix array
//! and the queries on it), `generate` (continuation, credit and spans).

mod generate;
mod index;
mod tokenizer;
mod trace;

pub use generate::{Generated, Generation, NextToken, Span, Step, MAX_CONTEXT, MIN_SPAN_TOKENS};
pub use index::{suffix_array, Index, MAX_CREDITED, MAX_PROBES, SEPARATOR};
pub use tokenizer::tokenize;
pub use trace::Traced;

#[cfg(test)]
mod tests {
	use std::collections::BTreeMap;

	use openledger_primitives::attribution::MAX_CANDIDATES;
	use rand_chacha::ChaCha8Rng;
	use rand_core::{RngCore, SeedableRng};
	use sp_runtime::Perbill;

	use super::*;
	use crate::error::EngineError;

	/// Random records of words from a small vocabulary, so that n-grams repeat.
	fn corpus(seed: u64, records: usize, words: usize) -> Vec<Vec<u8>> {
		let vocab = ["the", "cat", "sat", "on", "a", "mat", "dog", "ran", "é", ".", ","];
		let mut rng = ChaCha8Rng::seed_from_u64(seed);
		(0..records)
			.map(|_| {
				let n = 1 + rng.next_u32() as usize % words;
				let mut text = Vec::new();
				for w in 0..n {
					if w > 0 && rng.next_u32() % 4 != 0 {
						text.extend_from_slice(if rng.next_u32() % 9 == 0 { b"  " } else { b" " });
					}
					text.extend_from_slice(vocab[rng.next_u32() as usize % vocab.len()].as_bytes());
				}
				text
			})
			.collect()
	}

	fn index(records: &[Vec<u8>]) -> Index {
		Index::build(records.iter().enumerate().map(|(i, r)| (i as u32, r.as_slice()))).unwrap()
	}

	/// Occurrences of `pattern` in `tokens` by a plain scan.
	fn naive_count(tokens: &[u32], pattern: &[u32]) -> u64 {
		if pattern.is_empty() {
			return tokens.len() as u64;
		}
		tokens.windows(pattern.len()).filter(|w| *w == pattern).count() as u64
	}

	#[test]
	fn tokens_are_lossless_and_split_by_class() {
		let text = "Hello,  wörld!\n\n42nd\ttime... ok".as_bytes();
		let tokens = tokenize(text);
		assert_eq!(tokens.concat(), text);
		let shown: Vec<&str> = tokens.iter().map(|t| std::str::from_utf8(t).unwrap()).collect();
		assert_eq!(
			shown,
			[
				"Hello", ",", "  ", "wörld", "!", "\n\n", "42nd", "\t", "time", ".", ".", ".", " ",
				"ok"
			]
		);
		assert!(tokenize(b"").is_empty());
	}

	#[test]
	fn the_suffix_array_is_the_sorted_suffixes() {
		for seed in 0..30 {
			let mut rng = ChaCha8Rng::seed_from_u64(seed);
			let n = 1 + rng.next_u32() as usize % 300;
			let alphabet = 1 + rng.next_u32() % 6;
			let tokens: Vec<u32> = (0..n).map(|_| rng.next_u32() % alphabet).collect();
			let mut naive: Vec<u32> = (0..n as u32).collect();
			naive.sort_by(|a, b| tokens[*a as usize..].cmp(&tokens[*b as usize..]));
			assert_eq!(suffix_array(&tokens, alphabet).unwrap(), naive, "seed {seed}");
		}
	}

	#[test]
	fn counts_match_a_scan_of_the_tokens() {
		for seed in 0..10 {
			let records = corpus(seed, 40, 30);
			let index = index(&records);
			let mut rng = ChaCha8Rng::seed_from_u64(seed + 100);
			for _ in 0..200 {
				// Patterns drawn from the text itself, and some random ones.
				let len = 1 + rng.next_u32() as usize % 5;
				let pattern: Vec<u32> = if rng.next_u32() % 2 == 0 {
					let at = rng.next_u32() as usize % (index.tokens.len() - len);
					index.tokens[at..at + len].to_vec()
				} else {
					(0..len).map(|_| rng.next_u32() % (index.vocabulary() as u32 + 1)).collect()
				};
				assert_eq!(index.count(&pattern), naive_count(&index.tokens, &pattern));
			}
		}
	}

	#[test]
	fn next_token_probabilities_match_brute_force_counts() {
		for seed in 0..10 {
			let records = corpus(seed, 30, 25);
			let index = index(&records);
			let mut rng = ChaCha8Rng::seed_from_u64(seed);
			for _ in 0..100 {
				let len = rng.next_u32() as usize % 4;
				let at = rng.next_u32() as usize % (index.tokens.len() - len);
				let context = index.tokens[at..at + len].to_vec();
				if context.contains(&SEPARATOR) {
					continue;
				}
				let mut brute: BTreeMap<u32, usize> = BTreeMap::new();
				for i in 0..index.tokens.len().saturating_sub(len) {
					if index.tokens[i..i + len] == context[..] && index.tokens[i + len] != SEPARATOR
					{
						*brute.entry(index.tokens[i + len]).or_insert(0) += 1;
					}
				}
				let runs: BTreeMap<u32, usize> =
					index.next_tokens(&context).into_iter().map(|(t, a, b)| (t, b - a)).collect();
				assert_eq!(runs, brute, "context {context:?}");
			}
		}
	}

	#[test]
	fn probing_finds_the_same_most_frequent_tokens_as_enumeration() {
		for seed in 0..6 {
			let records = corpus(seed, 60, 120);
			let index = index(&records);
			for k in 0..3 {
				for at in (0..index.tokens.len() - k).step_by(97) {
					let context = &index.tokens[at..at + k];
					if context.contains(&SEPARATOR) {
						continue;
					}
					let (lo, hi) = index.range(context);
					let mut full = index.runs(k, lo, hi, usize::MAX);
					let total: usize = full.iter().map(|r| r.2 - r.1).sum();
					full.sort_by(|a, b| (b.2 - b.1).cmp(&(a.2 - a.1)).then(a.0.cmp(&b.0)));
					full.truncate(MAX_CANDIDATES as usize);
					assert_eq!(index.best(k, lo, hi, MAX_CANDIDATES as usize), (full, total));
					// Few probes find every run at least as long as their stride.
					let probed = index.runs(k, lo, hi, 4);
					let stride = Index::stride(total, 4);
					for run in index.runs(k, lo, hi, usize::MAX) {
						assert!(run.2 - run.1 < stride || probed.contains(&run));
					}
				}
			}
		}
	}

	#[test]
	fn a_flat_distribution_is_answered_from_the_probed_tokens() {
		// "x" is followed by 10,000 distinct words, once each: no token reaches 1/8,192 of the
		// occurrences, so the answer is the most frequent (here: any, the lowest id) of the
		// tokens the probes met, and a step costs at most MAX_PROBES searches.
		let text: String = (0..10_000).map(|i| format!("x w{i:05} ")).collect();
		let index = Index::build(vec![(0, text.as_bytes())]).unwrap();
		let context = index.encode(b"x ");
		let (lo, hi) = index.range(&context);
		let (best, total) = index.best(context.len(), lo, hi, 1);
		assert_eq!(total, 10_000);
		let probed = index.runs(context.len(), lo, hi, MAX_PROBES);
		assert!(probed.len() <= MAX_PROBES && probed.contains(&best[0]));
		assert_eq!(best[0].0, probed.iter().map(|r| r.0).min().unwrap());
		assert_eq!(&index.generate(b"x ", 1, 100, 4).generation.text[..], index.token(best[0].0));
	}

	#[test]
	fn generation_follows_the_longest_context_and_credits_only_its_records() {
		for seed in 0..10 {
			let records = corpus(seed, 40, 30);
			let index = index(&records);
			let record_tokens: Vec<Vec<u32>> = records.iter().map(|r| index.encode(r)).collect();
			let prompt = &records[seed as usize][..records[seed as usize].len().min(12)];
			let generated = index.generate(prompt, 40, 4096, 8);
			assert_eq!(generated.steps.len(), 40);
			let mut so_far = index.encode(prompt);
			let mut allowed = std::collections::BTreeSet::new();
			for step in &generated.steps {
				// No longer suffix (within the window) is followed by a token.
				let longer = step.context + 1;
				if longer <= so_far.len().min(MAX_CONTEXT) {
					assert!(!index.continues(&so_far[so_far.len() - longer..]));
				}
				let context = &so_far[so_far.len() - step.context..];
				// The chosen token is the most frequent after the context, lowest id on ties.
				let mut gram = context.to_vec();
				gram.push(step.token);
				let best = index
					.next_tokens(context)
					.into_iter()
					.map(|(t, a, b)| (b - a, std::cmp::Reverse(t)))
					.max()
					.unwrap();
				assert_eq!((best.0 as u64, best.1 .0), (step.occurrences, step.token));
				assert_eq!(step.occurrences, naive_count(&index.tokens, &gram));
				for (position, tokens) in record_tokens.iter().enumerate() {
					if naive_count(tokens, &gram) > 0 {
						allowed.insert(position as u32);
					}
				}
				so_far.push(step.token);
			}
			let text: Vec<u8> =
				generated.steps.iter().flat_map(|s| index.token(s.token).to_vec()).collect();
			assert_eq!(text, generated.generation.text.to_vec());
			let total: u64 =
				generated.shares.iter().map(|s| u64::from(s.share.deconstruct())).sum();
			assert_eq!(total, 1_000_000_000);
			assert!(generated.shares.len() <= 8);
			for share in &generated.shares {
				assert!(allowed.contains(&share.record), "record {} credited", share.record);
			}
			// The first step's probabilities are counts over the total.
			let step = &generated.steps[0];
			assert_eq!(
				generated.generation.first[0].probability.deconstruct() as u128,
				step.occurrences as u128 * 1_000_000_000 / step.total as u128
			);
			// Spans occur verbatim in the records they name, and are maximal.
			for span in &generated.generation.spans {
				let bytes = &generated.generation.text[span.start as usize..span.end as usize];
				for record in &span.records {
					let r = &records[*record as usize];
					assert!(r.windows(bytes.len()).any(|w| w == bytes));
				}
				assert!(span.occurrences >= span.records.len() as u32);
			}
		}
	}

	#[test]
	fn a_record_that_repeats_a_phrase_is_credited_once_for_it() {
		// Record 0 repeats "the cat sat" ten times; record 1 holds it once. Every step of the
		// continuation is held by both: they share the credit alike.
		let spam = b"the cat sat on the mat. ".repeat(10);
		let records: Vec<(u32, &[u8])> = vec![(0, &spam), (1, b"the cat sat on the mat. ")];
		let index = Index::build(records).unwrap();
		let generated = index.generate(b"the cat", 4, 100, 4);
		assert_eq!(&generated.generation.text[..], b" sat on");
		let shares: Vec<(u32, u32)> =
			generated.shares.iter().map(|s| (s.record, s.share.deconstruct())).collect();
		assert_eq!(shares, vec![(0, 500_000_000), (1, 500_000_000)]);
	}

	#[test]
	fn unknown_prompts_back_off_and_removed_records_are_skipped() {
		let records: Vec<(u32, &[u8])> =
			vec![(0, b"the cat sat"), (1, b""), (2, b"the cat ran"), (3, b"the cat sat")];
		let index = Index::build(records.clone()).unwrap();
		let generated = index.generate("zebra ❤ the cat".as_bytes(), 2, 100, 4);
		// " sat" twice, " ran" once.
		assert_eq!(&generated.generation.text[..], b" sat");
		assert_eq!(generated.steps[0].context, 3);
		assert_eq!(generated.generation.first.len(), 1);
		assert_eq!(generated.generation.first[0].probability, Perbill::one());
		// The record in position 1 was removed: nothing points at it.
		assert!(generated.shares.iter().all(|s| s.record != 1));
		assert_eq!(generated.shares.iter().map(|s| s.record).collect::<Vec<_>>(), vec![0, 3, 2]);
		// Each record that holds a step is credited once for it: records 0 and 3 hold " sat"
		// after "the cat" and share the step alike.
		assert_eq!(generated.shares[0].share, generated.shares[1].share);
		// The same records give the same hash; one changed byte another.
		assert_eq!(Index::build(records.clone()).unwrap().hash(), index.hash());
		let other = vec![(0, &b"the cat sat"[..]), (2, b"the cat ran"), (3, b"the cat sad")];
		assert_ne!(Index::build(other).unwrap().hash(), index.hash());
		assert!(matches!(Index::build(vec![(0, &b""[..])]), Err(EngineError::EmptyTrainingSet)));
		// A byte budget stops the continuation before a token that would not fit.
		assert!(index.generate(b"the", 5, 3, 4).generation.text.len() <= 3);
	}
}
