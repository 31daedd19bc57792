//! Batches: many commits or reveals in one transaction, so that an attestor answers every job
//! of a block with two transactions instead of one per job and round.
//!
//! Each item is applied on its own, in a storage layer of its own: one that fails changes
//! nothing, is reported (`BatchItemFailed`, with its error) and does not undo the others. The
//! weight is the single call's per item, and each item that succeeds is refunded down to its
//! job's committee size (and, for a reveal that did not take the vote, to a stored reveal's);
//! a failed item keeps its full weight. A batch in which every item
//! succeeded is free, like the single calls; one with a failed item pays the fee of its weight,
//! so padding a batch with items that cannot succeed costs its sender.
//!
//! One failure is excused: a commit that arrives after its job's commit round closed
//! (`CommitsClosed`). With a committee larger than the quorum, the last members' commits race
//! the quorum in every block, and honest workers lose that race through no fault of their own.
//! A late commit is recorded ([`LateCommits`]), so a member is excused once per job it was
//! drawn for, and cannot pad batches with it: a second late commit to the job fails with
//! `AlreadyCommitted`. A batch of late commits only is still valid in the pool and included:
//! dropping it would leave a gap in its sender's nonces, and every later transaction of that
//! attestor (its reveals too) would wait behind the gap.

use frame_support::{
	dispatch::{DispatchResultWithPostInfo, Pays, PostDispatchInfo},
	ensure,
	pallet_prelude::*,
	storage::with_storage_layer,
};
use sp_core::H256;

use crate::{pallet::*, JobId, Outcome, WeightInfo};

impl<T: Config> Pallet<T> {
	/// The weight `commit_batch` declares for `items` items.
	pub fn commit_batch_weight(items: usize) -> Weight {
		T::WeightInfo::commit(T::MaxAttestors::get()).saturating_mul(items as u64)
	}

	/// The weight `reveal_batch` declares for `items` of jobs of at most `members` members:
	/// `reveal`'s for each item's shares.
	pub fn reveal_batch_weight(items: &[(JobId, [u8; 32], Outcome)], members: u32) -> Weight {
		let members = members.min(Self::max_reveal_members());
		items.iter().fold(Weight::zero(), |w, (_, _, o)| {
			w.saturating_add(Self::reveal_item_weight(members, o))
		})
	}

	/// The most members one reveal's vote may strike and slash: a recheck's committee (up to
	/// the whole set) and the first committee's majority.
	pub fn max_reveal_members() -> u32 {
		T::MaxAttestors::get().saturating_mul(2)
	}

	fn reveal_item_weight(members: u32, outcome: &Outcome) -> Weight {
		Self::reveal_applied_weight(members, outcome.shares().min(T::MaxTopK::get()))
	}

	/// Applies `apply` to each item in a storage layer of its own; returns the post-dispatch
	/// info of the batch (see the [module](self) docs).
	fn apply_each<I>(
		items: impl IntoIterator<Item = I>,
		job_of: impl Fn(&I) -> JobId,
		mut apply: impl FnMut(I) -> (Weight, Result<Weight, DispatchError>),
	) -> PostDispatchInfo {
		let late: DispatchError = Error::<T>::CommitsClosed.into();
		let mut used = Weight::zero();
		let mut failed = false;
		for (index, item) in items.into_iter().enumerate() {
			let job = job_of(&item);
			let (declared, result) = apply(item);
			match result {
				Ok(actual) => used = used.saturating_add(actual),
				Err(error) => {
					failed |= error != late;
					used = used.saturating_add(declared);
					Self::deposit_event(Event::BatchItemFailed { index: index as u32, job, error });
				},
			}
		}
		PostDispatchInfo {
			actual_weight: Some(used),
			pays_fee: if failed { Pays::Yes } else { Pays::No },
		}
	}

	/// `commit_batch`'s work, for `who`.
	pub(crate) fn do_commit_batch(
		who: T::AccountId,
		items: BoundedVec<(JobId, H256), T::MaxBatch>,
	) -> DispatchResultWithPostInfo {
		ensure!(!items.is_empty(), Error::<T>::EmptyBatch);
		let declared = T::WeightInfo::commit(T::MaxAttestors::get());
		Ok(Self::apply_each(
			items,
			|(job, _)| *job,
			|(job, commitment)| {
				let result = with_storage_layer(|| Self::do_commit(who.clone(), job, commitment));
				if result == Err(Error::<T>::CommitsClosed.into()) {
					// Excused once: a second late commit to the job is `AlreadyCommitted`.
					LateCommits::<T>::insert(job, &who, ());
				}
				(declared, result.map(T::WeightInfo::commit))
			},
		))
	}

	/// `reveal_batch`'s work, for `who`.
	pub(crate) fn do_reveal_batch(
		who: T::AccountId,
		items: BoundedVec<(JobId, [u8; 32], Outcome), T::MaxBatch>,
		members: u32,
	) -> DispatchResultWithPostInfo {
		ensure!(!items.is_empty(), Error::<T>::EmptyBatch);
		let members = members.min(Self::max_reveal_members());
		Ok(Self::apply_each(
			items,
			|(job, _, _)| *job,
			|(job, salt, outcome)| {
				let declared = Self::reveal_item_weight(members, &outcome);
				let shares = outcome.shares().min(T::MaxTopK::get());
				let result = with_storage_layer(|| {
					Self::do_reveal(who.clone(), job, salt, outcome, members)
				});
				(declared, result.map(|work| Self::reveal_weight(work, shares)))
			},
		))
	}
}
