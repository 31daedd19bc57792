//! Command-line interface: the SDK's standard node options and subcommands, plus `--sealing`.

use sc_cli::RunCmd;

/// How blocks are authored on a development chain.
#[derive(Debug, Copy, Clone, PartialEq, Eq, clap::ValueEnum)]
pub enum Sealing {
	/// A block as soon as a transaction enters the pool, finalised at once.
	Instant,
	/// A block on each `engine_createBlock` RPC call (finalised when the call asks for it).
	Manual,
}

/// The `openledger-node` command line.
#[derive(Debug, clap::Parser)]
pub struct Cli {
	/// A subcommand; without one the node runs.
	#[command(subcommand)]
	pub subcommand: Option<Subcommand>,

	#[allow(missing_docs)]
	#[clap(flatten)]
	pub run: RunCmd,

	/// Development sealing instead of Aura + GRANDPA: `instant` or `manual`.
	///
	/// Only for development and tests, on a single node. With `manual`, blocks are created by
	/// the `engine_createBlock(createEmpty, finalize, parentHash)` RPC call and finalised by
	/// `engine_finalizeBlock`.
	#[arg(long, value_enum, ignore_case = true)]
	pub sealing: Option<Sealing>,
}

/// The subcommands of `openledger-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export the chain specification of a known chain (`dev`, `local`) or of a file.
	ExportChainSpec(sc_cli::ExportChainSpecCmd),

	/// Validate blocks.
	CheckBlock(sc_cli::CheckBlockCmd),

	/// Export blocks.
	ExportBlocks(sc_cli::ExportBlocksCmd),

	/// Export the state of a given block into a chain spec.
	ExportState(sc_cli::ExportStateCmd),

	/// Import blocks.
	ImportBlocks(sc_cli::ImportBlocksCmd),

	/// Remove the whole chain.
	PurgeChain(sc_cli::PurgeChainCmd),

	/// Revert the chain to a previous state.
	Revert(sc_cli::RevertCmd),

	/// Benchmarks: `pallet` (needs `--features runtime-benchmarks`), `overhead`, `machine`,
	/// `block`, `storage`, `extrinsic`.
	#[command(subcommand)]
	Benchmark(frame_benchmarking_cli::BenchmarkCmd),

	/// Database metadata.
	ChainInfo(sc_cli::ChainInfoCmd),
}
