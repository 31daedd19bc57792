//! Datanets: curated, versioned datasets of labelled records.
//!
//! - A [`Schema`] says what a record is: UTF-8 text, or a fixed number of small integers.
//! - A record is identified by [`record_hash`], the blake3 hash of its payload and label, so the
//!   same content can be contributed only once per Datanet.
//! - Accepted records form an append-only log. Each acceptance extends a blake3 hash chain
//!   ([`chain_root`]); a [`VersionInfo`] freezes the first `count` records with the root at that
//!   count, so that anyone can check a training set against the chain.

use alloc::vec::Vec;
use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::H256;

/// Identifies a Datanet.
pub type DatanetId = u32;
/// A version of a Datanet; versions are numbered from 1.
pub type VersionIndex = u32;
/// A class label: `0 .. classes`.
pub type ClassLabel = u16;
/// The blake3 hash of a record's payload and label.
pub type RecordHash = H256;

/// What a record of a Datanet is.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum Schema {
	/// Non-empty UTF-8 text, up to the chain's payload length limit, with a label below
	/// `classes`.
	Text {
		/// The number of classes.
		classes: u16,
	},
	/// Exactly `dims` values, one byte each, each at most `max_value`, with a label below
	/// `classes`. The digits set is `Dense { dims: 64, classes: 10, max_value: 16 }`.
	Dense {
		/// The number of values of a record.
		dims: u16,
		/// The number of classes.
		classes: u16,
		/// The largest value allowed.
		max_value: u8,
	},
}

/// Why a record does not fit its Datanet's schema.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	TypeInfo,
	MaxEncodedLen,
)]
#[cfg_attr(feature = "pallet-error", derive(frame_support::PalletError))]
pub enum RecordError {
	/// The payload is empty.
	EmptyPayload,
	/// The payload is longer than allowed.
	PayloadTooLong,
	/// A text payload is not valid UTF-8.
	InvalidUtf8,
	/// A dense payload does not have exactly `dims` values.
	WrongDimensions,
	/// A dense value is above `max_value`.
	ValueOutOfRange,
	/// The label is not below `classes`.
	LabelOutOfRange,
}

impl Schema {
	/// The number of classes.
	pub fn classes(&self) -> u16 {
		match self {
			Schema::Text { classes } | Schema::Dense { classes, .. } => *classes,
		}
	}

	/// Whether the schema itself is usable: at least two classes, at most `max_classes`, and
	/// for Dense between 1 and `max_dims` values.
	pub fn is_valid(&self, max_classes: u16, max_dims: u16) -> bool {
		let classes_ok = (2..=max_classes).contains(&self.classes());
		match self {
			Schema::Text { .. } => classes_ok,
			Schema::Dense { dims, .. } => classes_ok && (1..=max_dims).contains(dims),
		}
	}

	/// Checks that `payload` and `label` form a valid record of this schema, with payloads of
	/// at most `max_len` bytes.
	pub fn check_record(
		&self,
		payload: &[u8],
		label: ClassLabel,
		max_len: u32,
	) -> Result<(), RecordError> {
		self.check_input(payload, max_len)?;
		if label >= self.classes() {
			return Err(RecordError::LabelOutOfRange);
		}
		Ok(())
	}

	/// Checks that `payload` is a valid input of this schema (a record without its label), of
	/// at most `max_len` bytes.
	pub fn check_input(&self, payload: &[u8], max_len: u32) -> Result<(), RecordError> {
		if payload.is_empty() {
			return Err(RecordError::EmptyPayload);
		}
		if payload.len() > max_len as usize {
			return Err(RecordError::PayloadTooLong);
		}
		match self {
			Schema::Text { .. } => {
				if core::str::from_utf8(payload).is_err() {
					return Err(RecordError::InvalidUtf8);
				}
			},
			Schema::Dense { dims, max_value, .. } => {
				if payload.len() != *dims as usize {
					return Err(RecordError::WrongDimensions);
				}
				if payload.iter().any(|v| v > max_value) {
					return Err(RecordError::ValueOutOfRange);
				}
			},
		}
		Ok(())
	}
}

/// Whether contributions need a curator's review.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum CurationPolicy {
	/// Every valid contribution is accepted at once.
	Open,
	/// Contributions are pending until a curator accepts or rejects them.
	Curated,
}

