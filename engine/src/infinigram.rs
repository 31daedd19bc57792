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
//!
//! Every number is an integer count, so every attestor computes the same continuation and the
//! same shares, and the result-hash vote applies unchanged.

use std::{
	cmp::Ordering,
	collections::{BTreeMap, BTreeSet, HashMap},
};

use openledger_primitives::attribution::{
	largest_remainder, MAX_CANDIDATES, MAX_CANDIDATE_BYTES, MAX_SPANS, MAX_SPAN_RECORDS,
};
use sp_core::H256;

use crate::{engine::Share, error::EngineError};

/// The separator after each record.
pub const SEPARATOR: u32 = 0;
/// A prompt token the records never contain: no suffix that holds it occurs.
const UNKNOWN: u32 = u32::MAX;
/// The most tokens of context a step matches.
pub const MAX_CONTEXT: usize = 512;
/// The most occurrences one step credits (an evenly strided sample beyond).
pub const MAX_CREDITED: usize = 1024;
/// The shortest verbatim span reported, in tokens (about three words with their spaces).
pub const MIN_SPAN_TOKENS: usize = 6;
/// Probes into a context's next tokens at first ([`Index::best`]).
const PROBES: usize = 512;
/// Probes into a context's next tokens at most ([`Index::best`]).
pub const MAX_PROBES: usize = 8192;
/// The units of credit of one generated token.
const TOKEN_UNITS: u64 = 1 << 32;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
	Word,
	Space,
	Other,
}

fn class(b: u8) -> Class {
	if b.is_ascii_alphanumeric() || b >= 0x80 {
		Class::Word
	} else if b.is_ascii_whitespace() {
		Class::Space
	} else {
		Class::Other
	}
}

/// The tokens of `text`, as slices of it; they concatenate back to `text`.
pub fn tokenize(text: &[u8]) -> Vec<&[u8]> {
	let mut tokens = Vec::new();
	let mut start = 0;
	while start < text.len() {
		let kind = class(text[start]);
		let mut end = start + 1;
		if kind != Class::Other {
			while end < text.len() && class(text[end]) == kind {
				end += 1;
			}
		}
		tokens.push(&text[start..end]);
		start = end;
	}
	tokens
}

/// The suffix array of `tokens` (ids below `alphabet`), by libsais.
pub fn suffix_array(tokens: &[u32], alphabet: u32) -> Result<Vec<u32>, EngineError> {
	if tokens.is_empty() {
		return Ok(Vec::new());
	}
	if tokens.len() >= i32::MAX as usize || alphabet >= i32::MAX as u32 {
		return Err(EngineError::SpecOutOfBounds("the ∞-gram index is over 2^31 tokens"));
	}
	if tokens.iter().any(|t| *t >= alphabet) {
		return Err(EngineError::SpecOutOfBounds("a token id is outside the alphabet"));
	}
	let mut text: Vec<i32> = tokens.iter().map(|t| *t as i32).collect();
	// SAFETY (of `with_alphabet_size`): every id was checked to lie in `0..alphabet`.
	let sa = unsafe {
		libsais::SuffixArrayConstruction::for_text_mut(&mut text)
			.in_owned_buffer32()
			.single_threaded()
			.with_alphabet_size(libsais::suffix_array::AlphabetSize::new(alphabet as i32))
	}
	.run()
	.map_err(|e| EngineError::Storage(format!("libsais: {e:?}")))?
	.into_vec();
	Ok(sa.into_iter().map(|p| p as u32).collect())
}

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

/// A maximal verbatim match of the continuation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
	/// Its first byte in the continuation.
	pub start: u32,
	/// The byte after its last.
	pub end: u32,
	/// Its occurrences in the records.
	pub occurrences: u64,
	/// Records that hold it, by position, lowest first (at most [`MAX_SPAN_RECORDS`]).
	pub records: Vec<u32>,
}

/// A continuation and its attribution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
	/// The continuation's text.
	pub text: Vec<u8>,
	/// Each generated token.
	pub steps: Vec<Step>,
	/// The first step's most probable next tokens (cut to [`MAX_CANDIDATE_BYTES`]) with their
	/// probabilities in parts per billion, most probable first.
	pub first: Vec<(Vec<u8>, u32)>,
	/// The `top_k` records the tokens came from, as shares summing to exactly 10^9.
	pub shares: Vec<Share>,
	/// The maximal verbatim spans.
	pub spans: Vec<Span>,
}

