//! [`CheckAttestation`]: attestations that cannot succeed never enter a block, so they are never
//! charged; those that can have a lane of their own.
//!
//! `commit` and `reveal` are free when they succeed, but a call that fails in a block still pays
//! its fee. This extension runs the call's own admission checks ([`Pallet::can_commit`],
//! [`Pallet::can_reveal`], [`Pallet::can_challenge`]) when the transaction pool validates the
//! transaction, and again when a block builder applies it: a late, duplicate or unauthorised
//! attestation is invalid ([`InvalidTransaction::Stale`] for a job closed, in the other round
//! or answered; [`InvalidTransaction::BadSigner`] for a signer that may not answer;
//! [`InvalidTransaction::BadProof`] for a reveal that does not open the signer's commitment).
//! It is dropped from the pool, never included, and never charged. A challenge that would fail
//! (already challenged, no recheck committee, ...) is invalid the same way, and the pool holds
//! one challenge per result ([`challenge_tag`]), so watchtowers that race pay nothing.
//!
//! **The lane.** An admitted attestation has priority [`ATTESTATION_PRIORITY`], above any tip
//! (priorities add up, saturating): the pool orders it before every other transaction, evicts
//! others first when it is full, and a block builder takes it first. Its calls are of the
//! `Operational` class, whose share of each block normal transactions cannot use. Neither can be
//! abused: only a member of a job's committee can send an admissible attestation, once per
//! round, and jobs are paid for (an inference's fee, a model's registration).
//!
//! A batch (`commit_batch`, `reveal_batch`) is admitted if at least one of its items is: a
//! worker's batch may race with the other members' answers, and its items that lost the race
//! fail in the block, reported one by one, while the rest count. In a `commit_batch`, a
//! member's first late commit to a job counts as admissible: the batch is included, the late
//! commit is recorded and excused (once per member and job), and the sender's nonces
//! keep no gap. A batch none of whose items could succeed is invalid like a single
//! attestation. Every other call passes through untouched.
//!
//! **Not yet.** A worker answers right after its node imports a block, so its answer can reach
//! a peer that has not imported that block yet: a commit to a job the peer does not know, or a
//! reveal whose commit round the peer still sees open. Rejecting it there would drop it from
//! that peer's pool for good (a peer is sent a transaction once), and if that peer authors the
//! next block, the answer, and every later transaction of the same attestor (they follow it by
//! nonce), waits for another author. So in the pool, an attestation that may become valid with
//! the next block is admitted (not yet valid): from an active attestor, a commit or reveal to a
//! job numbered from `NextJobId` up to [`LOOKAHEAD_JOBS`] ahead, or from a member of a job's
//! committee, a reveal to the job still in its commit round. Such a transaction provides
//! [`not_yet_tag`], one per attestor and round, so each attestor has at most two of them in a
//! pool: an account that never bonded has none, and a bonded one cannot flood the pool with
//! them. Its longevity is [`NOT_YET_LONGEVITY`] blocks. In a block it is checked strictly: one
//! that is still not valid is [`InvalidTransaction::Future`], which a block builder skips
//! without dropping it from the pool, so the next block can take it.

use codec::{Decode, DecodeWithMemTracking, Encode};
use core::marker::PhantomData;
use frame_support::{
	pallet_prelude::TransactionSource,
	traits::{Get, IsSubType, OriginTrait},
	weights::Weight,
	DefaultNoBound,
};
use scale_info::TypeInfo;
use sp_runtime::{
	impl_tx_ext_default,
	traits::{DispatchInfoOf, Dispatchable, TransactionExtension},
	transaction_validity::{InvalidTransaction, TransactionPriority, ValidTransaction},
};

use crate::{Call, Config, Error, InferenceId, JobId, Jobs, NextJobId, Pallet};

/// How many jobs past the last one opened an attestation may name and still be admitted to the
/// pool, as one its node has already seen opened (see the [module](self) docs).
pub const LOOKAHEAD_JOBS: JobId = 1024;

/// The longevity, in blocks, of an attestation admitted before it can succeed.
pub const NOT_YET_LONGEVITY: u64 = 4;

