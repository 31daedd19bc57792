//! Featurizers: a record's payload to a feature vector.
//!
//! - **Dense** (`Featurizer::Raw` on `Schema::Dense`): `x_i = v_i / max_value`, so every feature
//!   lies in [0, 1].
//! - **Text** (`Featurizer::HashedNgrams { dims }` on `Schema::Text`): the text, with ASCII
//!   letters lowercased, is split into words: maximal runs of ASCII letters, ASCII digits and
//!   bytes of non-ASCII characters (so a word in another script stays whole). The rule reads
//!   bytes only, never the compiler's Unicode tables, so every build of every node splits and
//!   lowercases alike. Each word unigram, each
//!   word bigram and each character trigram of ` text ` is hashed with FNV-1a (64 bit) into
//!   one of `dims` buckets with a sign taken from another bit of the hash (signed feature
//!   hashing keeps collisions unbiased). The vector is then L2-normalised. The n-grams are
//!   sparse; the result is dense, because the models multiply it by dense weights.

use openledger_primitives::{datanets::Schema, models::Featurizer};

use crate::error::EngineError;

/// The dimension of the feature vectors a featurizer makes for a schema.
pub fn feature_dims(featurizer: &Featurizer, schema: &Schema) -> Result<usize, EngineError> {
	match (featurizer, schema) {
		(Featurizer::Raw, Schema::Dense { dims, .. }) if *dims > 0 => Ok(*dims as usize),
		(Featurizer::HashedNgrams { dims }, Schema::Text { .. }) if *dims > 0 => Ok(*dims as usize),
		(Featurizer::Raw, Schema::Dense { .. })
		| (Featurizer::HashedNgrams { .. }, Schema::Text { .. }) => {
			Err(EngineError::SpecOutOfBounds("a feature dimension of zero"))
		},
		_ => Err(EngineError::SpecOutOfBounds("the featurizer does not fit the schema")),
	}
}

/// The features of one record; `index` names the record in errors.
pub fn featurize(
	featurizer: &Featurizer,
	schema: &Schema,
	payload: &[u8],
	index: usize,
) -> Result<Vec<f64>, EngineError> {
	let dims = feature_dims(featurizer, schema)?;
	let malformed = |reason| EngineError::MalformedRecord { index, reason };
	match schema {
		Schema::Dense { max_value, .. } => {
			if payload.len() != dims {
				return Err(malformed("a dense record with the wrong number of values"));
			}
			if payload.iter().any(|v| v > max_value) {
				return Err(malformed("a dense value above the schema's maximum"));
			}
			let scale = f64::from((*max_value).max(1));
			Ok(payload.iter().map(|v| f64::from(*v) / scale).collect())
		},
		Schema::Text { .. } => {
			let text =
				core::str::from_utf8(payload).map_err(|_| malformed("text that is not UTF-8"))?;
			if text.is_empty() {
				return Err(malformed("empty text"));
			}
			Ok(hashed_ngrams(text, dims))
		},
	}
}

/// FNV-1a, 64 bit, over the bytes of each part in turn.
fn fnv1a(parts: &[&[u8]]) -> u64 {
	let mut h: u64 = 0xcbf2_9ce4_8422_2325;
	for part in parts {
		for b in *part {
			h ^= u64::from(*b);
			h = h.wrapping_mul(0x0000_0100_0000_01b3);
		}
	}
	h
}

/// Adds ±1 for a hashed n-gram of kind `kind` (b'u', b'b' or b'c') to `x`.
fn add(x: &mut [f64], kind: u8, gram: &[&[u8]]) {
	let mut parts: Vec<&[u8]> = Vec::with_capacity(gram.len() + 1);
	let tag = [kind];
	parts.push(&tag);
	parts.extend_from_slice(gram);
	let h = fnv1a(&parts);
	let bucket = (h % x.len() as u64) as usize;
	let sign = if h >> 63 == 0 { 1.0 } else { -1.0 };
	x[bucket] += sign;
}

/// The words of `text`: maximal runs of ASCII letters and digits and non-ASCII characters.
fn words(text: &str) -> Vec<&str> {
	text.split(|c: char| !c.is_ascii_alphanumeric() && c.is_ascii())
		.filter(|w| !w.is_empty())
		.collect()
}

