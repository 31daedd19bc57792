//! # The OpenLedger influence engine
//!
//! Native, `std`-only code that Proof of Attribution runs in the off-chain worker of every
//! attestor: it turns Datanet records into features, trains the model a spec describes, and
//! says how much each training record influenced a prediction. It never becomes a dependency
//! of the runtime.
//!
//! - [`chain`]: the engine behind the chain's `AttributionEngine` trait, for the off-chain
//!   worker's host functions;
//! - [`engine`]: the API the off-chain worker calls: chunked ingest of a Datanet version, train,
//!   infer with top-K proponents and opponents as shares, self-influence; models cached in
//!   memory and on disk ([`persist`], safetensors);
//! - [`featurize`]: text (hashed word unigrams and bigrams plus character trigrams, signed,
//!   L2-normalised) and dense (scaled integers) featurizers;
//! - [`split`]: the deterministic held-out split, chosen from record hashes;
//! - [`shares`]: scores to parts per billion by largest-remainder rounding, summing to exactly
//!   10^9;
//! - [`kernel`]: the matrix product, bit-identical on every CPU (always-fused multiply-adds in
//!   one order per output element, vectorised only across output columns);
//! - [`linalg`]: row-major f64 matrices, their products by [`kernel`], and Cholesky and Jacobi
//!   eigen factorisations in fixed orders;
//! - [`tensor`]: the engine's deterministic product, ReLU, ReLU gradient, softmax and row sum
//!   as candle custom ops;
//! - [`model`]: softmax regression and ReLU MLPs with cross-entropy and L2: their parameters
//!   as candle tensors with the forward and backward passes on them ([`model::Parameters`]),
//!   seeded ChaCha initialisation and the canonical weights hash;
//! - [`train`]: deterministic minibatch SGD with momentum and checkpoints on candle tensors,
//!   each epoch in an order set by the records' hashes;
//! - [`influence`]: the [`influence::Attribution`] methods: exact influence for softmax
//!   regression (dense or Woodbury), TracIn-CP with ghost dot products, K-FAC and EK-FAC for
//!   MLPs, each with self-influence;
//! - [`infinigram`]: the ∞-gram language model of Text Datanets: the lossless word tokeniser,
//!   the suffix-array index (libsais), greedy continuation by the longest matching context, and
//!   the attribution of each generated token and verbatim span to the records;
//! - [`quality`]: the quality flags of a training, agreed on chain with its outcome: the most
//!   suspect records by self-influence, and near-duplicates (L1 for Dense, word-shingle Jaccard
//!   for Text).
//!
//! Quality on digits: `cargo run --release -p openledger-influence --example evaluate`; cost at
//! scale: `cargo run --release -p openledger-influence --example throughput`.

pub mod chain;
pub mod engine;
pub mod error;
pub mod featurize;
pub mod infinigram;
pub mod influence;
pub mod kernel;
pub mod linalg;
pub mod model;
pub mod persist;
pub mod quality;
pub mod shares;
pub mod split;
pub mod tensor;
pub mod train;

/// The engine's numeric version (defined, with its history, in the primitives, so that the
/// runtime's genesis requires the version this release computes). The chain records the version
/// its attestors must run, and refuses outcomes of any other.
pub use openledger_primitives::attribution::ENGINE_VERSION;

pub use engine::{
	DatasetKey, Engine, Prediction, Record, Share, TrainReport, Usage, DEFAULT_BUDGET,
	DEFAULT_MAX_MODELS, DEFAULT_MAX_STORED, DEFAULT_MEMORY,
};
pub use error::EngineError;
