//! Contributing records, one or a batch, with their deposits and their payloads indexed;
//! reviewing and withdrawing the pending ones; moving old payloads out of state; and the
//! accepted log.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::{
	ensure,
	traits::{fungible::MutateHold, tokens::Precision, DefensiveOption, DefensiveSaturating, Get},
	BoundedVec,
};
use sp_core::H256;
use sp_runtime::{traits::Saturating, DispatchError, DispatchResult};

use crate::*;

impl<T: Config> Pallet<T> {
	/// The deposit for `bytes` of payload.
	pub fn record_deposit(bytes: u32) -> BalanceOf<T> {
		T::RecordDepositBase::get()
			.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// What indexing adds to a contribution's measured weight (its benchmarks predate it):
	/// the reads of `LastIndexed` and of the extrinsic's bytes, and the write of `LastIndexed`.
	/// Hashing the bytes is counted with the payload bytes.
	pub fn indexing_weight() -> frame_support::weights::Weight {
		T::DbWeight::get().reads_writes(2, 1)
	}

	/// Indexes `tail`, the last bytes of the extrinsic being applied, in the transaction
	/// index; returns their content hash (blake2b-256). The node keeps the bytes with the
	/// block body, under that hash, as `sp_io::transaction_index` says: the last `tail.len()`
	/// bytes of the extrinsic. So they are checked to be those bytes, and one extrinsic indexes
	/// once (a second index of the same extrinsic would replace the first in the node's
	/// database, and the first record's bytes would be kept nowhere).
	pub(crate) fn index_tail(tail: &[u8]) -> Result<H256, DispatchError> {
		let index =
			frame_system::Pallet::<T>::extrinsic_index().ok_or(Error::<T>::NotAtEndOfExtrinsic)?;
		let now = frame_system::Pallet::<T>::block_number();
		ensure!(
			LastIndexed::<T>::get() != Some((now, index)),
			Error::<T>::OneContributionPerExtrinsic
		);
		let extrinsic = frame_system::Pallet::<T>::extrinsic_data(index);
		ensure!(extrinsic.ends_with(tail), Error::<T>::NotAtEndOfExtrinsic);
		let len = u32::try_from(tail.len()).map_err(|_| Error::<T>::Overflow)?;
		let content = sp_io::hashing::blake2_256(tail);
		sp_io::transaction_index::index(index, len, content);
		LastIndexed::<T>::put((now, index));
		Ok(H256(content))
	}

	/// Checks and stores a contribution whose payload and label end the extrinsic; returns
	/// its hash.
	pub fn do_contribute(
		contributor: T::AccountId,
		datanet: DatanetId,
		payload: Vec<u8>,
		label: ClassLabel,
	) -> Result<RecordHash, DispatchError> {
		let len = payload.len() as u32;
		let mut tail = payload;
		tail.extend_from_slice(&label.to_le_bytes());
		let content = Self::index_tail(&tail)?;
		let at = IndexedPayload { content, offset: 0, len };
		Self::add_record(contributor, datanet, &tail[..len as usize], label, at)
	}

	/// Checks and stores a record whose payload is indexed `at`; returns its hash.
	fn add_record(
		contributor: T::AccountId,
		datanet: DatanetId,
		payload: &[u8],
		label: ClassLabel,
		at: IndexedPayload,
	) -> Result<RecordHash, DispatchError> {
		let mut net = Datanets::<T>::get(datanet).ok_or(Error::<T>::UnknownDatanet)?;
		net.schema
			.check_record(payload, label, T::MaxPayloadLen::get())
			.map_err(Error::<T>::from)?;
		let hash = record_hash(payload, label);
		ensure!(!Records::<T>::contains_key(datanet, hash), Error::<T>::DuplicateRecord);
		let status = match net.policy {
			CurationPolicy::Open => {
				let index = net.accepted;
				net.accepted = index.checked_add(1).ok_or(Error::<T>::Overflow)?;
				RecordStatus::Accepted { index }
			},
			CurationPolicy::Curated => {
				net.pending = net.pending.checked_add(1).ok_or(Error::<T>::Overflow)?;
				RecordStatus::Pending
			},
		};

		let deposit = Self::record_deposit(payload.len() as u32);
		T::Currency::hold(&HoldReason::RecordDeposit.into(), &contributor, deposit)?;

		let location = PayloadLocation::Indexed(at);
		Records::<T>::insert(
			datanet,
			hash,
			Record { contributor: contributor.clone(), label, status, deposit, location },
		);
		Self::deposit_event(Event::RecordContributed {
			datanet,
			record: hash,
			contributor,
			deposit,
		});
		if let RecordStatus::Accepted { index } = status {
			Self::append_to_log(&mut net, datanet, hash, index);
		}
		Datanets::<T>::insert(datanet, net);
		Ok(hash)
	}

	/// Contributes `records` in order; the first that fails fails the call, which then leaves
	/// nothing of the batch (a dispatch is transactional).
	pub(crate) fn do_contribute_batch(
		contributor: T::AccountId,
		datanet: DatanetId,
		records: BoundedVec<(Vec<u8>, ClassLabel), T::MaxContributionBatch>,
	) -> DispatchResult {
		for ((payload, label), at) in records.iter().zip(Self::index_records(&records)?) {
			Self::add_record(contributor.clone(), datanet, payload, *label, at)?;
		}
		Ok(())
	}

	/// Indexes `records` (at least one), which end the extrinsic SCALE-encoded; returns where
	/// each one's payload is in them.
	fn index_records(
		records: &[(Vec<u8>, ClassLabel)],
	) -> Result<Vec<IndexedPayload>, DispatchError> {
		ensure!(!records.is_empty(), Error::<T>::EmptyBatch);
		let offsets = batch_offsets(records).ok_or(Error::<T>::Overflow)?;
		let content = Self::index_tail(&records.encode())?;
		Ok(offsets
			.into_iter()
			.map(|(offset, len)| IndexedPayload { content, offset, len })
			.collect())
	}

	/// Moves the payloads of `records`, still kept in state, to the transaction index: all of
	/// them, or none.
	pub(crate) fn do_move_payloads(
		datanet: DatanetId,
		records: BoundedVec<(Vec<u8>, ClassLabel), T::MaxContributionBatch>,
	) -> DispatchResult {
		let indexed = Self::index_records(&records)?;
		let content = indexed.first().map(|at| at.content).unwrap_or_default();
		for ((payload, label), at) in records.iter().zip(indexed) {
			let hash = record_hash(payload, *label);
			let mut rec = Records::<T>::get(datanet, hash).ok_or(Error::<T>::UnknownRecord)?;
			// The record's hash binds the payload: the bytes in state are these.
			ensure!(
				rec.location == PayloadLocation::State
					&& Payloads::<T>::contains_key(datanet, hash),
				Error::<T>::NotInState
			);
			rec.location = PayloadLocation::Indexed(at);
			Records::<T>::insert(datanet, hash, rec);
			Payloads::<T>::remove(datanet, hash);
		}
		let count = records.len() as u32;
		Self::deposit_event(Event::PayloadsMoved { datanet, count, content });
		Ok(())
	}

	/// Appends an accepted record at `index` (already counted in `net.accepted`).
	fn append_to_log(net: &mut DatanetOf<T>, datanet: DatanetId, record: RecordHash, index: u32) {
		net.root = chain_root(&net.root, &record);
		AcceptedLog::<T>::insert(datanet, index, LogEntry { record, root: net.root });
		Self::deposit_event(Event::RecordAccepted { datanet, record, index });
	}

	pub(crate) fn do_review(
		who: T::AccountId,
		datanet: DatanetId,
		record: RecordHash,
		accept: bool,
	) -> DispatchResult {
		let mut net = Datanets::<T>::get(datanet).ok_or(Error::<T>::UnknownDatanet)?;
		ensure!(Self::is_curator(&net, datanet, &who), Error::<T>::NotCurator);
		let mut rec = Records::<T>::get(datanet, record).ok_or(Error::<T>::UnknownRecord)?;
		ensure!(rec.status == RecordStatus::Pending, Error::<T>::NotPending);

		// A pending record is counted (`try_state`: the count is the number of them).
		net.pending.defensive_saturating_dec();
		if accept {
			let index = net.accepted;
			net.accepted = index.checked_add(1).ok_or(Error::<T>::Overflow)?;
			rec.status = RecordStatus::Accepted { index };
			Records::<T>::insert(datanet, record, rec);
			Self::append_to_log(&mut net, datanet, record, index);
		} else {
			Self::delete_pending(datanet, record, &rec)?;
			Self::deposit_event(Event::RecordRejected { datanet, record });
		}
		Datanets::<T>::insert(datanet, net);
		Ok(())
	}

	/// Deletes a pending record and releases its deposit.
	fn delete_pending(datanet: DatanetId, record: RecordHash, rec: &RecordOf<T>) -> DispatchResult {
		T::Currency::release(
			&HoldReason::RecordDeposit.into(),
			&rec.contributor,
			rec.deposit,
			Precision::BestEffort,
		)?;
		Records::<T>::remove(datanet, record);
		Payloads::<T>::remove(datanet, record);
		Ok(())
	}

	pub(crate) fn do_withdraw(
		who: T::AccountId,
		datanet: DatanetId,
		record: RecordHash,
	) -> DispatchResult {
		let rec = Records::<T>::get(datanet, record).ok_or(Error::<T>::UnknownRecord)?;
		ensure!(rec.contributor == who, Error::<T>::NotContributor);
		ensure!(rec.status == RecordStatus::Pending, Error::<T>::NotPending);
		// A record was contributed to an existing Datanet, and Datanets are never removed.
		let mut net = Datanets::<T>::get(datanet).defensive_ok_or(Error::<T>::UnknownDatanet)?;
		// A pending record is counted (`try_state`: the count is the number of them).
		net.pending.defensive_saturating_dec();
		Self::delete_pending(datanet, record, &rec)?;
		Datanets::<T>::insert(datanet, net);
		Self::deposit_event(Event::RecordWithdrawn { datanet, record });
		Ok(())
	}
}

/// Test and benchmark support: makes `bytes` the block's next extrinsic, as `Executive` notes
/// it before dispatching it, so that a contribution whose payloads end `bytes` is indexed
/// outside a real block.
#[cfg(any(feature = "std", feature = "runtime-benchmarks"))]
pub fn note_next_extrinsic<T: Config>(bytes: Vec<u8>) {
	let index = frame_system::Pallet::<T>::extrinsic_index().map_or(0, |i| i.saturating_add(1));
	frame_support::storage::unhashed::put(
		sp_core::storage::well_known_keys::EXTRINSIC_INDEX,
		&index,
	);
	frame_system::Pallet::<T>::note_extrinsic(bytes);
}

/// Test and benchmark support: contributes a record as [`Pallet::do_contribute`] does, in an
/// extrinsic of its own ([`note_next_extrinsic`]).
#[cfg(any(feature = "std", feature = "runtime-benchmarks"))]
pub fn contribute_alone<T: Config>(
	contributor: T::AccountId,
	datanet: DatanetId,
	payload: Vec<u8>,
	label: ClassLabel,
) -> Result<RecordHash, DispatchError> {
	let mut tail = payload.clone();
	tail.extend_from_slice(&label.to_le_bytes());
	note_next_extrinsic::<T>(tail);
	Pallet::<T>::do_contribute(contributor, datanet, payload, label)
}
