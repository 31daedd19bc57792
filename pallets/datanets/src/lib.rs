//! # Datanets
//!
//! Curated, versioned datasets of labelled records: the data that OpenLedger models train on
//! and that Proof of Attribution pays for.
//!
//! ## Terms
//!
//! - **Datanet**: an owner, metadata (name, description, license), a [`Schema`], a
//!   [`CurationPolicy`] and curators. Creating one holds [`Config::DatanetDeposit`] plus
//!   [`Config::DepositPerByte`] for each byte of metadata.
//! - **Record**: one payload and its label, valid for the schema. It is identified by the blake3
//!   hash of payload and label ([`record_hash`]); the same content can be contributed once per
//!   Datanet. Contributing holds [`Config::RecordDepositBase`] plus [`Config::DepositPerByte`]
//!   for each byte of payload.
//! - **Payloads out of state**: the state keeps a record's contributor, label, status, deposit
//!   and where its payload is ([`PayloadLocation`]), not the payload. A contribution indexes the
//!   last bytes of its extrinsic, its payloads, in the transaction index
//!   (`sp_io::transaction_index`): nodes keep them with the block body and serve them over
//!   bitswap (`--ipfs-server`) under their blake2b-256 CID. So a contribution must end its
//!   extrinsic (it may be the last call of a batch or a proxy), and one extrinsic carries one
//!   contribution. Records contributed before keep their payloads in [`Payloads`] until anyone
//!   moves them out with `move_payloads`.
//! - **Curation**: in an `Open` Datanet a record is accepted at once; in a `Curated` one it is
//!   pending until the owner or a curator reviews it. A rejected record is deleted and its
//!   deposit released; the contributor can withdraw a record while it is pending.
//! - **Accepted log**: accepted records are appended to a log, and each acceptance extends a
//!   blake3 hash chain ([`chain_root`]), so publishing is O(1).
//! - **Version**: `publish_version(count)` freezes the first `count` accepted records, with the
//!   chain root at that count and the block. Models train on a version, never on a moving set.
//! - **Moderation**: [`Config::ModeratorOrigin`] can remove any record: the chain forgets where
//!   its payload is (or deletes it from state) and its deposit goes to the treasury. A removed
//!   record that was accepted stays counted in its versions (the chain root does not change)
//!   but carries no payload. Its bytes stay in the block bodies of the nodes that keep them,
//!   as long as they keep them: see `docs/datanets.md`, "What removal deletes".
//!
//! Datanets and accepted records are permanent, and so are their deposits.
//!
//! ## Calls
//!
//! `create`, `add_curator`, `remove_curator`, `contribute`, `review`, `withdraw`, `remove`,
//! `publish_version`, `contribute_batch`, `move_payloads`. Each call's documentation gives its origin, effect, errors and event.

#![cfg_attr(not(feature = "std"), no_std)]
// A panic in the runtime is a bug: no unwrap or expect outside tests and benchmarks.
#![cfg_attr(
	not(any(test, feature = "runtime-benchmarks")),
	deny(clippy::unwrap_used, clippy::expect_used)
)]

extern crate alloc;

pub use pallet::*;

mod api;
#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod features;
mod invariants;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;

