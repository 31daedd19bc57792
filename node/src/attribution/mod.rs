//! What the node adds to the runtime's off-chain workers for Proof of Attribution: the pool
//! they submit through, and the engine's metrics.

pub mod metrics;
pub mod worker_pool;
