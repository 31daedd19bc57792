//! Generation by the ∞-gram: the continuation of a prompt by the longest matching context, the
//! credit of each generated token to the records it came from, and the verbatim spans.

use std::collections::BTreeMap;

use openledger_primitives::attribution::{
	largest_remainder, MAX_CANDIDATES, MAX_CANDIDATE_BYTES, MAX_SPANS, MAX_SPAN_RECORDS,
};
pub use openledger_primitives::attribution::{Generation, NextToken, Span};
use sp_runtime::{BoundedVec, Perbill};

use crate::{infinigram::index::Index, shares::RecordShare};

/// The most tokens of context a step matches.
pub const MAX_CONTEXT: usize = 512;
/// The shortest verbatim span reported, in tokens (about three words with their spaces).
pub const MIN_SPAN_TOKENS: usize = 6;
/// The units of credit of one generated token.
pub(super) const TOKEN_UNITS: u64 = 1 << 32;

/// A generated token: where it is in the continuation, and what it matched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
	/// The token's id.
	pub token: u32,
	/// The tokens of context matched (the longest suffix followed by some token).
	pub context: usize,
	/// How often the context is followed by this token in the records.
	pub occurrences: u64,
	/// How often the context is followed by any token.
	pub total: u64,
}

/// A continuation and its attribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
	/// The continuation as the chain records it: its text, its token count, the first step's
	/// most probable next tokens (cut to [`MAX_CANDIDATE_BYTES`]; most probable first) and the
	/// maximal verbatim spans.
	pub generation: Generation,
	/// Each generated token.
	pub steps: Vec<Step>,
	/// The `top_k` records the tokens came from, as shares summing to exactly 10^9.
	pub shares: Vec<RecordShare>,
}

impl Index {
	/// Continues `prompt` by up to `max_tokens` tokens and at most `max_bytes` bytes, and
	/// attributes the continuation to at most `top_k` records.
	pub fn generate(
		&self,
		prompt: &[u8],
		max_tokens: usize,
		max_bytes: usize,
		top_k: usize,
	) -> Generated {
		let mut text_so_far = self.encode(prompt);
		let (mut text, mut steps, mut first) = (Vec::new(), Vec::new(), Vec::new());
		let mut credit: BTreeMap<u32, u64> = BTreeMap::new();
		let mut matched = usize::MAX;
		while steps.len() < max_tokens {
			let window = &text_so_far[text_so_far.len().saturating_sub(MAX_CONTEXT)..];
			// The longest suffix that continues: continuing is monotone in the suffix's
			// length, and it grows by at most one token a step.
			let (mut lo, mut hi) = (0, window.len().min(matched.saturating_add(1)));
			while lo < hi {
				let mid = hi - (hi - lo) / 2;
				if self.continues(&window[window.len() - mid..]) {
					lo = mid;
				} else {
					hi = mid - 1;
				}
			}
			matched = lo;
			let context = &window[window.len() - matched..];
			let (lo, hi) = self.range(context);
			let want = if steps.is_empty() { MAX_CANDIDATES as usize } else { 1 };
			let (ranked, total) = self.best(matched, lo, hi, want);
			let Some(&(token, rlo, rhi)) = ranked.first() else { break };
			let bytes = self.token(token);
			if text.len() + bytes.len() > max_bytes {
				break;
			}
			if steps.is_empty() {
				first = ranked
					.iter()
					.map(|(t, a, b)| {
						let ppb = ((b - a) as u128 * 1_000_000_000 / total as u128) as u32;
						NextToken {
							token: BoundedVec::truncate_from(
								cut(self.token(*t), MAX_CANDIDATE_BYTES as usize).to_vec(),
							),
							probability: Perbill::from_parts(ppb),
						}
					})
					.collect();
			}
			// Each record that holds the step once: credit by record, not by repetition.
			let holders = self.records_in(rlo, rhi);
			let each = TOKEN_UNITS / holders.len().max(1) as u64;
			for record in holders {
				*credit.entry(record).or_insert(0) += each;
			}
			text.extend_from_slice(bytes);
			steps.push(Step {
				token,
				context: matched,
				occurrences: (rhi - rlo) as u64,
				total: total as u64,
			});
			text_so_far.push(token);
		}
		let shares = top_shares(&credit, top_k);
		let generation = Generation {
			text: BoundedVec::truncate_from(text),
			tokens: steps.len() as u32,
			first: BoundedVec::truncate_from(first),
			spans: BoundedVec::truncate_from(self.spans(&steps)),
		};
		Generated { generation, steps, shares }
	}

