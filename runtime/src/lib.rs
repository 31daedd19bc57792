//! # OpenLedger runtime
//!
//! The state transition function of the OpenLedger chain. This crate composes the FRAME pallets
//! (see [`runtime`] for the list and their indices), sets their parameters in [`configs`],
//! exposes the runtime APIs in [`apis`] and ships the `dev` and `local` genesis presets in
//! [`genesis_config_presets`].
//!
//! - Native token: OPEN, 18 decimals (see [`openledger_primitives::currency`]).
//! - Consensus: Aura block production with 6 s slots and GRANDPA finality, by a validator set
//!   that changes at session boundaries; see [`configs::validators`].
//! - Fees: paid in OPEN, by weight and length; see [`configs::monetary`].
//! - The data layer: Datanets, models and agents; see [`configs::data`].
//! - Proof of Attribution and rewards; see [`configs::attribution`].
//! - Governance: OpenGov referenda on five tracks, and the treasury; see [`governance`].

#![cfg_attr(not(feature = "std"), no_std)]
// `construct_runtime` and `impl_runtime_apis` generate large nested types.
#![recursion_limit = "256"]

#[cfg(feature = "std")]
include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));

extern crate alloc;

use alloc::vec::Vec;

pub mod apis;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod governance;
pub mod migrations;

use sp_runtime::{generic, impl_opaque_keys, traits::BlakeTwo256};
use sp_version::{runtime_version, RuntimeVersion};

pub use openledger_primitives::{
	currency::{self, EXISTENTIAL_DEPOSIT, MICRO_OPEN, MILLI_OPEN, OPEN},
	time::{self, DAYS, HOURS, MILLISECS_PER_BLOCK, MINUTES, SLOT_DURATION},
	AccountId, Balance, BlockNumber, Hash, Moment, Nonce, Signature,
};

pub use frame_metadata_hash_extension::CheckMetadataHash;
pub use frame_system::Call as SystemCall;
pub use pallet_agents::Call as AgentsCall;
pub use pallet_attribution::{
	answer_payload, ocw::answered_key, CheckAttestation, Outcome as AttestationOutcome,
	KEY_TYPE as ATTESTOR_KEY_TYPE,
};

/// The most records an inference's result names (`attribution.MaxTopK`): what the off-chain
/// worker asks of the engine, and what an attestor node's `attribution_answer` does too.
pub const MAX_TOP_K: u32 = 16;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Opaque types for the node: it handles blocks and extrinsics without knowing the runtime's
/// concrete call types, so it keeps syncing across runtime upgrades.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
	/// Opaque block identifier type.
	pub type BlockId = generic::BlockId<Block>;

	impl_opaque_keys! {
		/// The session keys of a validator: Aura for block production and GRANDPA for finality.
		/// An attestor's `attr` key ([`crate::ATTESTOR_KEY_TYPE`]) is not one: it must not change
		/// at a session boundary, and an attestor need not validate (see `docs/validators.md`).
		pub struct SessionKeys {
			pub aura: Aura,
			pub grandpa: Grandpa,
		}
	}
}

/// Declares [`VERSION`] with the given `spec_version` (`runtime_version` wants a literal).
macro_rules! runtime_version {
	($spec_version:tt) => {
		/// The runtime's version. Bump `spec_version` with every change to the state transition
		/// function, and `transaction_version` with every change to the call or extension
		/// encoding.
		#[runtime_version]
		pub const VERSION: RuntimeVersion = RuntimeVersion {
			spec_name: alloc::borrow::Cow::Borrowed("openledger"),
			impl_name: alloc::borrow::Cow::Borrowed("openledger-node"),
			authoring_version: 1,
			spec_version: $spec_version,
			impl_version: 1,
			apis: apis::RUNTIME_API_VERSIONS,
			// 2: `CheckMetadataHash` joined the transaction extensions. 3: the spec that
			// `models.register` takes lost `checkpoints`.
			transaction_version: 3,
			system_version: 1,
		};
	};
}

// 101: sessions, the collator selection, proxies and multisig accounts.
#[cfg(not(feature = "bump-spec-version"))]
runtime_version!(101);
// The same runtime one `spec_version` higher: the build script makes it as a second blob, which
// the end-to-end tests enact by a `root` referendum to rehearse a runtime upgrade.
#[cfg(feature = "bump-spec-version")]
runtime_version!(102);

