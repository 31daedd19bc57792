//! Quality flags of a Datanet version: the records a curator should look at first.
//!
//! - **Suspects**: the training records of highest self-influence, the ones the model could
//!   fit only by memorising them; on digits with flipped labels they are mostly the flipped
//!   ones (`engine-eval/examples/evaluate`). The engine ranks them after training ([`suspects`]).
//! - **Near-duplicates**: records that differ from an earlier record of the version only by a
//!   little ([`near_duplicates`]). Copies of one record, each with a new hash, would otherwise
//!   fill the attribution slots of every query near them with one contributor's copies.
//!
//! The similarity depends on the schema:
//! - **Dense**: the L1 distance of the values, at most `dims × max_value / 64` (for the 8×8
//!   digits, 16: one pixel changed by its whole range, or sixteen by one step). The values are
//!   what the chain stores and the model sees (the Dense featurizer is the identity), so a small
//!   L1 distance is a small change of the input; L1 rather than L2 so that the test is in
//!   integers and the bound reads as "so many steps".
//! - **Text**: the Jaccard similarity of the sets of word 3-shingles, at least 6/10, after
//!   lower-casing ASCII and treating every run of other bytes than letters and digits as one
//!   space. A copy with a few words changed, re-punctuated or re-cased keeps most shingles, and
//!   the measure does not depend on a model's hashed n-gram dimension.
//!
//! Everything is integer arithmetic over the records in version order, with fixed hash
//! functions, so every attestor computes the same list. The work is bounded: Dense records are
//! compared only with those whose value sums lie within the distance bound (the L1 distance is
//! at least the difference of the sums), Text records only with those sharing a band of their
//! MinHash signature, and each record with at most [`MAX_CANDIDATES`] others.

use openledger_primitives::datanets::Schema;

/// The most other records one record is compared with.
pub const MAX_CANDIDATES: usize = 256;

/// The Jaccard similarity two texts' shingle sets must reach, as a fraction.
const TEXT_SIMILARITY: (usize, usize) = (6, 10);

/// MinHash: `BANDS` bands of `ROWS` hash functions each. Two texts are compared when one band
/// agrees: for a Jaccard similarity J that happens with probability 1 − (1 − J^ROWS)^BANDS,
/// 1 − 4·10⁻⁷ at the bound. The hash functions are fixed, so every attestor misses the same
/// pairs, if any.
const BANDS: usize = 16;
const ROWS: usize = 1;

/// `(position, self-influence)` of every training record (`scores` aligned with
/// `positions`), highest (most suspect) first; equal scores in order of position.
pub fn ranked(positions: &[u32], scores: &[f64]) -> Vec<(u32, f64)> {
	let mut ranked: Vec<(u32, f64)> =
		positions.iter().copied().zip(scores.iter().copied()).collect();
	ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
	ranked
}

/// The `max` records of highest self-influence, most suspect first ([`ranked`]).
pub fn suspects(positions: &[u32], scores: &[f64], max: usize) -> Vec<u32> {
	ranked(positions, scores).into_iter().take(max).map(|(p, _)| p).collect()
}

/// The largest L1 distance at which two Dense records are near-duplicates.
pub fn dense_bound(dims: u16, max_value: u8) -> u32 {
	(u32::from(dims) * u32::from(max_value) / 64).max(1)
}

/// The near-duplicates among `records` (payloads in version order; an empty payload is a record
/// removed by moderation, and is skipped): `(later, earlier)` position pairs, where `earlier` is
/// the first earlier record that `later` nearly duplicates, in order of `later`, at most `max`.
pub fn near_duplicates(schema: &Schema, records: &[&[u8]], max: usize) -> Vec<(u32, u32)> {
	let mut found: Vec<(u32, u32)> = match *schema {
		Schema::Dense { dims, max_value, .. } => dense(records, dense_bound(dims, max_value)),
		Schema::Text { .. } => text(records),
	};
	found.sort_unstable();
	found.dedup_by_key(|(later, _)| *later);
	found.truncate(max);
	found
}

