//! The engine's numerics, bit-identical on every CPU. candle's `Tensor` (f64, on the CPU) is the
//! engine's one tensor type; what runs on it is the engine's own: the matrix product
//! ([`kernel`]), the candle custom ops and helpers that training, inference and attribution run
//! on ([`tensor`]), and the factorisations ([`linalg`]).
//!
//! Nothing here knows about models or records: the classifiers, the attribution methods and the
//! API build on it, never the reverse.

pub mod kernel;
pub mod linalg;
pub mod tensor;
