use std::sync::{Arc, Mutex};

use codec::Decode;
use frame_support::{
	assert_noop, assert_ok,
	dispatch::DispatchResultWithPostInfo,
	traits::{fungible::InspectHold, Get, Hooks},
	BoundedVec,
};
use openledger_primitives::{
	attribution::{
		AttributionEngine, AttributionError, AttributionExt, DatasetRef, InferBatchRequest,
		InferOutcome, InferRequest, Inferred, IngestChunk, TrainRequest,
	},
	traits::AttributionJobs,
};
use sp_core::{
	offchain::{testing, OffchainDbExt, OffchainWorkerExt, TransactionPoolExt},
	H256,
};
use sp_runtime::{testing::UintAuthorityId, DispatchError, Perbill};

use crate::{mock::*, *};

mod answers;
mod attacks;

fn outcome(accuracy: u32, hash: u8) -> TrainOutcome {
	outcome_of(1, accuracy, hash)
}

fn outcome_of(engine_version: u32, accuracy: u32, hash: u8) -> TrainOutcome {
	TrainOutcome {
		engine_version,
		accuracy: Perbill::from_parts(accuracy),
		weights_hash: H256::repeat_byte(hash),
		records: 5,
		held_out: 1,
		flags: QualityFlags {
			suspects: BoundedVec::truncate_from(vec![3, 1]),
			duplicates: BoundedVec::truncate_from(vec![(4, 2)]),
		},
	}
}

/// A training outcome reporting weights hash `hash`.
fn trained(hash: u8) -> Outcome {
	Outcome::Train(outcome(900, hash))
}

fn s(record: u32, ppb: u32) -> RecordShare {
	RecordShare { record, share: Perbill::from_parts(ppb) }
}

fn shares(list: &[(u32, u32)]) -> Vec<RecordShare> {
	list.iter().map(|(r, p)| s(*r, *p)).collect()
}

/// An inference outcome of engine version 1 with `label` and all the share on `record`.
fn inferred(label: ClassLabel, record: u32) -> Outcome {
	inferred_of(1, label, &[(record, 1_000_000_000)])
}

fn inferred_of(engine_version: u32, label: ClassLabel, list: &[(u32, u32)]) -> Outcome {
	Outcome::Infer {
		engine_version,
		label,
		confidence: Perbill::from_percent(80),
		shares: shares(list),
	}
}

/// Each attestor's salt in these tests.
fn salt(who: AccountId) -> [u8; 32] {
	[who as u8; 32]
}

fn commit(who: AccountId, job: JobId, o: &Outcome) -> DispatchResultWithPostInfo {
	let commitment = Attribution::commitment(job, &who, &salt(who), o);
	Attribution::commit(origin(who), job, commitment)
}

fn reveal(who: AccountId, job: JobId, o: Outcome) -> DispatchResultWithPostInfo {
	Attribution::reveal(origin(who), job, salt(who), o)
}

/// Every attestor of `answers` commits, then every one reveals.
fn answer(job: JobId, answers: &[(AccountId, Outcome)]) {
	for (who, o) in answers {
		assert_ok!(commit(*who, job, o));
	}
	for (who, o) in answers {
		assert_ok!(reveal(*who, job, o.clone()));
	}
}

/// Makes model 0 Active, so that it takes inferences.
fn activate_model_0() {
	MODELS.with(|m| {
		m.borrow_mut()
			.insert(0, ModelStatus::Active { accuracy: Perbill::one(), weights_hash: H256::zero() })
	});
}

fn origin(who: AccountId) -> RuntimeOrigin {
	RuntimeOrigin::signed(who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| if let RuntimeEvent::Attribution(e) = r.event { Some(e) } else { None })
		.collect()
}

fn bond_of(who: AccountId) -> u128 {
	Bonds::<Test>::get(who).map_or(0, |b| b.amount)
}

fn held(who: AccountId) -> u128 {
	Balances::balance_on_hold(&HoldReason::AttestorBond.into(), &who)
}

fn treasury() -> u128 {
	Balances::free_balance(TREASURY)
}

/// Opens the training job of model 0 (job 0) and an inference job for inference 7 (job 1).
fn open_jobs() {
	assert_ok!(<Attribution as AttributionJobs>::request_training(0));
	activate_model_0();
	assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
}

/// Leaves `who` the only attestor (the others are removed), so that it is every committee.
fn only(who: AccountId) {
	for other in Attestors::<Test>::get().into_iter().filter(|a| *a != who) {
		assert_ok!(Attribution::remove_attestor(RuntimeOrigin::root(), other));
	}
}

/// Committees of `committee_size`, 2 strikes, engine version 1.
fn set_committee(committee_size: u32) {
	let params = Params { max_strikes: 2, committee_size, engine_version: 1, ..Params::default() };
	assert_ok!(Attribution::set_params(RuntimeOrigin::root(), params));
}

#[test]
fn jobs_open_in_their_commit_round_with_deadlines() {
	run_test(|| {
		open_jobs();
		let train = Jobs::<Test>::get(0).unwrap();
		assert_eq!(train.kind, JobKind::Train { model: 0 });
		assert_eq!(train.deadline, 1 + TRAINING_PERIOD);
		assert!(!train.revealing);
		let infer = Jobs::<Test>::get(1).unwrap();
		assert_eq!(infer.kind, JobKind::Infer { inference: 7, model: 0 });
		assert_eq!(infer.input.to_vec(), vec![3, 4]);
		assert_eq!(infer.deadline, 1 + INFERENCE_PERIOD);
		assert!(events().contains(&Event::JobCreated {
			job: 1,
			kind: JobKind::Infer { inference: 7, model: 0 },
			deadline: 1 + INFERENCE_PERIOD,
			committee: infer.committee.clone(),
		}));
		// Committees of three among three attestors: everyone, in the draw's order.
		let mut members = infer.committee.to_vec();
		members.sort();
		assert_eq!(members, vec![1, 2, 3]);
		assert_noop!(
			<Attribution as AttributionJobs>::request_inference(8, 0, vec![0; 17]),
			Error::<Test>::InputTooLong
		);
	});
}

#[test]
fn quality_flags_are_part_of_the_vote() {
	run_test(|| {
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		// The same weights, but member 2 names other suspects: its outcome is another one.
		let mut other = outcome(900, 2);
		other.flags.suspects = BoundedVec::truncate_from(vec![1, 3]);
		let outcomes = [(1, trained(2)), (2, Outcome::Train(other)), (3, trained(2))];
		for (who, o) in &outcomes {
			assert_ok!(commit(*who, 0, o));
		}
		for (who, o) in outcomes {
			assert_ok!(reveal(who, 0, o));
		}
		assert_eq!(Trainings::<Test>::get(0).map(|t| (t.agreement, t.submissions)), Some((2, 3)));
		assert_eq!(Trainings::<Test>::get(0).map(|t| t.flags.suspects.to_vec()), Some(vec![3, 1]));
		assert_eq!((Attribution::strikes(&2), Attribution::strikes(&1)), (1, 0));
	});
}

#[test]
fn training_is_decided_by_a_vote_on_revealed_outcomes_and_the_loser_is_slashed() {
	run_test(|| {
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		// Commits reveal nothing; the third (the quorum) opens the reveal round.
		assert_ok!(commit(1, 0, &trained(2)));
		assert_ok!(commit(2, 0, &trained(1)));
		assert!(!Jobs::<Test>::get(0).unwrap().revealing);
		assert_ok!(commit(3, 0, &trained(2)));
		let j = Jobs::<Test>::get(0).unwrap();
		assert!(j.revealing);
		assert_eq!((j.commits, j.deadline), (3, 1 + REVEAL_PERIOD));
		assert!(events().contains(&Event::RevealOpened { job: 0, deadline: 1 + REVEAL_PERIOD }));
		assert_ok!(reveal(1, 0, trained(2)));
		assert_ok!(reveal(2, 0, trained(1)));
		assert_eq!(MockModels::model(0).unwrap().status, ModelStatus::Training);
		let before = treasury();
		// The last reveal takes the vote.
		assert_ok!(reveal(3, 0, trained(2)));
		assert_eq!(
			MockModels::model(0).unwrap().status,
			ModelStatus::Active {
				accuracy: Perbill::from_parts(900),
				weights_hash: H256::repeat_byte(2)
			}
		);
		assert_eq!(
			Trainings::<Test>::get(0),
			Some(TrainingRecord {
				engine_version: 1,
				accuracy: Perbill::from_parts(900),
				weights_hash: H256::repeat_byte(2),
				agreement: 2,
				submissions: 3,
				// The winning outcome's quality flags are stored with it.
				flags: outcome(900, 2).flags,
			})
		);
		assert!(events().iter().any(|e| matches!(
			e,
			Event::ModelTrained { model: 0, suspects: 2, duplicates: 1, .. }
		)));
		// The job is gone with its commits and reveals; the loser has a strike and lost 10%
		// of its bond to the treasury.
		assert!(Jobs::<Test>::get(0).is_none());
		assert_eq!(Commits::<Test>::iter_prefix(0).count(), 0);
		assert_eq!(Reveals::<Test>::iter_prefix(0).count(), 0);
		assert_eq!((Attribution::strikes(&2), Attribution::strikes(&1)), (1, 0));
		assert_eq!((bond_of(2), held(2)), (BOND - BOND / 10, BOND - BOND / 10));
		assert_eq!((bond_of(1), bond_of(3)), (BOND, BOND));
		assert_eq!(treasury(), before + BOND / 10);
		assert!(events().contains(&Event::Slashed { attestor: 2, job: 0, amount: BOND / 10 }));
		// A late commit or reveal finds no job.
		assert_noop!(commit(1, 0, &trained(1)), Error::<Test>::UnknownJob);
		assert_noop!(reveal(1, 0, trained(2)), Error::<Test>::UnknownJob);
	});
}

