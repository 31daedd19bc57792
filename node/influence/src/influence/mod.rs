//! Attribution methods: how much each training record influenced a prediction.
//!
//! A *score* is positive for a proponent (a record whose up-weighting would lower the loss of
//! the query's predicted label) and negative for an opponent.
//!
//! - [`exact`]: softmax regression, the damped influence function in closed form;
//! - [`tracin`]: MLPs, TracIn-CP with the per-layer ghost dot product;
//! - [`kfac`]: MLPs, the influence function with Kronecker-factored curvature.

pub mod exact;
pub mod kfac;
pub mod tracin;
