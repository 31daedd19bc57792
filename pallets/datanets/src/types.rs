//! The types the Datanets pallet stores, and their aliases for a runtime's `Config`.

use codec::{Decode, Encode, MaxEncodedLen};
use frame_support::{traits::fungible::Inspect, BoundedVec};
pub use openledger_primitives::datanets::Datanet;
use openledger_primitives::datanets::{ClassLabel, PayloadLocation, RecordHash, RecordStatus};
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
	BoundedVec<u8, <T as Config>::MaxNameLen>,
	BoundedVec<u8, <T as Config>::MaxDescriptionLen>,
	BoundedVec<u8, <T as Config>::MaxLicenseLen>,
>;

/// A record as stored.
pub type RecordOf<T> = Record<<T as frame_system::Config>::AccountId, BalanceOf<T>>;

/// A record payload as stored.
pub type PayloadOf<T> = BoundedVec<u8, <T as Config>::MaxPayloadLen>;

/// A contributed record, without its payload: where its payload is kept (the transaction
/// index, or `Payloads` for records contributed before payloads left the state).
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
	/// Where its payload is kept.
	pub location: PayloadLocation,
}

/// An entry of the accepted log: the record, and the hash chain root after it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct LogEntry {
	/// The accepted record.
	pub record: RecordHash,
	/// `chain_root(previous root, record)`.
	pub root: H256,
}