/// An ∞-gram index over a version's records.
pub struct Index {
	/// The distinct tokens' bytes, in id order.
	vocab: Vec<u8>,
	/// Where token `id` ends in `vocab` (`ends[id - 1]`).
	ends: Vec<u32>,
	/// The token ids, each record followed by [`SEPARATOR`].
	tokens: Vec<u32>,
	/// The suffix array of `tokens`.
	sa: Vec<u32>,
	/// Where each indexed record's tokens start.
	starts: Vec<u32>,
	/// Each indexed record's position in the version.
	positions: Vec<u32>,
	hash: H256,
}

impl Index {
	/// Indexes `records`: `(position in the version, UTF-8 payload)`, in version order.
	pub fn build<'a>(
		records: impl IntoIterator<Item = (u32, &'a [u8])>,
	) -> Result<Self, EngineError> {
		// Provisional ids in order of first appearance, then ranks in byte order.
		let mut ids: HashMap<&[u8], u32> = HashMap::new();
		let mut distinct: Vec<&[u8]> = Vec::new();
		let mut provisional: Vec<u32> = Vec::new();
		let (mut starts, mut positions) = (Vec::new(), Vec::new());
		for (position, payload) in records {
			if payload.is_empty() {
				continue;
			}
			starts.push(provisional.len() as u32);
			positions.push(position);
			for token in tokenize(payload) {
				let id = *ids.entry(token).or_insert_with(|| {
					distinct.push(token);
					distinct.len() as u32
				});
				provisional.push(id);
			}
			provisional.push(SEPARATOR);
		}
		if distinct.is_empty() {
			return Err(EngineError::EmptyTrainingSet);
		}
		let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
		order.sort_unstable_by(|a, b| distinct[*a as usize].cmp(distinct[*b as usize]));
		let mut rank = vec![0u32; distinct.len() + 1];
		let (mut vocab, mut ends) = (Vec::new(), Vec::with_capacity(distinct.len()));
		for (r, d) in order.iter().enumerate() {
			rank[*d as usize + 1] = r as u32 + 1;
			vocab.extend_from_slice(distinct[*d as usize]);
			ends.push(vocab.len() as u32);
		}
		drop(ids);
		let tokens: Vec<u32> = provisional.into_iter().map(|t| rank[t as usize]).collect();
		let sa = suffix_array(&tokens, distinct.len() as u32 + 1)?;
		let mut index = Index { vocab, ends, tokens, sa, starts, positions, hash: H256::zero() };
		index.hash = index.digest();
		Ok(index)
	}

	/// blake3 over the vocabulary, the tokens, the suffix array and the record table, each
	/// little-endian and preceded by its length.
	fn digest(&self) -> H256 {
		let mut hasher = blake3::Hasher::new();
		hasher.update(b"openledger/infinigram/1");
		let mut words = |name: &[u8], values: &[u32]| {
			hasher.update(name);
			hasher.update(&(values.len() as u64).to_le_bytes());
			for chunk in values.chunks(4096) {
				let bytes: Vec<u8> = chunk.iter().flat_map(|v| v.to_le_bytes()).collect();
				hasher.update(&bytes);
			}
		};
		words(b"ends", &self.ends);
		words(b"tokens", &self.tokens);
		words(b"sa", &self.sa);
		words(b"starts", &self.starts);
		words(b"positions", &self.positions);
		hasher.update(b"vocab");
		hasher.update(&(self.vocab.len() as u64).to_le_bytes());
		hasher.update(&self.vocab);
		H256(*hasher.finalize().as_bytes())
	}

	/// The index's consensus hash.
	pub fn hash(&self) -> H256 {
		self.hash
	}

	/// Tokens in the index, separators included.
	pub fn len(&self) -> usize {
		self.tokens.len()
	}

	/// Whether the index holds no tokens (never, once built).
	pub fn is_empty(&self) -> bool {
		self.tokens.is_empty()
	}

	/// Records indexed (removed ones are not).
	pub fn records(&self) -> usize {
		self.starts.len()
	}

