//! `openledger-node`: the node binary of the OpenLedger chain.

#![warn(missing_docs)]

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod engine_metrics;
mod preview;
mod rpc;
mod service;
mod worker_pool;

fn main() -> sc_cli::Result<()> {
	command::run()
}
