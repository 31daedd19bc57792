//! The types the Datanets pallet stores, and their aliases for a runtime's `Config`.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{
	traits::{fungible::Inspect, Get},
	BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use openledger_primitives::datanets::{
	ClassLabel, CurationPolicy, RecordHash, RecordStatus, Schema,
};
use scale_info::TypeInfo;
use sp_core::H256;

use crate::pallet::Config;

/// The balance type of the currency that deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A Datanet as stored.
pub type DatanetOf<T> = Datanet<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	<T as Config>::MaxNameLen,
	<T as Config>::MaxDescriptionLen,
	<T as Config>::MaxLicenseLen,
>;

/// A record as stored.
pub type RecordOf<T> = Record<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// A record payload as stored.
pub type PayloadOf<T> = BoundedVec<u8, <T as Config>::MaxPayloadLen>;

/// A Datanet: its owner, metadata, schema, policy, deposit and counters.
#[derive(
	CloneNoBound, DebugNoBound, PartialEqNoBound, EqNoBound, Encode, Decode, MaxEncodedLen, TypeInfo,
)]
#[scale_info(skip_type_params(NameLen, DescriptionLen, LicenseLen))]
pub struct Datanet<AccountId, Balance, NameLen, DescriptionLen, LicenseLen>
where
	AccountId: Clone + core::fmt::Debug + PartialEq + Eq,
	Balance: Clone + core::fmt::Debug + PartialEq + Eq,
	NameLen: Get<u32>,
	DescriptionLen: Get<u32>,
	LicenseLen: Get<u32>,
{
	/// The creator: manages curators and publishes versions.
	pub owner: AccountId,
	/// The name (UTF-8).
	pub name: BoundedVec<u8, NameLen>,
	/// The description (UTF-8).
	pub description: BoundedVec<u8, DescriptionLen>,
	/// The license of the records, e.g. `CC-BY-4.0`.
	pub license: BoundedVec<u8, LicenseLen>,
	/// What a record is.
	pub schema: Schema,
	/// Whether contributions need review.
	pub policy: CurationPolicy,
	/// The deposit held from the owner.
	pub deposit: Balance,
	/// The number of curators (besides the owner).
	pub curators: u32,
	/// Records waiting for review.
	pub pending: u32,
	/// The length of the accepted log.
	pub accepted: u32,
	/// The hash chain root over the whole accepted log.
	pub root: H256,
	/// The number of published versions.
	pub versions: u32,
}

/// A contributed record, without its payload (kept in `Payloads`).
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Record<AccountId, Balance> {
	/// Who contributed it.
	pub contributor: AccountId,
	/// Its label.
	pub label: ClassLabel,
	/// Where it stands.
	pub status: RecordStatus,
	/// The deposit held from the contributor (zero once removed).
	pub deposit: Balance,
}

/// An entry of the accepted log: the record, and the hash chain root after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct LogEntry {
	/// The accepted record.
	pub record: RecordHash,
	/// `chain_root(previous root, record)`.
	pub root: H256,
}
