//! Challenges: a pending result re-executed by a larger committee.

use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};

use crate::{pallet::*, types::*, InferenceId};

impl<T: Config> Pallet<T> {
	/// Settles the challenge of `inference`'s pending result by its recheck's winning
	/// outcome and members (none: no decision), and pays out the result that stands.
	pub(crate) fn settle(
		inference: InferenceId,
		recheck: Option<(Submission<T>, Vec<T::AccountId>)>,
	) {
		let Some(p) = Pending::<T>::take(inference) else { return };
		let Some(c) = p.challenge.clone() else {
			Self::pay_out(p.job, inference, p.model, p.outcome, p.agreeing);
			return;
		};
		let reason: T::RuntimeHoldReason = HoldReason::ChallengeDeposit.into();
		let release = || {
			if let Err(e) =
				T::Currency::release(&reason, &c.challenger, c.deposit, Precision::BestEffort)
			{
				log::warn!(target: "attribution", "a challenge deposit stays held: {e:?}");
			}
		};
		match recheck {
			// Another outcome of the same engine version won: the result is overturned.
			Some((outcome, agreeing))
				if outcome.hash() != p.outcome.hash()
					&& outcome.engine_version() == p.outcome.engine_version() =>
			{
				let params = ConsensusParams::<T>::get();
				let lost = StakeParams::<T>::get().lost_slash;
				for who in p.agreeing.iter() {
					Self::strike(who, c.job, params.max_strikes);
					Self::slash_to(who, c.job, lost, &c.challenger);
				}
				release();
				Self::deposit_event(Event::ChallengeUpheld {
					inference,
					challenger: c.challenger.clone(),
				});
				let agreeing = BoundedVec::truncate_from(agreeing);
				Self::pay_out(c.job, inference, p.model, outcome, agreeing);
			},
			// The same outcome won: the challenge was wrong.
			Some((outcome, _)) if outcome.hash() == p.outcome.hash() => {
				let moved = T::Currency::transfer_on_hold(
					&reason,
					&c.challenger,
					&T::TreasuryAccount::get(),
					c.deposit,
					Precision::BestEffort,
					Restriction::Free,
					Fortitude::Force,
				)
				.unwrap_or_else(|e| {
					log::warn!(target: "attribution", "a challenge deposit was not taken: {e:?}");
					0
				});
				Self::deposit_event(Event::ChallengeRejected {
					inference,
					challenger: c.challenger.clone(),
					deposit: moved,
				});
				Self::pay_out(p.job, inference, p.model, p.outcome, p.agreeing);
			},
			_ => {
				release();
				Self::deposit_event(Event::ChallengeUndecided {
					inference,
					challenger: c.challenger.clone(),
				});
				Self::pay_out(p.job, inference, p.model, p.outcome, p.agreeing);
			},
		}
	}

	/// `challenge`'s work, for `who`.
	pub(crate) fn do_challenge(who: T::AccountId, inference: InferenceId) -> DispatchResult {
		Self::ensure_active(&who)?;
		let mut p = Pending::<T>::get(inference).ok_or(Error::<T>::NotPending)?;
		ensure!(p.challenge.is_none(), Error::<T>::AlreadyChallenged);
		ensure!(
			frame_system::Pallet::<T>::block_number() < p.matures,
			Error::<T>::ChallengeWindowClosed
		);
		ensure!(!p.committee.contains(&who), Error::<T>::ChallengerInCommittee);
		let deposit = StakeParams::<T>::get().challenge_deposit;
		T::Currency::hold(&HoldReason::ChallengeDeposit.into(), &who, deposit)?;
		let size = ConsensusParams::<T>::get().committee_size.saturating_mul(2);
		let kind = JobKind::Recheck { inference, model: p.model };
		let job = NextJobId::<T>::get();
		let committee = Self::draw_committee_from(job, &p.committee, size);
		ensure!(!committee.is_empty(), Error::<T>::NoRecheckers);
		Self::open_with(kind, p.input.clone(), T::InferencePeriod::get(), committee)?;
		Maturities::<T>::remove(p.matures, inference);
		p.challenge = Some(Challenge { challenger: who.clone(), deposit, job });
		Pending::<T>::insert(inference, p);
		Self::deposit_event(Event::Challenged { inference, challenger: who, job, deposit });
		Ok(())
	}
}
