//! The consensus of several attestors' answers: plain integer maths, no storage.
//!
//! - Training: the median accuracy, and the most common weights hash.
//! - Inference: the plurality label, the median confidence, and each record's median share over
//!   all submissions (a record a submission leaves out counts 0 there). The top K records by
//!   median are kept and renormalised to exactly one by largest remainder.
//! - Distance: the L1 distance between two sets of shares, for strikes.
//!
//! Ties are broken towards the smaller value (label, hash, record position), so the result does
//! not depend on the order of the submissions.

use alloc::{collections::BTreeMap, vec::Vec};

use openledger_primitives::{
	attribution::{largest_remainder, InferenceResult, RecordShare, TrainOutcome},
	datanets::ClassLabel,
};
use sp_core::H256;
use sp_runtime::Perbill;

/// The lower median of `values` (`values[(n-1)/2]` once sorted); zero when empty.
pub fn median(mut values: Vec<u32>) -> u32 {
	values.sort_unstable();
	values.get(values.len().saturating_sub(1) / 2).copied().unwrap_or(0)
}

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

/// The consensus of training outcomes: the median accuracy and the plurality weights hash,
/// with the number of submissions that reported that hash.
pub fn training(outcomes: &[TrainOutcome]) -> Option<(Perbill, H256, u32)> {
	let (hash, agreement) = plurality(outcomes.iter().map(|o| o.weights_hash))?;
	let accuracy = median(outcomes.iter().map(|o| o.accuracy.deconstruct()).collect());
	Some((Perbill::from_parts(accuracy), hash, agreement))
}

/// One attestor's answer to an inference.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
	/// The label.
	pub label: ClassLabel,
	/// Its probability.
	pub confidence: Perbill,
	/// The proponents' shares.
	pub shares: Vec<RecordShare>,
}

/// The consensus of inference answers, keeping at most `top_k` records.
pub fn inference(answers: &[Answer], top_k: usize) -> Option<InferenceResult> {
	let (label, _) = plurality(answers.iter().map(|a| a.label))?;
	let confidence = median(answers.iter().map(|a| a.confidence.deconstruct()).collect());
	// Every record any answer names, with its share in each answer (0 where absent).
	let mut per_record: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
	for (i, answer) in answers.iter().enumerate() {
		for s in &answer.shares {
			per_record.entry(s.record).or_insert_with(|| alloc::vec![0; answers.len()])[i] =
				s.share.deconstruct();
		}
	}
	let mut medians: Vec<(u32, u32)> = per_record
		.into_iter()
		.map(|(record, shares)| (record, median(shares)))
		.filter(|(_, m)| *m > 0)
		.collect();
	// Largest median first; equal medians by record position.
	medians.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
	medians.truncate(top_k);
	let weights: Vec<u64> = medians.iter().map(|(_, m)| u64::from(*m)).collect();
	let shares = medians
		.iter()
		.zip(largest_remainder(&weights))
		.map(|((record, _), ppb)| RecordShare {
			record: *record,
			share: Perbill::from_parts(ppb as u32),
		})
		.collect();
	Some(InferenceResult { label, confidence: Perbill::from_parts(confidence), shares })
}

/// The L1 distance between two sets of shares, in parts per billion (at most 2·10^9).
pub fn distance(a: &[RecordShare], b: &[RecordShare]) -> u64 {
	let mut diff: BTreeMap<u32, i64> = BTreeMap::new();
	for s in a {
		*diff.entry(s.record).or_default() += i64::from(s.share.deconstruct());
	}
	for s in b {
		*diff.entry(s.record).or_default() -= i64::from(s.share.deconstruct());
	}
	diff.values().map(|d| d.unsigned_abs()).sum()
}

/// Whether a set of shares is well formed: no record twice, and a sum of exactly one (or
/// empty).
pub fn sums_to_one(shares: &[RecordShare]) -> bool {
	shares.is_empty()
		|| shares.iter().map(|s| u64::from(s.share.deconstruct())).sum::<u64>()
			== openledger_primitives::attribution::BILLION
}

#[cfg(test)]
mod tests {
	use super::*;

	fn s(record: u32, ppb: u32) -> RecordShare {
		RecordShare { record, share: Perbill::from_parts(ppb) }
	}

