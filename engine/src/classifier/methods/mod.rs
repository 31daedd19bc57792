//! Attribution methods: how much each training record influenced a prediction.
//!
//! A *score* is positive for a proponent (a record whose up-weighting would lower the loss of
//! the query's predicted label) and negative for an opponent.
//!
//! The methods the engine runs in production:
//! - [`exact`]: softmax regression, the damped influence function in closed form;
//! - [`kfac`]: MLPs, the influence function with Kronecker-factored curvature;
//! - [`replay`]: any classifier, the exact metagradient through its recorded training (a
//!   record's weight's effect on the query, step by step), at a few trainings per query.
//!
//! The research methods (TracIn-CP with the ghost dot product, EK-FAC) and the reference
//! implementations live in the evaluation crate, `openledger-engine-eval`, beside the examples
//! that measure them. They implement [`Attribution`] and the blocked scoring below ([`Blocked`],
//! [`Scratch`], [`for_each_block`], [`blocked_scores`], [`TILE`]), which is public for them.

use candle_core::Tensor;
use rayon::prelude::*;

use crate::{
	error::EngineError,
	numeric::{
		kernel::Packed,
		tensor::{matrix, transpose, values},
	},
};

/// An attribution method prepared on a trained model and its training set.
pub trait Attribution: Send + Sync {
	/// Scores `[n, m]` of the `n` training records for `m` queries (`[m, D]`), each measured on
	/// the loss of its label in `labels` (usually the predicted one).
	fn scores(&self, queries: &Tensor, labels: &[usize]) -> Result<Tensor, EngineError>;

	/// The self-influence of every training record: high for records the model finds hard to
	/// fit, such as mislabelled ones.
	fn self_influence(&self) -> Result<Vec<f64>, EngineError>;
}

/// Training records per block of a [`Blocked`] method: a block's three `[TILE, m]` buffers
/// (scores and two products) stay in L2 for 1,000 queries. Blocks of 256 ran at half the rate.
pub const TILE: usize = 64;

/// The two product buffers of one block, reused from block to block (public for the methods of
/// the evaluation crate).
#[derive(Default)]
pub struct Scratch {
	/// The first product of a block (`[count, m]`).
	pub aa: Vec<f64>,
	/// The second product of a block (`[count, m]`).
	pub dd: Vec<f64>,
}

/// A method whose scores are, per block of training records, sums of element-wise products of
/// two matrix products (TracIn's ghost product, K-FAC): it runs in parallel blocks, either into
/// the whole `[n, m]` score matrix or one block at a time. Each value is computed by one thread
/// in one order, so the bits do not depend on the thread count. Public so that the evaluation
/// crate's TracIn-CP runs on the same blocks.
pub trait Blocked: Sync {
	/// What the queries contribute to every block, prepared once.
	type Queries: Sync;

	/// The number of training records.
	fn count(&self) -> usize;

	/// Prepares the queries' part.
	fn prepare_queries(
		&self,
		queries: &Tensor,
		labels: &[usize],
	) -> Result<Self::Queries, EngineError>;

	/// Adds the scores of training records `first..first + out.len() / m` to `out`
	/// (`[count, m]`, zeros on entry).
	fn score_block(
		&self,
		q: &Self::Queries,
		first: usize,
		out: &mut [f64],
		m: usize,
		s: &mut Scratch,
	) -> Result<(), EngineError>;
}

/// Calls `f(first, scores)` for each block of training records, with their scores `[count, m]`
/// for the `m` queries, without holding all `n · m` scores. Blocks run in parallel, in no
/// particular order.
pub fn for_each_block<B: Blocked>(
	method: &B,
	queries: &Tensor,
	labels: &[usize],
	f: impl Fn(usize, &[f64]) + Sync,
) -> Result<(), EngineError> {
	let (n, m) = (method.count(), queries.dim(0)?);
	if m == 0 {
		return Ok(());
	}
	let q = method.prepare_queries(queries, labels)?;
	(0..n.div_ceil(TILE)).into_par_iter().try_for_each_init(
		|| (Scratch::default(), Vec::new()),
		|(scratch, out), b| {
			let first = b * TILE;
			out.clear();
			out.resize(TILE.min(n - first) * m, 0.0);
			method.score_block(&q, first, out, m, scratch)?;
			f(first, out);
			Ok(())
		},
	)
}

/// The scores `[n, m]` of every training record for the `m` queries.
pub fn blocked_scores<B: Blocked>(
	method: &B,
	queries: &Tensor,
	labels: &[usize],
) -> Result<Tensor, EngineError> {
	let (n, m) = (method.count(), queries.dim(0)?);
	let mut total = vec![0.0; n * m];
	if m > 0 {
		let q = method.prepare_queries(queries, labels)?;
		total
			.par_chunks_mut(TILE * m)
			.enumerate()
			.try_for_each_init(Scratch::default, |s, (b, out)| {
				method.score_block(&q, b * TILE, out, m, s)
			})?;
	}
	Ok(matrix(n, m, total)?)
}

/// `xᵀ`, packed as the right-hand side of products ([`Packed`]).
pub fn packed_t(x: &Tensor) -> Result<Packed, EngineError> {
	let (rows, cols) = x.dims2()?;
	Ok(Packed::new(&values(&transpose(x)?)?, cols, rows))
}

/// Rows `first..first + count` of the `[n, cols]` values `x`, as one slice.
pub fn rows(x: &[f64], cols: usize, first: usize, count: usize) -> &[f64] {
	&x[first * cols..(first + count) * cols]
}

pub mod exact;
pub mod kfac;
pub mod replay;