/// The pool priority of an admissible attestation or challenge: the highest. Priorities of a
/// transaction's extensions add up, saturating, so no tip raises another transaction above it.
pub const ATTESTATION_PRIORITY: TransactionPriority = TransactionPriority::MAX;

/// The tag a not-yet-valid attestation of `who` in `round` (0: commit, 1: reveal) provides: the
/// pool keeps one transaction per tag, so at most one of each per attestor.
pub fn not_yet_tag<AccountId: Encode>(who: &AccountId, round: u8) -> alloc::vec::Vec<u8> {
	(b"attribution/not-yet", who, round).encode()
}

/// The tag a challenge of `inference` provides: the pool keeps one challenge per result.
pub fn challenge_tag(inference: InferenceId) -> alloc::vec::Vec<u8> {
	(b"attribution/challenge", inference).encode()
}

/// Why an attestation was admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Admitted {
	/// It can succeed now.
	Now,
	/// It cannot yet, but may once the next block is imported.
	NotYet,
}

/// Whether `error`, met for `who`'s attestation to `job`, may go away with the next block: the
/// job is not opened yet (but close) and `who` is an active attestor, or a reveal's commit
/// round is still open and `who` is in the job's committee.
fn not_yet<T: Config>(who: &T::AccountId, job: JobId, error: &Error<T>) -> bool {
	match error {
		Error::UnknownJob => {
			let next = NextJobId::<T>::get();
			job >= next
				&& job < next.saturating_add(LOOKAHEAD_JOBS)
				&& Pallet::<T>::is_active_attestor(who)
		},
		Error::RevealNotOpen => Jobs::<T>::get(job).is_some_and(|j| j.committee.contains(who)),
		_ => false,
	}
}

/// Rejects, at validation, an attestation its call would reject: see the [module](self) docs.
#[derive(Encode, Decode, DecodeWithMemTracking, DefaultNoBound, Clone, Eq, PartialEq, TypeInfo)]
#[scale_info(skip_type_params(T))]
pub struct CheckAttestation<T>(PhantomData<T>);

impl<T> CheckAttestation<T> {
	/// The extension (it carries no data).
	pub fn new() -> Self {
		Self(PhantomData)
	}
}

impl<T> core::fmt::Debug for CheckAttestation<T> {
	fn fmt(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
		write!(f, "CheckAttestation")
	}
}

/// The attestation `call` is, if it is one.
fn attestation<T: Config>(call: &<T as frame_system::Config>::RuntimeCall) -> Option<&Call<T>>
where
	<T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>>,
{
	match call.is_sub_type()? {
		c @ (Call::commit { .. }
		| Call::reveal { .. }
		| Call::commit_batch { .. }
		| Call::reveal_batch { .. }
		| Call::challenge { .. }) => Some(c),
		_ => None,
	}
}

/// [`Admitted::Now`] if any of `checks` (each for a job) passes; else [`Admitted::NotYet`] if
/// any may pass with the next block; else the first error (`EmptyBatch` if there are none).
fn any_admitted<T: Config>(
	who: &T::AccountId,
	checks: impl Iterator<Item = (JobId, Result<(), Error<T>>)>,
) -> Result<Admitted, Error<T>> {
	let mut first = None;
	let mut later = false;
	for (job, check) in checks {
		match check {
			Ok(()) => return Ok(Admitted::Now),
			Err(e) => {
				later |= not_yet::<T>(who, job, &e);
				first.get_or_insert(e);
			},
		}
	}
	match first {
		_ if later => Ok(Admitted::NotYet),
		Some(e) => Err(e),
		None => Err(Error::EmptyBatch),
	}
}

impl<T: Config + Send + Sync> TransactionExtension<<T as frame_system::Config>::RuntimeCall>
	for CheckAttestation<T>
