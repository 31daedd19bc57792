//! The pallet's logic by feature; `lib.rs` holds the pallet's sections and thin calls.

pub mod claims;
pub mod distribution;
pub mod emission;
pub mod payees;
pub mod revenue;
