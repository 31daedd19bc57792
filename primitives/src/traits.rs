//! How pallets see one another's data without depending on one another's crates. Each trait is
//! implemented by the pallet that owns the data and wired in the runtime; [`Holdings`], whose
//! data is `pallet-nfts`', by the runtime.

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

/// The kinds of asset that change hands as NFTs: each kind is one collection, and an asset's
/// item has the asset's id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AssetKind {
	/// A Datanet (collection 0).
	Datanet,
	/// A model (collection 1).
	Model,
	/// An agent (collection 2).
	Agent,
}

impl AssetKind {
	/// Every kind, in collection order.
	pub const ALL: [AssetKind; 3] = [AssetKind::Datanet, AssetKind::Model, AssetKind::Agent];

	/// The NFT collection of this kind.
	pub const fn collection(self) -> u32 {
		match self {
			AssetKind::Datanet => 0,
			AssetKind::Model => 1,
			AssetKind::Agent => 2,
		}
	}
}

/// Who holds a Datanet, a model or an agent: the holder of its item, which transfers, approvals
/// and sales move (implemented by the runtime over `pallet-nfts`). The holder is the asset's
/// owner for every purpose.
pub trait Holdings<AccountId> {
	/// Mints the item of a new asset to `owner`.
	fn mint(kind: AssetKind, id: u32, owner: &AccountId) -> DispatchResult;
	/// Burns the item of an asset that is gone (an agent whose bond was withdrawn), whoever
	/// holds it. Holders cannot burn items themselves.
	fn burn(kind: AssetKind, id: u32) -> DispatchResult;
	/// The holder of an asset's item, if it has one.
	fn holder(kind: AssetKind, id: u32) -> Option<AccountId>;
	/// The ids of every item of `kind`, for the invariants (`try_state`).
	fn items(kind: AssetKind) -> Vec<u32>;
}

#[cfg(feature = "std")]
std::thread_local! {
	static TEST_HOLDINGS: core::cell::RefCell<std::collections::BTreeMap<(u32, u32), Vec<u8>>> =
		const { core::cell::RefCell::new(std::collections::BTreeMap::new()) };
}

/// [`Holdings`] for the pallets' unit tests: the items of the test's thread, in memory;
/// [`TestHoldings::transfer`] moves one as `pallet-nfts` would.
#[cfg(feature = "std")]
pub struct TestHoldings;

#[cfg(feature = "std")]
impl TestHoldings {
	/// Gives the item of an asset to `to` (it must exist).
	pub fn transfer<AccountId: codec::Encode>(kind: AssetKind, id: u32, to: &AccountId) {
		TEST_HOLDINGS.with(|h| {
			let mut h = h.borrow_mut();
			let item = h.get_mut(&(kind.collection(), id)).expect("the item exists");
			*item = to.encode();
		})
	}
}

#[cfg(feature = "std")]
impl<AccountId: codec::Codec> Holdings<AccountId> for TestHoldings {
	fn mint(kind: AssetKind, id: u32, owner: &AccountId) -> DispatchResult {
		TEST_HOLDINGS.with(|h| {
			let mut h = h.borrow_mut();
			if h.contains_key(&(kind.collection(), id)) {
				return Err(sp_runtime::DispatchError::Other("the item exists"));
			}
			h.insert((kind.collection(), id), owner.encode());
			Ok(())
		})
	}

	fn burn(kind: AssetKind, id: u32) -> DispatchResult {
		TEST_HOLDINGS.with(|h| {
			h.borrow_mut()
				.remove(&(kind.collection(), id))
				.map(|_| ())
				.ok_or(sp_runtime::DispatchError::Other("no such item"))
		})
	}

	fn holder(kind: AssetKind, id: u32) -> Option<AccountId> {
		TEST_HOLDINGS.with(|h| {
			h.borrow()
				.get(&(kind.collection(), id))
				.map(|a| AccountId::decode(&mut &a[..]).expect("encoded by this type"))
		})
	}

	fn items(kind: AssetKind) -> Vec<u32> {
		TEST_HOLDINGS.with(|h| {
			h.borrow().keys().filter(|(c, _)| *c == kind.collection()).map(|(_, i)| *i).collect()
		})
	}
}
