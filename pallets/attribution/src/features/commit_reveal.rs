//! Jobs, their commit and reveal rounds, and the vote that decides them.

use alloc::vec::Vec;
use codec::Encode;
use frame_support::pallet_prelude::*;
use frame_system::pallet_prelude::BlockNumberFor;
use sp_core::H256;
use sp_runtime::traits::{One, Saturating, Zero};

use crate::{
	pallet::*, types::*, vote, weights::WeightInfo, ClassLabel, DatanetInspect, Generation,
	InferenceHandler, InferenceId, InferenceResult, JobId, ModelId, ModelInspect, ModelLifecycle,
	RecordShare, Span, Trace, TrainingRecord,
};
use openledger_primitives::models::positions;
use sp_runtime::Perbill;

/// What one reveal did: over how many members, and what its vote did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RevealWork {
	pub members: u32,
	pub vote: Vote,
}

/// What a reveal's vote did, for its weight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Vote {
	/// Not taken: other members have still to reveal.
	Waits,
	/// Taken, and an inference's result now waits out its challenge window.
	Pending,
	/// Taken and applied (a model activated, a result paid out, a recheck settled, or the job
	/// failed).
	Applied,
}

impl<T: Config> Pallet<T> {
	/// What `who` commits to for `job`: `blake2_256(SCALE(job, who, salt, outcome))`. The
	/// account is in the hash, so a copied commitment opens for no one else.
	pub fn commitment(job: JobId, who: &T::AccountId, salt: &[u8; 32], outcome: &Outcome) -> H256 {
		H256((job, who, salt, outcome).using_encoded(sp_io::hashing::blake2_256))
	}

	/// The open job `job`, if `who` may commit to it now: the checks of `commit`, run again
	/// by [`extension::CheckAttestation`] when the pool validates it.
	pub fn can_commit(who: &T::AccountId, job: JobId) -> Result<Job<T>, Error<T>> {
		Self::ensure_active(who)?;
		let j = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		ensure!(j.committee.contains(who), Error::<T>::NotCommitteeMember);
		ensure!(!LateCommits::<T>::contains_key(job, who), Error::<T>::AlreadyCommitted);
		ensure!(!j.revealing, Error::<T>::CommitsClosed);
		ensure!(!Commits::<T>::contains_key(job, who), Error::<T>::AlreadyCommitted);
		ensure!(
			frame_system::Pallet::<T>::block_number() <= j.deadline,
			Error::<T>::DeadlinePassed
		);
		Ok(j)
	}

	/// The open job `job`, if `who` may reveal `outcome` with `salt` now: the checks of
	/// `reveal` up to the outcome's own, run again by [`extension::CheckAttestation`].
	pub fn can_reveal(
		who: &T::AccountId,
		job: JobId,
		salt: &[u8; 32],
		outcome: &Outcome,
	) -> Result<Job<T>, Error<T>> {
		let j = Jobs::<T>::get(job).ok_or(Error::<T>::UnknownJob)?;
		ensure!(j.revealing, Error::<T>::RevealNotOpen);
		let commitment = Commits::<T>::get(job, who).ok_or(Error::<T>::NotCommitted)?;
		ensure!(!Reveals::<T>::contains_key(job, who), Error::<T>::AlreadyRevealed);
		ensure!(
			frame_system::Pallet::<T>::block_number() <= j.deadline,
			Error::<T>::DeadlinePassed
		);
		ensure!(
			Self::commitment(job, who, salt, outcome) == commitment,
			Error::<T>::CommitmentMismatch
		);
		Ok(j)
	}

	/// The members job `j`'s vote may strike and slash: its committee, and for a recheck the
	/// first committee's majority too. It sizes a reveal's weight.
	pub fn reveal_members(j: &Job<T>) -> u32 {
		let first = match j.kind {
			JobKind::Recheck { inference, .. } => {
				Pending::<T>::get(inference).map_or(0, |p| p.agreeing.len())
			},
			_ => 0,
		};
		j.committee.len().saturating_add(first) as u32
	}

