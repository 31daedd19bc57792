//! Tracing a text the chain did not generate to the records it repeats, OLMoTrace-style: what
//! attributes an external model's output (issue 31) to the Datanet versions it was trained on.
//!
//! The output is tokenised as records are ([`tokenize`](super::tokenize)), and its maximal
//! verbatim spans of at least `min_tokens` tokens are found in the version's index, exactly as
//! a generation's spans are ([`Index::spans`]). Each span then credits the records that hold
//! it, by an integer rarity rule:
//!
//! > a span of `n` tokens that occurs `c` times in the version gives each record holding it
//! > `n · 2^32 / c` units (integer division), once however often the record repeats it.
//!
//! So a span found once gives its one record its whole length, and a phrase that a hundred
//! records share gives each a hundredth of it: a span's total credit is at most its length,
//! and a record cannot raise its credit by repeating a phrase. The records of a span found more
//! than [`MAX_CREDITED`](super::MAX_CREDITED) times are looked for in an evenly strided sample
//! of that many occurrences, as a generation's are, which bounds the work per span; such a span
//! gives each record at most `n / 1024` of a token anyway. The units are summed over the
//! output, the `top_k` records are kept (ties to the lower position), and their shares are
//! rounded to exactly one by largest remainder.
//!
//! An output with no span of `min_tokens` has no shares: what the fee does then is the chain's
//! rule, not the engine's.

use std::collections::BTreeMap;

use crate::{
	infinigram::{
		generate::{top_shares, TOKEN_UNITS},
		index::Index,
		tokenizer::tokenize,
	},
	shares::RecordShare,
};
use openledger_primitives::attribution::Span;

/// An output traced to the records.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Traced {
	/// The output's tokens.
	pub tokens: u32,
	/// Its maximal verbatim spans of at least the minimum length, as the chain reports spans
	/// (at most `MAX_SPANS`, the longest, in order).
	pub spans: Vec<Span>,
	/// The `top_k` records by credit, as shares summing to exactly 10^9; empty when no span
	/// reached the minimum length.
	pub shares: Vec<RecordShare>,
}

