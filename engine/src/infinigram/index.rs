//! The ∞-gram index: the records as one sequence of token ids, its suffix array (libsais), and
//! the queries on it that generation and spans run (ranges, counts, next tokens by probing, the
//! records that hold a range).

use std::{
	cmp::Ordering,
	collections::{BTreeSet, HashMap},
};

use sp_core::H256;

use crate::{error::EngineError, infinigram::tokenizer::tokenize};

/// The separator after each record.
pub const SEPARATOR: u32 = 0;
/// A prompt token the records never contain: no suffix that holds it occurs.
const UNKNOWN: u32 = u32::MAX;
/// The most occurrences one step credits (an evenly strided sample beyond).
pub const MAX_CREDITED: usize = 1024;
/// Probes into a context's next tokens at first ([`Index::best`]).
const PROBES: usize = 512;
/// Probes into a context's next tokens at most ([`Index::best`]).
pub const MAX_PROBES: usize = 8192;

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

/// An ∞-gram index over a version's records.
pub struct Index {
	/// The distinct tokens' bytes, in id order.
	vocab: Vec<u8>,
	/// Where token `id` ends in `vocab` (`ends[id - 1]`).
	ends: Vec<u32>,
	/// The token ids, each record followed by [`SEPARATOR`].
	pub(super) tokens: Vec<u32>,
	/// The suffix array of `tokens`.
	pub(super) sa: Vec<u32>,
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

	/// The id of `token`, or an id no record has.
	pub(super) fn lookup(&self, token: &[u8]) -> u32 {
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
	pub(super) fn runs(
		&self,
		k: usize,
		lo: usize,
		hi: usize,
		probes: usize,
	) -> Vec<(u32, usize, usize)> {
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
	pub(super) fn stride(len: usize, probes: usize) -> usize {
		len.div_ceil(probes.max(1)).max(1)
	}

	/// The token `k` after text position `p` (the separator past the end).
	pub(super) fn at(&self, p: u32, k: usize) -> u32 {
		self.tokens.get(p as usize + k).copied().unwrap_or(SEPARATOR)
	}

	/// The `want` most frequent next tokens after the `k` tokens of suffixes `lo..hi`, most
	/// frequent first, the lower id on a tie, and the count of all next tokens. Probing finds
	/// every run at least as long as the stride, so the answer is exact when the `want`-th run
	/// found is at least that long (or the stride is 1): first with [`PROBES`] probes, then
	/// with [`MAX_PROBES`]. A flatter distribution (the most frequent token under 1/8,192 of
	/// the occurrences) is answered from the runs the probes found, so that no step costs more
	/// than [`MAX_PROBES`] binary searches.
	pub(super) fn best(
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
	pub(super) fn continues(&self, context: &[u32]) -> bool {
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
	pub(super) fn records_in(&self, lo: usize, hi: usize) -> BTreeSet<u32> {
		let count = hi - lo;
		let taken = count.min(MAX_CREDITED);
		(0..taken)
			.map(|j| {
				self.record_of(self.sa[lo + (j as u128 * count as u128 / taken as u128) as usize])
			})
			.collect()
	}
}