	fn answer(label: ClassLabel, confidence: u32, shares: Vec<RecordShare>) -> Answer {
		Answer { label, confidence: Perbill::from_parts(confidence), shares }
	}

	#[test]
	fn medians_and_pluralities_break_ties_low() {
		assert_eq!(median(vec![5, 1, 9]), 5);
		assert_eq!(median(vec![4, 8]), 4);
		assert_eq!(median(vec![]), 0);
		assert_eq!(plurality([3u16, 1, 3, 1]), Some((1, 2)));
		assert_eq!(plurality([7u16, 2, 7]), Some((7, 2)));
		assert_eq!(plurality(Vec::<u16>::new()), None);
	}

	#[test]
	fn training_takes_the_median_accuracy_and_the_common_hash() {
		let o = |acc: u32, h: u8| TrainOutcome {
			engine_version: 1,
			accuracy: Perbill::from_parts(acc),
			weights_hash: H256::repeat_byte(h),
			records: 10,
			held_out: 1,
		};
		let (accuracy, hash, agreement) = training(&[o(900, 2), o(800, 1), o(950, 2)]).unwrap();
		assert_eq!(
			(accuracy, hash, agreement),
			(Perbill::from_parts(900), H256::repeat_byte(2), 2)
		);
		// A three-way split: every hash once, the smallest wins.
		assert_eq!(training(&[o(1, 3), o(2, 1), o(3, 2)]).unwrap().1, H256::repeat_byte(1));
	}

	#[test]
	fn inference_takes_median_shares_and_renormalises_the_top_k() {
		let a = answer(4, 700, vec![s(1, 600_000_000), s(2, 400_000_000)]);
		let b = answer(4, 800, vec![s(1, 500_000_000), s(3, 500_000_000)]);
		let c = answer(5, 900, vec![s(1, 700_000_000), s(2, 300_000_000)]);
		let r = inference(&[a.clone(), b.clone(), c.clone()], 10).unwrap();
		assert_eq!(r.label, 4);
		assert_eq!(r.confidence, Perbill::from_parts(800));
		// Medians: record 1 → 600M, record 2 → median(400M, 0, 300M) = 300M, record 3 → 0 (dropped).
		// Renormalised: 600/900 and 300/900 of a billion.
		assert_eq!(r.shares, vec![s(1, 666_666_667), s(2, 333_333_333)]);
		assert!(sums_to_one(&r.shares));
		// Top 1 keeps record 1 alone, with everything.
		let top1 = inference(&[a, b, c], 1).unwrap();
		assert_eq!(top1.shares, vec![s(1, 1_000_000_000)]);
	}

	#[test]
	fn the_order_of_answers_does_not_matter() {
		let answers = [
			answer(1, 10, vec![s(5, 500_000_000), s(6, 500_000_000)]),
			answer(2, 20, vec![s(6, 1_000_000_000)]),
			answer(2, 30, vec![s(5, 250_000_000), s(7, 750_000_000)]),
			answer(1, 40, vec![s(5, 100_000_000), s(6, 900_000_000)]),
		];
		let forward = inference(&answers, 3).unwrap();
		let mut reversed = answers.to_vec();
		reversed.reverse();
		assert_eq!(inference(&reversed, 3).unwrap(), forward);
		// Labels 1 and 2 twice each: the smaller wins.
		assert_eq!(forward.label, 1);
	}

	#[test]
	fn no_shared_record_gives_empty_shares() {
		let r = inference(
			&[
				answer(0, 1, vec![s(1, 1_000_000_000)]),
				answer(0, 1, vec![s(2, 1_000_000_000)]),
				answer(0, 1, vec![]),
			],
			5,
		)
		.unwrap();
		assert!(r.shares.is_empty());
		assert!(sums_to_one(&r.shares));
	}

	#[test]
	fn distance_is_l1() {
		assert_eq!(distance(&[s(1, 600), s(2, 400)], &[s(1, 500), s(3, 500)]), 100 + 400 + 500);
		assert_eq!(distance(&[], &[]), 0);
		assert!(!sums_to_one(&[s(1, 999_999_999)]));
	}
}