	/// Distinct tokens.
	pub fn vocabulary(&self) -> usize {
		self.ends.len()
	}

	/// The index's memory in bytes: token ids, suffix array, vocabulary and record table.
	pub fn bytes(&self) -> usize {
		4 * (self.tokens.len() + self.sa.len() + self.ends.len())
			+ self.vocab.len()
			+ 4 * (self.starts.len() + self.positions.len())
	}

	/// The bytes of token `id`.
	pub fn token(&self, id: u32) -> &[u8] {
		let i = id as usize;
		if i == 0 || i > self.ends.len() {
			return &[];
		}
		let start = if i == 1 { 0 } else { self.ends[i - 2] as usize };
		&self.vocab[start..self.ends[i - 1] as usize]
	}

	/// `text` as token ids, with an id no record has for a token the records do not contain.
	pub fn encode(&self, text: &[u8]) -> Vec<u32> {
		tokenize(text).into_iter().map(|t| self.lookup(t)).collect()
	}

	fn lookup(&self, token: &[u8]) -> u32 {
		// Binary search over ids without materialising them.
		let (mut lo, mut hi) = (1usize, self.ends.len() + 1);
		while lo < hi {
			let mid = lo + (hi - lo) / 2;
			match self.token(mid as u32).cmp(token) {
				Ordering::Less => lo = mid + 1,
				Ordering::Greater => hi = mid,
				Ordering::Equal => return mid as u32,
			}
		}
		UNKNOWN
	}

	/// The first `pattern.len()` tokens of the suffix at `at` against `pattern`; a suffix
	/// that ends first is smaller.
	fn compare(&self, at: u32, pattern: &[u32]) -> Ordering {
		let suffix = &self.tokens[at as usize..];
		let n = suffix.len().min(pattern.len());
		match suffix[..n].cmp(&pattern[..n]) {
			Ordering::Equal if n < pattern.len() => Ordering::Less,
			other => other,
		}
	}

	/// The suffix-array range of the suffixes that start with `pattern`, within `lo..hi`.
	fn narrow(&self, lo: usize, hi: usize, pattern: &[u32]) -> (usize, usize) {
		let within = &self.sa[lo..hi];
		let first = within.partition_point(|p| self.compare(*p, pattern) == Ordering::Less);
		let last = within.partition_point(|p| self.compare(*p, pattern) != Ordering::Greater);
		(lo + first, lo + last)
	}

	/// The suffix-array range of the suffixes that start with `pattern`.
	pub fn range(&self, pattern: &[u32]) -> (usize, usize) {
		self.narrow(0, self.sa.len(), pattern)
	}

	/// How often `pattern` occurs in the records.
	pub fn count(&self, pattern: &[u32]) -> u64 {
		let (lo, hi) = self.range(pattern);
		(hi - lo) as u64
	}

	/// The token after the `k` tokens at suffix `i` of the array.
	fn after(&self, i: usize, k: usize) -> u32 {
		self.at(self.sa[i], k)
	}

	/// The tokens that follow `context` in the records, with their suffix-array ranges, in id
	/// order (the separator excluded).
	pub fn next_tokens(&self, context: &[u32]) -> Vec<(u32, usize, usize)> {
		let (lo, hi) = self.range(context);
		self.runs(context.len(), lo, hi, usize::MAX)
	}

	/// The runs of equal next tokens after the `k` tokens shared by suffixes `lo..hi` that
	/// meet one of `probes` evenly spaced probes (every run when `probes` is at least the
	/// range): any run at least as long as the stride, [`Self::stride`], is among them.
	fn runs(&self, k: usize, lo: usize, hi: usize, probes: usize) -> Vec<(u32, usize, usize)> {
		// The separator is the smallest id: the suffixes it follows come first.
		let start = lo + self.sa[lo..hi].partition_point(|p| self.at(*p, k) == SEPARATOR);
		let stride = Self::stride(hi - start, probes);
		let mut runs = Vec::new();
		let mut probe = start;
		while probe < hi {
			let token = self.after(probe, k);
			let from = runs.last().map_or(start, |r: &(u32, usize, usize)| r.2);
			let first = from + self.sa[from..probe].partition_point(|p| self.at(*p, k) < token);
			let end = probe + self.sa[probe..hi].partition_point(|p| self.at(*p, k) <= token);
			runs.push((token, first, end));
			// The next probe past this run.
			probe = if stride == 1 { end } else { start + (end - start).div_ceil(stride) * stride };
		}
		runs
	}

