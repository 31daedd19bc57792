//! Attribution methods: how much each training record influenced a prediction.
//!
//! A *score* is positive for a proponent (a record whose up-weighting would lower the loss of
//! the query's predicted label) and negative for an opponent.
//!
//! - [`exact`]: softmax regression, the damped influence function in closed form;
//! - [`tracin`]: MLPs, TracIn-CP with the per-layer ghost dot product;
//! - [`kfac`]: MLPs, the influence function with Kronecker-factored curvature;
//! - [`ekfac`]: MLPs, the same in the Kronecker eigenbasis with corrected eigenvalues.

use crate::linalg::Matrix;

/// An attribution method prepared on a trained model and its training set.
pub trait Attribution: Send + Sync {
	/// Scores `[n, m]` of the `n` training records for `m` queries (`[m, D]`), each measured on
	/// the loss of its label in `labels` (usually the predicted one).
	fn scores(&self, queries: &Matrix, labels: &[usize]) -> Matrix;

	/// The self-influence of every training record: high for records the model finds hard to
	/// fit, such as mislabelled ones.
	fn self_influence(&self) -> Vec<f64>;
}

pub mod ekfac;
pub mod exact;
pub mod kfac;
pub mod tracin;
