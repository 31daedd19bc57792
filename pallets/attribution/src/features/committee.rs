//! Committees: who answers a job, when its commit round is full, and how many votes decide it.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::pallet_prelude::*;

use crate::{pallet::*, types::*, JobId};

impl<T: Config> Pallet<T> {
	/// Whether `params` are usable: a strike limit, a committee size and an engine version of
	/// at least one.
	pub fn params_valid(params: &Params) -> bool {
		params.max_strikes >= 1 && params.committee_size >= 1 && params.engine_version >= 1
	}

	/// The votes an outcome of job `j` needs to win: more than half of its committee, whatever
	/// the order, block or tip of the commits and reveals.
	pub fn majority(j: &Job<T>) -> u32 {
		(j.committee.len() as u32 / 2).saturating_add(1)
	}

	/// Whether job `job`'s commit round is full: every member of its committee has committed,
	/// or can no longer commit (it left the set or is suspended). Only then does the round close
	/// before its deadline, so no member that may still commit is shut out by the speed of the
	/// others.
	pub fn commits_complete(job: JobId, j: &Job<T>) -> bool {
		j.commits as usize >= j.committee.len()
			|| j.committee
				.iter()
				.all(|m| Commits::<T>::contains_key(job, m) || Self::ensure_active(m).is_err())
	}

	/// The committee of job `job`: `committee_size` active attestors (all of them if there
	/// are no more), drawn without replacement by a Fisher–Yates pass keyed by
	/// `blake2_256("committee" ‖ parent hash ‖ job ‖ i)`. The parent hash is fixed before
	/// the job's block is built, and the job id is sequential, so no caller chooses the
	/// draw; the bias left to block authors is in docs/proof-of-attribution.md.
	pub fn draw_committee(job: JobId) -> BoundedVec<T::AccountId, T::MaxAttestors> {
		Self::draw_committee_from(job, &[], ConsensusParams::<T>::get().committee_size)
	}

	/// [`Pallet::draw_committee`] of `size` among the active attestors not in `excluded`.
	pub fn draw_committee_from(
		job: JobId,
		excluded: &[T::AccountId],
		size: u32,
	) -> BoundedVec<T::AccountId, T::MaxAttestors> {
		let mut active: Vec<T::AccountId> = Attestors::<T>::get()
			.into_iter()
			.filter(|a| !Suspended::<T>::contains_key(a) && !excluded.contains(a))
			.collect();
		let size = (size as usize).min(active.len());
		let parent = frame_system::Pallet::<T>::parent_hash();
		for i in 0..size {
			let seed =
				(b"committee", parent, job, i as u32).using_encoded(sp_io::hashing::blake2_256);
			let draw = u64::from_le_bytes([
				seed[0], seed[1], seed[2], seed[3], seed[4], seed[5], seed[6], seed[7],
			]);
			let pick = i + (draw % (active.len() - i) as u64) as usize;
			active.swap(i, pick);
		}
		active.truncate(size);
		BoundedVec::truncate_from(active)
	}

	/// Whether `who` may commit now: an attestor, not suspended.
	pub fn is_active_attestor(who: &T::AccountId) -> bool {
		Self::ensure_active(who).is_ok()
	}

	/// `who` is an attestor (`NotAttestor`) and not suspended (`AttestorSuspended`): what
	/// committing and challenging ask.
	pub(crate) fn ensure_active(who: &T::AccountId) -> Result<(), Error<T>> {
		ensure!(Attestors::<T>::get().contains(who), Error::<T>::NotAttestor);
		ensure!(!Suspended::<T>::contains_key(who), Error::<T>::AttestorSuspended);
		Ok(())
	}
}
