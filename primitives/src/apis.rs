//! Runtime APIs, and the plain types they return. Polkadot.js reaches them as
//! `api.call.datanetsApi.*`, `api.call.modelsApi.*`, `api.call.agentsApi.*`,
//! `api.call.assetsApi.*`, `api.call.attributionApi.*` and `api.call.rewardsApi.*`; the node
//! through `state_call`.

use alloc::vec::Vec;
use codec::{Codec, Decode, Encode};
use scale_info::TypeInfo;

use crate::{
	agents::{Agent, AgentId, InferenceStatus},
	attribution::{Generation, InferenceId, RecordShare, Trace, TrainingRecord},
	datanets::{
		ClassLabel, Datanet, DatanetId, IndexedPayload, RecordHash, RecordStatus, VersionIndex,
		VersionInfo,
	},
	models::{Model, ModelId},
	rewards::{RevenueSharesInfo, RewardSplit},
	traits::AssetKind,
};

/// A record as the API shows it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct RecordInfo<AccountId, Balance> {
	/// Who contributed it.
	pub contributor: AccountId,
	/// Its label.
	pub label: ClassLabel,
	/// Where it stands.
	pub status: RecordStatus,
	/// The deposit held from the contributor (zero once removed).
	pub deposit: Balance,
	/// The payload, or where it is; `None` once removed by moderation.
	pub payload: Option<Payload>,
}

/// A record's payload as the APIs show it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Payload {
	/// Kept in the runtime's state (contributed before payloads moved out of it): the bytes.
	State(Vec<u8>),
	/// Kept in the transaction index: where. A node reads the bytes from its database or
	/// fetches them over bitswap (`bitswap_v1_get` over JSON-RPC, or any IPFS client), and
	/// checks them against the record's hash.
	Indexed(IndexedPayload),
}

/// A record of a version, in log order.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct VersionRecord<AccountId> {
	/// The position in the accepted log.
	pub index: u32,
	/// The record's hash (named `record`: Polkadot.js reserves `hash` for a codec's own hash).
	pub record: RecordHash,
	/// Who contributed it.
	pub contributor: AccountId,
	/// Its label.
	pub label: ClassLabel,
	/// The payload, or where it is; `None` if moderation removed it.
	pub payload: Option<Payload>,
	/// The block moderation removed it in, if it did.
	pub removed_at: Option<u32>,
}

/// A paid inference and its attribution, for the runtime API.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct InferenceInfo<AccountId, Balance, BlockNumber> {
	/// Who paid.
	pub caller: AccountId,
	/// The agent called.
	pub agent: AgentId,
	/// Its model.
	pub model: ModelId,
	/// The fee (model's and agent's).
	pub fee: Balance,
	/// The block of `invoke`.
	pub requested: BlockNumber,
	/// Where it stands (with the label once completed).
	pub status: InferenceStatus,
	/// The agreed shares of the top records (empty until completed).
	pub shares: Vec<RecordShare>,
	/// The attestors that agreed with consensus.
	pub agreeing: Vec<AccountId>,
	/// The block the attestors' consensus was reached in.
	pub completed: Option<BlockNumber>,
	/// For an ∞-gram model, once completed: the continuation of the prompt, its first step's
	/// candidates and its verbatim spans (the shares above are its records').
	pub generation: Option<Generation>,
	/// For an external model, once completed: the output and its trace (the shares above are
	/// its records').
	pub trace: Option<TracedOutput>,
}

/// An external model's output, as the agent claimed it, and the agreed trace of it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub struct TracedOutput {
	/// The output (UTF-8).
	pub output: Vec<u8>,
	/// Its token count and verbatim spans (byte ranges of `output`).
	pub trace: Trace,
}

sp_api::decl_runtime_apis! {
	/// Read Datanets, their records and versions.
	pub trait DatanetsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A Datanet.
		fn datanet(id: DatanetId) -> Option<Datanet<AccountId, Balance>>;
		/// A record of a Datanet.
		fn record(datanet: DatanetId, record: RecordHash) -> Option<RecordInfo<AccountId, Balance>>;
		/// A published version.
		fn version(datanet: DatanetId, version: VersionIndex) -> Option<VersionInfo<BlockNumber>>;
		/// Up to `limit` records of a version from log position `start` (the page is also
		/// bounded by the runtime's page size).
		fn version_records(
			datanet: DatanetId,
			version: VersionIndex,
			start: u32,
			limit: u32,
		) -> Vec<VersionRecord<AccountId>>;
	}

	/// Read registered models.
	pub trait ModelsApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// A model.
		fn model(id: ModelId) -> Option<Model<AccountId, Balance>>;
	}

	/// Read registered agents.
	pub trait AgentsApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// An agent.
		fn agent(id: AgentId) -> Option<Agent<AccountId, Balance, BlockNumber>>;
	}

	/// Read who held the Datanets, models and agents (their holder now is their `owner` in the
	/// other APIs).
	pub trait AssetsApi<AccountId, BlockNumber>
	where
		AccountId: Codec,
		BlockNumber: Codec,
	{
		/// The past holders of asset `id` of `kind`, oldest first (the last 32), each with the
		/// block in which its holding ended.
		fn owner_history(kind: AssetKind, id: u32) -> Vec<(AccountId, BlockNumber)>;
	}

	/// Read Proof of Attribution: inferences, trainings, attestors.
	pub trait AttributionApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// A paid inference, with its attribution once completed.
		fn inference(id: InferenceId) -> Option<InferenceInfo<AccountId, Balance, BlockNumber>>;
		/// The attestors' consensus on a model's training, with the quality flags of its outcome:
		/// the records a curator should review first.
		fn training(model: ModelId) -> Option<TrainingRecord>;
		/// The attestors.
		fn attestors() -> Vec<AccountId>;
		/// The engine version attestors must run: jobs opened now accept outcomes of it only.
		fn engine_version() -> u32;
	}

	/// Read rewards: claimable balances, lifetime earnings, the split, payees and revenue shares.
	pub trait RewardsApi<AccountId, Balance>
	where
		AccountId: Codec,
		Balance: Codec,
	{
		/// What `who` may claim now.
		fn claimable(who: AccountId) -> Balance;
		/// What a record (Datanet, position in its accepted log) has earned in all.
		fn record_earnings(datanet: DatanetId, index: u32) -> Balance;
		/// What a contributor has earned by attribution and emission in all.
		fn contributor_earnings(who: AccountId) -> Balance;
		/// The split of inference fees.
		fn reward_split() -> RewardSplit;
		/// The account paid for `contributor`'s records: its payee, or itself.
		fn payee(contributor: AccountId) -> AccountId;
		/// The revenue shares of asset `id` of `kind`, if its holder (past or present) set any.
		fn revenue_shares(kind: AssetKind, id: u32) -> Option<RevenueSharesInfo<AccountId, Balance>>;
	}
}