/// Where a record stands.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum RecordStatus {
	/// Waiting for a curator.
	Pending,
	/// In the accepted log at `index` (from 0).
	Accepted {
		/// The position in the accepted log.
		index: u32,
	},
	/// Accepted at `index`, then removed by moderation: it still counts in its versions, but
	/// its payload is gone.
	Removed {
		/// The position in the accepted log.
		index: u32,
		/// The block it was removed in.
		at: u32,
	},
}

/// A published version: the first `count` accepted records of a Datanet.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct VersionInfo<BlockNumber> {
	/// The number of records in the version.
	pub count: u32,
	/// The hash chain root over the hashes of those records ([`chain_root`]).
	pub root: H256,
	/// The block in which the version was published.
	pub block: BlockNumber,
}

/// Where a record's payload is kept.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub enum PayloadLocation {
	/// In the runtime's state: a record contributed before payloads moved to the transaction
	/// index, until someone moves it there (`move_payloads`).
	State,
	/// In the transaction index, with the block body of its contribution.
	Indexed(IndexedPayload),
}

/// A payload kept in the transaction index: `len` bytes from `offset` of the bytes its
/// contribution indexed. Those bytes are the tail of the contribution's extrinsic (the
/// payload and its label for `contribute`, the SCALE-encoded records for
/// `contribute_batch`), kept by every node that keeps that block's body and served over
/// bitswap under the CIDv1 (raw, blake2b-256) of `content`.
#[derive(
	Clone,
	Copy,
	Debug,
	PartialEq,
	Eq,
	Encode,
	Decode,
	DecodeWithMemTracking,
	MaxEncodedLen,
	TypeInfo,
)]
pub struct IndexedPayload {
	/// The blake2b-256 hash of the indexed bytes.
	pub content: H256,
	/// Where the payload starts in them.
	pub offset: u32,
	/// Its length in bytes.
	pub len: u32,
}

impl IndexedPayload {
	/// The payload within `content`'s bytes, if they are long enough.
	pub fn cut<'a>(&self, bytes: &'a [u8]) -> Option<&'a [u8]> {
		let start = self.offset as usize;
		bytes.get(start..start.checked_add(self.len as usize)?)
	}
}

/// The payloads of `records` as `contribute_batch` indexes them: each one's place in the SCALE
/// encoding of the whole list (a compact count, then for each record a compact length, its
/// bytes and its label as u16 little-endian). `None` if a count or offset overflows `u32`.
pub fn batch_offsets<P: AsRef<[u8]>>(records: &[(P, ClassLabel)]) -> Option<Vec<(u32, u32)>> {
	use codec::{Compact, CompactLen};
	let mut pos = Compact::<u32>::compact_len(&u32::try_from(records.len()).ok()?);
	let mut out = Vec::with_capacity(records.len());
	for (payload, _) in records {
		let len = u32::try_from(payload.as_ref().len()).ok()?;
		pos = pos.checked_add(Compact::<u32>::compact_len(&len))?;
		out.push((u32::try_from(pos).ok()?, len));
		pos = pos.checked_add(len as usize)?.checked_add(2)?;
	}
	Some(out)
}

/// The identity of a record: `blake3(payload ‖ label as u16 little-endian)`.
pub fn record_hash(payload: &[u8], label: ClassLabel) -> RecordHash {
	let mut hasher = blake3::Hasher::new();
	hasher.update(payload);
	hasher.update(&label.to_le_bytes());
	H256(*hasher.finalize().as_bytes())
}

/// The next root of the accepted-record hash chain: `blake3(root ‖ record)`. The chain starts
/// from the zero hash.
pub fn chain_root(root: &H256, record: &RecordHash) -> H256 {
	let mut hasher = blake3::Hasher::new();
	hasher.update(root.as_bytes());
	hasher.update(record.as_bytes());
	H256(*hasher.finalize().as_bytes())
}

#[cfg(test)]
mod tests {
	use super::*;

	const DIGITS: Schema = Schema::Dense { dims: 64, classes: 10, max_value: 16 };

	#[test]
	fn dense_records_are_checked() {
		assert_eq!(DIGITS.check_record(&[16; 64], 9, 4096), Ok(()));
		assert_eq!(DIGITS.check_record(&[], 0, 4096), Err(RecordError::EmptyPayload));
		assert_eq!(DIGITS.check_record(&[0; 63], 0, 4096), Err(RecordError::WrongDimensions));
		assert_eq!(DIGITS.check_record(&[17; 64], 0, 4096), Err(RecordError::ValueOutOfRange));
		assert_eq!(DIGITS.check_record(&[0; 64], 10, 4096), Err(RecordError::LabelOutOfRange));
		assert_eq!(DIGITS.check_record(&[0; 64], 0, 32), Err(RecordError::PayloadTooLong));
	}