/// The address format for describing accounts.
pub type Address = sp_runtime::MultiAddress<AccountId, ()>;
/// Block header type as expected by this runtime.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block type as expected by this runtime.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// A block identifier.
pub type BlockId = generic::BlockId<Block>;

/// The transaction extensions: checks and payments that every signed transaction goes through.
///
/// `CheckAttestation` makes an attestation that would fail (late, duplicate, from a signer that
/// may not answer) invalid before any fee is taken, so it is never included or charged.
/// `CheckMetadataHash` lets a signer that holds only a digest of the metadata (Ledger's generic
/// app, Polkadot Vault) have the chain check that digest: with mode 1 the signed payload includes
/// the metadata hash that the build put into the blob (see build.rs), so a transaction signed
/// against other metadata fails its signature check. Mode 0 signs without it.
/// `WeightReclaim` comes last so that it can refund the weight the call did not use.
pub type TxExtension = (
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_attribution::CheckAttestation<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// The extensions of a signed transaction with `era` and `nonce`, no tip and no metadata hash:
/// what the off-chain worker, the node's benchmarks and the runtime's tests sign.
pub fn tx_extension(era: generic::Era, nonce: Nonce) -> TxExtension {
	(
		frame_system::CheckNonZeroSender::<Runtime>::new(),
		frame_system::CheckSpecVersion::<Runtime>::new(),
		frame_system::CheckTxVersion::<Runtime>::new(),
		frame_system::CheckGenesis::<Runtime>::new(),
		frame_system::CheckEra::<Runtime>::from(era),
		frame_system::CheckNonce::<Runtime>::from(nonce),
		frame_system::CheckWeight::<Runtime>::new(),
		pallet_attribution::CheckAttestation::<Runtime>::new(),
		pallet_transaction_payment::ChargeTransactionPayment::<Runtime>::from(0),
		frame_metadata_hash_extension::CheckMetadataHash::<Runtime>::new(false),
		frame_system::WeightReclaim::<Runtime>::new(),
	)
}

/// Unchecked extrinsic type as expected by this runtime.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// The payload being signed in transactions.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run on a runtime upgrade, beyond the pallets' own ([`migrations`]).
type Migrations = migrations::Migrations;

/// Executive: dispatches extrinsics to the pallets and runs the block hooks.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

/// The pallets of the runtime and their indices. Indices are part of the encoding of calls,
/// events and storage keys: never reuse or change one.
#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// Core and consensus.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	// The validator set, declared before Aura and GRANDPA: genesis builds the invulnerables,
	// then the session that hands Aura and GRANDPA their authorities, and each block notes its
	// author and may end a session before Aura checks its slot.
	#[runtime::pallet_index(16)]
	pub type Authorship = pallet_authorship;
	#[runtime::pallet_index(17)]
	pub type CollatorSelection = pallet_collator_selection;
	#[runtime::pallet_index(18)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;

	// The OPEN token and fees.
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;

	// Utilities and administration.
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;
	#[runtime::pallet_index(7)]
	pub type Utility = pallet_utility;
	#[runtime::pallet_index(8)]
	pub type Proxy = pallet_proxy;
	#[runtime::pallet_index(9)]
	pub type Multisig = pallet_multisig;

	// Governance.
	#[runtime::pallet_index(10)]
	pub type Scheduler = pallet_scheduler;
	#[runtime::pallet_index(11)]
	pub type Preimage = pallet_preimage;
	#[runtime::pallet_index(12)]
	pub type Referenda = pallet_referenda;
	#[runtime::pallet_index(13)]
	pub type ConvictionVoting = pallet_conviction_voting;
	#[runtime::pallet_index(14)]
	pub type Origins = crate::governance::origins;
	#[runtime::pallet_index(15)]
	pub type Treasury = pallet_treasury;

	// The data layer.
	#[runtime::pallet_index(20)]
	pub type Datanets = pallet_datanets;
	#[runtime::pallet_index(21)]
	pub type Models = pallet_models;
	#[runtime::pallet_index(22)]
	pub type Agents = pallet_agents;
	#[runtime::pallet_index(23)]
	pub type Attribution = pallet_attribution;
	#[runtime::pallet_index(24)]
	pub type Rewards = pallet_rewards;

	// Datanets, models and agents as NFTs.
	#[runtime::pallet_index(25)]
	pub type Nfts = pallet_nfts;
}

#[cfg(test)]
mod tests;
