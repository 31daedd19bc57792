//! [`CheckAttestation`]: attestations that cannot succeed never enter a block, so they are never
//! charged.
//!
//! `commit` and `reveal` are free when they succeed, but a call that fails in a block still pays
//! its fee. With four attestors and a quorum of three, the fourth commit to nearly every job
//! arrives after the commit round has closed. This extension runs the call's own admission
//! checks ([`Pallet::can_commit`], [`Pallet::can_reveal`]) when the transaction pool validates
//! the transaction, and again when a block builder applies it: a late, duplicate or
//! unauthorised attestation is invalid ([`InvalidTransaction::Stale`] for a job closed, in the
//! other round or answered; [`InvalidTransaction::BadSigner`] for a signer that may not answer;
//! [`InvalidTransaction::BadProof`] for a reveal that does not open the signer's commitment).
//! It is dropped from the pool, never included, and never charged.
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
//! the next block is admitted (not yet valid): a commit or reveal to a job numbered from
//! `NextJobId` up to [`LOOKAHEAD_JOBS`] ahead, or a reveal to a job still in its commit round.
//! Its longevity is [`NOT_YET_LONGEVITY`] blocks. In a block it is checked strictly: one that
//! is still not valid is [`InvalidTransaction::Future`], which a block builder skips without
//! dropping it from the pool, so the next block can take it.

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
	transaction_validity::{InvalidTransaction, ValidTransaction},
};

use crate::{Call, Config, Error, JobId, Jobs, NextJobId, Pallet};

/// How many jobs past the last one opened an attestation may name and still be admitted to the
/// pool, as one its node has already seen opened (see the [module](self) docs).
pub const LOOKAHEAD_JOBS: JobId = 1024;

/// The longevity, in blocks, of an attestation admitted before it can succeed.
pub const NOT_YET_LONGEVITY: u64 = 4;

/// Why an attestation was admitted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Admitted {
	/// It can succeed now.
	Now,
	/// It cannot yet, but may once the next block is imported.
	NotYet,
}

/// Whether `error`, met for `job`, may go away with the next block: the job is not opened yet
/// (but close), or a reveal's commit round is still open.
fn not_yet<T: Config>(job: JobId, error: &Error<T>) -> bool {
	match error {
		Error::UnknownJob => {
			let next = NextJobId::<T>::get();
			job >= next && job < next.saturating_add(LOOKAHEAD_JOBS)
		},
		Error::RevealNotOpen => Jobs::<T>::contains_key(job),
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
		| Call::reveal_batch { .. }) => Some(c),
		_ => None,
	}
}

/// [`Admitted::Now`] if any of `checks` (each for a job) passes; else [`Admitted::NotYet`] if
/// any may pass with the next block; else the first error (`EmptyBatch` if there are none).
fn any_admitted<T: Config>(
	checks: impl Iterator<Item = (JobId, Result<(), Error<T>>)>,
) -> Result<Admitted, Error<T>> {
	let mut first = None;
	let mut later = false;
	for (job, check) in checks {
		match check {
			Ok(()) => return Ok(Admitted::Now),
			Err(e) => {
				later |= not_yet::<T>(job, &e);
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
		let one =
			|job: JobId, check: Result<(), Error<T>>| any_admitted(core::iter::once((job, check)));
		let admitted = match attestation {
			Call::commit { job, .. } => one(*job, Pallet::<T>::can_commit(who, *job).map(|_| ())),
			Call::reveal { job, salt, outcome } => {
				one(*job, Pallet::<T>::can_reveal(who, *job, salt, outcome).map(|_| ()))
			},
			// A late commit (a first one: a second is `AlreadyCommitted`) is excused in a
			// batch, which is included so that its sender's nonces have no gap.
			Call::commit_batch { items } => any_admitted(items.iter().map(|(job, _)| {
				let check = match Pallet::<T>::can_commit(who, *job) {
					Err(Error::CommitsClosed) => Ok(()),
					other => other.map(|_| ()),
				};
				(*job, check)
			})),
			Call::reveal_batch { items, .. } => any_admitted(items.iter().map(|(job, salt, o)| {
				(*job, Pallet::<T>::can_reveal(who, *job, salt, o).map(|_| ()))
			})),
			_ => Ok(Admitted::Now),
		};
		match admitted {
			Ok(Admitted::Now) => Ok((Default::default(), (), origin)),
			// In a block, strictly: the builder skips it and keeps it in the pool.
			Ok(Admitted::NotYet) if source == TransactionSource::InBlock => {
				Err(InvalidTransaction::Future.into())
			},
			Ok(Admitted::NotYet) => Ok((
				ValidTransaction { longevity: NOT_YET_LONGEVITY, ..Default::default() },
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
