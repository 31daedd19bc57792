//! The held-out split: which records of a version are kept out of training to measure
//! accuracy. It depends only on each record's hash, so every attestor picks the same records
//! whatever order it ingested them in.

use openledger_primitives::datanets::RecordHash;

/// The share of records held out, in percent.
pub const HELD_OUT_PERCENT: u64 = 10;

/// Whether a record is held out: the first 8 bytes of `blake3("held-out" ‖ hash)`, as a
/// little-endian integer, modulo 100, below [`HELD_OUT_PERCENT`].
pub fn is_held_out(record: &RecordHash) -> bool {
	let mut hasher = blake3::Hasher::new();
	hasher.update(b"held-out");
	hasher.update(record.as_bytes());
	let digest = hasher.finalize();
	let mut first = [0u8; 8];
	first.copy_from_slice(&digest.as_bytes()[..8]);
	u64::from_le_bytes(first) % 100 < HELD_OUT_PERCENT
}

#[cfg(test)]
mod tests {
	use super::*;
	use openledger_primitives::datanets::record_hash;

	#[test]
	fn about_a_tenth_is_held_out_deterministically() {
		let hashes: Vec<_> = (0..2000u32).map(|i| record_hash(&i.to_le_bytes(), 0)).collect();
		let held = hashes.iter().filter(|h| is_held_out(h)).count();
		assert!((150..=250).contains(&held), "{held} of 2000 held out");
		let again = hashes.iter().filter(|h| is_held_out(h)).count();
		assert_eq!(held, again);
	}
}