	/// [`Pallet::can_reveal`], for a job of at most `witness` members
	/// ([`Pallet::reveal_members`]); returns the job and its members.
	pub(crate) fn can_reveal_within(
		who: &T::AccountId,
		job: JobId,
		salt: &[u8; 32],
		outcome: &Outcome,
		witness: u32,
	) -> Result<(Job<T>, u32), DispatchError> {
		let j = Self::can_reveal(who, job, salt, outcome)?;
		let members = Self::reveal_members(&j);
		ensure!(members <= witness, Error::<T>::MembersAboveWitness);
		Ok((j, members))
	}

	/// `outcome` as stored, if it fits job `j`.
	pub(crate) fn check_outcome(
		j: &Job<T>,
		outcome: Outcome,
	) -> Result<Submission<T>, DispatchError> {
		match (j.kind, outcome) {
			(JobKind::Train { .. }, Outcome::Train(o)) => {
				ensure!(o.engine_version == j.engine_version, Error::<T>::WrongEngineVersion);
				Ok(Submission::Train(o))
			},
			(JobKind::Infer { model, .. } | JobKind::Recheck { model, .. }, outcome) => {
				// What each kind of outcome carries beside its shares.
				enum Detail {
					Class(ClassLabel, Perbill),
					Continuation(Perbill, Generation),
					Trace(Trace),
				}
				let (engine_version, shares, detail) = match outcome {
					Outcome::Infer { engine_version, label, confidence, shares } => {
						(engine_version, shares, Detail::Class(label, confidence))
					},
					Outcome::Generate { engine_version, confidence, shares, generation } => {
						(engine_version, shares, Detail::Continuation(confidence, generation))
					},
					Outcome::Trace { engine_version, shares, trace } => {
						(engine_version, shares, Detail::Trace(trace))
					},
					Outcome::Train(_) => return Err(Error::<T>::WrongJobKind.into()),
				};
				ensure!(engine_version == j.engine_version, Error::<T>::WrongEngineVersion);
				let shares: BoundedVec<RecordShare, T::MaxTopK> =
					shares.try_into().map_err(|_| Error::<T>::TooManyShares)?;
				let summary = T::Models::model(model).ok_or(Error::<T>::UnknownModel)?;
				let schema = summary
					.datanet()
					.and_then(T::Datanets::schema)
					.ok_or(Error::<T>::UnknownModel)?;
				// Records are named by their positions in the sources' records.
				let count = positions(&summary.sources).ok_or(Error::<T>::UnknownModel)?;
				let kind_fits = match detail {
					Detail::Class(..) => !summary.spec.indexes(),
					Detail::Continuation(..) => summary.spec.generates(),
					Detail::Trace(_) => summary.spec.traces(),
				};
				ensure!(kind_fits, Error::<T>::WrongOutcomeKind);
				ensure!(vote::sums_to_one(&shares), Error::<T>::SharesDoNotSumToOne);
				let mut seen: Vec<u32> = shares.iter().map(|s| s.record).collect();
				seen.sort_unstable();
				ensure!(seen.windows(2).all(|w| w[0] != w[1]), Error::<T>::DuplicateRecord);
				ensure!(seen.last().is_none_or(|r| *r < count), Error::<T>::UnknownRecord);
				// Spans lie within their text (the continuation, or the traced output: the
				// job's input) and name records of the sources.
				let spans_fit = |spans: &[Span], text: u32| -> DispatchResult {
					for span in spans {
						ensure!(
							span.start < span.end && span.end <= text,
							Error::<T>::MalformedGeneration
						);
						ensure!(span.records.iter().all(|r| *r < count), Error::<T>::UnknownRecord);
					}
					Ok(())
				};
				match detail {
					Detail::Class(label, confidence) => {
						ensure!(label < schema.classes(), Error::<T>::LabelOutOfRange);
						Ok(Submission::Infer { engine_version, label, confidence, shares })
					},
					Detail::Continuation(confidence, generation) => {
						ensure!(
							core::str::from_utf8(&generation.text).is_ok(),
							Error::<T>::MalformedGeneration
						);
						spans_fit(&generation.spans, generation.text.len() as u32)?;
						Ok(Submission::Generate { engine_version, confidence, shares, generation })
					},
					Detail::Trace(trace) => {
						spans_fit(&trace.spans, j.input.len() as u32)?;
						Ok(Submission::Trace { engine_version, shares, trace })
					},
				}
			},
			_ => Err(Error::<T>::WrongJobKind.into()),
		}
	}

