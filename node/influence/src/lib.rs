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
//! - [`linalg`]: row-major f64 matrices whose products candle computes (its gemm kernel), and
//!   Cholesky and Jacobi eigen factorisations;
//! - [`model`]: softmax regression and ReLU MLPs with cross-entropy and L2, forward and
//!   backward passes, seeded ChaCha initialisation and the canonical weights hash;
//! - [`train`]: deterministic minibatch SGD with momentum and checkpoints;
//! - [`influence`]: the [`influence::Attribution`] methods: exact influence for softmax
//!   regression (dense or Woodbury), TracIn-CP with ghost dot products, K-FAC and EK-FAC for
//!   MLPs, each with self-influence.
//!
//! Quality on digits: `cargo run --release -p openledger-influence --example evaluate`; cost at
//! scale: `cargo run --release -p openledger-influence --example throughput`.

pub mod chain;
pub mod engine;
pub mod error;
pub mod featurize;
pub mod influence;
pub mod linalg;
pub mod model;
pub mod persist;
pub mod shares;
pub mod split;
pub mod train;

pub use engine::{DatasetKey, Engine, Prediction, Record, Share, TrainReport};
pub use error::EngineError;
