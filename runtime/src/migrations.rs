//! Storage migrations, run by `Executive` when a new runtime is enacted.
//!
//! Every custom pallet declares a storage version (`STORAGE_VERSION`: 3 for datanets, 1 for
//! rewards, 3 for agents, 5 for models, 5 for attribution), which a chain's genesis writes. A chain
//! started before the pallets declared one has version 0 on chain: [`InitialVersion`] moves each
//! pallet from 0 to 1 and touches no other key. Then each pallet's own migrations, in order:
//! - datanets, 1 to 2 (`pallet_datanets::migrations::v2`): each Datanet gets its item in the
//!   Datanets' NFT collection, held by the account stored as its owner; 2 to 3 (`v3`): each
//!   record says where its payload is kept: in state, for every record contributed before
//!   payloads moved to the transaction index (`move_payloads` moves them later);
//! - models, 1 to 2 (`pallet_models::migrations::v2`): a model's spec loses `checkpoints`; 2 to
//!   3 (`v3`): a model's Datanet version becomes its one source; 3 to 4 (`v4`): a model's spec
//!   gets its attribution method (the influence function), and a cost limit its query bound;
//!   4 to 5 (`v5`): each model gets its item in the models' NFT collection, held by the
//!   account stored as its owner;
//! - attribution, 1 to 2 (`pallet_attribution::migrations::v2`): the training outcomes of open
//!   jobs get their quality flags; 2 to 3 (`v3`): the consensus parameters and open jobs get
//!   their engine version; 3 to 4 (`v4`): the flags move into the training records; 4 to 5
//!   (`v5`): an inference's record keeps its `Answer`;
//! - agents, 1 to 2 (`pallet_agents::migrations::v2`): a completed inference's status keeps its
//!   `Answer`; 2 to 3 (`v3`): each agent gets its item in the agents' NFT collection, held by
//!   the account stored as its owner.
//!
//! It is the pattern for the migrations to come. A `VersionedMigration<FROM, TO, Inner, …>`
//! runs `Inner` only where the pallet's version on chain is `FROM`, then writes `TO`, and
//! weighs that read and write; `Inner` does the work and comes with its checks:
//! `pre_upgrade` records what must hold, `post_upgrade` proves it (`try-runtime`'s
//! `on-runtime-upgrade` runs both against a live chain's state). The checks are plain
//! functions as well, so that the runtime's tests run them without the `try-runtime` feature
//! (`runtime/src/tests/migrations.rs`).

use alloc::vec::Vec;
use core::marker::PhantomData;

use frame_support::{
	migrations::VersionedMigration,
	traits::{PalletInfoAccess, UncheckedOnRuntimeUpgrade, STORAGE_VERSION_STORAGE_KEY_POSTFIX},
	weights::Weight,
};
use sp_core::H256;

use crate::{Agents, Attribution, Datanets, Models, Rewards, Runtime};

type DbWeight = <Runtime as frame_system::Config>::DbWeight;

/// The migrations of this runtime, in order.
pub type Migrations = (
	InitialVersion<Datanets>,
	InitialVersion<Models>,
	InitialVersion<Agents>,
	InitialVersion<Attribution>,
	InitialVersion<Rewards>,
	VersionedMigration<
		1,
		2,
		pallet_datanets::migrations::v2::ItemsOfDatanets<Runtime>,
		Datanets,
		DbWeight,
	>,
	VersionedMigration<
		2,
		3,
		pallet_datanets::migrations::v3::PayloadsInState<Runtime>,
		Datanets,
		DbWeight,
	>,
	VersionedMigration<
		1,
		2,
		pallet_models::migrations::v2::DropCheckpoints<Runtime>,
		Models,
		DbWeight,
	>,
	VersionedMigration<
		2,
		3,
		pallet_models::migrations::v3::SourcesOfModels<Runtime>,
		Models,
		DbWeight,
	>,
	VersionedMigration<3, 4, pallet_models::migrations::v4::Methods<Runtime>, Models, DbWeight>,
	VersionedMigration<
		4,
		5,
		pallet_models::migrations::v5::ItemsOfModels<Runtime>,
		Models,
		DbWeight,
	>,
	VersionedMigration<
		1,
		2,
		pallet_attribution::migrations::v2::AddQualityFlags<Runtime>,
		Attribution,
		DbWeight,
	>,
	VersionedMigration<
		2,
		3,
		pallet_attribution::migrations::v3::OneEngineMajorityOfCommittee<Runtime>,
		Attribution,
		DbWeight,
	>,
	VersionedMigration<
		3,
		4,
		pallet_attribution::migrations::v4::FlagsInTrainingRecord<Runtime>,
		Attribution,
		DbWeight,
	>,
	VersionedMigration<
		4,
		5,
		pallet_attribution::migrations::v5::AnswerInRecord<Runtime>,
		Attribution,
		DbWeight,
	>,
	VersionedMigration<
		1,
		2,
		pallet_agents::migrations::v2::AnswerInStatus<Runtime>,
		Agents,
		DbWeight,
	>,
	VersionedMigration<
		2,
		3,
		pallet_agents::migrations::v3::ItemsOfAgents<Runtime>,
		Agents,
		DbWeight,
	>,
);

/// Version 0 to 1 of pallet `P`: the layout did not change; only the version is written.
pub type InitialVersion<P> = VersionedMigration<0, 1, Unchanged<P>, P, DbWeight>;

/// A migration step that changes nothing in `P`'s storage, and checks that: every key and
/// value under the pallet's prefix but its storage version is the same after it as before.
pub struct Unchanged<P>(PhantomData<P>);

impl<P: PalletInfoAccess> UncheckedOnRuntimeUpgrade for Unchanged<P> {
	fn on_runtime_upgrade() -> Weight {
		Weight::zero()
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		use codec::Encode;
		Ok(storage_digest::<P>().encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		use codec::Decode;
		let before = H256::decode(&mut &before[..]).map_err(|_| "the pre-upgrade state")?;
		if storage_digest::<P>() == before {
			Ok(())
		} else {
			Err("a migration that changes nothing changed the pallet's storage".into())
		}
	}
}

/// blake2-256 over every `(key, value)` under pallet `P`'s prefix, in key order, but its
/// storage version. Reads the whole pallet: for checks and tests, never in a block.
pub fn storage_digest<P: PalletInfoAccess>() -> H256 {
	let prefix = sp_io::hashing::twox_128(P::name().as_bytes());
	let version_key =
		[prefix, sp_io::hashing::twox_128(STORAGE_VERSION_STORAGE_KEY_POSTFIX)].concat();
	let mut all = Vec::new();
	let mut key = prefix.to_vec();
	while let Some(next) = sp_io::storage::next_key(&key) {
		if !next.starts_with(&prefix) {
			break;
		}
		if next != version_key {
			let value = sp_io::storage::get(&next).map(|v| v.to_vec()).unwrap_or_default();
			all.extend_from_slice(&(next.len() as u32).to_le_bytes());
			all.extend_from_slice(&next);
			all.extend_from_slice(&(value.len() as u32).to_le_bytes());
			all.extend_from_slice(&value);
		}
		key = next;
	}
	H256(sp_io::hashing::blake2_256(&all))
}