#[test]
fn a_reveal_must_open_its_own_commit() {
	run_test(|| {
		open_jobs();
		let honest = trained(2);
		assert_ok!(commit(1, 0, &honest));
		// Nothing can be revealed in the commit round.
		assert_noop!(reveal(1, 0, honest.clone()), Error::<Test>::RevealNotOpen);
		assert_noop!(commit(1, 0, &honest), Error::<Test>::AlreadyCommitted);
		// Attestor 2 copies 1's commitment as is.
		let copied = Commits::<Test>::get(0, 1).unwrap();
		assert_ok!(Attribution::commit(origin(2), 0, copied));
		assert_ok!(commit(3, 0, &honest));
		// The reveal round is open: no more commits.
		assert_noop!(commit(2, 0, &honest), Error::<Test>::CommitsClosed);
		// A wrong salt or outcome does not open the commit.
		assert_noop!(
			Attribution::reveal(origin(1), 0, salt(9), honest.clone()),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(reveal(1, 0, trained(3)), Error::<Test>::CommitmentMismatch);
		assert_ok!(reveal(1, 0, honest.clone()));
		assert_noop!(reveal(1, 0, honest.clone()), Error::<Test>::AlreadyRevealed);
		// The copier sees 1's salt and outcome now, and still cannot open the copied commit:
		// the commitment names the account.
		assert_noop!(
			Attribution::reveal(origin(2), 0, salt(1), honest.clone()),
			Error::<Test>::CommitmentMismatch
		);
		assert_noop!(reveal(2, 0, honest.clone()), Error::<Test>::CommitmentMismatch);
		// A non-member of the commits cannot reveal.
		assert_noop!(reveal(9, 0, honest.clone()), Error::<Test>::NotCommitted);
		assert_ok!(reveal(3, 0, honest));
		// At the reveal deadline, the two honest reveals are a majority of three commits: the
		// result stands, and the copier, which never revealed, is struck and loses 1%.
		run_to(2 + REVEAL_PERIOD);
		assert!(Trainings::<Test>::get(0).is_some_and(|t| t.agreement == 2));
		assert_eq!(Attribution::strikes(&2), 1);
		assert_eq!(bond_of(2), BOND - BOND / 100);
		assert_eq!((bond_of(1), bond_of(3)), (BOND, BOND));
	});
}

#[test]
fn the_commit_round_closes_when_every_member_committed_and_late_commits_are_refused() {
	run_test(|| {
		open_jobs();
		assert_ok!(commit(1, 1, &inferred(0, 0)));
		assert_ok!(commit(2, 1, &inferred(0, 0)));
		assert!(!Jobs::<Test>::get(1).unwrap().revealing);
		assert_ok!(commit(3, 1, &inferred(0, 0)));
		assert!(Jobs::<Test>::get(1).unwrap().revealing);
		assert_noop!(commit(3, 1, &inferred(0, 0)), Error::<Test>::CommitsClosed);
		for who in 1..=3 {
			assert_ok!(reveal(who, 1, inferred(0, 0)));
		}
		let (_, result, mut agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		agreeing.sort();
		assert_eq!((result.answer.label(), agreeing), (Some(0), vec![1, 2, 3]));
	});
}

#[test]
fn outcomes_are_checked_and_a_failed_call_changes_nothing() {
	run_test(|| {
		open_jobs();
		assert_noop!(commit(9, 0, &trained(1)), Error::<Test>::NotAttestor);
		assert_noop!(commit(1, 5, &trained(1)), Error::<Test>::UnknownJob);
		let bad: Vec<(Outcome, DispatchError)> = vec![
			(inferred_of(1, 3, &[(0, 1_000_000_000)]), Error::<Test>::LabelOutOfRange.into()),
			(
				inferred_of(1, 0, &(0..5).map(|r| (r, 200_000_000)).collect::<Vec<_>>()),
				Error::<Test>::TooManyShares.into(),
			),
			(inferred_of(1, 0, &[(0, 999_999_999)]), Error::<Test>::SharesDoNotSumToOne.into()),
			(
				inferred_of(1, 0, &[(1, 500_000_000), (1, 500_000_000)]),
				Error::<Test>::DuplicateRecord.into(),
			),
			(inferred_of(1, 0, &[(RECORDS, 1_000_000_000)]), Error::<Test>::UnknownRecord.into()),
			(trained(1), Error::<Test>::WrongJobKind.into()),
		];
		// Each attestor commits to a bad outcome of job 1; every reveal fails and changes
		// nothing.
		set_committee(3);
		for (i, (o, _)) in bad.iter().enumerate().take(3) {
			assert_ok!(commit(i as u64 + 1, 1, o));
		}
		for (i, (o, e)) in bad.iter().enumerate().take(3) {
			assert_noop!(reveal(i as u64 + 1, 1, o.clone()), *e);
		}
		// The others, on a fresh job each.
		for (o, e) in bad.iter().skip(3) {
			assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![1, 1]));
			let job = NextJobId::<Test>::get() - 1;
			for who in 1..=3 {
				assert_ok!(commit(who, job, o));
			}
			assert_noop!(reveal(1, job, o.clone()), *e);
		}
		Suspended::<Test>::insert(3, ());
		assert_noop!(commit(3, 0, &trained(1)), Error::<Test>::AttestorSuspended);
		Suspended::<Test>::remove(3);
		System::set_block_number(1 + TRAINING_PERIOD + 1);
		assert_noop!(commit(2, 0, &trained(1)), Error::<Test>::DeadlinePassed);
	});
}

#[test]
fn a_lying_inference_loses_the_vote_and_the_honest_result_pays() {
	run_test(|| {
		open_jobs();
		// 3 reveals forged shares naming record 4 (its own, say) with another label.
		let honest = inferred_of(1, 2, &[(1, 600_000_000), (2, 400_000_000)]);
		let lie = inferred_of(1, 1, &[(4, 1_000_000_000)]);
		answer(1, &[(1, honest.clone()), (3, lie), (2, honest.clone())]);
		let (inference, result, agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		assert_eq!(inference, 7);
		assert_eq!(
			result.answer,
			Answer::Class { label: 2, confidence: Perbill::from_percent(80) }
		);
		assert_eq!(result.shares, shares(&[(1, 600_000_000), (2, 400_000_000)]));
		assert_eq!(agreeing, vec![1, 2]);
		assert_eq!(Attribution::strikes(&3), 1);
		assert_eq!(bond_of(3), BOND - BOND / 10);
		let stored = Inferences::<Test>::get(7).unwrap();
		assert_eq!((stored.answer, stored.shares.to_vec()), (result.answer, result.shares.clone()));
		assert_eq!(stored.agreeing.to_vec(), vec![1, 2]);
		assert!(events().contains(&Event::InferenceAttributed {
			job: 1,
			inference: 7,
			engine_version: 1,
			answer: Answer::Class { label: 2, confidence: Perbill::from_percent(80) },
			records: 2,
		}));
	});
}

/// A continuation of `text` whose one span covers it, from `record`.
fn generated(text: &str, record: u32) -> Outcome {
	use openledger_primitives::attribution::{Generation, Span};
	let generation = Generation {
		text: BoundedVec::truncate_from(text.as_bytes().to_vec()),
		tokens: 3,
		first: BoundedVec::default(),
		spans: BoundedVec::truncate_from(vec![Span {
			start: 0,
			end: text.len() as u32,
			occurrences: 1,
			records: BoundedVec::truncate_from(vec![record]),
		}]),
	};
	Outcome::Generate {
		engine_version: 1,
		confidence: Perbill::from_percent(60),
		shares: shares(&[(record, 1_000_000_000)]),
		generation,
	}
}

/// An external model's output of `len` bytes traced: one span over its first `span` bytes,
/// from `record`, or nothing traced.
fn traced(len: u32, span: Option<(u32, u32)>) -> Outcome {
	use openledger_primitives::attribution::{Span, Trace};
	let spans = span.map(|(end, record)| Span {
		start: 0,
		end,
		occurrences: 1,
		records: BoundedVec::truncate_from(vec![record]),
	});
	Outcome::Trace {
		engine_version: 1,
		shares: span.map(|(_, record)| shares(&[(record, 1_000_000_000)])).unwrap_or_default(),
		trace: Trace { tokens: len, spans: BoundedVec::truncate_from(spans.into_iter().collect()) },
	}
}

#[test]
fn an_external_models_trace_is_voted_on_and_stored_with_its_spans() {
	run_test(|| {
		let active = ModelStatus::Active { accuracy: Perbill::zero(), weights_hash: H256::zero() };
		MODELS.with(|m| m.borrow_mut().insert(EXTERNAL, active));
		MODELS.with(|m| m.borrow_mut().insert(GENERATOR, active));
		let output = b"we the people of".to_vec();
		let len = output.len() as u32;
		assert_ok!(<Attribution as AttributionJobs>::request_inference(
			8,
			EXTERNAL,
			output.clone()
		));
		let job = NextJobId::<Test>::get() - 1;
		// A classifier's answer, a continuation, a span past the output, a record outside the
		// version: each refused, and the job unchanged.
		let wrong =
			[(1, inferred(0, 1)), (2, generated(" sat", 2)), (3, traced(len, Some((len + 1, 2))))];
		for (who, o) in &wrong {
			assert_ok!(commit(*who, job, o));
		}
		let [(_, classified), (_, continued), (_, long)] = wrong;
		assert_noop!(reveal(1, job, classified), Error::<Test>::WrongOutcomeKind);
		assert_noop!(reveal(2, job, continued), Error::<Test>::WrongOutcomeKind);
		assert_noop!(reveal(3, job, long), Error::<Test>::MalformedGeneration);
		assert_ok!(<Attribution as AttributionJobs>::request_inference(
			7,
			EXTERNAL,
			output.clone()
		));
		let job = NextJobId::<Test>::get() - 1;
		let stranger = traced(len, Some((len, 99)));
		for who in 1..=3 {
			assert_ok!(commit(who, job, &stranger));
		}
		assert_noop!(reveal(1, job, stranger), Error::<Test>::UnknownRecord);
		// The majority's trace wins and is kept beside the result; the other is slashed.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(
			9,
			EXTERNAL,
			output.clone()
		));
		let job = NextJobId::<Test>::get() - 1;
		let honest = traced(len, Some((6, 2)));
		answer(job, &[(1, honest.clone()), (2, traced(len, Some((6, 3)))), (3, honest)]);
		let (inference, result, mut agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		agreeing.sort();
		assert_eq!((inference, agreeing), (9, vec![1, 3]));
		assert_eq!(result.answer, Answer::Trace { tokens: len, spans: 1 });
		assert_eq!(result.shares, shares(&[(2, 1_000_000_000)]));
		let stored = Traces::<Test>::get(9).unwrap();
		assert_eq!(stored.output.to_vec(), output);
		let span = &stored.trace.spans[0];
		assert_eq!((span.end, span.records.to_vec()), (6, vec![2]));
		assert!(Generations::<Test>::get(9).is_none());
		assert_eq!(Attribution::strikes(&2), 1);
		// An output with no span long enough: no shares, and the result still stands (the
		// contributors' part then goes to the treasury, `pallet-rewards`).
		assert_ok!(<Attribution as AttributionJobs>::request_inference(10, EXTERNAL, output));
		let job = NextJobId::<Test>::get() - 1;
		let nothing = traced(len, None);
		answer(job, &[(1, nothing.clone()), (2, nothing.clone()), (3, nothing)]);
		let (inference, result, _) = COMPLETED.with(|c| c.borrow()[1].clone());
		assert_eq!((inference, result.answer), (10, Answer::Trace { tokens: len, spans: 0 }));
		assert!(result.shares.is_empty());
		// An ∞-gram takes no trace.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(
			11,
			GENERATOR,
			b"the".to_vec()
		));
		let job = NextJobId::<Test>::get() - 1;
		for who in 1..=3 {
			assert_ok!(commit(who, job, &traced(3, None)));
		}
		assert_noop!(reveal(1, job, traced(3, None)), Error::<Test>::WrongOutcomeKind);
	});
}

