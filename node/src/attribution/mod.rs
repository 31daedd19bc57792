//! What the node adds to the runtime's off-chain workers for Proof of Attribution: the pool
//! they submit through, the engine's metrics, and where Datanet payloads are read from.

pub mod metrics;
pub mod payloads;
pub mod worker_pool;
