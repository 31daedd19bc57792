//! The pallet's logic by feature; `lib.rs` holds the pallet's sections and thin calls.

pub mod manage;
pub mod register;
pub mod training;