	/// The distance between probes over `len` suffixes.
	fn stride(len: usize, probes: usize) -> usize {
		len.div_ceil(probes.max(1)).max(1)
	}

	/// The token `k` after text position `p` (the separator past the end).
	fn at(&self, p: u32, k: usize) -> u32 {
		self.tokens.get(p as usize + k).copied().unwrap_or(SEPARATOR)
	}

	/// The `want` most frequent next tokens after the `k` tokens of suffixes `lo..hi`, most
	/// frequent first, the lower id on a tie, and the count of all next tokens. Probing finds
	/// every run at least as long as the stride, so the answer is exact when the `want`-th run
	/// found is at least that long (or the stride is 1): first with [`PROBES`] probes, then
	/// with [`MAX_PROBES`]. A flatter distribution (the most frequent token under 1/8,192 of
	/// the occurrences) is answered from the runs the probes found, so that no step costs more
	/// than [`MAX_PROBES`] binary searches.
	fn best(
		&self,
		k: usize,
		lo: usize,
		hi: usize,
		want: usize,
	) -> (Vec<(u32, usize, usize)>, usize) {
		let start = lo + self.sa[lo..hi].partition_point(|p| self.at(*p, k) == SEPARATOR);
		let total = hi - start;
		let mut runs = Vec::new();
		for probes in [PROBES, MAX_PROBES] {
			let stride = Self::stride(total, probes);
			runs = self.runs(k, lo, hi, probes);
			runs.sort_by(|a, b| (b.2 - b.1).cmp(&(a.2 - a.1)).then(a.0.cmp(&b.0)));
			if stride == 1 || runs.get(want.saturating_sub(1)).is_some_and(|r| r.2 - r.1 >= stride)
			{
				break;
			}
		}
		runs.truncate(want);
		(runs, total)
	}

	/// Whether `context` occurs followed by a token.
	fn continues(&self, context: &[u32]) -> bool {
		// The separator is the smallest id: if any token follows, the last suffix's does.
		let (lo, hi) = self.range(context);
		hi > lo && self.after(hi - 1, context.len()) != SEPARATOR
	}

	/// The position in the version of the record that holds token `at`.
	fn record_of(&self, at: u32) -> u32 {
		let i = self.starts.partition_point(|s| *s <= at);
		self.positions[i.saturating_sub(1)]
	}

	/// The records that hold the occurrences in the suffix-array range `lo..hi`: of all of
	/// them, or of an evenly strided sample of [`MAX_CREDITED`], each record once, in order.
	fn records_in(&self, lo: usize, hi: usize) -> BTreeSet<u32> {
		let count = hi - lo;
		let taken = count.min(MAX_CREDITED);
		(0..taken)
			.map(|j| {
				self.record_of(self.sa[lo + (j as u128 * count as u128 / taken as u128) as usize])
			})
			.collect()
	}

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
						(cut(self.token(*t), MAX_CANDIDATE_BYTES as usize).to_vec(), ppb)
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
		let spans = self.spans(&steps);
		Generated { text, steps, first, shares, spans }
	}

	/// The maximal verbatim spans of the generated tokens `steps`, of at least
	/// [`MIN_SPAN_TOKENS`]: at most [`MAX_SPANS`], the longest (then the earliest), in order.
	pub fn spans(&self, steps: &[Step]) -> Vec<Span> {
		let tokens: Vec<u32> = steps.iter().map(|s| s.token).collect();
		let mut offsets = Vec::with_capacity(tokens.len() + 1);
		offsets.push(0u32);
		for t in &tokens {
			offsets.push(offsets.last().copied().unwrap_or(0) + self.token(*t).len() as u32);
		}
		let mut found: Vec<(usize, usize, usize, usize)> = Vec::new();
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
			if len >= MIN_SPAN_TOKENS && i + len > reach {
				found.push((i, len, lo, hi));
			}
			reach = reach.max(i + len);
		}
		let mut kept: Vec<&(usize, usize, usize, usize)> = found.iter().collect();
		kept.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
		kept.truncate(MAX_SPANS as usize);
		kept.sort_by_key(|s| s.0);
		kept.into_iter()
			.map(|&(i, len, lo, hi)| Span {
				start: offsets[i],
				end: offsets[i + len],
				occurrences: (hi - lo) as u64,
				records: self
					.records_in(lo, hi)
					.into_iter()
					.take(MAX_SPAN_RECORDS as usize)
					.collect(),
			})
			.collect()
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
fn top_shares(credit: &BTreeMap<u32, u64>, top_k: usize) -> Vec<Share> {
	let mut ranked: Vec<(u32, u64)> = credit.iter().map(|(r, c)| (*r, *c)).collect();
	ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
	ranked.retain(|(_, c)| *c > 0);
	ranked.truncate(top_k);
	let weights: Vec<u64> = ranked.iter().map(|(_, c)| *c).collect();
	ranked
		.iter()
		.zip(largest_remainder(&weights))
		.map(|((record, _), ppb)| Share { record: *record, ppb: ppb as u32 })
		.collect()
}

