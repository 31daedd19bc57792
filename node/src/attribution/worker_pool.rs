//! The transaction pool as the off-chain workers see it.
//!
//! The fork-aware pool's `submit_local`, which the workers' transactions go through by default,
//! answers `Ok` for a transaction that every view of the pool refused, and drops it. A view is
//! the pool at one of its latest blocks, and those may be behind the block a worker ran on: while
//! the node syncs (its workers run on blocks the pool has not processed yet), or just after an
//! import. An answer that is valid only from the worker's block on, such as a reveal in the round
//! that block opened, is then lost while the worker believes it sent, and waits for its claim
//! to lapse.
//!
//! [`WorkerPool`] submits through the pool's asynchronous `submit_one` instead, which reports
//! the refusal; the worker then answers again from the next block.

use std::sync::Arc;

use sc_transaction_pool_api::{
	LocalTransactionFor, LocalTransactionPool, TransactionPool, TransactionSource, TxHash,
};
use sp_runtime::traits::Block as BlockT;

/// A [`LocalTransactionPool`] over `P` that reports every refusal.
pub struct WorkerPool<P> {
	pool: Arc<P>,
	runtime: tokio::runtime::Handle,
}

impl<P> WorkerPool<P> {
	/// Submits to `pool`, waiting for its answer on `runtime` (the node's).
	pub fn new(pool: Arc<P>, runtime: tokio::runtime::Handle) -> Self {
		Self { pool, runtime }
	}
}

impl<P> LocalTransactionPool for WorkerPool<P>
where
	P: TransactionPool + 'static,
{
	type Block = P::Block;
	type Hash = TxHash<P>;
	type Error = P::Error;

	/// Called on a worker's own thread (outside the node's async runtime), so blocking on the
	/// runtime here is allowed.
	fn submit_local(
		&self,
		at: <Self::Block as BlockT>::Hash,
		xt: LocalTransactionFor<Self>,
	) -> Result<Self::Hash, Self::Error> {
		self.runtime.block_on(self.pool.submit_one(at, TransactionSource::Local, xt))
	}
}
