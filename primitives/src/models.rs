//! Models: small specialised classifiers, ∞-grams and external models, each trained on one or
//! more Datanet versions (its [`Source`]s).
//!
//! A [`ModelSpec`] fixes everything the attestors need to train a model reproducibly: the
//! featurizer, the architecture, the hyperparameters and the seed; and how its inferences are
//! attributed ([`AttributionMethod`]). [`ModelSpec::check`] bounds every field and matches the
//! featurizer to the Datanet's [`Schema`]; [`ModelSpec::cost`] estimates what it asks of every
//! attestor, to train and per inference.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;
use sp_runtime::Perbill;

use alloc::{vec, vec::Vec};

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
	/// For Text, with [`Architecture::InfiniGram`] only: the lossless word tokeniser. A token is
	/// a maximal run of word bytes (ASCII letters and digits, and every byte of a multi-byte
	/// UTF-8 character), a maximal run of ASCII whitespace, or one other byte. The tokens of a
	/// text concatenate back to it, so generated text is valid UTF-8 and its spans are byte
	/// ranges of records.
	Words,
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
	/// An ∞-gram language model over a Text Datanet's records (with [`Featurizer::Words`]):
	/// "training" builds a suffix array over the version's tokens; an inference continues a
	/// prompt by up to `max_tokens` tokens, each the most frequent next token after the longest
	/// suffix of the text so far that occurs in the records, and credits each to the records it
	/// came from. Epochs, learning rate, batch size, L2 and seed are ignored.
	InfiniGram {
		/// The most tokens one inference generates, at most [`MAX_GENERATED_TOKENS`].
		max_tokens: u16,
	},
	/// A model the chain does not train or run (a large language model, a fine-tuned adapter),
	/// attributed by the verbatim spans of its outputs in a Text Datanet's records (with
	/// [`Featurizer::Words`]), OLMoTrace-style. "Training" indexes the version's records as for
	/// an ∞-gram; an inference carries the model's output, as the agent claims it, and credits
	/// the records holding its maximal spans of at least `min_span_tokens` tokens, rarer spans
	/// more (the engine's `Index::trace`). The chain pays for the attribution of the output; it
	/// does not vouch that the model produced it. Epochs, learning rate, batch size, L2 and
	/// seed are ignored.
	External {
		/// The hash of the weights, as their owner names them (the URI is in the model's
		/// metadata).
		weights_hash: H256,
		/// The fewest tokens a span must have to count, within the chain's bounds
		/// ([`SpecLimits::min_span_tokens`] to [`SpecLimits::max_span_tokens`]).
		min_span_tokens: u16,
	},
}

/// How a classifier's inferences are attributed to its training records, chosen at
/// registration and fixed with the model: every attestor, the preview and every recheck of an
/// inference attribute it by this method and no other.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum AttributionMethod {
	/// The influence function: in closed form for softmax regression, with Kronecker-factored
	/// curvature (K-FAC) for MLPs. Milliseconds a query; it predicts retraining well for
	/// softmax regression and roughly for MLPs.
	#[default]
	Influence,
	/// Replay: the exact derivative of the query's log-probability with respect to each
	/// training record's weight, through every step of the model's own training, replayed
	/// backwards (MAGIC-class). It predicts retraining best of the engine's methods, at the
	/// cost of about one to two trainings a query; [`SpecCost::query_flops`] counts it, and the
	/// chain's cost limit bounds it. Classifiers only.
	Replay,
}

/// The most tokens an ∞-gram inference generates.
pub const MAX_GENERATED_TOKENS: u16 = 256;

/// The engine's memory per byte of a Text version's payloads for an ∞-gram index, at most:
/// a token per byte at worst, each 4 bytes of token id and 4 of suffix array, the text itself,
/// and construction scratch.
const INFINIGRAM_BYTES_PER_BYTE: u64 = 16;

/// The largest Text payload the cost of an ∞-gram counts per record: the chain's
/// `MaxPayloadLen`.
const INFINIGRAM_RECORD_BYTES: u64 = 2048;

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
	/// Seeds the initial weights and the minibatch order.
	pub seed: u64,
	/// How its inferences are attributed (classifiers; index models take
	/// [`AttributionMethod::Influence`], which for them means their spans).
	pub method: AttributionMethod,
}