	/// Opens a job, for the chain's engine version.
	pub(crate) fn open(
		kind: JobKind,
		input: BoundedVec<u8, T::MaxInputLen>,
		period: BlockNumberFor<T>,
	) -> Result<JobId, DispatchError> {
		let committee = Self::draw_committee(NextJobId::<T>::get());
		let engine_version = ConsensusParams::<T>::get().engine_version;
		Self::open_with(kind, input, period, committee, engine_version)
	}

	/// Opens the next job with `committee`, accepting outcomes of `engine_version`.
	pub(crate) fn open_with(
		kind: JobKind,
		input: BoundedVec<u8, T::MaxInputLen>,
		period: BlockNumberFor<T>,
		committee: BoundedVec<T::AccountId, T::MaxAttestors>,
		engine_version: u32,
	) -> Result<JobId, DispatchError> {
		let job = NextJobId::<T>::get();
		NextJobId::<T>::put(job.checked_add(1).ok_or(Error::<T>::Overflow)?);
		let deadline = frame_system::Pallet::<T>::block_number().saturating_add(period);
		Jobs::<T>::insert(
			job,
			Job {
				kind,
				input,
				deadline,
				revealing: false,
				commits: 0,
				reveals: 0,
				committee: committee.clone(),
				engine_version,
			},
		);
		Deadlines::<T>::insert(deadline, job, ());
		if let JobKind::Train { model } = kind {
			TrainingJobs::<T>::insert(model, job);
		}
		Self::deposit_event(Event::JobCreated { job, kind, deadline, committee });
		Ok(job)
	}

	/// Removes a job, its deadline entry, commits and reveals; returns the commits and the
	/// reveals.
	#[allow(clippy::type_complexity)]
	pub(crate) fn remove_job(
		job: JobId,
		j: &Job<T>,
	) -> (Vec<(T::AccountId, H256)>, Vec<(T::AccountId, Submission<T>)>) {
		Jobs::<T>::remove(job);
		Deadlines::<T>::remove(j.deadline, job);
		if let JobKind::Train { model } = j.kind {
			TrainingJobs::<T>::remove(model);
		}
		let commits = Commits::<T>::drain_prefix(job).collect();
		let reveals = Reveals::<T>::drain_prefix(job).collect();
		// At most the committee: one per member.
		LateCommits::<T>::drain_prefix(job).for_each(drop);
		(commits, reveals)
	}

	/// Closes a job without a result: a model fails, an inference is refunded.
	pub(crate) fn fail(kind: JobKind) {
		match kind {
			JobKind::Train { model } => {
				if let Err(e) = T::Models::fail(model) {
					log::warn!(target: "attribution", "model {model} could not fail: {e:?}");
				}
			},
			JobKind::Infer { inference, .. } => {
				T::Inferences::expired(inference);
				Self::expire_later(Expiring::Inference(inference));
			},
			JobKind::Recheck { inference, .. } => Self::settle(inference, None),
		}
	}

