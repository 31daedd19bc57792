//! `report_answer`: an attestor node's answer before the block, judged against the outcome
//! the chain paid out.

use frame_support::{assert_noop, assert_ok, dispatch::Pays};
use sp_core::H256;
use sp_runtime::testing::TestSignature;

use super::*;

/// The hash of the extrinsic that requests inference 7 in these tests.
const REQUEST: H256 = H256::repeat_byte(0x7e);

/// Opens inference 7 (job 1) as requested by the extrinsic `REQUEST`, and has attestors 1 to
/// 3 decide it honestly; returns the outcome paid out.
fn paid_out() -> Outcome {
	CurrentRequest::set(Some(REQUEST));
	open_jobs();
	CurrentRequest::set(None);
	let honest = inferred_of(1, 2, &[(1, 600_000_000), (2, 400_000_000)]);
	answer(1, &[(1, honest.clone()), (2, honest.clone()), (3, honest.clone())]);
	assert!(Inferences::<Test>::contains_key(7), "paid out (no challenge window)");
	honest
}

/// `who`'s signed answer to `REQUEST` with `outcome`.
fn signed(who: AccountId, outcome: &Outcome) -> TestSignature {
	TestSignature(who, answer_payload(REQUEST, outcome.hash()))
}

fn report(
	reporter: AccountId,
	attestor: AccountId,
	outcome: &Outcome,
	signature: TestSignature,
) -> DispatchResultWithPostInfo {
	Attribution::report_answer(origin(reporter), 7, attestor, outcome.hash(), signature)
}

#[test]
fn an_inference_keeps_its_requests_hash_and_then_the_hash_it_paid_out() {
	run_test(|| {
		let honest = paid_out();
		let r = Requests::<Test>::get(7).unwrap();
		assert_eq!((r.extrinsic, r.job, r.decided), (REQUEST, 1, Some(honest.hash())));
		assert!(r.reported.is_empty());
	});
}

#[test]
fn an_answer_that_is_not_the_paid_outcome_costs_a_strike_and_the_lost_slash_to_the_treasury() {
	run_test(|| {
		paid_out();
		// Attestor 3, outside no committee here, told the application another label.
		let lie = inferred_of(1, 1, &[(4, 1_000_000_000)]);
		let before = treasury();
		let post = report(9, 3, &lie, signed(3, &lie)).unwrap();
		assert_eq!(post.pays_fee, Pays::No, "a report that succeeds is free");
		assert_eq!(Attribution::strikes(&3), 1);
		assert_eq!(bond_of(3), BOND - BOND / 10);
		assert_eq!(held(3), BOND - BOND / 10);
		assert_eq!(treasury(), before + BOND / 10, "the slash goes to the treasury");
		assert_eq!(Balances::free_balance(9), ENDOWMENT, "the reporter gains nothing");
		assert!(events().contains(&Event::AnswerReported {
			inference: 7,
			attestor: 3,
			answered: lie.hash(),
			decided: Requests::<Test>::get(7).unwrap().decided.unwrap(),
		}));
		assert_eq!(Requests::<Test>::get(7).unwrap().reported.to_vec(), vec![3]);
	});
}

#[test]
fn an_honest_answer_or_one_not_signed_by_the_attestor_for_this_request_changes_nothing() {
	run_test(|| {
		let honest = paid_out();
		let lie = inferred_of(1, 1, &[(4, 1_000_000_000)]);
		assert_noop!(report(9, 1, &honest, signed(1, &honest)), Error::<Test>::AnswerMatches);
		// Signed by another account than the one reported.
		assert_noop!(report(9, 1, &lie, signed(2, &lie)), Error::<Test>::BadAnswerSignature);
		// Attestor 1's signature of another outcome than the one reported.
		assert_noop!(report(9, 1, &lie, signed(1, &honest)), Error::<Test>::BadAnswerSignature);
		// Attestor 1's signature of the lie for another request.
		let other = TestSignature(1, answer_payload(H256::repeat_byte(1), lie.hash()));
		assert_noop!(report(9, 1, &lie, other), Error::<Test>::BadAnswerSignature);
		// An account with no bond that is not an attestor has nothing to lose.
		assert_noop!(report(9, 5, &lie, signed(5, &lie)), Error::<Test>::NotAttestor);
	});
}

#[test]
fn a_liar_that_reports_itself_first_escapes_nothing_and_is_punished_once() {
	run_test(|| {
		paid_out();
		let lie = inferred_of(1, 1, &[(4, 1_000_000_000)]);
		let (before, free) = (treasury(), Balances::free_balance(2));
		assert_ok!(report(2, 2, &lie, signed(2, &lie)));
		assert_eq!(treasury(), before + BOND / 10);
		assert_eq!(Balances::free_balance(2), free, "its own report pays it nothing");
		// The application's report comes second: the lie was punished already.
		assert_noop!(report(9, 2, &lie, signed(2, &lie)), Error::<Test>::AlreadyReported);
		// Another lie about the same inference is the same offence.
		let other = inferred_of(1, 0, &[(5, 1_000_000_000)]);
		assert_noop!(report(9, 2, &other, signed(2, &other)), Error::<Test>::AlreadyReported);
		assert_eq!(Attribution::strikes(&2), 1);
	});
}

#[test]
fn answers_are_judged_once_the_result_is_paid_out_and_until_its_record_is_pruned() {
	run_test(|| {
		let lie = inferred_of(1, 1, &[(4, 1_000_000_000)]);
		// No inference yet.
		assert_noop!(report(9, 1, &lie, signed(1, &lie)), Error::<Test>::UnknownRequest);
		CurrentRequest::set(Some(REQUEST));
		open_jobs();
		// Requested, not decided: the answer may still be what the chain decides.
		assert_noop!(report(9, 1, &lie, signed(1, &lie)), Error::<Test>::NotFinal);
		// An inference opened outside an extrinsic (none being applied) binds no request.
		CurrentRequest::set(None);
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![3, 4]));
		assert!(!Requests::<Test>::contains_key(8));
		let honest = inferred_of(1, 2, &[(1, 600_000_000), (2, 400_000_000)]);
		answer(1, &[(1, honest.clone()), (2, honest.clone()), (3, honest)]);
		// Retention: the request goes with the inference's record.
		assert!(Requests::<Test>::contains_key(7));
		Expiries::<Test>::insert(System::block_number(), Expiring::Inference(7), ());
		Attribution::prune_due(System::block_number(), frame_support::weights::Weight::MAX);
		assert!(!Requests::<Test>::contains_key(7));
		assert_noop!(report(9, 1, &lie, signed(1, &lie)), Error::<Test>::UnknownRequest);
	});
}
