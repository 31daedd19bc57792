//! The classifiers: from a Datanet version's records to a trained model and its attribution.
//!
//! - [`featurize`]: text (hashed word unigrams and bigrams plus character trigrams, signed,
//!   L2-normalised) and dense (scaled integers) featurizers;
//! - [`holdout`]: the deterministic held-out split, chosen from record hashes;
//! - [`model`]: softmax regression and ReLU MLPs with cross-entropy and L2 ([`model::Network`]):
//!   their parameters as candle tensors with the forward and backward passes on them, seeded
//!   ChaCha initialisation and the canonical weights hash;
//! - [`train`]: deterministic minibatch SGD with momentum on candle tensors,
//!   each epoch in an order set by the records' hashes;
//! - [`methods`]: the [`methods::Attribution`] methods the engine runs: exact influence for
//!   softmax regression (dense or Woodbury) and K-FAC for MLPs, each with self-influence;
//! - [`quality`]: the quality flags of a training, agreed on chain with its outcome: the most
//!   suspect records by self-influence, and near-duplicates (L1 for Dense, word-shingle Jaccard
//!   for Text).
//!
//! It builds on [`crate::numeric`] only; the API ([`crate::api`]) builds on it.

pub mod featurize;
pub mod holdout;
pub mod methods;
pub mod model;
pub mod quality;
pub mod train;
