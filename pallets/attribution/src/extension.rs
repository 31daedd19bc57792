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
//! fail in the block, reported one by one, while the rest count. A batch none of whose items
//! could succeed is invalid like a single attestation. Every other call passes through
//! untouched.

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
	transaction_validity::InvalidTransaction,
};

use crate::{Call, Config, Error, Pallet};

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

/// `Ok` if any of `checks` is; else the first error (`EmptyBatch` if there are none).
fn any_admitted<T: Config>(
	checks: impl Iterator<Item = Result<(), Error<T>>>,
) -> Result<(), Error<T>> {
	let mut first = None;
	for check in checks {
		match check {
			Ok(()) => return Ok(()),
			Err(e) => {
				first.get_or_insert(e);
			},
		}
	}
	Err(first.unwrap_or(Error::EmptyBatch))
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
			Some(Call::reveal_batch { items }) => items.len(),
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
		_source: TransactionSource,
	) -> sp_runtime::traits::ValidateResult<Self::Val, <T as frame_system::Config>::RuntimeCall> {
		let Some(attestation) = attestation::<T>(call) else {
			return Ok((Default::default(), (), origin));
		};
		let Some(who) = origin.as_signer() else {
			return Err(InvalidTransaction::BadSigner.into());
		};
		let admitted = match attestation {
			Call::commit { job, .. } => Pallet::<T>::can_commit(who, *job).map(|_| ()),
			Call::reveal { job, salt, outcome } => {
				Pallet::<T>::can_reveal(who, *job, salt, outcome).map(|_| ())
			},
			Call::commit_batch { items } => any_admitted(
				items.iter().map(|(job, _)| Pallet::<T>::can_commit(who, *job).map(|_| ())),
			),
			Call::reveal_batch { items } => any_admitted(
				items
					.iter()
					.map(|(job, salt, o)| Pallet::<T>::can_reveal(who, *job, salt, o).map(|_| ())),
			),
			_ => Ok(()),
		};
		match admitted {
			Ok(()) => Ok((Default::default(), (), origin)),
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
