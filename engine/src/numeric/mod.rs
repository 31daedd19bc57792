//! The engine's numerics, bit-identical on every CPU: the matrix product ([`kernel`]), row-major
//! f64 matrices and their factorisations ([`linalg`]), and the candle custom ops training and
//! inference run on ([`tensor`], with the row softmax [`tensor::softmax_rows`]).
//!
//! Nothing here knows about models or records: the classifiers, the attribution methods and the
//! API build on it, never the reverse.

pub mod kernel;
pub mod linalg;
pub mod tensor;
