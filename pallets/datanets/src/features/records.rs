//! Contributing records, one or a batch, with their deposits; reviewing and withdrawing the
//! pending ones; and the accepted log.

use alloc::vec::Vec;
use frame_support::{
	ensure,
	traits::{
		fungible::MutateHold, tokens::Precision, DefensiveOption, DefensiveResult,
		DefensiveSaturating, Get,
	},
	BoundedVec,
};
use sp_runtime::{traits::Saturating, DispatchError, DispatchResult};

use crate::*;

impl<T: Config> Pallet<T> {
	/// The deposit for `bytes` of payload.
	pub fn record_deposit(bytes: u32) -> BalanceOf<T> {
		T::RecordDepositBase::get()
			.saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// Checks and stores a contribution; returns its hash.
	pub fn do_contribute(
		contributor: T::AccountId,
		datanet: DatanetId,
		payload: Vec<u8>,
		label: ClassLabel,
	) -> Result<RecordHash, DispatchError> {
		let mut net = Datanets::<T>::get(datanet).ok_or(Error::<T>::UnknownDatanet)?;
		net.schema
			.check_record(&payload, label, T::MaxPayloadLen::get())
			.map_err(Error::<T>::from)?;
		// `check_record` refused a payload longer than `MaxPayloadLen`.
		let payload = PayloadOf::<T>::try_from(payload)
			.defensive_map_err(|_| Error::<T>::InvalidRecord(RecordError::PayloadTooLong))?;
		let hash = record_hash(&payload, label);
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

		Records::<T>::insert(
			datanet,
			hash,
			Record { contributor: contributor.clone(), label, status, deposit },
		);
		Payloads::<T>::insert(datanet, hash, payload);
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
		ensure!(!records.is_empty(), Error::<T>::EmptyBatch);
		for (payload, label) in records {
			Self::do_contribute(contributor.clone(), datanet, payload, label)?;
		}
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