#[test]
fn a_continuation_is_voted_on_and_stored_with_its_spans() {
	run_test(|| {
		MODELS.with(|m| {
			m.borrow_mut().insert(
				GENERATOR,
				ModelStatus::Active { accuracy: Perbill::zero(), weights_hash: H256::zero() },
			)
		});
		assert_ok!(<Attribution as AttributionJobs>::request_inference(
			8,
			GENERATOR,
			b"the cat".to_vec()
		));
		let job = NextJobId::<Test>::get() - 1;
		// A classifier's answer, a span past the text, a record outside the version: refused.
		let mut long = generated(" sat", 2);
		if let Outcome::Generate { generation, .. } = &mut long {
			generation.spans[0].end = 9;
		}
		let stranger = generated(" sat", 99);
		let wrong = [(1, inferred(0, 1)), (2, long), (3, stranger)];
		for (who, o) in &wrong {
			assert_ok!(commit(*who, job, o));
		}
		let [(_, classified), (_, long), (_, stranger)] = wrong;
		assert_noop!(reveal(1, job, classified), Error::<Test>::WrongOutcomeKind);
		assert_noop!(reveal(2, job, long), Error::<Test>::MalformedGeneration);
		assert_noop!(reveal(3, job, stranger), Error::<Test>::UnknownRecord);
		// The majority's continuation wins; the other is slashed.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(
			9,
			GENERATOR,
			b"the cat".to_vec()
		));
		let job = NextJobId::<Test>::get() - 1;
		let honest = generated(" sat", 2);
		answer(job, &[(1, honest.clone()), (2, generated(" ran", 3)), (3, honest)]);
		let (inference, result, mut agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		agreeing.sort();
		assert_eq!((inference, result.answer.label(), agreeing), (9, None, vec![1, 3]));
		assert!(
			matches!(result.answer, Answer::Continuation { .. }),
			"a continuation, not label 0"
		);
		assert_eq!(result.shares, shares(&[(2, 1_000_000_000)]));
		let stored = Generations::<Test>::get(9).unwrap();
		assert_eq!(&stored.text[..], b" sat");
		assert_eq!(stored.spans[0].records.to_vec(), vec![2]);
		assert_eq!(Attribution::strikes(&2), 1);
		// A classifier's inference stores no continuation, and takes no continuation.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(10, 0, vec![3, 4]));
		activate_model_0();
		let job = NextJobId::<Test>::get() - 1;
		for who in 1..=3 {
			assert_ok!(commit(who, job, &generated(" sat", 2)));
		}
		assert_noop!(reveal(1, job, generated(" sat", 2)), Error::<Test>::WrongOutcomeKind);
		assert_eq!(Generations::<Test>::get(10), None);
	});
}

#[test]
fn without_a_majority_the_job_fails_and_no_one_loses_the_vote() {
	run_test(|| {
		open_jobs();
		answer(1, &[(1, inferred(0, 0)), (2, inferred(1, 1)), (3, inferred(2, 2))]);
		assert!(!Jobs::<Test>::contains_key(1));
		assert_eq!(EXPIRED.with(|e| e.borrow().clone()), vec![7]);
		assert!(COMPLETED.with(|c| c.borrow().is_empty()));
		assert!(events().contains(&Event::NoMajority {
			job: 1,
			kind: JobKind::Infer { inference: 7, model: 0 },
			commits: 3,
			reveals: 3,
		}));
		assert!((1..=3).all(|a| Attribution::strikes(&a) == 0 && bond_of(a) == BOND));
	});
}

#[test]
fn strikes_at_the_limit_suspend_and_the_admin_reinstates() {
	run_test(|| {
		for job in 0..2u64 {
			assert_ok!(<Attribution as AttributionJobs>::request_inference(job, 0, vec![1, 1]));
			answer(job, &[(1, inferred(0, 0)), (2, inferred(0, 0)), (3, inferred(0, 3))]);
		}
		assert_eq!(Attribution::strikes(&3), 2);
		assert!(Suspended::<Test>::contains_key(3));
		assert!(events().contains(&Event::AttestorSuspended { attestor: 3 }));
		assert!(!Attribution::is_active_attestor(&3));
		assert_ok!(<Attribution as AttributionJobs>::request_inference(9, 0, vec![1, 1]));
		assert_noop!(commit(3, 2, &inferred(0, 0)), Error::<Test>::AttestorSuspended);
		assert_ok!(Attribution::reinstate(RuntimeOrigin::root(), 3));
		assert_eq!(Attribution::strikes(&3), 0);
		assert_noop!(Attribution::reinstate(RuntimeOrigin::root(), 3), Error::<Test>::NotSuspended);
	});
}

