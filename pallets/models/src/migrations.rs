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
	use frame_support::BoundedVec;
	use openledger_primitives::migration::{Rewrite, RewriteEach};
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

	/// How one model changes: its spec loses `checkpoints`.
	pub struct SpecWithoutCheckpoints<T>(PhantomData<T>);

	impl<T: Config> Rewrite for SpecWithoutCheckpoints<T> {
		type Key = crate::ModelId;
		type Old = OldModel<T::AccountId, BalanceOf<T>>;
		type New = Model<T::AccountId, BalanceOf<T>, BoundedVec<u8, T::MaxMetadataLen>>;
		type Map = Models<T>;
		type DbWeight = <T as frame_system::Config>::DbWeight;
		const READS: u64 = 0;

		fn rewrite(old: Self::Old) -> Self::New {
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

	/// The migration; see [the module](self).
	pub type DropCheckpoints<T> = RewriteEach<SpecWithoutCheckpoints<T>>;
}
