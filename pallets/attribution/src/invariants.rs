//! The pallet's invariants, checked by `try_state` and after every test.

use frame_support::pallet_prelude::*;

use crate::{pallet::*, types::*, Balance};

impl<T: Config> Pallet<T> {
	/// Checks the pallet's invariants: every open job has its deadline entry and as many
	/// commits and reveals as counted, every reveal a commit, and no reveal before its
	/// round; every deadline entry names an open job; answers are judged only after payout,
	/// and each attestor once per inference; attestors are distinct, and none is unbonding;
	/// every bond is held.
	pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
		use frame_support::traits::fungible::InspectHold;
		for (job, j) in Jobs::<T>::iter() {
			ensure!(Deadlines::<T>::contains_key(j.deadline, job), "an open job has no deadline");
			let commits = Commits::<T>::iter_prefix(job).count() as u32;
			for (who, _) in Commits::<T>::iter_prefix(job) {
				ensure!(j.committee.contains(&who), "a commit from outside the committee");
			}
			ensure!(commits == j.commits, "a job's commit count is wrong");
			let reveals = Reveals::<T>::iter_prefix(job).count() as u32;
			ensure!(reveals == j.reveals, "a job's reveal count is wrong");
			ensure!(j.revealing || reveals == 0, "a reveal before the reveal round");
			ensure!(!j.revealing || commits >= 1, "a reveal round without commits");
			for (who, _) in Reveals::<T>::iter_prefix(job) {
				ensure!(Commits::<T>::contains_key(job, &who), "a reveal without a commit");
			}
		}
		for (job, who, ()) in LateCommits::<T>::iter() {
			let j = Jobs::<T>::get(job).ok_or("a late commit to a closed job")?;
			ensure!(j.committee.contains(&who), "a late commit from outside the committee");
			ensure!(
				!Commits::<T>::contains_key(job, &who),
				"a late commit from a member that committed"
			);
		}
		for (deadline, job, ()) in Deadlines::<T>::iter() {
			ensure!(
				Jobs::<T>::get(job).is_some_and(|j| j.deadline == deadline),
				"a deadline names no open job"
			);
		}
		for (model, job) in TrainingJobs::<T>::iter() {
			ensure!(
				Jobs::<T>::get(job).is_some_and(|j| j.kind == JobKind::Train { model }),
				"a model's training job is not open"
			);
		}
		for (job, j) in Jobs::<T>::iter() {
			if let JobKind::Train { model } = j.kind {
				ensure!(
					TrainingJobs::<T>::get(model) == Some(job),
					"an open training job is not indexed by its model"
				);
			}
		}
		for (_, r) in Requests::<T>::iter() {
			ensure!(r.decided.is_some() || r.reported.is_empty(), "an answer judged before payout");
			for (i, a) in r.reported.iter().enumerate() {
				ensure!(!r.reported[i + 1..].contains(a), "an answer reported twice");
			}
		}
		let set = Attestors::<T>::get();
		for (i, a) in set.iter().enumerate() {
			ensure!(!set[i + 1..].contains(a), "an attestor is listed twice");
		}
		ensure!(
			Suspended::<T>::iter_keys().count() as u32 == Suspended::<T>::count(),
			"the suspended count is wrong"
		);
		for a in Suspended::<T>::iter_keys() {
			ensure!(
				set.contains(&a) || Bonds::<T>::contains_key(&a) || Strikes::<T>::contains_key(&a),
				"a suspended account was never an attestor"
			);
		}
		let mut deposits: alloc::collections::BTreeMap<T::AccountId, Balance> = Default::default();
		for (inference, p) in Pending::<T>::iter() {
			match &p.challenge {
				None => ensure!(
					Maturities::<T>::contains_key(p.matures, inference),
					"an unchallenged pending result does not mature"
				),
				Some(c) => {
					ensure!(
						Jobs::<T>::get(c.job).is_some_and(
							|j| j.kind == JobKind::Recheck { inference, model: p.model }
						),
						"a challenge has no open recheck"
					);
					let d = deposits.entry(c.challenger.clone()).or_default();
					*d = d.saturating_add(c.deposit);
				},
			}
		}
		for (at, inference, ()) in Maturities::<T>::iter() {
			ensure!(
				Pending::<T>::get(inference).is_some_and(|p| p.matures == at),
				"a maturity names no pending result"
			);
		}
		for (who, total) in deposits {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::ChallengeDeposit.into(), &who) == total,
				"a challenge deposit is not what is held"
			);
		}
		for (who, b) in Bonds::<T>::iter() {
			ensure!(
				T::Currency::balance_on_hold(&HoldReason::AttestorBond.into(), &who) == b.amount,
				"a bond is not what is held"
			);
			ensure!(
				b.unlocks_at.is_none() || !set.contains(&who),
				"an attestor in the set is unbonding"
			);
		}
		Ok(())
	}
}
