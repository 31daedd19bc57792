//! The two shapes of the pallets' storage migrations so far, each run by the runtime as the
//! `Inner` of a `VersionedMigration`, so that it runs once:
//! - every value of one map changes layout: a pallet says how one value changes
//!   ([`Rewrite`]); [`RewriteEach`] rewrites the map with it, weighs that, and checks it under
//!   `try-runtime`: before, that every value decodes in the old layout; after, that every
//!   value decodes in the new one and is the old one rewritten;
//! - every asset of one kind gets its NFT: a pallet lists its assets and who gets each item
//!   ([`Minted`]); [`MintEach`] mints those that have none, and checks under `try-runtime` that
//!   every asset's item is held by the account it was minted to.

use alloc::vec::Vec;
use core::marker::PhantomData;

use codec::{Decode, Encode, FullCodec};

use crate::traits::{AssetKind, Holdings};
use frame_support::{
	storage::{IterableStorageMap, StorageMap},
	traits::{Get, UncheckedOnRuntimeUpgrade},
	weights::{RuntimeDbWeight, Weight},
};

/// How the values of one storage map change layout.
pub trait Rewrite {
	/// The map's key.
	type Key: FullCodec;
	/// A value in the old layout.
	type Old: Encode + Decode;
	/// A value in the new layout.
	type New: FullCodec + PartialEq;
	/// The map.
	type Map: IterableStorageMap<Self::Key, Self::New>
		+ StorageMap<Self::Key, Self::New, Query = Option<Self::New>>;
	/// The database's weights.
	type DbWeight: Get<RuntimeDbWeight>;
	/// The storage reads `rewrite` makes for one value, beyond the value itself.
	const READS: u64;

	/// The value in the new layout for one in the old.
	fn rewrite(old: Self::Old) -> Self::New;
}

/// The migration that rewrites every value of `R::Map` with [`Rewrite::rewrite`].
pub struct RewriteEach<R>(PhantomData<R>);

impl<R: Rewrite> RewriteEach<R> {
	/// Every value of the map decoded in the old layout, with its key; those that do not
	/// decode are left out.
	pub fn old_values() -> Vec<(R::Key, R::Old)> {
		R::Map::iter_keys()
			.filter_map(|key| {
				let raw = frame_support::storage::unhashed::get_raw(&R::Map::hashed_key_for(&key))?;
				Some((key, R::Old::decode(&mut &raw[..]).ok()?))
			})
			.collect()
	}
}

impl<R: Rewrite> UncheckedOnRuntimeUpgrade for RewriteEach<R> {
	fn on_runtime_upgrade() -> Weight {
		let mut count = 0u64;
		R::Map::translate::<R::Old, _>(|_, old| {
			count += 1;
			Some(R::rewrite(old))
		});
		R::DbWeight::get().reads_writes((1 + R::READS) * count, count)
	}

	#[cfg(feature = "try-runtime")]
	fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
		let old = Self::old_values();
		frame_support::ensure!(
			old.len() == R::Map::iter_keys().count(),
			"a value does not decode in the old layout"
		);
		Ok(old.encode())
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		let before: Vec<(R::Key, R::Old)> =
			Decode::decode(&mut &before[..]).map_err(|_| "the values before the migration")?;
		frame_support::ensure!(
			R::Map::iter().count() == before.len(),
			"a value does not decode in the new layout"
		);
		for (key, old) in before {
			frame_support::ensure!(
				R::Map::get(&key) == Some(R::rewrite(old)),
				"a value is not the old one rewritten"
			);
		}
		Ok(())
	}
}

/// The assets of one kind, whose items [`MintEach`] mints.
pub trait Minted {
	/// An account.
	type AccountId: PartialEq;
	/// Where the items are.
	type Holdings: Holdings<Self::AccountId>;
	/// The database's weights.
	type DbWeight: Get<RuntimeDbWeight>;
	/// The kind.
	const KIND: AssetKind;

	/// Every asset of the kind, with the account its item goes to.
	fn assets() -> Vec<(u32, Self::AccountId)>;
}

/// The migration that mints each asset of `M` its item, to the account [`Minted::assets`]
/// names, where it has none yet.
pub struct MintEach<M>(PhantomData<M>);

impl<M: Minted> UncheckedOnRuntimeUpgrade for MintEach<M> {
	fn on_runtime_upgrade() -> Weight {
		let assets = M::assets();
		let count = assets.len() as u64;
		for (id, owner) in assets {
			if M::Holdings::holder(M::KIND, id).is_none()
				&& M::Holdings::mint(M::KIND, id, &owner).is_err()
			{
				frame_support::defensive!("an asset's item could not be minted");
			}
		}
		// Per asset: its read, the item's read, and the mint's reads and writes (the
		// collection, the item, its config and the holder's account index).
		M::DbWeight::get().reads_writes(4 * count, 3 * count)
	}

	#[cfg(feature = "try-runtime")]
	fn post_upgrade(_: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
		for (id, owner) in M::assets() {
			frame_support::ensure!(
				M::Holdings::holder(M::KIND, id) == Some(owner),
				"an asset's item is not held by the account it was minted to"
			);
		}
		Ok(())
	}
}
