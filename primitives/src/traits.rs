//! How pallets see one another's data without depending on one another's crates. Each trait is
//! implemented by the pallet that owns the data and wired in the runtime.

use sp_runtime::{DispatchResult, Perbill};

use alloc::vec::Vec;

use crate::{
	apis::VersionRecord,
	attribution::{InferenceId, InferenceResult},
	datanets::{DatanetId, RecordHash, Schema, VersionIndex, VersionInfo},
	models::{Model, ModelId},
};

/// Read access to Datanets (implemented by `pallet-datanets`).
pub trait DatanetInspect<AccountId, BlockNumber> {
	/// The schema of a Datanet, if it exists.
	fn schema(datanet: DatanetId) -> Option<Schema>;
	/// A published version of a Datanet.
	fn version(datanet: DatanetId, version: VersionIndex) -> Option<VersionInfo<BlockNumber>>;
	/// The contributor of a record, if the record exists.
	fn contributor(datanet: DatanetId, record: &RecordHash) -> Option<AccountId>;
	/// The record at a position of the accepted log (a version's records are its first
	/// `count` positions), with its payload unless it was removed.
	fn record_at(datanet: DatanetId, index: u32) -> Option<VersionRecord<AccountId>>;
}

/// Read access to models (implemented by `pallet-models`).
pub trait ModelInspect<AccountId, Balance> {
	/// A model, if it exists.
	fn model(model: ModelId) -> Option<Model<AccountId, Balance>>;
}

/// Moves a model through its training lifecycle (implemented by `pallet-models`, called by
/// Proof of Attribution once the attestors agree).
pub trait ModelLifecycle {
	/// `Training` → `Active { accuracy, weights_hash }`.
	fn activate(model: ModelId, accuracy: Perbill, weights_hash: sp_core::H256) -> DispatchResult;
	/// `Training` → `Failed`.
	fn fail(model: ModelId) -> DispatchResult;
}

/// Creates the attestors' jobs (implemented by `pallet-attribution`).
pub trait AttributionJobs {
	/// A `Train` job for a newly registered model.
	fn request_training(model: ModelId) -> DispatchResult;
	/// An `Infer` job for a paid inference of `model` on `input`.
	fn request_inference(inference: InferenceId, model: ModelId, input: Vec<u8>) -> DispatchResult;
	/// Closes `model`'s open `Train` job, if any, without a result: the model was retired
	/// while it trained.
	fn cancel_training(model: ModelId);
}

/// No jobs: for chains and tests without Proof of Attribution.
impl AttributionJobs for () {
	fn request_training(_: ModelId) -> DispatchResult {
		Ok(())
	}
	fn request_inference(_: InferenceId, _: ModelId, _: Vec<u8>) -> DispatchResult {
		Ok(())
	}
	fn cancel_training(_: ModelId) {}
}

/// Hears how an inference ended (implemented by `pallet-agents`, which holds the fee).
pub trait InferenceHandler<AccountId> {
	/// The attestors agreed on `result`; `agreeing` are those whose submissions matched it.
	fn completed(inference: InferenceId, result: &InferenceResult, agreeing: &[AccountId]);
	/// The job missed its deadline: refund the caller in full.
	fn expired(inference: InferenceId);
	/// The inference, completed or refunded, is older than the retention period: forget its
	/// record (a pending one is kept).
	fn pruned(inference: InferenceId);
}

impl<AccountId> InferenceHandler<AccountId> for () {
	fn completed(_: InferenceId, _: &InferenceResult, _: &[AccountId]) {}
	fn expired(_: InferenceId) {}
	fn pruned(_: InferenceId) {}
}

/// Who an inference's fee goes to, for [`RewardSink::distribute`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RewardParties<'a, AccountId> {
	/// The inference.
	pub inference: InferenceId,
	/// The model's owner.
	pub model_owner: AccountId,
	/// The agent's owner.
	pub agent_owner: AccountId,
	/// The model's sources, whose records the shares name by training position
	/// ([`crate::models::locate`]).
	pub sources: &'a [crate::models::Source],
	/// The records' shares of the contributors' part.
	pub shares: &'a [crate::attribution::RecordShare],
	/// The attestors that agreed with consensus.
	pub attestors: &'a [AccountId],
}

/// Splits a paid fee among the parties of an inference (implemented by `pallet-rewards`). The
/// fee has already been moved to the sink's account.
pub trait RewardSink<AccountId, Balance> {
	/// The account the fee must be moved to before [`RewardSink::distribute`].
	fn pot() -> AccountId;
	/// Credits the parties' parts of `fee`.
	fn distribute(fee: Balance, parties: RewardParties<'_, AccountId>);
}

/// Where a contributor's records' earnings are paid (implemented by `pallet-rewards`): the
/// account that a record's contributor named, which is paid by every result that credits the
/// record.
pub trait Payees<AccountId> {
	/// The account paid for `contributor`'s records: its payee, or itself.
	fn payee_of(contributor: &AccountId) -> AccountId;
}

impl<AccountId: Clone> Payees<AccountId> for () {
	fn payee_of(contributor: &AccountId) -> AccountId {
		contributor.clone()
	}
}