#[cfg(test)]
mod tests {
	use super::*;
	use rand_chacha::ChaCha8Rng;
	use rand_core::{RngCore, SeedableRng};

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
		assert_eq!(index.generate(b"x ", 1, 100, 4).text, index.token(best[0].0));
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
			assert_eq!(text, generated.text);
			let total: u64 = generated.shares.iter().map(|s| u64::from(s.ppb)).sum();
			assert_eq!(total, 1_000_000_000);
			assert!(generated.shares.len() <= 8);
			for share in &generated.shares {
				assert!(allowed.contains(&share.record), "record {} credited", share.record);
			}
			// The first step's probabilities are counts over the total.
			let step = &generated.steps[0];
			assert_eq!(
				generated.first[0].1 as u128,
				step.occurrences as u128 * 1_000_000_000 / step.total as u128
			);
			// Spans occur verbatim in the records they name, and are maximal.
			for span in &generated.spans {
				let bytes = &generated.text[span.start as usize..span.end as usize];
				for record in &span.records {
					let r = &records[*record as usize];
					assert!(r.windows(bytes.len()).any(|w| w == bytes));
				}
				assert!(span.occurrences >= span.records.len() as u64);
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
		assert_eq!(generated.text, b" sat on");
		let shares: Vec<(u32, u32)> = generated.shares.iter().map(|s| (s.record, s.ppb)).collect();
		assert_eq!(shares, vec![(0, 500_000_000), (1, 500_000_000)]);
	}

	#[test]
	fn unknown_prompts_back_off_and_removed_records_are_skipped() {
		let records: Vec<(u32, &[u8])> =
			vec![(0, b"the cat sat"), (1, b""), (2, b"the cat ran"), (3, b"the cat sat")];
		let index = Index::build(records.clone()).unwrap();
		let generated = index.generate("zebra ❤ the cat".as_bytes(), 2, 100, 4);
		// " sat" twice, " ran" once.
		assert_eq!(generated.text, b" sat");
		assert_eq!(generated.steps[0].context, 3);
		assert_eq!(generated.first.len(), 1);
		assert_eq!(generated.first[0].1, 1_000_000_000);
		// The record in position 1 was removed: nothing points at it.
		assert!(generated.shares.iter().all(|s| s.record != 1));
		assert_eq!(generated.shares.iter().map(|s| s.record).collect::<Vec<_>>(), vec![0, 3, 2]);
		// Each record that holds a step is credited once for it: records 0 and 3 hold " sat"
		// after "the cat" and share the step alike.
		assert_eq!(generated.shares[0].ppb, generated.shares[1].ppb);
		// The same records give the same hash; one changed byte another.
		assert_eq!(Index::build(records.clone()).unwrap().hash(), index.hash());
		let other = vec![(0, &b"the cat sat"[..]), (2, b"the cat ran"), (3, b"the cat sad")];
		assert_ne!(Index::build(other).unwrap().hash(), index.hash());
		assert!(matches!(Index::build(vec![(0, &b""[..])]), Err(EngineError::EmptyTrainingSet)));
		// A byte budget stops the continuation before a token that would not fit.
		assert!(index.generate(b"the", 5, 3, 4).text.len() <= 3);
	}
}
