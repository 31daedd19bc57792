//! Migrations of this pallet's storage, one module per storage version. The runtime runs each
//! as a `VersionedMigration` (see its `migrations`), so that it runs once, where the version on
//! chain is the one it migrates from.

/// Version 1 to 2: [`ModelSpec`](crate::ModelSpec) loses `checkpoints`. Training kept TracIn
/// checkpoints that no attribution of the chain's used; the engine no longer computes them, and
/// the field had no other effect. Each model of [`Models`](crate::Models) is rewritten without
/// it; nothing else changes.
pub mod v2 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::{
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec,
	};
	use sp_runtime::Perbill;

	use crate::{
		Architecture, BalanceOf, Config, DatanetId, Featurizer, Model, ModelSpec, ModelStatus,
		Models, VersionIndex,
	};

	/// `ModelSpec` of storage version 1.
	#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldModelSpec {
		pub featurizer: Featurizer,
		pub architecture: Architecture,
		pub epochs: u16,
		pub learning_rate: Perbill,
		pub batch_size: u16,
		pub l2: Perbill,
		pub checkpoints: u8,
		pub seed: u64,
	}

	impl OldModelSpec {
		/// The spec without its checkpoints.
		pub fn upgrade(self) -> ModelSpec {
			let OldModelSpec {
				featurizer,
				architecture,
				epochs,
				learning_rate,
				batch_size,
				l2,
				checkpoints: _,
				seed,
			} = self;
			ModelSpec { featurizer, architecture, epochs, learning_rate, batch_size, l2, seed }
		}
	}

	/// A `Model` of storage version 1 (a bounded vector encodes as a vector).
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldModel<AccountId, Balance> {
		pub owner: AccountId,
		pub datanet: DatanetId,
		pub version: VersionIndex,
		pub spec: OldModelSpec,
		pub fee: Balance,
		pub status: ModelStatus,
		pub deposit: Balance,
		pub metadata: Vec<u8>,
	}

	/// The migration; see [the module](self).
	pub struct DropCheckpoints<T>(PhantomData<T>);

	impl<T: Config> DropCheckpoints<T> {
		/// The model of version 2 for one of version 1.
		pub fn upgrade(
			old: OldModel<T::AccountId, BalanceOf<T>>,
		) -> Model<T::AccountId, BalanceOf<T>, BoundedVec<u8, T::MaxMetadataLen>> {
			Model {
				owner: old.owner,
				datanet: old.datanet,
				version: old.version,
				spec: old.spec.upgrade(),
				fee: old.fee,
				status: old.status,
				deposit: old.deposit,
				metadata: BoundedVec::truncate_from(old.metadata),
			}
		}
	}

	impl<T: Config> UncheckedOnRuntimeUpgrade for DropCheckpoints<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			Models::<T>::translate::<OldModel<T::AccountId, BalanceOf<T>>, _>(|_, old| {
				count += 1;
				Some(Self::upgrade(old))
			});
			<T as frame_system::Config>::DbWeight::get().reads_writes(count, count)
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			let old: Vec<(crate::ModelId, OldModel<T::AccountId, BalanceOf<T>>)> =
				Models::<T>::iter_keys()
					.filter_map(|id| {
						let raw = frame_support::storage::unhashed::get_raw(
							&Models::<T>::hashed_key_for(id),
						)?;
						Some((id, OldModel::decode(&mut &raw[..]).ok()?))
					})
					.collect();
			frame_support::ensure!(
				old.len() == Models::<T>::iter_keys().count(),
				"a model does not decode in the version-1 layout"
			);
			Ok(old.encode())
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			let before: Vec<(crate::ModelId, OldModel<T::AccountId, BalanceOf<T>>)> =
				Decode::decode(&mut &before[..]).map_err(|_| "the pre-upgrade models")?;
			frame_support::ensure!(
				Models::<T>::iter().count() == before.len(),
				"a model does not decode after the migration"
			);
			for (id, old) in before {
				frame_support::ensure!(
					Models::<T>::get(id) == Some(Self::upgrade(old)),
					"a model changed other than its spec's checkpoints"
				);
			}
			Ok(())
		}
	}
}
