//! The pallet's logic by feature; `lib.rs` holds the pallet's sections and thin calls.

pub mod datanet;
pub mod moderation;
pub mod records;
pub mod versions;
