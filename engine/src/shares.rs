//! Scores to shares in parts per billion that sum to exactly 10^9: the [`RecordShare`]s of
//! records that every attribution (classifier or ∞-gram) reports.
//!
//! Largest-remainder (Hamilton) rounding (in `openledger_primitives::attribution`, shared with
//! the chain's aggregation): each share is first `floor(10^9 · s_i / Σs)`; the
//! units left over go, one each, to the largest fractional remainders, ties to the lower
//! index. Exact rational arithmetic on the quantised scores makes the result the same on every
//! machine.

pub use openledger_primitives::attribution::{largest_remainder, RecordShare, BILLION};

/// Quantises non-negative scores to integers (relative to the largest score, with 2^40
/// levels), so that rounding works on exact integers. Non-finite and negative scores count 0.
pub fn quantise(scores: &[f64]) -> Vec<u64> {
	let max = scores.iter().copied().filter(|s| s.is_finite() && *s > 0.0).fold(0.0, f64::max);
	if max == 0.0 {
		return vec![0; scores.len()];
	}
	let levels = (1u64 << 40) as f64;
	scores
		.iter()
		.map(|s| if s.is_finite() && *s > 0.0 { (s / max * levels).round() as u64 } else { 0 })
		.collect()
}

/// Shares of 10^9 for non-negative scores: [`quantise`], then [`largest_remainder`].
pub fn shares_of(scores: &[f64]) -> Vec<u64> {
	largest_remainder(&quantise(scores))
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn shares_sum_to_exactly_a_billion() {
		for scores in [
			vec![1.0, 1.0, 1.0],
			vec![0.3, 0.3, 0.4],
			vec![1e-9, 5.0, 3.3, 2.2, 0.0, 7.7],
			vec![1.0; 7],
			(1..=97).map(|i| (i as f64).sqrt()).collect(),
		] {
			let s = shares_of(&scores);
			assert_eq!(s.iter().sum::<u64>(), BILLION, "{scores:?}");
		}
	}

	#[test]
	fn remainders_go_to_the_largest_fractions_then_lower_indices() {
		// Thirds: 333,333,333 each and one unit left, to the first.
		assert_eq!(largest_remainder(&[1, 1, 1]), vec![333_333_334, 333_333_333, 333_333_333]);
		// 1/6, 2/6, 3/6: 166,666,666.67 / 333,333,333.33 / 500,000,000.
		assert_eq!(largest_remainder(&[1, 2, 3]), vec![166_666_667, 333_333_333, 500_000_000]);
	}

	#[test]
	fn proportional_and_degenerate_inputs() {
		assert_eq!(shares_of(&[2.0, 2.0]), vec![500_000_000, 500_000_000]);
		assert_eq!(shares_of(&[0.0, 0.0]), vec![500_000_000, 500_000_000]);
		assert_eq!(shares_of(&[f64::NAN, -1.0, 1.0]), vec![0, 0, BILLION]);
		assert!(shares_of(&[]).is_empty());
	}

	#[test]
	fn equal_scores_get_equal_shares_up_to_one_unit() {
		let s = shares_of(&[0.25, 0.5, 0.25]);
		assert!(s[0].abs_diff(s[2]) <= 1);
		assert_eq!(s[1], 500_000_000);
	}
}
