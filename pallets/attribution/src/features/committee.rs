//! Committees: who answers a job, and how many commits close its first round.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::pallet_prelude::*;

use crate::{pallet::*, types::*, JobId};

impl<T: Config> Pallet<T> {
	/// Whether `params` are usable.
	pub fn params_valid(params: &Params) -> bool {
		params.quorum >= 1
			&& params.max_strikes >= 1
			&& params.committee_size >= 1
			&& params.quorum <= params.committee_size
	}

	/// The commits that close job `j`'s commit round: the quorum, or every active member
	/// of its committee if fewer remain (at least one).
	pub fn quorum(j: &Job<T>) -> u32 {
		let set = Attestors::<T>::get();
		let active = j
			.committee
			.iter()
			.filter(|m| set.contains(m) && !Suspended::<T>::contains_key(m))
			.count() as u32;
		let quorum = ConsensusParams::<T>::get().quorum;
		let quorum = match j.kind {
			JobKind::Recheck { .. } => quorum.saturating_mul(2),
			JobKind::Train { .. } | JobKind::Infer { .. } => quorum,
		};
		quorum.min(active).max(1)
	}

	/// The committee of job `job`: `committee_size` active attestors (all of them if there
	/// are no more), drawn without replacement by a Fisher–Yates pass keyed by
	/// `blake2_256("committee" ‖ parent hash ‖ job ‖ i)`. The parent hash is fixed before
	/// the job's block is built, and the job id is sequential, so no caller chooses the
	/// draw; the bias left to block authors is in the README.
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
