//! Models: small specialised classifiers trained on one Datanet version.
//!
//! A [`ModelSpec`] fixes everything the attestors need to train a model reproducibly: the
//! featurizer, the architecture, the hyperparameters and the seed. [`ModelSpec::check`] bounds
//! every field and matches the featurizer to the Datanet's [`Schema`].

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

use crate::datanets::Schema;

/// Identifies a model.
pub type ModelId = u32;

/// How a record's payload becomes a feature vector.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Featurizer {
	/// For Text: hashed word unigrams and bigrams plus character trigrams into `dims`
	/// dimensions, L2-normalised.
	HashedNgrams {
		/// The dimension of the feature vector.
		dims: u32,
	},
	/// For Dense: the raw values, scaled by the schema's `max_value`.
	Raw,
}

/// The network that maps features to class probabilities.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Architecture {
	/// Multinomial logistic regression: one linear layer and a softmax.
	SoftmaxRegression,
	/// A multilayer perceptron with one ReLU hidden layer.
	Mlp1 {
		/// The width of the hidden layer.
		hidden: u16,
	},
	/// A multilayer perceptron with two ReLU hidden layers.
	Mlp2 {
		/// The widths of the hidden layers.
		hidden: [u16; 2],
	},
}

/// Everything needed to train a model reproducibly.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct ModelSpec {
	/// How payloads become features; must match the Datanet's schema.
	pub featurizer: Featurizer,
	/// The network.
	pub architecture: Architecture,
	/// Passes over the training set.
	pub epochs: u16,
	/// The SGD learning rate, in (0, 1].
	pub learning_rate: Perbill,
	/// Records per minibatch.
	pub batch_size: u16,
	/// The L2 regularisation coefficient.
	pub l2: Perbill,
	/// Checkpoints kept for TracIn (spread evenly over training), at most `epochs`.
	pub checkpoints: u8,
	/// Seeds the initial weights and the minibatch order.
	pub seed: u64,
}

/// The chain's bounds on a [`ModelSpec`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpecLimits {
	/// The smallest hashed feature dimension.
	pub min_feature_dims: u32,
	/// The largest hashed feature dimension.
	pub max_feature_dims: u32,
	/// The widest hidden layer.
	pub max_hidden: u16,
	/// The most epochs.
	pub max_epochs: u16,
	/// The largest minibatch.
	pub max_batch_size: u16,
	/// The most checkpoints.
	pub max_checkpoints: u8,
}

/// Why a [`ModelSpec`] is not acceptable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpecError {
	/// `HashedNgrams` on a Dense Datanet, or `Raw` on a Text one.
	FeaturizerMismatch,
	/// The hashed feature dimension is out of bounds.
	FeatureDimsOutOfBounds,
	/// A hidden layer is empty or too wide.
	HiddenWidthOutOfBounds,
	/// No epochs, or too many.
	EpochsOutOfBounds,
	/// A batch size of zero, or too large.
	BatchSizeOutOfBounds,
	/// No checkpoints, more than the limit, or more than the epochs.
	CheckpointsOutOfBounds,
	/// A learning rate of zero.
	ZeroLearningRate,
}

impl ModelSpec {
	/// Checks the spec against the chain's limits and the Datanet's schema.
	pub fn check(&self, schema: &Schema, limits: &SpecLimits) -> Result<(), SpecError> {
		match (self.featurizer, schema) {
			(Featurizer::HashedNgrams { dims }, Schema::Text { .. }) => {
				if !(limits.min_feature_dims..=limits.max_feature_dims).contains(&dims) {
					return Err(SpecError::FeatureDimsOutOfBounds);
				}
			},
			(Featurizer::Raw, Schema::Dense { .. }) => {},
			_ => return Err(SpecError::FeaturizerMismatch),
		}
		let width_ok = |w: u16| (1..=limits.max_hidden).contains(&w);
		let widths_ok = match self.architecture {
			Architecture::SoftmaxRegression => true,
			Architecture::Mlp1 { hidden } => width_ok(hidden),
			Architecture::Mlp2 { hidden } => hidden.iter().all(|w| width_ok(*w)),
		};
		if !widths_ok {
			return Err(SpecError::HiddenWidthOutOfBounds);
		}
		if !(1..=limits.max_epochs).contains(&self.epochs) {
			return Err(SpecError::EpochsOutOfBounds);
		}
		if !(1..=limits.max_batch_size).contains(&self.batch_size) {
			return Err(SpecError::BatchSizeOutOfBounds);
		}
		if self.checkpoints == 0
			|| self.checkpoints > limits.max_checkpoints
			|| u16::from(self.checkpoints) > self.epochs
		{
			return Err(SpecError::CheckpointsOutOfBounds);
		}
		if self.learning_rate.is_zero() {
			return Err(SpecError::ZeroLearningRate);
		}
		Ok(())
	}
}

