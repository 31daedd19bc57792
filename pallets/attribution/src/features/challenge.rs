//! Challenges: a pending result re-executed by a larger committee that excludes the challenger,
//! the first committee and those the result pays.

use alloc::vec::Vec;
use frame_support::{
	pallet_prelude::*,
	traits::{
		fungible::MutateHold,
		tokens::{Fortitude, Precision, Restriction},
	},
};

use crate::{
	pallet::*, types::*, AssetKind, DatanetInspect, InferenceId, JobId, ModelInspect, Payees,
};

impl<T: Config> Pallet<T> {
	/// Settles the challenge of `inference`'s pending result by its recheck's winning
	/// outcome and members (none: no decision), and pays out the result that stands.
	pub(crate) fn settle(
		inference: InferenceId,
		recheck: Option<(Submission<T>, Vec<T::AccountId>)>,
	) {
		let Some(p) = Pending::<T>::take(inference) else { return };
		let Some(c) = p.challenge.clone() else {
			Self::pay_out(p.job, inference, p.model, p.input, p.outcome, p.agreeing);
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
			// Another outcome won (of the same engine version: the recheck accepts only the
			// result's): the result is overturned.
			Some((outcome, agreeing)) if outcome.hash() != p.outcome.hash() => {
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
				Self::pay_out(c.job, inference, p.model, p.input, outcome, agreeing);
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
				Self::pay_out(p.job, inference, p.model, p.input, p.outcome, p.agreeing);
			},
			_ => {
				release();
				Self::deposit_event(Event::ChallengeUndecided {
					inference,
					challenger: c.challenger.clone(),
				});
				Self::pay_out(p.job, inference, p.model, p.input, p.outcome, p.agreeing);
			},
		}
	}

	/// The recheck committee of a challenge of `p` by `challenger`, for job `job`: up to twice
	/// `committee_size` active attestors drawn among those that are not the challenger, not in
	/// the committee that decided `p`, and not paid by `p` (the model's owner and the accounts
	/// of its revenue shares, and the contributors of the records it pays and their payees).
	/// It must be larger than the first
	/// committee, so that the first committee's majority can be outvoted and no one sits on its
	/// own case; `NoRecheckers` if no such committee can be drawn.
	pub(crate) fn recheck_committee(
		job: JobId,
		p: &PendingResult<T>,
		challenger: &T::AccountId,
	) -> Result<BoundedVec<T::AccountId, T::MaxAttestors>, Error<T>> {
		let mut excluded: Vec<T::AccountId> = p.committee.to_vec();
		excluded.push(challenger.clone());
		if let Some(model) = T::Models::model(p.model) {
			excluded.push(model.owner.clone());
			excluded.extend(T::Payees::owner_payees(AssetKind::Model, p.model, &model.owner));
			if let Some(Decided { shares, .. }) = p.outcome.clone().decided() {
				for share in shares.iter() {
					let Some((datanet, _, at)) = model.locate(share.record) else { continue };
					if let Some(r) = T::Datanets::record_at(datanet, at) {
						excluded.push(T::Payees::payee_of(&r.contributor));
						excluded.push(r.contributor);
					}
				}
			}
		}
		let size = ConsensusParams::<T>::get().committee_size.saturating_mul(2);
		let committee = Self::draw_committee_from(job, &excluded, size);
		ensure!(committee.len() > p.committee.len(), Error::<T>::NoRecheckers);
		Ok(committee)
	}

	/// The checks of `challenge` for `who` and `inference`, before any deposit is held: the
	/// pending result and its recheck committee. Run again by [`extension::CheckAttestation`],
	/// so that a challenge that would fail is never included and never charged.
	pub fn can_challenge(
		who: &T::AccountId,
		inference: InferenceId,
	) -> Result<(PendingResult<T>, BoundedVec<T::AccountId, T::MaxAttestors>), Error<T>> {
		Self::ensure_active(who)?;
		let p = Pending::<T>::get(inference).ok_or(Error::<T>::NotPending)?;
		ensure!(p.challenge.is_none(), Error::<T>::AlreadyChallenged);
		ensure!(
			frame_system::Pallet::<T>::block_number() < p.matures,
			Error::<T>::ChallengeWindowClosed
		);
		ensure!(!p.committee.contains(who), Error::<T>::ChallengerInCommittee);
		let committee = Self::recheck_committee(NextJobId::<T>::get(), &p, who)?;
		Ok((p, committee))
	}

	/// `challenge`'s work, for `who`.
	pub(crate) fn do_challenge(who: T::AccountId, inference: InferenceId) -> DispatchResult {
		let (mut p, committee) = Self::can_challenge(&who, inference)?;
		let deposit = StakeParams::<T>::get().challenge_deposit;
		T::Currency::hold(&HoldReason::ChallengeDeposit.into(), &who, deposit)?;
		let kind = JobKind::Recheck { inference, model: p.model };
		// The recheck accepts outcomes of the challenged result's engine version only, so that
		// it compares like with like even if governance changed the version since.
		let version = p.outcome.engine_version();
		let job =
			Self::open_with(kind, p.input.clone(), T::InferencePeriod::get(), committee, version)?;
		Maturities::<T>::remove(p.matures, inference);
		p.challenge = Some(Challenge { challenger: who.clone(), deposit, job });
		Pending::<T>::insert(inference, p);
		Self::deposit_event(Event::Challenged { inference, challenger: who, job, deposit });
		Ok(())
	}
}