	/// The maximal verbatim spans of the generated tokens `steps`, of at least
	/// [`MIN_SPAN_TOKENS`]: at most [`MAX_SPANS`], the longest (then the earliest), in order.
	pub fn spans(&self, steps: &[Step]) -> Vec<Span> {
		let tokens: Vec<u32> = steps.iter().map(|s| s.token).collect();
		let lengths: Vec<usize> = tokens.iter().map(|t| self.token(*t).len()).collect();
		self.reported_spans(&self.maximal_matches(&tokens, MIN_SPAN_TOKENS), &lengths)
	}

	/// The maximal stretches of `tokens` that occur verbatim in the records, of at least
	/// `min_tokens`, in order: each is the longest match starting at its token, and reaches
	/// further than every earlier one.
	pub(super) fn maximal_matches(&self, tokens: &[u32], min_tokens: usize) -> Vec<Match> {
		let mut found = Vec::new();
		let (mut reach, mut len) = (0, 0usize);
		for i in 0..tokens.len() {
			// The match at `i` is at least the one at `i - 1` less its first token: find that
			// range at once, then extend it token by token.
			len = len.saturating_sub(1);
			let (mut lo, mut hi) = self.range(&tokens[i..i + len]);
			while i + len < tokens.len() {
				let token = tokens[i + len];
				let l = lo + self.sa[lo..hi].partition_point(|p| self.at(*p, len) < token);
				let h = l + self.sa[l..hi].partition_point(|p| self.at(*p, len) <= token);
				if l == h {
					break;
				}
				(lo, hi, len) = (l, h, len + 1);
			}
			if len >= min_tokens.max(1) && i + len > reach {
				found.push(Match { start: i, len, lo, hi });
			}
			reach = reach.max(i + len);
		}
		found
	}

	/// `matches` as the chain reports them: at most [`MAX_SPANS`], the longest (then the
	/// earliest), in order, with byte offsets from the tokens' `lengths`.
	pub(super) fn reported_spans(&self, matches: &[Match], lengths: &[usize]) -> Vec<Span> {
		let mut offsets = Vec::with_capacity(lengths.len() + 1);
		offsets.push(0u32);
		for l in lengths {
			offsets.push(offsets.last().copied().unwrap_or(0) + *l as u32);
		}
		let mut kept: Vec<&Match> = matches.iter().collect();
		kept.sort_by(|a, b| b.len.cmp(&a.len).then(a.start.cmp(&b.start)));
		kept.truncate(MAX_SPANS as usize);
		kept.sort_by_key(|m| m.start);
		kept.into_iter()
			.map(|m| Span {
				start: offsets[m.start],
				end: offsets[m.start + m.len],
				// Below 2^31: an index holds fewer tokens (`suffix_array`).
				occurrences: m.occurrences() as u32,
				records: BoundedVec::truncate_from(
					self.records_in(m.lo, m.hi)
						.into_iter()
						.take(MAX_SPAN_RECORDS as usize)
						.collect(),
				),
			})
			.collect()
	}
}

/// A maximal verbatim match: `len` tokens from token `start`, whose occurrences are the
/// suffix-array range `lo..hi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Match {
	pub start: usize,
	pub len: usize,
	pub lo: usize,
	pub hi: usize,
}

impl Match {
	/// How often the match occurs in the records.
	pub fn occurrences(&self) -> usize {
		self.hi - self.lo
	}
}

/// `bytes` cut to at most `max` bytes at a UTF-8 character boundary.
fn cut(bytes: &[u8], max: usize) -> &[u8] {
	if bytes.len() <= max {
		return bytes;
	}
	let mut end = max;
	while end > 0 && (bytes[end] & 0xC0) == 0x80 {
		end -= 1;
	}
	&bytes[..end]
}

/// The `top_k` records by credit (ties to the lower position), as shares of 10^9.
pub(super) fn top_shares(credit: &BTreeMap<u32, u64>, top_k: usize) -> Vec<RecordShare> {
	let mut ranked: Vec<(u32, u64)> = credit.iter().map(|(r, c)| (*r, *c)).collect();
	ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
	ranked.retain(|(_, c)| *c > 0);
	ranked.truncate(top_k);
	let weights: Vec<u64> = ranked.iter().map(|(_, c)| *c).collect();
	ranked
		.iter()
		.zip(largest_remainder(&weights))
		.map(|((record, _), ppb)| RecordShare {
			record: *record,
			share: Perbill::from_parts(ppb as u32),
		})
		.collect()
}
