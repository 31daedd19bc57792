//! Every failure of the engine is one of these: the engine never panics on input.

use core::fmt;

use openledger_primitives::models::{ModelId, SpecCost};

/// Why the engine could not do what was asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EngineError {
	/// A record does not fit its schema.
	MalformedRecord {
		/// The record's position in the training set (or Datanet version).
		index: usize,
		/// What is wrong with it.
		reason: &'static str,
	},
	/// A query does not fit the model's schema.
	MalformedInput(&'static str),
	/// The featurizer does not fit the schema, or a bound of the spec is out of range.
	SpecOutOfBounds(&'static str),
	/// No records to train on.
	EmptyTrainingSet,
	/// All training records have the same label.
	SingleClass,
	/// A matrix that must be positive definite (a damped Hessian or curvature factor) is not:
	/// raise the damping.
	NotPositiveDefinite,
	/// The engine holds no trained model with this id: train it first.
	UnknownModel(ModelId),
	/// No records were ingested for this Datanet version.
	UnknownDataset,
	/// Not all of the version's records have been ingested yet.
	IncompleteDataset {
		/// Records received.
		received: u32,
		/// Records in the version.
		total: u32,
	},
	/// A chunk does not continue the records received so far.
	ChunkOutOfOrder {
		/// The offset the next chunk must start at.
		expected: u32,
		/// The offset it started at.
		got: u32,
	},
	/// More records than the version holds.
	TooManyRecords,
	/// Saving or loading a model failed.
	Storage(String),
	/// A tensor operation failed: a bug, since the engine builds every shape itself.
	Tensor(String),
	/// The model's estimated cost on its version is above this engine's budget.
	OverBudget {
		/// What is over: `memory` or `arithmetic`.
		what: &'static str,
		/// The estimate.
		cost: SpecCost,
	},
	/// The model is being trained by another caller right now (the off-chain worker of
	/// another block, or a preview): one copy at a time.
	Busy(ModelId),
	/// The sources of a training do not fit: none, a weight out of bounds, a record count that
	/// is not the version's, or versions of different schemas.
	SourceMismatch(&'static str),
}

impl fmt::Display for EngineError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			EngineError::MalformedRecord { index, reason } => {
				write!(f, "record {index} is malformed: {reason}")
			},
			EngineError::MalformedInput(reason) => write!(f, "the input is malformed: {reason}"),
			EngineError::SpecOutOfBounds(what) => {
				write!(f, "the model spec is out of bounds: {what}")
			},
			EngineError::EmptyTrainingSet => write!(f, "the training set is empty"),
			EngineError::SingleClass => write!(f, "the training set has a single class"),
			EngineError::NotPositiveDefinite => {
				write!(f, "a curvature matrix is not positive definite: raise the damping")
			},
			EngineError::UnknownModel(id) => write!(f, "model {id} is not trained on this node"),
			EngineError::UnknownDataset => {
				write!(f, "no records of this Datanet version have been ingested")
			},
			EngineError::IncompleteDataset { received, total } => {
				write!(f, "{received} of the version's {total} records have been ingested")
			},
			EngineError::ChunkOutOfOrder { expected, got } => {
				write!(f, "a chunk starts at record {got}, the next expected is {expected}")
			},
			EngineError::TooManyRecords => write!(f, "more records than the version holds"),
			EngineError::Storage(why) => write!(f, "model storage: {why}"),
			EngineError::Tensor(why) => write!(f, "a tensor operation failed: {why}"),
			EngineError::OverBudget { what, cost } => write!(
				f,
				"the estimated {what} is over this node's budget: the model needs about {} MiB and {} GFLOP",
				cost.bytes >> 20,
				cost.flops / 1_000_000_000
			),
			EngineError::Busy(id) => write!(f, "model {id} is being trained already"),
			EngineError::SourceMismatch(what) => write!(f, "the sources do not fit: {what}"),
		}
	}
}

impl std::error::Error for EngineError {}

impl From<candle_core::Error> for EngineError {
	/// A failed tensor operation: a bug, since the engine builds every shape itself.
	fn from(e: candle_core::Error) -> Self {
		EngineError::Tensor(e.to_string())
	}
}
