//! How pallets see one another's data without depending on one another's crates. Each trait is
//! implemented by the pallet that owns the data and wired in the runtime; [`Holdings`], whose
//! data is `pallet-nfts`', by the runtime.

use sp_runtime::{DispatchResult, Perbill};

use alloc::vec::Vec;

use crate::{
	agents::AgentId,
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
	/// The model.
	pub model: ModelId,
	/// The model's owner: the holder of its item.
	pub model_owner: AccountId,
	/// The agent.
	pub agent: AgentId,
	/// The agent's owner: the holder of its item.
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

/// Who is paid in place of a contributor or an asset's holder (implemented by
/// `pallet-rewards`): the payee a record's contributor named, and the revenue shares an asset's
/// holder set. Every result that credits the record, or pays the asset's owner share, pays them.
pub trait Payees<AccountId> {
	/// The account paid for `contributor`'s records: its payee, or itself.
	fn payee_of(contributor: &AccountId) -> AccountId;
	/// The accounts paid the owner share of asset `id` of `kind` while `holder` holds it: the
	/// revenue shares `holder` set, or `holder` alone.
	fn owner_payees(kind: AssetKind, id: u32, holder: &AccountId) -> Vec<AccountId>;
}

impl<AccountId: Clone> Payees<AccountId> for () {
	fn payee_of(contributor: &AccountId) -> AccountId {
		contributor.clone()
	}

	fn owner_payees(_: AssetKind, _: u32, holder: &AccountId) -> Vec<AccountId> {
		alloc::vec![holder.clone()]
	}
}

/// The kinds of asset that change hands as NFTs: each kind is one collection, and an asset's
/// item has the asset's id.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	codec::Encode,
	codec::Decode,
	codec::DecodeWithMemTracking,
	codec::MaxEncodedLen,
	scale_info::TypeInfo,
)]
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

/// [`Holdings`] for the pallets' unit tests and benchmark tests: the items in the test's
/// storage (under `:test-holdings:`), so that they go with it; [`TestHoldings::transfer`]
/// moves one as `pallet-nfts` would.
#[cfg(feature = "std")]
pub struct TestHoldings;

#[cfg(feature = "std")]
impl TestHoldings {
	const PREFIX: &'static [u8] = b":test-holdings:";

	fn prefix(kind: AssetKind) -> Vec<u8> {
		[Self::PREFIX, &kind.collection().to_be_bytes()].concat()
	}

	fn key(kind: AssetKind, id: u32) -> Vec<u8> {
		[Self::prefix(kind), id.to_be_bytes().to_vec()].concat()
	}

	fn get(key: &[u8]) -> Option<Vec<u8>> {
		sp_externalities::with_externalities(|ext| ext.storage(key)).flatten()
	}

	fn put(key: Vec<u8>, value: Option<Vec<u8>>) {
		sp_externalities::with_externalities(|ext| ext.place_storage(key, value))
			.expect("a test runs in externalities");
	}

	/// Gives the item of an asset to `to` (it must exist).
	pub fn transfer<AccountId: codec::Encode>(kind: AssetKind, id: u32, to: &AccountId) {
		let key = Self::key(kind, id);
		assert!(Self::get(&key).is_some(), "the item exists");
		Self::put(key, Some(to.encode()));
	}
}

#[cfg(feature = "std")]
impl<AccountId: codec::Codec> Holdings<AccountId> for TestHoldings {
	fn mint(kind: AssetKind, id: u32, owner: &AccountId) -> DispatchResult {
		let key = Self::key(kind, id);
		if Self::get(&key).is_some() {
			return Err(sp_runtime::DispatchError::Other("the item exists"));
		}
		Self::put(key, Some(owner.encode()));
		Ok(())
	}

	fn burn(kind: AssetKind, id: u32) -> DispatchResult {
		let key = Self::key(kind, id);
		if Self::get(&key).is_none() {
			return Err(sp_runtime::DispatchError::Other("no such item"));
		}
		Self::put(key, None);
		Ok(())
	}

	fn holder(kind: AssetKind, id: u32) -> Option<AccountId> {
		Self::get(&Self::key(kind, id)).and_then(|a| AccountId::decode(&mut &a[..]).ok())
	}

	fn items(kind: AssetKind) -> Vec<u32> {
		let prefix = Self::prefix(kind);
		let mut ids = Vec::new();
		let mut at = prefix.clone();
		while let Some(next) =
			sp_externalities::with_externalities(|ext| ext.next_storage_key(&at)).flatten()
		{
			if !next.starts_with(&prefix) {
				break;
			}
			if let Ok(id) = <[u8; 4]>::try_from(&next[prefix.len()..]) {
				ids.push(u32::from_be_bytes(id));
			}
			at = next;
		}
		ids
	}
}