/// A [`ModelSpec`] as runtimes built before models chose their attribution method encode it
/// (versions 1 and 2 of `engine::train`, and models stored before storage version 4 of the
/// models pallet): every such model is attributed by [`AttributionMethod::Influence`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct ModelSpecV1 {
	/// See [`ModelSpec::featurizer`].
	pub featurizer: Featurizer,
	/// See [`ModelSpec::architecture`].
	pub architecture: Architecture,
	/// See [`ModelSpec::epochs`].
	pub epochs: u16,
	/// See [`ModelSpec::learning_rate`].
	pub learning_rate: Perbill,
	/// See [`ModelSpec::batch_size`].
	pub batch_size: u16,
	/// See [`ModelSpec::l2`].
	pub l2: Perbill,
	/// See [`ModelSpec::seed`].
	pub seed: u64,
}

impl ModelSpecV1 {
	/// The spec of today: the same model, attributed by the influence function.
	pub fn upgrade(self) -> ModelSpec {
		let ModelSpecV1 { featurizer, architecture, epochs, learning_rate, batch_size, l2, seed } =
			self;
		ModelSpec {
			featurizer,
			architecture,
			epochs,
			learning_rate,
			batch_size,
			l2,
			seed,
			method: AttributionMethod::Influence,
		}
	}
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
	/// The least minimum span length an external model may ask for, in tokens.
	pub min_span_tokens: u16,
	/// The greatest.
	pub max_span_tokens: u16,
}

/// Why a [`ModelSpec`] is not acceptable.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[cfg_attr(feature = "pallet-error", derive(frame_support::PalletError))]
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
	/// A learning rate of zero.
	ZeroLearningRate,
	/// An ∞-gram's `max_tokens` is zero or above [`MAX_GENERATED_TOKENS`].
	GeneratedTokensOutOfBounds,
	/// The engine's estimated memory for the spec on its Datanet version is above the limit.
	MemoryOverLimit,
	/// The engine's estimated arithmetic for the spec on its Datanet version is above the
	/// limit.
	ComputeOverLimit,
	/// An external model's `min_span_tokens` is outside the chain's bounds.
	SpanTokensOutOfBounds,
	/// [`AttributionMethod::Replay`] for an ∞-gram or external model, which have no training
	/// to replay.
	MethodMismatch,
	/// The engine's estimated arithmetic to attribute one inference
	/// ([`SpecCost::query_flops`]) is above the limit.
	QueryOverLimit,
}

/// What training and attributing a spec on a Datanet version costs an attestor's engine, by
/// [`ModelSpec::cost`]: its peak memory, its arithmetic to train and prepare, and its
/// arithmetic for each inference.
#[derive(
	Clone,
	Copy,
	Debug,
	Default,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct SpecCost {
	/// Peak memory, in bytes.
	pub bytes: u64,
	/// Floating-point operations (multiply-adds count two) to train the model and prepare its
	/// attribution.
	pub flops: u64,
	/// Floating-point operations to answer and attribute one inference.
	pub query_flops: u64,
}

impl SpecCost {
	/// Whether the cost is within `limit`: [`SpecError::MemoryOverLimit`] or
	/// [`SpecError::ComputeOverLimit`] if not.
	pub fn within(&self, limit: &SpecCost) -> Result<(), SpecError> {
		if self.bytes > limit.bytes {
			return Err(SpecError::MemoryOverLimit);
		}
		if self.flops > limit.flops {
			return Err(SpecError::ComputeOverLimit);
		}
		if self.query_flops > limit.query_flops {
			return Err(SpecError::QueryOverLimit);
		}
		Ok(())
	}
}

/// Saturating `u64` arithmetic for cost estimates: a product or sum that overflows is as
/// costly as it gets.
fn mul(factors: &[u64]) -> u64 {
	factors.iter().fold(1u64, |acc, f| acc.saturating_mul(*f))
}

fn sum(terms: &[u64]) -> u64 {
	terms.iter().fold(0u64, |acc, t| acc.saturating_add(*t))
}

