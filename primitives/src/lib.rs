//! Core types of the OpenLedger chain.
//!
//! Everything here is shared by the node, the runtime and (in later crates) the pallets and the
//! attribution engine, so that all of them agree on what an account, a balance or a block number
//! is, and on the denomination of the native token OPEN.
//!
//! - [`datanets`], [`models`], [`agents`]: the data layer's ids and types;
//! - [`rewards`]: the split of inference fees;
//! - [`traits`]: how pallets read one another's data without depending on one another;
//! - [`apis`]: the runtime APIs that Polkadot.js, RPC clients and the off-chain worker call;
//! - [`attribution`]: the off-chain worker's boundary with the influence engine: request and
//!   result types, the engine trait, its externalities extension and the host functions;
//! - `migration` (feature `migration`): the storage migration that rewrites every value of a
//!   map, which the pallets' migrations use.
//!
//! The crate is `no_std`.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod agents;
pub mod apis;
pub mod attribution;
pub mod datanets;
#[cfg(feature = "migration")]
pub mod migration;
pub mod models;
pub mod payloads;
pub mod rewards;
pub mod traits;

use sp_runtime::{
	traits::{IdentifyAccount, Verify},
	MultiSignature,
};

/// A transaction signature: sr25519, ed25519 or ecdsa, as Polkadot.js signs by default.
pub type Signature = MultiSignature;

/// An account on the chain: the 32-byte public key of its signing scheme.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;

/// An amount of OPEN, in its smallest unit (1 OPEN = 10^18 units).
pub type Balance = u128;

/// The height of a block.
pub type BlockNumber = u32;

/// The number of transactions an account has sent.
pub type Nonce = u32;

/// A 256-bit hash (blake2-256 for blocks and the state trie).
pub type Hash = sp_core::H256;

/// Milliseconds since the Unix epoch.
pub type Moment = u64;

/// The native token: its symbol, decimals and denominations.
pub mod currency {
	use super::Balance;

	/// Ticker shown by wallets (`system_properties.tokenSymbol`).
	pub const TOKEN_SYMBOL: &str = "OPEN";
	/// Decimal places shown by wallets (`system_properties.tokenDecimals`).
	pub const TOKEN_DECIMALS: u8 = 18;

	/// One OPEN.
	pub const OPEN: Balance = 1_000_000_000_000_000_000;
	/// 10^-3 OPEN.
	pub const MILLI_OPEN: Balance = OPEN / 1_000;
	/// 10^-6 OPEN.
	pub const MICRO_OPEN: Balance = MILLI_OPEN / 1_000;

	/// The minimum balance an account must hold to exist: 0.01 OPEN.
	///
	/// Large enough that creating accounts to bloat state costs real money, small enough that a
	/// data contributor's first reward keeps its account alive.
	pub const EXISTENTIAL_DEPOSIT: Balance = 10 * MILLI_OPEN;
}

/// Block time and the durations derived from it.
pub mod time {
	use super::{BlockNumber, Moment};

	/// The target block time: 6 seconds (Aura slots).
	///
	/// The slot duration cannot change once a chain has started.
	pub const MILLISECS_PER_BLOCK: Moment = 6_000;
	/// The Aura slot duration.
	pub const SLOT_DURATION: Moment = MILLISECS_PER_BLOCK;

	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLISECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
}

/// The SS58 address prefix: 42, the generic Substrate prefix, until a prefix is registered.
pub const SS58_PREFIX: u16 = 42;

#[cfg(test)]
mod tests {
	use super::currency::*;

	#[test]
	fn denominations_match_decimals() {
		assert_eq!(OPEN, 10u128.pow(TOKEN_DECIMALS as u32));
		assert_eq!(MILLI_OPEN * 1_000, OPEN);
		assert_eq!(MICRO_OPEN * 1_000_000, OPEN);
		assert!(EXISTENTIAL_DEPOSIT > 0 && EXISTENTIAL_DEPOSIT < OPEN);
	}
}
