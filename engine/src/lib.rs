//! # The OpenLedger influence engine
//!
//! Native, `std`-only code that Proof of Attribution runs in the off-chain worker of every
//! attestor: it turns Datanet records into features, trains the model a spec describes, and
//! says how much each training record influenced a prediction. It never becomes a dependency
//! of the runtime.
//!
//! The crate is organised by concept, each depending only on those listed before it:
//! - [`error`]: [`EngineError`], every failure of the engine;
//! - [`shares`]: a record's [`RecordShare`] of a prediction, and scores to parts per billion by
//!   largest-remainder rounding, summing to exactly 10^9;
//! - [`numeric`]: the matrix product, bit-identical on every CPU (always-fused multiply-adds in
//!   one order per output element, vectorised only across output columns); row-major f64
//!   matrices with Cholesky and Jacobi eigen factorisations in fixed orders; and the engine's
//!   deterministic product, ReLU, ReLU gradient, softmax and row sum as candle custom ops;
//! - [`classifier`]: the featurizers, the held-out split, softmax regression and ReLU MLPs on
//!   candle tensors, deterministic minibatch SGD, the attribution methods the
//!   engine runs (exact influence for softmax regression, K-FAC for MLPs, each with
//!   self-influence), and the quality flags of a training (suspects by self-influence,
//!   near-duplicates);
//! - [`infinigram`]: the ∞-gram language model of Text Datanets: the lossless word tokeniser,
//!   the suffix-array index (libsais), greedy continuation by the longest matching context, and
//!   the attribution of each generated token and verbatim span to the records;
//! - [`api`]: the [`Engine`] the off-chain worker calls: chunked ingest of a Datanet version,
//!   train, infer with top-K proponents and opponents as shares, self-influence; models cached
//!   in memory within one memory budget and saved on disk ([`api::store`], safetensors);
//! - [`host`]: the engine behind the chain's `AttributionEngine` trait, for the off-chain
//!   worker's host functions.
//!
//! The research attribution methods (TracIn-CP, EK-FAC), the reference implementations and the
//! measurements live in the evaluation crate, `openledger-engine-eval`. Quality on digits:
//! `cargo run --release -p openledger-engine-eval --example evaluate`; cost at scale:
//! `cargo run --release -p openledger-engine-eval --example throughput`.

pub mod api;
pub mod classifier;
pub mod error;
pub mod host;
pub mod infinigram;
pub mod numeric;
pub mod shares;

/// The engine's numeric version (defined, with its history, in the primitives, so that the
/// runtime's genesis requires the version this release computes). The chain records the version
/// its attestors must run, and refuses outcomes of any other.
pub use openledger_primitives::attribution::{DatasetRef, ENGINE_VERSION};

pub use api::{
	Answer, Engine, Prediction, Record, TrainReport, Usage, DEFAULT_BUDGET, DEFAULT_MAX_MODELS,
	DEFAULT_MAX_STORED, DEFAULT_MEMORY,
};
pub use error::EngineError;
pub use shares::RecordShare;
