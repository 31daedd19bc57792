//! Migrations of this pallet's storage, one module per storage version. The runtime runs each
//! as a `VersionedMigration` (see its `migrations`), so that it runs once, where the version on
//! chain is the one it migrates from.

/// Version 1 to 2: Datanets become NFTs. Each Datanet gets the item of its id in the Datanets'
/// collection ([`Config::Holdings`](crate::Config::Holdings)), minted to the account stored as
/// its owner, which from then on is its creator, the account whose deposit it holds. The
/// layout of [`Datanets`](crate::Datanets) does not change.
pub mod v2 {
	use core::marker::PhantomData;

	use frame_support::{
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	use crate::{AssetKind, Config, Datanets, Holdings};

	/// The migration; see [the module](self).
	pub struct ItemsOfDatanets<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for ItemsOfDatanets<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut datanets = 0u64;
			for (id, net) in Datanets::<T>::iter() {
				datanets += 1;
				if T::Holdings::holder(AssetKind::Datanet, id).is_none()
					&& T::Holdings::mint(AssetKind::Datanet, id, &net.owner).is_err()
				{
					frame_support::defensive!("a Datanet's item could not be minted");
				}
			}
			// Per Datanet: its read, the item's read, and the mint's reads and writes.
			<T as frame_system::Config>::DbWeight::get()
				.reads_writes(datanets.saturating_mul(4), datanets.saturating_mul(3))
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(_: alloc::vec::Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			for (id, net) in Datanets::<T>::iter() {
				frame_support::ensure!(
					T::Holdings::holder(AssetKind::Datanet, id) == Some(net.owner),
					"a Datanet's item is not held by its creator"
				);
			}
			Ok(())
		}
	}
}
