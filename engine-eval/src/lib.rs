//! # The OpenLedger engine's evaluation crate
//!
//! What measures the attribution engine (`openledger-influence`) but never runs on an attestor:
//! the research attribution methods, the reference implementations, and the examples that
//! measure quality and cost (`examples/`, run with
//! `cargo run --release -p openledger-engine-eval --example NAME`).
//!
//! - [`tracin`]: TracIn-CP with the per-layer ghost dot product, on the checkpoints that a
//!   training asks for (`Hyper::checkpoints`; the chain's models keep none), with its
//!   materialised-gradient reference ([`tracin::naive_scores`]);
//! - [`ekfac`]: EK-FAC influence for MLPs, K-FAC's eigenbasis with corrected eigenvalues.
//!
//! The softmax regression trained to its optimum by Newton steps, which checks the exact
//! influence function against retraining, is the engine's own
//! (`classifier::methods::exact::newton_fit`, with its `reference` feature).
//!
//! Each method implements the engine's
//! [`Attribution`](openledger_influence::classifier::methods::Attribution) trait, so the
//! examples compare them with the engine's own methods on equal terms.

pub mod ekfac;
pub mod tracin;

/// A distinct key per record, to order the epochs of the tests' trainings (as the engine's own
/// tests do).
#[cfg(test)]
pub(crate) fn keys(n: usize) -> Vec<[u8; 32]> {
	(0..n as u32).map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes()).collect()
}