impl ModelSpec {
	/// Whether the model answers an inference with a continuation (an ∞-gram model) rather than
	/// a label.
	pub fn generates(&self) -> bool {
		matches!(self.architecture, Architecture::InfiniGram { .. })
	}

	/// Whether the model is an external one, whose inferences trace an output to the records
	/// (a [`crate::attribution::Trace`]) rather than answer.
	pub fn traces(&self) -> bool {
		matches!(self.architecture, Architecture::External { .. })
	}

	/// Whether "training" the model indexes its version's records (an ∞-gram or an external
	/// model) rather than fits a classifier.
	pub fn indexes(&self) -> bool {
		self.generates() || self.traces()
	}

	/// The width of the feature vector on `schema`.
	pub fn input_dims(&self, schema: &Schema) -> u32 {
		match (self.featurizer, schema) {
			(Featurizer::HashedNgrams { dims }, _) => dims,
			(Featurizer::Raw, Schema::Dense { dims, .. }) => (*dims).into(),
			(Featurizer::Raw | Featurizer::Words, _) => 0,
		}
	}

	/// The engine's peak memory and arithmetic to train this spec on a version of `records`
	/// records and prepare its attribution, as the engine computes them (f64 values, 8 bytes):
	///
	/// - training (`P` parameters, `n` records of `d` features, `E` epochs): the dense
	///   features `n·d`, the parameters, momentum, gradient and the final network `4·P`, and
	///   `6·E·n·P` operations (forward `2P`, backward `4P` a record);
	/// - softmax regression (exact influence, `D = d + 1`, `C` classes): the curvature of side
	///   `min(D, n)·C` (dense Hessian, or the Woodbury system when `D > n`) and its Cholesky
	///   factor, `2·(min(D, n)·C)²`, plus `n²` for the Woodbury kernel; `2·n·(D·C)²` (or
	///   `2·n·(n·C)²`) to build it and a third of its side cubed to factor it;
	/// - an MLP (K-FAC): per layer of `i` inputs and `o` outputs, the factors `(i+1)²` and
	///   `o²` with their Cholesky factors, the training records' inputs, errors and their
	///   solves `2·n·(i + 1 + o)`, and the Gauss–Newton errors of every class `n·C·(i + o)`;
	///   `2·n·C·(i+1)² + 2·n·C·o²` to accumulate the factors and `4·n·C·P` for the pseudo-targets'
	///   backward pass;
	/// - replay ([`AttributionMethod::Replay`]): the influence function's preparation as well
	///   (its self-influence gives the quality flags), the parameters and velocity at each
	///   epoch's start and one epoch's parameters, `(2·E + ⌈n / batch⌉)·P`, and one epoch's
	///   activations and errors, `2·n·(d + Σ widths)`.
	///
	/// And per inference ([`SpecCost::query_flops`]): the forward pass `2P`, then
	/// - softmax regression: the query's gradient through the curvature's factor `2·side²` and
	///   its product with every record's gradient `2·n·D·C`;
	/// - K-FAC: per layer, two solves `2·(i+1)² + 2·o²` and the products with every record's
	///   input and error `2·n·(i + 1 + o)`;
	/// - replay: the training's steps again `6·E·n·P`, and backwards through them, per record,
	///   its gradient, the curvature's product by the R-operator and the record's dot product
	///   (about `18·P`): `24·E·n·P` in all, counted for each query.
	/// - ∞-gram and external models: nothing counted (a lookup is logarithmic in the index).
	///
	/// Every term saturates. The estimate is meant to bound the engine within a small factor,
	/// so that one registration cannot ask every attestor for more than the chain allows.
	pub fn cost(&self, schema: &Schema, records: u32) -> SpecCost {
		let n = u64::from(records);
		if self.indexes() {
			// ∞-gram: linear in the version's bytes (at most `MaxPayloadLen` a record), and
			// some fifty operations a byte to tokenise, sort and hash.
			let bytes = mul(&[n, INFINIGRAM_RECORD_BYTES]);
			return SpecCost {
				bytes: mul(&[bytes, INFINIGRAM_BYTES_PER_BYTE]),
				flops: mul(&[bytes, 50]),
				query_flops: 0,
			};
		}
		let d = u64::from(self.input_dims(schema));
		let c = u64::from(schema.classes());
		let widths: Vec<u64> = match self.architecture {
			Architecture::SoftmaxRegression => vec![c],
			Architecture::Mlp1 { hidden } => vec![hidden.into(), c],
			Architecture::Mlp2 { hidden: [h1, h2] } => vec![h1.into(), h2.into(), c],
			Architecture::InfiniGram { .. } | Architecture::External { .. } => Vec::new(),
		};
		// (inputs, outputs) of each layer.
		let layers: Vec<(u64, u64)> =
			core::iter::once(d).chain(widths.iter().copied()).zip(widths.iter().copied()).collect();
		let params = sum(&layers.iter().map(|(i, o)| mul(&[i + 1, *o])).collect::<Vec<_>>());
		let epochs = u64::from(self.epochs);
		let mut values = sum(&[mul(&[n, d]), mul(&[4, params])]);
		let mut flops = mul(&[6, epochs, n, params]);
		let mut query_flops = mul(&[2, params]);
		match self.architecture {
			Architecture::SoftmaxRegression => {
				let side = mul(&[d.saturating_add(1).min(n), c]);
				let woodbury = if d.saturating_add(1) > n { mul(&[n, n]) } else { 0 };
				values = sum(&[values, mul(&[2, side, side]), woodbury, mul(&[n, d + 1])]);
				flops = sum(&[flops, mul(&[2, n, side, side]), mul(&[side, side, side]) / 3]);
				query_flops = sum(&[query_flops, mul(&[2, side, side]), mul(&[2, n, d + 1, c])]);
			},
			Architecture::InfiniGram { .. } | Architecture::External { .. } => {},
			Architecture::Mlp1 { .. } | Architecture::Mlp2 { .. } => {
				for (i, o) in &layers {
					let i1 = i.saturating_add(1);
					values = sum(&[
						values,
						mul(&[2, i1, i1]),
						mul(&[2, *o, *o]),
						mul(&[2, n, i1.saturating_add(*o)]),
						mul(&[n, c, i.saturating_add(*o)]),
					]);
					flops = sum(&[
						flops,
						mul(&[2, n, c, i1, i1]),
						mul(&[2, n, c, *o, *o]),
						mul(&[i1, i1, i1]) / 3,
						mul(&[*o, *o, *o]) / 3,
					]);
					query_flops = sum(&[
						query_flops,
						mul(&[2, i1, i1]),
						mul(&[2, *o, *o]),
						mul(&[2, n, i1.saturating_add(*o)]),
					]);
				}
				flops = sum(&[flops, mul(&[4, n, c, params])]);
			},
		}
		if self.method == AttributionMethod::Replay {
			let steps = n.div_ceil(u64::from(self.batch_size).max(1));
			let activations = sum(&[d, sum(&widths)]);
			values = sum(&[
				values,
				mul(&[epochs.saturating_mul(2).saturating_add(steps), params]),
				mul(&[2, n, activations]),
			]);
			query_flops = sum(&[mul(&[2, params]), mul(&[24, epochs, n, params])]);
		}
		SpecCost { bytes: mul(&[8, values]), flops, query_flops }
	}

