//! Answers before the block: what binds an attestor node's early answer (`attribution_answer`)
//! to the chain's result, and the punishment of an answer that differs.
//!
//! - An inference opened by an extrinsic keeps that extrinsic's hash ([`Requests`]), and,
//!   once paid out, the hash of the outcome paid.
//! - A node answers the application that sent the extrinsic with an outcome and its
//!   signature over [`answer_payload`]`(extrinsic, outcome)`.
//! - Anyone holding the signed answer may report it once the result is paid out
//!   ([`Pallet::report_answer`]). An answer that is not the paid outcome costs its attestor a
//!   strike and `lost_slash` of its bond, to the treasury.
//!
//! The rules, as an attacker reads them:
//! - **Acting first.** The attestor itself may report its own lie before the application
//!   does: the slash goes to the treasury either way, so it escapes nothing.
//! - **Two roles.** A reporter gains nothing by reporting (the treasury is paid), and a
//!   successful report is free, so an application loses nothing by reporting.
//! - **Lying about a label.** The signature covers the outcome's hash, which covers its
//!   engine version, label or text, and shares: any other claim is `BadAnswerSignature`.
//! - **Replay.** The signature covers the request's extrinsic hash, which only one inference
//!   has (a nonce is used once). Nodes answer only extrinsics that are a single signed
//!   `agents.invoke`: an extrinsic that opens two inferences (a batch) gets no answer.
//! - **Twice.** Each attestor is punished once per inference (`AlreadyReported`).
//! - **An honest node and a lying majority.** The answer is judged against the result paid
//!   out, after the challenge window: an honest node outvoted by a lying committee is exposed
//!   as an honest committee member is, and the challenge is the defence of both. A node's
//!   watchtower re-executes every result it answered early ([`crate::ocw::answered_key`]).

use frame_support::pallet_prelude::*;
use sp_core::H256;
use sp_runtime::traits::Verify;

use crate::{pallet::*, types::*, InferenceId, JobId};

impl<T: Config> Pallet<T> {
	/// Binds inference `inference`, opened as job `job`, to the extrinsic being applied.
	/// Without one (an inference opened by a hook), nothing is bound and no answer can be
	/// reported.
	pub(crate) fn note_request(inference: InferenceId, job: JobId) {
		if let Some(extrinsic) = T::RequestHash::get() {
			Requests::<T>::insert(
				inference,
				InferenceRequest { extrinsic, job, decided: None, reported: BoundedVec::new() },
			);
		}
	}

	/// Records `outcome` as what inference `inference` paid out.
	pub(crate) fn note_decided(inference: InferenceId, outcome: H256) {
		Requests::<T>::mutate_extant(inference, |r| r.decided = Some(outcome));
	}

	/// `report_answer`: checks the answer against the paid outcome, and punishes a lie.
	pub(crate) fn do_report_answer(
		inference: InferenceId,
		attestor: T::AccountId,
		answered: H256,
		signature: T::AnswerSignature,
	) -> DispatchResult {
		let mut request = Requests::<T>::get(inference).ok_or(Error::<T>::UnknownRequest)?;
		let decided = request.decided.ok_or(Error::<T>::NotFinal)?;
		ensure!(
			signature.verify(&answer_payload(request.extrinsic, answered)[..], &attestor),
			Error::<T>::BadAnswerSignature
		);
		ensure!(
			Bonds::<T>::contains_key(&attestor) || Attestors::<T>::get().contains(&attestor),
			Error::<T>::NotAttestor
		);
		ensure!(answered != decided, Error::<T>::AnswerMatches);
		ensure!(!request.reported.contains(&attestor), Error::<T>::AlreadyReported);
		// Every account reported holds a bond or sits in the set: the set is at most
		// `MaxAttestors`, but the accounts unbonding are not bounded, so a full list refuses
		// the next report (`TooManyReports`).
		request.reported.try_push(attestor.clone()).map_err(|_| Error::<T>::TooManyReports)?;
		Requests::<T>::insert(inference, &request);
		let job = request.job;
		Self::strike(&attestor, job, ConsensusParams::<T>::get().max_strikes);
		Self::slash(&attestor, job, StakeParams::<T>::get().lost_slash);
		Self::deposit_event(Event::AnswerReported { inference, attestor, answered, decided });
		Ok(())
	}
}