/// Where a model stands.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum ModelStatus {
	/// Registered; waiting for the attestors to train it.
	Training,
	/// Trained by the attestors: the agreed held-out accuracy and weights hash.
	Active {
		/// Accuracy on the held-out split.
		accuracy: Perbill,
		/// blake3 of the trained weights in canonical little-endian encoding.
		weights_hash: H256,
	},
	/// The attestors could not train it (or the training job expired).
	Failed,
	/// Retired by its owner or by moderation; it takes no new agents or inferences.
	Retired,
}

impl ModelStatus {
	/// Whether agents may be registered on a model in this status.
	pub fn accepts_agents(&self) -> bool {
		matches!(self, ModelStatus::Training | ModelStatus::Active { .. })
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const LIMITS: SpecLimits = SpecLimits {
		min_feature_dims: 16,
		max_feature_dims: 4096,
		max_hidden: 256,
		max_epochs: 200,
		max_batch_size: 1024,
		max_checkpoints: 10,
	};
	const DIGITS: Schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };

	fn spec() -> ModelSpec {
		ModelSpec {
			featurizer: Featurizer::Raw,
			architecture: Architecture::Mlp2 { hidden: [64, 32] },
			epochs: 20,
			learning_rate: Perbill::from_percent(10),
			batch_size: 32,
			l2: Perbill::from_parts(100_000),
			checkpoints: 5,
			seed: 7,
		}
	}

	#[test]
	fn a_sound_spec_passes() {
		assert_eq!(spec().check(&DIGITS, &LIMITS), Ok(()));
		let text = ModelSpec { featurizer: Featurizer::HashedNgrams { dims: 1024 }, ..spec() };
		assert_eq!(text.check(&Schema::Text { classes: 3 }, &LIMITS), Ok(()));
	}

	#[test]
	fn each_bound_has_its_error() {
		let text = Schema::Text { classes: 3 };
		assert_eq!(spec().check(&text, &LIMITS), Err(SpecError::FeaturizerMismatch));
		let hashed = |dims| ModelSpec { featurizer: Featurizer::HashedNgrams { dims }, ..spec() };
		assert_eq!(hashed(8).check(&text, &LIMITS), Err(SpecError::FeatureDimsOutOfBounds));
		assert_eq!(hashed(64).check(&DIGITS, &LIMITS), Err(SpecError::FeaturizerMismatch));
		let wide = ModelSpec { architecture: Architecture::Mlp1 { hidden: 257 }, ..spec() };
		assert_eq!(wide.check(&DIGITS, &LIMITS), Err(SpecError::HiddenWidthOutOfBounds));
		let empty = ModelSpec { architecture: Architecture::Mlp2 { hidden: [0, 4] }, ..spec() };
		assert_eq!(empty.check(&DIGITS, &LIMITS), Err(SpecError::HiddenWidthOutOfBounds));
		let epochs = ModelSpec { epochs: 0, ..spec() };
		assert_eq!(epochs.check(&DIGITS, &LIMITS), Err(SpecError::EpochsOutOfBounds));
		let batch = ModelSpec { batch_size: 2000, ..spec() };
		assert_eq!(batch.check(&DIGITS, &LIMITS), Err(SpecError::BatchSizeOutOfBounds));
		let ckpt = ModelSpec { epochs: 3, checkpoints: 4, ..spec() };
		assert_eq!(ckpt.check(&DIGITS, &LIMITS), Err(SpecError::CheckpointsOutOfBounds));
		let lr = ModelSpec { learning_rate: Perbill::zero(), ..spec() };
		assert_eq!(lr.check(&DIGITS, &LIMITS), Err(SpecError::ZeroLearningRate));
	}
}
