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
	use openledger_primitives::migration::{Rewrite, RewriteEach};
	use sp_runtime::Perbill;

	use crate::{
		Architecture, BalanceOf, Config, DatanetId, Featurizer, ModelSpec, ModelStatus,
		VersionIndex,
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

	/// How one model changes: its spec loses `checkpoints`.
	pub struct SpecWithoutCheckpoints<T>(PhantomData<T>);

	impl<T: Config> Rewrite for SpecWithoutCheckpoints<T> {
		type Key = crate::ModelId;
		type Old = OldModel<T::AccountId, BalanceOf<T>>;
		type New = super::v3::OldModel<T::AccountId, BalanceOf<T>>;
		type Map = super::v3::Models<T>;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const READS: u64 = 0;

		fn rewrite(old: Self::Old) -> Self::New {
			super::v3::OldModel {
				owner: old.owner,
				datanet: old.datanet,
				version: old.version,
				spec: old.spec.upgrade(),
				fee: old.fee,
				status: old.status,
				deposit: old.deposit,
				metadata: old.metadata,
			}
		}
	}

	/// The migration; see [the module](self).
	pub type DropCheckpoints<T> = RewriteEach<SpecWithoutCheckpoints<T>>;
}

/// Version 2 to 3: a model trains on a list of sources ([`Source`](crate::Source)) instead of
/// one Datanet version. Each model of [`Models`](crate::Models) gets one source, its Datanet
/// version with the version's record count (one read) and weight 1, so that its shares name
/// the same records as before. A version that is not there (none is ever removed) gets a
/// count of 0: its shares then name no record, and their part goes to the treasury.
pub mod v3 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::{storage_alias, BoundedVec, Twox64Concat};
	use openledger_primitives::migration::{Rewrite, RewriteEach};

	use crate::{
		BalanceOf, Config, DatanetId, DatanetInspect, Model, ModelId, ModelSpec, ModelStatus,
		Pallet, Source, VersionIndex,
	};

	/// A `Model` of storage version 2.
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldModel<AccountId, Balance> {
		pub owner: AccountId,
		pub datanet: DatanetId,
		pub version: VersionIndex,
		pub spec: ModelSpec,
		pub fee: Balance,
		pub status: ModelStatus,
		pub deposit: Balance,
		pub metadata: Vec<u8>,
	}

	/// The models as storage version 2 lays them out (what version 1 to 2 writes).
	#[storage_alias]
	pub type Models<T: Config> = StorageMap<
		Pallet<T>,
		Twox64Concat,
		ModelId,
		OldModel<<T as frame_system::Config>::AccountId, BalanceOf<T>>,
	>;

	/// How one model changes: its Datanet version becomes its one source.
	pub struct OneSource<T>(PhantomData<T>);

	impl<T: Config> Rewrite for OneSource<T> {
		type Key = ModelId;
		type Old = OldModel<T::AccountId, BalanceOf<T>>;
		type New = crate::ModelOf<T>;
		type Map = crate::Models<T>;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const READS: u64 = 1;

		fn rewrite(old: Self::Old) -> Self::New {
			let records = T::Datanets::version(old.datanet, old.version).map_or(0, |v| v.count);
			let source = Source { datanet: old.datanet, version: old.version, records, weight: 1 };
			Model {
				owner: old.owner,
				sources: BoundedVec::truncate_from(alloc::vec![source]),
				spec: old.spec,
				fee: old.fee,
				status: old.status,
				deposit: old.deposit,
				metadata: BoundedVec::truncate_from(old.metadata),
			}
		}
	}

	/// The migration; see [the module](self).
	pub type SourcesOfModels<T> = RewriteEach<OneSource<T>>;
}