#[test]
fn rounds_end_at_their_deadlines() {
	run_test(|| {
		open_jobs();
		MODELS.with(|m| m.borrow_mut().insert(1, ModelStatus::Training));
		assert_ok!(<Attribution as AttributionJobs>::request_training(1)); // job 2
		assert_ok!(commit(1, 1, &inferred(0, 0)));
		// The inference's commit round ends in block 6: still open in it, expired in block 7.
		run_to(1 + INFERENCE_PERIOD);
		assert!(Jobs::<Test>::contains_key(1));
		run_to(2 + INFERENCE_PERIOD);
		assert!(!Jobs::<Test>::contains_key(1));
		assert_eq!(Commits::<Test>::iter_prefix(1).count(), 0);
		assert_eq!(EXPIRED.with(|e| e.borrow().clone()), vec![7]);
		assert!(events().contains(&Event::JobExpired {
			job: 1,
			kind: JobKind::Infer { inference: 7, model: 0 },
			commits: 1,
		}));
		// An expired commit round is no one's fault: no strike.
		assert_eq!(Attribution::strikes(&1), 0);
		// Training job 2 reaches its reveal round; only 1 reveals before the reveal deadline:
		// one reveal of three commits is no majority, and the two silent members are slashed.
		let now = System::block_number();
		for who in 1..=3 {
			assert_ok!(commit(who, 2, &trained(5)));
		}
		assert_ok!(reveal(1, 2, trained(5)));
		run_to(now + REVEAL_PERIOD + 1);
		assert_eq!(MockModels::model(1).unwrap().status, ModelStatus::Failed);
		assert_eq!((bond_of(1), bond_of(2), bond_of(3)), (BOND, BOND - 10, BOND - 10));
		run_to(2 + TRAINING_PERIOD);
		assert!(Jobs::<Test>::iter().next().is_none());
		assert_eq!(MockModels::model(0).unwrap().status, ModelStatus::Failed);
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn a_block_closes_at_most_max_settled_per_block_jobs_and_the_rest_wait_in_order() {
	run_test(|| {
		activate_model_0();
		// Six inferences, all with the same deadline; `MaxSettledPerBlock` is 4 in the mock.
		for i in 0..6u64 {
			assert_ok!(<Attribution as AttributionJobs>::request_inference(i, 0, vec![3, 4]));
		}
		let deadline = Jobs::<Test>::get(0).unwrap().deadline;
		run_to(deadline + 1);
		let expired = |events: Vec<Event<Test>>| -> Vec<JobId> {
			events
				.into_iter()
				.filter_map(|e| match e {
					Event::JobExpired { job, .. } => Some(job),
					_ => None,
				})
				.collect()
		};
		assert_eq!(expired(events()).len(), 4);
		assert_eq!(Jobs::<Test>::iter().count(), 2);
		run_to(deadline + 2);
		let mut all = expired(events());
		all.sort();
		assert_eq!(all, vec![0, 1, 2, 3, 4, 5], "then the rest");
		assert_eq!(Jobs::<Test>::iter().count(), 0);
		assert_eq!(DeadlineCursor::<Test>::get(), deadline + 2, "past every emptied block");
	});
}

#[test]
fn retiring_a_model_cancels_its_training_job_and_nothing_else() {
	run_test(|| {
		open_jobs(); // job 0 trains model 0, job 1 infers with it
		MODELS.with(|m| m.borrow_mut().insert(1, ModelStatus::Training));
		assert_ok!(<Attribution as AttributionJobs>::request_training(1)); // job 2
		assert_eq!(TrainingJobs::<Test>::get(1), Some(2));
		assert_ok!(commit(1, 2, &trained(1)));
		<Attribution as AttributionJobs>::cancel_training(1);
		assert!(!Jobs::<Test>::contains_key(2));
		assert_eq!(TrainingJobs::<Test>::get(1), None);
		assert_eq!(Commits::<Test>::iter_prefix(2).count(), 0);
		assert!(events().contains(&Event::JobCancelled {
			job: 2,
			kind: JobKind::Train { model: 1 },
			commits: 1,
		}));
		// A late commit names a job that is gone; the other jobs stay open; no one is slashed.
		assert_noop!(commit(2, 2, &trained(1)), Error::<Test>::UnknownJob);
		assert!(Jobs::<Test>::contains_key(0) && Jobs::<Test>::contains_key(1));
		assert_eq!(bond_of(1), BOND);
		// Cancelling a model without a training job changes nothing.
		<Attribution as AttributionJobs>::cancel_training(1);
		<Attribution as AttributionJobs>::cancel_training(9);
		assert_eq!(Jobs::<Test>::iter().count(), 2);
		// Nothing expires for the cancelled job at its deadline.
		run_to(2 + TRAINING_PERIOD);
		assert_eq!(MockModels::model(1).unwrap().status, ModelStatus::Training);
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn strikes_decay_and_only_strikes_within_the_decay_add_up_to_a_suspension() {
	run_test(|| {
		let lie = |job| {
			// Attestor 3 puts all the share on another record: it loses the vote.
			assert_ok!(<Attribution as AttributionJobs>::request_inference(job, 0, vec![1, 1]));
			answer(job, &[(1, inferred(0, 0)), (2, inferred(0, 0)), (3, inferred(0, 3))]);
		};
		lie(0);
		assert_eq!(Attribution::strikes(&3), 1);
		// One strike is forgiven STRIKE_DECAY blocks later, not before.
		run_to(1 + STRIKE_DECAY - 1);
		assert_eq!(Attribution::strikes(&3), 1);
		run_to(1 + STRIKE_DECAY);
		assert_eq!(Attribution::strikes(&3), 0);
		// So a second strike after the decay is the first again: no suspension at 2.
		lie(1);
		assert_eq!(Attribution::strikes(&3), 1);
		assert!(!Suspended::<Test>::contains_key(3));
		// Two strikes within the decay suspend.
		lie(2);
		assert_eq!(Attribution::strikes(&3), 2);
		assert!(Suspended::<Test>::contains_key(3));
	});
}

#[test]
fn a_suspended_member_does_not_hold_the_round_open_and_is_not_drawn() {
	run_test(|| {
		assert_ok!(<Attribution as AttributionJobs>::request_inference(0, 0, vec![1, 1]));
		assert_eq!(Attribution::majority(&Jobs::<Test>::get(0).unwrap()), 2);
		// Attestor 3 is suspended: the two active members close the commit round, and two of
		// three are the committee's majority.
		Suspended::<Test>::insert(3, ());
		Strikes::<Test>::insert(3, StrikeRecord { count: 2, at: 1 });
		answer(0, &[(1, inferred(0, 0)), (2, inferred(0, 0))]);
		assert!(!Jobs::<Test>::contains_key(0), "decided at two reveals");
		assert!(events().iter().any(|e| matches!(e, Event::InferenceAttributed { job: 0, .. })));
		// A suspended attestor is not drawn.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(1, 0, vec![1, 1]));
		let j = Jobs::<Test>::get(1).unwrap();
		assert!(!j.committee.contains(&3) && j.committee.len() == 2);
		assert_eq!(Attribution::majority(&j), 2);
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn committees_are_drawn_from_the_active_set_and_only_members_commit() {
	run_test(|| {
		assert_ok!(Attribution::add_attestor(RuntimeOrigin::root(), 4));
		set_committee(2);
		// Many jobs: each has two distinct members of the four, and every attestor is drawn
		// sometimes; the draw depends on the parent hash and the job.
		let mut drawn = [0u32; 5];
		for round in 0..40u64 {
			System::set_parent_hash(H256::from_low_u64_be(round / 4));
			assert_ok!(<Attribution as AttributionJobs>::request_inference(round, 0, vec![1, 1]));
			let committee = Jobs::<Test>::get(round).unwrap().committee;
			assert_eq!(committee.len(), 2);
			assert_ne!(committee[0], committee[1]);
			for m in committee.iter() {
				drawn[*m as usize] += 1;
			}
		}
		assert!(drawn[1..].iter().all(|n| *n > 0), "{drawn:?}");
		assert_eq!(drawn.iter().sum::<u32>(), 80, "work per job is the committee, not the set");
		// The same parent hash and job give the same committee.
		let again = Attribution::draw_committee(39);
		assert_eq!(again, Jobs::<Test>::get(39).unwrap().committee);
		// A non-member is refused; the members decide the job.
		let j = Jobs::<Test>::get(0).unwrap();
		let outsider = (1..=4).find(|a| !j.committee.contains(a)).unwrap();
		assert_noop!(commit(outsider, 0, &inferred(0, 0)), Error::<Test>::NotCommitteeMember);
		let members: Vec<(AccountId, Outcome)> =
			j.committee.iter().map(|m| (*m, inferred(0, 0))).collect();
		answer(0, &members);
		assert!(!Jobs::<Test>::contains_key(0));
	});
}

#[test]
fn the_admin_keeps_the_attestor_set_and_parameters() {
	run_test(|| {
		assert_noop!(Attribution::add_attestor(origin(1), 4), DispatchError::BadOrigin);
		assert_noop!(
			Attribution::add_attestor(RuntimeOrigin::root(), 1),
			Error::<Test>::AlreadyAttestor
		);
		for who in 4..=8 {
			assert_ok!(Attribution::add_attestor(RuntimeOrigin::root(), who));
		}
		assert_noop!(
			Attribution::add_attestor(RuntimeOrigin::root(), 9),
			Error::<Test>::TooManyAttestors
		);
		for who in 5..=8 {
			assert_ok!(Attribution::remove_attestor(RuntimeOrigin::root(), who));
		}
		Strikes::<Test>::insert(2, StrikeRecord { count: 1, at: 1 });
		assert_ok!(Attribution::remove_attestor(RuntimeOrigin::root(), 2));
		assert_eq!(Attestors::<Test>::get().to_vec(), vec![1, 3, 4]);
		assert_eq!(Attribution::strikes(&2), 1, "its strikes stay");
		// Its bond is unbonding, not confiscated.
		assert_eq!(Bonds::<Test>::get(2).unwrap().unlocks_at, Some(1 + 7));
		assert_eq!(held(2), BOND);
		assert_noop!(
			Attribution::remove_attestor(RuntimeOrigin::root(), 2),
			Error::<Test>::NotAttestor
		);
		// Added back, its bond is active again.
		assert_ok!(Attribution::add_attestor(RuntimeOrigin::root(), 2));
		assert_eq!(Bonds::<Test>::get(2).unwrap().unlocks_at, None);
		assert_ok!(Attribution::remove_attestor(RuntimeOrigin::root(), 2));
		let params = Params {
			max_strikes: 1,
			committee_size: 3,
			engine_version: 2,
			watch_sample: Perbill::from_percent(50),
			retention: 100,
		};
		assert_ok!(Attribution::set_params(RuntimeOrigin::root(), params));
		assert_eq!(ConsensusParams::<Test>::get(), params);
		for bad in [
			Params { engine_version: 0, ..params },
			Params { max_strikes: 0, ..params },
			Params { committee_size: 0, ..params },
		] {
			assert_noop!(
				Attribution::set_params(RuntimeOrigin::root(), bad),
				Error::<Test>::InvalidParams
			);
		}
		assert_noop!(Attribution::set_params(origin(1), params), DispatchError::BadOrigin);
		let stake = Stake {
			min_bond: 5,
			lost_slash: Perbill::from_percent(50),
			unrevealed_slash: Perbill::from_percent(5),
			unbonding_period: 1,
			challenge_window: 4,
			challenge_deposit: 9,
		};
		assert_noop!(Attribution::set_stake_params(origin(1), stake), DispatchError::BadOrigin);
		assert_ok!(Attribution::set_stake_params(RuntimeOrigin::root(), stake));
		assert_eq!(StakeParams::<Test>::get(), stake);
	});
}

#[test]
fn anyone_bonds_into_the_set_and_a_larger_bond_displaces_the_smallest() {
	run_test(|| {
		assert_noop!(Attribution::bond(origin(4), 0), Error::<Test>::ZeroBond);
		assert_noop!(Attribution::bond(origin(4), BOND - 1), Error::<Test>::BondTooSmall);
		assert_noop!(Attribution::unbond(origin(4)), Error::<Test>::NotAttestor);
		// 6 to 9 join, then 4, with the minimum, and the set (of eight) is full.
		for who in [6, 7, 8, 9, 4] {
			assert_ok!(Attribution::bond(origin(who), BOND));
		}
		let full = vec![1, 2, 3, 6, 7, 8, 9, 4];
		assert_eq!(Attestors::<Test>::get().to_vec(), full);
		assert_eq!((bond_of(4), held(4)), (BOND, BOND));
		assert!(events().contains(&Event::AttestorAdded { attestor: 4 }));
		// An attestor tops its bond up: 2 now has the largest.
		assert_ok!(Attribution::bond(origin(2), 500));
		assert_eq!(bond_of(2), BOND + 500);
		// A bond equal to the smallest does not get in; a larger one displaces the smallest
		// (on a tie, the last to join).
		assert_noop!(Attribution::bond(origin(5), BOND), Error::<Test>::BondTooSmall);
		// More than its free balance fails in the hold, and changes nothing either.
		assert!(Attribution::bond(origin(5), 10 * ENDOWMENT).is_err());
		assert_eq!((Attestors::<Test>::get().to_vec(), held(5)), (full, 0));
		assert_ok!(Attribution::bond(origin(5), BOND + 1));
		assert_eq!(Attestors::<Test>::get().to_vec(), vec![1, 2, 3, 6, 7, 8, 9, 5]);
		assert!(events().contains(&Event::AttestorDisplaced { attestor: 4, by: 5 }));
		assert_eq!(Bonds::<Test>::get(4).unwrap().unlocks_at, Some(1 + 7));
		// While unbonding, 4 cannot bond again, nor withdraw before its unlock.
		assert_noop!(Attribution::bond(origin(4), BOND), Error::<Test>::Unbonding);
		assert_noop!(Attribution::withdraw_unbonded(origin(4)), Error::<Test>::StillLocked);
		assert_noop!(Attribution::withdraw_unbonded(origin(5)), Error::<Test>::NotUnbonding);
		run_to(1 + 7);
		let free = Balances::free_balance(4);
		assert_ok!(Attribution::withdraw_unbonded(origin(4)));
		assert_eq!((Balances::free_balance(4), held(4)), (free + BOND, 0));
		assert!(Bonds::<Test>::get(4).is_none());
		// 5 leaves by itself.
		assert_ok!(Attribution::unbond(origin(5)));
		assert!(!Attestors::<Test>::get().contains(&5));
		assert!(events().contains(&Event::Unbonding {
			who: 5,
			amount: BOND + 1,
			unlocks_at: 8 + 7
		}));
		Attribution::do_try_state().unwrap();
	});
}

#[test]
fn an_attestor_that_left_is_still_slashed_for_a_commit_it_did_not_reveal() {
	run_test(|| {
		open_jobs();
		for who in 1..=3 {
			assert_ok!(commit(who, 1, &inferred(0, 0)));
		}
		assert_ok!(Attribution::unbond(origin(3)));
		assert_ok!(reveal(1, 1, inferred(0, 0)));
		assert_ok!(reveal(2, 1, inferred(0, 0)));
		run_to(2 + REVEAL_PERIOD);
		assert!(COMPLETED.with(|c| c.borrow().len() == 1));
		assert_eq!(bond_of(3), BOND - BOND / 100);
		// It is no longer an attestor: struck, but not suspended.
		assert!(!Suspended::<Test>::contains_key(3));
		Attribution::do_try_state().unwrap();
	});
}

/// An engine that records the chunks it receives and answers with fixed results. With a
/// clock, each training and each inference takes `ms` of the offchain clock.
#[derive(Default)]
struct MockEngine {
	chunks: Mutex<Vec<IngestChunk>>,
	trained: Mutex<Vec<TrainRequest>>,
	clock: Mutex<Option<(Arc<parking_lot::RwLock<testing::OffchainState>>, u64)>>,
	/// While set, training and inference answer `Busy`.
	busy: std::sync::atomic::AtomicBool,
	/// How many inputs `infer` answered, one call each.
	alone: std::sync::atomic::AtomicUsize,
	/// The number of inputs of each `infer_batch` call.
	batches: Mutex<Vec<usize>>,
}

impl MockEngine {
	fn work(&self) {
		if let Some((state, ms)) = self.clock.lock().unwrap().as_ref() {
			let mut state = state.write();
			state.timestamp = state.timestamp.add(sp_core::offchain::Duration::from_millis(*ms));
		}
	}
}

impl AttributionEngine for MockEngine {
	fn ingest(&self, chunk: IngestChunk) -> Result<u32, AttributionError> {
		let end = chunk.offset + chunk.records.len() as u32;
		self.chunks.lock().unwrap().push(chunk);
		Ok(end)
	}
	fn progress(&self, _: DatasetRef) -> Option<(u32, u32)> {
		let chunks = self.chunks.lock().unwrap();
		chunks.last().map(|c| (c.offset + c.records.len() as u32, c.total))
	}
	fn train(&self, request: TrainRequest) -> Result<TrainOutcome, AttributionError> {
		if self.busy.load(std::sync::atomic::Ordering::SeqCst) {
			return Err(AttributionError::Busy);
		}
		self.work();
		self.trained.lock().unwrap().push(request);
		Ok(outcome(123, 9))
	}
	fn has_model(&self, _: ModelId) -> bool {
		!self.trained.lock().unwrap().is_empty()
	}
	fn infer(&self, request: InferRequest) -> Result<InferOutcome, AttributionError> {
		self.alone.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
		self.answer(request)
	}
	fn infer_batch(
		&self,
		request: InferBatchRequest,
	) -> Vec<Result<InferOutcome, AttributionError>> {
		self.batches.lock().unwrap().push(request.inputs.len());
		let InferBatchRequest { model, inputs, top_k } = request;
		inputs.into_iter().map(|input| self.answer(InferRequest { model, input, top_k })).collect()
	}
}

impl MockEngine {
	/// The answer to one input: label 1, crediting the record its first byte names.
	fn answer(&self, request: InferRequest) -> Result<InferOutcome, AttributionError> {
		if self.busy.load(std::sync::atomic::Ordering::SeqCst) {
			return Err(AttributionError::Busy);
		}
		self.work();
		assert_eq!(request.top_k, TOP_K);
		Ok(InferOutcome {
			engine_version: 1,
			answer: Inferred::Class { label: 1, confidence: Perbill::from_percent(80) },
			proponents: vec![s(request.input[0] as u32, 1_000_000_000)],
			opponents: vec![],
		})
	}
}

/// A test externality with offchain storage, a transaction pool and (optionally) the engine.
fn offchain_ext(
	engine: Option<Arc<MockEngine>>,
) -> (sp_io::TestExternalities, Arc<parking_lot::RwLock<testing::PoolState>>) {
	let mut ext = new_test_ext();
	let (offchain, state) = testing::TestOffchainExt::new();
	let (pool, pool_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(OffchainDbExt::new(offchain.clone()));
	ext.register_extension(OffchainWorkerExt::new(offchain));
	ext.register_extension(TransactionPoolExt::new(pool));
	if let Some(engine) = engine {
		*engine.clock.lock().unwrap() = Some((state, 0));
		ext.register_extension(AttributionExt(engine));
	}
	(ext, pool_state)
}

fn pooled(state: &parking_lot::RwLock<testing::PoolState>) -> Vec<(u64, RuntimeCall)> {
	state
		.read()
		.transactions
		.iter()
		.map(|tx| {
			let xt = Extrinsic::decode(&mut &tx[..]).unwrap();
			let signer = match xt.preamble {
				sp_runtime::generic::Preamble::Signed(who, ..) => who,
				_ => panic!("the worker sends signed transactions"),
			};
			(signer, xt.function)
		})
		.collect()
}

/// Applies the worker's pooled calls from `from` on, as a block would.
fn apply(state: &parking_lot::RwLock<testing::PoolState>, from: usize) {
	use sp_runtime::traits::Dispatchable;
	for (who, call) in pooled(state).into_iter().skip(from) {
		assert_ok!(call.dispatch(origin(who)));
	}
}

#[test]
fn the_worker_trains_through_the_engine_in_chunks_commits_then_reveals() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		only(1);
		// Key 1 is an attestor, key 9 is not.
		UintAuthorityId::set_all_keys(vec![1, 9]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		let sent = pooled(&pool);
		assert_eq!(sent.len(), 1);
		let salt = ocw::salt::<Test>(0, &1);
		let expected = Attribution::commitment(0, &1, &salt, &Outcome::Train(outcome(123, 9)));
		assert_eq!(
			sent[0],
			(
				1,
				RuntimeCall::Attribution(Call::commit_batch {
					items: BoundedVec::truncate_from(vec![(0, expected)])
				})
			)
		);
		// Six records in chunks of four, in order; the removed record 5 has no payload.
		let chunks = engine.chunks.lock().unwrap().clone();
		assert_eq!(
			chunks.iter().map(|c| (c.offset, c.records.len())).collect::<Vec<_>>(),
			vec![(0, 4), (4, 2)]
		);
		assert_eq!(chunks[1].records[1], (vec![], 2));
		assert_eq!(chunks[0].records[1], (vec![1, 8], 1));
		assert_eq!(chunks[0].schema, SCHEMA);
		assert_eq!(engine.trained.lock().unwrap()[0].spec, spec());
		// The next block's worker does not commit again while the claim stands.
		Attribution::offchain_worker(2);
		assert_eq!(pooled(&pool).len(), 1);
		// Once the commit is in a block, the reveal round is open (a committee of one), and the worker
		// reveals with the same salt; the reveal opens the commit and decides the job.
		apply(&pool, 0);
		Attribution::offchain_worker(2);
		let sent = pooled(&pool);
		assert_eq!(
			sent[1],
			(
				1,
				RuntimeCall::Attribution(Call::reveal_batch {
					items: BoundedVec::truncate_from(vec![(
						0,
						salt,
						Outcome::Train(outcome(123, 9))
					)]),
					// The job's committee: the witness of the batch's weight.
					members: Jobs::<Test>::get(0).unwrap().committee.len() as u32,
				})
			)
		);
		apply(&pool, 1);
		assert!(Trainings::<Test>::get(0).is_some());
	});
}

#[test]
fn salts_differ_per_job_and_attestor_and_stay_the_same_for_each() {
	let (mut ext, _) = offchain_ext(None);
	ext.execute_with(|| {
		let a = ocw::salt::<Test>(0, &1);
		assert_eq!(a, ocw::salt::<Test>(0, &1));
		assert_ne!(a, ocw::salt::<Test>(1, &1));
		assert_ne!(a, ocw::salt::<Test>(0, &2));
	});
}

#[test]
fn the_worker_attributes_inferences_with_the_engine() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![1, 2, 3]);
		activate_model_0();
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		Attribution::offchain_worker(1);
		// Every local attestor commits, each with its own commitment; the model was trained
		// first, since the engine lacked it.
		let sent = pooled(&pool);
		assert_eq!(sent.iter().map(|(who, _)| *who).collect::<Vec<_>>(), vec![1, 2, 3]);
		assert_ne!(sent[0].1, sent[1].1);
		assert_eq!(engine.trained.lock().unwrap().len(), 1);
		apply(&pool, 0);
		Attribution::offchain_worker(2);
		apply(&pool, 3);
		let (_, result, mut agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		agreeing.sort();
		assert_eq!(
			(result.answer.label(), result.shares, agreeing),
			(Some(1), shares(&[(3, 1_000_000_000)]), vec![1, 2, 3])
		);
	});
}

/// The jobs of the worker's batches in the pool from `from` on, per batch.
fn batched_jobs(pool: &parking_lot::RwLock<testing::PoolState>, from: usize) -> Vec<Vec<JobId>> {
	pooled(pool)
		.into_iter()
		.skip(from)
		.map(|(_, call)| match call {
			RuntimeCall::Attribution(Call::commit_batch { items }) => {
				items.iter().map(|(job, _)| *job).collect()
			},
			RuntimeCall::Attribution(Call::reveal_batch { items, .. }) => {
				items.iter().map(|(job, _, _)| *job).collect()
			},
			other => panic!("unexpected call {other:?}"),
		})
		.collect()
}

#[test]
fn the_worker_takes_jobs_earliest_deadline_first_within_its_time_budget() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	// Each training and inference takes 100 ms.
	engine.clock.lock().unwrap().as_mut().unwrap().1 = 100;
	ext.execute_with(|| {
		// What the node's `--attribution-worker-ms 250` writes.
		sp_runtime::offchain::storage::StorageValueRef::persistent(
			openledger_primitives::attribution::WORKER_BUDGET_KEY,
		)
		.set(&250u64);
		UintAuthorityId::set_all_keys(vec![2]);
		activate_model_0();
		// Jobs 0 and 1 train (deadline 21), job 2 infers in block 2 (deadline 7) and job 3 in
		// block 3 (deadline 8). The inferences go first, whatever the hash order of their ids.
		MODELS.with(|m| m.borrow_mut().insert(1, ModelStatus::Training));
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		assert_ok!(<Attribution as AttributionJobs>::request_training(1));
		System::set_block_number(2);
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		System::set_block_number(3);
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![5, 4]));
		// Job 2 trains model 0 and infers (200 ms), job 3 infers (300 ms): the budget is spent
		// before the training jobs, which wait for the next block.
		Attribution::offchain_worker(3);
		assert_eq!(batched_jobs(&pool, 0), vec![vec![2, 3]]);
		Attribution::offchain_worker(4);
		assert_eq!(batched_jobs(&pool, 1), vec![vec![0, 1]], "then the training jobs");
	});
}

/// Issue 34's worker: one block's inference jobs on one model are one engine call, and their
/// reveals read the outcomes kept at the commit, with no engine call at all.
#[test]
fn a_blocks_jobs_on_one_model_are_one_engine_call_and_reveals_never_recompute() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		only(2);
		UintAuthorityId::set_all_keys(vec![2]);
		activate_model_0();
		for i in 0..3u8 {
			assert_ok!(<Attribution as AttributionJobs>::request_inference(
				u64::from(i),
				0,
				vec![i, 4]
			));
		}
		Attribution::offchain_worker(1);
		assert_eq!(*engine.batches.lock().unwrap(), vec![3]);
		assert_eq!(engine.alone.load(std::sync::atomic::Ordering::SeqCst), 0);
		assert_eq!(batched_jobs(&pool, 0), vec![vec![0, 1, 2]]);
		apply(&pool, 0);
		Attribution::offchain_worker(2);
		assert_eq!(batched_jobs(&pool, 1), vec![vec![0, 1, 2]], "the reveals");
		assert_eq!(*engine.batches.lock().unwrap(), vec![3], "no engine call for the reveals");
		assert_eq!(engine.alone.load(std::sync::atomic::Ordering::SeqCst), 0);
		apply(&pool, 1);
		let credited: Vec<_> =
			COMPLETED.with(|c| c.borrow().iter().map(|(i, r, _)| (*i, r.shares.clone())).collect());
		assert_eq!(
			credited,
			(0..3u32).map(|i| (u64::from(i), shares(&[(i, 1_000_000_000)]))).collect::<Vec<_>>(),
			"each job's own answer, in the batch's order"
		);
	});
}

