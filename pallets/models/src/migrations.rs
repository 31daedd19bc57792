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
		Architecture, BalanceOf, Config, DatanetId, Featurizer, ModelSpecV1, ModelStatus,
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
		/// The spec without its checkpoints (as storage versions 2 and 3 lay it out).
		pub fn upgrade(self) -> ModelSpecV1 {
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
			ModelSpecV1 { featurizer, architecture, epochs, learning_rate, batch_size, l2, seed }
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
	use frame_support::{storage_alias, Twox64Concat};
	use openledger_primitives::migration::{Rewrite, RewriteEach};

	use crate::{
		BalanceOf, Config, DatanetId, DatanetInspect, ModelId, ModelSpecV1, ModelStatus, Pallet,
		Source, VersionIndex,
	};

	/// A `Model` of storage version 2.
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldModel<AccountId, Balance> {
		pub owner: AccountId,
		pub datanet: DatanetId,
		pub version: VersionIndex,
		pub spec: ModelSpecV1,
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
		type New = super::v4::OldModel<T::AccountId, BalanceOf<T>>;
		type Map = super::v4::Models<T>;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const READS: u64 = 1;

		fn rewrite(old: Self::Old) -> Self::New {
			let records = T::Datanets::version(old.datanet, old.version).map_or(0, |v| v.count);
			let source = Source { datanet: old.datanet, version: old.version, records, weight: 1 };
			super::v4::OldModel {
				owner: old.owner,
				sources: alloc::vec![source],
				spec: old.spec,
				fee: old.fee,
				status: old.status,
				deposit: old.deposit,
				metadata: old.metadata,
			}
		}
	}

	/// The migration; see [the module](self).
	pub type SourcesOfModels<T> = RewriteEach<OneSource<T>>;
}

/// Version 3 to 4: a model chooses how its inferences are attributed
/// ([`AttributionMethod`](crate::AttributionMethod)), and the cost limit bounds each inference's
/// arithmetic ([`SpecCost::query_flops`](crate::SpecCost)).
/// - Each model of [`Models`](crate::Models) gets the influence function
///   ([`Influence`](crate::AttributionMethod::Influence)), the method every model used before;
///   nothing else changes, and its shares stay the same.
/// - A [`CostLimit`](crate::CostLimit) set by the admin keeps its memory and training
///   arithmetic and gets the default limit on a query's ([`Config::DefaultCostLimit`]). One
///   never set stays unset, and reads as the default.
pub mod v4 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use codec::{Decode, Encode};
	use frame_support::{
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		BoundedVec, Twox64Concat,
	};
	use openledger_primitives::migration::{Rewrite, RewriteEach};

	use crate::{
		BalanceOf, Config, CostLimit, Model, ModelId, ModelSpecV1, ModelStatus, Pallet, Source,
		SpecCost,
	};

	/// A `Model` of storage version 3 (bounded vectors encode as vectors).
	#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldModel<AccountId, Balance> {
		pub owner: AccountId,
		pub sources: Vec<Source>,
		pub spec: ModelSpecV1,
		pub fee: Balance,
		pub status: ModelStatus,
		pub deposit: Balance,
		pub metadata: Vec<u8>,
	}

	/// The models as storage version 3 lays them out (what version 2 to 3 writes).
	#[storage_alias]
	pub type Models<T: Config> = StorageMap<
		Pallet<T>,
		Twox64Concat,
		ModelId,
		OldModel<<T as frame_system::Config>::AccountId, BalanceOf<T>>,
	>;

	/// How one model changes: its spec gets the influence function as its method.
	pub struct SpecWithMethod<T>(PhantomData<T>);

	impl<T: Config> Rewrite for SpecWithMethod<T> {
		type Key = ModelId;
		type Old = OldModel<T::AccountId, BalanceOf<T>>;
		type New = crate::ModelOf<T>;
		type Map = crate::Models<T>;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const READS: u64 = 0;

		fn rewrite(old: Self::Old) -> Self::New {
			Model {
				owner: old.owner,
				sources: BoundedVec::truncate_from(old.sources),
				spec: old.spec.upgrade(),
				fee: old.fee,
				status: old.status,
				deposit: old.deposit,
				metadata: BoundedVec::truncate_from(old.metadata),
			}
		}
	}

	/// [`SpecCost`] of storage version 3.
	#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
	pub struct OldSpecCost {
		pub bytes: u64,
		pub flops: u64,
	}

	/// The cost limit, if the admin set one, with the default limit on a query.
	pub struct QueryLimit<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for QueryLimit<T> {
		fn on_runtime_upgrade() -> Weight {
			let query_flops = T::DefaultCostLimit::get().query_flops;
			let set = CostLimit::<T>::exists();
			if set {
				let _ = CostLimit::<T>::translate(|old: Option<OldSpecCost>| {
					old.map(|old| SpecCost { bytes: old.bytes, flops: old.flops, query_flops })
				});
			}
			<T as frame_system::Config>::DbWeight::get().reads_writes(1, u64::from(set))
		}
	}

	/// The migration; see [the module](self). Its checks are the models' ([`RewriteEach`]).
	pub struct Methods<T>(PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for Methods<T> {
		fn on_runtime_upgrade() -> Weight {
			RewriteEach::<SpecWithMethod<T>>::on_runtime_upgrade()
				.saturating_add(QueryLimit::<T>::on_runtime_upgrade())
		}

		#[cfg(feature = "try-runtime")]
		fn pre_upgrade() -> Result<Vec<u8>, sp_runtime::TryRuntimeError> {
			RewriteEach::<SpecWithMethod<T>>::pre_upgrade()
		}

		#[cfg(feature = "try-runtime")]
		fn post_upgrade(before: Vec<u8>) -> Result<(), sp_runtime::TryRuntimeError> {
			RewriteEach::<SpecWithMethod<T>>::post_upgrade(before)
		}
	}
}

/// Version 4 to 5: models become NFTs. Each model gets the item of its id in the models'
/// collection ([`Config::Holdings`](crate::Config::Holdings)), minted to the account stored as
/// its owner, which from then on is its registrant, the account whose deposit it holds. The
/// layout of [`Models`](crate::Models) does not change.
pub mod v5 {
	use alloc::vec::Vec;
	use core::marker::PhantomData;

	use openledger_primitives::migration::{MintEach, Minted};

	use crate::{AssetKind, Config, Models};

	/// The models, each with the account stored as its owner.
	pub struct ModelItems<T>(PhantomData<T>);

	impl<T: Config> Minted for ModelItems<T> {
		type AccountId = T::AccountId;
		type Holdings = T::Holdings;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const KIND: AssetKind = AssetKind::Model;

		fn assets() -> Vec<(u32, T::AccountId)> {
			Models::<T>::iter().map(|(id, m)| (id, m.owner)).collect()
		}
	}

	/// The migration; see [the module](self).
	pub type ItemsOfModels<T> = MintEach<ModelItems<T>>;
}
