//! The pallet's logic by feature; `lib.rs` holds the pallet's sections and thin calls.

pub mod answer;
pub mod batch;
pub mod challenge;
pub mod commit_reveal;
pub mod committee;
pub mod retention;
pub mod stake;
