//! The pallet's logic by feature; `lib.rs` holds the pallet's sections and thin calls.

pub mod inference;
pub mod moderation;
pub mod register;
pub mod unbonding;