/// Signed hashed word unigrams, word bigrams and character trigrams, L2-normalised.
pub fn hashed_ngrams(text: &str, dims: usize) -> Vec<f64> {
	let mut x = vec![0.0; dims];
	let lower = text.to_ascii_lowercase();
	let words = words(&lower);
	for w in &words {
		add(&mut x, b'u', &[w.as_bytes()]);
	}
	for pair in words.windows(2) {
		add(&mut x, b'b', &[pair[0].as_bytes(), b" ", pair[1].as_bytes()]);
	}
	let padded: Vec<char> =
		core::iter::once(' ').chain(lower.chars()).chain(core::iter::once(' ')).collect();
	let mut buf = [0u8; 12];
	for tri in padded.windows(3) {
		let mut len = 0;
		for c in tri {
			len += c.encode_utf8(&mut buf[len..]).len();
		}
		add(&mut x, b'c', &[&buf[..len]]);
	}
	// Fixed-order sum of squares: the same bits on every machine.
	let norm = x.iter().fold(0.0, |acc, v| acc + v * v).sqrt();
	if norm > 0.0 {
		for v in &mut x {
			*v /= norm;
		}
	}
	x
}

#[cfg(test)]
mod tests {
	use super::*;

	const DIGITS: Schema = Schema::Dense { dims: 4, classes: 10, max_value: 16 };
	const TEXT: Schema = Schema::Text { classes: 2 };

	#[test]
	fn dense_values_are_scaled_to_unit_range() {
		let x = featurize(&Featurizer::Raw, &DIGITS, &[0, 4, 8, 16], 0).unwrap();
		assert_eq!(x, vec![0.0, 0.25, 0.5, 1.0]);
	}

	#[test]
	fn malformed_records_are_typed_errors() {
		assert!(matches!(
			featurize(&Featurizer::Raw, &DIGITS, &[1, 2, 3], 7),
			Err(EngineError::MalformedRecord { index: 7, .. })
		));
		assert!(matches!(
			featurize(&Featurizer::Raw, &DIGITS, &[1, 2, 3, 17], 0),
			Err(EngineError::MalformedRecord { .. })
		));
		let hashed = Featurizer::HashedNgrams { dims: 64 };
		assert!(matches!(
			featurize(&hashed, &TEXT, &[0xff], 0),
			Err(EngineError::MalformedRecord { .. })
		));
		assert!(matches!(
			featurize(&hashed, &DIGITS, &[0; 4], 0),
			Err(EngineError::SpecOutOfBounds(_))
		));
		assert!(matches!(
			featurize(&Featurizer::HashedNgrams { dims: 0 }, &TEXT, b"a", 0),
			Err(EngineError::SpecOutOfBounds(_))
		));
	}

	#[test]
	fn text_features_are_unit_length_and_deterministic() {
		let hashed = Featurizer::HashedNgrams { dims: 256 };
		let a = featurize(&hashed, &TEXT, "The cat sat on the mat".as_bytes(), 0).unwrap();
		let norm: f64 = a.iter().map(|v| v * v).sum::<f64>().sqrt();
		assert!((norm - 1.0).abs() < 1e-12);
		let again = featurize(&hashed, &TEXT, "The cat sat on the mat".as_bytes(), 0).unwrap();
		assert_eq!(a, again);
		// ASCII case does not matter; word order does (bigrams).
		let upper = featurize(&hashed, &TEXT, "THE CAT SAT ON THE MAT".as_bytes(), 0).unwrap();
		assert_eq!(a, upper);
		let swapped = featurize(&hashed, &TEXT, "The mat sat on the cat".as_bytes(), 0).unwrap();
		assert_ne!(a, swapped);
	}

	#[test]
	fn words_split_by_a_fixed_ascii_rule() {
		// Only ASCII letters are lowercased; non-ASCII characters, even punctuation, stay in
		// their word.
		let lower = "Ünï-Code CAFÉ, déjà—vu 42x".to_ascii_lowercase();
		assert_eq!(words(&lower), vec!["Ünï", "code", "cafÉ", "déjà—vu", "42x"]);
		assert_ne!(hashed_ngrams("CAFÉ", 64), hashed_ngrams("café", 64));
		assert_eq!(hashed_ngrams("CAFÉ", 64), hashed_ngrams("cafÉ", 64));
	}

	#[test]
	fn similar_texts_are_closer_than_different_ones() {
		let f = |t: &str| hashed_ngrams(t, 1024);
		let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
		let a = f("great movie, loved the acting");
		let b = f("great movie, loved the story");
		let c = f("terrible service and cold food");
		assert!(dot(&a, &b) > dot(&a, &c) + 0.3);
	}
}