/// Every (later, earlier) pair within L1 distance `bound`, found by scanning records in order of
/// their value sums.
fn dense(records: &[&[u8]], bound: u32) -> Vec<(u32, u32)> {
	let sum = |p: &[u8]| p.iter().map(|&v| u32::from(v)).sum::<u32>();
	let mut order: Vec<(u32, u32)> = records
		.iter()
		.enumerate()
		.filter(|(_, p)| !p.is_empty())
		.map(|(i, p)| (sum(p), i as u32))
		.collect();
	order.sort_unstable();
	let mut pairs = Vec::new();
	for (k, &(s, i)) in order.iter().enumerate() {
		for &(t, j) in order[k + 1..].iter().take(MAX_CANDIDATES) {
			if t - s > bound {
				break;
			}
			let (a, b) = (records[i as usize], records[j as usize]);
			if a.len() == b.len() && within_l1(a, b, bound) {
				pairs.push((i.max(j), i.min(j)));
			}
		}
	}
	pairs
}

fn within_l1(a: &[u8], b: &[u8], bound: u32) -> bool {
	let mut d = 0u32;
	for (x, y) in a.iter().zip(b) {
		d += u32::from(x.abs_diff(*y));
		if d > bound {
			return false;
		}
	}
	true
}

/// FNV-1a, 64 bits: a fixed hash of a shingle.
fn fnv1a(bytes: &[u8]) -> u64 {
	let mut h: u64 = 0xcbf2_9ce4_8422_2325;
	for &b in bytes {
		h ^= u64::from(b);
		h = h.wrapping_mul(0x0000_0100_0000_01b3);
	}
	h
}

/// splitmix64's finaliser: the MinHash family is `mix(shingle ^ seed_i)`.
fn mix(mut z: u64) -> u64 {
	z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
	z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
	z ^ (z >> 31)
}

/// The sorted, deduplicated hashes of a text's word 3-shingles (its words themselves when it
/// has fewer than three).
pub fn shingles(text: &[u8]) -> Vec<u64> {
	let normal: Vec<u8> = text
		.iter()
		.map(
			|b| if b.is_ascii_alphanumeric() || *b >= 0x80 { b.to_ascii_lowercase() } else { b' ' },
		)
		.collect();
	let words: Vec<&[u8]> = normal.split(|b| *b == b' ').filter(|w| !w.is_empty()).collect();
	let mut out: Vec<u64> = if words.len() < 3 {
		words.iter().map(|w| fnv1a(w)).collect()
	} else {
		words.windows(3).map(|w| fnv1a(&w.join(&b' '))).collect()
	};
	out.sort_unstable();
	out.dedup();
	out
}

/// |A ∩ B| and |A ∪ B| of two sorted sets.
fn overlap(a: &[u64], b: &[u64]) -> (usize, usize) {
	let (mut i, mut j, mut both) = (0, 0, 0);
	while i < a.len() && j < b.len() {
		match a[i].cmp(&b[j]) {
			core::cmp::Ordering::Less => i += 1,
			core::cmp::Ordering::Greater => j += 1,
			core::cmp::Ordering::Equal => {
				both += 1;
				i += 1;
				j += 1;
			},
		}
	}
	(both, a.len() + b.len() - both)
}

/// Every (later, earlier) pair of texts whose shingle sets are similar enough, among the pairs
/// that share a MinHash band.
fn text(records: &[&[u8]]) -> Vec<(u32, u32)> {
	let sets: Vec<Vec<u64>> = records.iter().map(|p| shingles(p)).collect();
	let mut bands: Vec<(u64, u32)> = Vec::new();
	for (i, set) in sets.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
		let signature: Vec<u64> = (0..BANDS * ROWS)
			.map(|f| {
				set.iter()
					.map(|&h| mix(h ^ (f as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)))
					.min()
					.unwrap_or(0)
			})
			.collect();
		for (band, rows) in signature.chunks(ROWS).enumerate() {
			let key = rows.iter().fold(fnv1a(&(band as u64).to_le_bytes()), |h, r| mix(h ^ r));
			bands.push((key, i as u32));
		}
	}
	bands.sort_unstable();
	let mut pairs = Vec::new();
	for (k, &(key, i)) in bands.iter().enumerate() {
		for &(other, j) in bands[k + 1..].iter().take(MAX_CANDIDATES) {
			if other != key {
				break;
			}
			let (both, either) = overlap(&sets[i as usize], &sets[j as usize]);
			if both * TEXT_SIMILARITY.1 >= either * TEXT_SIMILARITY.0 {
				pairs.push((i.max(j), i.min(j)));
			}
		}
	}
	pairs
}

#[cfg(test)]
mod tests {
	use super::*;

