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

/// Version 2 to 3: payloads leave the state. Each record gets where its payload is kept: in
/// state ([`PayloadLocation::State`]), as for every record contributed before. `Payloads`
/// keeps their bytes until anyone moves them to the transaction index with `move_payloads`: a
/// migration has no extrinsic whose bytes it could index, so the bytes have to come back in
/// one.
pub mod v3 {
	use alloc::vec::Vec;
	use codec::{Decode, Encode};
	use core::marker::PhantomData;
	use frame_support::{
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use openledger_primitives::datanets::{
		ClassLabel, DatanetId, PayloadLocation, RecordHash, RecordStatus,
	};

	use crate::{BalanceOf, Config, Payloads, Record, Records};

	/// A record in the layout of version 2: without where its payload is.
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldRecord<AccountId, Balance> {
		/// Who contributed it.
		pub contributor: AccountId,
		/// Its label.
		pub label: ClassLabel,
		/// Where it stands.
		pub status: RecordStatus,
		/// The deposit held from the contributor.
		pub deposit: Balance,
	}

	/// [`OldRecord`] for a runtime.
	pub type OldRecordOf<T> = OldRecord<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

	/// The migration; see [the module](self).
	pub struct PayloadsInState<T>(PhantomData<T>);

	impl<T: Config> PayloadsInState<T> {
		/// Every record decoded in the old layout, with its keys; those that do not decode are
		/// left out.
		pub fn old_records() -> Vec<((DatanetId, RecordHash), OldRecordOf<T>)> {
			Records::<T>::iter_keys()
				.filter_map(|(datanet, record)| {
					let key = Records::<T>::hashed_key_for(datanet, record);
					let raw = frame_support::storage::unhashed::get_raw(&key)?;
					Some(((datanet, record), OldRecordOf::<T>::decode(&mut &raw[..]).ok()?))
				})
				.collect()
		}

		/// After the migration, for the records `before` it: each is the old one, its payload
		/// kept in state, and there unless the record was removed.
		pub fn check(
			before: Vec<((DatanetId, RecordHash), OldRecordOf<T>)>,
		) -> Result<(), &'static str> {
			frame_support::ensure!(
				Records::<T>::iter_keys().count() == before.len(),
				"a record does not decode in the new layout"
			);
			for ((datanet, record), old) in before {
				let new = Records::<T>::get(datanet, record).ok_or("a record is gone")?;
				frame_support::ensure!(
					new == Record {
						contributor: old.contributor,
						label: old.label,
						status: old.status,
						deposit: old.deposit,
						location: PayloadLocation::State,
					},
					"a record is not the old one, kept in state"
				);
				let removed = matches!(new.status, RecordStatus::Removed { .. });
				frame_support::ensure!(
					Payloads::<T>::contains_key(datanet, record) != removed,
					"a record's payload is not in state"
				);
			}
			Ok(())
		}
	}

	impl<T: Config> UncheckedOnRuntimeUpgrade for PayloadsInState<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Records::<T>::translate::<OldRecordOf<T>, _>(|_, _, old| {
				count += 1;
				Some(Record {
					contributor: old.contributor,
					label: old.label,
					status: old.status,
					deposit: old.deposit,
					location: PayloadLocation::State,
				})
			});
			<T as frame_system::Config>::DbWeight::get().reads_writes(count, count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let old = Self::old_records();
			frame_support::ensure!(
				old.len() == Records::<T>::iter_keys().count(),
				"a record does not decode in the old layout"
			);
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before = Decode::decode(&mut &before[..]).map_err(|_| "the records before")?;
			Self::check(before).map_err(Into::into)
		}
	}
}