impl Index {
	/// Traces `output` to at most `top_k` records through its maximal verbatim spans of at
	/// least `min_tokens` tokens (at least 1).
	pub fn trace(&self, output: &[u8], min_tokens: usize, top_k: usize) -> Traced {
		let pieces = tokenize(output);
		let lengths: Vec<usize> = pieces.iter().map(|t| t.len()).collect();
		let tokens: Vec<u32> = pieces.into_iter().map(|t| self.lookup(t)).collect();
		let matches = self.maximal_matches(&tokens, min_tokens);
		let mut credit: BTreeMap<u32, u64> = BTreeMap::new();
		for m in &matches {
			let each = m.len as u64 * TOKEN_UNITS / m.occurrences().max(1) as u64;
			for record in self.records_in(m.lo, m.hi) {
				*credit.entry(record).or_insert(0) += each;
			}
		}
		Traced {
			tokens: tokens.len() as u32,
			spans: self.reported_spans(&matches, &lengths),
			shares: top_shares(&credit, top_k),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_runtime::Perbill;

	fn index(records: &[&str]) -> Index {
		Index::build(records.iter().enumerate().map(|(i, r)| (i as u32, r.as_bytes())))
			.expect("a small index builds")
	}

	fn share(traced: &Traced, record: u32) -> u32 {
		traced.shares.iter().find(|s| s.record == record).map_or(0, |s| s.share.deconstruct())
	}

	#[test]
	fn a_span_found_once_credits_its_record_alone() {
		let idx = index(&[
			"the quick brown fox jumps over the lazy dog",
			"a slow green turtle walks under the busy bridge",
		]);
		let traced = idx.trace(b"I saw a slow green turtle walks by", 5, 8);
		assert_eq!(traced.spans.len(), 1);
		let span = &traced.spans[0];
		let output = b"I saw a slow green turtle walks by";
		assert_eq!(&output[span.start as usize..span.end as usize], b"a slow green turtle walks ");
		assert_eq!((span.occurrences, span.records.to_vec()), (1, vec![1]));
		assert_eq!(traced.shares.len(), 1);
		assert_eq!((traced.shares[0].record, traced.shares[0].share), (1, Perbill::one()));
	}

	#[test]
	fn a_rare_span_outweighs_a_common_one_of_the_same_length() {
		// "over the hills and far away " (12 tokens) is in three records, " under a pale and
		// quiet moon" (12 tokens) in one.
		let idx = index(&[
			"we went over the hills and far away today",
			"they ran over the hills and far away again",
			"she sang over the hills and far away softly",
			"he slept under a pale and quiet moon alone",
		]);
		let traced = idx.trace(b"over the hills and far away under a pale and quiet moon", 9, 8);
		assert_eq!(traced.spans.len(), 2, "{:?}", traced.spans);
		assert_eq!(traced.spans[0].occurrences, 3);
		assert_eq!(traced.spans[1].occurrences, 1);
		// Equal lengths: the rare span's record gets three times each common one's credit, so
		// half of the whole, and the three share the other half (the two units left by rounding
		// go to the lower positions).
		assert_eq!(share(&traced, 3), 500_000_000);
		for r in 0..3 {
			assert_eq!(share(&traced, r), 166_666_667 - u32::from(r == 2));
		}
		assert_eq!(traced.shares.iter().map(|s| s.share.deconstruct()).sum::<u32>(), 1_000_000_000);
	}

	#[test]
	fn a_record_repeating_a_span_is_credited_once() {
		let idx = index(&[
			"alpha beta gamma delta epsilon alpha beta gamma delta epsilon",
			"alpha beta gamma delta epsilon and nothing more",
		]);
		let traced = idx.trace(b"alpha beta gamma delta epsilon", 5, 8);
		assert_eq!(traced.spans[0].occurrences, 3);
		assert_eq!(share(&traced, 0), 500_000_000);
		assert_eq!(share(&traced, 1), 500_000_000);
	}

	#[test]
	fn copying_a_record_many_times_gains_its_contributor_nothing() {
		let text = "a rare sentence about lighthouses in winter storms";
		let other = "common words about the weather in winter and the storms at sea";
		let output = b"a rare sentence about lighthouses in winter storms, the storms at sea";
		let honest = index(&[text, other]);
		// The copier uploads the first record four more times, as records 2 to 5.
		let copied = index(&[text, other, text, text, text, text]);
		let (once, many) = (honest.trace(output, 5, 16), copied.trace(output, 5, 16));
		let sum = |t: &Traced, records: &[u32]| records.iter().map(|r| share(t, *r)).sum::<u32>();
		// The copies split the span's credit; the other record's share does not move.
		assert_eq!(share(&once, 1), share(&many, 1));
		assert!(sum(&many, &[0, 2, 3, 4, 5]).abs_diff(share(&once, 0)) <= 5, "{once:?} {many:?}");
	}

	#[test]
	fn no_span_of_the_minimum_length_gives_no_shares() {
		let idx = index(&["one two three four five six seven"]);
		let short = idx.trace(b"three four five", 6, 8);
		assert!(short.spans.is_empty() && short.shares.is_empty());
		assert_eq!(short.tokens, 5);
		// Words the records lack match nothing; only the spaces between them would.
		let unknown = idx.trace("nothing of this is in there, ünïcödé".as_bytes(), 2, 8);
		assert!(unknown.spans.is_empty() && unknown.shares.is_empty());
		let empty = idx.trace(b"", 1, 8);
		assert_eq!((empty.tokens, empty.spans.len(), empty.shares.len()), (0, 0, 0));
	}

	#[test]
	fn spans_match_what_a_generation_reports_for_the_same_tokens() {
		let idx = index(&[
			"the rain in spain stays mainly in the plain",
			"in the plain the rain falls on the grain",
		]);
		let generated = idx.generate(b"the rain", 12, 200, 8);
		let traced = idx.trace(&generated.generation.text, 6, 8);
		assert_eq!(traced.spans, generated.generation.spans.to_vec());
	}
}
