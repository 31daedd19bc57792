//! Every failure of the engine is one of these: the engine never panics on input.

use core::fmt;

/// Why the engine could not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
	/// A record does not fit its schema.
	MalformedRecord {
		/// The record's position in the training set.
		index: usize,
		/// What is wrong with it.
		reason: &'static str,
	},
	/// The featurizer does not fit the schema, or a dimension is zero.
	SpecOutOfBounds(&'static str),
	/// No records to train on.
	EmptyTrainingSet,
	/// All training records have the same label.
	SingleClass,
	/// A matrix that must be positive definite (a damped Hessian or curvature factor) is not:
	/// raise the damping.
	NotPositiveDefinite,
}

impl fmt::Display for EngineError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			EngineError::MalformedRecord { index, reason } => {
				write!(f, "record {index} is malformed: {reason}")
			},
			EngineError::SpecOutOfBounds(what) => {
				write!(f, "the model spec is out of bounds: {what}")
			},
			EngineError::EmptyTrainingSet => write!(f, "the training set is empty"),
			EngineError::SingleClass => write!(f, "the training set has a single class"),
			EngineError::NotPositiveDefinite => {
				write!(f, "a curvature matrix is not positive definite: raise the damping")
			},
		}
	}
}

impl std::error::Error for EngineError {}