/// A flood of paid inferences on one model is answered in engine calls of at most
/// `MAX_QUERIES_PER_CALL` each, so that no single call holds the worker far past its budget.
#[test]
fn a_flood_on_one_model_is_answered_in_bounded_engine_calls() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, _) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		only(2);
		UintAuthorityId::set_all_keys(vec![2]);
		activate_model_0();
		let flood = ocw::MAX_QUERIES_PER_CALL + 8;
		for i in 0..flood {
			assert_ok!(<Attribution as AttributionJobs>::request_inference(
				i as u64,
				0,
				vec![(i % 6) as u8, 4]
			));
		}
		Attribution::offchain_worker(1);
		assert_eq!(*engine.batches.lock().unwrap(), vec![ocw::MAX_QUERIES_PER_CALL, 8]);
		assert_eq!(engine.alone.load(std::sync::atomic::Ordering::SeqCst), 0);
	});
}

#[test]
fn the_worker_answers_every_job_in_batches_of_at_most_max_batch() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		only(2);
		UintAuthorityId::set_all_keys(vec![2]);
		activate_model_0();
		// Ten inferences in one block; `MaxBatch` is 4 in the mock. (The mock engine credits
		// the record named by the input's first byte; the version has six.)
		for i in 0..10u8 {
			assert_ok!(<Attribution as AttributionJobs>::request_inference(
				u64::from(i),
				0,
				vec![i % 6, 4]
			));
		}
		Attribution::offchain_worker(1);
		assert_eq!(
			batched_jobs(&pool, 0),
			vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]],
			"every job, earliest first, with no cap"
		);
		// In the block, every commit counts and closes its round (a committee of one); the next worker
		// reveals them all the same way, and every inference is decided.
		apply(&pool, 0);
		assert!(Jobs::<Test>::iter().all(|(_, j)| j.revealing));
		Attribution::offchain_worker(2);
		assert_eq!(batched_jobs(&pool, 3), vec![vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]);
		apply(&pool, 3);
		assert_eq!(Jobs::<Test>::iter().count(), 0);
		assert_eq!(COMPLETED.with(|c| c.borrow().len()), 10);
	});
}

#[test]
fn worker_batches_hold_at_most_max_batch_items_and_half_the_attestations_lane() {
	use frame_support::{dispatch::DispatchClass, weights::Weight};
	let weights: frame_system::limits::BlockWeights =
		<<Test as frame_system::Config>::BlockWeights as Get<_>>::get();
	// Half of the block's share that normal transactions cannot use.
	let lane = weights.max_block - weights.get(DispatchClass::Normal).max_total.unwrap();
	assert_eq!(ocw::batch_limit::<Test>(), lane / 2);
	let limit = lane;
	let sizes = |items: u32, w: Weight| -> Vec<usize> {
		ocw::batches::<Test, _>((0..items).collect(), |_| w).iter().map(|b| b.len()).collect()
	};
	assert_eq!(sizes(10, Weight::zero()), vec![4, 4, 2], "MaxBatch is 4");
	// Items of a bit more than a sixth of the limit: two fit in half of it, three do not.
	let third = limit.saturating_div(6).saturating_add(Weight::from_parts(1, 0));
	assert_eq!(sizes(5, third), vec![2, 2, 1]);
	// An item heavier than the bound still goes, alone.
	assert_eq!(sizes(2, limit), vec![1, 1]);
	assert!(sizes(0, limit).is_empty());
}

