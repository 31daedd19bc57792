//! Command-line interface: the SDK's standard node options and subcommands, plus `--sealing`
//! and the attribution engine's budget.

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

	/// A directory for wasmtime's cache of the runtime compiled to native code.
	///
	/// Without it, the node compiles the runtime at every start (2.7 s of a debug build's 3 s
	/// start). With it, the compiled runtime is read back, at the next start or by any node
	/// given the same directory; entries are keyed by the runtime's bytes and the compiler's
	/// settings.
	#[arg(long, value_name = "DIR")]
	pub wasm_cache: Option<std::path::PathBuf>,

	/// The most memory, in MiB, that the attribution engine may use for one model.
	///
	/// A model whose estimated cost on its Datanet version (`ModelSpec::cost`, the estimate the
	/// chain's `models.CostLimit` bounds) is above it is not trained or attributed here: the
	/// off-chain worker logs why and leaves the job to other attestors.
	#[arg(long, default_value_t = openledger_influence::DEFAULT_BUDGET.bytes >> 20)]
	pub attribution_memory_mib: u64,

	/// The most arithmetic, in GFLOP (10^9 floating-point operations), that the attribution
	/// engine may spend on one model: its time budget, counted in operations so that it does
	/// not depend on the machine's load.
	#[arg(long, default_value_t = openledger_influence::DEFAULT_BUDGET.flops / 1_000_000_000)]
	pub attribution_gflop: u64,

	/// The most arithmetic, in GFLOP, that the attribution engine may spend on one inference of
	/// a model (`ModelSpec::cost`'s `query_flops`, which `models.CostLimit` bounds too): a
	/// model attributed by replay costs a few trainings a query. A model over it is not
	/// trained or attributed here.
	#[arg(long, default_value_t = openledger_influence::DEFAULT_BUDGET.query_flops / 1_000_000_000)]
	pub attribution_query_gflop: u64,

	/// The most memory, in MiB, that the attribution engine holds at once: Datanet versions,
	/// trained models and ∞-gram indexes together. Over it, the least recently used model or
	/// unused version leaves first (a model's file stays on disk, and it is restored when
	/// needed).
	#[arg(long, default_value_t = openledger_influence::DEFAULT_MEMORY >> 20)]
	pub attribution_held_mib: u64,

	/// The most trained models the attribution engine keeps in memory; the one unused longest
	/// leaves first (its file stays on disk, and it is restored when needed).
	#[arg(long, default_value_t = openledger_influence::DEFAULT_MAX_MODELS)]
	pub attribution_max_models: usize,

	/// The most model files the attribution engine keeps under the chain's `attribution`
	/// directory; the one written or read longest ago is deleted first.
	#[arg(long, default_value_t = openledger_influence::DEFAULT_MAX_STORED)]
	pub attribution_max_stored_models: usize,

	/// The off-chain worker's time budget per block, in milliseconds.
	///
	/// The worker takes the open jobs of its committees earliest deadline first and checks the
	/// budget before each; the jobs left when it is spent wait for the next block. A job
	/// started within it runs to its end (a training job may take longer; the memory and GFLOP
	/// budgets bound that).
	#[arg(long, default_value_t = openledger_primitives::attribution::DEFAULT_WORKER_BUDGET_MS)]
	pub attribution_worker_ms: u64,
}

/// What the attribution engine may hold, from the `--attribution-*` options.
#[derive(Clone, Copy, Debug)]
pub struct EngineLimits {
	/// The budget for each model.
	pub budget: openledger_primitives::models::SpecCost,
	/// Trained models kept in memory.
	pub max_models: usize,
	/// The most bytes the engine holds at once.
	pub memory: u64,
	/// Model files kept on disk.
	pub max_stored: usize,
	/// The off-chain worker's time budget per block, in milliseconds.
	pub worker_ms: u64,
}

impl Cli {
	/// The engine's limits, from the `--attribution-*` options.
	pub fn engine_limits(&self) -> EngineLimits {
		EngineLimits {
			budget: openledger_primitives::models::SpecCost {
				bytes: self.attribution_memory_mib.saturating_mul(1 << 20),
				flops: self.attribution_gflop.saturating_mul(1_000_000_000),
				query_flops: self.attribution_query_gflop.saturating_mul(1_000_000_000),
			},
			max_models: self.attribution_max_models,
			memory: self.attribution_held_mib.saturating_mul(1 << 20),
			max_stored: self.attribution_max_stored_models,
			worker_ms: self.attribution_worker_ms,
		}
	}
}

/// The subcommands of `openledger-node`.
#[derive(Debug, clap::Subcommand)]
#[allow(clippy::large_enum_variant)]
pub enum Subcommand {
	/// Key management: generate, inspect, insert keys into the keystore.
	#[command(subcommand)]
	Key(sc_cli::KeySubcommand),

	/// Export the chain specification of a known chain (`dev`, `local`, `staging`) or of a file.
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
