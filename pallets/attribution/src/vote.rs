//! The vote on revealed outcomes: plain counting, no storage.
//!
//! The engine computes bit-identical results on every machine, so honest attestors reveal the
//! same outcome, and the vote needs no medians or tolerances: an outcome wins when more than
//! half of the job's committee revealed it. A strict majority is unique, so the result does not
//! depend on the order of the reveals, nor on how many members committed first.

use alloc::collections::BTreeMap;

use openledger_primitives::attribution::RecordShare;
use sp_core::H256;

/// The most frequent value, the smallest on a tie, with its count.
pub fn plurality<V: Ord + Copy>(values: impl IntoIterator<Item = V>) -> Option<(V, u32)> {
	let mut counts: BTreeMap<V, u32> = BTreeMap::new();
	for v in values {
		*counts.entry(v).or_default() += 1;
	}
	// BTreeMap iterates in ascending order: keep the first of the largest counts.
	counts.into_iter().fold(None, |best, (v, c)| match best {
		Some((_, bc)) if bc >= c => best,
		_ => Some((v, c)),
	})
}

/// The outcome hash revealed at least `majority` times, with its votes; none if no outcome
/// has that many. With `majority` more than half of the committee, at most one outcome can.
pub fn winner(revealed: &[H256], majority: u32) -> Option<(H256, u32)> {
	let (hash, votes) = plurality(revealed.iter().copied())?;
	(votes >= majority.max(1)).then_some((hash, votes))
}

/// Whether a set of shares is well formed: a sum of exactly one (or empty).
pub fn sums_to_one(shares: &[RecordShare]) -> bool {
	shares.is_empty()
		|| shares.iter().map(|s| u64::from(s.share.deconstruct())).sum::<u64>()
			== openledger_primitives::attribution::BILLION
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_runtime::Perbill;

	fn h(byte: u8) -> H256 {
		H256::repeat_byte(byte)
	}

	#[test]
	fn pluralities_break_ties_low() {
		assert_eq!(plurality([3u16, 1, 3, 1]), Some((1, 2)));
		assert_eq!(plurality([7u16, 2, 7]), Some((7, 2)));
		assert_eq!(plurality(Vec::<u16>::new()), None);
	}

	#[test]
	fn an_outcome_wins_with_the_majority_of_the_committee() {
		// A committee of three (majority two): two equal reveals win, whatever the third did.
		assert_eq!(winner(&[h(1), h(2), h(1)], 2), Some((h(1), 2)));
		assert_eq!(winner(&[h(2), h(2)], 2), Some((h(2), 2)));
		// One reveal is no majority, nor is a split.
		assert_eq!(winner(&[h(1)], 2), None);
		assert_eq!(winner(&[h(1), h(2)], 2), None);
		assert_eq!(winner(&[h(1), h(2), h(3)], 2), None);
		// A committee of four (majority three): two agreeing reveals are not enough, even if
		// they were the only two.
		assert_eq!(winner(&[h(1), h(1)], 3), None);
		assert_eq!(winner(&[h(1), h(1), h(2)], 3), None);
		// A committee of one decides alone; a majority of zero is read as one.
		assert_eq!(winner(&[h(9)], 1), Some((h(9), 1)));
		assert_eq!(winner(&[h(9)], 0), Some((h(9), 1)));
		assert_eq!(winner(&[], 1), None);
	}

	#[test]
	fn the_order_of_reveals_does_not_matter() {
		let reveals = [h(4), h(5), h(4), h(6), h(4)];
		let mut reversed = reveals.to_vec();
		reversed.reverse();
		assert_eq!(winner(&reveals, 3), winner(&reversed, 3));
		assert_eq!(winner(&reveals, 3), Some((h(4), 3)));
	}

	#[test]
	fn shares_must_sum_to_one() {
		let s = |record, ppb| RecordShare { record, share: Perbill::from_parts(ppb) };
		assert!(sums_to_one(&[]));
		assert!(sums_to_one(&[s(1, 600_000_000), s(2, 400_000_000)]));
		assert!(!sums_to_one(&[s(1, 999_999_999)]));
	}
}