#[test]
fn a_batch_applies_each_valid_item_and_reports_each_invalid_one() {
	use frame_support::dispatch::{Pays, PostDispatchInfo};
	use weights::WeightInfo;
	run_test(|| {
		open_jobs(); // job 0 trains model 0, job 1 infers; committees of the three attestors
		let committee = Jobs::<Test>::get(0).unwrap().committee.len() as u32;
		let commitment = |job, o: &Outcome| Attribution::commitment(job, &1, &salt(1), o);
		let c = |a| <() as WeightInfo>::commit(a);
		let max = <Test as Config>::MaxAttestors::get();
		let items = vec![
			(0, commitment(0, &trained(1))),
			(42, commitment(42, &trained(1))),
			(0, commitment(0, &trained(1))),
			(1, commitment(1, &inferred(0, 0))),
		];
		let declared = Attribution::commit_batch_weight(items.len());
		assert_eq!(declared, c(max) * 4);
		let post = Attribution::commit_batch(origin(1), BoundedVec::truncate_from(items)).unwrap();
		// Two items counted; the unknown job and the second commit to job 0 were reported with
		// their errors and kept their full weight; the valid ones were refunded to the
		// committee's size. An item failed, so the batch pays.
		assert_eq!(
			post,
			PostDispatchInfo {
				actual_weight: Some(c(committee) * 2 + c(max) * 2),
				pays_fee: Pays::Yes
			}
		);
		assert!(Commits::<Test>::contains_key(0, 1) && Commits::<Test>::contains_key(1, 1));
		let failed: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::BatchItemFailed { index, job, error } => Some((index, job, error)),
				_ => None,
			})
			.collect();
		assert_eq!(
			failed,
			vec![
				(1, 42, Error::<Test>::UnknownJob.into()),
				(2, 0, Error::<Test>::AlreadyCommitted.into())
			]
		);
		// A batch whose items all succeed is free.
		let items = vec![(0, Attribution::commitment(0, &2, &salt(2), &trained(1)))];
		let post = Attribution::commit_batch(origin(2), BoundedVec::truncate_from(items)).unwrap();
		assert_eq!(post.pays_fee, Pays::No);
		assert_eq!(post.actual_weight, Some(c(committee)));
		assert_noop!(
			Attribution::commit_batch(origin(2), BoundedVec::new()),
			Error::<Test>::EmptyBatch
		);

		// Reveals: job 0's round closes at the third commit.
		assert_ok!(commit(3, 0, &trained(1)));
		let r = |a, k| <() as WeightInfo>::reveal(a, k);
		let items = vec![
			(0, salt(9), trained(1)),     // does not open the commitment
			(0, salt(1), trained(1)),     // counts
			(1, salt(1), inferred(0, 0)), // job 1's round is still open
		];
		assert_eq!(
			Attribution::reveal_batch_weight(&items, committee),
			r(committee, 0) * 2 + r(committee, 1),
			"per item, for its shares, for the witness's members"
		);
		assert_eq!(
			Attribution::reveal_batch_weight(&items, u32::MAX),
			r(2 * max, 0) * 2 + r(2 * max, 1),
			"a witness counts at most two full committees (a recheck's and the first's majority)"
		);
		// A witness below a job's members fails its items, and changes nothing.
		let low = Attribution::reveal_batch(
			origin(1),
			BoundedVec::truncate_from(vec![(0, salt(1), trained(1))]),
			committee - 1,
		)
		.unwrap();
		assert_eq!(low.pays_fee, Pays::Yes);
		assert!(!Reveals::<Test>::contains_key(0, 1));
		assert!(events().contains(&Event::BatchItemFailed {
			index: 0,
			job: 0,
			error: Error::<Test>::MembersAboveWitness.into()
		}));
		let post =
			Attribution::reveal_batch(origin(1), BoundedVec::truncate_from(items), committee)
				.unwrap();
		// The valid one did not take the vote (two members have not revealed): a stored reveal.
		let stored = <() as WeightInfo>::reveal_stored(committee, 0);
		assert_eq!(post.actual_weight, Some(r(committee, 0) + stored + r(committee, 1)));
		assert_eq!(post.pays_fee, Pays::Yes);
		assert!(Reveals::<Test>::contains_key(0, 1));
		let failed: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::BatchItemFailed { index, error, .. } => Some((index, error)),
				_ => None,
			})
			.collect();
		assert_eq!(
			&failed[failed.len() - 2..],
			&[
				(0, Error::<Test>::CommitmentMismatch.into()),
				(2, Error::<Test>::RevealNotOpen.into())
			]
		);
		// So is one whose only failures are late commits: job 1's round closes at its deadline
		// with two of three committed, and member 3's commit arrives after.
		assert_ok!(commit(2, 1, &inferred(0, 0)));
		run_to(Jobs::<Test>::get(1).unwrap().deadline + 1);
		assert!(Jobs::<Test>::get(1).unwrap().revealing);
		let items = vec![(1, Attribution::commitment(1, &3, &salt(3), &inferred(0, 0)))];
		let late = || {
			use sp_runtime::traits::DispatchTransaction;
			CheckAttestation::<Test>::new().validate_only(
				Some(3).into(),
				&RuntimeCall::Attribution(Call::commit_batch {
					items: BoundedVec::truncate_from(items.clone()),
				}),
				&Default::default(),
				0,
				sp_runtime::transaction_validity::TransactionSource::InBlock,
				0,
			)
		};
		assert!(late().is_ok(), "a batch of late commits only is included (its nonce has no gap)");
		let post =
			Attribution::commit_batch(origin(3), BoundedVec::truncate_from(items.clone())).unwrap();
		assert_eq!((post.pays_fee, post.actual_weight), (Pays::No, Some(c(max))));
		assert!(LateCommits::<Test>::contains_key(1, 3) && !Commits::<Test>::contains_key(1, 3));
		// Once: a second late commit to the job is refused by the pool, and pays in a block.
		assert!(late().is_err());
		let post = Attribution::commit_batch(origin(3), BoundedVec::truncate_from(items)).unwrap();
		assert_eq!(post.pays_fee, Pays::Yes);
		assert_eq!(
			events().last(),
			Some(&Event::BatchItemFailed {
				index: 0,
				job: 1,
				error: Error::<Test>::AlreadyCommitted.into()
			})
		);
		// The record goes with the job.
		assert_ok!(reveal(1, 1, inferred(0, 0)));
		assert_ok!(reveal(2, 1, inferred(0, 0)));
		assert!(!Jobs::<Test>::contains_key(1));
		assert_eq!(LateCommits::<Test>::iter().count(), 0);
	});
}

/// Runs block `n`'s off-chain worker; as on a node, its changes to the state are discarded.
fn worker_at(n: u64) {
	use frame_support::storage::{with_transaction, TransactionOutcome};
	with_transaction(|| {
		Attribution::offchain_worker(n);
		TransactionOutcome::Rollback(Ok::<_, DispatchError>(()))
	})
	.unwrap()
}

#[test]
fn workers_of_consecutive_blocks_sign_with_consecutive_nonces() {
	use ocw::{next_nonce, nonce_used, NONCE_WINDOW, RETRY_AFTER};
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![2]);
		activate_model_0();
		assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
		worker_at(1);
		// The next block does not include the first commit yet: the chain's nonce is still 0.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![5, 6]));
		worker_at(2);
		assert_eq!(pooled(&pool).len(), 2);
		assert_eq!(frame_system::Pallet::<Test>::account_nonce(2), 0);
		assert_eq!(next_nonce::<Test>(&2, 3), 2, "the two commits took nonces 0 and 1");

		// Once the chain has counted them, its nonce is the one.
		frame_system::Account::<Test>::mutate(2, |a| a.nonce = 2);
		assert_eq!(next_nonce::<Test>(&2, 3), 2);
		// A kept nonce too far ahead of the chain's (a lost transaction) is distrusted...
		nonce_used::<Test>(&2, 2 + NONCE_WINDOW, 3);
		assert_eq!(next_nonce::<Test>(&2, 3), 2);
		// ... and so is one kept for as long as a claim.
		nonce_used::<Test>(&2, 4, 3);
		assert_eq!(next_nonce::<Test>(&2, 3 + u64::from(RETRY_AFTER) - 1), 5);
		assert_eq!(next_nonce::<Test>(&2, 3 + u64::from(RETRY_AFTER)), 2);
	});
}

/// A pool that refuses every transaction, as a node's pool refuses one that is invalid at
/// each of its views (blocks behind the worker's).
struct RefusingPool(Arc<std::sync::atomic::AtomicU32>);

impl sp_core::offchain::TransactionPool for RefusingPool {
	fn submit_transaction(&mut self, _: Vec<u8>) -> Result<(), ()> {
		self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
		Err(())
	}
}

#[test]
fn a_refused_answer_is_sent_again_from_the_next_block_with_the_same_nonce() {
	use ocw::next_nonce;
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		only(1);
		UintAuthorityId::set_all_keys(vec![1]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		worker_at(1);
		// The commit is in a block, which opens the reveal round.
		apply(&pool, 0);
		assert!(Jobs::<Test>::get(0).is_some_and(|j| j.revealing));
	});
	// The pool is behind: it refuses the reveal.
	let refused = Arc::new(std::sync::atomic::AtomicU32::new(0));
	ext.register_extension(TransactionPoolExt::new(RefusingPool(refused.clone())));
	ext.execute_with(|| {
		worker_at(2);
		assert_eq!(refused.load(std::sync::atomic::Ordering::Relaxed), 1, "the reveal was tried");
		assert_eq!(next_nonce::<Test>(&1, 3), 1, "and used no nonce");
	});
	// The pool has caught up: the next block's worker reveals at once, not RETRY_AFTER blocks
	// later, and the reveal decides the job.
	let (pool2, pool2_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(TransactionPoolExt::new(pool2));
	ext.execute_with(|| {
		worker_at(3);
		let sent = pooled(&pool2_state);
		assert_eq!(sent.len(), 1);
		assert!(matches!(sent[0].1, RuntimeCall::Attribution(Call::reveal_batch { .. })));
		apply(&pool2_state, 0);
		assert!(Trainings::<Test>::get(0).is_some());
		// Sent, the reveal's claim stands again: the next worker sends nothing.
		worker_at(4);
		assert_eq!(pooled(&pool2_state).len(), 1);
	});
}