	/// Checks the spec against the chain's limits and the Datanet's schema.
	pub fn check(&self, schema: &Schema, limits: &SpecLimits) -> Result<(), SpecError> {
		if self.indexes() && self.method != AttributionMethod::Influence {
			return Err(SpecError::MethodMismatch);
		}
		if self.indexes() {
			if !matches!((self.featurizer, schema), (Featurizer::Words, Schema::Text { .. })) {
				return Err(SpecError::FeaturizerMismatch);
			}
			return match self.architecture {
				Architecture::InfiniGram { max_tokens }
					if !(1..=MAX_GENERATED_TOKENS).contains(&max_tokens) =>
				{
					Err(SpecError::GeneratedTokensOutOfBounds)
				},
				Architecture::External { min_span_tokens, .. }
					if !(limits.min_span_tokens..=limits.max_span_tokens)
						.contains(&min_span_tokens) =>
				{
					Err(SpecError::SpanTokensOutOfBounds)
				},
				_ => Ok(()),
			};
		}
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
			Architecture::InfiniGram { .. } | Architecture::External { .. } => true,
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

/// The most times a mix may count a source's records ([`Source::weight`]).
pub const MAX_SOURCE_WEIGHT: u8 = 8;

/// One Datanet version a model trains on, and its part in the model's mix.
///
/// A model's training set is its sources' records one after another, each source's repeated
/// `weight` times in training. A share names a record by its **position** in that
/// concatenation (each record once, whatever its weight): the first source's records are
/// positions `0..records`, the next source's follow, and so on. [`locate`] turns a position
/// back into (Datanet, version, position in the Datanet's accepted log). A model on one source
/// names records by their log positions, as before models had several.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Hash,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct Source {
	/// The Datanet.
	pub datanet: crate::datanets::DatanetId,
	/// The published version of it.
	pub version: crate::datanets::VersionIndex,
	/// The version's record count, fixed when it was published: where the next source's
	/// positions start.
	pub records: u32,
	/// How many times each of its records counts in training, 1 to [`MAX_SOURCE_WEIGHT`]: a
	/// record of weight 2 is trained on twice an epoch, so its pull on the model, and its
	/// influence, are doubled. Index models (∞-gram, external) take each source once (weight
	/// 1): an index counts occurrences, and weighting a source would mean counting its text
	/// twice, which changes what the ∞-gram generates and how rare a span is.
	pub weight: u8,
}

impl Source {
	/// The version this source names.
	pub fn dataset(&self) -> crate::attribution::DatasetRef {
		crate::attribution::DatasetRef { datanet: self.datanet, version: self.version }
	}
}

/// Where position `position` of a training set made of `sources` lies: the source's index,
/// and the record's position in that source's version (its position in the Datanet's accepted
/// log). `None` past the last source's records.
pub fn locate(sources: &[Source], position: u32) -> Option<(usize, u32)> {
	let mut start = 0u32;
	for (i, s) in sources.iter().enumerate() {
		let end = start.checked_add(s.records)?;
		if position < end {
			return Some((i, position - start));
		}
		start = end;
	}
	None
}

/// The positions a training set of `sources` names: the sum of their record counts (`None` if
/// it overflows a `u32`).
pub fn positions(sources: &[Source]) -> Option<u32> {
	sources.iter().try_fold(0u32, |n, s| n.checked_add(s.records))
}

/// The records training on `sources` counts, each source's `weight` times: what
/// [`ModelSpec::cost`] is estimated on (saturating at `u32::MAX`).
pub fn weighted_records(sources: &[Source]) -> u32 {
	let n = sources
		.iter()
		.fold(0u64, |n, s| n.saturating_add(u64::from(s.records) * u64::from(s.weight)));
	u32::try_from(n).unwrap_or(u32::MAX)
}

/// A registered model, once for every reader: storage keeps its `sources` and `metadata`
/// bounded (`BoundedVec`s); the runtime API and the pallets that inspect it see `Vec`s
/// ([`Model::unbounded`]). Both encode alike.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Model<AccountId, Balance, Metadata = Vec<u8>, Sources = Vec<Source>> {
	/// Its owner: as the runtime API and other pallets read it, the holder of the model's NFT
	/// (collection 1 of `pallet-nfts`); in storage, its registrant, whose deposit it holds.
	pub owner: AccountId,
	/// The Datanet versions it trains on, in the order that places their records
	/// ([`Source`]): at least one, all of one schema.
	pub sources: Sources,
	/// How it is trained.
	pub spec: ModelSpec,
	/// The fee per inference, paid to the split.
	pub fee: Balance,
	/// Where it stands.
	pub status: ModelStatus,
	/// The deposit held from the owner (zero once retired).
	pub deposit: Balance,
	/// Free-form metadata (UTF-8 by convention).
	pub metadata: Metadata,
}

