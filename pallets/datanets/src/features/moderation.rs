//! Moderation: removing any record, its deposit going to the treasury.

use frame_support::traits::{
	fungible::MutateHold,
	tokens::{Fortitude, Precision, Restriction},
	DefensiveOption, DefensiveSaturating, Get,
};
use sp_runtime::{traits::Zero, DispatchResult, SaturatedConversion};

use crate::*;

impl<T: Config> Pallet<T> {
	pub(crate) fn do_remove(datanet: DatanetId, record: RecordHash) -> DispatchResult {
		let mut rec = Records::<T>::get(datanet, record).ok_or(Error::<T>::UnknownRecord)?;
		// A record was contributed to an existing Datanet, and Datanets are never removed.
		let mut net = Datanets::<T>::get(datanet).defensive_ok_or(Error::<T>::UnknownDatanet)?;
		let index = match rec.status {
			RecordStatus::Removed { .. } => return Err(Error::<T>::AlreadyRemoved.into()),
			RecordStatus::Pending => None,
			RecordStatus::Accepted { index } => Some(index),
		};

		// Not defensive: the currency may refuse the transfer (the treasury cannot receive it,
		// say), and then the call fails with its error.
		let slashed = if rec.deposit.is_zero() {
			Zero::zero()
		} else {
			T::Currency::transfer_on_hold(
				&HoldReason::RecordDeposit.into(),
				&rec.contributor,
				&T::TreasuryAccount::get(),
				rec.deposit,
				Precision::BestEffort,
				Restriction::Free,
				Fortitude::Force,
			)?
		};
		Payloads::<T>::remove(datanet, record);
		match index {
			None => {
				// A pending record is counted (`try_state`: the count is the number of them).
				net.pending.defensive_saturating_dec();
				Records::<T>::remove(datanet, record);
				Datanets::<T>::insert(datanet, net);
			},
			Some(index) => {
				let at = frame_system::Pallet::<T>::block_number().saturated_into::<u32>();
				rec.status = RecordStatus::Removed { index, at };
				rec.deposit = Zero::zero();
				Records::<T>::insert(datanet, record, rec);
			},
		}
		Self::deposit_event(Event::RecordRemoved { datanet, record, slashed });
		Ok(())
	}
}