#[test]
fn after_a_restart_the_worker_sends_again_what_the_lost_pool_held() {
	use ocw::next_nonce;
	use sp_runtime::offchain::storage::StorageValueRef;
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine));
	ext.execute_with(|| {
		only(1);
		UintAuthorityId::set_all_keys(vec![1]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		worker_at(1);
		assert_eq!(pooled(&pool).len(), 1);
		// In the same start, the claim and the kept nonce stand.
		worker_at(2);
		assert_eq!(pooled(&pool).len(), 1);
		assert_eq!(next_nonce::<Test>(&1, 2), 1);
	});
	// The node restarts (it counts a new start) with an empty pool: the commit is lost.
	let (pool2, pool2_state) = testing::TestTransactionPoolExt::new();
	ext.register_extension(TransactionPoolExt::new(pool2));
	ext.execute_with(|| {
		StorageValueRef::persistent(openledger_primitives::attribution::WORKER_BOOT_KEY).set(&1u64);
		assert_eq!(next_nonce::<Test>(&1, 3), 0, "the chain's nonce, not the lost one's next");
		worker_at(3);
		let sent = pooled(&pool2_state);
		assert_eq!(sent.len(), 1, "committed again at once");
		assert!(matches!(sent[0].1, RuntimeCall::Attribution(Call::commit_batch { .. })));
	});
}

#[test]
fn without_an_engine_the_worker_sends_nothing() {
	let (mut ext, pool) = offchain_ext(None);
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![1]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		assert!(pooled(&pool).is_empty());
	});
}

#[test]
fn a_node_without_attestor_keys_does_nothing() {
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		UintAuthorityId::set_all_keys(vec![8, 9]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		assert!(pooled(&pool).is_empty());
		assert!(engine.chunks.lock().unwrap().is_empty());
	});
}

#[test]
fn the_pool_rejects_attestations_that_would_fail_and_passes_everything_else() {
	use frame_support::dispatch::{DispatchInfo, GetDispatchInfo};
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	};
	run_test(|| {
		open_jobs(); // job 0 trains model 0
		let check_from = |source, who: AccountId, call: &RuntimeCall| {
			let info: DispatchInfo = call.get_dispatch_info();
			CheckAttestation::<Test>::new()
				.validate_only(Some(who).into(), call, &info, 0, source, 0)
				.map(|(valid, _, _)| valid.longevity)
		};
		let check = |who, call: RuntimeCall| {
			check_from(TransactionSource::External, who, &call).map(|_| ())
		};
		// Admitted before it can succeed: in the pool for a few blocks, and not in a block.
		let not_yet = |who, call: RuntimeCall| {
			assert_eq!(
				check_from(TransactionSource::External, who, &call),
				Ok(extension::NOT_YET_LONGEVITY)
			);
			assert_eq!(
				check_from(TransactionSource::InBlock, who, &call),
				Err(TransactionValidityError::Invalid(InvalidTransaction::Future))
			);
		};
		let o = trained(1);
		let commit_call = |who: AccountId, job| {
			let commitment = Attribution::commitment(job, &who, &salt(who), &o);
			RuntimeCall::Attribution(Call::commit { job, commitment })
		};
		let reveal_call = |job, s: [u8; 32]| {
			RuntimeCall::Attribution(Call::reveal { job, salt: s, outcome: o.clone() })
		};
		let stale = Err(TransactionValidityError::Invalid(InvalidTransaction::Stale));
		let bad = Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner));
		let proof = Err(TransactionValidityError::Invalid(InvalidTransaction::BadProof));
		assert_eq!(check(1, commit_call(1, 0)), Ok(()));
		assert_eq!(
			check_from(TransactionSource::External, 1, &commit_call(1, 0)),
			Ok(u64::MAX),
			"valid now: no longevity of its own"
		);
		assert_eq!(check(9, commit_call(9, 0)), bad, "not an attestor");
		// A job this node has not seen opened, but a peer's block may have: not yet.
		let next = NextJobId::<Test>::get();
		not_yet(1, commit_call(1, next));
		assert_eq!(
			check(1, commit_call(1, next + extension::LOOKAHEAD_JOBS)),
			stale,
			"too far ahead"
		);
		assert_eq!(check(9, commit_call(9, next)), bad, "not an attestor, even ahead");
		// A reveal while the commit round is open: not yet.
		not_yet(1, reveal_call(0, salt(1)));
		for who in 1..=3 {
			assert_ok!(commit(who, 0, &o));
		}
		assert_eq!(check(1, commit_call(1, 0)), stale, "committed already");
		assert_eq!(check(1, reveal_call(0, salt(1))), Ok(()));
		assert_eq!(check(1, reveal_call(0, salt(2))), proof, "not its commitment");
		assert_eq!(check(9, reveal_call(0, salt(9))), bad, "never committed");
		assert_ok!(reveal(1, 0, o.clone()));
		assert_eq!(check(1, reveal_call(0, salt(1))), stale, "revealed already");
		// After the job closed.
		run_to(2 + REVEAL_PERIOD);
		assert_eq!(check(2, reveal_call(0, salt(2))), stale);
		// Every other call passes, whoever sends it.
		let remark = RuntimeCall::System(frame_system::Call::remark { remark: vec![1] });
		assert_eq!(check(9, remark), Ok(()));
		// The checks are the calls' own: what the pool rejects, the call rejects too.
		assert_noop!(reveal(2, 0, o.clone()), Error::<Test>::UnknownJob);
	});
}

#[test]
fn the_pool_admits_a_batch_with_one_valid_item_and_rejects_one_with_none() {
	use frame_support::dispatch::{DispatchInfo, GetDispatchInfo};
	use sp_runtime::{
		traits::DispatchTransaction,
		transaction_validity::{InvalidTransaction, TransactionSource, TransactionValidityError},
	};
	run_test(|| {
		open_jobs();
		let check = |who: AccountId, call: RuntimeCall| {
			let info: DispatchInfo = call.get_dispatch_info();
			CheckAttestation::<Test>::new()
				.validate_only(Some(who).into(), &call, &info, 0, TransactionSource::External, 0)
				.map(|_| ())
		};
		let batch = |items: Vec<(JobId, H256)>| {
			RuntimeCall::Attribution(Call::commit_batch { items: BoundedVec::truncate_from(items) })
		};
		let h = H256::repeat_byte(1);
		let far = NextJobId::<Test>::get() + extension::LOOKAHEAD_JOBS;
		assert_eq!(check(1, batch(vec![(far, h), (0, h)])), Ok(()), "job 0 is valid");
		assert_eq!(
			check(1, batch(vec![(far, h), (far + 1, h)])),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Stale)),
			"no item could succeed"
		);
		let in_block = |who: AccountId, call: RuntimeCall| {
			let info: DispatchInfo = call.get_dispatch_info();
			CheckAttestation::<Test>::new()
				.validate_only(Some(who).into(), &call, &info, 0, TransactionSource::InBlock, 0)
				.map(|_| ())
		};
		let soon = NextJobId::<Test>::get();
		assert_eq!(check(1, batch(vec![(far, h), (soon, h)])), Ok(()), "one item may succeed soon");
		assert_eq!(
			in_block(1, batch(vec![(far, h), (soon, h)])),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Future)),
			"but not in this block"
		);
		assert_eq!(
			check(9, batch(vec![(0, h), (1, h)])),
			Err(TransactionValidityError::Invalid(InvalidTransaction::BadSigner))
		);
		assert_eq!(
			check(1, batch(vec![])),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Call))
		);
		let reveals = RuntimeCall::Attribution(Call::reveal_batch {
			items: BoundedVec::truncate_from(vec![(0, salt(1), trained(1))]),
			members: 3,
		});
		assert_eq!(check(1, reveals.clone()), Ok(()), "the reveal round may open soon");
		assert_eq!(
			in_block(1, reveals),
			Err(TransactionValidityError::Invalid(InvalidTransaction::Future)),
			"the reveal round is not open"
		);
	});
}

/// Four bonded attestors, committees of one, a challenge window of 5 blocks; an inference job
/// opened for inference 7. Returns the job and its one member.
fn one_member_job() -> (JobId, AccountId) {
	assert_ok!(Attribution::bond(origin(4), BOND));
	committee_of_one_job()
}

/// [`one_member_job`] among the attestors there are.
fn committee_of_one_job() -> (JobId, AccountId) {
	set_committee(1);
	let stake = StakeParams::<Test>::get();
	assert_ok!(Attribution::set_stake_params(
		RuntimeOrigin::root(),
		Stake { challenge_window: 5, ..stake }
	));
	activate_model_0();
	assert_ok!(<Attribution as AttributionJobs>::request_inference(7, 0, vec![3, 4]));
	let job = NextJobId::<Test>::get() - 1;
	let committee = Jobs::<Test>::get(job).unwrap().committee;
	assert_eq!(committee.len(), 1);
	(job, committee[0])
}

