//! Migrations of this pallet's storage, one module per storage version. The runtime runs each
//! as a `VersionedMigration` (see its `migrations`), so that it runs once, where the version on
//! chain is the one it migrates from.

/// Version 1 to 2: Datanets become NFTs. Each Datanet gets the item of its id in the Datanets'
/// collection ([`Config::Holdings`](crate::Config::Holdings)), minted to the account stored as
/// its owner, which from then on is its creator, the account whose deposit it holds. The
/// layout of [`Datanets`](crate::Datanets) does not change.
pub mod v2 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use openledger_primitives::migration::{MintEach, Minted};

	use crate::{AssetKind, Config, Datanets};

	/// The Datanets, each with the account stored as its owner.
	pub struct DatanetItems<T>(PhantomData<T>);

	impl<T: Config> Minted for DatanetItems<T> {
		type AccountId = T::AccountId;
		type Holdings = T::Holdings;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const KIND: AssetKind = AssetKind::Datanet;

		fn assets() -> Vec<(u32, T::AccountId)> {
			Datanets::<T>::iter().map(|(id, net)| (id, net.owner)).collect()
		}
	}

	/// The migration; see [the module](self).
	pub type ItemsOfDatanets<T> = MintEach<DatanetItems<T>>;
}
