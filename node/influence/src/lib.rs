//! # The OpenLedger influence engine
//!
//! Native, `std`-only code that Proof of Attribution runs in the off-chain worker of every
//! attestor: it turns Datanet records into features, trains the model a spec describes, and
//! says how much each training record influenced a prediction. It never becomes a dependency
//! of the runtime.
//!
//! Built so far:
//! - [`featurize`]: text (hashed word unigrams and bigrams plus character trigrams, signed,
//!   L2-normalised) and dense (scaled integers) featurizers;
//! - [`split`]: the deterministic held-out split, chosen from record hashes;
//! - [`shares`]: scores to parts per billion by largest-remainder rounding, summing to exactly
//!   10^9;
//! - [`linalg`]: row-major f64 matrices whose products candle computes;
//! - [`model`]: softmax regression and ReLU MLPs with cross-entropy and L2, forward and
//!   backward passes, seeded ChaCha initialisation and the canonical weights hash;
//! - [`train`]: deterministic minibatch SGD with momentum and checkpoints;
//! - [`influence::exact`]: the damped influence function of softmax regression in closed form,
//!   and self-influence, checked against leave-one-out retraining;
//! - [`influence::tracin`]: TracIn-CP for MLPs with the per-layer ghost dot product, checked
//!   against materialised per-example gradients;
//! - [`influence::kfac`]: K-FAC influence for MLPs.
//!
//! Quality on the digits set: `cargo run --release -p openledger-influence --example evaluate`.
//!
//! Still to come: EK-FAC, the engine API with its
//! cache and safetensors persistence, and the evaluation program (LDS, mislabel AUC, cost).

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
