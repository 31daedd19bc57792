//! Payloads out of state: a record's bytes are kept in the transaction index, with the block
//! body of its contribution ([`IndexedPayload`]), not in the runtime's state. A node reads them
//! from its own database, or fetches what it lacks over bitswap from its peers: off-chain
//! workers through the [`payloads`] host functions, the node's RPC directly.
//!
//! Whoever reads them checks each one against its record's hash ([`training_set`]): a payload
//! that cannot be had is a named error ([`Missing`]), never a wrong training set.

use alloc::{collections::BTreeMap, vec::Vec};

use codec::{Decode, Encode};
use scale_info::TypeInfo;
use sp_core::H256;

use crate::{
	apis::{Payload, VersionRecord},
	datanets::{record_hash, ClassLabel},
};

/// Why a version's training set cannot be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode, TypeInfo)]
pub enum Missing {
	/// The record at this log position was removed by moderation after the version was
	/// published: it is in the version's training set, and the chain no longer points at it.
	RemovedAfterPublication(u32),
	/// This node neither keeps the record's payload (its block body was pruned, or never
	/// synced) nor could fetch it from a peer.
	Unavailable(u32),
	/// The bytes this node has for the record do not hash to it.
	Corrupt(u32),
}

impl core::fmt::Display for Missing {
	fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
		match self {
			Missing::RemovedAfterPublication(i) => {
				write!(f, "record {i} was removed after its version was published")
			},
			Missing::Unavailable(i) => write!(
				f,
				"the payload of record {i} is neither kept by this node nor served by a peer"
			),
			Missing::Corrupt(i) => {
				write!(f, "the bytes this node has for record {i} do not hash to it")
			},
		}
	}
}

/// The payloads and labels of `page`, records of a version published in block `published`,
/// as every attestor trains on them: a record removed before publication keeps its place with
/// no payload; one removed after is needed, and missing. `fetch` gives the indexed bytes of
/// each content hash asked for (`None` for those it cannot get), and every payload read from
/// them must hash to its record.
pub fn training_set<A>(
	page: Vec<VersionRecord<A>>,
	published: u32,
	fetch: impl FnOnce(Vec<H256>) -> Vec<Option<Vec<u8>>>,
) -> Result<Vec<(Vec<u8>, ClassLabel)>, Missing> {
	let mut wanted: Vec<H256> = page
		.iter()
		.filter_map(|r| match &r.payload {
			Some(Payload::Indexed(at)) => Some(at.content),
			_ => None,
		})
		.collect();
	wanted.sort();
	wanted.dedup();
	let fetched: BTreeMap<H256, Vec<u8>> = if wanted.is_empty() {
		BTreeMap::new()
	} else {
		let got = fetch(wanted.clone());
		wanted.into_iter().zip(got).filter_map(|(h, b)| Some((h, b?))).collect()
	};
	page.into_iter()
		.map(|r| match (r.payload, r.removed_at) {
			(Some(Payload::State(bytes)), _) => Ok((bytes, r.label)),
			(Some(Payload::Indexed(at)), _) => {
				let bytes = fetched.get(&at.content).ok_or(Missing::Unavailable(r.index))?;
				let payload = at.cut(bytes).ok_or(Missing::Corrupt(r.index))?;
				if record_hash(payload, r.label) != r.record {
					return Err(Missing::Corrupt(r.index));
				}
				Ok((payload.to_vec(), r.label))
			},
			(None, Some(at)) if at > published => Err(Missing::RemovedAfterPublication(r.index)),
			(None, _) => Ok((Vec::new(), r.label)),
		})
		.collect()
}

/// What a node reads indexed payloads from.
#[cfg(feature = "std")]
pub trait PayloadStore: Send + Sync {
	/// The bytes indexed under each of `contents` (blake2b-256 hashes), in order: from the
	/// node's database, or fetched from its peers over bitswap; `None` for those it could get
	/// from neither.
	fn fetch(&self, contents: Vec<H256>) -> Vec<Option<Vec<u8>>>;
}

#[cfg(feature = "std")]
sp_externalities::decl_extension! {
	/// The node's indexed payloads, registered for off-chain workers.
	pub struct PayloadsExt(std::sync::Arc<dyn PayloadStore>);
}

/// The host functions that read indexed payloads.
#[sp_runtime_interface::runtime_interface]
pub trait Payloads {
	/// See [`PayloadStore::fetch`]; every one is `None` without a store.
	fn fetch(
		&mut self,
		contents: sp_runtime_interface::pass_by::PassFatPointerAndDecode<Vec<H256>>,
	) -> sp_runtime_interface::pass_by::AllocateAndReturnByCodec<Vec<Option<Vec<u8>>>> {
		use sp_externalities::ExternalitiesExt;
		match self.extension::<PayloadsExt>() {
			Some(ext) => ext.0.fetch(contents),
			None => contents.iter().map(|_| None).collect(),
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use crate::datanets::IndexedPayload;
	use codec::Encode;

	fn record(index: u32, payload: Option<Payload>, removed_at: Option<u32>) -> VersionRecord<u8> {
		VersionRecord {
			index,
			record: record_hash(b"abc", 1),
			contributor: 0,
			label: 1,
			payload,
			removed_at,
		}
	}

	#[test]
	fn a_training_set_reads_each_payload_where_it_is_and_checks_it() {
		let records = alloc::vec![(b"zz".to_vec(), 0u16), (b"abc".to_vec(), 1)];
		let blob = records.encode();
		let content = H256(sp_io::hashing::blake2_256(&blob));
		let (offset, len) = crate::datanets::batch_offsets(&records).unwrap()[1];
		let at = IndexedPayload { content, offset, len };
		assert_eq!(at.cut(&blob), Some(&b"abc"[..]));
		let page = alloc::vec![
			record(0, Some(Payload::State(b"abc".to_vec())), None),
			record(1, Some(Payload::Indexed(at)), None),
			record(2, None, Some(3)),
		];
		let mut asked = Vec::new();
		let got = training_set(page.clone(), 5, |want| {
			asked = want.clone();
			alloc::vec![Some(blob.clone())]
		});
		assert_eq!(asked, alloc::vec![content]);
		assert_eq!(
			got,
			Ok(alloc::vec![(b"abc".to_vec(), 1), (b"abc".to_vec(), 1), (Vec::new(), 1)])
		);
		// Removed after publication: needed, and gone.
		assert_eq!(
			training_set(page.clone(), 2, |_| alloc::vec![Some(blob.clone())]),
			Err(Missing::RemovedAfterPublication(2))
		);
		// Not kept and not fetched: a named error, not an empty payload.
		assert_eq!(
			training_set(page.clone(), 5, |_| alloc::vec![None]),
			Err(Missing::Unavailable(1))
		);
		// Other bytes under the content hash: never trained on.
		let mut forged = blob.clone();
		forged[offset as usize] = b'x';
		assert_eq!(
			training_set(page.clone(), 5, |_| alloc::vec![Some(forged)]),
			Err(Missing::Corrupt(1))
		);
		assert_eq!(
			training_set(page, 5, |_| alloc::vec![Some(b"ab".to_vec())]),
			Err(Missing::Corrupt(1))
		);
	}
}