	fn naive_dense(records: &[&[u8]], bound: u32) -> Vec<(u32, u32)> {
		let mut out = Vec::new();
		for later in 0..records.len() {
			for earlier in 0..later {
				let (a, b) = (records[later], records[earlier]);
				if a.is_empty() || b.is_empty() {
					continue;
				}
				let d: u32 = a.iter().zip(b).map(|(x, y)| u32::from(x.abs_diff(*y))).sum();
				if d <= bound {
					out.push((later as u32, earlier as u32));
					break;
				}
			}
		}
		out
	}

	#[test]
	fn suspects_are_the_highest_scores_and_ties_go_by_position() {
		let positions = [10, 3, 7, 5, 8];
		let scores = [0.5, 2.0, 0.5, -1.0, 3.0];
		assert_eq!(suspects(&positions, &scores, 3), vec![8, 3, 7]);
		assert_eq!(suspects(&positions, &scores, 9), vec![8, 3, 7, 10, 5]);
	}

	#[test]
	fn dense_finds_what_a_scan_of_every_pair_finds() {
		// A pseudo-random set with planted near-copies: every 7th record is an earlier one with
		// a few values moved.
		let mut state = 7u64;
		let mut next = || {
			state = mix(state);
			state
		};
		let mut data: Vec<Vec<u8>> = Vec::new();
		for i in 0..400 {
			if i % 7 == 6 {
				let mut copy = data[(next() % i as u64) as usize].clone();
				for _ in 0..3 {
					let at = (next() % 64) as usize;
					copy[at] = copy[at].saturating_add(2).min(16);
				}
				data.push(copy);
			} else {
				data.push((0..64).map(|_| (next() % 17) as u8).collect());
			}
		}
		data[100].clear(); // a removed record
		let records: Vec<&[u8]> = data.iter().map(|d| d.as_slice()).collect();
		let schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };
		let found = near_duplicates(&schema, &records, usize::MAX);
		assert_eq!(found, naive_dense(&records, 16));
		assert!(found.len() >= 50, "{} planted copies found", found.len());
		assert!(found.iter().all(|&(l, e)| e < l && l != 100 && e != 100));
	}

	#[test]
	fn the_same_values_with_another_label_are_a_duplicate_and_the_bound_is_inclusive() {
		let a = [5u8; 64];
		let mut b = a;
		b[0] += 16; // distance 16, within the bound of 64 values of 0..=21 (21)
		let records: Vec<&[u8]> = vec![&a, &a, &b];
		let schema = Schema::Dense { dims: 64, classes: 10, max_value: 21 };
		assert_eq!(dense_bound(64, 21), 21);
		assert_eq!(near_duplicates(&schema, &records, 10), vec![(1, 0), (2, 0)]);
		assert_eq!(near_duplicates(&schema, &records, 1), vec![(1, 0)]);
	}

	#[test]
	fn texts_match_despite_case_punctuation_and_a_changed_word() {
		let base = "Congratulations! You have won a free cruise to the Bahamas, call now to claim your prize before Friday";
		let recased = "CONGRATULATIONS you have won a free cruise to the bahamas... call now to claim your prize before friday!!";
		let edited = "Congratulations! You have won a free cruise to the Bahamas, call today to claim your prize before Friday";
		let other = "The meeting about the quarterly budget moved to Thursday afternoon in room four, bring the slides";
		let records: Vec<&[u8]> =
			vec![base.as_bytes(), other.as_bytes(), recased.as_bytes(), edited.as_bytes(), b""];
		let schema = Schema::Text { classes: 2 };
		let found = near_duplicates(&schema, &records, 10);
		// One changed word in 18 replaces 3 of 16 shingles: Jaccard 13/19, above 6/10.
		let (both, either) = overlap(&shingles(base.as_bytes()), &shingles(edited.as_bytes()));
		assert_eq!((both, either), (13, 19));
		assert_eq!(found, vec![(2, 0), (3, 0)]);
	}

	#[test]
	fn a_long_text_with_one_word_changed_is_found() {
		// 40 words; changing the last one keeps 37 of 38 shingles and adds one: 37/39.
		let words: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
		let a = words.join(" ");
		let mut changed = words.clone();
		changed[39] = "other".into();
		let b = changed.join(" ");
		let records: Vec<&[u8]> = vec![a.as_bytes(), b.as_bytes()];
		assert_eq!(near_duplicates(&Schema::Text { classes: 2 }, &records, 10), vec![(1, 0)]);
	}
}