	/// Takes the vote on job `job`'s reveals, slashes the losers and the members that did
	/// not reveal, and applies the winning outcome. An outcome wins with the votes of more than
	/// half of the committee ([`Pallet::majority`]); every reveal is of the job's engine
	/// version, so every other revealed outcome lost.
	pub(crate) fn decide(job: JobId, j: Job<T>) -> Vote {
		let (commits, reveals) = Self::remove_job(job, &j);
		let stake = StakeParams::<T>::get();
		let max_strikes = ConsensusParams::<T>::get().max_strikes;
		for (who, _) in &commits {
			if !reveals.iter().any(|(r, _)| r == who) {
				Self::strike(who, job, max_strikes);
				Self::slash(who, job, stake.unrevealed_slash);
			}
		}
		let hashes: Vec<H256> = reveals.iter().map(|(_, s)| s.hash()).collect();
		let count = reveals.len() as u32;
		let won = vote::winner(&hashes, Self::majority(&j))
			.and_then(|(hash, votes)| Some((hash, votes, hashes.iter().position(|h| *h == hash)?)));
		let Some((hash, agreement, at)) = won else {
			Self::fail(j.kind);
			Self::deposit_event(Event::NoMajority {
				job,
				kind: j.kind,
				commits: commits.len() as u32,
				reveals: count,
			});
			return Vote::Applied;
		};
		let winning = reveals[at].1.clone();
		let version = winning.engine_version();
		let mut agreeing = Vec::new();
		for ((who, _), h) in reveals.iter().zip(&hashes) {
			if *h == hash {
				agreeing.push(who.clone());
			} else {
				Self::strike(who, job, max_strikes);
				Self::slash(who, job, stake.lost_slash);
			}
		}
		match (j.kind, winning) {
			(JobKind::Train { model }, Submission::Train(o)) => {
				if let Err(e) = T::Models::activate(model, o.accuracy, o.weights_hash) {
					log::warn!(target: "attribution", "model {model} could not activate: {e:?}");
					return Vote::Applied;
				}
				let (suspects, duplicates) =
					(o.flags.suspects.len() as u32, o.flags.duplicates.len() as u32);
				let record = TrainingRecord {
					engine_version: version,
					accuracy: o.accuracy,
					weights_hash: o.weights_hash,
					agreement,
					submissions: count,
					flags: o.flags,
				};
				Trainings::<T>::insert(model, record);
				Self::expire_later(Expiring::Training(model));
				Self::deposit_event(Event::ModelTrained {
					job,
					model,
					engine_version: version,
					accuracy: o.accuracy,
					weights_hash: o.weights_hash,
					agreement,
					submissions: count,
					suspects,
					duplicates,
				});
			},
			(
				JobKind::Infer { inference, model },
				outcome @ (Submission::Infer { .. }
				| Submission::Generate { .. }
				| Submission::Trace { .. }),
			) => {
				let agreeing = BoundedVec::truncate_from(agreeing);
				if stake.challenge_window.is_zero() {
					Self::pay_out(job, inference, model, j.input.clone(), outcome, agreeing);
					return Vote::Applied;
				}
				let matures = frame_system::Pallet::<T>::block_number()
					.saturating_add(stake.challenge_window);
				let pending = PendingResult {
					job,
					model,
					input: j.input.clone(),
					outcome,
					agreeing,
					committee: j.committee.clone(),
					matures,
					challenge: None,
				};
				Pending::<T>::insert(inference, pending);
				Maturities::<T>::insert(matures, inference, ());
				Self::deposit_event(Event::ResultPending { job, inference, matures });
				return Vote::Pending;
			},
			(
				JobKind::Recheck { inference, .. },
				outcome @ (Submission::Infer { .. }
				| Submission::Generate { .. }
				| Submission::Trace { .. }),
			) => {
				Self::settle(inference, Some((outcome, agreeing)));
			},
			// `reveal` admits only outcomes of the job's kind.
			_ => Self::fail(j.kind),
		}
		Vote::Applied
	}