	#[test]
	fn text_records_are_checked() {
		let text = Schema::Text { classes: 2 };
		assert_eq!(text.check_record("héllo".as_bytes(), 1, 16), Ok(()));
		assert_eq!(text.check_record(&[0xff, 0xfe], 0, 16), Err(RecordError::InvalidUtf8));
		assert_eq!(text.check_record(&[b'a'; 17], 0, 16), Err(RecordError::PayloadTooLong));
		assert_eq!(text.check_record(b"a", 2, 16), Err(RecordError::LabelOutOfRange));
	}

	#[test]
	fn schemas_are_validated() {
		assert!(DIGITS.is_valid(1024, 1024));
		assert!(!Schema::Text { classes: 1 }.is_valid(1024, 1024));
		assert!(!Schema::Dense { dims: 0, classes: 2, max_value: 1 }.is_valid(1024, 1024));
		assert!(!Schema::Dense { dims: 65, classes: 2, max_value: 1 }.is_valid(1024, 64));
	}

	#[test]
	fn record_hash_binds_payload_and_label() {
		let a = record_hash(b"abc", 1);
		assert_ne!(a, record_hash(b"abc", 2));
		assert_ne!(a, record_hash(b"abd", 1));
		assert_eq!(a, record_hash(b"abc", 1));
		// Matches the blake3 reference over the concatenation.
		assert_eq!(a.0, *blake3::hash(&[b'a', b'b', b'c', 1, 0]).as_bytes());
	}

	#[test]
	fn batch_offsets_point_at_each_payload_in_the_encoded_list() {
		use codec::Encode;
		let records: Vec<(Vec<u8>, ClassLabel)> =
			vec![(b"first".to_vec(), 1), (vec![7; 70], 2), (b"x".to_vec(), 0)];
		let encoded = records.encode();
		let offsets = batch_offsets(&records).unwrap();
		for ((payload, _), (offset, len)) in records.iter().zip(&offsets) {
			let at = IndexedPayload { content: H256::zero(), offset: *offset, len: *len };
			assert_eq!(at.cut(&encoded), Some(&payload[..]));
		}
		let past = IndexedPayload { content: H256::zero(), offset: 1, len: u32::MAX };
		assert_eq!(past.cut(&encoded), None);
	}

	#[test]
	fn chain_root_depends_on_order() {
		let (x, y) = (record_hash(b"x", 0), record_hash(b"y", 0));
		let zero = H256::zero();
		assert_ne!(chain_root(&chain_root(&zero, &x), &y), chain_root(&chain_root(&zero, &y), &x));
	}
}

/// A Datanet: its owner, metadata, schema, policy, deposit and counters, once for every reader.
/// Storage keeps its texts bounded (`BoundedVec`s); the runtime API sees `Vec<u8>`s
/// ([`Datanet::unbounded`]). Both encode alike.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode, MaxEncodedLen, TypeInfo)]
pub struct Datanet<AccountId, Balance, Name = Vec<u8>, Description = Vec<u8>, License = Vec<u8>> {
	/// Its owner, who manages curators and publishes versions: as the runtime API and other
	/// pallets read it, the holder of the Datanet's NFT (collection 0 of `pallet-nfts`); in
	/// storage, its creator, whose deposit it holds.
	pub owner: AccountId,
	/// The name (UTF-8).
	pub name: Name,
	/// The description (UTF-8).
	pub description: Description,
	/// The license of the records, e.g. `CC-BY-4.0`.
	pub license: License,
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

impl<AccountId, Balance, Name, Description, License>
	Datanet<AccountId, Balance, Name, Description, License>
where
	Name: Into<Vec<u8>>,
	Description: Into<Vec<u8>>,
	License: Into<Vec<u8>>,
{
	/// The Datanet with its texts as plain byte vectors.
	pub fn unbounded(self) -> Datanet<AccountId, Balance> {
		let Datanet {
			owner,
			name,
			description,
			license,
			schema,
			policy,
			deposit,
			curators,
			pending,
			accepted,
			root,
			versions,
		} = self;
		Datanet {
			owner,
			name: name.into(),
			description: description.into(),
			license: license.into(),
			schema,
			policy,
			deposit,
			curators,
			pending,
			accepted,
			root,
			versions,
		}
	}
}
