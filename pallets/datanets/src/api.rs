//! What the runtime APIs and other pallets read from this pallet.

use alloc::vec::Vec;
use frame_support::traits::Get;
use frame_system::pallet_prelude::BlockNumberFor;
use openledger_primitives::{
	apis::{Payload, RecordInfo, VersionRecord},
	traits::DatanetInspect,
};

use crate::*;

impl<T: Config> Pallet<T> {
	/// A published version, for the runtime API.
	pub fn version_info(
		id: DatanetId,
		version: VersionIndex,
	) -> Option<VersionInfo<BlockNumberFor<T>>> {
		Versions::<T>::get(id, version)
	}

	/// A Datanet, for the runtime API.
	pub fn datanet_info(id: DatanetId) -> Option<Datanet<T::AccountId, BalanceOf<T>>> {
		Datanets::<T>::get(id)
			.map(|net| Datanet { owner: Self::owner_of(id, &net), ..net.unbounded() })
	}

	/// A record, for the runtime API.
	pub fn record_info(
		datanet: DatanetId,
		record: RecordHash,
	) -> Option<RecordInfo<T::AccountId, BalanceOf<T>>> {
		let rec = Records::<T>::get(datanet, record)?;
		let payload = Self::payload_of(datanet, record, &rec);
		Some(RecordInfo {
			contributor: rec.contributor,
			label: rec.label,
			status: rec.status,
			deposit: rec.deposit,
			payload,
		})
	}

	/// Where a record's payload is, as the APIs show it: `None` once removed.
	fn payload_of(datanet: DatanetId, record: RecordHash, rec: &RecordOf<T>) -> Option<Payload> {
		if matches!(rec.status, RecordStatus::Removed { .. }) {
			return None;
		}
		match rec.location {
			PayloadLocation::State => {
				Payloads::<T>::get(datanet, record).map(|p| Payload::State(p.into_inner()))
			},
			PayloadLocation::Indexed(at) => Some(Payload::Indexed(at)),
		}
	}

	/// A page of a version's records: positions `start .. start + limit` of the log, within
	/// the version, at most `MaxPageSize` of them.
	pub fn version_records(
		datanet: DatanetId,
		version: VersionIndex,
		start: u32,
		limit: u32,
	) -> Vec<VersionRecord<T::AccountId>> {
		let Some(info) = Versions::<T>::get(datanet, version) else { return Vec::new() };
		let end = start.saturating_add(limit.min(T::MaxPageSize::get())).min(info.count);
		(start..end).filter_map(|index| Self::record_at(datanet, index)).collect()
	}
}

impl<T: Config> DatanetInspect<T::AccountId, BlockNumberFor<T>> for Pallet<T> {
	fn schema(datanet: DatanetId) -> Option<Schema> {
		Datanets::<T>::get(datanet).map(|net| net.schema)
	}

	fn version(
		datanet: DatanetId,
		version: VersionIndex,
	) -> Option<VersionInfo<BlockNumberFor<T>>> {
		Versions::<T>::get(datanet, version)
	}

	fn contributor(datanet: DatanetId, record: &RecordHash) -> Option<T::AccountId> {
		Records::<T>::get(datanet, record).map(|rec| rec.contributor)
	}

	fn record_at(datanet: DatanetId, index: u32) -> Option<VersionRecord<T::AccountId>> {
		let entry = AcceptedLog::<T>::get(datanet, index)?;
		let rec = Records::<T>::get(datanet, entry.record)?;
		let payload = Self::payload_of(datanet, entry.record, &rec);
		Some(VersionRecord {
			index,
			record: entry.record,
			contributor: rec.contributor,
			label: rec.label,
			payload,
			removed_at: match rec.status {
				RecordStatus::Removed { at, .. } => Some(at),
				RecordStatus::Pending | RecordStatus::Accepted { .. } => None,
			},
		})
	}
}