	/// Pays out inference `inference`'s result: [`InferenceHandler::completed`] splits the
	/// fee, and the result is stored.
	pub(crate) fn pay_out(
		job: JobId,
		inference: InferenceId,
		model: ModelId,
		input: BoundedVec<u8, T::MaxInputLen>,
		outcome: Submission<T>,
		agreeing: BoundedVec<T::AccountId, T::MaxAttestors>,
	) {
		let hash = outcome.hash();
		let Some(Decided { engine_version, answer, shares, generation, trace }) = outcome.decided()
		else {
			return;
		};
		Self::note_decided(inference, hash);
		let result = InferenceResult { answer, shares: shares.to_vec() };
		T::Inferences::completed(inference, &result, &agreeing);
		Self::deposit_event(Event::InferenceAttributed {
			job,
			inference,
			engine_version,
			answer,
			records: shares.len() as u32,
		});
		if let Some(generation) = generation {
			Generations::<T>::insert(inference, generation);
		}
		if let Some(trace) = trace {
			// The output is the inference's input: kept with its trace, so that readers can
			// show the spans on it.
			Traces::<T>::insert(inference, TraceRecord { output: input, trace });
		}
		Self::expire_later(Expiring::Inference(inference));
		Inferences::<T>::insert(
			inference,
			InferenceRecord {
				model,
				engine_version,
				answer,
				shares,
				agreeing,
				block: frame_system::Pallet::<T>::block_number(),
			},
		);
	}

	/// Up to `max` entries of a queue keyed by block (`Deadlines`, `Maturities`), from block
	/// `cursor` to `last`, in order: `keys(block, n)` lists at most `n` of a block's. Visits at
	/// most `max` blocks. Returns the entries, the block to start from next time (past every
	/// block emptied), and the blocks visited.
	pub(crate) fn take_due<K>(
		mut cursor: BlockNumberFor<T>,
		last: BlockNumberFor<T>,
		max: u32,
		keys: impl Fn(BlockNumberFor<T>, usize) -> Vec<K>,
	) -> (Vec<(BlockNumberFor<T>, K)>, BlockNumberFor<T>, u32) {
		let mut taken = Vec::new();
		let mut visited = 0u32;
		while cursor <= last && (taken.len() as u32) < max && visited < max {
			visited = visited.saturating_add(1);
			let room = (max as usize).saturating_sub(taken.len());
			let found = keys(cursor, room.saturating_add(1));
			let more = found.len() > room;
			taken.extend(found.into_iter().take(room).map(|k| (cursor, k)));
			if more {
				break;
			}
			cursor = cursor.saturating_add(One::one());
		}
		(taken, cursor, visited)
	}

	/// `on_initialize`: closes the jobs whose round ended before block `now`, and pays out the
	/// results that mature by `now`, at most [`Config::MaxSettledPerBlock`] of each, oldest
	/// first; the rest wait for the next blocks.
	pub(crate) fn settle_due(now: BlockNumberFor<T>) -> Weight {
		let max = T::MaxSettledPerBlock::get();
		let (due, next, visited_deadlines) = Self::take_due(
			DeadlineCursor::<T>::get(),
			now.saturating_sub(One::one()),
			max,
			|block, n| Deadlines::<T>::iter_key_prefix(block).take(n).collect(),
		);
		DeadlineCursor::<T>::put(next);
		for (block, job) in &due {
			Deadlines::<T>::remove(block, job);
			Self::deadline_passed(*job);
		}
		let (matured, next, visited_maturities) =
			Self::take_due(MaturityCursor::<T>::get(), now, max, |block, n| {
				Maturities::<T>::iter_key_prefix(block).take(n).collect()
			});
		MaturityCursor::<T>::put(next);
		for (block, inference) in &matured {
			Maturities::<T>::remove(block, inference);
			if let Some(p) = Pending::<T>::take(inference) {
				Self::pay_out(p.job, *inference, p.model, p.input, p.outcome, p.agreeing);
			}
		}
		let visited = visited_deadlines.saturating_add(visited_maturities);
		T::WeightInfo::on_initialize(due.len() as u32)
			.saturating_add(T::WeightInfo::on_initialize_matured(matured.len() as u32))
			// The benchmark's inferences have no request to note the paid outcome in.
			.saturating_add(T::DbWeight::get().writes(matured.len() as u64))
			.saturating_add(T::DbWeight::get().reads_writes(visited.saturating_add(2).into(), 2))
	}