#[test]
fn a_result_waits_out_its_challenge_window_and_is_then_paid() {
	run_test(|| {
		let (job, member) = one_member_job();
		answer(job, &[(member, inferred(1, 1))]);
		let matures = 1 + 5;
		assert!(events().contains(&Event::ResultPending { job, inference: 7, matures }));
		assert!(COMPLETED.with(|c| c.borrow().is_empty()), "nothing is paid in the window");
		assert!(Inferences::<Test>::get(7).is_none());
		run_to(matures - 1);
		assert!(COMPLETED.with(|c| c.borrow().is_empty()));
		run_to(matures);
		let (_, result, agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		assert_eq!((result.answer.label(), agreeing), (Some(1), vec![member]));
		assert!(Pending::<Test>::get(7).is_none());
		assert_eq!(Inferences::<Test>::get(7).unwrap().block, matures);
		// Too late to challenge.
		let other = (1..=4).find(|a| *a != member).unwrap();
		assert_noop!(Attribution::challenge(origin(other), 7), Error::<Test>::NotPending);
	});
}

#[test]
fn challenges_are_checked_and_a_failed_one_changes_nothing() {
	run_test(|| {
		let (job, member) = one_member_job();
		let other = (1..=4).find(|a| *a != member).unwrap();
		assert_noop!(Attribution::challenge(origin(other), 7), Error::<Test>::NotPending);
		answer(job, &[(member, inferred(1, 1))]);
		assert_noop!(Attribution::challenge(origin(9), 7), Error::<Test>::NotAttestor);
		assert_noop!(
			Attribution::challenge(origin(member), 7),
			Error::<Test>::ChallengerInCommittee
		);
		Suspended::<Test>::insert(other, ());
		assert_noop!(Attribution::challenge(origin(other), 7), Error::<Test>::AttestorSuspended);
		Suspended::<Test>::remove(other);
		System::set_block_number(1 + 5);
		assert_noop!(
			Attribution::challenge(origin(other), 7),
			Error::<Test>::ChallengeWindowClosed
		);
		System::set_block_number(1);
		assert_ok!(Attribution::challenge(origin(other), 7));
		let third = (1..=4).find(|a| *a != member && *a != other).unwrap();
		assert_noop!(Attribution::challenge(origin(third), 7), Error::<Test>::AlreadyChallenged);
	});
}

/// The recheck job of a challenged inference 7, with its members.
fn recheck() -> (JobId, Vec<AccountId>) {
	let Some(Challenge { job, .. }) = Pending::<Test>::get(7).unwrap().challenge else {
		panic!("challenged")
	};
	let j = Jobs::<Test>::get(job).unwrap();
	assert_eq!(j.kind, JobKind::Recheck { inference: 7, model: 0 });
	(job, j.committee.to_vec())
}

#[test]
fn a_challenge_that_overturns_a_lie_slashes_the_liar_to_the_challenger() {
	run_test(|| {
		let (job, liar) = one_member_job();
		// A committee of one lies, naming record 4.
		answer(job, &[(liar, inferred(0, 4))]);
		let challenger = (1..=4).find(|a| *a != liar).unwrap();
		let free = Balances::free_balance(challenger);
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		assert_eq!(Balances::free_balance(challenger), free - CHALLENGE_DEPOSIT);
		let (rjob, members) = recheck();
		// Twice the committee, none of the first nor the challenger; a result needs both.
		assert_eq!(members.len(), 2);
		assert!(!members.contains(&liar) && !members.contains(&challenger));
		assert_eq!(Attribution::majority(&Jobs::<Test>::get(rjob).unwrap()), 2);
		// The window no longer pays the challenged result.
		run_to(1 + 5);
		assert!(COMPLETED.with(|c| c.borrow().is_empty()));
		let honest: Vec<(AccountId, Outcome)> =
			members.iter().map(|m| (*m, inferred(1, 1))).collect();
		answer(rjob, &honest);
		let (_, result, mut agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		agreeing.sort();
		let mut expected = members.clone();
		expected.sort();
		assert_eq!(
			(result.answer.label(), result.shares, agreeing),
			(Some(1), shares(&[(1, 1_000_000_000)]), expected)
		);
		// The liar lost 10% to the challenger, who got its deposit back.
		assert_eq!(bond_of(liar), BOND - BOND / 10);
		assert_eq!(Balances::free_balance(challenger), free + BOND / 10);
		assert_eq!(Attribution::strikes(&liar), 1);
		assert!(events().contains(&Event::ChallengeUpheld { inference: 7, challenger }));
		assert!(Pending::<Test>::get(7).is_none());
	});
}

#[test]
fn a_challenge_the_recheck_confirms_costs_the_challenger_its_deposit() {
	run_test(|| {
		let (job, member) = one_member_job();
		answer(job, &[(member, inferred(1, 1))]);
		let challenger = (1..=4).find(|a| *a != member).unwrap();
		let free = Balances::free_balance(challenger);
		let treasury_before = treasury();
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		let (rjob, members) = recheck();
		let same: Vec<(AccountId, Outcome)> =
			members.iter().map(|m| (*m, inferred(1, 1))).collect();
		answer(rjob, &same);
		let (_, result, agreeing) = COMPLETED.with(|c| c.borrow()[0].clone());
		assert_eq!(
			(result.answer.label(), agreeing),
			(Some(1), vec![member]),
			"the first result is paid"
		);
		assert_eq!(Balances::free_balance(challenger), free - CHALLENGE_DEPOSIT);
		assert_eq!(treasury(), treasury_before + CHALLENGE_DEPOSIT);
		assert_eq!(bond_of(member), BOND);
		assert!(events().contains(&Event::ChallengeRejected {
			inference: 7,
			challenger,
			deposit: CHALLENGE_DEPOSIT
		}));
	});
}

#[test]
fn a_recheck_that_decides_nothing_returns_the_deposit_and_the_result_stands() {
	run_test(|| {
		let (job, member) = one_member_job();
		answer(job, &[(member, inferred(1, 1))]);
		let challenger = (1..=4).find(|a| *a != member).unwrap();
		let free = Balances::free_balance(challenger);
		assert_ok!(Attribution::challenge(origin(challenger), 7));
		// No one rechecks: the recheck's commit round expires.
		run_to(2 + INFERENCE_PERIOD);
		let (_, result, _) = COMPLETED.with(|c| c.borrow()[0].clone());
		assert_eq!(result.answer.label(), Some(1));
		assert_eq!(Balances::free_balance(challenger), free);
		assert!(events().contains(&Event::ChallengeUndecided { inference: 7, challenger }));
		assert!(EXPIRED.with(|e| e.borrow().is_empty()), "the inference is not refunded");
	});
}

#[test]
fn a_record_removed_after_publication_stays_in_the_training_set() {
	use ocw::RETRY_AFTER;
	// Record 2 was removed in block 3, after version 1 (block 1) was published: a node without
	// the version abstains; one that holds it trains on it as published.
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		only(1);
		UintAuthorityId::set_all_keys(vec![1]);
		LATE_REMOVAL.with(|l| l.set((Some(2), 3)));
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		assert!(pooled(&pool).is_empty(), "it abstains");
		assert!(
			engine.chunks.lock().unwrap().is_empty() && engine.trained.lock().unwrap().is_empty()
		);
		// Removed in the block the version was published in: out of the set for everyone, sent
		// without payload.
		LATE_REMOVAL.with(|l| l.set((Some(2), 1)));
		let retry = 1 + u64::from(RETRY_AFTER);
		Attribution::offchain_worker(retry);
		assert_eq!(pooled(&pool).len(), 1);
		assert_eq!(engine.chunks.lock().unwrap()[0].records[2], (vec![], 2));
	});
	// A node that ingested the version before the removal keeps training on it.
	let engine = Arc::new(MockEngine::default());
	let (mut ext, pool) = offchain_ext(Some(engine.clone()));
	ext.execute_with(|| {
		only(1);
		UintAuthorityId::set_all_keys(vec![1]);
		assert_ok!(<Attribution as AttributionJobs>::request_training(0));
		Attribution::offchain_worker(1);
		assert_eq!(engine.chunks.lock().unwrap()[0].records[2], (vec![2, 7], 2));
		LATE_REMOVAL.with(|l| l.set((Some(2), 3)));
		MODELS.with(|m| m.borrow_mut().insert(1, ModelStatus::Training));
		assert_ok!(<Attribution as AttributionJobs>::request_training(1));
		Attribution::offchain_worker(4);
		assert_eq!(pooled(&pool).len(), 2, "both models answered");
		assert_eq!(engine.chunks.lock().unwrap().len(), 2, "no chunk sent again");
		assert_eq!(engine.trained.lock().unwrap().len(), 2);
	});
}

/// The node's payloads as a test gives them: each content hash's bytes, if any; and what it
/// was asked for.
#[derive(Default)]
struct MockStore {
	kept: std::collections::BTreeMap<H256, Vec<u8>>,
	asked: std::sync::Mutex<Vec<Vec<H256>>>,
}

impl openledger_primitives::payloads::PayloadStore for MockStore {
	fn fetch(&self, contents: Vec<H256>) -> Vec<Option<Vec<u8>>> {
		self.asked.lock().unwrap().push(contents.clone());
		contents.iter().map(|c| self.kept.get(c).cloned()).collect()
	}
}

/// A version whose payloads are in the transaction index: the worker fetches the batch's
/// bytes through the node, once a chunk, and sends each record's own payload to the engine; without
/// them, or with other bytes under their hash, it abstains and trains on nothing.
#[test]
fn the_worker_reads_indexed_payloads_through_the_node_and_checks_each() {
	use openledger_primitives::payloads::PayloadsExt;
	INDEXED.with(|i| i.set(true));
	let (records, content) = indexed_batch();
	let blob = codec::Encode::encode(&records);
	let mut forged = blob.clone();
	// Record 0's first byte: the first chunk does not verify.
	let first = openledger_primitives::datanets::batch_offsets(&records).unwrap()[0].0;
	forged[first as usize] ^= 1;
	for (kept, answers) in [(Some(blob), true), (None, false), (Some(forged), false)] {
		let engine = Arc::new(MockEngine::default());
		let (mut ext, pool) = offchain_ext(Some(engine.clone()));
		let store = Arc::new(MockStore {
			kept: kept.into_iter().map(|b| (content, b)).collect(),
			..Default::default()
		});
		ext.register_extension(PayloadsExt(store.clone()));
		ext.execute_with(|| {
			only(1);
			UintAuthorityId::set_all_keys(vec![1]);
			assert_ok!(<Attribution as AttributionJobs>::request_training(0));
			Attribution::offchain_worker(1);
			// One fetch a chunk (of four records: two chunks), each of the batch's content once.
			let asked = store.asked.lock().unwrap().clone();
			let chunks_read = if answers { 2 } else { 1 };
			assert_eq!(asked, vec![vec![content]; chunks_read]);
			assert_eq!(pooled(&pool).len(), usize::from(answers));
			let chunks = engine.chunks.lock().unwrap();
			if answers {
				let sent: Vec<_> = chunks.iter().flat_map(|c| c.records.clone()).collect();
				// Record 5 was removed before the version: sent without payload.
				let mut expected = records.clone();
				expected[5].0.clear();
				assert_eq!(sent, expected);
			} else {
				assert!(chunks.is_empty() && engine.trained.lock().unwrap().is_empty());
			}
		});
	}
	INDEXED.with(|i| i.set(false));
}

#[test]
fn records_are_pruned_in_on_idle_after_their_retention_and_only_then() {
	use frame_support::weights::Weight;
	run_test(|| {
		let params = ConsensusParams::<Test>::get();
		assert_ok!(Attribution::set_params(
			RuntimeOrigin::root(),
			Params { retention: 10, ..params }
		));
		open_jobs();
		answer(0, &[(1, trained(2)), (2, trained(2)), (3, trained(2))]);
		answer(1, &[(1, inferred(1, 1)), (2, inferred(1, 1)), (3, inferred(1, 1))]);
		assert!(Trainings::<Test>::get(0).is_some() && Inferences::<Test>::get(7).is_some());
		// Inference 8's job expires (no one answers): its refund is recorded by agents, and its
		// record there is pruned too.
		assert_ok!(<Attribution as AttributionJobs>::request_inference(8, 0, vec![1, 1]));
		run_to(1 + INFERENCE_PERIOD + 1);
		assert_eq!(EXPIRED.with(|e| e.borrow().clone()), vec![8]);
		// A block idles after its transactions: prune in each block up to `n`.
		let idle_to = |n: u64| {
			while System::block_number() < n {
				run_to(System::block_number() + 1);
				Attribution::on_idle(System::block_number(), Weight::MAX);
			}
		};
		// Nothing is due before its retention ends.
		idle_to(10);
		assert!(Trainings::<Test>::get(0).is_some() && PRUNED.with(|p| p.borrow().is_empty()));
		assert!(!events().iter().any(|e| matches!(e, Event::RecordsPruned { .. })));
		// With no weight to spare, nothing is pruned either.
		run_to(1 + 10);
		assert_eq!(Attribution::on_idle(11, Weight::zero()), Weight::zero());
		assert!(Inferences::<Test>::get(7).is_some());
		Attribution::on_idle(11, Weight::MAX);
		assert!(Trainings::<Test>::get(0).is_none());
		assert!(Inferences::<Test>::get(7).is_none());
		assert_eq!(PRUNED.with(|p| p.borrow().clone()), vec![7]);
		assert!(events().contains(&Event::RecordsPruned { inferences: 1, trainings: 1 }));
		// Inference 8's refund is pruned at its own time.
		idle_to(1 + INFERENCE_PERIOD + 1 + 10);
		assert_eq!(PRUNED.with(|p| p.borrow().clone()), vec![7, 8]);
		assert_eq!(Expiries::<Test>::iter().count(), 0);
		// A retention of 0 keeps records forever.
		assert_ok!(Attribution::set_params(
			RuntimeOrigin::root(),
			Params { retention: 0, ..params }
		));
		assert_ok!(<Attribution as AttributionJobs>::request_inference(9, 0, vec![1, 1]));
		let job = NextJobId::<Test>::get() - 1;
		answer(job, &[(1, inferred(1, 1)), (2, inferred(1, 1)), (3, inferred(1, 1))]);
		assert_eq!(Expiries::<Test>::iter().count(), 0);
	});
}
