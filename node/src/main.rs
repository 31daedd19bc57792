//! `openledger-node`: the node binary of the OpenLedger chain.

#![warn(missing_docs)]

mod attribution;
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