	/// The end of job `job`'s round: the vote if it is revealing; else the reveal round if a
	/// majority of the committee committed, and expiry if not.
	pub(crate) fn deadline_passed(job: JobId) {
		let Some(mut j) = Jobs::<T>::get(job) else { return };
		if j.revealing {
			let _ = Self::decide(job, j);
			return;
		}
		if j.commits >= Self::majority(&j) {
			Self::open_reveals(job, &mut j);
			Jobs::<T>::insert(job, j);
			return;
		}
		let (commits, _) = Self::remove_job(job, &j);
		Self::fail(j.kind);
		Self::deposit_event(Event::JobExpired { job, kind: j.kind, commits: commits.len() as u32 });
	}

	/// `commit`'s work, for `who`; returns the size of the job's committee (what its weight
	/// depends on).
	pub(crate) fn do_commit(
		who: T::AccountId,
		job: JobId,
		commitment: H256,
	) -> Result<u32, DispatchError> {
		let mut j = Self::can_commit(&who, job)?;
		let members = j.committee.len() as u32;
		Commits::<T>::insert(job, &who, commitment);
		j.commits = j.commits.saturating_add(1);
		Self::deposit_event(Event::Committed { job, attestor: who, commits: j.commits });
		if Self::commits_complete(job, &j) {
			Self::open_reveals(job, &mut j);
		}
		Jobs::<T>::insert(job, j);
		Ok(members)
	}

	/// Closes job `job`'s commit round and opens its reveal round, for [`Config::RevealPeriod`]
	/// blocks from now (the caller stores `j`).
	fn open_reveals(job: JobId, j: &mut Job<T>) {
		Deadlines::<T>::remove(j.deadline, job);
		j.deadline =
			frame_system::Pallet::<T>::block_number().saturating_add(T::RevealPeriod::get());
		j.revealing = true;
		Deadlines::<T>::insert(j.deadline, job, ());
		Self::deposit_event(Event::RevealOpened { job, deadline: j.deadline });
	}

	/// `reveal`'s work, for `who`; returns what its weight depends on: whether it took the vote,
	/// and the members the vote may strike and slash (the committee, and for a recheck the
	/// first committee's majority).
	pub(crate) fn do_reveal(
		who: T::AccountId,
		job: JobId,
		salt: [u8; 32],
		outcome: Outcome,
		witness: u32,
	) -> Result<RevealWork, DispatchError> {
		let (mut j, members) = Self::can_reveal_within(&who, job, &salt, &outcome, witness)?;
		let submission = Self::check_outcome(&j, outcome)?;
		let hash = submission.hash();
		Reveals::<T>::insert(job, &who, submission);
		j.reveals = j.reveals.saturating_add(1);
		Self::deposit_event(Event::Revealed {
			job,
			attestor: who,
			outcome: hash,
			reveals: j.reveals,
		});
		let vote = if j.reveals >= j.commits {
			Self::decide(job, j)
		} else {
			Jobs::<T>::insert(job, j);
			Vote::Waits
		};
		Ok(RevealWork { members, vote })
	}

	/// What a reveal did, for its weight: `reveal_stored` when it did not take the vote,
	/// `reveal_pending` when the result waits out its challenge window, else
	/// [`Pallet::reveal_applied_weight`] (the most a reveal does, which its declared weight is).
	pub(crate) fn reveal_weight(work: RevealWork, shares: u32) -> Weight {
		match work.vote {
			Vote::Waits => T::WeightInfo::reveal_stored(work.members, shares),
			Vote::Pending => T::WeightInfo::reveal_pending(work.members, shares),
			Vote::Applied => Self::reveal_applied_weight(work.members, shares),
		}
	}

	/// The weight of a reveal that takes the vote and applies it: `reveal`'s benchmark, and
	/// the write of the paid-out outcome's hash into the inference's request (with no challenge
	/// window a result is paid at once), which the benchmark's inference, opened outside an
	/// extrinsic, does not have.
	pub fn reveal_applied_weight(members: u32, shares: u32) -> Weight {
		T::WeightInfo::reveal(members, shares).saturating_add(T::DbWeight::get().writes(1))
	}
}