impl<AccountId, Balance, Metadata: Into<Vec<u8>>, Sources: Into<Vec<Source>>>
	Model<AccountId, Balance, Metadata, Sources>
{
	/// The model with its sources and metadata as plain vectors.
	pub fn unbounded(self) -> Model<AccountId, Balance> {
		let Model { owner, sources, spec, fee, status, deposit, metadata } = self;
		Model {
			owner,
			sources: sources.into(),
			spec,
			fee,
			status,
			deposit,
			metadata: metadata.into(),
		}
	}
}

impl<AccountId, Balance, Metadata, Sources: AsRef<[Source]>>
	Model<AccountId, Balance, Metadata, Sources>
{
	/// The Datanet, version and log position of training position `position` ([`locate`]).
	pub fn locate(
		&self,
		position: u32,
	) -> Option<(crate::datanets::DatanetId, crate::datanets::VersionIndex, u32)> {
		let sources = self.sources.as_ref();
		let (i, at) = locate(sources, position)?;
		let s = sources.get(i)?;
		Some((s.datanet, s.version, at))
	}

	/// The Datanet whose schema the model's inputs follow (every source has it): the first
	/// source's.
	pub fn datanet(&self) -> Option<crate::datanets::DatanetId> {
		self.sources.as_ref().first().map(|s| s.datanet)
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
		min_span_tokens: 4,
		max_span_tokens: 32,
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
			seed: 7,
			method: AttributionMethod::Influence,
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
		let lr = ModelSpec { learning_rate: Perbill::zero(), ..spec() };
		assert_eq!(lr.check(&DIGITS, &LIMITS), Err(SpecError::ZeroLearningRate));
	}

	#[test]
	fn an_infinigram_needs_words_on_text_and_bounded_tokens() {
		let text = Schema::Text { classes: 2 };
		let gram = |featurizer, max_tokens| ModelSpec {
			featurizer,
			architecture: Architecture::InfiniGram { max_tokens },
			// The training fields do not matter to an ∞-gram.
			epochs: 0,
			..spec()
		};
		assert_eq!(gram(Featurizer::Words, 64).check(&text, &LIMITS), Ok(()));
		assert_eq!(
			gram(Featurizer::Words, 64).check(&DIGITS, &LIMITS),
			Err(SpecError::FeaturizerMismatch)
		);
		let hashed = Featurizer::HashedNgrams { dims: 64 };
		assert_eq!(gram(hashed, 64).check(&text, &LIMITS), Err(SpecError::FeaturizerMismatch));
		for bad in [0, MAX_GENERATED_TOKENS + 1] {
			assert_eq!(
				gram(Featurizer::Words, bad).check(&text, &LIMITS),
				Err(SpecError::GeneratedTokensOutOfBounds)
			);
		}
		// Words feed no classifier.
		let words = ModelSpec { featurizer: Featurizer::Words, ..spec() };
		assert_eq!(words.check(&text, &LIMITS), Err(SpecError::FeaturizerMismatch));
		// Its cost is linear in the records.
		let one = gram(Featurizer::Words, 64).cost(&text, 1_000);
		assert_eq!(gram(Featurizer::Words, 64).cost(&text, 2_000).bytes, 2 * one.bytes);
		assert!(one.bytes >= 1_000 * 2048 * 8, "{one:?}");
	}

	#[test]
	fn an_external_model_needs_words_on_text_and_a_span_length_within_bounds() {
		let text = Schema::Text { classes: 2 };
		let external = |featurizer, min_span_tokens| ModelSpec {
			featurizer,
			architecture: Architecture::External {
				weights_hash: H256::repeat_byte(7),
				min_span_tokens,
			},
			epochs: 0,
			..spec()
		};
		for ok in [LIMITS.min_span_tokens, LIMITS.max_span_tokens] {
			assert_eq!(external(Featurizer::Words, ok).check(&text, &LIMITS), Ok(()));
		}
		for bad in [0, LIMITS.min_span_tokens - 1, LIMITS.max_span_tokens + 1] {
			assert_eq!(
				external(Featurizer::Words, bad).check(&text, &LIMITS),
				Err(SpecError::SpanTokensOutOfBounds)
			);
		}
		assert_eq!(
			external(Featurizer::Words, 8).check(&DIGITS, &LIMITS),
			Err(SpecError::FeaturizerMismatch)
		);
		let hashed = Featurizer::HashedNgrams { dims: 64 };
		assert_eq!(external(hashed, 8).check(&text, &LIMITS), Err(SpecError::FeaturizerMismatch));
		let spec = external(Featurizer::Words, 8);
		assert!(spec.traces() && spec.indexes() && !spec.generates());
		// It costs what indexing its records costs, as an ∞-gram's does.
		let gram = ModelSpec { architecture: Architecture::InfiniGram { max_tokens: 64 }, ..spec };
		assert_eq!(spec.cost(&text, 1_000), gram.cost(&text, 1_000));
	}

	#[test]
	fn the_cost_of_the_issues_example_is_far_beyond_a_node() {
		// Softmax regression with 16,384 hashed dims on 1,024 classes and 40 records: the
		// Woodbury system alone is (40·1024)² values, twice (matrix and factor), 26.8 GB.
		let text = Schema::Text { classes: 1024 };
		let spec = ModelSpec {
			featurizer: Featurizer::HashedNgrams { dims: 16_384 },
			architecture: Architecture::SoftmaxRegression,
			..spec()
		};
		let cost = spec.cost(&text, 40);
		assert!(cost.bytes >= 2 * 8 * (40 * 1024u64).pow(2), "{cost:?}");
		let gib = 1u64 << 30;
		assert_eq!(
			cost.within(&SpecCost { bytes: gib, flops: u64::MAX, query_flops: u64::MAX }),
			Err(SpecError::MemoryOverLimit)
		);
		// Past the records, the side of the curvature stops growing at D·C: memory is bounded
		// by the dense Hessian, not by the square of the record count.
		let big = spec.cost(&text, 1_000_000);
		assert!(big.bytes > cost.bytes);
		let side = 16_385u64 * 1024;
		assert!(big.bytes >= 16 * side * side);
	}

	#[test]
	fn the_cost_grows_with_every_dimension_and_saturates() {
		let base = spec().cost(&DIGITS, 1_797);
		// Digits with the e2e's specs fit easily in a node.
		assert!(base.bytes < 64 << 20, "{base:?}");
		assert!(base.flops < 100_000_000_000, "{base:?}");
		let more_records = spec().cost(&DIGITS, 17_970);
		assert!(more_records.bytes > base.bytes && more_records.flops > 9 * base.flops);
		let more_epochs = ModelSpec { epochs: 200, ..spec() }.cost(&DIGITS, 1_797);
		assert!(more_epochs.flops > base.flops && more_epochs.bytes == base.bytes);
		let wider = ModelSpec { architecture: Architecture::Mlp2 { hidden: [256, 256] }, ..spec() };
		let wider = wider.cost(&DIGITS, 1_797);
		assert!(wider.bytes > base.bytes && wider.flops > base.flops);
		let soft = ModelSpec { architecture: Architecture::SoftmaxRegression, ..spec() };
		assert!(soft.cost(&DIGITS, 1_797).bytes < base.bytes);
		// Nothing overflows: the largest spec on the largest version saturates.
		let huge = ModelSpec {
			featurizer: Featurizer::HashedNgrams { dims: u32::MAX },
			architecture: Architecture::Mlp2 { hidden: [u16::MAX, u16::MAX] },
			epochs: u16::MAX,
			..spec()
		};
		let cost = huge.cost(&Schema::Text { classes: u16::MAX }, u32::MAX);
		assert_eq!(cost, SpecCost { bytes: u64::MAX, flops: u64::MAX, query_flops: u64::MAX });
		assert_eq!(cost.within(&cost), Ok(()));
		let replayed = ModelSpec { method: AttributionMethod::Replay, ..huge };
		assert_eq!(replayed.cost(&Schema::Text { classes: u16::MAX }, u32::MAX), cost);
		assert_eq!(
			base.within(&SpecCost { flops: base.flops - 1, ..cost }),
			Err(SpecError::ComputeOverLimit)
		);
		assert_eq!(
			base.within(&SpecCost { query_flops: base.query_flops - 1, ..cost }),
			Err(SpecError::QueryOverLimit)
		);
	}

	#[test]
	fn replay_costs_a_few_trainings_a_query_and_needs_a_training_to_replay() {
		let influence = spec().cost(&DIGITS, 1_797);
		let replay = ModelSpec { method: AttributionMethod::Replay, ..spec() };
		let cost = replay.cost(&DIGITS, 1_797);
		// Training and preparing the quality flags cost the same; each query costs four
		// trainings' estimate, where K-FAC's costs a fraction of one.
		assert_eq!(cost.flops, influence.flops);
		let params = 65 * 64 + 65 * 32 + 33 * 10;
		let training = 6 * 20 * 1_797 * params;
		assert!(cost.query_flops >= 4 * training, "{cost:?}");
		assert!(influence.query_flops < training / 100, "{influence:?}");
		// It keeps every epoch's start: more memory, growing with the epochs.
		assert!(cost.bytes > influence.bytes);
		let longer = ModelSpec { epochs: 40, ..replay }.cost(&DIGITS, 1_797);
		assert!(longer.bytes > cost.bytes && longer.query_flops > cost.query_flops);
		assert_eq!(replay.check(&DIGITS, &LIMITS), Ok(()));
		// An index has no training to replay.
		let text = Schema::Text { classes: 2 };
		let gram = ModelSpec {
			featurizer: Featurizer::Words,
			architecture: Architecture::InfiniGram { max_tokens: 8 },
			..replay
		};
		assert_eq!(gram.check(&text, &LIMITS), Err(SpecError::MethodMismatch));
		let gram = ModelSpec { method: AttributionMethod::Influence, ..gram };
		assert_eq!(gram.check(&text, &LIMITS), Ok(()));
	}

	#[test]
	fn a_spec_of_before_methods_decodes_as_one_attributed_by_influence() {
		let old = ModelSpecV1 {
			featurizer: Featurizer::Raw,
			architecture: Architecture::Mlp1 { hidden: 32 },
			epochs: 30,
			learning_rate: Perbill::from_percent(5),
			batch_size: 16,
			l2: Perbill::from_parts(10),
			seed: 3,
		};
		let new = old.upgrade();
		assert_eq!(new.method, AttributionMethod::Influence);
		// Today's encoding is the old one with the method appended: a stored spec upgrades
		// by decoding the old layout, and nothing else moves.
		let mut bytes = old.encode();
		bytes.push(0);
		assert_eq!(new.encode(), bytes);
		assert_eq!(ModelSpecV1::decode(&mut &old.encode()[..]).map(ModelSpecV1::upgrade), Ok(new));
	}

	#[test]
	fn a_position_locates_its_source_and_its_place_in_that_version() {
		let source = |datanet, records, weight| Source { datanet, version: 1, records, weight };
		let sources = [source(4, 3, 1), source(9, 0, 2), source(2, 5, 2)];
		let located: Vec<_> = (0..9).map(|p| locate(&sources, p)).collect();
		assert_eq!(
			located,
			[
				Some((0, 0)),
				Some((0, 1)),
				Some((0, 2)),
				// The empty source holds no position.
				Some((2, 0)),
				Some((2, 1)),
				Some((2, 2)),
				Some((2, 3)),
				Some((2, 4)),
				None,
			]
		);
		assert_eq!(positions(&sources), Some(8));
		assert_eq!(weighted_records(&sources), 3 + 10);
		let model = Model {
			owner: 0u8,
			sources: sources.to_vec(),
			spec: spec(),
			fee: 0u8,
			status: ModelStatus::Training,
			deposit: 0u8,
			metadata: Vec::<u8>::new(),
		};
		assert_eq!(model.locate(4), Some((2, 1, 1)));
		assert_eq!(model.locate(8), None);
		assert_eq!(model.datanet(), Some(4));
		// One source: positions are the version's own.
		assert_eq!(locate(&sources[..1], 2), Some((0, 2)));
		// Counts past u32 neither wrap nor panic.
		let huge = [source(1, u32::MAX, MAX_SOURCE_WEIGHT), source(2, 1, 1)];
		assert_eq!(positions(&huge), None);
		assert_eq!(weighted_records(&huge), u32::MAX);
		assert_eq!(locate(&huge, u32::MAX - 1), Some((0, u32::MAX - 1)));
		assert_eq!(locate(&huge, u32::MAX), None);
	}
}