#[cfg(any(feature = "std", feature = "runtime-benchmarks"))]
pub use features::records::{contribute_alone, note_next_extrinsic};
pub use openledger_primitives::{
	datanets::{
		batch_offsets, chain_root, record_hash, ClassLabel, CurationPolicy, DatanetId,
		IndexedPayload, PayloadLocation, RecordError, RecordHash, RecordStatus, Schema,
		VersionIndex, VersionInfo,
	},
	traits::{AssetKind, Holdings},
};
pub use types::*;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::fungible::{Inspect, Mutate, MutateHold},
	};
	use frame_system::pallet_prelude::*;
	use sp_core::H256;

	/// The layout of this pallet's storage. A change of layout bumps it and comes with a
	/// migration (see the runtime's `migrations`).
	pub const STORAGE_VERSION: StorageVersion = StorageVersion::new(3);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for a Datanet.
		DatanetDeposit,
		/// The deposit for a contributed record.
		RecordDeposit,
	}

	#[pallet::config]
	pub trait Config: frame_system::Config<RuntimeEvent: From<Event<Self>>> {
		/// The currency that deposits are held in (OPEN).
		type Currency: Inspect<Self::AccountId>
			+ Mutate<Self::AccountId>
			+ MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>;

		/// The runtime's hold reasons, which include this pallet's [`HoldReason`].
		type RuntimeHoldReason: From<HoldReason>;

		/// The origin that may remove any record (moderation).
		type ModeratorOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// The account that receives the deposits of removed records.
		#[pallet::constant]
		type TreasuryAccount: Get<Self::AccountId>;

		/// The base deposit for creating a Datanet.
		#[pallet::constant]
		type DatanetDeposit: Get<BalanceOf<Self>>;

		/// The base deposit for contributing a record.
		#[pallet::constant]
		type RecordDepositBase: Get<BalanceOf<Self>>;

		/// The deposit for each byte of Datanet metadata or record payload.
		#[pallet::constant]
		type DepositPerByte: Get<BalanceOf<Self>>;

		/// The longest Datanet name, in bytes.
		#[pallet::constant]
		type MaxNameLen: Get<u32>;

		/// The longest Datanet description, in bytes.
		#[pallet::constant]
		type MaxDescriptionLen: Get<u32>;

		/// The longest Datanet license, in bytes.
		#[pallet::constant]
		type MaxLicenseLen: Get<u32>;

		/// The longest record payload, in bytes.
		#[pallet::constant]
		type MaxPayloadLen: Get<u32>;

		/// The most curators a Datanet can have (besides its owner).
		#[pallet::constant]
		type MaxCurators: Get<u32>;

		/// The most classes a schema can have.
		#[pallet::constant]
		type MaxClasses: Get<u16>;

		/// The most values a Dense record can have.
		#[pallet::constant]
		type MaxDims: Get<u16>;

		/// The most records the `version_records` runtime API returns at once.
		#[pallet::constant]
		type MaxPageSize: Get<u32>;

		/// The most records one `contribute_batch` carries.
		#[pallet::constant]
		type MaxContributionBatch: Get<u32>;

		/// The Datanets' items (collection 0 of `pallet-nfts` in the runtime): a Datanet is
		/// minted to its creator, and whoever holds its item is its owner.
		type Holdings: Holdings<Self::AccountId>;

		/// Weights of this pallet's calls, from `benchmark pallet`.
		type WeightInfo: WeightInfo;
	}

	/// The id the next Datanet gets.
	#[pallet::storage]
	pub type NextDatanetId<T> = StorageValue<_, DatanetId, ValueQuery>;

	/// The Datanets.
	// Ids are sequential, not chosen by users: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type Datanets<T: Config> = StorageMap<_, Twox64Concat, DatanetId, DatanetOf<T>>;

	/// The curators of each Datanet (its owner is a curator too, without an entry here).
	// Accounts are chosen by users: `Blake2_128Concat`.
	#[pallet::storage]
	pub type Curators<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		DatanetId,
		Blake2_128Concat,
		T::AccountId,
		(),
		OptionQuery,
	>;

	/// The records of each Datanet, by record hash.
	// Record hashes depend on user content: `Blake2_128Concat` keeps the trie balanced even if
	// someone grinds them.
	#[pallet::storage]
	pub type Records<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Blake2_128Concat, RecordHash, RecordOf<T>>;

	/// The payloads still kept in state: those of records contributed before payloads moved to
	/// the transaction index, until `move_payloads` moves them, or moderation removes them.
	#[pallet::storage]
	pub type Payloads<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Blake2_128Concat, RecordHash, PayloadOf<T>>;

	/// The extrinsic that indexed a contribution last: its block and index. One extrinsic
	/// indexes one contribution (the transaction index keeps one range of bytes per extrinsic).
	#[pallet::storage]
	pub type LastIndexed<T: Config> = StorageValue<_, (BlockNumberFor<T>, u32), OptionQuery>;

	/// The accepted log of each Datanet: position → record and chain root after it.
	// Positions are sequential: `Twox64Concat` is safe.
	#[pallet::storage]
	pub type AcceptedLog<T: Config> =
		StorageDoubleMap<_, Twox64Concat, DatanetId, Twox64Concat, u32, LogEntry>;

	/// The published versions of each Datanet, numbered from 1.
	#[pallet::storage]
	pub type Versions<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		DatanetId,
		Twox64Concat,
		VersionIndex,
		VersionInfo<BlockNumberFor<T>>,
	>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A Datanet was created.
		DatanetCreated { datanet: DatanetId, owner: T::AccountId, deposit: BalanceOf<T> },
		/// A curator was added to a Datanet.
		CuratorAdded { datanet: DatanetId, curator: T::AccountId },
		/// A curator was removed from a Datanet.
		CuratorRemoved { datanet: DatanetId, curator: T::AccountId },
		/// A record was contributed (and is pending in a curated Datanet).
		RecordContributed {
			datanet: DatanetId,
			record: RecordHash,
			contributor: T::AccountId,
			deposit: BalanceOf<T>,
		},
		/// A record was accepted into the log at `index`.
		RecordAccepted { datanet: DatanetId, record: RecordHash, index: u32 },
		/// A pending record was rejected: deleted, and its deposit released.
		RecordRejected { datanet: DatanetId, record: RecordHash },
		/// A pending record was withdrawn by its contributor, and its deposit released.
		RecordWithdrawn { datanet: DatanetId, record: RecordHash },
		/// Moderation removed a record's payload; its deposit went to the treasury.
		RecordRemoved { datanet: DatanetId, record: RecordHash, slashed: BalanceOf<T> },
		/// A version was published: the first `count` accepted records, with their chain root.
		VersionPublished { datanet: DatanetId, version: VersionIndex, count: u32, root: H256 },
		/// The payloads of `count` records left the state for the transaction index, under
		/// `content` (blake2b-256).
		PayloadsMoved { datanet: DatanetId, count: u32, content: H256 },
	}

	#[pallet::error]
	pub enum Error<T> {
		/// No Datanet has this id.
		UnknownDatanet,
		/// Only the Datanet's owner may do this.
		NotOwner,
		/// Only the Datanet's owner or a curator may review records.
		NotCurator,
		/// The account is already a curator (or is the owner).
		AlreadyCurator,
		/// The account is not a curator of this Datanet.
		UnknownCurator,
		/// The Datanet has `MaxCurators` curators already.
		TooManyCurators,
		/// The name is longer than `MaxNameLen`.
		NameTooLong,
		/// The description is longer than `MaxDescriptionLen`.
		DescriptionTooLong,
		/// The license is longer than `MaxLicenseLen`.
		LicenseTooLong,
		/// The schema has fewer than two classes, more than `MaxClasses`, or (Dense) no
		/// values or more than `MaxDims`.
		InvalidSchema,
		/// The record does not fit the Datanet's schema: the nested error says how.
		InvalidRecord(RecordError),
		/// A record with the same payload and label is already in this Datanet.
		DuplicateRecord,
		/// No record with this hash is in this Datanet.
		UnknownRecord,
		/// The record is not pending.
		NotPending,
		/// Only the record's contributor may withdraw it.
		NotContributor,
		/// The record was already removed.
		AlreadyRemoved,
		/// The count is zero, beyond the accepted log, or not beyond the last version.
		InvalidVersionCount,
		/// A counter would overflow.
		Overflow,
		/// A batch must carry at least one record.
		EmptyBatch,
		/// The contribution does not end its extrinsic: its payloads are indexed from the
		/// extrinsic's last bytes, so it must be the extrinsic's call, or the last call of a
		/// batch or a proxy that ends with it (not a multisig's, which ends with a weight).
		NotAtEndOfExtrinsic,
		/// This extrinsic has indexed a contribution already: one extrinsic, one contribution.
		OneContributionPerExtrinsic,
		/// The record's payload is not kept in state: there is nothing to move.
		NotInState,
	}

	impl<T> From<RecordError> for Error<T> {
		fn from(e: RecordError) -> Self {
			Error::InvalidRecord(e)
		}
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Create a Datanet.
		///
		/// - Origin: signed; the signer becomes the owner.
		/// - Holds `DatanetDeposit + DepositPerByte × (name + description + license bytes)`.
		/// - Errors: `NameTooLong`, `DescriptionTooLong`, `LicenseTooLong`, `InvalidSchema`,
		///   or a balance error if the deposit cannot be held.
		/// - Emits `DatanetCreated`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create())]
		pub fn create(
			origin: OriginFor<T>,
			name: Vec<u8>,
			description: Vec<u8>,
			license: Vec<u8>,
			schema: Schema,
			policy: CurationPolicy,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			Self::do_create(owner, name, description, license, schema, policy)
		}

		/// Add a curator to a Datanet.
		///
		/// - Origin: signed by the Datanet's owner.
		/// - Errors: `UnknownDatanet`, `NotOwner`, `AlreadyCurator`, `TooManyCurators`.
		/// - Emits `CuratorAdded`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::add_curator())]
		pub fn add_curator(
			origin: OriginFor<T>,
			datanet: DatanetId,
			curator: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_add_curator(who, datanet, curator)
		}

		/// Remove a curator from a Datanet.
		///
		/// - Origin: signed by the Datanet's owner.
		/// - Errors: `UnknownDatanet`, `NotOwner`, `UnknownCurator`.
		/// - Emits `CuratorRemoved`.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::remove_curator())]
		pub fn remove_curator(
			origin: OriginFor<T>,
			datanet: DatanetId,
			curator: T::AccountId,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_remove_curator(who, datanet, curator)
		}

		/// Contribute a record: a payload and its label.
		///
		/// - Origin: signed; the signer becomes the contributor.
		/// - The record must fit the schema: non-empty UTF-8 within `MaxPayloadLen` for Text;
		///   exactly `dims` values of at most `max_value` for Dense; a label below `classes`.
		/// - Holds `RecordDepositBase + DepositPerByte × payload bytes`.
		/// - In an Open Datanet the record is accepted at once; in a Curated one it is pending.
		/// - The payload is not stored in state: the extrinsic's last bytes, the payload and
		///   the label, are indexed in the transaction index, and the record points at them.
		/// - Errors: `UnknownDatanet`, `InvalidRecord` (with the [`RecordError`] that says how
		///   the record does not fit), `DuplicateRecord`, `NotAtEndOfExtrinsic`,
		///   `OneContributionPerExtrinsic`, or a balance error if the deposit cannot be held.
		/// - Emits `RecordContributed`, and `RecordAccepted` in an Open Datanet.
		#[pallet::call_index(3)]
		#[pallet::weight(
			T::WeightInfo::contribute(payload.len() as u32).saturating_add(Pallet::<T>::indexing_weight())
		)]
		pub fn contribute(
			origin: OriginFor<T>,
			datanet: DatanetId,
			payload: Vec<u8>,
			label: ClassLabel,
		) -> DispatchResult {
			let contributor = ensure_signed(origin)?;
			Self::do_contribute(contributor, datanet, payload, label).map(|_| ())
		}

		/// Accept or reject a pending record.
		///
		/// - Origin: signed by the Datanet's owner or one of its curators.
		/// - Accepting appends the record to the accepted log. Rejecting deletes it and
		///   releases its deposit.
		/// - Errors: `UnknownDatanet`, `NotCurator`, `UnknownRecord`, `NotPending`.
		/// - Emits `RecordAccepted` or `RecordRejected`.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::review_accept().max(T::WeightInfo::review_reject()))]
		pub fn review(
			origin: OriginFor<T>,
			datanet: DatanetId,
			record: RecordHash,
			accept: bool,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_review(who, datanet, record, accept)
		}

		/// Withdraw a pending record and release its deposit.
		///
		/// - Origin: signed by the record's contributor.
		/// - Errors: `UnknownRecord`, `NotContributor`, `NotPending`.
		/// - Emits `RecordWithdrawn`.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::withdraw())]
		pub fn withdraw(
			origin: OriginFor<T>,
			datanet: DatanetId,
			record: RecordHash,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_withdraw(who, datanet, record)
		}

		/// Remove any record: delete its payload and send its deposit to the treasury.
		///
		/// - Origin: `ModeratorOrigin`.
		/// - A pending record is deleted. An accepted record keeps its place in the log and in
		///   its versions, marked `Removed`, without payload.
		/// - Errors: `UnknownRecord`, `AlreadyRemoved`.
		/// - Emits `RecordRemoved`.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::remove())]
		pub fn remove(
			origin: OriginFor<T>,
			datanet: DatanetId,
			record: RecordHash,
		) -> DispatchResult {
			T::ModeratorOrigin::ensure_origin(origin)?;
			Self::do_remove(datanet, record)
		}

		/// Publish a version: freeze the first `count` accepted records.
		///
		/// - Origin: signed by the Datanet's owner.
		/// - `count` must be at least one, at most the accepted log's length, and more than
		///   the last version's count. The version stores the count, the chain root at that
		///   count and the current block, in O(1).
		/// - Errors: `UnknownDatanet`, `NotOwner`, `InvalidVersionCount`.
		/// - Emits `VersionPublished`.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::publish_version())]
		pub fn publish_version(
			origin: OriginFor<T>,
			datanet: DatanetId,
			count: u32,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Self::do_publish_version(who, datanet, count).map(|_| ())
		}

		/// Contribute many records at once: as many `contribute` calls, in order, all or none.
		/// One signature, one fee and one read of the Datanet serve the whole batch, so a data
		/// set is uploaded at a fraction of the cost of one transaction per record.
		///
		/// - Origin: signed; the signer becomes the contributor of every record.
		/// - `records`: `(payload, label)` pairs, at most `MaxContributionBatch`, each as
		///   `contribute` takes it.
		/// - Weight: `contribute_batch` for the number of records and the longest payload.
		/// - The extrinsic's last bytes, the SCALE-encoded `records`, are indexed once in the
		///   transaction index, and each record points at its payload's range in them.
		/// - Errors: `EmptyBatch`, and the first error of `contribute` met by a record; then
		///   nothing is contributed.
		/// - Emits what `contribute` emits, for each record.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::contribute_batch(
			records.len() as u32,
			records.iter().map(|(p, _)| p.len() as u32).max().unwrap_or(0),
		).saturating_add(Pallet::<T>::indexing_weight()))]
		pub fn contribute_batch(
			origin: OriginFor<T>,
			datanet: DatanetId,
			records: BoundedVec<(Vec<u8>, ClassLabel), T::MaxContributionBatch>,
		) -> DispatchResult {
			let contributor = ensure_signed(origin)?;
			Self::do_contribute_batch(contributor, datanet, records)
		}

		/// Move records' payloads out of state: those of records contributed before payloads
		/// moved to the transaction index. Anyone may send them, with the bytes.
		///
		/// - Origin: signed.
		/// - `records`: `(payload, label)` pairs, at most `MaxContributionBatch`, each of a
		///   record of `datanet` whose payload is still in state (`Payloads`). The extrinsic's
		///   last bytes, the encoded `records`, are indexed as `contribute_batch` indexes them;
		///   each record then points at them, and its payload leaves the state.
		/// - No fee when every record moves (the call does the chain a service).
		/// - Errors: `EmptyBatch`, `UnknownRecord`, `NotInState`, `NotAtEndOfExtrinsic`,
		///   `OneContributionPerExtrinsic`; then nothing moves.
		/// - Emits `PayloadsMoved`.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::move_payloads(
			records.len() as u32,
			records.iter().map(|(p, _)| p.len() as u32).max().unwrap_or(0),
		).saturating_add(Pallet::<T>::indexing_weight()))]
		pub fn move_payloads(
			origin: OriginFor<T>,
			datanet: DatanetId,
			records: BoundedVec<(Vec<u8>, ClassLabel), T::MaxContributionBatch>,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			Self::do_move_payloads(datanet, records)?;
			Ok(Pays::No.into())
		}
	}
}
