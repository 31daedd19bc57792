//! How pallets see one another's data without depending on one another's crates. Each trait is
//! implemented by the pallet that owns the data and wired in the runtime.

use sp_runtime::{DispatchResult, Perbill};

use crate::{
	datanets::{DatanetId, RecordHash, Schema, VersionIndex, VersionInfo},
	models::{ModelId, ModelSpec, ModelStatus},
};

/// Read access to Datanets (implemented by `pallet-datanets`).
pub trait DatanetInspect<AccountId, BlockNumber> {
	/// The schema of a Datanet, if it exists.
	fn schema(datanet: DatanetId) -> Option<Schema>;
	/// A published version of a Datanet.
	fn version(datanet: DatanetId, version: VersionIndex) -> Option<VersionInfo<BlockNumber>>;
	/// The contributor of a record, if the record exists.
	fn contributor(datanet: DatanetId, record: &RecordHash) -> Option<AccountId>;
}

/// What other pallets know of a model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelSummary<AccountId, Balance> {
	/// The model's owner.
	pub owner: AccountId,
	/// The Datanet it trains on.
	pub datanet: DatanetId,
	/// The version of that Datanet.
	pub version: VersionIndex,
	/// How it is trained.
	pub spec: ModelSpec,
	/// The fee per inference.
	pub fee: Balance,
	/// Where it stands.
	pub status: ModelStatus,
}

/// Read access to models (implemented by `pallet-models`).
pub trait ModelInspect<AccountId, Balance> {
	/// A model, if it exists.
	fn model(model: ModelId) -> Option<ModelSummary<AccountId, Balance>>;
}

/// Moves a model through its training lifecycle (implemented by `pallet-models`, called by
/// Proof of Attribution once the attestors agree).
pub trait ModelLifecycle {
	/// `Training` → `Active { accuracy, weights_hash }`.
	fn activate(model: ModelId, accuracy: Perbill, weights_hash: sp_core::H256) -> DispatchResult;
	/// `Training` → `Failed`.
	fn fail(model: ModelId) -> DispatchResult;
}