where
	<T as frame_system::Config>::RuntimeCall: IsSubType<Call<T>>
		+ Dispatchable<RuntimeOrigin = <T as frame_system::Config>::RuntimeOrigin>,
{
	const IDENTIFIER: &'static str = "CheckAttestation";
	type Implicit = ();
	type Val = ();
	type Pre = ();

	fn weight(&self, call: &<T as frame_system::Config>::RuntimeCall) -> Weight {
		// Per item: the attestor set, the suspension, the job, the commit and the reveal, and a
		// hash.
		let items = match attestation::<T>(call) {
			Some(Call::commit_batch { items }) => items.len(),
			Some(Call::reveal_batch { items, .. }) => items.len(),
			// The pending result, the set, and the draw's reads (the model, the records'
			// contributors and their payees).
			Some(Call::challenge { .. }) => 8,
			Some(_) => 1,
			None => 0,
		};
		T::DbWeight::get().reads(5).saturating_mul(items as u64)
	}

	fn validate(
		&self,
		origin: <T as frame_system::Config>::RuntimeOrigin,
		call: &<T as frame_system::Config>::RuntimeCall,
		_info: &DispatchInfoOf<<T as frame_system::Config>::RuntimeCall>,
		_len: usize,
		_self_implicit: Self::Implicit,
		_inherited_implication: &impl Encode,
		source: TransactionSource,
	) -> sp_runtime::traits::ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		let Some(attestation) = attestation::<T>(call) else {
			return Ok((Default::default(), (), origin));
		};
		let Some(who) = origin.as_signer() else {
			return Err(InvalidTransaction::BadSigner.into());
		};
		if let Call::challenge { inference } = attestation {
			return match Pallet::<T>::can_challenge(who, *inference) {
				Ok(_) => Ok((
					ValidTransaction {
						priority: ATTESTATION_PRIORITY,
						provides: alloc::vec![challenge_tag(*inference)],
						..Default::default()
					},
					(),
					origin,
				)),
				Err(
					Error::NotAttestor | Error::AttestorSuspended | Error::ChallengerInCommittee,
				) => Err(InvalidTransaction::BadSigner.into()),
				Err(_) => Err(InvalidTransaction::Stale.into()),
			};
		}
		let round = match attestation {
			Call::commit { .. } | Call::commit_batch { .. } => 0u8,
			_ => 1u8,
		};
		let one = |job: JobId, check: Result<(), Error<T>>| {
			any_admitted(who, core::iter::once((job, check)))
		};
		let admitted = match attestation {
			Call::commit { job, .. } => one(*job, Pallet::<T>::can_commit(who, *job).map(|_| ())),
			Call::reveal { job, salt, outcome } => {
				one(*job, Pallet::<T>::can_reveal(who, *job, salt, outcome).map(|_| ()))
			},
			// A late commit (a first one: a second is `AlreadyCommitted`) is excused in a
			// batch, which is included so that its sender's nonces have no gap.
			Call::commit_batch { items } => any_admitted(
				who,
				items.iter().map(|(job, _)| {
					let check = match Pallet::<T>::can_commit(who, *job) {
						Err(Error::CommitsClosed) => Ok(()),
						other => other.map(|_| ()),
					};
					(*job, check)
				}),
			),
			Call::reveal_batch { items, .. } => any_admitted(
				who,
				items.iter().map(|(job, salt, o)| {
					(*job, Pallet::<T>::can_reveal(who, *job, salt, o).map(|_| ()))
				}),
			),
			_ => Ok(Admitted::Now),
		};
		match admitted {
			Ok(Admitted::Now) => Ok((
				ValidTransaction { priority: ATTESTATION_PRIORITY, ..Default::default() },
				(),
				origin,
			)),
			// In a block, strictly: the builder skips it and keeps it in the pool.
			Ok(Admitted::NotYet) if source == TransactionSource::InBlock => {
				Err(InvalidTransaction::Future.into())
			},
			Ok(Admitted::NotYet) => Ok((
				ValidTransaction {
					priority: ATTESTATION_PRIORITY,
					longevity: NOT_YET_LONGEVITY,
					provides: alloc::vec![not_yet_tag(who, round)],
					..Default::default()
				},
				(),
				origin,
			)),
			Err(
				Error::NotAttestor
				| Error::AttestorSuspended
				| Error::NotCommitteeMember
				| Error::NotCommitted,
			) => Err(InvalidTransaction::BadSigner.into()),
			Err(Error::CommitmentMismatch) => Err(InvalidTransaction::BadProof.into()),
			Err(Error::EmptyBatch) => Err(InvalidTransaction::Call.into()),
			Err(_) => Err(InvalidTransaction::Stale.into()),
		}
	}

	impl_tx_ext_default!(<T as frame_system::Config>::RuntimeCall; prepare);
}
